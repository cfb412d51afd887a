//! Frames made smaller for the outputs that do not need every source pixel (the stills, the
//! annotated video). Area averaging by a whole factor takes OpenCV's fast path, under a
//! millisecond for a 1080×1920 frame, where averaging 1080 → 640 takes 15 ms, half the pose
//! stage's time; what is left after the whole factor is bilinear.

use opencv::core::{Mat, Rect, Size};
use opencv::imgproc;
use opencv::prelude::*;

use crate::landmarks::Pose;

/// How a frame is made smaller: averaged down by a whole `factor` (the last few rows and columns
/// dropped to make it exact), then, when that is not yet the size wanted, resized the rest of the
/// way (less than half) by bilinear interpolation, about a millisecond at these sizes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Shrink {
    pub factor: i32,
    /// The size after the whole factor.
    whole: (i32, i32),
    pub cols: i32,
    pub rows: i32,
    /// Shrunk pixels over source pixels, across and down.
    scale: (f64, f64),
}

impl Shrink {
    /// Shrinking by the whole `factor` only (1 keeps the frame as it is).
    pub fn by(factor: i32, cols: i32, rows: i32) -> Shrink {
        let factor = factor.max(1);
        let whole = (cols / factor, rows / factor);
        Shrink {
            factor,
            whole,
            cols: whole.0,
            rows: whole.1,
            scale: (1.0 / f64::from(factor), 1.0 / f64::from(factor)),
        }
    }

    /// The frame with its longer side brought to `max_side` (even sizes, as the encoder wants);
    /// `None`, or a frame already that small, keeps the source size.
    pub fn to_fit(max_side: Option<u32>, cols: i32, rows: i32) -> Shrink {
        let longer = cols.max(rows);
        let Some(max_side) = max_side.map(|m| m.max(2) as i32).filter(|&m| longer > m) else {
            return Shrink::by(1, cols, rows);
        };
        let ratio = f64::from(max_side) / f64::from(longer);
        let even = |side: i32| ((f64::from(side) * ratio / 2.0).round() as i32 * 2).max(2);
        let (target_cols, target_rows) = (even(cols), even(rows));
        let mut shrink = Shrink::by(longer / max_side, cols, rows);
        shrink.cols = target_cols;
        shrink.rows = target_rows;
        shrink.scale = (
            f64::from(target_cols) / f64::from(cols),
            f64::from(target_rows) / f64::from(rows),
        );
        shrink
    }

    /// Whether the frame is kept as it is.
    pub fn is_none(&self) -> bool {
        self.factor == 1 && self.whole == (self.cols, self.rows)
    }

    /// `image` shrunk into `out` (a copy when nothing is to be shrunk).
    pub fn apply(&self, image: &Mat, out: &mut Mat) -> Result<(), opencv::Error> {
        if self.is_none() {
            return image.copy_to(out);
        }
        if self.cols < 2 || self.rows < 2 || self.whole.0 < 2 || self.whole.1 < 2 {
            return Err(opencv::Error::new(
                opencv::core::StsBadSize,
                format!(
                    "a {}×{} frame is too small to shrink to {}×{}",
                    image.cols(),
                    image.rows(),
                    self.cols,
                    self.rows
                ),
            ));
        }
        let (w, h) = self.whole;
        let averaged = if self.factor > 1 {
            let whole = Mat::roi(image, Rect::new(0, 0, w * self.factor, h * self.factor))?;
            let mut averaged = Mat::default();
            imgproc::resize(
                &whole,
                &mut averaged,
                Size::new(w, h),
                0.0,
                0.0,
                imgproc::INTER_AREA,
            )?;
            if self.whole == (self.cols, self.rows) {
                *out = averaged;
                return Ok(());
            }
            Some(averaged)
        } else {
            None
        };
        imgproc::resize(
            averaged.as_ref().unwrap_or(image),
            out,
            Size::new(self.cols, self.rows),
            0.0,
            0.0,
            imgproc::INTER_LINEAR,
        )
    }

    /// The pose in shrunk pixels.
    pub fn pose(&self, pose: &Pose) -> Pose {
        let mut out = pose.clone();
        for l in out.landmarks.iter_mut().flatten() {
            l.x *= self.scale.0;
            l.y *= self.scale.1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_longer_side_is_brought_to_the_maximum_by_a_whole_factor_first() {
        let phone = Shrink::to_fit(Some(960), 1080, 1920);
        assert_eq!((phone.factor, phone.cols, phone.rows), (2, 540, 960));
        assert!(
            phone.whole == (540, 960),
            "no bilinear step after an exact factor"
        );
        let hd = Shrink::to_fit(Some(960), 1280, 720);
        assert_eq!((hd.factor, hd.cols, hd.rows), (1, 960, 540));
        let odd = Shrink::to_fit(Some(960), 1768, 994);
        assert_eq!((odd.factor, odd.cols, odd.rows), (1, 960, 540));
        let uhd = Shrink::to_fit(Some(960), 3840, 2160);
        assert_eq!((uhd.factor, uhd.cols, uhd.rows), (4, 960, 540));
        assert!(Shrink::to_fit(Some(960), 640, 360).is_none());
        assert!(Shrink::to_fit(None, 3840, 2160).is_none());
        assert!(Shrink::to_fit(Some(960), 0, 0).is_none());
    }

    #[test]
    fn a_shrunk_frame_has_the_size_it_says_and_the_pose_follows() {
        for (max_side, want) in [(960, (540, 960)), (700, (394, 700))] {
            let image = Mat::new_rows_cols_with_default(
                1921,
                1081,
                opencv::core::CV_8UC3,
                opencv::core::Scalar::all(90.0),
            )
            .unwrap();
            let shrink = Shrink::to_fit(Some(max_side), image.cols(), image.rows());
            let mut out = Mat::default();
            shrink.apply(&image, &mut out).unwrap();
            assert_eq!((out.cols(), out.rows()), want);
            let pose = Pose::from_points(
                &[(crate::landmarks::LandmarkIndex::Nose, 1081.0, 1921.0)],
                1.0,
            );
            let nose = shrink.pose(&pose).landmarks[0].unwrap();
            assert!((nose.x - f64::from(want.0)).abs() < 1.0, "{}", nose.x);
            assert!((nose.y - f64::from(want.1)).abs() < 1.0, "{}", nose.y);
        }
    }
}
