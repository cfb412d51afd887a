//! Small vector helpers over nalgebra that refuse degenerate input: nalgebra's `angle()` returns
//! 0 for a zero-length vector, which would read as "perfectly straight leg".

use nalgebra::{Vector2, Vector3};

pub type Vec2 = Vector2<f64>;
pub type Vec3 = Vector3<f64>;

/// Below this length (in the input's units, relative to the longer vector) a vector is treated
/// as zero: coincident landmarks.
const DEGENERATE_FRACTION: f64 = 1e-9;

/// True for a strictly positive number; false for zero, negatives and NaN, so a length that
/// came out NaN is treated as degenerate.
pub fn positive(x: f64) -> bool {
    x > 0.0
}

/// Unsigned angle between two 2-D or 3-D vectors in degrees, `None` if either is (near) zero or
/// not finite.
pub fn angle_between<const D: usize>(
    a: &nalgebra::SVector<f64, D>,
    b: &nalgebra::SVector<f64, D>,
) -> Option<f64> {
    let (na, nb) = (a.norm(), b.norm());
    let scale = na.max(nb);
    if !na.is_finite() || !nb.is_finite() || scale == 0.0 {
        return None;
    }
    if na <= DEGENERATE_FRACTION * scale || nb <= DEGENERATE_FRACTION * scale {
        return None;
    }
    Some(a.angle(b).to_degrees())
}

/// 2-D cross product (z of the 3-D one): > 0 when `b` is counter-clockwise from `a` in a y-up
/// frame (clockwise on screen, where y points down).
pub fn cross2(a: &Vec2, b: &Vec2) -> f64 {
    a.x * b.y - a.y * b.x
}

/// +1 when `p` and `q` lie on the same side of the line through `origin` along `dir`, −1 when
/// on opposite sides, `None` when either is (near) on the line or the line is degenerate.
pub fn signed_side(origin: &Vec2, dir: &Vec2, p: &Vec2, q: &Vec2) -> Option<f64> {
    let len = dir.norm();
    if !positive(len) {
        return None;
    }
    let dp = cross2(dir, &(p - origin)) / len;
    let dq = cross2(dir, &(q - origin)) / len;
    let tol = DEGENERATE_FRACTION * len;
    if dp.abs() <= tol || dq.abs() <= tol {
        return None;
    }
    Some(if dp.signum() == dq.signum() {
        1.0
    } else {
        -1.0
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_vector_has_no_angle() {
        assert_eq!(
            angle_between(&Vec2::new(0.0, 0.0), &Vec2::new(1.0, 0.0)),
            None
        );
        assert_eq!(
            angle_between(&Vec3::new(1.0, 2.0, 3.0), &Vec3::zeros()),
            None
        );
        assert_eq!(
            angle_between(&Vec2::new(f64::NAN, 0.0), &Vec2::new(1.0, 0.0)),
            None
        );
    }

    #[test]
    fn right_angle_is_ninety() {
        let a = angle_between(&Vec2::new(1.0, 0.0), &Vec2::new(0.0, 3.0)).unwrap();
        assert!((a - 90.0).abs() < 1e-12);
    }

    #[test]
    fn side_test_needs_points_off_the_line() {
        let o = Vec2::new(0.0, 0.0);
        let d = Vec2::new(0.0, 1.0);
        assert_eq!(
            signed_side(&o, &d, &Vec2::new(1.0, 0.5), &Vec2::new(2.0, 0.0)),
            Some(1.0)
        );
        assert_eq!(
            signed_side(&o, &d, &Vec2::new(-1.0, 0.5), &Vec2::new(2.0, 0.0)),
            Some(-1.0)
        );
        assert_eq!(
            signed_side(&o, &d, &Vec2::new(0.0, 0.5), &Vec2::new(2.0, 0.0)),
            None
        );
        assert_eq!(
            signed_side(
                &o,
                &Vec2::zeros(),
                &Vec2::new(1.0, 0.5),
                &Vec2::new(2.0, 0.0)
            ),
            None
        );
    }
}
