//! Two cameras on one set through the real binary: a lunge set from the kinematic model seen by a
//! front and a side camera (written as landmark files, the side camera started later), then
//! `formcheck analyze --front F --side S`: the offset found from the movement, every rep judged for
//! valgus from the front and knee over toe from the side, and two different sets refused.

mod common;
mod model;

use std::path::Path;

use formcheck::analysis::Analyzer;
use formcheck::judge::{Concern, ConcernStatus, Thresholds};
use formcheck::landmarks::{FrameRecord, PoseFrame};
use formcheck::multiview::pair::{pair, Camera, LivePairing, PairedRep};
use model::*;
use serde_json::Value;

/// The set: right leg in front; the second rep caves in (15°), the third goes past the toes.
fn lunges(starts: &[u64]) -> Vec<LungeRep> {
    starts
        .iter()
        .enumerate()
        .map(|(i, &start)| LungeRep {
            plan: Plan {
                start,
                down: 30,
                hold: 6,
                up: 30,
            },
            front_left: false,
            fppa: if i == 1 { 15.0 } else { 2.0 },
            shank: if i == 2 { 0.70 } else { 0.85 },
        })
        .collect()
}

/// The frames from `skip` on, renumbered from 0: a camera started `skip` frames later.
fn write_view(path: &Path, frames: &[PoseFrame], skip: usize) {
    let mut text = String::new();
    for (i, f) in frames.iter().skip(skip).enumerate() {
        let mut f = f.clone();
        f.index = i as u64;
        f.time_s = i as f64 / FPS;
        text.push_str(&serde_json::to_string(&FrameRecord::from_frame(&f)).unwrap());
        text.push('\n');
    }
    std::fs::write(path, text).unwrap();
}

fn run_pair(dir: &Path, front: &Path, side: &Path) -> std::process::Output {
    run_pair_as(dir, front, side, "lunge")
}

fn run_pair_as(dir: &Path, front: &Path, side: &Path, exercise: &str) -> std::process::Output {
    // Every frame analysed: the Pose2Sim clips are 60 FPS, and at the default 30 a video frame
    // is half a sample apart.
    common::formcheck()
        .args(["analyze", "--exercise", exercise, "--no-history", "--quiet"])
        .args(["--analysis-fps", "60"])
        .arg("--front-view")
        .arg(front)
        .arg("--side-view")
        .arg(side)
        .arg("--out")
        .arg(dir)
        .output()
        .unwrap()
}

#[test]
fn a_front_and_a_side_camera_judge_every_rep_for_valgus_and_knee_over_toe() {
    let dir = tempfile::tempdir().unwrap();
    let set = lunges(&[30, 120, 210, 300]);
    let (front, side) = (
        dir.path().join("front.jsonl"),
        dir.path().join("side.jsonl"),
    );
    write_view(&front, &lunge_frames_seen(&set, 400, false), 0);
    // The side camera started 13 frames (0.433 s) after the front one, and saw no one for its
    // first 20 frames (the person walking in), so the two views' first detections differ.
    let mut side_frames = lunge_frames_seen(&set, 400, true);
    for f in side_frames.iter_mut().skip(13).take(20) {
        f.pose = None;
    }
    write_view(&side, &side_frames, 13);
    let out = run_pair(dir.path(), &front, &side);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.path().join("front+side/pair.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    common::assert_matches_schema(&doc, "schemas/pair.schema.json");
    assert!(dir.path().join("front+side/pair.html").is_file());

    let offset = doc["sync"]["offset_s"].as_f64().unwrap();
    assert!(
        (offset - -13.0 / FPS).abs() <= 1.0 / FPS,
        "offset {offset} s, the side camera started 13 frames (0.433 s) late"
    );
    let reps = doc["reps"].as_array().unwrap();
    assert_eq!(reps.len(), 4, "{reps:#?}");
    let status = |rep: &Value, concern: &str| -> (String, Vec<String>) {
        let c = rep["concerns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["concern"] == concern)
            .unwrap_or_else(|| panic!("no {concern} in {rep:#?}"));
        let from = c["from"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_string())
            .collect();
        (c["status"].as_str().unwrap().to_string(), from)
    };
    for (i, rep) in reps.iter().enumerate() {
        assert!(
            rep["front"].is_object() && rep["side"].is_object(),
            "{rep:#?}"
        );
        assert_eq!(rep["complete"], true);
        let (valgus, valgus_from) = status(rep, "valgus");
        let (kot, kot_from) = status(rep, "knee_over_toe");
        assert_eq!(valgus_from, vec!["front"], "rep {}: {rep:#?}", i + 1);
        assert_eq!(kot_from, vec!["side"], "rep {}: {rep:#?}", i + 1);
        // Every rep's FPPA is read from the front deep in the lunge, where it is uncertain by
        // more than its limit (rep 2's knee caving in by 20° as much as the others' straight
        // knees): never ok, whatever the knee over the foot showed. Borderline, said as such.
        assert_eq!(valgus, "borderline", "rep {}: {rep:#?}", i + 1);
        // Knee over toe, from the side at lunge depth, is uncertain by about a third of a foot
        // (the turn known to ±10°, the camera's height and distance unknown): the knee level
        // with the toes and rep 3's 31% past them are both within their error of the 10% limit.
        assert_eq!(kot, "borderline", "rep {}", i + 1);
    }
    let verdict = doc["verdict"].as_str().unwrap();
    assert!(
        verdict.starts_with("4 reps (4 seen by both cameras)"),
        "{verdict}"
    );
}

#[test]
fn two_cameras_on_different_sets_are_refused_in_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let (front, side) = (
        dir.path().join("front.jsonl"),
        dir.path().join("side.jsonl"),
    );
    write_view(
        &front,
        &lunge_frames_seen(&lunges(&[30, 120, 210, 300]), 400, false),
        0,
    );
    // Another set: three reps at another pace, with a long rest in it.
    let other = lunges(&[20, 75, 260]);
    write_view(&side, &lunge_frames_seen(&other, 400, true), 0);
    let out = run_pair(dir.path(), &front, &side);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "judged together: {stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("front.jsonl") && stderr.contains("side.jsonl"),
        "{stderr}"
    );
    assert!(!dir.path().join("front+side/pair.json").exists());

    // A side camera that never saw the person.
    let empty: Vec<PoseFrame> = (0..300)
        .map(|i| PoseFrame {
            camera: Default::default(),
            index: i,
            time_s: i as f64 / FPS,
            image_width: WIDTH,
            image_height: HEIGHT,
            pose: None,
        })
        .collect();
    write_view(&side, &empty, 0);
    let out = run_pair(dir.path(), &front, &side);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "judged together: {stderr}");
    assert!(
        stderr.contains("too little movement of the person"),
        "{stderr}"
    );
}

/// Real video: the shared Pose2Sim trial's cam01 as the front camera and cam02, started 7 frames
/// late (trimmed with ffmpeg), as the other: the offset is found within a frame from the movement
/// alone, through the whole product (pose included). A video of another recording is refused.
#[test]
fn a_real_camera_started_seven_frames_late_is_lined_up_within_a_frame() {
    let shared = common::repo().join("../shared/videos");
    let (cam01, cam02) = (
        shared.join("pose2sim_single_cam01.mp4"),
        shared.join("pose2sim_single_cam02.mp4"),
    );
    if !cam01.is_file() || !cam02.is_file() {
        common::skip::missing("../shared/videos/pose2sim_single_cam01/02.mp4");
        return;
    }
    if std::process::Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_err()
    {
        common::skip::missing("ffmpeg");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let late = dir.path().join("cam02_late.mp4");
    let cut = std::process::Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-i"])
        .arg(&cam02)
        .args(["-vf", "select=gte(n\\,7),setpts=PTS-STARTPTS", "-an"])
        .arg(&late)
        .status()
        .unwrap();
    assert!(cut.success());
    let out = run_pair_as(dir.path(), &cam01, &late, "single-leg-squat");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(
            dir.path()
                .join("pose2sim_single_cam01+cam02_late/pair.json"),
        )
        .unwrap(),
    )
    .unwrap();
    // 60 FPS: 7 frames are 0.117 s.
    let offset = doc["sync"]["offset_s"].as_f64().unwrap();
    assert!(
        (offset - -7.0 / 60.0).abs() <= 1.0 / 60.0 + 1e-9,
        "offset {offset} s; cam02 started 7 frames (0.117 s) late: {}",
        doc["sync"]
    );
    // Each view also has its own outputs.
    assert!(dir.path().join("cam02_late/reps.json").is_file());

    let other = common::sample();
    let out = run_pair_as(dir.path(), &cam01, &other, "single-leg-squat");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "judged together: {stderr}");
    // A 1.7 s balance cannot be placed inside 13 s of squats: any 1.7 s of smooth movement
    // correlates with it somewhere.
    assert!(
        stderr.contains("too little of the same set") && stderr.contains("1.7 s against 12.8 s"),
        "{stderr}"
    );
}

/// Two recordings of a single squat each (the shared lnewco front and side clips, two different
/// people) cannot be told apart by their movement: the pair is made, and its report says it was
/// lined up on one rep and shows both cameras' stills of it side by side to check.
#[test]
fn a_pair_lined_up_on_a_single_rep_shows_both_stills_and_asks_to_check_them() {
    let shared = common::repo().join("../shared/videos");
    let (front, side) = (
        shared.join("lnewco_good_IMG_7027.mov"),
        shared.join("lnewco_good_IMG_7051.mov"),
    );
    if !front.is_file() || !side.is_file() {
        common::skip::missing("../shared/videos/lnewco_good_IMG_7027/7051.mov");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = run_pair_as(dir.path(), &front, &side, "squat");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(
        dir.path()
            .join("lnewco_good_IMG_7027+lnewco_good_IMG_7051/pair.html"),
    )
    .unwrap();
    assert!(html.contains("fewer than two reps to line up on"), "{html}");
    assert_eq!(html.matches("<img").count(), 2, "both cameras' stills");
    assert!(html.contains("front camera: its rep 1") && html.contains("side camera: its rep 1"));
    each_view_reps_json_holds_the_merged_reps(
        dir.path(),
        &["lnewco_good_IMG_7027", "lnewco_good_IMG_7051"],
    );
}

/// Issue 13: each camera's own reps.json (schema 3) holds the merged reps of both views, as
/// pair.json has them, and says where pair.json is.
fn each_view_reps_json_holds_the_merged_reps(out: &Path, views: &[&str; 2]) {
    let pair_dir = out.join(format!("{}+{}", views[0], views[1]));
    let pair_doc: Value =
        serde_json::from_str(&std::fs::read_to_string(pair_dir.join("pair.json")).unwrap())
            .unwrap();
    for (view, camera) in views.iter().zip(["front", "side"]) {
        let view_dir = out.join(view);
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(view_dir.join("reps.json")).unwrap())
                .unwrap();
        common::assert_matches_schema(&doc, "schemas/reps.schema.json");
        assert_eq!(doc["schema_version"], 5);
        let section = &doc["pair"];
        assert_eq!(section["camera"], camera);
        assert_eq!(section["reps"], pair_doc["reps"]);
        assert_eq!(section["sync"], pair_doc["sync"]);
        let merged = view_dir.join(section["merged"].as_str().unwrap());
        assert!(merged.is_file(), "{}", merged.display());
        assert!(
            doc["sets"].is_array(),
            "the view's own reps are still there"
        );
    }
}

/// pair.json and pair.html of the kinematic lunge set, made through the library: the golden
/// files under tests/golden/ (re-bless with FORMCHECK_BLESS=1 after a deliberate change).
#[test]
fn pair_outputs_match_golden() {
    use formcheck::analysis::analyze_frames;
    use formcheck::judge::Thresholds;
    use formcheck::multiview::pair::pair;
    use formcheck::output::pair::{render_html, render_json, PairResult, PairView};

    let set = lunges(&[30, 120, 210, 300]);
    let lunge = formcheck::exercise::find("lunge").unwrap();
    let analyse = |frames: &[PoseFrame]| analyze_frames(frames, lunge, None, Thresholds::default());
    let front = analyse(&lunge_frames_seen(&set, 400, false));
    let side_frames: Vec<PoseFrame> = lunge_frames_seen(&set, 400, true)
        .into_iter()
        .skip(13)
        .enumerate()
        .map(|(i, mut f)| {
            f.index = i as u64;
            f.time_s = i as f64 / FPS;
            f
        })
        .collect();
    let side = analyse(&side_frames);
    let merged = pair(&front, &side).unwrap();
    let view = |source: &str, a: &formcheck::analysis::Analysis| PairView {
        source: source.into(),
        outputs: None,
        reps: a.reps().count(),
        view: a.summary.view,
    };
    let (fv, sv) = (view("front.jsonl", &front), view("side.jsonl", &side));
    let result = PairResult {
        exercise: lunge,
        front: &fv,
        side: &sv,
        pair: &merged,
        front_stills: &[],
        side_stills: &[],
    };
    let json = String::from_utf8(render_json(&result).unwrap()).unwrap();
    let json = json.replace(env!("CARGO_PKG_VERSION"), "VERSION");
    common::assert_golden("pair.json", &json);
    common::assert_golden("pair.html", &render_html(&result));
}

/// A manifest of pairs: each pair judged on its own; a pair whose views do not match says so in
/// one line, the others are kept, and the exit code says one failed. A malformed line is refused
/// before anything runs, naming the file and the line.
#[test]
fn a_manifest_of_pairs_judges_each_and_keeps_the_good_ones() {
    let dir = tempfile::tempdir().unwrap();
    let set = lunges(&[30, 120, 210, 300]);
    write_view(
        &dir.path().join("front.jsonl"),
        &lunge_frames_seen(&set, 400, false),
        0,
    );
    write_view(
        &dir.path().join("side.jsonl"),
        &lunge_frames_seen(&set, 400, true),
        13,
    );
    let other = lunges(&[20, 75, 260]);
    write_view(
        &dir.path().join("other.jsonl"),
        &lunge_frames_seen(&other, 400, true),
        0,
    );
    let manifest = dir.path().join("pairs.tsv");
    std::fs::write(
        &manifest,
        "# front\tside\nfront.jsonl\tside.jsonl\n\nfront.jsonl\tother.jsonl\n",
    )
    .unwrap();
    let out = common::formcheck()
        .args([
            "analyze",
            "--exercise",
            "lunge",
            "--no-history",
            "--quiet",
            "--pairs",
        ])
        .arg(&manifest)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(dir.path().join("out/front+side/pair.json").is_file());
    assert!(!dir.path().join("out/front+other/pair.json").exists());
    let lines: Vec<&str> = stderr.trim().lines().collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert!(
        lines[0].contains("other.jsonl") && lines[0].contains("do not match"),
        "{stderr}"
    );
    assert!(lines[1].contains("1 of 2 pairs"), "{stderr}");

    std::fs::write(&manifest, "front.jsonl side.jsonl\n").unwrap();
    let out = common::formcheck()
        .args(["analyze", "--exercise", "lunge", "--no-history", "--pairs"])
        .arg(&manifest)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    assert!(stderr.contains("pairs.tsv line 1"), "{stderr}");
}

/// Both cameras' reps, fed frame by frame as `live --front-view --side-view` feeds them (the side
/// stream 0.2 s behind), merged as they close; the side camera lost from `lose_side_at` on.
fn live_pairing(set: &[LungeRep], lose_side_at: Option<usize>) -> Vec<PairedRep> {
    let (exercise, thresholds) = (
        formcheck::exercise::find("lunge").unwrap(),
        Thresholds::default(),
    );
    let front_frames = lunge_frames_seen(set, 400, false);
    let mut side_frames = lunge_frames_seen(set, 400, true);
    for f in &mut side_frames {
        f.time_s += 0.2;
    }
    let mut front = Analyzer::live(exercise, None, thresholds.clone());
    let mut side = Analyzer::live(exercise, None, thresholds);
    let mut pairing = LivePairing::new(exercise.concerns());
    let mut out = Vec::new();
    let (mut front_out, mut side_out) = (0, 0);
    for (i, (f, s)) in front_frames.iter().zip(&side_frames).enumerate() {
        if let Some(rep) = front.push(f).completed_rep {
            front_out += 1;
            out.extend(pairing.push(Camera::Front, rep));
        }
        out.extend(pairing.tick(Camera::Front, f.time_s));
        if lose_side_at == Some(i) {
            pairing.lost(Camera::Side);
        }
        if lose_side_at.is_some_and(|at| i >= at) {
            continue;
        }
        if let Some(rep) = side.push(s).completed_rep {
            side_out += 1;
            out.extend(pairing.push(Camera::Side, rep));
        }
        out.extend(pairing.tick(Camera::Side, s.time_s));
    }
    for rep in front.finish().reps().skip(front_out) {
        out.extend(pairing.push(Camera::Front, rep.clone()));
    }
    if lose_side_at.is_none() {
        for rep in side.finish().reps().skip(side_out) {
            out.extend(pairing.push(Camera::Side, rep.clone()));
        }
    }
    out.extend(pairing.finish());
    out
}

fn concern_status(rep: &PairedRep, concern: Concern) -> (&ConcernStatus, &[Camera]) {
    let c = rep
        .concerns
        .iter()
        .find(|c| c.result.concern == concern)
        .unwrap();
    (&c.result.status, &c.from)
}

/// Live with two cameras merges each rep as both views close it, into what the batch pair gives
/// for the same set: the same reps, each seen by both, the same verdict on each concern from the
/// same camera.
#[test]
fn live_pairing_merges_reps_as_they_close_as_the_batch_pair_does() {
    let set = lunges(&[30, 120, 210, 300]);
    let (exercise, thresholds) = (
        formcheck::exercise::find("lunge").unwrap(),
        Thresholds::default(),
    );
    let analyse = |from_side: bool| {
        let mut a = Analyzer::new(exercise, None, thresholds.clone());
        for f in lunge_frames_seen(&set, 400, from_side) {
            a.push(&f);
        }
        a.finish()
    };
    let batch = pair(&analyse(false), &analyse(true)).unwrap();
    let live = live_pairing(&set, None);
    assert_eq!(live.len(), batch.reps.len(), "{live:#?}");
    assert_eq!(live.len(), 4);
    for (l, b) in live.iter().zip(&batch.reps) {
        assert!(l.front.is_some() && l.side.is_some(), "{l:#?}");
        assert_eq!(l.complete, b.complete);
        for concern in [Concern::Valgus, Concern::KneeOverToe] {
            assert_eq!(
                concern_status(l, concern),
                concern_status(b, concern),
                "rep {} {concern:?}",
                l.number
            );
        }
    }
}

/// The side camera lost after the second rep: the third and fourth are released with the front
/// camera's verdicts alone, knee over toe not judged because the side camera is lost.
#[test]
fn live_pairing_goes_on_with_one_camera_when_the_other_is_lost() {
    let set = lunges(&[30, 120, 210, 300]);
    let live = live_pairing(&set, Some(205));
    assert_eq!(live.len(), 4, "{live:#?}");
    for rep in &live[..2] {
        assert!(rep.front.is_some() && rep.side.is_some(), "{rep:#?}");
    }
    for rep in &live[2..] {
        assert!(rep.front.is_some() && rep.side.is_none(), "{rep:#?}");
        assert!(rep.complete);
        let (status, from) = concern_status(rep, Concern::KneeOverToe);
        assert!(from.is_empty());
        match status {
            ConcernStatus::NotJudged { reason } => {
                assert!(reason.contains("side camera: camera lost"), "{reason}")
            }
            other => panic!("rep {}: knee over toe {other:?}", rep.number),
        }
        let (_, from) = concern_status(rep, Concern::Valgus);
        assert_eq!(from, [Camera::Front]);
    }
}
