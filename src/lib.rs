//! formcheck: video in → pose → geometry → reps → flags → outputs / live view.
//!
//! Exercise feedback, not a diagnosis.

pub mod analysis;
pub mod batch;
pub mod bench;
pub mod cli;
pub mod config;
pub mod draw;
pub mod exercise;
pub mod geometry;
pub mod judge;
pub mod landmarks;
pub mod live;
pub mod output;
pub mod pose;
pub mod reps;
pub mod video;

/// FFmpeg's own log level for OpenCV's video back end: AV_LOG_QUIET. Without it FFmpeg prints
/// lines such as "moov atom not found" beside formcheck's one-line message about the same file.
/// A user's own `OPENCV_FFMPEG_LOGLEVEL` wins.
const FFMPEG_LOGLEVEL: (&str, &str) = ("OPENCV_FFMPEG_LOGLEVEL", "-8");

/// Sets the process-wide environment OpenCV reads when its video back end starts. Call first thing
/// in `main`, before any thread starts: the environment is not safe to change while others read it.
pub fn prepare_process() {
    let (key, value) = FFMPEG_LOGLEVEL;
    if std::env::var_os(key).is_none() {
        std::env::set_var(key, value);
    }
}

/// Keeps OpenCV's own log lines (warnings about missing cameras, codecs, …) off the terminal:
/// formcheck reports every failure itself, in one line that names what failed.
pub fn quiet_opencv() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = opencv::core::set_log_level(opencv::core::LogLevel::LOG_LEVEL_ERROR);
    });
}
