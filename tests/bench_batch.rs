//! `formcheck bench --batch` on the bundled sample: both modes run in child processes and report
//! what they did. Speeds are printed, never asserted (a loaded machine is slower, not wrong).

mod common;

use common::{formcheck, sample};

#[test]
fn bench_batch_reports_pose_only_and_every_output_with_their_decode_passes() {
    let out = formcheck()
        .args(["--threads", "1", "bench", "--batch"])
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
    // Pose only decodes the clip once; every output at least once more today (the annotated
    // video reads it again).
    assert!(pose.contains("decode passes a video 1.0"), "{pose}");
    assert!(!all.contains("decode passes a video 1.0"), "{all}");
    assert!(text.contains("% of the pose-only FPS"), "{text}");
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
