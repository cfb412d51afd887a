//! `annotated.mp4`: the video again with the overlay drawn on every frame (skeleton, FPPA and
//! knee-over-toe per leg, rep counter, a banner during flagged reps) through the drawing shared
//! with live mode ([`crate::draw`]), on every decoded frame: a frame `--analysis-fps` gave no pose
//! shows the analysed frame before it. Also the JPEG stills of flagged reps for the report. Both
//! decode the video a second time: decoding is cheap next to pose, and keeping no images from
//! the first pass keeps memory flat. `--blur-faces` blurs a box around the face landmarks.
//! The only output that touches OpenCV.

use std::path::{Path, PathBuf};

use opencv::core::{Mat, Rect, Size, Vector};
use opencv::prelude::*;
use opencv::{imgcodecs, imgproc, videoio};

use super::{worst_moment, ExportError, Exporter, Still, VideoResult};
use crate::draw::{self, Banner, CueKind, Overlay, RepCount};
use crate::geometry::Leg;
use crate::judge::Flag;
use crate::judge::Rep;
use crate::landmarks::{LandmarkIndex, Pose, PoseFrame};
use crate::video::{SourceSpec, VideoSource};

pub struct AnnotatedExporter {
    pub blur_faces: bool,
}

/// Stills are scaled to at most this width: enough to see the knee, small enough to inline.
const STILL_MAX_WIDTH: i32 = 640;
const STILL_JPEG_QUALITY: i32 = 82;

fn cv(path: &Path) -> impl Fn(opencv::Error) -> ExportError + '_ {
    move |e| ExportError::format(path, e.message)
}

/// Draws what the analysis knows about frame `i` onto `image`.
struct Painter<'a> {
    result: &'a VideoResult<'a>,
    reps: Vec<&'a Rep>,
    blur_faces: bool,
}

impl<'a> Painter<'a> {
    fn new(result: &'a VideoResult<'a>, blur_faces: bool) -> Self {
        Painter {
            result,
            reps: result.analysis.reps().collect(),
            blur_faces,
        }
    }

    /// `frame` is the `i`-th the analysis saw.
    fn paint(
        &self,
        i: usize,
        frame: &PoseFrame,
        image: &mut Mat,
        path: &Path,
    ) -> Result<(), ExportError> {
        let pose = frame.pose.as_ref();
        if self.blur_faces {
            if let Some(pose) = pose {
                blur_face(image, pose).map_err(cv(path))?;
            }
        }
        let index = frame.index;
        let current = self
            .reps
            .iter()
            .find(|r| r.start.frame <= index && index <= r.end.frame);
        let faults: Vec<&Flag> = current.map_or(Vec::new(), |r| r.faults().collect());
        let done = self
            .reps
            .iter()
            .filter(|r| r.complete && r.end.frame <= index)
            .count() as u32;
        let set = current.map_or_else(
            || {
                self.reps
                    .iter()
                    .rev()
                    .find(|r| r.end.frame <= index)
                    .map_or(1, |r| r.set)
            },
            |r| r.set,
        );
        let measures = self
            .result
            .analysis
            .frames
            .get(i)
            .filter(|m| m.frame == index);
        let working_leg = current
            .filter(|r| r.legs.len() == 1)
            .map(|r| draw_leg(r.legs[0]));
        let exercise = self.result.analysis.exercise;
        let numbers = draw::readouts(exercise, measures, &faults);
        let overlay = Overlay {
            pose,
            working_leg,
            left: numbers.left,
            right: numbers.right,
            body: numbers.body,
            // During a rep, its own number (a still of rep 1 reads "Rep 1"); between reps, how
            // many are done.
            count: Some(RepCount {
                reps: current.map_or(done, |r| r.number),
                set,
                target: None,
            }),
            banner: faults.first().map(|f| Banner {
                text: exercise.cue(f),
                kind: CueKind::Fault,
            }),
            status: None,
            perf: None,
        };
        draw::draw_overlay(image, &overlay).map_err(|e| ExportError::format(path, e))
    }
}

fn draw_leg(leg: Leg) -> draw::Leg {
    match leg {
        Leg::Left => draw::Leg::Left,
        Leg::Right => draw::Leg::Right,
    }
}

/// Blurs a box around the face landmarks (nose to ears), padded by half its size: the
/// landmarks sit inside the face, the hair and chin must go too.
fn blur_face(image: &mut Mat, pose: &Pose) -> Result<(), opencv::Error> {
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
    dest.with_file_name(format!(".{stem}.{}.tmp.mp4", std::process::id()))
}

fn open_source(result: &VideoResult) -> Result<VideoSource, ExportError> {
    let path = PathBuf::from(&result.video.path);
    VideoSource::open(&SourceSpec::File(path.clone())).map_err(|e| ExportError::format(&path, e))
}

impl Exporter for AnnotatedExporter {
    fn file_name(&self) -> &'static str {
        "annotated.mp4"
    }

    fn export(&self, result: &VideoResult, dest: &Path) -> Result<(), ExportError> {
        self.export_with_stills(result, dest).1
    }
}

/// What the annotated video's pass gives: the stills it drew on the way (`None` when the pass
/// failed before it was through them), and how the video itself went.
pub type VideoAndStills = (Option<Vec<Still>>, Result<(), ExportError>);

impl AnnotatedExporter {
    /// The annotated video into `dest`, and the stills drawn from the same decoded frames, so
    /// the video is decoded once for both. A video that fails still gives its stills when the
    /// pass got through them.
    pub fn export_with_stills(&self, result: &VideoResult, dest: &Path) -> VideoAndStills {
        let temp = temp_video_path(dest);
        let mut stills = StillTaker::new(result);
        // Errors name the file the user asked for, never the temporary one; a video that does
        // not read back whole is never renamed into place.
        let written = self
            .write_video(result, &temp, &mut stills)
            .and_then(|frames| {
                crate::video::check_written(&temp, frames)
                    .map_err(|problem| ExportError::format(&temp, problem))
            })
            .and_then(|()| std::fs::rename(&temp, dest).map_err(|e| ExportError::io(&temp, e)));
        if written.is_err() {
            let _ = std::fs::remove_file(&temp);
        }
        (stills.finish(), written.map_err(|e| e.for_file(dest)))
    }

    /// Writes the video to `temp`, handing each painted frame to `stills`; returns the number
    /// of frames written.
    fn write_video(
        &self,
        result: &VideoResult,
        temp: &Path,
        stills: &mut StillTaker,
    ) -> Result<u64, ExportError> {
        // Decoding runs ahead on its own thread and encoding behind on another, so the three
        // overlap and the pass costs about its slowest stage.
        let mut source = crate::video::Prefetcher::spawn(open_source(result)?);
        let size = Size::new(result.video.width as i32, result.video.height as i32);
        let fourcc = videoio::VideoWriter::fourcc('m', 'p', '4', 'v').map_err(cv(temp))?;
        let writer = videoio::VideoWriter::new_with_backend(
            temp,
            videoio::CAP_FFMPEG,
            fourcc,
            result.video.frame_rate(),
            size,
            true,
        )
        .map_err(cv(temp))?;
        if !writer.is_opened().map_err(cv(temp))? {
            return Err(ExportError::format(
                temp,
                "OpenCV cannot open an MPEG-4 writer here (is FFmpeg support installed?)",
            ));
        }
        let painter = Painter::new(result, self.blur_faces);
        let encoder = Encoder::start(writer);
        let mut frames = 0;
        let painted = (|| {
            let mut held = Held::new(result.frames_in_order(temp)?);
            // Only the frames the analysis decoded (--max-frames, or a video cut short).
            while frames < result.video.frames {
                let Some(mut frame) = source.read().map_err(|e| ExportError::format(temp, e))?
                else {
                    break;
                };
                if let Some((i, posed)) = held.at(frame.index)? {
                    painter.paint(i, posed, &mut frame.image, temp)?;
                    if posed.index == frame.index {
                        stills.offer(posed, &frame.image, temp)?;
                    }
                }
                if !encoder.write(frame.image) {
                    // The encoder stopped; its error is reported below.
                    break;
                }
                frames += 1;
            }
            Ok(())
        })();
        let encoded = encoder.finish().map_err(cv(temp));
        painted?;
        encoded?;
        Ok(frames)
    }
}

/// The analysed frame to draw on each decoded one: the newest at or before it. Under
/// `--analysis-fps` the frames pose skipped carry the overlay of the one before them.
struct Held<I: Iterator<Item = Result<PoseFrame, ExportError>>> {
    frames: std::iter::Peekable<std::iter::Enumerate<I>>,
    current: Option<(usize, PoseFrame)>,
}

impl<I: Iterator<Item = Result<PoseFrame, ExportError>>> Held<I> {
    fn new(frames: I) -> Self {
        Held {
            frames: frames.enumerate().peekable(),
            current: None,
        }
    }

    /// The analysed frame for decoded frame `index`, with its position among the analysed ones.
    fn at(&mut self, index: u64) -> Result<Option<(usize, &PoseFrame)>, ExportError> {
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

/// The stills a pass over the painted frames takes: each flagged rep's worst moment.
struct StillTaker {
    /// (rep, frame index), in frame order.
    wanted: Vec<(u32, u64)>,
    taken: Vec<Still>,
}

impl StillTaker {
    fn new(result: &VideoResult) -> StillTaker {
        let mut wanted: Vec<(u32, u64)> = result
            .analysis
            .reps()
            .filter(|r| r.faults().next().is_some())
            .map(|r| (r.number, worst_moment(r).frame))
            .collect();
        wanted.sort_by_key(|&(_, frame)| frame);
        StillTaker {
            wanted,
            taken: Vec::new(),
        }
    }

    /// Whether every wanted frame has gone by.
    fn done(&self, index: u64) -> bool {
        self.wanted.iter().all(|&(_, f)| f < index)
    }

    fn offer(&mut self, posed: &PoseFrame, image: &Mat, path: &Path) -> Result<(), ExportError> {
        for &(rep, _) in self.wanted.iter().filter(|&&(_, f)| f == posed.index) {
            self.taken.push(Still {
                rep,
                frame: posed.index,
                time_s: posed.time_s,
                jpeg: encode_still(image).map_err(cv(path))?,
            });
        }
        Ok(())
    }

    /// The stills by rep; `None` unless every wanted still was taken.
    fn finish(mut self) -> Option<Vec<Still>> {
        let all: std::collections::BTreeSet<u32> = self.wanted.iter().map(|w| w.0).collect();
        let got: std::collections::BTreeSet<u32> = self.taken.iter().map(|s| s.rep).collect();
        self.taken.sort_by_key(|s| s.rep);
        (all == got).then_some(self.taken)
    }
}

/// A JPEG of each flagged rep at its worst moment, overlay drawn, in a pass of their own (no
/// annotated video, or its pass failed).
pub fn stills(result: &VideoResult, blur_faces: bool) -> Result<Vec<Still>, ExportError> {
    let mut taker = StillTaker::new(result);
    if taker.wanted.is_empty() {
        return Ok(Vec::new());
    }
    let path = PathBuf::from(&result.video.path);
    let mut source = open_source(result)?;
    let painter = Painter::new(result, blur_faces);
    let mut held = Held::new(result.frames_in_order(&path)?);
    while let Some(mut frame) = source.read().map_err(|e| ExportError::format(&path, e))? {
        if taker.done(frame.index) {
            break;
        }
        if !taker.wanted.iter().any(|&(_, f)| f == frame.index) {
            continue;
        }
        if let Some((i, posed)) = held.at(frame.index)? {
            painter.paint(i, posed, &mut frame.image, &path)?;
            taker.offer(posed, &frame.image, &path)?;
        }
    }
    let mut out = taker.taken;
    out.sort_by_key(|s| s.rep);
    Ok(out)
}

fn encode_still(image: &Mat) -> Result<Vec<u8>, opencv::Error> {
    let mut small = Mat::default();
    let image = if image.cols() > STILL_MAX_WIDTH {
        let scale = f64::from(STILL_MAX_WIDTH) / f64::from(image.cols());
        let size = Size::new(
            STILL_MAX_WIDTH,
            (f64::from(image.rows()) * scale).round() as i32,
        );
        imgproc::resize(image, &mut small, size, 0.0, 0.0, imgproc::INTER_AREA)?;
        &small
    } else {
        image
    };
    let mut buf = Vector::<u8>::new();
    let params = Vector::<i32>::from_slice(&[imgcodecs::IMWRITE_JPEG_QUALITY, STILL_JPEG_QUALITY]);
    imgcodecs::imencode(".jpg", image, &mut buf, &params)?;
    Ok(buf.to_vec())
}
