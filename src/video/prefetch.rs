//! Decoding ahead of inference: a thread reads frames from a recorded source into a small bounded
//! queue, so decoding the next frame overlaps running the models on this one. The bound keeps
//! memory flat whatever the video's length. (Live sources want the opposite — the newest frame,
//! never a queue — and use the live capture thread instead.)

use std::sync::mpsc::{self, Receiver};
use std::thread::JoinHandle;

use super::{Truncation, VideoError, VideoFrame, VideoInfo, VideoSource};

/// Frames decoded ahead: two is enough to hide decode behind inference, and bounds memory.
pub const PREFETCH_DEPTH: usize = 2;

pub struct Prefetcher {
    info: VideoInfo,
    frames: Option<Receiver<Decoded>>,
    worker: Option<JoinHandle<()>>,
    /// How the video ended, once it has.
    ending: Option<Ending>,
}

/// What the decode thread hands over: a frame, a failure, or the end. The end is said out loud,
/// so a thread that dies (or never starts) is an error, not a short video.
enum Decoded {
    Frame(VideoFrame),
    Failed(VideoError),
    End(Option<Truncation>),
}

/// How decoding ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ending {
    /// The last frame the container declares.
    Whole,
    /// Before it: the file is cut short.
    Truncated(Truncation),
}

impl Prefetcher {
    /// Starts decoding `source` on its own thread.
    pub fn spawn(mut source: VideoSource) -> Prefetcher {
        let info = source.info().clone();
        let (tx, rx) = mpsc::sync_channel(PREFETCH_DEPTH);
        let worker = std::thread::Builder::new()
            .name("formcheck-decode".into())
            .spawn(move || loop {
                let (item, last) = match source.read() {
                    Ok(Some(frame)) => (Decoded::Frame(frame), false),
                    Ok(None) => (Decoded::End(source.truncation()), true),
                    Err(e) => (Decoded::Failed(e), true),
                };
                // A closed receiver means the consumer stopped early: stop decoding too.
                if tx.send(item).is_err() || last {
                    break;
                }
            })
            .ok();
        Prefetcher {
            info,
            frames: Some(rx),
            worker,
            ending: None,
        }
    }

    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    /// The next frame, `None` at the end; a decode error ends the stream after it is returned.
    pub fn read(&mut self) -> Result<Option<VideoFrame>, VideoError> {
        if self.ending.is_some() {
            return Ok(None);
        }
        match self.frames.as_ref().map(|rx| rx.recv()) {
            Some(Ok(Decoded::Frame(frame))) => Ok(Some(frame)),
            Some(Ok(Decoded::Failed(e))) => Err(e),
            Some(Ok(Decoded::End(truncation))) => {
                self.ending = Some(match truncation {
                    Some(t) => Ending::Truncated(t),
                    None => Ending::Whole,
                });
                Ok(None)
            }
            // The thread is gone without saying the video ended: a crash, not an end.
            Some(Err(_)) | None => Err(VideoError::Read {
                source_name: self.info.source.clone(),
                message: "the decoding thread stopped unexpectedly".into(),
            }),
        }
    }

    /// How the video ended; `None` while frames are still coming (or after an error).
    pub fn ending(&self) -> Option<Ending> {
        self.ending
    }
}

impl Drop for Prefetcher {
    fn drop(&mut self) {
        // Dropping the receiver first unblocks a worker waiting to send.
        self.frames.take();
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::video::SourceSpec;
    use opencv::prelude::MatTraitConst;

    fn sample() -> SourceSpec {
        SourceSpec::File(std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/samples/tfjs_pose_squats.mp4"
        )))
    }

    #[test]
    fn prefetched_frames_match_direct_decoding() {
        let mut direct = VideoSource::open(&sample()).unwrap();
        let mut ahead = Prefetcher::spawn(VideoSource::open(&sample()).unwrap());
        let mut n = 0;
        loop {
            let (a, b) = (direct.read().unwrap(), ahead.read().unwrap());
            match (a, b) {
                (None, None) => break,
                (Some(a), Some(b)) => {
                    assert_eq!(a.index, b.index);
                    assert_eq!(a.time_s, b.time_s);
                    assert_eq!(a.image.size().unwrap(), b.image.size().unwrap());
                    n += 1;
                }
                (a, b) => panic!("streams differ: {} vs {}", a.is_some(), b.is_some()),
            }
        }
        assert_eq!(n, 65);
        assert_eq!(ahead.ending(), Some(Ending::Whole));
    }

    #[test]
    fn a_decode_thread_that_dies_is_an_error_not_the_end_of_the_video() {
        let source = VideoSource::open(&sample()).unwrap();
        let (tx, rx) = mpsc::sync_channel(1);
        drop(tx); // as when the thread panics before saying the video ended
        let mut ahead = Prefetcher {
            info: source.info().clone(),
            frames: Some(rx),
            worker: None,
            ending: None,
        };
        let Err(err) = ahead.read() else {
            panic!("a dead decode thread read as a frame or the end");
        };
        let err = err.to_string();
        assert!(err.contains("decoding thread stopped"), "{err}");
        assert_eq!(ahead.ending(), None);
    }

    #[test]
    fn dropping_early_stops_the_decoder() {
        let mut ahead = Prefetcher::spawn(VideoSource::open(&sample()).unwrap());
        assert!(ahead.read().unwrap().is_some());
        drop(ahead); // must not hang
    }
}
