//! Regions of interest: the rotated square a model looks at, in frame pixels. Built from two
//! alignment points (hip centre and a point on the body's enclosing circle) as MediaPipe's
//! `AlignmentPointsRectsCalculator` + `RectTransformationCalculator` do, turned into the affine
//! map OpenCV warps with, and used to project model outputs back to the frame
//! (`LandmarkProjectionCalculator`, `WorldLandmarkProjectionCalculator`). Pure arithmetic.

use std::f64::consts::PI;

/// A point in frame pixels (origin top-left, y down).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// A rotated square in frame pixels. `rotation` is in radians, clockwise on screen (y down),
/// as MediaPipe's `NormalizedRect::rotation`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Roi {
    pub center: Point,
    pub size: f64,
    pub rotation: f64,
}

/// MediaPipe's `NormalizeRadians`: into [-π, π).
pub fn normalize_radians(angle: f64) -> f64 {
    angle - 2.0 * PI * ((angle + PI) / (2.0 * PI)).floor()
}

/// The pose graph's ROI settings (`pose_detection_to_roi.pbtxt`, `pose_landmarks_to_roi.pbtxt`):
/// the body axis is turned to point up (90°) and the square grown by 1.25.
pub const ROI_TARGET_ANGLE: f64 = PI / 2.0;
pub const ROI_SCALE: f64 = 1.25;

/// 2×3 affine matrix, row-major, as OpenCV's `warpAffine` takes it.
pub type Affine = [[f64; 3]; 2];

impl Roi {
    /// `AlignmentPointsRectsCalculator`: centred on `center`, side twice the distance to `scale`,
    /// rotated so that `center → scale` points to `target_angle` (radians, counter-clockwise
    /// from +x on screen, i.e. π/2 = up). No scaling here.
    pub fn from_alignment_points(center: Point, scale: Point, target_angle: f64) -> Roi {
        let (dx, dy) = (scale.x - center.x, scale.y - center.y);
        Roi {
            center,
            size: 2.0 * (dx * dx + dy * dy).sqrt(),
            rotation: normalize_radians(target_angle - (-dy).atan2(dx)),
        }
    }

    /// The pose graph's ROI: alignment points, then `RectTransformationCalculator` with
    /// `scale_x = scale_y = 1.25, square_long` (already square in pixels, so only the scale acts).
    pub fn pose_roi(center: Point, scale: Point) -> Roi {
        let raw = Roi::from_alignment_points(center, scale, ROI_TARGET_ANGLE);
        Roi {
            size: raw.size * ROI_SCALE,
            ..raw
        }
    }

    /// The detector's view of a whole `width`×`height` frame: a square as long as the longer
    /// side, centred, unrotated (`ImageToTensorCalculator` with `keep_aspect_ratio`).
    pub fn letterbox(width: u32, height: u32) -> Roi {
        Roi {
            center: Point {
                x: width as f64 / 2.0,
                y: height as f64 / 2.0,
            },
            size: width.max(height) as f64,
            rotation: 0.0,
        }
    }

    /// Whether a crop can be taken: finite, and at least a pixel across.
    pub fn is_usable(&self) -> bool {
        self.center.x.is_finite()
            && self.center.y.is_finite()
            && self.rotation.is_finite()
            && self.size.is_finite()
            && self.size >= 1.0
    }

    /// A point given in the ROI's own normalised frame ((0,0) its top-left corner, (1,1) the
    /// bottom-right, before rotation) in frame pixels: `LandmarkProjectionCalculator`.
    pub fn project(&self, u: f64, v: f64) -> Point {
        let (x, y) = ((u - 0.5) * self.size, (v - 0.5) * self.size);
        let (sin, cos) = self.rotation.sin_cos();
        Point {
            x: self.center.x + cos * x - sin * y,
            y: self.center.y + sin * x + cos * y,
        }
    }

    /// The inverse of [`Roi::project`]: a frame pixel in the ROI's normalised frame.
    pub fn unproject(&self, p: Point) -> (f64, f64) {
        let (x, y) = (p.x - self.center.x, p.y - self.center.y);
        let (sin, cos) = self.rotation.sin_cos();
        (
            (cos * x + sin * y) / self.size + 0.5,
            (-sin * x + cos * y) / self.size + 0.5,
        )
    }

    /// Maps a pixel of the `out`×`out` model input to the frame pixel it samples: the matrix for
    /// `warpAffine(.., WARP_INVERSE_MAP)`. MediaPipe maps the ROI's corners to the output's
    /// corners (0 and `out`, not pixel centres); this does the same.
    pub fn crop_to_frame(&self, out: u32) -> Affine {
        let k = self.size / out as f64;
        let (sin, cos) = self.rotation.sin_cos();
        let origin = self.project(0.0, 0.0);
        [[cos * k, -sin * k, origin.x], [sin * k, cos * k, origin.y]]
    }

    /// Turns a world-landmark offset (metres, model's upright frame) back by the ROI rotation:
    /// `WorldLandmarkProjectionCalculator` (z unchanged).
    pub fn rotate_world(&self, x: f64, y: f64) -> (f64, f64) {
        let (sin, cos) = self.rotation.sin_cos();
        (cos * x - sin * y, sin * x + cos * y)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn normalize_radians_wraps_into_minus_pi_to_pi() {
        assert!(close(normalize_radians(0.0), 0.0));
        assert!(close(normalize_radians(3.0 * PI / 2.0), -PI / 2.0));
        assert!(close(normalize_radians(-3.0 * PI / 2.0), PI / 2.0));
        assert!(close(normalize_radians(PI), -PI));
    }

    #[test]
    fn upright_body_gives_an_unrotated_square() {
        // Hip centre at (100, 200), the scale point straight above it: the body already points
        // up, so no rotation, and the side is twice the distance.
        let roi = Roi::from_alignment_points(
            Point { x: 100.0, y: 200.0 },
            Point { x: 100.0, y: 150.0 },
            ROI_TARGET_ANGLE,
        );
        assert!(close(roi.size, 100.0));
        assert!(close(roi.rotation, 0.0));
        let pose = Roi::pose_roi(Point { x: 100.0, y: 200.0 }, Point { x: 100.0, y: 150.0 });
        assert!(close(pose.size, 125.0));
    }

    #[test]
    fn lying_body_is_turned_upright() {
        // Scale point to the right of the hips: the body lies along +x; MediaPipe rotates the
        // crop by +90° (clockwise on screen) so the model sees it upright.
        let roi = Roi::from_alignment_points(
            Point { x: 0.0, y: 0.0 },
            Point { x: 10.0, y: 0.0 },
            ROI_TARGET_ANGLE,
        );
        assert!(close(roi.rotation, PI / 2.0));
        // The crop's "up" (v = 0 at the centre column) lands on the scale point's side.
        let top_mid = roi.project(0.5, 0.0);
        assert!(
            close(top_mid.x, 10.0) && close(top_mid.y, 0.0),
            "{top_mid:?}"
        );
    }

    #[test]
    fn project_and_unproject_are_inverse_and_corners_map_like_mediapipe() {
        let roi = Roi {
            center: Point { x: 320.0, y: 240.0 },
            size: 200.0,
            rotation: 0.3,
        };
        for (u, v) in [(0.0, 0.0), (1.0, 0.0), (0.25, 0.8), (0.5, 0.5)] {
            let p = roi.project(u, v);
            let (u2, v2) = roi.unproject(p);
            assert!(close(u, u2) && close(v, v2));
        }
        // cv::boxPoints's bottom-left corner (what MediaPipe maps to output (0, H)):
        // centre + R·(-w/2, +h/2).
        let (s, c) = 0.3f64.sin_cos();
        let bl = roi.project(0.0, 1.0);
        assert!(close(bl.x, 320.0 - 100.0 * c - 100.0 * s));
        assert!(close(bl.y, 240.0 - 100.0 * s + 100.0 * c));
    }

    #[test]
    fn crop_matrix_sends_output_corners_to_roi_corners() {
        let roi = Roi {
            center: Point { x: 500.0, y: 300.0 },
            size: 256.0 * 2.0,
            rotation: -0.7,
        };
        let m = roi.crop_to_frame(256);
        let apply = |u: f64, v: f64| Point {
            x: m[0][0] * u + m[0][1] * v + m[0][2],
            y: m[1][0] * u + m[1][1] * v + m[1][2],
        };
        for (u, v) in [(0.0, 0.0), (256.0, 0.0), (0.0, 256.0), (128.0, 64.0)] {
            let a = apply(u, v);
            let b = roi.project(u / 256.0, v / 256.0);
            assert!(close(a.x, b.x) && close(a.y, b.y));
        }
    }

    #[test]
    fn collapsed_or_broken_rois_are_not_usable() {
        let p = Point { x: 5.0, y: 5.0 };
        assert!(!Roi::pose_roi(p, p).is_usable());
        let nan = Roi {
            center: Point {
                x: f64::NAN,
                y: 0.0,
            },
            size: 10.0,
            rotation: 0.0,
        };
        assert!(!nan.is_usable());
        assert!(Roi::letterbox(640, 480).is_usable());
    }

    #[test]
    fn letterbox_covers_the_long_side() {
        let roi = Roi::letterbox(1280, 720);
        assert!(close(roi.size, 1280.0));
        // The detector's top-left maps above the frame: the padding band.
        let tl = roi.project(0.0, 0.0);
        assert!(close(tl.x, 0.0) && close(tl.y, -280.0));
    }

    #[test]
    fn world_rotation_turns_back_by_the_roi_angle() {
        let roi = Roi {
            center: Point::default(),
            size: 1.0,
            rotation: PI / 2.0,
        };
        let (x, y) = roi.rotate_world(1.0, 0.0);
        assert!(close(x, 0.0) && close(y, 1.0));
    }
}
