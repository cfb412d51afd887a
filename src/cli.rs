//! The command line as clap sees it. The configuration layer resolves it, once, into ready
//! settings; nothing past that point reads these types. The choices (`--model`, `--engine`,
//! `--side`, `--sex`) parse straight into the stages' own enums: one enum per concept.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::exercise::Side;
use crate::judge::SexBand;
use crate::pose::{EngineChoice, ModelKind};

#[derive(Debug, Parser)]
#[command(
    name = "formcheck",
    version,
    about = "Rep-by-rep feedback on knee valgus and knee-over-toe from a camera, a stream or a video.",
    long_about = "Rep-by-rep feedback on knee valgus and knee-over-toe from a camera, a stream or a \
                  video.\n\nExercise feedback, not a diagnosis. Progressive weakness, sudden swelling \
                  or pain, or the knee buckling need a doctor."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: CommandArgs,

    #[command(flatten)]
    pub global: GlobalArgs,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Folder holding the models (default: $FORMCHECK_MODELS, then models/ beside the binary or
    /// in the source tree).
    #[arg(long, global = true, value_name = "DIR")]
    pub models: Option<PathBuf>,

    /// Landmark model: lite is fastest, heavy most accurate (heavy is not bundled).
    #[arg(long, global = true, value_enum, default_value_t = ModelKind::Full)]
    pub model: ModelKind,

    /// Inference runtime: litert runs MediaPipe's .tflite models on TensorFlow Lite's runtime
    /// (faster; needs libLiteRt.so, which .ci/setup installs, or $FORMCHECK_LITERT); opencv runs
    /// the ONNX exports on OpenCV DNN; auto picks litert when it is installed.
    #[arg(long, global = true, value_enum, default_value_t = EngineChoice::Auto)]
    pub engine: EngineChoice,

    /// Inference threads, 1 to the number of cores (default: all cores).
    #[arg(long, global = true, value_name = "N")]
    pub threads: Option<usize>,

    /// Print nothing but errors.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

#[derive(Debug, Subcommand)]
pub enum CommandArgs {
    /// Analyse recorded videos: landmarks, per-rep measures and flags, reports.
    Analyze(AnalyzeArgs),
    /// Measure speed and memory, beside MediaPipe's own pipeline when given its Python.
    Bench(BenchArgs),
    /// Live feedback from a webcam, a stream or a file played in real time.
    Live(LiveArgs),
    /// List the exercises with their cues and how to film them.
    Exercises,
    /// Rebuild OUT/index.html and OUT/summary.csv from every finished video in OUT, whichever
    /// run made it.
    Index(IndexArgs),
    /// Print the home programme (exercises, sides, sets, reps, rest, where the camera goes).
    Programme(ProgrammeArgs),
    /// The sessions recorded so far, per person and exercise; a progress report or the reps as CSV.
    History(HistoryCommandArgs),
    /// Calibrated cameras: triangulate synchronised views' landmarks in 3-D and compare each
    /// camera's 2-D knee angle (FPPA) with the knee's angle in the body's frontal plane.
    Triangulate(TriangulateArgs),
}

#[derive(Debug, Args)]
pub struct TriangulateArgs {
    /// The cameras' calibration: Pose2Sim's TOML (one table per camera, as Pose2Sim and
    /// Anipose write it).
    #[arg(long, value_name = "FILE")]
    pub calibration: PathBuf,

    /// A view: the calibration's camera name and the landmarks of its video (`formcheck
    /// analyze VIDEO --landmarks`), as NAME=FILE. Two or more; frames are paired by index, so
    /// the videos must be synchronised.
    #[arg(long = "view", value_name = "NAME=FILE", required = true)]
    pub views: Vec<String>,

    /// The calibration's upward world axis: x, y, z, -x, -y or -z (Pose2Sim's calibrations,
    /// made with the board on the floor, point z up).
    #[arg(
        long,
        value_name = "AXIS",
        default_value = "z",
        allow_hyphen_values = true
    )]
    pub up: String,

    /// The videos are not synchronised: find each view's frame offset against the first from
    /// the body's movement (where the views' rays meet best), searching ±FRAMES (30 if no
    /// number is given).
    #[arg(long, value_name = "FRAMES", num_args = 0..=1, default_missing_value = "30")]
    pub sync: Option<u32>,

    /// Also write the 3-D points, frame by frame, as CSV (in the calibration's units).
    #[arg(long, value_name = "FILE")]
    pub csv: Option<PathBuf>,

    /// Also write, per camera and frame, each leg's 2-D FPPA, the error bound that camera's own
    /// analysis gives it (null where it would not be judged) and the 3-D frontal-plane angle.
    #[arg(long, value_name = "FILE")]
    pub json: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ProgrammeArgs {
    /// A programme of your own (TOML, as `formcheck programme` prints the default's form).
    #[arg(long, value_name = "FILE")]
    pub programme: Option<PathBuf>,
}

/// Where analyze and live record each session.
#[derive(Debug, Args, Clone)]
pub struct HistoryArgs {
    /// The history database (default: $XDG_DATA_HOME/formcheck/history.sqlite, else
    /// ~/.local/share/formcheck/history.sqlite).
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,

    /// Record nothing in the history (shards record nothing unless --history is given).
    #[arg(long, conflicts_with = "history")]
    pub no_history: bool,

    /// Whose sessions these are, in the history (default: me; names match whatever their case).
    #[arg(long, value_name = "NAME")]
    pub person: Option<String>,
}

#[derive(Debug, Args)]
pub struct HistoryCommandArgs {
    /// The history database (default: as for analyze and live).
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,

    /// Only this person's sessions.
    #[arg(long, value_name = "NAME")]
    pub person: Option<String>,

    /// Write a self-contained progress page here.
    #[arg(long, value_name = "FILE.html")]
    pub report: Option<PathBuf>,

    /// Write every rep here as CSV.
    #[arg(long, value_name = "FILE.csv")]
    pub csv: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct IndexArgs {
    /// The --out folder of earlier analyze runs.
    #[arg(value_name = "OUT")]
    pub out: PathBuf,

    /// Also check every video of this manifest (one path a line, as for --from-list): report
    /// done, failed and missing, and exit 1 when any is failed or missing.
    #[arg(long, value_name = "MANIFEST")]
    pub check: Option<PathBuf>,
}

/// Settings shared by analyze and live: which exercise, which leg, which thresholds.
#[derive(Debug, Args, Clone)]
pub struct JudgeArgs {
    /// Exercise profile (see `formcheck exercises`).
    #[arg(long, short = 'e', value_name = "NAME")]
    pub exercise: Option<String>,

    /// Working leg; detected when not given.
    #[arg(long, value_enum)]
    pub side: Option<Side>,

    /// Chooses the normal FPPA band (Herrington & Munro 2010): women 13° bilateral, 12° single-leg;
    /// men 8° and 9°. Not given: the women's band, the wider one, and every report says so.
    #[arg(long, value_enum, default_value_t = SexBand::Unspecified)]
    pub sex: SexBand,

    /// TOML file overriding thresholds.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Override one threshold, e.g. `--threshold valgus_step_down_deg=12` (repeatable; wins over --config).
    #[arg(long = "threshold", value_name = "NAME=VALUE")]
    pub thresholds: Vec<String>,

    /// Turn off the landmark smoothing filter.
    #[arg(long)]
    pub no_smooth: bool,
}

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Video files, or folders of videos.
    #[arg(required_unless_present_any = ["from_list", "front_view", "pairs"], value_name = "VIDEO|DIR")]
    pub inputs: Vec<PathBuf>,

    /// Two cameras on one set: the front camera's video (or its landmarks, .jsonl). With
    /// --side-view, the two are synchronised from the movement and every rep is judged for valgus
    /// from the front and for knee over toe from the side, in OUT/<front>+<side>/pair.json.
    #[arg(long, value_name = "VIDEO", requires = "side_view", conflicts_with_all = ["inputs", "from_list", "shard", "landmarks"])]
    pub front_view: Option<PathBuf>,

    /// The side camera's video (or its landmarks, .jsonl), with --front-view. (`--side` is the
    /// working leg.)
    #[arg(long, value_name = "VIDEO", requires = "front_view")]
    pub side_view: Option<PathBuf>,

    /// Many --front-view/--side-view pairs: a manifest of one pair a line, the front video, a tab, the side
    /// video (relative paths from the manifest's folder; blank lines and # comments skipped).
    #[arg(long, value_name = "FILE", conflicts_with_all = ["inputs", "from_list", "shard", "landmarks", "front_view"])]
    pub pairs: Option<PathBuf>,

    /// Also analyse the videos this manifest names, one path a line (relative paths from the
    /// manifest's folder; blank lines and # comments skipped).
    #[arg(long, value_name = "FILE")]
    pub from_list: Option<PathBuf>,

    /// Analyse one shard of the videos: I/N is shard I of N, from 0; auto reads a Slurm array's
    /// or a Kubernetes Indexed Job's variables. Shards do not write the index: run
    /// `formcheck index OUT` when all are done.
    #[arg(long, value_name = "auto|I/N")]
    pub shard: Option<String>,

    /// The number of shards, for --shard auto under a Kubernetes Indexed Job (its completions).
    #[arg(long, value_name = "N")]
    pub shard_count: Option<usize>,

    #[command(flatten)]
    pub judge: JudgeArgs,

    #[command(flatten)]
    pub history: HistoryArgs,

    /// Output folder; each video gets OUT/<video name>/.
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Write the raw landmarks of a single video to this JSONL file.
    #[arg(long, value_name = "FILE")]
    pub landmarks: Option<PathBuf>,

    /// Videos analysed at once, 1 to the number of cores (default: 1).
    #[arg(long, short, value_name = "N")]
    pub jobs: Option<usize>,

    /// Redo videos whose outputs are already complete.
    #[arg(long)]
    pub force: bool,

    /// Also export the landmarks as OpenSim/Sports2D .trc.
    #[arg(long)]
    pub trc: bool,

    /// Blur faces in the annotated video.
    #[arg(long)]
    pub blur_faces: bool,

    /// Skip the annotated video.
    #[arg(long)]
    pub no_video: bool,

    /// The annotated video's longer side at most PX pixels (default 960: a 1080×1920 phone
    /// video is written at 540×960); 0 keeps the source's size.
    #[arg(long, value_name = "PX")]
    pub video_max_side: Option<u32>,

    /// Stop after this many frames per video (at least 1).
    #[arg(long, value_name = "N")]
    pub max_frames: Option<u64>,

    /// Posed frames kept for the stills of flagged reps (tests: a small ring makes the stills
    /// of long reps take a pass of their own).
    #[arg(long, value_name = "N", hide = true)]
    pub still_ring: Option<usize>,

    /// For `bench --batch`: write frames and decode passes of this run to FILE (JSON).
    #[arg(long, value_name = "FILE", hide = true)]
    pub bench_stats: Option<PathBuf>,

    /// Time the landmark filter as if frames came at this fixed rate, whatever the video's real
    /// timestamps. For comparing with MediaPipe's Python API, which behaves as `--filter-fps 30`.
    #[arg(long, value_name = "HZ")]
    pub filter_fps: Option<f64>,

    /// Run pose on about this many frames a second: every frame is decoded and drawn, but a 60
    /// FPS video is analysed at 30 (default 30 with --exercise; --landmarks alone keeps every
    /// frame unless this is given).
    #[arg(long, value_name = "HZ")]
    pub analysis_fps: Option<f64>,
}

#[derive(Debug, Args)]
pub struct BenchArgs {
    /// Clip to run on (default: the bundled sample); with --batch, any number of clips.
    #[arg(value_name = "VIDEO")]
    pub clips: Vec<PathBuf>,

    /// Measure batch analysis instead: pose only against every output, on the same clips, with
    /// --jobs 1 and 2: FPS, their ratio, decode passes and peak RSS.
    #[arg(long, conflicts_with_all = ["live", "mediapipe"])]
    pub batch: bool,

    /// With --batch: the clips whose peak RSS is compared, each analysed alone with every
    /// output (default: the batch's clips), e.g. one video looped to 10, 60 and 600 s.
    #[arg(long, value_name = "VIDEO", num_args = 1.., requires = "batch")]
    pub memory: Vec<PathBuf>,

    /// Python of a venv made by ../shared/reference/setup.sh: runs MediaPipe on the same clip.
    #[arg(long, value_name = "PYTHON")]
    pub mediapipe: Option<PathBuf>,

    /// Times the clip is played through (more rounds, steadier medians).
    #[arg(long, default_value_t = 1, value_name = "N")]
    pub rounds: u32,

    /// Measure live mode instead: FPS and frame-to-cue latency.
    #[arg(long)]
    pub live: bool,
}

#[derive(Debug, Args)]
pub struct LiveArgs {
    #[command(flatten)]
    pub judge: JudgeArgs,

    #[command(flatten)]
    pub history: HistoryArgs,

    /// Webcam index.
    #[arg(long, value_name = "N", conflicts_with_all = ["url", "file"])]
    pub camera: Option<i32>,

    /// Stream URL (RTSP or HTTP).
    #[arg(long, value_name = "URL", conflicts_with = "file")]
    pub url: Option<String>,

    /// Play a video file at its real rate, as if it were a camera. With --programme, give it
    /// once per exercise, in programme order, to replay recorded footage through the session.
    #[arg(long, value_name = "VIDEO")]
    pub file: Vec<PathBuf>,

    /// Two cameras on one set: the front camera (a webcam index, a stream URL or a video file),
    /// with --side-view. Each rep is judged for valgus from the front and knee over toe from the
    /// side; the window shows both.
    #[arg(long, value_name = "SOURCE", requires = "side_view", conflicts_with_all = ["camera", "url", "file", "programme", "record", "voice", "voice_log", "history"])]
    pub front_view: Option<String>,

    /// The side camera of a two-camera session (a webcam index, a stream URL or a video file),
    /// with --front-view.
    #[arg(long, value_name = "SOURCE", requires = "front_view")]
    pub side_view: Option<String>,

    /// A guided session through the programme (this TOML file's, or the built-in one): set-up
    /// prompts, reps against the target, switch legs, rest, a summary of each set, and the
    /// precautions at the end.
    #[arg(long, value_name = "FILE", num_args = 0..=1)]
    pub programme: Option<Option<PathBuf>>,

    /// Append each rep and the session summary to this JSONL file.
    #[arg(long, value_name = "FILE")]
    pub session: Option<PathBuf>,

    /// Also save the raw video.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// Print cues and reps to the terminal instead of opening a window.
    #[arg(long)]
    pub no_window: bool,

    /// Speak: a tone and the count for each rep, a fault the moment it is seen, set prompts
    /// (needs espeak-ng; works with --no-window too).
    #[arg(long)]
    pub voice: bool,

    /// Say nothing (the default; --voice turns speech on).
    #[arg(long, conflicts_with_all = ["voice", "voice_log"])]
    pub no_voice: bool,

    /// Keep everything spoken in this WAV file (speaks into it even without --voice, silently).
    #[arg(long, value_name = "FILE.wav")]
    pub voice_log: Option<PathBuf>,

    /// When a stream or camera drops, keep trying to reconnect for this long before ending the
    /// session (0 to 86400).
    #[arg(long, value_name = "SECS", default_value_t = 30.0)]
    pub reconnect_for: f64,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    /// clap checks the command line's declaration (unique names, valid references) only in debug
    /// builds, when a command is parsed; this runs those checks in every build. A second `--side`
    /// (the pair's side camera beside the working leg) panicked every debug run of `analyze`.
    #[test]
    fn the_command_line_declaration_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
