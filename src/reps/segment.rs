//! Streaming rep segmentation over one scalar signal per frame. A rep is an excursion away from
//! the rest level and back: the rest level is a robust high (or low) percentile of recent rest
//! frames, a rep starts when the excursion passes `enter`, turns at its largest excursion, and
//! ends when the signal stops coming back. Hysteresis and a noise floor, rather than a second
//! smoothing filter, keep jitter from making or splitting reps (the pose stage already smooths
//! the landmarks with its One Euro filter).

use std::collections::VecDeque;

use serde::Serialize;

use super::Moment;

/// Which way the signal moves during a rep.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    /// The signal falls during a rep (hip height in a squat).
    Down,
    /// The signal rises during a rep (hip height in a step-up).
    Up,
}

/// How one exercise's signal is segmented. Units are the signal's own.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SegmentParams {
    pub direction: Direction,
    /// Excursion from rest that starts a rep.
    pub enter: f64,
    /// Jitter of the signal at rest: changes smaller than this are not movement.
    pub noise: f64,
    /// Seconds of rest frames the rest level is taken from.
    pub rest_window_s: f64,
    /// Longest gap without a signal (person lost) a rep survives.
    pub max_gap_s: f64,
    /// A rep is complete when it came back within this fraction of its peak from rest.
    pub complete_fraction: f64,
}

/// The rest level is this percentile of recent rest frames (the 90th for `Down`, 10th for
/// `Up`): robust to a stray landmark spike, close to the true level at rest.
const REST_PERCENTILE: f64 = 0.9;

/// A rep is returning once the excursion is back under this fraction of its peak.
const RETURN_FRACTION: f64 = 0.5;

/// Boundaries are where the excursion is within this fraction of the peak from rest (then walked
/// to the local minimum), so the flat start and end of a smooth movement are found to a frame.
const BOUNDARY_FRACTION: f64 = 0.01;

/// A rep is complete when it came back within this fraction of its peak from rest ("back up").
pub const COMPLETE_FRACTION: f64 = 0.25;

/// Once back within this fraction of the peak, a rep may end as soon as the signal stops
/// moving: a person standing up slowly drifts the last few percent.
const SETTLE_FRACTION: f64 = 0.1;

/// "Stopped moving" is changing by less than the noise floor every this many seconds.
const SETTLE_TIME_S: f64 = 0.25;

/// Seconds of rest frames kept before a rep so its start can be found after the fact.
const PRE_ROLL_S: f64 = 3.0;

/// Where the segmenter is now.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    Rest,
    /// Moving away from rest, towards the turning point.
    Going,
    /// Past the turning point, coming back.
    Returning,
}

/// The rep under way, as far as it has got.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Current {
    /// First frame kept for it (the pre-roll before the start included).
    pub first: Moment,
    /// The turning point so far.
    pub peak: Moment,
    /// Largest excursion so far.
    pub depth: f64,
    /// The signal has come back from the turning point by more than the noise.
    pub turned: bool,
}

/// Coming back this many noise floors from the peak means the turning point is passed.
const TURN_NOISES: f64 = 2.0;

/// Why a segment is incomplete.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Incomplete {
    /// The video (or session) ended during the rep.
    VideoEnded,
    /// The person was lost for longer than a rep survives.
    PersonLost,
    /// The file is cut short (fewer frames than it declares) during the rep.
    FileCutShort,
    /// The video jumps ahead between two frames (a gap in its timestamps) for longer than a rep
    /// survives: what happened in between was never filmed.
    FramesMissing,
    /// The pose jumped to someone else (a person crossing the frame) during the rep: what
    /// followed was another body.
    PersonChanged,
    /// They went down again, or stopped, without coming back up.
    NotBackUp,
}

impl Incomplete {
    pub fn describe(self) -> &'static str {
        match self {
            Incomplete::VideoEnded => "the video ended during the rep",
            Incomplete::PersonLost => "the person was lost from view",
            Incomplete::FramesMissing => "the video skips ahead here (frames missing)",
            Incomplete::FileCutShort => "the file is cut short during the rep",
            Incomplete::PersonChanged => {
                "the camera's view of the person was taken over by someone else"
            }
            Incomplete::NotBackUp => "did not come back up",
        }
    }
}

/// One movement away from rest and back, as the segmenter saw it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Segment {
    pub start: Moment,
    pub bottom: Moment,
    pub end: Moment,
    /// Largest excursion from rest.
    pub depth: f64,
    /// Came back within `complete_fraction` of rest.
    pub complete: bool,
    /// Why not, when not complete.
    pub incomplete: Option<Incomplete>,
    /// Where the signal went furthest past rest on the way back, when it went past by more than
    /// a rep's start (a jump's flight): the rep then ran on through the landing.
    pub past_rest: Option<Moment>,
}

#[derive(Debug, Clone)]
struct Rep {
    baseline: f64,
    /// (moment, excursion) from the pre-roll on.
    samples: Vec<(Moment, f64)>,
    peak: (Moment, f64),
    min_after_peak: Option<(Moment, f64)>,
    /// Furthest past rest on the way back, once past by more than `enter`.
    past_rest: Option<(Moment, f64)>,
    /// After that flight: the deepest point of the landing so far, and the least excursion
    /// since it once coming back from it.
    landing: Option<(Moment, f64)>,
    after_landing: Option<(Moment, f64)>,
}

/// Streaming segmenter: [`Segmenter::push`] a value per frame, get a finished segment back.
#[derive(Debug, Clone)]
pub struct Segmenter {
    params: SegmentParams,
    /// Recent rest frames: (moment, value).
    rest: VecDeque<(Moment, f64)>,
    rep: Option<Rep>,
    phase: Phase,
    last_seen: Option<Moment>,
    last_excursion: Option<f64>,
    /// The end of the last segment: the next one never starts before it.
    floor: Option<Moment>,
}

impl Segmenter {
    pub fn new(params: SegmentParams) -> Self {
        Segmenter {
            params,
            rest: VecDeque::new(),
            rep: None,
            phase: Phase::Rest,
            last_seen: None,
            last_excursion: None,
            floor: None,
        }
    }

    pub fn phase(&self) -> Phase {
        self.phase
    }

    /// The latest excursion from rest (signal units), if any.
    pub fn excursion(&self) -> Option<f64> {
        self.last_excursion
    }

    /// The rep under way, if any.
    pub fn current(&self) -> Option<Current> {
        let rep = self.rep.as_ref()?;
        Some(Current {
            first: rep.samples.first().map_or(rep.peak.0, |(m, _)| *m),
            peak: rep.peak.0,
            depth: rep.peak.1,
            turned: self
                .last_excursion
                .is_some_and(|e| e < rep.peak.1 - TURN_NOISES * self.params.noise),
        })
    }

    /// The rest level now (frozen during a rep).
    pub fn rest_level(&self) -> Option<f64> {
        match &self.rep {
            Some(rep) => Some(rep.baseline),
            None => self.baseline(),
        }
    }

    fn baseline(&self) -> Option<f64> {
        if self.rest.is_empty() {
            return None;
        }
        let mut values: Vec<f64> = self.rest.iter().map(|(_, v)| *v).collect();
        values.sort_by(f64::total_cmp);
        let q = match self.params.direction {
            Direction::Down => REST_PERCENTILE,
            Direction::Up => 1.0 - REST_PERCENTILE,
        };
        let idx = ((values.len() - 1) as f64 * q).round() as usize;
        values.get(idx).copied()
    }

    fn excursion_of(&self, baseline: f64, value: f64) -> f64 {
        match self.params.direction {
            Direction::Down => baseline - value,
            Direction::Up => value - baseline,
        }
    }

    /// Takes one frame's signal (`None` when it could not be measured). Returns a segment when
    /// one ends with this frame, or when a gap longer than `max_gap_s` cuts one short.
    pub fn push(&mut self, at: Moment, value: Option<f64>) -> Option<Segment> {
        let Some(value) = value.filter(|v| v.is_finite()) else {
            return self.gap(at);
        };
        if let Some(cut) = self.gap(at) {
            // The rep was lost; this frame starts afresh.
            self.observe(at, value);
            return Some(cut);
        }
        self.observe(at, value)
    }

    fn gap(&mut self, at: Moment) -> Option<Segment> {
        let last = self.last_seen?;
        if at.time_s - last.time_s <= self.params.max_gap_s || self.rep.is_none() {
            return None;
        }
        let rep = self.rep.take()?;
        self.phase = Phase::Rest;
        self.last_seen = None;
        // Back-to-back frames far apart in time: the video skipped, the person did not vanish.
        let why = if at.frame == last.frame + 1 {
            Incomplete::FramesMissing
        } else {
            Incomplete::PersonLost
        };
        Some(self.close(rep, None, why))
    }

    fn observe(&mut self, at: Moment, value: f64) -> Option<Segment> {
        self.last_seen = Some(at);
        match self.rep.take() {
            None => {
                let baseline = self.baseline().unwrap_or(value);
                let e = self.excursion_of(baseline, value);
                self.last_excursion = Some(e);
                if e > self.params.enter {
                    let floor = self.floor.map(|m| m.frame);
                    let samples = self
                        .rest
                        .iter()
                        .filter(|(m, _)| at.time_s - m.time_s <= PRE_ROLL_S)
                        .filter(|(m, _)| floor.is_none_or(|f| m.frame >= f))
                        .map(|(m, v)| (*m, self.excursion_of(baseline, *v)))
                        .chain(std::iter::once((at, e)))
                        .collect();
                    self.rep = Some(Rep {
                        baseline,
                        samples,
                        peak: (at, e),
                        min_after_peak: None,
                        past_rest: None,
                        landing: None,
                        after_landing: None,
                    });
                    self.phase = Phase::Going;
                } else {
                    self.rest.push_back((at, value));
                    while let Some((m, _)) = self.rest.front() {
                        if at.time_s - m.time_s > self.params.rest_window_s {
                            self.rest.pop_front();
                        } else {
                            break;
                        }
                    }
                }
                None
            }
            Some(mut rep) => {
                let e = self.excursion_of(rep.baseline, value);
                self.last_excursion = Some(e);
                rep.samples.push((at, e));
                match self.phase {
                    Phase::Going => {
                        if e > rep.peak.1 {
                            rep.peak = (at, e);
                        } else if e <= RETURN_FRACTION * rep.peak.1 {
                            rep.min_after_peak = Some((at, e));
                            self.phase = Phase::Returning;
                        }
                        self.rep = Some(rep);
                        None
                    }
                    Phase::Returning | Phase::Rest => {
                        if e < -self.params.enter && rep.past_rest.is_none_or(|(_, p)| e < p) {
                            rep.past_rest = Some((at, e));
                        }
                        if rep.past_rest.is_some() {
                            return self.after_flight(rep, at, e);
                        }
                        let (prev_at, prev_e) = rep.min_after_peak.unwrap_or((at, e));
                        let noise = self.params.noise;
                        let level = noise.max(BOUNDARY_FRACTION * rep.peak.1);
                        let near_rest = SETTLE_FRACTION * rep.peak.1;
                        let end = if e > prev_e + noise {
                            // Went back down: the rep ended at the lowest point.
                            Some((prev_at, prev_e))
                        } else if e >= prev_e {
                            // Stopped coming back.
                            (e <= level || e <= near_rest).then_some((prev_at, prev_e))
                        } else {
                            let dt = (at.time_s - prev_at.time_s).max(f64::EPSILON);
                            let slow = (prev_e - e) / dt < noise / SETTLE_TIME_S;
                            rep.min_after_peak = Some((at, e));
                            (e <= near_rest && slow).then_some((at, e))
                        };
                        self.end_or_keep(rep, end)
                    }
                }
            }
        }
    }

    /// Ends the rep at `end`, its frames from there on rest again, or keeps it going.
    fn end_or_keep(&mut self, rep: Rep, end: Option<(Moment, f64)>) -> Option<Segment> {
        let Some((end_at, end_e)) = end else {
            self.rep = Some(rep);
            return None;
        };
        self.phase = Phase::Rest;
        // The end and the frames after it are rest again, and the only rest: the rest level
        // follows where the person stands now (a turn or a step changes it; reps with no pause
        // have no other).
        self.rest.clear();
        for (m, ex) in rep.samples.iter().filter(|(m, _)| m.frame >= end_at.frame) {
            let v = self.value_of(rep.baseline, *ex);
            self.rest.push_back((*m, v));
        }
        Some(self.close(rep, Some((end_at, end_e)), Incomplete::NotBackUp))
    }

    /// After a flight past rest the landing dips and comes back: the rep runs on through it and
    /// ends once the signal settles near rest, or turns down again into the next rep (jumps
    /// without a pause), not when it first comes down from the flight.
    fn after_flight(&mut self, mut rep: Rep, at: Moment, e: f64) -> Option<Segment> {
        let noise = self.params.noise;
        let near_rest = (SETTLE_FRACTION * rep.peak.1).max(noise);
        let previous = rep.samples.len().checked_sub(2).map(|i| rep.samples[i]);
        let settled = previous.is_some_and(|(prev_at, prev_e)| {
            let dt = (at.time_s - prev_at.time_s).max(f64::EPSILON);
            (e - prev_e).abs() / dt < noise / SETTLE_TIME_S
        });
        if e >= 0.0 && rep.landing.is_none_or(|(_, l)| e > l) && rep.after_landing.is_none() {
            rep.landing = Some((at, e));
        }
        let coming_back = rep
            .landing
            .is_some_and(|(_, l)| e < l - TURN_NOISES * noise);
        if coming_back && rep.after_landing.is_none_or(|(_, m)| e < m) {
            rep.after_landing = Some((at, e));
        }
        let end = match rep.after_landing {
            Some((low_at, low)) if e > low + noise => Some((low_at, low)),
            _ => (e.abs() <= near_rest && settled).then_some((at, e)),
        };
        self.end_or_keep(rep, end)
    }

    fn value_of(&self, baseline: f64, excursion: f64) -> f64 {
        match self.params.direction {
            Direction::Down => baseline - excursion,
            Direction::Up => baseline + excursion,
        }
    }

    /// Gives a body with no rest level yet one it was never seen at: picked up bent, it stands
    /// at `value`. Its first frame is then already a rep under way.
    pub fn seed_rest(&mut self, at: Moment, value: f64) {
        if self.rep.is_none() && self.rest.is_empty() && value.is_finite() {
            self.rest.push_back((at, value));
        }
    }

    /// Rescales the rest frames kept so far by `factor`: the signal's unit changed (the standing
    /// leg length that scales hip height grew), so the rest level stays the same place on the
    /// body instead of jumping, which would read as a rep that never happened.
    pub fn rescale_rest(&mut self, factor: f64) {
        if !(factor.is_finite() && factor > 0.0) {
            return;
        }
        for (_, v) in self.rest.iter_mut() {
            *v *= factor;
        }
    }

    /// Starts afresh, as for another person: a rep under way comes back cut (`why`), and the
    /// rest level is forgotten, since it belonged to the body seen before.
    pub fn restart(&mut self, why: Incomplete) -> Option<Segment> {
        self.rest.clear();
        self.last_seen = None;
        self.last_excursion = None;
        self.phase = Phase::Rest;
        let rep = self.rep.take()?;
        Some(self.close(rep, None, why))
    }

    /// Ends the segmenter: a rep still under way comes back incomplete (or complete, if it was
    /// already back near rest).
    pub fn finish(&mut self) -> Option<Segment> {
        let rep = self.rep.take()?;
        self.phase = Phase::Rest;
        Some(self.close(rep, None, Incomplete::VideoEnded))
    }

    /// Closes a rep; `otherwise` says why, if it did not come back within `complete_fraction`
    /// of rest (a person lost is never complete). Whatever came before the end is no longer rest.
    fn close(&mut self, rep: Rep, end: Option<(Moment, f64)>, otherwise: Incomplete) -> Segment {
        let (peak_at, depth) = rep.peak;
        let (end_at, end_e) =
            end.unwrap_or_else(|| rep.samples.last().copied().unwrap_or((peak_at, depth)));
        let cut = matches!(
            otherwise,
            Incomplete::PersonLost | Incomplete::FramesMissing | Incomplete::PersonChanged
        );
        let complete = !cut && end_e <= self.params.complete_fraction * depth;
        self.floor = Some(end_at);
        self.rest.retain(|(m, _)| m.frame >= end_at.frame);
        Segment {
            start: find_start(&rep.samples, peak_at, depth, self.params.noise),
            bottom: peak_at,
            end: end_at,
            depth,
            complete,
            incomplete: (!complete).then_some(otherwise),
            past_rest: rep.past_rest.map(|(m, _)| m),
        }
    }
}

/// The last frame before the peak that is back at rest: within the noise (or
/// `BOUNDARY_FRACTION` of the peak) of rest, then walked back while the excursion keeps falling.
fn find_start(samples: &[(Moment, f64)], peak_at: Moment, depth: f64, noise: f64) -> Moment {
    let before: Vec<&(Moment, f64)> = samples
        .iter()
        .filter(|(m, _)| m.frame <= peak_at.frame)
        .collect();
    let level = noise.max(BOUNDARY_FRACTION * depth);
    let mut i = match before.iter().rposition(|(_, e)| *e <= level) {
        Some(i) => i,
        None => {
            // Never at rest in the pre-roll: the lowest excursion before the peak.
            return before
                .iter()
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map(|(m, _)| *m)
                .unwrap_or(peak_at);
        }
    };
    // Only across neighbouring frames: the pre-roll can jump over a previous rep.
    while i > 0 && before[i - 1].1 < before[i].1 && before[i].0.frame - before[i - 1].0.frame <= 2 {
        i -= 1;
    }
    before[i].0
}

#[cfg(test)]
mod tests {
    use super::*;

    const FPS: f64 = 30.0;

    fn params(direction: Direction) -> SegmentParams {
        SegmentParams {
            direction,
            enter: 0.1,
            noise: 0.005,
            rest_window_s: 10.0,
            max_gap_s: 1.0,
            complete_fraction: COMPLETE_FRACTION,
        }
    }

    fn at(frame: u64) -> Moment {
        Moment {
            frame,
            time_s: frame as f64 / FPS,
        }
    }

    /// Half-cosine from 0 to `depth` over `n` frames.
    fn ramp(n: u64, depth: f64) -> impl Iterator<Item = f64> {
        (1..=n)
            .map(move |i| depth * (1.0 - (std::f64::consts::PI * i as f64 / n as f64).cos()) / 2.0)
    }

    /// Runs a Down-signal (1 − excursion) through a segmenter; returns segments and the one
    /// `finish` gives.
    fn run(excursions: &[Option<f64>]) -> (Vec<Segment>, Option<Segment>) {
        let mut s = Segmenter::new(params(Direction::Down));
        let mut out = Vec::new();
        for (i, e) in excursions.iter().enumerate() {
            out.extend(s.push(at(i as u64), e.map(|e| 1.0 - e)));
        }
        (out, s.finish())
    }

    fn rest(n: usize) -> Vec<Option<f64>> {
        vec![Some(0.0); n]
    }

    fn rep(down: u64, hold: usize, up: u64, depth: f64) -> Vec<Option<f64>> {
        let mut v: Vec<Option<f64>> = ramp(down, depth).map(Some).collect();
        v.extend(vec![Some(depth); hold]);
        v.extend(ramp(up, depth).map(|e| Some(depth - e)));
        v
    }

    #[test]
    fn one_rep_has_exact_boundaries() {
        let mut sig = rest(30);
        sig.extend(rep(30, 0, 30, 0.4));
        sig.extend(rest(30));
        let (segs, tail) = run(&sig);
        assert_eq!(segs.len(), 1);
        assert!(tail.is_none());
        let s = segs[0];
        assert_eq!((s.start.frame, s.bottom.frame, s.end.frame), (29, 59, 89));
        assert!(s.complete);
        assert!((s.depth - 0.4).abs() < 1e-12);
    }

    #[test]
    fn a_long_pause_at_the_bottom_is_still_one_rep() {
        let mut sig = rest(30);
        sig.extend(rep(30, 15 * 30, 30, 0.4));
        sig.extend(rest(30));
        let (segs, _) = run(&sig);
        assert_eq!(segs.len(), 1);
        assert_eq!(segs[0].bottom.frame, 59);
    }

    #[test]
    fn a_pause_half_way_up_does_not_split_the_rep() {
        let mut sig = rest(30);
        sig.extend(ramp(30, 0.4).map(Some));
        sig.extend(ramp(15, 0.2).map(|e| Some(0.4 - e)));
        sig.extend(vec![Some(0.2); 45]);
        sig.extend(ramp(15, 0.2).map(|e| Some(0.2 - e)));
        sig.extend(rest(30));
        let (segs, _) = run(&sig);
        assert_eq!(segs.len(), 1, "{segs:?}");
        assert!(segs[0].complete);
    }

    #[test]
    fn back_to_back_reps_without_rest_are_two() {
        let mut sig = rest(30);
        sig.extend(rep(30, 0, 30, 0.4));
        sig.extend(rep(30, 0, 30, 0.4));
        sig.extend(rest(30));
        let (segs, _) = run(&sig);
        assert_eq!(segs.len(), 2);
        assert_eq!(segs[0].end.frame, 89);
        assert_eq!(segs[1].start.frame, 89);
    }

    #[test]
    fn jitter_at_rest_makes_no_rep() {
        let sig: Vec<Option<f64>> = (0..600)
            .map(|i| Some(0.004 * ((i as f64) * 1.7).sin()))
            .collect();
        let (segs, tail) = run(&sig);
        assert!(segs.is_empty() && tail.is_none());
    }

    #[test]
    fn the_video_ending_at_the_bottom_leaves_an_incomplete_rep() {
        let mut sig = rest(30);
        sig.extend(rep(30, 0, 30, 0.4));
        sig.extend(rest(10));
        sig.extend(ramp(30, 0.4).map(Some));
        let (segs, tail) = run(&sig);
        assert_eq!(segs.len(), 1);
        let tail = tail.unwrap();
        assert!(!tail.complete);
        assert_eq!(tail.bottom.frame, 129);
    }

    #[test]
    fn losing_the_person_for_longer_than_the_gap_cuts_the_rep() {
        let mut sig = rest(30);
        sig.extend(ramp(30, 0.4).map(Some));
        sig.extend(vec![None; 45]);
        sig.extend(rest(30));
        let (segs, tail) = run(&sig);
        assert_eq!(segs.len(), 1);
        assert!(!segs[0].complete);
        assert!(tail.is_none());
    }

    #[test]
    fn a_jump_in_the_timestamps_cuts_the_rep_as_frames_missing_and_reps_never_overlap() {
        // Half way down, the video skips 5 s between two frames, then a whole rep follows.
        let mut sig = rest(30);
        sig.extend(ramp(30, 0.4).map(Some));
        sig.extend(rest(30));
        sig.extend(rep(30, 0, 30, 0.4));
        sig.extend(rest(30));
        let mut s = Segmenter::new(params(Direction::Down));
        let mut segs = Vec::new();
        for (i, e) in sig.iter().enumerate() {
            let mut m = at(i as u64);
            if i >= 60 {
                m.time_s += 5.0;
            }
            segs.extend(s.push(m, e.map(|e| 1.0 - e)));
        }
        segs.extend(s.finish());
        assert_eq!(segs.len(), 2, "{segs:?}");
        assert_eq!(segs[0].incomplete, Some(Incomplete::FramesMissing));
        assert!(segs[0].end.frame < 60, "the cut rep ends before the jump");
        assert!(segs[1].complete);
        assert!(segs[0].end.frame < segs[1].start.frame);
        assert!(segs[0].end.time_s < segs[1].start.time_s);
    }

    #[test]
    fn a_short_dropout_inside_a_rep_is_bridged() {
        let mut sig = rest(30);
        sig.extend(rep(30, 0, 30, 0.4));
        sig[50] = None;
        sig[51] = None;
        sig.extend(rest(30));
        let (segs, _) = run(&sig);
        assert_eq!(segs.len(), 1);
        assert!(segs[0].complete);
    }

    #[test]
    fn up_signals_count_rises() {
        let mut s = Segmenter::new(params(Direction::Up));
        let mut sig = rest(30);
        sig.extend(rep(30, 5, 30, 0.3));
        sig.extend(rest(30));
        let segs: Vec<Segment> = sig
            .iter()
            .enumerate()
            .filter_map(|(i, e)| s.push(at(i as u64), e.map(|e| 2.0 + e)))
            .collect();
        assert_eq!(segs.len(), 1);
        assert_eq!(segs[0].bottom.frame, 59);
        assert!(segs[0].complete);
    }
}
