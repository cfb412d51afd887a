//! Reading a text file a user names (a manifest, a programme) with a cap: a device or a pipe
//! that never ends (`/dev/zero`) or a huge file is refused in one line instead of filling memory.

use std::io::Read;
use std::path::Path;

/// The largest text file formcheck reads whole: 64 MiB, a manifest of a million videos at 60
/// bytes a line (formcheck rule).
pub const MAX_TEXT_FILE_BYTES: u64 = 64 << 20;

/// The file's text, without a leading UTF-8 byte-order mark (Windows editors write one), or an
/// error when it is not a regular file (a folder, a device, or a pipe, whose open can wait for
/// ever for a writer), cannot be read, is not UTF-8, or runs past [`MAX_TEXT_FILE_BYTES`] (read
/// no further than that, whatever size the file claims).
pub fn read_capped(path: &Path) -> std::io::Result<String> {
    // Checked before opening: opening a pipe with no writer never returns.
    if !std::fs::metadata(path)?.is_file() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a folder, a device or a pipe)",
        ));
    }
    let file = std::fs::File::open(path)?;
    let mut text = String::new();
    let read = file
        .take(MAX_TEXT_FILE_BYTES + 1)
        .read_to_string(&mut text)?;
    if read as u64 > MAX_TEXT_FILE_BYTES {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "larger than {} MiB: not a text file formcheck reads (a device or the wrong file?)",
                MAX_TEXT_FILE_BYTES >> 20
            ),
        ));
    }
    match text.strip_prefix('\u{feff}') {
        Some(rest) => Ok(rest.to_string()),
        None => Ok(text),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_and_files_past_the_cap_are_refused_and_a_bom_is_dropped() {
        let err = read_capped(Path::new("/dev/zero")).unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let huge = dir.path().join("huge.txt");
        // Sparse: 65 MiB of zeros without writing them.
        std::fs::File::create(&huge)
            .unwrap()
            .set_len(MAX_TEXT_FILE_BYTES + (1 << 20))
            .unwrap();
        let err = read_capped(&huge).unwrap_err();
        assert!(err.to_string().contains("64 MiB"), "{err}");
        let small = dir.path().join("list.txt");
        std::fs::write(&small, "\u{feff}a.mp4\n").unwrap();
        assert_eq!(read_capped(&small).unwrap(), "a.mp4\n");
    }
}
