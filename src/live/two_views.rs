//! `formcheck live --front-view A --side-view B`: two cameras on one set at once. Each camera has
//! its own newest-frame capture thread, pose tracker (its own region of interest) and coach;
//! pose alternates between the cameras on this thread, so the two cores serve both, each at
//! about half the rate. Frames of both are stamped on one session clock, and each rep is merged
//! across the cameras as it closes ([`LivePairing`]): valgus from the view that sees it, knee over
//! toe from the other. The window shows both views side by side. A camera that drops is retried;
//! meanwhile the session goes on with the other and says what is not judged until it is back.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use opencv::core::{Mat, Size, Vector};
use opencv::prelude::*;
use serde::Serialize;

use crate::config::LiveConfig;
use crate::draw::{self, Overlay};
use crate::exercise::{self, Exercise};
use crate::geometry::{measure, MeasureContext, View};
use crate::judge::{ConcernStatus, Thresholds};
use crate::landmarks::PoseFrame;
use crate::multiview::pair::{camera_name, Camera, LivePairing, PairedRep};
use crate::pose::PoseEstimator;
use crate::stats::percentile;
use crate::video::{SourceSpec, VideoFrame, VideoSource};

use super::capture::{Backoff, Capture, CaptureEnd, CaptureEvent, CaptureStats, Next};
use super::coach::{Coach, Tally};
use super::feed::SourceFeed;
use super::frames::{EndReason, LiveOutcome};
use super::session::SessionLog;
use super::window::{Key, Window};
use super::{open_source, LiveError};

/// Each view's panel in the side-by-side window, pixels.
const PANEL_WIDTH: i32 = 640;
const PANEL_HEIGHT: i32 = 480;

/// The session's note when each camera counted reps and no rep lined up across them.
const NOT_THE_SAME_SET: &str = "no rep was seen by both cameras: each rep was judged from one view only; check that both cameras film the same person and set";

/// One camera: its capture, pose tracker, coach and what it last showed.
struct LiveCamera {
    camera: Camera,
    source: SourceSpec,
    capture: Option<Capture>,
    stats: CaptureStats,
    pose: PoseEstimator,
    coach: Option<Coach>,
    shown: Option<Mat>,
    /// Why it is not sending now (lost and retrying, or gone for good).
    down: Option<String>,
    /// It was lost and did not come back.
    gave_up: bool,
    processed: u64,
    latency_ms: Vec<f64>,
    first_frame: Option<Instant>,
    last_frame: Option<Instant>,
}

impl LiveCamera {
    fn name(&self) -> &'static str {
        camera_name(self.camera)
    }

    /// Stops its capture thread, keeping its counts (no recorder: nothing else to keep).
    fn stop_capture(&mut self) {
        if let Some(capture) = self.capture.take() {
            let (stats, _) = capture.stop();
            self.stats += stats;
        }
    }

    /// Frames processed per second while it was sending.
    fn fps(&self) -> f64 {
        match (self.first_frame, self.last_frame) {
            (Some(a), Some(b)) if b > a => {
                (self.processed.saturating_sub(1)) as f64 / b.duration_since(a).as_secs_f64()
            }
            _ => 0.0,
        }
    }
}

/// A rep line in the session log: the merged rep, as pair.json holds it.
#[derive(Serialize)]
struct RepLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    rep: &'a PairedRep,
}

#[derive(Serialize)]
struct EventLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    event: &'static str,
    camera: Camera,
    t_s: f64,
    message: &'a str,
}

/// One camera's figures in the summary.
#[derive(Serialize)]
struct CameraSummary {
    camera: Camera,
    source: String,
    frames_captured: u64,
    frames_processed: u64,
    frames_dropped: u64,
    reconnects: u32,
    fps: f64,
    latency_ms_median: Option<f64>,
    latency_ms_p95: Option<f64>,
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
    /// The side camera's lag behind the front one, from the reps both saw.
    offset_s: f64,
    cameras: Vec<CameraSummary>,
    latency_ms_median: Option<f64>,
    latency_ms_p95: Option<f64>,
}

/// The session: both cameras, the pairing, the log and the window.
struct Session<'a> {
    exercise: &'static dyn Exercise,
    /// For each frame's rep signal, which lines the cameras up.
    ctx: MeasureContext,
    cameras: [LiveCamera; 2],
    pairing: Option<LivePairing>,
    log: Option<SessionLog>,
    window: Option<Window>,
    config: &'a LiveConfig,
    stop: Arc<AtomicUsize>,
    started: Instant,
    tally: Tally,
    /// Reps only the front, and only the side, camera saw.
    seen_alone: [u32; 2],
    /// The camera to serve first next time (they take turns).
    turn: usize,
    last_time_s: f64,
}

/// Runs a two-camera session until a key, a signal, the window closing, or both sources ending.
pub fn run(
    config: &LiveConfig,
    side_source: &SourceSpec,
    stop: Arc<AtomicUsize>,
) -> Result<LiveOutcome, LiveError> {
    let (exercise, thresholds) = crate::analysis::resolve_settings(&config.judge)?;
    if config.window {
        super::window::check_display()?;
    }
    // The models load before the sources open: a stream sends from the moment it is opened,
    // and what arrives while a model loads is dropped as stale.
    let poses = [
        PoseEstimator::new(&config.pose)?,
        PoseEstimator::new(&config.pose)?,
    ];
    let window = if config.window {
        Some(Window::open("formcheck live: front and side")?)
    } else {
        None
    };
    let sources = open_both(config, side_source)?;
    let log = config
        .session
        .as_deref()
        .map(SessionLog::open)
        .transpose()?;
    let cameras = start_cameras(config, exercise, &thresholds, poses, sources);
    let mut session = Session {
        exercise,
        ctx: thresholds.measure_context(),
        pairing: Some(LivePairing::new(exercise.concerns())),
        cameras,
        log,
        window,
        config,
        stop,
        started: Instant::now(),
        tally: Tally::default(),
        seen_alone: [0; 2],
        turn: 0,
        last_time_s: 0.0,
    };
    session.start_line(&thresholds)?;
    if !config.quiet {
        print_start(config, exercise, side_source);
    }
    let result = loop {
        match session.step() {
            Ok(None) => continue,
            Ok(Some(end)) => break Ok(end),
            Err(e) => break Err(e),
        }
    };
    session.finish(result)
}

/// A camera's source, opened, with what it was opened from.
type Opened = (Camera, SourceSpec, VideoSource);

/// Opens the front and the side source, each error named by its own flag.
fn open_both(config: &LiveConfig, side_source: &SourceSpec) -> Result<[Opened; 2], LiveError> {
    // Opened at once: a stream's first frames come when it is opened, so opening one after the
    // other (a stream's probe takes seconds) would put the cameras seconds apart on the clock.
    let (front, side) = std::thread::scope(|scope| {
        let front = scope.spawn(|| open_source(&config.source));
        let side = scope.spawn(|| open_source(side_source));
        (front.join(), side.join())
    });
    let opened = |result: std::thread::Result<Result<_, LiveError>>, flag| match result {
        Ok(Ok(source)) => Ok(source),
        Ok(Err(LiveError::Source { error, .. })) => Err(LiveError::Source { flag, error }),
        Ok(Err(other)) => Err(other),
        Err(panic) => std::panic::resume_unwind(panic),
    };
    Ok([
        (
            Camera::Front,
            config.source.clone(),
            opened(front, "--front-view")?,
        ),
        (
            Camera::Side,
            side_source.clone(),
            opened(side, "--side-view")?,
        ),
    ])
}

/// Each camera with its own coach and capture thread, both stamping frames on one clock.
fn start_cameras(
    config: &LiveConfig,
    exercise: &'static dyn Exercise,
    thresholds: &Thresholds,
    poses: [PoseEstimator; 2],
    sources: [Opened; 2],
) -> [LiveCamera; 2] {
    let backoff = Backoff {
        give_up: config.reconnect_for,
        ..Backoff::default()
    };
    let clock = Instant::now();
    let make = |(camera, spec, source): Opened, pose| {
        let coach = Coach::new(exercise, config.judge.side, thresholds.clone());
        let coach = match spec {
            SourceSpec::File(_) => coach.counting_from_the_first_frame(),
            SourceSpec::Camera(_) | SourceSpec::Url(_) => coach,
        };
        LiveCamera {
            camera,
            source: spec,
            capture: Some(Capture::start(
                Box::new(SourceFeed::on_clock(source, clock)),
                None,
                backoff,
            )),
            stats: CaptureStats::default(),
            pose,
            coach: Some(coach),
            shown: None,
            down: None,
            gave_up: false,
            processed: 0,
            latency_ms: Vec::new(),
            first_frame: None,
            last_frame: None,
        }
    };
    let [front_pose, side_pose] = poses;
    let [front, side] = sources;
    [make(front, front_pose), make(side, side_pose)]
}

/// The session's first lines on the terminal: what is watched, and the keys.
fn print_start(config: &LiveConfig, exercise: &dyn Exercise, side_source: &SourceSpec) {
    eprintln!(
        "formcheck live: {} from the front ({}) and the side ({}); {}",
        exercise.name(),
        config.source.describe(),
        side_source.describe(),
        if config.window {
            "q/Esc quit, s snapshot"
        } else {
            "Ctrl-C to stop"
        }
    );
    if config.history.path.is_some() {
        eprintln!("formcheck live: two-camera sessions are not kept in the history");
    }
}

impl Session<'_> {
    fn start_line(&mut self, thresholds: &Thresholds) -> Result<(), LiveError> {
        let Some(log) = self.log.as_mut() else {
            return Ok(());
        };
        log.append(&super::SessionStart {
            kind: "session",
            started_unix_s: super::unix_now(),
            source: format!(
                "front: {}; side: {}",
                self.cameras[0].source.describe(),
                self.cameras[1].source.describe()
            ),
            exercise: self.exercise.name(),
            side: super::side_name(self.config.judge.side),
            programme: None,
            model: self.config.pose.model.name(),
            engine: self.config.pose.models.backend.name(),
            thresholds,
            formcheck: env!("CARGO_PKG_VERSION"),
        })?;
        Ok(())
    }

    /// One turn: a frame (or an event) from one camera, the other's first if it was not served
    /// last; keys between frames. `Some` ends the session.
    fn step(&mut self) -> Result<Option<EndReason>, LiveError> {
        match self.stop.load(Ordering::SeqCst) {
            0 => {}
            signal => return Ok(Some(EndReason::from_signal(signal))),
        }
        if self.window.as_ref().is_some_and(|w| !w.is_open()) {
            return Ok(Some(EndReason::WindowClosed));
        }
        if self.cameras.iter().all(|c| c.capture.is_none()) {
            return Ok(Some(if self.cameras.iter().any(|c| c.gave_up) {
                EndReason::StreamLost
            } else {
                EndReason::StreamEnded
            }));
        }
        let mut key = None;
        let mut served = false;
        for k in [self.turn, 1 - self.turn] {
            let next = match self.cameras[k].capture.as_ref() {
                Some(capture) => capture.next(Duration::ZERO),
                None => continue,
            };
            match next {
                Next::Frame(frame) => {
                    key = self.frame(k, frame)?;
                    self.turn = 1 - k;
                    served = true;
                    break;
                }
                Next::Event(event) => self.event(k, &event)?,
                Next::Ended(end) => self.ended(k, &end)?,
                Next::Idle => {}
            }
        }
        if !served {
            key = match self.window.as_ref() {
                Some(w) => w.wait(2)?,
                None => {
                    std::thread::sleep(Duration::from_millis(2));
                    None
                }
            };
        }
        Ok(match key {
            Some(Key::Quit) => Some(EndReason::Key),
            Some(Key::Snapshot) => {
                if let Some(image) = self.composite()? {
                    super::frames::snapshot(
                        Some(&image),
                        &super::snapshot_dir(self.config),
                        self.config.quiet,
                    );
                }
                None
            }
            // Pause and the set and programme keys belong to one-camera sessions.
            _ => None,
        })
    }

    /// One camera's frame through its pose tracker and coach; its reps into the pairing.
    fn frame(
        &mut self,
        k: usize,
        frame: super::capture::CapturedFrame,
    ) -> Result<Option<Key>, LiveError> {
        let cam = &mut self.cameras[k];
        let camera = cam.camera;
        let video = VideoFrame {
            index: frame.index,
            time_s: frame.time_s,
            image: frame.image,
        };
        self.last_time_s = self.last_time_s.max(video.time_s);
        let pose_frame: PoseFrame = cam.pose.process(&video)?;
        let now = Instant::now();
        let Some(coach) = cam.coach.as_mut() else {
            return Ok(None);
        };
        let (view, reps) = coach.push(&pose_frame, now);
        cam.processed += 1;
        cam.first_frame.get_or_insert(now);
        cam.last_frame = Some(now);
        if let Some(cue) = view.new_cue.as_ref() {
            if !self.config.quiet && !self.config.window {
                eprintln!(
                    "  {:6.2}s  {}: cue: {}",
                    video.time_s,
                    camera_name(camera),
                    cue.text
                );
            }
        }
        let mut image = video.image;
        if self.config.window {
            let overlay = Overlay {
                status: Some(match (camera, view.counting) {
                    (_, false) => "SETUP",
                    (Camera::Front, true) => "FRONT",
                    (Camera::Side, true) => "SIDE",
                }),
                ..view.overlay(pose_frame.pose.as_ref())
            };
            draw::draw_overlay(&mut image, &overlay)?;
            self.cameras[k].shown = Some(image);
        }
        let mut merged = Vec::new();
        if let Some(pairing) = self.pairing.as_mut() {
            let signal = self.exercise.rep_signal();
            let measures = measure(&pose_frame, &self.ctx);
            pairing.sample(camera, video.time_s, signal.value(&measures));
            for rep in reps {
                merged.extend(pairing.push(camera, rep));
            }
            merged.extend(pairing.tick(camera, video.time_s));
        }
        self.reps(&merged)?;
        let key = match self.composite()? {
            Some(image) => match self.window.as_mut() {
                Some(w) => w.show(&image)?,
                None => None,
            },
            None => None,
        };
        let cam = &mut self.cameras[k];
        cam.latency_ms.push(
            Instant::now()
                .duration_since(frame.captured_at)
                .as_secs_f64()
                * 1000.0,
        );
        Ok(key)
    }

    /// Merged reps: logged, printed and counted.
    fn reps(&mut self, reps: &[PairedRep]) -> Result<(), LiveError> {
        for rep in reps {
            if let Some(log) = self.log.as_mut() {
                log.append(&RepLine { kind: "rep", rep })?;
            }
            match (&rep.front, &rep.side) {
                (Some(_), None) => self.seen_alone[0] += 1,
                (None, Some(_)) => self.seen_alone[1] += 1,
                _ => {}
            }
            if rep.complete {
                self.tally.complete_reps += 1;
                if !rep.faults.is_empty() {
                    self.tally.flagged_reps += 1;
                }
                let mut kinds: Vec<&'static str> = rep.faults.iter().map(|f| f.flag).collect();
                kinds.sort();
                kinds.dedup();
                for kind in kinds {
                    *self.tally.flag_counts.entry(kind).or_insert(0) += 1;
                }
            } else {
                self.tally.incomplete_reps += 1;
            }
            if !self.config.quiet {
                eprintln!("  {:6.2}s  {}", self.last_time_s, describe(rep));
            }
        }
        Ok(())
    }

    /// Both views side by side, each scaled to one height; a camera without a picture is a
    /// dark panel saying why.
    fn composite(&self) -> Result<Option<Mat>, LiveError> {
        if self.window.is_none() {
            return Ok(None);
        }
        let mut panels = Vector::<Mat>::new();
        for cam in &self.cameras {
            let panel = match (&cam.shown, &cam.down) {
                (Some(image), None) => fit_panel(image)?,
                (_, down) => {
                    let why = down.as_deref().unwrap_or("waiting for the first frame");
                    let line = format!("{}: {why}", cam.name());
                    draw::notice(&[&line], PANEL_WIDTH, PANEL_HEIGHT)?
                }
            };
            panels.push(panel);
        }
        let mut out = Mat::default();
        opencv::core::hconcat(&panels, &mut out).map_err(draw::DrawError::from)?;
        Ok(Some(out))
    }

    fn event(&mut self, k: usize, event: &CaptureEvent) -> Result<(), LiveError> {
        let camera = self.cameras[k].camera;
        let (name, message) = match event {
            CaptureEvent::Lost { reason, retry_in } => {
                self.cameras[k].down = Some(format!("lost ({reason}); reconnecting"));
                if let Some(p) = self.pairing.as_mut() {
                    p.lost(camera);
                }
                (
                    "stream_lost",
                    format!(
                        "{} lost ({reason}); reconnecting in {:.1} s; the session goes on with the {}{}",
                        camera_name(camera),
                        retry_in.as_secs_f64(),
                        camera_name(camera.other()),
                        self.not_judged_without(camera)
                    ),
                )
            }
            CaptureEvent::RetryFailed {
                attempt,
                message,
                retry_in,
            } => (
                "reconnect_failed",
                format!(
                    "{}: reconnect attempt {attempt} failed ({message}); next try in {:.1} s",
                    camera_name(camera),
                    retry_in.as_secs_f64()
                ),
            ),
            CaptureEvent::Reconnected { after } => {
                let cam = &mut self.cameras[k];
                cam.down = None;
                // A new connection is a new video: tracking and smoothing start afresh.
                cam.pose.reset();
                if let Some(p) = self.pairing.as_mut() {
                    p.resumed(camera);
                }
                (
                    "reconnected",
                    format!(
                        "{} back after {:.1} s; both views are judged again",
                        camera_name(camera),
                        after.as_secs_f64()
                    ),
                )
            }
            CaptureEvent::RecordFailed(message) => ("record_failed", message.clone()),
        };
        self.say_event(camera, name, &message)
    }

    /// A camera's source ended (its recording's end, or it did not come back): its rep under
    /// way is closed, and the other camera goes on alone.
    fn ended(&mut self, k: usize, end: &CaptureEnd) -> Result<(), LiveError> {
        let camera = self.cameras[k].camera;
        self.cameras[k].stop_capture();
        // A rep cut short by a camera lost while the other still sends is the other's to count:
        // that one sees it whole.
        let cut_short = matches!(end, CaptureEnd::GaveUp { .. })
            && self
                .pairing
                .as_ref()
                .is_some_and(|p| p.is_sending(camera.other()));
        let mut merged = self.close_coach(k, cut_short);
        if let Some(p) = self.pairing.as_mut() {
            merged.extend(p.finished(camera));
        }
        self.reps(&merged)?;
        let (name, message) = match end {
            CaptureEnd::GaveUp { after, .. } => {
                self.cameras[k].gave_up = true;
                self.cameras[k].down =
                    Some(format!("did not come back in {:.0} s", after.as_secs_f64()));
                (
                    "stream_gave_up",
                    format!(
                        "{} did not come back in {:.0} s{}",
                        camera_name(camera),
                        after.as_secs_f64(),
                        if self.cameras[1 - k].capture.is_some() {
                            format!(
                                "; the session goes on with the {}{}",
                                camera_name(camera.other()),
                                self.not_judged_without(camera)
                            )
                        } else {
                            String::new()
                        }
                    ),
                )
            }
            CaptureEnd::EndOfFile | CaptureEnd::Stopped => {
                self.cameras[k].down = Some("ended".into());
                ("stream_ended", format!("{} ended", camera_name(camera)))
            }
        };
        self.say_event(camera, name, &message)
    }

    /// Ends a camera's coach: its notes into the session's, its rep under way into the pairing
    /// (unless `drop_incomplete`).
    fn close_coach(&mut self, k: usize, drop_incomplete: bool) -> Vec<PairedRep> {
        let camera = self.cameras[k].camera;
        let Some((reps, tally)) = self.cameras[k].coach.take().map(Coach::finish) else {
            return Vec::new();
        };
        for note in tally.notes {
            let note = format!("{}: {note}", camera_name(camera));
            if !self.tally.notes.contains(&note) {
                self.tally.notes.push(note);
            }
        }
        self.tally.sets = self.tally.sets.max(tally.sets);
        // Merged reps carry no set: the sets are the camera's that counted the most.
        if tally.reps_per_set.iter().sum::<u32>() > self.tally.reps_per_set.iter().sum::<u32>() {
            self.tally.reps_per_set = tally.reps_per_set;
        }
        let mut merged = Vec::new();
        if let Some(p) = self.pairing.as_mut() {
            for rep in reps.into_iter().filter(|r| r.complete || !drop_incomplete) {
                merged.extend(p.push(camera, rep));
            }
        }
        merged
    }

    /// What only this camera's view judges, as the tail of a sentence.
    fn not_judged_without(&self, camera: Camera) -> String {
        let (lost, kept) = match camera {
            Camera::Front => (View::Frontal, View::Side),
            Camera::Side => (View::Side, View::Frontal),
        };
        match exercise::judged_only_in(self.exercise, lost, kept) {
            Some(what) => format!(": {what} not judged until it is back"),
            None => String::new(),
        }
    }

    fn say_event(
        &mut self,
        camera: Camera,
        name: &'static str,
        message: &str,
    ) -> Result<(), LiveError> {
        if !self.config.quiet {
            eprintln!("formcheck live: {message}");
        }
        if let Some(log) = self.log.as_mut() {
            log.append(&EventLine {
                kind: "event",
                event: name,
                camera,
                t_s: self.last_time_s,
                message,
            })?;
        }
        Ok(())
    }

    /// Closes both cameras and the pairing, and writes the summary however the session ended.
    fn finish(mut self, result: Result<EndReason, LiveError>) -> Result<LiveOutcome, LiveError> {
        let mut merged = Vec::new();
        for k in 0..2 {
            self.cameras[k].stop_capture();
            merged.extend(self.close_coach(k, false));
        }
        let offset_s = self.pairing.as_ref().map_or(0.0, LivePairing::offset_s);
        let matched = self.pairing.as_ref().map_or(0, LivePairing::matched);
        if let Some(p) = self.pairing.take() {
            merged.extend(p.finish());
        }
        self.reps(&merged)?;
        if matched == 0 && self.seen_alone.iter().all(|n| *n > 0) {
            // Each camera counted reps and none lined up: `analyze` would refuse such a pair.
            self.tally.notes.push(NOT_THE_SAME_SET.to_string());
            if !self.config.quiet {
                eprintln!("formcheck live: {NOT_THE_SAME_SET}");
            }
        }
        let duration_s = self.started.elapsed().as_secs_f64();
        let end = match &result {
            Ok(end) => end.clone(),
            Err(_) => EndReason::Error,
        };
        let latency: Vec<f64> = self
            .cameras
            .iter()
            .flat_map(|c| c.latency_ms.iter().copied())
            .collect();
        let cameras: Vec<CameraSummary> = self
            .cameras
            .iter()
            .map(|c| CameraSummary {
                camera: c.camera,
                source: c.source.describe(),
                frames_captured: c.stats.captured,
                frames_processed: c.processed,
                frames_dropped: c.stats.dropped,
                reconnects: c.stats.reconnects,
                fps: c.fps(),
                latency_ms_median: percentile(&c.latency_ms, 50.0),
                latency_ms_p95: percentile(&c.latency_ms, 95.0),
            })
            .collect();
        if !self.config.quiet {
            for c in &cameras {
                eprintln!(
                    "formcheck live: {}: {} frames at {:.1} FPS, frame-to-cue p95 {:.0} ms",
                    camera_name(c.camera),
                    c.frames_processed,
                    c.fps,
                    c.latency_ms_p95.unwrap_or(0.0)
                );
            }
        }
        if let Some(log) = self.log.as_mut() {
            log.append(&SummaryLine {
                kind: "summary",
                end: &end,
                error: result.as_ref().err().map(|e| e.to_string()),
                duration_s,
                tally: &self.tally,
                offset_s,
                cameras,
                latency_ms_median: percentile(&latency, 50.0),
                latency_ms_p95: percentile(&latency, 95.0),
            })?;
        }
        let mut capture = CaptureStats::default();
        for c in &self.cameras {
            capture += c.stats;
        }
        result.map(|end| LiveOutcome {
            end,
            tally: self.tally,
            capture,
            processed: self.cameras.iter().map(|c| c.processed).sum(),
            duration_s,
            latency_ms: latency,
            work_ms: Vec::new(),
            pose_ms: Vec::new(),
            analysis_ms: Vec::new(),
            draw_ms: Vec::new(),
        })
    }
}

/// A view fitted into its panel, letterboxed: every composite has the same size, so the window
/// does not stretch when a camera drops or comes back.
fn fit_panel(image: &Mat) -> Result<Mat, LiveError> {
    let (w, h) = (image.cols().max(1) as f64, image.rows().max(1) as f64);
    let scale = (PANEL_WIDTH as f64 / w).min(PANEL_HEIGHT as f64 / h);
    let (sw, sh) = (
        ((w * scale).round() as i32).clamp(1, PANEL_WIDTH),
        ((h * scale).round() as i32).clamp(1, PANEL_HEIGHT),
    );
    let mut scaled = Mat::default();
    opencv::imgproc::resize(
        image,
        &mut scaled,
        Size::new(sw, sh),
        0.0,
        0.0,
        opencv::imgproc::INTER_AREA,
    )
    .map_err(draw::DrawError::from)?;
    let (left, top) = ((PANEL_WIDTH - sw) / 2, (PANEL_HEIGHT - sh) / 2);
    let mut out = Mat::default();
    opencv::core::copy_make_border(
        &scaled,
        &mut out,
        top,
        PANEL_HEIGHT - sh - top,
        left,
        PANEL_WIDTH - sw - left,
        opencv::core::BORDER_CONSTANT,
        opencv::core::Scalar::all(0.0),
    )
    .map_err(draw::DrawError::from)?;
    Ok(out)
}

/// A merged rep on the terminal: its number, which cameras saw it, and its faults.
fn describe(rep: &PairedRep) -> String {
    let seen = match (&rep.front, &rep.side) {
        (Some(_), Some(_)) => "both cameras",
        (Some(_), None) => "front camera only",
        (None, Some(_)) => "side camera only",
        (None, None) => "no camera",
    };
    let faults: Vec<String> = rep
        .faults
        .iter()
        .map(|f| format!("{} ({})", f.text, camera_name(f.camera)))
        .collect();
    let judged = rep
        .concerns
        .iter()
        .any(|c| !matches!(c.result.status, ConcernStatus::NotJudged { .. }));
    format!(
        "rep {}{} [{seen}]: {}",
        rep.number,
        if rep.complete { "" } else { " (incomplete)" },
        match (faults.is_empty(), judged) {
            (false, _) => faults.join("; "),
            (true, true) => "no fault in what was judged".to_string(),
            (true, false) => "nothing could be judged".to_string(),
        }
    )
}
