//! Reps stage: turns a per-frame rep signal into segments (one movement away from rest and
//! back). The [`Segmenter`] is streaming (one frame in, at most one finished segment out) so
//! live mode can report a rep the moment it ends; batch runs the same code. The judge turns
//! segments into judged reps; nothing here reads the judge.

mod segment;

pub use segment::{
    Current, Direction, Incomplete, Phase, Segment, SegmentParams, Segmenter, COMPLETE_FRACTION,
};

use serde::Serialize;

/// A point in the video: frame index and presentation time.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Moment {
    pub frame: u64,
    pub time_s: f64,
}
