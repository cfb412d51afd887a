//! `report.html`: one self-contained page a person opens after a session: the verdict per set,
//! a table of reps, FPPA left/right and knee-over-toe over time (plotters, inline SVG) with the
//! reps shaded and the thresholds drawn, a still of each flagged rep at its worst moment (inline
//! JPEG), and the not-a-diagnosis notice with the precautions. No script, no external file.

pub mod plots;

use std::fmt::Write as _;
use std::path::Path;

use base64::Engine as _;

use super::{atomic, ExportError, Exporter, VideoResult};
use crate::analysis::Analysis;
use crate::geometry::{Leg, Measured, Source};
use crate::judge::{
    knee_foot_words, knee_over_toe_words, ConcernStatus, Flag, Measure, Outcome, Rep,
};
use plots::{Level, Series, Span, TimePlot, LEFT_COLOR, RIGHT_COLOR};

/// The stylesheet, inlined into every page.
pub const STYLE: &str = include_str!("style.css");

/// Said in every report, index and terminal summary.
pub const NOT_A_DIAGNOSIS: &str = "Exercise feedback, not a diagnosis.";
pub const PRECAUTIONS: &str =
    "Progressive weakness, sudden swelling or pain, or the knee buckling \
                               need a doctor: see one before training on.";

pub const NOTICE_HTML: &str = "<div class=\"notice\"><strong>Exercise feedback, not a \
    diagnosis.</strong>Camera-based angles are estimates from a 2-D image: they guide practice, \
    they do not replace an assessment by a clinician. Progressive weakness, sudden swelling or \
    pain, or the knee buckling need a doctor: see one before training on.</div>";

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

pub struct ReportExporter;

impl Exporter for ReportExporter {
    fn file_name(&self) -> &'static str {
        "report.html"
    }

    fn export(&self, result: &VideoResult, dest: &Path) -> Result<(), ExportError> {
        let html = render(result).map_err(|e| ExportError::format(dest, e))?;
        atomic::write(dest, html.as_bytes())
    }
}

/// A knee-over-the-foot offset and its bound: "4% of leg length outside the ankle ±7%", "–"
/// when it was not read.
fn knee_foot_numbers(offset: Option<f64>, bound: Option<f64>) -> String {
    let Some(offset) = offset else {
        return "–".to_string();
    };
    let bound = bound.map(|b| format!(" ±{:.0}%", b * 100.0));
    format!("{}{}", knee_foot_words(offset), bound.unwrap_or_default())
}

fn fmt_num(value: Option<f64>, decimals: usize, unit: &str) -> String {
    value.map_or("–".to_string(), |v| format!("{v:.decimals$}{unit}"))
}

/// The numbers of a rep this exercise judges or shows, in words ("FPPA left 4.2° at 48° knee
/// bend (3-D estimate)"), "–" where a measure was not judged.
fn rep_numbers(a: &Analysis, rep: &Rep) -> String {
    let e = a.exercise;
    // Only what the rep's view can show: a side rep has no FPPA to list.
    let seen = |m: Measure| rep.view.get().is_none_or(|v| m.views().contains(&v));
    let has = |m: Measure| e.shows(m) && seen(m);
    let mut parts = Vec::new();
    for p in &rep.peaks {
        if has(Measure::Fppa) {
            let bend = p.fppa_knee_flexion_deg.get().map(|s| {
                let how = match s.source {
                    Source::Image => "",
                    Source::World => ", 3-D estimate",
                };
                format!(" at {:.0}° knee bend{how}", s.value)
            });
            let bound = p.fppa_bound_deg.map(|b| format!(" ±{b:.0}°"));
            parts.push(format!(
                "FPPA {} {}{}{}",
                p.leg,
                fmt_num(p.fppa_deg.get(), 1, "°"),
                bound.unwrap_or_default(),
                bend.unwrap_or_default()
            ));
        }
        if has(Measure::KneeOverToe) {
            let value = p.knee_over_toe.get().map(|s| knee_over_toe_words(s.value));
            let bound = p
                .knee_over_toe_bound
                .map(|b| format!(" ±{:.0}%", b * 100.0));
            parts.push(format!(
                "knee over toe {} {}{}",
                p.leg,
                value.unwrap_or_else(|| "–".to_string()),
                bound.unwrap_or_default()
            ));
        }
        if has(Measure::KneeFlexion) {
            parts.push(format!(
                "knee bend {} {}",
                p.leg,
                fmt_num(
                    p.knee_flexion_deg
                        .get()
                        .filter(|s| s.source == Source::Image)
                        .map(|s| s.value),
                    0,
                    "°"
                )
            ));
        }
        if has(Measure::KneeFootOffset) && e.legs() != crate::exercise::LegMode::Both {
            parts.push(format!(
                "knee over the foot {} {}",
                p.leg,
                knee_foot_numbers(p.knee_foot_offset.get(), p.knee_foot_bound)
            ));
        }
    }
    let b = &rep.body;
    if has(Measure::KneeFootOffset) && e.legs() == crate::exercise::LegMode::Both {
        let offsets: Vec<f64> = rep
            .peaks
            .iter()
            .filter_map(|p| p.knee_foot_offset.get())
            .collect();
        let mean = (offsets.len() == 2).then(|| (offsets[0] + offsets[1]) / 2.0);
        parts.push(format!(
            "knees over the feet (mean) {}",
            knee_foot_numbers(mean, b.knee_foot_mean_bound)
        ));
    }
    if has(Measure::KneeAnkleRatio) {
        let bound = b.knee_ankle_bound.map(|x| format!(" ±{x:.2}"));
        parts.push(format!(
            "knee/ankle width {}{}",
            fmt_num(b.knee_ankle_ratio.get(), 2, ""),
            bound.unwrap_or_default()
        ));
    }
    if has(Measure::PelvicDrop) {
        parts.push(format!(
            "pelvic tilt {}",
            fmt_num(b.pelvic_drop_deg.get().map(f64::abs), 1, "°")
        ));
    }
    if has(Measure::HipFlexion) {
        parts.push(format!(
            "hip short of straight {}",
            fmt_num(b.hip_flexion_deg.get().map(|s| s.value), 0, "°")
        ));
    }
    if has(Measure::BodyLine) {
        parts.push(format!(
            "body line {}",
            fmt_num(b.body_line_deg.get(), 1, "°")
        ));
        parts.push(format!("held {}", fmt_num(b.hold_s, 1, " s")));
    }
    escape(&parts.join("; "))
}

/// The rep's concerns in words: "valgus ok; knee over toe not judged".
fn rep_concerns(rep: &Rep) -> String {
    rep.concerns
        .iter()
        .map(|c| {
            let status = match &c.status {
                ConcernStatus::Ok => "ok".to_string(),
                ConcernStatus::Fault { cue } => format!("<strong>{}</strong>", escape(cue)),
                ConcernStatus::Borderline { detail } => format!(
                    "<strong>borderline</strong> <span class=\"muted\">({})</span>",
                    escape(detail)
                ),
                ConcernStatus::NotJudged { .. } => "<span class=\"muted\">not judged</span>".into(),
            };
            format!("{}: {status}", escape(c.concern.describe()))
        })
        .collect::<Vec<_>>()
        .join("<br>")
}

fn spans(analysis: &Analysis) -> Vec<Span> {
    analysis
        .reps()
        .map(|r| Span {
            start_s: r.start.time_s,
            end_s: r.end.time_s,
            outcome: r.outcome,
        })
        .collect()
}

fn leg_series<T>(
    analysis: &Analysis,
    leg: Leg,
    color: plotters::style::RGBColor,
    pick: impl Fn(&crate::geometry::LegMeasures) -> &Measured<T>,
    value: impl Fn(&T) -> f64,
) -> Series {
    Series {
        label: format!("{leg} knee"),
        color,
        points: analysis
            .frames
            .iter()
            .map(|f| (f.time_s, pick(f.leg(leg)).value().map(&value)))
            .collect(),
    }
}

fn body_series(
    analysis: &Analysis,
    label: &str,
    pick: impl Fn(&crate::geometry::FrameMeasures) -> Option<f64>,
) -> Series {
    Series {
        label: label.into(),
        color: LEFT_COLOR,
        points: analysis
            .frames
            .iter()
            .map(|f| (f.time_s, pick(f)))
            .collect(),
    }
}

/// The plots of what this exercise judges or shows, each with its caption: the squat plots for
/// squats, lunges and step-ups; hip extension and pelvic level for the bridge; the body line for
/// the side plank.
fn plots_for(result: &VideoResult) -> Vec<(&'static str, TimePlot, &'static str)> {
    let a = result.analysis;
    let e = a.exercise;
    let has = |m: Measure| e.shows(m);
    let mut out = Vec::new();
    if has(Measure::Fppa) {
        out.push(("Knee valgus over time", fppa_plot(result), "Blue: left knee, orange: right knee. Shaded: reps (red when flagged, amber when borderline). Dashed: the threshold the reps were held against. Gaps: frames where the angle could not be judged (not a front view, or the thigh pointing at the camera)."));
    }
    if has(Measure::KneeOverToe) {
        out.push(("Knee over toe over time", kot_plot(result), "Shaded: reps (red when flagged, amber when borderline). Measured from the side only, in the image; gaps where it could not be judged."));
    }
    if has(Measure::KneeFlexion) {
        out.push(("Knee bend over time", knee_bend_plot(result), "Blue: left knee, orange: right knee. Shaded: reps (red when flagged, amber when borderline). Dashed: the least bend of a soft landing. Measured from the side only, in the image; gaps where it could not be."));
    }
    if has(Measure::PelvicDrop) {
        let plot = TimePlot {
            caption: "Pelvic tilt, + = left hip lower".into(),
            y_label: "tilt (°)".into(),
            x_label: "time (s)",
            duration_s: result.video.duration_s,
            series: vec![body_series(a, "pelvis", |f| f.pelvic_drop_deg.get())],
            spans: spans(a),
            levels: vec![
                Level {
                    value: a.thresholds.pelvic_drop_deg,
                    label: format!("drop limit {:.0}°", a.thresholds.pelvic_drop_deg),
                },
                Level {
                    value: -a.thresholds.pelvic_drop_deg,
                    label: String::new(),
                },
            ],
        };
        out.push((
            "Pelvis level over time",
            plot,
            "Front view only; gaps where the pelvis could not be judged.",
        ));
    }
    if has(Measure::HipFlexion) {
        let plot = TimePlot {
            caption: "Hip short of straight (shoulder–hip–knee), 0 = in line".into(),
            y_label: "hip (°)".into(),
            x_label: "time (s)",
            duration_s: result.video.duration_s,
            series: vec![body_series(a, "hip", |f| {
                f.hip_flexion_deg.get().map(|s| s.value)
            })],
            spans: spans(a),
            levels: vec![Level {
                value: a.thresholds.bridge_top_hip_flexion_deg,
                label: format!("top limit {:.0}°", a.thresholds.bridge_top_hip_flexion_deg),
            }],
        };
        out.push(("Hip extension over time", plot, "Judged from the side only; from other views the line counts reps but is a 3-D estimate."));
    }
    if has(Measure::BodyLine) {
        let plot = TimePlot {
            caption: "Body line: hip above (+) or below (−) the shoulder–ankle line".into(),
            y_label: "body line (°)".into(),
            x_label: "time (s)",
            duration_s: result.video.duration_s,
            series: vec![body_series(a, "hip", |f| f.body_line_deg.get())],
            spans: spans(a),
            levels: vec![Level {
                value: -a.thresholds.hip_sag_deg,
                label: format!("sag limit {:.0}°", a.thresholds.hip_sag_deg),
            }],
        };
        out.push((
            "Body line over time",
            plot,
            "Shaded: hip lifts (red when flagged); the table gives how long each top was held.",
        ));
    }
    out
}

fn fppa_plot(result: &VideoResult) -> TimePlot {
    let a = result.analysis;
    let levels = a
        .exercise
        .valgus_band()
        .map(|band| {
            let limit = a.thresholds.valgus_limit_deg(band);
            vec![Level {
                value: limit,
                label: format!("valgus threshold {limit:.0}°"),
            }]
        })
        .unwrap_or_default();
    TimePlot {
        caption: "Knee valgus angle (FPPA), + = knee inside the hip–ankle line".into(),
        y_label: "FPPA (°)".into(),
        x_label: "time (s)",
        duration_s: result.video.duration_s,
        series: vec![
            leg_series(a, Leg::Left, LEFT_COLOR, |m| &m.fppa_deg, |v| *v),
            leg_series(a, Leg::Right, RIGHT_COLOR, |m| &m.fppa_deg, |v| *v),
        ],
        spans: spans(a),
        levels,
    }
}

fn kot_plot(result: &VideoResult) -> TimePlot {
    let a = result.analysis;
    let limit = a.thresholds.knee_past_toe * 100.0;
    let judged = a.exercise.judged().contains(&Measure::KneeOverToe)
        || a.thresholds.squat_knee_past_toe_fault >= 0.5;
    TimePlot {
        caption: "Knee over toe, + = knee ahead of the toes (% of foot length)".into(),
        y_label: "knee over toe (%)".into(),
        x_label: "time (s)",
        duration_s: result.video.duration_s,
        series: vec![
            leg_series(
                a,
                Leg::Left,
                LEFT_COLOR,
                |m| &m.knee_over_toe,
                |s| s.value * 100.0,
            ),
            leg_series(
                a,
                Leg::Right,
                RIGHT_COLOR,
                |m| &m.knee_over_toe,
                |s| s.value * 100.0,
            ),
        ],
        spans: spans(a),
        levels: if judged {
            vec![Level {
                value: limit,
                label: format!("knee-past-toe limit {limit:.0}%"),
            }]
        } else {
            Vec::new()
        },
    }
}

/// The knee bend seen in the picture from the side (a 3-D estimate is left out, as it is judged).
fn knee_bend_plot(result: &VideoResult) -> TimePlot {
    let a = result.analysis;
    let limit = a.thresholds.landing_min_knee_flexion_deg;
    let bend = |leg: Leg, color| Series {
        label: format!("{leg} knee"),
        color,
        points: a
            .frames
            .iter()
            .map(|f| {
                let seen = f.leg(leg).knee_flexion_deg.get();
                (
                    f.time_s,
                    seen.filter(|s| s.source == Source::Image).map(|s| s.value),
                )
            })
            .collect(),
    };
    TimePlot {
        caption: "Knee bend (°)".into(),
        y_label: "knee bend (°)".into(),
        x_label: "time (s)",
        duration_s: result.video.duration_s,
        series: vec![bend(Leg::Left, LEFT_COLOR), bend(Leg::Right, RIGHT_COLOR)],
        spans: spans(a),
        levels: vec![Level {
            value: limit,
            label: format!("soft landing {limit:.0}°"),
        }],
    }
}

fn verdicts(a: &Analysis) -> String {
    if a.sets.is_empty() {
        return "<div class=\"verdict unsure\">No reps found in this video.</div>".to_string();
    }
    let mut out = String::new();
    for set in &a.sets {
        let class = match set.verdict.outcome {
            Some(Outcome::Passed) => "ok",
            Some(Outcome::Flagged) => "flagged",
            Some(Outcome::Borderline) | Some(Outcome::NotJudged) | None => "unsure",
        };
        let _ = writeln!(
            out,
            "<div class=\"verdict {class}\"><strong>Set {}:</strong> {}{}</div>",
            set.number,
            escape(&set.verdict.describe()),
            escape(&shown(a, set))
        );
    }
    if let Some(band) = a.exercise.valgus_band() {
        let _ = writeln!(
            out,
            "<p class=\"muted\">{}</p>",
            escape(&a.thresholds.valgus_limit_said(band))
        );
    }
    out
}

/// What the set showed but did not judge (squat knee travel): "; knee over toe shown, not
/// judged for this exercise: up to 59% of a foot past the toes".
fn shown(a: &Analysis, set: &crate::judge::RepSet) -> String {
    let judged_as_fault = a.thresholds.squat_knee_past_toe_fault >= 0.5;
    if !a.exercise.reported().contains(&Measure::KneeOverToe) || judged_as_fault {
        return String::new();
    }
    let most = set
        .reps
        .iter()
        .filter(|r| r.complete)
        .flat_map(|r| r.peaks.iter().filter_map(|p| p.knee_over_toe.get()))
        .map(|s| s.value)
        .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
    match most {
        Some(v) if v > 0.0 => format!(
            "; knee over toe shown, not judged for this exercise: up to {:.0}% of a foot past the toes",
            v * 100.0
        ),
        Some(v) => format!(
            "; knee over toe shown, not judged for this exercise: the knee stayed {:.0}% of a foot behind the toes",
            -v * 100.0
        ),
        None => String::new(),
    }
}

fn rep_table(a: &Analysis) -> String {
    let mut rows = String::new();
    for rep in a.reps() {
        // Faults in full; measures that could not be judged only named, their reasons are
        // under Notes (repeating them on every rep would bury the faults).
        let mut flags: Vec<String> = rep.faults().map(|f| escape(&f.describe())).collect();
        let not_judged: Vec<String> = rep
            .flags
            .iter()
            .filter_map(|f| match f {
                Flag::NotJudged { measure, leg, .. } => Some(match leg {
                    Some(leg) => format!("{} ({leg})", measure.describe()),
                    None => measure.describe().to_string(),
                }),
                _ => None,
            })
            .collect();
        if !not_judged.is_empty() {
            flags.push(format!(
                "<span class=\"muted\">not judged: {}</span>",
                escape(&not_judged.join(", "))
            ));
        }
        let class = if rep.faults().next().is_some() {
            " class=\"flagged\""
        } else {
            ""
        };
        let _ = writeln!(
            rows,
            "<tr{class}><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td>{}</td><td class=\"num\">{:.2}</td><td class=\"num\">{:.2}</td><td class=\"num\">{:.2}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            rep.set,
            rep.number,
            match (rep.incomplete, rep.jump) {
                (None, None) => "yes".to_string(),
                (None, Some(j)) => format!(
                    "yes: a jump, {:.2} leg lengths, landing judged at {:.2} s",
                    j.height, j.landing.time_s
                ),
                (Some(why), _) => format!("no ({})", why.describe()),
            },
            rep.view.get().map_or("unknown".to_string(), |v| v.to_string()),
            rep.start.time_s,
            rep.bottom.time_s,
            rep.end.time_s,
            rep_concerns(rep),
            rep_numbers(a, rep),
            if flags.is_empty() { "–".to_string() } else { flags.join("<br>") },
        );
    }
    if rows.is_empty() {
        return "<p class=\"muted\">No reps.</p>".to_string();
    }
    format!(
        "<table>\n<thead><tr><th>set</th><th>rep</th><th>complete</th><th>view</th><th>start (s)</th><th>bottom or top (s)</th><th>end (s)</th><th>judged</th><th>numbers</th><th>flags</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>"
    )
}

/// Movements the segmenter found that the exercise did not count, each with why: a person
/// who saw themselves move in the video sees where those went.
fn rejected_table(a: &Analysis) -> String {
    if a.rejected.is_empty() {
        return String::new();
    }
    let rows: String = a
        .rejected
        .iter()
        .map(|r| {
            format!(
                "<tr><td class=\"num\">{:.2}</td><td class=\"num\">{:.2}</td><td class=\"num\">{:.2}</td><td>{}</td></tr>\n",
                r.start.time_s,
                r.bottom.time_s,
                r.end.time_s,
                escape(&r.reason)
            )
        })
        .collect();
    format!(
        "<h3>Movements not counted as reps</h3>\n<table>\n<thead><tr><th>start (s)</th><th>bottom or top (s)</th><th>end (s)</th><th>why</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>\n"
    )
}

fn still_figures(result: &VideoResult) -> String {
    let flagged = result
        .analysis
        .reps()
        .filter(|r| r.faults().next().is_some())
        .count();
    if flagged == 0 {
        return "<p class=\"muted\">No flagged reps: nothing to show.</p>".to_string();
    }
    let mut out = String::from("<div class=\"stills\">\n");
    for still in result.stills {
        let rep = result.analysis.reps().find(|r| r.number == still.rep);
        let caption = rep
            .and_then(|r| r.faults().next())
            .map(|f| escape(&f.describe()))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "<figure><img alt=\"rep {} at {:.2} s\" src=\"data:image/jpeg;base64,{}\"><figcaption>Rep {} at {:.2} s (frame {}): {caption}</figcaption></figure>",
            still.rep,
            still.time_s,
            base64::engine::general_purpose::STANDARD.encode(&still.jpeg),
            still.rep,
            still.time_s,
            still.frame,
        );
    }
    out.push_str("</div>");
    out
}

/// The whole page.
pub fn render(result: &VideoResult) -> Result<String, String> {
    let a = result.analysis;
    let v = result.video;
    let mut plots_html = String::new();
    for (heading, plot, caption) in plots_for(result) {
        let measured = plot
            .series
            .iter()
            .any(|s| s.points.iter().any(|(_, v)| v.is_some()));
        if measured {
            let _ = writeln!(
                plots_html,
                "<h2>{heading}</h2>\n<figure>{}<figcaption>{caption}</figcaption></figure>",
                plots::render(&plot)?
            );
        } else {
            // An empty plot reads as "nothing happened"; say it could not be seen instead.
            let _ = writeln!(
                plots_html,
                "<h2>{heading}</h2>\n<p class=\"muted\">Not measurable in any frame of this video from the view the camera had (the reasons are under Notes).</p>"
            );
        }
    }
    let notes: String = a
        .summary
        .notes
        .iter()
        .map(|n| format!("<li>{}</li>", escape(n)))
        .collect();
    let notes = if notes.is_empty() {
        String::new()
    } else {
        format!("<h2>Notes</h2>\n<ul>{notes}</ul>")
    };
    let view = a
        .summary
        .view
        .map_or("unknown".to_string(), |v| v.to_string());
    Ok(format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>formcheck: {name}</title>
<style>{STYLE}</style>
</head>
<body>
<h1>{title}: {name}</h1>
<p class="facts">{path} · {w}×{h} · {frames} frames over {dur:.1} s{analysed} · camera view seen: {view} ({judges}) · model {model} on {engine}</p>
{truncated}{NOTICE_HTML}
<h2>Verdict</h2>
{verdicts}
{notes}
<h2>Reps</h2>
{table}
{rejected}{plots_html}<h2>Flagged reps at their worst moment</h2>
{stills}
<h2>Before you go on</h2>
{NOTICE_HTML}
<p class="muted">Made by formcheck {version} from the video's frames only: thresholds and settings are in reps.json.</p>
</body>
</html>
"#,
        name = escape(&v.name),
        title = escape(a.exercise.title()),
        path = escape(&v.path),
        w = v.width,
        h = v.height,
        frames = v.frames,
        dur = v.duration_s,
        analysed = v.analysed_frames.map_or_else(String::new, |n| format!(
            ", pose on {n} of them ({:.0} a second)",
            v.analysed_rate()
        )),
        truncated = v.truncated.map_or_else(String::new, |t| format!(
            "<p class=\"notice\"><strong>Incomplete video</strong>{}</p>\n",
            escape(&t.describe())
        )),
        judges = escape(&a.summary.view.map_or_else(
            || "the view could not be told".to_string(),
            |v| crate::exercise::view_judges(a.exercise, v)
        )),
        model = escape(&result.settings.model),
        engine = escape(&result.settings.engine),
        verdicts = verdicts(a),
        table = rep_table(a),
        rejected = rejected_table(a),
        stills = still_figures(result),
        version = env!("CARGO_PKG_VERSION"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn notice_says_not_a_diagnosis_and_the_precautions() {
        assert!(NOTICE_HTML.contains(NOT_A_DIAGNOSIS.trim_end_matches('.')));
        assert!(NOTICE_HTML.contains("knee buckling"));
        assert!(PRECAUTIONS.contains("sudden swelling"));
    }
}
