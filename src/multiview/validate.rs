//! Each single camera's frontal-plane projection angle (FPPA) against the knee's angle in the
//! body's frontal plane in 3-D, by how far the camera is turned from that plane: how much a 2-D
//! valgus reading can be trusted from a given camera angle. No published study reports this for
//! BlazePose; the figures come from whatever synchronised, calibrated views are given.

use nalgebra::{Vector2, Vector3};

use super::camera::Camera;
use super::triangulate::triangulate;
use crate::geometry::{angle_between, Leg};
use crate::landmarks::{LandmarkIndex, PoseFrame};
use crate::stats::{median, percentile};

/// One camera's frames. Its frame `f + offset` shows the moment the first view's frame `f`
/// shows (0 for synchronised videos).
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// Index into the cameras.
    pub camera: usize,
    pub frames: &'a [PoseFrame],
    pub offset: i64,
}

impl<'a> View<'a> {
    /// This view's frame for the first view's frame `f`, if it has one.
    pub fn at(&self, f: usize) -> Option<&'a PoseFrame> {
        let i = i64::try_from(f).ok()?.checked_add(self.offset)?;
        self.frames.get(usize::try_from(i).ok()?)
    }
}

/// What one camera's view measured against the 3-D reconstruction.
#[derive(Debug, Clone, PartialEq)]
pub struct CameraFigures {
    pub name: String,
    /// Median and 95th percentile distance between a landmark and its 3-D point projected back
    /// into this camera, pixels (hips, knees and ankles, in the frames it helped solve).
    pub reprojection_median_px: Option<f64>,
    pub reprojection_p95_px: Option<f64>,
    /// Median horizontal angle between the camera's line of sight to the pelvis and the normal
    /// of the body's frontal plane: 0° square to the front or back, 90° side-on.
    pub angle_to_frontal_deg: Option<f64>,
    /// Per leg (left, right): median 2-D FPPA from this camera, and median |2-D − 3-D|.
    pub fppa_2d_deg: [Option<f64>; 2],
    pub fppa_error_deg: [Option<f64>; 2],
}

/// The knee's 3-D frontal-plane angle over the frames, and each camera's figures.
#[derive(Debug, Clone, PartialEq)]
pub struct Validation {
    /// Frames (of the first view) whose hips, knees and ankles were all solved in 3-D.
    pub frames_solved: usize,
    pub frames: usize,
    /// Per leg (left, right): median 3-D frontal-plane knee angle.
    pub fppa_3d_deg: [Option<f64>; 2],
    /// Per leg: median and largest knee-over-toe in 3-D, in foot lengths (+ ahead of the toe).
    pub knee_over_toe_3d: [Option<(f64, f64)>; 2],
    pub cameras: Vec<CameraFigures>,
    /// Per frame, the solved points (landmark index, position) for export.
    pub points: Vec<Vec<(LandmarkIndex, Vector3<f64>)>>,
    /// Per view (in the views' order), every leg-frame whose 2-D FPPA and 3-D angle were both
    /// read.
    pub leg_frames: Vec<Vec<LegFrame>>,
}

/// One leg in one frame of one camera: its 2-D FPPA against the knee's 3-D frontal-plane angle.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LegFrame {
    /// The first view's frame.
    pub frame: usize,
    pub leg: Leg,
    pub fppa_2d_deg: f64,
    pub fppa_3d_deg: f64,
}

pub(super) const SOLVED: [LandmarkIndex; 6] = [
    LandmarkIndex::LeftHip,
    LandmarkIndex::RightHip,
    LandmarkIndex::LeftKnee,
    LandmarkIndex::RightKnee,
    LandmarkIndex::LeftAnkle,
    LandmarkIndex::RightAnkle,
];

/// Heels and toes, solved beside the legs for knee-over-toe.
const FEET: [LandmarkIndex; 4] = [
    LandmarkIndex::LeftHeel,
    LandmarkIndex::RightHeel,
    LandmarkIndex::LeftFootIndex,
    LandmarkIndex::RightFootIndex,
];

/// How far the knee is ahead of the toe along the foot's direction on the ground (heel → toe,
/// the vertical left out), over the foot's length: formcheck's knee-over-toe, in 3-D.
pub fn knee_over_toe(
    knee: Vector3<f64>,
    heel: Vector3<f64>,
    toe: Vector3<f64>,
    up: Vector3<f64>,
) -> Option<f64> {
    let foot = toe - heel;
    let length = foot.norm();
    let along = (foot - up * up.dot(&foot)).try_normalize(f64::EPSILON)?;
    (length > f64::EPSILON).then(|| along.dot(&(knee - toe)) / length)
}

/// The knee's angle seen in a plane (normal `n`): between hip→knee and knee→ankle, + when the
/// knee lies on the body's midline side of the hip–ankle line (valgus), − outside (varus), as
/// formcheck's FPPA. `None` for degenerate geometry.
pub fn frontal_angle(
    hip: Vector3<f64>,
    knee: Vector3<f64>,
    ankle: Vector3<f64>,
    other_hip: Vector3<f64>,
    n: Vector3<f64>,
) -> Option<f64> {
    let n = n.try_normalize(f64::EPSILON)?;
    let flat = |p: Vector3<f64>| p - n * n.dot(&p);
    let (h, k, a, o) = (flat(hip), flat(knee), flat(ankle), flat(other_hip));
    let angle = angle_between(&(k - h), &(a - k))?;
    let axis = (a - h).try_normalize(f64::EPSILON)?;
    let across = |v: Vector3<f64>| v - axis * axis.dot(&v);
    let (off, midline) = (across(k - h), across(o - h));
    if midline.norm() <= f64::EPSILON {
        return None;
    }
    Some(if off.dot(&midline) >= 0.0 {
        angle
    } else {
        -angle
    })
}

pub(super) fn pixel(
    frame: &PoseFrame,
    i: LandmarkIndex,
    min_visibility: f64,
) -> Option<Vector2<f64>> {
    let l = frame.pose.as_ref()?.landmarks[i.index()]?;
    (l.visibility >= min_visibility && l.x.is_finite() && l.y.is_finite())
        .then(|| Vector2::new(l.x, l.y))
}

/// Frame `f`'s legs and feet in 3-D, each from the views that see it; each leg point's
/// reprojection error per view goes into `reprojection` (the table's figures are the legs': feet
/// are small and often hidden by the other foot).
fn solve_frame(
    cameras: &[Camera],
    views: &[View],
    f: usize,
    min_visibility: f64,
    reprojection: &mut [Vec<f64>],
) -> Vec<(LandmarkIndex, Vector3<f64>)> {
    let mut solved = Vec::new();
    for &i in SOLVED.iter().chain(&FEET) {
        let seen: Vec<(usize, Vector2<f64>)> = views
            .iter()
            .filter_map(|v| Some((v.camera, pixel(v.at(f)?, i, min_visibility)?)))
            .collect();
        let Some(t) = triangulate(cameras, &seen) else {
            continue;
        };
        if SOLVED.contains(&i) {
            for (cam, err) in &t.used {
                if let Some(k) = views.iter().position(|v| v.camera == *cam) {
                    reprojection[k].push(*err);
                }
            }
        }
        solved.push((i, t.at));
    }
    solved
}

/// Triangulates the views frame by frame and compares each camera's 2-D FPPA with the 3-D
/// frontal-plane angle. Landmarks seen below `min_visibility` are left out of a view.
pub fn validate(
    cameras: &[Camera],
    views: &[View],
    up: Vector3<f64>,
    min_visibility: f64,
) -> Validation {
    let up = up.try_normalize(f64::EPSILON).unwrap_or_else(Vector3::z);
    let frames = views.first().map_or(0, |v| v.frames.len());
    let per_view = views.len();
    let mut reprojection: Vec<Vec<f64>> = vec![Vec::new(); per_view];
    let mut angle_to_frontal: Vec<Vec<f64>> = vec![Vec::new(); per_view];
    let mut fppa_2d: Vec<[Vec<f64>; 2]> = vec![[Vec::new(), Vec::new()]; per_view];
    let mut fppa_err: Vec<[Vec<f64>; 2]> = vec![[Vec::new(), Vec::new()]; per_view];
    let mut leg_frames: Vec<Vec<LegFrame>> = vec![Vec::new(); per_view];
    let mut fppa_3d: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut kot_3d: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut points = Vec::with_capacity(frames);
    let mut frames_solved = 0;
    for f in 0..frames {
        let solved = solve_frame(cameras, views, f, min_visibility, &mut reprojection);
        let at = |i: LandmarkIndex| solved.iter().find(|(j, _)| *j == i).map(|(_, p)| *p);
        // The frontal plane holds the pelvis's left–right line and the vertical (not the trunk,
        // which leans forward in a balance or a squat): its normal is horizontal.
        let body = (|| {
            let (lh, rh) = (at(LandmarkIndex::LeftHip)?, at(LandmarkIndex::RightHip)?);
            let normal = (lh - rh).cross(&up).try_normalize(f64::EPSILON)?;
            Some((normal, lh, rh))
        })();
        points.push(solved.clone());
        let Some((normal, lh, rh)) = body else {
            continue;
        };
        let mut all_legs = true;
        for (slot, leg) in Leg::BOTH.iter().enumerate() {
            let j = leg.joints();
            let (hip, other) = if *leg == Leg::Left {
                (lh, rh)
            } else {
                (rh, lh)
            };
            let (Some(knee), Some(ankle)) = (at(j.knee), at(j.ankle)) else {
                all_legs = false;
                continue;
            };
            if let (Some(heel), Some(toe)) = (at(j.heel), at(j.toe)) {
                kot_3d[slot].extend(knee_over_toe(knee, heel, toe, up));
            }
            let Some(truth) = frontal_angle(hip, knee, ankle, other, normal) else {
                all_legs = false;
                continue;
            };
            fppa_3d[slot].push(truth);
            for (k, v) in views.iter().enumerate() {
                let Some(frame) = v.at(f) else { continue };
                let px = |i| pixel(frame, i, min_visibility).map(|p| Vector3::new(p.x, p.y, 0.0));
                let other_hip = leg.other().joints().hip;
                if let (Some(h), Some(kn), Some(a), Some(o)) =
                    (px(j.hip), px(j.knee), px(j.ankle), px(other_hip))
                {
                    if let Some(seen) = frontal_angle(h, kn, a, o, Vector3::z()) {
                        fppa_2d[k][slot].push(seen);
                        fppa_err[k][slot].push((seen - truth).abs());
                        leg_frames[k].push(LegFrame {
                            frame: f,
                            leg: *leg,
                            fppa_2d_deg: seen,
                            fppa_3d_deg: truth,
                        });
                    }
                }
            }
        }
        if all_legs {
            frames_solved += 1;
        }
        // How far each camera is turned from square to the body: the horizontal angle between
        // its line of sight to the pelvis and the frontal plane's normal (its pitch left out).
        let pelvis = (lh + rh) / 2.0;
        for (k, v) in views.iter().enumerate() {
            let sight = pelvis - cameras[v.camera].centre();
            let level = (sight - up * up.dot(&sight)).try_normalize(f64::EPSILON);
            if let Some(level) = level {
                let cos = level.dot(&normal).abs().min(1.0);
                angle_to_frontal[k].push(cos.acos().to_degrees());
            }
        }
    }
    let cameras_out = views
        .iter()
        .enumerate()
        .map(|(k, v)| CameraFigures {
            name: cameras[v.camera].name().to_string(),
            reprojection_median_px: median(&reprojection[k]),
            reprojection_p95_px: percentile(&reprojection[k], 95.0),
            angle_to_frontal_deg: median(&angle_to_frontal[k]),
            fppa_2d_deg: [median(&fppa_2d[k][0]), median(&fppa_2d[k][1])],
            fppa_error_deg: [median(&fppa_err[k][0]), median(&fppa_err[k][1])],
        })
        .collect();
    Validation {
        frames_solved,
        frames,
        fppa_3d_deg: [median(&fppa_3d[0]), median(&fppa_3d[1])],
        knee_over_toe_3d: kot_3d.map(|v| Some((median(&v)?, percentile(&v, 100.0)?))),
        cameras: cameras_out,
        points,
        leg_frames,
    }
}

#[cfg(test)]
mod tests {
    use super::super::camera::tests::camera_at;
    use super::*;
    use crate::landmarks::Pose;

    /// A body standing square to the camera at yaw 0 (world y down, as the cameras'), the left
    /// knee caved in 12.7° in the frontal plane, the right leg straight.
    fn body() -> Vec<(LandmarkIndex, Vector3<f64>)> {
        use LandmarkIndex::*;
        vec![
            (LeftHip, Vector3::new(0.1, 0.0, 0.0)),
            (RightHip, Vector3::new(-0.1, 0.0, 0.0)),
            (LeftKnee, Vector3::new(0.05, 0.45, 0.0)),
            (RightKnee, Vector3::new(-0.1, 0.45, 0.0)),
            (LeftAnkle, Vector3::new(0.1, 0.9, 0.0)),
            (RightAnkle, Vector3::new(-0.1, 0.9, 0.0)),
        ]
    }

    #[test]
    fn the_3d_knee_angle_is_recovered_and_the_square_camera_reads_it_the_turned_one_less() {
        let cams = vec![
            camera_at("front", 0.0),
            camera_at("turned", 60.0),
            camera_at("other", -45.0),
        ];
        let frames: Vec<Vec<PoseFrame>> = cams
            .iter()
            .map(|c| {
                let points: Vec<_> = body()
                    .iter()
                    .map(|(i, p)| {
                        let px = c.project(p).unwrap();
                        (*i, px.x, px.y)
                    })
                    .collect();
                vec![PoseFrame {
                    camera: Default::default(),
                    index: 0,
                    time_s: 0.0,
                    image_width: 1080,
                    image_height: 1920,
                    pose: Some(Pose::from_points(&points, 1.0)),
                }]
            })
            .collect();
        let views: Vec<View> = frames
            .iter()
            .enumerate()
            .map(|(camera, f)| View {
                camera,
                frames: f,
                offset: 0,
            })
            .collect();
        let v = validate(&cams, &views, -Vector3::y(), 0.5);
        assert_eq!((v.frames, v.frames_solved), (1, 1));
        let expected = 2.0 * (0.05f64 / 0.45).atan().to_degrees();
        let left = v.fppa_3d_deg[0].unwrap();
        assert!((left - expected).abs() < 1e-6, "{left} against {expected}");
        assert!(v.fppa_3d_deg[1].unwrap().abs() < 1e-6);
        let front = &v.cameras[0];
        assert!(front.angle_to_frontal_deg.unwrap() < 1e-6);
        assert!(front.reprojection_median_px.unwrap() < 1e-6);
        // Seen square on, the 2-D angle is the frontal-plane angle (up to perspective).
        assert!(front.fppa_error_deg[0].unwrap() < 0.5, "{front:?}");
        // Turned 60°, the camera sees the knee's sideways shift foreshortened.
        let turned = &v.cameras[1];
        assert!((turned.angle_to_frontal_deg.unwrap() - 60.0).abs() < 1e-6);
        let seen = turned.fppa_2d_deg[0].unwrap();
        assert!(seen > 0.0 && seen < 0.6 * left, "{seen} against {left}");
    }

    #[test]
    fn knee_over_toe_is_measured_along_the_foot_on_the_ground_in_foot_lengths() {
        let up = Vector3::z();
        // A 0.25 m foot pointing along +x, its heel raised 5 cm; the knee 5 cm past the toe.
        let (heel, toe) = (Vector3::new(0.0, 0.0, 0.05), Vector3::new(0.25, 0.0, 0.0));
        let ahead = knee_over_toe(Vector3::new(0.3, 0.1, 0.5), heel, toe, up).unwrap();
        assert!(
            (ahead - 0.05 / (0.25f64.hypot(0.05))).abs() < 1e-9,
            "{ahead}"
        );
        let behind = knee_over_toe(Vector3::new(0.1, 0.0, 0.5), heel, toe, up).unwrap();
        assert!(behind < 0.0);
        // A foot seen pointing straight up has no direction on the ground.
        assert!(knee_over_toe(toe, toe - up * 0.2, toe, up).is_none());
    }

    #[test]
    fn the_frontal_angle_is_positive_for_a_knee_towards_the_midline() {
        // Left leg at x = +0.1 (the other hip at −0.1), y up, seen along z.
        let (h, o, a) = (
            Vector3::new(0.1, 1.0, 0.0),
            Vector3::new(-0.1, 1.0, 0.0),
            Vector3::new(0.1, 0.0, 0.0),
        );
        let inward = frontal_angle(h, Vector3::new(0.0, 0.5, 0.0), a, o, Vector3::z()).unwrap();
        let outward = frontal_angle(h, Vector3::new(0.2, 0.5, 0.0), a, o, Vector3::z()).unwrap();
        assert!(inward > 0.0 && outward < 0.0, "{inward} {outward}");
        assert!((inward + outward).abs() < 1e-9);
        // A knee bent straight forward (out of the plane) is no angle in the frontal plane.
        let forward = frontal_angle(h, Vector3::new(0.1, 0.5, 0.3), a, o, Vector3::z()).unwrap();
        assert!(forward.abs() < 1e-9, "{forward}");
        // Seen in a plane turned 90° (side-on) the same forward bend is the whole angle.
        let side = frontal_angle(h, Vector3::new(0.1, 0.5, 0.3), a, o, Vector3::x());
        assert!(
            side.is_none(),
            "the midline points at the camera: no side to call medial"
        );
    }
}
