//! Reading a text file a user names (a manifest, a programme) with a cap: a device or a pipe
//! that never ends (`/dev/zero`) or a huge file is refused in one line instead of filling memory.

use std::io::Read;
use std::path::Path;

/// The largest text file formcheck reads whole: 64 MiB, a manifest of a million videos at 60
/// bytes a line (formcheck rule).
pub const MAX_TEXT_FILE_BYTES: u64 = 64 << 20;

/// The file's text, or an error when it cannot be read, is not UTF-8, or runs past
/// [`MAX_TEXT_FILE_BYTES`] (read no further than that).
pub fn read_capped(path: &Path) -> std::io::Result<String> {
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
    Ok(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_never_ends_is_refused_after_the_cap() {
        let err = read_capped(Path::new("/dev/zero")).unwrap_err();
        assert!(err.to_string().contains("64 MiB"), "{err}");
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("list.txt");
        std::fs::write(&small, "a.mp4\n").unwrap();
        assert_eq!(read_capped(&small).unwrap(), "a.mp4\n");
    }
}
