//! The capture thread: reads frames as fast as the source gives them and keeps only the newest
//! one for the analysis loop. A frame the loop has not taken by the time the next one arrives is
//! dropped, never queued: feedback on an old frame is worse than none. The thread also records the
//! raw video (every frame, dropped or not) and reconnects lost streams with backoff.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use opencv::core::Mat;

use super::record::{RecordError, Recorder};

/// What a feed hands the capture thread on each read.
pub enum FeedRead {
    /// A frame and its time in seconds on the session clock (monotonic across reconnects).
    Frame { image: Mat, time_s: f64 },
    /// The source has no more frames: the end of a file.
    Ended,
    /// The source stopped giving frames but may come back (a dropped stream, an unplugged camera).
    Lost(String),
}

/// A source of frames the capture thread can drive: a camera, a stream, a file played at its
/// real rate, or the benchmark's replay.
pub trait Feed: Send {
    fn read(&mut self) -> FeedRead;
    /// Tries once to open the source again after [`FeedRead::Lost`].
    fn reconnect(&mut self) -> Result<(), String>;
    /// A short name for messages.
    fn describe(&self) -> String;
}

/// A frame as the analysis loop receives it.
pub struct CapturedFrame {
    /// 0-based count of frames captured this session, across reconnects; gaps are dropped frames.
    pub index: u64,
    pub time_s: f64,
    /// When the frame left the decoder: the start of the frame-to-cue latency.
    pub captured_at: Instant,
    pub image: Mat,
}

/// Things the loop should tell the user about.
#[derive(Debug, Clone, PartialEq)]
pub enum CaptureEvent {
    Lost {
        reason: String,
        retry_in: Duration,
    },
    RetryFailed {
        attempt: u32,
        message: String,
        retry_in: Duration,
    },
    Reconnected {
        after: Duration,
    },
    RecordFailed(String),
}

/// Why the capture ended.
#[derive(Debug, Clone, PartialEq)]
pub enum CaptureEnd {
    EndOfFile,
    /// Reconnecting failed for longer than the give-up time.
    GaveUp {
        source: String,
        after: Duration,
    },
    Stopped,
}

pub enum Next {
    Frame(CapturedFrame),
    Event(CaptureEvent),
    Ended(CaptureEnd),
    /// Nothing arrived within the wait.
    Idle,
}

/// Reconnect timing: first retry after `first`, doubling up to `max`, giving up after `give_up`
/// without a frame.
#[derive(Debug, Clone, Copy)]
pub struct Backoff {
    pub first: Duration,
    pub max: Duration,
    pub give_up: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            first: Duration::from_millis(500),
            max: Duration::from_secs(8),
            give_up: Duration::from_secs(30),
        }
    }
}

impl Backoff {
    /// The delays before successive attempts: first, 2×first, 4×first … capped at max.
    pub fn delay(&self, attempt: u32) -> Duration {
        let factor = 1u32.checked_shl(attempt.min(16)).unwrap_or(u32::MAX);
        self.first.saturating_mul(factor).min(self.max)
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CaptureStats {
    pub captured: u64,
    pub dropped: u64,
    pub reconnects: u32,
}

impl std::ops::AddAssign for CaptureStats {
    /// A session with several sources (a recording per exercise) counts them all.
    fn add_assign(&mut self, other: CaptureStats) {
        self.captured += other.captured;
        self.dropped += other.dropped;
        self.reconnects += other.reconnects;
    }
}

#[derive(Default)]
struct Slot {
    newest: Option<CapturedFrame>,
    events: VecDeque<CaptureEvent>,
    /// The waiting frame came before the queued events (the last frame before a stream drop).
    frame_first: bool,
    end: Option<CaptureEnd>,
    stats: CaptureStats,
    /// Why `--record` failed, if it did: the session goes on, but its exit says so.
    record_error: Option<RecordError>,
}

struct Shared {
    slot: Mutex<Slot>,
    ready: Condvar,
    stop: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, Slot> {
        // A panic in the other thread must not hide the frames and events already there.
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn event(&self, event: CaptureEvent) {
        let mut slot = self.lock();
        if slot.events.is_empty() && slot.newest.is_some() {
            slot.frame_first = true;
        }
        slot.events.push_back(event);
        drop(slot);
        self.ready.notify_one();
    }

    fn frame(&self, frame: CapturedFrame) {
        let mut slot = self.lock();
        slot.stats.captured += 1;
        if slot.newest.replace(frame).is_some() {
            slot.stats.dropped += 1;
        }
        // This frame came after whatever events are queued.
        slot.frame_first = false;
        drop(slot);
        self.ready.notify_one();
    }

    /// Sleeps up to `d`, waking early when asked to stop. Returns false when stopping.
    fn sleep(&self, d: Duration) -> bool {
        let until = Instant::now() + d;
        while !self.stop.load(Ordering::Relaxed) {
            let now = Instant::now();
            if now >= until {
                return true;
            }
            std::thread::sleep((until - now).min(Duration::from_millis(50)));
        }
        false
    }
}

pub struct Capture {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Capture {
    pub fn start(feed: Box<dyn Feed>, recorder: Option<Recorder>, backoff: Backoff) -> Capture {
        let shared = Arc::new(Shared {
            slot: Mutex::new(Slot::default()),
            ready: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let inner = Arc::clone(&shared);
        let thread = std::thread::Builder::new()
            .name("formcheck-capture".into())
            .spawn(move || capture_loop(&inner, feed, recorder, backoff));
        match thread {
            Ok(handle) => Capture {
                shared,
                thread: Some(handle),
            },
            Err(e) => {
                shared.lock().end = Some(CaptureEnd::GaveUp {
                    source: format!("capture thread: {e}"),
                    after: Duration::ZERO,
                });
                Capture {
                    shared,
                    thread: None,
                }
            }
        }
    }

    /// Events and the newest frame in the order they came, then the end; waits up to `wait`.
    pub fn next(&self, wait: Duration) -> Next {
        let deadline = Instant::now() + wait;
        let mut slot = self.shared.lock();
        loop {
            if std::mem::take(&mut slot.frame_first) {
                if let Some(frame) = slot.newest.take() {
                    return Next::Frame(frame);
                }
            }
            if let Some(event) = slot.events.pop_front() {
                return Next::Event(event);
            }
            if let Some(frame) = slot.newest.take() {
                return Next::Frame(frame);
            }
            if let Some(end) = &slot.end {
                return Next::Ended(end.clone());
            }
            let now = Instant::now();
            if now >= deadline {
                return Next::Idle;
            }
            slot = match self.shared.ready.wait_timeout(slot, deadline - now) {
                Ok((guard, _)) => guard,
                Err(p) => p.into_inner().0,
            };
        }
    }

    /// Stops the thread, finishes the recording, and returns the final counts and whether the
    /// recording failed.
    pub fn stop(mut self) -> (CaptureStats, Option<RecordError>) {
        self.shutdown();
        let mut slot = self.shared.lock();
        (slot.stats, slot.record_error.take())
    }

    fn shutdown(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(handle) = self.thread.take() {
            // The thread only blocks inside a read, which the source's own timeout bounds.
            let _ = handle.join();
        }
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        self.shutdown();
    }
}

fn capture_loop(
    shared: &Shared,
    mut feed: Box<dyn Feed>,
    mut recorder: Option<Recorder>,
    backoff: Backoff,
) {
    let mut index = 0u64;
    let end = loop {
        if shared.stop.load(Ordering::Relaxed) {
            break CaptureEnd::Stopped;
        }
        match feed.read() {
            FeedRead::Frame { image, time_s } => {
                let captured_at = Instant::now();
                if let Some(rec) = recorder.as_mut() {
                    if let Err(e) = rec.write(&image) {
                        // Keep going without the recording: the session matters more.
                        shared.event(CaptureEvent::RecordFailed(e.to_string()));
                        shared.lock().record_error = Some(e);
                        recorder = None;
                    }
                }
                let frame = CapturedFrame {
                    index,
                    time_s,
                    captured_at,
                    image,
                };
                index += 1;
                shared.frame(frame);
            }
            FeedRead::Ended => break CaptureEnd::EndOfFile,
            FeedRead::Lost(reason) => match reconnect(shared, feed.as_mut(), reason, backoff) {
                Some(end) => break end,
                None => shared.lock().stats.reconnects += 1,
            },
        }
    };
    if let Some(rec) = recorder.take() {
        if let Err(e) = rec.finish() {
            shared.lock().record_error = Some(e);
        }
    }
    shared.lock().end = Some(end);
    shared.ready.notify_one();
}

/// Retries with backoff until the feed is back (`None`) or it is time to give up.
fn reconnect(
    shared: &Shared,
    feed: &mut dyn Feed,
    reason: String,
    backoff: Backoff,
) -> Option<CaptureEnd> {
    let lost_at = Instant::now();
    let mut attempt = 0u32;
    shared.event(CaptureEvent::Lost {
        reason,
        retry_in: backoff.delay(0),
    });
    loop {
        if !shared.sleep(backoff.delay(attempt)) {
            return Some(CaptureEnd::Stopped);
        }
        attempt += 1;
        match feed.reconnect() {
            Ok(()) => {
                shared.event(CaptureEvent::Reconnected {
                    after: lost_at.elapsed(),
                });
                return None;
            }
            Err(message) => {
                if lost_at.elapsed() >= backoff.give_up {
                    return Some(CaptureEnd::GaveUp {
                        source: feed.describe(),
                        after: lost_at.elapsed(),
                    });
                }
                shared.event(CaptureEvent::RetryFailed {
                    attempt,
                    message,
                    retry_in: backoff.delay(attempt),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opencv::core::{Scalar, CV_8UC3};

    /// A feed that scripts what the source does: frames at a rate, a drop, failed reconnects.
    struct Scripted {
        reads: VecDeque<FeedRead>,
        reconnect_failures: u32,
        period: Duration,
    }

    fn frame(v: f64) -> FeedRead {
        FeedRead::Frame {
            image: Mat::new_rows_cols_with_default(4, 4, CV_8UC3, Scalar::all(v)).unwrap(),
            time_s: v,
        }
    }

    impl Feed for Scripted {
        fn read(&mut self) -> FeedRead {
            std::thread::sleep(self.period);
            self.reads.pop_front().unwrap_or(FeedRead::Ended)
        }
        fn reconnect(&mut self) -> Result<(), String> {
            if self.reconnect_failures > 0 {
                self.reconnect_failures -= 1;
                Err("connection refused".into())
            } else {
                Ok(())
            }
        }
        fn describe(&self) -> String {
            "scripted".into()
        }
    }

    fn fast_backoff() -> Backoff {
        Backoff {
            first: Duration::from_millis(5),
            max: Duration::from_millis(20),
            give_up: Duration::from_secs(5),
        }
    }

    #[test]
    fn a_slow_consumer_gets_the_newest_frame_and_the_rest_are_dropped() {
        let feed = Scripted {
            reads: (0..10).map(|i| frame(i as f64)).collect(),
            reconnect_failures: 0,
            period: Duration::from_millis(2),
        };
        let capture = Capture::start(Box::new(feed), None, fast_backoff());
        // Wait for the feed to finish before taking anything.
        std::thread::sleep(Duration::from_millis(200));
        match capture.next(Duration::from_secs(1)) {
            Next::Frame(f) => {
                assert_eq!(f.index, 9);
                assert_eq!(f.time_s, 9.0);
            }
            _ => panic!("expected the newest frame"),
        }
        assert!(matches!(
            capture.next(Duration::from_secs(1)),
            Next::Ended(CaptureEnd::EndOfFile)
        ));
        let (stats, _) = capture.stop();
        assert_eq!(stats.captured, 10);
        assert_eq!(stats.dropped, 9);
    }

    #[test]
    fn a_lost_stream_is_retried_with_backoff_and_frames_resume() {
        let mut reads: VecDeque<FeedRead> = VecDeque::new();
        reads.push_back(frame(1.0));
        reads.push_back(FeedRead::Lost("server closed".into()));
        reads.push_back(frame(2.0));
        let feed = Scripted {
            reads,
            reconnect_failures: 2,
            period: Duration::from_millis(1),
        };
        let capture = Capture::start(Box::new(feed), None, fast_backoff());
        let mut seen = Vec::new();
        loop {
            match capture.next(Duration::from_secs(2)) {
                Next::Frame(f) => seen.push(format!("frame {}", f.time_s)),
                Next::Event(CaptureEvent::Lost { .. }) => seen.push("lost".into()),
                Next::Event(CaptureEvent::RetryFailed { attempt, .. }) => {
                    seen.push(format!("retry {attempt}"))
                }
                Next::Event(CaptureEvent::Reconnected { .. }) => seen.push("back".into()),
                Next::Event(e) => panic!("unexpected {e:?}"),
                Next::Ended(_) => break,
                Next::Idle => panic!("stalled"),
            }
        }
        assert_eq!(
            seen,
            ["frame 1", "lost", "retry 1", "retry 2", "back", "frame 2"]
        );
        assert_eq!(capture.stop().0.reconnects, 1);
    }

    #[test]
    fn the_last_frame_before_a_drop_comes_before_the_drop_event() {
        // Regression: events jumped ahead of a waiting frame, so a slow consumer saw "lost"
        // before the frame captured just before it (a flaky test under load).
        let shared = Arc::new(Shared {
            slot: Mutex::new(Slot::default()),
            ready: Condvar::new(),
            stop: AtomicBool::new(false),
        });
        let capture = Capture {
            shared: Arc::clone(&shared),
            thread: None,
        };
        let captured = |index: u64| CapturedFrame {
            index,
            time_s: index as f64,
            captured_at: Instant::now(),
            image: opencv::core::Mat::default(),
        };
        shared.frame(captured(1));
        shared.event(CaptureEvent::Lost {
            reason: "server closed".into(),
            retry_in: Duration::ZERO,
        });
        shared.frame(captured(2));
        let order: Vec<String> = (0..3)
            .map(|_| match capture.next(Duration::from_millis(10)) {
                Next::Frame(f) => format!("frame {}", f.index),
                Next::Event(CaptureEvent::Lost { .. }) => "lost".into(),
                _ => "other".into(),
            })
            .collect();
        // Frame 2 came after the event; frame 1, older, gave way to it.
        assert_eq!(order, ["lost", "frame 2", "other"]);
        shared.frame(captured(3));
        shared.event(CaptureEvent::Lost {
            reason: "again".into(),
            retry_in: Duration::ZERO,
        });
        let first = capture.next(Duration::from_millis(10));
        assert!(matches!(first, Next::Frame(ref f) if f.index == 3));
    }

    #[test]
    fn gives_up_after_the_give_up_time() {
        let feed = Scripted {
            reads: [FeedRead::Lost("gone".into())].into_iter().collect(),
            reconnect_failures: u32::MAX,
            period: Duration::ZERO,
        };
        let backoff = Backoff {
            give_up: Duration::from_millis(60),
            ..fast_backoff()
        };
        let capture = Capture::start(Box::new(feed), None, backoff);
        let end = loop {
            if let Next::Ended(end) = capture.next(Duration::from_secs(2)) {
                break end;
            }
        };
        assert!(matches!(end, CaptureEnd::GaveUp { .. }), "{end:?}");
    }

    #[test]
    fn backoff_doubles_and_caps() {
        let b = Backoff {
            first: Duration::from_millis(500),
            max: Duration::from_secs(8),
            give_up: Duration::from_secs(60),
        };
        let delays: Vec<u64> = (0..7).map(|a| b.delay(a).as_millis() as u64).collect();
        assert_eq!(delays, [500, 1000, 2000, 4000, 8000, 8000, 8000]);
        assert_eq!(b.delay(u32::MAX), Duration::from_secs(8));
    }
}
