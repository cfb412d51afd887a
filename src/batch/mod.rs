//! The `analyze` command: expand the inputs into videos (or one shard of them), analyse them on
//! `--jobs` worker threads (each with its own pose model, so memory grows with the jobs, not with
//! the videos), show progress, keep going past a bad video, stop cleanly on Ctrl-C, and write the
//! batch index; and the `index` command, which writes the same index from OUT alone.
//!
//! The index is built from what OUT holds, in folder-name order, so every file is the same for
//! any `--jobs`, any split into shards, and any number of runs into one OUT.

pub mod inputs;
pub mod lock;
pub mod marker;
mod pair;
pub mod pipeline;
pub mod progress;
use crate::config::shard;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use inputs::VideoInput;
use marker::Marker;
use pipeline::{Finished, Job, PipelineError};
use progress::{Mode, Progress};

use crate::analysis::Analyzer;
use crate::config::{AnalyzeConfig, IndexConfig};
use crate::output::index::{self, IndexRow};
use crate::output::RunSettings;
use crate::pose::{PoseError, PoseEstimator};

/// Where outputs go when `--out` is not given.
pub const DEFAULT_OUT: &str = "out";

/// Exit code when some videos failed and the others were analysed.
pub const EXIT_SOME_FAILED: u8 = 1;
/// Exit code after Ctrl-C (128 + SIGINT, as shells report it); SIGTERM gives 143 and SIGHUP 129.
pub const EXIT_INTERRUPTED: u8 = 130;

/// The signals that stop a batch between frames: Ctrl-C, a scheduler's time limit (Slurm sends
/// SIGTERM), a closed terminal.
const STOP_SIGNALS: [i32; 3] = [
    signal_hook::consts::SIGINT,
    signal_hook::consts::SIGTERM,
    signal_hook::consts::SIGHUP,
];

/// Errors that stop the whole batch before or outside any one video.
#[derive(Debug, thiserror::Error)]
pub enum BatchError {
    #[error("input {}: {source}", path.display())]
    Input {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("input {}: not a regular file (a FIFO, socket or device); give a video file, which formcheck needs to seek in", .0.display())]
    NotAFile(PathBuf),
    #[error("{flag} {}: {source}", path.display())]
    List {
        /// The flag that named the manifest: `--from-list`, or `index --check`.
        flag: &'static str,
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("input folder {} holds no video files", .0.display())]
    NoVideos(PathBuf),
    #[error("{} and {} would both write to OUT/{name}/; analyse them into different --out folders", first.display(), second.display())]
    NameClash {
        name: String,
        first: PathBuf,
        second: PathBuf,
    },
    #[error("--out {}: is a file, not a folder; give a folder (it is created if missing)", .0.display())]
    OutIsFile(PathBuf),
    #[error("index {}: not a folder; give the --out folder of an earlier analyze", .0.display())]
    NotAnOutput(PathBuf),
    #[error(transparent)]
    OutputIsInput(#[from] crate::output::guard::OutputIsInput),
    #[error(transparent)]
    SameFile(#[from] crate::output::guard::SameFile),
    #[error(transparent)]
    Lock(#[from] lock::LockError),
    #[error("--out {}: {source}", path.display())]
    OutDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error(transparent)]
    Analysis(#[from] crate::analysis::AnalysisError),
    #[error("{0}")]
    PairInput(String),
    #[error("--front-view {} and --side-view {} are the same video ({how}); give the other camera's video as --side-view", front.display(), side.display())]
    SameVideo {
        front: PathBuf,
        side: PathBuf,
        how: &'static str,
    },
    #[error("--front-view {} and --side-view {}: {source}", front.display(), side.display())]
    Pair {
        front: PathBuf,
        side: PathBuf,
        source: crate::multiview::pair::PairError,
    },
    #[error("cannot start the pose stage: {0}")]
    Pose(#[from] PoseError),
    #[error(
        "internal error: a worker thread panicked (please report it); finished videos are kept"
    )]
    Panicked,
    #[error("cannot watch for Ctrl-C and SIGTERM: {0}")]
    Signal(std::io::Error),
    #[error(transparent)]
    Export(#[from] crate::output::ExportError),
    #[error(transparent)]
    Video(#[from] PipelineError),
    #[error(transparent)]
    History(#[from] crate::history::HistoryError),
}

/// What became of one video in this run.
#[derive(Debug)]
pub enum Status {
    /// Analysed; with what the user must know about it (a file cut short).
    Done {
        warning: Option<String>,
    },
    Skipped,
    /// Left to another run that is analysing it now (its lock is held).
    Busy,
    Failed(String),
    /// Not started, or stopped, because of Ctrl-C.
    Interrupted,
}

#[derive(Debug)]
pub struct VideoOutcome {
    pub input: VideoInput,
    pub dir: PathBuf,
    pub status: Status,
    /// Frames decoded and run through pose in this run (0 when skipped).
    pub frames: u64,
    pub elapsed: Duration,
}

#[derive(Debug)]
pub struct BatchReport {
    pub out: PathBuf,
    /// The shard this run analysed; a shard writes no index.
    pub shard: Option<shard::Shard>,
    pub videos: Vec<VideoOutcome>,
    /// The signal that stopped the batch, if one did.
    pub interrupted_by: Option<i32>,
    pub elapsed: Duration,
}

impl BatchReport {
    pub fn count(&self, pick: impl Fn(&Status) -> bool) -> usize {
        self.videos.iter().filter(|v| pick(&v.status)).count()
    }

    pub fn exit_code(&self) -> ExitCode {
        if let Some(signal) = self.interrupted_by {
            // 128 + the signal, as shells report it; the three stop signals are all below 128.
            ExitCode::from(128 + u8::try_from(signal).unwrap_or(0))
        } else if self.count(|s| matches!(s, Status::Failed(_))) > 0 {
            ExitCode::from(EXIT_SOME_FAILED)
        } else {
            ExitCode::SUCCESS
        }
    }

    /// One line for the terminal: counts and throughput (videos a minute, frames a second) over
    /// the videos analysed in this run.
    pub fn summary_line(&self) -> String {
        let done = self.count(|s| matches!(s, Status::Done { .. }));
        let frames: u64 = self.videos.iter().map(|v| v.frames).sum();
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let mut line = format!(
            "{} video{}: {done} analysed, {} skipped (already complete), {} failed",
            self.videos.len(),
            if self.videos.len() == 1 { "" } else { "s" },
            self.count(|s| matches!(s, Status::Skipped)),
            self.count(|s| matches!(s, Status::Failed(_))),
        );
        let busy = self.count(|s| matches!(s, Status::Busy));
        if busy > 0 {
            line.push_str(&format!(", {busy} left to another run analysing them now"));
        }
        let interrupted = self.count(|s| matches!(s, Status::Interrupted));
        if interrupted > 0 {
            line.push_str(&format!(", {interrupted} not finished (interrupted)"));
        }
        line.push_str(&format!(
            " in {:.1} s: {:.1} videos/min, {:.1} FPS; ",
            secs,
            done as f64 * 60.0 / secs,
            frames as f64 / secs,
        ));
        match self.shard {
            Some(shard) => line.push_str(&format!(
                "shard {shard}; when every shard is done: formcheck index {}",
                self.out.display()
            )),
            None => line.push_str(&format!(
                "index: {}",
                self.out.join(index::INDEX_HTML).display()
            )),
        }
        line
    }
}

/// What stops a batch between frames: `stop`, set by the first stop signal or by a worker's
/// failure that the others would share, and `signal`, which signal it was (0: none).
#[derive(Clone)]
struct StopFlags {
    stop: Arc<AtomicBool>,
    signal: Arc<AtomicUsize>,
}

impl StopFlags {
    fn signal(&self) -> Option<i32> {
        match self.signal.load(Ordering::SeqCst) {
            0 => None,
            n => i32::try_from(n).ok(),
        }
    }
}

/// The stop flags, cleared for this batch. The watcher thread is started once per process; the
/// first signal stops the batch after the frame in progress, a second quits at once.
fn stop_on_signals() -> Result<StopFlags, BatchError> {
    static FLAGS: OnceLock<StopFlags> = OnceLock::new();
    if let Some(flags) = FLAGS.get() {
        flags.stop.store(false, Ordering::SeqCst);
        flags.signal.store(0, Ordering::SeqCst);
        return Ok(flags.clone());
    }
    let flags = StopFlags {
        stop: Arc::new(AtomicBool::new(false)),
        signal: Arc::new(AtomicUsize::new(0)),
    };
    let mut signals =
        signal_hook::iterator::Signals::new(STOP_SIGNALS).map_err(BatchError::Signal)?;
    let watcher = flags.clone();
    std::thread::spawn(move || {
        for signal in signals.forever() {
            let first = watcher.signal.swap(signal as usize, Ordering::SeqCst) == 0;
            if !first {
                std::process::exit(128 + signal);
            }
            watcher.stop.store(true, Ordering::SeqCst);
            eprintln!(
                "formcheck: stopping after the frame in progress ({} again to quit now)",
                if signal == signal_hook::consts::SIGINT {
                    "Ctrl-C"
                } else {
                    "the signal"
                }
            );
        }
    });
    let _ = FLAGS.set(flags.clone());
    Ok(flags)
}

/// Every setting that changes an output, for the resume marker: the resolved values, each
/// under a stable name (never a type's `Debug` form, which a renamed variant would change).
fn settings_fingerprint(config: &AnalyzeConfig) -> serde_json::Value {
    // The model files' contents, not their names: a lite model copied over the full one's file
    // gives other landmarks. A file that cannot be read fails the pose stage anyway.
    let model_sha256: Vec<String> = [&config.pose.models.detector, &config.pose.models.landmark]
        .iter()
        .map(|path| crate::pose::file_sha256(path).unwrap_or_else(|e| format!("unreadable: {e}")))
        .collect();
    let judge = &config.judge;
    serde_json::json!({
        "engine": config.pose.models.backend.name(),
        "model_sha256": model_sha256,
        // Every threshold as the run resolved it (defaults, --config, --threshold, --sex).
        "thresholds": serde_json::to_value(&judge.thresholds).ok(),
        "model": config.pose.model.name(),
        "smooth": config.pose.smooth,
        "frame_clock": config.pose.frame_clock,
        "exercise": judge.exercise.map(|e| e.name()),
        "side": judge.side.map(|s| s.name()),
        "max_frames": config.max_frames,
        "analysis_fps": config.analysis_fps,
        "outputs": config.outputs,
    })
}

/// The `analyze` command: a batch, or with `--landmarks` and no `--exercise`, the raw landmarks
/// of one video and nothing else.
pub fn analyze(config: &AnalyzeConfig) -> Result<ExitCode, BatchError> {
    if !config.pairs.is_empty() {
        return pair::run_all(config);
    }
    let (code, frames) = if config.judge.exercise.is_none() && config.landmarks.is_some() {
        landmarks_only(config)?
    } else {
        let report = run(config)?;
        (
            report.exit_code(),
            report.videos.iter().map(|v| v.frames).sum(),
        )
    };
    if let Some(path) = &config.bench_stats {
        let stats = serde_json::json!({
            "frames": frames,
            "decode_passes": crate::video::files_opened(),
        });
        crate::output::atomic::write(path, stats.to_string().as_bytes())?;
    }
    Ok(code)
}

/// Refuses, before anything is opened for writing, any output that would replace an input:
/// `--landmarks`, each video's files and folder, and the batch index.
fn refuse_overwrites(
    config: &AnalyzeConfig,
    videos: &[VideoInput],
    out: Option<&Path>,
) -> Result<(), BatchError> {
    let read = videos.iter().map(|v| v.path.as_path()).chain(
        config
            .judge
            .origin
            .config_file
            .as_ref()
            .map(|f| f.path.as_path()),
    );
    let read = crate::output::guard::Inputs::new(read);
    if let Some(landmarks) = &config.landmarks {
        read.check("--landmarks", landmarks)?;
    }
    if let Some(history) = &config.history.path {
        read.check("--history", history)?;
        refuse_outputs_over_history(config, history, videos, out)?;
    }
    let Some(out) = out else { return Ok(()) };
    for file in [index::SUMMARY_CSV, index::INDEX_HTML] {
        read.check(file, &out.join(file))?;
    }
    for video in videos {
        let dir = pipeline::video_dir(out, video);
        read.check("output folder", &dir)?;
        for file in pipeline::output_files() {
            read.check(file, &dir.join(file))?;
        }
    }
    refuse_landmarks_over_outputs(config, videos, out)
}

/// `--landmarks` is written beside the batch's own files: it may be none of them.
fn refuse_landmarks_over_outputs(
    config: &AnalyzeConfig,
    videos: &[VideoInput],
    out: &Path,
) -> Result<(), BatchError> {
    use crate::output::guard::refuse_same_files;
    let Some(landmarks) = &config.landmarks else {
        return Ok(());
    };
    let mine = ("--landmarks", landmarks.as_path());
    for file in [index::SUMMARY_CSV, index::INDEX_HTML] {
        refuse_same_files(&[mine, (file, &out.join(file))])?;
    }
    for video in videos {
        let dir = pipeline::video_dir(out, video);
        refuse_same_files(&[mine, ("output folder", &dir)])?;
        for file in pipeline::output_files() {
            refuse_same_files(&[mine, (file, &dir.join(file))])?;
        }
    }
    Ok(())
}

/// Nor may an output be the database: landmarks, a video's files or the index over it lose the
/// history.
fn refuse_outputs_over_history(
    config: &AnalyzeConfig,
    history: &Path,
    videos: &[VideoInput],
    out: Option<&Path>,
) -> Result<(), BatchError> {
    let db = ("--history", history);
    if let Some(landmarks) = &config.landmarks {
        crate::output::guard::refuse_same_files(&[db, ("--landmarks", landmarks)])?;
    }
    let Some(out) = out else { return Ok(()) };
    for file in [index::SUMMARY_CSV, index::INDEX_HTML] {
        crate::output::guard::refuse_same_files(&[db, (file, &out.join(file))])?;
    }
    for video in videos {
        let dir = pipeline::video_dir(out, video);
        crate::output::guard::refuse_same_files(&[db, ("output folder", &dir)])?;
        for file in pipeline::output_files() {
            crate::output::guard::refuse_same_files(&[db, (file, &dir.join(file))])?;
        }
    }
    Ok(())
}

fn landmarks_only(config: &AnalyzeConfig) -> Result<(ExitCode, u64), BatchError> {
    let started = Instant::now();
    let videos = inputs::expand(&config.inputs, &[])?;
    refuse_overwrites(config, &videos, None)?;
    let flags = stop_on_signals()?;
    let stop = &flags.stop;
    let progress = Progress::new(Mode::detect(config.quiet), videos.len());
    let mut pose = PoseEstimator::new(&config.pose)?;
    let mut total = 0;
    for (index, input) in videos.iter().enumerate() {
        let job = Job {
            input,
            dir: PathBuf::new(),
            config,
            marker: None,
            stop,
            progress: progress.start(&input.name),
            history: None,
        };
        let frames = job.landmarks_only(&mut pose)?;
        total += frames;
        let secs = started.elapsed().as_secs_f64().max(1e-9);
        progress.finished(
            index,
            &format!(
                "{}: {frames} frames in {secs:.1} s ({:.1} FPS) → {}",
                input.path.display(),
                frames as f64 / secs,
                config
                    .landmarks
                    .as_deref()
                    .unwrap_or(std::path::Path::new("-"))
                    .display()
            ),
        );
    }
    progress.finish();
    Ok((ExitCode::SUCCESS, total))
}

pub fn run(config: &AnalyzeConfig) -> Result<BatchReport, BatchError> {
    let started = Instant::now();
    // Without an exercise there is nothing to judge: said once, before any video.
    Analyzer::from_settings(&config.judge)?;
    let run_settings = RunSettings::new(&config.pose, &config.judge, config.max_frames);
    let videos = videos_of(config)?;
    let out = config
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_OUT));
    if out.exists() && !out.is_dir() {
        return Err(BatchError::OutIsFile(out));
    }
    refuse_overwrites(config, &videos, Some(&out))?;
    std::fs::create_dir_all(&out).map_err(|source| BatchError::OutDir {
        path: out.clone(),
        source,
    })?;
    // Opened before any video, so an unwritable or too-new history stops the run at once.
    let history = match &config.history.path {
        Some(path) => Some(Mutex::new(crate::history::History::open(path)?)),
        None => None,
    };
    let flags = stop_on_signals()?;
    let progress = Progress::new(Mode::detect(config.quiet), videos.len());
    if history.is_some() && !config.history.person_given {
        // A physio's batch of several patients would otherwise mix them under one name.
        progress.note(&format!(
            "recording under the person {:?} (give --person NAME to keep people apart in the history)",
            config.history.person
        ));
    }
    let settings = settings_fingerprint(config);
    let context = Context {
        config,
        settings: &settings,
        run_settings: &run_settings,
        stop: &flags.stop,
        progress: &progress,
        history: history.as_ref(),
    };
    let outcomes = analyse_all(&context, &videos, &out);
    progress.finish();
    let videos = outcomes?;
    // A shard leaves the index to `formcheck index`, once every shard is done.
    if config.shard.is_none() {
        write_index(&out, &videos)?;
    }
    let report = BatchReport {
        out,
        shard: config.shard,
        videos,
        interrupted_by: flags.signal(),
        elapsed: started.elapsed(),
    };
    progress.note(&report.summary_line());
    progress.note(&format!(
        "{} {}",
        crate::output::report::NOT_A_DIAGNOSIS,
        crate::output::report::PRECAUTIONS
    ));
    Ok(report)
}

/// The videos of the inputs and the `--from-list` manifest, or this shard's share of them.
fn videos_of(config: &AnalyzeConfig) -> Result<Vec<VideoInput>, BatchError> {
    let listed = match &config.from_list {
        Some(manifest) => inputs::read_list(manifest, "--from-list")?,
        None => Vec::new(),
    };
    let videos = inputs::expand(&config.inputs, &listed)?;
    let Some(shard) = config.shard else {
        return Ok(videos);
    };
    let keys: Vec<&str> = videos.iter().map(|v| v.key.as_str()).collect();
    let taken = shard::select(&keys, shard);
    Ok(taken.into_iter().map(|i| videos[i].clone()).collect())
}

/// Every video on `--jobs` worker threads, each with its own pose model; the outcomes in the
/// videos' order, a video never started counted as interrupted.
fn analyse_all(
    cx: &Context,
    videos: &[VideoInput],
    out: &Path,
) -> Result<Vec<VideoOutcome>, BatchError> {
    let jobs = cx.config.jobs.clamp(1, videos.len().max(1));
    // Inference threads are shared out between the jobs, so --jobs 2 does not oversubscribe.
    let mut pose_settings = cx.config.pose.clone();
    pose_settings.threads = (cx.config.pose.threads / jobs).max(1);
    let queue = Queue {
        videos,
        out,
        next: AtomicUsize::new(0),
        slots: Mutex::new((0..videos.len()).map(|_| None).collect()),
        pose_settings,
    };
    let results: Vec<Result<(), BatchError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..jobs).map(|_| scope.spawn(|| queue.work(cx))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or(Err(BatchError::Panicked)))
            .collect()
    });
    // A pose stage that cannot start fails every video alike: one error says it better.
    for result in results {
        result?;
    }
    let slots = queue.slots.into_inner().unwrap_or_default();
    Ok(slots
        .into_iter()
        .zip(videos)
        .map(|(slot, input)| {
            slot.unwrap_or_else(|| VideoOutcome {
                dir: pipeline::video_dir(out, input),
                input: input.clone(),
                status: Status::Interrupted,
                frames: 0,
                elapsed: Duration::ZERO,
            })
        })
        .collect())
}

/// The videos the workers take in turn, and where each one's outcome goes.
struct Queue<'a> {
    videos: &'a [VideoInput],
    out: &'a Path,
    next: AtomicUsize,
    slots: Mutex<Vec<Option<VideoOutcome>>>,
    pose_settings: crate::pose::PoseSettings,
}

impl Queue<'_> {
    /// One worker: takes the next video until none is left.
    fn work(&self, cx: &Context) -> Result<(), BatchError> {
        let mut pose: Option<PoseEstimator> = None;
        loop {
            let index = self.next.fetch_add(1, Ordering::SeqCst);
            let Some(input) = self.videos.get(index) else {
                return Ok(());
            };
            let dir = pipeline::video_dir(self.out, input);
            let video_started = Instant::now();
            let (status, frames) = if cx.stop.load(Ordering::SeqCst) {
                (Status::Interrupted, 0)
            } else {
                // Loaded on the first video, so a batch of skipped videos loads no model.
                let estimator = match pose.as_mut() {
                    Some(p) => p,
                    None => match PoseEstimator::new(&self.pose_settings) {
                        Ok(p) => pose.insert(p),
                        Err(e) => {
                            // The other workers would fail alike: stop them too.
                            cx.stop.store(true, Ordering::SeqCst);
                            return Err(e.into());
                        }
                    },
                };
                run_one(cx, input, &dir, estimator)
            };
            let line = outcome_line(input, &dir, &status, frames, video_started.elapsed());
            match &status {
                // Shown even with --quiet.
                Status::Failed(_) | Status::Done { warning: Some(_) } => {
                    cx.progress.error(index, &line)
                }
                Status::Interrupted => {}
                _ => cx.progress.finished(index, &line),
            }
            let outcome = VideoOutcome {
                input: input.clone(),
                dir,
                status,
                frames,
                elapsed: video_started.elapsed(),
            };
            if let Ok(mut slots) = self.slots.lock() {
                slots[index] = Some(outcome);
            }
        }
    }
}

/// The index of OUT: every finished video in it, and this run's unfinished ones.
fn write_index(out: &Path, videos: &[VideoOutcome]) -> Result<(), BatchError> {
    let mut rows = rows_in(out)?;
    for video in videos {
        if let Some(row) = unfinished_row(video) {
            rows.insert(video.input.name.clone(), row);
        }
    }
    index::write(out, &rows.into_values().collect::<Vec<_>>())?;
    Ok(())
}

/// What every video of a batch shares.
struct Context<'a> {
    config: &'a AnalyzeConfig,
    /// The resume fingerprint.
    settings: &'a serde_json::Value,
    run_settings: &'a RunSettings,
    stop: &'a AtomicBool,
    progress: &'a Progress,
    history: Option<&'a Mutex<crate::history::History>>,
}

/// One video under its folder's lock; a failure is recorded in the folder, whichever run or
/// shard `formcheck index` later reads it from.
fn run_one(
    cx: &Context,
    input: &VideoInput,
    dir: &std::path::Path,
    pose: &mut PoseEstimator,
) -> (Status, u64) {
    if let Err(e) = std::fs::create_dir_all(dir) {
        let message = format!("cannot create output folder {}: {e}", dir.display());
        return (Status::Failed(message), 0);
    }
    let _lock = match lock::VideoLock::try_take(dir) {
        Ok(Some(lock)) => lock,
        Ok(None) => return (Status::Busy, 0),
        Err(e) => return (Status::Failed(e.to_string()), 0),
    };
    let (status, frames) = analyse_one(cx, input, dir, pose);
    if let Status::Failed(error) = &status {
        let failure = marker::Failure {
            path: input.path.display().to_string(),
            absolute: Some(marker::absolute_path(&input.path)),
            error: error.clone(),
        };
        if let Err(e) = failure.write_in(dir) {
            let both = format!("{error}; and its failure could not be recorded: {e}");
            return (Status::Failed(both), frames);
        }
    }
    (status, frames)
}

fn analyse_one(
    cx: &Context,
    input: &VideoInput,
    dir: &std::path::Path,
    pose: &mut PoseEstimator,
) -> (Status, u64) {
    let marker = match Marker::for_video(&input.path, cx.settings.clone()) {
        Ok(marker) => marker,
        Err(e) => {
            return (
                Status::Failed(format!("cannot read {}: {e}", input.path.display())),
                0,
            )
        }
    };
    let analyzer = match Analyzer::from_settings(&cx.config.judge) {
        Ok(analyzer) => analyzer,
        Err(e) => return (Status::Failed(e.to_string()), 0),
    };
    let job = Job {
        input,
        dir: dir.to_path_buf(),
        config: cx.config,
        marker: Some(marker),
        stop: cx.stop,
        progress: cx.progress.start(&input.name),
        history: cx.history,
    };
    match job.run(pose, analyzer, cx.run_settings) {
        Ok(Finished::Done { frames, warning }) => (Status::Done { warning }, frames),
        Ok(Finished::Skipped) => (Status::Skipped, 0),
        Err(PipelineError::Interrupted) => (Status::Interrupted, 0),
        Err(e) => (Status::Failed(e.to_string()), 0),
    }
}

fn outcome_line(
    input: &VideoInput,
    dir: &std::path::Path,
    status: &Status,
    frames: u64,
    elapsed: Duration,
) -> String {
    let video = input.path.display();
    match status {
        Status::Done { warning } => {
            let secs = elapsed.as_secs_f64().max(1e-9);
            let warning = warning
                .as_ref()
                .map(|w| format!("; WARNING: {w}"))
                .unwrap_or_default();
            format!(
                "{video}: {frames} frames in {secs:.1} s ({:.1} FPS) → {}{warning}",
                frames as f64 / secs,
                dir.display()
            )
        }
        Status::Skipped => format!(
            "{video}: already complete in {} (--force redoes it)",
            dir.display()
        ),
        Status::Busy => format!(
            "{video}: another formcheck run is analysing it into {} now; left to it",
            dir.display()
        ),
        Status::Failed(message) => format!("{video}: FAILED: {message}"),
        Status::Interrupted => format!("{video}: interrupted"),
    }
}

/// The `index` command: rebuilds OUT's index (summary.csv, index.html) from the video folders,
/// whichever run or shard made them; with `--check`, exit 1 unless every video of the manifest
/// is done.
pub fn index(config: &IndexConfig) -> Result<ExitCode, BatchError> {
    let out = &config.out;
    if !out.is_dir() {
        return Err(BatchError::NotAnOutput(out.clone()));
    }
    // A manifest that cannot be read is refused before the index is rewritten.
    let check = match &config.check {
        Some(manifest) => Some((manifest, check(out, manifest)?)),
        None => None,
    };
    let rows = rows_in(out)?;
    let rows: Vec<IndexRow> = rows.into_values().collect();
    index::write(out, &rows)?;
    let done = rows.iter().filter(|r| r.status == "done").count();
    let failed = rows.len() - done;
    let listed = format!(
        "{} video{} listed in {}: {done} done, {failed} failed",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        out.join(index::INDEX_HTML).display()
    );
    println!("{}", crate::terminal::escape_controls(&listed));
    let Some((manifest, check)) = check else {
        return Ok(ExitCode::SUCCESS);
    };
    for line in &check.problems {
        println!("{}", crate::terminal::escape_controls(line));
    }
    let counted = format!(
        "check against {}: {} videos, {} done, {} failed, {} missing, {} from another video",
        manifest.display(),
        check.videos,
        check.done,
        check.failed,
        check.missing,
        check.other_video
    );
    println!("{}", crate::terminal::escape_controls(&counted));
    Ok(if check.failed + check.missing + check.other_video > 0 {
        ExitCode::from(EXIT_SOME_FAILED)
    } else {
        ExitCode::SUCCESS
    })
}

/// What OUT holds for each video of a manifest.
#[derive(Debug, Default, PartialEq)]
pub struct Check {
    pub videos: usize,
    pub done: usize,
    pub failed: usize,
    pub missing: usize,
    /// Videos whose folder holds the outputs of another video of the same name.
    pub other_video: usize,
    /// One line per video not done.
    pub problems: Vec<String>,
}

/// One manifest video's state in OUT.
enum Found {
    Done,
    Failed(String),
    Missing(String),
    OtherVideo(String),
}

/// Each manifest video's state in OUT, matched by the video's identity, not its folder's name:
/// done (its completion marker names this video), failed (its failure is recorded), made from
/// another video of the same name, or missing (no such file, never started, interrupted, or
/// still being written).
pub fn check(out: &Path, manifest: &Path) -> Result<Check, BatchError> {
    let listed = inputs::read_list(manifest, "--check")?;
    let videos = inputs::expand(&[], &listed)?;
    let mut check = Check {
        videos: videos.len(),
        ..Check::default()
    };
    for video in &videos {
        let shown = video.path.display();
        match found_in(out, video) {
            Found::Done => check.done += 1,
            Found::Failed(error) => {
                check.failed += 1;
                check.problems.push(format!("failed: {shown}: {error}"));
            }
            Found::Missing(why) => {
                check.missing += 1;
                check.problems.push(format!("missing: {shown} ({why})"));
            }
            Found::OtherVideo(why) => {
                check.other_video += 1;
                check
                    .problems
                    .push(format!("another video: {shown}: {why}"));
            }
        }
    }
    Ok(check)
}

fn found_in(out: &Path, video: &inputs::VideoInput) -> Found {
    let dir = pipeline::video_dir(out, video);
    let source = marker::Source::of(&video.path);
    if let (Some(done), Ok(source)) = (marker::Marker::read_in(&dir), &source) {
        return match done.source {
            Some(made) if made.same_video(source) => match index::read_row(&dir) {
                // The marker alone is not enough: its reps.json must still read.
                row if row.status == "done" => Found::Done,
                row => Found::Failed(row.error.unwrap_or_default()),
            },
            Some(made) => Found::OtherVideo(format!(
                "{} holds the outputs of {}",
                dir.display(),
                made.path
            )),
            None => Found::OtherVideo(format!(
                "{} was made by an older formcheck that did not record its video; analyse it again",
                dir.display()
            )),
        };
    }
    if let Some(failure) = marker::Failure::read_in(&dir) {
        return match &failure.absolute {
            Some(failed) if *failed != marker::absolute_path(&video.path) => Found::OtherVideo(
                format!("{} holds the failure of {}", dir.display(), failure.path),
            ),
            _ => Found::Failed(failure.error),
        };
    }
    match source {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Found::Missing("no such file".into()),
        Err(e) => Found::Missing(format!("cannot read it: {e}")),
        Ok(_) => Found::Missing(format!("no finished output in {}", dir.display())),
    }
}

/// A row for every video folder in OUT that is finished (its completion marker is there) or
/// failed (its failure is recorded), by folder name. A folder still being written has neither and
/// is left out: the index lists what OUT holds, whichever run made it.
fn rows_in(out: &Path) -> Result<BTreeMap<String, IndexRow>, BatchError> {
    let entries = std::fs::read_dir(out).map_err(|source| BatchError::OutDir {
        path: out.to_path_buf(),
        source,
    })?;
    let mut rows = BTreeMap::new();
    for dir in entries.filter_map(|e| e.ok().map(|e| e.path())) {
        let Some(name) = dir.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let row = if dir.join(marker::MARKER_FILE).is_file() {
            index::read_row(&dir)
        } else if let Some(failure) = marker::Failure::read_in(&dir) {
            IndexRow {
                name: name.clone(),
                path: failure.path,
                status: "failed",
                summary: None,
                error: Some(failure.error),
            }
        } else {
            continue;
        };
        rows.insert(name, row);
    }
    Ok(rows)
}

/// This run's row for a video it did not finish, which says more than the folder (a failure that
/// could not be recorded, an interruption); `None` for a finished or skipped video, whose row is
/// read from its folder, and for one another run is analysing.
fn unfinished_row(video: &VideoOutcome) -> Option<IndexRow> {
    let (status, error) = match &video.status {
        Status::Done { .. } | Status::Skipped | Status::Busy => return None,
        Status::Failed(message) => ("failed", message.clone()),
        Status::Interrupted => (
            "interrupted",
            "not finished: interrupted; run again to finish it".to_string(),
        ),
    };
    Some(IndexRow {
        name: video.input.name.clone(),
        path: video.input.path.display().to_string(),
        status,
        summary: None,
        error: Some(error),
    })
}
