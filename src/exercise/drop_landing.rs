//! Drop landing (both legs), the drop vertical jump's landing: step off a box, land on both feet
//! and absorb. From the front both knees are judged for valgus against the drop-jump band; from
//! the side the knee bend, for a stiff landing. Reps are counted on the hip's height over the
//! feet, so the drop itself is not depth; a movement only counts when the feet stood still on
//! something higher before it (hops in place and squats are not drop landings), or when the
//! body was first seen already landed.

use super::{Exercise, LegMode, RepSignal};
use crate::geometry::{FrameMeasures, Leg};
use crate::judge::checks::{self, RepWindow};
use crate::judge::{BodyPeak, Flag, LegPeak, Measure, Thresholds, ValgusBand};

pub struct DropLanding;

/// The normal FPPA band valgus is judged against: Herrington & Munro's is a drop jump's.
const VALGUS_BAND: ValgusBand = ValgusBand::Bilateral;

/// Feet standing still move less than this in the picture, leg lengths (formcheck rule: three
/// times the landmarks' jitter at rest, half the heel rise of the shared squats).
const FEET_STILL: f64 = 0.03;

impl Exercise for DropLanding {
    fn name(&self) -> &'static str {
        "drop-landing"
    }
    fn title(&self) -> &'static str {
        "Drop landing (both legs)"
    }
    fn cues(&self) -> &'static [&'static str] {
        &[
            "stand still on a box (about 30 cm), feet hip-width apart",
            "step off; do not jump up or down",
            "land on both feet at once, softly: bend the knees and hips",
            "knees over the middle toes: they should not cave in",
        ]
    }
    fn filming(&self) -> &'static str {
        "camera in front at knee-to-hip height, 3–4 m away, still, for valgus (or side-on for the knee bend); the box and the landing spot in frame"
    }
    fn legs(&self) -> LegMode {
        LegMode::Both
    }
    fn rep_signal(&self) -> RepSignal {
        RepSignal::HipOverFeet
    }
    fn valgus_band(&self) -> Option<ValgusBand> {
        Some(VALGUS_BAND)
    }

    fn judged(&self) -> &'static [Measure] {
        &[
            Measure::Fppa,
            Measure::KneeAnkleRatio,
            Measure::KneeFootOffset,
            Measure::KneeFlexion,
        ]
    }
    fn cue(&self, flag: &Flag) -> &'static str {
        match flag {
            Flag::KneesInsideAnkles { .. } => {
                "knees closer than the feet on landing: push them apart"
            }
            other => other.cue(),
        }
    }
    fn min_depth(&self, t: &Thresholds) -> f64 {
        t.landing_min_depth
    }

    fn accept(&self, w: &RepWindow, _legs: &[Leg], t: &Thresholds) -> Result<(), String> {
        // Picked up already landed (the jumper was lost in the air): the drop was not seen, and
        // nothing says it was not one.
        if w.picked_up_in_window {
            return Ok(());
        }
        let landed = w
            .frames
            .get(w.bottom)
            .and_then(|f| f.feet_height.get())
            .ok_or_else(|| {
                "not judged as a landing: the feet were not seen at the bottom".to_string()
            })?;
        let before: Vec<&FrameMeasures> = w.lead_in.iter().chain(&w.frames[..w.bottom]).collect();
        let stood_above = last_stance(&before, t.landing_stance_s, |level| {
            level - landed >= t.landing_min_drop
        });
        if stood_above.is_some() {
            return Ok(());
        }
        match last_stance(&before, t.landing_stance_s, |_| true) {
            Some(level) => Err(format!(
                "not a drop landing: the feet landed {:.2} leg lengths below where they stood (a \
                 drop is at least {:.2}): a squat or a jump in place",
                level - landed,
                t.landing_min_drop
            )),
            None => Err(format!(
                "not a drop landing: they were not seen standing still for {:.1} s before it (a \
                 run of hops, or the video starts mid-jump)",
                t.landing_stance_s
            )),
        }
    }

    fn judge(&self, peaks: &[LegPeak], body: &BodyPeak, t: &Thresholds) -> Vec<Flag> {
        let mut flags = checks::bilateral_valgus(peaks, body, VALGUS_BAND, t);
        flags.extend(peaks.iter().filter_map(|p| checks::stiff_landing(p, t)));
        flags
    }
}

/// The feet's level in the latest stretch of at least `min_s` seconds in which they stood still
/// (consecutive frames with the feet seen) at a level `wanted` accepts.
fn last_stance(frames: &[&FrameMeasures], min_s: f64, wanted: impl Fn(f64) -> bool) -> Option<f64> {
    let feet: Vec<Option<f64>> = frames.iter().map(|f| f.feet_height.get()).collect();
    for end in (0..frames.len()).rev() {
        let Some(first) = feet[end] else { continue };
        let (mut lo, mut hi) = (first, first);
        for start in (0..=end).rev() {
            let Some(h) = feet[start] else { break };
            lo = lo.min(h);
            hi = hi.max(h);
            if hi - lo > FEET_STILL {
                break;
            }
            let level = (lo + hi) / 2.0;
            if frames[end].time_s - frames[start].time_s >= min_s && wanted(level) {
                return Some(level);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::geometry::{measure, MeasureContext, Measured};
    use crate::landmarks::PoseFrame;

    /// Frames 0.1 s apart with only the feet's height known.
    fn feet(values: &[f64]) -> Vec<FrameMeasures> {
        let ctx = MeasureContext::default();
        values
            .iter()
            .enumerate()
            .map(|(i, &h)| {
                let frame = PoseFrame {
                    camera: Default::default(),
                    index: i as u64,
                    time_s: i as f64 / 10.0,
                    image_width: 640,
                    image_height: 480,
                    pose: None,
                };
                let mut f = measure(&frame, &ctx);
                f.feet_height = Measured::Value(h);
                f
            })
            .collect()
    }

    #[test]
    fn a_stance_is_the_latest_still_stretch_long_enough() {
        // Still at 1.0 for 0.6 s, falling, still at 0.6 for 0.3 s.
        let frames = feet(&[
            1.0, 1.0, 1.01, 1.0, 1.0, 1.0, 1.0, 0.9, 0.7, 0.6, 0.6, 0.6, 0.6,
        ]);
        let refs: Vec<&FrameMeasures> = frames.iter().collect();
        assert_eq!(last_stance(&refs, 0.5, |_| true), Some(1.005));
        assert_eq!(last_stance(&refs, 0.25, |_| true), Some(0.6));
        assert_eq!(last_stance(&refs, 0.25, |l| l > 0.8), Some(1.0));
        assert_eq!(last_stance(&refs, 1.0, |_| true), None);
    }
}
