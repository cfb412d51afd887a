//! The live loop: the stages wired together, one frame at a time. capture (newest frame only) →
//! pose → coaching (one exercise, or the programme above it) → outputs (log, history, voice,
//! terminal) and the window. Each stage is one method here; keys and the source's end go to the
//! coaching, which says what happens next, so a programme is never a branch in this loop.

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use opencv::core::{Mat, Vector};
use opencv::imgcodecs;
use opencv::prelude::*;
use serde::Serialize;

use crate::draw::{self, Banner, Overlay, Perf};
use crate::landmarks::PoseFrame;
use crate::pose::PoseEstimator;
use crate::stats::{median, percentile};
use crate::video::{SourceSpec, VideoFrame};

use super::capture::Backoff;
use super::capture::{Capture, CaptureEnd, CaptureEvent, CaptureStats, CapturedFrame, Next};
use super::coach::CoachView;
use super::coach::Tally;
use super::coaching::{Ask, Coaching};
use super::guide::Next as Then;
use super::outputs::Outputs;
use super::record::RecordError;
use super::window::{Key, Window};
use super::LiveError;

/// How the session ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    Key,
    /// SIGINT.
    CtrlC,
    /// SIGTERM (`kill`, a service manager stopping it).
    Terminated,
    /// SIGHUP (the terminal closed).
    HungUp,
    WindowClosed,
    StreamEnded,
    StreamLost,
    /// A guided session reached the end of its programme (or of its last recording).
    ProgrammeDone,
    /// A failure stopped the session (its message is in the summary and on the terminal).
    Error,
}

impl EndReason {
    pub(crate) fn describe(&self) -> &'static str {
        match self {
            EndReason::Key => "stopped with a key",
            EndReason::CtrlC => "stopped with Ctrl-C",
            EndReason::Terminated => "stopped by SIGTERM",
            EndReason::HungUp => "stopped by SIGHUP (terminal closed)",
            EndReason::WindowClosed => "window closed",
            EndReason::StreamEnded => "the video ended",
            EndReason::StreamLost => "the stream did not come back",
            EndReason::ProgrammeDone => "the programme is done",
            EndReason::Error => "stopped by an error",
        }
    }
}

/// What a session did; also what `bench --live` reports from.
#[derive(Debug, Clone)]
pub struct LiveOutcome {
    pub end: EndReason,
    pub tally: Tally,
    pub capture: CaptureStats,
    pub processed: u64,
    pub duration_s: f64,
    /// Frame-to-cue latency of every processed frame, ms.
    pub latency_ms: Vec<f64>,
    /// Time spent on each processed frame from taking it to showing it, ms.
    pub work_ms: Vec<f64>,
    /// The same, split by stage, ms a frame.
    pub pose_ms: Vec<f64>,
    pub analysis_ms: Vec<f64>,
    pub draw_ms: Vec<f64>,
}

impl EndReason {
    /// The process's exit code: 128 + the signal for a signal, as shells report it (130 for
    /// Ctrl-C, 143 for SIGTERM, 129 for SIGHUP); 0 for every ordinary end.
    pub fn exit_code(&self) -> u8 {
        match self {
            EndReason::CtrlC => 128 + signal_hook::consts::SIGINT as u8,
            EndReason::Terminated => 128 + signal_hook::consts::SIGTERM as u8,
            EndReason::HungUp => 128 + signal_hook::consts::SIGHUP as u8,
            _ => 0,
        }
    }

    pub(crate) fn from_signal(signal: usize) -> EndReason {
        match signal as i32 {
            signal_hook::consts::SIGTERM => EndReason::Terminated,
            signal_hook::consts::SIGHUP => EndReason::HungUp,
            _ => EndReason::CtrlC,
        }
    }
}

pub(crate) struct Options {
    pub window: bool,
    /// Draw the overlay even without a window (the bench counts its cost).
    pub draw: bool,
    pub quiet: bool,
    pub snapshot_dir: PathBuf,
    /// The signal that asked the session to end, 0 while none has.
    pub stop: Arc<AtomicUsize>,
    /// Each exercise's own recording, in programme order (empty: one source throughout).
    pub sources: Vec<PathBuf>,
    pub backoff: Backoff,
}

#[derive(Serialize)]
pub(crate) struct EventLine<'a> {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) event: &'static str,
    pub(crate) t_s: f64,
    pub(crate) message: &'a str,
}

#[derive(Serialize)]
pub(crate) struct SummaryLine<'a> {
    #[serde(rename = "type")]
    pub(crate) kind: &'static str,
    pub(crate) end: &'a EndReason,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) error: Option<String>,
    pub(crate) duration_s: f64,
    #[serde(flatten)]
    pub(crate) tally: &'a Tally,
    pub(crate) frames_captured: u64,
    pub(crate) frames_processed: u64,
    pub(crate) frames_dropped: u64,
    pub(crate) reconnects: u32,
    pub(crate) fps: f64,
    pub(crate) latency_ms_median: Option<f64>,
    pub(crate) latency_ms_p95: Option<f64>,
    pub(crate) record: Option<&'a Path>,
}

/// Frames per second over the last second of processed frames.
struct Rate {
    times: VecDeque<Instant>,
}

impl Rate {
    fn tick(&mut self, now: Instant) -> f64 {
        self.times.push_back(now);
        while self
            .times
            .front()
            .is_some_and(|t| now.duration_since(*t) > Duration::from_secs(1))
        {
            self.times.pop_front();
        }
        match (self.times.front(), self.times.len()) {
            (Some(first), n) if n > 1 => {
                (n - 1) as f64 / now.duration_since(*first).as_secs_f64().max(1e-6)
            }
            _ => 0.0,
        }
    }
}

/// The recent latencies, for the corner: a median over the last 15 frames reads steadily.
fn recent_median(v: &[f64]) -> f64 {
    median(&v[v.len().saturating_sub(15)..]).unwrap_or(0.0)
}

/// Per processed frame, ms.
#[derive(Default)]
struct Timings {
    latency: Vec<f64>,
    work: Vec<f64>,
    pose: Vec<f64>,
    analysis: Vec<f64>,
    draw: Vec<f64>,
}

enum Flow {
    Go,
    End(EndReason),
}

struct Loop<'a> {
    capture: Capture,
    /// Stats of sources already closed (one `--file` per exercise).
    closed_stats: CaptureStats,
    record_error: Option<RecordError>,
    pose: &'a mut PoseEstimator,
    coaching: Coaching,
    outputs: &'a mut Outputs,
    window: Option<Window>,
    options: &'a Options,
    paused: bool,
    last_shown: Option<Mat>,
    last_time_s: f64,
    processed: u64,
    rate: Rate,
    timings: Timings,
}

/// The loop shared by `live` and `bench --live`. Returns the window still open, for the
/// questions at the end of a guided session.
pub(crate) fn run_loop(
    capture: Capture,
    pose: &mut PoseEstimator,
    coaching: Coaching,
    outputs: &mut Outputs,
    window: Option<Window>,
    options: &Options,
    record: Option<&Path>,
) -> Result<(LiveOutcome, Option<Window>), LiveError> {
    let started = Instant::now();
    let mut session = Loop {
        capture,
        closed_stats: CaptureStats::default(),
        record_error: None,
        pose,
        coaching,
        outputs,
        window,
        options,
        paused: false,
        last_shown: None,
        last_time_s: 0.0,
        processed: 0,
        rate: Rate {
            times: VecDeque::new(),
        },
        timings: Timings::default(),
    };
    // A step returns an error only for failures that end the session; the summary is still
    // written before the error is passed up.
    let result = loop {
        match session.step() {
            Ok(Flow::Go) => continue,
            Ok(Flow::End(end)) => break Ok(end),
            Err(e) => break Err(e),
        }
    };
    session.finish(result, started, record)
}

impl Loop<'_> {
    fn step(&mut self) -> Result<Flow, LiveError> {
        match self.options.stop.load(Ordering::SeqCst) {
            0 => {}
            signal => return Ok(Flow::End(EndReason::from_signal(signal))),
        }
        if self.window.as_ref().is_some_and(|w| !w.is_open()) {
            return Ok(Flow::End(EndReason::WindowClosed));
        }
        if self.paused {
            return self.while_paused();
        }
        let key = match self.capture.next(Duration::from_millis(100)) {
            Next::Frame(frame) => {
                let (key, flow) = self.frame(frame)?;
                if let Flow::End(end) = flow {
                    return Ok(Flow::End(end));
                }
                key
            }
            // Between frames the window still takes keys (and must, or they are lost).
            Next::Idle => match self.window.as_mut() {
                Some(w) => w.wait(1)?,
                None => None,
            },
            Next::Event(event) => {
                self.event(&event)?;
                if matches!(event, CaptureEvent::Reconnected { .. }) {
                    // A new connection is a new video: tracking and smoothing start afresh.
                    self.pose.reset();
                }
                return Ok(Flow::Go);
            }
            Next::Ended(end) => return self.source_ended(end),
        };
        match key {
            Some(key) => self.key(key),
            None => Ok(Flow::Go),
        }
    }

    /// One frame through pose, the coaching, the outputs and the window.
    fn frame(&mut self, frame: CapturedFrame) -> Result<(Option<Key>, Flow), LiveError> {
        let taken = Instant::now();
        let captured_at = frame.captured_at;
        self.last_time_s = frame.time_s;
        let video = VideoFrame {
            index: frame.index,
            time_s: frame.time_s,
            image: frame.image,
        };
        let pose_frame: PoseFrame = self.pose.process(&video)?;
        let posed = Instant::now();
        let mut coached = self.coaching.push(&pose_frame, posed);
        let analysed = Instant::now();
        self.outputs.take(&coached, video.time_s)?;
        if let Some(cue) = coached.view.as_ref().and_then(|v| v.new_cue.as_ref()) {
            self.outputs.cue(cue, video.time_s);
        }
        self.processed += 1;
        let mut image = video.image;
        if self.options.draw {
            self.draw(&mut image, &pose_frame, coached.view.take())?;
        }
        let drawn = Instant::now();
        let key = match self.window.as_mut() {
            Some(w) => w.show(&image)?,
            None => None,
        };
        let done = Instant::now();
        let ms = |from: Instant, to: Instant| to.duration_since(from).as_secs_f64() * 1000.0;
        self.timings.latency.push(ms(captured_at, done));
        self.timings.work.push(ms(taken, done));
        self.timings.pose.push(ms(taken, posed));
        self.timings.analysis.push(ms(posed, analysed));
        self.timings.draw.push(ms(analysed, drawn));
        if self.options.window {
            self.last_shown = Some(image);
        }
        let flow = self.follow(coached.next)?;
        Ok((key, flow))
    }

    fn draw(
        &mut self,
        image: &mut Mat,
        pose_frame: &PoseFrame,
        view: Option<CoachView>,
    ) -> Result<(), LiveError> {
        let fps = self.rate.tick(Instant::now());
        let Some(view) = view else {
            return Ok(());
        };
        let overlay = Overlay {
            status: (!view.counting).then_some("SETUP"),
            perf: Some(Perf {
                fps,
                latency_ms: recent_median(&self.timings.latency),
            }),
            ..view.overlay(pose_frame.pose.as_ref())
        };
        draw::draw_overlay(image, &overlay)?;
        Ok(())
    }

    /// What the coaching asked for next: go on, open an exercise's own recording, or end.
    fn follow(&mut self, next: Option<Then>) -> Result<Flow, LiveError> {
        match next {
            None | Some(Then::Go) => Ok(Flow::Go),
            Some(Then::End) => Ok(Flow::End(match self.coaching {
                Coaching::Programme(_) => EndReason::ProgrammeDone,
                Coaching::One { .. } => EndReason::StreamEnded,
            })),
            Some(Then::OpenSource(step)) => {
                let Some(file) = self.options.sources.get(step) else {
                    return Ok(Flow::Go);
                };
                let source = super::open_source(&SourceSpec::File(file.clone()))?;
                let fresh = Capture::start(
                    Box::new(super::feed::SourceFeed::new(source)),
                    None,
                    self.options.backoff,
                );
                let (stats, record_error) = std::mem::replace(&mut self.capture, fresh).stop();
                self.closed_stats += stats;
                self.record_error = self.record_error.take().or(record_error);
                // Another recording: tracking and smoothing start afresh.
                self.pose.reset();
                Ok(Flow::Go)
            }
        }
    }

    fn source_ended(&mut self, end: CaptureEnd) -> Result<Flow, LiveError> {
        if let CaptureEnd::GaveUp { source, after } = &end {
            if !self.options.quiet {
                eprintln!(
                    "formcheck live: {source} did not come back in {:.0} s; ending the session",
                    after.as_secs_f64()
                );
            }
            return Ok(Flow::End(EndReason::StreamLost));
        }
        let coached = self.coaching.source_ended();
        self.outputs.take(&coached, self.last_time_s)?;
        self.follow(coached.next)
    }

    fn key(&mut self, key: Key) -> Result<Flow, LiveError> {
        match key {
            Key::Quit => return Ok(Flow::End(EndReason::Key)),
            Key::Pause => self.pause()?,
            Key::Snapshot => snapshot(
                self.last_shown.as_ref(),
                &self.options.snapshot_dir,
                self.options.quiet,
            ),
            Key::ResetSet | Key::Skip | Key::EndExercise => {
                let ask = match key {
                    Key::Skip => Ask::Skip,
                    Key::EndExercise => Ask::EndExercise,
                    _ => Ask::Again,
                };
                let coached = self.coaching.ask(ask);
                self.outputs.take(&coached, self.last_time_s)?;
                if key == Key::ResetSet && !self.options.quiet {
                    if let (Coaching::One { .. }, Some(set)) = (&self.coaching, self.coaching.set())
                    {
                        eprintln!("formcheck live: set reset; counting set {set}");
                    }
                }
                return self.follow(coached.next);
            }
        }
        Ok(Flow::Go)
    }

    fn pause(&mut self) -> Result<(), LiveError> {
        self.paused = true;
        if let (Some(w), Some(shown)) = (self.window.as_mut(), self.last_shown.as_ref()) {
            // The frame as it was, with a banner saying why it does not move.
            let mut still = shown.try_clone().map_err(draw::DrawError::from)?;
            let overlay = Overlay {
                banner: Some(Banner {
                    text: "paused: space to go on",
                    kind: draw::CueKind::Info,
                }),
                ..Overlay::default()
            };
            draw::draw_overlay(&mut still, &overlay)?;
            w.show(&still)?;
        }
        Ok(())
    }

    /// Frames that arrive while paused are dropped; what happens to the stream is not.
    fn while_paused(&mut self) -> Result<Flow, LiveError> {
        if self.window.is_none() {
            return Ok(Flow::Go);
        }
        match self.capture.next(Duration::ZERO) {
            Next::Event(event) => self.event(&event)?,
            Next::Ended(CaptureEnd::GaveUp { .. }) => return Ok(Flow::End(EndReason::StreamLost)),
            Next::Ended(_) => return Ok(Flow::End(EndReason::StreamEnded)),
            Next::Frame(_) | Next::Idle => {}
        }
        let key = match self.window.as_ref() {
            Some(w) => w.wait(30)?,
            None => None,
        };
        match key {
            Some(Key::Pause) => {
                self.paused = false;
                self.pose.reset();
                Ok(Flow::Go)
            }
            Some(Key::Quit) => Ok(Flow::End(EndReason::Key)),
            Some(key) => self.key(key),
            None => Ok(Flow::Go),
        }
    }

    fn event(&mut self, event: &CaptureEvent) -> Result<(), LiveError> {
        let (name, message) = match event {
            CaptureEvent::Lost { reason, retry_in } => (
                "stream_lost",
                format!(
                    "stream lost ({reason}); reconnecting in {:.1} s",
                    retry_in.as_secs_f64()
                ),
            ),
            CaptureEvent::RetryFailed {
                attempt,
                message,
                retry_in,
            } => (
                "reconnect_failed",
                format!(
                    "reconnect attempt {attempt} failed ({message}); next try in {:.1} s",
                    retry_in.as_secs_f64()
                ),
            ),
            CaptureEvent::Reconnected { after } => (
                "reconnected",
                format!(
                    "stream back after {:.1} s; the session continues",
                    after.as_secs_f64()
                ),
            ),
            CaptureEvent::RecordFailed(message) => (
                "record_failed",
                format!("{message}; recording stopped, the session continues"),
            ),
        };
        if !self.options.quiet {
            eprintln!("formcheck live: {message}");
        }
        if let Some(log) = self.outputs.log.as_mut() {
            log.append(&EventLine {
                kind: "event",
                event: name,
                t_s: self.last_time_s,
                message: &message,
            })?;
        }
        Ok(())
    }

    /// Closes what is under way and writes the summary, however the session ended.
    fn finish(
        self,
        result: Result<EndReason, LiveError>,
        started: Instant,
        record: Option<&Path>,
    ) -> Result<(LiveOutcome, Option<Window>), LiveError> {
        let Loop {
            capture,
            mut closed_stats,
            record_error,
            coaching,
            outputs,
            window,
            processed,
            timings,
            last_time_s,
            ..
        } = self;
        let (stats, last_record_error) = capture.stop();
        closed_stats += stats;
        let stats = closed_stats;
        let (closing, _, tally) = coaching.finish();
        outputs.take(&closing, last_time_s)?;
        let duration_s = started.elapsed().as_secs_f64();
        let end = match &result {
            Ok(end) => end.clone(),
            Err(_) => EndReason::Error,
        };
        // A recording that failed (a full disk) fails the session once its summary is written;
        // the summary keeps how the session itself ended.
        let result = match (result, record_error.or(last_record_error)) {
            (Ok(_), Some(e)) => Err(LiveError::Record(e)),
            (result, _) => result,
        };
        let outcome = LiveOutcome {
            end,
            tally,
            capture: stats,
            processed,
            duration_s,
            latency_ms: timings.latency,
            work_ms: timings.work,
            pose_ms: timings.pose,
            analysis_ms: timings.analysis,
            draw_ms: timings.draw,
        };
        // The end goes into the history after the summary into the log, so a history that fails
        // here cannot cost the summary.
        let ended = outputs
            .history
            .as_mut()
            .map(|h| h.end(outcome.end.describe()));
        if let Some(Err(e)) = &ended {
            outputs.drop_history(e);
        }
        if let Some(log) = outputs.log.as_mut() {
            log.append(&SummaryLine {
                kind: "summary",
                end: &outcome.end,
                error: result.as_ref().err().map(|e| e.to_string()),
                duration_s,
                tally: &outcome.tally,
                frames_captured: stats.captured,
                frames_processed: processed,
                frames_dropped: stats.dropped,
                reconnects: stats.reconnects,
                fps: if duration_s > 0.0 {
                    processed as f64 / duration_s
                } else {
                    0.0
                },
                latency_ms_median: percentile(&outcome.latency_ms, 50.0),
                latency_ms_p95: percentile(&outcome.latency_ms, 95.0),
                record,
            })?;
        }
        result.map(|_| (outcome, window))
    }
}

/// `s`: the annotated frame as shown, to a PNG beside the session log (or here). A failure is
/// reported and the session goes on: a snapshot is not worth losing the session for.
pub(crate) fn snapshot(image: Option<&Mat>, dir: &Path, quiet: bool) {
    let Some(image) = image else {
        return;
    };
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let path = dir.join(format!("formcheck-snapshot-{millis}.png"));
    match imgcodecs::imwrite(&path, image, &Vector::new()) {
        Ok(true) if !quiet => {
            eprintln!("formcheck live: snapshot saved to {}", path.display())
        }
        Ok(true) => {}
        Ok(false) => eprintln!(
            "formcheck live: snapshot {}: could not write the file",
            path.display()
        ),
        Err(e) => eprintln!("formcheck live: snapshot {}: {}", path.display(), e.message),
    }
}
