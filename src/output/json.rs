//! `reps.json`: the analysis of one video in a versioned schema (`schemas/reps.schema.json`):
//! the video's facts, the exercise, the settings and thresholds used, a summary, and per set and
//! per rep the times, completeness, measures, flags and quality. Bump [`SCHEMA_VERSION`] when a
//! field changes meaning or goes away; adding a field is compatible.

use std::path::Path;

use serde::Serialize;

use super::report::{NOT_A_DIAGNOSIS, PRECAUTIONS};
use super::{atomic, overall_verdict, ExportError, Exporter, RunSettings, VideoFacts, VideoResult};
use crate::analysis::Rejected;
use crate::geometry::{Leg, Measured, View};
use crate::judge::{
    BodyPeak, ConcernResult, Flag, Jump, LegPeak, Outcome, Quality, Rep, SetVerdict, Thresholds,
};
use crate::reps::Incomplete;

/// 2: each measure judged only in its view (knee over toe from the side, in the image), reps
/// carry their view, concerns and outcome, set verdicts count judged reps. 3: a video analysed as
/// one camera of a pair (`analyze --front-view/--side-view`) holds the merged reps of both views
/// in `pair`. 4: every judged FPPA and knee/ankle width ratio carries its error bound
/// (`fppa_bound_deg`, `knee_ankle_bound`); a verdict is a
/// fault only past its limit by more than the bound, ok only inside it by more than the bound,
/// else `borderline` (concern status, rep and set outcome, a `borderline` flag and count).
/// 5: knee over the foot is read from the ankle's vertical (it was the hip–toe line, which
/// collapses at the bottom of a deep squat), from the front or at an angle, with its bound
/// (`knee_foot_bound` per leg, `knee_foot_mean_bound` for both legs' mean).
pub const SCHEMA_VERSION: u32 = 5;
/// Where the schema lives in the source tree (shipped beside the binary's docs).
pub const SCHEMA_FILE: &str = "schemas/reps.schema.json";

#[derive(Serialize)]
struct RepsFile<'a> {
    schema_version: u32,
    producer: String,
    notice: Notice,
    video: &'a VideoFacts,
    exercise: ExerciseInfo,
    settings: &'a RunSettings,
    thresholds: &'a Thresholds,
    summary: SummaryOut<'a>,
    sets: Vec<SetOut<'a>>,
    /// Movements that were not counted as reps, and why.
    rejected: &'a [Rejected],
}

/// The not-a-diagnosis notice every JSON output carries.
#[derive(Serialize)]
pub struct Notice {
    not_a_diagnosis: &'static str,
    precautions: &'static str,
}

impl Default for Notice {
    fn default() -> Notice {
        Notice {
            not_a_diagnosis: NOT_A_DIAGNOSIS,
            precautions: PRECAUTIONS,
        }
    }
}

#[derive(Serialize)]
struct ExerciseInfo {
    name: &'static str,
    title: &'static str,
    /// The views it can be judged from.
    views: Vec<View>,
    legs: crate::exercise::LegMode,
}

/// The index reads these first fields back (see `index::RepsSummary`).
#[derive(Serialize)]
struct SummaryOut<'a> {
    exercise: &'static str,
    frames: u64,
    duration_s: f64,
    sets: usize,
    reps: usize,
    complete_reps: u32,
    flagged_reps: u32,
    verdict: String,
    detected_frames: u64,
    incomplete_reps: u32,
    flag_counts: &'a std::collections::BTreeMap<&'static str, u32>,
    asymmetry: &'a [Flag],
    view: Option<View>,
    views_judged: &'a [View],
    notes: &'a [String],
}

#[derive(Serialize)]
struct SetOut<'a> {
    number: u32,
    verdict: &'a SetVerdict,
    verdict_text: String,
    reps: Vec<RepRecord<'a>>,
}

/// One rep as `reps.json` and live's session log write it: the same fields in both.
#[derive(Serialize)]
pub struct RepRecord<'a> {
    number: u32,
    set: u32,
    complete: bool,
    incomplete: Option<Incomplete>,
    /// True when the rep earned at least one fault.
    flagged: bool,
    /// Flagged, passed (something judged, nothing a fault) or not judged.
    outcome: Outcome,
    start_s: f64,
    bottom_s: f64,
    end_s: f64,
    start_frame: u64,
    bottom_frame: u64,
    end_frame: u64,
    legs: &'a [Leg],
    depth: f64,
    view: &'a Measured<View>,
    turn_deg: Option<f64>,
    concerns: &'a [ConcernResult],
    measures: MeasuresOut<'a>,
    flags: Vec<FlagOut<'a>>,
    quality: &'a Quality,
    /// Only when the rep ended in a jump (absent, not null, so reps without one read as before).
    #[serde(skip_serializing_if = "Option::is_none")]
    jump: Option<&'a Jump>,
}

#[derive(Serialize)]
struct MeasuresOut<'a> {
    legs: &'a [LegPeak],
    body: &'a BodyPeak,
}

#[derive(Serialize)]
struct FlagOut<'a> {
    #[serde(flatten)]
    flag: &'a Flag,
    fault: bool,
    text: String,
}

impl<'a> RepRecord<'a> {
    pub fn new(rep: &'a Rep) -> RepRecord<'a> {
        RepRecord {
            number: rep.number,
            set: rep.set,
            complete: rep.complete,
            incomplete: rep.incomplete,
            flagged: rep.faults().next().is_some(),
            outcome: rep.outcome,
            start_s: rep.start.time_s,
            bottom_s: rep.bottom.time_s,
            end_s: rep.end.time_s,
            start_frame: rep.start.frame,
            bottom_frame: rep.bottom.frame,
            end_frame: rep.end.frame,
            legs: &rep.legs,
            depth: rep.depth,
            view: &rep.view,
            turn_deg: rep.turn_deg,
            concerns: &rep.concerns,
            measures: MeasuresOut {
                legs: &rep.peaks,
                body: &rep.body,
            },
            flags: rep
                .flags
                .iter()
                .map(|flag| FlagOut {
                    flag,
                    fault: flag.is_fault(),
                    text: flag.describe(),
                })
                .collect(),
            quality: &rep.quality,
            jump: rep.jump.as_ref(),
        }
    }
}

pub fn render(result: &VideoResult) -> Result<Vec<u8>, serde_json::Error> {
    let a = result.analysis;
    let file = RepsFile {
        schema_version: SCHEMA_VERSION,
        producer: format!("formcheck {}", env!("CARGO_PKG_VERSION")),
        notice: Notice::default(),
        video: result.video,
        exercise: ExerciseInfo {
            name: a.exercise.name(),
            title: a.exercise.title(),
            views: a.exercise.views(),
            legs: a.exercise.legs(),
        },
        settings: result.settings,
        thresholds: &a.thresholds,
        summary: SummaryOut {
            exercise: a.exercise.name(),
            frames: result.video.frames,
            duration_s: result.video.duration_s,
            sets: a.sets.len(),
            reps: a.reps().count(),
            complete_reps: a.summary.complete_reps,
            flagged_reps: a.summary.flagged_reps,
            verdict: overall_verdict(a),
            detected_frames: a.summary.detected_frames,
            incomplete_reps: a.summary.incomplete_reps,
            flag_counts: &a.summary.flag_counts,
            asymmetry: &a.summary.asymmetry,
            view: a.summary.view,
            views_judged: &a.summary.views_judged,
            notes: &a.summary.notes,
        },
        sets: a
            .sets
            .iter()
            .map(|set| SetOut {
                number: set.number,
                verdict: &set.verdict,
                verdict_text: set.verdict.describe(),
                reps: set.reps.iter().map(RepRecord::new).collect(),
            })
            .collect(),
        rejected: &a.rejected,
    };
    let mut bytes = serde_json::to_vec_pretty(&file)?;
    bytes.push(b'\n');
    Ok(bytes)
}

pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn file_name(&self) -> &'static str {
        "reps.json"
    }

    fn export(&self, result: &VideoResult, dest: &Path) -> Result<(), ExportError> {
        let bytes = render(result).map_err(|e| ExportError::format(dest, e))?;
        atomic::write(dest, &bytes)
    }
}
