//! Every output of one video, in one place, fed by the one decode pass: the sinks that take each
//! decoded frame as it comes (the annotated video, the stills of flagged reps), then the files
//! written from the whole result, in the order they are written. A new format is a file of its
//! own and a line in [`FILES`].

use std::path::{Path, PathBuf};

use super::annotated::{AnnotatedExporter, AnnotatedVideo};
use super::csv::CsvExporter;
use super::json::JsonExporter;
use super::jsonl::JsonlExporter;
use super::report::ReportExporter;
use super::stills::{stills_by_pass, StillRing};
use super::trc::TrcExporter;
use super::{ExportError, Exporter, VideoFacts, VideoResult};
use crate::analysis::FrameUpdate;
use crate::exercise::Exercise;
use crate::landmarks::PoseFrame;
use crate::reps::Phase;
use crate::video::VideoFrame;

/// Which optional outputs the run asked for. Serialised whole into the resume marker: a new
/// choice here is part of it without another edit.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct OutputChoice {
    pub annotated_video: bool,
    pub trc: bool,
    pub blur_faces: bool,
    /// The annotated video's longer side at most this (`None`: the source's size).
    pub video_max_side: Option<u32>,
    /// Posed frames kept for the stills ([`super::stills::RING_FRAMES`] unless testing); it
    /// changes how the stills are made, not what they are.
    #[serde(skip)]
    pub still_ring: usize,
}

/// A file written from the whole result.
struct FileOutput {
    exporter: &'static dyn Exporter,
    /// Written even when the video broke part-way: the landmarks are what it still keeps.
    kept_when_broken: bool,
    wanted: fn(&OutputChoice) -> bool,
}

/// The files, in the order they are written.
const FILES: [FileOutput; 5] = [
    FileOutput {
        exporter: &JsonlExporter,
        kept_when_broken: true,
        wanted: |_| true,
    },
    FileOutput {
        exporter: &TrcExporter,
        kept_when_broken: true,
        wanted: |c| c.trc,
    },
    FileOutput {
        exporter: &JsonExporter,
        kept_when_broken: false,
        wanted: |_| true,
    },
    FileOutput {
        exporter: &CsvExporter,
        kept_when_broken: false,
        wanted: |_| true,
    },
    FileOutput {
        exporter: &ReportExporter,
        kept_when_broken: false,
        wanted: |_| true,
    },
];

/// Every file name an analysis may write into a video's folder.
pub fn file_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = FILES.iter().map(|f| f.exporter.file_name()).collect();
    names.push(AnnotatedExporter::default().file_name());
    names
}

/// The files an analysis with `choice` does not write, which an earlier analysis with other
/// settings may have left in the folder.
pub fn unwanted_file_names(choice: &OutputChoice) -> Vec<&'static str> {
    let mut names: Vec<&'static str> = FILES
        .iter()
        .filter(|f| !(f.wanted)(choice))
        .map(|f| f.exporter.file_name())
        .collect();
    if !choice.annotated_video {
        names.push(AnnotatedExporter::default().file_name());
    }
    names
}

/// One video's outputs while its frames go by.
pub struct Outputs {
    dir: PathBuf,
    choice: OutputChoice,
    video: Option<AnnotatedVideo>,
    stills: Option<StillRing>,
    /// The first failure of a sink; the pass goes on without it and the video fails at the end,
    /// once everything else is written.
    failed: Option<ExportError>,
}

impl Outputs {
    pub fn start(
        dir: &Path,
        facts: &VideoFacts,
        exercise: &'static dyn Exercise,
        choice: OutputChoice,
    ) -> Outputs {
        let mut failed = None;
        let video = choice
            .annotated_video
            .then(|| {
                let exporter = AnnotatedExporter {
                    blur_faces: choice.blur_faces,
                    max_side: choice.video_max_side,
                };
                AnnotatedVideo::start(
                    &dir.join(exporter.file_name()),
                    (facts.width, facts.height),
                    // The container's rate; a file that gives none is written at 30.
                    facts.fps.unwrap_or(30.0),
                    exercise,
                    exporter,
                )
                .map_err(|e| failed = Some(e))
                .ok()
            })
            .flatten();
        Outputs {
            dir: dir.to_path_buf(),
            choice,
            video,
            stills: Some(StillRing::new(
                exercise,
                choice.blur_faces,
                choice.still_ring,
                Path::new(&facts.path),
            )),
            failed,
        }
    }

    /// One decoded frame: `posed` is the newest posed frame at or before it, `update` what the
    /// analysis made of this frame when it was posed.
    pub fn frame(
        &mut self,
        frame: VideoFrame,
        posed: Option<&PoseFrame>,
        update: Option<&FrameUpdate>,
    ) {
        if let (Some(ring), Some(update), Some(posed)) = (self.stills.as_mut(), update, posed) {
            // At rest no rep is under way: nothing there can be a rep's worst moment.
            let under_way = update.phase != Phase::Rest || update.completed_rep.is_some();
            let kept = if under_way {
                ring.keep(&frame.image, posed, Some(&update.measures))
            } else {
                Ok(())
            }
            .and_then(|()| match &update.completed_rep {
                Some(rep) => ring.rep_closed(rep),
                None => Ok(()),
            });
            if let Err(e) = kept {
                self.stills = None;
                self.failed.get_or_insert(e);
            }
        }
        if let Some(video) = self.video.as_mut() {
            if let Err(e) = video.frame(frame, posed, update) {
                self.stop_video();
                self.failed.get_or_insert(e);
            }
        }
    }

    /// Stops the annotated video and removes its partial file, for `cause` (the frames could not
    /// be written: a full disk). Returns whether there was a video to stop.
    pub fn drop_video(&mut self, cause: &std::io::Error) -> bool {
        let Some(video) = self.video.take() else {
            return false;
        };
        let dest = video.dest().to_path_buf();
        video.abandon();
        let cause = match cause.raw_os_error() {
            Some(code) => std::io::Error::from_raw_os_error(code),
            None => std::io::Error::new(cause.kind(), cause.to_string()),
        };
        self.failed.get_or_insert(ExportError::io(&dest, cause));
        true
    }

    fn stop_video(&mut self) {
        if let Some(video) = self.video.take() {
            video.abandon();
        }
    }

    /// Stops everything and leaves no partial file (the frames themselves could not be kept).
    pub fn abandon(mut self) {
        self.stop_video();
    }

    /// The files a video that broke part-way still gets (the landmarks); the rest is dropped.
    pub fn write_broken(mut self, result: &VideoResult) -> Result<(), ExportError> {
        self.stop_video();
        self.write_files(result, true)
    }

    /// Every output of a video analysed to its end.
    pub fn finish(mut self, result: &VideoResult) -> Result<(), ExportError> {
        // The landmarks first: they are what an output failing below still leaves.
        self.write_files(result, true)?;
        let stills = match self.stills.take() {
            Some(ring) => {
                let (mut stills, missed) = ring.finish(result.analysis.reps())?;
                stills.extend(stills_by_pass(result, &missed, self.choice.blur_faces)?);
                stills.sort_by_key(|s| s.rep);
                stills
            }
            None => Vec::new(),
        };
        let video = self.video.take().map(AnnotatedVideo::finish);
        let with_stills = VideoResult {
            stills: &stills,
            ..*result
        };
        self.write_files(&with_stills, false)?;
        if let Some(e) = self.failed.take() {
            return Err(e);
        }
        video.unwrap_or(Ok(()))
    }

    fn write_files(&self, result: &VideoResult, kept_when_broken: bool) -> Result<(), ExportError> {
        for file in FILES
            .iter()
            .filter(|f| f.kept_when_broken == kept_when_broken && (f.wanted)(&self.choice))
        {
            file.exporter
                .export(result, &self.dir.join(file.exporter.file_name()))?;
        }
        Ok(())
    }
}
