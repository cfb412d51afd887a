//! Stationary lunge (split squat): the front knee, left or right. From the front it is judged
//! against the single-leg valgus band and over the foot; from the side, past the toes.

use super::{Exercise, LegMode, RepSignal};
use crate::judge::{checks, BodyPeak, Flag, LegPeak, Measure, Thresholds, ValgusBand};

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
        "camera in front at hip height, 3 m away, still, for valgus; or side-on for knee over toe; both feet in frame"
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
    fn cue(&self, flag: &Flag) -> &'static str {
        match flag {
            Flag::KneePastToe { .. } => {
                "front knee past the toes: lower the back knee straight down"
            }
            Flag::Valgus { .. } | Flag::KneeMedialToFoot { .. } => {
                "front knee caving in: push it out over the little toe"
            }
            other => other.cue(),
        }
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
