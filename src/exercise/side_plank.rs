//! Side plank with hip lifts, filmed from the front: lying on one side on the forearm, a rep is
//! the hip lifting off the floor into line with shoulder and ankle and lowering again. Judged:
//! the hip reaching the line at the top (no sag), with how long the top was held. Trunk roll is
//! a 3-D estimate: shown, never judged.

use super::{Exercise, LegMode, RepSignal};
use crate::judge::checks::{self, JudgeAt};
use crate::judge::{BodyPeak, Flag, LegPeak, Measure, Thresholds};

pub struct SidePlank;

impl Exercise for SidePlank {
    fn name(&self) -> &'static str {
        "side-plank"
    }
    fn title(&self) -> &'static str {
        "Side plank (hip lifts)"
    }
    fn cues(&self) -> &'static [&'static str] {
        &[
            "lie on your side on the forearm, elbow under the shoulder, legs stacked",
            "lift the hip until shoulder, hip and ankle make a straight line",
            "lower with control until the hip nearly touches the floor",
            "stay stacked: do not roll forwards or backwards",
        ]
    }
    fn filming(&self) -> &'static str {
        "camera in front of the body (facing your chest) at floor-to-hip height, 3 m away; head to feet in frame"
    }
    fn legs(&self) -> LegMode {
        LegMode::Support
    }
    fn rep_signal(&self) -> RepSignal {
        RepSignal::HipLift
    }
    fn judged(&self) -> &'static [Measure] {
        &[Measure::BodyLine]
    }
    fn judge_at(&self) -> JudgeAt {
        // Judged at the top of the lift, where the hip is held up.
        JudgeAt::TurningPoint
    }
    fn min_depth(&self, t: &Thresholds) -> f64 {
        t.side_plank_min_lift_deg
    }

    fn judge(&self, _peaks: &[LegPeak], body: &BodyPeak, t: &Thresholds) -> Vec<Flag> {
        let mut flags = Vec::new();
        flags.extend(checks::hip_sag(body, t));
        flags
    }
}
