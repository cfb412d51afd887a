//! Outputs: everything `analyze` writes for one video, each format behind the one [`Exporter`]
//! trait and in its own file (json, csv, jsonl, trc, report/, annotated), plus the batch index.
//! [`registry`] lists them and is fed by the one decode pass: the annotated video and the
//! [`stills`] take each frame as it comes, the files the whole result at the end. Every file is
//! written atomically ([`atomic`]), so a reader never sees half a file.
//!
//! Files hold no wall-clock times and nothing that depends on threads: the same video and
//! settings give byte-identical files whatever `--jobs` is.

pub mod annotated;
pub mod atomic;
pub mod csv;
pub mod frames;
pub mod guard;
pub mod index;
pub mod json;
pub mod jsonl;
pub mod pair;
pub mod registry;
pub mod report;
pub mod shrink;
pub mod stills;
pub mod trc;

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::analysis::Analysis;
use crate::landmarks::PoseFrame;
use frames::FrameStore;

/// What an exporter reads: one analysed video. `analysis.frames[i]` holds the measures of
/// `frames[i]` (the analyser sees every frame, in order).
pub struct VideoResult<'a> {
    pub video: &'a VideoFacts,
    pub settings: &'a RunSettings,
    pub frames: &'a FrameStore,
    pub analysis: &'a Analysis,
    /// JPEG stills of flagged reps at their worst moment, for the report.
    pub stills: &'a [Still],
}

impl VideoResult<'_> {
    /// The pose frames in order. A read error names the spill file, or `dest` when the frames
    /// are in memory.
    pub fn frames_in_order(
        &self,
        dest: &Path,
    ) -> Result<impl Iterator<Item = Result<PoseFrame, ExportError>> + '_, ExportError> {
        let spill = self.frames.path().unwrap_or_else(|| dest.to_path_buf());
        let frames = self.frames.iter().map_err(|e| ExportError::io(&spill, e))?;
        Ok(frames.map(move |f| f.map_err(|e| ExportError::io(&spill, e))))
    }
}

/// The settings a run used, written into reps.json so each number can be traced to them.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RunSettings {
    /// Landmark model: lite, full or heavy.
    pub model: String,
    /// Inference runtime: litert or opencv.
    pub engine: String,
    /// Landmark smoothing (MediaPipe's One Euro filter) on or off.
    pub smoothing: bool,
    /// `--side` as given (`None`: detected).
    pub side: Option<String>,
    /// `--sex`: chooses the normal FPPA band.
    pub sex: String,
    /// `--config FILE`, as given.
    pub config_file: Option<String>,
    /// `--threshold NAME=VALUE` overrides, in the order given.
    pub threshold_overrides: Vec<(String, f64)>,
    pub max_frames: Option<u64>,
}

impl RunSettings {
    /// The settings as resolved for the run: the pose stage's and the judge's.
    pub fn new(
        pose: &crate::pose::PoseSettings,
        judge: &crate::analysis::JudgeSettings,
        max_frames: Option<u64>,
    ) -> RunSettings {
        RunSettings {
            model: pose.model.name().to_string(),
            engine: pose.models.backend.name().to_string(),
            smoothing: pose.smooth,
            side: judge.side.map(|s| s.name().to_string()),
            sex: judge.thresholds.sex.name().to_string(),
            config_file: judge
                .origin
                .config_file
                .as_ref()
                .map(|f| f.path.display().to_string()),
            threshold_overrides: judge.origin.overrides.clone(),
            max_frames,
        }
    }
}

/// A frame of a flagged rep, at its worst moment, with the overlay drawn.
#[derive(Debug, Clone, PartialEq)]
pub struct Still {
    /// The rep's number (1-based over the video).
    pub rep: u32,
    pub frame: u64,
    pub time_s: f64,
    pub jpeg: Vec<u8>,
}

/// Facts about the analysed video, as written into the outputs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct VideoFacts {
    /// The output folder's name: the file name without its extension.
    pub name: String,
    /// The path as the user gave it (or as found in a folder they gave).
    pub path: String,
    pub width: u32,
    pub height: u32,
    /// The container's nominal frame rate, when it gives one.
    pub fps: Option<f64>,
    /// Frames decoded (after `--max-frames`).
    pub frames: u64,
    /// Set when `--analysis-fps` ran pose on fewer frames than were decoded: how many.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub analysed_frames: Option<u64>,
    /// Time of the last frame decoded, in seconds.
    pub duration_s: f64,
    /// How far the stored picture was turned clockwise (phone videos), before pose estimation.
    pub rotation_deg: i32,
    /// Set when the file ended before the frames it declares: only that much was analysed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub truncated: Option<crate::video::Truncation>,
}

impl VideoFacts {
    /// The frame rate to state where a format needs one: the container's, else the mean rate of
    /// the decoded frames' timestamps, else 30.
    pub fn frame_rate(&self) -> f64 {
        match self.fps {
            Some(fps) => fps,
            None if self.frames > 1 && self.duration_s > 0.0 => {
                (self.frames - 1) as f64 / self.duration_s
            }
            None => 30.0,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {}: {message}", path.display())]
    Format { path: PathBuf, message: String },
}

impl ExportError {
    pub fn io(path: &Path, source: std::io::Error) -> Self {
        ExportError::Io {
            path: path.to_path_buf(),
            source,
        }
    }

    /// The same error, naming `dest`: a temporary file's name means nothing to the user.
    pub fn for_file(self, dest: &Path) -> Self {
        match self {
            ExportError::Io { source, .. } => ExportError::io(dest, source),
            ExportError::Format { message, .. } => ExportError::format(dest, message),
        }
    }

    pub fn format(path: &Path, message: impl std::fmt::Display) -> Self {
        ExportError::Format {
            path: path.to_path_buf(),
            message: message.to_string(),
        }
    }
}

/// One output format. `export` writes the whole file at `dest` atomically; formats that are a
/// single buffer implement it by rendering to bytes and calling [`atomic::write`].
pub trait Exporter: Sync {
    /// The file name inside the video's output folder.
    fn file_name(&self) -> &'static str;

    fn export(&self, result: &VideoResult, dest: &Path) -> Result<(), ExportError>;
}

impl VideoFacts {
    /// The rate of the frames pose ran on: the video's own, or lower under `--analysis-fps`
    /// (formats with one row per analysed frame state this one).
    pub fn analysed_rate(&self) -> f64 {
        match self.analysed_frames {
            Some(n) if n > 1 && self.duration_s > 0.0 => (n - 1) as f64 / self.duration_s,
            _ => self.frame_rate(),
        }
    }
}

/// The moment a still of a flagged rep shows: the judged peak of the leg its first fault is
/// about, else the rep's turning point.
pub fn worst_moment(rep: &crate::judge::Rep) -> crate::reps::Moment {
    use crate::judge::Flag;
    rep.faults()
        .find_map(|f| match f {
            // FPPA is read at the deepest measurable frame of the descent, not at the bottom.
            Flag::Valgus { leg, .. } => rep.peak(*leg).and_then(|p| p.fppa_at),
            Flag::KneeMedialToFoot { .. } => Some(rep.bottom),
            Flag::KneePastToe { leg, .. } => rep.peak(*leg).map(|p| p.at),
            _ => None,
        })
        .unwrap_or(rep.bottom)
}

/// The verdict over all sets, in one line (the index's "verdict" column).
pub fn overall_verdict(analysis: &Analysis) -> String {
    if analysis.sets.is_empty() {
        return "no reps found".to_string();
    }
    analysis
        .sets
        .iter()
        .map(|s| format!("set {}: {}", s.number, s.verdict.describe()))
        .collect::<Vec<_>>()
        .join("; ")
}
