//! Pose: BlazePose as MediaPipe's pose graph runs it. Detector on a letterboxed frame → rotated
//! ROI → landmark model → landmarks mapped back to the frame; tracking from the auxiliary
//! landmarks; MediaPipe's One Euro landmark filter and visibility smoothing. OpenCV DNN runs the
//! models; everything around them is plain math.

mod estimator;
mod model_files;

pub use estimator::{PoseError, PoseEstimator, StageTimings};
pub use model_files::{ModelFileError, ModelFiles, ModelKind, DETECTOR_FILE, MODELS_ENV};
