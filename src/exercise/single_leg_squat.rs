//! Single-leg squat / step-down, filmed from the front: the stance knee is judged against the
//! step-down valgus limit, with the knee's travel over the foot, the pelvis, and knee-over-toe.

use super::{Exercise, LegMode, RepSignal};
use crate::judge::{checks, BodyPeak, Flag, LegPeak, Measure, Thresholds, ValgusBand};

pub struct SingleLegSquat;

/// The normal FPPA band valgus is judged against.
const VALGUS_BAND: ValgusBand = ValgusBand::StepDown;

impl Exercise for SingleLegSquat {
    fn name(&self) -> &'static str {
        "single-leg-squat"
    }
    fn title(&self) -> &'static str {
        "Single-leg squat / step-down"
    }
    fn cues(&self) -> &'static [&'static str] {
        &[
            "stand on one leg (on a step for the step-down), arms across the chest",
            "bend the standing knee slowly; tap the free heel down if on a step",
            "knee stays over the middle toes, not inside the foot",
            "keep the hips level",
        ]
    }
    fn filming(&self) -> &'static str {
        "camera in front at knee-to-hip height, 2–3 m away, still; both feet in frame"
    }
    fn legs(&self) -> LegMode {
        LegMode::Stance
    }
    fn rep_signal(&self) -> RepSignal {
        RepSignal::HipDescent
    }
    fn valgus_band(&self) -> Option<ValgusBand> {
        Some(VALGUS_BAND)
    }

    fn judged(&self) -> &'static [Measure] {
        &[
            Measure::Fppa,
            Measure::KneeFootOffset,
            Measure::PelvicDrop,
            Measure::KneeOverToe,
        ]
    }
    fn min_depth(&self, t: &Thresholds) -> f64 {
        t.single_leg_min_depth
    }
    fn cue(&self, flag: &Flag) -> &'static str {
        match flag {
            Flag::KneePastToe { .. } => "knee past the toes: sit the hips back",
            other => other.cue(),
        }
    }

    fn judge(&self, peaks: &[LegPeak], body: &BodyPeak, t: &Thresholds) -> Vec<Flag> {
        let mut flags = Vec::new();
        for p in peaks {
            flags.extend(checks::valgus(p, VALGUS_BAND, t));
            flags.extend(checks::knee_medial_to_foot(p, t));
            flags.extend(checks::pelvic_drop(body, p.leg, t));
            flags.extend(checks::knee_past_toe(p, t));
        }
        flags
    }
}
