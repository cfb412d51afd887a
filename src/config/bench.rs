//! `formcheck bench`, resolved.

use std::path::PathBuf;

use super::{bundled_sample, flag_error, ConfigError, Global};
use crate::cli;
use crate::pose::PoseSettings;

#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// One clip (`bench`, `bench --live`), or every clip `bench --batch` analyses.
    pub clips: Vec<PathBuf>,
    /// `--batch`: pose only against every output, in child processes.
    pub batch: bool,
    /// `--batch`: the clips each analysed alone for their peak RSS.
    pub memory_clips: Vec<PathBuf>,
    pub pose: PoseSettings,
    pub mediapipe: Option<PathBuf>,
    pub rounds: u32,
    pub live: bool,
}

impl BenchConfig {
    pub(super) fn resolve(b: cli::BenchArgs, global: &Global) -> Result<Self, ConfigError> {
        if b.clips.len() > 1 && !b.batch {
            return Err(flag_error(
                "batch",
                "several clips are for bench --batch; give one clip otherwise",
            ));
        }
        if b.rounds == 0 {
            return Err(flag_error("rounds", "must be at least 1"));
        }
        Ok(BenchConfig {
            clips: if b.clips.is_empty() {
                vec![bundled_sample()]
            } else {
                b.clips
            },
            batch: b.batch,
            memory_clips: b.memory,
            pose: global.pose(true, None)?,
            mediapipe: b.mediapipe,
            rounds: b.rounds,
            live: b.live,
        })
    }
}
