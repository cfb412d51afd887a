//! Geometry on frames from the kinematic model: FPPA is the constructed angle, invariant to
//! image translation, scale and in-plane rotation, and mirror-symmetric; degenerate input gives
//! a reason, never NaN or a panic (property tests over arbitrary landmarks).

mod model;

use formcheck::geometry::{measure, FrameMeasures, Leg, MeasureContext, NotJudged, Source, View};
use formcheck::landmarks::{Landmark, LandmarkIndex, Pose, PoseFrame, LANDMARK_COUNT};
use model::*;
use proptest::prelude::*;

/// A standing frontal pose with both legs at the given FPPA (left, right).
fn frontal_legs(left_fppa: f64, right_fppa: f64, thigh: f64, shank: f64) -> PoseFrame {
    let mut body = Body::default();
    put_leg(
        &mut body,
        true,
        &leg_from_ankle(
            p3(HIP_WIDTH / 2.0, -ANKLE_UP, 0.0),
            thigh,
            shank,
            left_fppa,
            -1.0,
        ),
    );
    put_leg(
        &mut body,
        false,
        &leg_from_ankle(
            p3(-HIP_WIDTH / 2.0, -ANKLE_UP, 0.0),
            thigh,
            shank,
            right_fppa,
            1.0,
        ),
    );
    put_trunk(&mut body, 5.0);
    body.frontal(0)
}

/// Applies x' = s·R(θ)·x + t to every image landmark, in a picture large enough to hold them
/// (a landmark outside the picture is not judged, which is not what this is about).
fn transform(frame: &PoseFrame, s: f64, theta_deg: f64, tx: f64, ty: f64) -> PoseFrame {
    let (sin, cos) = theta_deg.to_radians().sin_cos();
    let mut out = frame.clone();
    if let Some(pose) = &mut out.pose {
        for l in pose.landmarks.iter_mut().flatten() {
            let (x, y) = (l.x, l.y);
            l.x = s * (cos * x - sin * y) + tx;
            l.y = s * (sin * x + cos * y) + ty;
        }
        let points: Vec<(f64, f64)> = pose
            .landmarks
            .iter()
            .flatten()
            .map(|l| (l.x, l.y))
            .collect();
        let (min_x, min_y) = points
            .iter()
            .fold((0.0f64, 0.0f64), |(a, b), p| (a.min(p.0), b.min(p.1)));
        for l in pose.landmarks.iter_mut().flatten() {
            l.x -= min_x;
            l.y -= min_y;
        }
        let (max_x, max_y) = points.iter().fold((0.0f64, 0.0f64), |(a, b), p| {
            (a.max(p.0 - min_x), b.max(p.1 - min_y))
        });
        out.image_width = max_x.ceil() as u32 + 1;
        out.image_height = max_y.ceil() as u32 + 1;
    }
    out
}

/// Mirrors the image left–right; with `relabel`, left and right landmarks swap names too (what
/// a pose model reports on a mirrored video).
fn mirror(frame: &PoseFrame, relabel: bool) -> PoseFrame {
    let mut out = frame.clone();
    let w = f64::from(frame.image_width);
    if let Some(pose) = &mut out.pose {
        for l in pose.landmarks.iter_mut().flatten() {
            l.x = w - l.x;
        }
        if let Some(world) = &mut pose.world {
            for p in world.iter_mut() {
                p.x = -p.x;
            }
        }
        if relabel {
            let swap = |pose: &mut Pose, a: LandmarkIndex, b: LandmarkIndex| {
                pose.landmarks.swap(a.index(), b.index());
                if let Some(world) = &mut pose.world {
                    world.swap(a.index(), b.index());
                }
            };
            use LandmarkIndex::*;
            for (a, b) in [
                (LeftShoulder, RightShoulder),
                (LeftHip, RightHip),
                (LeftKnee, RightKnee),
                (LeftAnkle, RightAnkle),
                (LeftHeel, RightHeel),
                (LeftFootIndex, RightFootIndex),
            ] {
                swap(pose, a, b);
            }
        }
    }
    out
}

fn fppa(m: &FrameMeasures, leg: Leg) -> f64 {
    m.leg(leg)
        .fppa_deg
        .get()
        .unwrap_or_else(|| panic!("{leg} FPPA not judged: {:?}", m.leg(leg).fppa_deg))
}

fn all_values_finite(m: &FrameMeasures) -> bool {
    let mut values: Vec<Option<f64>> = vec![
        m.knee_ankle_ratio.get(),
        m.hip_height.get(),
        m.pelvic_drop_deg.get(),
        m.trunk_lean_deg.get().map(|s| s.value),
        m.body_line_deg.get(),
        m.hip_flexion_deg.get().map(|s| s.value),
        m.trunk_rotation_deg.get(),
    ];
    for leg in Leg::BOTH {
        let l = m.leg(leg);
        values.extend([
            l.fppa_deg.get(),
            l.medial_offset.get(),
            l.knee_foot_offset.get(),
            l.knee_over_toe.get().map(|s| s.value),
            l.knee_flexion_deg.get().map(|s| s.value),
            l.thigh_projection.get(),
            l.min_visibility,
        ]);
    }
    values.into_iter().flatten().all(f64::is_finite) && serde_json::to_string(m).is_ok()
}

#[test]
fn fppa_is_the_constructed_angle_and_signed_by_the_body() {
    let m = measure(
        &frontal_legs(12.0, -7.0, 0.9, 0.95),
        &MeasureContext::default(),
    );
    assert_eq!(m.view.get(), Some(View::Frontal));
    assert!((fppa(&m, Leg::Left) - 12.0).abs() < 1e-9, "valgus is +");
    assert!((fppa(&m, Leg::Right) + 7.0).abs() < 1e-9, "varus is −");
    assert!(m.left.medial_offset.get().unwrap() > 0.0);
    assert!(m.right.medial_offset.get().unwrap() < 0.0);
}

#[test]
fn knee_over_toe_comes_from_the_image_in_a_side_view_and_is_not_judged_otherwise() {
    let stand = |shank: f64| {
        let mut body = Body::default();
        for (left, x) in [(true, 0.1), (false, -0.1)] {
            put_leg(
                &mut body,
                left,
                &leg_from_ankle(p3(x, -ANKLE_UP, 0.0), 0.8, shank, 0.0, -x.signum()),
            );
        }
        put_trunk(&mut body, 10.0);
        body
    };
    let want = expected_knee_over_toe(0.7);
    let mut ctx = MeasureContext::default();
    // Not before the foot has been seen side-on standing still.
    let first = measure(&stand(0.7).side(0), &ctx);
    assert_eq!(
        first.right.knee_over_toe.reason(),
        Some(NotJudged::NoStandingFoot)
    );
    ctx.observe(&stand(1.0).side(0), true);
    let side = measure(&stand(0.7).side(1), &ctx);
    assert_eq!(side.view.get(), Some(View::Side));
    let kot = side.right.knee_over_toe.get().unwrap();
    assert_eq!(kot.source, Source::Image);
    assert!((kot.value - want).abs() < 1e-9, "{} vs {want}", kot.value);
    assert!(matches!(
        side.right.fppa_deg.reason(),
        Some(NotJudged::WrongView {
            view: View::Side,
            needs: View::Frontal
        })
    ));
    // From the front it would be BlazePose's estimated depth: not judged, whatever the world
    // landmarks say.
    let front = measure(&stand(0.7).frontal(0), &ctx);
    assert_eq!(
        front.left.knee_over_toe.reason(),
        Some(NotJudged::WrongView {
            view: View::Frontal,
            needs: View::Side
        })
    );
}

#[test]
fn missing_knee_gives_a_reason_not_a_number() {
    let mut frame = frontal_legs(10.0, 10.0, 0.9, 0.9);
    frame.pose.as_mut().unwrap().landmarks[LandmarkIndex::LeftKnee.index()] = None;
    let m = measure(&frame, &MeasureContext::default());
    assert_eq!(
        m.left.fppa_deg.reason(),
        Some(NotJudged::Missing {
            landmark: LandmarkIndex::LeftKnee
        })
    );
    assert!(m.right.fppa_deg.get().is_some());
    assert!(all_values_finite(&m));
}

#[test]
fn hidden_knee_is_not_judged_below_the_visibility_threshold() {
    let mut frame = frontal_legs(10.0, 10.0, 0.9, 0.9);
    frame.pose.as_mut().unwrap().landmarks[LandmarkIndex::RightKnee.index()]
        .as_mut()
        .unwrap()
        .visibility = 0.2;
    let m = measure(&frame, &MeasureContext::default());
    assert!(matches!(
        m.right.fppa_deg.reason(),
        Some(NotJudged::LowVisibility {
            landmark: LandmarkIndex::RightKnee,
            ..
        })
    ));
}

#[test]
fn coincident_hip_knee_ankle_is_degenerate_not_zero() {
    let mut frame = frontal_legs(0.0, 0.0, 1.0, 1.0);
    let pose = frame.pose.as_mut().unwrap();
    let hip = pose.landmarks[LandmarkIndex::LeftHip.index()].unwrap();
    for i in [LandmarkIndex::LeftKnee, LandmarkIndex::LeftAnkle] {
        let l = pose.landmarks[i.index()].as_mut().unwrap();
        l.x = hip.x;
        l.y = hip.y;
    }
    let m = measure(&frame, &MeasureContext::default());
    assert!(m.left.fppa_deg.get().is_none(), "{:?}", m.left.fppa_deg);
    assert!(all_values_finite(&m));
}

#[test]
fn no_person_gives_no_pose_everywhere() {
    let frame = PoseFrame {
        camera: Default::default(),
        index: 7,
        time_s: 0.7,
        image_width: 100,
        image_height: 100,
        pose: None,
    };
    let m = measure(&frame, &MeasureContext::default());
    assert!(!m.detected);
    assert_eq!(m.left.fppa_deg.reason(), Some(NotJudged::NoPose));
    assert_eq!(m.hip_height.reason(), Some(NotJudged::NoPose));
}

#[test]
fn not_judged_serialises_as_a_reason() {
    let mut frame = frontal_legs(10.0, 10.0, 0.9, 0.9);
    frame.pose.as_mut().unwrap().landmarks[LandmarkIndex::LeftKnee.index()] = None;
    let m = measure(&frame, &MeasureContext::default());
    let json = serde_json::to_value(&m).unwrap();
    assert_eq!(
        json["left"]["fppa_deg"],
        serde_json::json!({"not_judged": {"reason": "missing", "landmark": "left_knee"}})
    );
    assert!(json["right"]["fppa_deg"].is_f64());
}

proptest! {
    #[test]
    fn fppa_is_invariant_to_translation_scale_and_rotation(
        left in -25.0f64..25.0,
        right in -25.0f64..25.0,
        thigh in 0.85f64..1.0,
        shank in 0.8f64..1.0,
        s in 0.2f64..5.0,
        theta in -180.0f64..180.0,
        tx in -2000.0f64..2000.0,
        ty in -2000.0f64..2000.0,
    ) {
        let frame = frontal_legs(left, right, thigh, shank);
        let ctx = MeasureContext::default();
        let a = measure(&frame, &ctx);
        let b = measure(&transform(&frame, s, theta, tx, ty), &ctx);
        for (leg, want) in [(Leg::Left, left), (Leg::Right, right)] {
            prop_assert!((fppa(&a, leg) - want).abs() < 1e-7);
            prop_assert!((fppa(&b, leg) - want).abs() < 1e-7);
            let (ma, mb) = (a.leg(leg).medial_offset.get().unwrap(), b.leg(leg).medial_offset.get().unwrap());
            prop_assert!((ma - mb).abs() < 1e-9);
        }
        prop_assert!((a.knee_ankle_ratio.get().unwrap() - b.knee_ankle_ratio.get().unwrap()).abs() < 1e-9);
    }

    #[test]
    fn fppa_is_mirror_symmetric(
        left in -25.0f64..25.0,
        right in -25.0f64..25.0,
        thigh in 0.85f64..1.0,
    ) {
        let frame = frontal_legs(left, right, thigh, 0.95);
        let ctx = MeasureContext::default();
        let a = measure(&frame, &ctx);
        // The same body seen in a mirror: medial is still towards the other hip.
        let same = measure(&mirror(&frame, false), &ctx);
        // A mirrored video as a pose model labels it: the legs swap, the values follow them.
        let swapped = measure(&mirror(&frame, true), &ctx);
        for leg in Leg::BOTH {
            prop_assert!((fppa(&same, leg) - fppa(&a, leg)).abs() < 1e-9);
            prop_assert!((fppa(&swapped, leg.other()) - fppa(&a, leg)).abs() < 1e-9);
        }
        prop_assert!((swapped.pelvic_drop_deg.get().unwrap() + a.pelvic_drop_deg.get().unwrap()).abs() < 1e-9);
    }

    #[test]
    fn arbitrary_landmarks_never_give_nan_or_panic(
        points in proptest::collection::vec(
            (
                prop_oneof![Just(f64::NAN), Just(f64::INFINITY), Just(0.0), -1e4f64..1e4],
                prop_oneof![Just(f64::NAN), Just(0.0), -1e4f64..1e4],
                prop_oneof![Just(f64::NAN), 0.0f64..1.0],
                proptest::bool::weighted(0.8),
            ),
            LANDMARK_COUNT,
        ),
        collapse in proptest::bool::ANY,
        height in 0u32..2000,
    ) {
        let mut landmarks = [None; LANDMARK_COUNT];
        for (slot, (x, y, vis, present)) in landmarks.iter_mut().zip(&points) {
            // Sometimes every landmark on one spot: all segments zero-length.
            let (x, y) = if collapse { (5.0, 5.0) } else { (*x, *y) };
            *slot = present.then_some(Landmark { x, y, z: 0.0, visibility: *vis, presence: 1.0 });
        }
        let frame = PoseFrame {
            camera: Default::default(),
            index: 0,
            time_s: 0.0,
            image_width: height,
            image_height: height,
            pose: Some(Pose { landmarks, world: None }),
        };
        let m = measure(&frame, &MeasureContext::default());
        prop_assert!(all_values_finite(&m));
    }
}
