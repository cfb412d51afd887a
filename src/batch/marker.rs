//! The completeness marker that makes a batch resumable. `OUT/<video>/.complete` is written last,
//! after every other file of the video is in place; it records what the outputs were made from
//! (the video's size and modification time, the settings). A rerun skips a video only when the
//! marker is there and still matches, so a changed video or changed settings are redone.
//!
//! A video that failed gets `OUT/<video>/.failed` instead, with the error, so whichever run or
//! shard failed it, `formcheck index` lists it as failed and `index --check` can gate on it.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::output::{atomic, ExportError};

pub const MARKER_FILE: &str = ".complete";
pub const FAILED_FILE: &str = ".failed";

/// Why a video failed, kept in its folder until it is analysed again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// The video as the batch was given it.
    pub path: String,
    pub error: String,
}

impl Failure {
    pub fn write_in(&self, dir: &Path) -> Result<(), ExportError> {
        let dest = dir.join(FAILED_FILE);
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| ExportError::format(&dest, e))?;
        atomic::write(&dest, &bytes)
    }

    /// The failure recorded in `dir`, if any (an unreadable record reads as a failure too).
    pub fn read_in(dir: &Path) -> Option<Failure> {
        let bytes = std::fs::read(dir.join(FAILED_FILE)).ok()?;
        Some(serde_json::from_slice(&bytes).unwrap_or_else(|e| Failure {
            path: String::new(),
            error: format!("{FAILED_FILE} unreadable: {e}"),
        }))
    }

    pub fn remove_in(dir: &Path) -> std::io::Result<()> {
        remove_if_there(&dir.join(FAILED_FILE))
    }
}

fn remove_if_there(path: &Path) -> std::io::Result<()> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Marker {
    pub formcheck_version: String,
    pub video_bytes: u64,
    /// Modification time in whole seconds since the Unix epoch (sub-second precision is not kept
    /// by every filesystem).
    pub video_modified_s: u64,
    /// Every setting that changes an output, as one JSON value.
    pub settings: serde_json::Value,
}

impl Marker {
    /// The marker the video at `path` would get with these settings now.
    pub fn for_video(path: &Path, settings: serde_json::Value) -> std::io::Result<Marker> {
        let meta = std::fs::metadata(path)?;
        let modified = meta
            .modified()?
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        Ok(Marker {
            formcheck_version: env!("CARGO_PKG_VERSION").to_string(),
            video_bytes: meta.len(),
            video_modified_s: modified,
            settings,
        })
    }

    /// True when `dir` holds a marker equal to this one.
    pub fn matches_in(&self, dir: &Path) -> bool {
        std::fs::read(dir.join(MARKER_FILE))
            .ok()
            .and_then(|bytes| serde_json::from_slice::<Marker>(&bytes).ok())
            .is_some_and(|found| &found == self)
    }

    pub fn write_in(&self, dir: &Path) -> Result<(), ExportError> {
        let dest = dir.join(MARKER_FILE);
        let bytes = serde_json::to_vec_pretty(self).map_err(|e| ExportError::format(&dest, e))?;
        atomic::write(&dest, &bytes)
    }

    /// Removes the marker before outputs are redone, so a run stopped half-way is not taken for
    /// a finished one.
    pub fn remove_in(dir: &Path) -> std::io::Result<()> {
        remove_if_there(&dir.join(MARKER_FILE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_matches_only_the_same_video_and_settings() {
        let dir = tempfile::tempdir().unwrap();
        let video = dir.path().join("v.mp4");
        std::fs::write(&video, b"abc").unwrap();
        let marker = Marker::for_video(&video, serde_json::json!({"exercise": "squat"})).unwrap();
        assert!(!marker.matches_in(dir.path()));
        marker.write_in(dir.path()).unwrap();
        assert!(marker.matches_in(dir.path()));

        let other = Marker::for_video(&video, serde_json::json!({"exercise": "lunge"})).unwrap();
        assert!(!other.matches_in(dir.path()));
        std::fs::write(&video, b"abcd").unwrap();
        let changed = Marker::for_video(&video, serde_json::json!({"exercise": "squat"})).unwrap();
        assert!(!changed.matches_in(dir.path()));

        Marker::remove_in(dir.path()).unwrap();
        assert!(!marker.matches_in(dir.path()));
        Marker::remove_in(dir.path()).unwrap();
    }

    #[test]
    fn a_failure_record_reads_back_until_removed() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Failure::read_in(dir.path()), None);
        let failure = Failure {
            path: "in/a.mp4".into(),
            error: "cannot read in/a.mp4".into(),
        };
        failure.write_in(dir.path()).unwrap();
        assert_eq!(Failure::read_in(dir.path()), Some(failure));
        Failure::remove_in(dir.path()).unwrap();
        Failure::remove_in(dir.path()).unwrap();
        assert_eq!(Failure::read_in(dir.path()), None);
    }
}
