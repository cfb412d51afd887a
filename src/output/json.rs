//! `reps.json`: the analysis of one video in a versioned schema (`schemas/reps.schema.json`):
//! the video's facts, the exercise, the settings and thresholds used, a summary, and per set and
//! per rep the times, completeness, measures, flags and quality. Bump [`SCHEMA_VERSION`] when a
//! field changes meaning or goes away; adding a field is compatible.

use std::path::Path;

use serde::Serialize;

use super::report::{NOT_A_DIAGNOSIS, PRECAUTIONS};
use super::{atomic, overall_verdict, ExportError, Exporter, RunSettings, VideoFacts, VideoResult};
use crate::analysis::{Analysis, Rejected};
use crate::geometry::{FrameMeasures, Leg, Measured, View};
use crate::judge::{BodyPeak, ConcernResult, Flag, LegPeak, Outcome, Rep, SetVerdict, Thresholds};
use crate::reps::Incomplete;

/// 2: each measure judged only in its view (knee over toe from the side, in the image), reps
/// carry their view, concerns and outcome, set verdicts count judged reps.
pub const SCHEMA_VERSION: u32 = 2;
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

#[derive(Serialize)]
struct Notice {
    not_a_diagnosis: &'static str,
    precautions: &'static str,
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
    reps: Vec<RepOut<'a>>,
}

#[derive(Serialize)]
struct RepOut<'a> {
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
    quality: Quality,
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

/// How far a rep's numbers can be trusted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quality {
    /// Frames from start to end.
    pub frames: u64,
    /// Of those, frames with a person found.
    pub detected_frames: u64,
    /// Per judged leg: the share of the rep's frames whose FPPA could be judged.
    pub fppa_judged: Vec<LegShare>,
    /// Lowest landmark visibility of the judged legs over the rep.
    pub min_visibility: Option<f64>,
    /// The camera view seen most often during the rep.
    pub view: Option<View>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegShare {
    pub leg: Leg,
    pub share: f64,
}

/// The quality of one rep from the measures of its frames.
pub fn rep_quality(rep: &Rep, frames: &[FrameMeasures]) -> Quality {
    let in_rep: Vec<&FrameMeasures> = frames
        .iter()
        .filter(|f| f.frame >= rep.start.frame && f.frame <= rep.end.frame)
        .collect();
    let n = in_rep.len() as u64;
    let fppa_judged = rep
        .legs
        .iter()
        .map(|&leg| {
            let judged = in_rep
                .iter()
                .filter(|f| f.leg(leg).fppa_deg.value().is_some())
                .count();
            LegShare {
                leg,
                share: if n == 0 {
                    0.0
                } else {
                    round3(judged as f64 / n as f64)
                },
            }
        })
        .collect();
    let min_visibility = in_rep
        .iter()
        .flat_map(|f| rep.legs.iter().filter_map(|&leg| f.leg(leg).min_visibility))
        .fold(None, |lo: Option<f64>, v| {
            Some(lo.map_or(v, |lo| lo.min(v)))
        });
    let mut views: Vec<(View, u32)> = Vec::new();
    for view in in_rep.iter().filter_map(|f| f.view.get()) {
        match views.iter_mut().find(|(v, _)| *v == view) {
            Some((_, count)) => *count += 1,
            None => views.push((view, 1)),
        }
    }
    // Most frequent; on a tie the first seen, so the choice does not depend on hashing.
    let view = views
        .iter()
        .fold(None::<(View, u32)>, |best, &(v, c)| match best {
            Some((_, bc)) if bc >= c => best,
            _ => Some((v, c)),
        })
        .map(|(v, _)| v);
    Quality {
        frames: n,
        detected_frames: in_rep.iter().filter(|f| f.detected).count() as u64,
        fppa_judged,
        min_visibility,
        view,
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}

fn rep_out<'a>(rep: &'a Rep, analysis: &Analysis) -> RepOut<'a> {
    RepOut {
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
        quality: rep_quality(rep, &analysis.frames),
    }
}

pub fn render(result: &VideoResult) -> Result<Vec<u8>, serde_json::Error> {
    let a = result.analysis;
    let file = RepsFile {
        schema_version: SCHEMA_VERSION,
        producer: format!("formcheck {}", env!("CARGO_PKG_VERSION")),
        notice: Notice {
            not_a_diagnosis: NOT_A_DIAGNOSIS,
            precautions: PRECAUTIONS,
        },
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
                reps: set.reps.iter().map(|r| rep_out(r, a)).collect(),
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
