//! `landmarks.trc`: the 33 world landmarks as an OpenSim marker file (`--trc`), so the data can go
//! on to OpenSim's scaling and inverse kinematics, or to Sports2D / Pose2Sim tools.
//!
//! Coordinates are MediaPipe's world landmarks turned into OpenSim's axes: X right, Y up, Z toward
//! the camera, in metres (MediaPipe's y points down and its z away from the camera, so both flip;
//! two flips keep the frame right-handed). MediaPipe centres them on the hips in every frame: the
//! pelvis does not travel, which suits joint angles and not displacement. Frames without a pose
//! keep their row with empty cells, which OpenSim reads as missing markers.

use std::fmt::Write as _;
use std::path::Path;

use super::{atomic, ExportError, Exporter, VideoResult};
use crate::landmarks::{LandmarkIndex, PoseFrame, LANDMARK_COUNT};

pub struct TrcExporter;

impl Exporter for TrcExporter {
    fn file_name(&self) -> &'static str {
        "landmarks.trc"
    }

    fn export(&self, result: &VideoResult, dest: &Path) -> Result<(), ExportError> {
        // Row by row: an hour of video is about 100 MB of text.
        let mut file = atomic::AtomicFile::create(dest)?;
        file.write_all(header(result, self.file_name()).as_bytes())?;
        let mut row = String::new();
        for (i, frame) in result.frames_in_order(dest)?.enumerate() {
            row.clear();
            push_row(&mut row, i, &frame?);
            file.write_all(row.as_bytes())?;
        }
        file.commit()
    }
}

/// The header: file type, rates and counts, marker names and axes, then a blank line.
fn header(result: &VideoResult, file_name: &str) -> String {
    let rate = result.video.analysed_rate();
    let frames = result.frames.len();
    let mut out = String::new();
    // writeln! into a String cannot fail; the results are ignored for that reason.
    let _ = writeln!(out, "PathFileType\t4\t(X/Y/Z)\t{file_name}");
    let _ = writeln!(
        out,
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames"
    );
    let _ = writeln!(
        out,
        "{rate:.2}\t{rate:.2}\t{frames}\t{LANDMARK_COUNT}\tm\t{rate:.2}\t1\t{frames}"
    );
    out.push_str("Frame#\tTime");
    for landmark in LandmarkIndex::ALL {
        let _ = write!(out, "\t{}\t\t", landmark.name());
    }
    out.push_str("\n\t");
    for n in 1..=LANDMARK_COUNT {
        let _ = write!(out, "\tX{n}\tY{n}\tZ{n}");
    }
    // OpenSim expects one blank line between the header and the data.
    out.push_str("\n\n");
    out
}

/// One data row: frame number (1-based), time, and X Y Z of each marker (empty without a pose).
fn push_row(out: &mut String, row: usize, frame: &PoseFrame) {
    let _ = write!(out, "{}\t{:.6}", row + 1, frame.time_s);
    let world = frame.pose.as_ref().and_then(|p| p.world.as_ref());
    for i in 0..LANDMARK_COUNT {
        match world {
            Some(w) => {
                let p = w[i];
                for v in [p.x, -p.y, -p.z] {
                    out.push('\t');
                    push_metres(out, v);
                }
            }
            None => out.push_str("\t\t\t"),
        }
    }
    out.push('\n');
}

/// A coordinate to the micrometre. Values that round to zero are written "0.000000", never
/// "-0.000000" (negated zero and tiny negatives), which some TRC readers trip on.
fn push_metres(out: &mut String, v: f64) {
    let start = out.len();
    let _ = write!(out, "{v:.6}");
    if &out[start..] == "-0.000000" {
        out.truncate(start);
        out.push_str("0.000000");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn negative_zero_is_written_as_zero() {
        // Regression: -p.y of a landmark at y = 0 wrote "-0.000000".
        let mut out = String::new();
        for v in [-0.0, -0.000_000_4, 0.0, -0.25, 1.5] {
            push_metres(&mut out, v);
            out.push(' ');
        }
        assert_eq!(out, "0.000000 0.000000 0.000000 -0.250000 1.500000 ");
    }
}
