//! `annotated.mp4`: the video with the overlay drawn on every decoded frame as the analysis goes,
//! the way live mode shows it: the skeleton, FPPA and knee-over-toe per leg, the reps done in
//! the set, and each cue in a banner from the moment the analysis gives it (a fault seen by the
//! rep's turning point, or at its end) for two seconds of video. The frames are painted during
//! the one decode pass ([`AnnotatedVideo`]) and encoded behind it on a thread of their own; a
//! frame `--analysis-fps` gave no pose shows the posed frame before it. Frames larger than
//! [`VIDEO_MAX_SIDE`] are shrunk before they are painted. `--blur-faces` blurs a box around the
//! face landmarks.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use opencv::core::{Mat, Rect, Size};
use opencv::prelude::*;
use opencv::{imgproc, videoio};

use super::shrink::Shrink;
use super::{ExportError, Exporter, VideoResult};
use crate::analysis::{Analyzer, FrameUpdate};
use crate::cues::{Cue, CueBoard, CueTiming};
use crate::draw::{self, Banner, Overlay, RepCount};
use crate::exercise::Exercise;
use crate::geometry::FrameMeasures;
use crate::judge::Flag;
use crate::landmarks::{LandmarkIndex, Pose, PoseFrame};
use crate::video::{SourceSpec, VideoFrame, VideoSource};

/// The annotated video's longer side at most this many pixels (formcheck rule: 960×540 still
/// shows the knee tens of pixels wide). OpenCV encodes at 1.5 bits a pixel: a 1080×1920 frame
/// cost 15 ms of CPU, half the pose stage, and the cost goes with the pixel count.
pub const VIDEO_MAX_SIDE: u32 = 960;

/// `annotated.mp4` from a finished result: the video decoded again and the analysis replayed
/// over its stored frames, giving the same video the one pass writes (the golden test's way in).
/// Its fields are how the video looks.
#[derive(Debug, Clone, Copy)]
pub struct AnnotatedExporter {
    pub blur_faces: bool,
    /// The longer side at most this (`None`: the source's size).
    pub max_side: Option<u32>,
}

impl Default for AnnotatedExporter {
    fn default() -> Self {
        AnnotatedExporter {
            blur_faces: false,
            max_side: Some(VIDEO_MAX_SIDE),
        }
    }
}

pub(super) fn cv(path: &Path) -> impl Fn(opencv::Error) -> ExportError + '_ {
    move |e| ExportError::format(path, e.message)
}

impl Exporter for AnnotatedExporter {
    fn file_name(&self) -> &'static str {
        "annotated.mp4"
    }

    fn export(&self, result: &VideoResult, dest: &Path) -> Result<(), ExportError> {
        let path = PathBuf::from(&result.video.path);
        let mut source = VideoSource::open(&SourceSpec::File(path.clone()))
            .map_err(|e| ExportError::format(&path, e))?;
        let a = result.analysis;
        let mut analyzer = Analyzer::new(a.exercise, a.side, a.thresholds.clone());
        let mut video = AnnotatedVideo::start(
            dest,
            (result.video.width, result.video.height),
            result.video.frame_rate(),
            a.exercise,
            *self,
        )?;
        let mut held = Held::new(result.frames_in_order(dest)?);
        let mut decoded = 0;
        while decoded < result.video.frames {
            let Some(frame) = source.read().map_err(|e| ExportError::format(&path, e))? else {
                break;
            };
            decoded += 1;
            let posed = held.at(frame.index)?.map(|(_, p)| p);
            // The analysis sees each posed frame once, on its own decoded frame.
            let update = posed
                .filter(|p| p.index == frame.index)
                .map(|p| analyzer.push(p));
            if let Err(e) = video.frame(frame, posed, update.as_ref()) {
                video.abandon();
                return Err(e);
            }
        }
        video.finish()
    }
}

/// The annotated video being written, frame by frame, as the analysis goes.
pub struct AnnotatedVideo {
    dest: PathBuf,
    temp: PathBuf,
    encoder: Option<Encoder>,
    painter: AsItHappens,
    shrink: Shrink,
    written: u64,
}

/// The slowest and fastest rates the annotated video is written at (MPEG-4's time base).
const MIN_VIDEO_FPS: f64 = 1.0;
const MAX_VIDEO_FPS: f64 = 240.0;

impl AnnotatedVideo {
    /// Opens the writer on a temporary file beside `dest`, for frames of `width` × `height`
    /// written as `look` says.
    pub fn start(
        dest: &Path,
        (width, height): (u32, u32),
        fps: f64,
        exercise: &'static dyn Exercise,
        look: AnnotatedExporter,
    ) -> Result<AnnotatedVideo, ExportError> {
        let temp = temp_video_path(dest);
        let shrink = Shrink::to_fit(look.max_side, width as i32, height as i32);
        let size = Size::new(shrink.cols, shrink.rows);
        let fail = |e: opencv::Error| ExportError::format(dest, e.message);
        let fourcc = videoio::VideoWriter::fourcc('m', 'p', '4', 'v').map_err(fail)?;
        // MPEG-4 takes no rate below 1 FPS (10 frames over 10 hours is 0.0003) nor a huge one:
        // such a clip plays at the nearest rate it takes, every frame kept.
        let fps = if fps.is_finite() {
            fps.clamp(MIN_VIDEO_FPS, MAX_VIDEO_FPS)
        } else {
            30.0
        };
        let writer = videoio::VideoWriter::new_with_backend(
            &temp,
            videoio::CAP_FFMPEG,
            fourcc,
            fps,
            size,
            true,
        )
        .map_err(fail)?;
        if !writer.is_opened().map_err(fail)? {
            let _ = std::fs::remove_file(&temp);
            return Err(ExportError::format(
                dest,
                format!(
                    "OpenCV cannot open an MPEG-4 writer for {}×{} at {fps:.2} FPS (is FFmpeg support installed?)",
                    size.width, size.height
                ),
            ));
        }
        Ok(AnnotatedVideo {
            dest: dest.to_path_buf(),
            temp,
            encoder: Some(Encoder::start(writer)),
            painter: AsItHappens::new(exercise, look.blur_faces),
            shrink,
            written: 0,
        })
    }

    /// Paints one decoded frame and queues it for encoding. `posed` is the newest posed frame at
    /// or before it; `update` what the analysis made of this frame, when it was posed.
    pub fn frame(
        &mut self,
        mut frame: VideoFrame,
        posed: Option<&PoseFrame>,
        update: Option<&FrameUpdate>,
    ) -> Result<(), ExportError> {
        let fail = |e| ExportError::format(&self.dest, e);
        let mut pose = posed.and_then(|p| p.pose.as_ref()).map(Cow::Borrowed);
        // Shrunk before painting: the overlay is drawn at the size it is seen.
        if !self.shrink.is_none() {
            let mut small = Mat::default();
            self.shrink
                .apply(&frame.image, &mut small)
                .map_err(|e| fail(e.message))?;
            frame.image = small;
            pose = pose.map(|p| Cow::Owned(self.shrink.pose(&p)));
        }
        self.painter
            .paint(&mut frame, pose.as_deref(), update)
            .map_err(fail)?;
        let queued = self.encoder.as_ref().is_some_and(|e| e.write(frame.image));
        if !queued {
            // The encoder stopped; its error says why.
            return Err(self
                .close()
                .err()
                .unwrap_or_else(|| ExportError::format(&self.dest, "the encoder stopped")));
        }
        self.written += 1;
        Ok(())
    }

    /// The file being written.
    pub fn dest(&self) -> &Path {
        &self.dest
    }

    fn close(&mut self) -> Result<(), ExportError> {
        match self.encoder.take() {
            Some(encoder) => encoder.finish().map_err(cv(&self.dest)),
            None => Ok(()),
        }
    }

    /// Closes the file, reads it back and moves it into place; a video that does not read back
    /// whole is never renamed into place. Errors name the file the user asked for.
    pub fn finish(mut self) -> Result<(), ExportError> {
        let written = self
            .close()
            .and_then(|()| {
                crate::video::check_written(&self.temp, self.written)
                    .map_err(|problem| ExportError::format(&self.dest, problem))
            })
            .and_then(|()| {
                std::fs::rename(&self.temp, &self.dest).map_err(|e| ExportError::io(&self.dest, e))
            });
        if written.is_err() {
            let _ = std::fs::remove_file(&self.temp);
        }
        written
    }

    /// Stops writing and removes the partial file (the pass broke off).
    pub fn abandon(mut self) {
        let _ = self.close();
        let _ = std::fs::remove_file(&self.temp);
    }
}

/// What the overlay shows as the analysis goes, as live mode's coach shows it.
struct AsItHappens {
    exercise: &'static dyn Exercise,
    blur_faces: bool,
    cues: CueBoard,
    /// Video time 0 on the banner's clock.
    clock: Instant,
    set: u32,
    reps_in_set: u32,
    working_leg: Option<draw::Leg>,
    /// The fault behind the banner now, to colour the numbers it concerns.
    alerts: Vec<Flag>,
    measures: Option<FrameMeasures>,
}

impl AsItHappens {
    fn new(exercise: &'static dyn Exercise, blur_faces: bool) -> AsItHappens {
        AsItHappens {
            exercise,
            blur_faces,
            cues: CueBoard::new(CueTiming::default()),
            clock: Instant::now(),
            set: 1,
            reps_in_set: 0,
            working_leg: None,
            alerts: Vec::new(),
            measures: None,
        }
    }

    fn paint(
        &mut self,
        frame: &mut VideoFrame,
        pose: Option<&Pose>,
        update: Option<&FrameUpdate>,
    ) -> Result<(), String> {
        let mut offered = None;
        if let Some(update) = update {
            if update.set != self.set {
                self.set = update.set;
                self.reps_in_set = 0;
            }
            if let Some(rep) = &update.completed_rep {
                if rep.complete {
                    self.reps_in_set += 1;
                }
                self.working_leg = match rep.legs.as_slice() {
                    [leg] => Some(*leg),
                    _ => None,
                };
            }
            if let Some(cue) = &update.cue {
                self.alerts = vec![cue.flag.clone()];
                offered = Some(Cue::fault(cue.text));
            }
            self.measures = Some(update.measures.clone());
        }
        let now = self.clock + Duration::from_secs_f64(frame.time_s.max(0.0));
        let (banner, _) = self.cues.offer(offered, now);
        if !banner.is_some_and(|c| c.kind == draw::CueKind::Fault) {
            self.alerts.clear();
        }
        if self.blur_faces {
            if let Some(pose) = pose {
                blur_face(&mut frame.image, pose).map_err(|e| e.message)?;
            }
        }
        let alerts: Vec<&Flag> = self.alerts.iter().collect();
        let numbers = draw::readouts(self.exercise, self.measures.as_ref(), &alerts);
        let overlay = Overlay {
            pose,
            working_leg: self.working_leg,
            left: numbers.left,
            right: numbers.right,
            body: numbers.body,
            count: Some(RepCount {
                reps: self.reps_in_set,
                set: self.set,
                target: None,
            }),
            banner: banner.map(|c| Banner {
                text: &c.text,
                kind: c.kind,
            }),
            status: None,
            perf: None,
        };
        draw::draw_overlay(&mut frame.image, &overlay).map_err(|e| e.to_string())
    }
}

/// Blurs a box around the face landmarks (nose to ears), padded by half its size: the
/// landmarks sit inside the face, the hair and chin must go too.
pub(super) fn blur_face(image: &mut Mat, pose: &Pose) -> Result<(), opencv::Error> {
    let face = &LandmarkIndex::ALL[..=LandmarkIndex::MouthRight.index()];
    let points: Vec<(f64, f64)> = face
        .iter()
        .filter_map(|&l| pose.get(l))
        .filter(|l| l.x.is_finite() && l.y.is_finite())
        .map(|l| (l.x, l.y))
        .collect();
    if points.len() < 3 {
        return Ok(());
    }
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (x, y) in points {
        x0 = x0.min(x);
        y0 = y0.min(y);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    let size = (x1 - x0).max(y1 - y0).max(8.0);
    let pad = size * 0.6;
    let (w, h) = (image.cols(), image.rows());
    let left = ((x0 - pad).floor() as i32).clamp(0, w);
    let top = ((y0 - pad * 1.2).floor() as i32).clamp(0, h);
    let right = ((x1 + pad).ceil() as i32).clamp(0, w);
    let bottom = ((y1 + pad).ceil() as i32).clamp(0, h);
    if right - left < 2 || bottom - top < 2 {
        return Ok(());
    }
    let rect = Rect::new(left, top, right - left, bottom - top);
    let region = Mat::roi(image, rect)?.try_clone()?;
    let mut blurred = Mat::default();
    // A kernel about a third of the box wipes out features at any face size.
    let k = (((right - left).min(bottom - top) / 3) | 1).max(3);
    imgproc::gaussian_blur(
        &region,
        &mut blurred,
        Size::new(k, k),
        0.0,
        0.0,
        opencv::core::BORDER_DEFAULT,
    )?;
    let mut target = Mat::roi_mut(image, rect)?;
    blurred.copy_to(&mut target)?;
    Ok(())
}

/// The temporary name for the video: FFmpeg picks the container from the extension, so it
/// must end in `.mp4`; the `.tmp.` inside lets a restarted batch sweep it away.
fn temp_video_path(dest: &Path) -> PathBuf {
    let stem = dest
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let suffix = format!(".{}.tmp.mp4", std::process::id());
    let stem = super::atomic::fitted(&stem, suffix.len() + 1);
    dest.with_file_name(format!(".{stem}{suffix}"))
}

/// The analysed frame to draw on each decoded one: the newest at or before it. Under
/// `--analysis-fps` the frames pose skipped carry the overlay of the one before them.
pub(super) struct Held<I: Iterator<Item = Result<PoseFrame, ExportError>>> {
    frames: std::iter::Peekable<std::iter::Enumerate<I>>,
    current: Option<(usize, PoseFrame)>,
}

impl<I: Iterator<Item = Result<PoseFrame, ExportError>>> Held<I> {
    pub(super) fn new(frames: I) -> Self {
        Held {
            frames: frames.enumerate().peekable(),
            current: None,
        }
    }

    /// The analysed frame for decoded frame `index`, with its position among the analysed ones.
    pub(super) fn at(&mut self, index: u64) -> Result<Option<(usize, &PoseFrame)>, ExportError> {
        while let Some((i, next)) = self
            .frames
            .next_if(|(_, f)| f.as_ref().map_or(true, |f| f.index <= index))
        {
            self.current = Some((i, next?));
        }
        Ok(self
            .current
            .as_ref()
            .filter(|(_, f)| f.index <= index)
            .map(|(i, f)| (*i, f)))
    }
}

/// Frames encoded on a thread of their own, from a short queue, in order.
struct Encoder {
    tx: Option<std::sync::mpsc::SyncSender<Mat>>,
    worker: std::thread::JoinHandle<Result<(), opencv::Error>>,
}

/// Painted frames waiting for the encoder (formcheck rule: enough to ride out a slow frame,
/// few enough that memory stays a handful of frames).
const ENCODE_QUEUE: usize = 2;

impl Encoder {
    fn start(mut writer: videoio::VideoWriter) -> Encoder {
        let (tx, rx) = std::sync::mpsc::sync_channel::<Mat>(ENCODE_QUEUE);
        let worker = std::thread::spawn(move || {
            for image in rx {
                writer.write(&image)?;
            }
            writer.release()
        });
        Encoder {
            tx: Some(tx),
            worker,
        }
    }

    /// Queues a frame (waiting while the queue is full); `false` once the encoder has stopped.
    fn write(&self, image: Mat) -> bool {
        self.tx.as_ref().is_some_and(|tx| tx.send(image).is_ok())
    }

    /// Waits for every queued frame to be written and the file closed.
    fn finish(mut self) -> Result<(), opencv::Error> {
        drop(self.tx.take());
        self.worker.join().unwrap_or_else(|_| {
            Err(opencv::Error::new(
                opencv::core::StsError,
                "the encoding thread stopped unexpectedly",
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::judge::Thresholds;
    use opencv::core::{Scalar, CV_8UC3};

    fn frame(index: u64, time_s: f64) -> (VideoFrame, PoseFrame) {
        let image = Mat::new_rows_cols_with_default(240, 320, CV_8UC3, Scalar::all(0.0)).unwrap();
        let posed = PoseFrame {
            camera: Default::default(),
            index,
            time_s,
            image_width: 320,
            image_height: 240,
            pose: None,
        };
        (
            VideoFrame {
                index,
                time_s,
                image,
            },
            posed,
        )
    }

    /// Whether the red fault banner is drawn along the bottom of the frame.
    fn fault_banner(image: &Mat) -> bool {
        let px = image
            .at_2d::<opencv::core::Vec3b>(image.rows() - 2, 2)
            .unwrap();
        px[2] > 180 && px[0] < 100 && px[1] < 100
    }

    #[test]
    fn a_cue_shows_from_its_frame_for_two_seconds_of_video_time_not_wall_time() {
        let exercise = crate::exercise::find("squat").unwrap();
        let ctx = Thresholds::default().measure_context();
        let mut painter = AsItHappens::new(exercise, false);
        let cue = crate::analysis::Cue {
            text: "knees closer than the feet: push them apart",
            flag: Flag::KneesInsideAnkles {
                knee_ankle_ratio: 0.5,
                bound: 0.1,
                threshold: 0.8,
            },
        };
        let mut shown = Vec::new();
        for (index, time_s, cued) in [
            (0, 0.0, false),
            (30, 1.0, true),
            (60, 2.0, false),
            (120, 4.0, false),
        ] {
            let (mut video, posed) = frame(index, time_s);
            let update = FrameUpdate {
                measures: crate::geometry::measure(&posed, &ctx),
                phase: crate::reps::Phase::Rest,
                excursion: None,
                complete_reps: 0,
                set: 1,
                completed_rep: None,
                rejected: None,
                cue: cued.then(|| cue.clone()),
            };
            painter
                .paint(&mut video, posed.pose.as_ref(), Some(&update))
                .unwrap();
            shown.push(fault_banner(&video.image));
        }
        // Not before the cue, from its frame on, and gone 3 s of video later although the test
        // ran in a moment of wall time.
        assert_eq!(shown, [false, true, true, false]);
    }
}
