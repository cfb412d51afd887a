//! A missing or broken model file stops the pose stage at start with one line that names the
//! file, before any video is read.

use std::path::Path;

use formcheck::config::PoseSettings;
use formcheck::pose::{ModelFiles, ModelKind, PoseEstimator};

fn settings(models: ModelFiles) -> PoseSettings {
    PoseSettings {
        models,
        model: ModelKind::Full,
        threads: 1,
        smooth: true,
        frame_clock: None,
    }
}

fn bundled() -> ModelFiles {
    ModelFiles::locate(None, ModelKind::Full).expect("bundled models")
}

fn error_for(models: ModelFiles) -> String {
    match PoseEstimator::new(&settings(models)) {
        Ok(_) => panic!("a bad model file was accepted"),
        Err(e) => {
            let message = e.to_string();
            println!("{message}");
            message
        }
    }
}

fn assert_one_line_naming(message: &str, file: &Path) {
    assert!(!message.contains('\n'), "not one line: {message:?}");
    assert!(
        message.contains(&file.display().to_string()),
        "{message:?} does not name {}",
        file.display()
    );
}

#[test]
fn missing_landmark_model_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("pose_landmark_full.onnx");
    let message = error_for(ModelFiles {
        landmark: missing.clone(),
        ..bundled()
    });
    assert_one_line_naming(&message, &missing);
    assert!(message.contains("missing"), "{message}");
}

#[test]
fn corrupt_detector_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let corrupt = dir.path().join("pose_detection.onnx");
    std::fs::write(&corrupt, b"this is not an ONNX model\n\x00\x01\x02").unwrap();
    let message = error_for(ModelFiles {
        detector: corrupt.clone(),
        ..bundled()
    });
    assert_one_line_naming(&message, &corrupt);
}

#[test]
fn truncated_landmark_model_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let truncated = dir.path().join("pose_landmark_full.onnx");
    let bytes = std::fs::read(bundled().landmark).unwrap();
    std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
    let message = error_for(ModelFiles {
        landmark: truncated.clone(),
        ..bundled()
    });
    assert_one_line_naming(&message, &truncated);
}

#[test]
fn empty_model_file_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("pose_landmark_full.onnx");
    std::fs::write(&empty, b"").unwrap();
    let message = error_for(ModelFiles {
        landmark: empty.clone(),
        ..bundled()
    });
    assert_one_line_naming(&message, &empty);
}

#[test]
fn swapped_models_are_refused() {
    // The detector where the landmark model belongs: it loads, but has the wrong outputs.
    let files = bundled();
    let message = error_for(ModelFiles {
        landmark: files.detector.clone(),
        ..files
    });
    assert_one_line_naming(&message, &bundled().detector);
}
