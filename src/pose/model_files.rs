//! Finding the model files and the runtime that runs them. Folders: `--models DIR`, then
//! `$FORMCHECK_MODELS`, then `models/` beside the binary (and up to three folders above it, which
//! covers `target/release/`), then the source tree the binary was built from. Runtime: LiteRT on
//! the `.tflite` files when `libLiteRt.so` is installed (see `litert`), else OpenCV DNN on the
//! `.onnx` files; `--engine` forces either.

use std::path::{Path, PathBuf};

use super::litert;

/// The environment variable naming the models folder.
pub const MODELS_ENV: &str = "FORMCHECK_MODELS";

/// The detector's file name without its extension.
pub const DETECTOR_STEM: &str = "pose_detection";

/// Which runtime runs the models.
#[derive(Debug, Clone, PartialEq)]
pub enum Backend {
    /// OpenCV DNN on the ONNX exports.
    OpenCv,
    /// LiteRT (XNNPACK) on MediaPipe's own `.tflite` files, from this library.
    LiteRt { library: PathBuf },
}

impl Backend {
    /// As `--engine` spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Backend::OpenCv => "opencv",
            Backend::LiteRt { .. } => "litert",
        }
    }

    pub fn extension(&self) -> &'static str {
        match self {
            Backend::OpenCv => "onnx",
            Backend::LiteRt { .. } => "tflite",
        }
    }
}

/// What the user asked for with `--engine` (the command line parses straight into it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EngineChoice {
    /// LiteRT when its library and the `.tflite` files are found, else OpenCV.
    Auto,
    #[value(name = "litert")]
    LiteRt,
    #[value(name = "opencv")]
    OpenCv,
}

/// The landmark model (`--model`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ModelKind {
    Lite,
    Full,
    Heavy,
}

impl ModelKind {
    pub fn landmark_stem(self) -> &'static str {
        match self {
            ModelKind::Lite => "pose_landmark_lite",
            ModelKind::Full => "pose_landmark_full",
            ModelKind::Heavy => "pose_landmark_heavy",
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

/// The two files the pose stage loads, and the runtime that loads them.
#[derive(Debug, Clone, PartialEq)]
pub struct ModelFiles {
    pub detector: PathBuf,
    pub landmark: PathBuf,
    pub backend: Backend,
}

#[derive(Debug, thiserror::Error)]
pub enum ModelFileError {
    #[error("--models {dir}: {file} is missing there")]
    MissingInGiven { dir: PathBuf, file: String },
    #[error("${MODELS_ENV}={dir}: {file} is missing there")]
    MissingInEnv { dir: PathBuf, file: String },
    #[error("model file {file} not found (looked in {searched}); pass --models DIR or set ${MODELS_ENV}")]
    NotFound { file: String, searched: String },
    #[error("model file {path} holds {holds} (its sha256 is that file's in models/SHA256SUMS), not {expected}; copy the right file back")]
    Mislabeled {
        path: PathBuf,
        holds: String,
        expected: String,
    },
    #[error("cannot read model file {path}: {source}")]
    Unreadable {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--engine litert: {library} not found (looked in {searched}); run .ci/setup, which installs it, or set ${env} to its path", library = litert::LITERT_LIBRARY, env = litert::LITERT_ENV)]
    LiteRtMissing { searched: String },
}

fn file_names(kind: ModelKind, extension: &str) -> [String; 2] {
    [
        format!("{DETECTOR_STEM}.{extension}"),
        format!("{}.{extension}", kind.landmark_stem()),
    ]
}

fn has_all(dir: &Path, kind: ModelKind, extension: &str) -> Result<(), String> {
    for file in file_names(kind, extension) {
        if !dir.join(&file).is_file() {
            return Err(file);
        }
    }
    Ok(())
}

fn files_in(dir: &Path, kind: ModelKind, backend: Backend) -> ModelFiles {
    let [detector, landmark] = file_names(kind, backend.extension());
    ModelFiles {
        detector: dir.join(detector),
        landmark: dir.join(landmark),
        backend,
    }
}

fn joined(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The folder holding both files with `extension`.
fn locate_dir(
    given: Option<&Path>,
    kind: ModelKind,
    extension: &str,
) -> Result<PathBuf, ModelFileError> {
    if let Some(dir) = given {
        return has_all(dir, kind, extension)
            .map(|()| dir.to_path_buf())
            .map_err(|file| ModelFileError::MissingInGiven {
                dir: dir.to_path_buf(),
                file,
            });
    }
    if let Some(dir) = std::env::var_os(MODELS_ENV).filter(|v| !v.is_empty()) {
        let dir = PathBuf::from(dir);
        return match has_all(&dir, kind, extension) {
            Ok(()) => Ok(dir),
            Err(file) => Err(ModelFileError::MissingInEnv { dir, file }),
        };
    }
    let mut candidates = Vec::new();
    if let Ok(exe) = std::env::current_exe() {
        for ancestor in exe.ancestors().skip(1).take(4) {
            candidates.push(ancestor.join("models"));
        }
    }
    candidates.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("models"));
    let mut first_missing = format!("{}.{extension}", kind.landmark_stem());
    for dir in &candidates {
        match has_all(dir, kind, extension) {
            Ok(()) => return Ok(dir.clone()),
            Err(file) => first_missing = file,
        }
    }
    Err(ModelFileError::NotFound {
        file: first_missing,
        searched: joined(&candidates),
    })
}

/// A file's sha256, hex.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    use sha2::Digest;
    Ok(format!("{:x}", sha2::Sha256::digest(std::fs::read(path)?)))
}

/// The checksums of the shipped model files, as `models/SHA256SUMS` lists them.
const SHIPPED_SHA256: &str = include_str!("../../models/SHA256SUMS");

/// Refuses a file that is byte for byte another shipped model (the lite landmark model copied
/// over the full one's name): it would load, and run the wrong network under the right name. A
/// file no checksum knows (a user's own model) is allowed.
fn check_not_another_model(path: &Path) -> Result<(), ModelFileError> {
    let actual = file_sha256(path).map_err(|source| ModelFileError::Unreadable {
        path: path.to_path_buf(),
        source,
    })?;
    let expected = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let holds = SHIPPED_SHA256
        .lines()
        .filter_map(|l| l.split_once("  "))
        .find(|(sum, _)| *sum == actual)
        .map(|(_, name)| name.trim());
    match holds {
        Some(name) if name != expected => Err(ModelFileError::Mislabeled {
            path: path.to_path_buf(),
            holds: name.to_string(),
            expected,
        }),
        _ => Ok(()),
    }
}

impl ModelFiles {
    /// The files found, each checked not to be another shipped model under this one's name.
    pub fn locate(
        given: Option<&Path>,
        kind: ModelKind,
        engine: EngineChoice,
    ) -> Result<ModelFiles, ModelFileError> {
        let files = Self::find(given, kind, engine)?;
        check_not_another_model(&files.detector)?;
        check_not_another_model(&files.landmark)?;
        Ok(files)
    }

    fn find(
        given: Option<&Path>,
        kind: ModelKind,
        engine: EngineChoice,
    ) -> Result<ModelFiles, ModelFileError> {
        let library = match engine {
            EngineChoice::OpenCv => None,
            EngineChoice::Auto | EngineChoice::LiteRt => litert::locate_library(),
        };
        match (engine, library) {
            (EngineChoice::LiteRt, None) => Err(ModelFileError::LiteRtMissing {
                searched: joined(&litert::library_candidates()),
            }),
            (EngineChoice::LiteRt, Some(library)) => locate_dir(given, kind, "tflite")
                .map(|dir| files_in(&dir, kind, Backend::LiteRt { library })),
            // Auto: LiteRT when its models are there too, else OpenCV DNN on the ONNX files.
            (_, library) => {
                if let Some(library) = library {
                    if let Ok(dir) = locate_dir(given, kind, "tflite") {
                        return Ok(files_in(&dir, kind, Backend::LiteRt { library }));
                    }
                }
                locate_dir(given, kind, "onnx").map(|dir| files_in(&dir, kind, Backend::OpenCv))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn given_folder_without_models_names_it_and_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let err = ModelFiles::locate(Some(dir.path()), ModelKind::Full, EngineChoice::OpenCv)
            .unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("--models"), "{msg}");
        assert!(msg.contains("pose_detection.onnx"), "{msg}");
    }

    #[test]
    fn bundled_models_are_found_from_the_source_tree() {
        let files = ModelFiles::locate(None, ModelKind::Lite, EngineChoice::OpenCv).unwrap();
        assert!(files.landmark.ends_with("pose_landmark_lite.onnx"));
        assert_eq!(files.backend, Backend::OpenCv);
    }

    #[test]
    fn litert_models_pair_with_tflite_files() {
        let library = PathBuf::from("/opt/libLiteRt.so");
        let files = files_in(
            Path::new("m"),
            ModelKind::Full,
            Backend::LiteRt {
                library: library.clone(),
            },
        );
        assert_eq!(files.detector, Path::new("m/pose_detection.tflite"));
        assert_eq!(files.landmark, Path::new("m/pose_landmark_full.tflite"));
        assert_eq!(files.backend, Backend::LiteRt { library });
    }
}
