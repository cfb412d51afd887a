//! Stationary lunge (split squat), filmed from the front: the front knee is judged, left or
//! right, against the single-leg valgus band, with its travel over the foot and past the toes.

use super::{Exercise, LegMode, RepSignal};
use crate::geometry::View;
use crate::judge::{checks, Flag, Measure, Thresholds, ValgusBand};
use crate::reps::{BodyPeak, LegPeak};

pub struct StationaryLunge;

/// The normal FPPA band valgus is judged against.
const VALGUS_BAND: ValgusBand = ValgusBand::SingleLeg;

impl Exercise for StationaryLunge {
    fn name(&self) -> &'static str {
        "lunge"
    }
    fn title(&self) -> &'static str {
        "Stationary lunge"
    }
    fn cues(&self) -> &'static [&'static str] {
        &[
            "split stance, feet hip-width apart sideways; the feet stay put",
            "lower the back knee towards the floor, trunk upright",
            "front knee over the middle toes, not caving in",
            "do all reps on one side, then switch (or say which with --side)",
        ]
    }
    fn filming(&self) -> &'static str {
        "camera in front at hip height, 3 m away, still; both feet in frame"
    }
    fn view(&self) -> View {
        View::Frontal
    }
    fn legs(&self) -> LegMode {
        LegMode::Front
    }
    fn rep_signal(&self) -> RepSignal {
        RepSignal::HipDescent
    }
    fn valgus_band(&self) -> Option<ValgusBand> {
        Some(VALGUS_BAND)
    }

    fn judged(&self) -> &'static [Measure] {
        &[Measure::Fppa, Measure::KneeFootOffset, Measure::KneeOverToe]
    }
    fn min_depth(&self, t: &Thresholds) -> f64 {
        t.single_leg_min_depth
    }

    fn judge(&self, peaks: &[LegPeak], _body: &BodyPeak, t: &Thresholds) -> Vec<Flag> {
        let mut flags = Vec::new();
        for p in peaks {
            flags.extend(checks::valgus(p, VALGUS_BAND, t));
            flags.extend(checks::knee_medial_to_foot(p, t));
            flags.extend(checks::knee_past_toe(p, t));
        }
        flags
    }
}
