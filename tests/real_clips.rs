//! The analysis on MediaPipe's own landmarks for the real clips in ../shared/reference, held
//! against what a person sees in ../shared/videos/labels.json: complete rep counts, incomplete
//! reps marked, bottoms within 0.3 s, no valgus flag on the frontal squat clip. Skips, saying
//! why, when ../shared is absent.

use std::path::{Path, PathBuf};

use formcheck::analysis::{analyze_frames, Analysis};
use formcheck::exercise;
use formcheck::judge::{Flag, Thresholds};
use formcheck::landmarks::read_jsonl;

/// Bottoms within this of the labelled ones (issue 4).
const BOTTOM_TOLERANCE_S: f64 = 0.3;

fn shared() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    if dir.join("reference").is_dir() && dir.join("videos/labels.json").is_file() {
        Some(dir)
    } else {
        eprintln!(
            "skipping: {} not found (the real-clip checks need ../shared/reference and ../shared/videos/labels.json)",
            dir.display()
        );
        None
    }
}

fn labels(shared: &Path) -> serde_json::Value {
    let text =
        std::fs::read_to_string(shared.join("videos/labels.json")).expect("labels.json readable");
    serde_json::from_str(&text).expect("labels.json is JSON")
}

fn analyse(shared: &Path, clip: &str, exercise: &str) -> Analysis {
    let stem = clip.trim_end_matches(".mp4");
    let file = read_jsonl(&shared.join(format!("reference/{stem}.mediapipe-full.jsonl")))
        .expect("reference landmarks readable");
    analyze_frames(
        &file.frames,
        exercise::find(exercise).expect("profile exists"),
        None,
        Thresholds::default(),
    )
}

fn report(clip: &str, a: &Analysis) {
    eprintln!(
        "{clip}: {} complete, {} incomplete, {} rejected",
        a.summary.complete_reps,
        a.summary.incomplete_reps,
        a.rejected.len()
    );
    for r in a.reps() {
        let fppa: Vec<String> = r
            .peaks
            .iter()
            .map(|p| {
                format!(
                    "{} fppa {:?} flex {:?}",
                    p.leg,
                    p.fppa_deg.get(),
                    p.knee_flexion_deg.get().map(|s| s.value.round())
                )
            })
            .collect();
        eprintln!(
            "  rep {} set {} {:.2}-{:.2}-{:.2}s complete={} depth={:.2} kasr={:?} {:?} flags={:?}",
            r.number,
            r.set,
            r.start.time_s,
            r.bottom.time_s,
            r.end.time_s,
            r.complete,
            r.depth,
            r.body.knee_ankle_ratio.get(),
            fppa,
            r.flags.iter().map(|f| f.describe()).collect::<Vec<_>>()
        );
    }
    for r in &a.rejected {
        eprintln!(
            "  rejected {:.2}-{:.2}s: {}",
            r.start.time_s, r.end.time_s, r.reason
        );
    }
    for n in &a.summary.notes {
        eprintln!("  note: {n}");
    }
}

/// Rep counts and bottoms against the labels for every clip labelled with bottoms.
fn check_squat_clip(clip: &str) {
    let Some(shared) = shared() else { return };
    let label = &labels(&shared)[clip];
    let a = analyse(&shared, clip, "squat");
    report(clip, &a);
    let want_complete = label["complete_reps"].as_u64().expect("complete_reps") as u32;
    assert_eq!(
        a.summary.complete_reps, want_complete,
        "{clip}: complete reps"
    );
    let bottoms: Vec<f64> = label["bottoms"]
        .as_array()
        .map(|b| b.iter().filter_map(|v| v.as_f64()).collect())
        .unwrap_or_default();
    let reps: Vec<_> = a.reps().collect();
    assert_eq!(
        reps.len(),
        bottoms.len(),
        "{clip}: every labelled descent is a rep, complete or not"
    );
    for (rep, want) in reps.iter().zip(&bottoms) {
        assert!(
            (rep.bottom.time_s - want).abs() <= BOTTOM_TOLERANCE_S,
            "{clip}: rep {} bottom at {:.2}s, labelled {want}s",
            rep.number,
            rep.bottom.time_s
        );
    }
    let incomplete = bottoms.len() as u32 - want_complete;
    assert_eq!(
        a.summary.incomplete_reps, incomplete,
        "{clip}: incomplete reps marked"
    );
}

#[test]
fn tfjs_pose_squats_two_complete_one_incomplete_no_valgus() {
    check_squat_clip("tfjs_pose_squats.mp4");
    let Some(shared) = shared() else { return };
    let a = analyse(&shared, "tfjs_pose_squats.mp4", "squat");
    let valgus: Vec<&Flag> = a
        .reps()
        .flat_map(|r| r.flags.iter())
        .filter(|f| {
            matches!(
                f,
                Flag::Valgus { .. }
                    | Flag::KneesInsideAnkles { .. }
                    | Flag::KneeMedialToFoot { .. }
            )
        })
        .collect();
    assert!(
        valgus.is_empty(),
        "no valgus on tfjs_pose_squats: {valgus:?}"
    );
}

#[test]
fn mediapipe_docs_squats_three_reps() {
    check_squat_clip("mediapipe_docs_pose_world_landmarks.mp4");
}

#[test]
fn fitnessscape_rear_oblique_squats_two_reps() {
    check_squat_clip("commons_fitnessscape_squat_rear.mp4");
}

/// Holds (single-leg balance, stance) are not reps.
#[test]
fn balance_holds_count_no_squat_reps() {
    let Some(shared) = shared() else { return };
    let labels = labels(&shared);
    for clip in [
        "pose2sim_single_cam01.mp4",
        "pose2sim_single_cam02.mp4",
        "pose2sim_single_cam03.mp4",
        "pose2sim_single_cam04.mp4",
        "tfjs_pose_1.mp4",
    ] {
        let a = analyse(&shared, clip, "squat");
        report(clip, &a);
        assert_eq!(
            a.summary.complete_reps as u64,
            labels[clip]["complete_reps"]
                .as_u64()
                .expect("complete_reps"),
            "{clip}"
        );
    }
}
