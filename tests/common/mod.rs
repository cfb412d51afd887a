//! Shared by the integration tests: the fixture, golden-file comparison, the bundled sample and
//! `../shared/` lookups that skip with a message when absent.
#![allow(dead_code)] // each test binary uses a different part

pub mod skip;
pub mod xvfb;

use std::path::{Path, PathBuf};

use formcheck::analysis::{analyze_frames, Analysis};
use formcheck::judge::Thresholds;
use formcheck::output::frames::FrameStore;
use formcheck::output::{RunSettings, Still, VideoFacts, VideoResult};

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// MediaPipe's landmarks for the bundled sample, with the facts of that video.
pub struct Fixture {
    pub facts: VideoFacts,
    pub settings: RunSettings,
    /// Spilled to a temporary file and read back, as a batch does.
    pub frames: FrameStore,
    pub analysis: Analysis,
    pub stills: Vec<Still>,
}

impl Fixture {
    pub fn squats() -> Fixture {
        Fixture::squats_with(Thresholds::default())
    }

    /// With thresholds of the test's choosing (to make reps flagged, say).
    pub fn squats_with(thresholds: Thresholds) -> Fixture {
        let file = formcheck::landmarks::read_jsonl(
            &repo().join("tests/fixtures/tfjs_pose_squats.mediapipe-full.jsonl"),
        )
        .unwrap();
        let facts = VideoFacts {
            name: "tfjs_pose_squats".into(),
            path: "samples/tfjs_pose_squats.mp4".into(),
            width: file.width,
            height: file.height,
            fps: Some(5.0),
            frames: file.frames.len() as u64,
            analysed_frames: None,
            duration_s: file.frames.last().unwrap().time_s,
            rotation_deg: 0,
            truncated: None,
        };
        let exercise = formcheck::exercise::find("squat").unwrap();
        let analysis = analyze_frames(&file.frames, exercise, None, thresholds);
        let settings = RunSettings {
            model: "full".into(),
            engine: "litert".into(),
            smoothing: true,
            side: None,
            sex: "unspecified".into(),
            config_file: None,
            threshold_overrides: vec![],
            max_frames: None,
        };
        let mut frames = FrameStore::spilled(&std::env::temp_dir()).unwrap();
        for frame in &file.frames {
            frames.push(frame).unwrap();
        }
        frames.finish().unwrap();
        Fixture {
            facts,
            settings,
            frames,
            analysis,
            stills: Vec::new(),
        }
    }
}

pub fn fixture_result(fixture: &Fixture) -> VideoResult<'_> {
    VideoResult {
        video: &fixture.facts,
        settings: &fixture.settings,
        frames: &fixture.frames,
        analysis: &fixture.analysis,
        stills: &fixture.stills,
    }
}

/// Compares `actual` with tests/golden/NAME, or writes it there when FORMCHECK_BLESS is set.
pub fn assert_golden(name: &str, actual: &str) {
    let path = repo().join("tests/golden").join(name);
    if std::env::var_os("FORMCHECK_BLESS").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "{}: {e}; run with FORMCHECK_BLESS=1 to create it",
            path.display()
        )
    });
    if expected != actual {
        let line = expected
            .lines()
            .zip(actual.lines())
            .position(|(a, b)| a != b)
            .map_or(expected.lines().count().min(actual.lines().count()), |n| n);
        panic!(
            "{name} differs from {} from line {} on:\n expected: {}\n   actual: {}\n(FORMCHECK_BLESS=1 rewrites it after a deliberate change)",
            path.display(),
            line + 1,
            expected.lines().nth(line).unwrap_or("<end>"),
            actual.lines().nth(line).unwrap_or("<end>"),
        );
    }
}

/// `../shared/NAME` when it is there; `None` (and a message saying the test is skipped) when not.
pub fn shared(name: &str) -> Option<PathBuf> {
    let path = repo().join("../shared").join(name);
    if path.exists() {
        Some(path)
    } else {
        skip::missing(&format!("{} is not there", path.display()));
        None
    }
}

/// Fails with every error when `doc` does not follow the schema at `schema` (a path from the
/// repository's root, as `schemas/reps.schema.json`).
pub fn assert_matches_schema(doc: &serde_json::Value, schema: &str) {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo().join(schema)).unwrap()).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

/// The formcheck binary built for these tests.
pub fn formcheck() -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_formcheck"));
    cmd.env_remove("FORMCHECK_MODELS");
    // The default history goes to a folder of the tests', never the user's own.
    cmd.env(
        "XDG_DATA_HOME",
        std::env::temp_dir().join("formcheck-tests-data"),
    );
    cmd
}

pub fn sample() -> PathBuf {
    repo().join("samples/tfjs_pose_squats.mp4")
}

/// Every file under `dir` (relative path → bytes), for comparing two output trees.
pub fn tree(dir: &Path) -> std::collections::BTreeMap<PathBuf, Vec<u8>> {
    fn walk(root: &Path, dir: &Path, out: &mut std::collections::BTreeMap<PathBuf, Vec<u8>>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).unwrap().to_path_buf();
                out.insert(rel, std::fs::read(&path).unwrap());
            }
        }
    }
    let mut out = std::collections::BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// Runs ffmpeg quietly to make a test clip; `false` (after saying so, or failing under CI) when
/// ffmpeg is not installed. A failing ffmpeg run fails the test.
pub fn ffmpeg(args: &[&str]) -> bool {
    match std::process::Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .status()
    {
        Ok(status) => {
            assert!(status.success(), "ffmpeg {args:?} failed");
            true
        }
        Err(_) => {
            skip::missing("ffmpeg is not installed (needed to make the test clip)");
            false
        }
    }
}

/// Chromium, when installed: its path.
pub fn chromium() -> Option<PathBuf> {
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .find_map(|name| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|p| p.join(name))
                    .find(|p| p.is_file())
            })
        })
}

/// Opens `page` in headless Chromium with its console logged to stderr, plus `extra` flags
/// (`--dump-dom`, `--screenshot=…`), in the profile folder `profile`.
pub fn chromium_open(
    chromium: &Path,
    profile: &Path,
    page: &Path,
    extra: &[&str],
) -> std::process::Output {
    std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdin(std::process::Stdio::null())
        .output()
        .unwrap()
}

/// The console lines Chromium logged while it opened a page (empty: no errors, no warnings).
pub fn console_lines(out: &std::process::Output) -> Vec<String> {
    String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect()
}

/// sox's `stat` of a sound file: (length in seconds, RMS amplitude).
pub fn sox_stat(file: &Path) -> (f64, f64) {
    let out = std::process::Command::new("sox")
        .arg(file)
        .args(["-n", "stat"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stderr);
    let field = |name: &str| {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split(':').nth(1))
            .and_then(|v| v.trim().parse::<f64>().ok())
            .unwrap_or_else(|| panic!("{name} not in sox's stat: {text}"))
    };
    (field("Length (seconds)"), field("RMS     amplitude"))
}
