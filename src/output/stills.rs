//! The report's stills: each flagged rep at its worst moment, overlay drawn, taken during the one
//! decode pass. The last [`RING_FRAMES`] posed frames of reps under way wait in a ring, scaled to
//! still size and kept as JPEG (about 50 KB where the raw frame is over 1 MB), so memory stays
//! flat however long the video and whatever its size; when a rep closes with a fault,
//! its still is painted from the ring. A still whose frame has already left the ring (a rep
//! longer than the ring) is taken by a pass of its own over the video at the end.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};

use opencv::core::{Mat, Vector};
use opencv::imgcodecs;
use opencv::prelude::*;

use super::annotated::{blur_face, cv, Held};
use super::shrink::Shrink;
use super::{worst_moment, ExportError, Still, VideoResult};
use crate::draw::{self, Banner, CueKind, Overlay, RepCount};
use crate::exercise::Exercise;
use crate::geometry::FrameMeasures;
use crate::judge::Rep;
use crate::landmarks::{Pose, PoseFrame};
use crate::reps::Moment;
use crate::video::{SourceSpec, VideoSource};

/// Stills are scaled to about this width: enough to see the knee, small enough to inline.
const STILL_MAX_WIDTH: i32 = 640;
const STILL_JPEG_QUALITY: i32 = 82;
/// The ring's frames are compressed lightly: a still is painted on one and compressed again.
const RING_JPEG_QUALITY: i32 = 92;
/// Posed frames kept for stills (formcheck rule: 4 s at 30 a second covers a rep from its
/// descent to the moment it closes; about 10 MB of JPEG). Only frames of a rep under way are
/// kept: a still is never of a frame at rest.
pub const RING_FRAMES: usize = 120;

/// One posed frame waiting in the ring.
struct Kept {
    index: u64,
    time_s: f64,
    /// The frame at still size, as a JPEG.
    jpeg: Vector<u8>,
    /// How the frame was brought to still size.
    shrink: Shrink,
    pose: Option<Pose>,
    measures: Option<FrameMeasures>,
}

pub struct StillRing {
    exercise: &'static dyn Exercise,
    blur_faces: bool,
    capacity: usize,
    ring: VecDeque<Kept>,
    /// The frame at still size, before it goes into the ring.
    scratch: Mat,
    taken: Vec<Still>,
    /// Flagged reps whose still was not in the ring when they closed.
    missed: Vec<Rep>,
    /// The video, for errors.
    path: PathBuf,
}

impl StillRing {
    /// Keeps the last `capacity` posed frames ([`RING_FRAMES`] outside tests).
    pub fn new(
        exercise: &'static dyn Exercise,
        blur_faces: bool,
        capacity: usize,
        path: &Path,
    ) -> StillRing {
        let capacity = capacity.max(1);
        StillRing {
            exercise,
            blur_faces,
            capacity,
            ring: VecDeque::with_capacity(capacity),
            scratch: Mat::default(),
            taken: Vec::new(),
            missed: Vec::new(),
            path: path.to_path_buf(),
        }
    }

    /// Keeps a posed frame of a rep under way (its image before any overlay) for a still to
    /// come.
    pub fn keep(
        &mut self,
        image: &Mat,
        posed: &PoseFrame,
        measures: Option<&FrameMeasures>,
    ) -> Result<(), ExportError> {
        let shrink = still_size(image, &mut self.scratch).map_err(cv(&self.path))?;
        // The popped frame's buffer is reused.
        let mut jpeg = match self.ring.len() >= self.capacity {
            true => self.ring.pop_front().map(|k| k.jpeg).unwrap_or_default(),
            false => Vector::new(),
        };
        let params =
            Vector::<i32>::from_slice(&[imgcodecs::IMWRITE_JPEG_QUALITY, RING_JPEG_QUALITY]);
        imgcodecs::imencode(".jpg", &self.scratch, &mut jpeg, &params).map_err(cv(&self.path))?;
        self.ring.push_back(Kept {
            index: posed.index,
            time_s: posed.time_s,
            jpeg,
            shrink,
            pose: posed.pose.clone(),
            measures: measures.cloned(),
        });
        Ok(())
    }

    /// A rep has closed: a flagged rep's still is painted now, from the ring.
    pub fn rep_closed(&mut self, rep: &Rep) -> Result<(), ExportError> {
        if rep.faults().next().is_none() || self.taken.iter().any(|s| s.rep == rep.number) {
            return Ok(());
        }
        let at = worst_moment(rep).frame;
        let Some(kept) = self.ring.iter().find(|k| k.index == at) else {
            self.missed.push(rep.clone());
            return Ok(());
        };
        let mut image =
            imgcodecs::imdecode(&kept.jpeg, imgcodecs::IMREAD_COLOR).map_err(cv(&self.path))?;
        let at = Moment {
            frame: kept.index,
            time_s: kept.time_s,
        };
        let still = paint_still(
            self.exercise,
            rep,
            at,
            kept.pose.as_ref(),
            kept.measures.as_ref(),
            (&mut image, kept.shrink),
            self.blur_faces,
        )
        .map_err(|e| ExportError::format(&self.path, e))?;
        self.taken.push(still);
        Ok(())
    }

    /// The stills by rep, once every rep is known: reps that closed with the end of the video
    /// are painted from the ring too. Returns the stills and the flagged reps still without one.
    pub fn finish<'a>(
        mut self,
        reps: impl Iterator<Item = &'a Rep>,
    ) -> Result<(Vec<Still>, Vec<Rep>), ExportError> {
        for rep in reps {
            if !self.missed.iter().any(|m| m.number == rep.number) {
                self.rep_closed(rep)?;
            }
        }
        self.taken.sort_by_key(|s| s.rep);
        Ok((self.taken, self.missed))
    }
}

/// The stills of `reps` from a pass over the video of their own: for reps longer than the ring.
pub fn stills_by_pass(
    result: &VideoResult,
    reps: &[Rep],
    blur_faces: bool,
) -> Result<Vec<Still>, ExportError> {
    if reps.is_empty() {
        return Ok(Vec::new());
    }
    let video = PathBuf::from(&result.video.path);
    let mut wanted: Vec<(u64, &Rep)> = reps.iter().map(|r| (worst_moment(r).frame, r)).collect();
    wanted.sort_by_key(|w| w.0);
    let last = wanted.last().map_or(0, |w| w.0);
    let mut source = VideoSource::open(&SourceSpec::File(video.clone()))
        .map_err(|e| ExportError::format(&video, e))?;
    let mut held = Held::new(result.frames_in_order(&video)?);
    let mut taken = Vec::new();
    while let Some(frame) = source.read().map_err(|e| ExportError::format(&video, e))? {
        if frame.index > last {
            break;
        }
        if !wanted.iter().any(|w| w.0 == frame.index) {
            continue;
        }
        let Some((i, posed)) = held
            .at(frame.index)?
            .filter(|(_, p)| p.index == frame.index)
        else {
            continue;
        };
        let m = result
            .analysis
            .frames
            .get(i)
            .filter(|m| m.frame == frame.index);
        for &(_, rep) in wanted.iter().filter(|w| w.0 == frame.index) {
            let mut small = Mat::default();
            let shrink = still_size(&frame.image, &mut small).map_err(cv(&video))?;
            let at = Moment {
                frame: frame.index,
                time_s: frame.time_s,
            };
            let still = paint_still(
                result.analysis.exercise,
                rep,
                at,
                posed.pose.as_ref(),
                m,
                (&mut small, shrink),
                blur_faces,
            )
            .map_err(|e| ExportError::format(&video, e))?;
            taken.push(still);
        }
    }
    Ok(taken)
}

/// The stills of `reps` (of one camera's analysis, its `poses` and `measures`) at their worst
/// moments, from a pass over `video`: a pair's report shows both cameras' stills of a rep side by
/// side, flagged or not.
pub fn stills_at(
    video: &Path,
    exercise: &'static dyn Exercise,
    reps: &[&Rep],
    poses: &[PoseFrame],
    measures: &[FrameMeasures],
    blur_faces: bool,
) -> Result<Vec<Still>, ExportError> {
    let mut wanted: Vec<(u64, &Rep)> = reps.iter().map(|r| (worst_moment(r).frame, *r)).collect();
    wanted.sort_by_key(|w| w.0);
    let Some(last) = wanted.last().map(|w| w.0) else {
        return Ok(Vec::new());
    };
    let mut source = VideoSource::open(&SourceSpec::File(video.to_path_buf()))
        .map_err(|e| ExportError::format(video, e))?;
    let mut taken = Vec::new();
    while let Some(frame) = source.read().map_err(|e| ExportError::format(video, e))? {
        if frame.index > last {
            break;
        }
        if !wanted.iter().any(|w| w.0 == frame.index) {
            continue;
        }
        let pose = poses
            .binary_search_by_key(&frame.index, |p| p.index)
            .ok()
            .and_then(|i| poses[i].pose.as_ref());
        let m = measures
            .binary_search_by_key(&frame.index, |m| m.frame)
            .ok()
            .map(|i| &measures[i]);
        for &(_, rep) in wanted.iter().filter(|w| w.0 == frame.index) {
            let mut small = Mat::default();
            let shrink = still_size(&frame.image, &mut small).map_err(cv(video))?;
            let at = Moment {
                frame: frame.index,
                time_s: frame.time_s,
            };
            let still = paint_still(exercise, rep, at, pose, m, (&mut small, shrink), blur_faces)
                .map_err(|e| ExportError::format(video, e))?;
            taken.push(still);
        }
    }
    Ok(taken)
}

/// The still of `rep` at `at`, painted on `image` (the frame at still size, `shrink` of the
/// original, `pose` in the original's pixels): the rep's number and set, its first fault in the
/// banner, the numbers that fault concerns coloured.
fn paint_still(
    exercise: &'static dyn Exercise,
    rep: &Rep,
    at: Moment,
    pose: Option<&Pose>,
    measures: Option<&FrameMeasures>,
    (image, shrink): (&mut Mat, Shrink),
    blur_faces: bool,
) -> Result<Still, String> {
    let pose = pose.map(|p| shrink.pose(p));
    let pose = pose.as_ref();
    if blur_faces {
        if let Some(pose) = pose {
            blur_face(image, pose).map_err(|e| e.message)?;
        }
    }
    let faults: Vec<_> = rep.faults().collect();
    let numbers = draw::readouts(exercise, measures, &faults);
    let overlay = Overlay {
        pose,
        working_leg: match rep.legs.as_slice() {
            [leg] => Some(*leg),
            _ => None,
        },
        left: numbers.left,
        right: numbers.right,
        body: numbers.body,
        count: Some(RepCount {
            reps: rep.number,
            set: rep.set,
            target: None,
        }),
        banner: faults.first().map(|f| Banner {
            text: exercise.cue(f),
            kind: CueKind::Fault,
        }),
        status: None,
        perf: None,
    };
    draw::draw_overlay(image, &overlay).map_err(|e| e.to_string())?;
    let mut buf = Vector::<u8>::new();
    let params = Vector::<i32>::from_slice(&[imgcodecs::IMWRITE_JPEG_QUALITY, STILL_JPEG_QUALITY]);
    imgcodecs::imencode(".jpg", image, &mut buf, &params).map_err(|e| e.message)?;
    Ok(Still {
        rep: rep.number,
        frame: at.frame,
        time_s: at.time_s,
        jpeg: buf.to_vec(),
    })
}

/// The frame at still size into `small`, and the shrink it took: the whole factor that brings
/// it nearest [`STILL_MAX_WIDTH`] (1920 → 640, 1080 → 540).
fn still_size(image: &Mat, small: &mut Mat) -> Result<Shrink, opencv::Error> {
    let (cols, rows) = (image.cols(), image.rows());
    let factor = (f64::from(cols) / f64::from(STILL_MAX_WIDTH)).round() as i32;
    let shrink = Shrink::by(factor, cols, rows);
    shrink.apply(image, small)?;
    Ok(shrink)
}
