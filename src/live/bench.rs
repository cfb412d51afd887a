//! `formcheck bench --live`: the live loop (capture thread, pose, analysis, overlay) fed by a
//! 640×480 camera at 30 FPS made from the clip, measured as a user would feel it: frames shown a
//! second, frame-to-cue latency, frames dropped as stale, and peak memory. The window itself is
//! not opened (a bench may run headless); drawing the overlay is included.

use std::sync::Arc;
use std::time::{Duration, Instant};

use opencv::core::{self, Mat, Rect, Scalar, Size};
use opencv::imgproc;
use opencv::prelude::*;

use crate::analysis::AnalysisError;
use crate::config::BenchConfig;
use crate::exercise;
use crate::pose::PoseEstimator;
use crate::video::{SourceSpec, VideoFrame, VideoSource};

use super::capture::{Backoff, Capture, Feed, FeedRead};
use super::coaching::Coaching;
use super::outputs::Outputs;
use super::{run_loop, Coach, LiveError, Options};
use crate::bench::peak_rss_mib;
use crate::stats::percentile;

/// The camera the bench imitates.
pub const CAMERA_WIDTH: i32 = 640;
pub const CAMERA_HEIGHT: i32 = 480;
pub const CAMERA_FPS: f64 = 30.0;
/// Frames a round at least, so short clips still give steady medians (10 s at 30 FPS).
const MIN_FRAMES_PER_ROUND: u64 = 300;
/// The bundled clip is squats.
const BENCH_EXERCISE: &str = "squat";

#[derive(Debug, Clone)]
pub struct LiveBenchReport {
    pub model: &'static str,
    pub threads: usize,
    pub offered: u64,
    pub processed: u64,
    pub dropped: u64,
    /// Frames processed a second over the run.
    pub fps: f64,
    pub latency_ms_median: f64,
    pub latency_ms_p95: f64,
    /// Time from taking a frame to having drawn its overlay, median.
    pub work_ms_median: f64,
    /// Medians of the parts of that: pose, analysis (set-up, analyser, cues), overlay.
    pub pose_ms_median: f64,
    pub analysis_ms_median: f64,
    pub draw_ms_median: f64,
    /// Frames on which the person detector ran (tracking from the last frame's landmarks skips
    /// it), out of the frames the pose stage saw (the warm-up frame included).
    pub detector_runs: usize,
    pub pose_frames: usize,
    pub peak_rss_mib: Option<f64>,
}

/// Replays frames held in memory at a camera's rate.
struct ReplayFeed {
    frames: Vec<Mat>,
    total: u64,
    next: u64,
    epoch: Option<Instant>,
}

impl Feed for ReplayFeed {
    fn read(&mut self) -> FeedRead {
        if self.next >= self.total || self.frames.is_empty() {
            return FeedRead::Ended;
        }
        let epoch = *self.epoch.get_or_insert_with(Instant::now);
        let time_s = self.next as f64 / CAMERA_FPS;
        let due = epoch + Duration::from_secs_f64(time_s);
        let now = Instant::now();
        if due > now {
            std::thread::sleep(due - now);
        }
        let source = &self.frames[(self.next % self.frames.len() as u64) as usize];
        self.next += 1;
        // A camera hands out a new buffer each frame; so does this.
        match source.try_clone() {
            Ok(image) => FeedRead::Frame { image, time_s },
            Err(e) => FeedRead::Lost(e.message),
        }
    }

    fn reconnect(&mut self) -> Result<(), String> {
        Ok(())
    }

    fn describe(&self) -> String {
        "replayed clip".into()
    }
}

/// Fits a frame into 640×480 with black bars, as a webcam framing the same scene would show it.
fn letterbox(image: &Mat) -> opencv::Result<Mat> {
    let (w, h) = (image.cols().max(1) as f64, image.rows().max(1) as f64);
    let scale = (CAMERA_WIDTH as f64 / w).min(CAMERA_HEIGHT as f64 / h);
    let size = Size::new(
        ((w * scale).round() as i32).clamp(1, CAMERA_WIDTH),
        ((h * scale).round() as i32).clamp(1, CAMERA_HEIGHT),
    );
    let mut scaled = Mat::default();
    imgproc::resize(image, &mut scaled, size, 0.0, 0.0, imgproc::INTER_AREA)?;
    let mut canvas = Mat::new_rows_cols_with_default(
        CAMERA_HEIGHT,
        CAMERA_WIDTH,
        core::CV_8UC3,
        Scalar::all(0.0),
    )?;
    let at = Rect::new(
        (CAMERA_WIDTH - size.width) / 2,
        (CAMERA_HEIGHT - size.height) / 2,
        size.width,
        size.height,
    );
    let mut roi = Mat::roi_mut(&mut canvas, at)?;
    scaled.copy_to(&mut roi)?;
    Ok(canvas)
}

fn source_err(error: crate::video::VideoError) -> LiveError {
    LiveError::Source {
        flag: "bench VIDEO",
        error,
    }
}

/// Runs the live loop on the clip and prints FPS, latency and memory.
pub fn bench_live(config: &BenchConfig) -> Result<LiveBenchReport, LiveError> {
    let spec = SourceSpec::File(config.clips[0].clone());
    let mut source = VideoSource::open(&spec).map_err(source_err)?;
    let mut frames = Vec::new();
    while let Some(frame) = source.read().map_err(source_err)? {
        let boxed = letterbox(&frame.image).map_err(crate::draw::DrawError::from)?;
        frames.push(boxed);
    }
    let exercise = exercise::find(BENCH_EXERCISE).map_err(AnalysisError::from)?;
    let thresholds = crate::judge::Thresholds::default();
    let mut pose = PoseEstimator::new(&config.pose)?;
    // The first inference allocates and tunes; a camera session pays it once, before the person
    // is in place, so it is not part of the figures.
    if let Some(first) = frames.first() {
        let warm = VideoFrame {
            index: 0,
            time_s: 0.0,
            image: first.try_clone().map_err(crate::draw::DrawError::from)?,
        };
        pose.process(&warm)?;
        pose.reset();
    }
    let per_round = (frames.len() as u64).max(MIN_FRAMES_PER_ROUND);
    let offered = per_round * u64::from(config.rounds.max(1));
    let feed = ReplayFeed {
        frames,
        total: offered,
        next: 0,
        epoch: None,
    };
    println!(
        "formcheck bench --live — {} letterboxed to {CAMERA_WIDTH}×{CAMERA_HEIGHT}, played as a \
         {CAMERA_FPS:.0} FPS camera for {offered} frames ({} model, {} inference thread{})",
        config.clips[0].display(),
        config.pose.model.name(),
        config.pose.threads,
        if config.pose.threads == 1 { "" } else { "s" },
    );
    let capture = Capture::start(Box::new(feed), None, Backoff::default());
    let options = Options {
        window: false,
        draw: true,
        quiet: true,
        snapshot_dir: std::env::temp_dir(),
        stop: Arc::new(std::sync::atomic::AtomicUsize::new(0)),
        sources: Vec::new(),
        backoff: Backoff::default(),
    };
    let coach = Coach::new(exercise, None, thresholds);
    let (outcome, _) = run_loop(
        capture,
        &mut pose,
        Coaching::one(coach, None),
        &mut Outputs {
            quiet: true,
            ..Outputs::default()
        },
        None,
        &options,
        None,
    )?;
    let report = LiveBenchReport {
        model: config.pose.model.name(),
        threads: config.pose.threads,
        offered,
        processed: outcome.processed,
        dropped: outcome.capture.dropped,
        fps: outcome.processed as f64 / outcome.duration_s.max(1e-9),
        latency_ms_median: percentile(&outcome.latency_ms, 50.0).unwrap_or(0.0),
        latency_ms_p95: percentile(&outcome.latency_ms, 95.0).unwrap_or(0.0),
        work_ms_median: percentile(&outcome.work_ms, 50.0).unwrap_or(0.0),
        pose_ms_median: percentile(&outcome.pose_ms, 50.0).unwrap_or(0.0),
        analysis_ms_median: percentile(&outcome.analysis_ms, 50.0).unwrap_or(0.0),
        draw_ms_median: percentile(&outcome.draw_ms, 50.0).unwrap_or(0.0),
        detector_runs: pose.timings().detector_ms.len(),
        pose_frames: pose.timings().landmark_ms.len(),
        peak_rss_mib: peak_rss_mib(),
    };
    print_report(&report);
    Ok(report)
}

fn print_report(r: &LiveBenchReport) {
    println!(
        "  shown:       {:>6.1} FPS   ({} of {} camera frames; {} dropped as stale)",
        r.fps, r.processed, r.offered, r.dropped
    );
    println!(
        "  frame-to-cue latency: median {:.1} ms, p95 {:.1} ms   (target < 100 ms)",
        r.latency_ms_median, r.latency_ms_p95
    );
    println!(
        "  work a frame: median {:.1} ms (pose + analysis + overlay; capacity ≈ {:.0} FPS)",
        r.work_ms_median,
        1000.0 / r.work_ms_median.max(1e-6)
    );
    println!(
        "    pose {:.1} ms (detector ran on {} of {} frames), analysis {:.2} ms, overlay {:.2} ms",
        r.pose_ms_median, r.detector_runs, r.pose_frames, r.analysis_ms_median, r.draw_ms_median
    );
    match r.peak_rss_mib {
        Some(rss) => println!("  peak RSS:    {rss:.0} MiB"),
        None => println!("  peak RSS:    unknown (no /proc/self/status)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn letterbox_keeps_the_aspect_and_fills_640_by_480() {
        let portrait =
            Mat::new_rows_cols_with_default(1280, 720, core::CV_8UC3, Scalar::all(200.0)).unwrap();
        let boxed = letterbox(&portrait).unwrap();
        assert_eq!((boxed.cols(), boxed.rows()), (640, 480));
        // 720×1280 scaled to 480 high is 270 wide, centred: bars left and right.
        let px = |x: i32| boxed.at_2d::<core::Vec3b>(240, x).unwrap()[0];
        assert_eq!(px(10), 0);
        assert_eq!(px(320), 200);
        assert_eq!(px(630), 0);
    }
}
