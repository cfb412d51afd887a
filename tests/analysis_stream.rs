//! The streaming analyser as live mode drives it: a rep is reported on the frame it ends, a
//! fault is cued as the user turns at the bottom (and agrees with the rep's flags), a stoop is
//! never cued, and a live analyser keeps bounded memory.

mod model;

use formcheck::analysis::Analyzer;
use formcheck::exercise;
use formcheck::judge::Thresholds;
use formcheck::reps::Phase;
use model::*;

/// Standing, a clean squat, a squat with the knees caving in (25°), a stoop.
fn frames_and_plans() -> (Vec<formcheck::landmarks::PoseFrame>, Vec<Plan>, Vec<f64>) {
    let plans = vec![
        Plan {
            start: 30,
            down: 30,
            hold: 0,
            up: 30,
        },
        Plan {
            start: 120,
            down: 30,
            hold: 0,
            up: 30,
        },
        Plan {
            start: 210,
            down: 30,
            hold: 0,
            up: 30,
        },
    ];
    let fppa = vec![4.0, 25.0, 0.0];
    let lean = [10.0, 10.0, 75.0];
    let frames = (0..300)
        .map(|f| {
            let (p, i) = phase_of(&plans, f);
            let (v, l) = i.map_or((0.0, 0.0), |i| (fppa[i] * valgus_ramp(p), lean[i] * p));
            let mut body = Body::default();
            let (thigh, shank) = (1.0 - 0.29 * p, 1.0 - 0.18 * p);
            put_leg(
                &mut body,
                true,
                &leg_from_ankle(p3(HIP_WIDTH / 2.0, -ANKLE_UP, 0.0), thigh, shank, v, -1.0),
            );
            put_leg(
                &mut body,
                false,
                &leg_from_ankle(p3(-HIP_WIDTH / 2.0, -ANKLE_UP, 0.0), thigh, shank, v, 1.0),
            );
            put_trunk(&mut body, l);
            body.frontal(f)
        })
        .collect();
    (frames, plans, fppa)
}

#[test]
fn a_rep_is_reported_on_the_frame_it_ends_and_cued_as_the_user_turns() {
    let (frames, plans, _) = frames_and_plans();
    let mut a = Analyzer::live(
        exercise::find("squat").unwrap(),
        None,
        Thresholds::default(),
    );
    let mut completed = Vec::new();
    let mut cues = Vec::new();
    let mut phases = Vec::new();
    for f in &frames {
        let u = a.push(f);
        phases.push(u.phase);
        if let Some(rep) = &u.completed_rep {
            completed.push((f.index, rep.clone(), u.complete_reps));
        }
        if let Some(cue) = &u.cue {
            cues.push((f.index, cue.text, cue.flag.kind()));
        }
    }
    assert_eq!(completed.len(), 2, "the stoop is not a rep");
    for ((seen_at, rep, count), plan) in completed.iter().zip(&plans) {
        // Seen within two frames of the end of the movement.
        assert!(
            *seen_at <= plan.end() + 2,
            "rep {} reported at {seen_at}, ended {}",
            rep.number,
            plan.end()
        );
        assert_eq!(*count, rep.number);
    }
    // One cue, for the valgus rep, a few frames after its bottom, before it ends.
    assert!(!cues.is_empty());
    let (at, text, _) = cues[0];
    assert!(
        cues.iter()
            .all(|c| c.0 > plans[1].start && c.0 <= plans[1].end() + 2),
        "{cues:?}"
    );
    assert!(
        at >= plans[1].bottom() && at <= plans[1].bottom() + 5,
        "cued at {at}"
    );
    // The caving knees are cued by the knee/ankle width (0.28 ±0.41 against 0.80: a fault by
    // more than its error); the 25° FPPA, read deep in the descent, is uncertain by more than
    // its limit, and the knees over the feet (8% inside the ankles ±6%) are borderline: neither
    // cues.
    assert_eq!(text, "knees closer than the feet: push them apart");
    // The cued faults are among the rep's flags.
    let rep2 = &completed[1].1;
    for (_, _, kind) in &cues {
        assert!(
            rep2.faults().any(|f| f.kind() == *kind),
            "{kind} cued but not flagged"
        );
    }
    assert!(phases.contains(&Phase::Going) && phases.contains(&Phase::Returning));
}

#[test]
fn finish_closes_the_analysis_with_totals() {
    let (frames, _, fppa) = frames_and_plans();
    let mut a = Analyzer::new(
        exercise::find("squat").unwrap(),
        None,
        Thresholds::default(),
    );
    for f in &frames {
        a.push(f);
    }
    let analysis = a.finish();
    assert_eq!(analysis.frames.len(), frames.len());
    assert_eq!(analysis.summary.complete_reps, 2);
    assert_eq!(analysis.summary.flagged_reps, 1);
    assert_eq!(analysis.summary.flag_counts.get("valgus"), None);
    assert_eq!(
        analysis.summary.flag_counts.get("knees_inside_ankles"),
        Some(&1)
    );
    assert_eq!(analysis.rejected.len(), 1);
    let reps: Vec<_> = analysis.reps().collect();
    assert!(
        (reps[1]
            .peak(formcheck::geometry::Leg::Left)
            .unwrap()
            .fppa_deg
            .get()
            .unwrap()
            - fppa[1])
            .abs()
            < 0.5
    );
    let json = serde_json::to_value(&analysis).unwrap();
    assert_eq!(json["exercise"], "squat");
    let flags = json["sets"][0]["reps"][1]["flags"].as_array().unwrap();
    assert!(flags.iter().any(|f| f["flag"] == "knees_inside_ankles"));
    assert!(flags
        .iter()
        .any(|f| f["flag"] == "borderline" && f["measure"] == "knee_foot_offset"));
    assert!(flags
        .iter()
        .any(|f| f["flag"] == "not_judged" && f["reason"]["reason"] == "uncertain"));
    assert_eq!(json["sets"][0]["verdict"]["outcome"], "flagged");
}

#[test]
fn a_live_analyser_keeps_two_minutes_of_frames() {
    let (frames, _, _) = frames_and_plans();
    let mut a = Analyzer::live(
        exercise::find("squat").unwrap(),
        None,
        Thresholds::default(),
    );
    // Five minutes of standing after the reps.
    let still = frames[0].clone();
    for f in &frames {
        a.push(f);
    }
    for i in 0..(300 * FPS as u64) {
        let mut f = still.clone();
        f.index = 300 + i;
        f.time_s = f.index as f64 / FPS;
        a.push(&f);
    }
    let analysis = a.finish();
    assert!(analysis.frames.len() as f64 <= 120.0 * FPS + 1.0);
    assert_eq!(analysis.summary.complete_reps, 2);
}
