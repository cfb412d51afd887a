//! Bilateral squat: from the front both knees are judged for valgus every rep; from the side
//! knee travel past the toes is shown, and is a fault only when the user asks for it. Reps are counted on hip
//! height; a movement only counts when the knees bend and the trunk stays upright enough to
//! be a squat rather than a stoop.

use super::{Exercise, LegMode, RepSignal};
use crate::geometry::Leg;
use crate::judge::checks::{self, RepWindow};
use crate::judge::{BodyPeak, Flag, LegPeak, Measure, Thresholds, ValgusBand};

pub struct Squat;

/// The normal FPPA band valgus is judged against.
const VALGUS_BAND: ValgusBand = ValgusBand::Bilateral;

impl Exercise for Squat {
    fn name(&self) -> &'static str {
        "squat"
    }
    fn title(&self) -> &'static str {
        "Squat (both legs)"
    }
    fn cues(&self) -> &'static [&'static str] {
        &[
            "feet hip-width apart, toes slightly out",
            "sit back and down; knees follow the middle toes",
            "keep the knees apart: they should not cave inwards",
            "stand all the way up between reps",
        ]
    }
    fn filming(&self) -> &'static str {
        "camera in front at hip height, 3–4 m away, still, for valgus (or side-on for knee travel); whole body and feet in frame"
    }
    fn legs(&self) -> LegMode {
        LegMode::Both
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
            Measure::KneeAnkleRatio,
            Measure::KneeFootOffset,
        ]
    }
    fn reported(&self) -> &'static [Measure] {
        &[Measure::KneeOverToe]
    }
    fn cue(&self, flag: &Flag) -> &'static str {
        match flag {
            Flag::KneePastToe { .. } => "knees past the toes: sit back",
            Flag::KneesInsideAnkles { .. } => "knees closer than the feet: push them apart",
            other => other.cue(),
        }
    }
    fn min_depth(&self, t: &Thresholds) -> f64 {
        t.squat_min_depth
    }
    fn counts_jumps(&self) -> bool {
        true
    }

    fn accept(&self, w: &RepWindow, legs: &[Leg], t: &Thresholds) -> Result<(), String> {
        let flexion = legs
            .iter()
            .filter_map(|&leg| {
                checks::peak_flexion_index(w, leg)
                    .and_then(|i| w.frames[i].leg(leg).knee_flexion_deg.get())
                    .map(|s| s.value)
            })
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
        if let Some(k) = flexion {
            if k < t.squat_min_knee_flexion_deg {
                return Err(format!(
                    "not a squat: the knees bent only {k:.0}° (a squat bends them at least {:.0}°)",
                    t.squat_min_knee_flexion_deg
                ));
            }
        }
        if let Some(rise) = checks::feet_rise(w) {
            let jumped = checks::jump(w, t.squat_max_feet_rise).is_some();
            if rise > t.squat_max_feet_rise && !jumped {
                return Err(format!(
                    "not a squat: the feet did not stay planted (the lower foot {rise:.2} leg \
                     lengths higher in the picture than at the bottom, limit {:.2}, and did not \
                     come back down): a step",
                    t.squat_max_feet_rise
                ));
            }
        }
        if let Some(lean) = w.frames.get(w.bottom).and_then(|f| f.trunk_lean_deg.get()) {
            if lean.value > t.squat_max_trunk_lean_deg {
                return Err(format!(
                    "not a squat: the trunk leaned {:.0}° at the bottom, a stoop (limit {:.0}°)",
                    lean.value, t.squat_max_trunk_lean_deg
                ));
            }
        }
        Ok(())
    }

    fn judge(&self, peaks: &[LegPeak], body: &BodyPeak, t: &Thresholds) -> Vec<Flag> {
        let mut flags = checks::bilateral_valgus(peaks, body, VALGUS_BAND, t);
        // Knee travel is shown, not judged, unless the user makes it a fault.
        if t.squat_knee_past_toe_fault >= 0.5 {
            for p in peaks {
                flags.extend(checks::knee_past_toe(p, t).filter(|f| f.is_fault()));
            }
        }
        flags
    }
}
