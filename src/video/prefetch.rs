//! Decoding ahead of inference: a thread reads frames from a recorded source into a small bounded
//! queue, so decoding the next frame overlaps running the models on this one. The bound keeps
//! memory flat whatever the video's length. (Live sources want the opposite — the newest frame,
//! never a queue — and use the live capture thread instead.)

use std::sync::mpsc::{self, Receiver};
use std::thread::JoinHandle;

use super::{VideoError, VideoFrame, VideoInfo, VideoSource};

/// Frames decoded ahead: two is enough to hide decode behind inference, and bounds memory.
pub const PREFETCH_DEPTH: usize = 2;

pub struct Prefetcher {
    info: VideoInfo,
    frames: Option<Receiver<Result<VideoFrame, VideoError>>>,
    worker: Option<JoinHandle<()>>,
}

impl Prefetcher {
    /// Starts decoding `source` on its own thread.
    pub fn spawn(mut source: VideoSource) -> Prefetcher {
        let info = source.info().clone();
        let (tx, rx) = mpsc::sync_channel(PREFETCH_DEPTH);
        let worker = std::thread::Builder::new()
            .name("formcheck-decode".into())
            .spawn(move || loop {
                let item = source.read();
                let last = !matches!(item, Ok(Some(_)));
                let sent = match item {
                    Ok(Some(frame)) => tx.send(Ok(frame)),
                    Ok(None) => break,
                    Err(e) => tx.send(Err(e)),
                };
                // A closed receiver means the consumer stopped early: stop decoding too.
                if sent.is_err() || last {
                    break;
                }
            })
            .ok();
        Prefetcher {
            info,
            frames: Some(rx),
            worker,
        }
    }

    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    /// The next frame, `None` at the end; a decode error ends the stream after it is returned.
    pub fn read(&mut self) -> Result<Option<VideoFrame>, VideoError> {
        match self.frames.as_ref().map(|rx| rx.recv()) {
            Some(Ok(Ok(frame))) => Ok(Some(frame)),
            Some(Ok(Err(e))) => Err(e),
            // The worker finished (end of video) or could not start.
            Some(Err(_)) | None => Ok(None),
        }
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
    }

    #[test]
    fn dropping_early_stops_the_decoder() {
        let mut ahead = Prefetcher::spawn(VideoSource::open(&sample()).unwrap());
        assert!(ahead.read().unwrap().is_some());
        drop(ahead); // must not hang
    }
}
