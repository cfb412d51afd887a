//! A missing or broken model file stops the pose stage at start with one line that names the
//! file, before any video is read, on both inference engines (LiteRT on `.tflite`, OpenCV DNN on
//! `.onnx`).

use std::path::Path;

use formcheck::pose::PoseSettings;
use formcheck::pose::{EngineChoice, ModelFiles, ModelKind, PoseEstimator};

const ENGINES: [EngineChoice; 2] = [EngineChoice::LiteRt, EngineChoice::OpenCv];

fn settings(models: ModelFiles) -> PoseSettings {
    PoseSettings {
        models,
        model: ModelKind::Full,
        threads: 1,
        smooth: true,
        frame_clock: None,
    }
}

fn bundled(engine: EngineChoice) -> ModelFiles {
    ModelFiles::locate(None, ModelKind::Full, engine).unwrap_or_else(|e| panic!("{e}"))
}

fn extension(engine: EngineChoice) -> &'static str {
    bundled(engine).backend.extension()
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
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir
            .path()
            .join(format!("pose_landmark_full.{}", extension(engine)));
        let message = error_for(ModelFiles {
            landmark: missing.clone(),
            ..bundled(engine)
        });
        assert_one_line_naming(&message, &missing);
        assert!(message.contains("missing"), "{message}");
    }
}

#[test]
fn corrupt_detector_is_named() {
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let corrupt = dir
            .path()
            .join(format!("pose_detection.{}", extension(engine)));
        std::fs::write(&corrupt, b"this is not a model\n\x00\x01\x02").unwrap();
        let message = error_for(ModelFiles {
            detector: corrupt.clone(),
            ..bundled(engine)
        });
        assert_one_line_naming(&message, &corrupt);
    }
}

#[test]
fn truncated_landmark_model_is_named() {
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let truncated = dir
            .path()
            .join(format!("pose_landmark_full.{}", extension(engine)));
        let bytes = std::fs::read(bundled(engine).landmark).unwrap();
        std::fs::write(&truncated, &bytes[..bytes.len() / 3]).unwrap();
        let message = error_for(ModelFiles {
            landmark: truncated.clone(),
            ..bundled(engine)
        });
        assert_one_line_naming(&message, &truncated);
    }
}

#[test]
fn empty_model_file_is_named() {
    for engine in ENGINES {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir
            .path()
            .join(format!("pose_landmark_full.{}", extension(engine)));
        std::fs::write(&empty, b"").unwrap();
        let message = error_for(ModelFiles {
            landmark: empty.clone(),
            ..bundled(engine)
        });
        assert_one_line_naming(&message, &empty);
    }
}

#[test]
fn swapped_models_are_refused() {
    // The detector where the landmark model belongs: it loads, but has the wrong input or
    // outputs.
    for engine in ENGINES {
        let files = bundled(engine);
        let message = error_for(ModelFiles {
            landmark: files.detector.clone(),
            ..files
        });
        assert_one_line_naming(&message, &bundled(engine).detector);
    }
}

#[test]
fn a_model_of_the_other_engine_is_refused() {
    // An ONNX file handed to LiteRT (a custom --models folder mixing them up).
    let litert = bundled(EngineChoice::LiteRt);
    let onnx = bundled(EngineChoice::OpenCv).landmark;
    let message = error_for(ModelFiles {
        landmark: onnx.clone(),
        ..litert
    });
    assert_one_line_naming(&message, &onnx);
}

#[test]
fn setup_installs_litert_and_auto_picks_it() {
    let files = ModelFiles::locate(None, ModelKind::Full, EngineChoice::Auto).unwrap();
    assert_eq!(
        files.backend.extension(),
        "tflite",
        "LiteRT is not installed: run .ci/setup (it puts libLiteRt.so in target/litert/)"
    );
}
