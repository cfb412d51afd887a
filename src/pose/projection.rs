//! The landmark model's raw outputs → landmarks in the frame, as MediaPipe's
//! `TensorsToLandmarksCalculator` (39 landmarks, 256 px input, sigmoid visibility and presence),
//! `LandmarkProjectionCalculator` and `WorldLandmarkProjectionCalculator` do it, with the 33
//! body landmarks split from the 2 auxiliary ones the tracker uses. Pure arithmetic.

use super::roi::{Point, Roi};
use crate::landmarks::{Landmark, WorldLandmark, LANDMARK_COUNT};

/// The landmark model's input side in pixels.
pub const LANDMARK_INPUT: u32 = 256;
/// Landmarks the model outputs: 33 body, 2 auxiliary (hip centre, body-circle point), 4 unused.
pub const MODEL_LANDMARKS: usize = 39;
/// Values per landmark in `Identity`: x, y, z (input pixels), visibility and presence logits.
pub const LANDMARK_VALUES: usize = 5;
/// Values per landmark in `Identity_4`: x, y, z in metres.
pub const WORLD_VALUES: usize = 3;
/// Index of the first auxiliary landmark.
pub const AUX_FIRST: usize = 33;
/// The heatmap output (`Identity_3`): 64×64 cells × 39 channels, channels last.
pub const HEATMAP_SIDE: usize = 64;
/// `RefineLandmarksFromHeatmapCalculator`'s window. The pbtxt sets 7, but MediaPipe's Python API
/// (`mp.solutions.pose`, which made the reference files and which users compare against) copies
/// the graph config through Python protobuf without that calculator's options module, so the
/// option is dropped and the proto default, 9, runs. Checked on MediaPipe 0.10.21: the same
/// graph run from C++ config gives kernel-7 landmarks, the Python API kernel-9 ones.
const HEATMAP_KERNEL: usize = 9;
const HEATMAP_MIN_CONFIDENCE: f64 = 0.5;
/// `ThresholdingCalculator` on the pose-presence output: below this the frame has no pose.
pub const PRESENCE_THRESHOLD: f64 = 0.5;

/// The two auxiliary landmarks, frame pixels; they place the next frame's ROI.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AuxLandmarks {
    pub hip_center: Landmark,
    pub body_scale: Landmark,
}

impl AuxLandmarks {
    pub fn points(&self) -> (Point, Point) {
        (
            Point {
                x: self.hip_center.x,
                y: self.hip_center.y,
            },
            Point {
                x: self.body_scale.x,
                y: self.body_scale.y,
            },
        )
    }

    /// The ROI the next frame is cropped with (`pose_landmarks_to_roi.pbtxt`).
    pub fn next_roi(&self) -> Roi {
        let (c, s) = self.points();
        Roi::pose_roi(c, s)
    }
}

/// One frame's landmark-model result, mapped to the frame.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelPose {
    pub landmarks: [Landmark; LANDMARK_COUNT],
    pub aux: AuxLandmarks,
    pub world: [WorldLandmark; LANDMARK_COUNT],
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProjectionError {
    #[error("landmark model output has {got} values, expected {expected}")]
    Shape { got: usize, expected: usize },
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// `RefineLandmarksFromHeatmapCalculator`: each landmark (x, y in the crop's [0, 1]) moves to
/// the confidence-weighted mean of the 9×9 heatmap cells around it, when the most confident of
/// those cells reaches 0.5. Like MediaPipe, cells are weighted at their index (no half-cell
/// offset) and a landmark outside the heatmap is left alone. `heatmap` holds raw logits, HWC.
pub fn refine_from_heatmap(
    points: &mut [(f64, f64)],
    heatmap: &[f32],
) -> Result<(), ProjectionError> {
    let channels = points.len();
    let side = HEATMAP_SIDE;
    if heatmap.len() != side * side * channels {
        return Err(ProjectionError::Shape {
            got: heatmap.len(),
            expected: side * side * channels,
        });
    }
    let half = (HEATMAP_KERNEL - 1) / 2;
    for (c, p) in points.iter_mut().enumerate() {
        // C++ float → int conversion truncates toward zero; `as` does the same.
        let col = (p.0 * side as f64) as i64;
        let row = (p.1 * side as f64) as i64;
        if col < 0 || row < 0 || col >= side as i64 || row >= side as i64 {
            continue;
        }
        let (col, row) = (col as usize, row as usize);
        let (mut sum, mut wcol, mut wrow, mut max) = (0.0, 0.0, 0.0, 0.0f64);
        for r in row.saturating_sub(half)..(row + half + 1).min(side) {
            for k in col.saturating_sub(half)..(col + half + 1).min(side) {
                let confidence = sigmoid(heatmap[(r * side + k) * channels + c] as f64);
                sum += confidence;
                max = max.max(confidence);
                wcol += k as f64 * confidence;
                wrow += r as f64 * confidence;
            }
        }
        if max >= HEATMAP_MIN_CONFIDENCE && sum > 0.0 {
            *p = (wcol / side as f64 / sum, wrow / side as f64 / sum);
        }
    }
    Ok(())
}

/// Maps the model's `Identity` (39×5) and `Identity_4` (39×3) outputs for a crop taken with
/// `roi` back to a `image_width`-wide frame, refining x, y from the `Identity_3` heatmap first
/// when the model has it. x, y come out in frame pixels; z keeps MediaPipe's convention
/// (normalised by the frame width, origin at the hips); world landmarks are turned back by the
/// ROI's rotation and take the landmarks' visibility (`VisibilityCopyCalculator`).
pub fn project(
    raw_landmarks: &[f32],
    raw_world: &[f32],
    heatmap: Option<&[f32]>,
    roi: &Roi,
    image_width: u32,
) -> Result<ModelPose, ProjectionError> {
    let expected = MODEL_LANDMARKS * LANDMARK_VALUES;
    if raw_landmarks.len() != expected {
        return Err(ProjectionError::Shape {
            got: raw_landmarks.len(),
            expected,
        });
    }
    let expected_world = MODEL_LANDMARKS * WORLD_VALUES;
    if raw_world.len() != expected_world {
        return Err(ProjectionError::Shape {
            got: raw_world.len(),
            expected: expected_world,
        });
    }
    let input = LANDMARK_INPUT as f64;
    // z is normalised like x: by the input width, then scaled by the ROI's width in the frame.
    let z_scale = roi.size / image_width as f64 / input;
    let mut crop_xy: Vec<(f64, f64)> = raw_landmarks
        .chunks_exact(LANDMARK_VALUES)
        .map(|r| (r[0] as f64 / input, r[1] as f64 / input))
        .collect();
    if let Some(heatmap) = heatmap {
        refine_from_heatmap(&mut crop_xy, heatmap)?;
    }
    let landmark = |i: usize| {
        let r = &raw_landmarks[i * LANDMARK_VALUES..(i + 1) * LANDMARK_VALUES];
        let p = roi.project(crop_xy[i].0, crop_xy[i].1);
        Landmark {
            x: p.x,
            y: p.y,
            z: r[2] as f64 * z_scale,
            visibility: sigmoid(r[3] as f64),
            presence: sigmoid(r[4] as f64),
        }
    };
    let mut landmarks = [Landmark::default(); LANDMARK_COUNT];
    for (i, slot) in landmarks.iter_mut().enumerate() {
        *slot = landmark(i);
    }
    let aux = AuxLandmarks {
        hip_center: landmark(AUX_FIRST),
        body_scale: landmark(AUX_FIRST + 1),
    };
    let mut world = [WorldLandmark::default(); LANDMARK_COUNT];
    for (i, slot) in world.iter_mut().enumerate() {
        let r = &raw_world[i * WORLD_VALUES..(i + 1) * WORLD_VALUES];
        let (x, y) = roi.rotate_world(r[0] as f64, r[1] as f64);
        *slot = WorldLandmark {
            x,
            y,
            z: r[2] as f64,
            visibility: landmarks[i].visibility,
        };
    }
    Ok(ModelPose {
        landmarks,
        aux,
        world,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::f64::consts::PI;

    fn raw_with(i: usize, x: f32, y: f32, z: f32, vis: f32) -> Vec<f32> {
        let mut raw = vec![0f32; MODEL_LANDMARKS * LANDMARK_VALUES];
        raw[i * 5] = x;
        raw[i * 5 + 1] = y;
        raw[i * 5 + 2] = z;
        raw[i * 5 + 3] = vis;
        raw
    }

    #[test]
    fn centre_of_the_crop_lands_on_the_roi_centre() {
        let roi = Roi {
            center: Point { x: 400.0, y: 300.0 },
            size: 512.0,
            rotation: 0.8,
        };
        let raw = raw_with(25, 128.0, 128.0, 25.6, 0.0);
        let pose = project(&raw, &[0.0; 117], None, &roi, 800).unwrap();
        let knee = pose.landmarks[25];
        assert!((knee.x - 400.0).abs() < 1e-9 && (knee.y - 300.0).abs() < 1e-9);
        // z: 25.6 / 256 × (512 / 800) = 0.064.
        assert!((knee.z - 0.064).abs() < 1e-9);
        assert!((knee.visibility - 0.5).abs() < 1e-12);
    }

    #[test]
    fn unrotated_crop_scales_and_offsets() {
        let roi = Roi {
            center: Point { x: 100.0, y: 100.0 },
            size: 128.0,
            rotation: 0.0,
        };
        // Model pixel (0, 256) = crop's bottom-left = frame (36, 164).
        let raw = raw_with(0, 0.0, 256.0, 0.0, 10.0);
        let pose = project(&raw, &[0.0; 117], None, &roi, 640).unwrap();
        assert!((pose.landmarks[0].x - 36.0).abs() < 1e-9);
        assert!((pose.landmarks[0].y - 164.0).abs() < 1e-9);
        assert!(pose.landmarks[0].visibility > 0.9999);
    }

    #[test]
    fn rotated_crop_maps_model_up_to_the_roi_direction() {
        // Crop turned 90° clockwise: the model's "up" is the frame's +x.
        let roi = Roi {
            center: Point { x: 0.0, y: 0.0 },
            size: 256.0,
            rotation: PI / 2.0,
        };
        let mut raw = raw_with(AUX_FIRST + 1, 128.0, 0.0, 0.0, 0.0);
        raw[AUX_FIRST * 5] = 128.0;
        raw[AUX_FIRST * 5 + 1] = 128.0;
        let mut world = vec![0f32; 117];
        world[0] = 0.0;
        world[1] = -1.0; // nose 1 m "up" in the model's frame
        let pose = project(&raw, &world, None, &roi, 640).unwrap();
        assert!((pose.aux.body_scale.x - 128.0).abs() < 1e-9);
        assert!(pose.aux.body_scale.y.abs() < 1e-9);
        assert!((pose.world[0].x - 1.0).abs() < 1e-9 && pose.world[0].y.abs() < 1e-9);
        // The next ROI from these aux points: centre at the hip point, scale 1.25 × 2 × 128.
        let next = pose.aux.next_roi();
        assert!((next.size - 320.0).abs() < 1e-9);
        assert!((next.rotation - PI / 2.0).abs() < 1e-9);
    }

    #[test]
    fn heatmap_moves_a_landmark_to_the_weighted_cell_index() {
        // One channel; a confident blob over cells (col 10, 11) × row 20, equal weights.
        let side = HEATMAP_SIDE;
        let mut heatmap = vec![-20f32; side * side];
        heatmap[20 * side + 10] = 5.0;
        heatmap[20 * side + 11] = 5.0;
        // Landmark in cell (10, 20): refined to mean index 10.5 / 64, 20 / 64 (no half-cell
        // offset, as MediaPipe).
        let mut pts = [(10.7 / 64.0, 20.2 / 64.0)];
        refine_from_heatmap(&mut pts, &heatmap).unwrap();
        assert!((pts[0].0 - 10.5 / 64.0).abs() < 1e-6, "{pts:?}");
        assert!((pts[0].1 - 20.0 / 64.0).abs() < 1e-6, "{pts:?}");
    }

    #[test]
    fn heatmap_without_confidence_or_outside_leaves_landmarks() {
        let side = HEATMAP_SIDE;
        let heatmap = vec![-1f32; side * side * 2]; // sigmoid 0.27 < 0.5 everywhere
        let mut pts = [(0.3, 0.3), (1.2, 0.5)];
        refine_from_heatmap(&mut pts, &heatmap).unwrap();
        assert_eq!(pts, [(0.3, 0.3), (1.2, 0.5)]);
        assert!(refine_from_heatmap(&mut pts, &heatmap[1..]).is_err());
    }

    #[test]
    fn wrong_sizes_are_errors() {
        let roi = Roi::letterbox(10, 10);
        assert!(project(&[0.0; 194], &[0.0; 117], None, &roi, 10).is_err());
        assert!(project(&[0.0; 195], &[0.0; 116], None, &roi, 10).is_err());
    }
}
