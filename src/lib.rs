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

/// Keeps OpenCV's own log lines (warnings about missing cameras, codecs, …) off the terminal:
/// formcheck reports every failure itself, in one line that names what failed.
pub fn quiet_opencv() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let _ = opencv::core::set_log_level(opencv::core::LogLevel::LOG_LEVEL_ERROR);
    });
}
