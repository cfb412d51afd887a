//! How far a 2-D measure can be from the truth, from geometry and measurement, never a guess.
//!
//! [`FPPA_VIEW_ERROR_DEG`] is the truth model's table (`tests/view_error.rs`): a 3-D leg with a
//! known knee bend, frontal-plane angle and hip rotation, seen by a pinhole camera turned from
//! square, 0.3–1.5 m high and 2–4 m away; each cell is the worst gap between the FPPA the camera
//! shows and the knee's true frontal-plane angle. The test rebuilds it: a cell edited by hand
//! fails there.

/// BlazePose's frame-to-frame FPPA noise in a still hold, twice its standard deviation
/// (tests/measurement_error.rs measures it on the shared clips' holds).
pub const FPPA_JITTER_DEG: f64 = 3.0;
/// How far the camera-turn estimate can be from the calibrated turn: the largest gap on the four
/// calibrated Pose2Sim cameras plus twice the estimate's noise (tests/measurement_error.rs).
pub const TURN_ESTIMATE_ERROR_DEG: f64 = 10.1;

/// The table's camera turns from square, degrees.
pub const TURN_STEPS_DEG: [f64; 13] = [
    0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0,
];
/// The table's knee bends, degrees.
pub const BEND_STEPS_DEG: [f64; 10] = [0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0];

/// Worst |2-D FPPA − frontal-plane angle|, degrees, by camera turn (rows) and knee bend
/// (columns).
pub const FPPA_VIEW_ERROR_DEG: [[f64; 10]; 13] = [
    [2.4, 2.6, 3.4, 5.1, 7.2, 9.9, 13.4, 18.2, 24.6, 33.5],
    [2.7, 3.3, 4.9, 7.5, 10.5, 14.2, 18.7, 24.2, 31.6, 42.7],
    [3.0, 4.5, 6.6, 9.9, 13.6, 18.0, 23.5, 30.5, 39.8, 53.1],
    [3.1, 5.6, 8.4, 12.4, 17.2, 22.8, 29.3, 37.9, 48.8, 61.3],
    [3.1, 6.6, 10.4, 15.2, 20.9, 27.9, 36.0, 45.5, 56.1, 71.3],
    [4.2, 8.4, 13.0, 18.9, 25.7, 33.5, 42.2, 51.8, 64.1, 81.9],
    [5.4, 10.3, 15.7, 22.6, 30.2, 38.6, 47.6, 58.3, 73.1, 90.1],
    [6.7, 12.2, 18.6, 26.2, 34.4, 43.1, 52.9, 65.9, 80.5, 97.7],
    [8.1, 14.2, 21.5, 29.6, 38.2, 47.2, 59.1, 72.3, 86.5, 106.8],
    [9.6, 16.2, 24.2, 32.7, 41.6, 52.3, 64.5, 77.7, 94.2, 115.2],
    [11.2, 18.3, 26.8, 35.7, 45.1, 56.8, 69.2, 83.6, 101.7, 121.7],
    [12.8, 20.5, 29.4, 38.4, 48.9, 60.9, 73.7, 90.1, 107.9, 126.8],
    [14.5, 22.7, 31.7, 40.8, 52.4, 64.5, 79.2, 95.5, 112.9, 131.0],
];

/// The table's error at a camera turn and knee bend, read at the next step up of each (the error
/// grows with both, so the bound is never read low); `None` beyond the table (a turn over 60° or
/// a bend over 90°), where no bound is known.
pub fn fppa_view_error_deg(turn_deg: f64, bend_deg: f64) -> Option<f64> {
    let step_up = |steps: &[f64], v: f64| steps.iter().position(|&s| s >= v.max(0.0) - 1e-9);
    let i = step_up(&TURN_STEPS_DEG, turn_deg.abs())?;
    let j = step_up(&BEND_STEPS_DEG, bend_deg)?;
    Some(FPPA_VIEW_ERROR_DEG[i][j])
}

/// The error bound of an FPPA read with the body turned `turn_deg` from square (the rep's
/// estimate) at a knee bend of `bend_deg` (`None`: unknown, taken as `max_bend_deg`, the deepest
/// FPPA is read at): the truth model's error at the turn plus the estimate's own error, plus
/// BlazePose's jitter. `None` beyond the truth model's table: no bound is known.
pub fn fppa_bound_deg(turn_deg: f64, bend_deg: Option<f64>, max_bend_deg: f64) -> Option<f64> {
    let view = fppa_view_error_deg(
        turn_deg.abs() + TURN_ESTIMATE_ERROR_DEG,
        bend_deg.unwrap_or(max_bend_deg),
    )?;
    Some(view + FPPA_JITTER_DEG)
}

/// A value held against an upper limit, given its error bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    /// Past the limit by more than its error.
    Past,
    /// Inside the limit by more than its error.
    Inside,
    /// Within its error of the limit.
    Borderline,
    /// Not past it by more than its error, and the error reaches the limit itself: nothing can
    /// be said.
    Uncertain,
}

/// `value` ± `bound` against an upper `limit`.
pub fn against_upper_limit(value: f64, bound: f64, limit: f64) -> Against {
    if value - bound > limit {
        Against::Past
    } else if bound >= limit {
        Against::Uncertain
    } else if value + bound < limit {
        Against::Inside
    } else {
        Against::Borderline
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_is_read_at_the_next_step_up() {
        assert_eq!(fppa_view_error_deg(0.0, 0.0), Some(2.4));
        assert_eq!(fppa_view_error_deg(3.0, 41.0), Some(14.2));
        assert_eq!(fppa_view_error_deg(-10.0, 60.0), Some(23.5));
        assert_eq!(fppa_view_error_deg(61.0, 10.0), None);
        assert_eq!(fppa_view_error_deg(10.0, 95.0), None);
    }

    #[test]
    fn a_verdict_needs_the_value_past_or_inside_the_limit_by_more_than_its_error() {
        assert_eq!(against_upper_limit(20.0, 5.0, 13.0), Against::Past);
        assert_eq!(against_upper_limit(14.0, 5.0, 13.0), Against::Borderline);
        assert_eq!(against_upper_limit(9.0, 5.0, 13.0), Against::Borderline);
        assert_eq!(against_upper_limit(7.0, 5.0, 13.0), Against::Inside);
        assert_eq!(against_upper_limit(2.0, 13.0, 13.0), Against::Uncertain);
        // A value past the limit by more than even a wide error is a fault.
        assert_eq!(against_upper_limit(40.0, 20.0, 13.0), Against::Past);
    }

    #[test]
    fn the_fppa_bound_adds_the_turn_estimate_and_jitter() {
        // Square on (estimated), 40° of bend: the table at 10.1° (read at 15°) plus jitter.
        assert_eq!(fppa_bound_deg(0.0, Some(40.0), 60.0), Some(17.2 + FPPA_JITTER_DEG));
        // Unknown bend: the deepest FPPA is read at.
        assert_eq!(fppa_bound_deg(0.0, None, 60.0), Some(29.3 + FPPA_JITTER_DEG));
        assert_eq!(fppa_bound_deg(55.0, Some(10.0), 60.0), None);
    }

    #[test]
    fn the_error_grows_with_turn_and_bend() {
        for i in 0..TURN_STEPS_DEG.len() {
            for j in 0..BEND_STEPS_DEG.len() {
                if i > 0 {
                    assert!(FPPA_VIEW_ERROR_DEG[i][j] >= FPPA_VIEW_ERROR_DEG[i - 1][j]);
                }
                if j > 0 {
                    assert!(FPPA_VIEW_ERROR_DEG[i][j] >= FPPA_VIEW_ERROR_DEG[i][j - 1]);
                }
            }
        }
    }
}
