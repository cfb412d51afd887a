//! No output replaces an input. Every file formcheck is about to write is compared with every
//! file it reads, by canonical path and by file identity (device + inode, which also catches a
//! hard link or a second spelling through a symlink), before anything is opened for writing.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// An output that names an input.
#[derive(Debug, thiserror::Error)]
#[error("{what} {} is the input {}; refusing to overwrite it (write to another file)", output.display(), input.display())]
pub struct OutputIsInput {
    /// The flag or file kind, as the user would know it: "--landmarks", "reps.json".
    pub what: String,
    pub output: PathBuf,
    pub input: PathBuf,
}

/// Two files of one run that are the same file: an output naming the history database, or two
/// outputs naming each other. Writing either would destroy the other (a history report written
/// over the database loses the whole history).
#[derive(Debug, thiserror::Error)]
#[error("{what} {} is also {other_what} {}; give them different files", output.display(), other.display())]
pub struct SameFile {
    pub what: String,
    pub output: PathBuf,
    pub other_what: String,
    pub other: PathBuf,
}

/// The flag naming the history database, whose SQLite companions are files of its own.
const DATABASE_FLAG: &str = "--history";
/// The files SQLite keeps beside a database while it is open (write-ahead log, its index, the
/// rollback journal): an output written over one corrupts the history as surely.
const SQLITE_COMPANIONS: [&str; 3] = ["-wal", "-shm", "-journal"];

/// Refuses any two of `files` (flag, path) that are the same file, by path or file identity;
/// the history database's SQLite companions count as the database.
pub fn refuse_same_files(files: &[(&str, &Path)]) -> Result<(), SameFile> {
    // Each file with the entry it came from: a database and its companions are one entry.
    let mut expanded: Vec<(usize, String, PathBuf)> = Vec::new();
    for (entry, (what, path)) in files.iter().enumerate() {
        expanded.push((entry, what.to_string(), path.to_path_buf()));
        if *what == DATABASE_FLAG {
            // SQLite names them after the file it opened through any link: the real one.
            let real = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
            for base in [path.to_path_buf(), real] {
                for suffix in SQLITE_COMPANIONS {
                    let mut companion = base.as_os_str().to_owned();
                    companion.push(suffix);
                    let shown = format!("{what}'s {suffix} file");
                    expanded.push((entry, shown, PathBuf::from(companion)));
                }
            }
        }
    }
    let ids: Vec<Identity> = expanded.iter().map(|(_, _, p)| identity(p)).collect();
    for (i, (entry, what, path)) in expanded.iter().enumerate() {
        for (j, (other_entry, other_what, other)) in expanded.iter().enumerate().skip(i + 1) {
            if entry != other_entry && same_file(&ids[i], &ids[j]) {
                return Err(SameFile {
                    what: other_what.clone(),
                    output: other.clone(),
                    other_what: what.clone(),
                    other: path.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Whether two paths lead to one file: the same path in any spelling, a symbolic link to it, or a
/// hard link.
pub fn is_same_file(a: &Path, b: &Path) -> bool {
    same_file(&identity(a), &identity(b))
}

/// Where a path leads: its canonical form (through the parent when the file itself does not
/// exist yet) and, for an existing file, its device and inode.
#[derive(Debug, PartialEq, Eq)]
struct Identity {
    canonical: Option<PathBuf>,
    inode: Option<(u64, u64)>,
}

fn identity(path: &Path) -> Identity {
    let canonical = std::fs::canonicalize(path)
        .ok()
        .or_else(|| {
            let parent = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p,
                _ => Path::new("."),
            };
            Some(std::fs::canonicalize(parent).ok()?.join(path.file_name()?))
        })
        // A file in a folder not made yet (an output folder): its absolute path, `.` and `..`
        // resolved by name.
        .or_else(|| lexical_absolute(path));
    let inode = std::fs::metadata(path).ok().map(|m| (m.dev(), m.ino()));
    Identity { canonical, inode }
}

fn lexical_absolute(path: &Path) -> Option<PathBuf> {
    use std::path::Component;
    let absolute = std::env::current_dir().ok()?.join(path);
    let mut out = PathBuf::new();
    for part in absolute.components() {
        match part {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    Some(out)
}

fn same_file(a: &Identity, b: &Identity) -> bool {
    let same_inode = matches!((a.inode, b.inode), (Some(x), Some(y)) if x == y);
    let same_path = matches!((&a.canonical, &b.canonical), (Some(x), Some(y)) if x == y);
    same_inode || same_path
}

/// The inputs of one run, resolved once.
pub struct Inputs {
    resolved: Vec<(PathBuf, Identity)>,
}

impl Inputs {
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Inputs {
        Inputs {
            resolved: paths
                .into_iter()
                .map(|p| (p.to_path_buf(), identity(p)))
                .collect(),
        }
    }

    /// Refuses `output` when it is one of the inputs.
    pub fn check(&self, what: &str, output: &Path) -> Result<(), OutputIsInput> {
        if self.resolved.is_empty() {
            return Ok(());
        }
        let out = identity(output);
        match self.resolved.iter().find(|(_, id)| same_file(id, &out)) {
            Some((input, _)) => Err(OutputIsInput {
                what: what.to_string(),
                output: output.to_path_buf(),
                input: input.clone(),
            }),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_output_named_like_the_input_is_refused_naming_both() {
        let dir = tempfile::tempdir().unwrap();
        let video = dir.path().join("v.mp4");
        std::fs::write(&video, b"video").unwrap();
        let inputs = Inputs::new([video.as_path()]);
        let err = inputs.check("--landmarks", &video).unwrap_err().to_string();
        assert!(
            err.contains("--landmarks") && err.contains("v.mp4"),
            "{err}"
        );
        assert_eq!(std::fs::read(&video).unwrap(), b"video");
    }

    #[test]
    fn another_spelling_of_the_input_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        let video = dir.path().join("v.mp4");
        std::fs::write(&video, b"video").unwrap();
        let inputs = Inputs::new([video.as_path()]);
        // Through `..`, a symlink and a hard link.
        assert!(inputs.check("x", &dir.path().join("sub/../v.mp4")).is_err());
        let link = dir.path().join("link.mp4");
        std::os::unix::fs::symlink(&video, &link).unwrap();
        assert!(inputs.check("x", &link).is_err());
        let hard = dir.path().join("hard.mp4");
        std::fs::hard_link(&video, &hard).unwrap();
        assert!(inputs.check("x", &hard).is_err());
    }

    #[test]
    fn two_outputs_naming_one_file_are_refused_naming_both_flags() {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("db.sqlite");
        std::fs::write(&db, b"SQLite format 3").unwrap();
        std::fs::create_dir(dir.path().join("d")).unwrap();
        let respelled = dir.path().join("d/../db.sqlite");
        let csv = dir.path().join("h.csv");
        let err = refuse_same_files(&[
            ("--history", db.as_path()),
            ("--csv", csv.as_path()),
            ("--report", respelled.as_path()),
        ])
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("--report") && err.contains("--history") && err.contains("db.sqlite"),
            "{err}"
        );
        assert_eq!(std::fs::read(&db).unwrap(), b"SQLite format 3");
        assert!(
            refuse_same_files(&[("--history", db.as_path()), ("--csv", csv.as_path())]).is_ok()
        );
        // In a folder not made yet (an output folder).
        let later = dir.path().join("out/v/reps.json");
        let err = refuse_same_files(&[
            ("--history", later.as_path()),
            ("reps.json", later.as_path()),
        ]);
        assert!(err.is_err());
        // SQLite's files beside the database, in any spelling.
        for companion in ["db.sqlite-wal", "d/../db.sqlite-shm", "db.sqlite-journal"] {
            let path = dir.path().join(companion);
            let err = refuse_same_files(&[("--history", db.as_path()), ("--report", &path)])
                .unwrap_err()
                .to_string();
            let suffix = &companion[companion.rfind('-').unwrap()..];
            assert!(err.contains(&format!("--history's {suffix} file")), "{err}");
        }
    }

    #[test]
    fn a_new_or_different_file_is_allowed() {
        let dir = tempfile::tempdir().unwrap();
        let video = dir.path().join("v.mp4");
        std::fs::write(&video, b"video").unwrap();
        let other = dir.path().join("w.mp4");
        std::fs::write(&other, b"other").unwrap();
        let inputs = Inputs::new([video.as_path()]);
        assert!(inputs.check("x", &dir.path().join("new.jsonl")).is_ok());
        assert!(inputs.check("x", &other).is_ok());
    }
}
