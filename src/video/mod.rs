//! Video in: the first stage. Opens a file, a webcam index or a stream URL through OpenCV's
//! `VideoCapture`, turns phone videos upright from the rotation in their container, and stamps each frame
//! with its presentation time from the container (variable frame rate is real), not index/fps.
//! It also reads back a video a writer finished, since OpenCV's writer hides write errors.

pub(crate) mod orientation;
mod prefetch;
mod rate;
mod sizes;
mod source;
mod written;

pub use prefetch::{Ending, Prefetcher, PREFETCH_DEPTH};
pub use rate::{FramePicker, DEFAULT_ANALYSIS_FPS};
pub use sizes::check_one_picture_size;
pub use source::{
    files_opened, SourceSpec, Truncation, VideoError, VideoFrame, VideoInfo, VideoSource,
};
pub use written::check_written;
