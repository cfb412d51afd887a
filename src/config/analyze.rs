//! `formcheck analyze`, resolved.

use std::path::{Path, PathBuf};

use super::judge::judge_settings;
use super::shard::{shard_settings, Shard};
use super::{commands::history_settings, flag_error, ConfigError, Global};
use crate::analysis::JudgeSettings;
use crate::cli;
use crate::history::HistorySettings;
use crate::output::registry::OutputChoice;
use crate::pose::PoseSettings;

/// The smallest `--video-max-side` taken (formcheck rule: below it a knee is a few pixels).
const MIN_VIDEO_SIDE: u32 = 160;

#[derive(Debug, Clone)]
pub struct AnalyzeConfig {
    pub inputs: Vec<PathBuf>,
    /// `--front-view` and `--side-view`, or each line of `--pairs`: two cameras on one set, judged
    /// together.
    pub pairs: Vec<PairInputs>,
    pub history: HistorySettings,
    /// A manifest of more videos, one path a line.
    pub from_list: Option<PathBuf>,
    /// Only this shard of the videos, and no index.
    pub shard: Option<Shard>,
    pub pose: PoseSettings,
    pub judge: JudgeSettings,
    pub out: Option<PathBuf>,
    pub landmarks: Option<PathBuf>,
    pub jobs: usize,
    pub force: bool,
    /// The optional outputs and how they are made.
    pub outputs: OutputChoice,
    pub max_frames: Option<u64>,
    /// Pose runs on about this many frames a second (`None`: every frame).
    pub analysis_fps: Option<f64>,
    pub quiet: bool,
    /// `bench --batch`'s view of the run: frames and decode passes, written here at its end.
    pub bench_stats: Option<PathBuf>,
}

/// The two views of `analyze --front-view A --side-view B`: videos, or landmark files (.jsonl).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairInputs {
    pub front: PathBuf,
    pub side: PathBuf,
}

impl AnalyzeConfig {
    pub(super) fn resolve(a: cli::AnalyzeArgs, global: &Global) -> Result<Self, ConfigError> {
        let jobs = jobs(a.jobs, global.cores)?;
        if a.max_frames == Some(0) {
            return Err(flag_error("max-frames", "must be at least 1"));
        }
        let video_max_side = video_max_side(a.video_max_side)?;
        let analysis_fps = analysis_fps(&a)?;
        if a.landmarks.is_some() && a.inputs.len() != 1 {
            return Err(flag_error(
                "landmarks",
                "takes a single video; use --out for several",
            ));
        }
        let shard = shard_settings(a.shard.as_deref(), a.shard_count, |name| {
            std::env::var(name).ok()
        })?;
        if shard.is_some() && a.landmarks.is_some() {
            return Err(flag_error(
                "shard",
                "splits a batch; --landmarks takes a single video",
            ));
        }
        let pairs = pairs(&a)?;
        let history = history_settings(a.history, shard.is_none())?;
        Ok(AnalyzeConfig {
            pairs,
            history,
            pose: global.pose(!a.judge.no_smooth, a.filter_fps)?,
            judge: judge_settings(&a.judge)?,
            inputs: a.inputs,
            from_list: a.from_list,
            shard,
            out: a.out,
            landmarks: a.landmarks,
            jobs,
            force: a.force,
            outputs: OutputChoice {
                annotated_video: !a.no_video,
                trc: a.trc,
                blur_faces: a.blur_faces,
                video_max_side,
                still_ring: a
                    .still_ring
                    .unwrap_or(crate::output::stills::RING_FRAMES)
                    .max(1),
            },
            max_frames: a.max_frames,
            analysis_fps,
            quiet: global.quiet,
            bench_stats: a.bench_stats,
        })
    }
}

fn jobs(given: Option<usize>, cores: usize) -> Result<usize, ConfigError> {
    match given {
        Some(0) => Err(flag_error("jobs", "must be at least 1")),
        // Each job holds its own model: more than the cores only costs memory.
        Some(n) if n > cores => Err(flag_error(
            "jobs",
            format!("{n} is more than this machine's {cores} cores; give 1 to {cores}"),
        )),
        Some(n) => Ok(n),
        None => Ok(1),
    }
}

fn video_max_side(given: Option<u32>) -> Result<Option<u32>, ConfigError> {
    match given {
        Some(0) => Ok(None),
        Some(px) if px < MIN_VIDEO_SIDE => Err(flag_error(
            "video-max-side",
            format!(
                "{px} px is too small to see a knee; give {MIN_VIDEO_SIDE} or more, or 0 for the source's size"
            ),
        )),
        Some(px) => Ok(Some(px)),
        None => Ok(Some(crate::output::annotated::VIDEO_MAX_SIDE)),
    }
}

fn analysis_fps(a: &cli::AnalyzeArgs) -> Result<Option<f64>, ConfigError> {
    match a.analysis_fps {
        Some(hz) if !(hz.is_finite() && (1.0..=1000.0).contains(&hz)) => Err(flag_error(
            "analysis-fps",
            format!("{hz} is not a rate formcheck can analyse at; give 1 to 1000"),
        )),
        Some(hz) => Ok(Some(hz)),
        // The raw landmarks are every frame's, unless asked otherwise.
        None if a.judge.exercise.is_none() && a.landmarks.is_some() => Ok(None),
        None => Ok(Some(crate::video::DEFAULT_ANALYSIS_FPS)),
    }
}

/// `--front-view`/`--side-view` or the `--pairs` manifest, checked.
fn pairs(a: &cli::AnalyzeArgs) -> Result<Vec<PairInputs>, ConfigError> {
    let pairs = match (&a.front_view, &a.side_view, &a.pairs) {
        (Some(front), Some(side), _) => vec![PairInputs {
            front: front.clone(),
            side: side.clone(),
        }],
        (_, _, Some(manifest)) => read_pairs(manifest)?,
        _ => Vec::new(),
    };
    if !pairs.is_empty() && a.judge.exercise.is_none() {
        return Err(flag_error(
            if a.pairs.is_some() {
                "pairs"
            } else {
                "front-view"
            },
            "needs --exercise: the two views are judged as that exercise",
        ));
    }
    Ok(pairs)
}

/// The pairs a `--pairs` manifest lists: one a line, front and side separated by a tab, relative
/// paths from the manifest's folder; blank lines and `#` comments skipped.
fn read_pairs(manifest: &Path) -> Result<Vec<PairInputs>, ConfigError> {
    let shown = manifest.display();
    let text = crate::text_file::read_capped(manifest)
        .map_err(|e| flag_error("pairs", format!("{shown}: {e}")))?;
    let base = manifest.parent().unwrap_or(Path::new(""));
    parse_pairs(&text, base).map_err(|e| flag_error("pairs", format!("{shown}{e}")))
}

/// The pairs of a `--pairs` manifest's text, relative paths from `base`; the error follows the
/// manifest's name (" line 3: …").
pub fn parse_pairs(text: &str, base: &Path) -> Result<Vec<PairInputs>, String> {
    let mut pairs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line
            .split('\t')
            .map(str::trim)
            .collect::<Vec<_>>()
            .as_slice()
        {
            [front, side] if !front.is_empty() && !side.is_empty() => pairs.push(PairInputs {
                front: base.join(front),
                side: base.join(side),
            }),
            _ => {
                return Err(format!(
                    " line {}: give the front video, a tab, and the side video",
                    n + 1
                ))
            }
        }
    }
    if pairs.is_empty() {
        return Err(" lists no pairs".to_string());
    }
    Ok(pairs)
}
