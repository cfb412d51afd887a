//! Opening a source and reading timed, upright frames from it.

use std::path::{Path, PathBuf};
use std::time::Instant;

use opencv::core::Mat;
use opencv::prelude::*;
use opencv::videoio::{self, VideoCapture};

use super::orientation::{self, Rotation};

/// Where frames come from, as the user named it.
#[derive(Debug, Clone, PartialEq)]
pub enum SourceSpec {
    File(PathBuf),
    Camera(i32),
    Url(String),
}

impl SourceSpec {
    /// A short name for messages and output folders.
    pub fn describe(&self) -> String {
        match self {
            SourceSpec::File(p) => p.display().to_string(),
            SourceSpec::Camera(i) => format!("camera {i}"),
            SourceSpec::Url(u) => u.clone(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum VideoError {
    #[error("video file not found: {0}")]
    NotFound(PathBuf),
    #[error("{0} is a directory, not a video file")]
    IsDirectory(PathBuf),
    #[error("{0} is not a regular file (a FIFO, socket or device); give a video file, which formcheck needs to seek in")]
    NotAFile(PathBuf),
    #[error("video file is empty (0 bytes): {0}")]
    Empty(PathBuf),
    #[error("cannot read video file {path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot decode {0}: not a video OpenCV can read (corrupt, truncated or not a video)")]
    Undecodable(PathBuf),
    #[error("camera {0} cannot be opened: no such device, or it is busy")]
    Camera(i32),
    #[error("stream {0} cannot be opened: unreachable, or not a video stream")]
    Stream(String),
    #[error("{}: its picture size changes part-way ({sizes}); formcheck analyses one size: cut it where the size changes (ffmpeg -ss / -t) and analyse each part", path.display())]
    SizeChanges { path: PathBuf, sizes: String },
    #[error("reading from {source_name} failed: {message}")]
    Read {
        source_name: String,
        message: String,
    },
}

/// A recording that ended before the frames its container declares: cut short (a copy that
/// did not finish, a damaged file), not a shorter clip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Truncation {
    pub frames_decoded: u64,
    pub frames_declared: u64,
}

impl Truncation {
    /// Frame counts some containers give are estimates from the duration: a few frames short is
    /// not a truncation.
    fn from_counts(decoded: u64, declared: u64) -> Option<Truncation> {
        let slack = (declared / 200).max(2);
        (decoded + slack < declared).then_some(Truncation {
            frames_decoded: decoded,
            frames_declared: declared,
        })
    }

    pub fn describe(&self) -> String {
        format!(
            "the file is cut short: {} of the {} frames it declares could be decoded; the rest is not analysed",
            self.frames_decoded, self.frames_declared
        )
    }
}

/// Facts about an opened source. Width and height are those of the upright frames.
#[derive(Debug, Clone, PartialEq)]
pub struct VideoInfo {
    pub source: String,
    pub width: u32,
    pub height: u32,
    /// The container's nominal rate; `None` when it gives none.
    pub fps: Option<f64>,
    /// The container's frame count; an estimate for some formats, `None` for live sources.
    pub frame_count: Option<u64>,
    /// A recording with an end (a file, or a URL that names one), not a camera or live stream.
    pub finite: bool,
    /// How far the stored picture is turned clockwise to show it upright (phone videos): 0, 90,
    /// 180 or 270. The frames handed out are already turned.
    pub rotation_deg: i32,
}

/// One decoded frame, BGR, upright.
pub struct VideoFrame {
    pub index: u64,
    /// Presentation time in seconds: the container's timestamp for files, time since the source
    /// opened for cameras and streams.
    pub time_s: f64,
    pub image: Mat,
}

pub struct VideoSource {
    spec: SourceSpec,
    capture: VideoCapture,
    info: VideoInfo,
    next_index: u64,
    last_time_s: Option<f64>,
    /// The last interval between two real container timestamps.
    last_step_s: Option<f64>,
    opened_at: Instant,
    /// The first frame, decoded at open to learn the upright size; handed out by the first read.
    pending: Option<Mat>,
    rotation: Rotation,
    /// The decoder has said there are no more frames.
    ended: bool,
}

/// The rotation OpenCV reads from the stream, for what is not MP4/QuickTime (streams, other
/// containers). OpenCV 4.6.0 reports FFmpeg's counter-clockwise display angle (opencv#22088);
/// other versions are taken as documented, clockwise.
fn rotation_from_opencv(meta_deg: f64) -> Option<Rotation> {
    let counter_clockwise = opencv::core::get_version_major() == 4
        && opencv::core::get_version_minor() == 6
        && opencv::core::get_version_revision() == 0;
    let clockwise = if counter_clockwise {
        -meta_deg
    } else {
        meta_deg
    };
    Rotation::from_clockwise_deg(clockwise)
}

/// A stream that does not answer within this time is reported unreachable, not waited on forever.
const STREAM_TIMEOUT_MS: i32 = 5_000;

fn cv_err(source: &SourceSpec, e: opencv::Error) -> VideoError {
    VideoError::Read {
        source_name: source.describe(),
        message: e.message,
    }
}

fn check_file(path: &Path) -> Result<(), VideoError> {
    let meta = std::fs::metadata(path).map_err(|source| {
        if source.kind() == std::io::ErrorKind::NotFound {
            VideoError::NotFound(path.to_path_buf())
        } else {
            VideoError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    })?;
    if meta.is_dir() {
        return Err(VideoError::IsDirectory(path.to_path_buf()));
    }
    // Opening a FIFO would wait for a writer, forever.
    if !meta.is_file() {
        return Err(VideoError::NotAFile(path.to_path_buf()));
    }
    if meta.len() == 0 {
        return Err(VideoError::Empty(path.to_path_buf()));
    }
    // Opening for read here turns a permission problem into a clear message instead of
    // OpenCV's generic failure.
    std::fs::File::open(path).map_err(|source| VideoError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(())
}

/// Video files this process has opened to decode: each is one pass over a video (the pose
/// pass, and any pass an output makes again). `bench --batch` reports it.
static FILES_OPENED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

pub fn files_opened() -> u64 {
    FILES_OPENED.load(std::sync::atomic::Ordering::Relaxed)
}

impl VideoSource {
    pub fn open(spec: &SourceSpec) -> Result<Self, VideoError> {
        crate::quiet_opencv();
        if matches!(spec, SourceSpec::File(_)) {
            FILES_OPENED.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let capture = match spec {
            SourceSpec::File(path) => {
                check_file(path)?;
                let capture = VideoCapture::from_file(path, videoio::CAP_FFMPEG)
                    .map_err(|_| VideoError::Undecodable(path.clone()))?;
                if !capture.is_opened().unwrap_or(false) {
                    return Err(VideoError::Undecodable(path.clone()));
                }
                capture
            }
            SourceSpec::Camera(index) => {
                let capture = VideoCapture::new(*index, videoio::CAP_ANY)
                    .map_err(|_| VideoError::Camera(*index))?;
                if !capture.is_opened().unwrap_or(false) {
                    return Err(VideoError::Camera(*index));
                }
                capture
            }
            SourceSpec::Url(url) => {
                let params = opencv::core::Vector::<i32>::from_slice(&[
                    videoio::CAP_PROP_OPEN_TIMEOUT_MSEC,
                    STREAM_TIMEOUT_MS,
                    videoio::CAP_PROP_READ_TIMEOUT_MSEC,
                    STREAM_TIMEOUT_MS,
                ]);
                let capture =
                    VideoCapture::from_file_with_params(url, videoio::CAP_FFMPEG, &params)
                        .map_err(|_| VideoError::Stream(url.clone()))?;
                if !capture.is_opened().unwrap_or(false) {
                    return Err(VideoError::Stream(url.clone()));
                }
                capture
            }
        };
        let mut source = VideoSource {
            spec: spec.clone(),
            capture,
            info: VideoInfo {
                source: spec.describe(),
                width: 0,
                height: 0,
                fps: None,
                frame_count: None,
                finite: false,
                rotation_deg: 0,
            },
            next_index: 0,
            last_time_s: None,
            last_step_s: None,
            opened_at: Instant::now(),
            pending: None,
            rotation: Rotation::Upright,
            ended: false,
        };
        // OpenCV 4.6 turns ±90° the wrong way (opencv#22088): decode as stored, turn here.
        let _ = source.capture.set(videoio::CAP_PROP_ORIENTATION_AUTO, 0.0);
        let get = |c: &VideoCapture, prop| c.get(prop).unwrap_or(0.0);
        let fps = get(&source.capture, videoio::CAP_PROP_FPS);
        let count = get(&source.capture, videoio::CAP_PROP_FRAME_COUNT);
        source.info.fps = (fps.is_finite() && fps > 0.0 && fps < 1000.0).then_some(fps);
        let counted = count.is_finite() && count > 0.0;
        // A URL whose container knows its length names a file (HTTP MP4, VOD), not a live stream:
        // it ends with the file and is never reconnected, which would replay it from the start.
        source.info.finite = match spec {
            SourceSpec::File(_) => true,
            SourceSpec::Url(_) => counted,
            SourceSpec::Camera(_) => false,
        };
        source.info.frame_count = (source.info.finite && counted).then_some(count as u64);
        let decoder_says = get(&source.capture, videoio::CAP_PROP_ORIENTATION_META);
        source.rotation = match spec {
            SourceSpec::File(path) => std::fs::File::open(path)
                .ok()
                .and_then(|f| orientation::read_rotation(&mut std::io::BufReader::new(f))),
            _ => None,
        }
        .or_else(|| rotation_from_opencv(decoder_says))
        .unwrap_or(Rotation::Upright);
        source.info.rotation_deg = source.rotation.clockwise_deg();

        // Decode the first frame now: a file that opens but yields nothing is not a video, and
        // the upright size is only certain from a real frame.
        let mut first = Mat::default();
        let got = source
            .capture
            .read(&mut first)
            .map_err(|e| cv_err(spec, e))?;
        if !got || first.empty() {
            return Err(match spec {
                SourceSpec::File(p) => VideoError::Undecodable(p.clone()),
                SourceSpec::Camera(i) => VideoError::Camera(*i),
                SourceSpec::Url(u) => VideoError::Stream(u.clone()),
            });
        }
        let first = source.upright(first)?;
        source.info.width = first.cols() as u32;
        source.info.height = first.rows() as u32;
        source.pending = Some(first);
        Ok(source)
    }

    fn upright(&self, stored: Mat) -> Result<Mat, VideoError> {
        let code = match self.rotation {
            Rotation::Upright => return Ok(stored),
            Rotation::Clockwise90 => opencv::core::ROTATE_90_CLOCKWISE,
            Rotation::Half => opencv::core::ROTATE_180,
            Rotation::Clockwise270 => opencv::core::ROTATE_90_COUNTERCLOCKWISE,
        };
        let mut turned = Mat::default();
        opencv::core::rotate(&stored, &mut turned, code).map_err(|e| cv_err(&self.spec, e))?;
        Ok(turned)
    }

    pub fn info(&self) -> &VideoInfo {
        &self.info
    }

    pub fn spec(&self) -> &SourceSpec {
        &self.spec
    }

    /// The next frame, or `None` at the end of the video (or when a stream stops).
    pub fn read(&mut self) -> Result<Option<VideoFrame>, VideoError> {
        let image = match self.pending.take() {
            Some(image) => image,
            None => {
                let mut image = Mat::default();
                let got = self
                    .capture
                    .read(&mut image)
                    .map_err(|e| cv_err(&self.spec, e))?;
                if !got || image.empty() {
                    self.ended = true;
                    return Ok(None);
                }
                self.upright(image)?
            }
        };
        let time_s = self.timestamp();
        let frame = VideoFrame {
            index: self.next_index,
            time_s,
            image,
        };
        self.next_index += 1;
        self.last_time_s = Some(time_s);
        Ok(Some(frame))
    }

    /// The time of the frame just decoded. Files use the container's timestamp. OpenCV 4.6 reports
    /// 0 for the frames the decoder hands out while draining at the end of a clip with B-frames,
    /// so a missing or backward time continues from the last real interval, keeping time monotonic.
    fn timestamp(&mut self) -> f64 {
        if !self.info.finite {
            return self.opened_at.elapsed().as_secs_f64();
        }
        let pts = self
            .capture
            .get(videoio::CAP_PROP_POS_MSEC)
            .ok()
            .filter(|ms| ms.is_finite() && *ms >= 0.0)
            .map(|ms| ms / 1000.0);
        let nominal_step = 1.0 / self.info.fps.unwrap_or(30.0);
        match (pts, self.last_time_s) {
            (Some(t), Some(last)) if t > last => {
                self.last_step_s = Some(t - last);
                t
            }
            (Some(t), None) => t,
            (_, Some(last)) => last + self.last_step_s.unwrap_or(nominal_step),
            (None, None) => 0.0,
        }
    }

    /// Frames handed out so far.
    pub fn frames_read(&self) -> u64 {
        self.next_index
    }

    /// Once the decoder has ended: whether it ended before the frames the container declares.
    pub fn truncation(&self) -> Option<Truncation> {
        if !self.ended || !self.info.finite {
            return None;
        }
        Truncation::from_counts(self.next_index, self.info.frame_count?)
    }
}
