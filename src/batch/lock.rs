//! One batch at a time in an output folder. Two runs into one `--out` would sweep each other's
//! temporary files and the last to finish would write an index that contradicts the outputs on
//! disk, so a batch holds an exclusive lock on `OUT/.formcheck.lock` while it runs.
//!
//! The lock is the kernel's (`flock`, through std's `File::try_lock`): it goes when the process
//! does, however it dies, so a lock file left by a killed run is simply taken over.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};

pub const LOCK_FILE: &str = ".formcheck.lock";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("--out {}: another formcheck run is writing there; wait for it to finish or give another --out", .0.display())]
    Busy(PathBuf),
    #[error("--out {}: cannot lock {LOCK_FILE}: {source}", dir.display())]
    Io {
        dir: PathBuf,
        source: std::io::Error,
    },
}

/// Held for as long as the batch writes into the folder.
#[derive(Debug)]
pub struct OutLock {
    _file: File,
}

impl OutLock {
    pub fn take(dir: &Path) -> Result<OutLock, LockError> {
        let io = |source| LockError::Io {
            dir: dir.to_path_buf(),
            source,
        };
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(dir.join(LOCK_FILE))
            .map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            // The file stays empty (no pid in it), so two runs leave byte-identical folders.
            Err(TryLockError::WouldBlock) => return Err(LockError::Busy(dir.to_path_buf())),
            Err(TryLockError::Error(e)) => return Err(io(e)),
        }
        Ok(OutLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_runs_into_one_out_second_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let first = OutLock::take(dir.path()).unwrap();
        let err = OutLock::take(dir.path()).unwrap_err().to_string();
        assert!(err.contains("another formcheck run"), "{err}");
        drop(first);
        OutLock::take(dir.path()).expect("free again once the first run ends");
    }

    #[test]
    fn a_lock_file_left_behind_is_taken_over() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(LOCK_FILE), "999999").unwrap();
        OutLock::take(dir.path()).expect("no process holds it");
    }
}
