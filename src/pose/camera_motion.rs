//! How far the picture moved since the first frame, read from the background: corners found
//! outside the person in a key frame (shrunk and grey) are followed into each frame with
//! pyramidal Lucas–Kanade optical flow, starting from where the last frame put them, and the
//! shift is the median of their moves when most of them agree. Measured from the key frame, not
//! summed frame to frame, so it does not drift; a new key frame is taken where the old one's
//! corners are lost (the camera went far). A handheld phone that tilts or pans during a squat
//! moves the whole picture, floor and feet included; heights "in the picture" (the rest level,
//! feet planted) are then read in the first frame's picture instead. Translation only: a phone's
//! tilt and pan move the picture far more than its roll turns it over a rep. The median, not a
//! correlation of the whole picture, so a barbell or a caption moving in the background cannot
//! drag the estimate (phase correlation of whole frames, tried first, did). Frames replayed from
//! a landmark file carry no picture: their camera is taken as still.

use opencv::core::{self, Mat, Point2f, Rect, Scalar, Size, TermCriteria, Vector};
use opencv::prelude::*;
use opencv::{imgproc, video};

use crate::landmarks::{CameraShift, Pose};
use crate::stats::median;

/// Width of the picture the motion is measured on: enough texture for a room, a fraction of a
/// millisecond of corner finding and flow.
const WORK_WIDTH: i32 = 192;

/// Corners followed from each frame, at least this many work pixels apart.
const MAX_CORNERS: i32 = 60;
const CORNER_SPACING: f64 = 4.0;
/// Corners weaker than this share of the strongest are not followed: below OpenCV's usual 0.01,
/// so a plain wall still gives a few (the bundled sample's does).
const CORNER_QUALITY: f64 = 0.003;

/// Fewer followed corners than this say nothing (a bare wall, a person filling the picture):
/// the last frame's shift is kept.
const MIN_FOLLOWED: usize = 5;

/// A corner agrees with the median move when within this many work pixels of it; at least half
/// of them must, or the background moves several ways and the frame says nothing.
const AGREE_PX: f64 = 1.5;

/// Moves under this many work pixels are a still camera's noise: summed over a long clip they
/// would drift.
const STILL_PX: f64 = 0.2;

/// The person's box grown by these shares of its width and height on each side: the landmarks
/// run along the limbs, not around the clothes, and what the person holds reaches sideways.
const BOX_MARGIN_SIDEWAYS: f64 = 0.25;
const BOX_MARGIN_UP_DOWN: f64 = 0.15;

#[derive(Debug, thiserror::Error)]
#[error("measuring camera motion: {0}")]
pub struct CameraMotionError(#[from] opencv::Error);

/// The running estimate for one video (or stream, until it is reset).
#[derive(Default)]
pub struct CameraMotion {
    key: Option<KeyFrame>,
    /// The last frame and its person's box: the fallback when the key frame's corners are lost.
    previous: Option<(Mat, Option<Rect>)>,
    /// The shift of the last frame, in this video's pixels.
    total: CameraShift,
}

/// The frame shifts are measured from, its background corners and its own shift.
struct KeyFrame {
    image: Mat,
    corners: Vector<Point2f>,
    shift: CameraShift,
}

impl CameraMotion {
    /// This frame's shift from the first frame, given the pose found in it (its box is not
    /// background).
    pub fn update(
        &mut self,
        image: &Mat,
        pose: Option<&Pose>,
    ) -> Result<CameraShift, CameraMotionError> {
        let scale = f64::from(WORK_WIDTH) / f64::from(image.cols().max(1));
        let small = shrink_grey(image, scale)?;
        let person = pose.and_then(|p| person_box(p, scale, small.size().ok()?));
        let from_key = match &self.key {
            Some(key) if key.image.size()? == small.size()? => {
                let guess = (
                    (self.total.dx - key.shift.dx) * scale,
                    (self.total.dy - key.shift.dy) * scale,
                );
                follow(&key.image, &key.corners, &small, guess, person)?
            }
            _ => Vec::new(),
        };
        let key_shift = self.key.as_ref().map(|k| k.shift);
        match (agreed_move(&from_key), key_shift) {
            (Some((dx, dy)), Some(at)) => {
                self.total = CameraShift {
                    dx: at.dx + dx / scale,
                    dy: at.dy + dy / scale,
                }
            }
            _ => self.step_from_previous(&small, person, scale)?,
        }
        let lost = self
            .key
            .as_ref()
            .is_none_or(|k| 2 * from_key.len() < k.corners.len().max(2 * MIN_FOLLOWED));
        if lost {
            self.key = Some(KeyFrame {
                corners: background_corners(&small, person)?,
                image: small.try_clone()?,
                shift: self.total,
            });
        }
        self.previous = Some((small, person));
        Ok(self.total)
    }

    /// Where the key frame says nothing, the step from the last frame is added instead.
    fn step_from_previous(
        &mut self,
        small: &Mat,
        person: Option<Rect>,
        scale: f64,
    ) -> Result<(), opencv::Error> {
        let Some((image, was)) = &self.previous else {
            return Ok(());
        };
        if image.size()? != small.size()? {
            return Ok(());
        }
        let corners = background_corners(image, *was)?;
        if let Some((dx, dy)) = agreed_move(&follow(image, &corners, small, (0.0, 0.0), person)?) {
            self.total.dx += dx / scale;
            self.total.dy += dy / scale;
        }
        Ok(())
    }

    /// Forgets the picture (stream reconnect, new clip).
    pub fn reset(&mut self) {
        *self = CameraMotion::default();
    }
}

/// Up to [`MAX_CORNERS`] corners of `image` outside the person's box.
fn background_corners(image: &Mat, person: Option<Rect>) -> Result<Vector<Point2f>, opencv::Error> {
    let mut mask = Mat::new_size_with_default(image.size()?, core::CV_8UC1, Scalar::all(255.0))?;
    if let Some(person) = person {
        Mat::roi_mut(&mut mask, person)?.set_to_def(&Scalar::all(0.0))?;
    }
    let mut corners = Vector::<Point2f>::new();
    imgproc::good_features_to_track(
        image,
        &mut corners,
        MAX_CORNERS,
        CORNER_QUALITY,
        CORNER_SPACING,
        &mask,
        3,
        false,
        0.04,
    )?;
    Ok(corners)
}

/// How far each of `from`'s corners moved into `to`, in work pixels, starting `guess`
/// off (where the last frame put them); corners that land on the person now are not
/// background.
fn follow(
    from: &Mat,
    corners: &Vector<Point2f>,
    to: &Mat,
    guess: (f64, f64),
    person: Option<Rect>,
) -> Result<Vec<(f64, f64)>, opencv::Error> {
    if corners.len() < MIN_FOLLOWED {
        return Ok(Vec::new());
    }
    let (gx, gy) = (guess.0 as f32, guess.1 as f32);
    let mut followed: Vector<Point2f> = corners
        .iter()
        .map(|c| Point2f::new(c.x + gx, c.y + gy))
        .collect();
    let mut found = Vector::<u8>::new();
    let mut error = Vector::<f32>::new();
    let criteria = TermCriteria::new(core::TermCriteria_COUNT + core::TermCriteria_EPS, 20, 0.03)?;
    video::calc_optical_flow_pyr_lk(
        from,
        to,
        corners,
        &mut followed,
        &mut found,
        &mut error,
        Size::new(21, 21),
        3,
        criteria,
        video::OPTFLOW_USE_INITIAL_FLOW,
        1e-4,
    )?;
    let on_person =
        |p: &Point2f| person.is_some_and(|r| r.contains(core::Point::new(p.x as i32, p.y as i32)));
    Ok(corners
        .iter()
        .zip(followed.iter())
        .zip(found.iter())
        .filter(|((_, b), ok)| *ok == 1 && !on_person(b))
        .map(|((a, b), _)| (f64::from(b.x - a.x), f64::from(b.y - a.y)))
        .collect())
}

/// The corners' move: none when at least a third of them stayed put (a camera move moves them
/// all; only what moves in front of a still camera, a barbell's plates, moves some), else their
/// median move when at least half of them agree with it.
fn agreed_move(moves: &[(f64, f64)]) -> Option<(f64, f64)> {
    if moves.len() < MIN_FOLLOWED {
        return None;
    }
    let stayed = moves.iter().filter(|m| m.0.hypot(m.1) <= AGREE_PX).count();
    if 3 * stayed >= moves.len() {
        return Some((0.0, 0.0));
    }
    let xs: Vec<f64> = moves.iter().map(|m| m.0).collect();
    let ys: Vec<f64> = moves.iter().map(|m| m.1).collect();
    let (dx, dy) = (median(&xs)?, median(&ys)?);
    let agree = moves
        .iter()
        .filter(|m| (m.0 - dx).hypot(m.1 - dy) <= AGREE_PX)
        .count();
    if 2 * agree < moves.len() {
        return None;
    }
    Some(if dx.hypot(dy) < STILL_PX {
        (0.0, 0.0)
    } else {
        (dx, dy)
    })
}

fn shrink_grey(image: &Mat, scale: f64) -> Result<Mat, opencv::Error> {
    let size = Size::new(
        WORK_WIDTH,
        ((f64::from(image.rows()) * scale).round() as i32).max(1),
    );
    let mut small = Mat::default();
    imgproc::resize(image, &mut small, size, 0.0, 0.0, imgproc::INTER_LINEAR)?;
    let mut grey = Mat::default();
    imgproc::cvt_color_def(&small, &mut grey, imgproc::COLOR_BGR2GRAY)?;
    Ok(grey)
}

/// The seen landmarks' box in work pixels, grown by the margins above, inside the picture.
fn person_box(pose: &Pose, scale: f64, size: Size) -> Option<Rect> {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for l in pose.landmarks.iter().flatten() {
        x0 = x0.min(l.x);
        y0 = y0.min(l.y);
        x1 = x1.max(l.x);
        y1 = y1.max(l.y);
    }
    if x1 < x0 || y1 < y0 {
        return None;
    }
    let (mx, my) = (
        (x1 - x0) * BOX_MARGIN_SIDEWAYS,
        (y1 - y0) * BOX_MARGIN_UP_DOWN,
    );
    let clamp = |v: f64, hi: i32| ((v * scale).round() as i32).clamp(0, hi);
    let (left, top) = (clamp(x0 - mx, size.width), clamp(y0 - my, size.height));
    let (right, bottom) = (clamp(x1 + mx, size.width), clamp(y1 + my, size.height));
    (right > left && bottom > top).then(|| Rect::new(left, top, right - left, bottom - top))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A textured picture (a checker of varied squares), shifted by whole pixels.
    fn scene(width: i32, height: i32, dx: i32, dy: i32) -> Mat {
        let mut m = Mat::new_rows_cols_with_default(height, width, core::CV_8UC3, Scalar::all(0.0))
            .unwrap();
        for y in 0..height {
            for x in 0..width {
                let (u, v) = (x - dx, y - dy);
                let cell = (u.div_euclid(23) * 7 + v.div_euclid(17) * 13).rem_euclid(11);
                let value = (cell * 23) as u8;
                *m.at_2d_mut::<core::Vec3b>(y, x).unwrap() = core::Vec3b::from([value; 3]);
            }
        }
        m
    }

    #[test]
    fn a_still_camera_stays_at_zero_and_a_pan_is_followed() {
        let mut motion = CameraMotion::default();
        let first = motion.update(&scene(640, 480, 0, 0), None).unwrap();
        assert_eq!(first, CameraShift::default());
        let still = motion.update(&scene(640, 480, 0, 0), None).unwrap();
        assert_eq!(still, CameraShift::default());
        // The picture moves 20 px right and 30 px down, in two steps.
        motion.update(&scene(640, 480, 10, 15), None).unwrap();
        let moved = motion.update(&scene(640, 480, 20, 30), None).unwrap();
        assert!((moved.dx - 20.0).abs() < 3.0, "{moved:?}");
        assert!((moved.dy - 30.0).abs() < 3.0, "{moved:?}");
    }

    #[test]
    fn corners_that_disagree_say_nothing_and_a_minority_cannot_drag_the_median() {
        let still = vec![(0.0, 0.0); 10];
        let mut with_bar = still.clone();
        with_bar.extend(vec![(0.0, -6.0); 6]);
        assert_eq!(agreed_move(&with_bar), Some((0.0, 0.0)));
        // A barbell's plates outnumbering the wall two to one: still the wall says still.
        let mut bar_majority = vec![(0.0, 0.0); 5];
        bar_majority.extend(vec![(0.0, -6.0); 10]);
        assert_eq!(agreed_move(&bar_majority), Some((0.0, 0.0)));
        let panned = vec![(4.0, -3.0); 12];
        assert_eq!(agreed_move(&panned), Some((4.0, -3.0)));
        let mut split: Vec<(f64, f64)> = vec![(0.0, 3.0); 6];
        split.extend(vec![(5.0, 0.0); 5]);
        split.extend(vec![(-5.0, 3.0); 5]);
        assert_eq!(agreed_move(&split), None);
        assert_eq!(agreed_move(&still[..4]), None, "too few to say");
    }
}
