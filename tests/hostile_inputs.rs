//! Hostile inputs through the real binary, one regression test for each way they broke
//! formcheck (issue 14): an output pointed at an input, names that climb out of `--out`, two runs
//! into one folder, names a spreadsheet would run, and option values outside their range.

mod common;

use std::path::Path;
use std::process::Output;

use common::{ffmpeg, formcheck, sample};

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Exit 2, no panic, one line that contains every `needle`.
fn assert_refused(out: &Output, needles: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "exit code; stderr: {err}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one error line: {lines:?}");
    for needle in needles {
        assert!(lines[0].contains(needle), "{needle:?} not in {}", lines[0]);
    }
}

fn copy_sample(dir: &Path, name: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::copy(sample(), &path).unwrap();
    path
}

#[test]
fn item1_landmarks_pointed_at_the_input_is_refused_and_the_video_kept() {
    let dir = tempfile::tempdir().unwrap();
    let video = copy_sample(dir.path(), "v.mp4");
    let before = std::fs::read(&video).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    // The same spelling, and another spelling of the same file.
    for target in [video.clone(), dir.path().join("sub/../v.mp4")] {
        let out = formcheck()
            .arg("analyze")
            .arg(&video)
            .arg("--landmarks")
            .arg(&target)
            .output()
            .unwrap();
        assert_refused(&out, &["--landmarks", "is the input", "v.mp4"]);
        assert_eq!(
            std::fs::read(&video).unwrap(),
            before,
            "the video is untouched"
        );
    }
}

#[test]
fn item1_live_record_and_session_pointed_at_the_input_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let video = copy_sample(dir.path(), "w.mp4");
    let before = std::fs::read(&video).unwrap();
    let hard = dir.path().join("hard.mp4");
    std::fs::hard_link(&video, &hard).unwrap();
    for (flag, target) in [
        ("--record", &video),
        ("--session", &video),
        ("--record", &hard),
    ] {
        let out = formcheck()
            .args(["live", "--no-window", "--exercise", "squat", "--file"])
            .arg(&video)
            .arg(flag)
            .arg(target)
            .output()
            .unwrap();
        assert_refused(&out, &[flag, "is the input", "w.mp4"]);
        assert_eq!(
            std::fs::read(&video).unwrap(),
            before,
            "the video is untouched"
        );
    }
}

/// A two-camera session's log pointed at either camera's video is refused before anything
/// opens: the video is never overwritten.
#[test]
fn a_two_camera_session_log_pointed_at_a_camera_video_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let front = copy_sample(dir.path(), "front.mp4");
    let side = copy_sample(dir.path(), "side.mp4");
    let before = std::fs::read(&side).unwrap();
    let out = formcheck()
        .args(["live", "--no-window", "--no-history", "--exercise", "squat"])
        .arg("--front-view")
        .arg(&front)
        .arg("--side-view")
        .arg(&side)
        .arg("--session")
        .arg(&side)
        .output()
        .unwrap();
    assert_refused(&out, &["--session", "is the input", "side.mp4"]);
    assert_eq!(
        std::fs::read(&side).unwrap(),
        before,
        "the video is untouched"
    );
}

#[test]
fn item1_a_video_inside_its_own_output_folder_is_never_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    // OUT/v/annotated.mp4 is where `v`'s annotated video would go; here it is the input itself.
    std::fs::create_dir_all(dir.path().join("out/annotated")).unwrap();
    let video = copy_sample(&dir.path().join("out/annotated"), "annotated.mp4");
    let before = std::fs::read(&video).unwrap();
    let out = formcheck()
        .args(["analyze", "--exercise", "squat", "--quiet"])
        .arg(&video)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_refused(&out, &["annotated.mp4", "is the input"]);
    assert_eq!(std::fs::read(&video).unwrap(), before);
}

#[test]
fn item2_path_traversal_names_stay_inside_out_and_temp_files_outside_survive() {
    let dir = tempfile::tempdir().unwrap();
    let videos = dir.path().join("in");
    std::fs::create_dir(&videos).unwrap();
    // `...mp4` is itself hidden, so it is named; the folder scan meets `.hidden.mp4`.
    let dots = copy_sample(dir.path(), "...mp4");
    copy_sample(&videos, ".hidden.mp4");
    copy_sample(&videos, "a.mp4");
    // A temporary file of someone else's, next to --out: the clean-up must not reach it.
    std::fs::write(dir.path().join(".keep.1.tmp"), b"mine").unwrap();
    let out_dir = dir.path().join("out");
    let out = formcheck()
        .args(["analyze", "--exercise", "squat", "--quiet", "--no-video"])
        .args(["--max-frames", "20"])
        .arg(&dots)
        .arg(&videos)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out_dir.join("mp4/reps.json").is_file(), "...mp4 → OUT/mp4/");
    assert!(dir.path().join(".keep.1.tmp").is_file());
    let mut top: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    top.sort();
    assert_eq!(
        top,
        ["...mp4", ".keep.1.tmp", "in", "out"],
        "nothing written beside --out"
    );
    // The hidden file was not taken from the folder scan.
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 3, "header, mp4 and a: {summary}");
    assert!(!out_dir.join("hidden").exists());
}

/// Two runs into one OUT used to be refused outright (one lock for the whole folder). Now each
/// video has its own lock: the second run leaves the video the first is writing to it, analyses
/// the others, and sweeps none of the first run's temporary files.
#[test]
fn item5_two_runs_into_one_out_never_write_one_video_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let videos = dir.path().join("in");
    std::fs::create_dir(&videos).unwrap();
    copy_sample(&videos, "a.mp4");
    copy_sample(&videos, "b.mp4");
    let out_dir = dir.path().join("out");
    std::fs::create_dir_all(out_dir.join("a")).unwrap();
    // The test holds the kernel lock a worker analysing a.mp4 would hold, with its temp file.
    let held = std::fs::File::create(out_dir.join("a/.formcheck.lock")).unwrap();
    held.lock().unwrap();
    std::fs::write(out_dir.join("a/.reps.json.4242.tmp"), b"being written").unwrap();
    let analyze = || {
        formcheck()
            .args(["analyze", "--exercise", "squat", "--no-video"])
            .args(["--max-frames", "5"])
            .arg(&videos)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap()
    };
    let out = analyze();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("another formcheck run is analysing it")
            && err.contains("1 left to another run"),
        "{err}"
    );
    assert!(out_dir.join("b/.complete").is_file(), "b analysed");
    assert!(!out_dir.join("a/.complete").exists(), "a left alone");
    assert!(
        out_dir.join("a/.reps.json.4242.tmp").is_file(),
        "the other run's temp file is not swept"
    );
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 2, "header and b: {summary}");
    drop(held);
    // Once the holder is gone (or dead) the next run takes the lock over.
    let out = analyze();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out_dir.join("a/.complete").is_file());
    assert!(
        !out_dir.join("a/.reps.json.4242.tmp").exists(),
        "a dead run's leftovers go"
    );
    assert!(stderr(&out).contains("1 skipped"), "{}", stderr(&out));
}

#[test]
fn item9_reserved_and_formula_names_are_analysed_safely() {
    let dir = tempfile::tempdir().unwrap();
    let videos = dir.path().join("in");
    std::fs::create_dir(&videos).unwrap();
    copy_sample(&videos, "summary.csv.mp4");
    copy_sample(&videos, "index.html.mp4");
    copy_sample(&videos, "=HYPERLINK(1).mp4");
    let out_dir = dir.path().join("out");
    let out = formcheck()
        .args(["analyze", "--exercise", "squat", "--quiet", "--no-video"])
        .args(["--max-frames", "10"])
        .arg(&videos)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out_dir.join("summary.csv").is_file() && out_dir.join("index.html").is_file());
    assert!(out_dir.join("summary.csv_video/reps.json").is_file());
    assert!(out_dir.join("index.html_video/reps.json").is_file());
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(summary.as_bytes());
    let names: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(names.len(), 3, "{summary}");
    assert!(names.contains(&"'=HYPERLINK(1)".to_string()), "{names:?}");
    assert!(names.iter().all(|n| !n.starts_with('=')), "{names:?}");
}

#[test]
fn item9_out_naming_a_file_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, b"keep").unwrap();
    let out = formcheck()
        .args(["analyze", "--exercise", "squat"])
        .arg(sample())
        .arg("--out")
        .arg(&file)
        .output()
        .unwrap();
    assert_refused(&out, &["--out", "notes.txt", "is a file, not a folder"]);
    assert_eq!(std::fs::read(&file).unwrap(), b"keep");
}

/// Regression (item 7): `--threads 100000` crashed, `--threads 50000` blamed the model file,
/// `--reconnect-for 1e20` panicked; (item 9) `--max-frames 0` said "no person found".
#[test]
fn item7_option_values_out_of_range_are_refused_naming_the_flag() {
    let video = sample();
    let video = video.to_str().unwrap();
    for (args, flag) in [
        (vec!["--threads", "100000", "analyze", video], "--threads"),
        (vec!["--threads", "50000", "bench"], "--threads"),
        (vec!["analyze", video, "--jobs", "100000"], "--jobs"),
        (vec!["analyze", video, "--max-frames", "0"], "--max-frames"),
        (
            vec!["analyze", video, "--analysis-fps", "0"],
            "--analysis-fps",
        ),
        (
            vec!["analyze", video, "--analysis-fps", "nan"],
            "--analysis-fps",
        ),
        (
            vec!["analyze", video, "--video-max-side", "100"],
            "--video-max-side",
        ),
        (
            vec!["live", "--file", video, "--reconnect-for", "1e20"],
            "--reconnect-for",
        ),
        (
            vec!["live", "--file", video, "--reconnect-for", "inf"],
            "--reconnect-for",
        ),
    ] {
        let out = formcheck().args(&args).output().unwrap();
        assert_refused(&out, &[flag]);
    }
}

/// Regression (item 9): the `--help` example named a threshold that does not exist.
#[test]
fn item9_the_help_threshold_example_is_accepted() {
    let help = formcheck().args(["analyze", "--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    let example = help
        .split("`--threshold ")
        .nth(1)
        .and_then(|rest| rest.split('`').next())
        .expect("an example in --help");
    let dir = tempfile::tempdir().unwrap();
    let out = formcheck()
        .args(["analyze", "--exercise", "squat", "--quiet", "--no-video"])
        .args(["--max-frames", "3", "--threshold", example])
        .arg(sample())
        .arg("--out")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{example}: {}", stderr(&out));
}

/// Regression (item 9): switching `--engine` reused the other engine's outputs on resume.
#[test]
fn item9_switching_engine_redoes_the_video_instead_of_resuming() {
    let dir = tempfile::tempdir().unwrap();
    let run = |engine: &str| {
        formcheck()
            .args([
                "analyze",
                "--exercise",
                "squat",
                "--no-video",
                "--max-frames",
                "8",
            ])
            .args(["--engine", engine])
            .arg(sample())
            .arg("--out")
            .arg(dir.path())
            .output()
            .unwrap()
    };
    let first = run("opencv");
    assert!(first.status.success(), "{}", stderr(&first));
    let same = run("opencv");
    assert!(
        stderr(&same).contains("mp4: already complete"),
        "{}",
        stderr(&same)
    );
    let other = run("litert");
    if stderr(&other).contains("libLiteRt.so not found") {
        // .ci/setup installs it; a checkout without it can only say so.
        common::skip::missing("LiteRT is not installed (run .ci/setup)");
        return;
    }
    assert!(other.status.success(), "{}", stderr(&other));
    assert!(
        !stderr(&other).contains("mp4: already complete"),
        "another engine is other outputs: {}",
        stderr(&other)
    );
    let reps = std::fs::read_to_string(dir.path().join("tfjs_pose_squats/reps.json")).unwrap();
    assert!(
        reps.contains("\"litert\""),
        "reps.json names the engine that made it"
    );
}

/// Every frame's landmarks from frames.jsonl, without the header line.
fn landmark_lines(folder: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(folder.join("frames.jsonl")).unwrap();
    text.lines()
        .skip(1)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn item3_phone_videos_turned_90_180_270_give_the_upright_reps_and_landmarks() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let lossless = ["-c:v", "libx264", "-qp", "0", "-preset", "ultrafast"];
    // The upright clip, losslessly re-encoded so that the turned copies hold the same pixels.
    if !ffmpeg(
        &[
            &["-i", &sample().to_string_lossy()],
            &lossless[..],
            &[&d("upright.mp4")],
        ]
        .concat(),
    ) {
        return;
    }
    // Stored turned, tagged so that players turn it back (FFmpeg 5.1's `rotate` tag is the
    // counter-clockwise display angle): what a phone held sideways writes.
    for (name, stored_as, tag) in [
        ("cw90", "transpose=2", "270"),
        ("half", "hflip,vflip", "180"),
        ("cw270", "transpose=1", "90"),
    ] {
        let raw = d(&format!("{name}.raw.mp4"));
        assert!(ffmpeg(
            &[
                &["-i", &d("upright.mp4"), "-vf", stored_as],
                &lossless[..],
                &[&raw]
            ]
            .concat()
        ));
        let tagged = format!("rotate={tag}");
        assert!(ffmpeg(&[
            "-i",
            &raw,
            "-c",
            "copy",
            "-metadata:s:v:0",
            &tagged,
            &d(&format!("{name}.mp4"))
        ]));
        std::fs::remove_file(&raw).unwrap();
    }
    let out = formcheck()
        .arg("analyze")
        .args(["upright.mp4", "cw90.mp4", "half.mp4", "cw270.mp4"])
        .args(["--exercise", "squat", "--jobs", "1", "--out", "out"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let folder = dir.path().join("out");
    let reps = |name: &str| {
        let json: serde_json::Value =
            serde_json::from_slice(&std::fs::read(folder.join(name).join("reps.json")).unwrap())
                .unwrap();
        (json["video"]["rotation_deg"].clone(), json["sets"].clone())
    };
    let (upright_rotation, upright_sets) = reps("upright");
    assert_eq!(upright_rotation, 0);
    let upright_frames = landmark_lines(&folder.join("upright"));
    let rep_count = upright_sets
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reps"].as_array().unwrap().len())
        .sum::<usize>();
    assert!(
        rep_count >= 2,
        "the upright sample has its reps: {upright_sets}"
    );
    for (name, clockwise) in [("cw90", 90), ("half", 180), ("cw270", 270)] {
        let (rotation, sets) = reps(name);
        assert_eq!(rotation, clockwise, "{name}");
        assert_eq!(
            sets, upright_sets,
            "{name}: the same reps, numbers and flags"
        );
        let frames = landmark_lines(&folder.join(name));
        assert_eq!(frames.len(), upright_frames.len());
        // Same pixels once turned, so the same landmarks in the upright picture's coordinates.
        assert_eq!(
            frames, upright_frames,
            "{name}: landmarks differ from the upright clip's"
        );
    }
}

/// formcheck with every file it writes capped at `bytes`, the way a nearly full disk stops a
/// writer: a write past the cap fails (EFBIG) instead of killing the process (SIGXFSZ ignored).
fn formcheck_with_file_size_limit(bytes: u64) -> std::process::Command {
    use std::os::unix::process::CommandExt;
    let mut cmd = formcheck();
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            if libc::setrlimit(libc::RLIMIT_FSIZE, &limit) != 0
                || libc::signal(libc::SIGXFSZ, libc::SIG_IGN) == libc::SIG_ERR
            {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    cmd
}

/// Every file under `dir`, by name, hidden ones included.
fn all_files(dir: &Path) -> Vec<String> {
    common::tree(dir)
        .keys()
        .map(|p| p.to_string_lossy().into_owned())
        .collect()
}

/// The batch on a disk that fills up while the annotated video is written (during the pose pass,
/// beside the frames it spills): the error names the file, or the video's folder when the
/// spilled frames hit the full disk first, and nothing broken, temporary or falsely complete is
/// left.
fn assert_failed_video_left_clean(out: &Output, folder: &Path, cause: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "a failed video exits 1: {err}");
    let video = folder.join("v");
    let named = video.join("annotated.mp4");
    assert!(
        err.contains(&format!("cannot write {}:", named.display()))
            || err.contains(&format!("cannot write {}:", video.display())),
        "names the file or the video's folder: {err}"
    );
    assert!(err.contains(cause), "says why ({cause}): {err}");
    // Temporary names are hidden and end in `.tmp` (or `.tmp.mp4`): `.annotated.PID.tmp.mp4`.
    let temporary = err
        .split(|c: char| c == '/' || c.is_whitespace() || c == ':')
        .any(|part| part.starts_with('.') && (part.ends_with(".tmp") || part.contains(".tmp.")));
    assert!(!temporary, "never blames a temporary file: {err}");
    let files = all_files(folder);
    assert!(!named.exists(), "no corrupt annotated.mp4: {files:?}");
    assert!(
        !files.iter().any(|f| f.contains(".tmp")),
        "no temporary files left: {files:?}"
    );
    assert!(
        !video.join(".complete").exists(),
        "not marked complete: a rerun redoes it"
    );
    // What was computed before the disk filled is kept.
    assert!(video.join("reps.json").exists(), "{files:?}");
    let summary = std::fs::read_to_string(folder.join("summary.csv")).unwrap();
    assert!(
        summary.contains("failed") && summary.contains("annotated.mp4"),
        "{summary}"
    );
}

#[test]
fn item6_a_full_disk_never_leaves_a_corrupt_video_under_its_final_name() {
    let dir = tempfile::tempdir().unwrap();
    let video = copy_sample(dir.path(), "v.mp4");
    let folder = dir.path().join("out");
    // Everything else is under 400 KB; the annotated video at the source's size is about 1.5 MB.
    let out = formcheck_with_file_size_limit(1_000_000)
        .arg("analyze")
        .arg(&video)
        .args(["--video-max-side", "0"])
        .args(["--exercise", "squat", "--out"])
        .arg(&folder)
        .output()
        .unwrap();
    assert_failed_video_left_clean(&out, &folder, "cut short");
}

/// A small tmpfs, unmounted when dropped.
struct SmallDisk(std::path::PathBuf);

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = std::process::Command::new("umount").arg(&self.0).status();
    }
}

#[test]
fn item6_no_space_left_on_device_is_named_as_the_cause() {
    let dir = tempfile::tempdir().unwrap();
    let video = copy_sample(dir.path(), "v.mp4");
    let mount = dir.path().join("disk");
    std::fs::create_dir(&mount).unwrap();
    let mounted = std::process::Command::new("mount")
        .args(["-t", "tmpfs", "-o", "size=1m", "tmpfs"])
        .arg(&mount)
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !mounted {
        common::skip::missing("mounting a 1 MiB tmpfs (a disk that fills up) needs root");
        return;
    }
    let _disk = SmallDisk(mount.clone());
    // The 1.5 MB full-size video fills the disk during the pass; the 1.07 MB one at the default
    // size filled it at the last spilled frames, which then lost reps.json and the report too.
    for (run, size) in [("full", "0"), ("default", "960")] {
        let folder = mount.join(run);
        let out = formcheck()
            .arg("analyze")
            .arg(&video)
            .args(["--video-max-side", size])
            .args(["--exercise", "squat", "--out"])
            .arg(&folder)
            .output()
            .unwrap();
        assert_failed_video_left_clean(&out, &folder, "No space left on device");
        std::fs::remove_dir_all(&folder).unwrap();
    }
}

#[test]
fn item6_live_record_on_a_full_disk_fails_the_session_after_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("rec.mp4");
    let session = dir.path().join("session.jsonl");
    let out = formcheck_with_file_size_limit(1_000_000)
        .args(["live", "--no-window", "--exercise", "squat", "--file"])
        .arg(sample())
        .arg("--record")
        .arg(&record)
        .arg("--session")
        .arg(&session)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "not 0: {err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.contains("--record") && last.contains("rec.mp4"),
        "{err}"
    );
    assert!(last.contains("cut short"), "{err}");
    let text = std::fs::read_to_string(&session).unwrap();
    let summary: serde_json::Value = serde_json::from_str(text.lines().last().unwrap()).unwrap();
    assert_eq!(summary["type"], "summary");
    assert_eq!(
        summary["end"], "stream_ended",
        "how the session ended is kept"
    );
    assert!(
        summary["error"].as_str().unwrap().contains("--record"),
        "{summary}"
    );
    assert!(
        summary["complete_reps"].as_u64().unwrap() >= 1,
        "the reps are kept"
    );
}

/// Every rep and rejected movement of a reps.json as (start frame, bottom, end, start s, end s).
fn movements(reps_json: &Path) -> Vec<(u64, u64, u64, f64, f64, String)> {
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(reps_json).unwrap()).unwrap();
    let mut all = Vec::new();
    for set in json["sets"].as_array().unwrap() {
        for r in set["reps"].as_array().unwrap() {
            all.push((
                r["start_frame"].as_u64().unwrap(),
                r["bottom_frame"].as_u64().unwrap(),
                r["end_frame"].as_u64().unwrap(),
                r["start_s"].as_f64().unwrap(),
                r["end_s"].as_f64().unwrap(),
                r["incomplete"].as_str().unwrap_or("complete").to_string(),
            ));
        }
    }
    for r in json["rejected"].as_array().unwrap() {
        all.push((
            r["start"]["frame"].as_u64().unwrap(),
            r["bottom"]["frame"].as_u64().unwrap(),
            r["end"]["frame"].as_u64().unwrap(),
            r["start"]["time_s"].as_f64().unwrap(),
            r["end"]["time_s"].as_f64().unwrap(),
            r["reason"].as_str().unwrap().to_string(),
        ));
    }
    all.sort_by_key(|m| m.0);
    all
}

#[test]
fn item8_a_gap_in_the_timestamps_never_makes_reps_overlap() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    // The clip skips ahead by 0.6, 2 and 20 s after frame 29, half way down the second squat.
    let gaps = [("gap_short", "0.6"), ("gap_2s", "2"), ("gap_20s", "20")];
    let sample = sample().to_string_lossy().into_owned();
    for (name, seconds) in gaps {
        let jump = format!("setpts='if(lt(N,30),PTS,PTS+{seconds}/TB)'");
        let args = [
            "-i",
            &sample,
            "-vf",
            &jump,
            "-fps_mode",
            "passthrough",
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            &d(&format!("{name}.mp4")),
        ];
        if !ffmpeg(&args) {
            return;
        }
    }
    let out = formcheck()
        .arg("analyze")
        .args(["gap_short.mp4", "gap_2s.mp4", "gap_20s.mp4"])
        .args(["--exercise", "squat", "--out", "out"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    for (name, _) in gaps {
        let all = movements(&dir.path().join("out").join(name).join("reps.json"));
        assert!(all.len() >= 3, "{name}: {all:?}");
        for m in &all {
            assert!(
                m.0 <= m.1 && m.1 <= m.2 && m.3 <= m.4,
                "{name}: out of order {m:?}"
            );
        }
        for pair in all.windows(2) {
            let (a, b) = (&pair[0], &pair[1]);
            assert!(a.2 < b.0 && a.4 < b.3, "{name}: {a:?} overlaps {b:?}");
        }
        // Across a jump longer than a rep survives, the rep is cut and says why.
        let cut = all
            .iter()
            .filter(|m| m.5.contains("frames_missing") || m.5.contains("skips ahead"));
        if name == "gap_short" {
            assert_eq!(cut.count(), 0, "a 0.6 s jump is bridged: {all:?}");
        } else {
            assert_eq!(cut.count(), 1, "{name}: {all:?}");
        }
    }
}

#[test]
fn item8_a_truncated_file_is_reported_as_cut_short() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole.mp4");
    let sample = sample().to_string_lossy().into_owned();
    // The index first (as phones and web uploads write it), so a copy cut short still opens.
    let args = [
        "-i",
        &sample,
        "-c",
        "copy",
        "-movflags",
        "+faststart",
        &whole.to_string_lossy(),
    ];
    if !ffmpeg(&args) {
        return;
    }
    let bytes = std::fs::read(&whole).unwrap();
    std::fs::write(dir.path().join("cut.mp4"), &bytes[..bytes.len() * 6 / 10]).unwrap();
    let out = formcheck()
        .args([
            "--quiet",
            "analyze",
            "cut.mp4",
            "--exercise",
            "squat",
            "--out",
            "out",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("WARNING") && err.contains("cut short"),
        "even with --quiet: {err}"
    );
    let folder = dir.path().join("out/cut");
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("reps.json")).unwrap()).unwrap();
    let truncated = &json["video"]["truncated"];
    assert_eq!(truncated["frames_declared"], 65, "{json}");
    let decoded = truncated["frames_decoded"].as_u64().unwrap();
    assert!((10..60).contains(&decoded), "{truncated}");
    assert_eq!(json["video"]["frames"], decoded);
    let report = std::fs::read_to_string(folder.join("report.html")).unwrap();
    assert!(report.contains("Incomplete video") && report.contains("cut short"));
    // The rep the cut falls in says so, not "the video ended".
    let last = json["sets"].as_array().unwrap().last().unwrap()["reps"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    assert_eq!(last["incomplete"], "file_cut_short", "{last}");
    // The whole file is not flagged.
    let out = formcheck()
        .args([
            "analyze",
            "whole.mp4",
            "--exercise",
            "squat",
            "--out",
            "out",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(!stderr(&out).contains("WARNING"), "{}", stderr(&out));
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out/whole/reps.json")).unwrap())
            .unwrap();
    assert!(json["video"].get("truncated").is_none());
}

#[test]
fn item9_a_lite_model_copied_over_the_full_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let video = copy_sample(dir.path(), "v.mp4");
    let models = dir.path().join("models");
    std::fs::create_dir(&models).unwrap();
    let shipped = common::repo().join("models");
    std::fs::copy(
        shipped.join("pose_detection.onnx"),
        models.join("pose_detection.onnx"),
    )
    .unwrap();
    std::fs::copy(
        shipped.join("pose_landmark_lite.onnx"),
        models.join("pose_landmark_full.onnx"),
    )
    .unwrap();
    let out = formcheck()
        .arg("--models")
        .arg(&models)
        .args(["--engine", "opencv", "analyze"])
        .arg(&video)
        .args(["--exercise", "squat", "--out"])
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_refused(
        &out,
        &["pose_landmark_full.onnx", "holds pose_landmark_lite.onnx"],
    );
    assert!(
        !dir.path().join("out").exists(),
        "nothing analysed with the wrong model"
    );
}

#[test]
fn item8_a_picture_size_change_inside_a_file_is_refused_naming_the_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let d = |name: &str| dir.path().join(name).to_string_lossy().into_owned();
    let sample = sample().to_string_lossy().into_owned();
    let (a, b) = (d("a.mp4"), d("b.mp4"));
    let encode = [
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-pix_fmt",
        "yuv420p",
    ];
    // Two clips joined without re-encoding: 720×1280, then 720×720 (OpenCV 4.6 would stretch
    // the second part to the first's size without a word).
    let first = [&["-i", &sample, "-frames:v", "30"][..], &encode, &[&a]].concat();
    let second = [
        &["-ss", "6", "-i", &sample, "-vf", "scale=720:720,setsar=1"][..],
        &encode,
        &[&b],
    ]
    .concat();
    if !ffmpeg(&first) {
        return;
    }
    assert!(ffmpeg(&second));
    std::fs::write(dir.path().join("list.txt"), "file a.mp4\nfile b.mp4\n").unwrap();
    let joined = [
        "-f",
        "concat",
        "-i",
        &d("list.txt"),
        "-c",
        "copy",
        &d("joined.mp4"),
    ];
    assert!(ffmpeg(&joined));

    let out = formcheck()
        .args([
            "analyze",
            "joined.mp4",
            "a.mp4",
            "--exercise",
            "squat",
            "--out",
            "out",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(1),
        "the joined file fails, the other is done: {err}"
    );
    assert!(
        err.contains("joined.mp4") && err.contains("720×1280, then 720×720"),
        "{err}"
    );
    assert!(dir.path().join("out/a/.complete").exists());
    assert!(
        !dir.path().join("out/joined/reps.json").exists(),
        "nothing judged on it"
    );

    let out = formcheck()
        .args([
            "live",
            "--no-window",
            "--exercise",
            "squat",
            "--file",
            "joined.mp4",
        ])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_refused(&out, &["--file", "joined.mp4", "picture size changes"]);
}

#[test]
fn item9_a_fifo_is_refused_in_one_line_instead_of_waiting_forever() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("pipe.mp4");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let run = |args: &[&str]| {
        let mut child = formcheck()
            .args(args)
            .arg(&fifo)
            .current_dir(dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Before: blocked opening the FIFO, with no writer ever coming.
        let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while child.try_wait().unwrap().is_none() {
            if std::time::Instant::now() > until {
                let _ = child.kill();
                panic!("{args:?} on a FIFO is still waiting after 30 s");
            }
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
        child.wait_with_output().unwrap()
    };
    let out = run(&["analyze", "--exercise", "squat", "--out", "out"]);
    assert_refused(&out, &["pipe.mp4", "not a regular file"]);
    let out = run(&["live", "--no-window", "--exercise", "squat", "--file"]);
    assert_refused(&out, &["pipe.mp4", "not a regular file"]);
}

/// Issue 35, items 1–2: no output may be the history database, nor two outputs one file. A
/// progress report written over the database lost the whole history (exit 0); landmarks, a voice
/// log or a session log over it, or a later reps.json, did the same.
#[test]
fn no_output_replaces_the_history_database_or_another_output() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db.sqlite");
    let out = dir.path().join("out");
    let recorded = formcheck()
        .args([
            "analyze",
            "--exercise",
            "squat",
            "--no-video",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .arg(sample())
        .arg("--history")
        .arg(&db)
        .output()
        .unwrap();
    assert!(recorded.status.success(), "{}", stderr(&recorded));
    let before = std::fs::read(&db).unwrap();
    std::fs::create_dir(dir.path().join("d")).unwrap();
    let respelled = dir.path().join("d/../db.sqlite");
    let history = |extra: &[&std::ffi::OsStr]| {
        formcheck()
            .arg("history")
            .arg("--history")
            .arg(&db)
            .args(extra)
            .output()
            .unwrap()
    };
    assert_refused(
        &history(&["--report".as_ref(), db.as_os_str()]),
        &["--report", "--history", "db.sqlite"],
    );
    assert_refused(
        &history(&["--csv".as_ref(), respelled.as_os_str()]),
        &["--csv", "--history"],
    );
    let same = dir.path().join("h.html");
    assert_refused(
        &history(&[
            "--report".as_ref(),
            same.as_os_str(),
            "--csv".as_ref(),
            same.as_os_str(),
        ]),
        &["--csv", "--report", "h.html"],
    );
    let landmarks = formcheck()
        .args([
            "analyze",
            "--exercise",
            "squat",
            "--no-video",
            "--quiet",
            "--out",
        ])
        .arg(dir.path().join("out2"))
        .arg(sample())
        .arg("--landmarks")
        .arg(&db)
        .arg("--history")
        .arg(&db)
        .output()
        .unwrap();
    assert_refused(&landmarks, &["--landmarks", "--history"]);
    let later = out.join("again/tfjs_pose_squats/reps.json");
    let into_reps = formcheck()
        .args([
            "analyze",
            "--exercise",
            "squat",
            "--no-video",
            "--quiet",
            "--out",
        ])
        .arg(out.join("again"))
        .arg(sample())
        .arg("--history")
        .arg(&later)
        .output()
        .unwrap();
    assert_refused(&into_reps, &["reps.json", "--history"]);
    for (flag, other) in [("--voice-log", "--history"), ("--session", "--history")] {
        let live = formcheck()
            .args(["live", "--exercise", "squat", "--no-window", "--file"])
            .arg(sample())
            .arg(flag)
            .arg(&db)
            .arg("--history")
            .arg(&db)
            .output()
            .unwrap();
        assert_refused(&live, &[flag, other]);
    }
    let log = dir.path().join("s.jsonl");
    let live = formcheck()
        .args([
            "live",
            "--exercise",
            "squat",
            "--no-window",
            "--no-history",
            "--file",
        ])
        .arg(sample())
        .arg("--session")
        .arg(&log)
        .arg("--voice-log")
        .arg(&log)
        .output()
        .unwrap();
    assert_refused(&live, &["--session", "--voice-log"]);
    assert!(!log.exists());
    assert_eq!(
        std::fs::read(&db).unwrap(),
        before,
        "the database is untouched"
    );
}

/// Issue 35, item 3: a file that never ends, named as a programme, a manifest, a pairs list or
/// an index check, is refused after a bounded read (it reached 13 GB before), naming its flag.
#[test]
fn a_file_that_never_ends_is_refused_after_a_bounded_read_naming_its_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    std::fs::create_dir(&out).unwrap();
    let runs: [(&[&str], &str); 4] = [
        (&["programme", "--programme", "/dev/zero"], "--programme"),
        (
            &["analyze", "-e", "squat", "--from-list", "/dev/zero"],
            "--from-list",
        ),
        (
            &["analyze", "-e", "squat", "--pairs", "/dev/zero"],
            "--pairs",
        ),
        (&["index", "--check", "/dev/zero"], "--check"),
    ];
    for (args, flag) in runs {
        let mut cmd = formcheck();
        cmd.args(args);
        if args[0] == "index" {
            cmd.arg(&out);
        }
        let run = cmd.output().unwrap();
        assert_refused(&run, &[flag, "/dev/zero", "not a regular file"]);
    }
    // A pipe is refused before it is opened: with no writer, opening it never returns.
    let fifo = dir.path().join("fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let run = formcheck()
        .args(["programme", "--programme"])
        .arg(&fifo)
        .output()
        .unwrap();
    assert_refused(&run, &["--programme", "not a regular file"]);
    // A huge file (sparse: 20 GB claimed, nothing written) is read no further than the cap.
    let huge = dir.path().join("huge.toml");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len(20 << 30)
        .unwrap();
    for flag in ["--config", "--from-list"] {
        let run = formcheck()
            .args(["analyze", "-e", "squat", flag])
            .arg(&huge)
            .arg(sample())
            .output()
            .unwrap();
        assert_refused(&run, &[flag, "64 MiB"]);
    }
}

/// The sample cut to its first second, re-encoded: another video, of another size and contents.
/// False (a skip said) without ffmpeg.
fn another_video(path: &Path) -> bool {
    let sample = sample();
    ffmpeg(&[
        "-i",
        sample.to_str().unwrap(),
        "-t",
        "1",
        "-c:v",
        "libx264",
        "-an",
        path.to_str().unwrap(),
    ])
}

fn analyze_into(video: &Path, out_dir: &Path, extra: &[&str]) -> Output {
    formcheck()
        .arg("analyze")
        .arg(video)
        .args(["--exercise", "squat", "--max-frames", "8"])
        .args(extra)
        .arg("--out")
        .arg(out_dir)
        .output()
        .unwrap()
}

#[test]
fn index_check_matches_each_folder_to_the_video_that_made_it_not_to_its_name() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["a", "b", "moved"] {
        std::fs::create_dir(dir.path().join(sub)).unwrap();
    }
    let a = copy_sample(&dir.path().join("a"), "x.mp4");
    if !another_video(&dir.path().join("b/x.mp4")) || !another_video(&dir.path().join("b/y.mp4")) {
        return;
    }
    let out_dir = dir.path().join("out");
    for video in [&dir.path().join("b/x.mp4"), &dir.path().join("b/y.mp4")] {
        let out = analyze_into(video, &out_dir, &["--no-video"]);
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let check = |lines: &str| {
        let manifest = dir.path().join("m.txt");
        std::fs::write(&manifest, lines).unwrap();
        let out = formcheck()
            .arg("index")
            .arg(&out_dir)
            .arg("--check")
            .arg(&manifest)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    // a/x.mp4 was never analysed, and c/y.mp4 does not exist: folders of the same names hold
    // other videos' outputs, which once counted as "2 done".
    let (code, text) = check("a/x.mp4\nc/y.mp4\n");
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("2 videos, 0 done, 0 failed, 1 missing, 1 from another video"),
        "{text}"
    );
    assert!(
        text.contains("another video: ") && text.contains("b/x.mp4"),
        "names the video that made the folder: {text}"
    );
    assert!(text.contains("c/y.mp4 (no such file)"), "{text}");
    // The videos that made the folders are done, even after a move.
    std::fs::rename(dir.path().join("b/y.mp4"), dir.path().join("moved/y.mp4")).unwrap();
    let (code, text) = check("b/x.mp4\nmoved/y.mp4\n");
    assert_eq!(code, Some(0), "{text}");
    assert!(
        text.contains("2 videos, 2 done, 0 failed, 0 missing"),
        "{text}"
    );
    assert!(a.is_file());
}

#[test]
fn a_rerun_of_another_video_of_the_same_name_says_it_replaces_it_and_leaves_no_stale_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("a")).unwrap();
    std::fs::create_dir(dir.path().join("b")).unwrap();
    let a = copy_sample(&dir.path().join("a"), "x.mp4");
    let b = dir.path().join("b/x.mp4");
    if !another_video(&b) {
        return;
    }
    let out_dir = dir.path().join("out");
    let first = analyze_into(&a, &out_dir, &["--trc"]);
    assert!(first.status.success(), "{}", stderr(&first));
    let folder = out_dir.join("x");
    assert!(folder.join("annotated.mp4").is_file() && folder.join("landmarks.trc").is_file());

    let second = analyze_into(&b, &out_dir, &["--no-video"]);
    let err = stderr(&second);
    assert!(second.status.success(), "{err}");
    let said = err
        .lines()
        .find(|l| l.contains("replaced the outputs of"))
        .unwrap_or_else(|| panic!("the replacement is said: {err}"));
    assert!(said.contains("a/x.mp4"), "{said}");
    assert!(
        !folder.join("annotated.mp4").exists() && !folder.join("landmarks.trc").exists(),
        "a's annotated video and landmarks are gone with its analysis: {:?}",
        all_files(&folder)
    );
    let reps: serde_json::Value =
        serde_json::from_slice(&std::fs::read(folder.join("reps.json")).unwrap()).unwrap();
    assert!(
        reps["video"]["path"].as_str().unwrap().ends_with("b/x.mp4"),
        "{}",
        reps["video"]
    );
    // The same video again: resumed, nothing said about a replacement.
    let third = analyze_into(&b, &out_dir, &["--no-video"]);
    assert!(third.status.success());
    assert!(!stderr(&third).contains("replaced"), "{}", stderr(&third));
}

fn pair_of(front: &Path, side: &Path, out_dir: &Path) -> Output {
    formcheck()
        .args([
            "analyze",
            "--exercise",
            "squat",
            "--no-history",
            "--no-video",
        ])
        .arg("--front-view")
        .arg(front)
        .arg("--side-view")
        .arg(side)
        .arg("--out")
        .arg(out_dir)
        .output()
        .unwrap()
}

/// A second camera started late or stopped early films a stretch of the other's set: it is lined
/// up where it is, not a rep along (the sample is 13 s at 5 FPS: a frame is 0.2 s).
#[test]
fn a_clip_cut_from_the_other_cameras_clip_is_lined_up_at_its_true_offset() {
    let dir = tempfile::tempdir().unwrap();
    let front = copy_sample(dir.path(), "front.mp4");
    for (name, start_s, truth_s) in [("prefix", 0.0, 0.0), ("middle", 3.0, -3.0)] {
        let side = dir.path().join(format!("{name}.mp4"));
        let cut = ffmpeg(&[
            "-ss",
            &start_s.to_string(),
            "-i",
            front.to_str().unwrap(),
            "-t",
            "6",
            "-c:v",
            "libx264",
            "-an",
            side.to_str().unwrap(),
        ]);
        if !cut {
            return;
        }
        let out_dir = dir.path().join(format!("out_{name}"));
        let out = pair_of(&front, &side, &out_dir);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let doc: serde_json::Value = serde_json::from_slice(
            &std::fs::read(out_dir.join(format!("front+{name}/pair.json"))).unwrap(),
        )
        .unwrap();
        let offset = doc["sync"]["offset_s"].as_f64().unwrap();
        assert!(
            (offset - truth_s).abs() <= 0.2 + 1e-9,
            "{name}: found {offset:+.3} s, truth {truth_s:+.3} s: {}",
            doc["sync"]
        );
    }
}

#[test]
fn one_video_given_as_both_cameras_is_refused_in_any_spelling() {
    let dir = tempfile::tempdir().unwrap();
    let front = copy_sample(dir.path(), "front.mp4");
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    std::os::unix::fs::symlink(&front, dir.path().join("link.mp4")).unwrap();
    std::fs::hard_link(&front, dir.path().join("hard.mp4")).unwrap();
    std::fs::copy(&front, dir.path().join("copy.mp4")).unwrap();
    for side in [
        "front.mp4",
        "sub/../front.mp4",
        "link.mp4",
        "hard.mp4",
        "copy.mp4",
    ] {
        let out_dir = dir.path().join("out");
        let out = pair_of(&front, &dir.path().join(side), &out_dir);
        assert_refused(
            &out,
            &["--front-view", "--side-view", side, "the same video"],
        );
        assert!(!out_dir.exists(), "{side}: nothing written");
    }
}

/// Runs `script` (sh) with `dir` bind-mounted read-only over itself, in a private mount
/// namespace (`unshare`, as root or through a user namespace); `None` (a skip said) where the
/// machine allows neither.
fn with_read_only_folder(dir: &Path, script: &str) -> Option<Output> {
    let shown = dir.to_str().unwrap();
    let full = format!(
        "mount --bind '{shown}' '{shown}' && mount -o remount,ro,bind '{shown}' '{shown}' && {{ touch '{shown}/probe' 2>/dev/null && exit 99; {script}; }}"
    );
    let out = std::process::Command::new("unshare")
        .args(["-r", "-m", "sh", "-c", &full])
        .output();
    match out {
        Ok(out) if out.status.code() != Some(99) && !stderr(&out).contains("unshare:") => Some(out),
        _ => {
            common::skip::missing("unshare and mount (a read-only bind mount of a folder)");
            None
        }
    }
}

#[test]
fn a_history_on_a_read_only_filesystem_is_listed_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let held = dir.path().join("held");
    std::fs::create_dir(&held).unwrap();
    let db = held.join("h.sqlite");
    record_the_sample(&db, &dir.path().join("out"), 20, "ann");
    let binary = env!("CARGO_BIN_EXE_formcheck");
    let report = dir.path().join("progress.html");
    let script = format!(
        "'{binary}' history --history '{}' && '{binary}' history --history '{}' --report '{}'",
        db.display(),
        db.display(),
        report.display()
    );
    let Some(out) = with_read_only_folder(&held, &script) else {
        return;
    };
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}{}", stderr(&out));
    assert!(text.contains("ann: squat"), "{text}");
    assert!(
        report.is_file(),
        "the report is written outside the read-only folder"
    );
}

#[test]
fn a_person_not_in_the_history_is_refused_naming_the_people_in_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    for person in ["ann", "carl"] {
        let video = copy_sample(dir.path(), &format!("{person}.mp4"));
        let out = formcheck()
            .args([
                "analyze",
                "--exercise",
                "squat",
                "--no-video",
                "--max-frames",
                "10",
            ])
            .arg(&video)
            .arg("--out")
            .arg(dir.path().join(person))
            .arg("--history")
            .arg(&db)
            .args(["--person", person])
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = formcheck()
        .args(["history", "--person", "bob", "--history"])
        .arg(&db)
        .output()
        .unwrap();
    assert_refused(&out, &["--person \"bob\"", "\"ann\", \"carl\""]);
}

#[test]
fn a_corrupt_history_warns_once_and_the_live_workout_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    let mut bytes = b"SQLite format 3\0".to_vec();
    bytes.extend((0..8192u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
    std::fs::write(&db, &bytes).unwrap();
    let log = dir.path().join("session.jsonl");
    let out = formcheck()
        .args(["live", "--exercise", "squat", "--no-window", "--file"])
        .arg(sample())
        .arg("--history")
        .arg(&db)
        .arg("--session")
        .arg(&log)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("WARNING")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].contains("h.sqlite") && warnings[0].contains("goes on without it"),
        "{err}"
    );
    let text = std::fs::read_to_string(&log).unwrap();
    let reps = text
        .lines()
        .filter(|l| l.contains(r#""type":"rep""#))
        .count();
    assert!(reps >= 2, "every rep still logged: {text}");
    assert_eq!(
        std::fs::read(&db).unwrap(),
        bytes,
        "the database is left as it was"
    );
}

#[test]
fn control_characters_in_names_reach_the_terminal_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let video = copy_sample(dir.path(), "clear\u{1b}[2Jme\r.mp4");
    let db = dir.path().join("h.sqlite");
    let person = "ann\u{1b}]0;pwned\u{7}\nbob";
    let out = formcheck()
        .args([
            "analyze",
            "--exercise",
            "squat",
            "--no-video",
            "--max-frames",
            "10",
        ])
        .arg(&video)
        .arg("--out")
        .arg(dir.path().join("out"))
        .arg("--history")
        .arg(&db)
        .args(["--person", person])
        .output()
        .unwrap();
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains('\u{1b}') && !err.contains('\r'), "{err:?}");
    assert!(err.contains("clear\\u{1b}[2Jme\\u{d}.mp4"), "{err:?}");
    let out = formcheck()
        .args(["history", "--history"])
        .arg(&db)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        !text.contains('\u{1b}') && !text.contains('\u{7}'),
        "{text:?}"
    );
    assert!(
        text.contains("ann\\u{1b}]0;pwned\\u{7}\\u{a}bob: squat"),
        "one table line for the name: {text:?}"
    );
}

/// Issue 35, item 10: what a user would expect of the smaller cases.
#[test]
fn a_manifest_saved_with_a_byte_order_mark_reads_its_first_path() {
    let dir = tempfile::tempdir().unwrap();
    copy_sample(dir.path(), "a.mp4");
    let manifest = dir.path().join("list.txt");
    std::fs::write(&manifest, "\u{feff}a.mp4\r\n").unwrap();
    let out = formcheck()
        .args(["analyze", "-e", "squat", "--no-video", "--max-frames", "5"])
        .arg("--from-list")
        .arg(&manifest)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("out/a/.complete").is_file());
}

#[test]
fn an_output_name_near_the_filesystem_limit_is_written() {
    let dir = tempfile::tempdir().unwrap();
    // 250 bytes: the file's own name fits, and its temporary name must too.
    let name = format!("{}.jsonl", "l".repeat(244));
    let landmarks = dir.path().join(&name);
    let out = formcheck()
        .args(["analyze", "--max-frames", "3"])
        .arg(sample())
        .arg("--landmarks")
        .arg(&landmarks)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(landmarks.is_file());
}

#[test]
fn huge_values_and_names_are_quoted_short_in_errors() {
    let out = formcheck()
        .args(["analyze", "-e", "squat", "--threshold"])
        .arg("fppa_max_knee_flexion_deg=-1e308")
        .arg(sample())
        .output()
        .unwrap();
    assert_refused(&out, &["-1e308", "out of range"]);
    assert!(stderr(&out).len() < 300, "{}", stderr(&out));

    let dir = tempfile::tempdir().unwrap();
    let programme = dir.path().join("p.toml");
    let name = "x".repeat(1 << 20);
    std::fs::write(
        &programme,
        format!("[[exercise]]\nname = \"{name}\"\nsides = [\"left\"]\nsets = 1\nreps = 8\nrest_s = 10\n"),
    )
    .unwrap();
    let out = formcheck()
        .args(["programme", "--programme"])
        .arg(&programme)
        .output()
        .unwrap();
    assert_refused(&out, &["unknown exercise", "(1048576 bytes)"]);
    assert!(stderr(&out).len() < 600, "{} bytes", stderr(&out).len());
}

#[test]
fn index_calls_a_damaged_reps_json_damaged_not_a_write_error() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let out = formcheck()
        .args(["analyze", "-e", "squat", "--no-video", "--max-frames", "5"])
        .arg(sample())
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let reps = out_dir.join("tfjs_pose_squats/reps.json");
    let bytes = std::fs::read(&reps).unwrap();
    std::fs::write(&reps, &bytes[..bytes.len() / 2]).unwrap();
    let out = formcheck().arg("index").arg(&out_dir).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).unwrap();
    assert!(
        summary.contains("damaged or cut short") && !summary.contains("cannot write"),
        "{summary}"
    );
}

#[test]
fn live_record_to_a_file_no_encoder_takes_is_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = formcheck()
        .args(["live", "-e", "squat", "--no-window", "--file"])
        .arg(sample())
        .arg("--record")
        .arg(dir.path().join("x.txt"))
        .output()
        .unwrap();
    assert_refused(&out, &["--record", "x.txt", "try .mp4"]);
}

#[test]
fn a_clip_of_ten_frames_over_ten_hours_gets_its_annotated_video() {
    let dir = tempfile::tempdir().unwrap();
    let slow = dir.path().join("slow.mp4");
    let sample = sample();
    let made = ffmpeg(&[
        "-i",
        sample.to_str().unwrap(),
        "-frames:v",
        "10",
        "-vf",
        "setpts=N*3600/TB",
        "-r",
        "1/3600",
        "-c:v",
        "libx264",
        "-an",
        slow.to_str().unwrap(),
    ]);
    if !made {
        return;
    }
    let out = formcheck()
        .args(["analyze", "-e", "squat", "--no-history"])
        .arg(&slow)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(dir.path().join("out/slow/annotated.mp4").is_file());
}

#[test]
fn a_landmark_file_without_line_breaks_is_refused_after_a_bounded_read_naming_its_flag() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.jsonl");
    std::fs::write(&big, vec![b'x'; 3 << 20]).unwrap();
    let front = copy_sample(dir.path(), "front.mp4");
    let out = formcheck()
        .args([
            "analyze",
            "-e",
            "squat",
            "--no-video",
            "--quiet",
            "--front-view",
        ])
        .arg(&front)
        .arg("--side-view")
        .arg(&big)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_refused(&out, &["--side-view", "big.jsonl", "longer than 1 MiB"]);
}

#[test]
fn no_output_replaces_the_history_databases_sqlite_companions() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    record_the_sample(&db, &dir.path().join("out"), 5, "me");
    let before = std::fs::read(&db).unwrap();
    for suffix in ["-wal", "-shm", "-journal"] {
        let companion = dir.path().join(format!("h.sqlite{suffix}"));
        let out = formcheck()
            .args(["history", "--history"])
            .arg(&db)
            .arg("--report")
            .arg(&companion)
            .output()
            .unwrap();
        assert_refused(&out, &["--report", &format!("--history's {suffix} file")]);
        assert!(!companion.exists(), "{suffix}: nothing written");
    }
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn no_pair_or_index_file_replaces_the_history() {
    let dir = tempfile::tempdir().unwrap();
    let front = copy_sample(dir.path(), "front.mp4");
    let side = dir.path().join("side.mp4");
    if !another_video(&side) {
        return;
    }
    let out_dir = dir.path().join("out");
    for (history, file) in [
        (out_dir.join("front+side/pair.json"), "pair.json"),
        (out_dir.join("front+side/pair.html"), "pair.html"),
        (out_dir.join("summary.csv"), "summary.csv"),
        (out_dir.join("index.html"), "index.html"),
    ] {
        let out = formcheck()
            .args(["analyze", "-e", "squat", "--no-video", "--front-view"])
            .arg(&front)
            .arg("--side-view")
            .arg(&side)
            .arg("--out")
            .arg(&out_dir)
            .arg("--history")
            .arg(&history)
            .output()
            .unwrap();
        assert_refused(&out, &[file, "--history"]);
        assert!(!out_dir.exists(), "{file}: nothing written");
    }
}

#[test]
fn triangulate_names_the_flag_of_a_file_it_cannot_read() {
    let calibration = common::repo().join("tests/fixtures/pose2sim_calibration/Calib.toml");
    let out = formcheck()
        .args(["triangulate", "--calibration", "/dev/zero"])
        .args(["--view", "cam_1=a.jsonl", "--view", "cam_2=b.jsonl"])
        .output()
        .unwrap();
    assert_refused(&out, &["--calibration /dev/zero", "not a regular file"]);
    let out = formcheck()
        .arg("triangulate")
        .arg("--calibration")
        .arg(&calibration)
        .args(["--view", "cam01=/dev/zero", "--view", "cam02=/dev/null"])
        .output()
        .unwrap();
    assert_refused(&out, &["--view cam01", "/dev/zero", "not a regular file"]);
}

/// The issue 35 review's second round: a device, a link to the database, the batch's own files,
/// triangulate's outputs, live's two cameras, a damaged folder, two pairs in one folder.
#[test]
fn no_output_replaces_a_device_or_the_databases_companion_through_a_link() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("h.sqlite");
    record_the_sample(&db, &dir.path().join("out"), 5, "me");
    let out = formcheck()
        .args(["history", "--report", "/dev/null", "--history"])
        .arg(&db)
        .output()
        .unwrap();
    assert_refused(&out, &["/dev/null", "not a regular file"]);
    use std::os::unix::fs::FileTypeExt;
    let null = std::fs::metadata("/dev/null").unwrap();
    assert!(
        null.file_type().is_char_device(),
        "/dev/null is still a device"
    );
    let link = dir.path().join("link.sqlite");
    std::os::unix::fs::symlink(&db, &link).unwrap();
    let out = formcheck()
        .args(["history", "--history"])
        .arg(&link)
        .arg("--csv")
        .arg(dir.path().join("h.sqlite-wal"))
        .output()
        .unwrap();
    assert_refused(&out, &["--csv", "--history's -wal file"]);
}

#[test]
fn landmarks_and_history_are_checked_against_the_batch_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let analyze = |extra: &[&std::ffi::OsStr]| {
        formcheck()
            .args(["analyze", "-e", "squat", "--no-video", "--max-frames", "5"])
            .arg(sample())
            .arg("--out")
            .arg(&out_dir)
            .args(extra)
            .output()
            .unwrap()
    };
    let index = out_dir.join("index.html");
    let out = analyze(&[
        "--landmarks".as_ref(),
        index.as_os_str(),
        "--no-history".as_ref(),
    ]);
    assert_refused(&out, &["--landmarks", "index.html"]);
    let folder = out_dir.join("tfjs_pose_squats");
    let out = analyze(&["--history".as_ref(), folder.as_os_str()]);
    assert_refused(&out, &["--history", "output folder"]);
    assert!(!out_dir.exists(), "nothing written");
}

#[test]
fn triangulate_refuses_an_output_over_an_input_and_one_file_as_two_cameras() {
    let dir = tempfile::tempdir().unwrap();
    let calibration = common::repo().join("tests/fixtures/pose2sim_calibration/Calib.toml");
    let view = dir.path().join("c1.jsonl");
    std::fs::write(&view, b"{}\n").unwrap();
    let link = dir.path().join("c2.jsonl");
    std::os::unix::fs::symlink(&view, &link).unwrap();
    let run = |args: &[&std::ffi::OsStr]| {
        formcheck()
            .arg("triangulate")
            .arg("--calibration")
            .arg(&calibration)
            .args(args)
            .output()
            .unwrap()
    };
    let v1 = format!("cam01={}", view.display());
    let v2 = format!("cam02={}", link.display());
    let out = run(&[
        "--view".as_ref(),
        v1.as_ref(),
        "--view".as_ref(),
        v2.as_ref(),
    ]);
    assert_refused(&out, &["--view", "cam02 and cam01 are one file"]);
    let other = dir.path().join("c3.jsonl");
    std::fs::write(&other, b"{}\n").unwrap();
    let v2 = format!("cam02={}", other.display());
    let views = [
        "--view".as_ref(),
        v1.as_ref(),
        "--view".as_ref(),
        v2.as_ref(),
    ];
    let out = run(&[&views[..], &["--csv".as_ref(), view.as_os_str()]].concat());
    assert_refused(&out, &["--csv", "is the input"]);
    let t = dir.path().join("t.csv");
    let respelled = dir.path().join("./t.csv");
    let outputs = [
        "--csv".as_ref(),
        t.as_os_str(),
        "--json".as_ref(),
        respelled.as_os_str(),
    ];
    let out = run(&[&views[..], &outputs[..]].concat());
    assert_refused(&out, &["--json", "--csv"]);
    assert_eq!(std::fs::read(&view).unwrap(), b"{}\n");
}

#[test]
fn live_refuses_one_file_as_both_cameras() {
    let dir = tempfile::tempdir().unwrap();
    let front = copy_sample(dir.path(), "v.mp4");
    let link = dir.path().join("link.mp4");
    std::os::unix::fs::symlink(&front, &link).unwrap();
    let out = formcheck()
        .args([
            "live",
            "-e",
            "squat",
            "--no-window",
            "--no-history",
            "--front-view",
        ])
        .arg(&front)
        .arg("--side-view")
        .arg(&link)
        .output()
        .unwrap();
    assert_refused(&out, &["--side-view", "link.mp4", "the --front-view video"]);
}

#[test]
fn a_folder_whose_reps_json_was_damaged_is_neither_done_nor_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let video = copy_sample(dir.path(), "v.mp4");
    let out_dir = dir.path().join("out");
    let analyze = || {
        formcheck()
            .args([
                "analyze",
                "-e",
                "squat",
                "--no-video",
                "--max-frames",
                "5",
                "--no-history",
            ])
            .arg(&video)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap()
    };
    assert!(analyze().status.success());
    let reps = out_dir.join("v/reps.json");
    let bytes = std::fs::read(&reps).unwrap();
    std::fs::write(&reps, &bytes[..100]).unwrap();
    let manifest = dir.path().join("m.txt");
    std::fs::write(&manifest, "v.mp4\n").unwrap();
    let check = formcheck()
        .arg("index")
        .arg(&out_dir)
        .arg("--check")
        .arg(&manifest)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&check.stdout).into_owned();
    assert_eq!(check.status.code(), Some(1), "{text}");
    assert!(text.contains("1 videos, 0 done, 1 failed"), "{text}");
    // A rerun redoes it rather than calling it complete.
    let again = analyze();
    assert!(again.status.success());
    assert!(
        !stderr(&again).contains("v.mp4: already complete"),
        "{}",
        stderr(&again)
    );
    assert_eq!(std::fs::read(&reps).unwrap().len(), bytes.len());
}

#[test]
fn two_pairs_that_would_write_one_folder_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("pairs.tsv");
    std::fs::write(&manifest, "a+b.mp4\tc.mp4\na.mp4\tb+c.mp4\n").unwrap();
    let out = formcheck()
        .args(["analyze", "-e", "squat", "--pairs"])
        .arg(&manifest)
        .arg("--out")
        .arg(dir.path().join("out"))
        .output()
        .unwrap();
    assert_refused(&out, &["--pairs", "would both write", "a+b+c"]);
}

#[test]
fn argument_errors_are_escaped_and_a_closed_pipe_ends_quietly() {
    let out = formcheck()
        .args(["history", "evil\u{1b}[2J\u{1b}]0;pwned\u{7}\r.mp4"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        !err.contains('\u{1b}') && !err.contains('\u{7}') && !err.contains('\r'),
        "{err:?}"
    );
    // `formcheck exercises | true`: the reader is gone before the first line.
    let run = std::process::Command::new("bash")
        .args(["-c", r#""$0" exercises | true; echo "${PIPESTATUS[0]}""#])
        .arg(env!("CARGO_BIN_EXE_formcheck"))
        .output()
        .unwrap();
    let code = String::from_utf8_lossy(&run.stdout).trim().to_string();
    assert!(
        code == "0" || code == "141",
        "exit {code}: {}",
        stderr(&run)
    );
    assert!(!stderr(&run).contains("panicked"), "{}", stderr(&run));
}

#[test]
fn a_read_only_history_whose_write_ahead_log_cannot_be_read_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let held = dir.path().join("held");
    std::fs::create_dir(&held).unwrap();
    let db = held.join("h.sqlite");
    record_the_sample(&db, &dir.path().join("out"), 5, "ann");
    // A commit left in the write-ahead log (no checkpoint), without its shared-memory index.
    {
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.pragma_update(None, "wal_autocheckpoint", 0).unwrap();
        conn.execute("UPDATE session SET person = 'bob'", [])
            .unwrap();
        let wal = held.join("h.sqlite-wal");
        std::fs::copy(&wal, dir.path().join("kept-wal")).unwrap();
        drop(conn);
        std::fs::copy(dir.path().join("kept-wal"), &wal).unwrap();
        let _ = std::fs::remove_file(held.join("h.sqlite-shm"));
    }
    let script = format!(
        "'{}' history --history '{}'",
        env!("CARGO_BIN_EXE_formcheck"),
        db.display()
    );
    let Some(out) = with_read_only_folder(&held, &script) else {
        return;
    };
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("write-ahead log") && stderr(&out).contains("may be missing"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn index_with_a_manifest_it_cannot_read_leaves_the_index_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let run = formcheck()
        .args([
            "analyze",
            "-e",
            "squat",
            "--no-video",
            "--max-frames",
            "5",
            "--no-history",
        ])
        .arg(sample())
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
    let index = out_dir.join("index.html");
    std::fs::write(&index, b"kept").unwrap();
    let out = formcheck()
        .arg("index")
        .arg(&out_dir)
        .args(["--check", "/dev/zero"])
        .output()
        .unwrap();
    assert_refused(&out, &["--check", "/dev/zero"]);
    assert_eq!(std::fs::read(&index).unwrap(), b"kept");
}

/// The sample's first `frames` frames analysed into `out`, recorded in the history `db` for
/// `person`; the run must succeed.
fn record_the_sample(db: &Path, out: &Path, frames: u32, person: &str) {
    let run = formcheck()
        .args(["analyze", "-e", "squat", "--no-video", "--max-frames"])
        .arg(frames.to_string())
        .arg(sample())
        .arg("--out")
        .arg(out)
        .arg("--history")
        .arg(db)
        .args(["--person", person])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}", stderr(&run));
}
