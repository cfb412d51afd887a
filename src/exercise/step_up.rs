//! Side (lateral) step-up, filmed from the front: the foot on the step stays there, the other
//! taps the floor; a rep is the hip rising to standing on the step and coming back down. The
//! stepping knee is judged at its deepest bend, against the single-leg valgus band.

use super::{Exercise, LegMode, RepSignal};
use crate::geometry::View;
use crate::judge::{checks, Flag, Measure, Thresholds, ValgusBand};
use crate::reps::{BodyPeak, LegPeak};

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
        "camera in front at knee-to-hip height, 3 m away, still; the step and both feet in frame"
    }
    fn view(&self) -> View {
        View::Frontal
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
