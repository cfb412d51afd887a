//! The pose stage against MediaPipe itself: every clip in ../shared/videos that has a
//! ../shared/reference/NAME.mediapipe-full.jsonl (MediaPipe Pose 0.10.21, full model, smoothing
//! on, tracking on) is run through formcheck's pose stage on the same 30 Hz filter clock the
//! Python API uses. Checked: lower-limb landmarks 23–32 within a median 1 % and a 95th
//! percentile 3 % of the image height of MediaPipe's, and the same frames detected (≥ 98 %).
//! Both inference engines are held to it: LiteRT (MediaPipe's own runtime, on the `.tflite`
//! files) and OpenCV DNN (on the ONNX exports). Skips, saying why, when ../shared is absent.
//! Figures per clip are printed (`--nocapture`).

#[path = "common/skip.rs"]
mod skip;

use std::path::{Path, PathBuf};

use formcheck::landmarks::{read_jsonl, PoseFrame};
use formcheck::pose::PoseSettings;
use formcheck::pose::{EngineChoice, ModelFiles, ModelKind, PoseEstimator};
use formcheck::video::{SourceSpec, VideoSource};

const LOWER_LIMB: std::ops::Range<usize> = 23..33;
const MEDIAN_MAX: f64 = 0.01;
const P95_MAX: f64 = 0.03;
const DETECTION_AGREEMENT_MIN: f64 = 0.98;
/// MediaPipe's Python API stamps frames +33 333 µs apart whatever the video's rate.
const MEDIAPIPE_PYTHON_CLOCK_HZ: f64 = 30.0;

fn shared_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared");
    dir.join("reference").is_dir().then_some(dir)
}

struct ClipFigures {
    frames: usize,
    detection_agreement: f64,
    median: f64,
    p95: f64,
    max: f64,
    fps: f64,
}

fn quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn run_clip(video: &Path, reference: &[PoseFrame], engine: EngineChoice) -> ClipFigures {
    let settings = PoseSettings {
        models: ModelFiles::locate(None, ModelKind::Full, engine).unwrap_or_else(|e| panic!("{e}")),
        model: ModelKind::Full,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        smooth: true,
        frame_clock: Some(MEDIAPIPE_PYTHON_CLOCK_HZ),
    };
    let mut estimator = PoseEstimator::new(&settings).expect("models load");
    let mut source =
        VideoSource::open(&SourceSpec::File(video.to_path_buf())).expect("video opens");
    let height = source.info().height as f64;
    let started = std::time::Instant::now();
    let mut ours = Vec::new();
    while let Some(frame) = source.read().expect("video decodes") {
        ours.push(estimator.process(&frame).expect("pose runs"));
    }
    let fps = ours.len() as f64 / started.elapsed().as_secs_f64();
    compare(video, &ours, reference, height, fps)
}

/// `formcheck analyze VIDEO --landmarks` as a user runs it, on MediaPipe's Python clock.
fn run_binary(video: &Path, reference: &[PoseFrame], engine: EngineChoice) -> ClipFigures {
    let dir = tempfile::tempdir().unwrap();
    let jsonl = dir.path().join("landmarks.jsonl");
    let engine_arg = match engine {
        EngineChoice::LiteRt => "litert",
        EngineChoice::OpenCv => "opencv",
        EngineChoice::Auto => "auto",
    };
    let started = std::time::Instant::now();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_formcheck"))
        .args(["--engine", engine_arg, "analyze"])
        .arg(video)
        .arg("--landmarks")
        .arg(&jsonl)
        .args(["--filter-fps", &MEDIAPIPE_PYTHON_CLOCK_HZ.to_string()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ours = read_jsonl(&jsonl)
        .expect("--landmarks output parses")
        .frames;
    let fps = ours.len() as f64 / started.elapsed().as_secs_f64();
    let height = ours.first().map_or(1.0, |f| f.image_height as f64);
    compare(video, &ours, reference, height, fps)
}

fn compare(
    video: &Path,
    ours: &[PoseFrame],
    reference: &[PoseFrame],
    height: f64,
    fps: f64,
) -> ClipFigures {
    assert_eq!(
        ours.len(),
        reference.len(),
        "{}: frame count differs from the reference",
        video.display()
    );

    let mut agree = 0;
    let mut distances = Vec::new();
    for (a, b) in ours.iter().zip(reference) {
        assert_eq!(a.index, b.index);
        if a.detected() == b.detected() {
            agree += 1;
        }
        if let (Some(pa), Some(pb)) = (&a.pose, &b.pose) {
            for i in LOWER_LIMB {
                if let (Some(la), Some(lb)) = (pa.landmarks[i], pb.landmarks[i]) {
                    distances.push((la.x - lb.x).hypot(la.y - lb.y) / height);
                }
            }
        }
    }
    distances.sort_by(f64::total_cmp);
    ClipFigures {
        frames: ours.len(),
        detection_agreement: agree as f64 / ours.len().max(1) as f64,
        median: quantile(&distances, 0.5),
        p95: quantile(&distances, 0.95),
        max: distances.last().copied().unwrap_or(f64::NAN),
        fps,
    }
}

#[test]
fn lower_limb_landmarks_agree_with_mediapipe_on_litert() {
    agree_with_mediapipe(EngineChoice::LiteRt);
}

#[test]
fn lower_limb_landmarks_agree_with_mediapipe_on_opencv_dnn() {
    agree_with_mediapipe(EngineChoice::OpenCv);
}

/// The binary's own `analyze --landmarks` path (prefetching decoder, container frames, the
/// CLI's settings) held to the same limits, on MediaPipe's Python clock (`--filter-fps 30`).
/// On the container's own clock a video's frame gaps, rounded to whole microseconds, alternate
/// 33 333 / 33 334 µs where MediaPipe's Python API steps 33 333 µs; the smoothed landmarks then
/// differ in the last digits, which is enough to flip tracking on frames where the person is at
/// the tracking threshold (sports2d_demo 161–164).
#[test]
fn analyze_landmarks_as_users_run_it_agrees_with_mediapipe() {
    // Auto, as users run it: LiteRT where .ci/setup installed it, else OpenCV DNN.
    agree_with_mediapipe_by(
        EngineChoice::Auto,
        run_binary,
        "formcheck analyze --landmarks",
    );
}

fn agree_with_mediapipe(engine: EngineChoice) {
    agree_with_mediapipe_by(engine, run_clip, "pose stage");
}

fn agree_with_mediapipe_by(
    engine: EngineChoice,
    run: fn(&Path, &[PoseFrame], EngineChoice) -> ClipFigures,
    path: &str,
) {
    let Some(shared) = shared_dir() else {
        skip::missing("../shared/reference not found beside the checkout");
        return;
    };
    let mut clips: Vec<(String, PathBuf, PathBuf)> = std::fs::read_dir(shared.join("reference"))
        .expect("reference folder readable")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter_map(|p| {
            let name = p
                .file_name()?
                .to_str()?
                .strip_suffix(".mediapipe-full.jsonl")?
                .to_string();
            let video = shared.join("videos").join(format!("{name}.mp4"));
            video.is_file().then_some((name, video, p))
        })
        .collect();
    clips.sort();
    assert!(
        !clips.is_empty(),
        "no reference with a video in {}",
        shared.display()
    );

    let mut failures = Vec::new();
    println!(
        "{engine:?}, {path}\n{:<36} {:>6} {:>9} {:>9} {:>9} {:>9} {:>6}",
        "clip", "frames", "detect=", "median", "p95", "max", "fps"
    );
    for (name, video, reference) in &clips {
        let reference = read_jsonl(reference).expect("reference parses");
        let f = run(video, &reference.frames, engine);
        println!(
            "{:<36} {:>6} {:>8.1}% {:>8.3}% {:>8.3}% {:>8.2}% {:>6.1}",
            name,
            f.frames,
            f.detection_agreement * 100.0,
            f.median * 100.0,
            f.p95 * 100.0,
            f.max * 100.0,
            f.fps
        );
        if f.detection_agreement < DETECTION_AGREEMENT_MIN {
            failures.push(format!(
                "{engine:?} {name}: detection agrees on {:.1}% of frames",
                f.detection_agreement * 100.0
            ));
        }
        if f.median.is_nan() || f.median >= MEDIAN_MAX {
            failures.push(format!(
                "{engine:?} {name}: median {:.3}% of height",
                f.median * 100.0
            ));
        }
        if f.p95.is_nan() || f.p95 >= P95_MAX {
            failures.push(format!(
                "{engine:?} {name}: p95 {:.3}% of height",
                f.p95 * 100.0
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
