//! One video, start to finish: skip it if its outputs are complete; otherwise decode → pose →
//! analysis → every output file → the completeness marker, last. Stops between frames when the
//! batch is interrupted. When the video breaks mid-way, or the batch is interrupted, the frames
//! already computed are still written (frames.jsonl, landmarks.trc); the marker is not, so a
//! rerun redoes the video.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use super::inputs::VideoInput;
use super::marker::{Failure, Marker};
use super::progress::VideoProgress;
use crate::analysis::Analyzer;
use crate::config::AnalyzeConfig;
use crate::history::{History, HistoryError, SessionInfo};
use crate::landmarks::PoseFrame;
use crate::output::frames::FrameStore;
use crate::output::jsonl::LandmarkLog;
use crate::output::registry::Outputs;
use crate::output::{atomic, ExportError, RunSettings, VideoFacts, VideoResult};
use crate::pose::{PoseError, PoseEstimator};
use crate::video::{Ending, FramePicker, Prefetcher, SourceSpec, VideoError, VideoSource};

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Video(#[from] VideoError),
    #[error("{path}: {source}", path = .path.display())]
    Pose { path: PathBuf, source: PoseError },
    #[error(transparent)]
    Export(#[from] ExportError),
    #[error("cannot create output folder {}: {source}", path.display())]
    OutDir {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: no person found in any of its {frames} frames; film the whole body, feet included", path.display())]
    NoPerson { path: PathBuf, frames: usize },
    #[error("interrupted")]
    Interrupted,
}

/// What became of one video.
pub enum Finished {
    /// Analysed now; `frames` were decoded and run through the pose model. `warning` says what
    /// the user must know about the result (the file was cut short).
    Done {
        frames: u64,
        warning: Option<String>,
    },
    /// Its outputs were already complete.
    Skipped,
}

/// Everything one video's analysis needs besides the video.
pub struct Job<'a> {
    pub input: &'a VideoInput,
    pub dir: PathBuf,
    pub config: &'a AnalyzeConfig,
    /// What the outputs are made from; `None` for `--landmarks` alone, which keeps no outputs.
    pub marker: Option<Marker>,
    pub stop: &'a AtomicBool,
    pub progress: VideoProgress,
    /// Where the finished video is recorded, shared by the batch's workers.
    pub history: Option<&'a std::sync::Mutex<History>>,
}

impl Job<'_> {
    pub fn run(
        self,
        pose: &mut PoseEstimator,
        mut analyzer: Analyzer,
        settings: &RunSettings,
    ) -> Result<Finished, PipelineError> {
        // Complete means the marker matches and reps.json still reads (not cut short since).
        if !self.config.force
            && self
                .marker
                .as_ref()
                .is_some_and(|m| m.matches_in(&self.dir))
            && crate::output::index::read_row(&self.dir).status == "done"
        {
            return Ok(Finished::Skipped);
        }
        let replaced = self.earlier_video();
        self.clear_dir()?;
        crate::video::check_one_picture_size(&self.input.path)?;
        let source = VideoSource::open(&SourceSpec::File(self.input.path.clone()))?;
        pose.reset();
        let mut facts = self.facts_of(source.info());
        // Decoding runs a couple of frames ahead on its own thread, hidden behind inference.
        let mut source = Prefetcher::spawn(source);
        // The frames go to disk as they come, so memory stays flat however long the video.
        let frames = FrameStore::spilled(&self.dir).map_err(|e| ExportError::io(&self.dir, e))?;
        // The annotated video and the stills are drawn from the same decoded frames as pose.
        let outputs = Outputs::start(&self.dir, &facts, analyzer.exercise(), self.config.outputs);
        let mut pass = Pass {
            analyzer: Some(&mut analyzer),
            outputs: Some(outputs),
        };
        let (mut frames, decoded, broke) = self.pose_pass(&mut source, pose, &mut pass, frames);
        let mut outputs = pass.outputs.take();
        let broke = broke.or_else(|| self.no_person(&frames));
        if let Some(Ending::Truncated(t)) = source.ending() {
            facts.truncated = Some(t);
        }
        drop(source);
        self.finish_spill(&mut frames, &mut outputs)?;
        facts.frames = decoded.frames;
        facts.duration_s = decoded.last_time_s.unwrap_or(0.0);
        facts.analysed_frames =
            (decoded.frames > frames.len() as u64).then_some(frames.len() as u64);
        let analysis = match facts.truncated {
            Some(_) => analyzer.finish_cut_short(),
            None => analyzer.finish(),
        };
        let result = VideoResult {
            video: &facts,
            settings,
            frames: &frames,
            analysis: &analysis,
            stills: &[],
        };
        self.progress.stage("writing");
        if let Some(outputs) = outputs {
            match broke {
                // What a broken or interrupted video still keeps: its landmarks.
                Some(err) => {
                    outputs.write_broken(&result)?;
                    return Err(err);
                }
                None => outputs.finish(&result)?,
            }
        }
        self.remove_stale_files()?;
        if let Some(marker) = &self.marker {
            marker.write_in(&self.dir)?;
        }
        let replaced = replaced.map(|earlier| {
            format!("replaced the outputs of {earlier}, another video of the same name")
        });
        let warning = join_warnings(facts.truncated.map(|t| t.describe()), replaced);
        Ok(Finished::Done {
            frames: facts.frames,
            warning: self.record_or_warn(&analysis, warning),
        })
    }

    /// The video whose outputs the folder held, when it was another one: a video of the same
    /// name from another folder, analysed into the same OUT.
    fn earlier_video(&self) -> Option<String> {
        let mine = self.marker.as_ref()?.source.as_ref()?;
        if let Some(found) = Marker::read_in(&self.dir) {
            let theirs = found.source?;
            return (!theirs.same_video(mine)).then_some(theirs.path);
        }
        let failure = Failure::read_in(&self.dir)?;
        (failure.absolute? != mine.path).then_some(failure.path)
    }

    /// Files an earlier analysis with other settings wrote and this one does not (its
    /// `--trc` landmarks, its annotated video), so a finished folder holds one analysis only.
    fn remove_stale_files(&self) -> Result<(), PipelineError> {
        for name in crate::output::registry::unwanted_file_names(&self.config.outputs) {
            let path = self.dir.join(name);
            match std::fs::remove_file(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(ExportError::io(&path, e).into())
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The video's folder, made, and emptied of an earlier run's marks (its completion and
    /// failure markers, and temporary files a killed run left).
    fn clear_dir(&self) -> Result<(), PipelineError> {
        std::fs::create_dir_all(&self.dir).map_err(|source| PipelineError::OutDir {
            path: self.dir.clone(),
            source,
        })?;
        Marker::remove_in(&self.dir).map_err(|e| ExportError::io(&self.dir, e))?;
        Failure::remove_in(&self.dir).map_err(|e| ExportError::io(&self.dir, e))?;
        atomic::sweep_temp_files(&self.dir);
        Ok(())
    }

    /// The facts known before the first frame; the counts are filled in after the pass.
    fn facts_of(&self, info: &crate::video::VideoInfo) -> VideoFacts {
        let expected = match (info.frame_count, self.config.max_frames) {
            (Some(count), Some(max)) => Some(count.min(max)),
            (count, max) => count.or(max),
        };
        self.progress.set_total(expected);
        VideoFacts {
            name: self.input.name.clone(),
            path: self.input.path.display().to_string(),
            width: info.width,
            height: info.height,
            fps: info.fps,
            frames: 0,
            analysed_frames: None,
            duration_s: 0.0,
            rotation_deg: info.rotation_deg,
            truncated: None,
        }
    }

    /// The spilled frames' last writes. They can meet the full disk too: as during the pass, the
    /// annotated video's space goes back to them. The spill file is formcheck's own temporary:
    /// its folder is what the user knows.
    fn finish_spill(
        &self,
        frames: &mut FrameStore,
        outputs: &mut Option<Outputs>,
    ) -> Result<(), PipelineError> {
        let Err(e) = frames.finish() else {
            return Ok(());
        };
        let freed = outputs.as_mut().is_some_and(|o| o.drop_video(&e));
        if !freed || frames.finish().is_err() {
            if let Some(outputs) = outputs.take() {
                outputs.abandon();
            }
            return Err(ExportError::io(&self.dir, e).into());
        }
        Ok(())
    }

    /// Records the video in the history. The outputs are complete whatever the history says: a
    /// failure to record joins `warning`, what the user must know about the result.
    fn record_or_warn(
        &self,
        analysis: &crate::analysis::Analysis,
        warning: Option<String>,
    ) -> Option<String> {
        let Err(e) = self.record(analysis) else {
            return warning;
        };
        join_warnings(warning, Some(format!("not recorded in the history: {e}")))
    }

    /// The video and its reps into the history, replacing its earlier record.
    fn record(&self, analysis: &crate::analysis::Analysis) -> Result<(), HistoryError> {
        let Some(history) = self.history else {
            return Ok(());
        };
        let path = &self.input.path;
        let modified = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_secs() as i64);
        let key = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
        let info = SessionInfo {
            person: self.config.history.person.clone(),
            source: path.display().to_string(),
            video_key: Some(key.display().to_string()),
            at_unix_s: modified,
            exercise: analysis.exercise.name().to_string(),
            side: crate::history::side_of(analysis.reps()),
            model: self.config.pose.model.name().to_string(),
            engine: self.config.pose.models.backend.name().to_string(),
        };
        let mut history = history.lock().unwrap_or_else(|e| e.into_inner());
        history.record_video(&info, analysis.reps()).map(|_| ())
    }

    /// `--landmarks` without `--exercise`: pose only, every frame to the landmark log.
    pub fn landmarks_only(self, pose: &mut PoseEstimator) -> Result<u64, PipelineError> {
        crate::video::check_one_picture_size(&self.input.path)?;
        let source = VideoSource::open(&SourceSpec::File(self.input.path.clone()))?;
        pose.reset();
        self.progress.set_total(source.info().frame_count);
        let mut source = Prefetcher::spawn(source);
        let mut pass = Pass {
            analyzer: None,
            outputs: None,
        };
        let (frames, decoded, broke) =
            self.pose_pass(&mut source, pose, &mut pass, FrameStore::counted());
        match broke.or_else(|| self.no_person(&frames)) {
            Some(err) => Err(err),
            None => Ok(decoded.frames),
        }
    }

    /// A video where pose found nobody is reported, not passed off as "no reps".
    fn no_person(&self, frames: &FrameStore) -> Option<PipelineError> {
        (!frames.any_detected()).then(|| PipelineError::NoPerson {
            path: self.input.path.clone(),
            frames: frames.len(),
        })
    }

    /// Decodes every frame and runs pose on those `--analysis-fps` keeps, into `frames`. Returns
    /// the frames posed, how many were decoded and, when the pass stopped early (a broken video,
    /// the pose stage failing, Ctrl-C), why.
    fn pose_pass(
        &self,
        source: &mut Prefetcher,
        pose: &mut PoseEstimator,
        pass: &mut Pass,
        mut frames: FrameStore,
    ) -> (FrameStore, Decoded, Option<PipelineError>) {
        let mut decoded = Decoded::default();
        let mut log = match &self.config.landmarks {
            Some(path) => match LandmarkLog::create(path) {
                Ok(log) => Some(log),
                Err(e) => return (frames, decoded, Some(e.into())),
            },
            None => None,
        };
        let mut picker = FramePicker::new(self.config.analysis_fps);
        // Drawn on the decoded frames pose skips.
        let mut last_posed: Option<PoseFrame> = None;
        self.progress.stage("pose");
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return (frames, decoded, Some(PipelineError::Interrupted));
            }
            if self
                .config
                .max_frames
                .is_some_and(|max| decoded.frames >= max)
            {
                break;
            }
            let frame = match source.read() {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(e) => return (frames, decoded, Some(e.into())),
            };
            decoded.frames += 1;
            decoded.last_time_s = Some(frame.time_s);
            if !picker.keep(frame.time_s) {
                if let Some(outputs) = pass.outputs.as_mut() {
                    outputs.frame(frame, last_posed.as_ref(), None);
                }
                self.progress.frame(decoded.frames);
                continue;
            }
            let posed = match pose.process(&frame) {
                Ok(posed) => posed,
                Err(source) => {
                    let err = PipelineError::Pose {
                        path: self.input.path.clone(),
                        source,
                    };
                    return (frames, decoded, Some(err));
                }
            };
            if let Some(log) = log.as_mut() {
                if let Err(e) = log.push(&posed) {
                    return (frames, decoded, Some(e.into()));
                }
            }
            let update = pass.analyzer.as_mut().map(|a| a.push(&posed));
            if let Err(e) = frames.push(&posed) {
                // A full disk: the annotated video is the big writer. Its space goes back to the
                // frames and the analysis, which go on; the video fails, saying why.
                let freed = pass.outputs.as_mut().is_some_and(|o| o.drop_video(&e));
                if !freed || frames.flush().is_err() {
                    let err = ExportError::io(&self.dir, e);
                    return (frames, decoded, Some(err.into()));
                }
            }
            if let Some(outputs) = pass.outputs.as_mut() {
                outputs.frame(frame, Some(&posed), update.as_ref());
            }
            last_posed = Some(posed);
            self.progress.frame(decoded.frames);
        }
        (frames, decoded, None)
    }
}

fn join_warnings(first: Option<String>, second: Option<String>) -> Option<String> {
    match (first, second) {
        (Some(a), Some(b)) => Some(format!("{a}; {b}")),
        (a, b) => a.or(b),
    }
}

/// What the pose pass feeds besides the frame store: the analysis and the outputs drawn from
/// the decoded frames (neither for `--landmarks` alone).
struct Pass<'a> {
    analyzer: Option<&'a mut Analyzer>,
    outputs: Option<Outputs>,
}

/// What the pose pass decoded, posed or not.
#[derive(Debug, Default, Clone, Copy)]
struct Decoded {
    frames: u64,
    last_time_s: Option<f64>,
}

/// Every file a video's analysis may write into its folder.
pub fn output_files() -> Vec<&'static str> {
    let mut files = crate::output::registry::file_names();
    files.extend([
        super::marker::MARKER_FILE,
        super::marker::FAILED_FILE,
        super::lock::LOCK_FILE,
    ]);
    files
}

/// The folder of one video's outputs.
pub fn video_dir(out: &Path, input: &VideoInput) -> PathBuf {
    out.join(&input.name)
}
