//! Calibrated cameras through the real binary: the four shared pose2sim clips (one trial seen by
//! four synchronised, calibrated cameras) → formcheck's own landmarks → `formcheck triangulate`
//! with the trial's calibration (tests/fixtures/pose2sim_calibration, from Pose2Sim's wheel).

#[path = "common/skip.rs"]
mod skip;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn calibration() -> PathBuf {
    repo().join("tests/fixtures/pose2sim_calibration/Calib.toml")
}

fn formcheck() -> Command {
    Command::new(env!("CARGO_BIN_EXE_formcheck"))
}

/// A table row's cells, by camera name.
fn row<'a>(table: &'a str, camera: &str) -> Vec<&'a str> {
    table
        .lines()
        .find(|l| l.starts_with(&format!("| {camera} |")))
        .unwrap_or_else(|| panic!("no row for {camera} in\n{table}"))
        .split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect()
}

fn number(cell: &str) -> f64 {
    cell.split(|c: char| !(c.is_ascii_digit() || c == '.' || c == '-' || c == '+'))
        .find(|s| !s.is_empty())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no number in {cell:?}"))
}

/// `formcheck triangulate [EXTRA] --calibration CALIBRATION --view NAME=FILE ...`.
fn triangulate(calibration: &Path, views: &[(&str, &Path)], extra: &[&str]) -> Output {
    let mut cmd = formcheck();
    cmd.arg("triangulate")
        .args(extra)
        .arg("--calibration")
        .arg(calibration);
    for (name, file) in views {
        cmd.arg("--view").arg(format!("{name}={}", file.display()));
    }
    cmd.output().unwrap()
}

/// `formcheck analyze VIDEO --landmarks OUT`.
fn landmarks(video: &Path, out: &Path) {
    let run = formcheck()
        .arg("analyze")
        .arg(video)
        .arg("--landmarks")
        .arg(out)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
}

fn shared_videos() -> Option<Vec<PathBuf>> {
    let videos: Vec<PathBuf> = (1..=4)
        .map(|c| repo().join(format!("../shared/videos/pose2sim_single_cam0{c}.mp4")))
        .collect();
    if videos.iter().all(|v| v.is_file()) {
        Some(videos)
    } else {
        skip::missing("../shared/videos/pose2sim_single_cam01..04.mp4");
        None
    }
}

/// The offset line `triangulate --sync` printed for a camera.
fn offset_of(stdout: &str, camera: &str) -> i64 {
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&format!("{camera}: offset ")))
        .unwrap_or_else(|| panic!("no offset for {camera} in\n{stdout}"));
    line.split_whitespace().nth(2).unwrap().parse().unwrap()
}

/// The shared clips are one trial on four synchronised cameras. Started 7 frames late (trimmed
/// with ffmpeg), cam02 is found 7 frames behind; a view from another recording is refused.
#[test]
fn a_view_started_seven_frames_late_is_found_seven_frames_behind() {
    let Some(videos) = shared_videos() else {
        return;
    };
    if Command::new("ffmpeg").arg("-version").output().is_err() {
        skip::missing("ffmpeg");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let trimmed = dir.path().join("cam02_late.mp4");
    let cut = Command::new("ffmpeg")
        .args(["-loglevel", "error", "-y", "-i"])
        .arg(&videos[1])
        .args(["-vf", "select=gte(n\\,7),setpts=PTS-STARTPTS", "-an"])
        .arg(&trimmed)
        .status()
        .unwrap();
    assert!(cut.success());
    for (c, video) in videos.iter().enumerate() {
        landmarks(video, &dir.path().join(format!("cam0{}.jsonl", c + 1)));
    }
    let late = dir.path().join("cam02_late.jsonl");
    landmarks(&trimmed, &late);
    let sync = |cam02: &Path| {
        let mut cmd = formcheck();
        cmd.args(["triangulate", "--sync", "--calibration"])
            .arg(calibration());
        for (c, file) in [
            ("cam01", dir.path().join("cam01.jsonl")),
            ("cam02", cam02.to_path_buf()),
            ("cam03", dir.path().join("cam03.jsonl")),
            ("cam04", dir.path().join("cam04.jsonl")),
        ] {
            cmd.arg("--view").arg(format!("{c}={}", file.display()));
        }
        let out = cmd.output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let in_step = sync(&dir.path().join("cam02.jsonl"));
    let shifted = sync(&late);
    println!("{in_step}\n{shifted}");
    let (before, after) = (offset_of(&in_step, "cam02"), offset_of(&shifted, "cam02"));
    assert!((after - before + 7).abs() <= 1, "{before} then {after}");
    // Synchronised by their makers: every untrimmed view within a frame of the first.
    for cam in ["cam02", "cam03", "cam04"] {
        assert!(offset_of(&in_step, cam).abs() <= 1, "{in_step}");
    }

    // Another recording (the bundled squat sample) is no view of this trial, and cam02's
    // landmarks given as cam03's do not fit cam03's calibration at any offset.
    let other = repo().join("tests/fixtures/tfjs_pose_squats.formcheck-full.jsonl");
    for (name, file) in [("cam02", other), ("cam03", dir.path().join("cam02.jsonl"))] {
        let first = dir.path().join("cam01.jsonl");
        let out = triangulate(
            &calibration(),
            &[("cam01", &first), (name, &file)],
            &["--sync"],
        );
        let err = String::from_utf8_lossy(&out.stderr);
        println!("{err}");
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.starts_with(&format!(
                "formcheck: --sync: cannot synchronise {name} with cam01"
            )) && err.lines().count() == 1,
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[test]
fn four_calibrated_views_triangulate_and_each_camera_is_compared_with_the_3d_knee() {
    let Some(videos) = shared_videos() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut args: Vec<String> = vec![
        "triangulate".into(),
        "--calibration".into(),
        calibration().display().to_string(),
    ];
    for (c, video) in videos.iter().enumerate() {
        let jsonl = dir.path().join(format!("cam0{}.jsonl", c + 1));
        landmarks(video, &jsonl);
        args.push("--view".into());
        args.push(format!("cam0{}={}", c + 1, jsonl.display()));
    }
    let csv = dir.path().join("points.csv");
    let json = dir.path().join("held.json");
    let out = formcheck()
        .args(&args)
        .arg("--csv")
        .arg(&csv)
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{table}");

    // All 100 frames solved: the four cameras see the whole body throughout.
    assert!(table.starts_with("100 frames from 4 views"), "{table}");
    let solved = number(table.split("solved in 3-D on ").nth(1).unwrap());
    assert!(solved >= 95.0, "{table}");
    // Knee over toe in 3-D, every figure within a foot length of the toe (the free leg swings
    // forward and back in this balance).
    let kot = table
        .lines()
        .find(|l| l.starts_with("Knee over toe, 3-D"))
        .expect("the knee-over-toe line");
    let figures: Vec<f64> = kot
        .split([',', ':'])
        .skip(1)
        .filter(|p| p.contains('%'))
        .map(number)
        .collect();
    assert_eq!(figures.len(), 4, "{kot}");
    assert!(figures.iter().all(|f| f.abs() <= 100.0), "{kot}");
    // The calibration holds for formcheck's landmarks: each camera's landmarks land within 2 %
    // of the frame height (38 px of 1920) of the 3-D points projected back, at the median.
    for cam in ["cam01", "cam02", "cam03", "cam04"] {
        let cells = row(&table, cam);
        let median_px = number(cells[2]);
        assert!(median_px < 38.0, "{cam}: {median_px} px\n{table}");
    }
    // The two cameras in front of the body (cam01, cam02; ../shared/videos/labels.json) include
    // the one least turned from its frontal plane; none is side-on.
    let turned: Vec<(String, f64)> = ["cam01", "cam02", "cam03", "cam04"]
        .iter()
        .map(|c| (c.to_string(), number(row(&table, c)[1])))
        .collect();
    let least = turned.iter().min_by(|a, b| a.1.total_cmp(&b.1)).unwrap();
    assert!(least.0 == "cam01" || least.0 == "cam02", "{turned:?}");
    assert!(turned.iter().all(|(_, t)| *t < 45.0), "{turned:?}");
    // Every camera's 2-D knee angle is compared with the 3-D one, for both legs.
    for cam in ["cam01", "cam02", "cam03", "cam04"] {
        let cells = row(&table, cam);
        for cell in [cells[4], cells[6]] {
            assert!(number(cell) >= 0.0, "{cam}: {cell}");
        }
    }
    // The 3-D points, 6 landmarks a solved frame.
    let rows = std::fs::read_to_string(&csv).unwrap().lines().count() - 1;
    assert!(rows >= 6 * solved as usize, "{rows} rows");
    held_to_3d(&json, &table);
}

/// `--json`: per camera its turn and, frame by frame, each leg's 2-D FPPA, the bound that
/// camera's own analysis gives it (null where it would not be judged) and the 3-D angle; the
/// printed table says, per camera, how often the bound covers |2-D − 3-D|.
fn held_to_3d(json: &Path, table: &str) {
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(json).unwrap()).unwrap();
    let cameras = doc["cameras"].as_array().unwrap();
    assert_eq!(cameras.len(), 4);
    let limit = formcheck::judge::Thresholds::default()
        .valgus_limit_deg(formcheck::judge::ValgusBand::SingleLeg);
    for camera in cameras {
        assert!(camera["turn_deg"].as_f64().is_some(), "{camera}");
        let frames = camera["frames"].as_array().unwrap();
        assert!(frames.len() >= 90, "{}", camera["name"]);
        for leg in frames.iter().flat_map(|f| f["legs"].as_array().unwrap()) {
            assert!(
                leg["fppa_2d_deg"].is_f64() && leg["fppa_3d_deg"].is_f64(),
                "{leg}"
            );
            // A bound is written only where the camera would judge the reading.
            if let Some(bound) = leg["bound_deg"].as_f64() {
                assert!(bound < limit, "{leg}");
            } else {
                assert!(leg["bound_deg"].is_null(), "{leg}");
            }
        }
        let name = camera["name"].as_str().unwrap();
        let held_row = table
            .lines()
            .filter(|l| l.starts_with(&format!("| {name} |")))
            .nth(1)
            .unwrap_or_else(|| panic!("no held row for {name} in\n{table}"));
        assert!(held_row.contains('/'), "{held_row}");
    }
    assert!(
        table.contains("error bound held to the 3-D angle"),
        "{table}"
    );
}

#[test]
fn a_view_of_a_camera_the_calibration_lacks_is_a_one_line_error() {
    let landmarks = repo().join("tests/fixtures/tfjs_pose_squats.mediapipe-full.jsonl");
    // Each view its own file: one file as two views is refused before the names are looked up.
    let dir = tempfile::tempdir().unwrap();
    let other = dir.path().join("other.jsonl");
    std::fs::copy(&landmarks, &other).unwrap();
    let out = triangulate(
        &calibration(),
        &[("cam01", &landmarks), ("cam09", &other)],
        &[],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--view cam09") && err.contains("cam01, cam02, cam03, cam04"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    // One view is no triangulation; a view that is not NAME=FILE is named.
    for views in [vec!["cam01=x.jsonl"], vec!["cam01=x.jsonl", "cam02"]] {
        let mut cmd = formcheck();
        cmd.args(["triangulate", "--calibration"])
            .arg(calibration());
        for v in &views {
            cmd.args(["--view", v]);
        }
        let out = cmd.output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.starts_with("formcheck: --view"), "{err}");
    }

    // A calibration that is not one names the file.
    let bad = dir.path().join("calib.toml");
    std::fs::write(&bad, "[cam_1]\nname = \"cam01\"\n").unwrap();
    let out = triangulate(&bad, &[("cam01", &landmarks), ("cam02", &other)], &[]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("calib.toml") && err.lines().count() == 1,
        "{err}"
    );
}
