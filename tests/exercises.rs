//! Every exercise profile on landmark sequences from the kinematic model in `model`: exact rep
//! counts, rep boundaries within 2 frames, peak FPPA within 0.5° (taken at peak knee flexion),
//! and the flags each scenario was built to earn — and no others.

mod model;

use formcheck::analysis::{analyze_frames, Analysis};
use formcheck::exercise;
use formcheck::exercise::Side as SideChoice;
use formcheck::geometry::{Leg, Source, View};
use formcheck::judge::Rep;
use formcheck::judge::{Concern, ConcernStatus, Flag, Thresholds};
use formcheck::landmarks::{LandmarkIndex, PoseFrame};
use model::*;

const BOUNDARY_FRAMES: i64 = 2;
const FPPA_TOLERANCE_DEG: f64 = 0.5;

fn run(frames: &[PoseFrame], name: &str, side: Option<SideChoice>) -> Analysis {
    analyze_frames(
        frames,
        exercise::find(name).unwrap(),
        side,
        Thresholds::default(),
    )
}

fn assert_boundaries(rep: &Rep, plan: &Plan) {
    let near = |got: u64, want: u64, what: &str| {
        assert!(
            (got as i64 - want as i64).abs() <= BOUNDARY_FRAMES,
            "rep {} {what}: frame {got}, planned {want}",
            rep.number
        );
    };
    near(rep.start.frame, plan.start, "start");
    near(rep.bottom.frame, plan.bottom(), "bottom");
    near(rep.end.frame, plan.end(), "end");
}

fn kinds(rep: &Rep) -> Vec<&'static str> {
    let mut k: Vec<_> = rep.faults().map(|f| f.kind()).collect();
    k.sort();
    k.dedup();
    k
}

/// The FPPA of `leg` was read but not judged: the turn estimate places the camera only within
/// ±10° of square, and at the knee bend it was read at the truth model's error (with that of the
/// turn and BlazePose's jitter) reaches the limit (issue 31: a 2-D FPPA on a bent knee can be
/// off by more than the whole normal band). The note says by how much.
/// The rep's knee-over-the-foot reading, when it was borderline (`None` for the two legs' mean).
fn knee_foot_borderline(rep: &Rep) -> Option<(Option<Leg>, f64, f64)> {
    rep.flags.iter().find_map(|f| match f {
        Flag::Borderline {
            measure: formcheck::judge::Measure::KneeFootOffset,
            leg,
            value,
            bound,
            ..
        } => Some((*leg, *value, *bound)),
        _ => None,
    })
}

/// The rep's knee over the foot was not judged: from that view and bend its bound spans the foot.
fn knee_foot_uncertain(rep: &Rep, leg: Leg) -> bool {
    rep.flags.iter().any(|f| {
        matches!(
            f,
            Flag::NotJudged {
                measure: formcheck::judge::Measure::KneeFootOffset,
                leg: Some(l),
                reason: formcheck::geometry::NotJudged::UncertainOffset { bound, limit },
            } if *l == leg && *bound >= 2.0 * limit
        )
    })
}

fn fppa_uncertain(rep: &Rep, leg: Leg) -> bool {
    rep.flags.iter().any(|f| {
        matches!(
            f,
            Flag::NotJudged {
                measure: formcheck::judge::Measure::Fppa,
                leg: Some(l),
                reason: formcheck::geometry::NotJudged::Uncertain { bound_deg, limit_deg },
            } if *l == leg && bound_deg >= limit_deg
        )
    })
}

fn fppa_of(rep: &Rep, leg: Leg) -> f64 {
    rep.peak(leg)
        .and_then(|p| p.fppa_deg.get())
        .unwrap_or_else(|| {
            panic!(
                "rep {} {leg}: FPPA not judged: {:?}",
                rep.number,
                rep.peak(leg)
            )
        })
}

// ---------------------------------------------------------------- squat

struct SquatRep {
    plan: Plan,
    fppa: f64,
    thigh: f64,
    shank: f64,
    lean: f64,
}

fn squat_frames(reps: &[SquatRep], total: u64) -> Vec<PoseFrame> {
    squat_frames_seen(reps, total, false)
}

/// The squat seen from the front, or from the subject's right side.
fn squat_frames_seen(reps: &[SquatRep], total: u64, from_side: bool) -> Vec<PoseFrame> {
    let plans: Vec<Plan> = reps.iter().map(|r| r.plan).collect();
    (0..total)
        .map(|f| {
            let (p, i) = phase_of(&plans, f);
            let r = i.map(|i| &reps[i]);
            let (fppa, thigh, shank, lean) = r.map_or((0.0, 1.0, 1.0, 0.0), |r| {
                (
                    r.fppa * valgus_ramp(p),
                    1.0 - (1.0 - r.thigh) * p,
                    1.0 - (1.0 - r.shank) * p,
                    r.lean * p,
                )
            });
            let mut body = Body::default();
            put_both_legs(&mut body, 0.0, thigh, shank, fppa);
            put_trunk(&mut body, lean);
            if from_side {
                body.side(f)
            } else {
                body.frontal(f)
            }
        })
        .collect()
}

fn squat_scenario() -> (Vec<SquatRep>, u64) {
    let rep = |start, down, hold, up, fppa, thigh, shank, lean| SquatRep {
        plan: Plan {
            start,
            down,
            hold,
            up,
        },
        fppa,
        thigh,
        shank,
        lean,
    };
    (
        vec![
            rep(30, 30, 0, 30, 4.0, 0.71, 0.82, 10.0),
            // Knees cave in: 18° > 13° (drop-jump band, unspecified sex), knees inside ankles.
            rep(120, 30, 10, 30, 18.0, 0.71, 0.82, 10.0),
            rep(220, 24, 0, 36, 5.0, 0.71, 0.82, 12.0),
            // Bending over to pick something up: as deep, but a stoop.
            rep(320, 30, 0, 30, 0.0, 0.71, 0.82, 75.0),
            // The clip ends at the bottom of this one.
            rep(420, 30, 30, 30, 4.0, 0.71, 0.82, 10.0),
        ],
        456,
    )
}

#[test]
fn squat_counts_judges_and_ignores_a_stoop() {
    let (reps, total) = squat_scenario();
    let a = run(&squat_frames(&reps, total), "squat", None);
    let got: Vec<&Rep> = a.reps().collect();
    assert_eq!(a.summary.complete_reps, 3);
    assert_eq!(a.summary.incomplete_reps, 1);
    assert_eq!(got.len(), 4, "the stoop is not a rep");
    assert_eq!(a.rejected.len(), 1);
    assert!(
        a.rejected[0].reason.contains("stoop"),
        "{}",
        a.rejected[0].reason
    );
    for (rep, planned) in got.iter().zip([&reps[0], &reps[1], &reps[2]]) {
        assert!(rep.complete);
        assert_boundaries(rep, &planned.plan);
        for leg in Leg::BOTH {
            let fppa = fppa_of(rep, leg);
            assert!(
                (fppa - planned.fppa).abs() <= FPPA_TOLERANCE_DEG,
                "rep {} {leg}: {fppa} vs {}",
                rep.number,
                planned.fppa
            );
        }
    }
    let last = got[3];
    assert!(!last.complete);
    assert_eq!(last.bottom.frame, reps[4].plan.bottom());
    assert_eq!(kinds(got[0]), Vec::<&str>::new());
    // Rep 2's knees cave in 18°, at about 80° of knee bend from the front: each knee is 6% of
    // leg length inside its ankle, within the two knees' mean's error (±6.4%: perspective from
    // a camera 2–4 m away, the turn estimate, jitter) of the 5.6% limit; the 18° FPPA, read deep
    // in the descent, is uncertain by more than the 13° limit; the knee/ankle width is within
    // its error of its limit. Borderline, said as such: no measure can certify a fault.
    assert_eq!(kinds(got[1]), Vec::<&str>::new());
    assert!(matches!(
        concern_of(got[1], Concern::Valgus),
        ConcernStatus::Borderline { .. }
    ));
    let (whose, offset, bound) = knee_foot_borderline(got[1]).expect("knee over the foot read");
    assert_eq!(whose, None, "the two knees' mean");
    assert!(
        (offset - 0.06).abs() < 0.005 && bound < 0.07,
        "{offset} ±{bound}"
    );
    assert!(fppa_uncertain(got[1], Leg::Left) && fppa_uncertain(got[1], Leg::Right));
    assert!(got[1].flags.iter().any(|f| matches!(
        f,
        Flag::Borderline {
            measure: formcheck::judge::Measure::KneeAnkleRatio,
            ..
        }
    )));
    assert!(matches!(
        got[1].flags.iter().find(|f| matches!(f, Flag::NotJudged { measure: formcheck::judge::Measure::Fppa, .. })),
        Some(Flag::NotJudged { reason: formcheck::geometry::NotJudged::Uncertain { limit_deg, .. }, .. }) if *limit_deg == 13.0
    ));
    assert_eq!(kinds(got[2]), Vec::<&str>::new());
    // The knee/ankle ratio the construction gives at the bottom of rep 2.
    let ratio = got[1].body.knee_ankle_ratio.get().unwrap();
    let leg = leg_from_ankle(p3(HIP_WIDTH / 2.0, 0.0, 0.0), 0.71, 0.82, 18.0, -1.0);
    let want = (2.0 * leg.knee.x) / HIP_WIDTH;
    assert!((ratio - want).abs() < 1e-6, "{ratio} vs {want}");
    // Knee over toe is not read in a frontal view (it would be BlazePose's estimated depth), and
    // for the squat it is shown, not judged: no note, no fault.
    let kot = &got[0].peak(Leg::Left).unwrap().knee_over_toe;
    assert!(matches!(
        kot.reason(),
        Some(formcheck::geometry::NotJudged::WrongView {
            needs: View::Side,
            ..
        })
    ));
    assert!(got.iter().all(|r| r
        .flags
        .iter()
        .all(|f| f.concern() != Some(formcheck::judge::Concern::KneeOverToe))));
}

/// The male band's narrower limit (8°, against 13°) is the one the rep's FPPA is held to. From a
/// frontal camera at squat depth the FPPA is uncertain under either band (its bound reaches
/// both limits); the three-way verdict against each band is unit-tested in src/judge/checks.rs.
#[test]
fn male_band_holds_a_squat_to_the_narrower_limit() {
    let (mut reps, total) = squat_scenario();
    reps.truncate(1);
    reps[0].fppa = 10.0;
    let frames = squat_frames(&reps, 100);
    let _ = total;
    let female = run(&frames, "squat", None);
    let limit = |r: &Rep| {
        r.flags.iter().find_map(|f| match f {
            Flag::NotJudged {
                reason: formcheck::geometry::NotJudged::Uncertain { limit_deg, .. },
                ..
            } => Some(*limit_deg),
            _ => None,
        })
    };
    // `all` holds on no reps at all: the rep must be there for the check to mean anything.
    assert_eq!(female.reps().count(), 1);
    assert!(female.reps().all(|r| limit(r) == Some(13.0)));
    let male = analyze_frames(
        &frames,
        exercise::find("squat").unwrap(),
        None,
        Thresholds {
            sex: formcheck::judge::SexBand::Male,
            ..Thresholds::default()
        },
    );
    assert_eq!(male.reps().count(), 1);
    assert!(male.reps().all(|r| limit(r) == Some(8.0)));
}

/// At the bottom of a deep frontal squat the thigh points at the camera; FPPA is read at the
/// deepest frame of the descent where it was still measurable, with the knee bend there.
#[test]
fn deep_frontal_squat_reads_fppa_at_the_deepest_measurable_frame() {
    let (mut reps, _) = squat_scenario();
    reps.truncate(1);
    reps[0].thigh = 0.5;
    reps[0].fppa = 20.0;
    let frames = squat_frames(&reps, 100);
    let a = run(&frames, "squat", None);
    let rep = a.reps().next().unwrap();
    let bottom = a
        .frames
        .iter()
        .find(|f| f.frame == rep.bottom.frame)
        .unwrap();
    assert!(matches!(
        bottom.left.fppa_deg.reason(),
        Some(formcheck::geometry::NotJudged::ThighForeshortened { .. })
    ));
    let peak = rep.peak(Leg::Left).unwrap();
    let at = peak.fppa_at.expect("read somewhere in the descent");
    assert!(
        at.frame < rep.bottom.frame && at.frame > rep.start.frame,
        "{at:?}"
    );
    let read = a.frames.iter().find(|f| f.frame == at.frame).unwrap();
    let t = Thresholds::default();
    assert!(read.left.thigh_projection.get().unwrap() >= t.min_thigh_projection);
    // The next frame down could not be read (the thigh foreshortened or bent past 60°).
    let next = a.frames.iter().find(|f| f.frame == at.frame + 1).unwrap();
    let next_bend = next.left.knee_flexion_deg.get().map_or(0.0, |s| s.value);
    assert!(next.left.fppa_deg.get().is_none() || next_bend > t.fppa_max_knee_flexion_deg);
    let bend = peak
        .fppa_knee_flexion_deg
        .get()
        .expect("knee bend reported")
        .value;
    assert!(bend <= t.fppa_max_knee_flexion_deg, "{bend}");
    assert!((fppa_of(rep, Leg::Left) - 20.0).abs() <= FPPA_TOLERANCE_DEG);
    // Read at that bend from a camera placed within ±10° of square, 20° is not past the 13°
    // limit by more than its error: not judged, with the bound said.
    let bound = peak.fppa_bound_deg.expect("a bound where FPPA was read");
    assert!(bound > 13.0, "{bound}");
    assert!(fppa_uncertain(rep, Leg::Left));
}

#[test]
fn squat_counts_through_noise_and_a_lost_frame() {
    let (reps, total) = squat_scenario();
    let mut frames = squat_frames(&reps[..3], total.min(300));
    // Deterministic jitter of ±1.5 px on every landmark, and one frame with nobody found.
    let mut state = 12345u64;
    for f in &mut frames {
        if let Some(pose) = &mut f.pose {
            for l in pose.landmarks.iter_mut().flatten() {
                state = state
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                let r = ((state >> 33) as f64 / (1u64 << 31) as f64) - 0.5;
                l.x += 3.0 * r;
                l.y += 3.0 * (0.5 - r);
            }
        }
    }
    frames[150].pose = None;
    let a = run(&frames, "squat", None);
    assert_eq!(a.summary.complete_reps, 3, "{:?}", a.rejected);
    // The bottom of a smooth squat is flat: jitter moves the lowest frame, within the 0.3 s
    // the real clips are held to (plus any hold at the bottom).
    let slack = (0.3 * FPS) as u64;
    for (rep, planned) in a.reps().zip(&reps) {
        let p = planned.plan;
        assert!(
            rep.bottom.frame + slack >= p.bottom()
                && rep.bottom.frame <= p.bottom() + p.hold + slack,
            "rep {} bottom {} vs {}..{}",
            rep.number,
            rep.bottom.frame,
            p.bottom(),
            p.bottom() + p.hold
        );
    }
}

// ---------------------------------------------------------- single-leg squat

struct OneLegRep {
    plan: Plan,
    fppa: f64,
    drop: f64,
}

/// Standing on `stance`, the other leg held forward; the pelvis drops `drop` degrees on the
/// free side.
fn single_leg_frames(reps: &[OneLegRep], total: u64, stance_left: bool) -> Vec<PoseFrame> {
    let plans: Vec<Plan> = reps.iter().map(|r| r.plan).collect();
    (0..total)
        .map(|f| {
            let (p, i) = phase_of(&plans, f);
            let (fppa, drop) = i.map_or((0.0, 0.0), |i| {
                (reps[i].fppa * valgus_ramp(p), reps[i].drop * p)
            });
            let (thigh, shank) = (1.0 - 0.25 * p, 1.0 - 0.15 * p);
            let side = if stance_left { 1.0 } else { -1.0 };
            let ankle = p3(side * HIP_WIDTH / 2.0, -ANKLE_UP, 0.0);
            let stance = leg_from_ankle(ankle, thigh, shank, fppa, -side);
            let d = drop.to_radians();
            // The free hip, across the pelvis and lower by the drop (y down).
            let free_hip = stance.hip + p3(-side * HIP_WIDTH * d.cos(), HIP_WIDTH * d.sin(), 0.0);
            let free_knee = free_hip + p3(0.0, 0.25, -0.36);
            let free_ankle = free_knee + p3(0.0, 0.30 - 0.1 * p, 0.2);
            let free = LegPose {
                hip: free_hip,
                knee: free_knee,
                ankle: free_ankle,
                heel: free_ankle + p3(0.0, 0.03, HEEL_BACK),
                toe: free_ankle + p3(0.0, 0.03, -TOE_FWD),
            };
            let mut body = Body::default();
            put_leg(&mut body, stance_left, &stance);
            put_leg(&mut body, !stance_left, &free);
            put_trunk(&mut body, 15.0 * p);
            body.frontal(f)
        })
        .collect()
}

fn one_leg_scenario() -> Vec<OneLegRep> {
    let rep = |start, fppa, drop| OneLegRep {
        plan: Plan {
            start,
            down: 36,
            hold: 0,
            up: 36,
        },
        fppa,
        drop,
    };
    // Rep 2: FPPA 15° > 10° step-down limit, pelvis drops 8° > 5° on the free side.
    vec![rep(30, 6.0, 2.0), rep(130, 15.0, 8.0), rep(230, 8.0, 3.0)]
}

#[test]
fn single_leg_squat_finds_the_stance_leg_and_flags_valgus_and_pelvic_drop() {
    let reps = one_leg_scenario();
    for (stance_left, side) in [
        (false, None),
        (false, Some(SideChoice::Right)),
        (true, None),
    ] {
        let stance = if stance_left { Leg::Left } else { Leg::Right };
        let a = run(
            &single_leg_frames(&reps, 330, stance_left),
            "single-leg-squat",
            side,
        );
        assert_eq!(a.summary.complete_reps, 3);
        assert_eq!(a.summary.incomplete_reps, 0);
        for (rep, planned) in a.reps().zip(&reps) {
            assert_eq!(rep.legs, vec![stance], "stance leg");
            assert_boundaries(rep, &planned.plan);
            let fppa = fppa_of(rep, stance);
            assert!((fppa - planned.fppa).abs() <= FPPA_TOLERANCE_DEG, "{fppa}");
            let drop = rep.body.pelvic_drop_deg.get().unwrap();
            let want = if stance_left {
                -planned.drop
            } else {
                planned.drop
            };
            assert!((drop - want).abs() < 1e-6, "pelvic drop {drop} vs {want}");
        }
        let got: Vec<&Rep> = a.reps().collect();
        assert_eq!(kinds(got[0]), Vec::<&str>::new());
        assert_eq!(kinds(got[1]), vec!["pelvic_drop"]);
        assert!(fppa_uncertain(got[1], stance));
        assert_eq!(kinds(got[2]), Vec::<&str>::new());
        assert!(got[1]
            .flags
            .iter()
            .any(|f| matches!(f, Flag::PelvicDrop { leg, .. } if *leg == stance.other())));
    }
}

// ------------------------------------------------------------------ lunge

fn lunge_frames(reps: &[LungeRep], total: u64) -> Vec<PoseFrame> {
    lunge_frames_seen(reps, total, false)
}

/// From the side a lunge is judged for knee over toe, in the image, against the standing foot;
/// valgus is then not judged, with the view as the reason.
#[test]
fn side_view_lunge_judges_knee_over_toe_and_not_valgus() {
    let rep = |start, shank| LungeRep {
        plan: Plan {
            start,
            down: 30,
            hold: 6,
            up: 30,
        },
        front_left: false,
        fppa: 0.0,
        shank,
    };
    // The knee about over the toes (shank 0.85), then 31% of a foot past them (0.70), then
    // 64% past them (0.40).
    let reps = vec![rep(30, 0.85), rep(120, 0.70), rep(210, 0.40)];
    let a = run(&lunge_frames_seen(&reps, 310, true), "lunge", None);
    assert_eq!(a.summary.complete_reps, 3, "{:?}", a.rejected);
    let got: Vec<&Rep> = a.reps().collect();
    for (rep, planned) in got.iter().zip(&reps) {
        assert_eq!(rep.view.get(), Some(View::Side));
        let kot = rep.peak(Leg::Right).unwrap().knee_over_toe.get().unwrap();
        assert_eq!(kot.source, Source::Image);
        assert!(
            (kot.value - expected_knee_over_toe(planned.shank)).abs() < 1e-6,
            "{kot:?}"
        );
        assert!((-1.0..=1.0).contains(&kot.value));
    }
    // From the side, with the turn known to ±10° and the camera's height and distance unknown,
    // knee over toe is uncertain by a third to a half of a foot at lunge depth: 31% past the
    // toes is past the 10% limit by less than that, borderline; 64% past is a fault.
    assert_eq!(kinds(got[0]), Vec::<&str>::new());
    assert_eq!(kinds(got[1]), Vec::<&str>::new());
    let (value, bound) = got[1]
        .flags
        .iter()
        .find_map(|f| match f {
            Flag::Borderline {
                measure: formcheck::judge::Measure::KneeOverToe,
                value,
                bound,
                ..
            } => Some((*value, *bound)),
            _ => None,
        })
        .expect("31% past the toes is borderline");
    assert!(value > 0.10 && value - bound < 0.10, "{value} ±{bound}");
    assert!((0.2..0.5).contains(&bound), "{bound}");
    assert_eq!(kinds(got[2]), vec!["knee_past_toe"]);
    let valgus = got[0]
        .concerns
        .iter()
        .find(|c| c.concern == formcheck::judge::Concern::Valgus)
        .unwrap();
    assert!(matches!(
        &valgus.status,
        formcheck::judge::ConcernStatus::NotJudged { reason } if reason.contains("needs a front")
    ));
    assert_eq!(
        got[2]
            .flags
            .iter()
            .find(|f| f.is_fault())
            .map(|f| exercise::find("lunge").unwrap().cue(f)),
        Some("front knee past the toes: lower the back knee straight down")
    );
}

#[test]
fn lunge_judges_the_front_knee_left_then_right_in_two_sets() {
    let rep = |start, front_left, fppa, shank| LungeRep {
        plan: Plan {
            start,
            down: 30,
            hold: 6,
            up: 30,
        },
        front_left,
        fppa,
        shank,
    };
    let reps = vec![
        rep(30, true, 5.0, 0.85),
        rep(120, true, 7.0, 0.85),
        // 20 s rest, then the right leg in front.
        rep(810, false, 6.0, 0.70),
        rep(900, false, 18.0, 0.85),
    ];
    let a = run(&lunge_frames(&reps, 1000), "lunge", None);
    assert_eq!(a.summary.complete_reps, 4);
    assert_eq!(a.sets.len(), 2);
    assert_eq!(a.sets[0].reps.len(), 2);
    let got: Vec<&Rep> = a.reps().collect();
    for (rep, planned) in got.iter().zip(&reps) {
        let front = if planned.front_left {
            Leg::Left
        } else {
            Leg::Right
        };
        assert_eq!(rep.legs, vec![front]);
        assert_boundaries(rep, &planned.plan);
        let fppa = fppa_of(rep, front);
        assert!((fppa - planned.fppa).abs() <= FPPA_TOLERANCE_DEG, "{fppa}");
    }
    assert_eq!(kinds(got[0]), Vec::<&str>::new());
    assert_eq!(kinds(got[1]), Vec::<&str>::new());
    // Shank pitched further forward, the knee 31% of a foot length past the toes: from the
    // front that is not seen (it would be estimated depth), so no fault and no pass.
    assert_eq!(kinds(got[2]), Vec::<&str>::new());
    assert!(matches!(
        got[2].peak(Leg::Right).unwrap().knee_over_toe.reason(),
        Some(formcheck::geometry::NotJudged::WrongView {
            needs: View::Side,
            ..
        })
    ));
    // The 18° caving lunge from the front: at its bottom one knee alone, with the camera's turn
    // known to ±10°, is uncertain by more than the foot is wide, and so is the FPPA; earlier in
    // the descent, at about 50° of bend, the knee is 7% of leg length inside its ankle ±11–12%:
    // past the 5.6% limit by less than its error. Borderline, said where it was read.
    assert_eq!(kinds(got[3]), Vec::<&str>::new());
    assert!(got[3].legs.iter().all(|&leg| fppa_uncertain(got[3], leg)));
    let (whose, offset, bound) = knee_foot_borderline(got[3]).expect("read before the bottom");
    assert_eq!(whose, Some(Leg::Right));
    assert!(
        offset > 0.056 && offset - bound < 0.056,
        "{offset} ±{bound}"
    );
    let peak = got[3].peak(Leg::Right).unwrap();
    let read_at = peak.knee_foot_at.expect("not at the bottom").frame;
    assert!(read_at < got[3].bottom.frame, "{read_at}");
    assert!(matches!(
        concern_of(got[3], Concern::Valgus),
        ConcernStatus::Borderline { .. }
    ));
    // Left mean 6°, right mean 12°: 6° apart, more than the 5° limit but far less than the two
    // FPPAs' error bounds together (each uncertain by more than its limit at that depth): no
    // asymmetry is claimed.
    assert!(a.summary.asymmetry.is_empty(), "{:?}", a.summary.asymmetry);
}

// ------------------------------------------------------------- side step-up

struct StepRep {
    plan: Plan,
    fppa: f64,
    drop: f64,
}

/// Left foot on a 20 cm step; a rep rises from the low position (knee bent, right foot on the
/// floor) to standing on the step and back.
fn step_up_frames(reps: &[StepRep], total: u64) -> Vec<PoseFrame> {
    let plans: Vec<Plan> = reps.iter().map(|r| r.plan).collect();
    let step = 0.20;
    (0..total)
        .map(|f| {
            let (q, i) = phase_of(&plans, f);
            let r = i.map_or(&reps[0], |i| &reps[i]);
            let low = 1.0 - q;
            let (thigh, shank) = (1.0 - 0.26 * low, 1.0 - 0.15 * low);
            let stance = leg_from_ankle(
                p3(HIP_WIDTH / 2.0, -step - ANKLE_UP, 0.0),
                thigh,
                shank,
                r.fppa * valgus_ramp(low),
                -1.0,
            );
            let d = (r.drop * q).to_radians();
            let free_hip = stance.hip + p3(-HIP_WIDTH * d.cos(), HIP_WIDTH * d.sin(), 0.0);
            let free_ankle = p3(-HIP_WIDTH / 2.0, (-ANKLE_UP).min(free_hip.y + 0.80), 0.0);
            let free_knee = p3(free_ankle.x, (free_hip.y + free_ankle.y) / 2.0, -0.05);
            let free = LegPose {
                hip: free_hip,
                knee: free_knee,
                ankle: free_ankle,
                heel: free_ankle + p3(0.0, ANKLE_UP, HEEL_BACK),
                toe: free_ankle + p3(0.0, ANKLE_UP, -TOE_FWD),
            };
            let mut body = Body::default();
            put_leg(&mut body, true, &stance);
            put_leg(&mut body, false, &free);
            put_trunk(&mut body, 10.0 * low);
            body.frontal(f)
        })
        .collect()
}

#[test]
fn side_step_up_judges_the_stepping_knee_at_its_deepest_bend() {
    let rep = |start, fppa, drop| StepRep {
        plan: Plan {
            start,
            down: 30,
            hold: 10,
            up: 30,
        },
        fppa,
        drop,
    };
    // Rep 2: FPPA 15° at the low point (> 12° step-landing band), pelvis drops 7° at the top.
    let reps = vec![rep(40, 5.0, 0.0), rep(140, 15.0, 7.0), rep(240, 5.0, 1.0)];
    let a = run(&step_up_frames(&reps, 350), "side-step-up", None);
    assert_eq!(a.summary.complete_reps, 3, "{:?}", a.rejected);
    let got: Vec<&Rep> = a.reps().collect();
    for (rep, planned) in got.iter().zip(&reps) {
        assert_eq!(rep.legs, vec![Leg::Left]);
        assert_boundaries(rep, &planned.plan);
        let fppa = fppa_of(rep, Leg::Left);
        assert!((fppa - planned.fppa).abs() <= FPPA_TOLERANCE_DEG, "{fppa}");
    }
    assert_eq!(kinds(got[0]), Vec::<&str>::new());
    assert_eq!(kinds(got[1]), vec!["pelvic_drop"]);
    assert!(fppa_uncertain(got[1], Leg::Left));
    assert_eq!(kinds(got[2]), Vec::<&str>::new());
}

// -------------------------------------------------------- single-leg bridge

struct BridgeRep {
    plan: Plan,
    lift: f64,
    drop: f64,
    knee_in: f64,
}

/// Lying on the back, the camera at the feet raised 20°; left foot on the floor, right leg held
/// in line with the left thigh.
fn bridge_frames(reps: &[BridgeRep], total: u64) -> Vec<PoseFrame> {
    bridge_frames_seen(reps, total, false)
}

/// The bridge from the feet (as [`bridge_frames`]) or from the subject's right side at floor
/// height.
fn bridge_frames_seen(reps: &[BridgeRep], total: u64, from_side: bool) -> Vec<PoseFrame> {
    use LandmarkIndex::*;
    let plans: Vec<Plan> = reps.iter().map(|r| r.plan).collect();
    let e = 20f64.to_radians();
    (0..total)
        .map(|f| {
            let (p, i) = phase_of(&plans, f);
            let r = i.map_or(&reps[0], |i| &reps[i]);
            let lift = r.lift * p;
            let mut body = Body::default();
            let half = HIP_WIDTH / 2.0;
            body.set(LeftShoulder, p3(SHOULDER_WIDTH / 2.0, 0.0, 0.5));
            body.set(RightShoulder, p3(-SHOULDER_WIDTH / 2.0, 0.0, 0.5));
            body.set(LeftHip, p3(half, -lift, 0.0));
            body.set(
                RightHip,
                p3(
                    -half,
                    -lift + HIP_WIDTH * (r.drop * p).to_radians().tan(),
                    0.0,
                ),
            );
            let knee = p3(half - r.knee_in * p, -0.40, -0.30);
            let ankle = p3(half, -ANKLE_UP, -0.45);
            body.set(LeftKnee, knee);
            body.set(LeftAnkle, ankle);
            body.set(LeftHeel, ankle + p3(0.0, ANKLE_UP, HEEL_BACK));
            body.set(LeftFootIndex, ankle + p3(0.0, ANKLE_UP, -TOE_FWD));
            let rh = body.get(RightHip);
            let rk = p3(-half, -0.40, -0.30);
            let dir = rk - rh;
            body.set(RightKnee, rk);
            let ra = rk + dir;
            body.set(RightAnkle, ra);
            body.set(RightHeel, ra);
            body.set(RightFootIndex, ra + p3(0.0, -0.05, -0.1));
            body.fill_upper();
            if from_side {
                return body.side(f);
            }
            body.frame_with(f, |q| {
                (
                    f64::from(WIDTH) / 2.0 + SCALE * q.x,
                    f64::from(HEIGHT) / 2.0 + SCALE * (q.y * e.cos() - q.z * e.sin()),
                )
            })
        })
        .collect()
}

#[test]
fn single_leg_bridge_counts_lifts_and_flags_low_lift_pelvis_and_knee() {
    let rep = |start, lift, drop, knee_in| BridgeRep {
        plan: Plan {
            start,
            down: 30,
            hold: 30,
            up: 30,
        },
        lift,
        drop,
        knee_in,
    };
    let reps = vec![
        rep(30, 0.25, 0.0, 0.0),
        // Hip only half way up: 29.5° short of straight > 20°.
        rep(150, 0.12, 0.0, 0.0),
        // Right side of the pelvis drops 10°; the standing knee falls in 6 cm.
        rep(270, 0.25, 10.0, 0.06),
    ];
    let a = run(&bridge_frames(&reps, 400), "single-leg-bridge", None);
    assert_eq!(a.summary.complete_reps, 3, "{:?}", a.rejected);
    let got: Vec<&Rep> = a.reps().collect();
    for (rep, planned) in got.iter().zip(&reps) {
        assert_eq!(rep.legs, vec![Leg::Left], "the foot on the floor");
        assert_boundaries(rep, &planned.plan);
    }
    // Hip flexion at the top, from the construction: the angle between shoulder→hip and
    // hip→knee (both sides alike in rep 2).
    let top = |lift: f64| {
        let a = [HIP_WIDTH / 2.0 - SHOULDER_WIDTH / 2.0, -lift, -0.5];
        let b = [0.0, -0.40 + lift, -0.30];
        let dot: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
        let n = |v: &[f64; 3]| v.iter().map(|x| x * x).sum::<f64>().sqrt();
        (dot / (n(&a) * n(&b))).acos().to_degrees()
    };
    // From the feet the hip angle is a 3-D estimate: it counts the reps (the frames carry it)
    // but the lift is judged only from the side.
    let top_frame = a
        .frames
        .iter()
        .find(|f| f.frame == got[1].bottom.frame)
        .unwrap();
    let flex = top_frame.hip_flexion_deg.get().unwrap();
    assert_eq!(flex.source, Source::World);
    assert!(
        (flex.value - top(0.12)).abs() < 0.01,
        "{} vs {}",
        flex.value,
        top(0.12)
    );
    assert!(matches!(
        got[1].body.hip_flexion_deg.reason(),
        Some(formcheck::geometry::NotJudged::WrongView {
            needs: View::Side,
            ..
        })
    ));
    assert_eq!(kinds(got[0]), Vec::<&str>::new());
    assert_eq!(kinds(got[1]), Vec::<&str>::new());
    // The knee falling in 6 cm at the top, one leg seen from the front: not judged (its bound
    // spans the foot); the pelvis drop is a fault.
    assert_eq!(kinds(got[2]), vec!["pelvic_drop"]);
    assert!(knee_foot_uncertain(got[2], Leg::Left));
}

/// The bridge's working leg flipped on the last rep of a set, where neither foot clearly stayed
/// put: a rep that does not clearly point to the other leg keeps the set's leg.
#[test]
fn bridge_keeps_its_working_leg_on_an_ambiguous_last_rep() {
    let rep = |start| BridgeRep {
        plan: Plan {
            start,
            down: 30,
            hold: 30,
            up: 30,
        },
        lift: 0.25,
        drop: 0.0,
        knee_in: 0.0,
    };
    let reps = vec![rep(30), rep(150), rep(270)];
    let mut frames = bridge_frames(&reps, 400);
    // Last rep: the free foot held still as well, and the standing foot sliding a little more
    // than it (5 px against 4 px): alone, the rep reads as the right leg's, but not clearly.
    let last = reps[2].plan;
    let right_at_start = frames[last.start as usize].pose.as_ref().unwrap().landmarks
        [LandmarkIndex::RightAnkle.index()]
    .unwrap();
    for frame in &mut frames[last.start as usize..=last.end() as usize] {
        let p = phase_of(&[last], frame.index).0;
        let pose = frame.pose.as_mut().unwrap();
        let mut right = right_at_start;
        right.y += 4.0 * p;
        pose.landmarks[LandmarkIndex::RightAnkle.index()] = Some(right);
        if let Some(left) = pose.landmarks[LandmarkIndex::LeftAnkle.index()].as_mut() {
            left.y += 5.0 * p;
        }
    }
    let alone = run(&frames[240..], "single-leg-bridge", None);
    let alone: Vec<&Rep> = alone.reps().collect();
    assert_eq!(alone.len(), 1);
    assert_eq!(
        alone[0].legs,
        vec![Leg::Right],
        "the test's last rep on its own"
    );

    let a = run(&frames, "single-leg-bridge", None);
    assert_eq!(a.summary.complete_reps, 3, "{:?}", a.rejected);
    for rep in a.reps() {
        assert_eq!(rep.legs, vec![Leg::Left], "rep {}", rep.number);
    }
}

// --------------------------------------------------------------- side plank

struct PlankRep {
    plan: Plan,
    top_deg: f64,
    rock_deg: f64,
}

const PLANK_REST_DEG: f64 = -30.0;

/// Lying on the right side facing the camera; the hip lifts from `PLANK_REST_DEG` below the
/// shoulder–ankle line to `top_deg`; `rock_deg` rolls the trunk back and forth during the rep.
fn plank_frames(reps: &[PlankRep], total: u64) -> Vec<PoseFrame> {
    use LandmarkIndex::*;
    let plans: Vec<Plan> = reps.iter().map(|r| r.plan).collect();
    (0..total)
        .map(|f| {
            let (p, i) = phase_of(&plans, f);
            let r = i.map_or(&reps[0], |i| &reps[i]);
            let tau = (PLANK_REST_DEG + (r.top_deg - PLANK_REST_DEG) * p).to_radians();
            let rho = i.map_or(0.0, |i| {
                let plan = &plans[i];
                let u = (f - plan.start) as f64 / (plan.end() - plan.start) as f64;
                reps[i].rock_deg * (2.0 * std::f64::consts::PI * u).sin()
            });
            let rho = rho.to_radians();
            let s_mid = p3(-0.55, -0.54, 0.0);
            let a_mid = p3(0.90, -0.10, 0.0);
            let d = a_mid - s_mid;
            let len = (d.x * d.x + d.y * d.y).sqrt();
            // Normal pointing to the floor (+y); the hip sits at the middle, `h` off the line.
            let n = p3(-d.y / len, d.x / len, 0.0);
            let n = if n.y > 0.0 { n } else { p3(-n.x, -n.y, 0.0) };
            let h = -(len / 2.0) * (tau / 2.0).tan();
            let hip = p3(
                (s_mid.x + a_mid.x) / 2.0 + n.x * h,
                (s_mid.y + a_mid.y) / 2.0 + n.y * h,
                0.0,
            );
            let mut body = Body::default();
            let sw = SHOULDER_WIDTH / 2.0;
            body.set(
                LeftShoulder,
                s_mid + p3(0.0, -sw * rho.cos(), -sw * rho.sin()),
            );
            body.set(
                RightShoulder,
                s_mid + p3(0.0, sw * rho.cos(), sw * rho.sin()),
            );
            let hw = HIP_WIDTH / 2.0;
            body.set(LeftHip, hip + p3(0.0, -hw, 0.0));
            body.set(RightHip, hip + p3(0.0, hw, 0.0));
            for (left, off) in [(true, -0.05), (false, 0.05)] {
                let ankle = a_mid + p3(0.0, off, 0.0);
                let hp = hip + p3(0.0, off * 2.0, 0.0);
                let knee = p3((hp.x + ankle.x) / 2.0, (hp.y + ankle.y) / 2.0, 0.0);
                let leg_hip = if left {
                    body.get(LeftHip)
                } else {
                    body.get(RightHip)
                };
                put_leg(
                    &mut body,
                    left,
                    &LegPose {
                        hip: leg_hip,
                        knee,
                        ankle,
                        heel: ankle + p3(-0.04, 0.0, 0.03),
                        toe: ankle + p3(0.12, 0.0, -0.1),
                    },
                );
            }
            body.fill_upper();
            body.frontal(f)
        })
        .collect()
}

#[test]
fn side_plank_counts_hip_lifts_and_flags_sag_and_rocking() {
    let rep = |start, top_deg, rock_deg| PlankRep {
        plan: Plan {
            start,
            down: 30,
            hold: 30,
            up: 30,
        },
        top_deg,
        rock_deg,
    };
    let reps = vec![
        rep(30, -2.0, 0.0),
        // Stops 14° below the line: sagging (> 10°).
        rep(150, -14.0, 0.0),
        // Rolls ±10°: 20° of rocking (> 15°).
        rep(270, -1.0, 10.0),
    ];
    let a = run(&plank_frames(&reps, 400), "side-plank", None);
    assert_eq!(a.summary.complete_reps, 3, "{:?}", a.rejected);
    let got: Vec<&Rep> = a.reps().collect();
    for (rep, planned) in got.iter().zip(&reps) {
        assert_eq!(rep.legs, vec![Leg::Right], "lying on the right side");
        assert_boundaries(rep, &planned.plan);
        let line = rep.body.body_line_deg.get().unwrap();
        assert!(
            (line - planned.top_deg).abs() < 1e-6,
            "{line} vs {}",
            planned.top_deg
        );
    }
    assert_eq!(kinds(got[0]), Vec::<&str>::new());
    assert_eq!(kinds(got[1]), vec!["hip_sag"]);
    // Trunk roll is a 3-D estimate: shown, never a fault.
    assert_eq!(kinds(got[2]), Vec::<&str>::new());
    let range = got[2].body.trunk_rotation_range_deg.get().unwrap();
    assert!((range - 20.0).abs() < 0.1, "{range}");
}

// ---------------------------------------------------------------- drop landing

/// One drop from a box: standing still on it, a free fall of `FLIGHT` frames, and a landing
/// absorbed as a squat-like bend (`DOWN` frames down, `UP` back), then standing on the floor until
/// the climb back up for the next one.
struct Drop {
    drop_at: u64,
    box_m: f64,
    fppa: f64,
    thigh: f64,
    shank: f64,
}

const FLIGHT: u64 = 7;
const LAND_DOWN: u64 = 10;
const LAND_UP: u64 = 20;
const CLIMB: u64 = 20;

impl Drop {
    fn contact(&self) -> u64 {
        self.drop_at + FLIGHT
    }
    fn plan(&self) -> Plan {
        Plan {
            start: self.contact(),
            down: LAND_DOWN,
            hold: 0,
            up: LAND_UP,
        }
    }
}

/// How high the feet are off the floor at frame `f` (metres).
fn elevation(drops: &[Drop], f: u64) -> f64 {
    for (i, d) in drops.iter().enumerate() {
        if f < d.drop_at {
            // Climbing back on the box over `CLIMB` frames ending a second before the drop.
            let climb_end = d.drop_at.saturating_sub(30);
            let climb_start = climb_end.saturating_sub(CLIMB);
            return if i == 0 || f >= climb_end {
                d.box_m
            } else if f < climb_start {
                0.0
            } else {
                d.box_m * ease((f - climb_start) as f64 / CLIMB as f64)
            };
        }
        if f < d.contact() {
            let u = (f - d.drop_at) as f64 / FLIGHT as f64;
            return d.box_m * (1.0 - u * u);
        }
    }
    0.0
}

fn landing_frames(drops: &[Drop], total: u64, from_side: bool) -> Vec<PoseFrame> {
    let plans: Vec<Plan> = drops.iter().map(Drop::plan).collect();
    (0..total)
        .map(|f| {
            let (p, i) = phase_of(&plans, f);
            let (fppa, thigh, shank) = i.map(|i| &drops[i]).map_or((0.0, 1.0, 1.0), |d| {
                (
                    d.fppa * valgus_ramp(p),
                    1.0 - (1.0 - d.thigh) * p,
                    1.0 - (1.0 - d.shank) * p,
                )
            });
            let up = elevation(drops, f);
            let mut body = Body::default();
            put_both_legs(&mut body, up, thigh, shank, fppa);
            put_trunk(&mut body, 15.0 * p);
            if from_side {
                body.side(f)
            } else {
                body.frontal(f)
            }
        })
        .collect()
}

fn concern_of(rep: &Rep, concern: Concern) -> &ConcernStatus {
    &rep.concerns
        .iter()
        .find(|c| c.concern == concern)
        .unwrap_or_else(|| panic!("rep {}: no {concern:?} in {:?}", rep.number, rep.concerns))
        .status
}

#[test]
fn drop_landing_from_the_front_counts_each_drop_and_never_passes_an_uncertain_knee() {
    let drop = |drop_at, fppa| Drop {
        drop_at,
        box_m: 0.30,
        fppa,
        thigh: 0.71,
        shank: 0.82,
    };
    // Knees caving 18° on the second landing (> 13°, the drop-jump band).
    let drops = vec![drop(40, 4.0), drop(160, 18.0), drop(280, 5.0)];
    let a = run(&landing_frames(&drops, 360, false), "drop-landing", None);
    let got: Vec<&Rep> = a.reps().collect();
    assert_eq!(got.len(), 3, "{got:?} rejected {:?}", a.rejected);
    for (rep, planned) in got.iter().zip(&drops) {
        assert!(rep.complete, "{rep:?}");
        assert_eq!(rep.legs, vec![Leg::Left, Leg::Right]);
        // The rep is the landing: from contact, not from the step off the box.
        assert_boundaries(rep, &planned.plan());
        assert!(
            (fppa_of(rep, Leg::Left) - planned.fppa).abs() < FPPA_TOLERANCE_DEG,
            "{}",
            fppa_of(rep, Leg::Left)
        );
        // From the front the knee bend is only a depth estimate: never a fault, never a pass.
        assert!(
            matches!(
                concern_of(rep, Concern::SoftLanding),
                ConcernStatus::NotJudged { reason } if reason.contains("estimated from depth")
            ),
            "{:?}",
            rep.concerns
        );
    }
    assert_eq!(kinds(got[0]), Vec::<&str>::new());
    // The knees caving in on landing: read deep in the landing, the FPPA is uncertain by more
    // than the limit, for every drop: not judged, never passed.
    assert!(got
        .iter()
        .all(|r| fppa_uncertain(r, Leg::Left) && fppa_uncertain(r, Leg::Right)));
    // The caving landing: knees 6% of leg length inside the ankles ±6.4%, knee/ankle width
    // 0.48 ±0.41 against 0.80: borderline on both, not a certified fault and never passed; the
    // clean ones are borderline on knee/ankle width (within its error of its limit).
    assert_eq!(kinds(got[1]), Vec::<&str>::new());
    assert!(matches!(
        concern_of(got[1], Concern::Valgus),
        ConcernStatus::Borderline { .. }
    ));
    assert!(knee_foot_borderline(got[1]).is_some());
    for r in [got[0], got[2]] {
        assert!(
            matches!(
                concern_of(r, Concern::Valgus),
                ConcernStatus::Borderline { .. }
            ),
            "{:?}",
            r.concerns
        );
        assert!(r.flags.iter().any(|f| matches!(
            f,
            Flag::Borderline {
                measure: formcheck::judge::Measure::KneeAnkleRatio,
                ..
            }
        )));
    }
}

#[test]
fn drop_landing_from_the_side_flags_a_stiff_landing_and_does_not_judge_valgus() {
    let drops = vec![
        // Soft: the knee bends about 60°.
        Drop {
            drop_at: 40,
            box_m: 0.30,
            fppa: 0.0,
            thigh: 0.71,
            shank: 0.82,
        },
        // Stiff: about 30°, under the 45° a soft landing needs.
        Drop {
            drop_at: 160,
            box_m: 0.30,
            fppa: 0.0,
            thigh: 0.95,
            shank: 0.98,
        },
    ];
    let a = run(&landing_frames(&drops, 240, true), "drop-landing", None);
    let got: Vec<&Rep> = a.reps().collect();
    assert_eq!(got.len(), 2, "{got:?} rejected {:?}", a.rejected);
    for rep in &got {
        assert_eq!(rep.view.get(), Some(View::Side), "{rep:?}");
        assert!(
            matches!(
                concern_of(rep, Concern::Valgus),
                ConcernStatus::NotJudged { .. }
            ),
            "{:?}",
            rep.concerns
        );
    }
    assert_eq!(*concern_of(got[0], Concern::SoftLanding), ConcernStatus::Ok);
    assert_eq!(kinds(got[1]), vec!["stiff_landing"], "{:?}", got[1].flags);
    let bend = got[1]
        .peak(Leg::Right)
        .and_then(|p| p.knee_flexion_deg.get())
        .expect("knee bend measured from the side");
    assert_eq!(bend.source, Source::Image);
    assert!((bend.value - 29.7).abs() < 1.5, "{bend:?}");
}

#[test]
fn drop_landing_does_not_count_hops_in_place_or_a_squat() {
    // Hops with no still moment between them: the feet come down where they took off.
    let plans: Vec<Plan> = (0..3)
        .map(|i| Plan {
            start: 20 + 40 * i,
            down: LAND_DOWN,
            hold: 0,
            up: LAND_UP,
        })
        .collect();
    let hops: Vec<PoseFrame> = (0..150u64)
        .map(|f| {
            let p = phase_of(&plans, f).0;
            let k = (f + 40 - 10) % 40;
            let up = if f >= 10 && k < 10 {
                0.2 * (std::f64::consts::PI * k as f64 / 10.0).sin()
            } else {
                0.0
            };
            let mut body = Body::default();
            put_both_legs(&mut body, up, 1.0 - 0.29 * p, 1.0 - 0.18 * p, 0.0);
            put_trunk(&mut body, 10.0 * p);
            body.frontal(f)
        })
        .collect();
    let a = run(&hops, "drop-landing", None);
    assert_eq!(a.reps().count(), 0, "{:?}", a.reps().collect::<Vec<_>>());
    assert!(a.rejected.len() >= 3, "{:?}", a.rejected);
    assert!(
        a.rejected
            .iter()
            .all(|r| r.reason.contains("not a drop landing") || r.reason.contains("too small")),
        "{:?}",
        a.rejected
    );

    // A squat from standing: the same bend with no drop before it.
    let squat = [Drop {
        drop_at: 40,
        box_m: 0.0,
        fppa: 0.0,
        thigh: 0.71,
        shank: 0.82,
    }];
    let a = run(&landing_frames(&squat, 120, false), "drop-landing", None);
    assert_eq!(a.reps().count(), 0, "{:?}", a.reps().collect::<Vec<_>>());
    assert!(
        a.rejected
            .iter()
            .any(|r| r.reason.contains("below where they stood")),
        "{:?}",
        a.rejected
    );
    // Control: the same bend after a 30 cm drop is a landing.
    let dropped = [Drop {
        box_m: 0.30,
        ..squat[0]
    }];
    let a = run(&landing_frames(&dropped, 120, false), "drop-landing", None);
    assert_eq!(
        a.reps().filter(|r| r.complete).count(),
        1,
        "{:?}",
        a.rejected
    );
}

/// The jumper, lost in the air while the pose followed someone else, is found again landed and
/// stands up: the landing counts though its drop was not seen. The same body bent at the start of
/// a video is not a landing (the bundled sample's first squat was counted as one): nothing says it
/// dropped.
#[test]
fn drop_landing_counts_a_jumper_found_landed_after_a_hand_over_not_a_body_bent_at_the_start() {
    let drops = [Drop {
        drop_at: 0,
        box_m: 0.30,
        fppa: 0.0,
        thigh: 0.71,
        shank: 0.82,
    }];
    let landed: Vec<PoseFrame> = landing_frames(&drops, 90, true)
        .into_iter()
        .skip((FLIGHT + LAND_DOWN) as usize)
        .collect();
    // Someone standing 1.2 m along, followed for a second before the hand-over.
    let standing = landing_frames(&[], 30, true);
    let mut frames: Vec<PoseFrame> = standing
        .into_iter()
        .map(|mut f| {
            for l in f.pose.as_mut().unwrap().landmarks.iter_mut().flatten() {
                l.x -= 1.2 * SCALE;
            }
            f
        })
        .chain(landed.iter().cloned())
        .collect();
    for (i, f) in frames.iter_mut().enumerate() {
        f.index = i as u64;
        f.time_s = i as f64 / FPS;
    }
    let a = run(&frames, "drop-landing", None);
    let got: Vec<&Rep> = a.reps().collect();
    assert_eq!(got.len(), 1, "{got:?} rejected {:?}", a.rejected);
    assert!(got[0].complete, "{:?}", got[0]);
    assert_eq!(got[0].start.frame, 30, "from the hand-over");
    assert_eq!(*concern_of(got[0], Concern::SoftLanding), ConcernStatus::Ok);

    let a = run(&landed, "drop-landing", None);
    assert_eq!(a.reps().count(), 0, "{:?}", a.reps().collect::<Vec<_>>());
    assert!(
        a.rejected
            .iter()
            .any(|r| r.reason.contains("not a drop landing")),
        "{:?}",
        a.rejected
    );
}

// ------------------------------------------------ what real sets do (issue 31, item 7)

fn describe(a: &Analysis) -> String {
    let reps: Vec<String> = a
        .reps()
        .map(|r| {
            format!(
                "#{} {}..{}..{} complete={} depth={:.2} {:?}",
                r.number,
                r.start.frame,
                r.bottom.frame,
                r.end.frame,
                r.complete,
                r.depth,
                r.incomplete
            )
        })
        .collect();
    let rejected: Vec<String> = a
        .rejected
        .iter()
        .map(|r| {
            format!(
                "{}..{}..{}: {}",
                r.start.frame, r.bottom.frame, r.end.frame, r.reason
            )
        })
        .collect();
    format!("reps {reps:#?}\nrejected {rejected:#?}")
}

/// A single-leg bridge set seen from the side, the person tiring: the last two lifts are about
/// two thirds and half of the first five, below the 20° a lone lift needs. They are reps of the
/// set (issue 31: a real side-view set of seven lost its last two as "too small"), judged as
/// low; the same shallow lift at the start of a set is still not a rep.
#[test]
fn a_tiring_set_counts_its_last_lower_reps_and_judges_them_low() {
    let lifts = [0.13, 0.13, 0.125, 0.12, 0.115, 0.085, 0.07];
    let reps: Vec<BridgeRep> = lifts
        .iter()
        .enumerate()
        .map(|(i, &lift)| BridgeRep {
            plan: Plan {
                start: 30 + 50 * i as u64,
                down: 22,
                hold: 4,
                up: 24,
            },
            lift,
            drop: 0.0,
            knee_in: 0.0,
        })
        .collect();
    let a = run(
        &bridge_frames_seen(&reps, 420, true),
        "single-leg-bridge",
        None,
    );
    assert_eq!(a.summary.complete_reps, 7, "{}", describe(&a));
    assert!(a.rejected.is_empty(), "{}", describe(&a));
    let got: Vec<&Rep> = a.reps().collect();
    let t = Thresholds::default();
    for (rep, planned) in got.iter().zip(&reps) {
        assert_boundaries(rep, &planned.plan);
    }
    for rep in &got[5..] {
        assert!(
            rep.depth < t.bridge_min_lift_deg,
            "rep {}: {}",
            rep.number,
            rep.depth
        );
        assert_eq!(kinds(rep), vec!["hip_lift_low"], "rep {}", rep.number);
    }

    let alone = run(
        &bridge_frames_seen(&reps[6..], 420, true),
        "single-leg-bridge",
        None,
    );
    assert_eq!(alone.reps().count(), 0, "{}", describe(&alone));
    assert!(
        alone.rejected[0].reason.contains("too small"),
        "{}",
        describe(&alone)
    );
}

/// Squat jumps: down, drive up, `flight` frames in the air (the feet `height` metres up at the
/// top), land into a dip `landing_depth` as deep as the squat, stand; `rest` frames between.
#[derive(Clone, Copy)]
struct JumpSet {
    first: u64,
    reps: u64,
    rest: u64,
    height: f64,
    landing_depth: f64,
    fppa: f64,
    /// How far each knee moves towards the midline at the deepest point of the landing, metres.
    landing_knee_in: f64,
}

const JUMP_DOWN: u64 = 20;
const JUMP_DRIVE: u64 = 10;
const JUMP_FLIGHT: u64 = 12;
const JUMP_LANDING: u64 = 24;

impl JumpSet {
    fn period(&self) -> u64 {
        JUMP_DOWN + JUMP_DRIVE + JUMP_FLIGHT + JUMP_LANDING + self.rest
    }
    /// (squat phase 0..1, feet up in metres, landing) at frame f.
    fn at(&self, f: u64) -> (f64, f64, bool) {
        if f < self.first || f >= self.first + self.reps * self.period() {
            return (0.0, 0.0, false);
        }
        let k = (f - self.first) % self.period();
        let ease_in = |k: u64, n: u64| ease(k as f64 / n as f64);
        if k < JUMP_DOWN {
            (ease_in(k, JUMP_DOWN), 0.0, false)
        } else if k < JUMP_DOWN + JUMP_DRIVE {
            (1.0 - ease_in(k - JUMP_DOWN, JUMP_DRIVE), 0.0, false)
        } else if k < JUMP_DOWN + JUMP_DRIVE + JUMP_FLIGHT {
            let u = (k - JUMP_DOWN - JUMP_DRIVE) as f64 / JUMP_FLIGHT as f64;
            (0.0, 4.0 * self.height * u * (1.0 - u), false)
        } else if k < JUMP_DOWN + JUMP_DRIVE + JUMP_FLIGHT + JUMP_LANDING {
            let u = (k - JUMP_DOWN - JUMP_DRIVE - JUMP_FLIGHT) as f64 / JUMP_LANDING as f64;
            (
                self.landing_depth * (std::f64::consts::PI * u).sin(),
                0.0,
                true,
            )
        } else {
            (0.0, 0.0, false)
        }
    }
    fn frames(&self, total: u64, from_side: bool) -> Vec<PoseFrame> {
        (0..total)
            .map(|f| {
                let (p, up, landing) = self.at(f);
                let mut body = Body::default();
                let fppa = self.fppa * valgus_ramp(p);
                put_both_legs(&mut body, up, 1.0 - 0.29 * p, 1.0 - 0.18 * p, fppa);
                if landing {
                    let inward = self.landing_knee_in * p / self.landing_depth;
                    for (knee, towards_midline) in [
                        (LandmarkIndex::LeftKnee, -1.0),
                        (LandmarkIndex::RightKnee, 1.0),
                    ] {
                        let k = body.get(knee);
                        body.set(knee, k + p3(towards_midline * inward, 0.0, 0.0));
                    }
                }
                put_trunk(&mut body, 15.0 * p);
                if from_side {
                    body.side(f)
                } else {
                    body.frontal(f)
                }
            })
            .collect()
    }
}

fn jump_set() -> JumpSet {
    JumpSet {
        first: 30,
        reps: 6,
        rest: 30,
        height: 0.15,
        landing_depth: 0.45,
        fppa: 4.0,
        landing_knee_in: 0.0,
    }
}

/// Squat jumps are squat reps marked as jumps, from the side and the front, with a pause
/// between them or none (issue 31: 2 of 6 real squat jumps were counted; the rest were refused
/// as "the feet did not stay planted"). Each rep runs through its landing.
#[test]
fn jump_squats_are_counted_as_squat_reps_marked_jump() {
    let leg = THIGH + SHANK;
    for (set, from_side) in [
        (jump_set(), true),
        (jump_set(), false),
        (
            JumpSet {
                rest: 0,
                ..jump_set()
            },
            true,
        ),
    ] {
        let what = format!("rest {} from the side {from_side}", set.rest);
        let a = run(&set.frames(650, from_side), "squat", None);
        assert_eq!(a.summary.complete_reps, 6, "{what}: {}", describe(&a));
        assert!(a.rejected.is_empty(), "{what}: {}", describe(&a));
        for (i, rep) in a.reps().enumerate() {
            let start = set.first + i as u64 * set.period();
            let jump = rep
                .jump
                .unwrap_or_else(|| panic!("{what}: rep {} no jump", rep.number));
            let near = |got: u64, want: u64, name: &str| {
                assert!(
                    got.abs_diff(want) <= BOUNDARY_FRAMES as u64,
                    "{what} rep {} {name}: {got} vs {want}",
                    rep.number
                )
            };
            near(rep.start.frame, start, "start");
            near(rep.bottom.frame, start + JUMP_DOWN, "bottom");
            let airborne = start + JUMP_DOWN + JUMP_DRIVE;
            assert!(
                jump.takeoff.frame > airborne && jump.takeoff.frame < airborne + JUMP_FLIGHT / 2,
                "{what}: {jump:?}"
            );
            let landed = airborne + JUMP_FLIGHT;
            assert!(
                jump.touchdown.frame < landed && jump.touchdown.frame > landed - JUMP_FLIGHT / 2,
                "{what}: {jump:?}"
            );
            near(jump.landing.frame, landed + JUMP_LANDING / 2, "landing");
            near(rep.end.frame, landed + JUMP_LANDING, "end");
            assert!(
                (jump.height - set.height / leg).abs() < 0.01,
                "{what}: {} vs {}",
                jump.height,
                set.height / leg
            );
        }
    }
}

/// A squat jump's landing is judged as well as its bottom: knees that stay apart at the bottom
/// and cave in 7 cm on landing make the valgus concern a fault.
#[test]
fn a_squat_jump_that_lands_with_the_knees_caving_in_is_not_ok() {
    let clean = run(&jump_set().frames(650, false), "squat", None);
    let caving = JumpSet {
        landing_knee_in: 0.07,
        ..jump_set()
    };
    let caving = run(&caving.frames(650, false), "squat", None);
    assert_eq!(clean.summary.complete_reps, 6);
    assert_eq!(caving.summary.complete_reps, 6);
    for (ok, bad) in clean.reps().zip(caving.reps()) {
        // From the front at squat depth the clean rep's knee/ankle width is within its error
        // of the limit: borderline, never a fault.
        assert!(
            matches!(
                concern_of(ok, Concern::Valgus),
                ConcernStatus::Borderline { .. }
            ),
            "rep {}: {:?}",
            ok.number,
            ok.flags
        );
        // Borderline at the bottom and on landing alike: said once per measure (knee width,
        // and the knees' mean over the feet: 1% inside the ankles ±6%).
        let borderline: Vec<_> = ok
            .flags
            .iter()
            .filter_map(|f| match f {
                Flag::Borderline { measure, .. } => Some(*measure),
                _ => None,
            })
            .collect();
        assert_eq!(
            borderline,
            vec![
                formcheck::judge::Measure::KneeFootOffset,
                formcheck::judge::Measure::KneeAnkleRatio
            ],
            "rep {}: {:?}",
            ok.number,
            ok.flags
        );
        assert!(
            matches!(
                concern_of(bad, Concern::Valgus),
                ConcernStatus::Fault { .. }
            ),
            "rep {}: {:?}",
            bad.number,
            bad.flags
        );
        let landing_faults: Vec<(&str, Option<Leg>)> =
            bad.faults().map(|f| (f.kind(), f.leg())).collect();
        // Knee width certifies the fault; the knees over the feet (their mean inside the
        // ankles past the 5.6% limit, by less than its ±6% error) are borderline, said from
        // the landing, not the clean bottom.
        let (_, offset, bound) = knee_foot_borderline(bad).expect("knees over the feet read");
        assert!(
            offset - bound < 0.056 && offset > 0.056,
            "{offset} ±{bound}"
        );
        assert_eq!(
            landing_faults,
            vec![("knees_inside_ankles", None)],
            "rep {}",
            bad.number
        );
        // The bottom itself read the same in both: the difference is the landing's.
        assert_eq!(ok.peaks, bad.peaks);
    }
}

/// The feet going up onto a box after a squat and staying there is a step, not a jump.
#[test]
fn feet_that_go_up_and_stay_up_are_a_step_not_a_jump() {
    let set = JumpSet {
        reps: 1,
        ..jump_set()
    };
    let step_from = set.first + JUMP_DOWN + JUMP_DRIVE;
    let frames: Vec<PoseFrame> = (0..200)
        .map(|f| {
            let (p, _, _) = set.at(f);
            let up = if f >= step_from {
                0.3 * ((f - step_from) as f64 / 10.0).min(1.0)
            } else {
                0.0
            };
            let mut body = Body::default();
            put_both_legs(&mut body, up, 1.0 - 0.29 * p, 1.0 - 0.18 * p, 0.0);
            put_trunk(&mut body, 15.0 * p);
            body.side(f)
        })
        .collect();
    let a = run(&frames, "squat", None);
    assert_eq!(a.reps().count(), 0, "{}", describe(&a));
    assert!(a.rejected[0].reason.contains("a step"), "{}", describe(&a));
}

/// A slow squat (3 s down, 4 s held at the bottom with a little sway, 3 s up), filmed from the
/// side, is one rep each time (issue 31: a slow barbell back squat was counted 1 of 2).
#[test]
fn a_slow_squat_with_a_long_pause_at_the_bottom_is_one_rep() {
    let rep = |start| SquatRep {
        plan: Plan {
            start,
            down: 90,
            hold: 120,
            up: 90,
        },
        fppa: 3.0,
        thigh: 0.6,
        shank: 0.8,
        lean: 25.0,
    };
    let reps = vec![rep(30), rep(400)];
    let mut frames = squat_frames_seen(&reps, 760, true);
    // Swaying at the bottom: the hip bobs ±4 px (0.01 leg lengths) at 1 Hz while held.
    for r in &reps {
        let p = r.plan;
        for f in p.bottom()..p.bottom() + p.hold {
            let bob = 4.0 * (2.0 * std::f64::consts::PI * (f - p.bottom()) as f64 / FPS).sin();
            let pose = frames[f as usize].pose.as_mut().unwrap();
            for l in pose.landmarks.iter_mut().flatten() {
                if l.y < f64::from(HEIGHT) * 0.8 {
                    l.y += bob;
                }
            }
        }
    }
    let a = run(&frames, "squat", None);
    assert_eq!(a.summary.complete_reps, 2, "{}", describe(&a));
    assert!(a.rejected.is_empty(), "{}", describe(&a));
    for (rep, planned) in a.reps().zip(&reps) {
        assert!(rep.jump.is_none());
        let p = planned.plan;
        // Standing up slowly drifts the last few percent: the end within the 0.3 s the real
        // clips are held to.
        let slack = (0.3 * FPS) as u64;
        assert!(rep.start.frame.abs_diff(p.start) <= 2, "{}", describe(&a));
        assert!(rep.end.frame.abs_diff(p.end()) <= slack, "{}", describe(&a));
        assert!(
            (p.bottom()..=p.bottom() + p.hold).contains(&rep.bottom.frame),
            "{}",
            describe(&a)
        );
    }
}
