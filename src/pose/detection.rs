//! The pose detector's raw outputs → person detections, as MediaPipe's
//! `TensorsToDetectionsCalculator` (options from `pose_detection_cpu.pbtxt`) and
//! `NonMaxSuppressionCalculator` (weighted, IoU 0.3) do it. Pure arithmetic over plain slices;
//! coordinates stay normalised to the detector's letterboxed input until the caller maps them.

use super::anchors::Anchor;
use super::roi::Point;

/// Values per anchor in the box tensor: box (x, y, w, h) then 4 keypoints × (x, y).
pub const COORDS_PER_ANCHOR: usize = 12;
pub const KEYPOINTS: usize = 4;
/// The detector's input side in pixels; raw offsets are in these pixels.
pub const DETECTOR_INPUT: u32 = 224;
/// `min_score_thresh` in the pbtxt.
pub const MIN_SCORE: f64 = 0.5;
/// Raw scores are clipped to ±this before the sigmoid (`score_clipping_thresh`).
const SCORE_CLIP: f64 = 100.0;
/// `min_suppression_threshold`.
pub const NMS_IOU: f64 = 0.3;

/// Keypoint 0 is the hip centre, keypoint 1 a point on the circle enclosing the body: the two
/// alignment points the ROI is built from.
pub const KP_HIP_CENTER: usize = 0;
pub const KP_BODY_SCALE: usize = 1;

/// An axis-aligned box, normalised.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BBox {
    pub xmin: f64,
    pub ymin: f64,
    pub width: f64,
    pub height: f64,
}

impl BBox {
    fn area(&self) -> f64 {
        self.width * self.height
    }

    /// Intersection over union; 0 for boxes that do not overlap.
    pub fn iou(&self, other: &BBox) -> f64 {
        let ix = (self.xmin + self.width).min(other.xmin + other.width) - self.xmin.max(other.xmin);
        let iy =
            (self.ymin + self.height).min(other.ymin + other.height) - self.ymin.max(other.ymin);
        if ix <= 0.0 || iy <= 0.0 {
            return 0.0;
        }
        let inter = ix * iy;
        let union = self.area() + other.area() - inter;
        if union > 0.0 {
            inter / union
        } else {
            0.0
        }
    }
}

/// One person found by the detector.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Detection {
    /// Sigmoid of the raw score, in (0, 1).
    pub score: f64,
    pub bbox: BBox,
    pub keypoints: [Point; KEYPOINTS],
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DecodeError {
    #[error("detector output has {got} values, expected {expected} ({anchors} anchors)")]
    Shape {
        got: usize,
        expected: usize,
        anchors: usize,
    },
}

/// Decodes every anchor whose score reaches [`MIN_SCORE`]. `raw_boxes` is the `Identity` tensor
/// (anchors × 12, x/y/w/h order: `reverse_output_order: true`), `raw_scores` the `Identity_1`
/// logits. Offsets are in detector pixels relative to the anchor centre (anchors are 1×1).
pub fn decode(
    raw_boxes: &[f32],
    raw_scores: &[f32],
    anchors: &[Anchor],
) -> Result<Vec<Detection>, DecodeError> {
    let n = anchors.len();
    if raw_boxes.len() != n * COORDS_PER_ANCHOR || raw_scores.len() != n {
        return Err(DecodeError::Shape {
            got: raw_boxes.len() + raw_scores.len(),
            expected: n * (COORDS_PER_ANCHOR + 1),
            anchors: n,
        });
    }
    let scale = DETECTOR_INPUT as f64;
    let mut out = Vec::new();
    for (i, anchor) in anchors.iter().enumerate() {
        let score = sigmoid((raw_scores[i] as f64).clamp(-SCORE_CLIP, SCORE_CLIP));
        if score < MIN_SCORE {
            continue;
        }
        let raw = &raw_boxes[i * COORDS_PER_ANCHOR..(i + 1) * COORDS_PER_ANCHOR];
        let cx = raw[0] as f64 / scale + anchor.x_center;
        let cy = raw[1] as f64 / scale + anchor.y_center;
        let w = raw[2] as f64 / scale;
        let h = raw[3] as f64 / scale;
        // MediaPipe drops boxes with negative or NaN size.
        if !(w >= 0.0 && h >= 0.0) {
            continue;
        }
        let mut keypoints = [Point::default(); KEYPOINTS];
        for (k, kp) in keypoints.iter_mut().enumerate() {
            *kp = Point {
                x: raw[4 + 2 * k] as f64 / scale + anchor.x_center,
                y: raw[5 + 2 * k] as f64 / scale + anchor.y_center,
            };
        }
        out.push(Detection {
            score,
            bbox: BBox {
                xmin: cx - w / 2.0,
                ymin: cy - h / 2.0,
                width: w,
                height: h,
            },
            keypoints,
        });
    }
    Ok(out)
}

/// MediaPipe's weighted non-maximum suppression: take the best remaining detection, average it
/// with everything overlapping it by IoU > [`NMS_IOU`] (itself included), weighted by score; the
/// result keeps the best one's score. Returns detections best first.
pub fn weighted_nms(mut detections: Vec<Detection>) -> Vec<Detection> {
    // Stable sort by score, descending (MediaPipe sorts the same way; ties are vanishingly rare).
    detections.sort_by(|a, b| b.score.total_cmp(&a.score));
    let mut out = Vec::new();
    let mut remaining = detections;
    while let Some(best) = remaining.first().copied() {
        let (candidates, rest): (Vec<Detection>, Vec<Detection>) = remaining
            .into_iter()
            .partition(|d| d.bbox.iou(&best.bbox) > NMS_IOU);
        if candidates.is_empty() {
            // A zero-area best box overlaps nothing, itself included: MediaPipe emits it and
            // stops rather than loop.
            out.push(best);
            break;
        }
        let total: f64 = candidates.iter().map(|d| d.score).sum();
        let mut merged = best;
        if total > 0.0 {
            let (mut x0, mut y0, mut x1, mut y1) = (0.0, 0.0, 0.0, 0.0);
            let mut kps = [Point::default(); KEYPOINTS];
            for d in &candidates {
                x0 += d.bbox.xmin * d.score;
                y0 += d.bbox.ymin * d.score;
                x1 += (d.bbox.xmin + d.bbox.width) * d.score;
                y1 += (d.bbox.ymin + d.bbox.height) * d.score;
                for (acc, kp) in kps.iter_mut().zip(&d.keypoints) {
                    acc.x += kp.x * d.score;
                    acc.y += kp.y * d.score;
                }
            }
            merged.bbox = BBox {
                xmin: x0 / total,
                ymin: y0 / total,
                width: (x1 - x0) / total,
                height: (y1 - y0) / total,
            };
            for (m, acc) in merged.keypoints.iter_mut().zip(&kps) {
                *m = Point {
                    x: acc.x / total,
                    y: acc.y / total,
                };
            }
        }
        out.push(merged);
        remaining = rest;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn det(score: f64, xmin: f64, kp_x: f64) -> Detection {
        Detection {
            score,
            bbox: BBox {
                xmin,
                ymin: 0.0,
                width: 0.2,
                height: 0.2,
            },
            keypoints: [Point { x: kp_x, y: 0.5 }; KEYPOINTS],
        }
    }

    #[test]
    fn iou_of_known_boxes() {
        let a = BBox {
            xmin: 0.0,
            ymin: 0.0,
            width: 2.0,
            height: 1.0,
        };
        let b = BBox {
            xmin: 1.0,
            ymin: 0.0,
            width: 2.0,
            height: 1.0,
        };
        assert!((a.iou(&b) - 1.0 / 3.0).abs() < 1e-12);
        let far = BBox { xmin: 5.0, ..b };
        assert_eq!(a.iou(&far), 0.0);
    }

    #[test]
    fn decode_applies_anchor_offsets_scale_and_sigmoid() {
        let anchors = [
            Anchor {
                x_center: 0.25,
                y_center: 0.75,
            },
            Anchor {
                x_center: 0.5,
                y_center: 0.5,
            },
        ];
        let mut boxes = vec![0f32; 2 * COORDS_PER_ANCHOR];
        // Anchor 0: centre moved by (+22.4, -11.2) px, box 44.8 × 22.4 px, keypoint 0 at +0.
        boxes[0] = 22.4;
        boxes[1] = -11.2;
        boxes[2] = 44.8;
        boxes[3] = 22.4;
        boxes[6] = 112.0; // keypoint 1 x: +0.5
        let scores = [2.0f32, -3.0]; // sigmoid: 0.881 kept, 0.047 dropped
        let dets = decode(&boxes, &scores, &anchors).unwrap();
        assert_eq!(dets.len(), 1);
        let d = dets[0];
        assert!((d.score - 0.8807970779778823).abs() < 1e-9);
        assert!((d.bbox.xmin - (0.35 - 0.1)).abs() < 1e-6);
        assert!((d.bbox.ymin - (0.70 - 0.05)).abs() < 1e-6);
        assert!((d.bbox.width - 0.2).abs() < 1e-6);
        assert!((d.keypoints[0].x - 0.25).abs() < 1e-9);
        assert!((d.keypoints[1].x - 0.75).abs() < 1e-6);
        assert!((d.keypoints[1].y - 0.75).abs() < 1e-9);
    }

    #[test]
    fn decode_rejects_wrong_shapes() {
        let anchors = [Anchor {
            x_center: 0.5,
            y_center: 0.5,
        }];
        assert!(decode(&[0.0; 11], &[0.0], &anchors).is_err());
    }

    #[test]
    fn weighted_nms_stops_on_a_zero_area_box() {
        let mut flat = det(0.9, 0.0, 0.1);
        flat.bbox.width = 0.0;
        let out = weighted_nms(vec![flat, det(0.5, 0.5, 0.5)]);
        assert_eq!(out.len(), 1);
    }

    #[test]
    fn weighted_nms_averages_overlaps_and_keeps_separate_people() {
        let dets = vec![
            det(0.6, 0.02, 0.3), // overlaps the best one
            det(0.9, 0.0, 0.1),  // best
            det(0.8, 0.7, 0.9),  // someone else
        ];
        let out = weighted_nms(dets);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0].score, 0.9);
        // Keypoint x: (0.9·0.1 + 0.6·0.3) / 1.5 = 0.18; box xmin (0.9·0 + 0.6·0.02)/1.5.
        assert!((out[0].keypoints[0].x - 0.18).abs() < 1e-12);
        assert!((out[0].bbox.xmin - 0.008).abs() < 1e-12);
        assert!((out[0].bbox.width - 0.2).abs() < 1e-12);
        assert_eq!(out[1].score, 0.8);
        assert!((out[1].keypoints[0].x - 0.9).abs() < 1e-12);
    }
}
