//! Atomic file writes: every output is written to a temporary file beside its final name and
//! renamed into place, so a reader (or a resumed batch) never sees half a file. A rename within
//! one folder is atomic on every filesystem formcheck targets.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::ExportError;

/// A file being written. Dropped without [`AtomicFile::commit`], it leaves nothing behind.
pub struct AtomicFile {
    temp: PathBuf,
    dest: PathBuf,
    writer: Option<BufWriter<File>>,
}

/// The temporary name for `dest`: hidden, in the same folder (rename must not cross filesystems),
/// and ending in `.tmp` so a batch restarted after a kill can sweep leftovers away.
pub fn temp_path(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let suffix = format!(".{}.tmp", std::process::id());
    dest.with_file_name(format!(".{}{suffix}", fitted(&name, suffix.len() + 1)))
}

/// The longest file name most filesystems take, in bytes.
const MAX_NAME_BYTES: usize = 255;

/// `name`, cut so that with `extra` more bytes it is still a valid file name: a destination
/// whose own name is near the limit still gets a temporary name. A cut name carries a hash of
/// the whole one, so two long names with one beginning do not share a temporary file.
pub fn fitted(name: &str, extra: usize) -> std::borrow::Cow<'_, str> {
    let room = MAX_NAME_BYTES.saturating_sub(extra);
    if name.len() <= room {
        return std::borrow::Cow::Borrowed(name);
    }
    // FNV-1a: stable across runs and platforms, which a temporary name needs no more than.
    let hash = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    });
    let tag = format!("~{:08x}", hash as u32);
    let mut cut = room.saturating_sub(tag.len());
    while !name.is_char_boundary(cut) {
        cut -= 1;
    }
    std::borrow::Cow::Owned(format!("{}{tag}", &name[..cut]))
}

impl AtomicFile {
    pub fn create(dest: &Path) -> Result<Self, ExportError> {
        // Renaming over a device or a pipe would replace it with a file (as root, `/dev/full`
        // itself), and the user meant the device to take the bytes: refused instead.
        if let Ok(meta) = std::fs::metadata(dest) {
            if !meta.is_file() {
                let not_file = std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    "not a regular file (a folder, a device or a pipe); give a file name",
                );
                return Err(ExportError::io(dest, not_file));
            }
        }
        let temp = temp_path(dest);
        let file = File::create(&temp).map_err(|e| ExportError::io(dest, e))?;
        Ok(AtomicFile {
            temp,
            dest: dest.to_path_buf(),
            writer: Some(BufWriter::new(file)),
        })
    }

    pub fn dest(&self) -> &Path {
        &self.dest
    }

    pub fn write_all(&mut self, bytes: &[u8]) -> Result<(), ExportError> {
        match self.writer.as_mut() {
            Some(w) => w
                .write_all(bytes)
                .map_err(|e| ExportError::io(&self.dest, e)),
            None => Ok(()),
        }
    }

    /// Flushes what was written so far to the temporary file (it survives a crash of ours, not
    /// of the machine; a commit after an error still publishes it).
    pub fn flush(&mut self) -> Result<(), ExportError> {
        match self.writer.as_mut() {
            Some(w) => w.flush().map_err(|e| ExportError::io(&self.dest, e)),
            None => Ok(()),
        }
    }

    /// Flushes, syncs and renames the file into place. On any failure the temporary file is
    /// removed and the error names the destination, with the system's cause.
    pub fn commit(mut self) -> Result<(), ExportError> {
        let Some(writer) = self.writer.take() else {
            return Ok(());
        };
        let committed = writer
            .into_inner()
            .map_err(|e| e.into_error())
            .and_then(|file| file.sync_all())
            .and_then(|()| std::fs::rename(&self.temp, &self.dest));
        if committed.is_err() {
            let _ = std::fs::remove_file(&self.temp);
        }
        committed.map_err(|e| ExportError::io(&self.dest, e))
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        // Only reached without a commit: the partial file is not an output.
        if self.writer.take().is_some() {
            let _ = std::fs::remove_file(&self.temp);
        }
    }
}

/// Writes `bytes` to `dest` atomically.
pub fn write(dest: &Path, bytes: &[u8]) -> Result<(), ExportError> {
    let mut file = AtomicFile::create(dest)?;
    file.write_all(bytes)?;
    file.commit()
}

/// Removes temporary files a killed run left in `dir` (any process id: a folder is only ever
/// written by one run at a time). Temporary names are hidden and hold `.tmp` at the end or
/// before an extension a writer needs (`.annotated.123.tmp.mp4`).
pub fn sweep_temp_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && (name.ends_with(".tmp") || name.contains(".tmp.")) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_destination_name_near_the_limit_still_gets_a_distinct_temporary_name() {
        let dir = tempfile::tempdir().unwrap();
        let a = format!("{}a.html", "r".repeat(244));
        let b = format!("{}b.html", "r".repeat(244));
        assert_eq!(a.len(), 250);
        let (ta, tb) = (
            temp_path(&dir.path().join(&a)),
            temp_path(&dir.path().join(&b)),
        );
        assert_ne!(ta, tb);
        for (dest, temp) in [(&a, &ta), (&b, &tb)] {
            let name = temp.file_name().unwrap().to_str().unwrap();
            assert!(name.len() <= 255 && name.starts_with('.') && name.ends_with(".tmp"));
            write(&dir.path().join(dest), b"x").unwrap();
            assert_eq!(std::fs::read(dir.path().join(dest)).unwrap(), b"x");
        }
        let short = temp_path(Path::new("reps.json"));
        assert_eq!(
            short,
            Path::new(&format!(".reps.json.{}.tmp", std::process::id()))
        );
    }

    #[test]
    fn nothing_is_visible_before_commit() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.txt");
        let mut file = AtomicFile::create(&dest).unwrap();
        file.write_all(b"hello").unwrap();
        file.flush().unwrap();
        assert!(!dest.exists());
        file.commit().unwrap();
        assert_eq!(std::fs::read(&dest).unwrap(), b"hello");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn dropped_file_leaves_nothing_and_keeps_the_old_one() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("a.txt");
        write(&dest, b"old").unwrap();
        {
            let mut file = AtomicFile::create(&dest).unwrap();
            file.write_all(b"new, half").unwrap();
        }
        assert_eq!(std::fs::read(&dest).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_commit_names_the_real_file_and_leaves_no_temporary_copy() {
        let dir = tempfile::tempdir().unwrap();
        // A folder put in the way after the file was opened makes the final rename fail, as a
        // full disk fails the sync. (One there before is refused at once.)
        let dest = dir.path().join("reps.json");
        let mut file = AtomicFile::create(&dest).unwrap();
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("keep"), b"x").unwrap();
        assert!(AtomicFile::create(&dest).is_err());
        file.write_all(b"{}").unwrap();
        let err = file.commit().unwrap_err().to_string();
        assert!(err.contains("/reps.json: Is a directory"), "{err}");
        assert!(
            !err.contains(".reps.json."),
            "not the temporary name: {err}"
        );
        let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "only the folder in the way is left");
    }

    #[test]
    fn sweep_removes_leftover_temp_files_only() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".reps.json.123.tmp"), b"x").unwrap();
        std::fs::write(dir.path().join("reps.json"), b"x").unwrap();
        sweep_temp_files(dir.path());
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("reps.json")]);
    }
}
