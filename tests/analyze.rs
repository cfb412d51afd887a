//! `formcheck analyze` end to end, driving the binary: every file on the bundled sample, the JSON
//! against its schema, the report in headless Chromium, bad inputs, resume, Ctrl-C, and (when
//! ../shared/videos is there) a whole batch with --jobs 1 and 2, and killed then resumed.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::{formcheck, sample, shared, tree};

fn run(cmd: &mut Command) -> Output {
    let out = cmd.output().unwrap();
    eprintln!(
        "$ {cmd:?}\nexit {:?}\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

fn analyze(inputs: &[&Path], out: &Path, extra: &[&str]) -> Output {
    let mut cmd = formcheck();
    cmd.arg("analyze").args(inputs).arg("--out").arg(out);
    cmd.args(["--exercise", "squat"]).args(extra);
    run(&mut cmd)
}

/// The sample analysed once with every output (--trc too), shared by the tests that read it.
fn sample_out() -> &'static Path {
    static OUT: OnceLock<PathBuf> = OnceLock::new();
    OUT.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let out = analyze(&[&sample()], &dir, &["--trc"]);
        assert_eq!(out.status.code(), Some(0));
        dir
    })
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Width, height and frame count of a video, as OpenCV decodes it.
fn video_size(path: &Path) -> (i32, i32, u32) {
    use opencv::prelude::*;
    let mut capture = opencv::videoio::VideoCapture::from_file(path.to_str().unwrap(), 0).unwrap();
    let mut frame = opencv::core::Mat::default();
    let (mut size, mut frames) = ((0, 0), 0);
    while capture.read(&mut frame).unwrap() && !frame.empty() {
        size = (frame.cols(), frame.rows());
        frames += 1;
    }
    (size.0, size.1, frames)
}

/// Encoding a phone's 1080×1920 frames at full size cost 15 ms of CPU a frame, half the pose
/// stage's: the annotated video is written with its longer side at most 960 px by default,
/// and at the source's size with `--video-max-side 0`.
#[test]
fn a_phone_sized_video_is_annotated_at_half_size_and_at_full_size_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("phone.mp4");
    let sample = sample();
    if !common::ffmpeg(&[
        "-i",
        sample.to_str().unwrap(),
        "-frames:v",
        "15",
        "-vf",
        "scale=1080:1920",
        "-pix_fmt",
        "yuv420p",
        clip.to_str().unwrap(),
    ]) {
        return;
    }
    for (extra, want) in [
        (&[][..], (540, 960)),
        (&["--video-max-side", "0"][..], (1080, 1920)),
        (&["--video-max-side", "640"][..], (360, 640)),
    ] {
        let out_dir = dir.path().join(format!("out{}", want.0));
        let out = analyze(&[&clip], &out_dir, extra);
        assert_eq!(out.status.code(), Some(0));
        let (w, h, frames) = video_size(&out_dir.join("phone/annotated.mp4"));
        assert_eq!((w, h), want, "{extra:?}");
        assert_eq!(frames, 15, "every frame is written");
    }
}

#[test]
fn sample_end_to_end_writes_every_file() {
    let out = sample_out();
    let video = out.join("tfjs_pose_squats");
    for file in [
        "reps.json",
        "reps.csv",
        "frames.jsonl",
        "annotated.mp4",
        "report.html",
        "landmarks.trc",
        ".complete",
    ] {
        let meta = std::fs::metadata(video.join(file)).unwrap();
        assert!(meta.len() > 0, "{file} is empty");
    }
    for file in ["index.html", "summary.csv"] {
        assert!(out.join(file).is_file(), "{file}");
    }
    // No temporary file left behind.
    for entry in std::fs::read_dir(&video).unwrap() {
        let name = entry.unwrap().file_name().to_string_lossy().into_owned();
        assert!(!name.contains(".tmp"), "{name} left behind");
    }

    let reps = json(&video.join("reps.json"));
    common::assert_matches_schema(&reps, "schemas/reps.schema.json");

    let rep_count: usize = reps["sets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["reps"].as_array().unwrap().len())
        .sum();
    assert_eq!(reps["summary"]["reps"], rep_count);
    assert!(
        rep_count >= 2,
        "the sample has 2 complete squats and a third cut off"
    );
    let mut csv = csv::Reader::from_path(video.join("reps.csv")).unwrap();
    assert_eq!(csv.records().count(), rep_count, "one CSV row a rep");

    let frames = reps["video"]["frames"].as_u64().unwrap();
    assert_eq!(frames, 65);
    let jsonl = std::fs::read_to_string(video.join("frames.jsonl")).unwrap();
    assert_eq!(
        jsonl.lines().count() as u64,
        frames + 1,
        "header + a line a frame"
    );
    let trc = std::fs::read_to_string(video.join("landmarks.trc")).unwrap();
    assert_eq!(trc.lines().count() as u64, frames + 6);

    // The annotated video has every frame, and the overlay is drawn on them.
    use opencv::prelude::*;
    let mut annotated =
        opencv::videoio::VideoCapture::from_file(video.join("annotated.mp4").to_str().unwrap(), 0)
            .unwrap();
    let mut original =
        opencv::videoio::VideoCapture::from_file(sample().to_str().unwrap(), 0).unwrap();
    let (mut a, mut o) = (opencv::core::Mat::default(), opencv::core::Mat::default());
    let mut count = 0;
    let mut differing = 0;
    while annotated.read(&mut a).unwrap() && !a.empty() {
        // The sample's 720×1280 is written at the default longer side of 960 px.
        assert_eq!((a.cols(), a.rows()), (540, 960));
        original.read(&mut o).unwrap();
        let mut shrunk = opencv::core::Mat::default();
        opencv::imgproc::resize(
            &o,
            &mut shrunk,
            a.size().unwrap(),
            0.0,
            0.0,
            opencv::imgproc::INTER_LINEAR,
        )
        .unwrap();
        let mut diff = opencv::core::Mat::default();
        opencv::core::absdiff(&a, &shrunk, &mut diff).unwrap();
        let mean = opencv::core::mean(&diff, &opencv::core::no_array()).unwrap();
        if mean[0] + mean[1] + mean[2] > 3.0 {
            differing += 1;
        }
        count += 1;
    }
    assert_eq!(count, frames);
    assert_eq!(differing, frames, "every frame carries the overlay");

    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    assert_eq!(summary.lines().count(), 2);
    assert!(summary.contains("tfjs_pose_squats,"));
    assert!(summary.contains(",done,"));
}

#[test]
fn report_opens_in_headless_chromium_without_console_errors() {
    let Some(chromium) = common::chromium() else {
        common::skip::missing("chromium is not installed (apt-get install -y chromium)");
        return;
    };
    // A knee/ankle width limit above what the sample's clean squats show makes them flagged,
    // so the page carries stills (real JPEGs from the video) as well as the plots.
    let out = tempfile::tempdir().unwrap();
    let result = analyze(
        &[&sample()],
        out.path(),
        // The sample is turned ~33° from the camera: a looser frontal bound lets FPPA be read,
        // so a plot is drawn.
        &[
            "--threshold",
            "knee_ankle_ratio_min=1.6",
            "--threshold",
            "frontal_max_turn_deg=40",
            "--no-video",
        ],
    );
    assert_eq!(result.status.code(), Some(0));
    let report = out.path().join("tfjs_pose_squats/report.html");
    let html = std::fs::read_to_string(&report).unwrap();
    // Self-contained: nothing is fetched.
    for needle in ["src=\"http", "href=\"http", "<script", "<link"] {
        assert!(!html.contains(needle), "report references {needle}");
    }
    let profile = tempfile::tempdir().unwrap();
    let shot = profile.path().join("report.png");
    let browse = |extra: &[&str]| common::chromium_open(&chromium, profile.path(), &report, extra);
    let dom = browse(&["--dump-dom"]);
    let console = common::console_lines(&dom);
    assert!(console.is_empty(), "console messages: {console:#?}");
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("Exercise feedback, not a diagnosis."));
    assert!(dom.contains("<svg"), "plots rendered");
    assert!(dom.contains("data:image/jpeg;base64,"), "stills inlined");

    let shot_arg = format!("--screenshot={}", shot.display());
    let out = browse(&[&shot_arg, "--window-size=1000,2600"]);
    assert!(out.status.success());
    assert!(
        std::fs::metadata(&shot).unwrap().len() > 10_000,
        "a real screenshot"
    );
    if let Some(keep) = std::env::var_os("FORMCHECK_KEEP_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }
}

#[test]
fn rerun_skips_complete_videos_and_force_redoes_them() {
    let out = tempfile::tempdir().unwrap();
    let args = ["--max-frames", "20", "--no-video"];
    assert_eq!(
        analyze(&[&sample()], out.path(), &args).status.code(),
        Some(0)
    );
    let reps = out.path().join("tfjs_pose_squats/reps.json");
    let first = std::fs::metadata(&reps).unwrap().modified().unwrap();
    let before = tree(out.path());

    std::thread::sleep(Duration::from_millis(1100));
    let again = analyze(&[&sample()], out.path(), &args);
    assert_eq!(again.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("tfjs_pose_squats.mp4: already complete")
    );
    assert_eq!(std::fs::metadata(&reps).unwrap().modified().unwrap(), first);
    assert_eq!(tree(out.path()), before, "a skip changes nothing");

    // Other settings are other outputs: not skipped.
    let other = analyze(
        &[&sample()],
        out.path(),
        &["--max-frames", "25", "--no-video"],
    );
    assert!(
        !String::from_utf8_lossy(&other.stderr).contains("tfjs_pose_squats.mp4: already complete")
    );

    let forced = analyze(
        &[&sample()],
        out.path(),
        &["--max-frames", "25", "--no-video", "--force"],
    );
    assert_eq!(forced.status.code(), Some(0));
    assert!(
        !String::from_utf8_lossy(&forced.stderr).contains("tfjs_pose_squats.mp4: already complete")
    );
    assert!(std::fs::metadata(&reps).unwrap().modified().unwrap() > first);
}

/// Each run overwrote the index with its own videos only, so earlier videos in OUT dropped out
/// of index.html and summary.csv; `formcheck index OUT` rebuilds both from what OUT holds.
#[test]
fn a_second_run_into_the_same_out_keeps_the_first_runs_videos_in_the_index() {
    let out = tempfile::tempdir().unwrap();
    let inputs = tempfile::tempdir().unwrap();
    let second = inputs.path().join("second_clip.mp4");
    std::fs::copy(sample(), &second).unwrap();
    let args = ["--max-frames", "20", "--no-video"];
    assert_eq!(
        analyze(&[&sample()], out.path(), &args).status.code(),
        Some(0)
    );
    assert_eq!(
        analyze(&[&second], out.path(), &args).status.code(),
        Some(0)
    );
    let csv_rows = |dir: &Path| -> Vec<String> {
        std::fs::read_to_string(dir.join("summary.csv"))
            .unwrap()
            .lines()
            .skip(1)
            .map(|l| l.split(',').take(3).collect::<Vec<_>>().join(","))
            .collect()
    };
    let expected = vec![
        format!("second_clip,{},done", second.display()),
        format!("tfjs_pose_squats,{},done", sample().display()),
    ];
    assert_eq!(csv_rows(out.path()), expected);
    let html = std::fs::read_to_string(out.path().join("index.html")).unwrap();
    assert!(
        html.contains("tfjs_pose_squats/report.html") && html.contains("second_clip/report.html")
    );

    // The index rebuilt on its own lists the same videos; an unfinished folder is not one.
    std::fs::remove_file(out.path().join("summary.csv")).unwrap();
    std::fs::remove_file(out.path().join("second_clip/.complete")).unwrap();
    let rebuilt = run(formcheck().arg("index").arg(out.path()));
    assert_eq!(rebuilt.status.code(), Some(0));
    let said = String::from_utf8_lossy(&rebuilt.stdout);
    assert!(
        said.starts_with("1 video listed") && said.contains("1 done, 0 failed"),
        "{said}"
    );
    assert_eq!(csv_rows(out.path()), expected[1..].to_vec());

    let missing = run(formcheck().arg("index").arg(out.path().join("nope")));
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.lines().count() == 1 && err.contains("nope"), "{err}");
}

#[test]
fn a_bad_video_is_reported_and_the_batch_goes_on() {
    let videos = tempfile::tempdir().unwrap();
    std::fs::copy(sample(), videos.path().join("good.mp4")).unwrap();
    std::fs::write(videos.path().join("broken.mp4"), b"this is not a video").unwrap();
    std::fs::write(videos.path().join("empty.mp4"), b"").unwrap();
    let out = tempfile::tempdir().unwrap();
    let result = analyze(
        &[videos.path()],
        out.path(),
        &["--max-frames", "15", "--no-video", "--jobs", "2"],
    );
    assert_eq!(result.status.code(), Some(1), "exit code says some failed");
    let stderr = String::from_utf8_lossy(&result.stderr);
    assert!(stderr.contains("broken.mp4"), "{stderr}");
    assert!(out.path().join("good/.complete").is_file());
    let summary = std::fs::read_to_string(out.path().join("summary.csv")).unwrap();
    let rows: Vec<&str> = summary.lines().skip(1).collect();
    assert_eq!(rows.len(), 3);
    // Input order (name order in the folder), whatever thread finished first.
    assert!(rows[0].starts_with("broken,") && rows[0].contains(",failed,"));
    assert!(
        rows[0].contains("broken.mp4"),
        "the error names the file: {}",
        rows[0]
    );
    assert!(rows[1].starts_with("empty,") && rows[1].contains(",failed,"));
    assert!(rows[2].starts_with("good,") && rows[2].contains(",done,"));
}

#[test]
fn bad_flags_and_missing_inputs_fail_in_one_line() {
    let out = tempfile::tempdir().unwrap();
    let cases: [(&[&str], &str); 3] = [
        (&["--exercise", "nope"], "nope"),
        (&["--jobs", "0"], "--jobs"),
        (
            &["--exercise", "squat", "/no/such/video.mp4"],
            "/no/such/video.mp4",
        ),
    ];
    for (args, needle) in cases {
        let mut cmd = formcheck();
        cmd.arg("analyze").arg("--out").arg(out.path()).args(args);
        if !args.contains(&"/no/such/video.mp4") {
            cmd.arg(sample());
        }
        let result = run(&mut cmd);
        assert_eq!(result.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&result.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
        assert!(stderr.contains(needle), "{stderr}");
    }
}

#[test]
fn landmarks_flag_writes_the_raw_frames() {
    let out = tempfile::tempdir().unwrap();
    let landmarks = out.path().join("raw.jsonl");
    let arg = landmarks.to_str().unwrap();
    let result = analyze(
        &[&sample()],
        out.path(),
        &["--landmarks", arg, "--max-frames", "12", "--no-video"],
    );
    assert_eq!(result.status.code(), Some(0));
    let file = formcheck::landmarks::read_jsonl(&landmarks).unwrap();
    assert_eq!(file.frames.len(), 12);
    assert_eq!((file.width, file.height), (720, 1280));
}

/// Sends a signal (`-INT`, what Ctrl-C sends; `-TERM`, `-HUP`, `-KILL`) to a child.
fn signal(child: &std::process::Child, sig: &str) {
    let status = Command::new("kill")
        .args([sig, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits until `path` exists (or the child ended, or a minute passed).
fn wait_for(path: &Path, child: &mut std::process::Child) -> bool {
    let start = Instant::now();
    while start.elapsed() < Duration::from_secs(300) {
        if path.exists() {
            return true;
        }
        if child.try_wait().unwrap().is_some() {
            return path.exists();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    false
}

#[test]
fn item10_ctrl_c_mid_batch_always_lands_and_keeps_finished_videos() {
    stopped_mid_batch_keeps_finished_videos_and_resumes("-INT", 130);
}

/// SIGTERM is what Slurm sends at a job's time limit, SIGHUP what a closed terminal sends: each
/// ends the batch as Ctrl-C does, with 128 + the signal.
#[test]
fn sigterm_and_sighup_mid_batch_end_it_as_ctrl_c_does() {
    stopped_mid_batch_keeps_finished_videos_and_resumes("-TERM", 143);
    stopped_mid_batch_keeps_finished_videos_and_resumes("-HUP", 129);
}

/// A batch sent `sig` the moment its first video is complete: it exits with `code`, keeps that
/// video, marks the rest interrupted, and a rerun finishes only the rest.
fn stopped_mid_batch_keeps_finished_videos_and_resumes(sig: &str, code: i32) {
    let videos = tempfile::tempdir().unwrap();
    // Four videos after the first, each seconds of work: the signal, sent the moment the first
    // is complete, always finds the batch busy, so the checks below always run.
    for name in ["a.mp4", "b.mp4", "c.mp4", "d.mp4", "e.mp4"] {
        std::fs::copy(sample(), videos.path().join(name)).unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let mut child = formcheck()
        .arg("analyze")
        .arg(videos.path())
        .arg("--out")
        .arg(out.path())
        .args(["--exercise", "squat", "--no-video", "--jobs", "1"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_for(&out.path().join("a/.complete"), &mut child));
    signal(&child, sig);
    let result = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&result.stderr);
    eprintln!("{stderr}");
    assert_eq!(
        result.status.code(),
        Some(code),
        "{sig} mid-batch exits {code}: {stderr}"
    );
    assert!(
        !out.path().join("e/.complete").exists(),
        "the batch stopped"
    );
    assert!(
        out.path().join("a/.complete").is_file(),
        "finished video kept"
    );
    let summary = std::fs::read_to_string(out.path().join("summary.csv")).unwrap();
    assert!(
        summary.contains("a,") && summary.contains(",interrupted,"),
        "{summary}"
    );
    // Resumed: a is not redone, the rest is.
    let again = analyze(&[videos.path()], out.path(), &["--no-video"]);
    assert_eq!(again.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(stderr.contains("a.mp4: already complete"), "{stderr}");
    assert!(out.path().join("e/.complete").is_file());
}

/// All of ../shared/videos: --jobs 1 and --jobs 2 give the same files; a batch killed after its
/// first video, then resumed, redoes nothing and ends with the same files.
#[test]
fn shared_batch_is_identical_across_jobs_and_survives_a_kill() {
    let Some(videos) = shared("videos") else {
        return;
    };
    let one = tempfile::tempdir().unwrap();
    let two = tempfile::tempdir().unwrap();
    let r1 = analyze(&[&videos], one.path(), &["--jobs", "1"]);
    let r2 = analyze(&[&videos], two.path(), &["--jobs", "2"]);
    // Clips without squats still give complete outputs (no reps); none should fail.
    assert_eq!(r1.status.code(), Some(0));
    assert_eq!(r2.status.code(), Some(0));
    let (t1, t2) = (tree(one.path()), tree(two.path()));
    assert!(t1.len() >= 9 * 6, "{} files", t1.len());
    let differing: Vec<_> = t1.keys().filter(|k| t1.get(*k) != t2.get(*k)).collect();
    assert!(
        differing.is_empty(),
        "differ between --jobs 1 and 2: {differing:?}"
    );
    assert_eq!(t1.len(), t2.len());

    // Killed (SIGKILL: no clean-up at all) once the first video is complete.
    let killed = tempfile::tempdir().unwrap();
    let mut child = formcheck()
        .arg("analyze")
        .arg(&videos)
        .arg("--out")
        .arg(killed.path())
        .args(["--exercise", "squat", "--jobs", "1"])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let first = killed.path().join("commons_fitnessscape_squat_rear");
    assert!(wait_for(&first.join(".complete"), &mut child));
    signal(&child, "-KILL");
    let _ = child.wait();
    let first_files = tree(&first);
    let stamps: Vec<_> = std::fs::read_dir(&first)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().modified().unwrap())
        .collect();

    let resumed = analyze(&[&videos], killed.path(), &["--jobs", "1"]);
    assert_eq!(resumed.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&resumed.stderr);
    assert!(
        stderr.contains("commons_fitnessscape_squat_rear.mp4: already complete"),
        "{stderr}"
    );
    let after: Vec<_> = std::fs::read_dir(&first)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().modified().unwrap())
        .collect();
    assert_eq!(stamps, after, "nothing of the first video redone");
    assert_eq!(tree(&first), first_files);
    let resumed_tree = tree(killed.path());
    let differing: Vec<_> = t1
        .keys()
        .chain(resumed_tree.keys())
        .filter(|k| t1.get(*k) != resumed_tree.get(*k))
        .collect();
    assert!(
        differing.is_empty(),
        "nothing lost: the same files as the uninterrupted run, but these differ: {differing:?}"
    );
}
