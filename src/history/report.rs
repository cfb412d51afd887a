//! `formcheck history`: the history as a terminal table per person and exercise, the reps as
//! CSV, and a self-contained progress page (weeks, fault shares, the FPPA trend per leg, left
//! against right, and when to progress, in the home programme's own words).

use crate::terminal::escape_controls;
use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{date_of, time_of, week_of, RepRow, SessionRow};
use crate::output::report::plots::{self, Series, TimePlot};
use crate::output::report::{escape, NOTICE_HTML, STYLE};

/// Progress is suggested when at least this many sessions of an exercise fall in the last
/// fortnight recorded (formcheck rule: the seed programme is done most days).
pub const PROGRESS_MIN_SESSIONS: usize = 3;
/// ... each with at least this many complete reps a set on average (the seed's 8–12).
pub const PROGRESS_MIN_REPS_PER_SET: f64 = 8.0;
/// ... and at most this share of judged reps with the knee caving in (formcheck rule: "good
/// alignment" on nearly every rep).
pub const PROGRESS_MAX_VALGUS_SHARE: f64 = 0.1;
const FORTNIGHT_S: i64 = 14 * 86_400;
const LEGEND: &str = "Faults of the complete reps the camera could judge, and how many of those \
                      were borderline (within a measure's error of its limit); \"not judged\": the \
                      camera could not see it (valgus needs a front view, knee past toes a side \
                      view); \"—\": the exercise does not judge it.";

/// "2/10 (20%)" of the judged reps, and ", 3 borderline" where some were; "—" when the exercise
/// does not judge the concern, "not judged" when it does but the camera could not.
fn share(faults: i64, borderline: i64, judged: i64, assessed: i64) -> String {
    if assessed == 0 {
        "—".to_string()
    } else if judged == 0 {
        "not judged".to_string()
    } else {
        let said = format!(
            "{faults}/{judged} ({:.0}%)",
            100.0 * faults as f64 / judged as f64
        );
        match borderline {
            0 => said,
            b => format!("{said}, {b} borderline"),
        }
    }
}

/// Sessions grouped by person, then exercise, oldest first.
fn grouped(sessions: &[SessionRow]) -> BTreeMap<(&str, &str), Vec<&SessionRow>> {
    let mut groups: BTreeMap<(&str, &str), Vec<&SessionRow>> = BTreeMap::new();
    for s in sessions {
        groups
            .entry((s.person.as_str(), s.exercise.as_str()))
            .or_default()
            .push(s);
    }
    groups
}

/// A session's source as the table names it: a video's file name (its folder says little), a
/// camera or stream as recorded; escaped and cut short.
fn clip_of(source: &str) -> String {
    let name = std::path::Path::new(source)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .filter(|_| !source.contains("://"))
        .unwrap_or_else(|| source.to_string());
    crate::terminal::excerpt(&name)
}

/// The terminal table: one block per person and exercise, one line a session.
pub fn table(sessions: &[SessionRow]) -> String {
    if sessions.is_empty() {
        return "no sessions recorded yet\n".to_string();
    }
    let mut out = String::new();
    for ((person, exercise), rows) in grouped(sessions) {
        // Names come from users and files: shown, never obeyed, by the terminal.
        let _ = writeln!(
            out,
            "{}: {}",
            escape_controls(person),
            escape_controls(exercise)
        );
        let _ = writeln!(
            out,
            "  {:<16}  {:<5}  {:>4}  {:>4}  {:>8}  {:<24}  {:<24}  clip or camera",
            "date, time (UTC)",
            "kind",
            "sets",
            "reps",
            "complete",
            "knee caved in",
            "knee past toes",
        );
        for s in rows {
            let _ = writeln!(
                out,
                "  {:<16}  {:<5}  {:>4}  {:>4}  {:>8}  {:<24}  {:<24}  {}",
                format!("{} {}", date_of(s.at_unix_s), time_of(s.at_unix_s)),
                s.kind,
                s.sets,
                s.reps,
                s.complete_reps,
                share(
                    s.valgus_faults,
                    s.valgus_borderline,
                    s.valgus_judged,
                    s.valgus_assessed
                ),
                share(
                    s.knee_over_toe_faults,
                    s.knee_over_toe_borderline,
                    s.knee_over_toe_judged,
                    s.knee_over_toe_assessed
                ),
                clip_of(&s.source),
            );
        }
    }
    out.push_str(LEGEND);
    out.push('\n');
    out
}

/// Every rep as one CSV row (the measures and flags in full in `record`, as reps.json has them).
pub fn csv(reps: &[RepRow]) -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "person",
        "date",
        "session",
        "exercise",
        "set",
        "rep",
        "legs",
        "complete",
        "outcome",
        "valgus",
        "knee_over_toe",
        "left_fppa_deg",
        "right_fppa_deg",
        "record",
    ])?;
    let num = |v: Option<f64>| v.map(|v| format!("{v:.1}")).unwrap_or_default();
    for r in reps {
        let text = |t: &str| crate::output::csv::spreadsheet_safe(t).into_owned();
        w.write_record([
            text(&r.person),
            date_of(r.at_unix_s),
            r.session_id.to_string(),
            text(&r.exercise),
            r.set.to_string(),
            r.number.to_string(),
            r.legs.clone(),
            r.complete.to_string(),
            r.outcome.clone(),
            r.valgus.clone().unwrap_or_default(),
            r.knee_over_toe.clone().unwrap_or_default(),
            num(r.left_fppa_deg),
            num(r.right_fppa_deg),
            r.record.clone(),
        ])?;
    }
    w.into_inner().map_err(|e| csv::Error::from(e.into_error()))
}

/// When to move on, from the programme's own words: strength first, then dynamic work.
fn progress_advice(rows: &[&SessionRow]) -> String {
    let Some(last) = rows.iter().map(|s| s.at_unix_s).max() else {
        return String::new();
    };
    let recent: Vec<&&SessionRow> = rows
        .iter()
        .filter(|s| last - s.at_unix_s < FORTNIGHT_S)
        .collect();
    let sets: i64 = recent.iter().map(|s| s.sets).sum();
    let complete: i64 = recent.iter().map(|s| s.complete_reps).sum();
    // A borderline rep counts neither way: the advice to move on rests on reps judged ok or
    // faulty.
    let (faults, judged): (i64, i64) = recent.iter().fold((0, 0), |(f, j), s| {
        (
            f + s.valgus_faults,
            j + s.valgus_judged - s.valgus_borderline,
        )
    });
    let reps_per_set = if sets > 0 {
        complete as f64 / sets as f64
    } else {
        0.0
    };
    let strength = "Keep to the strength work: 1–3 sets of 8–12 reps with good alignment, the \
                    knee neither caving inward nor going past the toes.";
    if recent.len() < PROGRESS_MIN_SESSIONS || reps_per_set < PROGRESS_MIN_REPS_PER_SET {
        return format!(
            "{strength} ({} session(s) in the last fortnight recorded, {:.1} complete reps a set.)",
            recent.len(),
            reps_per_set
        );
    }
    if judged == 0 {
        return format!(
            "{strength} The knee's alignment was not judged in the last fortnight (film from the \
             front to have it judged), so formcheck cannot say it held."
        );
    }
    let caved = faults as f64 / judged as f64;
    if caved > PROGRESS_MAX_VALGUS_SHARE {
        return format!(
            "{strength} The knee caved in on {:.0}% of the judged reps of the last fortnight.",
            caved * 100.0
        );
    }
    format!(
        "{} sessions in the last fortnight, {reps_per_set:.1} complete reps a set, the knee caving \
         in on {:.0}% of the judged reps: as strength comes, the programme moves on to more \
         dynamic work such as jumping, making sure to maintain proper knee alignment. Talk it \
         over with your physiotherapist.",
        recent.len(),
        caved * 100.0
    )
}

/// The self-contained progress page. `warnings`: check-ins answered yes (person, when), shown first.
pub fn html(
    sessions: &[SessionRow],
    reps: &[RepRow],
    warnings: &[(String, i64)],
) -> Result<String, String> {
    let mut body = warnings_html(warnings);
    if sessions.is_empty() {
        body.push_str("<p>No sessions recorded yet.</p>");
    }
    for ((person, exercise), rows) in grouped(sessions) {
        body.push_str(&progress_section(person, exercise, &rows, reps)?);
    }
    Ok(page(&body))
}

/// A yes to a safety check-in comes before any progress: it means stop and see a doctor.
fn warnings_html(warnings: &[(String, i64)]) -> String {
    let mut out = String::new();
    for (person, at) in warnings {
        let _ = writeln!(
            out,
            "<div class=\"verdict flagged\">{} answered yes on {} to pain, sudden swelling or the \
             knee giving way: see a doctor before training on.</div>",
            escape(person),
            crate::history::date_of(*at)
        );
    }
    out
}

/// One person's one exercise: the advice, the weeks, the FPPA trend and left against right.
fn progress_section(
    person: &str,
    exercise: &str,
    rows: &[&SessionRow],
    reps: &[RepRow],
) -> Result<String, String> {
    let mut out = String::new();
    let _ = writeln!(out, "<h2>{}: {}</h2>", escape(person), escape(exercise));
    let _ = writeln!(
        out,
        "<div class=\"verdict unsure\">{}</div>",
        escape(&progress_advice(rows))
    );
    out.push_str(&weekly_table(rows));
    // The complete reps of these sessions: the trend and left against right are of these.
    let ids: Vec<i64> = rows.iter().map(|s| s.id).collect();
    let mine: Vec<&RepRow> = reps
        .iter()
        .filter(|r| ids.contains(&r.session_id) && r.complete)
        .collect();
    out.push_str(&fppa_trend(rows, &mine)?);
    out.push_str(&left_against_right(&mine));
    Ok(out)
}

/// The sessions summed per week, against the home programme's target.
fn weekly_table(rows: &[&SessionRow]) -> String {
    let mut weeks: BTreeMap<String, Vec<&SessionRow>> = BTreeMap::new();
    for s in rows {
        weeks.entry(week_of(s.at_unix_s)).or_default().push(s);
    }
    let mut out = String::from(
        "<table><tr><th>week of</th><th>sessions</th><th>sets</th><th>reps (complete)</th>\
         <th>knee caved in</th><th>knee past toes</th></tr>\n",
    );
    for (week, ss) in &weeks {
        let sum = |f: fn(&SessionRow) -> i64| ss.iter().map(|s| f(s)).sum::<i64>();
        let _ = writeln!(
            out,
            "<tr><td>{week}</td><td class=\"num\">{}</td><td class=\"num\">{}</td>\
             <td class=\"num\">{} ({})</td><td>{}</td><td>{}</td></tr>",
            ss.len(),
            sum(|s| s.sets),
            sum(|s| s.reps),
            sum(|s| s.complete_reps),
            share(
                sum(|s| s.valgus_faults),
                sum(|s| s.valgus_borderline),
                sum(|s| s.valgus_judged),
                sum(|s| s.valgus_assessed)
            ),
            share(
                sum(|s| s.knee_over_toe_faults),
                sum(|s| s.knee_over_toe_borderline),
                sum(|s| s.knee_over_toe_judged),
                sum(|s| s.knee_over_toe_assessed)
            ),
        );
    }
    out.push_str(
        "</table>\n<p class=\"muted\">Target, the home programme: 1–3 sets of 8–12 reps \
         for each leg or side. ",
    );
    out.push_str(&escape(LEGEND));
    out.push_str("</p>\n");
    out
}

/// One leg's FPPA of a rep; `leg` is "left" or "right", as the page labels it.
fn fppa_of(rep: &RepRow, leg: &str) -> Option<f64> {
    if leg == "left" {
        rep.left_fppa_deg
    } else {
        rep.right_fppa_deg
    }
}

/// One leg's median FPPA per session, at days since the first session; `None` for a session
/// where that leg was not judged, so the plot shows a gap rather than a made-up point.
fn leg_series(
    rows: &[&SessionRow],
    mine: &[&RepRow],
    leg: &str,
    first: i64,
) -> Vec<(f64, Option<f64>)> {
    rows.iter()
        .map(|s| {
            let values: Vec<f64> = mine
                .iter()
                .filter(|r| r.session_id == s.id)
                .filter_map(|r| fppa_of(r, leg))
                .collect();
            (
                (s.at_unix_s - first) as f64 / 86_400.0,
                crate::stats::median(&values),
            )
        })
        .collect()
}

/// FPPA per session and leg, over the days; a note instead when no session could judge it.
fn fppa_trend(rows: &[&SessionRow], mine: &[&RepRow]) -> Result<String, String> {
    let first = rows.first().map(|s| s.at_unix_s).unwrap_or(0);
    let left = leg_series(rows, mine, "left", first);
    let right = leg_series(rows, mine, "right", first);
    let judged = |s: &[(f64, Option<f64>)]| s.iter().filter(|p| p.1.is_some()).count();
    if judged(&left) + judged(&right) == 0 {
        return Ok(
            "<p class=\"muted\">FPPA trend: not judged in any session (it needs a front \
             view).</p>\n"
                .to_string(),
        );
    }
    let last = rows.last().map(|s| s.at_unix_s).unwrap_or(first);
    let plot = TimePlot {
        caption: "Knee valgus angle (FPPA), median of each session's reps".into(),
        y_label: "FPPA (°, + knee inward)".into(),
        x_label: "days since the first session",
        duration_s: ((last - first) as f64 / 86_400.0).max(1.0),
        series: vec![
            Series {
                label: "left".into(),
                color: plots::LEFT_COLOR,
                points: left,
            },
            Series {
                label: "right".into(),
                color: plots::RIGHT_COLOR,
                points: right,
            },
        ],
        spans: Vec::new(),
        levels: Vec::new(),
    };
    plots::render(&plot)
}

/// Each leg's median FPPA over all the complete reps, to compare the two sides.
fn left_against_right(mine: &[&RepRow]) -> String {
    let mut out =
        String::from("<table><tr><th>leg</th><th>reps judged</th><th>median FPPA</th></tr>\n");
    for leg in ["left", "right"] {
        let values: Vec<f64> = mine.iter().filter_map(|r| fppa_of(r, leg)).collect();
        let n = values.len();
        let _ = writeln!(
            out,
            "<tr><td>{leg}</td><td class=\"num\">{n}</td><td class=\"num\">{}</td></tr>",
            crate::stats::median(&values)
                .map(|m| format!("{m:.1}°"))
                .unwrap_or_else(|| "not judged".into())
        );
    }
    out.push_str("</table>\n");
    out
}

/// The page around the body: one file, its style inline, the notice before anything else.
fn page(body: &str) -> String {
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>formcheck: progress</title>
<style>{STYLE}</style>
</head>
<body>
<h1>Progress</h1>
{NOTICE_HTML}
{body}
</body>
</html>
"#
    )
}
