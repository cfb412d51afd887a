//! The checks an exercise profile composes: each takes a rep's frames (a [`RepWindow`]) or the
//! peaks taken from them, and the thresholds, and gives a fault [`Flag`], a "not judged" note,
//! or nothing. Peak measures are taken at the moment the clinical definition names: FPPA at
//! peak knee flexion; extremes over the rep for knee travel; the turning point for planks and
//! bridges.

use crate::geometry::bounds::{self, Against, Bounded, KneeFootReading};
use crate::geometry::{
    classify_turn, FrameMeasures, Leg, MeasureContext, Measured, NotJudged, Source, Sourced, View,
};
use crate::reps::Moment;

use super::{BodyPeak, Flag, Jump, LegPeak, Measure, Thresholds, ValgusBand};

/// The frames of one rep and where its turning point is.
#[derive(Debug, Clone, Copy)]
pub struct RepWindow<'a> {
    pub frames: &'a [FrameMeasures],
    /// Index into `frames` of the turning point.
    pub bottom: usize,
    /// The same body's frames just before `frames`, since its last movement ended: where it
    /// stood before the rep.
    pub lead_in: &'a [FrameMeasures],
    /// The pose was handed over to this body within the rep (picked up mid-movement, as a
    /// landed jumper found again after the tracker followed someone else). A body already bent
    /// at the start of a video is not: nothing says it landed.
    pub picked_up_in_window: bool,
}

impl RepWindow<'_> {
    fn moment(&self, i: usize) -> Moment {
        let f = &self.frames[i.min(self.frames.len().saturating_sub(1))];
        Moment {
            frame: f.frame,
            time_s: f.time_s,
        }
    }

    fn bottom_frame(&self) -> Option<&FrameMeasures> {
        self.frames.get(self.bottom)
    }
}

/// The first reason found, or "not seen" when the window is empty.
fn first_reason<T>(values: impl Iterator<Item = Measured<T>>) -> NotJudged {
    values
        .filter_map(|m| m.reason())
        .next()
        .unwrap_or(NotJudged::NotSeenInRep)
}

/// Largest value of a measure over the window, or why there is none.
fn max_over<T: Copy>(
    w: &RepWindow,
    get: impl Fn(&FrameMeasures) -> Measured<T>,
    key: impl Fn(&T) -> f64,
) -> Measured<T> {
    let best = w
        .frames
        .iter()
        .filter_map(|f| get(f).get())
        .max_by(|a, b| key(a).total_cmp(&key(b)));
    match best {
        Some(v) => Measured::Value(v),
        None => Measured::not_judged(first_reason(w.frames.iter().map(&get))),
    }
}

/// How far the feet rose during the rep above where they stood at its turning point, in leg
/// lengths: the most the lower ankle was ever higher. `None` when the feet were not seen at the
/// turning point.
pub fn feet_rise(w: &RepWindow) -> Option<f64> {
    let planted = w.bottom_frame()?.feet_height.get()?;
    w.frames
        .iter()
        .filter_map(|f| f.feet_height.get())
        .map(|h| h - planted)
        .fold(None, |m: Option<f64>, r| Some(m.map_or(r, |m| m.max(r))))
}

/// A jump after the turning point: the lower foot rose more than `off_floor` leg lengths above
/// where it stood at the bottom and came back within it before the window ends (a foot that
/// stays up is a step, not a jump).
pub fn jump(w: &RepWindow, off_floor: f64) -> Option<Jump> {
    let planted = w.bottom_frame()?.feet_height.get()?;
    let after = &w.frames[w.bottom..];
    let rise = |f: &FrameMeasures| f.feet_height.get().map(|h| h - planted);
    let takeoff = after
        .iter()
        .position(|f| rise(f).is_some_and(|r| r > off_floor))?;
    let touchdown = takeoff
        + after[takeoff..]
            .iter()
            .position(|f| rise(f).is_some_and(|r| r <= off_floor))?;
    let height = after[takeoff..touchdown]
        .iter()
        .filter_map(rise)
        .fold(off_floor, f64::max);
    let landing = touchdown
        + after[touchdown..]
            .iter()
            .enumerate()
            .filter_map(|(i, f)| f.hip_height.get().map(|h| (i, h)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(0, |(i, _)| i);
    Some(Jump {
        takeoff: w.moment(w.bottom + takeoff),
        touchdown: w.moment(w.bottom + touchdown),
        landing: w.moment(w.bottom + landing),
        height,
    })
}

/// Index of peak knee flexion of `leg` in the window.
pub fn peak_flexion_index(w: &RepWindow, leg: Leg) -> Option<usize> {
    w.frames
        .iter()
        .enumerate()
        .filter_map(|(i, f)| f.leg(leg).knee_flexion_deg.get().map(|s| (i, s.value)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(i, _)| i)
}

/// When a rep's leg measures are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JudgeAt {
    /// At peak knee flexion (the FPPA definition; standing exercises).
    PeakKneeFlexion,
    /// At the rep's turning point (the top of a bridge).
    TurningPoint,
}

/// One leg's judged measures for the rep; FPPA no deeper than `fppa_max_flexion_deg`.
pub fn leg_peak(w: &RepWindow, leg: Leg, when: JudgeAt, fppa_max_flexion_deg: f64) -> LegPeak {
    let at = match when {
        JudgeAt::PeakKneeFlexion => peak_flexion_index(w, leg).unwrap_or(w.bottom),
        JudgeAt::TurningPoint => w.bottom,
    };
    let frame = w.frames.get(at).map(|f| f.leg(leg));
    fn unseen<T>() -> Measured<T> {
        Measured::not_judged(NotJudged::NotSeenInRep)
    }
    let bottom = w.bottom_frame().map(|f| f.leg(leg));
    let fppa_index = deepest_measurable_fppa(w, leg, fppa_max_flexion_deg);
    let fppa_frame = fppa_index.map(|i| w.frames[i].leg(leg));
    LegPeak {
        leg,
        at: w.moment(at),
        knee_flexion_deg: frame.map(|l| l.knee_flexion_deg).unwrap_or_else(unseen),
        fppa_deg: match fppa_frame {
            Some(l) => l.fppa_deg,
            None => bottom.map(|l| l.fppa_deg).unwrap_or_else(unseen),
        },
        fppa_at: fppa_index.map(|i| w.moment(i)),
        fppa_knee_flexion_deg: fppa_frame
            .map(|l| l.knee_flexion_deg)
            .unwrap_or_else(unseen),
        fppa_bound_deg: None,
        medial_offset: fppa_frame
            .or(bottom)
            .map(|l| l.medial_offset)
            .unwrap_or_else(unseen),
        knee_foot_offset: bottom.map(|l| l.knee_foot_offset).unwrap_or_else(unseen),
        knee_foot_bound: None,
        knee_foot_at: None,
        knee_over_toe: sustained_max(w, |f| f.leg(leg).knee_over_toe),
        knee_over_toe_bound: None,
    }
}

/// The descent's deepest frame (most knee bend up to `max_flexion_deg`; the latest when bend
/// is unknown) whose FPPA could be read: single-leg squat studies read FPPA at 45–60° of knee
/// flexion, before the thigh points at the camera at the bottom. The bend may be a 3-D
/// estimate: it only picks the frame, the angle itself is the image's.
fn deepest_measurable_fppa(w: &RepWindow, leg: Leg, max_flexion_deg: f64) -> Option<usize> {
    let descent = &w.frames[..=w.bottom.min(w.frames.len().saturating_sub(1))];
    let bend = |i: usize| w.frames[i].leg(leg).knee_flexion_deg.get().map(|s| s.value);
    let measurable: Vec<usize> = descent
        .iter()
        .enumerate()
        .filter(|(_, f)| f.leg(leg).fppa_deg.value().is_some())
        .map(|(i, _)| i)
        .filter(|&i| bend(i).is_none_or(|b| b <= max_flexion_deg))
        .collect();
    if measurable.iter().all(|&i| bend(i).is_none()) {
        return measurable.last().copied();
    }
    measurable
        .iter()
        .copied()
        .filter(|&i| bend(i).is_some())
        .max_by(|&a, &b| {
            bend(a)
                .unwrap_or(0.0)
                .total_cmp(&bend(b).unwrap_or(0.0))
                .then(a.cmp(&b))
        })
}

/// Frames a peak must hold for: a single frame's spike is not a peak.
const PEAK_HOLD_FRAMES: usize = 3;

/// The largest value held over [`PEAK_HOLD_FRAMES`] consecutive measured frames (the median of
/// each run of three), or why there is none.
fn sustained_max(
    w: &RepWindow,
    get: impl Fn(&FrameMeasures) -> Measured<Sourced>,
) -> Measured<Sourced> {
    let values: Vec<Sourced> = w.frames.iter().filter_map(|f| get(f).get()).collect();
    if values.is_empty() {
        return Measured::not_judged(first_reason(w.frames.iter().map(&get)));
    }
    let n = PEAK_HOLD_FRAMES.min(values.len());
    let best = values
        .windows(n)
        .map(|run| {
            let mut sorted: Vec<Sourced> = run.to_vec();
            sorted.sort_by(|a, b| a.value.total_cmp(&b.value));
            // The median of three; of two, the lower (a peak must be held).
            sorted[(sorted.len() - 1) / 2]
        })
        .max_by(|a, b| a.value.total_cmp(&b.value));
    best.map_or_else(
        || Measured::not_judged(NotJudged::NotSeenInRep),
        Measured::Value,
    )
}

/// The rep's view: the median turn of its frames, classified with the same bounds as a frame.
pub fn rep_view(w: &RepWindow, ctx: &MeasureContext) -> (Measured<View>, Option<f64>) {
    let mut turns: Vec<f64> = w.frames.iter().filter_map(|f| f.turn_deg.get()).collect();
    if turns.is_empty() {
        return (
            Measured::not_judged(first_reason(w.frames.iter().map(|f| f.turn_deg))),
            None,
        );
    }
    turns.sort_by(f64::total_cmp);
    let turn = turns[turns.len() / 2];
    (Measured::Value(classify_turn(turn, ctx)), Some(turn))
}

/// A measure read in a view it is not valid in becomes "not judged: needs a … view", whatever
/// single frames showed: the rep's view decides.
fn in_view<T>(m: Measured<T>, measure: Measure, view: &Measured<View>) -> Measured<T> {
    let valid = measure.views();
    match view {
        Measured::Value(v) if valid.contains(v) => m,
        Measured::Value(v) => Measured::not_judged(NotJudged::WrongView {
            view: *v,
            needs: valid[0],
        }),
        Measured::NotJudged { not_judged } => Measured::not_judged(*not_judged),
    }
}

/// Applies the rep's view to every measure of its peaks, and bounds each FPPA read by the
/// rep's camera turn and the bend it was read at (no deeper than `fppa_max_flexion_deg`).
pub fn gate_by_view(
    peaks: &mut [LegPeak],
    body: &mut BodyPeak,
    view: &Measured<View>,
    turn_deg: Option<f64>,
    fppa_max_flexion_deg: f64,
) {
    for p in peaks.iter_mut() {
        p.fppa_deg = in_view(p.fppa_deg, Measure::Fppa, view);
        p.fppa_bound_deg = match (p.fppa_deg, turn_deg) {
            (Measured::Value(_), Some(turn)) => bounds::fppa_bound_deg(
                turn,
                p.fppa_knee_flexion_deg.get().map(|s| s.value),
                fppa_max_flexion_deg,
            ),
            _ => None,
        };
        p.medial_offset = in_view(p.medial_offset, Measure::MedialOffset, view);
        p.knee_foot_offset = in_view(p.knee_foot_offset, Measure::KneeFootOffset, view);
        p.knee_over_toe = in_view(p.knee_over_toe, Measure::KneeOverToe, view);
    }
    body.knee_ankle_ratio = in_view(body.knee_ankle_ratio, Measure::KneeAnkleRatio, view);
    // The bend at the bottom: the deeper leg's (unknown: the table's deepest).
    let bend = peaks
        .iter()
        .filter_map(|p| p.knee_flexion_deg.get().map(|s| s.value))
        .reduce(f64::max);
    let knee_foot_bound =
        |reading| turn_deg.and_then(|t| bounds::knee_foot_bound(t, bend, reading));
    for p in peaks.iter_mut() {
        let deepest = p.knee_flexion_deg.get().map(|s| s.value);
        p.knee_over_toe_bound = p
            .knee_over_toe
            .value()
            .and(turn_deg)
            .and_then(|t| bounds::knee_over_toe_bound(t, deepest));
        p.knee_foot_bound = p
            .knee_foot_offset
            .value()
            .and(knee_foot_bound(KneeFootReading::OneLeg));
    }
    let both_read = peaks.len() == 2 && peaks.iter().all(|p| p.knee_foot_offset.value().is_some());
    body.knee_foot_mean_bound = if both_read {
        knee_foot_bound(KneeFootReading::MeanOfBothLegs)
    } else {
        None
    };
    body.knee_ankle_bound = match (body.knee_ankle_ratio, turn_deg) {
        (Measured::Value(_), Some(turn)) => bounds::knee_ankle_bound(turn, bend),
        _ => None,
    };
    body.pelvic_drop_deg = in_view(body.pelvic_drop_deg, Measure::PelvicDrop, view);
    body.body_line_deg = in_view(body.body_line_deg, Measure::BodyLine, view);
    // Hip extension counts reps in any view, but is judged only where the image shows it.
    body.hip_flexion_deg = match (body.hip_flexion_deg, view) {
        (Measured::Value(s), Measured::Value(v)) if s.source == Source::World => {
            Measured::not_judged(NotJudged::WrongView {
                view: *v,
                needs: View::Side,
            })
        }
        (other, _) => in_view(other, Measure::HipFlexion, view),
    };
}

/// Whole-body measures for the rep.
pub fn body_peak(w: &RepWindow) -> BodyPeak {
    let unseen = || NotJudged::NotSeenInRep;
    let at_bottom = |get: &dyn Fn(&FrameMeasures) -> Measured<f64>| {
        w.bottom_frame()
            .map(get)
            .unwrap_or(Measured::not_judged(unseen()))
    };
    let rotation: Vec<f64> = w
        .frames
        .iter()
        .filter_map(|f| f.trunk_rotation_deg.get())
        .collect();
    let trunk_rotation_range_deg = if rotation.is_empty() {
        Measured::not_judged(first_reason(w.frames.iter().map(|f| f.trunk_rotation_deg)))
    } else {
        let (lo, hi) = rotation
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(*v), hi.max(*v))
            });
        Measured::Value(hi - lo)
    };
    BodyPeak {
        knee_ankle_ratio: at_bottom(&|f| f.knee_ankle_ratio),
        knee_ankle_bound: None,
        knee_foot_mean_bound: None,
        trunk_lean_deg: w
            .bottom_frame()
            .map(|f| f.trunk_lean_deg)
            .unwrap_or(Measured::not_judged(unseen())),
        pelvic_drop_deg: max_over(w, |f| f.pelvic_drop_deg, |v| v.abs()),
        body_line_deg: at_bottom(&|f| f.body_line_deg),
        hip_flexion_deg: w
            .bottom_frame()
            .map(|f| f.hip_flexion_deg)
            .unwrap_or(Measured::not_judged(unseen())),
        trunk_rotation_range_deg,
        hold_s: None,
    }
}

fn note(measure: Measure, leg: Option<Leg>, reason: NotJudged) -> Option<Flag> {
    Some(Flag::NotJudged {
        measure,
        leg,
        reason,
    })
}

/// A measure's value with its error bound, or the note to give instead: why it was not read,
/// or that no bound is known for it.
fn with_bound(
    m: Measured<f64>,
    bound: Option<f64>,
    measure: Measure,
    leg: Option<Leg>,
) -> Result<Bounded, Option<Flag>> {
    let value = match m {
        Measured::Value(v) => v,
        Measured::NotJudged { not_judged } => return Err(note(measure, leg, not_judged)),
    };
    let bound = bound.ok_or_else(|| note(measure, leg, NotJudged::NoErrorBound))?;
    Ok(Bounded { value, bound })
}

/// Peak FPPA against the task's band, with its error bound: a fault only past the limit by more
/// than the bound, ok only inside it by more than the bound, else borderline; not judged where
/// the bound alone reaches the limit (or no bound is known).
pub fn valgus(peak: &LegPeak, band: ValgusBand, t: &Thresholds) -> Option<Flag> {
    let limit = t.valgus_limit_deg(band);
    let Bounded { value: v, bound } = match with_bound(
        peak.fppa_deg,
        peak.fppa_bound_deg,
        Measure::Fppa,
        Some(peak.leg),
    ) {
        Ok(read) => read,
        Err(note) => return note,
    };
    match bounds::against_upper_limit(v, bound, limit) {
        Against::Past => Some(Flag::Valgus {
            leg: peak.leg,
            peak_fppa_deg: v,
            bound_deg: bound,
            threshold_deg: limit,
            band,
        }),
        Against::Inside => None,
        Against::Borderline => Some(Flag::Borderline {
            measure: Measure::Fppa,
            leg: Some(peak.leg),
            value: v,
            bound,
            limit,
        }),
        Against::Uncertain => note(
            Measure::Fppa,
            Some(peak.leg),
            NotJudged::Uncertain {
                bound_deg: bound,
                limit_deg: limit,
            },
        ),
    }
}

/// Bilateral: knees closer together than the ankles allow at the bottom, by more than the
/// ratio's error bound; within it, borderline.
pub fn knees_inside_ankles(body: &BodyPeak, t: &Thresholds) -> Option<Flag> {
    let limit = t.knee_ankle_ratio_min;
    let read = with_bound(
        body.knee_ankle_ratio,
        body.knee_ankle_bound,
        Measure::KneeAnkleRatio,
        None,
    );
    let Bounded { value: r, bound } = match read {
        Ok(read) => read,
        Err(note) => return note,
    };
    match bounds::against_lower_limit(r, bound, limit) {
        Against::Past => Some(Flag::KneesInsideAnkles {
            knee_ankle_ratio: r,
            bound,
            threshold: limit,
        }),
        Against::Inside => None,
        Against::Borderline | Against::Uncertain => Some(Flag::Borderline {
            measure: Measure::KneeAnkleRatio,
            leg: None,
            value: r,
            bound,
            limit,
        }),
    }
}

/// Knee over the foot read with a bound as wide as the whole foot (twice the limit, which is
/// half a foot's width) cannot place the knee against the foot at all: not judged.
fn knee_foot_uncertain(bound: f64, limit: f64) -> bool {
    bound >= 2.0 * limit
}

/// One knee's offset inside its foot, ± its bound, against the limit: a fault only past it by
/// more than the bound, ok only inside by more; not judged where the bound spans the foot.
fn knee_foot_verdict(leg: Leg, read: Bounded, limit: f64) -> Option<Flag> {
    let Bounded { value, bound } = read;
    if knee_foot_uncertain(bound, limit) && value - bound <= limit {
        return note(
            Measure::KneeFootOffset,
            Some(leg),
            NotJudged::UncertainOffset { bound, limit },
        );
    }
    match bounds::against_lower_is_better(value, bound, limit) {
        Against::Past => Some(Flag::KneeMedialToFoot {
            leg,
            offset: value,
            bound,
            threshold: limit,
        }),
        Against::Inside => None,
        Against::Borderline | Against::Uncertain => Some(Flag::Borderline {
            measure: Measure::KneeFootOffset,
            leg: Some(leg),
            value,
            bound,
            limit,
        }),
    }
}

/// One leg's knee over the foot, read where its bound allows: when the turning point's reading
/// is uncertain by more than the foot is wide, the deepest frame before it (by knee bend) whose
/// bound, at that frame's bend and the rep's camera turn, stays under the foot's width. As FPPA
/// is read before the bottom, the knee's place is then said where it could be seen.
pub fn knee_foot_where_readable(
    peak: &mut LegPeak,
    w: &RepWindow,
    turn_deg: Option<f64>,
    limit: f64,
) {
    let (Some(turn), Some(bound)) = (turn_deg, peak.knee_foot_bound) else {
        return;
    };
    if !knee_foot_uncertain(bound, limit) {
        return;
    }
    let descent = &w.frames[..=w.bottom.min(w.frames.len().saturating_sub(1))];
    let readable = descent.iter().enumerate().filter_map(|(i, f)| {
        let l = f.leg(peak.leg);
        let value = l.knee_foot_offset.get()?;
        let bend = l.knee_flexion_deg.get()?.value;
        let bound = bounds::knee_foot_bound(turn, Some(bend), KneeFootReading::OneLeg)?;
        (!knee_foot_uncertain(bound, limit)).then_some((i, value, bound, bend))
    });
    if let Some((i, value, bound, _)) =
        readable.max_by(|a, b| a.3.total_cmp(&b.3).then(a.0.cmp(&b.0)))
    {
        peak.knee_foot_offset = Measured::Value(value);
        peak.knee_foot_bound = Some(bound);
        peak.knee_foot_at = Some(w.moment(i));
    }
}

/// The knee travelled inside the foot, by more than its error bound.
pub fn knee_medial_to_foot(peak: &LegPeak, t: &Thresholds) -> Option<Flag> {
    match with_bound(
        peak.knee_foot_offset,
        peak.knee_foot_bound,
        Measure::KneeFootOffset,
        Some(peak.leg),
    ) {
        Ok(read) => knee_foot_verdict(peak.leg, read, t.knee_medial_to_foot),
        Err(note) => note,
    }
}

/// Bilateral stance: the knees' mean offset inside their feet, with the mean's own bound. A
/// body turned to the camera shifts both knees the same way in the picture (one reads medial,
/// the other lateral); the mean cancels that shift, while knees that both cave in still add
/// up, so the mean is known far better than either leg. A fault of the mean names each leg
/// past the limit (the deeper one when neither is), each with its own offset and the mean's
/// bound, the one that made the fault; a leg past the limit by more than its own bound is a
/// fault whatever the mean.
pub fn knees_medial_to_feet(peaks: &[LegPeak], body: &BodyPeak, t: &Thresholds) -> Vec<Flag> {
    let limit = t.knee_medial_to_foot;
    let values: Vec<(Leg, f64)> = peaks
        .iter()
        .filter_map(|p| p.knee_foot_offset.get().map(|v| (p.leg, v)))
        .collect();
    let Some(mean_bound) = body.knee_foot_mean_bound.filter(|_| values.len() == 2) else {
        // One leg unseen: judge what is there, leg by leg.
        return peaks
            .iter()
            .filter_map(|p| knee_medial_to_foot(p, t))
            .collect();
    };
    let one_leg_faults: Vec<Flag> = peaks
        .iter()
        .filter_map(|p| knee_medial_to_foot(p, t))
        .filter(Flag::is_fault)
        .collect();
    if !one_leg_faults.is_empty() {
        return one_leg_faults;
    }
    let mean = values.iter().map(|(_, v)| v).sum::<f64>() / values.len() as f64;
    let read = Bounded {
        value: mean,
        bound: mean_bound,
    };
    // Said of the deeper knee, with the mean's numbers.
    let (deeper, _) = values
        .iter()
        .copied()
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .unwrap_or((Leg::Left, mean));
    match knee_foot_verdict(deeper, read, limit) {
        Some(Flag::KneeMedialToFoot { bound, .. }) => {
            let over: Vec<(Leg, f64)> =
                values.iter().copied().filter(|(_, v)| *v > limit).collect();
            let named = if over.is_empty() {
                values
                    .iter()
                    .copied()
                    .filter(|(l, _)| *l == deeper)
                    .collect()
            } else {
                over
            };
            named
                .into_iter()
                .map(|(leg, offset)| Flag::KneeMedialToFoot {
                    leg,
                    offset,
                    bound,
                    threshold: limit,
                })
                .collect()
        }
        Some(Flag::Borderline { .. }) => vec![Flag::Borderline {
            measure: Measure::KneeFootOffset,
            leg: None,
            value: mean,
            bound: mean_bound,
            limit,
        }],
        Some(Flag::NotJudged { reason, .. }) => note(Measure::KneeFootOffset, None, reason)
            .into_iter()
            .collect(),
        _ => Vec::new(),
    }
}

/// The knee went past the toe by more than the limit and its error bound; within the bound,
/// borderline; not judged where the bound reaches the furthest a knee plausibly goes (a foot
/// length) and the value is not past the limit by more.
pub fn knee_past_toe(peak: &LegPeak, t: &Thresholds) -> Option<Flag> {
    let leg = Some(peak.leg);
    let s = match peak.knee_over_toe {
        Measured::Value(s) => s,
        Measured::NotJudged { not_judged: reason } => {
            return note(Measure::KneeOverToe, leg, reason)
        }
    };
    let Some(bound) = peak.knee_over_toe_bound else {
        return note(Measure::KneeOverToe, leg, NotJudged::NoErrorBound);
    };
    let limit = t.knee_past_toe;
    let verdict = bounds::against_lower_is_better(s.value, bound, limit);
    if bound >= t.max_plausible_knee_over_toe && verdict != Against::Past {
        return note(
            Measure::KneeOverToe,
            leg,
            NotJudged::UncertainKneeOverToe { bound },
        );
    }
    match verdict {
        Against::Past => Some(Flag::KneePastToe {
            leg: peak.leg,
            knee_over_toe: s.value,
            bound,
            threshold: limit,
            source: s.source,
        }),
        Against::Inside => None,
        Against::Borderline | Against::Uncertain => Some(Flag::Borderline {
            measure: Measure::KneeOverToe,
            leg,
            value: s.value,
            bound,
            limit,
        }),
    }
}

/// The pelvis dropped on the free side while standing on `stance`.
pub fn pelvic_drop(body: &BodyPeak, stance: Leg, t: &Thresholds) -> Option<Flag> {
    let free = stance.other();
    match body.pelvic_drop_deg {
        Measured::Value(v) => {
            // + means the left hip is lower.
            let drop = match free {
                Leg::Left => v,
                Leg::Right => -v,
            };
            (drop > t.pelvic_drop_deg).then_some(Flag::PelvicDrop {
                leg: free,
                drop_deg: drop,
                threshold_deg: t.pelvic_drop_deg,
            })
        }
        Measured::NotJudged { not_judged: reason } => note(Measure::PelvicDrop, None, reason),
    }
}

/// Side plank: the hip below the shoulder–ankle line at the top.
pub fn hip_sag(body: &BodyPeak, t: &Thresholds) -> Option<Flag> {
    match body.body_line_deg {
        Measured::Value(v) if -v > t.hip_sag_deg => Some(Flag::HipSag {
            body_line_deg: v,
            threshold_deg: t.hip_sag_deg,
        }),
        Measured::Value(_) => None,
        Measured::NotJudged { not_judged: reason } => note(Measure::BodyLine, None, reason),
    }
}

/// Drop landing: the knee bent too little at its deepest. Only the bend seen in the picture from
/// the side is judged; elsewhere it comes from estimated depth, which never makes a fault.
pub fn stiff_landing(peak: &LegPeak, t: &Thresholds) -> Option<Flag> {
    match peak.knee_flexion_deg {
        Measured::Value(s) if s.source == Source::World => note(
            Measure::KneeFlexion,
            Some(peak.leg),
            NotJudged::DepthEstimate,
        ),
        Measured::Value(s) if s.value < t.landing_min_knee_flexion_deg => {
            Some(Flag::StiffLanding {
                leg: peak.leg,
                knee_flexion_deg: s.value,
                threshold_deg: t.landing_min_knee_flexion_deg,
            })
        }
        Measured::Value(_) => None,
        Measured::NotJudged { not_judged: reason } => {
            note(Measure::KneeFlexion, Some(peak.leg), reason)
        }
    }
}

/// Bridge: the hip short of straight at the top.
pub fn hip_lift_low(body: &BodyPeak, t: &Thresholds) -> Option<Flag> {
    match body.hip_flexion_deg {
        Measured::Value(s) if s.value > t.bridge_top_hip_flexion_deg => Some(Flag::HipLiftLow {
            hip_flexion_deg: s.value,
            threshold_deg: t.bridge_top_hip_flexion_deg,
        }),
        Measured::Value(_) => None,
        Measured::NotJudged { not_judged: reason } => note(Measure::HipFlexion, None, reason),
    }
}

/// Valgus in a task on both legs, as the squat and the drop landing judge it: each knee's FPPA
/// against `band`, the knees against the hip–toe lines and against the ankles' width, and left
/// against right.
pub fn bilateral_valgus(
    peaks: &[LegPeak],
    body: &BodyPeak,
    band: ValgusBand,
    t: &Thresholds,
) -> Vec<Flag> {
    let mut flags: Vec<Flag> = peaks.iter().filter_map(|p| valgus(p, band, t)).collect();
    flags.extend(knees_medial_to_feet(peaks, body, t));
    flags.extend(knees_inside_ankles(body, t));
    let fppa = |leg| peaks.iter().find(|p| p.leg == leg).and_then(bounded_fppa);
    flags.extend(fppa_asymmetry(fppa(Leg::Left), fppa(Leg::Right), t));
    flags
}

/// A leg's FPPA with its bound, where both were read.
pub fn bounded_fppa(peak: &LegPeak) -> Option<Bounded> {
    Some(Bounded {
        value: peak.fppa_deg.get()?,
        bound: peak.fppa_bound_deg?,
    })
}

/// Left and right peak FPPA differing by more than the threshold plus both their error bounds,
/// with at least one knee on the valgus side (two knees pushed out by different amounts are not
/// a valgus concern).
pub fn fppa_asymmetry(
    left: Option<Bounded>,
    right: Option<Bounded>,
    t: &Thresholds,
) -> Option<Flag> {
    let (l, r) = (left?, right?);
    let difference = (l.value - r.value).abs();
    let past = bounds::against_upper_limit(difference, l.bound + r.bound, t.asymmetry_fppa_deg);
    (past == Against::Past && l.value.max(r.value) > 0.0).then_some(Flag::Asymmetry {
        measure: Measure::Fppa,
        left: l.value,
        right: r.value,
        difference,
        threshold: t.asymmetry_fppa_deg,
    })
}
