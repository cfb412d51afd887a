//! Side (lateral) step-up: the foot on the step stays there, the other taps the floor; a rep is
//! the hip rising to standing on the step and coming back down. From the front the stepping
//! knee is judged for valgus at its deepest measurable bend; from the side, past the toes.

use super::{Exercise, LegMode, RepSignal};
use crate::judge::{checks, BodyPeak, Flag, LegPeak, Measure, Thresholds, ValgusBand};

pub struct SideStepUp;

/// The normal FPPA band valgus is judged against.
const VALGUS_BAND: ValgusBand = ValgusBand::SingleLeg;

impl Exercise for SideStepUp {
    fn name(&self) -> &'static str {
        "side-step-up"
    }
    fn title(&self) -> &'static str {
        "Side step-up"
    }
    fn cues(&self) -> &'static [&'static str] {
        &[
            "stand side-on to a low step with the near foot on it",
            "push through the heel on the step until the knee is straight; the other foot lifts",
            "lower slowly until the free foot taps the floor",
            "knee over the middle toes; keep the hips level",
        ]
    }
    fn filming(&self) -> &'static str {
        "camera in front at knee-to-hip height, 3 m away, still, for valgus; or side-on for knee over toe; the step and both feet in frame"
    }
    fn legs(&self) -> LegMode {
        LegMode::Stance
    }
    fn rep_signal(&self) -> RepSignal {
        RepSignal::HipRise
    }
    fn valgus_band(&self) -> Option<ValgusBand> {
        Some(VALGUS_BAND)
    }

    fn judged(&self) -> &'static [Measure] {
        &[Measure::Fppa, Measure::PelvicDrop, Measure::KneeOverToe]
    }
    fn min_depth(&self, t: &Thresholds) -> f64 {
        t.step_up_min_rise
    }
    fn cue(&self, flag: &Flag) -> &'static str {
        match flag {
            Flag::KneePastToe { .. } => "knee past the toes: whole foot on the step, hips back",
            other => other.cue(),
        }
    }

    fn judge(&self, peaks: &[LegPeak], body: &BodyPeak, t: &Thresholds) -> Vec<Flag> {
        let mut flags = Vec::new();
        for p in peaks {
            flags.extend(checks::valgus(p, VALGUS_BAND, t));
            flags.extend(checks::pelvic_drop(body, p.leg, t));
            flags.extend(checks::knee_past_toe(p, t));
        }
        flags
    }
}
