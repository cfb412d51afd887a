//! Reading back a video a writer has just finished. OpenCV's `VideoWriter` ignores write errors
//! ("no space left on device" included) and still "succeeds", leaving a file cut short with no
//! index, so nothing is trusted until it reads back whole.

use std::io::Write;
use std::path::Path;

use opencv::prelude::*;
use opencv::videoio::{self, VideoCapture};

/// Bytes written to learn whether the folder can take more: enough to hit a full disk, small
/// enough to cost nothing.
const SPACE_PROBE_BYTES: usize = 256 * 1024;

/// `Ok` when `path` opens, holds `frames` frames and its last one decodes; otherwise why not,
/// with the disk's own error when a write beside it fails too.
pub fn check_written(path: &Path, frames: u64) -> Result<(), String> {
    readable(path, frames).map_err(|problem| match disk_error(path) {
        Some(cause) => format!("{problem}: {cause}"),
        None => format!("{problem} (a full disk or a failing encoder)"),
    })
}

fn readable(path: &Path, frames: u64) -> Result<(), String> {
    crate::quiet_opencv();
    let cut_short = || "the video written is cut short and cannot be read back".to_string();
    let name = path.to_str().ok_or_else(cut_short)?;
    let mut capture =
        VideoCapture::from_file(name, videoio::CAP_FFMPEG).map_err(|_| cut_short())?;
    if !capture.is_opened().unwrap_or(false) {
        return Err(cut_short());
    }
    if frames == 0 {
        return Ok(());
    }
    let counted = capture.get(videoio::CAP_PROP_FRAME_COUNT).unwrap_or(0.0);
    if !counted.is_finite() || (counted.round() as u64) < frames {
        return Err(format!(
            "only {} of the {frames} frames written can be read back",
            counted.max(0.0).round()
        ));
    }
    // The index can be whole while the picture data behind it is not: decode the last frame.
    let last = (frames - 1) as f64;
    let mut image = opencv::core::Mat::default();
    let decoded = capture
        .set(videoio::CAP_PROP_POS_FRAMES, last)
        .unwrap_or(false)
        && capture.read(&mut image).unwrap_or(false)
        && !image.empty();
    if decoded {
        Ok(())
    } else {
        Err(format!("its last frame ({frames}) cannot be decoded"))
    }
}

/// The error a small write in the same folder gets, if any (`No space left on device`).
fn disk_error(path: &Path) -> Option<std::io::Error> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let probe = dir.join(format!(".formcheck-space-probe.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&probe).and_then(|mut f| {
        f.write_all(&[0u8; SPACE_PROBE_BYTES])?;
        f.sync_all()
    });
    let _ = std::fs::remove_file(&probe);
    result.err()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/tfjs_pose_squats.mp4")
    }

    #[test]
    fn a_whole_video_reads_back() {
        assert_eq!(check_written(&sample(), 65), Ok(()));
    }

    #[test]
    fn a_video_cut_short_is_caught() {
        let dir = tempfile::tempdir().unwrap();
        let bytes = std::fs::read(sample()).unwrap();
        // The sample keeps its index at the end, as a writer that ran out of space would lose it.
        let cut = dir.path().join("cut.mp4");
        std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
        let err = check_written(&cut, 65).unwrap_err();
        assert!(err.contains("cut short"), "{err}");
        // More frames claimed than the file holds.
        let err = check_written(&sample(), 80).unwrap_err();
        assert!(err.contains("65 of the 80"), "{err}");
    }
}
