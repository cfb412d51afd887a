//! `--analysis-fps`: pose on fewer frames must not change what the person is told. Every shared
//! clip goes through `formcheck analyze` twice, at the default rate (30 a second) and on every
//! frame; the rep counts and each rep's flags must agree, and the 60 FPS clips must really have
//! been analysed at 30. The table is printed (`--nocapture`). Skips, saying why, without
//! ../shared.

#[path = "common/skip.rs"]
mod skip;

use std::path::{Path, PathBuf};
use std::process::Command;

fn shared_videos() -> Option<Vec<PathBuf>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/videos");
    let text = std::fs::read_to_string(dir.join("labels.json")).ok()?;
    let labels: serde_json::Value = serde_json::from_str(&text).expect("labels.json is JSON");
    let clips: Vec<PathBuf> = labels
        .as_object()?
        .iter()
        .filter(|(_, l)| l.is_object())
        .map(|(name, _)| dir.join(name))
        .collect();
    Some(clips)
}

/// `formcheck analyze` with `args`, which must succeed.
fn analyze(args: &[&std::ffi::OsStr]) {
    let output = Command::new(env!("CARGO_BIN_EXE_formcheck"))
        .arg("analyze")
        .args(args)
        .args(["--no-history", "-q"])
        .output()
        .expect("formcheck runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// `reps.json` of each clip, analysed with `extra` flags.
fn analyse(clips: &[PathBuf], out: &Path, extra: &[&str]) -> Vec<serde_json::Value> {
    let mut args: Vec<&std::ffi::OsStr> = clips.iter().map(|c| c.as_os_str()).collect();
    for a in ["--exercise", "squat", "--no-video", "--jobs", "2", "--out"] {
        args.push(a.as_ref());
    }
    args.push(out.as_os_str());
    args.extend(extra.iter().map(std::ffi::OsStr::new));
    analyze(&args);
    clips
        .iter()
        .map(|clip| {
            let name = clip.file_stem().unwrap().to_string_lossy();
            let text = std::fs::read_to_string(out.join(&*name).join("reps.json"))
                .unwrap_or_else(|e| panic!("{name}/reps.json: {e}"));
            serde_json::from_str(&text).unwrap()
        })
        .collect()
}

/// Each rep as the person reads it: complete or not, its faults (flag, leg), and each concern's
/// status (judged, not judged, ...).
type RepAsRead = (bool, Vec<String>, Vec<String>);

fn reps_and_flags(reps: &serde_json::Value) -> Vec<RepAsRead> {
    reps["sets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["reps"].as_array().unwrap())
        .map(|r| {
            let faults = r["flags"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|f| f["fault"].as_bool() == Some(true))
                .map(|f| format!("{} {}", f["flag"], f["leg"]))
                .collect();
            let concerns = r["concerns"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| format!("{} {}", c["concern"], c["status"]))
                .collect();
            (r["complete"].as_bool().unwrap(), faults, concerns)
        })
        .collect()
}

#[test]
fn the_default_analysis_rate_gives_the_same_reps_and_flags_as_every_frame() {
    let Some(clips) = shared_videos() else {
        skip::missing("../shared/videos/labels.json (the shared clips)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let default = analyse(&clips, &dir.path().join("default"), &[]);
    let every = analyse(
        &clips,
        &dir.path().join("every"),
        &["--analysis-fps", "1000"],
    );
    eprintln!(
        "{:<40} {:>6} {:>13} {:>13}  reps (complete/all) and flags",
        "clip", "frames", "posed at 30", "posed at all"
    );
    let mut sixty_fps_clips = 0;
    for ((clip, at_30), at_all) in clips.iter().zip(&default).zip(&every) {
        let name = clip.file_name().unwrap().to_string_lossy();
        let frames = at_30["video"]["frames"].as_u64().unwrap();
        let posed_30 = at_30["video"]["analysed_frames"].as_u64().unwrap_or(frames);
        let posed_all = at_all["video"]["analysed_frames"]
            .as_u64()
            .unwrap_or(frames);
        let (a, b) = (reps_and_flags(at_30), reps_and_flags(at_all));
        let show = |r: &[RepAsRead]| {
            let complete = r.iter().filter(|r| r.0).count();
            let faults: Vec<String> = r.iter().flat_map(|r| r.1.clone()).collect();
            format!("{complete}/{} {faults:?}", r.len())
        };
        eprintln!(
            "{name:<40} {frames:>6} {posed_30:>13} {posed_all:>13}  at 30: {}  all: {}",
            show(&a),
            show(&b)
        );
        assert_eq!(posed_all, frames, "{name}: every frame posed at 1000");
        assert_eq!(
            a, b,
            "{name}: reps and flags differ between 30 a second and every frame"
        );
        let fps = at_30["video"]["fps"].as_f64().unwrap_or(30.0);
        if fps > 45.0 {
            sixty_fps_clips += 1;
            // 60 FPS analysed at 30: half the frames, give or take the ends.
            assert!(
                posed_30.abs_diff(frames / 2) <= 1,
                "{name}: {posed_30} of {frames} frames posed at 30 a second"
            );
        } else {
            // Bar a phone's near-duplicate (lnewco_bad's second frame is 5 ms after its first).
            assert!(
                posed_30 + 1 >= frames,
                "{name}: a ~30 FPS clip keeps its frames, {posed_30} of {frames} posed"
            );
        }
    }
    assert!(sixty_fps_clips > 0, "the shared clips include 60 FPS ones");
}

/// The annotated video keeps every decoded frame when pose ran on half of them, and the report
/// says how many were posed.
#[test]
fn a_sixty_fps_video_analysed_at_thirty_is_drawn_on_every_frame() {
    let clip =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/videos/pose2sim_single_cam02.mp4");
    if !clip.is_file() {
        skip::missing("../shared/videos/pose2sim_single_cam02.mp4 (a 60 FPS clip)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    analyze(&[
        clip.as_os_str(),
        "--exercise".as_ref(),
        "single-leg-squat".as_ref(),
        "--out".as_ref(),
        dir.path().as_os_str(),
    ]);
    let folder = dir.path().join("pose2sim_single_cam02");
    let reps: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(folder.join("reps.json")).unwrap()).unwrap();
    assert_eq!(reps["video"]["frames"], 100);
    assert_eq!(reps["video"]["analysed_frames"], 50);
    let written = formcheck::video::VideoSource::open(&formcheck::video::SourceSpec::File(
        folder.join("annotated.mp4"),
    ))
    .expect("annotated.mp4 opens");
    let mut source = written;
    let mut frames = 0;
    while source.read().expect("annotated.mp4 decodes").is_some() {
        frames += 1;
    }
    assert_eq!(frames, 100, "every decoded frame is in annotated.mp4");
    let report = std::fs::read_to_string(folder.join("report.html")).unwrap();
    assert!(
        report.contains("100 frames over") && report.contains("pose on 50 of them (30 a second)"),
        "the report states the analysis rate"
    );
}
