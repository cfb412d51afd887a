//! Video in: phone rotation metadata is honoured and timestamps come from the container, so a
//! variable-frame-rate clip keeps its real times. The clips are made by ffmpeg at test time.

#[path = "common/skip.rs"]
mod skip;

use std::path::{Path, PathBuf};
use std::process::Command;

use formcheck::video::{SourceSpec, VideoSource};

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/tfjs_pose_squats.mp4")
}

fn ffmpeg(args: &[&str]) -> bool {
    match Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .status()
    {
        Ok(status) => {
            assert!(status.success(), "ffmpeg {args:?} failed");
            true
        }
        Err(_) => {
            skip::missing("ffmpeg is not installed (needed to make the test clip)");
            false
        }
    }
}

fn read_all(path: &Path) -> (u32, u32, i32, Vec<f64>) {
    let mut source = VideoSource::open(&SourceSpec::File(path.to_path_buf())).unwrap();
    let info = source.info().clone();
    let mut times = Vec::new();
    while let Some(frame) = source.read().unwrap() {
        times.push(frame.time_s);
    }
    (info.width, info.height, info.rotation_deg, times)
}

#[test]
fn phone_rotation_metadata_turns_frames_upright() {
    let dir = tempfile::tempdir().unwrap();
    let rotated = dir.path().join("rotated.mp4");
    let (sample, out) = (sample(), rotated.to_string_lossy().to_string());
    // Same pixels, tagged as shot rotated by 90°: a player shows it landscape.
    if !ffmpeg(&[
        "-i",
        &sample.to_string_lossy(),
        "-c",
        "copy",
        "-metadata:s:v:0",
        "rotate=90",
        &out,
    ]) {
        return;
    }
    let (w, h, rotation, times) = read_all(&rotated);
    assert_eq!(rotation, 90);
    assert_eq!((w, h), (1280, 720), "frames are turned upright");
    assert_eq!(times.len(), 65);
}

#[test]
fn variable_frame_rate_keeps_container_timestamps() {
    let dir = tempfile::tempdir().unwrap();
    let vfr = dir.path().join("vfr.mp4");
    // Ten frames 0.1 s apart, then frames 0.25 s apart: frame/fps would get the second part wrong.
    if !ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x240:rate=10:duration=2",
        "-vf",
        "setpts='if(lt(N,10),N*0.1,1+(N-10)*0.25)/TB'",
        "-fps_mode",
        "passthrough",
        "-pix_fmt",
        "yuv420p",
        &vfr.to_string_lossy(),
    ]) {
        return;
    }
    let probe = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v",
            "-show_entries",
            "frame=pts_time",
        ])
        .args(["-of", "csv=p=0"])
        .arg(&vfr)
        .output()
        .unwrap();
    let expected: Vec<f64> = String::from_utf8_lossy(&probe.stdout)
        .lines()
        .filter_map(|l| l.split(',').next()?.trim().parse().ok())
        .collect();
    let (_, _, _, times) = read_all(&vfr);
    assert_eq!(times.len(), expected.len());
    // OpenCV 4.6 gives no time for the frames drained from the decoder at the very end (B-frame
    // delay): those continue from the last real interval. Every other frame has its real time.
    let drained = 2;
    let exact = expected.len() - drained;
    for (got, want) in times[..exact].iter().zip(&expected[..exact]) {
        assert!((got - want).abs() < 1e-3, "time {got} vs container {want}");
    }
    for (got, want) in times[exact..].iter().zip(&expected[exact..]) {
        assert!(
            (got - want).abs() < 0.3,
            "drained frame at {got} vs container {want}"
        );
    }
    assert!(
        times.windows(2).all(|w| w[1] > w[0]),
        "monotonic: {times:?}"
    );
    // The gaps really vary.
    assert!((expected[11] - expected[10]) > 0.15);
}

#[test]
fn bundled_sample_times_follow_its_5_fps() {
    let (w, h, rotation, times) = read_all(&sample());
    assert_eq!((w, h, rotation), (720, 1280, 0));
    assert_eq!(times.len(), 65);
    assert!(
        (times[64] - 12.8).abs() < 1e-6,
        "last frame at {}",
        times[64]
    );
}
