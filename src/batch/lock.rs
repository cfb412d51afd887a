//! One writer per video. Two runs into one `--out` (overlapping shards, a rerun while the first
//! is still going, two users) must never analyse the same video at once, nor sweep each other's
//! temporary files, so a worker holds an exclusive lock on `OUT/<video>/.formcheck.lock` from
//! before it checks the completion marker until the video's last file is written. Other videos
//! of the same folder stay free for other runs.
//!
//! The lock is the kernel's (`flock`, through std's `File::try_lock`, so no crate is needed): it
//! goes when the process does, however it dies, so a lock file left by a killed worker is simply
//! taken over.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

pub const LOCK_FILE: &str = ".formcheck.lock";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("cannot lock {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Held for as long as a worker writes one video's folder.
#[derive(Debug)]
pub struct VideoLock {
    _file: File,
}

impl VideoLock {
    /// The lock on the video folder `dir` (which must exist), or `None` when another process
    /// holds it.
    pub fn try_take(dir: &Path) -> Result<Option<VideoLock>, LockError> {
        let path = dir.join(LOCK_FILE);
        let io = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(io)?;
        match file.try_lock() {
            // The file stays empty (no pid in it), so two runs leave byte-identical folders.
            Ok(()) => Ok(Some(VideoLock { _file: file })),
            Err(TryLockError::WouldBlock) => Ok(None),
            Err(TryLockError::Error(e)) => Err(io(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_video_locked_by_one_worker_is_refused_to_another_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let first = VideoLock::try_take(dir.path()).unwrap().expect("free");
        assert!(VideoLock::try_take(dir.path()).unwrap().is_none());
        let other = tempfile::tempdir().unwrap();
        assert!(
            VideoLock::try_take(other.path()).unwrap().is_some(),
            "another video stays free"
        );
        drop(first);
        assert!(VideoLock::try_take(dir.path()).unwrap().is_some());
    }

    #[test]
    fn a_lock_file_left_behind_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(LOCK_FILE), "999999").unwrap();
        assert!(VideoLock::try_take(dir.path()).unwrap().is_some());
    }
}
