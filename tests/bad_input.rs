//! Bad input through the real binary: each gives one error line naming what is wrong, a non-zero
//! exit code and no panic; a video that breaks mid-way keeps the frames already written.

#[path = "common/skip.rs"]
mod skip;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn formcheck() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_formcheck"));
    cmd.env(
        "XDG_DATA_HOME",
        std::env::temp_dir().join("formcheck-tests-data"),
    );
    cmd
}

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/tfjs_pose_squats.mp4")
}

fn has_ffmpeg() -> bool {
    Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// The error lines a run printed: with `--quiet` nothing but errors reaches stderr.
fn error_lines(out: &Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// Asserts: non-zero exit, no panic, exactly one error line, and it names `needle`.
fn assert_one_line_error(out: &Output, needle: &str) {
    let lines = error_lines(out);
    assert!(
        !out.status.success(),
        "expected failure, got success; stderr: {lines:?}"
    );
    assert_ne!(out.status.code(), Some(101), "panicked: {lines:?}");
    assert_eq!(lines.len(), 1, "expected one error line, got {lines:?}");
    assert!(
        lines[0].contains(needle),
        "error line does not name {needle}: {}",
        lines[0]
    );
    // Regression: a cause quoted in its wrapper's message was printed a second time.
    let parts: Vec<&str> = lines[0].split(": ").filter(|p| p.len() > 15).collect();
    for (i, part) in parts.iter().enumerate() {
        assert!(
            !parts[i + 1..].contains(part),
            "the line says {part:?} twice: {}",
            lines[0]
        );
    }
}

fn analyze_landmarks(video: &Path, out_dir: &Path) -> Output {
    formcheck()
        .arg("analyze")
        .arg(video)
        .arg("--landmarks")
        .arg(out_dir.join("landmarks.jsonl"))
        .arg("--quiet")
        .output()
        .expect("binary runs")
}

#[test]
fn missing_video_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("no_such_clip.mp4");
    assert_one_line_error(&analyze_landmarks(&video, dir.path()), "no_such_clip.mp4");
}

#[test]
fn directory_given_as_a_video_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("not_a_clip.mp4");
    std::fs::create_dir(&folder).unwrap();
    assert_one_line_error(&analyze_landmarks(&folder, dir.path()), "not_a_clip.mp4");
}

#[test]
fn zero_byte_video_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("empty.mp4");
    std::fs::write(&video, b"").unwrap();
    assert_one_line_error(&analyze_landmarks(&video, dir.path()), "empty.mp4");
}

#[test]
fn text_file_named_mp4_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("notes.mp4");
    std::fs::write(
        &video,
        "these are my training notes, not a video\n".repeat(50),
    )
    .unwrap();
    assert_one_line_error(&analyze_landmarks(&video, dir.path()), "notes.mp4");
}

#[test]
fn truncated_mp4_without_its_index_is_named() {
    // The sample keeps its index (moov) at the end: cut it off and nothing can be decoded.
    let dir = tempfile::tempdir().unwrap();
    let bytes = std::fs::read(sample()).unwrap();
    let video = dir.path().join("cut.mp4");
    std::fs::write(&video, &bytes[..bytes.len() / 2]).unwrap();
    assert_one_line_error(&analyze_landmarks(&video, dir.path()), "cut.mp4");
}

#[test]
fn video_breaking_midway_keeps_the_frames_already_written() {
    if !has_ffmpeg() {
        skip::missing("ffmpeg is not installed (needed to make a streamable copy to cut)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let streamable = dir.path().join("faststart.mp4");
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-i"])
        .arg(sample())
        .args(["-c", "copy", "-movflags", "+faststart"])
        .arg(&streamable)
        .status()
        .unwrap();
    assert!(status.success());
    // Index first, then cut the media data in the middle: decoding stops part-way.
    let bytes = std::fs::read(&streamable).unwrap();
    let video = dir.path().join("broken_midway.mp4");
    std::fs::write(&video, &bytes[..bytes.len() * 6 / 10]).unwrap();
    let out = analyze_landmarks(&video, dir.path());
    assert_ne!(
        out.status.code(),
        Some(101),
        "panicked: {:?}",
        error_lines(&out)
    );
    let written = std::fs::read_to_string(dir.path().join("landmarks.jsonl"))
        .expect("the frames decoded before the break are kept");
    let frames = written.lines().filter(|l| l.contains("\"frame\"")).count();
    assert!(
        (10..65).contains(&frames),
        "expected part of the 65 frames, got {frames}"
    );
}

#[test]
fn video_with_no_person_writes_every_frame_as_not_detected() {
    if !has_ffmpeg() {
        skip::missing("ffmpeg is not installed (needed to make a clip with no person)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("empty_room.mp4");
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y", "-f", "lavfi", "-i"])
        .arg("testsrc2=size=640x480:rate=10:duration=2")
        .args(["-pix_fmt", "yuv420p"])
        .arg(&video)
        .status()
        .unwrap();
    assert!(status.success());
    let out = analyze_landmarks(&video, dir.path());
    // No person is not a crash: every frame is written, as not detected, and the run says so.
    assert_one_line_error(&out, "empty_room.mp4");
    assert!(
        error_lines(&out)[0].contains("no person"),
        "{:?}",
        error_lines(&out)
    );
    let written = std::fs::read_to_string(dir.path().join("landmarks.jsonl")).unwrap();
    let lines: Vec<&str> = written.lines().collect();
    assert_eq!(lines.len(), 20);
    assert!(lines.iter().all(|l| l.contains("\"detected\":false")));
}

#[test]
fn absent_camera_index_is_named() {
    let out = formcheck()
        .args([
            "live",
            "--exercise",
            "squat",
            "--camera",
            "57",
            "--no-window",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert_one_line_error(&out, "camera 57");
}

#[test]
fn unreachable_stream_url_is_named() {
    // Port 9 (discard) on loopback: nothing listens, the connection is refused at once.
    let url = "http://127.0.0.1:9/live.ts";
    let out = formcheck()
        .args([
            "live",
            "--exercise",
            "squat",
            "--url",
            url,
            "--no-window",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert_one_line_error(&out, url);
}

/// Runs `analyze` on the sample with `--models` pointing at a folder that has the real detector
/// and, for the landmark model, `landmark` (nothing when `None`).
fn analyze_with_models(landmark: Option<&[u8]>) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let models = dir.path().join("models");
    std::fs::create_dir(&models).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("models/pose_detection.onnx"),
        models.join("pose_detection.onnx"),
    )
    .unwrap();
    if let Some(bytes) = landmark {
        std::fs::write(models.join("pose_landmark_full.onnx"), bytes).unwrap();
    }
    formcheck()
        .arg("--models")
        .arg(&models)
        .arg("analyze")
        .arg(sample())
        .arg("--landmarks")
        .arg(dir.path().join("l.jsonl"))
        .arg("--quiet")
        .output()
        .unwrap()
}

#[test]
fn missing_model_file_is_named() {
    assert_one_line_error(&analyze_with_models(None), "pose_landmark_full.onnx");
}

#[test]
fn corrupt_model_file_is_named() {
    let out = analyze_with_models(Some(b"\x08\x07garbage, not a protobuf model"));
    assert_one_line_error(&out, "pose_landmark_full.onnx");
}

#[test]
fn unknown_exercise_lists_the_known_ones() {
    let dir = tempfile::tempdir().unwrap();
    let out = formcheck()
        .arg("analyze")
        .arg(sample())
        .args(["--exercise", "burpee", "--quiet", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert_one_line_error(&out, "burpee");
    assert!(error_lines(&out)[0].contains("squat"));
}

#[test]
fn zero_threads_names_the_flag() {
    let out = formcheck()
        .args(["bench", "--threads", "0"])
        .output()
        .unwrap();
    assert_one_line_error(&out, "--threads");
}

/// `analyze` on the sample with `$FORMCHECK_LITERT` pointing at `library`.
fn analyze_with_litert(library: &Path, engine: &str, out_dir: &Path) -> Output {
    formcheck()
        .env("FORMCHECK_LITERT", library)
        .args(["--engine", engine, "analyze"])
        .arg(sample())
        .arg("--landmarks")
        .arg(out_dir.join("l.jsonl"))
        .arg("--quiet")
        .output()
        .unwrap()
}

#[test]
fn missing_litert_library_with_engine_litert_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let absent = dir.path().join("libLiteRt.so");
    let out = analyze_with_litert(&absent, "litert", dir.path());
    assert_one_line_error(&out, &absent.display().to_string());
}

#[test]
fn litert_library_that_is_not_one_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("libLiteRt.so");
    std::fs::write(&fake, b"not a shared library\n").unwrap();
    let out = analyze_with_litert(&fake, "litert", dir.path());
    assert_one_line_error(&out, &fake.display().to_string());
}

#[test]
fn without_litert_auto_falls_back_to_opencv_dnn() {
    let dir = tempfile::tempdir().unwrap();
    let out = analyze_with_litert(&dir.path().join("libLiteRt.so"), "auto", dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = std::fs::read_to_string(dir.path().join("l.jsonl")).unwrap();
    assert_eq!(lines.lines().count(), 65, "one line a frame of the sample");
    assert!(lines.contains("\"detected\":true"));
}
