//! The pose graph, frame by frame: detector (when not tracking) → ROI → landmark model →
//! landmarks in frame pixels → One Euro filter; owns the tracking and filter state and the
//! per-stage timings. The only pose file that holds OpenCV state.

use crate::config::PoseSettings;
use crate::landmarks::PoseFrame;
use crate::video::VideoFrame;

/// Everything that can go wrong in the pose stage.
#[derive(Debug, thiserror::Error)]
pub enum PoseError {
    #[error("model file {path} is missing")]
    ModelMissing { path: std::path::PathBuf },
    #[error("model file {path} cannot be loaded (corrupt or not an ONNX model OpenCV 4.6 can read): {message}")]
    ModelLoad {
        path: std::path::PathBuf,
        message: String,
    },
    #[error("{stage} failed on frame {frame}: {message}")]
    Inference {
        stage: &'static str,
        frame: u64,
        message: String,
    },
}

/// Per-stage wall-clock samples in milliseconds, one per processed frame (detector only when it ran).
#[derive(Debug, Clone, Default)]
pub struct StageTimings {
    pub preprocess_ms: Vec<f64>,
    pub detector_ms: Vec<f64>,
    pub landmark_ms: Vec<f64>,
    pub filter_ms: Vec<f64>,
}

pub struct PoseEstimator {
    timings: StageTimings,
}

impl PoseEstimator {
    pub fn new(_settings: &PoseSettings) -> Result<Self, PoseError> {
        todo!("pose stage under construction")
    }

    pub fn process(&mut self, _frame: &VideoFrame) -> Result<PoseFrame, PoseError> {
        todo!("pose stage under construction")
    }

    /// Forgets tracking and filter state (stream reconnect, new clip).
    pub fn reset(&mut self) {}

    pub fn timings(&self) -> &StageTimings {
        &self.timings
    }
}
