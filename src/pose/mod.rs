//! Pose: BlazePose as MediaPipe's pose graph runs it. Detector on a letterboxed frame → rotated
//! ROI → landmark model → landmarks mapped back to the frame; tracking from the auxiliary
//! landmarks; MediaPipe's One Euro landmark filter and visibility smoothing. LiteRT (`litert`) or
//! OpenCV DNN runs the models (`model`, `estimator`); everything around them is plain math in the
//! other files.
//!
//! Faithful to what MediaPipe 0.10.21's Python API actually runs, which is the oracle the tests
//! hold it to: landmarks are refined from the model's heatmap with a 9×9 window (see
//! `projection`), and `PoseSettings::frame_clock` reproduces its fixed 30 Hz filter clock.

pub mod anchors;
mod camera_motion;
pub mod detection;
mod estimator;
mod litert;
mod model;
mod model_files;
pub mod one_euro;
pub mod projection;
pub mod roi;
mod settings;
pub mod smoothing;
pub(crate) mod tflite_check;

pub use estimator::{PoseEstimator, StageTimings};
pub use litert::{hold_stderr, LITERT_ENV, LITERT_LIBRARY, LITERT_VERSION};
pub use model_files::{
    file_sha256, Backend, EngineChoice, ModelFileError, ModelFiles, ModelKind, DETECTOR_STEM,
    MODELS_ENV,
};
pub use one_euro::{LowPassFilter, OneEuroFilter, OneEuroSettings};
pub use settings::{PoseError, PoseSettings};
