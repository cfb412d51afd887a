//! Single-leg bridge: lying on the back, one foot on the floor, the other leg held up; a rep is
//! the hip lifting until shoulder, hip and knee line up, and lowering. Filmed from the feet: a
//! level pelvis and the standing knee over its foot; from the side: hip extension at the top.

use super::{Exercise, LegMode, RepSignal};
use crate::judge::checks::{self, JudgeAt};
use crate::judge::{BodyPeak, Flag, LegPeak, Measure, Thresholds};

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
        "camera at the feet, low (20–40 cm), 2–3 m away, looking up the body, for pelvis and knee; or side-on at floor height for hip extension; hips, knees and shoulders in frame"
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
    fn cue(&self, flag: &Flag) -> &'static str {
        match flag {
            Flag::KneeMedialToFoot { .. } => "standing knee falling in: point it up over the foot",
            Flag::HipLiftLow { .. } => "push through the heel: lift the hip into line",
            Flag::PelvicDrop { .. } => "keep the pelvis level: lift the low side",
            other => other.cue(),
        }
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
