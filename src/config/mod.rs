//! The configuration layer: the command line resolved, once, into ready settings for each
//! command (ripgrep's `HiArgs`). The exercise is found, the thresholds file read and checked,
//! the model files located and the scheduler's variables read here; nothing below this layer
//! sees a command-line type or reads a setting's file again. Errors name the flag or file at
//! fault.

mod analyze;
mod bench;
mod commands;
mod judge;
mod live;
pub mod shard;

use std::path::PathBuf;

use crate::cli::{self, Cli, CommandArgs};
use crate::pose::{ModelFiles, PoseSettings};

pub use analyze::{parse_pairs, AnalyzeConfig, PairInputs};
pub use bench::BenchConfig;
pub use commands::IndexConfig;
pub use judge::{parse_threshold_arg, ThresholdsError};
pub use live::{GuidedSettings, LiveConfig, VoiceSettings, MAX_RECONNECT_FOR_S};
pub use shard::{shard_settings, Shard};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--{flag}: {message}")]
    Flag { flag: &'static str, message: String },
    #[error(transparent)]
    Models(#[from] crate::pose::ModelFileError),
    #[error(transparent)]
    OutputIsInput(#[from] crate::output::guard::OutputIsInput),
    #[error(transparent)]
    SameFile(#[from] crate::output::guard::SameFile),
    #[error(transparent)]
    Programme(#[from] crate::programme::ProgrammeError),
    #[error(transparent)]
    Exercise(#[from] crate::exercise::ExerciseError),
    #[error(transparent)]
    Thresholds(#[from] ThresholdsError),
}

fn flag_error(flag: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Flag {
        flag,
        message: message.into(),
    }
}

/// Each command's resolved settings.
#[derive(Debug, Clone)]
pub enum Config {
    Analyze(AnalyzeConfig),
    Bench(BenchConfig),
    Live(LiveConfig),
    Exercises,
    /// Rebuild the index of this output folder.
    Index(IndexConfig),
    History(crate::history::HistoryCommand),
    Triangulate(crate::multiview::TriangulateSettings),
    /// Print the programme: this file's, or the built-in one.
    Programme(Option<PathBuf>),
}

impl TryFrom<Cli> for Config {
    type Error = ConfigError;

    fn try_from(cli: Cli) -> Result<Config, ConfigError> {
        let global = Global::resolve(cli.global)?;
        Ok(match cli.command {
            CommandArgs::Exercises => Config::Exercises,
            CommandArgs::Programme(p) => Config::Programme(p.programme),
            CommandArgs::History(h) => Config::History(commands::history(h)?),
            CommandArgs::Triangulate(a) => Config::Triangulate(commands::triangulate(a)?),
            CommandArgs::Index(a) => Config::Index(commands::index(a)),
            CommandArgs::Analyze(a) => Config::Analyze(AnalyzeConfig::resolve(a, &global)?),
            CommandArgs::Bench(b) => Config::Bench(BenchConfig::resolve(b, &global)?),
            CommandArgs::Live(l) => Config::Live(LiveConfig::resolve(l, &global)?),
        })
    }
}

/// The options every command shares, checked.
struct Global {
    models: Option<PathBuf>,
    model: crate::pose::ModelKind,
    engine: crate::pose::EngineChoice,
    threads: usize,
    cores: usize,
    quiet: bool,
}

impl Global {
    fn resolve(args: cli::GlobalArgs) -> Result<Global, ConfigError> {
        let cores = available_cores();
        let threads = match args.threads {
            Some(0) => return Err(flag_error("threads", "must be at least 1")),
            // More threads than cores only slows inference, and a huge count exhausts the
            // runtime's thread stacks (100000 crashed LiteRT).
            Some(n) if n > cores => {
                return Err(flag_error(
                    "threads",
                    format!("{n} is more than this machine's {cores} cores; give 1 to {cores}"),
                ))
            }
            Some(n) => n,
            None => cores,
        };
        Ok(Global {
            models: args.models,
            model: args.model,
            engine: args.engine,
            threads,
            cores,
            quiet: args.quiet,
        })
    }

    /// The pose stage's settings: the model files found, smoothing, and the filter's clock.
    fn pose(&self, smooth: bool, frame_clock: Option<f64>) -> Result<PoseSettings, ConfigError> {
        if let Some(hz) = frame_clock {
            if !(hz.is_finite() && hz > 0.0) {
                return Err(flag_error(
                    "filter-fps",
                    format!("{hz} is not a positive rate in Hz"),
                ));
            }
        }
        Ok(PoseSettings {
            models: ModelFiles::locate(self.models.as_deref(), self.model, self.engine)?,
            model: self.model,
            threads: self.threads,
            smooth,
            frame_clock,
        })
    }
}

/// The clip `bench` runs on when none is given.
pub fn bundled_sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/tfjs_pose_squats.mp4")
}

fn available_cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}
