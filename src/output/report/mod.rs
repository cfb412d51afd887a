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
use crate::geometry::{Leg, Measured};
use crate::judge::Flag;
use crate::reps::{Rep, SetVerdict};
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

fn fmt_num(value: Option<f64>, decimals: usize, unit: &str) -> String {
    value.map_or("–".to_string(), |v| format!("{v:.decimals$}{unit}"))
}

fn leg_fppa(rep: &Rep, leg: Leg) -> Option<f64> {
    rep.peak(leg).and_then(|p| p.fppa_deg.get())
}

fn leg_kot(rep: &Rep, leg: Leg) -> Option<f64> {
    rep.peak(leg)
        .and_then(|p| p.knee_over_toe.get())
        .map(|s| s.value * 100.0)
}

fn spans(analysis: &Analysis) -> Vec<Span> {
    analysis
        .reps()
        .map(|r| Span {
            start_s: r.start.time_s,
            end_s: r.end.time_s,
            flagged: r.faults().next().is_some(),
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
    TimePlot {
        caption: "Knee over toe, + = knee ahead of the toes (% of foot length)".into(),
        y_label: "knee over toe (%)".into(),
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
        levels: vec![Level {
            value: limit,
            label: format!("knee-past-toe limit {limit:.0}%"),
        }],
    }
}

fn verdicts(a: &Analysis) -> String {
    if a.sets.is_empty() {
        return "<div class=\"verdict unsure\">No reps found in this video.</div>".to_string();
    }
    let mut out = String::new();
    for set in &a.sets {
        let class = match set.verdict {
            SetVerdict::Clean { .. } => "ok",
            SetVerdict::Flagged { .. } => "flagged",
            SetVerdict::NoCompleteRep => "unsure",
        };
        let _ = writeln!(
            out,
            "<div class=\"verdict {class}\"><strong>Set {}:</strong> {}</div>",
            set.number,
            escape(&set.verdict.describe())
        );
    }
    out
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
            "<tr{class}><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td><td class=\"num\">{:.2}</td><td class=\"num\">{:.2}</td><td class=\"num\">{:.2}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td></tr>",
            rep.set,
            rep.number,
            if rep.complete { "yes" } else { "no (video ended)" },
            rep.start.time_s,
            rep.bottom.time_s,
            rep.end.time_s,
            fmt_num(leg_fppa(rep, Leg::Left), 1, "°"),
            fmt_num(leg_fppa(rep, Leg::Right), 1, "°"),
            fmt_num(leg_kot(rep, Leg::Left), 0, "%"),
            fmt_num(leg_kot(rep, Leg::Right), 0, "%"),
            if flags.is_empty() { "–".to_string() } else { flags.join("<br>") },
        );
    }
    if rows.is_empty() {
        return "<p class=\"muted\">No reps.</p>".to_string();
    }
    format!(
        "<table>\n<thead><tr><th>set</th><th>rep</th><th>complete</th><th>start (s)</th><th>bottom (s)</th><th>end (s)</th><th>FPPA left</th><th>FPPA right</th><th>knee over toe left</th><th>knee over toe right</th><th>flags</th></tr></thead>\n<tbody>\n{rows}</tbody>\n</table>"
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
    let fppa = plots::render(&fppa_plot(result))?;
    let kot = plots::render(&kot_plot(result))?;
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
<p class="facts">{path} · {w}×{h} · {frames} frames over {dur:.1} s · camera view seen: {view} (needed: {needed}) · model {model} on {engine}</p>
{NOTICE_HTML}
<h2>Verdict</h2>
{verdicts}
{notes}
<h2>Reps</h2>
{table}
<h2>Knee valgus over time</h2>
<figure>{fppa}<figcaption>Blue: left knee, orange: right knee. Shaded: reps (red when flagged). Dashed: the threshold the reps were held against. Gaps: frames where the angle could not be judged.</figcaption></figure>
<h2>Knee over toe over time</h2>
<figure>{kot}<figcaption>Shaded: reps (red when flagged). Dashed: the limit. Needs a side view; gaps where it could not be judged.</figcaption></figure>
<h2>Flagged reps at their worst moment</h2>
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
        needed = a.summary.view_needed,
        model = escape(&result.settings.model),
        engine = escape(&result.settings.engine),
        verdicts = verdicts(a),
        table = rep_table(a),
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
