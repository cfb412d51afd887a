//! Frames made smaller for the outputs that do not need every source pixel (the stills, the
//! annotated video), by a whole factor: OpenCV's area averaging then takes its fast path, under
//! a millisecond for a 1080×1920 frame where 1080 → 640 takes 15 ms, half the pose stage's time.

use opencv::core::{Mat, Rect, Size};
use opencv::imgproc;
use opencv::prelude::*;

use crate::landmarks::Pose;

/// A whole shrinking factor and the size it gives a frame: `cols / factor` by `rows / factor`,
/// the last few rows and columns dropped to make the factor exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shrink {
    pub factor: i32,
    pub cols: i32,
    pub rows: i32,
}

impl Shrink {
    /// Shrinking by `factor` (1 keeps the frame as it is).
    pub fn by(factor: i32, cols: i32, rows: i32) -> Shrink {
        let factor = factor.max(1);
        Shrink {
            factor,
            cols: cols / factor,
            rows: rows / factor,
        }
    }

    /// The smallest whole factor that brings the frame's longer side to `max_side` or under;
    /// `None` keeps the source size.
    pub fn to_fit(max_side: Option<u32>, cols: i32, rows: i32) -> Shrink {
        let longer = f64::from(cols.max(rows).max(1));
        let factor = max_side.map_or(1, |m| (longer / f64::from(m.max(1))).ceil() as i32);
        Shrink::by(factor, cols, rows)
    }

    /// The scale from source pixels to shrunk ones.
    pub fn scale(&self) -> f64 {
        1.0 / f64::from(self.factor)
    }

    /// `image` shrunk into `out` (a copy when the factor is 1).
    pub fn apply(&self, image: &Mat, out: &mut Mat) -> Result<(), opencv::Error> {
        if self.factor == 1 {
            return image.copy_to(out);
        }
        if self.cols < 2 || self.rows < 2 {
            return Err(opencv::Error::new(
                opencv::core::StsBadSize,
                format!(
                    "a {}×{} frame is too small to shrink by {}",
                    image.cols(),
                    image.rows(),
                    self.factor
                ),
            ));
        }
        let whole = Mat::roi(
            image,
            Rect::new(0, 0, self.cols * self.factor, self.rows * self.factor),
        )?;
        imgproc::resize(
            &whole,
            out,
            Size::new(self.cols, self.rows),
            0.0,
            0.0,
            imgproc::INTER_AREA,
        )
    }

    /// The pose in shrunk pixels.
    pub fn pose(&self, pose: &Pose) -> Pose {
        let scale = self.scale();
        let mut out = pose.clone();
        for l in out.landmarks.iter_mut().flatten() {
            l.x *= scale;
            l.y *= scale;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_factor_is_the_smallest_whole_one_that_fits() {
        assert_eq!(
            Shrink::to_fit(Some(1280), 1080, 1920),
            Shrink::by(2, 1080, 1920)
        );
        assert_eq!(Shrink::to_fit(Some(1280), 1080, 1920).rows, 960);
        assert_eq!(Shrink::to_fit(Some(1280), 1768, 994).cols, 884);
        assert_eq!(Shrink::to_fit(Some(1280), 1280, 720).factor, 1);
        assert_eq!(Shrink::to_fit(Some(1280), 3840, 2160).factor, 3);
        assert_eq!(Shrink::to_fit(None, 3840, 2160).factor, 1);
        assert_eq!(Shrink::to_fit(Some(1280), 0, 0).factor, 1);
    }

    #[test]
    fn a_shrunk_frame_has_the_size_it_says() {
        let image = Mat::new_rows_cols_with_default(
            1921,
            1081,
            opencv::core::CV_8UC3,
            opencv::core::Scalar::all(90.0),
        )
        .unwrap();
        let shrink = Shrink::to_fit(Some(1280), image.cols(), image.rows());
        let mut out = Mat::default();
        shrink.apply(&image, &mut out).unwrap();
        assert_eq!((out.cols(), out.rows()), (540, 960));
    }
}
