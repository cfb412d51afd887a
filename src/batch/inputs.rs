//! Turning the command line's `VIDEO|DIR...` and `--from-list` manifest into the list of videos
//! to analyse, each with its output folder name. Folders are read one level deep, in name order,
//! so a batch is the same list, in the same order, every time it runs.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::BatchError;
use crate::output::index;

/// Extensions taken from a folder (a file named explicitly is tried whatever its extension).
const VIDEO_EXTENSIONS: &[&str] = &[
    "mp4", "m4v", "mov", "avi", "mkv", "webm", "mpg", "mpeg", "wmv", "flv", "ts", "3gp",
];

/// One video to analyse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VideoInput {
    pub path: PathBuf,
    /// The output folder's name: the file name without its extension.
    pub name: String,
    /// The path relative to the input it came from (a folder's entry: its file name; a file or a
    /// manifest line: as written), which orders the videos for sharding.
    pub key: String,
}

fn is_video(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| VIDEO_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

fn is_hidden(path: &Path) -> bool {
    path.file_name()
        .is_some_and(|n| n.to_string_lossy().starts_with('.'))
}

/// Names OUT already uses for the batch's own files, never a video's folder.
fn reserved(name: &str) -> bool {
    [index::SUMMARY_CSV, index::INDEX_HTML]
        .iter()
        .any(|r| name.eq_ignore_ascii_case(r))
}

/// The output folder's name for a video: its file name without the extension, with leading dots
/// dropped (so `...mp4` or `.hidden.mp4` cannot name `..`, `.` or a hidden folder), "video" when
/// nothing is left, and "_video" appended to a name the batch keeps for itself. The result is
/// always one plain path component, so it cannot lead outside OUT.
pub fn output_name(path: &Path) -> String {
    let file = path
        .file_name()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let trimmed = file.trim_start_matches('.');
    let stem = match trimmed.rfind('.') {
        Some(dot) if dot > 0 => &trimmed[..dot],
        _ => trimmed,
    };
    let mut name: String = stem
        .chars()
        .map(|c| if c == '/' || c == '\0' { '_' } else { c })
        .collect();
    if name.is_empty() {
        name = "video".to_string();
    }
    if reserved(&name) {
        name.push_str("_video");
    }
    name
}

fn video_input(path: PathBuf, key: &Path) -> VideoInput {
    let name = output_name(&path);
    let key = key.to_string_lossy().into_owned();
    VideoInput { path, name, key }
}

/// One entry of a `--from-list` manifest: where the video is, and the line as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    pub path: PathBuf,
    pub line: String,
}

/// The videos a manifest names, one path a line; blank lines and `#` comments are skipped, and a
/// relative path is taken from the manifest's own folder, so the manifest can travel with the
/// videos. A path is not checked here: a missing video fails on its own and the others go on.
pub fn read_list(manifest: &Path, flag: &'static str) -> Result<Vec<Listed>, BatchError> {
    let text = crate::text_file::read_capped(manifest).map_err(|source| BatchError::List {
        flag,
        path: manifest.to_path_buf(),
        source,
    })?;
    let base = manifest.parent().unwrap_or(Path::new(""));
    Ok(parse_list(&text, base))
}

/// A manifest's entries, relative paths from `base`.
pub fn parse_list(text: &str, base: &Path) -> Vec<Listed> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| Listed {
            path: base.join(line),
            line: line.to_string(),
        })
        .collect()
}

/// The videos of `inputs` (files and folders, checked now) then of `listed` (a manifest's
/// entries, checked when each is analysed).
pub fn expand(inputs: &[PathBuf], listed: &[Listed]) -> Result<Vec<VideoInput>, BatchError> {
    let mut videos = Vec::new();
    for input in inputs {
        let meta = std::fs::metadata(input).map_err(|source| BatchError::Input {
            path: input.clone(),
            source,
        })?;
        if meta.is_dir() {
            let entries = std::fs::read_dir(input).map_err(|source| BatchError::Input {
                path: input.clone(),
                source,
            })?;
            let mut found: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                // Hidden files (editor and OS leftovers) only when named explicitly.
                .filter(|p| p.is_file() && is_video(p) && !is_hidden(p))
                .collect();
            if found.is_empty() {
                return Err(BatchError::NoVideos(input.clone()));
            }
            found.sort();
            videos.extend(found.into_iter().map(|path| {
                let key = path.strip_prefix(input).unwrap_or(&path).to_path_buf();
                video_input(path, &key)
            }));
        } else if meta.is_file() {
            videos.push(video_input(input.clone(), input));
        } else {
            // A FIFO would block the first read (the resume checksum) until a writer came.
            return Err(BatchError::NotAFile(input.clone()));
        }
    }
    videos.extend(
        listed
            .iter()
            .map(|entry| video_input(entry.path.clone(), Path::new(&entry.line))),
    );
    // The same file named twice (directly and through its folder, say) is analysed once.
    let mut seen = std::collections::HashSet::new();
    videos.retain(|v| seen.insert(std::fs::canonicalize(&v.path).unwrap_or(v.path.clone())));

    let mut by_name: BTreeMap<&str, &Path> = BTreeMap::new();
    for video in &videos {
        if let Some(first) = by_name.insert(&video.name, &video.path) {
            return Err(BatchError::NameClash {
                name: video.name.clone(),
                first: first.to_path_buf(),
                second: video.path.clone(),
            });
        }
    }
    Ok(videos)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expand_args(inputs: &[PathBuf]) -> Result<Vec<VideoInput>, BatchError> {
        expand(inputs, &[])
    }

    #[test]
    fn a_manifest_names_videos_from_its_own_folder_and_a_missing_one_is_kept() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("trials")).unwrap();
        touch(&dir.path().join("trials/a.mp4"));
        let manifest = dir.path().join("videos.txt");
        std::fs::write(
            &manifest,
            "# trial videos\ntrials/a.mp4\n\n  trials/missing.mov  \r\n",
        )
        .unwrap();
        let listed = read_list(&manifest, "--from-list").unwrap();
        let videos = expand(&[], &listed).unwrap();
        let found: Vec<_> = videos
            .iter()
            .map(|v| (v.name.as_str(), v.key.as_str(), v.path.clone()))
            .collect();
        assert_eq!(
            found,
            [
                ("a", "trials/a.mp4", dir.path().join("trials/a.mp4")),
                (
                    "missing",
                    "trials/missing.mov",
                    dir.path().join("trials/missing.mov")
                ),
            ]
        );
        let message = read_list(&dir.path().join("nope.txt"), "--from-list")
            .unwrap_err()
            .to_string();
        assert!(
            message.starts_with("--from-list ") && message.contains("nope.txt"),
            "{message}"
        );
    }

    fn touch(path: &Path) {
        std::fs::write(path, b"x").unwrap();
    }

    #[test]
    fn folders_give_their_videos_in_name_order() {
        let dir = tempfile::tempdir().unwrap();
        touch(&dir.path().join("b.mp4"));
        touch(&dir.path().join("a.MOV"));
        touch(&dir.path().join("notes.txt"));
        let videos = expand_args(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> = videos.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["a", "b"]);
    }

    #[test]
    fn path_traversal_output_names_stay_inside_out() {
        for (file, name) in [
            ("...mp4", "mp4"),
            ("..mp4", "mp4"),
            (".mp4", "mp4"),
            ("..", "video"),
            (".hidden.mp4", "hidden"),
            ("a.b.mp4", "a.b"),
            ("plain", "plain"),
            ("summary.csv.mp4", "summary.csv_video"),
            ("INDEX.HTML.mov", "INDEX.HTML_video"),
        ] {
            let got = output_name(Path::new("in").join(file).as_path());
            assert_eq!(got, name, "{file}");
            let components: Vec<_> = Path::new(&got).components().collect();
            assert!(
                matches!(components[..], [std::path::Component::Normal(_)]),
                "{file} → {got}"
            );
        }
    }

    #[test]
    fn folder_scans_skip_hidden_files_unless_named() {
        let dir = tempfile::tempdir().unwrap();
        touch(&dir.path().join(".partial.mp4"));
        touch(&dir.path().join("a.mp4"));
        let videos = expand_args(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<_> = videos.iter().map(|v| v.name.as_str()).collect();
        assert_eq!(names, ["a"]);
        let named = expand_args(&[dir.path().join(".partial.mp4")]).unwrap();
        assert_eq!(named[0].name, "partial");
    }

    #[test]
    fn a_file_given_twice_is_analysed_once() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.mp4");
        touch(&file);
        let videos = expand_args(&[file.clone(), dir.path().to_path_buf()]).unwrap();
        assert_eq!(videos.len(), 1);
    }

    #[test]
    fn two_videos_wanting_one_folder_are_refused_naming_both() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("x")).unwrap();
        touch(&dir.path().join("a.mp4"));
        touch(&dir.path().join("x/a.mov"));
        let err = expand_args(&[dir.path().join("a.mp4"), dir.path().join("x/a.mov")]).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("a.mp4") && msg.contains("a.mov"), "{msg}");
    }

    #[test]
    fn missing_input_and_empty_folder_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.mp4");
        let msg = expand_args(&[missing]).unwrap_err().to_string();
        assert!(msg.contains("nope.mp4"), "{msg}");
        let msg = expand_args(&[dir.path().to_path_buf()])
            .unwrap_err()
            .to_string();
        assert!(msg.contains("no video files"), "{msg}");
    }
}
