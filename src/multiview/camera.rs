//! One calibrated pinhole camera with OpenCV's distortion model (k1, k2, p1, p2 and an optional
//! k3): world point → pixel, and pixel → undistorted normalised image point.

use nalgebra::{Matrix3, Matrix3x4, Rotation3, Vector2, Vector3};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CameraError {
    #[error("fisheye cameras are not supported")]
    Fisheye,
    #[error("the intrinsic matrix needs positive focal lengths and finite values")]
    Intrinsics,
    #[error("distortions must be 4 or 5 finite numbers (k1, k2, p1, p2[, k3]), found {0}")]
    Distortions(usize),
    #[error("rotation and translation must be finite")]
    Extrinsics,
}

/// Undistortion iterations: OpenCV's `undistortPoints` default, ample for the mild distortion
/// of phone and video cameras.
const UNDISTORT_ITERATIONS: usize = 20;

#[derive(Debug, Clone, PartialEq)]
pub struct Camera {
    name: String,
    size: [f64; 2],
    fx: f64,
    fy: f64,
    cx: f64,
    cy: f64,
    /// k1, k2, p1, p2, k3.
    dist: [f64; 5],
    rotation: Matrix3<f64>,
    translation: Vector3<f64>,
}

impl Camera {
    pub fn new(
        name: &str,
        size: [f64; 2],
        matrix: [[f64; 3]; 3],
        distortions: &[f64],
        rodrigues: [f64; 3],
        translation: [f64; 3],
    ) -> Result<Camera, CameraError> {
        let (fx, fy, cx, cy) = (matrix[0][0], matrix[1][1], matrix[0][2], matrix[1][2]);
        if !(fx > 0.0
            && fy > 0.0
            && cx.is_finite()
            && cy.is_finite()
            && fx.is_finite()
            && fy.is_finite())
        {
            return Err(CameraError::Intrinsics);
        }
        if !matches!(distortions.len(), 4 | 5) || distortions.iter().any(|d| !d.is_finite()) {
            return Err(CameraError::Distortions(distortions.len()));
        }
        let mut dist = [0.0; 5];
        dist[..distortions.len()].copy_from_slice(distortions);
        if rodrigues.iter().chain(&translation).any(|v| !v.is_finite()) {
            return Err(CameraError::Extrinsics);
        }
        let rotation = Rotation3::new(Vector3::from(rodrigues)).into_inner();
        Ok(Camera {
            name: name.to_string(),
            size,
            fx,
            fy,
            cx,
            cy,
            dist,
            rotation,
            translation: Vector3::from(translation),
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// Image width and height the calibration was made at, pixels.
    pub fn size(&self) -> [f64; 2] {
        self.size
    }

    /// [R | t]: world to camera.
    pub fn extrinsics(&self) -> Matrix3x4<f64> {
        let mut m = Matrix3x4::zeros();
        m.fixed_view_mut::<3, 3>(0, 0).copy_from(&self.rotation);
        m.set_column(3, &self.translation);
        m
    }

    /// Where the camera is, in world axes.
    pub fn centre(&self) -> Vector3<f64> {
        -(self.rotation.transpose() * self.translation)
    }

    fn distort(&self, p: Vector2<f64>) -> Vector2<f64> {
        let [k1, k2, p1, p2, k3] = self.dist;
        let (x, y) = (p.x, p.y);
        let r2 = x * x + y * y;
        let radial = 1.0 + r2 * (k1 + r2 * (k2 + r2 * k3));
        Vector2::new(
            x * radial + 2.0 * p1 * x * y + p2 * (r2 + 2.0 * x * x),
            y * radial + p1 * (r2 + 2.0 * y * y) + 2.0 * p2 * x * y,
        )
    }

    /// Where a world point lands in the image, pixels; `None` behind the camera.
    pub fn project(&self, world: &Vector3<f64>) -> Option<Vector2<f64>> {
        let c = self.rotation * world + self.translation;
        if c.z <= 0.0 || !c.z.is_finite() {
            return None;
        }
        let d = self.distort(Vector2::new(c.x / c.z, c.y / c.z));
        Some(Vector2::new(
            self.fx * d.x + self.cx,
            self.fy * d.y + self.cy,
        ))
    }

    /// A pixel as an undistorted point on the normalised image plane (z = 1).
    pub fn normalised(&self, px: &Vector2<f64>) -> Vector2<f64> {
        let [k1, k2, p1, p2, k3] = self.dist;
        let distorted = Vector2::new((px.x - self.cx) / self.fx, (px.y - self.cy) / self.fy);
        let mut p = distorted;
        for _ in 0..UNDISTORT_ITERATIONS {
            let (x, y) = (p.x, p.y);
            let r2 = x * x + y * y;
            let radial = 1.0 + r2 * (k1 + r2 * (k2 + r2 * k3));
            let dx = 2.0 * p1 * x * y + p2 * (r2 + 2.0 * x * x);
            let dy = p1 * (r2 + 2.0 * y * y) + 2.0 * p2 * x * y;
            p = Vector2::new((distorted.x - dx) / radial, (distorted.y - dy) / radial);
        }
        p
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A camera 3 m from the origin looking at it along world −x, mild distortion.
    pub fn camera_at(name: &str, yaw_deg: f64) -> Camera {
        // Camera axes: x right, y down, z forward. Turn about world y (up is −y here).
        let yaw = yaw_deg.to_radians();
        let r = Rotation3::from_axis_angle(&Vector3::y_axis(), yaw);
        let t = Vector3::new(0.0, 0.0, 3.0);
        let v = r.scaled_axis();
        Camera::new(
            name,
            [1080.0, 1920.0],
            [[1600.0, 0.0, 540.0], [0.0, 1600.0, 960.0], [0.0, 0.0, 1.0]],
            &[-0.05, 0.12, 0.001, -0.0005],
            [v.x, v.y, v.z],
            [t.x, t.y, t.z],
        )
        .unwrap()
    }

    #[test]
    fn a_pixel_undistorted_and_projected_again_lands_where_it_was() {
        let cam = camera_at("c", 30.0);
        for world in [
            Vector3::new(0.1, -0.4, 0.2),
            Vector3::new(-0.3, 0.5, -0.1),
            Vector3::new(0.0, 0.0, 0.0),
        ] {
            let px = cam.project(&world).unwrap();
            let n = cam.normalised(&px);
            let c = cam.rotation * world + cam.translation;
            assert!(
                (n - Vector2::new(c.x / c.z, c.y / c.z)).norm() < 1e-9,
                "{n}"
            );
        }
    }

    #[test]
    fn a_point_behind_the_camera_has_no_pixel() {
        let cam = camera_at("c", 0.0);
        assert!(cam.project(&Vector3::new(0.0, 0.0, -5.0)).is_none());
    }

    #[test]
    fn bad_intrinsics_and_distortions_are_refused() {
        let k = [[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0]];
        assert_eq!(
            Camera::new("c", [1.0, 1.0], k, &[0.0; 4], [0.0; 3], [0.0; 3]),
            Err(CameraError::Intrinsics)
        );
        let k = [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [0.0, 0.0, 1.0]];
        assert_eq!(
            Camera::new("c", [1.0, 1.0], k, &[0.0; 3], [0.0; 3], [0.0; 3]),
            Err(CameraError::Distortions(3))
        );
        assert_eq!(
            Camera::new(
                "c",
                [1.0, 1.0],
                k,
                &[0.0; 4],
                [f64::NAN, 0.0, 0.0],
                [0.0; 3]
            ),
            Err(CameraError::Extrinsics)
        );
    }
}
