//! Video in: phone rotation metadata is honoured and timestamps come from the container, so a
//! variable-frame-rate clip keeps its real times. The clips are made by ffmpeg at test time.

mod common;

use std::path::Path;
use std::process::Command;

use common::{ffmpeg, sample};
use formcheck::video::{SourceSpec, VideoSource};

fn read_all(path: &Path) -> (u32, u32, i32, Vec<f64>) {
    let mut source = VideoSource::open(&SourceSpec::File(path.to_path_buf())).unwrap();
    let info = source.info().clone();
    let mut times = Vec::new();
    while let Some(frame) = source.read().unwrap() {
        times.push(frame.time_s);
    }
    (info.width, info.height, info.rotation_deg, times)
}

/// The first frame as FFmpeg shows it (it honours the display matrix, as players do), BGR.
fn ffmpeg_first_frame(path: &Path) -> Vec<u8> {
    let out = Command::new("ffmpeg")
        .args(["-v", "error", "-i"])
        .arg(path)
        .args(["-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "bgr24", "-"])
        .output()
        .unwrap();
    assert!(out.status.success());
    out.stdout
}

fn mean_abs_diff(a: &[u8], b: &[u8]) -> f64 {
    assert_eq!(a.len(), b.len(), "frame sizes differ");
    let total: u64 = a.iter().zip(b).map(|(x, y)| x.abs_diff(*y) as u64).sum();
    total as f64 / a.len() as f64
}

#[test]
fn phone_rotation_metadata_turns_frames_upright() {
    use opencv::prelude::*;
    let dir = tempfile::tempdir().unwrap();
    // FFmpeg 5.1's `rotate` tag is the counter-clockwise display angle; the frames must come out
    // turned the other way round, as FFmpeg and every player show them. OpenCV 4.6's own
    // auto-rotation turned ±90° the wrong way, upside down (issue 14 item 3).
    for (tag, clockwise, size) in [
        ("90", 270, (1280, 720)),
        ("180", 180, (720, 1280)),
        ("270", 90, (1280, 720)),
    ] {
        let rotated = dir.path().join(format!("rotated{tag}.mp4"));
        if !ffmpeg(&[
            "-i",
            &sample().to_string_lossy(),
            "-c",
            "copy",
            "-metadata:s:v:0",
            &format!("rotate={tag}"),
            &rotated.to_string_lossy(),
        ]) {
            return;
        }
        let (w, h, rotation, times) = read_all(&rotated);
        assert_eq!(rotation, clockwise, "tag {tag}");
        assert_eq!((w, h), size, "tag {tag}: frames are turned upright");
        assert_eq!(times.len(), 65);

        let mut source = VideoSource::open(&SourceSpec::File(rotated.clone())).unwrap();
        let ours = source.read().unwrap().unwrap().image;
        let shown = ffmpeg_first_frame(&rotated);
        let diff = mean_abs_diff(ours.data_bytes().unwrap(), &shown);
        // The same decoder and colour conversion: a few grey levels at most; a frame turned the
        // wrong way differs by tens.
        assert!(diff < 2.0, "tag {tag}: mean |ours - ffmpeg| = {diff:.2}");
    }
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
