//! Progress for a batch: on a terminal, a bar per video being analysed and one overall bar
//! (indicatif); elsewhere (CI, a pipe, a log file) one plain line per event; with `--quiet`,
//! nothing. Everything goes to stderr: stdout stays free for scripts.
//!
//! Timings shown here are the only wall-clock figures formcheck produces; they never reach files.

use crate::terminal::escape_controls;
use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Bars,
    Lines,
    Quiet,
}

impl Mode {
    pub fn detect(quiet: bool) -> Mode {
        if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() {
            Mode::Bars
        } else {
            Mode::Lines
        }
    }
}

/// The batch's progress display; shared by the worker threads.
pub struct Progress {
    mode: Mode,
    multi: MultiProgress,
    overall: ProgressBar,
    total: usize,
}

/// The progress of one video, owned by the worker analysing it.
pub struct VideoProgress {
    bar: Option<ProgressBar>,
}

fn style(template: &str) -> ProgressStyle {
    // The templates are literals checked by the test below; the fallback keeps a bad one harmless.
    ProgressStyle::with_template(template).unwrap_or_else(|_| ProgressStyle::default_bar())
}

const VIDEO_TEMPLATE: &str =
    "{prefix:>24.bold} [{bar:30.cyan/blue}] {pos}/{len} frames {elapsed} {msg}";
const OVERALL_TEMPLATE: &str =
    "{prefix:>24.bold} [{bar:30.green}] {pos}/{len} videos, {elapsed} {msg}";

impl Progress {
    pub fn new(mode: Mode, total: usize) -> Progress {
        let multi = MultiProgress::with_draw_target(match mode {
            Mode::Bars => ProgressDrawTarget::stderr(),
            Mode::Lines | Mode::Quiet => ProgressDrawTarget::hidden(),
        });
        let overall = multi.add(ProgressBar::new(total as u64));
        overall.set_style(style(OVERALL_TEMPLATE).progress_chars("=> "));
        overall.set_prefix("all videos");
        if mode == Mode::Bars {
            overall.enable_steady_tick(Duration::from_millis(250));
        }
        Progress {
            mode,
            multi,
            overall,
            total,
        }
    }

    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// A bar for a video about to be analysed.
    pub fn start(&self, name: &str) -> VideoProgress {
        if self.mode != Mode::Bars {
            return VideoProgress { bar: None };
        }
        let bar = self.multi.insert_before(&self.overall, ProgressBar::new(0));
        bar.set_style(style(VIDEO_TEMPLATE).progress_chars("=> "));
        bar.set_prefix(truncate(&escape_controls(name), 24));
        VideoProgress { bar: Some(bar) }
    }

    /// One finished video (done, skipped or failed): a line, and a step of the overall bar.
    pub fn finished(&self, index: usize, line: &str) {
        let line = escape_controls(line);
        let _stderr = crate::pose::hold_stderr();
        match self.mode {
            Mode::Quiet => {}
            Mode::Lines => eprintln!("[{}/{}] {line}", index + 1, self.total),
            Mode::Bars => self.multi.suspend(|| eprintln!("{line}")),
        }
        self.overall.inc(1);
    }

    /// A line outside any video (the final summary, the Ctrl-C notice).
    pub fn note(&self, line: &str) {
        let line = escape_controls(line);
        let _stderr = crate::pose::hold_stderr();
        match self.mode {
            Mode::Quiet => {}
            Mode::Lines => eprintln!("{line}"),
            Mode::Bars => self.multi.suspend(|| eprintln!("{line}")),
        }
    }

    /// A failure: shown even with `--quiet`, since it is an error.
    pub fn error(&self, index: usize, line: &str) {
        if self.mode == Mode::Quiet {
            let _stderr = crate::pose::hold_stderr();
            eprintln!("formcheck: {}", escape_controls(line));
            self.overall.inc(1);
        } else {
            self.finished(index, line);
        }
    }

    pub fn finish(&self) {
        self.overall.finish_and_clear();
    }
}

impl VideoProgress {
    pub fn frame(&self, done: u64) {
        if let Some(bar) = &self.bar {
            if done > bar.length().unwrap_or(0) {
                // The container's frame count is an estimate for some formats.
                bar.set_length(done);
            }
            bar.set_position(done);
        }
    }

    /// The container's frame count, once the video is open.
    pub fn set_total(&self, frames: Option<u64>) {
        if let (Some(bar), Some(frames)) = (&self.bar, frames) {
            bar.set_length(frames);
        }
    }

    pub fn stage(&self, what: &'static str) {
        if let Some(bar) = &self.bar {
            bar.set_message(what);
        }
    }
}

impl Drop for VideoProgress {
    fn drop(&mut self) {
        if let Some(bar) = self.bar.take() {
            bar.finish_and_clear();
        }
    }
}

fn truncate(name: &str, width: usize) -> String {
    if name.chars().count() <= width {
        name.to_string()
    } else {
        let head: String = name.chars().take(width - 1).collect();
        format!("{head}…")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_parse() {
        assert!(ProgressStyle::with_template(VIDEO_TEMPLATE).is_ok());
        assert!(ProgressStyle::with_template(OVERALL_TEMPLATE).is_ok());
    }

    #[test]
    fn long_names_are_cut_to_width() {
        assert_eq!(truncate("short", 24), "short");
        let cut = truncate("a_very_long_video_file_name_indeed", 10);
        assert_eq!(cut.chars().count(), 10);
        assert!(cut.ends_with('…'));
    }
}
