//! `--exercise`, `--side`, `--sex`, `--config` and `--threshold`, resolved into the analyser's
//! [`JudgeSettings`]: the exercise found, the thresholds file read once and every value checked.

use std::path::Path;

use sha2::{Digest, Sha256};

use super::{flag_error, ConfigError};
use crate::analysis::{ConfigFile, JudgeSettings, ThresholdOrigin};
use crate::cli;
use crate::judge::Thresholds;

/// A `--config` file that cannot be read, or a threshold that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ThresholdsError {
    #[error("--config {path}: cannot read it: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Judge(#[from] crate::judge::JudgeError),
}

/// One `--threshold NAME=VALUE`: the name and a finite value (the name is checked against the
/// thresholds when they are resolved).
pub fn parse_threshold_arg(pair: &str) -> Result<(String, f64), ConfigError> {
    let (name, value) = pair
        .split_once('=')
        .ok_or_else(|| flag_error("threshold", format!("'{pair}' is not NAME=VALUE")))?;
    let value: f64 = value.trim().parse().map_err(|_| {
        flag_error(
            "threshold",
            format!("'{value}' in '{pair}' is not a number"),
        )
    })?;
    if !value.is_finite() {
        return Err(flag_error("threshold", format!("'{pair}' is not finite")));
    }
    Ok((name.trim().to_string(), value))
}

/// The judging flags resolved: the exercise looked up, the thresholds built from the defaults,
/// then the `--config` file, then `--threshold` (which wins).
pub(super) fn judge_settings(args: &cli::JudgeArgs) -> Result<JudgeSettings, ConfigError> {
    let overrides = args
        .thresholds
        .iter()
        .map(|pair| parse_threshold_arg(pair))
        .collect::<Result<Vec<_>, _>>()?;
    let exercise = match &args.exercise {
        Some(name) => Some(crate::exercise::find(name)?),
        None => None,
    };
    let mut thresholds = Thresholds {
        sex: args.sex,
        ..Default::default()
    };
    let config_file = match &args.config {
        Some(path) => Some(apply_config_file(&mut thresholds, path)?),
        None => None,
    };
    for (name, value) in &overrides {
        thresholds
            .set(name, *value, "--threshold")
            .map_err(ThresholdsError::from)?;
    }
    Ok(JudgeSettings {
        exercise,
        side: args.side,
        thresholds,
        origin: ThresholdOrigin {
            config_file,
            overrides,
        },
    })
}

/// Reads a `--config` TOML file once into `thresholds`, keeping its hash for the resume marker.
fn apply_config_file(thresholds: &mut Thresholds, path: &Path) -> Result<ConfigFile, ConfigError> {
    if !path.is_file() {
        return Err(flag_error(
            "config",
            format!("{} is not a readable file", path.display()),
        ));
    }
    let shown = path.display().to_string();
    let text = crate::text_file::read_capped(path).map_err(|source| ThresholdsError::Read {
        path: shown.clone(),
        source,
    })?;
    thresholds
        .apply_toml(&text, &format!("--config {shown}"))
        .map_err(ThresholdsError::from)?;
    Ok(ConfigFile {
        path: path.to_path_buf(),
        sha256: format!("{:x}", Sha256::digest(text.as_bytes())),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exercise::Side;
    use crate::judge::SexBand;

    fn args(exercise: Option<&str>, thresholds: &[&str]) -> cli::JudgeArgs {
        cli::JudgeArgs {
            exercise: exercise.map(str::to_string),
            side: Some(Side::Left),
            sex: SexBand::Male,
            config: None,
            thresholds: thresholds.iter().map(|t| t.to_string()).collect(),
            no_smooth: false,
        }
    }

    #[test]
    fn the_flags_resolve_into_exercise_side_sex_and_overrides() {
        let s = judge_settings(&args(Some("lunge"), &["knee_past_toe=0.3"]))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.exercise.map(|e| e.name()), Some("lunge"));
        assert_eq!(s.side, Some(Side::Left));
        assert_eq!(s.thresholds.knee_past_toe, 0.3);
        assert_eq!(s.thresholds.sex, SexBand::Male);
        assert_eq!(s.origin.overrides, vec![("knee_past_toe".to_string(), 0.3)]);
    }

    #[test]
    fn an_unknown_exercise_or_threshold_names_its_flag() {
        let err = judge_settings(&args(Some("plank"), &[]))
            .map(|_| ())
            .unwrap_err();
        let err = err.to_string();
        assert!(
            err.contains("'plank'") && err.contains("side-plank"),
            "{err}"
        );
        let err = judge_settings(&args(Some("squat"), &["nope=1"]))
            .map(|_| ())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--threshold") && err.contains("'nope'"),
            "{err}"
        );
    }

    #[test]
    fn the_config_file_is_read_once_and_hashed() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("t.toml");
        std::fs::write(&path, "knee_past_toe = 0.25\n").unwrap_or_else(|e| panic!("{e}"));
        let mut a = args(Some("squat"), &[]);
        a.config = Some(path.clone());
        let s = judge_settings(&a).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(s.thresholds.knee_past_toe, 0.25);
        let file = s
            .origin
            .config_file
            .unwrap_or_else(|| panic!("no file kept"));
        assert_eq!(file.path, path);
        assert_eq!(file.sha256.len(), 64);
    }
}
