//! Judge stage: the thresholds (each a named constant with its source, overridable by a TOML
//! file and by `--threshold NAME=VALUE`) and the [`Flag`]s a rep can earn, with the short cue
//! and the longer description a user reads. The checks themselves live in [`checks`] and are
//! composed by each exercise profile.

pub mod checks;
mod quality;
mod rep;
mod thresholds;

pub use quality::{rep_quality, LegShare, Quality};
pub use rep::*;
pub use thresholds::*;

use serde::Serialize;

use crate::geometry::{Leg, NotJudged, Source};

/// Which measure a flag or a "not judged" note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    Fppa,
    MedialOffset,
    KneeAnkleRatio,
    KneeFootOffset,
    KneeOverToe,
    KneeFlexion,
    PelvicDrop,
    TrunkLean,
    BodyLine,
    HipFlexion,
    TrunkRotation,
}

impl Measure {
    pub fn describe(self) -> &'static str {
        match self {
            Measure::Fppa => "knee valgus angle (FPPA)",
            Measure::MedialOffset => "knee offset from the hip–ankle line",
            Measure::KneeAnkleRatio => "knee width against ankle width",
            Measure::KneeFootOffset => "knee position over the foot",
            Measure::KneeOverToe => "knee over toe",
            Measure::KneeFlexion => "knee bend",
            Measure::PelvicDrop => "pelvis level",
            Measure::TrunkLean => "trunk lean",
            Measure::BodyLine => "shoulder–hip–ankle line",
            Measure::HipFlexion => "hip extension",
            Measure::TrunkRotation => "trunk rotation",
        }
    }
}

/// Which normal FPPA band a valgus flag was held against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ValgusBand {
    /// Bilateral task: Herrington & Munro 2010 drop-jump band.
    Bilateral,
    /// Single-leg task: Herrington & Munro 2010 step-landing band.
    SingleLeg,
    /// Step-down / single-leg squat: > 10° marks dynamic valgus.
    StepDown,
}

/// Something a rep did that the user should hear about, or a measure that could not be judged.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "flag", rename_all = "snake_case")]
pub enum Flag {
    /// Peak FPPA above the task's normal band by more than its error bound.
    Valgus {
        leg: Leg,
        peak_fppa_deg: f64,
        /// The value's error bound, degrees (± around it).
        bound_deg: f64,
        threshold_deg: f64,
        band: ValgusBand,
    },
    /// Bilateral: the knees came closer together than the ankles allow.
    KneesInsideAnkles {
        knee_ankle_ratio: f64,
        /// The ratio's error bound (± around it).
        bound: f64,
        threshold: f64,
    },
    /// The knee travelled inside the foot (medial to the ankle's vertical by more than half a
    /// foot's width), by more than its error bound.
    KneeMedialToFoot {
        leg: Leg,
        offset: f64,
        /// ± around `offset`, in leg lengths.
        bound: f64,
        threshold: f64,
    },
    /// The knee went past the toe by more than the threshold (in foot lengths).
    KneePastToe {
        leg: Leg,
        knee_over_toe: f64,
        /// ± around `knee_over_toe`, in foot lengths.
        bound: f64,
        threshold: f64,
        source: Source,
    },
    /// The pelvis dropped on the side of `leg` (the unsupported side).
    PelvicDrop {
        leg: Leg,
        drop_deg: f64,
        threshold_deg: f64,
    },
    /// Side plank: at the top the hip stayed below the shoulder–ankle line.
    HipSag {
        body_line_deg: f64,
        threshold_deg: f64,
    },
    /// Bridge: the hip did not reach extension at the top.
    HipLiftLow {
        hip_flexion_deg: f64,
        threshold_deg: f64,
    },
    /// Drop landing: the knee bent less than the threshold at its deepest (a stiff landing).
    StiffLanding {
        leg: Leg,
        knee_flexion_deg: f64,
        threshold_deg: f64,
    },
    /// Left and right differ by more than the threshold.
    Asymmetry {
        measure: Measure,
        left: f64,
        right: f64,
        difference: f64,
        threshold: f64,
    },
    /// A measure within its error bound of its limit: neither a fault nor ok, and said so.
    Borderline {
        measure: Measure,
        leg: Option<Leg>,
        value: f64,
        /// ± around `value`, in its unit.
        bound: f64,
        limit: f64,
    },
    /// A measure the exercise judges could not be judged in this rep.
    NotJudged {
        measure: Measure,
        leg: Option<Leg>,
        reason: NotJudged,
    },
}

impl Flag {
    /// A few words to say or show while exercising; an exercise may say it its own way
    /// (`Exercise::cue`).
    pub fn cue(&self) -> &'static str {
        match self {
            Flag::Valgus { .. } | Flag::KneesInsideAnkles { .. } => {
                "knee caving in: push it out over the little toe"
            }
            Flag::KneeMedialToFoot { .. } => "keep the knee over the middle toes",
            Flag::KneePastToe { .. } => "knee past the toes",
            Flag::PelvicDrop { .. } => "keep the hips level",
            Flag::HipSag { .. } => "lift the hip higher",
            Flag::HipLiftLow { .. } => "lift the hip higher",
            Flag::StiffLanding { .. } => "land softly: bend the knees and hips",
            Flag::Asymmetry { .. } => "left and right differ",
            Flag::Borderline { .. } => "borderline: close to the limit",
            Flag::NotJudged { .. } => "not judged",
        }
    }

    /// One full sentence with the numbers and the threshold they were held against.
    pub fn describe(&self) -> String {
        match self {
            Flag::Valgus {
                leg,
                peak_fppa_deg,
                bound_deg,
                threshold_deg,
                ..
            } => format!(
                "{leg} knee caved in: valgus angle {peak_fppa_deg:.1}° ±{bound_deg:.1}° (above {threshold_deg:.1}° by more than its error)"
            ),
            Flag::KneesInsideAnkles {
                knee_ankle_ratio,
                bound,
                threshold,
            } => format!(
                "knees came closer together than the ankles: knee/ankle width {knee_ankle_ratio:.2} ±{bound:.2} (below {threshold:.2} by more than its error)"
            ),
            Flag::KneeMedialToFoot {
                leg,
                offset,
                bound,
                threshold,
            } => format!(
                "{leg} knee came inside the foot: {} ±{:.0}% (above {:.0}% by more than its error)",
                knee_foot_words(*offset),
                bound * 100.0,
                threshold * 100.0
            ),
            Flag::KneePastToe {
                leg,
                knee_over_toe,
                bound,
                threshold,
                source,
            } => format!(
                "{leg} knee went past the toes: {} ±{:.0}% (above {:.0}% by more than its error, from {} landmarks)",
                knee_over_toe_words(*knee_over_toe),
                bound * 100.0,
                threshold * 100.0,
                match source {
                    Source::Image => "image",
                    Source::World => "3-D",
                }
            ),
            Flag::PelvicDrop {
                leg,
                drop_deg,
                threshold_deg,
            } => format!(
                "pelvis dropped {drop_deg:.1}° on the {leg} side (limit {threshold_deg:.1}°)"
            ),
            Flag::HipSag {
                body_line_deg,
                threshold_deg,
            } => format!(
                "hip sagged {:.1}° below the shoulder–ankle line at the top (limit {threshold_deg:.1}°)",
                -body_line_deg
            ),
            Flag::HipLiftLow {
                hip_flexion_deg,
                threshold_deg,
            } => format!(
                "hip stayed {hip_flexion_deg:.1}° short of straight at the top (limit {threshold_deg:.1}°)"
            ),
            Flag::StiffLanding {
                leg,
                knee_flexion_deg,
                threshold_deg,
            } => format!(
                "{leg} knee bent only {knee_flexion_deg:.0}° on landing (at least {threshold_deg:.0}°)"
            ),
            Flag::Asymmetry {
                measure,
                left,
                right,
                difference,
                threshold,
            } => format!(
                "{}: left {left:.1}, right {right:.1}, difference {difference:.1} (limit {threshold:.1})",
                measure.describe()
            ),
            Flag::Borderline {
                measure,
                leg,
                value,
                bound,
                limit,
            } => borderline_text(*measure, *leg, *value, *bound, *limit),
            Flag::NotJudged {
                measure,
                leg,
                reason,
            } => match leg {
                Some(leg) => format!("{} ({leg}) not judged: {reason}", measure.describe()),
                None => format!("{} not judged: {reason}", measure.describe()),
            },
        }
    }

    /// A fault, as opposed to a borderline reading or a "not judged" note.
    pub fn is_fault(&self) -> bool {
        !matches!(self, Flag::NotJudged { .. } | Flag::Borderline { .. })
    }

    /// Short machine name, as in the JSON `flag` tag.
    /// The leg the flag is about, if it is about one.
    pub fn leg(&self) -> Option<Leg> {
        match self {
            Flag::Valgus { leg, .. }
            | Flag::KneeMedialToFoot { leg, .. }
            | Flag::KneePastToe { leg, .. }
            | Flag::PelvicDrop { leg, .. }
            | Flag::StiffLanding { leg, .. } => Some(*leg),
            Flag::Borderline { leg, .. } | Flag::NotJudged { leg, .. } => *leg,
            Flag::KneesInsideAnkles { .. }
            | Flag::HipSag { .. }
            | Flag::HipLiftLow { .. }
            | Flag::Asymmetry { .. } => None,
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Flag::Valgus { .. } => "valgus",
            Flag::KneesInsideAnkles { .. } => "knees_inside_ankles",
            Flag::KneeMedialToFoot { .. } => "knee_medial_to_foot",
            Flag::KneePastToe { .. } => "knee_past_toe",
            Flag::PelvicDrop { .. } => "pelvic_drop",
            Flag::HipSag { .. } => "hip_sag",
            Flag::HipLiftLow { .. } => "hip_lift_low",
            Flag::StiffLanding { .. } => "stiff_landing",
            Flag::Asymmetry { .. } => "asymmetry",
            Flag::Borderline { .. } => "borderline",
            Flag::NotJudged { .. } => "not_judged",
        }
    }
}

/// A borderline reading in words, in its measure's unit.
fn borderline_text(
    measure: Measure,
    leg: Option<Leg>,
    value: f64,
    bound: f64,
    limit: f64,
) -> String {
    let whose = match leg {
        Some(l) => format!(" ({l})"),
        None if measure.per_leg() => " (both knees' mean)".to_string(),
        None => String::new(),
    };
    let (value, bound, limit) = match measure {
        Measure::Fppa => (
            format!("{value:.1}°"),
            format!("{bound:.1}°"),
            format!("{limit:.1}°"),
        ),
        Measure::KneeOverToe => (
            knee_over_toe_words(value),
            format!("{:.0}%", bound * 100.0),
            format!("{:.0}% past", limit * 100.0),
        ),
        Measure::KneeFootOffset => (
            knee_foot_words(value),
            format!("{:.0}%", bound * 100.0),
            format!("{:.1}% inside", limit * 100.0),
        ),
        _ => (
            format!("{value:.2}"),
            format!("{bound:.2}"),
            format!("{limit:.2}"),
        ),
    };
    format!(
        "{}{whose} borderline: {value} ±{bound}, within its error of the {limit} limit",
        measure.describe()
    )
}

/// Knee over toe in words: "12% of a foot length past the toes" (behind when negative).
pub fn knee_over_toe_words(value: f64) -> String {
    let side = if value < 0.0 { "behind" } else { "past" };
    format!(
        "{:.0}% of a foot length {side} the toes",
        value.abs() * 100.0
    )
}

/// A knee's offset over the foot in words: "5% of leg length inside the ankle" (outside when
/// negative, "level with the ankle" when it rounds to 0%).
pub fn knee_foot_words(offset: f64) -> String {
    let percent = (offset.abs() * 100.0).round();
    if percent == 0.0 {
        return "level with the ankle".to_string();
    }
    let side = if offset < 0.0 { "outside" } else { "inside" };
    format!("{percent:.0}% of leg length {side} the ankle")
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}
