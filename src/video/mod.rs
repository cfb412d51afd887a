//! Video in: the first stage. Opens a file, a webcam index or a stream URL through OpenCV's
//! `VideoCapture`, turns phone videos upright from their rotation metadata, and stamps each frame
//! with its presentation time from the container (variable frame rate is real), not index/fps.

mod prefetch;
mod source;

pub use prefetch::{Prefetcher, PREFETCH_DEPTH};
pub use source::{SourceSpec, VideoError, VideoFrame, VideoInfo, VideoSource};
