//! The Slurm job array users submit (`deploy/slurm/submit`, `formcheck-array.sbatch`), run on a
//! real one-node Slurm cluster started for the test (`tests/support/slurm-cluster`, needing root
//! and `.ci/slurm-packages`, with slurmdbd on a private MariaDB so `sacct` works): its merged output must be the single-machine run's, file for file.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use common::{formcheck, repo, shared, skip, tree};

/// Frames per clip: the test checks the scheduling and the merge, not the analysis again.
const FRAMES_PER_CLIP: &str = "60";
/// Array tasks: more than the node's 2 CPUs, so tasks queue as on a real cluster.
const TASKS: &str = "3";

/// The cluster, stopped (its daemons killed by their PIDs) however the test ends.
struct Cluster {
    dir: PathBuf,
    conf: PathBuf,
}

impl Cluster {
    /// `Err` says why no cluster could start here.
    fn start(dir: &Path) -> Result<Cluster, String> {
        if unsafe { libc::geteuid() } != 0 {
            return Err("the one-node Slurm cluster needs root".into());
        }
        if !Path::new("/usr/sbin/slurmctld").exists() {
            return Err("Slurm is not installed (run .ci/slurm-packages)".into());
        }
        let out = Command::new(repo().join("tests/support/slurm-cluster"))
            .arg("start")
            .arg(dir)
            // sbatch --wait notices the end within 2 s instead of up to 32 s.
            .env("SLURM_CLUSTER_MIN_JOB_AGE", "4")
            .output()
            .map_err(|e| format!("tests/support/slurm-cluster: {e}"))?;
        let cluster = Cluster {
            dir: dir.to_path_buf(),
            conf: dir.join("slurm.conf"),
        };
        if !out.status.success() {
            return Err(format!(
                "the cluster did not start: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        Ok(cluster)
    }

    /// `sacct`'s lines (`JobID|State|ExitCode`, array tasks as `ID_N`) for `jobs`, once it
    /// has `expected` of them: slurmdbd records a job's end a moment after sbatch --wait sees it.
    fn sacct(&self, jobs: &[&str], expected: usize) -> Vec<String> {
        let started = Instant::now();
        loop {
            let out = Command::new("sacct")
                .env("SLURM_CONF", &self.conf)
                .args(["-X", "-n", "-P", "-o", "JobID,State,ExitCode", "-j"])
                .arg(jobs.join(","))
                .output()
                .expect("sacct runs");
            let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
                .lines()
                .map(str::to_string)
                .collect();
            let done = lines
                .iter()
                .filter(|l| !l.contains("|RUNNING|") && !l.contains("|PENDING|"))
                .count();
            if done >= expected || started.elapsed().as_secs() > 20 {
                return lines;
            }
            std::thread::sleep(std::time::Duration::from_millis(200));
        }
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = Command::new(repo().join("tests/support/slurm-cluster"))
            .arg("stop")
            .arg(&self.dir)
            .status();
    }
}

#[test]
fn a_slurm_job_array_then_its_index_job_give_the_single_machine_run() {
    let Some(videos) = shared("videos") else {
        return;
    };
    let work = tempfile::tempdir().unwrap();
    let cluster = match Cluster::start(&work.path().join("cluster")) {
        Ok(cluster) => cluster,
        Err(why) => {
            skip::missing(&why);
            return;
        }
    };
    // A manifest of every shared clip, as a lab would list trials spread over folders.
    let mut clips: Vec<PathBuf> = std::fs::read_dir(&videos)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("mp4" | "mov")))
        .collect();
    clips.sort();
    let manifest = work.path().join("trials.txt");
    let lines: Vec<String> = clips.iter().map(|p| p.display().to_string()).collect();
    std::fs::write(&manifest, lines.join("\n") + "\n").unwrap();

    let single = work.path().join("single");
    let started = Instant::now();
    let out = formcheck()
        .args(["analyze", "--exercise", "squat", "--quiet", "--jobs", "2"])
        .args(["--max-frames", FRAMES_PER_CLIP])
        .arg("--from-list")
        .arg(&manifest)
        .arg("--out")
        .arg(&single)
        .output()
        .unwrap();
    let single_s = started.elapsed().as_secs_f64();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let sharded = work.path().join("sharded");
    let started = Instant::now();
    let out = Command::new(repo().join("deploy/slurm/submit"))
        .arg("--wait")
        .arg(&manifest)
        .arg(&sharded)
        .args(["squat", TASKS])
        .current_dir(work.path())
        .env("SLURM_CONF", &cluster.conf)
        .env("FORMCHECK", env!("CARGO_BIN_EXE_formcheck"))
        .env(
            "FORMCHECK_ANALYZE_ARGS",
            format!("--quiet --max-frames {FRAMES_PER_CLIP}"),
        )
        .env_remove("FORMCHECK_MODELS")
        .output()
        .unwrap();
    let array_s = started.elapsed().as_secs_f64();
    let said = String::from_utf8_lossy(&out.stdout).into_owned();
    let logs = || {
        std::fs::read_dir(work.path().join("slurm-logs"))
            .map(|entries| {
                entries
                    .map(|e| {
                        let path = e.unwrap().path();
                        format!(
                            "{}:\n{}",
                            path.display(),
                            std::fs::read_to_string(&path).unwrap_or_default()
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    };
    assert!(
        out.status.success(),
        "submit --wait: {said}{}\n{}",
        String::from_utf8_lossy(&out.stderr),
        logs()
    );
    let job_id = |label: &str| {
        said.lines()
            .find_map(|l| l.strip_prefix(label))
            .map(|id| id.trim().to_string())
            .unwrap_or_else(|| panic!("no {label} in {said}"))
    };
    let (array_id, index_id) = (job_id("array job: "), job_id("index job: "));

    // The index job, once the array ended, checked every video of the manifest in.
    let index_log =
        std::fs::read_to_string(work.path().join(format!("slurm-logs/index-{index_id}.log")))
            .unwrap();
    let expected = format!("{n} videos, {n} done, 0 failed, 0 missing", n = clips.len());
    assert!(index_log.contains(&expected), "{index_log}");

    // Slurm's own accounting: every array task and the index job completed.
    let tasks: usize = TASKS.parse().unwrap();
    let states = cluster.sacct(&[&array_id, &index_id], tasks + 1);
    eprintln!(
        "sacct: {states:?}; wall time {array_s:.1} s for submit --wait against {single_s:.1} s \
         for one analyze --jobs 2 of the same {} clips",
        clips.len()
    );
    let mut expected: Vec<String> = (0..tasks)
        .map(|t| format!("{array_id}_{t}|COMPLETED|0:0"))
        .collect();
    expected.push(format!("{index_id}|COMPLETED|0:0"));
    let mut got = states.clone();
    got.sort();
    expected.sort();
    assert_eq!(got, expected);

    // Merged, the shards are the single run, file for file.
    let (single, sharded) = (tree(&single), tree(&sharded));
    assert_eq!(
        single.keys().collect::<Vec<_>>(),
        sharded.keys().collect::<Vec<_>>()
    );
    for (file, bytes) in &single {
        assert!(&sharded[file] == bytes, "{} differs", file.display());
    }
    drop(cluster);
    // Stopped by their PIDs: none of the cluster's daemons is left.
    for name in ["slurmctld", "slurmd", "munged"] {
        let pid_file = work.path().join(format!("cluster/{name}.pid"));
        assert!(!pid_file.exists(), "{name} still recorded as running");
    }
}
