//! The completeness marker that makes a batch resumable. `OUT/<video>/.complete` is written last,
//! after every other file of the video is in place; it records what the outputs were made from
//! (the video's size and modification time, the settings). A rerun skips a video only when the
//! marker is there and still matches, so a changed video or changed settings are redone.
//!
//! A video that failed gets `OUT/<video>/.failed` instead, with the error, so whichever run or
//! shard failed it, `formcheck index` lists it as failed and `index --check` can gate on it.
//!
//! Both records name the video by its [`Source`] identity (where it was, how long it is, and a
//! checksum of its head and tail), so a folder is known by the video that made it, not by its
//! name: another video of the same name is told apart.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::output::{atomic, ExportError};

pub const MARKER_FILE: &str = ".complete";
pub const FAILED_FILE: &str = ".failed";

/// How much of a video's head and of its tail the identity checksum reads: enough to tell two
/// recordings apart (their headers and first and last frames differ), cheap on any file.
const IDENTITY_SPAN: u64 = 1 << 20;

/// Which video made a folder's outputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The video's absolute path when it was analysed (where it was, for the user).
    pub path: String,
    pub bytes: u64,
    /// SHA-256 of the file's length, first MiB and last MiB.
    pub ends_sha256: String,
}

impl Source {
    pub fn of(path: &Path) -> std::io::Result<Source> {
        use sha2::Digest;
        let mut file = std::fs::File::open(path)?;
        let bytes = file.metadata()?.len();
        let mut hash = sha2::Sha256::new();
        hash.update(bytes.to_le_bytes());
        let mut buf = Vec::new();
        (&mut file).take(IDENTITY_SPAN).read_to_end(&mut buf)?;
        if bytes > IDENTITY_SPAN {
            file.seek(SeekFrom::Start(
                bytes.saturating_sub(IDENTITY_SPAN).max(IDENTITY_SPAN),
            ))?;
            file.take(IDENTITY_SPAN).read_to_end(&mut buf)?;
        }
        hash.update(&buf);
        Ok(Source {
            path: absolute_path(path),
            bytes,
            ends_sha256: format!("{:x}", hash.finalize()),
        })
    }

    /// The same video: the same contents, wherever it is now (a manifest's folder may move).
    pub fn same_video(&self, other: &Source) -> bool {
        self.bytes == other.bytes && self.ends_sha256 == other.ends_sha256
    }
}

/// `path` resolved (links and `..` followed), or made absolute as written when it does not
/// exist: how a video is named across runs started from different folders.
pub fn absolute_path(path: &Path) -> String {
    std::fs::canonicalize(path)
        .or_else(|_| std::path::absolute(path))
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// Why a video failed, kept in its folder until it is analysed again.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// The video as the batch was given it.
    pub path: String,
    /// Its [`absolute_path`]; absent in older records.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub absolute: Option<String>,
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
            absolute: None,
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
    /// Which video made the outputs; absent in older markers (which never
    /// match, so their videos are redone).
    #[serde(default)]
    pub source: Option<Source>,
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
            source: Some(Source::of(path)?),
            settings,
        })
    }

    /// The marker in `dir`, if there is a readable one.
    pub fn read_in(dir: &Path) -> Option<Marker> {
        let bytes = std::fs::read(dir.join(MARKER_FILE)).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// True when `dir` holds a marker equal to this one.
    /// The video may have moved: its contents, not its path, must be the same.
    pub fn matches_in(&self, dir: &Path) -> bool {
        Marker::read_in(dir).is_some_and(|found| {
            let same_video = match (&found.source, &self.source) {
                (Some(a), Some(b)) => a.same_video(b),
                _ => false,
            };
            same_video
                && found.formcheck_version == self.formcheck_version
                && found.video_bytes == self.video_bytes
                && found.video_modified_s == self.video_modified_s
                && found.settings == self.settings
        })
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
            absolute: Some("/data/in/a.mp4".into()),
            error: "cannot read in/a.mp4".into(),
        };
        failure.write_in(dir.path()).unwrap();
        assert_eq!(Failure::read_in(dir.path()), Some(failure));
        Failure::remove_in(dir.path()).unwrap();
        Failure::remove_in(dir.path()).unwrap();
        assert_eq!(Failure::read_in(dir.path()), None);
    }
}
