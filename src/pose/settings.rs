//! What the pose stage is told: which models, how many threads, whether to smooth, and the
//! errors it can meet.

use std::path::PathBuf;

use super::model_files::{ModelFiles, ModelKind};

/// How the pose stage runs.
#[derive(Debug, Clone)]
pub struct PoseSettings {
    pub models: ModelFiles,
    pub model: ModelKind,
    pub threads: usize,
    pub smooth: bool,
    /// Stamp frames at this fixed rate (Hz) for the landmark filter instead of their real times.
    /// Only for comparing with MediaPipe's Python API, which stamps every call +33.3 ms.
    pub frame_clock: Option<f64>,
}

/// Everything that can go wrong in the pose stage.
#[derive(Debug, thiserror::Error)]
pub enum PoseError {
    #[error("model file {path} is missing (pass --models DIR or set $FORMCHECK_MODELS)")]
    ModelMissing { path: PathBuf },
    #[error("model file {path} cannot be used: {message} (corrupt, or not the model formcheck ships: copy it again from formcheck's models/)")]
    ModelLoad { path: PathBuf, message: String },
    #[error("LiteRT cannot be loaded from {message} (run .ci/setup again, set $FORMCHECK_LITERT, or pass --engine opencv)")]
    Runtime { message: String },
    #[error("frame {frame}: the image is empty or not 8-bit colour")]
    BadFrame { frame: u64 },
    #[error("{stage} failed on frame {frame}: {message}")]
    Inference {
        stage: &'static str,
        frame: u64,
        message: String,
    },
}
