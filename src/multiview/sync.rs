//! Synchronising calibrated views from the body itself: at the right frame offset the same
//! landmark seen by two cameras triangulates to one point that both cameras see where it is;
//! off by a frame or more, a moving body leaves the two rays apart and the reprojection error
//! grows. The offset with the smallest root-mean-square error wins: the square weighs the
//! moving joints, whose error grows with the offset, over the still ones, whose error does not
//! (a median picked offsets 5 frames out on the shared Pose2Sim trial; the RMS within a frame).

use nalgebra::Vector2;

use super::camera::Camera;
use super::triangulate::triangulate;
use super::validate::{pixel, View, SOLVED};

/// Fewer landmark pairs than this at an offset (the videos barely overlap there) do not count.
const MIN_PAIRS: usize = 60;

/// At an offset that counts, this share of the landmark pairs meets in front of both cameras
/// (formcheck rule: two views of one body always do; unrelated views' rays often cross behind).
const MIN_MET_FRACTION: f64 = 0.9;

/// The offset found for one view against the first.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Offset {
    /// The view's frame `f + frames` shows the moment the first view's frame `f` shows.
    pub frames: i64,
    /// Root-mean-square two-view reprojection error at that offset, pixels.
    pub rms_px: f64,
    /// The next best offset more than a frame away, and its RMS error.
    pub runner_up: Option<(i64, f64)>,
    /// The median RMS error over all offsets searched, over the best: how clearly the movement
    /// picked this offset (1 when every offset fits as well, as for views of different moments).
    pub contrast: f64,
}

/// RMS reprojection error of `other` against `reference` with `other` shifted by `offset`.
fn error_at(
    cameras: &[Camera],
    reference: &View,
    other: &View,
    offset: i64,
    min_visibility: f64,
) -> Option<f64> {
    let shifted = View { offset, ..*other };
    let mut errors = Vec::new();
    let mut pairs = 0usize;
    for f in 0..reference.frames.len() {
        let (Some(a), Some(b)) = (reference.at(f), shifted.at(f)) else {
            continue;
        };
        for &i in &SOLVED {
            let (Some(pa), Some(pb)) = (pixel(a, i, min_visibility), pixel(b, i, min_visibility))
            else {
                continue;
            };
            let seen: [(usize, Vector2<f64>); 2] = [(reference.camera, pa), (other.camera, pb)];
            pairs += 1;
            if let Some(t) = triangulate(cameras, &seen) {
                errors.push(t.used.iter().map(|(_, e)| *e).fold(0.0, f64::max));
            }
        }
    }
    if pairs < MIN_PAIRS || (errors.len() as f64) < MIN_MET_FRACTION * pairs as f64 {
        return None;
    }
    Some((errors.iter().map(|e| e * e).sum::<f64>() / errors.len() as f64).sqrt())
}

/// The offset of `other` against `reference`, searched over ±`max_offset` frames. `None` when
/// at no offset enough landmarks of the two views meet in front of both cameras.
pub fn find_offset(
    cameras: &[Camera],
    reference: &View,
    other: &View,
    max_offset: i64,
    min_visibility: f64,
) -> Option<Offset> {
    let scores: Vec<(i64, f64)> = (-max_offset..=max_offset)
        .filter_map(|k| Some((k, error_at(cameras, reference, other, k, min_visibility)?)))
        .collect();
    let &(frames, rms_px) = scores.iter().min_by(|a, b| a.1.total_cmp(&b.1))?;
    let runner_up = scores
        .iter()
        .filter(|(k, _)| (k - frames).abs() > 1)
        .min_by(|a, b| a.1.total_cmp(&b.1))
        .copied();
    let mut all: Vec<f64> = scores.iter().map(|(_, e)| *e).collect();
    all.sort_by(f64::total_cmp);
    let contrast = all[all.len() / 2] / rms_px.max(f64::EPSILON);
    Some(Offset {
        frames,
        rms_px,
        runner_up,
        contrast,
    })
}

#[cfg(test)]
mod tests {
    use super::super::camera::tests::camera_at;
    use super::*;
    use crate::landmarks::{Pose, PoseFrame};
    use nalgebra::Vector3;

    /// A body whose joints sway and bob, seen by `camera` from frame `first` of the motion on.
    fn filmed(camera: &Camera, first: usize, count: usize) -> Vec<PoseFrame> {
        (first..first + count)
            .map(|t| {
                let s = t as f64 * 0.15;
                let points: Vec<_> = SOLVED
                    .iter()
                    .enumerate()
                    .map(|(j, i)| {
                        let side = if j % 2 == 0 { 0.1 } else { -0.1 };
                        let p = Vector3::new(
                            side + 0.1 * (s + j as f64).sin(),
                            0.3 * j as f64 / 2.0 + 0.08 * (1.3 * s).cos(),
                            0.1 * (0.7 * s + j as f64).sin(),
                        );
                        let px = camera.project(&p).unwrap();
                        (*i, px.x, px.y)
                    })
                    .collect();
                PoseFrame {
                    camera: Default::default(),
                    index: (t - first) as u64,
                    time_s: (t - first) as f64 / 30.0,
                    image_width: 1080,
                    image_height: 1920,
                    pose: Some(Pose::from_points(&points, 1.0)),
                }
            })
            .collect()
    }

    #[test]
    fn a_view_started_later_is_found_that_many_frames_behind() {
        let cams = vec![camera_at("a", 0.0), camera_at("b", 70.0)];
        let a = filmed(&cams[0], 10, 120);
        // Camera b started 7 frames later: its frame f shows what a's frame f + 7 shows.
        let b = filmed(&cams[1], 17, 120);
        let (ra, rb) = (
            View {
                camera: 0,
                frames: &a,
                offset: 0,
            },
            View {
                camera: 1,
                frames: &b,
                offset: 0,
            },
        );
        let found = find_offset(&cams, &ra, &rb, 20, 0.5).unwrap();
        assert_eq!(found.frames, -7, "{found:?}");
        assert!(found.rms_px < 1e-6, "{found:?}");
        let (_, runner_up) = found.runner_up.unwrap();
        assert!(runner_up > 1.0, "{found:?}");
        // Unshifted, the same views are in step.
        let same = filmed(&cams[1], 10, 120);
        let rs = View {
            frames: &same,
            ..rb
        };
        assert_eq!(find_offset(&cams, &ra, &rs, 20, 0.5).unwrap().frames, 0);
        // A view in which nobody was seen gives no offset.
        let empty: Vec<PoseFrame> = b
            .iter()
            .map(|f| PoseFrame {
                camera: Default::default(),
                pose: None,
                ..f.clone()
            })
            .collect();
        let re = View {
            frames: &empty,
            ..rb
        };
        assert!(find_offset(&cams, &ra, &re, 20, 0.5).is_none());
    }
}
