//! Finding the ONNX model files: `--models DIR`, then `$FORMCHECK_MODELS`, then `models/` beside
//! the binary (and up to three folders above it, which covers `target/release/`), then the source
//! tree the binary was built from.

use std::path::{Path, PathBuf};

/// The environment variable naming the models folder.
pub const MODELS_ENV: &str = "FORMCHECK_MODELS";

pub const DETECTOR_FILE: &str = "pose_detection.onnx";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelKind {
    Lite,
    Full,
    Heavy,
}

impl ModelKind {
    pub fn landmark_file(self) -> &'static str {
        match self {
            ModelKind::Lite => "pose_landmark_lite.onnx",
            ModelKind::Full => "pose_landmark_full.onnx",
            ModelKind::Heavy => "pose_landmark_heavy.onnx",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            ModelKind::Lite => "lite",
            ModelKind::Full => "full",
            ModelKind::Heavy => "heavy",
        }
    }
}

/// The two files the pose stage loads.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFiles {
    pub detector: PathBuf,
    pub landmark: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    #[error("--models {dir}: {file} is missing there")]
    MissingInGiven { dir: PathBuf, file: &'static str },
    #[error("${MODELS_ENV}={dir}: {file} is missing there")]
    MissingInEnv { dir: PathBuf, file: &'static str },
    #[error("model file {file} not found (looked in {searched}); pass --models DIR or set ${MODELS_ENV}")]
    NotFound {
        file: &'static str,
        searched: String,
    },
}

fn has_all(dir: &Path, kind: ModelKind) -> Result<(), &'static str> {
    for file in [DETECTOR_FILE, kind.landmark_file()] {
        if !dir.join(file).is_file() {
            return Err(file);
        }
    }
    Ok(())
}

fn files_in(dir: &Path, kind: ModelKind) -> ModelFiles {
    ModelFiles {
        detector: dir.join(DETECTOR_FILE),
        landmark: dir.join(kind.landmark_file()),
    }
}

impl ModelFiles {
    pub fn locate(given: Option<&Path>, kind: ModelKind) -> Result<ModelFiles, ModelFileError> {
        if let Some(dir) = given {
            return has_all(dir, kind)
                .map(|()| files_in(dir, kind))
                .map_err(|file| ModelFileError::MissingInGiven {
                    dir: dir.to_path_buf(),
                    file,
                });
        }
        if let Some(dir) = std::env::var_os(MODELS_ENV).filter(|v| !v.is_empty()) {
            let dir = PathBuf::from(dir);
            return has_all(&dir, kind)
                .map(|()| files_in(&dir, kind))
                .map_err(|file| ModelFileError::MissingInEnv { dir, file });
        }
        let mut candidates = Vec::new();
        if let Ok(exe) = std::env::current_exe() {
            for ancestor in exe.ancestors().skip(1).take(4) {
                candidates.push(ancestor.join("models"));
            }
        }
        candidates.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models"));
        let mut first_missing = kind.landmark_file();
        for dir in &candidates {
            match has_all(dir, kind) {
                Ok(()) => return Ok(files_in(dir, kind)),
                Err(file) => first_missing = file,
            }
        }
        Err(ModelFileError::NotFound {
            file: first_missing,
            searched: candidates
                .iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_folder_without_models_names_it_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = ModelFiles::locate(Some(dir.path()), ModelKind::Full).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("--models"), "{msg}");
        assert!(msg.contains(DETECTOR_FILE), "{msg}");
    }

    #[test]
    fn bundled_models_are_found_from_the_source_tree() {
        let files = ModelFiles::locate(None, ModelKind::Lite).unwrap();
        assert!(files.landmark.ends_with("pose_landmark_lite.onnx"));
    }
}
