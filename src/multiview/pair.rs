//! Two uncalibrated cameras on one set, one in front and one at the side: each view is analysed
//! on its own, the two are synchronised from the movement itself, and each rep is merged so its
//! valgus comes from the view that sees it (the front) and its knee over toe from the other (the
//! side), each verdict saying which camera it came from.
//!
//! Synchronising: the rep signal (the hip's height, in each view's own leg lengths) is the same
//! event in both views. Each view's signal is laid on a common time grid and, at each offset,
//! correlated over the stretch both views cover; the correlation is weighted by how much of the
//! shorter view that stretch is, so an offset that slides one set a rep along (and drops a rep
//! off each end) scores lower than the true one, and a view that films only the start, the end
//! or the middle of the other's set (one camera started late or stopped early) still scores 1 at
//! its true offset. The offset is then refined on the reps' turning points matched across the
//! views. Pure: analyses in, offset and merged reps out.

use serde::Serialize;

use crate::analysis::Analysis;
use crate::judge::{BodyPeak, Concern, ConcernResult, ConcernStatus, LegPeak, Rep};
use crate::stats::median;

/// Signals are compared on a grid this fine, seconds (a quarter of a 60 FPS frame).
const GRID_S: f64 = 1.0 / 240.0;
/// Linear interpolation bridges gaps up to this long; longer ones stay missing.
const MAX_GAP_S: f64 = 0.25;
/// The cameras were started at most this far apart (formcheck rule: two cameras started by hand).
pub const MAX_OFFSET_S: f64 = 10.0;
/// Below this correlation the two views are not the same movement (formcheck rule: views of one
/// set score above 0.9 in the kinematic model, of different sets below 0.5).
const MIN_SCORE: f64 = 0.6;
/// The best offset must beat every offset more than [`DISTINCT_S`] away by this factor
/// (formcheck rule), or which rep matches which cannot be told...
const MIN_CONTRAST: f64 = 1.05;
/// ...or leave at most this share of the misfit (1 − score) the runner-up leaves: near a perfect
/// fit, a rep that matches another rep's shape scores within 5 % yet fits far worse (one clip cut
/// from the other: 0.99996 against 0.996, a 95 times larger misfit). Formcheck rule.
const MAX_MISFIT_SHARE: f64 = 0.25;
const DISTINCT_S: f64 = 0.5;
/// The two views must film the same stretch of the set for at least this long, or for half the
/// longer video when that is shorter (formcheck rule: about two reps at a home pace; a short
/// stretch of smooth movement correlates with almost any other).
const MIN_OVERLAP_S: f64 = 4.0;
/// Turning points of one rep seen by both cameras lie within this of each other once the offset
/// is applied.
const TURN_MATCH_S: f64 = 0.5;

/// Which camera.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Camera {
    Front,
    Side,
}

impl Camera {
    /// The other camera of the pair.
    pub fn other(self) -> Camera {
        match self {
            Camera::Front => Camera::Side,
            Camera::Side => Camera::Front,
        }
    }
}

/// How the side view lines up with the front view: side time = front time + `offset_s`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairSync {
    pub offset_s: f64,
    /// The offset from the correlation alone, before the turning points refined it.
    pub correlation_offset_s: f64,
    /// Correlation of the two movements at the offset (1: the same movement throughout).
    pub score: f64,
    /// The score over the best score more than half a second away (`None`: no other offset
    /// correlated at all).
    pub contrast: Option<f64>,
    /// Reps whose turning points were matched across the views.
    pub matched_turning_points: usize,
    /// Median distance of the matched turning points from the offset, seconds.
    pub turning_point_spread_s: Option<f64>,
}

/// Why two views cannot be judged together.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum PairError {
    #[error("the {0} view has too little movement of the person to synchronise on (is the person in it?)")]
    NoMovement(&'static str),
    #[error("the two videos film too little of the same set to line them up ({shorter_s:.1} s against {longer_s:.1} s; at least {needed_s:.1} s of the same stretch needed): film the whole set with both cameras")]
    TooShort {
        shorter_s: f64,
        longer_s: f64,
        needed_s: f64,
    },
    #[error("the two videos' movements do not match (best correlation {score:.2} at {offset_s:+.2} s, at least {MIN_SCORE} needed): not the same set, or one view does not show the person")]
    NoMatch { score: f64, offset_s: f64 },
    #[error("the two videos' movements match equally well at {offset_s:+.2} s and {other_s:+.2} s: which rep is which cannot be told; start both cameras within a rep of each other")]
    Ambiguous { offset_s: f64, other_s: f64 },
}

/// One view's rep in a merged rep.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewRep {
    /// Its number in that view's own analysis.
    pub rep: u32,
    /// Its turning point in that view's video.
    pub bottom_s: f64,
    pub bottom_frame: u64,
    pub complete: bool,
    pub view: Option<crate::geometry::View>,
    /// Its numbers in that view: each leg's peaks and the whole body's, each judged or not
    /// judged with the reason.
    pub peaks: Vec<LegPeak>,
    pub body: BodyPeak,
}

/// A concern's verdict over both views, and the camera(s) it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergedConcern {
    #[serde(flatten)]
    pub result: ConcernResult,
    pub from: Vec<Camera>,
}

/// A fault, with the camera that saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ViewFault {
    pub camera: Camera,
    pub flag: &'static str,
    pub text: String,
}

/// One rep seen by one or both cameras.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairedRep {
    pub number: u32,
    pub front: Option<ViewRep>,
    pub side: Option<ViewRep>,
    /// Done by the person: complete in a view that saw it whole.
    pub complete: bool,
    pub concerns: Vec<MergedConcern>,
    pub faults: Vec<ViewFault>,
}

/// Both views of one set, merged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pair {
    pub sync: PairSync,
    pub reps: Vec<PairedRep>,
}

/// A view's rep signal laid on the grid from `start` (front-view seconds), standardised.
struct GridSignal {
    start: f64,
    values: Vec<Option<f64>>,
    /// How many grid points have a value.
    valid: usize,
}

fn grid_signal(a: &Analysis) -> Option<GridSignal> {
    let signal = a.exercise.rep_signal();
    let samples: Vec<(f64, f64)> = a
        .frames
        .iter()
        .filter_map(|f| Some((f.time_s, signal.value(f)?)))
        .collect();
    grid_of(&samples)
}

/// Samples (time, rep signal) laid on the grid, standardised.
fn grid_of(samples: &[(f64, f64)]) -> Option<GridSignal> {
    let samples: Vec<(f64, f64)> = samples
        .iter()
        .copied()
        .filter(|(t, v)| v.is_finite() && t.is_finite())
        .collect();
    if samples.len() < 2 {
        return None;
    }
    let n = samples.len() as f64;
    let mean = samples.iter().map(|s| s.1).sum::<f64>() / n;
    let sd = (samples.iter().map(|s| (s.1 - mean).powi(2)).sum::<f64>() / n).sqrt();
    if sd <= 1e-9 {
        return None;
    }
    let start = samples[0].0;
    let end = samples[samples.len() - 1].0;
    let steps = ((end - start) / GRID_S).floor() as usize + 1;
    let mut values = Vec::with_capacity(steps);
    let mut j = 0;
    for k in 0..steps {
        let t = start + k as f64 * GRID_S;
        while j + 1 < samples.len() && samples[j + 1].0 < t {
            j += 1;
        }
        let (t0, v0) = samples[j];
        let value = match samples.get(j + 1) {
            Some(&(t1, v1)) if t1 - t0 <= MAX_GAP_S && t1 > t0 => {
                let u = ((t - t0) / (t1 - t0)).clamp(0.0, 1.0);
                Some(v0 + u * (v1 - v0))
            }
            _ if (t - t0).abs() < GRID_S => Some(v0),
            _ => None,
        };
        values.push(value.map(|v| (v - mean) / sd));
    }
    let valid = values.iter().flatten().count();
    Some(GridSignal {
        start,
        values,
        valid,
    })
}

/// How well the two signals agree with the side `lag` grid steps later than the front (at lag 0
/// the same moment in both): their correlation where both have values, times the share of the
/// shorter signal that overlap is. `None` where they overlap too little or one is flat there.
fn score_at(front: &GridSignal, side: &GridSignal, lag: i64, needed: f64) -> Option<f64> {
    // Side grid index of front grid index k: k + shift.
    let base = ((front.start - side.start) / GRID_S).round() as i64;
    let shift = base + lag;
    let mut sums = PairSums::default();
    for (k, a) in front.values.iter().enumerate() {
        let Some(a) = a else { continue };
        let i = k as i64 + shift;
        if i < 0 {
            continue;
        }
        if let Some(Some(b)) = side.values.get(i as usize) {
            sums.add(*a, *b);
        }
    }
    if sums.n < needed {
        return None;
    }
    let coverage = sums.n / front.valid.min(side.valid).max(1) as f64;
    sums.correlation().map(|r| r * coverage)
}

/// [`MIN_OVERLAP_S`] in grid points, for two recorded videos.
fn min_overlap_points(front: &GridSignal, side: &GridSignal) -> f64 {
    let longer = front.values.len().max(side.values.len()) as f64;
    (MIN_OVERLAP_S / GRID_S).min(0.5 * longer)
}

/// Running sums for a Pearson correlation.
#[derive(Default)]
struct PairSums {
    n: f64,
    a: f64,
    b: f64,
    aa: f64,
    bb: f64,
    ab: f64,
}

impl PairSums {
    fn add(&mut self, a: f64, b: f64) {
        self.n += 1.0;
        self.a += a;
        self.b += b;
        self.aa += a * a;
        self.bb += b * b;
        self.ab += a * b;
    }

    /// `None` with fewer than two pairs or a flat signal.
    fn correlation(&self) -> Option<f64> {
        if self.n < 2.0 {
            return None;
        }
        let (ma, mb) = (self.a / self.n, self.b / self.n);
        let var_a = self.aa / self.n - ma * ma;
        let var_b = self.bb / self.n - mb * mb;
        (var_a > 1e-9 && var_b > 1e-9)
            .then(|| (self.ab / self.n - ma * mb) / (var_a * var_b).sqrt())
    }
}

/// Finds the offset of the side view against the front view and merges their reps.
pub fn pair(front: &Analysis, side: &Analysis) -> Result<Pair, PairError> {
    let f = grid_signal(front).ok_or(PairError::NoMovement("front"))?;
    let s = grid_signal(side).ok_or(PairError::NoMovement("side"))?;
    let needed = min_overlap_points(&f, &s);
    let (correlation_offset_s, best, contrast) = correlate(&f, &s, needed)?;
    let front_reps: Vec<&Rep> = front.reps().collect();
    let side_reps: Vec<&Rep> = side.reps().collect();
    let matches = match_reps(&front_reps, &side_reps, correlation_offset_s);
    let mut differences: Vec<f64> = matches
        .iter()
        .filter_map(|m| match m {
            (Some(a), Some(b)) => Some(b.bottom.time_s - a.bottom.time_s),
            _ => None,
        })
        .collect();
    differences.sort_by(f64::total_cmp);
    let offset_s = median(&differences).unwrap_or(correlation_offset_s);
    let mut spread: Vec<f64> = differences.iter().map(|d| (d - offset_s).abs()).collect();
    spread.sort_by(f64::total_cmp);
    let sync = PairSync {
        offset_s,
        correlation_offset_s,
        score: best,
        contrast,
        matched_turning_points: differences.len(),
        turning_point_spread_s: median(&spread),
    };
    let concerns = front.exercise.concerns();
    let reps = match_reps(&front_reps, &side_reps, offset_s)
        .into_iter()
        .enumerate()
        .map(|(i, (a, b))| merge(i as u32 + 1, [a, b], &concerns, [NO_MATCH; 2]))
        .collect();
    Ok(Pair { sync, reps })
}

/// The side signal's offset against the front one by cross-correlation over at least `needed`
/// grid points of overlap: (offset, score, contrast), or why the two cannot be lined up.
fn correlate(
    f: &GridSignal,
    s: &GridSignal,
    needed: f64,
) -> Result<(f64, f64, Option<f64>), PairError> {
    if (f.valid.min(s.valid) as f64) < needed {
        let span = |g: &GridSignal| g.values.len() as f64 * GRID_S;
        return Err(PairError::TooShort {
            shorter_s: span(f).min(span(s)),
            longer_s: span(f).max(span(s)),
            needed_s: needed * GRID_S,
        });
    }
    let max_lag = (MAX_OFFSET_S / GRID_S).round() as i64;
    // Coarse pass every 8 steps (1/30 s), then every step around the best.
    let coarse: Vec<(i64, f64)> = (-max_lag..=max_lag)
        .step_by(8)
        .filter_map(|lag| Some((lag, score_at(f, s, lag, needed)?)))
        .collect();
    let (mut best_lag, mut best) =
        coarse
            .iter()
            .copied()
            .fold((0, f64::NEG_INFINITY), |b, c| if c.1 > b.1 { c } else { b });
    for lag in best_lag - 8..=best_lag + 8 {
        let v = score_at(f, s, lag, needed).unwrap_or(f64::NEG_INFINITY);
        if v > best {
            (best_lag, best) = (lag, v);
        }
    }
    let distinct = (DISTINCT_S / GRID_S) as i64;
    let runner_up = coarse
        .into_iter()
        .filter(|(lag, _)| (lag - best_lag).abs() > distinct)
        .fold((0, f64::NEG_INFINITY), |b, c| if c.1 > b.1 { c } else { b });
    // At lag 0 the grids are aligned on the same moment (`score_at`), so the lag is the offset.
    let lag_s = |lag: i64| lag as f64 * GRID_S;
    let correlation_offset_s = lag_s(best_lag);
    if best < MIN_SCORE {
        return Err(PairError::NoMatch {
            score: best.max(-1.0),
            offset_s: correlation_offset_s,
        });
    }
    let contrast = (runner_up.1 > 0.0).then(|| best / runner_up.1);
    let fits_far_better = (1.0 - best) <= MAX_MISFIT_SHARE * (1.0 - runner_up.1);
    if contrast.is_some_and(|c| c < MIN_CONTRAST) && !fits_far_better {
        return Err(PairError::Ambiguous {
            offset_s: correlation_offset_s,
            other_s: lag_s(runner_up.0),
        });
    }
    Ok((correlation_offset_s, best, contrast))
}

/// The reps of both views in time order, each front rep with the side rep whose turning point
/// lies within [`TURN_MATCH_S`] of its own once shifted by `offset_s`.
fn match_reps<'a>(
    front: &[&'a Rep],
    side: &[&'a Rep],
    offset_s: f64,
) -> Vec<(Option<&'a Rep>, Option<&'a Rep>)> {
    let mut out = Vec::new();
    let (mut i, mut j) = (0, 0);
    while i < front.len() || j < side.len() {
        let a = front.get(i).map(|r| r.bottom.time_s + offset_s);
        let b = side.get(j).map(|r| r.bottom.time_s);
        match (a, b) {
            (Some(a), Some(b)) if (a - b).abs() <= TURN_MATCH_S => {
                out.push((Some(front[i]), Some(side[j])));
                i += 1;
                j += 1;
            }
            (Some(a), Some(b)) if a < b => {
                out.push((Some(front[i]), None));
                i += 1;
            }
            (Some(_), None) => {
                out.push((Some(front[i]), None));
                i += 1;
            }
            _ => {
                out.push((None, Some(side[j])));
                j += 1;
            }
        }
    }
    out
}

fn view_rep(rep: &Rep) -> ViewRep {
    ViewRep {
        rep: rep.number,
        bottom_s: rep.bottom.time_s,
        bottom_frame: rep.bottom.frame,
        complete: rep.complete,
        view: rep.view.get(),
        peaks: rep.peaks.clone(),
        body: rep.body.clone(),
    }
}

/// Why a camera has no say on a rep it did not see in a recording.
const NO_MATCH: &str = "no matching rep in this view";

/// One rep from both views (front, side): per concern, a fault seen by either camera is a
/// fault; else a judgement by either is ok; else not judged, with each camera's reason (`absent`:
/// why a camera without the rep has none).
fn merge(
    number: u32,
    reps: [Option<&Rep>; 2],
    concerns: &[Concern],
    absent: [&str; 2],
) -> PairedRep {
    let views = [
        (Camera::Front, reps[0], absent[0]),
        (Camera::Side, reps[1], absent[1]),
    ];
    let mut kinds: Vec<Concern> = concerns.to_vec();
    for (_, rep, _) in &views {
        kinds.extend(
            rep.iter()
                .flat_map(|r| r.concerns.iter().map(|c| c.concern)),
        );
    }
    kinds.sort();
    kinds.dedup();
    let concerns = kinds
        .into_iter()
        .map(|concern| merged_concern(concern, &views))
        .collect();
    let faults = views
        .iter()
        .flat_map(|(camera, rep, _)| {
            rep.iter().flat_map(move |r| {
                r.faults().map(move |f| ViewFault {
                    camera: *camera,
                    flag: f.kind(),
                    text: f.describe(),
                })
            })
        })
        .collect();
    PairedRep {
        number,
        front: reps[0].map(view_rep),
        side: reps[1].map(view_rep),
        complete: views.iter().any(|(_, r, _)| r.is_some_and(|r| r.complete)),
        concerns,
        faults,
    }
}

fn merged_concern(concern: Concern, views: &[(Camera, Option<&Rep>, &str); 2]) -> MergedConcern {
    let status_in = |rep: &Rep| {
        rep.concerns
            .iter()
            .find(|c| c.concern == concern)
            .map(|c| c.status.clone())
    };
    let statuses: Vec<(Camera, Option<ConcernStatus>)> = views
        .iter()
        .map(|(camera, rep, _)| (*camera, rep.and_then(status_in)))
        .collect();
    let pick = |want: fn(&ConcernStatus) -> bool| -> Vec<(Camera, ConcernStatus)> {
        statuses
            .iter()
            .filter_map(|(c, s)| s.clone().filter(want).map(|s| (*c, s)))
            .collect()
    };
    let faults = pick(|s| matches!(s, ConcernStatus::Fault { .. }));
    let borderline = pick(|s| matches!(s, ConcernStatus::Borderline { .. }));
    let oks = pick(|s| matches!(s, ConcernStatus::Ok));
    // A fault seen by either camera stands; else a borderline reading, which one camera's ok
    // does not overrule (the other saw it within its error of the limit).
    let (status, from) = if let Some((_, first)) = faults.first() {
        (first.clone(), faults.iter().map(|(c, _)| *c).collect())
    } else if let Some((_, first)) = borderline.first() {
        (first.clone(), borderline.iter().map(|(c, _)| *c).collect())
    } else if !oks.is_empty() {
        (ConcernStatus::Ok, oks.iter().map(|(c, _)| *c).collect())
    } else {
        let reasons: Vec<String> = statuses
            .iter()
            .zip(views)
            .map(|((camera, s), (_, _, absent))| {
                let why = match s {
                    Some(ConcernStatus::NotJudged { reason }) => reason.clone(),
                    _ => absent.to_string(),
                };
                format!("{}: {why}", camera_name(*camera))
            })
            .collect();
        (
            ConcernStatus::NotJudged {
                reason: reasons.join("; "),
            },
            Vec::new(),
        )
    };
    MergedConcern {
        result: ConcernResult { concern, status },
        from,
    }
}

/// How long a rep one live camera closed waits for the other camera's view of it, past its end
/// on the other camera's clock (formcheck rule: two views of a rep close within a second).
pub const PARTNER_WAIT_S: f64 = 2.0;

/// Before the cameras are lined up, a rep waits this much longer for its partner: two streams
/// can arrive seconds apart (formcheck rule: a stream's buffer rarely holds more).
pub const UNALIGNED_WAIT_S: f64 = 5.0;
/// Seconds of each live camera's rep signal kept to line the cameras up on.
const LIVE_SYNC_WINDOW_S: f64 = 60.0;
/// While no rep has been matched, the cameras are lined up again at most this often, seconds.
const LIVE_RESYNC_EVERY_S: f64 = 0.5;

/// Why a lost live camera has no say on a rep.
const CAMERA_LOST: &str = "camera lost";

/// Whether a live camera is sending.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sending {
    Yes,
    /// Lost after its frame at this time (its clock); it may come back, and its rep under way
    /// may still close.
    Lost {
        after_s: f64,
    },
    /// Gone for good: no more reps will come from it.
    Finished,
}

/// Two live cameras' reps merged as they close. Both are stamped on one session clock; a rep's two
/// views have turning points within [`TURN_MATCH_S`] of each other once the offset between the
/// streams is taken off: the cross-correlation of their movement once both have closed a rep,
/// then the median of the matched reps' differences. A rep whose partner does not come in time,
/// or whose other camera is lost, is released alone, the missing camera's measures not judged.
#[derive(Debug, Clone)]
pub struct LivePairing {
    concerns: Vec<Concern>,
    waiting: Vec<(Camera, Rep)>,
    /// Each camera's latest frame time, and whether it is sending.
    clock: [Option<f64>; 2],
    sending: [Sending; 2],
    /// Side turning point minus front turning point of each matched rep.
    differences: Vec<f64>,
    /// Each camera's recent rep signal, and the offset their cross-correlation gave (used until
    /// a rep is matched): two streams buffer differently, so the same moment can arrive seconds
    /// apart.
    samples: [std::collections::VecDeque<(f64, f64)>; 2],
    correlated: Option<f64>,
    correlated_at: Option<f64>,
    /// Whether each camera has closed a rep: until both have, their signals are too short to
    /// line up (a part of one rep correlates confidently with the wrong moment).
    closed_a_rep: [bool; 2],
    released: u32,
}

fn slot(camera: Camera) -> usize {
    match camera {
        Camera::Front => 0,
        Camera::Side => 1,
    }
}

impl LivePairing {
    pub fn new(concerns: Vec<Concern>) -> LivePairing {
        LivePairing {
            concerns,
            waiting: Vec::new(),
            clock: [None; 2],
            sending: [Sending::Yes; 2],
            differences: Vec::new(),
            samples: Default::default(),
            correlated: None,
            correlated_at: None,
            closed_a_rep: [false; 2],
            released: 0,
        }
    }

    /// The side camera's lag behind the front one: from the reps matched so far, else from the
    /// movement's cross-correlation, else 0.
    pub fn offset_s(&self) -> f64 {
        let mut d = self.differences.clone();
        d.sort_by(f64::total_cmp);
        median(&d).or(self.correlated).unwrap_or(0.0)
    }

    /// Reps seen by both cameras so far.
    pub fn matched(&self) -> usize {
        self.differences.len()
    }

    /// A camera's rep signal at one frame (the hip's height, as the exercise counts reps).
    pub fn sample(&mut self, camera: Camera, time_s: f64, value: Option<f64>) {
        let Some(value) = value else { return };
        let kept = &mut self.samples[slot(camera)];
        kept.push_back((time_s, value));
        while kept
            .front()
            .is_some_and(|(t, _)| time_s - t > LIVE_SYNC_WINDOW_S)
        {
            kept.pop_front();
        }
    }

    /// Lines the cameras up on their movement while no rep has been matched yet.
    fn resync(&mut self, now_s: f64) {
        if !self.differences.is_empty()
            || self.closed_a_rep.contains(&false)
            || self
                .correlated_at
                .is_some_and(|t| now_s - t < LIVE_RESYNC_EVERY_S)
        {
            return;
        }
        self.correlated_at = Some(now_s);
        let [front, side] = &self.samples;
        let grids = (
            grid_of(&front.iter().copied().collect::<Vec<_>>()),
            grid_of(&side.iter().copied().collect::<Vec<_>>()),
        );
        if let (Some(f), Some(s)) = grids {
            // Streams still growing: the whole [`MIN_OVERLAP_S`], never half of a short start.
            if let Ok((offset, _, _)) = correlate(&f, &s, MIN_OVERLAP_S / GRID_S) {
                self.correlated = Some(offset);
            }
        }
    }

    /// A moment of `camera`'s clock on the front camera's clock.
    fn on_front(&self, camera: Camera, time_s: f64) -> f64 {
        match camera {
            Camera::Front => time_s,
            Camera::Side => time_s - self.offset_s(),
        }
    }

    /// A rep one camera closed: merged with the other camera's view of it if that is waiting;
    /// released alone if the other camera can no longer see it (gone, or lost before it);
    /// else held for its partner.
    pub fn push(&mut self, camera: Camera, rep: Rep) -> Vec<PairedRep> {
        self.closed_a_rep[slot(camera)] = true;
        self.correlated_at = None;
        self.resync(rep.end.time_s);
        let here = self.on_front(camera, rep.bottom.time_s);
        // The other camera's reps from before this one's window were not seen by this camera.
        let mut out = self.release_earlier_than(here, camera.other());
        let partner = self
            .waiting
            .iter()
            .enumerate()
            .filter(|(_, (c, _))| *c == camera.other())
            .map(|(i, (c, r))| (i, (self.on_front(*c, r.bottom.time_s) - here).abs()))
            .filter(|(_, d)| *d <= TURN_MATCH_S)
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(i, _)| i);
        if let Some(i) = partner {
            let (_, theirs) = self.waiting.remove(i);
            let (front, side) = match camera {
                Camera::Front => (rep, theirs),
                Camera::Side => (theirs, rep),
            };
            self.differences
                .push(side.bottom.time_s - front.bottom.time_s);
            out.push(self.merged([Some(&front), Some(&side)]));
            return out;
        }
        let unseen = match self.sending[slot(camera.other())] {
            Sending::Yes => false,
            Sending::Finished => true,
            Sending::Lost { after_s } => {
                here > self.on_front(camera.other(), after_s) + TURN_MATCH_S
            }
        };
        if unseen {
            out.push(self.alone(camera, &rep));
        } else {
            self.waiting.push((camera, rep));
        }
        out
    }

    /// A camera's frame at `time_s`: the other camera's reps it should have matched by now are
    /// released alone.
    pub fn tick(&mut self, camera: Camera, time_s: f64) -> Vec<PairedRep> {
        self.clock[slot(camera)] = Some(time_s);
        if !self.waiting.is_empty() {
            self.resync(time_s);
        }
        let offset = self.offset_s();
        let wait = if self.differences.is_empty() && self.correlated.is_none() {
            PARTNER_WAIT_S + UNALIGNED_WAIT_S
        } else {
            PARTNER_WAIT_S
        };
        let overdue = |(c, r): &(Camera, Rep)| {
            *c == camera.other() && {
                // The end of the waiting rep on this camera's clock.
                let end = match camera {
                    Camera::Side => r.end.time_s + offset,
                    Camera::Front => r.end.time_s - offset,
                };
                time_s > end + wait
            }
        };
        self.release(overdue)
    }

    /// A camera stopped sending and is being reconnected: the other's reps after its last frame
    /// are released at once from now on; those before wait for its rep under way.
    pub fn lost(&mut self, camera: Camera) {
        let after_s = self.clock[slot(camera)].unwrap_or(f64::NEG_INFINITY);
        self.sending[slot(camera)] = Sending::Lost { after_s };
    }

    /// The camera is sending again.
    pub fn resumed(&mut self, camera: Camera) {
        self.sending[slot(camera)] = Sending::Yes;
    }

    /// A camera is gone for good (its recording ended, or it did not come back), its last reps
    /// pushed: the other's waiting reps are released, and from now on released at once.
    pub fn finished(&mut self, camera: Camera) -> Vec<PairedRep> {
        self.sending[slot(camera)] = Sending::Finished;
        self.release(|(c, _)| *c == camera.other())
    }

    /// Whether the camera is sending now.
    pub fn is_sending(&self, camera: Camera) -> bool {
        self.sending[slot(camera)] == Sending::Yes
    }

    /// The session ended: every rep still waiting, released alone.
    pub fn finish(mut self) -> Vec<PairedRep> {
        self.release(|_| true)
    }

    /// Reps of `camera` waiting with a turning point before `front_time_s` (front clock) less the
    /// match window: a later rep from the other camera means they were not seen there.
    fn release_earlier_than(&mut self, front_time_s: f64, camera: Camera) -> Vec<PairedRep> {
        let offset = self.offset_s();
        self.release(|(c, r)| {
            let t = match c {
                Camera::Front => r.bottom.time_s,
                Camera::Side => r.bottom.time_s - offset,
            };
            *c == camera && t < front_time_s - TURN_MATCH_S
        })
    }

    fn release(&mut self, pick: impl Fn(&(Camera, Rep)) -> bool) -> Vec<PairedRep> {
        let (go, keep): (Vec<_>, Vec<_>) = std::mem::take(&mut self.waiting)
            .into_iter()
            .partition(|w| pick(w));
        self.waiting = keep;
        go.iter().map(|(c, r)| self.alone(*c, r)).collect()
    }

    fn alone(&mut self, camera: Camera, rep: &Rep) -> PairedRep {
        match camera {
            Camera::Front => self.merged([Some(rep), None]),
            Camera::Side => self.merged([None, Some(rep)]),
        }
    }

    fn merged(&mut self, reps: [Option<&Rep>; 2]) -> PairedRep {
        self.released += 1;
        let absent = |c: Camera| {
            if self.sending[slot(c)] == Sending::Yes {
                NO_MATCH
            } else {
                CAMERA_LOST
            }
        };
        let absent = [absent(Camera::Front), absent(Camera::Side)];
        merge(self.released, reps, &self.concerns, absent)
    }
}

pub fn camera_name(camera: Camera) -> &'static str {
    match camera {
        Camera::Front => "front camera",
        Camera::Side => "side camera",
    }
}

/// The pair's verdict in a sentence: reps, how many both cameras saw, and per concern how many
/// reps it was judged on and how many were faults.
pub fn verdict(pair: &Pair) -> String {
    let complete: Vec<&PairedRep> = pair.reps.iter().filter(|r| r.complete).collect();
    let both = complete
        .iter()
        .filter(|r| r.front.is_some() && r.side.is_some())
        .count();
    let mut kinds: Vec<Concern> = complete
        .iter()
        .flat_map(|r| r.concerns.iter().map(|c| c.result.concern))
        .collect();
    kinds.sort();
    kinds.dedup();
    let mut parts = vec![format!(
        "{} rep{} ({both} seen by both cameras)",
        complete.len(),
        if complete.len() == 1 { "" } else { "s" }
    )];
    for concern in kinds {
        let of: Vec<&MergedConcern> = complete
            .iter()
            .filter_map(|r| r.concerns.iter().find(|c| c.result.concern == concern))
            .collect();
        let judged = of
            .iter()
            .filter(|c| !matches!(c.result.status, ConcernStatus::NotJudged { .. }))
            .count();
        let count =
            |pick: fn(&ConcernStatus) -> bool| of.iter().filter(|c| pick(&c.result.status)).count();
        let faults = count(|s| matches!(s, ConcernStatus::Fault { .. }));
        let borderline = count(|s| matches!(s, ConcernStatus::Borderline { .. }));
        let name = concern.describe();
        parts.push(match (judged, faults, borderline) {
            (0, ..) => format!("{name} not judged"),
            (_, 0, 0) => format!("{name} judged on {judged}: none flagged"),
            (_, n, 0) => format!("{name} judged on {judged}: {n} flagged"),
            (_, 0, b) => format!("{name} judged on {judged}: {b} borderline"),
            (_, n, b) => format!("{name} judged on {judged}: {n} flagged, {b} borderline"),
        });
    }
    parts.join("; ")
}
