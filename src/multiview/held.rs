//! Each camera's FPPA, with the error bound its own analysis gives it, held against the knee's
//! triangulated frontal-plane angle: does the bound cover the 2-D angle's real error, and is it
//! sharp? The 3-D angle is itself built from BlazePose's landmarks, not from markers.

use serde::Serialize;

use super::validate::{Validation, View};
use crate::geometry::bounds::fppa_bound_deg;
use crate::geometry::{measure, FrameMeasures, Leg, MeasureContext};
use crate::judge::{Thresholds, ValgusBand};
use crate::stats::median;

/// One camera's leg-frames, as `triangulate --json` writes them.
#[derive(Debug, Clone, Serialize)]
pub struct HeldCamera {
    pub name: String,
    /// Turned from the body's frontal plane, by the calibration (median over the frames).
    pub turn_deg: Option<f64>,
    pub frames: Vec<HeldFrame>,
}

#[derive(Debug, Clone, Serialize)]
pub struct HeldFrame {
    pub frame: usize,
    pub legs: Vec<HeldLeg>,
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct HeldLeg {
    pub leg: Leg,
    pub fppa_2d_deg: f64,
    /// The bound the camera's own analysis gives this reading; `None` where it would not be
    /// judged (the bound reaches the limit, or is unknown).
    pub bound_deg: Option<f64>,
    pub fppa_3d_deg: f64,
    /// The bound whether or not it is under the limit (`None` beyond the truth model): how
    /// honest the bound is, judged or not.
    #[serde(skip)]
    pub any_bound_deg: Option<f64>,
}

/// What the figures say of one camera: over the judged leg-frames, and over every leg-frame
/// with a known bound.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HeldFigures {
    pub leg_frames: usize,
    pub judged: Coverage,
    pub bounded: Coverage,
}

/// Leg-frames, how many the bound covers (|2-D − 3-D| within it), and the medians of the bound
/// and of |2-D − 3-D|.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Coverage {
    pub count: usize,
    pub covered: usize,
    pub median_bound_deg: Option<f64>,
    pub median_error_deg: Option<f64>,
}

impl Coverage {
    fn of(pairs: &[(f64, f64)]) -> Coverage {
        let bounds: Vec<f64> = pairs.iter().map(|p| p.0).collect();
        let errors: Vec<f64> = pairs.iter().map(|p| p.1).collect();
        Coverage {
            count: pairs.len(),
            covered: pairs.iter().filter(|(b, e)| e <= b).count(),
            median_bound_deg: median(&bounds),
            median_error_deg: median(&errors),
        }
    }
}

/// The limit a bound must stay below for a reading to be judged: the single-leg band's, the
/// task of the calibrated trial (a single-leg balance).
pub fn limit_deg(t: &Thresholds) -> f64 {
    t.valgus_limit_deg(ValgusBand::SingleLeg)
}

/// Every camera's leg-frames with the bound its own per-frame turn estimate and knee bend give.
pub fn hold(v: &Validation, views: &[View], t: &Thresholds) -> Vec<HeldCamera> {
    let ctx: MeasureContext = t.measure_context();
    let limit = limit_deg(t);
    views
        .iter()
        .zip(&v.leg_frames)
        .zip(&v.cameras)
        .map(|((view, legs), figures)| {
            let mut frames: Vec<HeldFrame> = Vec::new();
            // The leg-frames come frame by frame: each frame is measured once, for both legs.
            let mut measured: Option<(usize, FrameMeasures)> = None;
            for lf in legs {
                let Some(pose) = view.at(lf.frame) else {
                    continue;
                };
                let m = match measured.take() {
                    Some((frame, m)) if frame == lf.frame => m,
                    _ => measure(pose, &ctx),
                };
                let bend = m.leg(lf.leg).knee_flexion_deg.get().map(|s| s.value);
                let bound = m
                    .turn_deg
                    .get()
                    .and_then(|turn| fppa_bound_deg(turn, bend, t.fppa_max_knee_flexion_deg));
                measured = Some((lf.frame, m));
                let leg = HeldLeg {
                    leg: lf.leg,
                    fppa_2d_deg: lf.fppa_2d_deg,
                    bound_deg: bound.filter(|b| *b < limit),
                    fppa_3d_deg: lf.fppa_3d_deg,
                    any_bound_deg: bound,
                };
                match frames.last_mut() {
                    Some(f) if f.frame == lf.frame => f.legs.push(leg),
                    _ => frames.push(HeldFrame {
                        frame: lf.frame,
                        legs: vec![leg],
                    }),
                }
            }
            HeldCamera {
                name: figures.name.clone(),
                turn_deg: figures.angle_to_frontal_deg,
                frames,
            }
        })
        .collect()
}

impl HeldCamera {
    pub fn figures(&self) -> HeldFigures {
        let legs: Vec<&HeldLeg> = self.frames.iter().flat_map(|f| &f.legs).collect();
        let pairs = |bound: fn(&HeldLeg) -> Option<f64>| -> Vec<(f64, f64)> {
            legs.iter()
                .filter_map(|l| Some((bound(l)?, (l.fppa_2d_deg - l.fppa_3d_deg).abs())))
                .collect()
        };
        HeldFigures {
            leg_frames: legs.len(),
            judged: Coverage::of(&pairs(|l| l.bound_deg)),
            bounded: Coverage::of(&pairs(|l| l.any_bound_deg)),
        }
    }
}
