//! The capture thread's view of a real source: a camera, an RTSP/HTTP stream, or a file played
//! at its real rate as if it were a camera. Frames are stamped on one session clock that keeps
//! running across reconnects, so rep times stay in order after a stream comes back.

use std::time::{Duration, Instant};

use crate::video::{SourceSpec, VideoSource};

use super::capture::{Feed, FeedRead};

/// FFmpeg's defaults probe a stream for up to 5 s before the first frame (as long as OpenCV's
/// open timeout, so a slow stream fails to reconnect), and print their own log lines beside
/// formcheck's one-line messages. A user's own settings in these variables win.
const FFMPEG_ENV: [(&str, &str); 2] = [
    (
        "OPENCV_FFMPEG_CAPTURE_OPTIONS",
        "analyzeduration;1000000|probesize;1000000",
    ),
    // AV_LOG_QUIET: formcheck reports every failure itself.
    ("OPENCV_FFMPEG_LOGLEVEL", "-8"),
];

/// Sets [`FFMPEG_ENV`] where unset. Call before any other thread starts: the environment is
/// process-wide and not safe to change while other threads read it.
pub fn prepare_ffmpeg_env() {
    for (key, value) in FFMPEG_ENV {
        if std::env::var_os(key).is_none() {
            std::env::set_var(key, value);
        }
    }
}

pub struct SourceFeed {
    spec: SourceSpec,
    source: Option<VideoSource>,
    /// The session clock's zero.
    started: Instant,
    /// For files: the wall-clock instant of media time zero, so frames come out at their real rate.
    file_epoch: Option<Instant>,
}

impl SourceFeed {
    /// Wraps a source already opened (so a bad source fails before the session starts).
    pub fn new(source: VideoSource) -> SourceFeed {
        SourceFeed {
            spec: source.spec().clone(),
            source: Some(source),
            started: Instant::now(),
            file_epoch: None,
        }
    }

    fn is_file(&self) -> bool {
        matches!(self.spec, SourceSpec::File(_))
    }
}

impl Feed for SourceFeed {
    fn read(&mut self) -> FeedRead {
        let Some(source) = self.source.as_mut() else {
            return FeedRead::Lost("not connected".into());
        };
        match source.read() {
            Ok(Some(frame)) => {
                let time_s = if self.is_file() {
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
            Ok(None) if self.is_file() => FeedRead::Ended,
            Ok(None) => {
                self.source = None;
                FeedRead::Lost("the stream stopped sending frames".into())
            }
            // A damaged tail of a file is its end: what was read is kept.
            Err(_) if self.is_file() => FeedRead::Ended,
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
