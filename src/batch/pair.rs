//! `analyze --front-view A --side-view B`: each camera's video is analysed as any other (its own folder of
//! outputs), then the two analyses are synchronised from the movement and merged rep by rep into
//! OUT/<front>+<side>/. A landmark file (.jsonl) may stand in for a video. Two views that do not
//! show the same movement are refused, in one line, and never judged together.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use super::{inputs, pipeline, BatchError, DEFAULT_OUT};
use crate::analysis::{analyze_frames, resolve_settings, Analysis};
use crate::config::{AnalyzeConfig, PairInputs};
use crate::landmarks::{read_jsonl, PoseFrame};
use crate::multiview::pair::{pair, verdict, Camera};
use crate::output::pair::{add_to_view_reps, write, PairResult, PairView};
use crate::output::stills::stills_at;

fn is_landmarks(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("jsonl"))
}

fn stem(path: &Path) -> String {
    path.file_stem()
        .map_or("view".to_string(), |s| s.to_string_lossy().into_owned())
}

/// Every pair in turn. With one pair its error is the command's; with a manifest of several, a
/// pair that fails says so in one line and the others go on (what they wrote is kept), and the
/// exit code says some failed.
pub fn run_all(config: &AnalyzeConfig) -> Result<ExitCode, BatchError> {
    refuse_shared_pair_folders(config)?;
    if let [one] = config.pairs.as_slice() {
        return run(config, one);
    }
    let mut failed = 0;
    for inputs in &config.pairs {
        match run(config, inputs) {
            Ok(code) if code == ExitCode::SUCCESS => {}
            Ok(_) => failed += 1,
            Err(e) => {
                eprintln!("formcheck: {e}");
                failed += 1;
            }
        }
    }
    if failed > 0 {
        eprintln!(
            "formcheck: {failed} of {} pairs not judged together (see above)",
            config.pairs.len()
        );
        return Ok(ExitCode::from(super::EXIT_SOME_FAILED));
    }
    Ok(ExitCode::SUCCESS)
}

fn run(config: &AnalyzeConfig, inputs: &PairInputs) -> Result<ExitCode, BatchError> {
    refuse_one_video_twice(inputs)?;
    let out = config
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_OUT));
    refuse_pair_overwrites(config, inputs, &pair_dir(&out, inputs))?;
    let (exercise, thresholds) = resolve_settings(&config.judge)?;
    let outputs_of = match analyse_videos(config, inputs, &out)? {
        Ok(outputs_of) => outputs_of,
        Err(code) => return Ok(code),
    };
    let front_loaded = load("--front-view", &inputs.front, &outputs_of)?;
    let side_loaded = load("--side-view", &inputs.side, &outputs_of)?;
    let analyse = |frames: &[PoseFrame]| {
        analyze_frames(frames, exercise, config.judge.side, thresholds.clone())
    };
    let front = analyse(&front_loaded.frames);
    let side = analyse(&side_loaded.frames);
    let merged_pair = pair(&front, &side).map_err(|source| BatchError::Pair {
        front: inputs.front.clone(),
        side: inputs.side.clone(),
        source,
    })?;
    let view_of = |path: &Path, dir: Option<PathBuf>, a: &Analysis| PairView {
        source: path.display().to_string(),
        outputs: dir.map(|d| d.display().to_string()),
        reps: a.reps().count(),
        view: a.summary.view,
    };
    let front_view = view_of(&inputs.front, front_loaded.dir.clone(), &front);
    let side_view = view_of(&inputs.side, side_loaded.dir.clone(), &side);
    let dir = pair_dir(&out, inputs);
    std::fs::create_dir_all(&dir).map_err(|source| BatchError::OutDir {
        path: dir.clone(),
        source,
    })?;
    let shared = SharedReps {
        pair: &merged_pair,
        exercise,
        blur_faces: config.outputs.blur_faces,
    };
    let front_stills = shared.stills(&inputs.front, &front_loaded, &front, Camera::Front)?;
    let side_stills = shared.stills(&inputs.side, &side_loaded, &side, Camera::Side)?;
    let result = PairResult {
        exercise,
        front: &front_view,
        side: &side_view,
        pair: &merged_pair,
        front_stills: &front_stills,
        side_stills: &side_stills,
    };
    write(&result, &dir)?;
    link_view_reps(&out, &dir, [&front_view, &side_view], &merged_pair)?;
    if !config.quiet {
        let shown =
            |p: &Path| crate::terminal::escape_controls(&p.display().to_string()).into_owned();
        println!(
            "{} + {}: side camera {:+.3} s after the front (correlation {:.2}); {}",
            shown(&inputs.front),
            shown(&inputs.side),
            merged_pair.sync.offset_s,
            merged_pair.sync.score,
            verdict(&merged_pair)
        );
        println!("wrote {}", shown(&dir));
    }
    Ok(ExitCode::SUCCESS)
}

/// Two pairs whose merged outputs would go to one folder (`a+b.mp4` with `c.mp4`, and `a.mp4`
/// with `b+c.mp4`): the second would replace the first.
fn refuse_shared_pair_folders(config: &AnalyzeConfig) -> Result<(), BatchError> {
    let out = config
        .out
        .clone()
        .unwrap_or_else(|| PathBuf::from(DEFAULT_OUT));
    let mut seen: Vec<(PathBuf, &PairInputs)> = Vec::new();
    for inputs in &config.pairs {
        let dir = pair_dir(&out, inputs);
        if let Some((_, first)) = seen.iter().find(|(d, _)| *d == dir) {
            return Err(BatchError::PairInput(format!(
                "--pairs: {} + {} and {} + {} would both write {}; rename one video",
                first.front.display(),
                first.side.display(),
                inputs.front.display(),
                inputs.side.display(),
                dir.display()
            )));
        }
        seen.push((dir, inputs));
    }
    Ok(())
}

/// Where a pair's merged outputs go.
fn pair_dir(out: &Path, inputs: &PairInputs) -> PathBuf {
    out.join(format!("{}+{}", stem(&inputs.front), stem(&inputs.side)))
}

/// Neither pair file may be a camera's video nor the history database.
fn refuse_pair_overwrites(
    config: &AnalyzeConfig,
    inputs: &PairInputs,
    dir: &Path,
) -> Result<(), BatchError> {
    use crate::output::guard;
    use crate::output::pair::{PAIR_HTML, PAIR_JSON};
    let read = guard::Inputs::new([inputs.front.as_path(), inputs.side.as_path()]);
    for file in [PAIR_JSON, PAIR_HTML] {
        read.check(file, &dir.join(file))?;
        if let Some(history) = &config.history.path {
            guard::refuse_same_files(&[("--history", history), (file, &dir.join(file))])?;
        }
    }
    Ok(())
}

/// One video given as both cameras (in any spelling, through a link, or as a copy) would be
/// lined up with itself at a perfect correlation and judged as two views.
fn refuse_one_video_twice(inputs: &PairInputs) -> Result<(), BatchError> {
    let how = if crate::output::guard::is_same_file(&inputs.front, &inputs.side) {
        Some("one file")
    } else {
        match (
            super::marker::Source::of(&inputs.front),
            super::marker::Source::of(&inputs.side),
        ) {
            (Ok(a), Ok(b)) if a.same_video(&b) => Some("byte-identical copies"),
            _ => None,
        }
    };
    match how {
        Some(how) => Err(BatchError::SameVideo {
            front: inputs.front.clone(),
            side: inputs.side.clone(),
            how,
        }),
        None => Ok(()),
    }
}

/// The pair's videos first, as a batch of two: each gets its own outputs. Each video with the
/// folder of its outputs, or the batch's exit code when it did not succeed.
fn analyse_videos(
    config: &AnalyzeConfig,
    inputs: &PairInputs,
    out: &Path,
) -> Result<Result<Vec<(PathBuf, PathBuf)>, ExitCode>, BatchError> {
    let videos: Vec<PathBuf> = [&inputs.front, &inputs.side]
        .into_iter()
        .filter(|p| !is_landmarks(p))
        .cloned()
        .collect();
    if videos.is_empty() {
        return Ok(Ok(Vec::new()));
    }
    let batch = AnalyzeConfig {
        inputs: videos.clone(),
        pairs: Vec::new(),
        ..config.clone()
    };
    let code = super::run(&batch)?.exit_code();
    if code != ExitCode::SUCCESS {
        return Ok(Err(code));
    }
    Ok(Ok(inputs::expand(&videos, &[])?
        .into_iter()
        .map(|v| (v.path.clone(), pipeline::video_dir(out, &v)))
        .collect()))
}

/// One view's frames: from its video's outputs, or the landmark file given in its place.
struct Loaded {
    frames: Vec<PoseFrame>,
    /// The video's output folder (none for a landmark file).
    dir: Option<PathBuf>,
}

/// One camera's frames: its video's landmark log, or the landmark file given as `flag`.
fn load(
    flag: &str,
    path: &PathBuf,
    outputs_of: &[(PathBuf, PathBuf)],
) -> Result<Loaded, BatchError> {
    let dir = outputs_of
        .iter()
        .find(|(p, _)| p == path)
        .map(|(_, d)| d.clone());
    let file = match &dir {
        Some(d) => d.join("frames.jsonl"),
        None => path.clone(),
    };
    let frames = read_jsonl(&file)
        .map_err(|e| BatchError::PairInput(format!("{flag}: {e}")))?
        .frames;
    Ok(Loaded { frames, dir })
}

/// The reps both cameras saw, for their stills.
struct SharedReps<'a> {
    pair: &'a crate::multiview::pair::Pair,
    exercise: &'static dyn crate::exercise::Exercise,
    blur_faces: bool,
}

impl SharedReps<'_> {
    /// One camera's stills of every rep the two share, shown side by side in the report.
    fn stills(
        &self,
        path: &Path,
        loaded: &Loaded,
        a: &Analysis,
        camera: Camera,
    ) -> Result<Vec<crate::output::Still>, BatchError> {
        if is_landmarks(path) {
            return Ok(Vec::new());
        }
        let numbers: Vec<u32> = self
            .pair
            .reps
            .iter()
            .filter_map(|r| match camera {
                Camera::Front => r.front.as_ref(),
                Camera::Side => r.side.as_ref(),
            })
            .map(|v| v.rep)
            .collect();
        let reps: Vec<&crate::judge::Rep> =
            a.reps().filter(|r| numbers.contains(&r.number)).collect();
        Ok(stills_at(
            path,
            self.exercise,
            &reps,
            &loaded.frames,
            &a.frames,
            self.blur_faces,
        )?)
    }
}

/// Each camera's own reps.json holds the merged reps too, with the way to pair.json.
fn link_view_reps(
    out: &Path,
    dir: &Path,
    [front_view, side_view]: [&PairView; 2],
    merged_pair: &crate::multiview::pair::Pair,
) -> Result<(), BatchError> {
    let pair_json = dir.join(crate::output::pair::PAIR_JSON);
    for (camera, view, other) in [
        (Camera::Front, front_view, side_view),
        (Camera::Side, side_view, front_view),
    ] {
        let Some(view_dir) = view.outputs.as_deref().map(Path::new) else {
            continue;
        };
        let depth = view_dir
            .strip_prefix(out)
            .map_or(1, |p| p.components().count());
        let merged =
            Path::new(&"../".repeat(depth)).join(pair_json.strip_prefix(out).unwrap_or(&pair_json));
        add_to_view_reps(
            &view_dir.join("reps.json"),
            camera,
            &other.source,
            &merged,
            merged_pair,
        )?;
    }
    Ok(())
}
