//! Outputs: everything `analyze` writes for one video, each format behind the one [`Exporter`]
//! trait and in its own file (json, csv, jsonl, trc, report/, annotated), plus the batch index.
//! Every file is written atomically ([`atomic`]), so a reader never sees half a file.
//!
//! Files hold no wall-clock times and nothing that depends on threads: the same video and
//! settings give byte-identical files whatever `--jobs` is.

pub mod atomic;
pub mod index;
pub mod jsonl;
pub mod report;
pub mod trc;

use std::path::{Path, PathBuf};

use crate::landmarks::PoseFrame;

/// What an exporter reads: one analysed video.
pub struct VideoResult<'a> {
    pub video: &'a VideoFacts,
    pub frames: &'a [PoseFrame],
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
    /// Time of the last frame decoded, in seconds.
    pub duration_s: f64,
    /// Rotation metadata in degrees; frames were turned upright before pose estimation.
    pub rotation_deg: i32,
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
