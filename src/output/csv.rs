//! `reps.csv`: one row a rep, for a spreadsheet. Per-leg columns are left then right; a measure
//! that was not judged (or a leg not judged in that rep) is an empty cell, never a made-up
//! number. Flags are listed by kind, `;`-separated, with their full text in the last column.

use std::path::Path;

use super::json::rep_quality;
use super::{atomic, ExportError, Exporter, VideoResult};
use crate::geometry::Leg;
use crate::reps::Rep;

pub struct CsvExporter;

const HEADER: [&str; 23] = [
    "set",
    "rep",
    "complete",
    "flagged",
    "start_s",
    "bottom_s",
    "end_s",
    "start_frame",
    "bottom_frame",
    "end_frame",
    "legs",
    "depth",
    "left_fppa_deg",
    "right_fppa_deg",
    "left_knee_over_toe",
    "right_knee_over_toe",
    "left_knee_flexion_deg",
    "right_knee_flexion_deg",
    "knee_ankle_ratio",
    "trunk_lean_deg",
    "detected_share",
    "flags",
    "flag_text",
];

/// A number with the precision a spreadsheet needs, or an empty cell.
fn cell(value: Option<f64>, decimals: usize) -> String {
    value.map_or(String::new(), |v| format!("{v:.decimals$}"))
}

fn row(rep: &Rep, result: &VideoResult) -> Vec<String> {
    let peak = |leg: Leg| rep.peak(leg);
    let quality = rep_quality(rep, &result.analysis.frames);
    let detected_share = if quality.frames == 0 {
        None
    } else {
        Some(quality.detected_frames as f64 / quality.frames as f64)
    };
    vec![
        rep.set.to_string(),
        rep.number.to_string(),
        rep.complete.to_string(),
        rep.faults().next().is_some().to_string(),
        format!("{:.3}", rep.start.time_s),
        format!("{:.3}", rep.bottom.time_s),
        format!("{:.3}", rep.end.time_s),
        rep.start.frame.to_string(),
        rep.bottom.frame.to_string(),
        rep.end.frame.to_string(),
        rep.legs
            .iter()
            .map(|l| l.name())
            .collect::<Vec<_>>()
            .join(";"),
        format!("{:.4}", rep.depth),
        cell(peak(Leg::Left).and_then(|p| p.fppa_deg.get()), 1),
        cell(peak(Leg::Right).and_then(|p| p.fppa_deg.get()), 1),
        cell(
            peak(Leg::Left).and_then(|p| p.knee_over_toe.get().map(|s| s.value)),
            3,
        ),
        cell(
            peak(Leg::Right).and_then(|p| p.knee_over_toe.get().map(|s| s.value)),
            3,
        ),
        cell(
            peak(Leg::Left).and_then(|p| p.knee_flexion_deg.get().map(|s| s.value)),
            1,
        ),
        cell(
            peak(Leg::Right).and_then(|p| p.knee_flexion_deg.get().map(|s| s.value)),
            1,
        ),
        cell(rep.body.knee_ankle_ratio.get(), 3),
        cell(rep.body.trunk_lean_deg.get().map(|s| s.value), 1),
        cell(detected_share, 3),
        rep.flags
            .iter()
            .map(|f| f.kind())
            .collect::<Vec<_>>()
            .join(";"),
        rep.flags
            .iter()
            .map(|f| f.describe())
            .collect::<Vec<_>>()
            .join("; "),
    ]
}

pub fn render(result: &VideoResult) -> Result<Vec<u8>, ::csv::Error> {
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    writer.write_record(HEADER)?;
    for rep in result.analysis.reps() {
        writer.write_record(row(rep, result))?;
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
