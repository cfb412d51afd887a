//! formcheck: video in → pose → geometry → reps → flags → outputs / live view.
//!
//! Exercise feedback, not a diagnosis.

pub mod analysis;
pub mod batch;
pub mod bench;
pub mod cli;
pub mod config;
pub mod cues;
pub mod draw;
pub mod exercise;
#[doc(hidden)]
pub mod fuzzing;
pub mod geometry;
pub mod history;
pub mod judge;
pub mod landmarks;
pub mod live;
pub mod multiview;
pub mod output;
pub mod overlay;
pub mod pose;
pub mod programme;
pub mod reps;
pub mod stats;
pub mod terminal;
pub mod text_file;
pub mod video;

/// The environment OpenCV's FFmpeg back end reads when it starts. A user's own settings win.
const FFMPEG_ENV: [(&str, &str); 2] = [
    // AV_LOG_QUIET: without it FFmpeg prints lines such as "moov atom not found" beside
    // formcheck's one-line message about the same file.
    ("OPENCV_FFMPEG_LOGLEVEL", "-8"),
    // FFmpeg's default probe of a stream lasts up to 5 s before the first frame, as long as the
    // open timeout, so a slow stream could never reconnect.
    (
        "OPENCV_FFMPEG_CAPTURE_OPTIONS",
        "analyzeduration;1000000|probesize;1000000",
    ),
];

/// An error and its causes on one line, outermost first. Many messages already quote their cause
/// ("cannot write out/x: {source}"); a cause already said is not said again.
pub fn one_line(err: &(dyn std::error::Error + 'static)) -> String {
    let mut line = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let text = c.to_string();
        if !line.contains(&text) {
            line.push_str(": ");
            line.push_str(&text);
        }
        cause = c.source();
    }
    // A file or person name in the message must not drive the terminal.
    crate::terminal::escape_controls(&line.replace('\n', " ")).into_owned()
}

/// Sets [`FFMPEG_ENV`] where unset. Call first thing in `main`, before any thread starts: the
/// environment is process-wide and not safe to change while other threads read it.
pub fn prepare_process() {
    for (key, value) in FFMPEG_ENV {
        if std::env::var_os(key).is_none() {
            std::env::set_var(key, value);
        }
    }
}

/// For the commands that only print (`history`, `index`, `programme`, `exercises`): `formcheck
/// history | head` ends quietly when the reader goes, as other command-line tools do, instead of
/// panicking on the broken pipe (Rust ignores SIGPIPE). Not for `live` or `analyze`: a sound
/// player that exits early would then kill a workout through the pipe its clip is written to.
pub fn end_quietly_when_the_reader_goes() {
    // SAFETY: restoring a signal's default disposition, before any thread starts.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("cannot start the pose stage: {0}")]
    struct Outer(#[from] Inner);

    #[derive(Debug, thiserror::Error)]
    #[error("model file m.onnx cannot be used")]
    struct Inner;

    #[derive(Debug, thiserror::Error)]
    #[error("loading failed")]
    struct Bare(#[source] Inner);

    #[test]
    fn a_cause_already_quoted_is_not_repeated() {
        // Regression: "…: model file m.onnx cannot be used: model file m.onnx cannot be used".
        assert_eq!(
            one_line(&Outer(Inner)),
            "cannot start the pose stage: model file m.onnx cannot be used"
        );
        assert_eq!(
            one_line(&Bare(Inner)),
            "loading failed: model file m.onnx cannot be used"
        );
    }
}
