//! `formcheck bench --batch`: what a batch user gets, on the same clips in one run. This binary
//! analyses them in child processes, so that each mode's peak memory is its own: pose only
//! (`analyze CLIP --landmarks`, one clip a process, `--jobs` of them at a time with the threads
//! shared out as `analyze --jobs` shares them) against every output (`analyze CLIPS --exercise
//! squat --jobs N`), for `--jobs` 1 and 2 (as far as the cores go). It prints the FPS of each,
//! their ratio, the decode passes a video (files opened to decode, as the child counts them)
//! and the peak RSS (the largest child's, from the kernel's accounting at its exit). Then each
//! clip alone with every output, for its own peak RSS: memory should not grow with the video.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use serde::Deserialize;

use super::BenchError;
use crate::config::BenchConfig;
use crate::video::{SourceSpec, VideoSource, DEFAULT_ANALYSIS_FPS};

/// The bundled clips are squats; every exercise's outputs cost the same.
const EXERCISE: &str = "squat";

/// One child's run.
#[derive(Debug, Clone, Copy, Default)]
struct ChildRun {
    frames: u64,
    decode_passes: u64,
    /// Peak resident memory, MiB.
    peak_rss_mib: f64,
}

/// One mode over all the clips.
#[derive(Debug, Clone, Copy, Default)]
struct ModeRun {
    frames: u64,
    wall_s: f64,
    decode_passes: u64,
    peak_rss_mib: f64,
}

impl ModeRun {
    fn fps(&self) -> f64 {
        self.frames as f64 / self.wall_s.max(1e-9)
    }
}

#[derive(Deserialize)]
struct Stats {
    frames: u64,
    decode_passes: u64,
}

fn batch_error(message: String) -> BenchError {
    BenchError::Batch(message)
}

/// Runs one child to its end; its peak RSS from `wait4`'s accounting, its frames and decode
/// passes from the stats file it writes.
fn run_child(mut cmd: Command, stats: &Path) -> Result<ChildRun, BenchError> {
    let child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| batch_error(format!("cannot start formcheck analyze: {e}")))?;
    let output = reap(child)?;
    if !output.success {
        return Err(batch_error(format!(
            "formcheck analyze failed: {}",
            output.stderr.lines().last().unwrap_or("no message")
        )));
    }
    let text = std::fs::read_to_string(stats)
        .map_err(|e| batch_error(format!("{}: {e}", stats.display())))?;
    let parsed: Stats = serde_json::from_str(&text)
        .map_err(|e| batch_error(format!("{}: {e}", stats.display())))?;
    Ok(ChildRun {
        frames: parsed.frames,
        decode_passes: parsed.decode_passes,
        peak_rss_mib: output.max_rss_kib as f64 / 1024.0,
    })
}

struct Reaped {
    success: bool,
    stderr: String,
    max_rss_kib: i64,
}

/// Reads the child's stderr to the end, then reaps it with `wait4` for its resource usage (`std`
/// reaps without it).
fn reap(mut child: std::process::Child) -> Result<Reaped, BenchError> {
    let pid = child.id() as libc::pid_t;
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut stderr);
    }
    let mut status: libc::c_int = 0;
    // SAFETY: rusage is plain data; wait4 fills it for the child `pid`, which this process
    // started and has not reaped (dropping a Child neither waits nor kills).
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if reaped != pid {
        return Err(batch_error(format!(
            "waiting for formcheck analyze: {}",
            std::io::Error::last_os_error()
        )));
    }
    Ok(Reaped {
        success: libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        stderr,
        // Linux gives ru_maxrss in KiB.
        max_rss_kib: usage.ru_maxrss,
    })
}

/// The binary with the bench's own model settings, quiet, its history off.
fn formcheck(config: &BenchConfig, threads: usize) -> Result<Command, BenchError> {
    let exe = std::env::current_exe()
        .map_err(|e| batch_error(format!("cannot find this formcheck binary: {e}")))?;
    let mut cmd = Command::new(exe);
    cmd.arg("--quiet")
        .args(["--model", config.pose.model.name()])
        .args(["--engine", config.pose.models.backend.name()])
        .args(["--threads", &threads.to_string()]);
    if let Some(dir) = config.pose.models.detector.parent() {
        cmd.arg("--models").arg(dir);
    }
    Ok(cmd)
}

/// Pose only: each clip in its own `analyze --landmarks` process, `jobs` at a time.
fn pose_only(
    config: &BenchConfig,
    clips: &[PathBuf],
    jobs: usize,
    scratch: &Path,
) -> Result<ModeRun, BenchError> {
    let threads = (config.pose.threads / jobs).max(1);
    let started = Instant::now();
    let mut runs = Vec::new();
    for (batch, chunk) in clips.chunks(jobs).enumerate() {
        let handles: Vec<_> = chunk
            .iter()
            .enumerate()
            .map(|(i, clip)| {
                let stats = scratch.join(format!("pose-{jobs}-{batch}-{i}.json"));
                let mut cmd = formcheck(config, threads)?;
                cmd.arg("analyze")
                    .arg(clip)
                    .arg("--landmarks")
                    .arg(scratch.join(format!("pose-{jobs}-{batch}-{i}.jsonl")))
                    .arg("--no-history")
                    // The frames the analysis poses at its default rate, no more.
                    .args(["--analysis-fps", &DEFAULT_ANALYSIS_FPS.to_string()])
                    .arg("--bench-stats")
                    .arg(&stats);
                Ok(std::thread::spawn(move || run_child(cmd, &stats)))
            })
            .collect::<Result<_, BenchError>>()?;
        for h in handles {
            runs.push(
                h.join()
                    .map_err(|_| batch_error("a bench thread panicked".into()))??,
            );
        }
    }
    Ok(ModeRun {
        frames: runs.iter().map(|r| r.frames).sum(),
        wall_s: started.elapsed().as_secs_f64(),
        decode_passes: runs.iter().map(|r| r.decode_passes).sum(),
        peak_rss_mib: runs.iter().map(|r| r.peak_rss_mib).fold(0.0, f64::max),
    })
}

/// Every output: one `analyze --jobs` over all the clips.
fn all_outputs(
    config: &BenchConfig,
    clips: &[PathBuf],
    jobs: usize,
    scratch: &Path,
) -> Result<ModeRun, BenchError> {
    let stats = scratch.join(format!("all-{jobs}.json"));
    let mut cmd = formcheck(config, config.pose.threads)?;
    cmd.arg("analyze")
        .args(clips)
        .args(["--exercise", EXERCISE, "--force", "--no-history"])
        .args(["--jobs", &jobs.to_string()])
        .arg("--out")
        .arg(scratch.join(format!("out-{jobs}")))
        .arg("--bench-stats")
        .arg(&stats);
    let started = Instant::now();
    let run = run_child(cmd, &stats)?;
    Ok(ModeRun {
        frames: run.frames,
        wall_s: started.elapsed().as_secs_f64(),
        decode_passes: run.decode_passes,
        peak_rss_mib: run.peak_rss_mib,
    })
}

/// Every output for each clip alone, one process a clip: whether memory grows with the video.
fn memory_by_clip(
    config: &BenchConfig,
    clips: &[PathBuf],
    scratch: &Path,
) -> Result<Vec<ChildRun>, BenchError> {
    clips
        .iter()
        .enumerate()
        .map(|(i, clip)| {
            let stats = scratch.join(format!("alone-{i}.json"));
            let mut cmd = formcheck(config, config.pose.threads)?;
            cmd.arg("analyze")
                .arg(clip)
                .args(["--exercise", EXERCISE, "--force", "--no-history"])
                .arg("--out")
                .arg(scratch.join(format!("alone-{i}")))
                .arg("--bench-stats")
                .arg(&stats);
            run_child(cmd, &stats)
        })
        .collect()
}

/// Each clip opened once before anything runs, so that a missing or broken one is named at once
/// rather than minutes in; its length in seconds, from its container (`None` when it gives no
/// count or rate).
fn open_each(clips: &[PathBuf]) -> Result<Vec<Option<f64>>, BenchError> {
    clips
        .iter()
        .map(|clip| {
            let source = VideoSource::open(&SourceSpec::File(clip.clone()))?;
            let info = source.info();
            Ok(info
                .frame_count
                .zip(info.fps.filter(|f| *f > 0.0))
                .map(|(frames, fps)| frames as f64 / fps))
        })
        .collect()
}

pub fn run(config: &BenchConfig) -> Result<(), BenchError> {
    let clips = &config.clips;
    let memory_clips = match config.memory_clips.is_empty() {
        true => clips,
        false => &config.memory_clips,
    };
    open_each(clips)?;
    let memory_lengths = open_each(memory_clips)?;
    let scratch = tempfile::tempdir().map_err(|e| batch_error(format!("scratch folder: {e}")))?;
    println!(
        "formcheck bench --batch — {} clip{} ({} model, {} inference thread{} in all)",
        clips.len(),
        if clips.len() == 1 { "" } else { "s" },
        config.pose.model.name(),
        config.pose.threads,
        if config.pose.threads == 1 { "" } else { "s" },
    );
    println!(
        "  (pose only = analyze CLIP --landmarks, a process a clip; every output = analyze CLIPS \
         --exercise {EXERCISE}: reps.json, reps.csv, frames.jsonl, report.html, annotated.mp4)"
    );
    let videos = clips.len() as f64;
    for jobs in [1, 2].into_iter().filter(|j| *j <= config.pose.threads) {
        let pose = pose_only(config, clips, jobs, scratch.path())?;
        let all = all_outputs(config, clips, jobs, scratch.path())?;
        println!("  --jobs {jobs}:");
        println!(
            "    pose only:     {:>7.1} FPS   {} frames in {:.1} s   decode passes a video {:.1}   peak RSS {:.0} MiB",
            pose.fps(),
            pose.frames,
            pose.wall_s,
            pose.decode_passes as f64 / videos,
            pose.peak_rss_mib
        );
        println!(
            "    every output:  {:>7.1} FPS   {} frames in {:.1} s   decode passes a video {:.1}   peak RSS {:.0} MiB",
            all.fps(),
            all.frames,
            all.wall_s,
            all.decode_passes as f64 / videos,
            all.peak_rss_mib
        );
        println!(
            "    every output at {:.0} % of the pose-only FPS",
            100.0 * all.fps() / pose.fps().max(1e-9)
        );
    }
    let alone = memory_by_clip(config, memory_clips, scratch.path())?;
    println!("  every output, each clip alone (a process a clip): peak RSS");
    for ((clip, run), seconds) in memory_clips.iter().zip(&alone).zip(&memory_lengths) {
        let name = clip
            .file_name()
            .unwrap_or(clip.as_os_str())
            .to_string_lossy();
        let length = seconds.map_or("?".to_string(), |s| format!("{s:.0}"));
        println!(
            "    {name:<40} {length:>6} s  {:>6} frames   peak RSS {:.0} MiB",
            run.frames, run.peak_rss_mib
        );
    }
    let rss = alone.iter().map(|r| r.peak_rss_mib);
    let (low, high) = (
        rss.clone().fold(f64::MAX, f64::min),
        rss.fold(0.0, f64::max),
    );
    if alone.len() > 1 && low > 0.0 {
        println!(
            "    the largest is {:.0} % above the smallest",
            100.0 * (high / low - 1.0)
        );
    }
    Ok(())
}
