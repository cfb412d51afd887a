//! The capture thread's view of a real source: a camera, an RTSP/HTTP stream, or a recording (a
//! file, or a URL naming one) played at its real rate as if it were a camera. A recording ends
//! with its last frame; only live streams are reconnected. Frames are stamped on one session clock that keeps
//! running across reconnects, so rep times stay in order after a stream comes back.

use std::time::{Duration, Instant};

use crate::video::{SourceSpec, VideoSource};

use super::capture::{Feed, FeedRead};

pub struct SourceFeed {
    spec: SourceSpec,
    source: Option<VideoSource>,
    /// A recording with an end: played at its own rate, and its end is the session's.
    finite: bool,
    /// The session clock's zero.
    started: Instant,
    /// For files: the wall-clock instant of media time zero, so frames come out at their real rate.
    file_epoch: Option<Instant>,
}

impl SourceFeed {
    /// Wraps a source already opened (so a bad source fails before the session starts).
    pub fn new(source: VideoSource) -> SourceFeed {
        SourceFeed::on_clock(source, Instant::now())
    }

    /// Stamps a stream's frames on a clock shared with another source (two cameras of one set).
    pub fn on_clock(source: VideoSource, started: Instant) -> SourceFeed {
        SourceFeed {
            spec: source.spec().clone(),
            finite: source.info().finite,
            source: Some(source),
            started,
            file_epoch: None,
        }
    }
}

impl Feed for SourceFeed {
    fn read(&mut self) -> FeedRead {
        let Some(source) = self.source.as_mut() else {
            return FeedRead::Lost("not connected".into());
        };
        match source.read() {
            Ok(Some(frame)) => {
                let time_s = if self.finite {
                    // Wait until the frame's own time: a file plays like a camera would.
                    let epoch = *self.file_epoch.get_or_insert_with(Instant::now);
                    let due = epoch + Duration::from_secs_f64(frame.time_s.max(0.0));
                    let now = Instant::now();
                    if due > now {
                        std::thread::sleep(due - now);
                    }
                    frame.time_s
                } else {
                    self.started.elapsed().as_secs_f64()
                };
                FeedRead::Frame {
                    image: frame.image,
                    time_s,
                }
            }
            Ok(None) if self.finite => FeedRead::Ended,
            Ok(None) => {
                self.source = None;
                FeedRead::Lost("the stream stopped sending frames".into())
            }
            // A damaged tail of a recording is its end: what was read is kept.
            Err(_) if self.finite => FeedRead::Ended,
            Err(e) => {
                self.source = None;
                FeedRead::Lost(e.to_string())
            }
        }
    }

    fn reconnect(&mut self) -> Result<(), String> {
        let source = VideoSource::open(&self.spec).map_err(|e| e.to_string())?;
        self.source = Some(source);
        Ok(())
    }

    fn describe(&self) -> String {
        self.spec.describe()
    }
}
