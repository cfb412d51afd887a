//! `--session FILE`: the session log, JSONL. A `session` line when it starts, one `rep` line as
//! each rep completes, `event` lines for stream drops, and a `summary` line at the end.
//!
//! Every line is written whole with one `write` on a file opened for appending, then flushed and
//! synced, so a crash or power cut loses at most the rep in progress, and a second session appends
//! to the same file instead of replacing it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    #[error("--session {path}: cannot open for appending: {source}")]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--session {path}: writing failed (disk full or removed?): {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--session {path}: cannot encode a record: {source}")]
    Encode {
        path: PathBuf,
        source: serde_json::Error,
    },
}

pub struct SessionLog {
    path: PathBuf,
    file: File,
    lines: u64,
}

impl SessionLog {
    pub fn open(path: &Path) -> Result<SessionLog, SessionError> {
        let open_err = |source| SessionError::Open {
            path: path.to_path_buf(),
            source,
        };
        let mut file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(open_err)?;
        // A previous run killed mid-line left a partial line: end it, so ours starts clean and
        // a reader can skip the one broken line.
        let len = file.metadata().map_err(open_err)?.len();
        if len > 0 {
            let mut last = [0u8; 1];
            file.seek(SeekFrom::End(-1)).map_err(open_err)?;
            file.read_exact(&mut last).map_err(open_err)?;
            if last[0] != b'\n' {
                file.write_all(b"\n").map_err(open_err)?;
            }
        }
        Ok(SessionLog {
            path: path.to_path_buf(),
            file,
            lines: 0,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Lines written by this session.
    pub fn lines(&self) -> u64 {
        self.lines
    }

    /// Writes one record as one line and syncs it to disk before returning.
    pub fn append<T: Serialize>(&mut self, record: &T) -> Result<(), SessionError> {
        let mut line = serde_json::to_string(record).map_err(|source| SessionError::Encode {
            path: self.path.clone(),
            source,
        })?;
        line.push('\n');
        let write_err = |source| SessionError::Write {
            path: self.path.clone(),
            source,
        };
        self.file.write_all(line.as_bytes()).map_err(write_err)?;
        self.file.flush().map_err(write_err)?;
        self.file.sync_data().map_err(write_err)?;
        self.lines += 1;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn appends_whole_lines_and_repairs_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("s.jsonl");
        std::fs::write(
            &path,
            "{\"type\":\"rep\",\"rep\":1}\n{\"type\":\"rep\",\"re",
        )
        .unwrap();
        let mut log = SessionLog::open(&path).unwrap();
        log.append(&json!({"type": "rep", "rep": 2})).unwrap();
        log.append(&json!({"type": "summary", "reps": 2})).unwrap();
        assert_eq!(log.lines(), 2);
        let text = std::fs::read_to_string(&path).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[1], "{\"type\":\"rep\",\"re");
        assert_eq!(lines[2], "{\"rep\":2,\"type\":\"rep\"}");
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn an_unwritable_path_names_the_flag() {
        let err = SessionLog::open(Path::new("/no/such/dir/s.jsonl"))
            .err()
            .unwrap()
            .to_string();
        assert!(err.starts_with("--session /no/such/dir/s.jsonl"), "{err}");
    }
}
