//! `formcheck live`: a camera, a stream or a file played in real time → pose → the shared
//! analyser → a window (or the terminal) with the skeleton, the numbers, the count and the cue.
//!
//! Threads: one captures (and records) and always leaves only the newest frame; this one runs
//! pose, analysis, drawing and the window, so a slow frame delays the next cue but never queues
//! old frames. Every rep is appended to the session log as it completes; the summary is written
//! however the session ends.

pub mod bench;
mod capture;
mod check;
mod coach;
mod coaching;
mod feed;
mod frames;
pub mod guide;
mod outputs;
mod record;
mod session;
mod setup;
mod two_views;
pub mod voice;
mod window;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use crate::analysis::AnalysisError;
use crate::config::LiveConfig;
use crate::draw;
use crate::history::{History, SessionInfo};
use crate::judge::Thresholds;
use crate::pose::{PoseError, PoseEstimator};
use crate::video::{SourceSpec, VideoError, VideoInfo, VideoSource};

pub use crate::cues::Cue;
pub use capture::{Backoff, CaptureEnd, CaptureStats};
pub use coach::{Coach, CoachView, Tally};
pub use record::RecordError;
pub use session::{SessionError, SessionLog};
pub use setup::{SetupProblem, ViewNeed};
pub use window::{Key, WindowError};

use capture::Capture;
use coaching::Coaching;
use frames::{run_loop, Options};
pub use frames::{EndReason, LiveOutcome};
use outputs::{LiveHistory, Outputs};
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
    Voice(#[from] voice::VoiceError),
    #[error(transparent)]
    Record(#[from] RecordError),
    #[error(transparent)]
    Window(#[from] WindowError),
    #[error(transparent)]
    Draw(#[from] draw::DrawError),
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

/// The `session` line: what was run, against which thresholds.
#[derive(Serialize)]
struct SessionStart<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    started_unix_s: f64,
    source: String,
    exercise: &'static str,
    side: Option<&'static str>,
    /// A guided session's programme: its file, or "built-in".
    #[serde(skip_serializing_if = "Option::is_none")]
    programme: Option<&'a str>,
    model: &'static str,
    engine: &'static str,
    thresholds: &'a Thresholds,
    formcheck: &'static str,
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

fn side_name(side: Option<crate::exercise::Side>) -> Option<&'static str> {
    side.map(|s| s.name())
}

/// Runs a live session until a key, Ctrl-C, the window closing or the source ending; a guided
/// session until its programme is done, then asks whether anything hurt.
pub fn run(config: LiveConfig) -> Result<LiveOutcome, LiveError> {
    if let Some(side) = &config.side_view {
        let outcome = two_views::run(&config, side, stop_on_signals())?;
        if !config.quiet {
            print_end(&outcome, config.session.as_deref());
        }
        return Ok(outcome);
    }
    // Everything that can fail on bad input fails here, before the camera is opened.
    let (coaching, thresholds) = coaching_for(&config)?;
    if config.window {
        window::check_display()?;
    }
    let mut pose = PoseEstimator::new(&config.pose)?;
    let source = open_sources(&config)?;
    let (mut outputs, history) = open_outputs(&config)?;
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
    start_session(
        &config,
        &coaching,
        &thresholds,
        &info,
        history,
        &mut outputs,
    )?;
    let backoff = Backoff {
        give_up: config.reconnect_for,
        ..Backoff::default()
    };
    let capture = Capture::start(Box::new(feed::SourceFeed::new(source)), recorder, backoff);
    let options = loop_options(&config, stop, backoff);
    let session = run_loop(
        capture,
        &mut pose,
        coaching,
        &mut outputs,
        window,
        &options,
        config.record.as_deref(),
    );
    end_session(session, &mut outputs, &config)
}

/// Who is in charge (the programme's guide, or one exercise's coach) and the thresholds the
/// session is judged against; a bad exercise or threshold fails here.
fn coaching_for(config: &LiveConfig) -> Result<(Coaching, Thresholds), LiveError> {
    Ok(match &config.programme {
        Some(g) => {
            let thresholds = config.judge.thresholds.clone();
            let guide =
                guide::Guide::new(g.programme.clone(), thresholds.clone(), !g.files.is_empty());
            (Coaching::Programme(guide), thresholds)
        }
        None => {
            let (exercise, thresholds) = crate::analysis::resolve_settings(&config.judge)?;
            let coach = Coach::new(exercise, config.judge.side, thresholds.clone());
            let coach = match config.source {
                SourceSpec::File(_) => coach.counting_from_the_first_frame(),
                SourceSpec::Camera(_) | SourceSpec::Url(_) => coach,
            };
            (Coaching::one(coach, config.judge.side), thresholds)
        }
    })
}

/// Opens the session's source; a guided session's other recordings are checked too.
fn open_sources(config: &LiveConfig) -> Result<VideoSource, LiveError> {
    let source = open_source(&config.source)?;
    if let Some(g) = &config.programme {
        // Every exercise's recording is checked before the session starts.
        for file in g.files.iter().skip(1) {
            crate::video::check_one_picture_size(file).map_err(|error| LiveError::Source {
                flag: "--file",
                error,
            })?;
        }
    }
    Ok(source)
}

/// The session log, the voice and the terminal, and the history to record into; called once
/// the source is known good.
fn open_outputs(config: &LiveConfig) -> Result<(Outputs, Option<History>), LiveError> {
    // Opened once the source is known good, so a missing camera leaves no empty log behind.
    let log = config
        .session
        .as_deref()
        .map(SessionLog::open)
        .transpose()?;
    // A history that cannot be opened costs the record, never the workout.
    let history = config
        .history
        .path
        .as_deref()
        .and_then(|path| match History::open(path) {
            Ok(db) => Some(db),
            Err(e) => {
                outputs::history_unusable(path, &e);
                None
            }
        });
    // Speech is checked before the camera is watched: a missing espeak-ng fails in one line.
    let voice = match &config.voice {
        Some(v) => Some(voice::Voice::start(v.aloud, v.log.clone())?),
        None => None,
    };
    let outputs = Outputs {
        log,
        voice,
        print_cues: !config.window && !config.quiet,
        quiet: config.quiet,
        tag_reps: config.programme.is_some(),
        ..Outputs::default()
    };
    Ok((outputs, history))
}

/// The session's start, once everything is open: its history record, its `session` line, the
/// line on the terminal and a programme's opening words.
fn start_session(
    config: &LiveConfig,
    coaching: &Coaching,
    thresholds: &Thresholds,
    info: &VideoInfo,
    history: Option<History>,
    outputs: &mut Outputs,
) -> Result<(), LiveError> {
    let exercise_name = coaching.exercise().map_or("programme", |e| e.name());
    if let Some(db) = history {
        let path = db.path().to_path_buf();
        match live_history(db, config, coaching, exercise_name) {
            Ok(h) => outputs.history = Some(h),
            Err(e) => outputs::history_unusable(&path, &e),
        }
    }
    if let Some(log) = outputs.log.as_mut() {
        log.append(&SessionStart {
            kind: "session",
            started_unix_s: unix_now(),
            source: config.source.describe(),
            exercise: exercise_name,
            side: side_name(config.judge.side),
            programme: config.programme.as_ref().map(|g| g.name.as_str()),
            model: config.pose.model.name(),
            engine: config.pose.models.backend.name(),
            thresholds,
            formcheck: env!("CARGO_PKG_VERSION"),
        })?;
    }
    if !config.quiet {
        print_start(config, exercise_name, info);
    }
    if let Coaching::Programme(guide) = coaching {
        outputs.announce(&guide.opening(), 0.0)?;
    }
    Ok(())
}

/// The session's first line on the terminal: what is watched, and the keys.
fn print_start(config: &LiveConfig, exercise_name: &str, info: &VideoInfo) {
    eprintln!(
        "formcheck live: {} from {} ({}×{}); {}",
        exercise_name,
        crate::terminal::escape_controls(&config.source.describe()),
        info.width,
        info.height,
        match (config.window, config.programme.is_some()) {
            (true, true) =>
                "q/Esc end the session, n skip the exercise, e end it here, r repeat it, space pause, s snapshot",
            (true, false) => "q/Esc quit, space pause, r reset set, s snapshot",
            (false, _) => "Ctrl-C to stop",
        }
    );
}

/// After the loop: a guided session that ended well asks whether anything hurt; the voice is
/// finished and the last line printed.
fn end_session(
    session: Result<(LiveOutcome, Option<Window>), LiveError>,
    outputs: &mut Outputs,
    config: &LiveConfig,
) -> Result<LiveOutcome, LiveError> {
    let outcome = match session {
        Ok((outcome, window)) => {
            if config.programme.is_some() && outcome.end.exit_code() == 0 {
                // A window the user closed is not reopened: the question goes to the terminal.
                let window = window.filter(|_| outcome.end != EndReason::WindowClosed);
                check_in(outputs, window, config)?;
            }
            Ok(outcome)
        }
        Err(e) => Err(e),
    };
    // What was queued is said and the voice log written however the session ended.
    let spoken = outputs.voice.take().map(voice::Voice::finish);
    let outcome = outcome?;
    if let Some(spoken) = spoken {
        report_voice(&spoken?, config);
    }
    if !config.quiet {
        print_end(&outcome, outputs.log.as_ref().map(|l| l.path()));
    }
    Ok(outcome)
}

/// This session's record in the history: one exercise's at once; a programme's per exercise
/// and side as their reps come.
fn live_history(
    db: History,
    config: &LiveConfig,
    coaching: &Coaching,
    exercise_name: &str,
) -> Result<LiveHistory, LiveError> {
    let mut h = LiveHistory {
        db,
        info: SessionInfo {
            person: config.history.person.clone(),
            source: config.source.describe(),
            video_key: None,
            at_unix_s: unix_now() as i64,
            exercise: exercise_name.to_string(),
            side: side_name(config.judge.side).map(str::to_string),
            model: config.pose.model.name().to_string(),
            engine: config.pose.models.backend.name().to_string(),
        },
        sessions: Vec::new(),
    };
    if let Coaching::One { coach, side, .. } = coaching {
        h.start(coach.exercise().name(), *side)?;
    }
    Ok(h)
}

fn loop_options(config: &LiveConfig, stop: Arc<AtomicUsize>, backoff: Backoff) -> Options {
    Options {
        window: config.window,
        draw: config.window,
        quiet: config.quiet,
        snapshot_dir: snapshot_dir(config),
        stop,
        sources: config
            .programme
            .as_ref()
            .map(|g| g.files.clone())
            .unwrap_or_default(),
        backoff,
    }
}

/// Snapshots go beside the session log, or here.
fn snapshot_dir(config: &LiveConfig) -> PathBuf {
    config
        .session
        .as_deref()
        .and_then(Path::parent)
        .filter(|p| !p.as_os_str().is_empty())
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The session's last line on the terminal.
fn print_end(outcome: &LiveOutcome, log: Option<&Path>) {
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
        match log {
            Some(l) => format!(
                "; session log {}",
                crate::terminal::escape_controls(&l.display().to_string())
            ),
            None => String::new(),
        }
    );
}

fn open_source(spec: &SourceSpec) -> Result<VideoSource, LiveError> {
    let source_err = |error| LiveError::Source {
        flag: source_flag(spec),
        error,
    };
    if let SourceSpec::File(path) = spec {
        crate::video::check_one_picture_size(path).map_err(source_err)?;
    }
    VideoSource::open(spec).map_err(source_err)
}

fn report_voice(spoken: &voice::Spoken, config: &LiveConfig) {
    if config.quiet {
        return;
    }
    eprintln!(
        "formcheck live: voice: {} utterance{}{}{}",
        spoken.utterances,
        if spoken.utterances == 1 { "" } else { "s" },
        if spoken.dropped > 0 {
            format!(", {} dropped (speech was behind)", spoken.dropped)
        } else {
            String::new()
        },
        match config.voice.as_ref().and_then(|v| v.log.as_ref()) {
            Some(log) => format!("; {:.1} s kept in {}", spoken.log_seconds, log.display()),
            None => String::new(),
        }
    );
}

#[derive(Serialize)]
struct CheckLine {
    #[serde(rename = "type")]
    kind: &'static str,
    question: &'static str,
    answer: check::Answer,
}

/// The end of a guided session: the precautions are shown and said, and the answer to whether
/// anything hurt is asked (in the window, or on the terminal), recorded, and answered.
fn check_in(
    outputs: &mut Outputs,
    window: Option<Window>,
    config: &LiveConfig,
) -> Result<(), LiveError> {
    let notice = format!(
        "{} {}",
        crate::output::report::NOT_A_DIAGNOSIS,
        crate::output::report::PRECAUTIONS
    );
    eprintln!("formcheck live: {notice}");
    eprintln!("formcheck live: {}", check::QUESTION);
    if let Some(voice) = outputs.voice.as_mut() {
        voice.say(check::QUESTION);
    }
    let answer = match window {
        Some(mut w) => {
            w.show_notice(&[
                crate::output::report::NOT_A_DIAGNOSIS,
                crate::output::report::PRECAUTIONS,
                "",
                check::QUESTION,
            ])?;
            check::ask_window(|| w.wait_raw(100).ok().flatten())
        }
        None => check::ask_terminal(&mut std::io::stdin().lock()),
    };
    if let Some(log) = outputs.log.as_mut() {
        log.append(&CheckLine {
            kind: "check",
            question: check::QUESTION,
            answer,
        })?;
    }
    if let Some(h) = outputs.history.as_mut() {
        let person = &config.history.person;
        if let Err(e) =
            h.db.record_check_in(person, unix_now() as i64, answer.key())
        {
            outputs.drop_history(&e);
        }
    }
    match answer {
        check::Answer::Yes => {
            eprintln!("formcheck live: {}", check::SEE_A_DOCTOR);
            if let Some(voice) = outputs.voice.as_mut() {
                voice.say(check::SEE_A_DOCTOR);
            }
        }
        check::Answer::No => eprintln!("formcheck live: thank you; recorded"),
        check::Answer::NotAnswered => eprintln!(
            "formcheck live: no answer recorded; if anything hurt, swelled or gave way, see a doctor"
        ),
    }
    Ok(())
}
