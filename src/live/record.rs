//! `--record FILE`: the raw camera or stream video, every frame as captured (the analysis may
//! skip frames; the recording does not), so a session can be analysed again in batch later.

use std::path::{Path, PathBuf};

use opencv::core::{Mat, Size};
use opencv::imgproc;
use opencv::prelude::*;
use opencv::videoio::VideoWriter;

#[derive(Debug, thiserror::Error)]
pub enum RecordError {
    #[error("--record {path}: cannot write a video there (folder missing or not writable, or no encoder for that extension; try .mp4 or .avi)")]
    Open { path: PathBuf },
    #[error("--record {path}: writing a frame failed: {message}")]
    Write { path: PathBuf, message: String },
    #[error("--record {path}: {message}; the file is left as written")]
    Incomplete { path: PathBuf, message: String },
}

pub struct Recorder {
    path: PathBuf,
    writer: VideoWriter,
    size: Size,
    frames: u64,
}

/// The codec for a file name: MJPG in .avi (robust to a crash mid-file), mp4v otherwise.
fn fourcc_for(path: &Path) -> [char; 4] {
    match path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .as_deref()
    {
        Some("avi") => ['M', 'J', 'P', 'G'],
        _ => ['m', 'p', '4', 'v'],
    }
}

impl Recorder {
    /// Opens the file now so a bad path fails before the session starts, not after it.
    pub fn create(path: &Path, width: u32, height: u32, fps: f64) -> Result<Recorder, RecordError> {
        let open_err = || RecordError::Open {
            path: path.to_path_buf(),
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            if !parent.is_dir() {
                return Err(open_err());
            }
        }
        let [a, b, c, d] = fourcc_for(path);
        let fourcc = VideoWriter::fourcc(a, b, c, d).map_err(|_| open_err())?;
        let size = Size::new(width as i32, height as i32);
        // FFmpeg only: letting OpenCV try every backend prints each one's exception dump for an
        // extension none of them takes, before formcheck's one line.
        let writer = VideoWriter::new_with_backend(
            path,
            opencv::videoio::CAP_FFMPEG,
            fourcc,
            fps,
            size,
            true,
        )
        .map_err(|_| open_err())?;
        if !writer.is_opened().unwrap_or(false) {
            return Err(open_err());
        }
        Ok(Recorder {
            path: path.to_path_buf(),
            writer,
            size,
            frames: 0,
        })
    }

    /// Appends one frame; a frame of another size (a stream that reconnected at a new
    /// resolution) is scaled to the file's size, which a video file cannot change.
    pub fn write(&mut self, image: &Mat) -> Result<(), RecordError> {
        let err = |e: opencv::Error| RecordError::Write {
            path: self.path.clone(),
            message: e.message,
        };
        if image.size().map_err(err)? == self.size {
            self.writer.write(image).map_err(err)?;
        } else {
            let mut scaled = Mat::default();
            imgproc::resize(image, &mut scaled, self.size, 0.0, 0.0, imgproc::INTER_AREA)
                .map_err(err)?;
            self.writer.write(&scaled).map_err(err)?;
        }
        self.frames += 1;
        Ok(())
    }

    /// Closes the file so its index is written, then reads it back: the writer hides write
    /// errors (a full disk), so only a file that reads back whole counts as recorded.
    pub fn finish(mut self) -> Result<u64, RecordError> {
        self.writer.release().map_err(|e| RecordError::Write {
            path: self.path.clone(),
            message: e.message,
        })?;
        crate::video::check_written(&self.path, self.frames).map_err(|message| {
            RecordError::Incomplete {
                path: self.path.clone(),
                message,
            }
        })?;
        Ok(self.frames)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opencv::core::{Scalar, CV_8UC3};
    use opencv::videoio::VideoCapture;

    #[test]
    fn records_frames_that_read_back_and_rescales_odd_sizes() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("raw.avi");
        let mut rec = Recorder::create(&path, 64, 48, 10.0).unwrap();
        let frame = Mat::new_rows_cols_with_default(48, 64, CV_8UC3, Scalar::all(90.0)).unwrap();
        let bigger = Mat::new_rows_cols_with_default(96, 128, CV_8UC3, Scalar::all(90.0)).unwrap();
        for _ in 0..5 {
            rec.write(&frame).unwrap();
        }
        rec.write(&bigger).unwrap();
        assert_eq!(rec.finish().unwrap(), 6);
        let mut cap = VideoCapture::from_file_def(path.to_str().unwrap()).unwrap();
        let mut n = 0;
        let mut m = Mat::default();
        while cap.read(&mut m).unwrap() && !m.empty() {
            assert_eq!((m.cols(), m.rows()), (64, 48));
            n += 1;
        }
        assert_eq!(n, 6);
    }

    #[test]
    fn a_missing_folder_is_an_error_naming_the_flag() {
        let err = Recorder::create(Path::new("/no/such/dir/raw.mp4"), 64, 48, 10.0)
            .err()
            .unwrap();
        assert!(err.to_string().starts_with("--record /no/such/dir/raw.mp4"));
    }
}
