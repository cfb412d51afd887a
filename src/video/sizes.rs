//! One picture size per file. OpenCV 4.6 scales every frame to the size a file declares, so a
//! file whose size changes part-way (two clips joined, a screen recording resized) would be
//! analysed with one part stretched, its landmarks from two pictures. FFmpeg's `ffprobe` reads
//! the size of each keyframe (a size can only change at one) without decoding the rest.

use std::path::Path;
use std::process::Command;

use super::VideoError;

/// The distinct picture sizes of the file's keyframes, in order of appearance; `None` when
/// ffprobe is not installed or cannot read the file (the decoder then has the last word).
fn keyframe_sizes(path: &Path) -> Option<Vec<(u32, u32)>> {
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-select_streams",
            "v:0",
            "-skip_frame",
            "nokey",
        ])
        .args(["-show_entries", "frame=width,height", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .ok()
        .filter(|o| o.status.success())?;
    let mut sizes: Vec<(u32, u32)> = Vec::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut fields = line.split(',').map(str::trim);
        let (Some(w), Some(h)) = (fields.next(), fields.next()) else {
            continue;
        };
        if let (Ok(w), Ok(h)) = (w.parse(), h.parse()) {
            if !sizes.contains(&(w, h)) {
                sizes.push((w, h));
            }
        }
    }
    Some(sizes)
}

/// Refuses a file whose picture size changes part-way, naming the sizes.
pub fn check_one_picture_size(path: &Path) -> Result<(), VideoError> {
    // Anything but a regular file (a FIFO would block ffprobe) is refused when it is opened.
    if !path.metadata().is_ok_and(|m| m.is_file()) {
        return Ok(());
    }
    match keyframe_sizes(path) {
        Some(sizes) if sizes.len() > 1 => Err(VideoError::SizeChanges {
            path: path.to_path_buf(),
            sizes: sizes
                .iter()
                .map(|(w, h)| format!("{w}×{h}"))
                .collect::<Vec<_>>()
                .join(", then "),
        }),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sample_has_one_size() {
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/tfjs_pose_squats.mp4");
        assert!(check_one_picture_size(&sample).is_ok());
    }
}
