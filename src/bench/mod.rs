//! `formcheck bench`: speed and memory of the pose pipeline on one clip, measured in one run, and
//! beside MediaPipe's own pipeline (same weights, Python) when given its Python. Timings go to the
//! terminal only; nothing here is a pass/fail test.

pub mod batch;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde::Deserialize;

use crate::config::BenchConfig;
use crate::pose::{ModelKind, PoseError, PoseEstimator, StageTimings};
use crate::stats::{median, percentile};
use crate::video::{Prefetcher, SourceSpec, VideoError, VideoSource};

/// The peer's script, shipped inside the binary so the bench needs nothing but the venv.
const MEDIAPIPE_PEER: &str = include_str!("mediapipe_peer.py");

#[derive(Debug, thiserror::Error)]
pub enum BenchError {
    #[error(transparent)]
    Video(#[from] VideoError),
    #[error(transparent)]
    Pose(#[from] PoseError),
    #[error("{0} has no frames to time")]
    NoFrames(PathBuf),
    #[error("bench --batch: {0}")]
    Batch(String),
    #[error("--mediapipe {python}: {message}")]
    Peer { python: PathBuf, message: String },
}

/// Peak resident memory of this process so far (Linux `VmHWM`), in MiB.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// What the MediaPipe peer prints.
#[derive(Debug, Deserialize)]
struct PeerReport {
    mediapipe: String,
    frames: u64,
    detected: u64,
    fps: Option<f64>,
    median_decode_ms: Option<f64>,
    median_pose_ms: Option<f64>,
    peak_rss_mb: Option<f64>,
}

struct DecodeFigures {
    frames: u64,
    fps: f64,
    median_ms: f64,
    width: u32,
    height: u32,
}

fn time_decode(clip: &Path, rounds: u32) -> Result<DecodeFigures, BenchError> {
    let spec = SourceSpec::File(clip.to_path_buf());
    let mut samples = Vec::new();
    let (mut width, mut height) = (0, 0);
    let mut wall = 0.0;
    for _ in 0..rounds {
        let mut source = VideoSource::open(&spec)?;
        width = source.info().width;
        height = source.info().height;
        loop {
            let start = Instant::now();
            let Some(_frame) = source.read()? else { break };
            let ms = start.elapsed().as_secs_f64() * 1e3;
            wall += ms / 1e3;
            samples.push(ms);
        }
    }
    if samples.is_empty() {
        return Err(BenchError::NoFrames(clip.to_path_buf()));
    }
    Ok(DecodeFigures {
        frames: samples.len() as u64,
        fps: samples.len() as f64 / wall,
        median_ms: median(&samples).unwrap_or(0.0),
        width,
        height,
    })
}

struct PipelineFigures {
    engine: &'static str,
    frames: u64,
    detected: u64,
    fps: f64,
    decode_ms: Vec<f64>,
    total_ms: Vec<f64>,
    preprocess_ms: Vec<f64>,
    detector_ms: Vec<f64>,
    detector_runs: usize,
    landmark_ms: Vec<f64>,
    filter_ms: Vec<f64>,
    camera_motion_ms: Vec<f64>,
}

/// The product's own loop: decoding runs ahead on its thread ([`Prefetcher`]) while the models
/// run on this one. The first frame of each round (model warm-up, graph set-up on the peer's side)
/// is left out of the figures on both sides.
fn time_pipeline(config: &BenchConfig) -> Result<PipelineFigures, BenchError> {
    let spec = SourceSpec::File(config.clips[0].clone());
    let mut estimator = PoseEstimator::new(&config.pose)?;
    let mut decode_ms = Vec::new();
    let mut total_ms = Vec::new();
    let mut detected = 0;
    let mut wall = 0.0;
    let mut stages = StageTimings::default();
    for _ in 0..config.rounds {
        estimator.reset();
        let mut frames = Prefetcher::spawn(VideoSource::open(&spec)?);
        let mut first = true;
        loop {
            let start = Instant::now();
            let Some(frame) = frames.read()? else { break };
            let waited = start.elapsed().as_secs_f64() * 1e3;
            let before = stage_counts(estimator.timings());
            let pose = estimator.process(&frame)?;
            let total = start.elapsed().as_secs_f64();
            if std::mem::take(&mut first) {
                continue;
            }
            append_since(&mut stages, estimator.timings(), before);
            detected += u64::from(pose.detected());
            decode_ms.push(waited);
            total_ms.push(total * 1e3);
            wall += total;
        }
    }
    if total_ms.is_empty() {
        return Err(BenchError::NoFrames(config.clips[0].clone()));
    }
    let t = stages;
    Ok(PipelineFigures {
        engine: estimator.engine_name(),
        frames: total_ms.len() as u64,
        detected,
        fps: total_ms.len() as f64 / wall,
        decode_ms,
        total_ms,
        detector_runs: t.detector_ms.len(),
        preprocess_ms: t.preprocess_ms,
        detector_ms: t.detector_ms,
        landmark_ms: t.landmark_ms,
        filter_ms: t.filter_ms,
        camera_motion_ms: t.camera_motion_ms,
    })
}

fn stage_counts(t: &StageTimings) -> [usize; 5] {
    [
        t.preprocess_ms.len(),
        t.detector_ms.len(),
        t.landmark_ms.len(),
        t.filter_ms.len(),
        t.camera_motion_ms.len(),
    ]
}

/// Appends to `into` the samples `from` gained since it held `before` of each.
fn append_since(into: &mut StageTimings, from: &StageTimings, before: [usize; 5]) {
    let pairs = [
        (&mut into.preprocess_ms, &from.preprocess_ms),
        (&mut into.detector_ms, &from.detector_ms),
        (&mut into.landmark_ms, &from.landmark_ms),
        (&mut into.filter_ms, &from.filter_ms),
        (&mut into.camera_motion_ms, &from.camera_motion_ms),
    ];
    for ((to, from), start) in pairs.into_iter().zip(before) {
        to.extend_from_slice(from.get(start..).unwrap_or_default());
    }
}

fn run_peer(
    python: &Path,
    clip: &Path,
    model: ModelKind,
    rounds: u32,
) -> Result<PeerReport, BenchError> {
    let peer_err = |message: String| BenchError::Peer {
        python: python.to_path_buf(),
        message,
    };
    let complexity = match model {
        ModelKind::Lite => 0,
        ModelKind::Full => 1,
        ModelKind::Heavy => 2,
    };
    let mut script = tempfile::Builder::new()
        .prefix("formcheck-mediapipe-peer")
        .suffix(".py")
        .tempfile()
        .map_err(|e| peer_err(format!("cannot write the peer script: {e}")))?;
    script
        .write_all(MEDIAPIPE_PEER.as_bytes())
        .map_err(|e| peer_err(format!("cannot write the peer script: {e}")))?;
    let output = Command::new(python)
        .arg(script.path())
        .arg(clip)
        .arg(complexity.to_string())
        .arg(rounds.to_string())
        .output()
        .map_err(|e| peer_err(format!("cannot run it: {e}")))?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .unwrap_or("no message");
        return Err(peer_err(format!("MediaPipe's pipeline failed: {last}")));
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .rev()
        .find(|l| l.starts_with('{'))
        .unwrap_or("");
    serde_json::from_str(line).map_err(|e| peer_err(format!("unreadable peer output ({e})")))
}

fn fmt_ms(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_string(), |v| format!("{v:.2} ms"))
}

/// Runs the bench and prints its table. MediaPipe runs after formcheck, in the same invocation,
/// so both see the same machine state as nearly as a shared machine allows.
pub fn run(config: &BenchConfig) -> Result<(), BenchError> {
    if config.batch {
        return batch::run(config);
    }
    let clip = &config.clips[0];
    let model = config.pose.model;
    println!(
        "formcheck bench — {} ({} model, {} inference thread{}, {} round{})",
        clip.display(),
        model.name(),
        config.pose.threads,
        if config.pose.threads == 1 { "" } else { "s" },
        config.rounds,
        if config.rounds == 1 { "" } else { "s" },
    );
    let decode = time_decode(clip, config.rounds)?;
    println!(
        "  clip: {}×{}, {} frames a round",
        decode.width,
        decode.height,
        decode.frames / u64::from(config.rounds)
    );
    println!(
        "  decode only:   {:>7.1} FPS   (median {:.2} ms a frame)",
        decode.fps, decode.median_ms
    );
    let p = time_pipeline(config)?;
    println!(
        "  end to end:    {:>7.1} FPS   (median {:.2} ms a frame; pose found on {}/{} frames)",
        p.fps,
        median(&p.total_ms).unwrap_or(0.0),
        p.detected,
        p.frames
    );
    println!("  inference on:  {}", p.engine);
    println!("  per stage, median:");
    println!(
        "    decode       {}   (waiting for the decode thread)",
        fmt_ms(median(&p.decode_ms))
    );
    println!("    preprocess   {}", fmt_ms(median(&p.preprocess_ms)));
    println!(
        "    detector     {}   (ran on {} of {} frames; tracking skips it)",
        fmt_ms(median(&p.detector_ms)),
        p.detector_runs,
        p.frames
    );
    println!("    landmark     {}", fmt_ms(median(&p.landmark_ms)));
    println!("    filter       {}", fmt_ms(median(&p.filter_ms)));
    println!(
        "    camera       {}   (how far a handheld picture moved)",
        fmt_ms(median(&p.camera_motion_ms))
    );
    println!(
        "  p95 end to end: {}",
        fmt_ms(percentile(&p.total_ms, 95.0))
    );
    if let Some(rss) = peak_rss_mib() {
        println!("  peak RSS: {rss:.0} MiB");
    }
    if let Some(python) = &config.mediapipe {
        let peer = run_peer(python, clip, model, config.rounds)?;
        println!(
            "MediaPipe {} (Python, same weights, same clip, decode + pose.process):",
            peer.mediapipe
        );
        println!(
            "  end to end:    {:>7.1} FPS   (median pose {}, decode {}; pose found on {}/{} frames)",
            peer.fps.unwrap_or(0.0),
            fmt_ms(peer.median_pose_ms),
            fmt_ms(peer.median_decode_ms),
            peer.detected,
            peer.frames
        );
        if let Some(rss) = peer.peak_rss_mb {
            println!("  peak RSS: {rss:.0} MiB");
        }
        if let Some(peer_fps) = peer.fps.filter(|f| *f > 0.0) {
            println!(
                "formcheck / MediaPipe end-to-end FPS: {:.2}×",
                p.fps / peer_fps
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peak_rss_is_read_from_proc() {
        let rss = peak_rss_mib().expect("Linux /proc/self/status has VmHWM");
        assert!(rss > 0.0);
    }
}
