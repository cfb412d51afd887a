//! How far a 2-D measure can be from the truth, from geometry and measurement, never a guess.
//!
//! The view-error tables are the truth model's (`tests/view_error.rs`): a 3-D leg with a known
//! knee bend, frontal-plane angle and hip rotation, seen by a pinhole camera turned from square,
//! 0.3–1.5 m high and 2–4 m away; each cell is the worst gap between what the camera shows and
//! the truth. The test rebuilds them: a cell edited by hand fails there. The measured parts (the
//! camera-turn estimate's error, BlazePose's jitter) are pinned by `tests/measurement_error.rs`.

/// BlazePose's frame-to-frame FPPA noise in a still stance, twice its standard deviation
/// (tests/measurement_error.rs measures it on the shared clips).
pub const FPPA_JITTER_DEG: f64 = 3.0;
/// How far the camera-turn estimate can be from the calibrated turn: the largest gap on the four
/// calibrated Pose2Sim cameras plus twice the estimate's noise (tests/measurement_error.rs).
pub const TURN_ESTIMATE_ERROR_DEG: f64 = 10.1;
/// BlazePose's frame-to-frame noise of the knee/ankle width ratio standing still, twice its
/// standard deviation (tests/measurement_error.rs).
pub const KNEE_ANKLE_JITTER: f64 = 0.031;

/// BlazePose's frame-to-frame noise of the knee's offset from the ankle's vertical standing
/// still, in leg lengths, twice its standard deviation (tests/measurement_error.rs).
pub const KNEE_FOOT_JITTER: f64 = 0.014;

/// BlazePose's frame-to-frame noise of knee over toe standing still, in foot lengths, twice its
/// standard deviation: the knee–toe horizontal distance's noise in leg lengths, measured standing
/// still (tests/measurement_error.rs), over the foot's length in leg lengths (0.31: Winter 2009,
/// foot 0.152 H against hip to ankle 0.491 H).
pub const KNEE_OVER_TOE_JITTER: f64 = 0.027;

/// The tables' camera turns from square, degrees.
pub const TURN_STEPS_DEG: [f64; 13] = [
    0.0, 5.0, 10.0, 15.0, 20.0, 25.0, 30.0, 35.0, 40.0, 45.0, 50.0, 55.0, 60.0,
];
/// The tables' knee bends, degrees.
pub const BEND_STEPS_DEG: [f64; 13] = [
    0.0, 10.0, 20.0, 30.0, 40.0, 50.0, 60.0, 70.0, 80.0, 90.0, 100.0, 110.0, 120.0,
];

/// Worst |2-D FPPA − frontal-plane angle|, degrees, by camera turn (rows) and knee bend
/// (columns).
pub const FPPA_VIEW_ERROR_DEG: [[f64; 13]; 13] = [
    [
        2.4, 2.6, 3.4, 5.1, 7.2, 9.9, 13.4, 18.2, 24.6, 33.5, 49.7, 117.8, 173.8,
    ],
    [
        2.7, 3.3, 4.9, 7.5, 10.5, 14.2, 18.7, 24.2, 31.6, 42.7, 60.9, 151.9, 184.2,
    ],
    [
        3.0, 4.5, 6.6, 9.9, 13.6, 18.0, 23.5, 30.5, 39.8, 53.1, 71.3, 131.9, 214.3,
    ],
    [
        3.1, 5.6, 8.4, 12.4, 17.2, 22.8, 29.3, 37.9, 48.8, 61.3, 83.3, 175.1, 221.3,
    ],
    [
        3.1, 6.6, 10.4, 15.2, 20.9, 27.9, 36.0, 45.5, 56.1, 71.3, 94.9, 198.6, 228.1,
    ],
    [
        4.2, 8.4, 13.0, 18.9, 25.7, 33.5, 42.2, 51.8, 64.1, 81.9, 103.8, 158.5, 207.8,
    ],
    [
        5.4, 10.3, 15.7, 22.6, 30.2, 38.6, 47.6, 58.3, 73.1, 90.1, 113.7, 153.2, 190.6,
    ],
    [
        6.7, 12.2, 18.6, 26.2, 34.4, 43.1, 52.9, 65.9, 80.5, 97.7, 124.1, 156.1, 185.1,
    ],
    [
        8.1, 14.2, 21.5, 29.6, 38.2, 47.2, 59.1, 72.3, 86.5, 106.8, 132.3, 158.9, 184.0,
    ],
    [
        9.6, 16.2, 24.2, 32.7, 41.6, 52.3, 64.5, 77.7, 94.2, 115.2, 138.1, 161.5, 184.2,
    ],
    [
        11.2, 18.3, 26.8, 35.7, 45.1, 56.8, 69.2, 83.6, 101.7, 121.7, 142.7, 163.9, 184.9,
    ],
    [
        12.8, 20.5, 29.4, 38.4, 48.9, 60.9, 73.7, 90.1, 107.9, 126.8, 146.4, 166.1, 186.0,
    ],
    [
        14.5, 22.7, 31.7, 40.8, 52.4, 64.5, 79.2, 95.5, 112.9, 131.0, 149.4, 168.1, 187.0,
    ],
];

/// Worst |knee/ankle width ratio seen − the ratio square on, without perspective|, by camera
/// turn (rows) and knee bend (columns).
pub const KNEE_ANKLE_VIEW_ERROR: [[f64; 13]; 13] = [
    [
        0.11, 0.13, 0.16, 0.20, 0.23, 0.26, 0.29, 0.33, 0.35, 0.38, 0.41, 0.44, 0.46,
    ],
    [
        0.11, 0.13, 0.16, 0.19, 0.23, 0.26, 0.29, 0.32, 0.35, 0.38, 0.41, 0.43, 0.46,
    ],
    [
        0.11, 0.13, 0.16, 0.19, 0.22, 0.25, 0.28, 0.31, 0.34, 0.37, 0.39, 0.42, 0.44,
    ],
    [
        0.11, 0.13, 0.15, 0.18, 0.21, 0.24, 0.27, 0.30, 0.33, 0.35, 0.37, 0.39, 0.41,
    ],
    [
        0.11, 0.12, 0.15, 0.18, 0.20, 0.23, 0.26, 0.28, 0.30, 0.32, 0.34, 0.36, 0.37,
    ],
    [
        0.10, 0.12, 0.14, 0.16, 0.19, 0.21, 0.23, 0.25, 0.27, 0.29, 0.31, 0.32, 0.33,
    ],
    [
        0.10, 0.11, 0.13, 0.15, 0.17, 0.19, 0.21, 0.22, 0.24, 0.25, 0.26, 0.27, 0.28,
    ],
    [
        0.09, 0.10, 0.11, 0.13, 0.14, 0.16, 0.17, 0.19, 0.20, 0.21, 0.22, 0.22, 0.23,
    ],
    [
        0.08, 0.08, 0.10, 0.11, 0.12, 0.13, 0.14, 0.14, 0.15, 0.16, 0.16, 0.17, 0.17,
    ],
    [
        0.06, 0.07, 0.07, 0.08, 0.08, 0.09, 0.09, 0.09, 0.10, 0.10, 0.10, 0.11, 0.11,
    ],
    [
        0.10, 0.10, 0.09, 0.08, 0.07, 0.05, 0.04, 0.04, 0.06, 0.09, 0.12, 0.14, 0.16,
    ],
    [
        0.16, 0.15, 0.14, 0.12, 0.10, 0.07, 0.09, 0.12, 0.15, 0.19, 0.23, 0.26, 0.29,
    ],
    [
        0.26, 0.25, 0.23, 0.20, 0.16, 0.12, 0.17, 0.22, 0.26, 0.31, 0.37, 0.42, 0.45,
    ],
];

/// Worst |knee's offset from the ankle's vertical − the same offset square on, without
/// perspective|, one leg, in leg lengths, by camera turn (rows) and knee bend (columns).
pub const KNEE_FOOT_VIEW_ERROR: [[f64; 13]; 13] = [
    [
        0.04, 0.04, 0.04, 0.05, 0.05, 0.05, 0.05, 0.05, 0.05, 0.06, 0.06, 0.06, 0.07,
    ],
    [
        0.04, 0.05, 0.05, 0.06, 0.06, 0.07, 0.07, 0.08, 0.08, 0.09, 0.09, 0.10, 0.11,
    ],
    [
        0.04, 0.05, 0.06, 0.07, 0.08, 0.08, 0.09, 0.10, 0.11, 0.12, 0.13, 0.13, 0.14,
    ],
    [
        0.04, 0.05, 0.07, 0.08, 0.09, 0.10, 0.11, 0.12, 0.14, 0.15, 0.16, 0.17, 0.18,
    ],
    [
        0.04, 0.06, 0.07, 0.09, 0.10, 0.12, 0.14, 0.15, 0.16, 0.18, 0.19, 0.20, 0.21,
    ],
    [
        0.05, 0.07, 0.08, 0.10, 0.12, 0.14, 0.16, 0.18, 0.19, 0.21, 0.22, 0.24, 0.25,
    ],
    [
        0.05, 0.07, 0.09, 0.12, 0.14, 0.16, 0.18, 0.20, 0.22, 0.24, 0.25, 0.27, 0.29,
    ],
    [
        0.06, 0.08, 0.11, 0.13, 0.15, 0.18, 0.20, 0.22, 0.24, 0.27, 0.29, 0.31, 0.32,
    ],
    [
        0.06, 0.09, 0.12, 0.14, 0.17, 0.19, 0.22, 0.25, 0.27, 0.29, 0.32, 0.34, 0.36,
    ],
    [
        0.07, 0.10, 0.13, 0.16, 0.18, 0.21, 0.24, 0.27, 0.30, 0.32, 0.35, 0.37, 0.39,
    ],
    [
        0.08, 0.11, 0.14, 0.17, 0.20, 0.23, 0.26, 0.29, 0.32, 0.35, 0.38, 0.40, 0.42,
    ],
    [
        0.08, 0.11, 0.15, 0.18, 0.21, 0.25, 0.28, 0.31, 0.34, 0.38, 0.41, 0.43, 0.46,
    ],
    [
        0.09, 0.12, 0.16, 0.19, 0.23, 0.26, 0.30, 0.33, 0.37, 0.40, 0.43, 0.46, 0.49,
    ],
];

/// The same for the mean of both legs' offsets: a camera turned from square shifts both knees
/// the same way in the picture (one reads inwards, the other outwards), and the mean cancels it.
pub const KNEE_FOOT_MEAN_VIEW_ERROR: [[f64; 13]; 13] = [
    [
        0.03, 0.03, 0.03, 0.03, 0.04, 0.04, 0.04, 0.05, 0.05, 0.05, 0.06, 0.06, 0.06,
    ],
    [
        0.03, 0.03, 0.03, 0.03, 0.04, 0.04, 0.04, 0.05, 0.05, 0.05, 0.06, 0.06, 0.06,
    ],
    [
        0.02, 0.03, 0.03, 0.03, 0.04, 0.04, 0.04, 0.04, 0.05, 0.05, 0.05, 0.06, 0.06,
    ],
    [
        0.02, 0.02, 0.03, 0.03, 0.03, 0.04, 0.04, 0.04, 0.04, 0.04, 0.05, 0.05, 0.05,
    ],
    [
        0.02, 0.02, 0.03, 0.03, 0.03, 0.03, 0.03, 0.04, 0.04, 0.04, 0.04, 0.05, 0.04,
    ],
    [
        0.02, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.04, 0.03,
    ],
    [
        0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.04, 0.04, 0.04, 0.04, 0.04, 0.03, 0.03,
    ],
    [
        0.03, 0.03, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.04, 0.05, 0.05, 0.05, 0.04,
    ],
    [
        0.04, 0.04, 0.04, 0.04, 0.05, 0.05, 0.05, 0.05, 0.05, 0.06, 0.06, 0.06, 0.06,
    ],
    [
        0.04, 0.04, 0.05, 0.05, 0.06, 0.06, 0.06, 0.06, 0.07, 0.07, 0.07, 0.07, 0.07,
    ],
    [
        0.05, 0.05, 0.05, 0.06, 0.06, 0.07, 0.07, 0.07, 0.08, 0.08, 0.08, 0.08, 0.08,
    ],
    [
        0.05, 0.06, 0.06, 0.07, 0.07, 0.08, 0.08, 0.09, 0.09, 0.09, 0.09, 0.10, 0.10,
    ],
    [
        0.06, 0.06, 0.07, 0.08, 0.08, 0.09, 0.09, 0.10, 0.10, 0.11, 0.11, 0.11, 0.11,
    ],
];

/// Worst |knee over toe seen − the knee ahead of the toe along the foot|, in foot lengths, by
/// the camera's turn from side-on (rows) and knee bend (columns).
// A cell reads 3.14 foot lengths: the truth model's number, not π.
#[allow(clippy::approx_constant)]
pub const KNEE_OVER_TOE_VIEW_ERROR: [[f64; 13]; 13] = [
    [
        0.16, 0.17, 0.17, 0.18, 0.18, 0.19, 0.19, 0.20, 0.22, 0.23, 0.24, 0.24, 0.24,
    ],
    [
        0.18, 0.18, 0.17, 0.17, 0.16, 0.18, 0.19, 0.21, 0.22, 0.23, 0.23, 0.24, 0.24,
    ],
    [
        0.21, 0.20, 0.21, 0.21, 0.22, 0.25, 0.27, 0.29, 0.30, 0.31, 0.32, 0.32, 0.32,
    ],
    [
        0.23, 0.23, 0.24, 0.26, 0.30, 0.33, 0.36, 0.39, 0.41, 0.43, 0.45, 0.46, 0.46,
    ],
    [
        0.26, 0.26, 0.28, 0.33, 0.38, 0.43, 0.47, 0.51, 0.55, 0.57, 0.60, 0.61, 0.62,
    ],
    [
        0.30, 0.30, 0.36, 0.42, 0.49, 0.55, 0.61, 0.66, 0.70, 0.74, 0.77, 0.80, 0.81,
    ],
    [
        0.35, 0.38, 0.45, 0.54, 0.62, 0.70, 0.77, 0.84, 0.89, 0.95, 0.99, 1.02, 1.05,
    ],
    [
        0.43, 0.47, 0.57, 0.68, 0.78, 0.88, 0.98, 1.06, 1.14, 1.21, 1.27, 1.31, 1.35,
    ],
    [
        0.55, 0.61, 0.74, 0.88, 1.01, 1.14, 1.26, 1.37, 1.47, 1.56, 1.64, 1.70, 1.75,
    ],
    [
        0.73, 0.81, 0.98, 1.16, 1.34, 1.51, 1.67, 1.82, 1.95, 2.07, 2.18, 2.26, 2.33,
    ],
    [
        1.02, 1.12, 1.36, 1.61, 1.86, 2.09, 2.31, 2.52, 2.71, 2.88, 3.02, 3.14, 3.23,
    ],
    [
        1.57, 1.72, 2.07, 2.46, 2.83, 3.19, 3.53, 3.84, 4.13, 4.38, 4.60, 4.78, 4.92,
    ],
    [
        2.99, 3.28, 3.95, 4.67, 5.37, 6.04, 6.67, 7.26, 7.80, 8.28, 8.69, 9.03, 9.29,
    ],
];

/// A table's worst error over every camera turn within `turn_error_deg` of `turn_deg` and the
/// knee bend, each widened to the table's steps around it (the tables are not all monotonic:
/// the knee/ankle ratio's error dips near 50° of turn). `None` beyond the table (a turn over 60°
/// or a bend over 120°), where no bound is known.
fn worst_near(
    table: &[[f64; 13]; 13],
    turn_deg: f64,
    turn_error_deg: f64,
    bend_deg: f64,
) -> Option<f64> {
    let turn = turn_deg.abs();
    let (t0, t1) = steps_around(
        &TURN_STEPS_DEG,
        (turn - turn_error_deg).max(0.0),
        turn + turn_error_deg,
    )?;
    let bend = bend_deg.max(0.0);
    let (b0, b1) = steps_around(&BEND_STEPS_DEG, bend, bend)?;
    table[t0..=t1]
        .iter()
        .flat_map(|row| row[b0..=b1].iter().copied())
        .reduce(f64::max)
}

/// The steps at or below `lo` and at or above `hi`; `None` when `hi` is past the last step.
fn steps_around(steps: &[f64], lo: f64, hi: f64) -> Option<(usize, usize)> {
    let top = steps.iter().position(|&s| s >= hi - 1e-9)?;
    let bottom = steps.iter().rposition(|&s| s <= lo + 1e-9).unwrap_or(0);
    Some((bottom, top))
}

/// The error bound of an FPPA read with the body turned `turn_deg` from square (the rep's
/// estimate) at a knee bend of `bend_deg` (`None`: unknown, taken as `max_bend_deg`, the deepest
/// FPPA is read at): the truth model's worst error over the turns the estimate allows, plus
/// BlazePose's jitter. `None` beyond the table: no bound is known.
pub fn fppa_bound_deg(turn_deg: f64, bend_deg: Option<f64>, max_bend_deg: f64) -> Option<f64> {
    let view = worst_near(
        &FPPA_VIEW_ERROR_DEG,
        turn_deg,
        TURN_ESTIMATE_ERROR_DEG,
        bend_deg.unwrap_or(max_bend_deg),
    )?;
    Some(view + FPPA_JITTER_DEG)
}

/// The error bound of the knee/ankle width ratio at the bottom of a rep, likewise; an unknown
/// bend (or one past the table) is taken as the table's deepest.
pub fn knee_ankle_bound(turn_deg: f64, bend_deg: Option<f64>) -> Option<f64> {
    bound_at_bend(
        &KNEE_ANKLE_VIEW_ERROR,
        turn_deg,
        bend_deg,
        KNEE_ANKLE_JITTER,
    )
}

/// A table's worst error over the turns the estimate allows, at `bend_deg` (unknown, or past the
/// table: its deepest), plus `jitter`. `None` beyond the table's turns.
fn bound_at_bend(
    table: &[[f64; 13]; 13],
    turn_deg: f64,
    bend_deg: Option<f64>,
    jitter: f64,
) -> Option<f64> {
    let deepest = BEND_STEPS_DEG[BEND_STEPS_DEG.len() - 1];
    let view = worst_near(
        table,
        turn_deg,
        TURN_ESTIMATE_ERROR_DEG,
        bend_deg.unwrap_or(deepest).min(deepest),
    )?;
    Some(view + jitter)
}

/// Whose offset knee over the foot reads: one leg's, or the mean of both (a bilateral stance).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KneeFootReading {
    OneLeg,
    MeanOfBothLegs,
}

/// The error bound of the knee's offset from the ankle's vertical at the bottom of a rep (leg
/// lengths), likewise; an unknown bend (or one past the table) is taken as the table's deepest.
pub fn knee_foot_bound(
    turn_deg: f64,
    bend_deg: Option<f64>,
    reading: KneeFootReading,
) -> Option<f64> {
    let table = match reading {
        KneeFootReading::OneLeg => &KNEE_FOOT_VIEW_ERROR,
        KneeFootReading::MeanOfBothLegs => &KNEE_FOOT_MEAN_VIEW_ERROR,
    };
    bound_at_bend(table, turn_deg, bend_deg, KNEE_FOOT_JITTER)
}

/// The error bound of knee over toe (foot lengths) read with the body turned `turn_deg` from
/// square (a side view is near 90°) at a knee bend of `bend_deg` (unknown: the table's deepest):
/// the truth model's worst error over the turns from side-on the estimate allows, plus
/// BlazePose's jitter. `None` beyond the table (more than 60° from side-on).
pub fn knee_over_toe_bound(turn_deg: f64, bend_deg: Option<f64>) -> Option<f64> {
    let off_side = 90.0 - turn_deg.abs().min(90.0);
    bound_at_bend(
        &KNEE_OVER_TOE_VIEW_ERROR,
        off_side,
        bend_deg,
        KNEE_OVER_TOE_JITTER,
    )
}

/// A measured value and its error bound: the truth lies within `value ± bound`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounded {
    pub value: f64,
    pub bound: f64,
}

/// A value held against a limit, given its error bound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Against {
    /// Past the limit by more than its error.
    Past,
    /// Inside the limit by more than its error.
    Inside,
    /// Within its error of the limit.
    Borderline,
    /// Not past it by more than its error, and the error reaches the limit itself (or, for a
    /// lower limit, the value's own size): nothing can be said.
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

/// `value` ± `bound` against an upper `limit`, where a wide bound still allows a verdict when the
/// value is far from the limit (an offset whose good values lie well below it).
pub fn against_lower_is_better(value: f64, bound: f64, limit: f64) -> Against {
    if value - bound > limit {
        Against::Past
    } else if value + bound < limit {
        Against::Inside
    } else {
        Against::Borderline
    }
}

/// `value` ± `bound` against a lower `limit` (the knee/ankle ratio's).
pub fn against_lower_limit(value: f64, bound: f64, limit: f64) -> Against {
    if value + bound < limit {
        Against::Past
    } else if value - bound > limit {
        Against::Inside
    } else {
        Against::Borderline
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_is_the_worst_over_the_turns_the_estimate_allows() {
        // Square on, 40° of bend: the turn may be up to 10.1°, so up to the 15° row.
        assert_eq!(
            fppa_bound_deg(0.0, Some(40.0), 60.0),
            Some(FPPA_VIEW_ERROR_DEG[3][4] + FPPA_JITTER_DEG)
        );
        // A bend between steps is read at the step above.
        assert_eq!(
            fppa_bound_deg(3.0, Some(41.0), 60.0),
            Some(FPPA_VIEW_ERROR_DEG[3][5] + FPPA_JITTER_DEG)
        );
        // Unknown bend: the deepest FPPA is read at.
        assert_eq!(
            fppa_bound_deg(0.0, None, 60.0),
            Some(FPPA_VIEW_ERROR_DEG[3][6] + FPPA_JITTER_DEG)
        );
        assert_eq!(fppa_bound_deg(55.0, Some(10.0), 60.0), None);
        // The ratio's error is not monotonic in the turn: the worst of the rows from 25° (at or
        // below 40 − 10.1) to 55° (at or above 40 + 10.1).
        let worst = (5..=11)
            .map(|i| KNEE_ANKLE_VIEW_ERROR[i][6])
            .fold(0.0, f64::max);
        assert_eq!(
            knee_ankle_bound(40.0, Some(60.0)),
            Some(worst + KNEE_ANKLE_JITTER)
        );
        assert_eq!(
            knee_ankle_bound(-52.0, None),
            None,
            "62.1° is past the table"
        );
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
        assert_eq!(against_lower_limit(0.5, 0.2, 0.8), Against::Past);
        assert_eq!(against_lower_limit(0.9, 0.2, 0.8), Against::Borderline);
        assert_eq!(against_lower_limit(1.1, 0.2, 0.8), Against::Inside);
    }

    #[test]
    fn the_fppa_error_grows_with_turn_and_bend() {
        for i in 0..TURN_STEPS_DEG.len() {
            for j in 0..7 {
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
