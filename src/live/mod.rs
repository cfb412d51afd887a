//! `formcheck live`: a camera, a stream or a file played in real time → pose → the shared
//! analyser → a window (or the terminal) with the skeleton, the numbers, the count and the cue.
//!
//! Threads: one captures (and records) and always leaves only the newest frame; this one runs
//! pose, analysis, drawing and the window, so a slow frame delays the next cue but never queues
//! old frames. Every rep is appended to the session log as it completes; the summary is written
//! however the session ends.

pub mod bench;
mod capture;
mod coach;
mod cues;
mod feed;
mod record;
mod session;
mod setup;
mod window;

use std::collections::VecDeque;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use opencv::core::{Mat, Vector};
use opencv::imgcodecs;
use opencv::prelude::*;
use serde::Serialize;

use crate::analysis::AnalysisError;
use crate::bench::{median, percentile};
use crate::config::LiveConfig;
use crate::draw::{self, Banner, Overlay, Perf};
use crate::history::{History, SessionId, SessionInfo};
use crate::judge::Rep;
use crate::judge::Thresholds;
use crate::landmarks::PoseFrame;
use crate::output::json::RepRecord;
use crate::pose::{PoseError, PoseEstimator};
use crate::video::{SourceSpec, VideoError, VideoFrame, VideoSource};

pub use capture::{Backoff, CaptureEnd, CaptureStats};
pub use coach::{Coach, CoachView, Tally};
pub use cues::Cue;
pub use record::RecordError;
pub use session::{SessionError, SessionLog};
pub use setup::{SetupProblem, ViewNeed};
pub use window::{Key, WindowError};

use capture::{Capture, CaptureEvent, Feed, Next};
use record::Recorder;
use window::Window;

#[derive(Debug, thiserror::Error)]
pub enum LiveError {
    /// Not a `#[source]`: the message already holds the video error's, and the one-line
    /// printer would repeat it.
    #[error("{flag}: {error}")]
    Source {
        flag: &'static str,
        error: VideoError,
    },
    #[error(transparent)]
    Pose(#[from] PoseError),
    #[error(transparent)]
    Analysis(#[from] AnalysisError),
    #[error(transparent)]
    Session(#[from] SessionError),
    #[error(transparent)]
    History(#[from] crate::history::HistoryError),
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Window(#[from] WindowError),
    #[error(transparent)]
    Draw(#[from] draw::DrawError),
}

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
    /// A failure stopped the session (its message is in the summary and on the terminal).
    Error,
}

impl EndReason {
    fn describe(&self) -> &'static str {
        match self {
            EndReason::Key => "stopped with a key",
            EndReason::CtrlC => "stopped with Ctrl-C",
            EndReason::Terminated => "stopped by SIGTERM",
            EndReason::HungUp => "stopped by SIGHUP (terminal closed)",
            EndReason::WindowClosed => "window closed",
            EndReason::StreamEnded => "the video ended",
            EndReason::StreamLost => "the stream did not come back",
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

/// Where the loop sends what it has to say.
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

    fn from_signal(signal: usize) -> EndReason {
        match signal as i32 {
            signal_hook::consts::SIGTERM => EndReason::Terminated,
            signal_hook::consts::SIGHUP => EndReason::HungUp,
            _ => EndReason::CtrlC,
        }
    }
}

/// SIGINT, SIGTERM and SIGHUP all end the session the same way, between frames, so its summary
/// line and log are written; the flag holds the signal's number (0: none yet).
fn stop_on_signals() -> Arc<AtomicUsize> {
    let stop = Arc::new(AtomicUsize::new(0));
    for signal in [
        signal_hook::consts::SIGINT,
        signal_hook::consts::SIGTERM,
        signal_hook::consts::SIGHUP,
    ] {
        // Registration fails only for a forbidden signal, which these are not; if it did, the
        // default action would still end the process, losing only the summary line.
        let _ = signal_hook::flag::register_usize(signal, Arc::clone(&stop), signal as usize);
    }
    stop
}

pub(crate) struct Options {
    pub window: bool,
    /// Draw the overlay even without a window (the bench counts its cost).
    pub draw: bool,
    /// Print cues and reps (for --no-window); stream events are printed unless quiet.
    pub print_cues: bool,
    pub quiet: bool,
    pub snapshot_dir: PathBuf,
    /// The signal that asked the session to end, 0 while none has.
    pub stop: Arc<AtomicUsize>,
}

/// The `session` line: what was run, against which thresholds.
#[derive(Serialize)]
struct SessionStart<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    started_unix_s: f64,
    source: String,
    exercise: &'static str,
    side: Option<&'static str>,
    model: &'static str,
    engine: &'static str,
    thresholds: &'a Thresholds,
    formcheck: &'static str,
}

#[derive(Serialize)]
struct RepLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    /// The rep exactly as `reps.json` writes it.
    #[serde(flatten)]
    rep: RepRecord<'a>,
}

#[derive(Serialize)]
struct EventLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    event: &'static str,
    t_s: f64,
    message: &'a str,
}

#[derive(Serialize)]
struct SummaryLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    end: &'a EndReason,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    duration_s: f64,
    #[serde(flatten)]
    tally: &'a Tally,
    frames_captured: u64,
    frames_processed: u64,
    frames_dropped: u64,
    reconnects: u32,
    fps: f64,
    latency_ms_median: Option<f64>,
    latency_ms_p95: Option<f64>,
    record: Option<&'a Path>,
}

fn unix_now() -> f64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}

fn source_flag(spec: &SourceSpec) -> &'static str {
    match spec {
        SourceSpec::File(_) => "--file",
        SourceSpec::Camera(_) => "--camera",
        SourceSpec::Url(_) => "--url",
    }
}

fn side_name(side: Option<crate::config::SideChoice>) -> Option<&'static str> {
    use crate::config::SideChoice;
    side.map(|s| match s {
        SideChoice::Left => "left",
        SideChoice::Right => "right",
        SideChoice::Both => "both",
    })
}

/// Runs a live session until a key, Ctrl-C, the window closing or the source ending.
pub fn run(config: LiveConfig) -> Result<LiveOutcome, LiveError> {
    // Everything that can fail on bad input fails here, before the camera is opened.
    let (exercise, thresholds) = crate::analysis::resolve_settings(&config.judge)?;
    if config.window {
        window::check_display()?;
    }
    let mut pose = PoseEstimator::new(&config.pose)?;
    let source_err = |error| LiveError::Source {
        flag: source_flag(&config.source),
        error,
    };
    if let SourceSpec::File(path) = &config.source {
        crate::video::check_one_picture_size(path).map_err(source_err)?;
    }
    let source = VideoSource::open(&config.source).map_err(source_err)?;
    // Opened once the source is known good, so a missing camera leaves no empty log behind.
    let log = config
        .session
        .as_deref()
        .map(SessionLog::open)
        .transpose()?;
    let history = config
        .history
        .path
        .as_deref()
        .map(History::open)
        .transpose()?;
    let mut records = Records { log, history: None };
    let info = source.info().clone();
    let recorder = match &config.record {
        Some(path) => Some(Recorder::create(
            path,
            info.width,
            info.height,
            info.fps.unwrap_or(30.0),
        )?),
        None => None,
    };
    let window = if config.window {
        Some(Window::open("formcheck live")?)
    } else {
        None
    };

    let stop = stop_on_signals();
    if let Some(db) = history {
        let mut db = db;
        let id = db.start_live(&SessionInfo {
            person: config.history.person.clone(),
            source: config.source.describe(),
            video_key: None,
            at_unix_s: unix_now() as i64,
            exercise: exercise.name().to_string(),
            side: side_name(config.judge.side).map(str::to_string),
            model: config.pose.model.name().to_string(),
            engine: config.pose.models.backend.name().to_string(),
        })?;
        records.history = Some(LiveHistory { db, id });
    }
    if let Some(log) = records.log.as_mut() {
        log.append(&SessionStart {
            kind: "session",
            started_unix_s: unix_now(),
            source: config.source.describe(),
            exercise: exercise.name(),
            side: side_name(config.judge.side),
            model: config.pose.model.name(),
            engine: config.pose.models.backend.name(),
            thresholds: &thresholds,
            formcheck: env!("CARGO_PKG_VERSION"),
        })?;
    }
    if !config.quiet {
        eprintln!(
            "formcheck live: {} from {} ({}×{}); {}",
            exercise.name(),
            config.source.describe(),
            info.width,
            info.height,
            if config.window {
                "q/Esc quit, space pause, r reset set, s snapshot"
            } else {
                "Ctrl-C to stop"
            }
        );
    }
    let coach = Coach::new(exercise, config.judge.side, thresholds);
    let feed: Box<dyn Feed> = Box::new(feed::SourceFeed::new(source));
    let backoff = Backoff {
        give_up: config.reconnect_for,
        ..Backoff::default()
    };
    let capture = Capture::start(feed, recorder, backoff);
    let options = Options {
        window: config.window,
        draw: config.window,
        print_cues: !config.window && !config.quiet,
        quiet: config.quiet,
        snapshot_dir: config
            .session
            .as_deref()
            .and_then(Path::parent)
            .filter(|p| !p.as_os_str().is_empty())
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from(".")),
        stop,
    };
    let outcome = run_loop(
        capture,
        &mut pose,
        coach,
        &mut records,
        window,
        &options,
        config.record.as_deref(),
    )?;
    if !config.quiet {
        let t = &outcome.tally;
        eprintln!(
            "formcheck live: {}; {} complete rep{} ({} with a fault), {} incomplete, {} set{}{}",
            outcome.end.describe(),
            t.complete_reps,
            if t.complete_reps == 1 { "" } else { "s" },
            t.flagged_reps,
            t.incomplete_reps,
            t.sets,
            if t.sets == 1 { "" } else { "s" },
            match &records.log {
                Some(l) => format!("; session log {}", l.path().display()),
                None => String::new(),
            }
        );
    }
    Ok(outcome)
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

/// Where each rep goes as it completes: the session log and the history, each optional.
#[derive(Default)]
pub(crate) struct Records {
    pub log: Option<SessionLog>,
    pub history: Option<LiveHistory>,
}

/// This session's record in the history.
pub(crate) struct LiveHistory {
    pub db: History,
    pub id: SessionId,
}

/// The loop shared by `live` and `bench --live`.
pub(crate) fn run_loop(
    capture: Capture,
    pose: &mut PoseEstimator,
    mut coach: Coach,
    records: &mut Records,
    mut window: Option<Window>,
    options: &Options,
    record: Option<&Path>,
) -> Result<LiveOutcome, LiveError> {
    let started = Instant::now();
    let mut rate = Rate {
        times: VecDeque::new(),
    };
    let mut latency_ms = Vec::new();
    let mut work_ms = Vec::new();
    let (mut pose_ms, mut analysis_ms, mut draw_ms) = (Vec::new(), Vec::new(), Vec::new());
    let ms = |from: Instant, to: Instant| to.duration_since(from).as_secs_f64() * 1000.0;
    let mut processed = 0u64;
    let mut paused = false;
    let mut last_shown: Option<Mat> = None;
    let mut last_time_s = 0.0;

    // The loop body returns an error only for failures that end the session; the summary is
    // still written below before the error is passed up.
    let mut step = || -> Result<Option<EndReason>, LiveError> {
        match options.stop.load(Ordering::SeqCst) {
            0 => {}
            signal => return Ok(Some(EndReason::from_signal(signal))),
        }
        if let Some(w) = window.as_ref() {
            if !w.is_open() {
                return Ok(Some(EndReason::WindowClosed));
            }
        }
        if paused {
            if let Some(w) = window.as_mut() {
                // Frames that arrive while paused are dropped; what happens to the stream is not.
                match capture.next(Duration::ZERO) {
                    Next::Event(event) => {
                        handle_event(&event, &mut records.log.as_mut(), options, last_time_s)?
                    }
                    Next::Ended(CaptureEnd::GaveUp { .. }) => {
                        return Ok(Some(EndReason::StreamLost))
                    }
                    Next::Ended(_) => return Ok(Some(EndReason::StreamEnded)),
                    Next::Frame(_) | Next::Idle => {}
                }
                match w.wait(30)? {
                    Some(Key::Quit) => return Ok(Some(EndReason::Key)),
                    Some(Key::Pause) => {
                        paused = false;
                        pose.reset();
                    }
                    Some(Key::Snapshot) => snapshot(last_shown.as_ref(), options),
                    Some(Key::ResetSet) => {
                        for rep in coach.reset_set() {
                            log_rep(records, &rep, options)?;
                        }
                    }
                    None => {}
                }
            }
            return Ok(None);
        }
        let key = match capture.next(Duration::from_millis(100)) {
            Next::Frame(frame) => {
                let taken = Instant::now();
                let captured_at = frame.captured_at;
                last_time_s = frame.time_s;
                let video = VideoFrame {
                    index: frame.index,
                    time_s: frame.time_s,
                    image: frame.image,
                };
                let pose_frame: PoseFrame = pose.process(&video)?;
                let posed = Instant::now();
                let (view, reps) = coach.push(&pose_frame, posed);
                let analysed = Instant::now();
                for rep in &reps {
                    log_rep(records, rep, options)?;
                }
                if let Some(cue) = &view.new_cue {
                    if options.print_cues {
                        println!("{:>7.2}s  cue: {}", video.time_s, cue.text);
                    }
                }
                processed += 1;
                let fps = rate.tick(Instant::now());
                let mut image = video.image;
                let shown_latency = recent_median(&latency_ms);
                let status = if !view.counting { Some("SETUP") } else { None };
                let overlay = Overlay {
                    pose: pose_frame.pose.as_ref(),
                    working_leg: view.working_leg,
                    left: view.left,
                    right: view.right,
                    body: view.body,
                    count: Some(view.count),
                    banner: view.banner.as_ref().map(|c| Banner {
                        text: &c.text,
                        kind: c.kind,
                    }),
                    status,
                    perf: Some(Perf {
                        fps,
                        latency_ms: shown_latency,
                    }),
                };
                if options.draw {
                    draw::draw_overlay(&mut image, &overlay)?;
                }
                let drawn = Instant::now();
                let shown_key = match window.as_mut() {
                    Some(w) => w.show(&image)?,
                    None => None,
                };
                let done = Instant::now();
                latency_ms.push(ms(captured_at, done));
                work_ms.push(ms(taken, done));
                pose_ms.push(ms(taken, posed));
                analysis_ms.push(ms(posed, analysed));
                draw_ms.push(ms(analysed, drawn));
                if options.window {
                    last_shown = Some(image);
                }
                shown_key
            }
            // Between frames the window still takes keys (and must, or they are lost).
            Next::Idle => match window.as_mut() {
                Some(w) => w.wait(1)?,
                None => None,
            },
            Next::Event(event) => {
                handle_event(&event, &mut records.log.as_mut(), options, last_time_s)?;
                if matches!(event, CaptureEvent::Reconnected { .. }) {
                    // A new connection is a new video: tracking and smoothing start afresh.
                    pose.reset();
                }
                return Ok(None);
            }
            Next::Ended(CaptureEnd::EndOfFile) | Next::Ended(CaptureEnd::Stopped) => {
                return Ok(Some(EndReason::StreamEnded))
            }
            Next::Ended(CaptureEnd::GaveUp { source, after }) => {
                if !options.quiet {
                    eprintln!(
                        "formcheck live: {source} did not come back in {:.0} s; ending the session",
                        after.as_secs_f64()
                    );
                }
                return Ok(Some(EndReason::StreamLost));
            }
        };
        match key {
            Some(Key::Quit) => return Ok(Some(EndReason::Key)),
            Some(Key::Pause) => {
                paused = true;
                if let (Some(w), Some(shown)) = (window.as_mut(), last_shown.as_ref()) {
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
            }
            Some(Key::Snapshot) => snapshot(last_shown.as_ref(), options),
            Some(Key::ResetSet) => {
                for rep in coach.reset_set() {
                    log_rep(records, &rep, options)?;
                }
                if !options.quiet {
                    eprintln!("formcheck live: set reset; counting set {}", coach.set());
                }
            }
            None => {}
        }
        Ok(None)
    };

    let result = loop {
        match step() {
            Ok(None) => continue,
            Ok(Some(end)) => break Ok(end),
            Err(e) => break Err(e),
        }
    };
    // Close the window before the summary is written, so the user sees the session end.
    drop(window);
    let (stats, record_error) = capture.stop();
    let (closing, tally) = coach.finish();
    for rep in &closing {
        log_rep(records, rep, options)?;
    }
    let duration_s = started.elapsed().as_secs_f64();
    let end = match &result {
        Ok(end) => end.clone(),
        Err(_) => EndReason::Error,
    };
    // A recording that failed (a full disk) fails the session once its summary is written; the
    // summary keeps how the session itself ended.
    let result = match (result, record_error) {
        (Ok(_), Some(e)) => Err(LiveError::Record(e)),
        (result, _) => result,
    };
    let outcome = LiveOutcome {
        end,
        tally,
        capture: stats,
        processed,
        duration_s,
        latency_ms,
        work_ms,
        pose_ms,
        analysis_ms,
        draw_ms,
    };
    // The end goes into the history after the summary into the log, so a history that fails
    // here cannot cost the summary.
    let ended = records
        .history
        .as_mut()
        .map(|h| h.db.end_live(h.id, outcome.end.describe()));
    if let Some(log) = records.log.as_mut() {
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
    let result = match (result, ended) {
        (Ok(_), Some(Err(e))) => Err(e.into()),
        (result, _) => result,
    };
    result.map(|_| outcome)
}

fn log_rep(records: &mut Records, rep: &Rep, options: &Options) -> Result<(), LiveError> {
    // The history first: a session killed between the two has every logged rep in the history.
    if let Some(history) = records.history.as_mut() {
        history.db.add_rep(history.id, rep)?;
    }
    if let Some(log) = records.log.as_mut() {
        log.append(&RepLine {
            kind: "rep",
            rep: RepRecord::new(rep),
        })?;
    }
    if !options.quiet {
        // Each concern as the exercise judged it: its cue, "ok", or "not judged".
        let concerns: Vec<String> = rep
            .concerns
            .iter()
            .map(|c| match &c.status {
                crate::judge::ConcernStatus::Ok => format!("{} ok", c.concern.describe()),
                crate::judge::ConcernStatus::Fault { cue } => cue.to_string(),
                crate::judge::ConcernStatus::NotJudged { .. } => {
                    format!("{} not judged", c.concern.describe())
                }
            })
            .collect();
        let mut concerns = concerns;
        // Knee travel the exercise shows without judging it (the squat's).
        let judged_kot = rep
            .concerns
            .iter()
            .any(|c| c.concern == crate::judge::Concern::KneeOverToe);
        if !judged_kot {
            for p in &rep.peaks {
                if let Some(kot) = p.knee_over_toe.get() {
                    concerns.push(format!(
                        "{} knee over toe {:+.0}% of a foot (shown, not judged)",
                        p.leg,
                        kot.value * 100.0
                    ));
                }
            }
        }
        let verdict = match rep.incomplete {
            Some(why) => format!("incomplete ({})", why.describe()),
            None => concerns.join("; "),
        };
        println!(
            "{:>7.2}s  set {} rep {}: {verdict}",
            rep.end.time_s, rep.set, rep.number
        );
    }
    Ok(())
}

fn handle_event(
    event: &CaptureEvent,
    log: &mut Option<&mut SessionLog>,
    options: &Options,
    t_s: f64,
) -> Result<(), LiveError> {
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
    if !options.quiet {
        eprintln!("formcheck live: {message}");
    }
    if let Some(log) = log.as_mut() {
        log.append(&EventLine {
            kind: "event",
            event: name,
            t_s,
            message: &message,
        })?;
    }
    Ok(())
}

/// `s`: the annotated frame as shown, to a PNG beside the session log (or here). A failure is
/// reported and the session goes on: a snapshot is not worth losing the session for.
fn snapshot(image: Option<&Mat>, options: &Options) {
    let Some(image) = image else {
        return;
    };
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0);
    let path = options
        .snapshot_dir
        .join(format!("formcheck-snapshot-{millis}.png"));
    match imgcodecs::imwrite(&path, image, &Vector::new()) {
        Ok(true) if !options.quiet => {
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
