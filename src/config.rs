//! The validated configuration: built once from the command line, read by every command.
//! Errors here name the flag or file at fault.

use std::path::{Path, PathBuf};

use crate::batch::shard::{self, Shard, ShardSpec};
use crate::cli::{self, Cli, CommandArgs};
use crate::pose::{EngineChoice, ModelFiles, ModelKind};
use crate::video::SourceSpec;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("--{flag}: {message}")]
    Flag { flag: &'static str, message: String },
    #[error(transparent)]
    Models(#[from] crate::pose::ModelFileError),
    #[error(transparent)]
    OutputIsInput(#[from] crate::output::guard::OutputIsInput),
    #[error(transparent)]
    Programme(#[from] crate::programme::ProgrammeError),
}

fn flag_error(flag: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Flag {
        flag,
        message: message.into(),
    }
}

/// How the pose stage runs.
#[derive(Debug, Clone)]
pub struct PoseSettings {
    pub models: ModelFiles,
    pub model: ModelKind,
    pub threads: usize,
    pub smooth: bool,
    /// Stamp frames at this fixed rate (Hz) for the landmark filter instead of their real times.
    /// Only for comparing with MediaPipe's Python API, which stamps every call +33.3 ms.
    pub frame_clock: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SideChoice {
    Left,
    Right,
    Both,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sex {
    Female,
    Male,
    Unspecified,
}

/// What to judge and against which thresholds. Exercise names and threshold names are checked
/// against the exercise registry and the threshold table when the analysis is built.
#[derive(Debug, Clone)]
pub struct JudgeSettings {
    pub exercise: Option<String>,
    pub side: Option<SideChoice>,
    pub sex: Sex,
    pub config_file: Option<PathBuf>,
    pub overrides: Vec<(String, f64)>,
}

/// What is spoken, and where it is kept.
#[derive(Debug, Clone)]
pub struct VoiceSettings {
    /// Played on the sound device (`--voice`); else only kept in the log.
    pub aloud: bool,
    pub log: Option<PathBuf>,
}

/// A guided session: the programme, and each exercise's own recording when replayed from files.
#[derive(Debug, Clone)]
pub struct GuidedSettings {
    pub programme: crate::programme::Programme,
    /// The programme's file, or "built-in".
    pub name: String,
    /// One per exercise, in programme order; empty when one camera or stream serves them all.
    pub files: Vec<PathBuf>,
}

/// Where sessions are recorded, and for whom.
#[derive(Debug, Clone)]
pub struct HistorySettings {
    /// The database; `None` records nothing.
    pub path: Option<PathBuf>,
    pub person: String,
}

#[derive(Debug, Clone)]
pub struct AnalyzeConfig {
    pub inputs: Vec<PathBuf>,
    /// `--front-view` and `--side-view`, or each line of `--pairs`: two cameras on one set, judged
    /// together.
    pub pairs: Vec<PairInputs>,
    pub history: HistorySettings,
    /// A manifest of more videos, one path a line.
    pub from_list: Option<PathBuf>,
    /// Only this shard of the videos, and no index.
    pub shard: Option<Shard>,
    pub pose: PoseSettings,
    pub judge: JudgeSettings,
    pub out: Option<PathBuf>,
    pub landmarks: Option<PathBuf>,
    pub jobs: usize,
    pub force: bool,
    pub trc: bool,
    pub blur_faces: bool,
    pub annotated_video: bool,
    /// The annotated video's longer side at most this many pixels (`None`: the source's size).
    pub video_max_side: Option<u32>,
    pub max_frames: Option<u64>,
    /// Pose runs on about this many frames a second (`None`: every frame).
    pub analysis_fps: Option<f64>,
    /// Posed frames kept for the stills of flagged reps.
    pub still_ring: usize,
    pub quiet: bool,
    /// `bench --batch`'s view of the run: frames and decode passes, written here at its end.
    pub bench_stats: Option<PathBuf>,
}

/// The pairs a `--pairs` manifest lists: one a line, front and side separated by a tab, relative
/// paths from the manifest's folder; blank lines and `#` comments skipped.
fn read_pairs(manifest: &Path) -> Result<Vec<PairInputs>, ConfigError> {
    let shown = manifest.display();
    let text = std::fs::read_to_string(manifest)
        .map_err(|e| flag_error("pairs", format!("{shown}: {e}")))?;
    let base = manifest.parent().unwrap_or(Path::new(""));
    let mut pairs = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        match line
            .split('\t')
            .map(str::trim)
            .collect::<Vec<_>>()
            .as_slice()
        {
            [front, side] if !front.is_empty() && !side.is_empty() => pairs.push(PairInputs {
                front: base.join(front),
                side: base.join(side),
            }),
            _ => {
                return Err(flag_error(
                    "pairs",
                    format!(
                        "{shown} line {}: give the front video, a tab, and the side video",
                        n + 1
                    ),
                ))
            }
        }
    }
    if pairs.is_empty() {
        return Err(flag_error("pairs", format!("{shown} lists no pairs")));
    }
    Ok(pairs)
}

/// The two views of `analyze --front-view A --side-view B`: videos, or landmark files (.jsonl).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairInputs {
    pub front: PathBuf,
    pub side: PathBuf,
}

#[derive(Debug, Clone)]
pub struct BenchConfig {
    /// One clip (`bench`, `bench --live`), or every clip `bench --batch` analyses.
    pub clips: Vec<PathBuf>,
    /// `--batch`: pose only against every output, in child processes.
    pub batch: bool,
    /// `--batch`: the clips each analysed alone for their peak RSS.
    pub memory_clips: Vec<PathBuf>,
    pub pose: PoseSettings,
    pub mediapipe: Option<PathBuf>,
    pub rounds: u32,
    pub live: bool,
}

#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// The camera; with `side_view`, the front camera.
    pub source: SourceSpec,
    /// `--side-view`: a second camera at the side of the same set.
    pub side_view: Option<SourceSpec>,
    /// Speech, when asked for.
    pub voice: Option<VoiceSettings>,
    /// `--programme`: a guided session instead of one exercise.
    pub programme: Option<GuidedSettings>,
    pub history: HistorySettings,
    pub pose: PoseSettings,
    pub judge: JudgeSettings,
    pub session: Option<PathBuf>,
    pub record: Option<PathBuf>,
    pub window: bool,
    pub quiet: bool,
    /// How long a lost stream is retried before the session ends.
    pub reconnect_for: std::time::Duration,
}

#[derive(Debug, Clone)]
pub enum Config {
    Analyze(AnalyzeConfig),
    Bench(BenchConfig),
    Live(LiveConfig),
    Exercises,
    /// Rebuild the index of this output folder.
    Index(IndexConfig),
    History(HistoryConfig),
    Triangulate(TriangulateConfig),
    /// Print the programme: this file's, or the built-in one.
    Programme(Option<PathBuf>),
}

/// Calibrated views to triangulate.
#[derive(Debug, Clone)]
pub struct TriangulateConfig {
    pub calibration: PathBuf,
    /// (camera name in the calibration, landmarks file), two or more, names distinct.
    pub views: Vec<(String, PathBuf)>,
    /// The world's upward unit axis.
    pub up: nalgebra::Vector3<f64>,
    /// Find the views' frame offsets within ± this many frames, rather than pairing frames by
    /// index.
    pub sync: Option<i64>,
    pub csv: Option<PathBuf>,
}

fn triangulate_config(a: cli::TriangulateArgs) -> Result<TriangulateConfig, ConfigError> {
    let mut views: Vec<(String, PathBuf)> = Vec::new();
    for v in &a.views {
        let Some((name, file)) = v
            .split_once('=')
            .filter(|(n, f)| !n.is_empty() && !f.is_empty())
        else {
            return Err(flag_error("view", format!("{v:?} is not NAME=FILE")));
        };
        if views.iter().any(|(n, _)| n == name) {
            return Err(flag_error("view", format!("camera {name} is given twice")));
        }
        views.push((name.to_string(), PathBuf::from(file)));
    }
    if views.len() < 2 {
        return Err(flag_error(
            "view",
            "triangulating needs two or more views (give --view NAME=FILE for each)",
        ));
    }
    let (sign, axis) = match a.up.strip_prefix('-') {
        Some(axis) => (-1.0, axis),
        None => (1.0, a.up.strip_prefix('+').unwrap_or(&a.up)),
    };
    let up = match axis {
        "x" => nalgebra::Vector3::x(),
        "y" => nalgebra::Vector3::y(),
        "z" => nalgebra::Vector3::z(),
        _ => {
            return Err(flag_error(
                "up",
                format!("{:?} is not an axis (x, y, z, -x, -y or -z)", a.up),
            ))
        }
    } * sign;
    Ok(TriangulateConfig {
        calibration: a.calibration,
        views,
        up,
        sync: a.sync.map(i64::from),
        csv: a.csv,
    })
}

#[derive(Debug, Clone)]
pub struct HistoryConfig {
    pub path: PathBuf,
    pub person: Option<String>,
    pub report: Option<PathBuf>,
    pub csv: Option<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct IndexConfig {
    pub out: PathBuf,
    /// A manifest to check OUT against.
    pub check: Option<PathBuf>,
}

/// The longest `--reconnect-for`: a day. Longer is "forever", which a service manager restarting
/// formcheck does better (and 1e20 s overflowed the clock).
pub const MAX_RECONNECT_FOR_S: f64 = 86_400.0;

/// The smallest `--video-max-side` taken (formcheck rule: below it a knee is a few pixels).
const MIN_VIDEO_SIDE: u32 = 160;

/// The clip `bench` runs on when none is given.
pub fn bundled_sample() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/tfjs_pose_squats.mp4")
}

fn default_threads() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// `--history`, `--no-history` and `--person`: the default database unless told otherwise (a
/// shard records nothing unless given `--history`: a cluster's home folder is often on a network
/// file system, where SQLite's locks cannot be trusted).
fn history_settings(
    args: cli::HistoryArgs,
    default_on: bool,
) -> Result<HistorySettings, ConfigError> {
    if args.person.trim().is_empty() {
        return Err(flag_error("person", "must not be empty"));
    }
    let path = match (args.history, args.no_history) {
        (_, true) => None,
        (Some(path), false) => Some(path),
        (None, false) if default_on => {
            Some(crate::history::default_path().map_err(|e| flag_error("history", e.to_string()))?)
        }
        (None, false) => None,
    };
    Ok(HistorySettings {
        path,
        person: args.person,
    })
}

/// `--shard` and `--shard-count`, with the scheduler's variables read now for `auto` (`env`
/// looks one up), so a task started with the wrong ones stops before any video.
pub fn shard_settings(
    spec: Option<&str>,
    shard_count: Option<usize>,
    env: impl Fn(&str) -> Option<String>,
) -> Result<Option<Shard>, ConfigError> {
    let as_flag = |e: shard::ShardError| flag_error("shard", e.to_string());
    let spec = match spec {
        Some(text) => Some(shard::parse(text).map_err(as_flag)?),
        None => None,
    };
    match (spec, shard_count) {
        (_, Some(0)) => Err(flag_error("shard-count", "must be at least 1")),
        (None, Some(_)) => Err(flag_error("shard-count", "goes with --shard auto")),
        (None, None) => Ok(None),
        (Some(ShardSpec::Auto), count) => {
            shard::from_scheduler(count, env).map(Some).map_err(as_flag)
        }
        (Some(ShardSpec::Fixed(fixed)), Some(count)) if count != fixed.count => Err(flag_error(
            "shard-count",
            format!("{count} contradicts --shard {fixed}"),
        )),
        (Some(ShardSpec::Fixed(fixed)), _) => Ok(Some(fixed)),
    }
}

/// One `--threshold NAME=VALUE`: the name and a finite value (the name is checked later, against
/// the thresholds).
pub fn parse_threshold_arg(pair: &str) -> Result<(String, f64), ConfigError> {
    let (name, value) = pair
        .split_once('=')
        .ok_or_else(|| flag_error("threshold", format!("'{pair}' is not NAME=VALUE")))?;
    let value: f64 = value.trim().parse().map_err(|_| {
        flag_error(
            "threshold",
            format!("'{value}' in '{pair}' is not a number"),
        )
    })?;
    if !value.is_finite() {
        return Err(flag_error("threshold", format!("'{pair}' is not finite")));
    }
    Ok((name.trim().to_string(), value))
}

fn judge_settings(args: cli::JudgeArgs) -> Result<JudgeSettings, ConfigError> {
    let overrides = args
        .thresholds
        .iter()
        .map(|pair| parse_threshold_arg(pair))
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(path) = &args.config {
        if !path.is_file() {
            return Err(flag_error(
                "config",
                format!("{} is not a readable file", path.display()),
            ));
        }
    }
    Ok(JudgeSettings {
        exercise: args.exercise,
        side: args.side.map(|s| match s {
            cli::SideArg::Left => SideChoice::Left,
            cli::SideArg::Right => SideChoice::Right,
            cli::SideArg::Both => SideChoice::Both,
        }),
        sex: match args.sex {
            cli::SexArg::Female => Sex::Female,
            cli::SexArg::Male => Sex::Male,
            cli::SexArg::Unspecified => Sex::Unspecified,
        },
        config_file: args.config,
        overrides,
    })
}

impl Cli {
    pub fn into_config(self) -> Result<Config, ConfigError> {
        let global = self.global;
        let model = match global.model {
            cli::ModelArg::Lite => ModelKind::Lite,
            cli::ModelArg::Full => ModelKind::Full,
            cli::ModelArg::Heavy => ModelKind::Heavy,
        };
        let engine = match global.engine {
            cli::EngineArg::Auto => EngineChoice::Auto,
            cli::EngineArg::Litert => EngineChoice::LiteRt,
            cli::EngineArg::Opencv => EngineChoice::OpenCv,
        };
        let cores = default_threads();
        let threads = match global.threads {
            Some(0) => return Err(flag_error("threads", "must be at least 1")),
            // More threads than cores only slows inference, and a huge count exhausts the
            // runtime's thread stacks (100000 crashed LiteRT).
            Some(n) if n > cores => {
                return Err(flag_error(
                    "threads",
                    format!("{n} is more than this machine's {cores} cores; give 1 to {cores}"),
                ))
            }
            Some(n) => n,
            None => cores,
        };
        let pose = |smooth: bool, frame_clock: Option<f64>| -> Result<PoseSettings, ConfigError> {
            if let Some(hz) = frame_clock {
                if !(hz.is_finite() && hz > 0.0) {
                    return Err(flag_error(
                        "filter-fps",
                        format!("{hz} is not a positive rate in Hz"),
                    ));
                }
            }
            Ok(PoseSettings {
                models: ModelFiles::locate(global.models.as_deref(), model, engine)?,
                model,
                threads,
                smooth,
                frame_clock,
            })
        };
        Ok(match self.command {
            CommandArgs::Exercises => Config::Exercises,
            CommandArgs::Programme(p) => Config::Programme(p.programme),
            CommandArgs::History(h) => Config::History(HistoryConfig {
                path: match h.history {
                    Some(path) => path,
                    None => crate::history::default_path()
                        .map_err(|e| flag_error("history", e.to_string()))?,
                },
                person: h.person,
                report: h.report,
                csv: h.csv,
            }),
            CommandArgs::Triangulate(a) => Config::Triangulate(triangulate_config(a)?),
            CommandArgs::Index(a) => Config::Index(IndexConfig {
                out: a.out,
                check: a.check,
            }),
            CommandArgs::Analyze(a) => {
                let jobs = match a.jobs {
                    Some(0) => return Err(flag_error("jobs", "must be at least 1")),
                    // Each job holds its own model: more than the cores only costs memory.
                    Some(n) if n > cores => {
                        return Err(flag_error(
                            "jobs",
                            format!(
                                "{n} is more than this machine's {cores} cores; give 1 to {cores}"
                            ),
                        ))
                    }
                    Some(n) => n,
                    None => 1,
                };
                if a.max_frames == Some(0) {
                    return Err(flag_error("max-frames", "must be at least 1"));
                }
                let video_max_side = match a.video_max_side {
                    Some(0) => None,
                    Some(px) if px < MIN_VIDEO_SIDE => {
                        return Err(flag_error(
                            "video-max-side",
                            format!(
                                "{px} px is too small to see a knee; give {MIN_VIDEO_SIDE} or more, or 0 for the source's size"
                            ),
                        ))
                    }
                    Some(px) => Some(px),
                    None => Some(crate::output::annotated::VIDEO_MAX_SIDE),
                };
                let analysis_fps = match a.analysis_fps {
                    Some(hz) if !(hz.is_finite() && (1.0..=1000.0).contains(&hz)) => {
                        return Err(flag_error(
                            "analysis-fps",
                            format!("{hz} is not a rate formcheck can analyse at; give 1 to 1000"),
                        ))
                    }
                    Some(hz) => Some(hz),
                    // The raw landmarks are every frame's, unless asked otherwise.
                    None if a.judge.exercise.is_none() && a.landmarks.is_some() => None,
                    None => Some(crate::video::DEFAULT_ANALYSIS_FPS),
                };
                if a.landmarks.is_some() && a.inputs.len() != 1 {
                    return Err(flag_error(
                        "landmarks",
                        "takes a single video; use --out for several",
                    ));
                }
                let shard = shard_settings(a.shard.as_deref(), a.shard_count, |name| {
                    std::env::var(name).ok()
                })?;
                if shard.is_some() && a.landmarks.is_some() {
                    return Err(flag_error(
                        "shard",
                        "splits a batch; --landmarks takes a single video",
                    ));
                }
                let pairs = match (a.front_view, a.side_view, &a.pairs) {
                    (Some(front), Some(side), _) => vec![PairInputs { front, side }],
                    (_, _, Some(manifest)) => read_pairs(manifest)?,
                    _ => Vec::new(),
                };
                if !pairs.is_empty() && a.judge.exercise.is_none() {
                    return Err(flag_error(
                        if a.pairs.is_some() {
                            "pairs"
                        } else {
                            "front-view"
                        },
                        "needs --exercise: the two views are judged as that exercise",
                    ));
                }
                if let Some(p) = pairs.iter().find(|p| p.front == p.side) {
                    return Err(flag_error(
                        "side-view",
                        format!(
                            "{} is both the front and the side camera; give the other camera's video",
                            p.front.display()
                        ),
                    ));
                }
                let history = history_settings(a.history, shard.is_none())?;
                Config::Analyze(AnalyzeConfig {
                    pairs,
                    history,
                    pose: pose(!a.judge.no_smooth, a.filter_fps)?,
                    judge: judge_settings(a.judge)?,
                    inputs: a.inputs,
                    from_list: a.from_list,
                    shard,
                    out: a.out,
                    landmarks: a.landmarks,
                    jobs,
                    force: a.force,
                    trc: a.trc,
                    blur_faces: a.blur_faces,
                    annotated_video: !a.no_video,
                    video_max_side,
                    max_frames: a.max_frames,
                    analysis_fps,
                    still_ring: a
                        .still_ring
                        .unwrap_or(crate::output::stills::RING_FRAMES)
                        .max(1),
                    quiet: global.quiet,
                    bench_stats: a.bench_stats,
                })
            }
            CommandArgs::Bench(b) => {
                if b.clips.len() > 1 && !b.batch {
                    return Err(flag_error(
                        "batch",
                        "several clips are for bench --batch; give one clip otherwise",
                    ));
                }
                if b.rounds == 0 {
                    return Err(flag_error("rounds", "must be at least 1"));
                }
                Config::Bench(BenchConfig {
                    clips: if b.clips.is_empty() {
                        vec![bundled_sample()]
                    } else {
                        b.clips
                    },
                    batch: b.batch,
                    memory_clips: b.memory,
                    pose: pose(true, None)?,
                    mediapipe: b.mediapipe,
                    rounds: b.rounds,
                    live: b.live,
                })
            }
            CommandArgs::Live(l) => {
                let programme = match &l.programme {
                    None => None,
                    Some(path) if path.as_os_str().is_empty() => Some(GuidedSettings {
                        programme: crate::programme::Programme::default_programme(),
                        name: "built-in".into(),
                        files: Vec::new(),
                    }),
                    Some(path) => Some(GuidedSettings {
                        programme: crate::programme::Programme::load(path)?,
                        name: path.display().to_string(),
                        files: Vec::new(),
                    }),
                };
                let programme = match programme {
                    Some(g) => Some(guided_settings(g, &l.file, &l.judge, l.record.is_some())?),
                    None if l.file.len() > 1 => {
                        return Err(flag_error(
                            "file",
                            "give it once (several, one per exercise, only with --programme)",
                        ))
                    }
                    None => None,
                };
                let views = match (&l.front_view, &l.side_view) {
                    (Some(front), Some(side)) => Some((
                        view_source("front-view", front)?,
                        view_source("side-view", side)?,
                    )),
                    _ => None,
                };
                let source = match (l.camera, l.url, l.file.first().cloned()) {
                    _ if views.is_some() => views
                        .as_ref()
                        .map(|v| v.0.clone())
                        .unwrap_or(SourceSpec::Camera(0)),
                    (Some(i), None, None) => SourceSpec::Camera(i),
                    (None, Some(u), None) => SourceSpec::Url(u),
                    (None, None, Some(f)) => SourceSpec::File(f),
                    (None, None, None) => SourceSpec::Camera(0),
                    _ => {
                        return Err(flag_error(
                            "camera",
                            "give one of --camera, --url or --file",
                        ))
                    }
                };
                if !(l.reconnect_for.is_finite()
                    && (0.0..=MAX_RECONNECT_FOR_S).contains(&l.reconnect_for))
                {
                    return Err(flag_error(
                        "reconnect-for",
                        format!(
                            "{} is not a number of seconds from 0 to {MAX_RECONNECT_FOR_S} (a day)",
                            l.reconnect_for
                        ),
                    ));
                }
                // A recording or session log must never replace the video being read.
                let mut read: Vec<&std::path::Path> = l.file.iter().map(PathBuf::as_path).collect();
                if let Some((front, side)) = &views {
                    for spec in [front, side] {
                        if let SourceSpec::File(path) = spec {
                            read.push(path);
                        }
                    }
                }
                let inputs = crate::output::guard::Inputs::new(read);
                if let Some(record) = &l.record {
                    inputs.check("--record", record)?;
                }
                if let Some(voice_log) = &l.voice_log {
                    inputs.check("--voice-log", voice_log)?;
                }
                if let Some(session) = &l.session {
                    inputs.check("--session", session)?;
                    if let Some(record) = &l.record {
                        if crate::output::guard::Inputs::new([record.as_path()])
                            .check("--session", session)
                            .is_err()
                        {
                            return Err(flag_error(
                                "session",
                                format!(
                                    "{} is also --record; give them different files",
                                    session.display()
                                ),
                            ));
                        }
                    }
                }
                let voice = (l.voice || l.voice_log.is_some()).then(|| VoiceSettings {
                    aloud: l.voice,
                    log: l.voice_log.clone(),
                });
                Config::Live(LiveConfig {
                    side_view: views.map(|v| v.1),
                    voice,
                    programme,
                    history: history_settings(l.history, true)?,
                    reconnect_for: std::time::Duration::from_secs_f64(l.reconnect_for),
                    source,
                    pose: pose(!l.judge.no_smooth, None)?,
                    judge: judge_settings(l.judge)?,
                    session: l.session,
                    record: l.record,
                    window: !l.no_window,
                    quiet: global.quiet,
                })
            }
        })
    }
}

/// A camera of a two-camera session: a webcam index, a stream URL, or a video file (which must
/// exist).
fn view_source(flag: &'static str, text: &str) -> Result<SourceSpec, ConfigError> {
    if text.trim().is_empty() {
        return Err(flag_error(
            flag,
            "give a webcam index, a stream URL or a video file",
        ));
    }
    if let Ok(index) = text.parse::<i32>() {
        return Ok(SourceSpec::Camera(index));
    }
    if text.contains("://") {
        return Ok(SourceSpec::Url(text.to_string()));
    }
    Ok(SourceSpec::File(PathBuf::from(text)))
}

/// A programme's checks against the rest of `live`'s flags: the exercises and sides are the
/// programme's, and a recording per exercise means exactly one `--file` for each.
fn guided_settings(
    mut g: GuidedSettings,
    files: &[PathBuf],
    judge: &crate::cli::JudgeArgs,
    record: bool,
) -> Result<GuidedSettings, ConfigError> {
    if judge.exercise.is_some() {
        return Err(flag_error(
            "exercise",
            "not with --programme, which names its own exercises",
        ));
    }
    if judge.side.is_some() {
        return Err(flag_error(
            "side",
            "not with --programme, which names its own sides",
        ));
    }
    let steps = g.programme.steps.len();
    if files.len() > 1 || (files.len() == 1 && steps > 1) {
        if files.len() != steps {
            return Err(flag_error(
                "file",
                format!(
                    "the programme has {steps} exercise{}; give --file once for each, in order ({} given)",
                    if steps == 1 { "" } else { "s" },
                    files.len()
                ),
            ));
        }
        if record {
            return Err(flag_error(
                "record",
                "not with one --file per exercise (the files are the recording)",
            ));
        }
    }
    if !files.is_empty() {
        g.files = files.to_vec();
    }
    Ok(g)
}

impl From<Sex> for crate::judge::SexBand {
    fn from(s: Sex) -> Self {
        match s {
            Sex::Female => crate::judge::SexBand::Female,
            Sex::Male => crate::judge::SexBand::Male,
            Sex::Unspecified => crate::judge::SexBand::Unspecified,
        }
    }
}

/// A `--config` file that cannot be read, or a threshold that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ThresholdsError {
    #[error("--config {path}: cannot read it: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Judge(#[from] crate::judge::JudgeError),
}

impl JudgeSettings {
    /// Defaults, then the `--config` TOML file, then `--threshold NAME=VALUE` (which wins).
    pub fn thresholds(&self) -> Result<crate::judge::Thresholds, ThresholdsError> {
        let mut t = crate::judge::Thresholds {
            sex: self.sex.into(),
            ..Default::default()
        };
        if let Some(path) = &self.config_file {
            let shown = path.display().to_string();
            let text = std::fs::read_to_string(path).map_err(|source| ThresholdsError::Read {
                path: shown.clone(),
                source,
            })?;
            t.apply_toml(&text, &format!("--config {shown}"))?;
        }
        for (name, value) in &self.overrides {
            t.set(name, *value, "--threshold")?;
        }
        Ok(t)
    }
}
