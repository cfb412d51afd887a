//! `frames.jsonl`: one JSON line a frame, with geometry's `measures`, in MediaPipe's reference shape (see
//! [`crate::landmarks`]) so `read_jsonl` and other tools read it back. A header line comes first.
//!
//! Also the `--landmarks FILE` log: the same frame lines (without measures or header), written
//! and flushed as each frame is computed rather than atomically, so a video that breaks mid-way
//! keeps every frame that was done.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use serde::Serialize;

use super::{atomic, ExportError, Exporter, VideoFacts, VideoResult};
use crate::geometry::FrameMeasures;
use crate::landmarks::{FrameRecord, LandmarkIndex, PoseFrame};

/// The first line: what the frames are, as in MediaPipe's reference files.
#[derive(Serialize)]
struct Header<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    producer: String,
    source: &'a str,
    width: u32,
    height: u32,
    fps: Option<f64>,
    landmark_names: Vec<&'static str>,
}

fn header_line(video: &VideoFacts) -> String {
    let header = Header {
        kind: "header",
        producer: format!("formcheck {}", env!("CARGO_PKG_VERSION")),
        source: &video.path,
        width: video.width,
        height: video.height,
        fps: video.fps,
        landmark_names: LandmarkIndex::ALL.iter().map(|l| l.name()).collect(),
    };
    // Serialising plain structs of strings and numbers cannot fail.
    serde_json::to_string(&header).unwrap_or_default()
}

fn frame_line(frame: &PoseFrame) -> String {
    serde_json::to_string(&FrameRecord::from_frame(frame)).unwrap_or_default()
}

/// A frames.jsonl line: the landmark record, plus what geometry measured on it.
#[derive(Serialize)]
struct MeasuredLine<'a> {
    #[serde(flatten)]
    record: FrameRecord,
    measures: Option<&'a FrameMeasures>,
}

pub struct JsonlExporter;

impl Exporter for JsonlExporter {
    fn file_name(&self) -> &'static str {
        "frames.jsonl"
    }

    fn export(&self, result: &VideoResult, dest: &Path) -> Result<(), ExportError> {
        let mut file = atomic::AtomicFile::create(dest)?;
        file.write_all(header_line(result.video).as_bytes())?;
        file.write_all(b"\n")?;
        for (i, frame) in result.frames_in_order(dest)?.enumerate() {
            let frame = frame?;
            let line = MeasuredLine {
                record: FrameRecord::from_frame(&frame),
                // The analyser saw every frame in order; the index check guards that.
                measures: result
                    .analysis
                    .frames
                    .get(i)
                    .filter(|m| m.frame == frame.index),
            };
            let text = serde_json::to_string(&line).map_err(|e| ExportError::format(dest, e))?;
            file.write_all(text.as_bytes())?;
            file.write_all(b"\n")?;
        }
        file.commit()
    }
}

/// The `--landmarks` log, written as frames come.
pub struct LandmarkLog {
    path: PathBuf,
    writer: BufWriter<File>,
}

impl LandmarkLog {
    pub fn create(path: &Path) -> Result<Self, ExportError> {
        let file = File::create(path).map_err(|e| ExportError::io(path, e))?;
        // No header line: every line is a frame (each carries the image size), so `wc -l`
        // counts frames and a log cut short is still well-formed.
        Ok(LandmarkLog {
            path: path.to_path_buf(),
            writer: BufWriter::new(file),
        })
    }

    pub fn push(&mut self, frame: &PoseFrame) -> Result<(), ExportError> {
        self.line(&frame_line(frame))
    }

    fn line(&mut self, line: &str) -> Result<(), ExportError> {
        // Flushed every line: a crash loses at most the frame being computed.
        writeln!(self.writer, "{line}")
            .and_then(|()| self.writer.flush())
            .map_err(|e| ExportError::io(&self.path, e))
    }
}
