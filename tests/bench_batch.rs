//! `formcheck bench --batch` on the bundled sample: both modes run in child processes and report
//! what they did. Speeds are printed, never asserted (a loaded machine is slower, not wrong).

mod common;

use common::{formcheck, sample};

#[test]
fn bench_batch_reports_pose_only_and_every_output_with_their_decode_passes() {
    let dir = tempfile::tempdir().unwrap();
    let short = dir.path().join("sample_3s.mp4");
    let sample_path = sample();
    let sample_arg = sample_path.to_str().unwrap();
    if !common::ffmpeg(&["-i", sample_arg, "-t", "3", "-an", short.to_str().unwrap()]) {
        return;
    }
    let out = formcheck()
        .args(["--threads", "1", "bench", "--batch"])
        .arg(sample())
        .arg("--memory")
        .arg(&short)
        .arg(sample())
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // One thread in all: --jobs 1 only.
    assert!(
        text.contains("--jobs 1:") && !text.contains("--jobs 2:"),
        "{text}"
    );
    let line = |mode: &str| {
        text.lines()
            .find(|l| l.trim_start().starts_with(mode))
            .unwrap_or_else(|| panic!("no {mode} line in {text}"))
            .to_string()
    };
    let (pose, all) = (line("pose only:"), line("every output:"));
    // The same frames in both modes: the sample's, every one of them.
    let frames = |l: &str| -> u64 {
        l.split_whitespace()
            .skip_while(|w| *w != "FPS")
            .nth(1)
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("no frame count in {l}"))
    };
    assert!(frames(&pose) > 50, "{pose}");
    assert_eq!(frames(&pose), frames(&all), "{text}");
    // Both decode the clip once: every output is drawn from the pose pass's frames.
    assert!(pose.contains("decode passes a video 1.0"), "{pose}");
    assert!(all.contains("decode passes a video 1.0"), "{all}");
    assert!(text.contains("% of the pose-only FPS"), "{text}");
    // Each --memory clip alone, with its length and peak RSS, and the spread between them.
    let memory = text
        .split("each clip alone")
        .nth(1)
        .unwrap_or_else(|| panic!("no memory section in {text}"));
    let rss_line = |name: &str| {
        memory
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap_or_else(|| panic!("no {name} line in {memory}"))
            .to_string()
    };
    assert!(rss_line("sample_3s.mp4").contains(" 3 s"), "{memory}");
    assert!(
        rss_line("tfjs_pose_squats.mp4").contains(" 13 s"),
        "{memory}"
    );
    assert!(rss_line("sample_3s.mp4").contains("peak RSS"), "{memory}");
    assert!(memory.contains("above the smallest"), "{memory}");
}

/// A missing `--memory` clip was found only after the batch modes had run, minutes in: every
/// clip is opened before anything runs.
#[test]
fn a_missing_memory_clip_is_named_before_anything_runs() {
    let out = formcheck()
        .args(["bench", "--batch"])
        .arg(sample())
        .args(["--memory", "no_such_clip.mp4"])
        .output()
        .unwrap();
    let (text, err) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(!out.status.success(), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("no_such_clip.mp4"), "{err}");
    assert!(!text.contains("--jobs 1:"), "nothing ran: {text}");
}

#[test]
fn several_clips_without_batch_name_the_flag() {
    let out = formcheck()
        .args(["bench"])
        .arg(sample())
        .arg(sample())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("--batch"), "{err}");
}

/// Decode passes and stills of one analysis of `video` with every rep flagged (the knees
/// would have to be five ankle-widths apart).
fn flagged_run(video: &std::path::Path, extra: &[&str]) -> (u64, usize) {
    let dir = tempfile::tempdir().unwrap();
    let stats = dir.path().join("stats.json");
    let out = formcheck()
        .args(["--quiet", "analyze"])
        .arg(video)
        .args(["--exercise", "squat", "--no-history"])
        .args(["--threshold", "knee_ankle_ratio_min=5"])
        .args(extra)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--bench-stats")
        .arg(&stats)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stats: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&stats).unwrap()).unwrap();
    let name = video.file_stem().unwrap().to_string_lossy();
    let report =
        std::fs::read_to_string(dir.path().join(format!("out/{name}/report.html"))).unwrap();
    (
        stats["decode_passes"].as_u64().unwrap(),
        report.matches("data:image/jpeg").count(),
    )
}

#[test]
fn flagged_reps_stills_and_the_annotated_video_come_from_the_pose_pass() {
    // Before: pose, then the annotated video with the stills: two passes over the file (three
    // before that).
    let (passes, stills) = flagged_run(&sample(), &[]);
    assert!(stills >= 2, "a still for each flagged rep: {stills}");
    assert_eq!(
        passes, 1,
        "one pass: pose, the annotated video and the stills"
    );
    let (passes, stills_alone) = flagged_run(&sample(), &["--no-video"]);
    assert_eq!((passes, stills_alone), (1, stills));
}

/// A rep longer than the stills' ring still gets its still, from a pass of its own (the ring
/// cut to 3 frames, where a rep of the sample spans about 15).
#[test]
fn a_rep_longer_than_the_still_ring_gets_its_still_from_a_pass_of_its_own() {
    let (_, stills) = flagged_run(&sample(), &["--no-video"]);
    let (passes, from_pass) = flagged_run(&sample(), &["--no-video", "--still-ring", "3"]);
    assert_eq!(from_pass, stills, "a still for each flagged rep");
    assert_eq!(
        passes, 2,
        "the pose pass, then one for the stills the ring no longer held"
    );
}
