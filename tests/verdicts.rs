//! Verdicts that can be believed: each measure judged only in the view that can see it, reps
//! found whole through a turn and with no pause, never overlapping, and a rep with nothing
//! judged never counted clean. Built on the kinematic body model (no footage of the programme
//! exercises is openly licensed).

mod model;

use formcheck::analysis::analyze_frames;
use formcheck::exercise;
use formcheck::geometry::{measure, View};
use formcheck::judge::{ConcernStatus, Outcome, Thresholds};
use formcheck::landmarks::PoseFrame;
use model::*;

/// Standing, or at squat phase `p`, with knees caving in by `fppa`.
fn squat_body(p: f64, fppa: f64) -> Body {
    let mut body = Body::default();
    let (thigh, shank) = (1.0 - 0.25 * p, 1.0 - 0.18 * p);
    for (left, x) in [(true, HIP_WIDTH / 2.0), (false, -HIP_WIDTH / 2.0)] {
        let medial = if left { -1.0 } else { 1.0 };
        put_leg(
            &mut body,
            left,
            &leg_from_ankle(
                p3(x, -ANKLE_UP, 0.0),
                thigh,
                shank,
                fppa * valgus_ramp(p),
                medial,
            ),
        );
    }
    put_trunk(&mut body, 10.0 * p);
    body
}

/// Seen by a camera the body is turned `yaw` degrees from (0 front, 90 its right side):
/// orthographic, the world landmarks in the camera's axes.
fn seen(body: &Body, index: u64, yaw: f64) -> PoseFrame {
    let mut turned = body.clone();
    turned.turn(yaw);
    turned.frame_with(index, |p| {
        (
            f64::from(WIDTH) / 2.0 + SCALE * p.x,
            f64::from(HEIGHT) * 0.85 + SCALE * p.y,
        )
    })
}

#[test]
fn view_sweep_judges_each_measure_only_inside_its_view_bounds() {
    let t = Thresholds::default();
    for step in 0..=9 {
        let yaw = 10.0 * step as f64;
        let mut ctx = t.measure_context();
        ctx.observe(&seen(&squat_body(0.0, 0.0), 0, yaw), true);
        let m = measure(&seen(&squat_body(0.5, 8.0), 1, yaw), &ctx);
        let turn = m.turn_deg.get().unwrap();
        let view = m.view.get().unwrap();
        // The classified view changes where the bounds say, within the estimate's error.
        let want = if yaw <= 20.0 {
            View::Frontal
        } else if yaw <= 60.0 {
            View::Oblique
        } else {
            View::Side
        };
        assert_eq!(view, want, "yaw {yaw}: turn read {turn:.1}");
        assert!((turn - yaw).abs() <= 8.0, "yaw {yaw}: turn read {turn:.1}");
        for leg in [&m.left, &m.right] {
            assert_eq!(
                leg.fppa_deg.value().is_some(),
                view == View::Frontal,
                "yaw {yaw}"
            );
            // Knee over the foot is read from the front or at an angle; its bound decides.
            assert_eq!(
                leg.knee_foot_offset.value().is_some(),
                view != View::Side,
                "yaw {yaw}"
            );
            assert_eq!(
                leg.knee_over_toe.value().is_some(),
                view == View::Side,
                "yaw {yaw}: {:?}",
                leg.knee_over_toe
            );
        }
        assert_eq!(m.pelvic_drop_deg.value().is_some(), view == View::Frontal);
        assert_eq!(m.knee_ankle_ratio.value().is_some(), view != View::Side);
    }
}

/// Squats back to back with no pause, the body turning from the front to side-on over the
/// middle reps and stepping 15% closer to the camera: every rep complete, none overlapping.
fn continuous_turning_squats(reps: u64) -> (Vec<PoseFrame>, Vec<Plan>) {
    let plans: Vec<Plan> = (0..reps)
        .map(|i| Plan {
            start: 30 + i * 50,
            down: 25,
            hold: 0,
            up: 25,
        })
        .collect();
    let total = plans.last().unwrap().end() + 30;
    let frames = (0..total)
        .map(|f| {
            let (p, _) = phase_of(&plans, f);
            let progress = (f as f64 / total as f64).clamp(0.0, 1.0);
            let yaw = 90.0 * ease(progress);
            let scale = 1.0 + 0.15 * progress;
            let mut body = squat_body(p, 0.0);
            body.turn(yaw);
            body.frame_with(f, |q| {
                (
                    f64::from(WIDTH) / 2.0 + scale * SCALE * q.x,
                    f64::from(HEIGHT) * 0.85 + scale * SCALE * q.y,
                )
            })
        })
        .collect();
    (frames, plans)
}

#[test]
fn continuous_reps_through_a_turn_of_the_camera_are_complete_and_never_overlap() {
    let (frames, plans) = continuous_turning_squats(8);
    let a = analyze_frames(
        &frames,
        exercise::find("squat").unwrap(),
        None,
        Thresholds::default(),
    );
    let reps: Vec<_> = a.reps().collect();
    assert_eq!(reps.len(), plans.len(), "{:?}", a.rejected);
    for r in &reps {
        assert!(
            r.complete,
            "rep {} incomplete: {:?}",
            r.number, r.incomplete
        );
    }
    for pair in reps.windows(2) {
        assert!(
            pair[1].start.frame >= pair[0].end.frame,
            "reps {} and {} overlap",
            pair[0].number,
            pair[1].number
        );
    }
    // Valgus judged on the reps seen from the front, knee over toe shown on those from the side.
    assert!(reps.first().unwrap().view.get() == Some(View::Frontal));
    assert!(reps.last().unwrap().view.get() == Some(View::Side));
}

#[test]
fn a_rep_with_nothing_judged_is_never_counted_clean() {
    // A bilateral squat seen from the side: valgus needs the front, and knee travel is shown,
    // not judged. The reps are counted; none is clean.
    let plans: Vec<Plan> = (0..3)
        .map(|i| Plan {
            start: 30 + i * 80,
            down: 25,
            hold: 5,
            up: 25,
        })
        .collect();
    let total = plans.last().unwrap().end() + 30;
    let frames: Vec<PoseFrame> = (0..total)
        .map(|f| squat_body(phase_of(&plans, f).0, 0.0).side(f))
        .collect();
    let a = analyze_frames(
        &frames,
        exercise::find("squat").unwrap(),
        None,
        Thresholds::default(),
    );
    assert_eq!(a.summary.complete_reps, 3, "{:?}", a.rejected);
    for r in a.reps() {
        assert_eq!(r.outcome, Outcome::NotJudged, "{:?}", r.concerns);
    }
    let set = &a.sets[0];
    assert_eq!(set.verdict.outcome, Some(Outcome::NotJudged));
    let text = set.verdict.describe();
    assert!(
        text.contains("not judged") && !text.contains("all good"),
        "{text}"
    );
    assert_eq!(a.summary.flagged_reps, 0);
}

/// A feet-only close-up: the camera sees the legs from below the hips. BlazePose still guesses
/// where the hips are (outside the picture); nothing that needs them is judged: no pelvic drop,
/// no FPPA, no view.
#[test]
fn a_feet_only_close_up_judges_nothing_that_needs_the_pelvis() {
    let body = squat_body(0.3, 6.0);
    let close_up = body.frame_with(0, |q| {
        (
            f64::from(WIDTH) / 2.0 + 2000.0 * q.x,
            f64::from(HEIGHT) - 40.0 + 2000.0 * (q.y + ANKLE_UP),
        )
    });
    let hip = close_up.pose.as_ref().unwrap().landmarks
        [formcheck::landmarks::LandmarkIndex::LeftHip.index()]
    .unwrap();
    assert!(hip.y < 0.0, "the hips are outside the picture");
    let m = measure(&close_up, &Thresholds::default().measure_context());
    assert!(
        m.pelvic_drop_deg.value().is_none(),
        "{:?}",
        m.pelvic_drop_deg
    );
    assert!(m.left.fppa_deg.value().is_none() && m.right.fppa_deg.value().is_none());
    assert!(m.hip_height.value().is_none());
    assert!(matches!(
        m.left.fppa_deg.reason(),
        Some(
            formcheck::geometry::NotJudged::OutOfFrame { .. }
                | formcheck::geometry::NotJudged::UnknownView
        )
    ));
}

/// An unfinished rep (here the video ends at its bottom) read "valgus: ok" and "passed" in the
/// report and reps.json, though it may never have reached its turning point. Its concerns are
/// now not judged, with the reason; a fault it showed was seen, and stays.
#[test]
fn an_unfinished_rep_is_never_ok_and_keeps_a_fault_it_showed() {
    let plans: Vec<Plan> = (0..3)
        .map(|i| Plan {
            start: 30 + i * 80,
            down: 25,
            hold: 5,
            up: 25,
        })
        .collect();
    // The video ends at the third rep's bottom.
    let total = plans[2].start + plans[2].down + plans[2].hold;
    for (fppa, unfinished_outcome) in [(0.0, Outcome::NotJudged), (20.0, Outcome::Flagged)] {
        let frames: Vec<PoseFrame> = (0..total)
            .map(|f| seen(&squat_body(phase_of(&plans, f).0, fppa), f, 0.0))
            .collect();
        let a = analyze_frames(
            &frames,
            exercise::find("squat").unwrap(),
            None,
            Thresholds::default(),
        );
        let reps: Vec<_> = a.reps().collect();
        assert_eq!(reps.len(), 3, "fppa {fppa}: {:?}", a.rejected);
        // A knee in line is borderline, not passed: at squat depth the knee/ankle width is
        // within its error bound (±0.38 from a camera within ±10° of square) of its limit.
        let finished = if fppa == 0.0 {
            Outcome::Borderline
        } else {
            Outcome::Flagged
        };
        assert!(reps[..2]
            .iter()
            .all(|r| r.complete && r.outcome == finished));
        let last = reps[2];
        assert!(!last.complete, "fppa {fppa}");
        assert_eq!(last.outcome, unfinished_outcome, "{:?}", last.concerns);
        for c in &last.concerns {
            match &c.status {
                ConcernStatus::Ok => panic!("fppa {fppa}: {c:?} on an unfinished rep"),
                ConcernStatus::NotJudged { reason } => {
                    assert!(reason.contains("the rep was not finished"), "{reason}")
                }
                ConcernStatus::Fault { .. } => assert_eq!(fppa, 20.0),
                ConcernStatus::Borderline { detail } => {
                    panic!("fppa {fppa}: borderline on an unfinished rep: {detail}")
                }
            }
        }
    }
}

/// Squats filmed from `yaw` degrees off square, the knees caving by `fppa` at the bottom.
fn squats_at(yaw: f64, fppa: f64, reps: u64) -> Vec<PoseFrame> {
    let plans: Vec<Plan> = (0..reps)
        .map(|i| Plan {
            start: 30 + i * 70,
            down: 25,
            hold: 5,
            up: 25,
        })
        .collect();
    let total = plans.last().unwrap().end() + 30;
    (0..total)
        .map(|f| {
            let (p, _) = phase_of(&plans, f);
            seen(&squat_body(p, fppa), f, yaw)
        })
        .collect()
}

/// Issue 31's aim: valgus judged (ok, fault or borderline) on at least 85% of the complete reps
/// filmed from the front or up to 45° off it, squat bottoms included. On the kinematic model:
/// clean and caving squats, square on to 45°.
#[test]
fn valgus_is_judged_on_squats_filmed_from_the_front_to_45_degrees() {
    let (mut complete, mut judged) = (0, 0);
    for yaw in [0.0, 15.0, 30.0, 45.0] {
        for fppa in [0.0, 10.0, 20.0] {
            let a = analyze_frames(
                &squats_at(yaw, fppa, 3),
                exercise::find("squat").unwrap(),
                None,
                Thresholds::default(),
            );
            let reps: Vec<_> = a.reps().filter(|r| r.complete).collect();
            assert_eq!(reps.len(), 3, "yaw {yaw}, {fppa}°: {:?}", a.rejected);
            for r in reps {
                complete += 1;
                let status = r
                    .concerns
                    .iter()
                    .find(|c| c.concern == formcheck::judge::Concern::Valgus)
                    .map(|c| &c.status);
                let was_judged = !matches!(status, Some(ConcernStatus::NotJudged { .. }) | None);
                judged += usize::from(was_judged);
                if fppa == 0.0 {
                    assert!(
                        !matches!(status, Some(ConcernStatus::Fault { .. })),
                        "a clean squat at {yaw}° faulted: {:?}",
                        r.flags
                    );
                }
                println!(
                    "yaw {yaw:>2}°, caving {fppa:>2}°: rep {} valgus {}",
                    r.number,
                    status.map_or("-", |s| s.key())
                );
            }
        }
    }
    let share = judged as f64 / complete as f64;
    println!(
        "valgus judged on {judged} of {complete} complete reps ({:.0}%)",
        share * 100.0
    );
    assert!(share >= 0.85, "valgus judged on {judged} of {complete}");
}
