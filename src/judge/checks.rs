//! The checks an exercise profile composes: each takes a rep's frames (a [`RepWindow`]) or the
//! peaks taken from them, and the thresholds, and gives a fault [`Flag`], a "not judged" note,
//! or nothing. Peak measures are taken at the moment the clinical definition names: FPPA at
//! peak knee flexion; extremes over the rep for knee travel; the turning point for planks and
//! bridges.

use crate::geometry::{FrameMeasures, Leg, Measured, NotJudged, Sourced};
use crate::reps::{BodyPeak, LegPeak, Moment};

use super::{Flag, Measure, Thresholds, ValgusBand};

/// The frames of one rep and where its turning point is.
#[derive(Debug, Clone, Copy)]
pub struct RepWindow<'a> {
    pub frames: &'a [FrameMeasures],
    /// Index into `frames` of the turning point.
    pub bottom: usize,
}

impl RepWindow<'_> {
    fn moment(&self, i: usize) -> Moment {
        let f = &self.frames[i.min(self.frames.len().saturating_sub(1))];
        Moment {
            frame: f.frame,
            time_s: f.time_s,
        }
    }

    fn bottom_frame(&self) -> Option<&FrameMeasures> {
        self.frames.get(self.bottom)
    }
}

/// The first reason found, or "not seen" when the window is empty.
fn first_reason<T>(values: impl Iterator<Item = Measured<T>>) -> NotJudged {
    values
        .filter_map(|m| m.reason())
        .next()
        .unwrap_or(NotJudged::NotSeenInRep)
}

/// Largest value of a measure over the window, or why there is none.
fn max_over<T: Copy>(
    w: &RepWindow,
    get: impl Fn(&FrameMeasures) -> Measured<T>,
    key: impl Fn(&T) -> f64,
) -> Measured<T> {
    let best = w
        .frames
        .iter()
        .filter_map(|f| get(f).get())
        .max_by(|a, b| key(a).total_cmp(&key(b)));
    match best {
        Some(v) => Measured::Value(v),
        None => Measured::not_judged(first_reason(w.frames.iter().map(&get))),
    }
}

/// Index of peak knee flexion of `leg` in the window.
pub fn peak_flexion_index(w: &RepWindow, leg: Leg) -> Option<usize> {
    w.frames
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.leg(leg).knee_flexion_deg.get().map(|s| (i, s.value)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// When a rep's leg measures are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JudgeAt {
    /// At peak knee flexion (the FPPA definition; standing exercises).
    PeakKneeFlexion,
    /// At the rep's turning point (the top of a bridge).
    TurningPoint,
}

/// One leg's judged measures for the rep.
pub fn leg_peak(w: &RepWindow, leg: Leg, when: JudgeAt) -> LegPeak {
    let at = match when {
        JudgeAt::PeakKneeFlexion => peak_flexion_index(w, leg).unwrap_or(w.bottom),
        JudgeAt::TurningPoint => w.bottom,
    };
    let frame = w.frames.get(at).map(|f| f.leg(leg));
    let or_unseen =
        |m: Option<Measured<f64>>| m.unwrap_or(Measured::not_judged(NotJudged::NotSeenInRep));
    LegPeak {
        leg,
        at: w.moment(at),
        knee_flexion_deg: frame
            .map(|l| l.knee_flexion_deg)
            .unwrap_or(Measured::not_judged(NotJudged::NotSeenInRep)),
        fppa_deg: or_unseen(frame.map(|l| l.fppa_deg)),
        medial_offset: or_unseen(frame.map(|l| l.medial_offset)),
        knee_foot_offset: or_unseen(frame.map(|l| l.knee_foot_offset)),
        knee_over_toe: max_over(w, |f| f.leg(leg).knee_over_toe, |s: &Sourced| s.value),
    }
}

/// Whole-body measures for the rep.
pub fn body_peak(w: &RepWindow) -> BodyPeak {
    let unseen = || NotJudged::NotSeenInRep;
    let at_bottom = |get: &dyn Fn(&FrameMeasures) -> Measured<f64>| {
        w.bottom_frame()
            .map(get)
            .unwrap_or(Measured::not_judged(unseen()))
    };
    let rotation: Vec<f64> = w
        .frames
        .iter()
        .filter_map(|f| f.trunk_rotation_deg.get())
        .collect();
    let trunk_rotation_range_deg = if rotation.is_empty() {
        Measured::not_judged(first_reason(w.frames.iter().map(|f| f.trunk_rotation_deg)))
    } else {
        let (lo, hi) = rotation
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(*v), hi.max(*v))
            });
        Measured::Value(hi - lo)
    };
    BodyPeak {
        knee_ankle_ratio: at_bottom(&|f| f.knee_ankle_ratio),
        trunk_lean_deg: w
            .bottom_frame()
            .map(|f| f.trunk_lean_deg)
            .unwrap_or(Measured::not_judged(unseen())),
        pelvic_drop_deg: max_over(w, |f| f.pelvic_drop_deg, |v| v.abs()),
        body_line_deg: at_bottom(&|f| f.body_line_deg),
        hip_flexion_deg: w
            .bottom_frame()
            .map(|f| f.hip_flexion_deg)
            .unwrap_or(Measured::not_judged(unseen())),
        trunk_rotation_range_deg,
    }
}

fn note(measure: Measure, leg: Option<Leg>, reason: NotJudged) -> Option<Flag> {
    Some(Flag::NotJudged {
        measure,
        leg,
        reason,
    })
}

/// Peak FPPA (at peak knee flexion) above the task's band.
pub fn valgus(peak: &LegPeak, band: ValgusBand, t: &Thresholds) -> Option<Flag> {
    let limit = t.valgus_limit_deg(band);
    match peak.fppa_deg {
        Measured::Value(v) if v > limit => Some(Flag::Valgus {
            leg: peak.leg,
            peak_fppa_deg: v,
            threshold_deg: limit,
            band,
        }),
        Measured::Value(_) => None,
        Measured::NotJudged { not_judged: reason } => note(Measure::Fppa, Some(peak.leg), reason),
    }
}

/// Bilateral: knees closer together than the ankles allow at the bottom.
pub fn knees_inside_ankles(body: &BodyPeak, t: &Thresholds) -> Option<Flag> {
    match body.knee_ankle_ratio {
        Measured::Value(r) if r < t.knee_ankle_ratio_min => Some(Flag::KneesInsideAnkles {
            knee_ankle_ratio: r,
            threshold: t.knee_ankle_ratio_min,
        }),
        Measured::Value(_) => None,
        Measured::NotJudged { not_judged: reason } => note(Measure::KneeAnkleRatio, None, reason),
    }
}

/// The knee travelled medial to the foot.
pub fn knee_medial_to_foot(peak: &LegPeak, t: &Thresholds) -> Option<Flag> {
    match peak.knee_foot_offset {
        Measured::Value(o) if o > t.knee_medial_to_foot => Some(Flag::KneeMedialToFoot {
            leg: peak.leg,
            offset: o,
            threshold: t.knee_medial_to_foot,
        }),
        Measured::Value(_) => None,
        Measured::NotJudged { not_judged: reason } => {
            note(Measure::KneeFootOffset, Some(peak.leg), reason)
        }
    }
}

/// The knee went past the toe.
pub fn knee_past_toe(peak: &LegPeak, t: &Thresholds) -> Option<Flag> {
    match peak.knee_over_toe {
        Measured::Value(s) if s.value > t.knee_past_toe => Some(Flag::KneePastToe {
            leg: peak.leg,
            knee_over_toe: s.value,
            threshold: t.knee_past_toe,
            source: s.source,
        }),
        Measured::Value(_) => None,
        Measured::NotJudged { not_judged: reason } => {
            note(Measure::KneeOverToe, Some(peak.leg), reason)
        }
    }
}

/// The pelvis dropped on the free side while standing on `stance`.
pub fn pelvic_drop(body: &BodyPeak, stance: Leg, t: &Thresholds) -> Option<Flag> {
    let free = stance.other();
    match body.pelvic_drop_deg {
        Measured::Value(v) => {
            // + means the left hip is lower.
            let drop = match free {
                Leg::Left => v,
                Leg::Right => -v,
            };
            (drop > t.pelvic_drop_deg).then_some(Flag::PelvicDrop {
                leg: free,
                drop_deg: drop,
                threshold_deg: t.pelvic_drop_deg,
            })
        }
        Measured::NotJudged { not_judged: reason } => note(Measure::PelvicDrop, None, reason),
    }
}

/// Side plank: the hip below the shoulder–ankle line at the top.
pub fn hip_sag(body: &BodyPeak, t: &Thresholds) -> Option<Flag> {
    match body.body_line_deg {
        Measured::Value(v) if -v > t.hip_sag_deg => Some(Flag::HipSag {
            body_line_deg: v,
            threshold_deg: t.hip_sag_deg,
        }),
        Measured::Value(_) => None,
        Measured::NotJudged { not_judged: reason } => note(Measure::BodyLine, None, reason),
    }
}

/// Bridge: the hip short of straight at the top.
pub fn hip_lift_low(body: &BodyPeak, t: &Thresholds) -> Option<Flag> {
    match body.hip_flexion_deg {
        Measured::Value(s) if s.value > t.bridge_top_hip_flexion_deg => Some(Flag::HipLiftLow {
            hip_flexion_deg: s.value,
            threshold_deg: t.bridge_top_hip_flexion_deg,
        }),
        Measured::Value(_) => None,
        Measured::NotJudged { not_judged: reason } => note(Measure::HipFlexion, None, reason),
    }
}

/// Side plank: the trunk rolled during the rep.
pub fn rocking(body: &BodyPeak, t: &Thresholds) -> Option<Flag> {
    match body.trunk_rotation_range_deg {
        Measured::Value(r) if r > t.rocking_deg => Some(Flag::Rocking {
            range_deg: r,
            threshold_deg: t.rocking_deg,
        }),
        Measured::Value(_) => None,
        Measured::NotJudged { not_judged: reason } => note(Measure::TrunkRotation, None, reason),
    }
}

/// Left and right peak FPPA differing by more than the threshold.
pub fn fppa_asymmetry(left: Option<f64>, right: Option<f64>, t: &Thresholds) -> Option<Flag> {
    let (l, r) = (left?, right?);
    let difference = (l - r).abs();
    (difference > t.asymmetry_fppa_deg).then_some(Flag::Asymmetry {
        measure: Measure::Fppa,
        left: l,
        right: r,
        difference,
        threshold: t.asymmetry_fppa_deg,
    })
}
