//! The One Euro filter (Casiez et al. 2012) exactly as MediaPipe implements it in
//! `mediapipe/util/filtering/one_euro_filter.cc` and `low_pass_filter.cc` (v0.10.21), including
//! its quirks: timestamps in whole microseconds, the rate taken from the gap between calls, the
//! derivative from the previous *raw* value, and a call whose time does not advance passing its
//! value through untouched. Pure: no OpenCV, so geometry can smooth its own signals with it.

/// MediaPipe refuses rates and cut-offs at or below this.
const EPSILON: f64 = 1e-6;

/// First-order low-pass `y = α·x + (1-α)·y_prev`; the first value passes through.
#[derive(Debug, Clone, PartialEq)]
pub struct LowPassFilter {
    alpha: f64,
    /// (last raw input, last output), once a value has been seen.
    last: Option<(f64, f64)>,
}

impl LowPassFilter {
    /// `alpha` outside [0, 1] is ignored as MediaPipe does; callers here pass constants.
    pub fn new(alpha: f64) -> Self {
        LowPassFilter {
            alpha: if (0.0..=1.0).contains(&alpha) {
                alpha
            } else {
                1.0
            },
            last: None,
        }
    }

    pub fn apply(&mut self, value: f64) -> f64 {
        let out = match self.last {
            Some((_, prev)) => self.alpha * value + (1.0 - self.alpha) * prev,
            None => value,
        };
        self.last = Some((value, out));
        out
    }

    pub fn apply_with_alpha(&mut self, value: f64, alpha: f64) -> f64 {
        if (0.0..=1.0).contains(&alpha) {
            self.alpha = alpha;
        }
        self.apply(value)
    }

    pub fn last_raw(&self) -> Option<f64> {
        self.last.map(|(raw, _)| raw)
    }

    pub fn last_value(&self) -> Option<f64> {
        self.last.map(|(_, out)| out)
    }

    pub fn reset(&mut self) {
        self.last = None;
    }
}

/// One Euro parameters, named as in MediaPipe's `OneEuroFilter` options.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OneEuroSettings {
    /// Rate assumed until two timestamps give a real one (Hz). MediaPipe's default is 30.
    pub frequency: f64,
    /// Cut-off at rest (Hz): lower = smoother when still.
    pub min_cutoff: f64,
    /// How fast the cut-off rises with speed: higher = less lag when moving.
    pub beta: f64,
    /// Cut-off of the speed estimate (Hz).
    pub derivate_cutoff: f64,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OneEuroError {
    #[error("One Euro filter: {name} must be > 0, got {value}")]
    NotPositive { name: &'static str, value: f64 },
}

/// One scalar signal through MediaPipe's One Euro filter.
#[derive(Debug, Clone, PartialEq)]
pub struct OneEuroFilter {
    settings: OneEuroSettings,
    frequency: f64,
    x: LowPassFilter,
    dx: LowPassFilter,
    /// Nanoseconds of the last call; -1 before the first, as MediaPipe's `kUninitializedTimestamp`.
    last_time_ns: i64,
}

impl OneEuroFilter {
    pub fn new(settings: OneEuroSettings) -> Result<Self, OneEuroError> {
        for (name, value) in [
            ("frequency", settings.frequency),
            ("min_cutoff", settings.min_cutoff),
            ("derivate_cutoff", settings.derivate_cutoff),
        ] {
            if value.is_nan() || value <= EPSILON {
                return Err(OneEuroError::NotPositive { name, value });
            }
        }
        let mut filter = OneEuroFilter {
            settings,
            frequency: settings.frequency,
            x: LowPassFilter::new(1.0),
            dx: LowPassFilter::new(1.0),
            last_time_ns: -1,
        };
        filter.x = LowPassFilter::new(filter.alpha(settings.min_cutoff));
        filter.dx = LowPassFilter::new(filter.alpha(settings.derivate_cutoff));
        Ok(filter)
    }

    pub fn settings(&self) -> &OneEuroSettings {
        &self.settings
    }

    fn alpha(&self, cutoff: f64) -> f64 {
        let te = 1.0 / self.frequency;
        let tau = 1.0 / (2.0 * std::f64::consts::PI * cutoff);
        1.0 / (1.0 + tau / te)
    }

    /// Filters `value` seen at `time_s` (seconds; MediaPipe's packet clock has whole
    /// microseconds, so the time is rounded to one). `value_scale` multiplies the speed before it
    /// sets the cut-off: MediaPipe passes 1 / object size so that the same settings suit a near
    /// and a far person.
    pub fn apply(&mut self, time_s: f64, value: f64, value_scale: f64) -> f64 {
        let now_ns = (time_s * 1e6).round() as i64 * 1000;
        if self.last_time_ns >= now_ns {
            // MediaPipe: "Results are unpredictable in this case": the value passes unfiltered.
            return value;
        }
        if self.last_time_ns != 0 && now_ns != 0 {
            self.frequency = 1.0 / ((now_ns - self.last_time_ns) as f64 * 1e-9);
        }
        self.last_time_ns = now_ns;

        let speed = match self.x.last_raw() {
            Some(prev) => (value - prev) * value_scale * self.frequency,
            None => 0.0,
        };
        let derivate_alpha = self.alpha(self.settings.derivate_cutoff);
        let smoothed_speed = self.dx.apply_with_alpha(speed, derivate_alpha);
        let cutoff = self.settings.min_cutoff + self.settings.beta * smoothed_speed.abs();
        let alpha = self.alpha(cutoff);
        self.x.apply_with_alpha(value, alpha)
    }

    /// Forgets the signal (next value passes through), keeping the settings.
    pub fn reset(&mut self) {
        self.frequency = self.settings.frequency;
        self.x.reset();
        self.dx.reset();
        self.last_time_ns = -1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(frequency: f64, min_cutoff: f64, beta: f64, derivate_cutoff: f64) -> OneEuroFilter {
        OneEuroFilter::new(OneEuroSettings {
            frequency,
            min_cutoff,
            beta,
            derivate_cutoff,
        })
        .unwrap()
    }

    // Ported from MediaPipe's one_euro_filter_test.cc (OneEuroFilterTest.*), same numbers and
    // tolerances; the exact values below them are what the C++ arithmetic gives by hand.

    #[test]
    fn invalid_values_are_refused() {
        let err = OneEuroFilter::new(OneEuroSettings {
            frequency: 1.0,
            min_cutoff: 0.0,
            beta: 1.0,
            derivate_cutoff: 0.0,
        })
        .unwrap_err();
        assert!(err.to_string().contains("min_cutoff"), "{err}");
    }

    #[test]
    fn valid_value_checks() {
        // TEST(OneEuroFilterTest, OneEuroFilterValidValueChecks)
        let mut f = filter(1.0, 0.001, 1.0, 0.001);
        assert_eq!(f.apply(0.0, 2.0, 1.0), 2.0);
        let second = f.apply(1e-6, 100.0, 1.0);
        assert!((second - 79.8).abs() < 0.2, "{second}");
        // By hand: the rate stays 1 Hz (the previous call was at t = 0), speed 98,
        // α_d = 1/(1+1/(2π·0.001)), cut-off 0.001 + α_d·98, then α·100 + (1-α)·2.
        let ad = 1.0 / (1.0 + 1.0 / (2.0 * std::f64::consts::PI * 0.001));
        let cutoff = 0.001 + ad * 98.0;
        let a = 1.0 / (1.0 + 1.0 / (2.0 * std::f64::consts::PI * cutoff));
        assert!((second - (a * 100.0 + (1.0 - a) * 2.0)).abs() < 1e-9);
    }

    #[test]
    fn valid_value_filter() {
        // TEST(OneEuroFilterTest, OneEuroFilterValidValueFilter)
        let mut f = filter(1.0, 0.1, 0.0, 0.1);
        assert_eq!(f.apply(1.0, 2.0, 1.0), 2.0);
        let second = f.apply(2.0, 3.0, 1.0);
        assert!((second - 2.4).abs() < 0.1, "{second}");
        let third = f.apply(3.0, 4.0, 1.0);
        assert!((third - 3.0).abs() < 0.1, "{third}");
        // beta = 0: a fixed low-pass with α = 1/(1 + 1/(2π·0.1)) at 1 Hz.
        let a = 1.0 / (1.0 + 1.0 / (2.0 * std::f64::consts::PI * 0.1));
        let expect2 = a * 3.0 + (1.0 - a) * 2.0;
        assert!((second - expect2).abs() < 1e-12);
        assert!((third - (a * 4.0 + (1.0 - a) * expect2)).abs() < 1e-12);
    }

    #[test]
    fn time_that_does_not_advance_passes_the_value_through() {
        let mut f = filter(30.0, 0.05, 80.0, 1.0);
        f.apply(0.1, 1.0, 1.0);
        assert_eq!(f.apply(0.1, 5.0, 1.0), 5.0);
        assert_eq!(f.apply(0.05, 7.0, 1.0), 7.0);
    }

    #[test]
    fn still_signal_stays_put_and_step_is_smoothed() {
        let mut f = filter(30.0, 0.05, 80.0, 1.0);
        for i in 0..10 {
            assert!((f.apply(i as f64 / 30.0, 10.0, 0.01) - 10.0).abs() < 1e-12);
        }
        let after_step = f.apply(10.0 / 30.0, 20.0, 0.01);
        assert!(after_step > 10.0 && after_step < 20.0, "{after_step}");
    }

    #[test]
    fn reset_forgets_the_signal() {
        let mut f = filter(30.0, 0.05, 80.0, 1.0);
        f.apply(0.0, 1.0, 1.0);
        f.apply(1.0 / 30.0, 2.0, 1.0);
        f.reset();
        assert_eq!(f.apply(2.0 / 30.0, 50.0, 1.0), 50.0);
    }

    #[test]
    fn low_pass_first_value_passes_then_blends() {
        let mut lp = LowPassFilter::new(0.1);
        assert_eq!(lp.apply(1.0), 1.0);
        assert!((lp.apply(0.0) - 0.9).abs() < 1e-12);
        assert_eq!(lp.last_raw(), Some(0.0));
    }
}
