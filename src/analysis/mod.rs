//! Analysis: geometry → reps → judge for one stream of frames. [`Analyzer`] is streaming, one
//! [`PoseFrame`] in and one [`FrameUpdate`] out, so batch (`formcheck analyze`) and live mode
//! share every step; [`Analyzer::finish`] closes an unfinished rep as incomplete and builds the
//! [`Analysis`] that outputs write. [`analyze_frames`] runs it over a landmark file's frames.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::exercise::{self, Exercise, ExerciseError, LegMode, Side};
use crate::geometry::bounds::Bounded;
use crate::geometry::{crouch, measure, FrameMeasures, Leg, MeasureContext, NotJudged, View};
use crate::judge::checks::{self, RepWindow};
use crate::judge::{
    outcome, rep_quality, BodyPeak, ConcernResult, ConcernStatus, Flag, Jump, LegPeak, Measure,
    Outcome, Rep, RepSet, Thresholds,
};
use crate::landmarks::PoseFrame;
use crate::reps::{Incomplete, Moment, Phase, Segment, Segmenter};

mod settings;
pub use settings::{ConfigFile, JudgeSettings, ThresholdOrigin};

/// Live mode keeps this many seconds of frames (enough for the longest rep); batch keeps all.
const LIVE_HISTORY_S: f64 = 120.0;

/// The summary's note when no frame had a person in it.
pub const NO_PERSON_NOTE: &str = "no person was detected in any frame";

/// Seconds before a rep in which the profile may look at where the body stood (a landing's box).
const LEAD_IN_S: f64 = 5.0;

/// Complete reps a set needs before its own depth, not the exercise's minimum, says what a rep
/// is: fewer give no stable median.
const TIRED_SET_REPS: usize = 3;

/// Errors setting an analysis up; each names the flag or file at fault.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("--exercise is required; choose one of: {known} (see `formcheck exercises`)")]
    NoExercise { known: String },
    #[error(transparent)]
    Exercise(#[from] ExerciseError),
}

/// A cue to show or say now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cue {
    pub text: &'static str,
    pub flag: Flag,
}

impl Cue {
    fn of(exercise: &dyn Exercise, flag: Flag) -> Cue {
        Cue {
            text: exercise.cue(&flag),
            flag,
        }
    }
}

/// A movement that was not counted, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rejected {
    pub start: Moment,
    pub bottom: Moment,
    pub end: Moment,
    pub depth: f64,
    pub reason: String,
}

/// What one frame changed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameUpdate {
    pub measures: FrameMeasures,
    pub phase: Phase,
    /// How far the rep signal is from rest now (signal units), when measurable.
    pub excursion: Option<f64>,
    /// Complete reps so far.
    pub complete_reps: u32,
    /// The set the next (or current) rep belongs to.
    pub set: u32,
    /// A rep that ended with this frame.
    pub completed_rep: Option<Rep>,
    /// A movement that ended with this frame and did not count.
    pub rejected: Option<Rejected>,
    /// Something to tell the user now: a fault seen by the rep's turning point, or at its end
    /// (each kind once a rep).
    pub cue: Option<Cue>,
}

/// Totals over the analysis.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub frames: u64,
    pub detected_frames: u64,
    pub complete_reps: u32,
    pub incomplete_reps: u32,
    /// Complete reps with at least one fault.
    pub flagged_reps: u32,
    /// Faults by kind over complete reps.
    pub flag_counts: BTreeMap<&'static str, u32>,
    /// Left/right differences over the whole analysis (mean peak FPPA per leg).
    pub asymmetry: Vec<Flag>,
    /// The view the camera saw most often.
    pub view: Option<View>,
    /// The views the exercise can be judged from.
    pub views_judged: Vec<View>,
    /// Things the user should know (wrong view, measures never judged, …).
    pub notes: Vec<String>,
}

/// The whole result; everything outputs write.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    #[serde(serialize_with = "exercise_name")]
    pub exercise: &'static dyn Exercise,
    #[serde(serialize_with = "side_name")]
    pub side: Option<Side>,
    pub thresholds: Thresholds,
    pub frames: Vec<FrameMeasures>,
    pub sets: Vec<RepSet>,
    pub rejected: Vec<Rejected>,
    pub summary: Summary,
}

impl std::fmt::Debug for dyn Exercise {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

fn exercise_name<S: Serializer>(e: &&'static dyn Exercise, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(e.name())
}

fn side_name<S: Serializer>(side: &Option<Side>, s: S) -> Result<S::Ok, S::Error> {
    match side {
        None => s.serialize_none(),
        Some(side) => s.serialize_str(side.name()),
    }
}

impl Analysis {
    /// Every rep in order, complete or not.
    pub fn reps(&self) -> impl Iterator<Item = &Rep> {
        self.sets.iter().flat_map(|s| s.reps.iter())
    }
}

/// The streaming analyser shared by batch and live.
pub struct Analyzer {
    exercise: &'static dyn Exercise,
    side: Option<Side>,
    thresholds: Thresholds,
    ctx: MeasureContext,
    segmenter: Segmenter,
    /// Frames kept (all in batch, the recent ones live), in push order.
    frames: Vec<FrameMeasures>,
    keep_all: bool,
    reps: Vec<Rep>,
    rejected: Vec<Rejected>,
    set: u32,
    last_rep_end_s: Option<f64>,
    /// Cue kinds already given in the rep under way.
    cued: Vec<&'static str>,
    /// The rep under way was judged at its turning point.
    turn_cued: bool,
    /// The working leg of the set under way (single-leg exercises), kept across its reps.
    set_leg: Option<Leg>,
    total_frames: u64,
    detected_frames: u64,
    /// The frame the body followed now was first seen (at its first detection, or when the pose
    /// was handed over to someone else).
    body_since: Option<u64>,
    /// That body was handed over mid-video (someone else was followed before it), not seen from
    /// the first detection.
    body_handed_over: bool,
    /// The last frame of the last movement closed (rep or not).
    last_segment_end: Option<u64>,
}

/// The exercise and thresholds the settings name; fails when no exercise was given, saying which
/// exist.
pub fn resolve_settings(
    settings: &JudgeSettings,
) -> Result<(&'static dyn Exercise, Thresholds), AnalysisError> {
    let exercise = settings.exercise.ok_or_else(|| AnalysisError::NoExercise {
        known: exercise::all()
            .iter()
            .map(|e| e.name())
            .collect::<Vec<_>>()
            .join(", "),
    })?;
    Ok((exercise, settings.thresholds.clone()))
}

impl Analyzer {
    /// An analyser that keeps every frame's measures for [`Analyzer::finish`] (batch).
    pub fn new(
        exercise: &'static dyn Exercise,
        side: Option<Side>,
        thresholds: Thresholds,
    ) -> Self {
        let segmenter = Segmenter::new(
            exercise
                .rep_signal()
                .segment_params(exercise.min_depth(&thresholds)),
        );
        Analyzer {
            exercise,
            side,
            ctx: thresholds.measure_context(),
            thresholds,
            segmenter,
            frames: Vec::new(),
            keep_all: true,
            reps: Vec::new(),
            rejected: Vec::new(),
            set: 1,
            last_rep_end_s: None,
            cued: Vec::new(),
            turn_cued: false,
            set_leg: None,
            total_frames: 0,
            detected_frames: 0,
            body_since: None,
            body_handed_over: false,
            last_segment_end: None,
        }
    }

    /// An analyser for an endless stream: keeps only the last two minutes of frame measures,
    /// so `finish().frames` holds just those.
    pub fn live(
        exercise: &'static dyn Exercise,
        side: Option<Side>,
        thresholds: Thresholds,
    ) -> Self {
        Analyzer {
            keep_all: false,
            ..Analyzer::new(exercise, side, thresholds)
        }
    }

    /// Builds exercise, side and thresholds from the validated settings.
    pub fn from_settings(settings: &JudgeSettings) -> Result<Self, AnalysisError> {
        let (exercise, thresholds) = resolve_settings(settings)?;
        Ok(Analyzer::new(exercise, settings.side, thresholds))
    }

    pub fn exercise(&self) -> &'static dyn Exercise {
        self.exercise
    }

    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// Takes one frame.
    pub fn push(&mut self, frame: &PoseFrame) -> FrameUpdate {
        self.total_frames += 1;
        if frame.pose.is_some() {
            self.detected_frames += 1;
        }
        // Someone else took over the pose: the rep under way and the rest level were theirs.
        let changed = self.ctx.another_person(frame);
        let handed_over = changed
            .then(|| self.segmenter.restart(Incomplete::PersonChanged))
            .flatten();
        // Set once the rep handed over is closed: it belonged to the body seen before.
        let new_body = changed || (self.body_since.is_none() && frame.pose.is_some());
        let at_rest = self.segmenter.phase() == Phase::Rest;
        let leg_before = self.ctx.standing.leg();
        self.ctx.observe(frame, at_rest);
        // Hip height is in standing leg lengths: when that length grows (only ever at rest), the
        // rest level is rescaled with it, or the jump in unit reads as a descent.
        if let (Some(before), Some(now)) = (leg_before, self.ctx.standing.leg()) {
            if now != before && self.exercise.rep_signal().in_leg_lengths() {
                self.segmenter.rescale_rest(before / now);
            }
        }
        // A body picked up bent, as a jumper landing, was never seen standing: its standing leg is
        // its full leg length, and its rest level where straight legs would hold its hip.
        let picked_up_bent = (self.segmenter.rest_level().is_none()
            && self.exercise.rep_signal().hip_goes_down())
        .then(|| crouch(frame, &self.ctx))
        .flatten()
        .filter(|c| c.hip_below_standing >= self.exercise.min_depth(&self.thresholds));
        if let Some(c) = picked_up_bent {
            self.ctx.standing.seed_leg(c.leg_px);
        }
        let measures = measure(frame, &self.ctx);
        let at = Moment {
            frame: frame.index,
            time_s: frame.time_s,
        };
        let value = self.exercise.rep_signal().value(&measures);
        if let (Some(c), Some(v)) = (picked_up_bent, value) {
            self.segmenter.seed_rest(at, v + c.hip_below_standing);
        }
        self.frames.push(measures.clone());
        let pushed = self.segmenter.push(at, value);
        let segment = handed_over.or(pushed);

        let mut update = FrameUpdate {
            measures,
            phase: self.segmenter.phase(),
            excursion: self.segmenter.excursion(),
            complete_reps: 0,
            set: self.set,
            completed_rep: None,
            rejected: None,
            cue: None,
        };
        if let Some(seg) = segment {
            match self.close(seg) {
                Ok(rep) => {
                    let exercise = self.exercise;
                    update.cue = rep
                        .faults()
                        .find(|f| !self.cued.contains(&f.kind()))
                        .cloned()
                        .map(|f| Cue::of(exercise, f));
                    update.completed_rep = Some(rep);
                }
                Err(rejected) => update.rejected = Some(rejected),
            }
            self.cued.clear();
            self.turn_cued = false;
        } else if !self.turn_cued
            && self
                .segmenter
                .current()
                .is_some_and(|c| c.turned && c.depth >= self.exercise.min_depth(&self.thresholds))
        {
            self.turn_cued = true;
            update.cue = self.turning_point_cue();
        }
        if new_body {
            self.body_since = Some(frame.index);
            self.body_handed_over = changed;
        }
        update.complete_reps = self.complete_reps();
        update.set = self.set;
        self.trim();
        update
    }

    /// Ends the stream: a rep under way is closed (incomplete unless already back up).
    pub fn finish(self) -> Analysis {
        self.finish_with(Incomplete::VideoEnded)
    }

    /// Ends the stream of a file cut short: a rep under way says so, not "the video ended".
    pub fn finish_cut_short(self) -> Analysis {
        self.finish_with(Incomplete::FileCutShort)
    }

    fn finish_with(mut self, ended: Incomplete) -> Analysis {
        if let Some(mut seg) = self.segmenter.finish() {
            if seg.incomplete == Some(Incomplete::VideoEnded) {
                seg.incomplete = Some(ended);
            }
            let _ = self.close(seg);
        }
        let t = &self.thresholds;
        // Reps carry the set number `close` gave them.
        let mut grouped: Vec<(u32, Vec<Rep>)> = Vec::new();
        for rep in std::mem::take(&mut self.reps) {
            match grouped.last_mut() {
                Some((number, reps)) if *number == rep.set => reps.push(rep),
                _ => grouped.push((rep.set, vec![rep])),
            }
        }
        let sets: Vec<RepSet> = grouped
            .into_iter()
            .map(|(number, reps)| RepSet::new(number, reps))
            .collect();
        let summary = self.summary(&sets);
        Analysis {
            exercise: self.exercise,
            side: self.side,
            thresholds: t.clone(),
            frames: self.frames,
            sets,
            rejected: self.rejected,
            summary,
        }
    }

    fn complete_reps(&self) -> u32 {
        self.reps.iter().filter(|r| r.complete).count() as u32
    }

    fn trim(&mut self) {
        if self.keep_all {
            return;
        }
        let Some(now) = self.frames.last().map(|f| f.time_s) else {
            return;
        };
        let keep_from = self
            .frames
            .iter()
            .position(|f| now - f.time_s <= LIVE_HISTORY_S)
            .unwrap_or(0);
        if keep_from > 0 {
            self.frames.drain(..keep_from);
        }
    }

    /// Indices of the kept frames from `start` to `end` (by frame number).
    fn window(&self, start: u64, end: u64) -> std::ops::Range<usize> {
        let lo = self.frames.partition_point(|f| f.frame < start);
        let hi = self.frames.partition_point(|f| f.frame <= end);
        lo..hi.max(lo)
    }

    /// The body's kept frames before frame `first`: since it was picked up and since the last
    /// movement ended, at most [`LEAD_IN_S`].
    fn lead_in(&self, first: u64) -> &[FrameMeasures] {
        let since = self
            .body_since
            .unwrap_or(0)
            .max(self.last_segment_end.unwrap_or(0));
        let hi = self.frames.partition_point(|f| f.frame < first);
        let Some(first_time) = self.frames.get(hi).map(|f| f.time_s) else {
            return &[];
        };
        let lo = self
            .frames
            .partition_point(|f| f.frame < since || first_time - f.time_s > LEAD_IN_S);
        &self.frames[lo.min(hi)..hi]
    }

    /// Turns a segment into a rep, or says why it is not one.
    fn close(&mut self, seg: Segment) -> Result<Rep, Rejected> {
        let closed = self.close_segment(seg);
        self.last_segment_end = Some(seg.end.frame);
        closed
    }

    fn close_segment(&mut self, seg: Segment) -> Result<Rep, Rejected> {
        let reject = |reason: String| Rejected {
            start: seg.start,
            bottom: seg.bottom,
            end: seg.end,
            depth: seg.depth,
            reason,
        };
        let new_set = self
            .last_rep_end_s
            .is_some_and(|last_end| seg.start.time_s - last_end > self.thresholds.set_rest_s);
        let set_leg = if new_set { None } else { self.set_leg };
        let min_depth = self.min_depth_in_set(new_set);
        let assessed = if seg.depth < min_depth && seg.incomplete == Some(Incomplete::FramesMissing)
        {
            Err(format!(
                "cut short where the video skips ahead (frames missing), at {:.2} {}",
                seg.depth,
                self.exercise.rep_signal().unit()
            ))
        } else if seg.depth < min_depth {
            Err(format!(
                "too small to count: {:.2} {} (a rep needs {:.2})",
                seg.depth,
                self.exercise.rep_signal().unit(),
                min_depth
            ))
        } else {
            self.assess(seg.start.frame, seg.bottom.frame, seg.end.frame, set_leg)
        };
        let mut a = match assessed {
            Ok(a) => a,
            Err(reason) => {
                let r = reject(reason);
                self.rejected.push(r.clone());
                return Err(r);
            }
        };
        if let Some(why) = seg.incomplete {
            never_ok_unfinished(&mut a.concerns, why);
        }
        if new_set {
            self.set += 1;
        }
        if let [leg] = a.legs.as_slice() {
            self.set_leg = Some(*leg);
        }
        self.last_rep_end_s = Some(seg.end.time_s);
        let quality = rep_quality(
            &a.legs,
            seg.start.frame,
            seg.end.frame,
            &self.frames[self.window(seg.start.frame, seg.end.frame)],
        );
        let rep = Rep {
            number: self.reps.len() as u32 + 1,
            set: self.set,
            legs: a.legs,
            start: seg.start,
            bottom: seg.bottom,
            end: seg.end,
            complete: seg.complete,
            incomplete: seg.incomplete,
            depth: seg.depth,
            view: a.view,
            turn_deg: a.turn_deg,
            peaks: a.peaks,
            body: a.body,
            outcome: outcome(&a.concerns),
            concerns: a.concerns,
            flags: a.flags,
            quality,
            jump: a.jump,
        };
        self.reps.push(rep.clone());
        Ok(rep)
    }

    /// The least depth a movement needs to count as a rep: the exercise's minimum, or, within
    /// a set of at least [`TIRED_SET_REPS`] complete reps, `tired_rep_fraction` of their median
    /// depth (the last reps of a tiring set are shallower, not absent), never below half the
    /// minimum, where a rep starts.
    fn min_depth_in_set(&self, new_set: bool) -> f64 {
        let minimum = self.exercise.min_depth(&self.thresholds);
        if new_set {
            return minimum;
        }
        let depths: Vec<f64> = self
            .reps
            .iter()
            .filter(|r| r.set == self.set && r.complete)
            .map(|r| r.depth)
            .collect();
        if depths.len() < TIRED_SET_REPS {
            return minimum;
        }
        let Some(median) = crate::stats::median(&depths) else {
            return minimum;
        };
        (self.thresholds.tired_rep_fraction * median)
            .min(minimum)
            .max(0.5 * minimum)
    }

    /// Judges the kept frames from `first` to `last` with the turning point at `bottom`, as
    /// the exercise does: which legs, whether it is this exercise at all, the rep's view,
    /// peaks gated by that view, flags and the verdict on each concern.
    fn assess(
        &self,
        first: u64,
        bottom: u64,
        last: u64,
        set_leg: Option<Leg>,
    ) -> Result<Assessed, String> {
        let frames = &self.frames[self.window(first, last)];
        let bottom = frames
            .iter()
            .position(|f| f.frame == bottom)
            .ok_or_else(|| "its frames are no longer kept".to_string())?;
        let w = RepWindow {
            frames,
            bottom,
            lead_in: self.lead_in(first),
            picked_up_in_window: self.body_handed_over
                && self.body_since.is_some_and(|b| b >= first),
        };
        let legs = self.legs_for(&w, set_leg);
        self.exercise.accept(&w, &legs, &self.thresholds)?;
        let judged = self.judge_window(&w, &legs);
        let jump = self
            .exercise
            .counts_jumps()
            .then(|| checks::jump(&w, self.thresholds.squat_max_feet_rise))
            .flatten();
        let mut flags = judged.flags;
        if let Some(jump) = &jump {
            merge_landing_flags(&mut flags, self.judge_landing(frames, jump, &legs));
        }
        let concerns = concerns(self.exercise, &legs, &flags);
        Ok(Assessed {
            legs,
            view: judged.view,
            turn_deg: judged.turn_deg,
            peaks: judged.peaks,
            body: judged.body,
            flags,
            concerns,
            jump,
        })
    }

    /// The landing of a jump judged as the rep is: from touchdown to the rep's end, its
    /// turning point the lowest the hip went. Its flags.
    fn judge_landing(&self, frames: &[FrameMeasures], jump: &Jump, legs: &[Leg]) -> Vec<Flag> {
        let Some(from) = frames.iter().position(|f| f.frame == jump.touchdown.frame) else {
            return Vec::new();
        };
        let landing = &frames[from..];
        let Some(bottom) = landing.iter().position(|f| f.frame == jump.landing.frame) else {
            return Vec::new();
        };
        let w = RepWindow {
            frames: landing,
            bottom,
            lead_in: &[],
            picked_up_in_window: false,
        };
        self.judge_window(&w, legs).flags
    }

    /// The legs' peaks, the body's, the view over the window and the exercise's flags.
    fn judge_window(&self, w: &RepWindow, legs: &[Leg]) -> Judged {
        let judges_legs = self
            .exercise
            .judged()
            .iter()
            .chain(self.exercise.reported())
            .any(|m| m.per_leg());
        let mut peaks: Vec<_> = if judges_legs {
            let when = self.exercise.judge_at();
            legs.iter()
                .map(|&leg| {
                    checks::leg_peak(w, leg, when, self.thresholds.fppa_max_knee_flexion_deg)
                })
                .collect()
        } else {
            Vec::new()
        };
        let mut body = checks::body_peak(w);
        body.hold_s = hold_time(w, self.exercise);
        let (view, turn_deg) = checks::rep_view(w, &self.ctx);
        checks::gate_by_view(
            &mut peaks,
            &mut body,
            &view,
            turn_deg,
            self.thresholds.fppa_max_knee_flexion_deg,
        );
        if self.exercise.legs() != LegMode::Both {
            for p in peaks.iter_mut() {
                checks::knee_foot_where_readable(
                    p,
                    w,
                    turn_deg,
                    self.thresholds.knee_medial_to_foot,
                );
            }
        }
        let flags = self.exercise.judge(&peaks, &body, &self.thresholds);
        Judged {
            view,
            turn_deg,
            peaks,
            body,
            flags,
        }
    }

    /// The legs judged in a rep: `--side`, else detected the profile's way; within a set the
    /// working leg stays unless this rep clearly says otherwise.
    fn legs_for(&self, w: &RepWindow, set_leg: Option<Leg>) -> Vec<Leg> {
        let mode = self.exercise.legs();
        if mode == LegMode::Both {
            return Leg::BOTH.to_vec();
        }
        match self.side {
            Some(Side::Left) => vec![Leg::Left],
            Some(Side::Right) => vec![Leg::Right],
            Some(Side::Both) | None => match (detect_leg(mode, w), set_leg) {
                (Some(d), Some(kept)) if d.leg != kept && !d.clear => vec![kept],
                (Some(d), _) => vec![d.leg],
                (None, Some(kept)) => vec![kept],
                (None, None) => Leg::BOTH.to_vec(),
            },
        }
    }

    /// Once past the turning point, the rep so far is judged exactly as the finished rep will
    /// be (FPPA at peak knee flexion so far, …), so the cue comes as the user starts back and
    /// agrees with the rep's flags.
    fn turning_point_cue(&mut self) -> Option<Cue> {
        let current = self.segmenter.current()?;
        let last = self.frames.last()?.frame;
        // Not a cue for a movement that is not this exercise (picking something up).
        let assessed = self
            .assess(current.first.frame, current.peak.frame, last, self.set_leg)
            .ok()?;
        let flag = assessed
            .flags
            .into_iter()
            .filter(|f| f.is_fault())
            .find(|f| !self.cued.contains(&f.kind()))?;
        self.cued.push(flag.kind());
        Some(Cue::of(self.exercise, flag))
    }

    fn summary(&self, sets: &[RepSet]) -> Summary {
        let reps: Vec<&Rep> = sets.iter().flat_map(|s| s.reps.iter()).collect();
        let complete: Vec<&&Rep> = reps.iter().filter(|r| r.complete).collect();
        let mut flag_counts = BTreeMap::new();
        for f in complete.iter().flat_map(|r| r.faults()) {
            *flag_counts.entry(f.kind()).or_insert(0) += 1;
        }
        // The means of the reps' values and of their bounds (a worst-case error, the same
        // way in every rep, does not average out).
        let mean_fppa = |leg: Leg| {
            let v: Vec<Bounded> = complete
                .iter()
                .filter_map(|r| r.peak(leg).and_then(checks::bounded_fppa))
                .collect();
            let n = v.len() as f64;
            (!v.is_empty()).then(|| Bounded {
                value: v.iter().map(|b| b.value).sum::<f64>() / n,
                bound: v.iter().map(|b| b.bound).sum::<f64>() / n,
            })
        };
        let asymmetry = checks::fppa_asymmetry(
            mean_fppa(Leg::Left),
            mean_fppa(Leg::Right),
            &self.thresholds,
        )
        .into_iter()
        .collect();
        let mut views: BTreeMap<&'static str, (View, u32)> = BTreeMap::new();
        for f in &self.frames {
            if let Some(v) = f.view.get() {
                views.entry(v.name()).or_insert((v, 0)).1 += 1;
            }
        }
        let view = views.values().max_by_key(|(_, n)| *n).map(|(v, _)| *v);
        let judged_views = self.exercise.views();
        let mut notes = Vec::new();
        if let Some(v) = view {
            notes.push(format!(
                "the camera saw mostly {}: {}",
                v.phrase(),
                exercise::view_judges(self.exercise, v)
            ));
        }
        if self.detected_frames == 0 {
            notes.push(NO_PERSON_NOTE.into());
        }
        // One note per measure, leg and kind of reason (the numbers differ rep to rep).
        let mut seen = Vec::new();
        for f in complete.iter().flat_map(|r| r.flags.iter()) {
            if let Flag::NotJudged {
                measure,
                leg,
                reason,
            } = f
            {
                let key = (*measure, *leg, std::mem::discriminant(reason));
                if !seen.contains(&key) {
                    seen.push(key);
                    let reps = complete
                        .iter()
                        .filter(|r| {
                            r.flags.iter().any(|g| {
                                matches!(g, Flag::NotJudged { measure: m, leg: l, reason: why }
                                if (*m, *l, std::mem::discriminant(why)) == key)
                            })
                        })
                        .count();
                    notes.push(format!(
                        "{} (in {reps} of {} reps)",
                        f.describe(),
                        complete.len()
                    ));
                }
            }
        }
        Summary {
            views_judged: judged_views,
            frames: self.total_frames,
            detected_frames: self.detected_frames,
            complete_reps: complete.len() as u32,
            incomplete_reps: (reps.len() - complete.len()) as u32,
            flagged_reps: complete
                .iter()
                .filter(|r| r.outcome == Outcome::Flagged)
                .count() as u32,
            flag_counts,
            asymmetry,
            view,
            notes,
        }
    }
}

/// A rep's frames, judged.
struct Assessed {
    legs: Vec<Leg>,
    view: crate::geometry::Measured<View>,
    turn_deg: Option<f64>,
    peaks: Vec<LegPeak>,
    body: BodyPeak,
    flags: Vec<Flag>,
    concerns: Vec<ConcernResult>,
    jump: Option<Jump>,
}

/// One window judged: the view over it, the peaks and the exercise's flags.
struct Judged {
    view: crate::geometry::Measured<View>,
    turn_deg: Option<f64>,
    peaks: Vec<LegPeak>,
    body: BodyPeak,
    flags: Vec<Flag>,
}

/// A jump's landing is judged as well as its bottom: its faults and borderline readings join
/// the rep's (its "not judged" notes do not, so a measure read at the bottom stays judged), once
/// each: a landing reading the rep already has (the same fault, or borderline on the same
/// measure, of the same leg) is not said twice.
fn merge_landing_flags(flags: &mut Vec<Flag>, landing: Vec<Flag>) {
    let borderline_on = |f: &Flag| match f {
        Flag::Borderline { measure, .. } => Some(*measure),
        _ => None,
    };
    let said = |f: &Flag| f.is_fault() || borderline_on(f).is_some();
    for flag in landing.into_iter().filter(said) {
        let same = flags.iter().position(|f| {
            said(f)
                && f.kind() == flag.kind()
                && f.leg() == flag.leg()
                && borderline_on(f) == borderline_on(&flag)
        });
        match same {
            None => flags.push(flag),
            // The same borderline reading at the bottom and on landing: the one nearer a fault.
            Some(i) if towards_fault(&flag) > towards_fault(&flags[i]) => flags[i] = flag,
            Some(_) => {}
        }
    }
}

/// How far a borderline reading lies past its limit, in the direction of a fault (the
/// knee/ankle ratio faults below its limit, the rest above).
fn towards_fault(flag: &Flag) -> f64 {
    match flag {
        Flag::Borderline {
            measure: Measure::KneeAnkleRatio,
            value,
            limit,
            ..
        } => limit - value,
        Flag::Borderline { value, limit, .. } => value - limit,
        _ => 0.0,
    }
}

/// A rep cut off before its end (the video ended, the person was lost or replaced) may not have
/// reached its turning point, so a concern it passed is not judged, never ok; a fault it showed
/// was seen, and stays.
fn never_ok_unfinished(concerns: &mut [ConcernResult], why: Incomplete) {
    for c in concerns.iter_mut() {
        // Neither ok nor borderline: the rep may never have reached where it is judged.
        if matches!(
            c.status,
            ConcernStatus::Ok | ConcernStatus::Borderline { .. }
        ) {
            c.status = ConcernStatus::NotJudged {
                reason: format!("the rep was not finished: {}", why.describe()),
            };
        }
    }
}

/// How each concern the exercise judges went: a fault (with the exercise's cue for it);
/// borderline when a measure was within its error bound of its limit, or read but uncertain by as
/// much as the limit while another was judged; ok when at least one of its measures was judged
/// on some leg; else not judged with the first reason.
fn concerns(exercise: &dyn Exercise, legs: &[Leg], flags: &[Flag]) -> Vec<ConcernResult> {
    let mut kinds = exercise.concerns();
    kinds.extend(
        flags
            .iter()
            .filter(|f| f.is_fault())
            .filter_map(|f| f.concern()),
    );
    kinds.sort();
    kinds.dedup();
    kinds
        .into_iter()
        .map(|concern| {
            let fault = flags
                .iter()
                .find(|f| f.is_fault() && f.concern() == Some(concern));
            let not_judged = |m: Measure, leg: Option<Leg>| {
                flags.iter().find_map(|f| match f {
                    Flag::NotJudged {
                        measure,
                        leg: l,
                        reason,
                    } if *measure == m && *l == leg => Some(*reason),
                    _ => None,
                })
            };
            let measures: Vec<Measure> = exercise
                .judged()
                .iter()
                .copied()
                .filter(|m| m.concern() == Some(concern))
                .collect();
            let readings: Vec<(Measure, Option<Leg>)> = measures
                .iter()
                .flat_map(|&m| {
                    if m.per_leg() {
                        legs.iter().map(|&l| (m, Some(l))).collect::<Vec<_>>()
                    } else {
                        vec![(m, None)]
                    }
                })
                .collect();
            let judged = readings.iter().any(|&(m, l)| not_judged(m, l).is_none());
            let borderline = flags
                .iter()
                .find(|f| f.concern() == Some(concern) && matches!(f, Flag::Borderline { .. }));
            // A measure read but uncertain by as much as its limit could hide a fault: the
            // others' ok cannot clear the concern.
            let uncertain = flags.iter().find_map(|f| match f {
                Flag::NotJudged {
                    measure,
                    leg,
                    reason: NotJudged::Uncertain { bound_deg, limit_deg },
                } if measure.concern() == Some(concern) => Some(format!(
                    "{}{} uncertain by ±{bound_deg:.0}° from this view, as much as the {limit_deg:.0}° limit: it cannot be called ok",
                    measure.describe(),
                    leg.map_or(String::new(), |l| format!(" ({l})"))
                )),
                _ => None,
            });
            let status = match (fault, borderline, uncertain) {
                (Some(f), ..) => ConcernStatus::Fault {
                    cue: exercise.cue(f),
                },
                (None, Some(b), _) => ConcernStatus::Borderline {
                    detail: b.describe(),
                },
                (None, None, Some(detail)) if judged => ConcernStatus::Borderline { detail },
                (None, None, _) if judged => ConcernStatus::Ok,
                (None, ..) => ConcernStatus::NotJudged {
                    reason: readings
                        .iter()
                        .find_map(|&(m, l)| not_judged(m, l))
                        .map(|r| r.describe())
                        .unwrap_or_else(|| "not measurable".into()),
                },
            };
            ConcernResult { concern, status }
        })
        .collect()
}

/// A rep signal within this part of its range from the turning point counts as holding there.
const HOLD_FRACTION: f64 = 0.2;

/// Seconds around the turning point the rep signal stayed within [`HOLD_FRACTION`] of its range
/// (the hold at the top of a side-plank lift).
fn hold_time(w: &RepWindow, exercise: &dyn Exercise) -> Option<f64> {
    let signal = exercise.rep_signal();
    let values: Vec<Option<f64>> = w.frames.iter().map(|f| signal.value(f)).collect();
    let peak = (*values.get(w.bottom)?)?;
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    let (lo, hi) = known
        .iter()
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(*v), hi.max(*v))
        });
    let near = |v: &Option<f64>| v.is_some_and(|v| (v - peak).abs() <= HOLD_FRACTION * (hi - lo));
    let first = (0..=w.bottom)
        .rev()
        .take_while(|&i| near(&values[i]))
        .last()?;
    let last = (w.bottom..values.len())
        .take_while(|&i| near(&values[i]))
        .last()?;
    Some(w.frames[last].time_s - w.frames[first].time_s)
}

/// The working leg a rep's movement points to, and whether it says so clearly.
struct Detected {
    leg: Leg,
    clear: bool,
}

/// One leg's cue must be at least this many times the other's to overrule the set's leg
/// (formcheck rule: a stance foot barely moves, a free one travels a shank length).
const CLEAR_LEG_RATIO: f64 = 2.0;

/// The working leg of a single-leg rep, from how the legs moved.
fn detect_leg(mode: LegMode, w: &RepWindow) -> Option<Detected> {
    let frames = w.frames;
    let pick = |left: f64, right: f64, smaller_is_left: bool| {
        let left_wins = (left < right) == smaller_is_left;
        let (small, large) = if left < right {
            (left, right)
        } else {
            (right, left)
        };
        Detected {
            leg: if left_wins { Leg::Left } else { Leg::Right },
            clear: large > CLEAR_LEG_RATIO * small.max(f64::EPSILON),
        }
    };
    match mode {
        LegMode::Both => None,
        // The stance foot stays put: the ankle with the smaller travel over the rep.
        LegMode::Stance => {
            let travel = |leg: Leg| {
                let pts: Vec<_> = frames.iter().filter_map(|f| f.leg(leg).ankle_px).collect();
                let first = pts.first()?;
                pts.iter()
                    .map(|p| (p.x - first.x).hypot(p.y - first.y))
                    .fold(None, |m: Option<f64>, d| Some(m.map_or(d, |m| m.max(d))))
            };
            match (travel(Leg::Left), travel(Leg::Right)) {
                (Some(l), Some(r)) => Some(pick(l, r, true)),
                (Some(_), None) => Some(Detected {
                    leg: Leg::Left,
                    clear: false,
                }),
                (None, Some(_)) => Some(Detected {
                    leg: Leg::Right,
                    clear: false,
                }),
                (None, None) => None,
            }
        }
        // The back knee drops towards the floor: the front knee is the higher one (smaller
        // image y) at the bottom; the knee's height above the ankle tells it clearly.
        LegMode::Front | LegMode::Support => {
            let f = frames.get(w.bottom)?;
            let height = |leg: Leg| -> Option<f64> {
                let m = f.leg(leg);
                Some(m.ankle_px?.y - m.knee_px?.y)
            };
            let (l, r) = (f.left.knee_px?, f.right.knee_px?);
            let front_is_left = l.y < r.y;
            let leg = match (mode, front_is_left) {
                (LegMode::Front, true) | (LegMode::Support, false) => Leg::Left,
                _ => Leg::Right,
            };
            let clear = match (height(Leg::Left), height(Leg::Right)) {
                (Some(a), Some(b)) if a > 0.0 && b > 0.0 => a.max(b) > CLEAR_LEG_RATIO * a.min(b),
                _ => false,
            };
            Some(Detected { leg, clear })
        }
    }
}

/// Runs a whole landmark sequence through an analyser.
pub fn analyze_frames(
    frames: &[PoseFrame],
    exercise: &'static dyn Exercise,
    side: Option<Side>,
    thresholds: Thresholds,
) -> Analysis {
    let mut analyzer = Analyzer::new(exercise, side, thresholds);
    for f in frames {
        analyzer.push(f);
    }
    analyzer.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_give_the_analyser_its_exercise_side_and_thresholds() {
        let thresholds = Thresholds {
            knee_past_toe: 0.3,
            ..Default::default()
        };
        let settings =
            JudgeSettings::for_exercise(exercise::find("lunge").ok(), Some(Side::Left), thresholds);
        let a = Analyzer::from_settings(&settings).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(a.exercise().name(), "lunge");
        assert_eq!(a.thresholds().knee_past_toe, 0.3);
        let analysis = a.finish();
        assert_eq!(analysis.side, Some(Side::Left));
        assert_eq!(analysis.summary.complete_reps, 0);
    }

    #[test]
    fn a_missing_exercise_says_which_exist() {
        let err = Analyzer::from_settings(&JudgeSettings::defaults())
            .err()
            .map(|e| e.to_string());
        assert!(
            err.is_some_and(|e| e.contains("--exercise is required") && e.contains("side-plank"))
        );
    }
}
