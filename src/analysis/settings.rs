//! What to judge, resolved once from the command line: the exercise, the side and the
//! thresholds, ready to use. The configuration layer builds it; the analyser only reads it.

use std::path::PathBuf;

use crate::exercise::{Exercise, Side};
use crate::judge::Thresholds;

/// The judging settings of a run, resolved: nothing here is read again from a file or a flag.
#[derive(Debug, Clone)]
pub struct JudgeSettings {
    /// `None` where no `--exercise` was given (raw landmarks only, or a programme naming its
    /// own exercises).
    pub exercise: Option<&'static dyn Exercise>,
    /// `--side`; `None`: detected.
    pub side: Option<Side>,
    /// Defaults, then the `--config` file, then `--threshold` (the sex band included).
    pub thresholds: Thresholds,
    /// Where the thresholds came from, as written into reps.json.
    pub origin: ThresholdOrigin,
}

/// Where a run's thresholds came from: kept so each number can be traced to what was given.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ThresholdOrigin {
    /// `--config FILE`, as given, with the sha256 of what was read.
    pub config_file: Option<ConfigFile>,
    /// `--threshold NAME=VALUE`, in the order given.
    pub overrides: Vec<(String, f64)>,
}

/// A `--config` file as it was read.
#[derive(Debug, Clone, PartialEq)]
pub struct ConfigFile {
    pub path: PathBuf,
    pub sha256: String,
}

impl JudgeSettings {
    /// The defaults: no exercise, side detected, the default thresholds.
    pub fn defaults() -> JudgeSettings {
        JudgeSettings::for_exercise(None, None, Thresholds::default())
    }

    /// Settings for one exercise and side with these thresholds, given on no command line.
    pub fn for_exercise(
        exercise: Option<&'static dyn Exercise>,
        side: Option<Side>,
        thresholds: Thresholds,
    ) -> JudgeSettings {
        JudgeSettings {
            exercise,
            side,
            thresholds,
            origin: ThresholdOrigin::default(),
        }
    }
}
