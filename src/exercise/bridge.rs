//! Single-leg bridge, filmed from the feet: lying on the back, one foot on the floor, the other
//! leg held up; a rep is the hip lifting until shoulder, hip and knee line up, and lowering.
//! Judged: hip extension at the top, a level pelvis, the standing knee over its foot.

use super::{Exercise, LegMode, RepSignal};
use crate::geometry::View;
use crate::judge::checks::{self, JudgeAt};
use crate::judge::{Flag, Measure, Thresholds};
use crate::reps::{BodyPeak, LegPeak};

pub struct SingleLegBridge;

impl Exercise for SingleLegBridge {
    fn name(&self) -> &'static str {
        "single-leg-bridge"
    }
    fn title(&self) -> &'static str {
        "Single-leg bridge"
    }
    fn cues(&self) -> &'static [&'static str] {
        &[
            "lie on your back, one foot flat on the floor, the other leg held up",
            "push through the heel and lift the hip until shoulder, hip and knee line up",
            "keep the pelvis level: the side of the lifted leg must not drop",
            "the standing knee points straight up, not inwards",
        ]
    }
    fn filming(&self) -> &'static str {
        "camera at the feet, low (20–40 cm), 2–3 m away, looking up the body; both hips and shoulders in frame. Needs 3-D landmarks for the hip angle"
    }
    fn view(&self) -> View {
        View::Frontal
    }
    fn legs(&self) -> LegMode {
        LegMode::Stance
    }
    fn rep_signal(&self) -> RepSignal {
        RepSignal::HipExtension
    }
    fn judged(&self) -> &'static [Measure] {
        &[
            Measure::HipFlexion,
            Measure::PelvicDrop,
            Measure::KneeFootOffset,
        ]
    }
    fn judge_at(&self) -> JudgeAt {
        // The standing knee's alignment matters at the top, where it holds the hip up.
        JudgeAt::TurningPoint
    }
    fn min_depth(&self, t: &Thresholds) -> f64 {
        t.bridge_min_lift_deg
    }

    fn judge(&self, peaks: &[LegPeak], body: &BodyPeak, t: &Thresholds) -> Vec<Flag> {
        let mut flags = Vec::new();
        flags.extend(checks::hip_lift_low(body, t));
        for p in peaks {
            flags.extend(checks::pelvic_drop(body, p.leg, t));
            flags.extend(checks::knee_medial_to_foot(p, t));
        }
        flags
    }
}
