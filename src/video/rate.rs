//! Which decoded frames go on to pose (`analyze --analysis-fps`): every frame is decoded, but on
//! a 60 FPS video pose runs on about 30 a second. Decided from each frame's own timestamp, so a
//! variable-frame-rate phone video keeps all its frames at its ~30 FPS, and the frames kept still
//! carry their true times for the landmark filter.

/// The rate analysis runs at when `--analysis-fps` is not given (formcheck rule: reps last a
/// second or more and the measures are filtered at 30 Hz; on every shared clip the reps and flags
/// at 30 FPS are those at the full rate, which `tests/analysis_rate.rs` shows).
pub const DEFAULT_ANALYSIS_FPS: f64 = 30.0;

/// A frame is skipped when it comes within this fraction of a 1/N interval of the last frame
/// kept: 60 FPS halves to 30, 120 FPS thirds to 40, while 50 FPS and a phone's jittery ~30 FPS
/// (intervals of 31 to 36 ms, averaging above 30 a second) keep every frame.
const MIN_SPACING: f64 = 0.55;

#[derive(Debug, Clone)]
pub struct FramePicker {
    /// The shortest gap between kept frames, in seconds; `None` keeps every frame.
    min_gap_s: Option<f64>,
    last_kept_s: Option<f64>,
}

impl FramePicker {
    /// Keeps about `hz` frames a second (a video slower than that keeps all); `None` keeps every
    /// frame.
    pub fn new(hz: Option<f64>) -> FramePicker {
        FramePicker {
            min_gap_s: hz
                .filter(|hz| hz.is_finite() && *hz > 0.0)
                .map(|hz| MIN_SPACING / hz),
            last_kept_s: None,
        }
    }

    /// Whether the frame at `time_s` goes on to pose. Frames must come in order.
    pub fn keep(&mut self, time_s: f64) -> bool {
        let (Some(gap), true) = (self.min_gap_s, time_s.is_finite()) else {
            return true;
        };
        if self.last_kept_s.is_some_and(|last| time_s - last < gap) {
            return false;
        }
        self.last_kept_s = Some(time_s);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kept(hz: Option<f64>, times: impl IntoIterator<Item = f64>) -> Vec<f64> {
        let mut picker = FramePicker::new(hz);
        times.into_iter().filter(|&t| picker.keep(t)).collect()
    }

    #[test]
    fn sixty_fps_keeps_every_other_frame_at_thirty() {
        let times = (0..120).map(|i| i as f64 / 60.0);
        let got = kept(Some(30.0), times);
        assert_eq!(got.len(), 60);
        assert!(got
            .windows(2)
            .all(|w| (w[1] - w[0] - 1.0 / 30.0).abs() < 1e-9));
    }

    #[test]
    fn a_jittery_thirty_fps_phone_video_keeps_every_frame() {
        // iPhone variable rate: intervals between 31 and 36 ms.
        let mut t = 0.0;
        let times: Vec<f64> = (0..200)
            .map(|i| {
                t += [0.031, 0.0335, 0.036, 0.0332][i % 4];
                t
            })
            .collect();
        assert_eq!(kept(Some(30.0), times.clone()).len(), times.len());
    }

    #[test]
    fn fifty_fps_keeps_every_frame_and_a_hundred_and_twenty_keeps_forty() {
        assert_eq!(
            kept(Some(30.0), (0..500).map(|i| i as f64 / 50.0)).len(),
            500
        );
        let got = kept(Some(30.0), (0..1200).map(|i| i as f64 / 120.0));
        assert_eq!(got.len(), 400);
    }

    #[test]
    fn no_rate_keeps_everything() {
        assert_eq!(kept(None, (0..10).map(|i| i as f64 / 240.0)).len(), 10);
    }
}
