//! The pose stage on the bundled clip (samples/tfjs_pose_squats.mp4), against MediaPipe's own
//! lower-limb landmarks for nine frames stored in tests/golden/ (taken from MediaPipe's
//! reference run; see the file's "source"). Always runs: it needs only the bundled clip and models.

use std::path::Path;

use formcheck::pose::PoseSettings;
use formcheck::pose::{EngineChoice, ModelFiles, ModelKind, PoseEstimator};
use formcheck::video::{SourceSpec, VideoSource};
use serde::Deserialize;

/// Each point within this fraction of the image height of MediaPipe's (12.8 px here; formcheck's
/// worst on this clip is 0.24 %): a mistake in the ROI, projection or filter breaks it.
const POINT_TOLERANCE: f64 = 0.01;
/// And on average over all checked points (formcheck is ≈ 0.04 % from MediaPipe on this clip;
/// skipping MediaPipe's heatmap refinement alone would give ≈ 0.5 %).
const MEAN_TOLERANCE: f64 = 0.002;

#[derive(Deserialize)]
struct Golden {
    height: f64,
    frames: Vec<GoldenFrame>,
}

#[derive(Deserialize)]
struct GoldenFrame {
    frame: u64,
    detected: bool,
    points: Vec<[f64; 2]>,
}

#[test]
fn bundled_clip_matches_mediapipe_lower_limb_landmarks_on_litert() {
    matches_mediapipe(EngineChoice::LiteRt);
}

#[test]
fn bundled_clip_matches_mediapipe_lower_limb_landmarks_on_opencv_dnn() {
    matches_mediapipe(EngineChoice::OpenCv);
}

fn matches_mediapipe(engine: EngineChoice) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let golden: Golden = serde_json::from_str(
        &std::fs::read_to_string(root.join("tests/golden/tfjs_pose_squats_lower_limb.json"))
            .expect("golden file readable"),
    )
    .expect("golden file parses");

    let settings = PoseSettings {
        models: ModelFiles::locate(None, ModelKind::Full, engine).unwrap_or_else(|e| panic!("{e}")),
        model: ModelKind::Full,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        smooth: true,
        // MediaPipe's Python API, which made the golden values, runs its filter on a 30 Hz clock.
        frame_clock: Some(30.0),
    };
    let mut estimator = PoseEstimator::new(&settings).expect("models load");
    let clip = root.join("samples/tfjs_pose_squats.mp4");
    let mut source = VideoSource::open(&SourceSpec::File(clip)).expect("sample opens");
    assert_eq!(source.info().height as f64, golden.height);

    let mut checked = 0;
    let mut total = 0.0;
    let mut problems = Vec::new();
    while let Some(frame) = source.read().expect("sample decodes") {
        // Every frame goes through: tracking and the filter depend on the ones before.
        let result = estimator.process(&frame).expect("pose runs");
        let Some(expected) = golden.frames.iter().find(|g| g.frame == frame.index) else {
            continue;
        };
        assert_eq!(
            result.detected(),
            expected.detected,
            "frame {}",
            frame.index
        );
        let Some(pose) = &result.pose else { continue };
        for (k, want) in expected.points.iter().enumerate() {
            let got = pose.landmarks[23 + k].expect("landmark present");
            let off = (got.x - want[0]).hypot(got.y - want[1]) / golden.height;
            total += off;
            checked += 1;
            if off > POINT_TOLERANCE {
                problems.push(format!(
                    "frame {} landmark {}: ({:.1}, {:.1}) vs MediaPipe ({:.1}, {:.1})",
                    frame.index,
                    23 + k,
                    got.x,
                    got.y,
                    want[0],
                    want[1]
                ));
            }
        }
    }
    assert_eq!(
        checked,
        golden.frames.len() * 10,
        "not every golden frame was seen"
    );
    let mean = total / checked as f64;
    println!(
        "bundled clip: {checked} points, mean {:.3} % of height from MediaPipe",
        mean * 100.0
    );
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(
        mean < MEAN_TOLERANCE,
        "mean offset {:.3} % of height",
        mean * 100.0
    );
}
