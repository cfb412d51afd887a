//! The pose frames of one video, kept for the outputs written after the pose pass (frames.jsonl,
//! landmarks.trc, the annotated video, the stills). A batch spills them to a temporary file as
//! they come, in a fixed-size binary record, so memory does not grow with the video's length:
//! each frame is about 2.6 KB in memory, which an hour of video would turn into 300 MB. The
//! outputs read them back in order; values round-trip exactly (f64 as is). Plain Rust.

use std::fs::File;
use std::io::{self, BufReader, Read, Seek, Write};
use std::path::{Path, PathBuf};

use crate::landmarks::{Landmark, Pose, PoseFrame, WorldLandmark, LANDMARK_COUNT};

/// Bytes of one frame on disk: index, time, size, flags, then 33 image landmarks (a presence
/// byte and 5 f64 each) and 33 world landmarks (4 f64 each).
const RECORD_BYTES: usize =
    8 + 8 + 4 + 4 + 1 + LANDMARK_COUNT * (1 + 5 * 8) + LANDMARK_COUNT * 4 * 8;
const HAS_POSE: u8 = 1;
const HAS_WORLD: u8 = 2;

pub struct FrameStore {
    store: Store,
    len: usize,
    any_detected: bool,
}

enum Store {
    Memory(Vec<PoseFrame>),
    Spilled {
        file: tempfile::NamedTempFile,
        writer: Option<Spill>,
    },
    /// Only counted (`--landmarks` without an exercise writes each frame as it comes).
    Counted,
}

impl FrameStore {
    /// Frames held in memory (tests, and small hand-built results).
    pub fn in_memory(frames: Vec<PoseFrame>) -> FrameStore {
        FrameStore {
            len: frames.len(),
            any_detected: frames.iter().any(PoseFrame::detected),
            store: Store::Memory(frames),
        }
    }

    /// Frames written to a temporary file in `dir` (removed when the store is dropped).
    pub fn spilled(dir: &Path) -> io::Result<FrameStore> {
        let file = tempfile::Builder::new()
            .prefix(".frames-")
            .suffix(".tmp")
            .tempfile_in(dir)?;
        let writer = Some(Spill {
            out: file.reopen()?,
            pending: Vec::with_capacity(SPILL_CHUNK),
            written: 0,
        });
        Ok(FrameStore {
            store: Store::Spilled { file, writer },
            len: 0,
            any_detected: false,
        })
    }

    /// Frames only counted, not kept.
    pub fn counted() -> FrameStore {
        FrameStore {
            store: Store::Counted,
            len: 0,
            any_detected: false,
        }
    }

    /// Keeps a frame. On a spilled store an error means the disk refused the frames waiting to
    /// be written (a full disk): they are still held, and [`FrameStore::flush`] tries again once
    /// space is freed.
    pub fn push(&mut self, frame: &PoseFrame) -> io::Result<()> {
        let spill = match &mut self.store {
            Store::Memory(frames) => {
                frames.push(frame.clone());
                None
            }
            Store::Spilled {
                writer: Some(w), ..
            } => {
                w.pending.extend_from_slice(&encode(frame));
                Some(w)
            }
            Store::Spilled { writer: None, .. } => {
                return Err(io::Error::other("frames pushed after reading began"))
            }
            Store::Counted => None,
        };
        let written = match spill {
            Some(w) if w.pending.len() >= SPILL_CHUNK => w.write_pending(),
            _ => Ok(()),
        };
        self.len += 1;
        self.any_detected |= frame.detected();
        written
    }

    /// Writes the frames waiting in memory to the spill file.
    pub fn flush(&mut self) -> io::Result<()> {
        match &mut self.store {
            Store::Spilled {
                writer: Some(w), ..
            } => w.write_pending(),
            _ => Ok(()),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn any_detected(&self) -> bool {
        self.any_detected
    }

    /// Where the frames are spilled, for error messages.
    pub fn path(&self) -> Option<PathBuf> {
        match &self.store {
            Store::Spilled { file, .. } => Some(file.path().to_path_buf()),
            _ => None,
        }
    }

    /// Ends writing: the frames can be read from here on.
    pub fn finish(&mut self) -> io::Result<()> {
        self.flush()?;
        if let Store::Spilled { writer, .. } = &mut self.store {
            *writer = None;
        }
        Ok(())
    }

    /// The frames in order. A counted store has none to give.
    pub fn iter(&self) -> io::Result<Frames<'_>> {
        Ok(Frames {
            source: match &self.store {
                Store::Memory(frames) => Source::Memory(frames.iter()),
                Store::Spilled { file, writer } => {
                    if writer.is_some() {
                        return Err(io::Error::other(
                            "frames read before the store was finished",
                        ));
                    }
                    Source::Disk(BufReader::new(file.reopen()?))
                }
                Store::Counted => Source::Memory([].iter()),
            },
            left: match self.store {
                Store::Counted => 0,
                _ => self.len,
            },
        })
    }
}

/// Frames are written to the spill file in chunks of about this many bytes (25 frames).
const SPILL_CHUNK: usize = 25 * RECORD_BYTES;

/// The spill file being written. A write that fails (a full disk) is undone: the file is cut
/// back to its last whole chunk and the chunk stays pending, so the file never holds half a
/// frame and no frame is lost.
struct Spill {
    out: File,
    pending: Vec<u8>,
    written: u64,
}

impl Spill {
    fn write_pending(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        match self.out.write_all(&self.pending) {
            Ok(()) => {
                self.written += self.pending.len() as u64;
                self.pending.clear();
                Ok(())
            }
            Err(e) => {
                self.out.set_len(self.written)?;
                self.out.seek(io::SeekFrom::Start(self.written))?;
                Err(e)
            }
        }
    }
}

pub struct Frames<'a> {
    source: Source<'a>,
    left: usize,
}

enum Source<'a> {
    Memory(std::slice::Iter<'a, PoseFrame>),
    Disk(BufReader<File>),
}

impl Iterator for Frames<'_> {
    type Item = io::Result<PoseFrame>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        match &mut self.source {
            Source::Memory(it) => it.next().cloned().map(Ok),
            Source::Disk(reader) => {
                let mut record = vec![0u8; RECORD_BYTES];
                Some(reader.read_exact(&mut record).map(|()| decode(&record)))
            }
        }
    }
}

fn encode(frame: &PoseFrame) -> Vec<u8> {
    let mut out = Vec::with_capacity(RECORD_BYTES);
    out.extend_from_slice(&frame.index.to_le_bytes());
    out.extend_from_slice(&frame.time_s.to_le_bytes());
    out.extend_from_slice(&frame.image_width.to_le_bytes());
    out.extend_from_slice(&frame.image_height.to_le_bytes());
    let pose = frame.pose.as_ref();
    let world = pose.and_then(|p| p.world.as_ref());
    out.push(
        if pose.is_some() { HAS_POSE } else { 0 } | if world.is_some() { HAS_WORLD } else { 0 },
    );
    for i in 0..LANDMARK_COUNT {
        let l = pose.and_then(|p| p.landmarks[i]);
        out.push(u8::from(l.is_some()));
        let l = l.unwrap_or_default();
        for v in [l.x, l.y, l.z, l.visibility, l.presence] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    for i in 0..LANDMARK_COUNT {
        let w = world.map(|w| w[i]).unwrap_or_default();
        for v in [w.x, w.y, w.z, w.visibility] {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// The frames in a spill file's bytes (whole records only), as the reader decodes them.
pub(crate) fn decode_records(bytes: &[u8]) -> Vec<PoseFrame> {
    bytes.chunks_exact(RECORD_BYTES).map(decode).collect()
}

fn decode(record: &[u8]) -> PoseFrame {
    let mut at = 0;
    let mut take = |n: usize| {
        let bytes = &record[at..at + n];
        at += n;
        bytes
    };
    let u64_at = |b: &[u8]| u64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    let f64_at = |b: &[u8]| f64::from_le_bytes(b.try_into().unwrap_or([0; 8]));
    let u32_at = |b: &[u8]| u32::from_le_bytes(b.try_into().unwrap_or([0; 4]));
    let index = u64_at(take(8));
    let time_s = f64_at(take(8));
    let image_width = u32_at(take(4));
    let image_height = u32_at(take(4));
    let flags = take(1)[0];
    let mut landmarks = [None; LANDMARK_COUNT];
    for slot in landmarks.iter_mut() {
        let present = take(1)[0] != 0;
        let mut v = [0.0; 5];
        for x in v.iter_mut() {
            *x = f64_at(take(8));
        }
        if present {
            *slot = Some(Landmark {
                x: v[0],
                y: v[1],
                z: v[2],
                visibility: v[3],
                presence: v[4],
            });
        }
    }
    let mut world = [WorldLandmark::default(); LANDMARK_COUNT];
    for w in world.iter_mut() {
        let mut v = [0.0; 4];
        for x in v.iter_mut() {
            *x = f64_at(take(8));
        }
        *w = WorldLandmark {
            x: v[0],
            y: v[1],
            z: v[2],
            visibility: v[3],
        };
    }
    PoseFrame {
        camera: Default::default(),
        index,
        time_s,
        image_width,
        image_height,
        pose: (flags & HAS_POSE != 0).then(|| Pose {
            landmarks,
            world: (flags & HAS_WORLD != 0).then_some(world),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landmarks::LandmarkIndex;

    fn frames() -> Vec<PoseFrame> {
        let mut with_world = Pose::from_points(
            &[
                (LandmarkIndex::LeftHip, 100.25, 200.5),
                (LandmarkIndex::RightKnee, -0.0, 1e-300),
            ],
            0.875,
        );
        with_world.world = Some(std::array::from_fn(|i| WorldLandmark {
            x: i as f64 * 0.1,
            y: -(i as f64),
            z: f64::MIN_POSITIVE,
            visibility: 0.5,
        }));
        let image_only = Pose::from_points(&[(LandmarkIndex::Nose, 3.0, 4.0)], 0.25);
        [Some(with_world), None, Some(image_only)]
            .into_iter()
            .enumerate()
            .map(|(i, pose)| PoseFrame {
                camera: Default::default(),
                index: i as u64 + 7,
                time_s: i as f64 / 30.0,
                image_width: 720,
                image_height: 1280,
                pose,
            })
            .collect()
    }

    #[test]
    fn spilled_frames_come_back_exactly_and_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = FrameStore::spilled(dir.path()).unwrap();
        for f in &frames() {
            store.push(f).unwrap();
        }
        store.finish().unwrap();
        assert_eq!(store.len(), 3);
        assert!(store.any_detected());
        let spill = store.path().unwrap();
        assert_eq!(
            std::fs::metadata(&spill).unwrap().len() as usize,
            3 * RECORD_BYTES
        );
        // Read twice: each reading starts from the first frame.
        for _ in 0..2 {
            let back: Vec<PoseFrame> = store.iter().unwrap().map(Result::unwrap).collect();
            assert_eq!(back, frames());
        }
        drop(store);
        assert!(!spill.exists(), "the spill file is removed with the store");
    }

    #[test]
    fn memory_and_counted_stores() {
        let store = FrameStore::in_memory(frames());
        assert_eq!(store.iter().unwrap().count(), 3);
        let mut counted = FrameStore::counted();
        for f in &frames() {
            counted.push(f).unwrap();
        }
        assert_eq!((counted.len(), counted.any_detected()), (3, true));
        assert_eq!(counted.iter().unwrap().count(), 0);
    }

    #[test]
    fn reading_before_finishing_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = FrameStore::spilled(dir.path()).unwrap();
        store.push(&frames()[0]).unwrap();
        assert!(store.iter().is_err());
    }
}
