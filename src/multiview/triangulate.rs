//! One landmark seen by several calibrated cameras → one 3-D point (linear triangulation, DLT,
//! on undistorted points), with each view's reprojection error. A view that disagrees with the
//! others (a left/right swap, another body part) is dropped while three or more remain.

use nalgebra::{DMatrix, Vector2, Vector3};

use super::camera::Camera;

/// A view reprojecting further than this from its pixel, once the point is solved, is dropped
/// (worst first) while three or more views remain (formcheck rule: 2 % of a 1920 px frame; a
/// landmark swapped left for right lands a hip width away).
pub const OUTLIER_PX: f64 = 40.0;

/// A point and the views it was solved from.
#[derive(Debug, Clone, PartialEq)]
pub struct Triangulated {
    pub at: Vector3<f64>,
    /// (index into the cameras, reprojection error in pixels) of each view used.
    pub used: Vec<(usize, f64)>,
}

/// Solves one point from its pixels in two or more views: `seen` holds (camera index, pixel).
/// `None` when fewer than two views remain or the views do not meet in front of the cameras.
pub fn triangulate(cameras: &[Camera], seen: &[(usize, Vector2<f64>)]) -> Option<Triangulated> {
    let mut views: Vec<(usize, Vector2<f64>)> = seen
        .iter()
        .filter(|(i, px)| *i < cameras.len() && px.x.is_finite() && px.y.is_finite())
        .copied()
        .collect();
    let mut best = solve_and_check(cameras, &views)?;
    // A least-squares solve spreads one bad view's error over all of them, so the view to drop
    // is the one whose absence leaves the others agreeing best, not the largest residual.
    while views.len() >= 3 && worst(&best) > OUTLIER_PX {
        let (k, without) = (0..views.len())
            .filter_map(|k| {
                let mut rest = views.clone();
                rest.remove(k);
                Some((k, solve_and_check(cameras, &rest)?))
            })
            .min_by(|a, b| worst(&a.1).total_cmp(&worst(&b.1)))?;
        views.remove(k);
        best = without;
    }
    Some(best)
}

fn worst(t: &Triangulated) -> f64 {
    t.used.iter().map(|(_, e)| *e).fold(0.0, f64::max)
}

/// Solves from these views and measures each one's reprojection error.
fn solve_and_check(cameras: &[Camera], views: &[(usize, Vector2<f64>)]) -> Option<Triangulated> {
    let at = solve(cameras, views)?;
    let used = views
        .iter()
        .map(|(i, px)| Some((*i, (cameras[*i].project(&at)? - px).norm())))
        .collect::<Option<Vec<_>>>()?;
    Some(Triangulated { at, used })
}

fn solve(cameras: &[Camera], views: &[(usize, Vector2<f64>)]) -> Option<Vector3<f64>> {
    if views.len() < 2 {
        return None;
    }
    let mut a = DMatrix::<f64>::zeros(2 * views.len(), 4);
    for (row, (i, px)) in views.iter().enumerate() {
        let cam = &cameras[*i];
        let n = cam.normalised(px);
        let p = cam.extrinsics();
        for c in 0..4 {
            a[(2 * row, c)] = n.x * p[(2, c)] - p[(0, c)];
            a[(2 * row + 1, c)] = n.y * p[(2, c)] - p[(1, c)];
        }
    }
    let svd = a.svd(false, true);
    let v_t = svd.v_t?;
    let smallest = svd
        .singular_values
        .iter()
        .enumerate()
        .min_by(|x, y| x.1.total_cmp(y.1))
        .map(|(k, _)| k)?;
    let h = v_t.row(smallest);
    if h[3].abs() < f64::EPSILON * h.norm() {
        return None;
    }
    let at = Vector3::new(h[0] / h[3], h[1] / h[3], h[2] / h[3]);
    at.iter().all(|v| v.is_finite()).then_some(at)
}

#[cfg(test)]
mod tests {
    use super::super::camera::tests::camera_at;
    use super::*;

    fn rig() -> Vec<Camera> {
        vec![
            camera_at("front", 0.0),
            camera_at("left", 60.0),
            camera_at("right", -50.0),
        ]
    }

    #[test]
    fn a_point_seen_by_calibrated_cameras_is_found_where_it_is() {
        let cams = rig();
        let truth = Vector3::new(0.12, -0.35, 0.08);
        let seen: Vec<_> = cams
            .iter()
            .enumerate()
            .map(|(i, c)| (i, c.project(&truth).unwrap()))
            .collect();
        let t = triangulate(&cams, &seen).unwrap();
        assert!((t.at - truth).norm() < 1e-9, "{}", t.at);
        assert!(t.used.iter().all(|(_, e)| *e < 1e-6));
        // Two views are enough.
        let t = triangulate(&cams, &seen[1..]).unwrap();
        assert!((t.at - truth).norm() < 1e-9);
        // One is not.
        assert!(triangulate(&cams, &seen[..1]).is_none());
    }

    #[test]
    fn a_view_that_saw_the_wrong_point_is_dropped() {
        let mut cams = rig();
        cams.push(camera_at("back", 180.0));
        let truth = Vector3::new(0.1, -0.3, 0.0);
        // The front camera saw the other hip, a hip width away.
        let elsewhere = Vector3::new(-0.2, -0.3, 0.0);
        let seen: Vec<_> = cams
            .iter()
            .enumerate()
            .map(|(i, c)| {
                (
                    i,
                    c.project(if i == 0 { &elsewhere } else { &truth }).unwrap(),
                )
            })
            .collect();
        let t = triangulate(&cams, &seen).unwrap();
        assert!((t.at - truth).norm() < 1e-6, "{}", t.at);
        assert!(t.used.iter().all(|(i, _)| *i != 0), "{:?}", t.used);
        assert_eq!(t.used.len(), 3);
    }
}
