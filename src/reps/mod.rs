//! Reps stage: turns a per-frame rep signal into reps and sets. The [`Segmenter`] is streaming
//! (one frame in, at most one finished rep out) so live mode can report a rep the moment it
//! ends; batch runs the same code. Types here ([`Rep`], [`RepSet`], [`Moment`]) are what every
//! output writes.

mod segment;

pub use segment::{Direction, Phase, Segment, SegmentParams, Segmenter};

use serde::Serialize;

use crate::geometry::{Leg, Measured, Sourced};
use crate::judge::Flag;

/// A point in the video: frame index and presentation time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Moment {
    pub frame: u64,
    pub time_s: f64,
}

/// One leg's measures at the rep's judging moments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegPeak {
    pub leg: Leg,
    /// The frame of peak knee flexion (the bottom when flexion was not measurable).
    pub at: Moment,
    pub knee_flexion_deg: Measured<Sourced>,
    /// FPPA at peak knee flexion.
    pub fppa_deg: Measured<f64>,
    pub medial_offset: Measured<f64>,
    /// Knee over the foot at peak knee flexion (with turned-out feet the knee sits inside the
    /// toe when standing, so only the loaded moment counts).
    pub knee_foot_offset: Measured<f64>,
    /// Furthest the knee went past the toe during the rep.
    pub knee_over_toe: Measured<Sourced>,
}

/// Whole-body measures of a rep, each taken at the moment the exercise judges it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BodyPeak {
    /// At the bottom.
    pub knee_ankle_ratio: Measured<f64>,
    /// At the bottom.
    pub trunk_lean_deg: Measured<Sourced>,
    /// Largest drop during the rep, signed as in `FrameMeasures` (+ left hip lower).
    pub pelvic_drop_deg: Measured<f64>,
    /// At the turning point (top of a plank or bridge).
    pub body_line_deg: Measured<f64>,
    /// At the turning point.
    pub hip_flexion_deg: Measured<Sourced>,
    /// Range of trunk rotation over the rep.
    pub trunk_rotation_range_deg: Measured<f64>,
}

/// One repetition.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rep {
    /// 1-based over the whole analysis, complete and incomplete alike.
    pub number: u32,
    /// 1-based set number.
    pub set: u32,
    /// The legs judged in this rep (both for a bilateral exercise; the working or front leg
    /// otherwise).
    pub legs: Vec<Leg>,
    pub start: Moment,
    /// The turning point: the bottom of a squat or lunge, the top of a step-up, bridge or plank
    /// lift.
    pub bottom: Moment,
    pub end: Moment,
    /// False when the video ended (or the person was lost) before the rep was finished.
    pub complete: bool,
    /// Range of the rep signal (leg lengths for hip travel, degrees for angles).
    pub depth: f64,
    pub peaks: Vec<LegPeak>,
    pub body: BodyPeak,
    pub flags: Vec<Flag>,
}

impl Rep {
    /// Flags that are faults (not "not judged" notes).
    pub fn faults(&self) -> impl Iterator<Item = &Flag> {
        self.flags.iter().filter(|f| f.is_fault())
    }

    pub fn peak(&self, leg: Leg) -> Option<&LegPeak> {
        self.peaks.iter().find(|p| p.leg == leg)
    }
}

/// How a set went, in one line.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum SetVerdict {
    /// Every complete rep passed every judged check.
    Clean { reps: u32 },
    /// Some complete reps earned faults; `main` is the most frequent one's cue.
    Flagged {
        reps: u32,
        flagged: u32,
        main: String,
    },
    /// No complete rep in the set.
    NoCompleteRep,
}

impl SetVerdict {
    pub fn describe(&self) -> String {
        match self {
            SetVerdict::Clean { reps } => format!("{reps} reps, all clean"),
            SetVerdict::Flagged {
                reps,
                flagged,
                main,
            } => format!("{flagged} of {reps} reps flagged; mostly: {main}"),
            SetVerdict::NoCompleteRep => "no complete rep".into(),
        }
    }
}

/// Reps separated from the next set by rest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepSet {
    pub number: u32,
    pub reps: Vec<Rep>,
    pub verdict: SetVerdict,
}

impl RepSet {
    /// Builds the set's verdict from its reps.
    pub fn new(number: u32, reps: Vec<Rep>) -> RepSet {
        let complete: Vec<&Rep> = reps.iter().filter(|r| r.complete).collect();
        let verdict = if complete.is_empty() {
            SetVerdict::NoCompleteRep
        } else {
            let flagged: Vec<&&Rep> = complete
                .iter()
                .filter(|r| r.faults().next().is_some())
                .collect();
            if flagged.is_empty() {
                SetVerdict::Clean {
                    reps: complete.len() as u32,
                }
            } else {
                let mut counts: Vec<(&'static str, u32)> = Vec::new();
                for f in flagged.iter().flat_map(|r| r.faults()) {
                    match counts.iter_mut().find(|(c, _)| *c == f.cue()) {
                        Some((_, n)) => *n += 1,
                        None => counts.push((f.cue(), 1)),
                    }
                }
                // Most frequent first; ties keep first-seen order.
                let main = counts
                    .iter()
                    .fold(None::<(&str, u32)>, |best, &(c, n)| match best {
                        Some((_, bn)) if bn >= n => best,
                        _ => Some((c, n)),
                    })
                    .map(|(c, _)| c.to_string())
                    .unwrap_or_default();
                SetVerdict::Flagged {
                    reps: complete.len() as u32,
                    flagged: flagged.len() as u32,
                    main,
                }
            }
        };
        RepSet {
            number,
            reps,
            verdict,
        }
    }
}

/// Splits reps into sets wherever the gap from one rep's end to the next one's start exceeds
/// `rest_s`, and numbers the sets.
pub fn split_sets(mut reps: Vec<Rep>, rest_s: f64) -> Vec<RepSet> {
    let mut sets: Vec<Vec<Rep>> = Vec::new();
    let mut last_end: Option<f64> = None;
    for rep in reps.drain(..) {
        let new_set = match last_end {
            None => true,
            Some(end) => rep.start.time_s - end > rest_s,
        };
        last_end = Some(rep.end.time_s);
        if new_set {
            sets.push(Vec::new());
        }
        if let Some(current) = sets.last_mut() {
            current.push(rep);
        }
    }
    sets.into_iter()
        .enumerate()
        .map(|(i, mut reps)| {
            let number = i as u32 + 1;
            for r in &mut reps {
                r.set = number;
            }
            RepSet::new(number, reps)
        })
        .collect()
}
