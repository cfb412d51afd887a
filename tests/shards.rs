//! A batch split into shards, as a Slurm job array or a Kubernetes Indexed Job runs it: each
//! shard analyses its part of the videos into one OUT, `formcheck index` merges them, and the
//! result is the single-machine run's, file for file. Workers that overlap never write one video
//! at once, and a worker killed mid-video leaves nothing a rerun or an index trips over.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::{formcheck, sample, shared, tree};

/// Enough frames per clip to give every output (reps, stills, annotated video) something to
/// hold, few enough that the shared clips take seconds, not minutes.
const FRAMES_PER_CLIP: &str = "30";

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// `analyze` as a shard worker sees it: no scheduler variables unless the test sets them.
fn analyze() -> Command {
    let mut cmd = formcheck();
    for var in [
        "SLURM_ARRAY_TASK_ID",
        "SLURM_ARRAY_TASK_MIN",
        "SLURM_ARRAY_TASK_COUNT",
        "SLURM_ARRAY_TASK_STEP",
        "JOB_COMPLETION_INDEX",
    ] {
        cmd.env_remove(var);
    }
    cmd.args(["analyze", "--exercise", "squat", "--quiet"]);
    cmd
}

fn shared_videos() -> Option<PathBuf> {
    // The bundled sample is the same file as the shared tfjs_pose_squats.mp4 (one folder name).
    let videos = shared("videos")?;
    assert_eq!(
        std::fs::read(videos.join("tfjs_pose_squats.mp4")).unwrap(),
        std::fs::read(sample()).unwrap(),
        "samples/ holds the shared clip"
    );
    Some(videos)
}

fn assert_same_trees(single: &Path, merged: &Path) {
    let (single, merged) = (tree(single), tree(merged));
    let names =
        |t: &std::collections::BTreeMap<PathBuf, Vec<u8>>| t.keys().cloned().collect::<Vec<_>>();
    assert_eq!(names(&single), names(&merged), "the same files");
    for (file, bytes) in &single {
        assert!(
            &merged[file] == bytes,
            "{} differs between the single run and the merged shards",
            file.display()
        );
    }
}

#[test]
fn three_shards_then_index_give_exactly_the_files_of_one_run() {
    let Some(videos) = shared_videos() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (single, sharded) = (dir.path().join("single"), dir.path().join("sharded"));
    let out = analyze()
        .args(["--jobs", "2", "--max-frames", FRAMES_PER_CLIP])
        .arg(&videos)
        .arg("--out")
        .arg(&single)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut per_shard = Vec::new();
    for index in 0..3 {
        let out = analyze()
            .args(["--max-frames", FRAMES_PER_CLIP])
            .args(["--shard", &format!("{index}/3")])
            .arg(&videos)
            .arg("--out")
            .arg(&sharded)
            .output()
            .unwrap();
        assert!(out.status.success(), "shard {index}: {}", stderr(&out));
        assert!(
            !sharded.join("index.html").exists() && !sharded.join("summary.csv").exists(),
            "a shard writes no index"
        );
        per_shard.push(
            std::fs::read_dir(&sharded)
                .unwrap()
                .filter(|e| e.as_ref().unwrap().path().join(".complete").is_file())
                .count(),
        );
    }
    // 13 clips dealt round-robin: 5, 4 and 4 (cumulative 5, 9, 13).
    assert_eq!(per_shard, [5, 9, 13], "finished folders after each shard");
    let out = formcheck().arg("index").arg(&sharded).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("13 videos listed") && stdout(&out).contains("13 done, 0 failed"),
        "{}",
        stdout(&out)
    );
    assert_same_trees(&single, &sharded);

    // Another split resumes through the markers: nothing is redone, and nothing changes.
    for index in 0..2 {
        let out = analyze()
            .args(["--max-frames", FRAMES_PER_CLIP])
            .args(["--shard", &format!("{index}/2")])
            .arg(&videos)
            .arg("--out")
            .arg(&sharded)
            .output()
            .unwrap();
        assert!(out.status.success(), "{}", stderr(&out));
    }
    let out = formcheck().arg("index").arg(&sharded).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_same_trees(&single, &sharded);
}

/// Flags, scheduler variables, and what the error line must name.
type BadShard<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a [&'a str]);

#[test]
fn bad_shards_are_one_line_errors_naming_the_flag_and_nothing_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("out");
    let cases: [BadShard; 6] = [
        (&["--shard", "3/2"], &[], &["--shard", "3/2", "0 to 1"]),
        (&["--shard", "0/0"], &[], &["--shard", "0/0", "at least 1"]),
        (
            &["--shard", "auto"],
            &[],
            &["--shard", "SLURM_ARRAY_TASK_ID", "JOB_COMPLETION_INDEX"],
        ),
        (
            &["--shard", "auto"],
            &[("JOB_COMPLETION_INDEX", "2")],
            &["--shard", "--shard-count"],
        ),
        (
            &["--shard", "auto"],
            &[
                ("SLURM_ARRAY_TASK_ID", "5"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
            ],
            &["--shard", "5/4"],
        ),
        (
            &["--shard-count", "3"],
            &[],
            &["--shard-count", "--shard auto"],
        ),
    ];
    for (args, vars, needles) in cases {
        let mut cmd = analyze();
        cmd.args(args).arg(sample()).arg("--out").arg(&out_dir);
        for (name, value) in vars {
            cmd.env(name, value);
        }
        let out = cmd.output().unwrap();
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{args:?} {vars:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        for needle in needles {
            assert!(err.contains(needle), "{args:?}: {needle:?} not in {err}");
        }
        assert!(!out_dir.exists(), "{args:?}: nothing written");
    }
    let missing_list = analyze()
        .arg("--from-list")
        .arg(dir.path().join("nope.txt"))
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    let err = stderr(&missing_list);
    assert_eq!(missing_list.status.code(), Some(2), "{err}");
    assert!(
        err.contains("--from-list") && err.contains("nope.txt"),
        "{err}"
    );
}

#[test]
fn a_manifest_naming_a_missing_file_fails_that_video_and_lists_it_while_the_others_go_on() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("trials")).unwrap();
    std::fs::copy(sample(), dir.path().join("trials/a.mp4")).unwrap();
    std::fs::copy(sample(), dir.path().join("trials/c.mp4")).unwrap();
    let manifest = dir.path().join("trials.txt");
    std::fs::write(&manifest, "trials/a.mp4\ntrials/b.mp4\ntrials/c.mp4\n").unwrap();
    let out_dir = dir.path().join("out");
    let out = analyze()
        .args(["--no-video", "--max-frames", "5"])
        .arg("--from-list")
        .arg(&manifest)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "some failed: {err}");
    assert!(err.contains("b.mp4: FAILED: cannot read"), "{err}");
    assert!(out_dir.join("a/.complete").is_file() && out_dir.join("c/.complete").is_file());
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).unwrap();
    let rows: Vec<&str> = summary.lines().skip(1).collect();
    assert_eq!(rows.len(), 3, "{summary}");
    assert!(
        rows[1].starts_with("b,") && rows[1].contains(",failed,"),
        "{summary}"
    );

    // The merge says the same from OUT alone, and the check gates on it.
    let check = |manifest: &Path| {
        formcheck()
            .arg("index")
            .arg(&out_dir)
            .arg("--check")
            .arg(manifest)
            .output()
            .unwrap()
    };
    let out = check(&manifest);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}{}", stderr(&out));
    assert!(
        text.contains("failed: ") && text.contains("b.mp4: cannot read"),
        "{text}"
    );
    assert!(
        text.contains("3 videos, 2 done, 1 failed, 0 missing"),
        "{text}"
    );
    // A manifest naming a video no run has reached yet: missing.
    std::fs::copy(sample(), dir.path().join("trials/d.mp4")).unwrap();
    let more = dir.path().join("more.txt");
    std::fs::write(&more, "trials/a.mp4\ntrials/d.mp4\n").unwrap();
    let out = check(&more);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("missing: ") && text.contains("d.mp4"),
        "{text}"
    );
    assert!(
        text.contains("2 videos, 1 done, 0 failed, 1 missing"),
        "{text}"
    );
    let done = dir.path().join("done.txt");
    std::fs::write(&done, "# the finished ones\ntrials/a.mp4\ntrials/c.mp4\n").unwrap();
    let out = check(&done);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("2 videos, 2 done, 0 failed, 0 missing"));

    // Once the missing video is there, a rerun analyses it and its failure record goes.
    std::fs::copy(sample(), dir.path().join("trials/b.mp4")).unwrap();
    let out = analyze()
        .args(["--no-video", "--max-frames", "5"])
        .arg("--from-list")
        .arg(&manifest)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!out_dir.join("b/.failed").exists());
    assert_eq!(check(&manifest).status.code(), Some(0));
}

/// Waits until `path` exists (a running worker has got that far), for up to a minute.
fn wait_for(path: &Path, child: &mut std::process::Child) {
    let started = std::time::Instant::now();
    while !path.exists() {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the worker ended before writing {}",
            path.display()
        );
        assert!(
            started.elapsed().as_secs() < 60,
            "{} never appeared",
            path.display()
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[test]
fn a_lock_held_by_a_killed_worker_is_taken_over_and_an_index_meanwhile_lists_finished_videos_only()
{
    let dir = tempfile::tempdir().unwrap();
    let videos = dir.path().join("in");
    std::fs::create_dir(&videos).unwrap();
    std::fs::copy(sample(), videos.join("a.mp4")).unwrap();
    std::fs::copy(sample(), videos.join("b.mp4")).unwrap();
    let out_dir = dir.path().join("out");
    let run = |shard: &str| {
        analyze()
            .args(["--shard", shard])
            .arg(&videos)
            .arg("--out")
            .arg(&out_dir)
            .output()
            .unwrap()
    };
    // Shard 0/2 is a.mp4, finished.
    let out = run("0/2");
    assert!(out.status.success(), "{}", stderr(&out));
    // Shard 1/2 (b.mp4) is killed mid-video, holding b's lock.
    let mut worker = analyze()
        .args(["--shard", "1/2"])
        .arg(&videos)
        .arg("--out")
        .arg(&out_dir)
        .spawn()
        .unwrap();
    wait_for(&out_dir.join("b/.formcheck.lock"), &mut worker);
    // While it writes, the index lists the finished video only.
    let out = formcheck().arg("index").arg(&out_dir).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = std::fs::read_to_string(out_dir.join("summary.csv")).unwrap();
    assert!(
        worker.try_wait().unwrap().is_none(),
        "the worker finished before the test could kill it"
    );
    // SIGKILL, which no process can catch: as an out-of-memory kill or a lost node ends it.
    // SAFETY: kill(2) on our own child's pid.
    assert_eq!(unsafe { libc::kill(worker.id() as i32, libc::SIGKILL) }, 0);
    let status = worker.wait().unwrap();
    assert!(!status.success(), "killed: {status}");
    assert_eq!(summary.lines().count(), 2, "header and a only: {summary}");
    assert!(summary.contains("\na,"), "{summary}");
    assert!(!out_dir.join("b/.complete").exists());
    // The killed worker's lock is taken over: the rerun finishes b.
    let out = run("1/2");
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(out_dir.join("b/.complete").is_file());
    let leftovers: Vec<String> = std::fs::read_dir(out_dir.join("b"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "swept: {leftovers:?}");
    let out = formcheck().arg("index").arg(&out_dir).output().unwrap();
    assert!(stdout(&out).contains("2 videos listed"), "{}", stdout(&out));
}
