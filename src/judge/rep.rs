//! The judged rep: the peaks the judge read, the flags it gave, and for each concern of the
//! exercise (valgus, knee over toe, pelvis, hip lift) whether it was judged and how it went;
//! and the set verdict that counts judged reps. A concern no measure could judge is "not
//! judged" with its reason: never a pass.

use serde::Serialize;

use crate::geometry::{Leg, Measured, Sourced, View};
use crate::reps::{Incomplete, Moment};

use super::{Flag, Measure};

/// One leg's measures at the rep's judging moments.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegPeak {
    pub leg: Leg,
    /// The frame of peak knee flexion (the turning point when flexion was not measurable).
    pub at: Moment,
    pub knee_flexion_deg: Measured<Sourced>,
    /// FPPA at the deepest frame of the descent where the thigh was still measurable.
    pub fppa_deg: Measured<f64>,
    /// Where FPPA was read, and the knee bend there (2-D from the side, else a 3-D estimate).
    pub fppa_at: Option<Moment>,
    pub fppa_knee_flexion_deg: Measured<Sourced>,
    /// FPPA is `fppa_deg` ± this many degrees: the truth model's error at the rep's camera turn
    /// and the bend it was read at, the turn estimate's error, BlazePose's jitter
    /// (`geometry::bounds`). `None` where no FPPA was read or no bound is known.
    pub fppa_bound_deg: Option<f64>,
    pub medial_offset: Measured<f64>,
    /// Knee over the foot at the turning point (the bottom of a squat, the top of a bridge).
    pub knee_foot_offset: Measured<f64>,
    /// Knee over the foot is `knee_foot_offset` ± this (leg lengths): the truth model's error
    /// for one leg at the rep's camera turn and knee bend, the turn estimate's error and
    /// BlazePose's jitter (`geometry::bounds`). `None` where it was not read or no bound is known.
    pub knee_foot_bound: Option<f64>,
    /// Where one leg's knee over the foot was read when not at the turning point: the deepest
    /// frame before it whose bound allowed a reading (`None`: at the turning point).
    pub knee_foot_at: Option<Moment>,
    /// Furthest the knee went past the toe during the rep, held over three measured frames.
    pub knee_over_toe: Measured<Sourced>,
    /// Knee over toe is `knee_over_toe` ± this (foot lengths): the truth model's error at the
    /// rep's camera turn from side-on and this leg's deepest bend, the turn estimate's error and
    /// BlazePose's jitter (`geometry::bounds`). `None` where it was not read or no bound is known.
    pub knee_over_toe_bound: Option<f64>,
}

/// Whole-body measures of a rep, each taken at the moment the exercise judges it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BodyPeak {
    /// At the bottom.
    pub knee_ankle_ratio: Measured<f64>,
    /// The ratio is `knee_ankle_ratio` ± this: the truth model's error at the rep's camera turn
    /// and knee bend, the turn estimate's error and BlazePose's jitter (`geometry::bounds`).
    pub knee_ankle_bound: Option<f64>,
    /// The mean of both knees' offsets over the foot is known to ± this (leg lengths), tighter
    /// than one leg's: a camera turned from square shifts both knees the same way in the
    /// picture, and the mean cancels it (`geometry::bounds`). `None` unless both were read.
    pub knee_foot_mean_bound: Option<f64>,
    /// At the bottom.
    pub trunk_lean_deg: Measured<Sourced>,
    /// Largest drop during the rep, signed as in `FrameMeasures` (+ left hip lower).
    pub pelvic_drop_deg: Measured<f64>,
    /// At the turning point (top of a plank or bridge).
    pub body_line_deg: Measured<f64>,
    /// At the turning point.
    pub hip_flexion_deg: Measured<Sourced>,
    /// Range of trunk rotation over the rep (3-D estimate; reported, never judged).
    pub trunk_rotation_range_deg: Measured<f64>,
    /// Seconds the rep stayed near its turning point (the hold at the top of a plank lift).
    pub hold_s: Option<f64>,
}

/// What a set of checks is about, as a person would ask it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Concern {
    Valgus,
    KneeOverToe,
    Pelvis,
    HipLift,
    /// A drop landing absorbed with bent knees, not stiff-legged.
    SoftLanding,
}

impl Concern {
    /// The machine name, as in the JSON.
    pub fn key(self) -> &'static str {
        match self {
            Concern::Valgus => "valgus",
            Concern::KneeOverToe => "knee_over_toe",
            Concern::Pelvis => "pelvis",
            Concern::HipLift => "hip_lift",
            Concern::SoftLanding => "soft_landing",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Concern::Valgus => "valgus (knee caving in)",
            Concern::KneeOverToe => "knee over toe",
            Concern::Pelvis => "pelvis level",
            Concern::HipLift => "hip lift",
            Concern::SoftLanding => "soft landing (knee bend)",
        }
    }

    /// A fault of this concern said before a count ("knee caved in on 2").
    fn spoken_fault(self) -> &'static str {
        match self {
            Concern::Valgus => "knee caved in",
            Concern::KneeOverToe => "knee past the toes",
            Concern::Pelvis => "pelvis dropped",
            Concern::HipLift => "hip not lifted enough",
            Concern::SoftLanding => "landed stiff",
        }
    }

    /// What a fault of this concern did, after a count ("2 caved in").
    fn fault_phrase(self) -> &'static str {
        match self {
            Concern::Valgus => "caved in",
            Concern::KneeOverToe => "went past the toes",
            Concern::Pelvis => "dropped the pelvis",
            Concern::HipLift => "fell short",
            Concern::SoftLanding => "landed stiff",
        }
    }
}

impl Measure {
    /// The concern this measure answers (`None`: context only, never judged).
    pub fn concern(self) -> Option<Concern> {
        match self {
            Measure::Fppa
            | Measure::MedialOffset
            | Measure::KneeAnkleRatio
            | Measure::KneeFootOffset => Some(Concern::Valgus),
            Measure::KneeOverToe => Some(Concern::KneeOverToe),
            Measure::PelvicDrop => Some(Concern::Pelvis),
            Measure::BodyLine | Measure::HipFlexion => Some(Concern::HipLift),
            // Knee bend is context in every exercise but the landing, which judges it.
            Measure::KneeFlexion => Some(Concern::SoftLanding),
            Measure::TrunkLean | Measure::TrunkRotation => None,
        }
    }

    /// Whether the measure reads each leg on its own (the rest read the whole body).
    pub fn per_leg(self) -> bool {
        matches!(
            self,
            Measure::Fppa
                | Measure::MedialOffset
                | Measure::KneeFootOffset
                | Measure::KneeOverToe
                | Measure::KneeFlexion
        )
    }

    /// The camera views the measure is valid in (all three: any).
    pub fn views(self) -> &'static [View] {
        match self {
            Measure::Fppa | Measure::MedialOffset | Measure::PelvicDrop => &[View::Frontal],
            // Two widths along one line shrink alike as the body turns; the plank's body line
            // keeps its sign as the body rolls (formcheck rule). Knee over the foot is read at
            // any turn its error bound allows (`geometry::bounds`).
            Measure::KneeAnkleRatio | Measure::BodyLine | Measure::KneeFootOffset => {
                &[View::Frontal, View::Oblique]
            }
            Measure::KneeOverToe | Measure::KneeFlexion | Measure::HipFlexion => &[View::Side],
            Measure::TrunkLean | Measure::TrunkRotation => {
                &[View::Frontal, View::Oblique, View::Side]
            }
        }
    }
}

impl Flag {
    /// The concern a flag is about.
    pub fn concern(&self) -> Option<Concern> {
        match self {
            Flag::Valgus { .. }
            | Flag::KneesInsideAnkles { .. }
            | Flag::KneeMedialToFoot { .. }
            | Flag::Asymmetry { .. } => Some(Concern::Valgus),
            Flag::KneePastToe { .. } => Some(Concern::KneeOverToe),
            Flag::PelvicDrop { .. } => Some(Concern::Pelvis),
            Flag::HipSag { .. } | Flag::HipLiftLow { .. } => Some(Concern::HipLift),
            Flag::StiffLanding { .. } => Some(Concern::SoftLanding),
            Flag::NotJudged { measure, .. } | Flag::Borderline { measure, .. } => measure.concern(),
        }
    }
}

/// How one concern went in one rep.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ConcernStatus {
    /// Judged, and within every threshold.
    Ok,
    /// Judged, and a fault: the exercise's cue for the first one.
    Fault { cue: &'static str },
    /// Judged, no fault, but a measure within its error bound of its limit: what it was.
    Borderline { detail: String },
    /// No measure of the concern could be judged.
    NotJudged { reason: String },
}

impl ConcernStatus {
    /// The machine name, as in the JSON, the CSV and the history.
    pub fn key(&self) -> &'static str {
        match self {
            ConcernStatus::Ok => "ok",
            ConcernStatus::Fault { .. } => "fault",
            ConcernStatus::Borderline { .. } => "borderline",
            ConcernStatus::NotJudged { .. } => "not_judged",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConcernResult {
    pub concern: Concern,
    #[serde(flatten)]
    pub status: ConcernStatus,
}

/// A rep (or a set) as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// At least one fault.
    Flagged,
    /// Something was judged and nothing was a fault, but something was borderline.
    Borderline,
    /// Something was judged and nothing was a fault or borderline.
    Passed,
    /// Nothing could be judged: never counted clean.
    NotJudged,
}

impl Outcome {
    /// The machine name, as in the JSON, the CSV and the history.
    pub fn key(self) -> &'static str {
        match self {
            Outcome::Flagged => "flagged",
            Outcome::Borderline => "borderline",
            Outcome::Passed => "passed",
            Outcome::NotJudged => "not_judged",
        }
    }
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
    /// False when the rep was not finished; `incomplete` says why.
    pub complete: bool,
    pub incomplete: Option<Incomplete>,
    /// Range of the rep signal (leg lengths for hip travel, degrees for angles).
    pub depth: f64,
    /// The camera view over the rep (from the median turn of its frames), and that turn.
    pub view: Measured<View>,
    pub turn_deg: Option<f64>,
    pub peaks: Vec<LegPeak>,
    pub body: BodyPeak,
    pub flags: Vec<Flag>,
    /// Each concern the exercise judges: ok, a fault, or not judged with the reason.
    pub concerns: Vec<ConcernResult>,
    pub outcome: Outcome,
    pub quality: super::Quality,
    /// The rep ended in a jump (a squat jump): when the feet left the floor and landed. Its
    /// landing was judged as well as its bottom.
    pub jump: Option<Jump>,
}

/// A jump at the end of a rep: the feet left the floor after the bottom and came back down.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Jump {
    /// The first frame the feet were off the floor.
    pub takeoff: Moment,
    /// The first frame they were back on it.
    pub touchdown: Moment,
    /// The lowest the hip went after touchdown: where the landing was judged.
    pub landing: Moment,
    /// How high the feet went, in leg lengths.
    pub height: f64,
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

/// The outcome of a rep from its concerns.
pub fn outcome(concerns: &[ConcernResult]) -> Outcome {
    if concerns
        .iter()
        .any(|c| matches!(c.status, ConcernStatus::Fault { .. }))
    {
        Outcome::Flagged
    } else if concerns
        .iter()
        .any(|c| matches!(c.status, ConcernStatus::Borderline { .. }))
    {
        Outcome::Borderline
    } else if concerns.iter().any(|c| c.status == ConcernStatus::Ok) {
        Outcome::Passed
    } else {
        Outcome::NotJudged
    }
}

/// One concern over a set's complete reps.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConcernTally {
    pub concern: Concern,
    /// Complete reps on which it was judged.
    pub judged: u32,
    /// Of those, reps with a fault.
    pub faulted: u32,
    /// Of those, reps where it was borderline (within a measure's error of its limit).
    pub borderline: u32,
    /// The most frequent fault's cue.
    pub main_cue: Option<&'static str>,
    /// When judged on no rep: the most frequent reason.
    pub not_judged_reason: Option<String>,
}

/// How a set went.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SetVerdict {
    pub outcome: Option<Outcome>,
    /// Complete reps in the set.
    pub reps: u32,
    /// Reps with a fault.
    pub flagged: u32,
    pub concerns: Vec<ConcernTally>,
    /// Complete reps that ended in a jump (absent from the JSON when none did).
    #[serde(skip_serializing_if = "is_zero")]
    pub jumps: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

/// " (3 jumps)" after the rep count, or nothing.
fn jumps_said(jumps: u32) -> String {
    match jumps {
        0 => String::new(),
        1 => " (1 jump)".into(),
        n => format!(" ({n} jumps)"),
    }
}

impl SetVerdict {
    /// "8 reps; valgus (knee caving in) judged on 6: 2 caved in: push …; knee over toe not
    /// judged: needs a side view, …".
    pub fn describe(&self) -> String {
        if self.reps == 0 {
            return "no complete rep".into();
        }
        let mut parts = vec![format!(
            "{} rep{}{}",
            self.reps,
            if self.reps == 1 { "" } else { "s" },
            jumps_said(self.jumps)
        )];
        for c in &self.concerns {
            let name = c.concern.describe();
            parts.push(if c.judged == 0 {
                format!(
                    "{name} not judged: {}",
                    c.not_judged_reason.as_deref().unwrap_or("not measurable")
                )
            } else if c.faulted == 0 && c.borderline == 0 {
                format!("{name} judged on {}: all good", c.judged)
            } else {
                let mut said = Vec::new();
                if c.faulted > 0 {
                    said.push(format!(
                        "{} {}{}",
                        c.faulted,
                        c.concern.fault_phrase(),
                        c.main_cue
                            .map(|cue| format!(" ({cue})"))
                            .unwrap_or_default()
                    ));
                }
                if c.borderline > 0 {
                    said.push(format!("{} borderline", c.borderline));
                }
                format!("{name} judged on {}: {}", c.judged, said.join(", "))
            });
        }
        parts.join("; ")
    }
}

impl SetVerdict {
    /// The set in a sentence for the ear: "10 reps, knee caved in on 2: push it out over the
    /// little toe". Concerns with no fault are summed up in one word; a concern judged on no rep
    /// is said to be not judged, never passed.
    pub fn spoken(&self) -> String {
        if self.reps == 0 {
            return "no complete rep".into();
        }
        let mut out = format!(
            "{} rep{}{}",
            self.reps,
            if self.reps == 1 { "" } else { "s" },
            jumps_said(self.jumps)
        );
        let faulted: Vec<&ConcernTally> = self.concerns.iter().filter(|c| c.faulted > 0).collect();
        for c in &faulted {
            out.push_str(&format!(
                ", {} on {}{}",
                c.concern.spoken_fault(),
                c.faulted,
                // The cue's advice alone: "knee caving in: push it out …" after "knee caved
                // in on 2" would say the fault twice.
                c.main_cue
                    .map(|cue| format!(
                        ": {}",
                        cue.split_once(": ").map_or(cue, |(_, advice)| advice)
                    ))
                    .unwrap_or_default()
            ));
        }
        let borderline: u32 = self.concerns.iter().map(|c| c.borderline).sum();
        if borderline > 0 {
            out.push_str(&format!(
                ", {borderline} borderline: too close to the limit to call from this view"
            ));
        }
        let judged_clean = self
            .concerns
            .iter()
            .any(|c| c.judged > 0 && c.faulted == 0 && c.borderline == 0);
        if faulted.is_empty() && borderline == 0 && judged_clean {
            out.push_str(", good alignment");
        }
        let unjudged: Vec<&str> = self
            .concerns
            .iter()
            .filter(|c| c.judged == 0)
            .map(|c| c.concern.describe())
            .collect();
        if !unjudged.is_empty() {
            out.push_str(&format!(
                "; {} not judged from this view",
                unjudged.join(" and ")
            ));
        }
        out
    }
}

/// Most frequent first; ties keep first-seen order.
fn most_frequent<T: PartialEq + Clone>(items: impl Iterator<Item = T>) -> Option<T> {
    let mut counts: Vec<(T, u32)> = Vec::new();
    for item in items {
        match counts.iter_mut().find(|(c, _)| *c == item) {
            Some((_, n)) => *n += 1,
            None => counts.push((item, 1)),
        }
    }
    counts
        .into_iter()
        .fold(None::<(T, u32)>, |best, (c, n)| match best {
            Some((_, bn)) if bn >= n => best,
            _ => Some((c, n)),
        })
        .map(|(c, _)| c)
}

/// Reps separated from the next set by rest.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RepSet {
    pub number: u32,
    pub reps: Vec<Rep>,
    pub verdict: SetVerdict,
}

impl RepSet {
    /// Builds the set's verdict from its complete reps' concerns.
    pub fn new(number: u32, reps: Vec<Rep>) -> RepSet {
        let complete: Vec<&Rep> = reps.iter().filter(|r| r.complete).collect();
        let mut kinds: Vec<Concern> = complete
            .iter()
            .flat_map(|r| r.concerns.iter().map(|c| c.concern))
            .collect();
        kinds.sort();
        kinds.dedup();
        let concerns = kinds
            .into_iter()
            .map(|concern| {
                let statuses: Vec<&ConcernStatus> = complete
                    .iter()
                    .filter_map(|r| r.concerns.iter().find(|c| c.concern == concern))
                    .map(|c| &c.status)
                    .collect();
                let judged = statuses
                    .iter()
                    .filter(|s| !matches!(s, ConcernStatus::NotJudged { .. }))
                    .count() as u32;
                let faulted = statuses
                    .iter()
                    .filter(|s| matches!(s, ConcernStatus::Fault { .. }))
                    .count() as u32;
                let borderline = statuses
                    .iter()
                    .filter(|s| matches!(s, ConcernStatus::Borderline { .. }))
                    .count() as u32;
                ConcernTally {
                    concern,
                    judged,
                    faulted,
                    borderline,
                    main_cue: most_frequent(statuses.iter().filter_map(|s| match s {
                        ConcernStatus::Fault { cue } => Some(*cue),
                        _ => None,
                    })),
                    not_judged_reason: (judged == 0)
                        .then(|| {
                            most_frequent(statuses.iter().filter_map(|s| match s {
                                ConcernStatus::NotJudged { reason } => Some(reason.clone()),
                                _ => None,
                            }))
                        })
                        .flatten(),
                }
            })
            .collect();
        let flagged = complete
            .iter()
            .filter(|r| r.outcome == Outcome::Flagged)
            .count() as u32;
        let outcome = (!complete.is_empty()).then(|| {
            if flagged > 0 {
                Outcome::Flagged
            } else if complete.iter().any(|r| r.outcome == Outcome::Borderline) {
                Outcome::Borderline
            } else if complete.iter().any(|r| r.outcome == Outcome::Passed) {
                Outcome::Passed
            } else {
                Outcome::NotJudged
            }
        });
        RepSet {
            number,
            verdict: SetVerdict {
                outcome,
                reps: complete.len() as u32,
                flagged,
                concerns,
                jumps: complete.iter().filter(|r| r.jump.is_some()).count() as u32,
            },
            reps,
        }
    }
}
