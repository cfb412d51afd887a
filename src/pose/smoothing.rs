//! Landmark smoothing as MediaPipe's `pose_landmark_filtering.pbtxt` wires it: visibility
//! low-pass (α 0.1) and One Euro filters on the 33 landmarks (min_cutoff 0.05, beta 80,
//! derivate_cutoff 1, speed scaled by the person's size), the 2 auxiliary landmarks (0.01, 10, 1;
//! always on, since they steer tracking) and the world landmarks (0.1, 40, 1, no size scaling).
//! Which filters forget their state on a frame without a pose also follows the graph. Pure.

use super::one_euro::{LowPassFilter, OneEuroFilter, OneEuroSettings};
use super::projection::{AuxLandmarks, ModelPose};
use super::roi::{Roi, ROI_TARGET_ANGLE};
use crate::landmarks::{Landmark, LANDMARK_COUNT};

/// `VisibilitySmoothingCalculator`'s `low_pass_filter { alpha: 0.1 }`.
pub const VISIBILITY_ALPHA: f64 = 0.1;
/// `LandmarksSmoothingCalculator` default `frequency` (Hz), used until two frames give a rate.
const DEFAULT_FREQUENCY: f64 = 30.0;
/// `min_allowed_object_scale` default: a smaller person is passed through unfiltered.
const MIN_OBJECT_SCALE: f64 = 1e-6;

pub const LANDMARK_FILTER: OneEuroSettings = OneEuroSettings {
    frequency: DEFAULT_FREQUENCY,
    min_cutoff: 0.05,
    beta: 80.0,
    derivate_cutoff: 1.0,
};
pub const AUX_FILTER: OneEuroSettings = OneEuroSettings {
    frequency: DEFAULT_FREQUENCY,
    min_cutoff: 0.01,
    beta: 10.0,
    derivate_cutoff: 1.0,
};
pub const WORLD_FILTER: OneEuroSettings = OneEuroSettings {
    frequency: DEFAULT_FREQUENCY,
    min_cutoff: 0.1,
    beta: 40.0,
    derivate_cutoff: 1.0,
};

/// x, y, z filters for a set of points, created on first use like MediaPipe's.
#[derive(Debug, Clone)]
struct PointFilters {
    settings: OneEuroSettings,
    filters: Vec<[OneEuroFilter; 3]>,
}

impl PointFilters {
    fn new(settings: OneEuroSettings) -> Self {
        PointFilters {
            settings,
            filters: Vec::new(),
        }
    }

    fn reset(&mut self) {
        self.filters.clear();
    }

    /// Filters `points` (x, y, z in one unit) in place. The settings are constants checked by
    /// the tests, so creating a filter cannot fail; should it, the points pass unfiltered.
    fn apply(&mut self, time_s: f64, value_scale: f64, points: &mut [[f64; 3]]) {
        if self.filters.len() != points.len() {
            let Ok(one) = OneEuroFilter::new(self.settings) else {
                return;
            };
            self.filters = vec![[one.clone(), one.clone(), one]; points.len()];
        }
        for (p, f) in points.iter_mut().zip(self.filters.iter_mut()) {
            for (v, fv) in p.iter_mut().zip(f.iter_mut()) {
                *v = fv.apply(time_s, *v, value_scale);
            }
        }
    }
}

fn lowpass_bank(n: usize) -> Vec<LowPassFilter> {
    vec![LowPassFilter::new(VISIBILITY_ALPHA); n]
}

/// The filtering stage of the pose graph, for one tracked person.
#[derive(Debug, Clone)]
pub struct PoseSmoother {
    /// `smooth_landmarks`: off leaves landmarks and world landmarks raw (aux stay filtered).
    enabled: bool,
    visibility: Vec<LowPassFilter>,
    landmarks: PointFilters,
    world_visibility: Vec<LowPassFilter>,
    world: PointFilters,
    aux_visibility: Vec<LowPassFilter>,
    aux: PointFilters,
}

impl PoseSmoother {
    pub fn new(enabled: bool) -> Self {
        PoseSmoother {
            enabled,
            visibility: lowpass_bank(LANDMARK_COUNT),
            landmarks: PointFilters::new(LANDMARK_FILTER),
            world_visibility: lowpass_bank(LANDMARK_COUNT),
            world: PointFilters::new(WORLD_FILTER),
            aux_visibility: lowpass_bank(2),
            aux: PointFilters::new(AUX_FILTER),
        }
    }

    /// Forgets everything (new clip, stream reconnect).
    pub fn reset(&mut self) {
        *self = PoseSmoother::new(self.enabled);
    }

    /// A frame without a pose. In MediaPipe's graph only the calculators that also take the
    /// image size run on such a frame, and they reset: the landmark and aux One Euro filters.
    /// The visibility filters and the world-landmark filter keep their state.
    pub fn missed(&mut self) {
        self.landmarks.reset();
        self.aux.reset();
    }

    /// Smooths one frame's pose in place. `time_s` is the frame's time on the filter clock;
    /// `image_width` scales z to pixels as MediaPipe does before filtering.
    pub fn apply(&mut self, time_s: f64, image_width: u32, pose: &mut ModelPose) {
        // The person's size, from the raw aux landmarks: the filters see speeds in "bodies per
        // second", so near and far people are smoothed alike.
        let (c, s) = pose.aux.points();
        let object_scale = Roi::from_alignment_points(c, s, ROI_TARGET_ANGLE).size;
        let w = image_width as f64;

        if self.enabled {
            smooth_visibility(&mut self.visibility, &mut pose.landmarks);
            if object_scale >= MIN_OBJECT_SCALE {
                let mut pts: Vec<[f64; 3]> =
                    pose.landmarks.iter().map(|l| [l.x, l.y, l.z * w]).collect();
                self.landmarks.apply(time_s, 1.0 / object_scale, &mut pts);
                for (l, p) in pose.landmarks.iter_mut().zip(&pts) {
                    (l.x, l.y, l.z) = (p[0], p[1], p[2] / w);
                }
            }
            for (wl, f) in pose.world.iter_mut().zip(self.world_visibility.iter_mut()) {
                wl.visibility = f.apply(wl.visibility);
            }
            let mut pts: Vec<[f64; 3]> = pose.world.iter().map(|l| [l.x, l.y, l.z]).collect();
            self.world.apply(time_s, 1.0, &mut pts);
            for (l, p) in pose.world.iter_mut().zip(&pts) {
                (l.x, l.y, l.z) = (p[0], p[1], p[2]);
            }
        }

        let AuxLandmarks {
            hip_center,
            body_scale,
        } = &mut pose.aux;
        let mut aux = [*hip_center, *body_scale];
        smooth_visibility(&mut self.aux_visibility, &mut aux);
        if object_scale >= MIN_OBJECT_SCALE {
            let mut pts: Vec<[f64; 3]> = aux.iter().map(|l| [l.x, l.y, l.z * w]).collect();
            self.aux.apply(time_s, 1.0 / object_scale, &mut pts);
            for (l, p) in aux.iter_mut().zip(&pts) {
                (l.x, l.y, l.z) = (p[0], p[1], p[2] / w);
            }
        }
        (*hip_center, *body_scale) = (aux[0], aux[1]);
    }
}

fn smooth_visibility(filters: &mut [LowPassFilter], landmarks: &mut [Landmark]) {
    for (l, f) in landmarks.iter_mut().zip(filters.iter_mut()) {
        l.visibility = f.apply(l.visibility);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landmarks::WorldLandmark;

    fn pose_at(x: f64, visibility: f64) -> ModelPose {
        let lm = Landmark {
            x,
            y: 100.0,
            z: 0.0,
            visibility,
            presence: 1.0,
        };
        ModelPose {
            landmarks: [lm; LANDMARK_COUNT],
            aux: AuxLandmarks {
                hip_center: Landmark { x, ..lm },
                body_scale: Landmark {
                    x,
                    y: 0.0, // 100 px above: a person 200 px across
                    ..lm
                },
            },
            world: [WorldLandmark {
                x: x / 100.0,
                y: 0.0,
                z: 0.0,
                visibility,
            }; LANDMARK_COUNT],
        }
    }

    #[test]
    fn all_filters_have_valid_settings() {
        for s in [LANDMARK_FILTER, AUX_FILTER, WORLD_FILTER] {
            assert!(OneEuroFilter::new(s).is_ok());
        }
    }

    #[test]
    fn first_frame_passes_through_then_jitter_is_damped() {
        let mut sm = PoseSmoother::new(true);
        let mut p = pose_at(100.0, 1.0);
        sm.apply(0.0, 640, &mut p);
        assert_eq!(p.landmarks[0].x, 100.0);
        let mut p = pose_at(101.0, 0.0);
        sm.apply(1.0 / 30.0, 640, &mut p);
        let x = p.landmarks[0].x;
        assert!(x > 100.0 && x < 101.0, "{x}");
        // Visibility: 0.1·0 + 0.9·1.
        assert!((p.landmarks[0].visibility - 0.9).abs() < 1e-12);
        assert!((p.world[0].visibility - 0.9).abs() < 1e-12);
        assert!(p.aux.hip_center.x > 100.0 && p.aux.hip_center.x < 101.0);
    }

    #[test]
    fn speed_is_measured_in_body_sizes() {
        // The same 1 % of body size jitter is damped alike at two scales.
        let run = |scale: f64| {
            let mut sm = PoseSmoother::new(true);
            let mut out = 0.0;
            for (i, x) in [0.0, 2.0, 0.0, 2.0].iter().enumerate() {
                let mut p = pose_at(x * scale, 1.0);
                p.aux.body_scale.y = 100.0 - 100.0 * scale;
                sm.apply(i as f64 / 30.0, 640, &mut p);
                out = p.landmarks[0].x / scale;
            }
            out
        };
        assert!((run(1.0) - run(3.0)).abs() < 1e-9);
    }

    #[test]
    fn disabled_leaves_landmarks_raw_but_filters_aux() {
        let mut sm = PoseSmoother::new(false);
        let mut p = pose_at(100.0, 1.0);
        sm.apply(0.0, 640, &mut p);
        let mut p = pose_at(110.0, 0.0);
        sm.apply(1.0 / 30.0, 640, &mut p);
        assert_eq!(p.landmarks[0].x, 110.0);
        assert_eq!(p.landmarks[0].visibility, 0.0);
        assert_eq!(p.world[0].x, 1.1);
        assert!(p.aux.hip_center.x < 110.0);
    }

    #[test]
    fn missed_frame_restarts_landmark_filters_but_not_visibility() {
        let mut sm = PoseSmoother::new(true);
        let mut p = pose_at(100.0, 1.0);
        sm.apply(0.0, 640, &mut p);
        sm.missed();
        let mut p = pose_at(150.0, 0.0);
        sm.apply(2.0 / 30.0, 640, &mut p);
        assert_eq!(p.landmarks[0].x, 150.0);
        assert_eq!(p.aux.hip_center.x, 150.0);
        assert!((p.landmarks[0].visibility - 0.9).abs() < 1e-12);
        // The world filter carries on, as in MediaPipe's graph.
        assert!(p.world[0].x < 1.5);
    }
}
