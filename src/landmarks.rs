//! The landmark types every stage shares: what the pose stage produces and what geometry, reps,
//! outputs and the live view read. Plain data, no OpenCV, so the pure stages and their tests can
//! build frames by hand.
//!
//! The on-disk form (`--landmarks out.jsonl`, `frames.jsonl`) is one JSON object a frame in the
//! same shape as MediaPipe's reference files (`../shared/reference/*.jsonl`): `frame`, `t_s`,
//! `detected`, `landmarks` 33×[x_px, y_px, z, visibility, presence], `world` 33×[x_m, y_m, z_m,
//! visibility]. [`read_jsonl`] reads both, so everything downstream can run on either.

use std::fmt;
use std::io::BufRead;
use std::path::Path;

use serde::{Deserialize, Serialize};

/// Number of body landmarks BlazePose outputs (the 6 auxiliary ones are internal to the tracker).
pub const LANDMARK_COUNT: usize = 33;

/// BlazePose's 33 landmarks. Left/right are the subject's anatomical sides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[repr(usize)]
pub enum LandmarkIndex {
    Nose = 0,
    LeftEyeInner,
    LeftEye,
    LeftEyeOuter,
    RightEyeInner,
    RightEye,
    RightEyeOuter,
    LeftEar,
    RightEar,
    MouthLeft,
    MouthRight,
    LeftShoulder,
    RightShoulder,
    LeftElbow,
    RightElbow,
    LeftWrist,
    RightWrist,
    LeftPinky,
    RightPinky,
    LeftIndex,
    RightIndex,
    LeftThumb,
    RightThumb,
    LeftHip,
    RightHip,
    LeftKnee,
    RightKnee,
    LeftAnkle,
    RightAnkle,
    LeftHeel,
    RightHeel,
    LeftFootIndex,
    RightFootIndex,
}

impl LandmarkIndex {
    pub const ALL: [LandmarkIndex; LANDMARK_COUNT] = {
        use LandmarkIndex::*;
        [
            Nose,
            LeftEyeInner,
            LeftEye,
            LeftEyeOuter,
            RightEyeInner,
            RightEye,
            RightEyeOuter,
            LeftEar,
            RightEar,
            MouthLeft,
            MouthRight,
            LeftShoulder,
            RightShoulder,
            LeftElbow,
            RightElbow,
            LeftWrist,
            RightWrist,
            LeftPinky,
            RightPinky,
            LeftIndex,
            RightIndex,
            LeftThumb,
            RightThumb,
            LeftHip,
            RightHip,
            LeftKnee,
            RightKnee,
            LeftAnkle,
            RightAnkle,
            LeftHeel,
            RightHeel,
            LeftFootIndex,
            RightFootIndex,
        ]
    };

    pub fn index(self) -> usize {
        self as usize
    }

    /// MediaPipe's snake_case name, as in the reference files' header.
    pub fn name(self) -> &'static str {
        const NAMES: [&str; LANDMARK_COUNT] = [
            "nose",
            "left_eye_inner",
            "left_eye",
            "left_eye_outer",
            "right_eye_inner",
            "right_eye",
            "right_eye_outer",
            "left_ear",
            "right_ear",
            "mouth_left",
            "mouth_right",
            "left_shoulder",
            "right_shoulder",
            "left_elbow",
            "right_elbow",
            "left_wrist",
            "right_wrist",
            "left_pinky",
            "right_pinky",
            "left_index",
            "right_index",
            "left_thumb",
            "right_thumb",
            "left_hip",
            "right_hip",
            "left_knee",
            "right_knee",
            "left_ankle",
            "right_ankle",
            "left_heel",
            "right_heel",
            "left_foot_index",
            "right_foot_index",
        ];
        NAMES[self.index()]
    }
}

/// One image landmark. `x`, `y` in image pixels (origin top-left, y down); `z` is MediaPipe's
/// relative depth on the x scale (negative = nearer the camera); visibility and presence in [0, 1].
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Landmark {
    pub x: f64,
    pub y: f64,
    pub z: f64,
    pub visibility: f64,
    pub presence: f64,
}

/// One world landmark: metres, origin at the hip midpoint, y down (MediaPipe's convention).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct WorldLandmark {
    pub x: f64,
    pub y: f64,
    pub z: f64,
    pub visibility: f64,
}

/// A detected pose: 33 landmarks, each `None` when the source did not give it.
#[derive(Debug, Clone, PartialEq)]
pub struct Pose {
    pub landmarks: [Option<Landmark>; LANDMARK_COUNT],
    pub world: Option<[WorldLandmark; LANDMARK_COUNT]>,
}

impl Pose {
    /// A pose with only the given image points, each seen with `visibility` and no world
    /// landmarks: what a test or a hand-built frame needs.
    pub fn from_points(points: &[(LandmarkIndex, f64, f64)], visibility: f64) -> Pose {
        let mut landmarks = [None; LANDMARK_COUNT];
        for &(index, x, y) in points {
            landmarks[index.index()] = Some(Landmark {
                x,
                y,
                z: 0.0,
                visibility,
                presence: visibility,
            });
        }
        Pose {
            landmarks,
            world: None,
        }
    }

    pub fn get(&self, index: LandmarkIndex) -> Option<&Landmark> {
        self.landmarks[index.index()].as_ref()
    }

    pub fn world(&self, index: LandmarkIndex) -> Option<&WorldLandmark> {
        self.world.as_ref().map(|w| &w[index.index()])
    }
}

/// One video frame's pose result. `pose` is `None` when no person was found: such a frame is
/// still a frame (written, counted, timed), never dropped.
#[derive(Debug, Clone, PartialEq)]
pub struct PoseFrame {
    /// 0-based index of the decoded frame.
    pub index: u64,
    /// Presentation time from the container, in seconds.
    pub time_s: f64,
    pub image_width: u32,
    pub image_height: u32,
    pub pose: Option<Pose>,
    /// Where this frame's picture sits against the first frame's, from the background (a
    /// handheld phone tilting or panning); zero for a still camera or where it was not measured.
    pub camera: CameraShift,
}

/// How far the whole picture moved since the first frame, in this frame's pixels: what was at
/// (x, y) in the first frame's picture is at (x + dx, y + dy) in this one.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize)]
pub struct CameraShift {
    pub dx: f64,
    pub dy: f64,
}

impl CameraShift {
    /// An image row of this frame in the first frame's picture.
    pub fn row_in_first(&self, y: f64) -> f64 {
        y - self.dy
    }
}

impl PoseFrame {
    pub fn detected(&self) -> bool {
        self.pose.is_some()
    }
}

/// The JSON line of one frame, shared with MediaPipe's reference files.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FrameRecord {
    #[serde(
        rename = "type",
        default = "frame_type",
        skip_serializing_if = "Option::is_none"
    )]
    pub kind: Option<String>,
    pub frame: u64,
    pub t_s: f64,
    pub detected: bool,
    #[serde(default)]
    pub width: Option<u32>,
    #[serde(default)]
    pub height: Option<u32>,
    /// 33×[x_px, y_px, z, visibility, presence]; presence is null in MediaPipe's legacy output.
    pub landmarks: Option<Vec<[Option<f64>; 5]>>,
    /// 33×[x_m, y_m, z_m, visibility].
    #[serde(default)]
    pub world: Option<Vec<[f64; 4]>>,
}

fn frame_type() -> Option<String> {
    Some("frame".to_string())
}

#[derive(Debug, thiserror::Error)]
pub enum LandmarkFileError {
    #[error("cannot read landmark file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path} line {line}: {message}")]
    Parse {
        path: String,
        line: usize,
        message: String,
    },
}

impl FrameRecord {
    pub fn from_frame(frame: &PoseFrame) -> Self {
        let round = |v: f64, digits: i32| {
            let scale = 10f64.powi(digits);
            (v * scale).round() / scale
        };
        let (landmarks, world) = match &frame.pose {
            None => (None, None),
            Some(pose) => (
                Some(
                    pose.landmarks
                        .iter()
                        .map(|l| match l {
                            Some(l) => [
                                Some(round(l.x, 4)),
                                Some(round(l.y, 4)),
                                Some(round(l.z, 6)),
                                Some(round(l.visibility, 6)),
                                Some(round(l.presence, 6)),
                            ],
                            None => [None; 5],
                        })
                        .collect(),
                ),
                pose.world.as_ref().map(|w| {
                    w.iter()
                        .map(|p| {
                            [
                                round(p.x, 6),
                                round(p.y, 6),
                                round(p.z, 6),
                                round(p.visibility, 6),
                            ]
                        })
                        .collect()
                }),
            ),
        };
        FrameRecord {
            kind: None,
            frame: frame.index,
            t_s: round(frame.time_s, 6),
            detected: frame.pose.is_some(),
            width: Some(frame.image_width),
            height: Some(frame.image_height),
            landmarks,
            world,
        }
    }

    /// Converts back; `width`/`height` fill in when the record (MediaPipe's) does not carry them.
    pub fn into_frame(self, width: u32, height: u32) -> Result<PoseFrame, String> {
        let pose = match (self.detected, self.landmarks) {
            (false, _) => None,
            (true, None) => return Err("detected frame without landmarks".into()),
            (true, Some(points)) => {
                if points.len() != LANDMARK_COUNT {
                    return Err(format!(
                        "expected {LANDMARK_COUNT} landmarks, found {}",
                        points.len()
                    ));
                }
                let mut landmarks = [None; LANDMARK_COUNT];
                for (slot, p) in landmarks.iter_mut().zip(&points) {
                    *slot = match (p[0], p[1]) {
                        (Some(x), Some(y)) if x.is_finite() && y.is_finite() => Some(Landmark {
                            x,
                            y,
                            z: p[2].unwrap_or(0.0),
                            visibility: p[3].unwrap_or(1.0),
                            // MediaPipe's legacy graph leaves presence unset: treat as present.
                            presence: p[4].unwrap_or(1.0),
                        }),
                        _ => None,
                    };
                }
                let world = match self.world {
                    Some(w) if w.len() == LANDMARK_COUNT => {
                        let mut out = [WorldLandmark::default(); LANDMARK_COUNT];
                        for (slot, p) in out.iter_mut().zip(&w) {
                            *slot = WorldLandmark {
                                x: p[0],
                                y: p[1],
                                z: p[2],
                                visibility: p[3],
                            };
                        }
                        Some(out)
                    }
                    Some(w) => {
                        return Err(format!(
                            "expected {LANDMARK_COUNT} world landmarks, found {}",
                            w.len()
                        ))
                    }
                    None => None,
                };
                Some(Pose { landmarks, world })
            }
        };
        Ok(PoseFrame {
            camera: Default::default(),
            index: self.frame,
            time_s: self.t_s,
            image_width: self.width.unwrap_or(width),
            image_height: self.height.unwrap_or(height),
            pose,
        })
    }
}

/// A landmark file read back: frames in order, and the image size when a header gave it.
#[derive(Debug, Clone)]
pub struct LandmarkFile {
    pub width: u32,
    pub height: u32,
    pub frames: Vec<PoseFrame>,
}

/// Reads formcheck's `--landmarks` JSONL or MediaPipe's reference JSONL (header and summary lines
/// are recognised by their `type` and skipped after taking the image size from the header).
pub fn read_jsonl(path: &Path) -> Result<LandmarkFile, LandmarkFileError> {
    let shown = path.display().to_string();
    let io = |source| LandmarkFileError::Io {
        path: shown.clone(),
        source,
    };
    // Checked before opening: opening a pipe with no writer never returns.
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        let not_file = std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            "not a regular file (a folder, a device or a pipe)",
        );
        return Err(io(not_file));
    }
    let file = std::fs::File::open(path).map_err(io)?;
    parse_jsonl(std::io::BufReader::new(file), &shown)
}

/// The longest line a landmark file may have: a frame's 33 landmarks take about 3 KB (formcheck
/// rule: 1 MiB), so a file without line breaks is refused before it fills memory.
const MAX_LINE_BYTES: u64 = 1 << 20;

/// The next line of `reader` into `buf` (its newline included); `Ok(false)` at the end.
fn next_line(reader: &mut impl BufRead, buf: &mut Vec<u8>) -> std::io::Result<bool> {
    use std::io::Read;
    buf.clear();
    let read = reader.take(MAX_LINE_BYTES + 1).read_until(b'\n', buf)?;
    if read as u64 > MAX_LINE_BYTES && buf.last() != Some(&b'\n') {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!(
                "a line longer than {} MiB: not a landmark file",
                MAX_LINE_BYTES >> 20
            ),
        ));
    }
    Ok(read > 0)
}

/// [`read_jsonl`] on any reader; `shown` names it in errors.
pub fn parse_jsonl(
    mut reader: impl BufRead,
    shown: &str,
) -> Result<LandmarkFile, LandmarkFileError> {
    let shown = shown.to_string();
    let (mut width, mut height) = (0u32, 0u32);
    let mut frames = Vec::new();
    let io = |source| LandmarkFileError::Io {
        path: shown.clone(),
        source,
    };
    let mut buf = Vec::new();
    for n in 0.. {
        if !next_line(&mut reader, &mut buf).map_err(io)? {
            break;
        }
        let line = std::str::from_utf8(&buf)
            .map_err(|e| io(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))?;
        if line.trim().is_empty() {
            continue;
        }
        let parse_err = |message: String| LandmarkFileError::Parse {
            path: shown.clone(),
            line: n + 1,
            message,
        };
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| parse_err(e.to_string()))?;
        match value.get("type").and_then(|t| t.as_str()) {
            Some("header") => {
                width = value.get("width").and_then(|v| v.as_u64()).unwrap_or(0) as u32;
                height = value.get("height").and_then(|v| v.as_u64()).unwrap_or(0) as u32;
            }
            None | Some("frame") => {
                let record: FrameRecord =
                    serde_json::from_value(value).map_err(|e| parse_err(e.to_string()))?;
                frames.push(record.into_frame(width, height).map_err(parse_err)?);
            }
            Some(_) => {}
        }
    }
    if width == 0 {
        if let Some(f) = frames.first() {
            width = f.image_width;
            height = f.image_height;
        }
    }
    Ok(LandmarkFile {
        width,
        height,
        frames,
    })
}

impl fmt::Display for LandmarkIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn indices_follow_mediapipe_order() {
        for (i, lm) in LandmarkIndex::ALL.iter().enumerate() {
            assert_eq!(lm.index(), i);
        }
        assert_eq!(LandmarkIndex::LeftHip.index(), 23);
        assert_eq!(LandmarkIndex::RightFootIndex.index(), 32);
        assert_eq!(LandmarkIndex::LeftKnee.name(), "left_knee");
    }

    #[test]
    fn record_round_trips_a_frame() {
        let mut landmarks = [None; LANDMARK_COUNT];
        landmarks[25] = Some(Landmark {
            x: 10.5,
            y: 20.25,
            z: -0.1,
            visibility: 0.9,
            presence: 0.8,
        });
        let frame = PoseFrame {
            camera: Default::default(),
            index: 3,
            time_s: 0.1,
            image_width: 640,
            image_height: 480,
            pose: Some(Pose {
                landmarks,
                world: None,
            }),
        };
        let json = serde_json::to_string(&FrameRecord::from_frame(&frame)).unwrap();
        let back: FrameRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back.into_frame(0, 0).unwrap(), frame);
    }

    #[test]
    fn undetected_frame_is_kept_without_landmarks() {
        let frame = PoseFrame {
            camera: Default::default(),
            index: 0,
            time_s: 0.0,
            image_width: 1,
            image_height: 1,
            pose: None,
        };
        let json = serde_json::to_string(&FrameRecord::from_frame(&frame)).unwrap();
        assert!(json.contains("\"detected\":false"));
        let back: FrameRecord = serde_json::from_str(&json).unwrap();
        assert_eq!(back.into_frame(0, 0).unwrap(), frame);
    }
}
