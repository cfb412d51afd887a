//! `reps.csv`: one row a rep, for a spreadsheet. The measure columns are those the exercise
//! judges or shows (a bridge has no FPPA column). Per-leg columns are left then right; a
//! measure that was not judged (or a leg not judged in that rep) is an empty cell, never a
//! made-up number. Concerns and flags are listed by kind, `;`-separated, with the flags' full
//! text in the last column.

use std::path::Path;

use super::{atomic, ExportError, Exporter, VideoResult};
use crate::geometry::{Leg, Source};
use crate::judge::{LegPeak, Measure, Rep};

pub struct CsvExporter;

/// A text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`, `@`, a
/// tab or a carriage return) gets a leading `'`, as OWASP's CSV-injection advice says. Only for
/// text: numbers are written as they are, so "-3.2" stays a number.
pub fn spreadsheet_safe(text: &str) -> std::borrow::Cow<'_, str> {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}").into()
    } else {
        text.into()
    }
}

/// A number with the precision a spreadsheet needs, or an empty cell.
fn cell(value: Option<f64>, decimals: usize) -> String {
    value.map_or(String::new(), |v| format!("{v:.decimals$}"))
}

type Column = (&'static str, Box<dyn Fn(&Rep) -> String>);

/// A left and a right column of one leg measure.
fn per_leg(
    left: &'static str,
    right: &'static str,
    decimals: usize,
    get: fn(&LegPeak) -> Option<f64>,
) -> [Column; 2] {
    let of = move |leg: Leg| move |rep: &Rep| cell(rep.peak(leg).and_then(get), decimals);
    [
        (left, Box::new(of(Leg::Left))),
        (right, Box::new(of(Leg::Right))),
    ]
}

/// The columns: the rep's facts, then only the measures this exercise judges or shows, then
/// its concerns and flags.
fn columns(result: &VideoResult) -> Vec<Column> {
    let mut cols = fact_columns();
    cols.extend(measure_columns(result));
    cols.extend(verdict_columns());
    cols
}

/// What every exercise has: which rep, how it ended, when, and how it was filmed.
fn fact_columns() -> Vec<Column> {
    vec![
        ("set", Box::new(|r: &Rep| r.set.to_string())),
        ("rep", Box::new(|r: &Rep| r.number.to_string())),
        ("complete", Box::new(|r: &Rep| r.complete.to_string())),
        (
            "incomplete",
            Box::new(|r: &Rep| {
                r.incomplete
                    .map(|i| i.describe().to_string())
                    .unwrap_or_default()
            }),
        ),
        (
            "jump_height",
            Box::new(|r: &Rep| {
                r.jump
                    .map(|j| format!("{:.3}", j.height))
                    .unwrap_or_default()
            }),
        ),
        ("outcome", Box::new(|r: &Rep| r.outcome.key().to_string())),
        (
            "start_s",
            Box::new(|r: &Rep| format!("{:.3}", r.start.time_s)),
        ),
        (
            "bottom_s",
            Box::new(|r: &Rep| format!("{:.3}", r.bottom.time_s)),
        ),
        ("end_s", Box::new(|r: &Rep| format!("{:.3}", r.end.time_s))),
        ("start_frame", Box::new(|r: &Rep| r.start.frame.to_string())),
        (
            "bottom_frame",
            Box::new(|r: &Rep| r.bottom.frame.to_string()),
        ),
        ("end_frame", Box::new(|r: &Rep| r.end.frame.to_string())),
        (
            "legs",
            Box::new(|r: &Rep| {
                r.legs
                    .iter()
                    .map(|l| l.name())
                    .collect::<Vec<_>>()
                    .join(";")
            }),
        ),
        ("depth", Box::new(|r: &Rep| format!("{:.4}", r.depth))),
        (
            "view",
            Box::new(|r: &Rep| {
                r.view
                    .get()
                    .map(|v| v.name().to_string())
                    .unwrap_or_default()
            }),
        ),
        ("turn_deg", Box::new(|r: &Rep| cell(r.turn_deg, 0))),
    ]
}

/// Only the measures this exercise judges or shows, in a fixed order, so a spreadsheet of one
/// exercise has no columns that are always empty.
fn measure_columns(result: &VideoResult) -> Vec<Column> {
    let e = result.analysis.exercise;
    let has = |m: Measure| e.shows(m);
    let mut cols: Vec<Column> = Vec::new();
    if has(Measure::Fppa) {
        cols.extend(per_leg("left_fppa_deg", "right_fppa_deg", 1, |p| {
            p.fppa_deg.get()
        }));
        cols.extend(per_leg(
            "left_fppa_bound_deg",
            "right_fppa_bound_deg",
            1,
            |p| p.fppa_bound_deg,
        ));
        cols.extend(per_leg(
            "left_fppa_at_knee_flexion_deg",
            "right_fppa_at_knee_flexion_deg",
            0,
            |p| p.fppa_knee_flexion_deg.get().map(|s| s.value),
        ));
    }
    if has(Measure::KneeFootOffset) {
        cols.extend(per_leg(
            "left_knee_foot_offset",
            "right_knee_foot_offset",
            3,
            |p| p.knee_foot_offset.get(),
        ));
        cols.extend(per_leg(
            "left_knee_foot_bound",
            "right_knee_foot_bound",
            3,
            |p| p.knee_foot_bound,
        ));
        cols.push((
            "knee_foot_mean_bound",
            Box::new(|r: &Rep| cell(r.body.knee_foot_mean_bound, 3)),
        ));
    }
    if has(Measure::KneeAnkleRatio) {
        cols.push((
            "knee_ankle_ratio",
            Box::new(|r: &Rep| cell(r.body.knee_ankle_ratio.get(), 3)),
        ));
        cols.push((
            "knee_ankle_bound",
            Box::new(|r: &Rep| cell(r.body.knee_ankle_bound, 3)),
        ));
    }
    if has(Measure::KneeFlexion) {
        // Only the bend seen side-on in the picture, as judged.
        cols.extend(per_leg(
            "left_knee_flexion_deg",
            "right_knee_flexion_deg",
            0,
            |p| {
                p.knee_flexion_deg
                    .get()
                    .filter(|s| s.source == Source::Image)
                    .map(|s| s.value)
            },
        ));
    }
    if has(Measure::KneeOverToe) {
        cols.extend(per_leg(
            "left_knee_over_toe",
            "right_knee_over_toe",
            3,
            |p| p.knee_over_toe.get().map(|s| s.value),
        ));
        cols.extend(per_leg(
            "left_knee_over_toe_bound",
            "right_knee_over_toe_bound",
            3,
            |p| p.knee_over_toe_bound,
        ));
    }
    if has(Measure::PelvicDrop) {
        cols.push((
            "pelvic_drop_deg",
            Box::new(|r: &Rep| cell(r.body.pelvic_drop_deg.get(), 1)),
        ));
    }
    if has(Measure::HipFlexion) {
        cols.push((
            "hip_extension_short_deg",
            Box::new(|r: &Rep| cell(r.body.hip_flexion_deg.get().map(|s| s.value), 1)),
        ));
    }
    if has(Measure::BodyLine) {
        cols.push((
            "body_line_deg",
            Box::new(|r: &Rep| cell(r.body.body_line_deg.get(), 1)),
        ));
        cols.push(("hold_s", Box::new(|r: &Rep| cell(r.body.hold_s, 2))));
    }
    cols
}

/// How well the rep was seen, then what was judged of it: concerns and flags by kind, and the
/// flags' full text last.
fn verdict_columns() -> Vec<Column> {
    vec![
        (
            "detected_share",
            Box::new(move |r: &Rep| {
                let q = &r.quality;
                cell(
                    (q.frames > 0).then(|| q.detected_frames as f64 / q.frames as f64),
                    3,
                )
            }),
        ),
        (
            "concerns",
            Box::new(|r: &Rep| {
                r.concerns
                    .iter()
                    .map(|c| format!("{}={}", c.concern.key(), c.status.key()))
                    .collect::<Vec<_>>()
                    .join(";")
            }),
        ),
        (
            "flags",
            Box::new(|r: &Rep| {
                r.flags
                    .iter()
                    .map(|f| f.kind())
                    .collect::<Vec<_>>()
                    .join(";")
            }),
        ),
        (
            "flag_text",
            Box::new(|r: &Rep| {
                r.flags
                    .iter()
                    .map(|f| f.describe())
                    .collect::<Vec<_>>()
                    .join("; ")
            }),
        ),
    ]
}

pub fn render(result: &VideoResult) -> Result<Vec<u8>, ::csv::Error> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let cols = columns(result);
    writer.write_record(cols.iter().map(|(name, _)| *name))?;
    for rep in result.analysis.reps() {
        writer.write_record(cols.iter().map(|(_, value)| value(rep)))?;
    }
    writer
        .into_inner()
        .map_err(|e| ::csv::Error::from(e.into_error()))
}

impl Exporter for CsvExporter {
    fn file_name(&self) -> &'static str {
        "reps.csv"
    }

    fn export(&self, result: &VideoResult, dest: &Path) -> Result<(), ExportError> {
        let bytes = render(result).map_err(|e| ExportError::format(dest, e))?;
        atomic::write(dest, &bytes)
    }
}
