//! Analysis: geometry → reps → judge for one stream of frames. [`Analyzer`] is streaming, one
//! [`PoseFrame`] in and one [`FrameUpdate`] out, so batch (`formcheck analyze`) and live mode
//! share every step; [`Analyzer::finish`] closes an unfinished rep as incomplete and builds the
//! [`Analysis`] that outputs write. [`analyze_frames`] runs it over a landmark file's frames.

use std::collections::BTreeMap;

use serde::{Serialize, Serializer};

use crate::config::{JudgeSettings, SideChoice};
use crate::exercise::{self, Exercise, ExerciseError, LegMode};
use crate::geometry::{measure, FrameMeasures, Leg, MeasureContext, View};
use crate::judge::checks::{self, RepWindow};
use crate::judge::{Flag, JudgeError, Measure, Thresholds};
use crate::landmarks::PoseFrame;
use crate::reps::{self, Moment, Phase, Rep, RepSet, Segment, Segmenter};

/// Live mode keeps this many seconds of frames (enough for the longest rep); batch keeps all.
const LIVE_HISTORY_S: f64 = 120.0;

/// Errors setting an analysis up; each names the flag or file at fault.
#[derive(Debug, thiserror::Error)]
pub enum AnalysisError {
    #[error("--exercise is required; choose one of: {known} (see `formcheck exercises`)")]
    NoExercise { known: String },
    #[error(transparent)]
    Exercise(#[from] ExerciseError),
    #[error(transparent)]
    Thresholds(#[from] JudgeError),
}

/// A cue to show or say now.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cue {
    pub text: &'static str,
    pub flag: Flag,
}

impl Cue {
    fn of(flag: Flag) -> Cue {
        Cue {
            text: flag.cue(),
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
    pub view_needed: View,
    /// Things the user should know (wrong view, measures never judged, …).
    pub notes: Vec<String>,
}

/// The whole result; everything outputs write.
#[derive(Debug, Clone, Serialize)]
pub struct Analysis {
    #[serde(serialize_with = "exercise_name")]
    pub exercise: &'static dyn Exercise,
    #[serde(serialize_with = "side_name")]
    pub side: Option<SideChoice>,
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

fn side_name<S: Serializer>(side: &Option<SideChoice>, s: S) -> Result<S::Ok, S::Error> {
    match side {
        None => s.serialize_none(),
        Some(SideChoice::Left) => s.serialize_str("left"),
        Some(SideChoice::Right) => s.serialize_str("right"),
        Some(SideChoice::Both) => s.serialize_str("both"),
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
    side: Option<SideChoice>,
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
    total_frames: u64,
    detected_frames: u64,
}

impl Analyzer {
    /// An analyser that keeps every frame's measures for [`Analyzer::finish`] (batch).
    pub fn new(
        exercise: &'static dyn Exercise,
        side: Option<SideChoice>,
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
            total_frames: 0,
            detected_frames: 0,
        }
    }

    /// An analyser for an endless stream: keeps only the last two minutes of frame measures,
    /// so `finish().frames` holds just those.
    pub fn live(
        exercise: &'static dyn Exercise,
        side: Option<SideChoice>,
        thresholds: Thresholds,
    ) -> Self {
        Analyzer {
            keep_all: false,
            ..Analyzer::new(exercise, side, thresholds)
        }
    }

    /// Builds exercise, side and thresholds from the validated settings.
    pub fn from_settings(settings: &JudgeSettings) -> Result<Self, AnalysisError> {
        let name = settings
            .exercise
            .as_deref()
            .ok_or_else(|| AnalysisError::NoExercise {
                known: exercise::all()
                    .iter()
                    .map(|e| e.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let exercise = exercise::find(name)?;
        let thresholds = Thresholds::resolve(settings)?;
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
        let at_rest = self.segmenter.phase() == Phase::Rest;
        self.ctx
            .standing
            .observe(frame, self.thresholds.min_visibility, at_rest);
        let measures = measure(frame, &self.ctx);
        let at = Moment {
            frame: frame.index,
            time_s: frame.time_s,
        };
        let value = self.exercise.rep_signal().value(&measures);
        self.frames.push(measures.clone());
        let before = self.segmenter.phase();
        let segment = self.segmenter.push(at, value);

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
                    update.cue = rep
                        .faults()
                        .find(|f| !self.cued.contains(&f.kind()))
                        .cloned()
                        .map(Cue::of);
                    update.completed_rep = Some(rep);
                }
                Err(rejected) => update.rejected = Some(rejected),
            }
            self.cued.clear();
        } else if before == Phase::Going && update.phase == Phase::Returning {
            update.cue = self.turning_point_cue();
        }
        update.complete_reps = self.complete_reps();
        update.set = self.set;
        self.trim();
        update
    }

    /// Ends the stream: a rep under way is closed (incomplete unless already back up).
    pub fn finish(mut self) -> Analysis {
        if let Some(seg) = self.segmenter.finish() {
            let _ = self.close(seg);
        }
        let t = &self.thresholds;
        let mut sets: Vec<RepSet> = Vec::new();
        for rep in std::mem::take(&mut self.reps) {
            match sets.last_mut() {
                Some(s) if s.number == rep.set => s.reps.push(rep),
                _ => sets.push(RepSet::new(rep.set, vec![rep])),
            }
        }
        let sets: Vec<RepSet> = sets
            .into_iter()
            .map(|s| RepSet::new(s.number, s.reps))
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

    /// Turns a segment into a rep, or says why it is not one.
    fn close(&mut self, seg: Segment) -> Result<Rep, Rejected> {
        let range = self.window(seg.start.frame, seg.end.frame);
        let frames = &self.frames[range];
        let bottom = frames
            .iter()
            .position(|f| f.frame == seg.bottom.frame)
            .unwrap_or(0);
        let w = RepWindow { frames, bottom };
        let reject = |reason: String| Rejected {
            start: seg.start,
            bottom: seg.bottom,
            end: seg.end,
            depth: seg.depth,
            reason,
        };
        let min_depth = self.exercise.min_depth(&self.thresholds);
        if seg.depth < min_depth {
            let r = reject(format!(
                "too small to count: {:.2} {} (a rep needs {:.2})",
                seg.depth,
                self.exercise.rep_signal().unit(),
                min_depth
            ));
            self.rejected.push(r.clone());
            return Err(r);
        }
        let legs = self.legs_for(&w);
        if let Err(reason) = self.exercise.accept(&w, &legs, &self.thresholds) {
            let r = reject(reason);
            self.rejected.push(r.clone());
            return Err(r);
        }
        let judges_legs = self.exercise.judged().iter().any(|m| {
            matches!(
                m,
                Measure::Fppa
                    | Measure::MedialOffset
                    | Measure::KneeFootOffset
                    | Measure::KneeOverToe
                    | Measure::KneeFlexion
            )
        });
        let peaks: Vec<_> = if judges_legs {
            legs.iter()
                .map(|&leg| checks::leg_peak(&w, leg, self.exercise.judge_at()))
                .collect()
        } else {
            Vec::new()
        };
        let body = checks::body_peak(&w);
        let flags = self.exercise.judge(&peaks, &body, &self.thresholds);

        if let Some(last_end) = self.last_rep_end_s {
            if seg.start.time_s - last_end > self.thresholds.set_rest_s {
                self.set += 1;
            }
        }
        self.last_rep_end_s = Some(seg.end.time_s);
        let rep = Rep {
            number: self.reps.len() as u32 + 1,
            set: self.set,
            legs,
            start: seg.start,
            bottom: seg.bottom,
            end: seg.end,
            complete: seg.complete,
            depth: seg.depth,
            peaks,
            body,
            flags,
        };
        self.reps.push(rep.clone());
        Ok(rep)
    }

    /// The legs judged in a rep: `--side`, else detected the profile's way.
    fn legs_for(&self, w: &RepWindow) -> Vec<Leg> {
        let mode = self.exercise.legs();
        if mode == LegMode::Both {
            return Leg::BOTH.to_vec();
        }
        match self.side {
            Some(SideChoice::Left) => vec![Leg::Left],
            Some(SideChoice::Right) => vec![Leg::Right],
            Some(SideChoice::Both) | None => {
                detect_leg(mode, w).map_or(Leg::BOTH.to_vec(), |l| vec![l])
            }
        }
    }

    /// At the turning point, the rep so far is judged exactly as the finished rep will be (FPPA
    /// at peak knee flexion so far, …), so the cue comes as the user starts back, and agrees
    /// with the rep's flags.
    fn turning_point_cue(&mut self) -> Option<Cue> {
        let (first, peak) = self.segmenter.current()?;
        let last = self.frames.last()?.frame;
        let range = self.window(first.frame, last);
        let frames = &self.frames[range];
        let bottom = frames.iter().position(|f| f.frame == peak.frame)?;
        let w = RepWindow { frames, bottom };
        let legs = self.legs_for(&w);
        let when = self.exercise.judge_at();
        let peaks: Vec<_> = legs
            .iter()
            .map(|&l| checks::leg_peak(&w, l, when))
            .collect();
        let body = checks::body_peak(&w);
        let flag = self
            .exercise
            .judge(&peaks, &body, &self.thresholds)
            .into_iter()
            .filter(|f| f.is_fault())
            .find(|f| !self.cued.contains(&f.kind()))?;
        self.cued.push(flag.kind());
        Some(Cue::of(flag))
    }

    fn summary(&self, sets: &[RepSet]) -> Summary {
        let reps: Vec<&Rep> = sets.iter().flat_map(|s| s.reps.iter()).collect();
        let complete: Vec<&&Rep> = reps.iter().filter(|r| r.complete).collect();
        let mut flag_counts = BTreeMap::new();
        for f in complete.iter().flat_map(|r| r.faults()) {
            *flag_counts.entry(f.kind()).or_insert(0) += 1;
        }
        let mean_fppa = |leg: Leg| {
            let v: Vec<f64> = complete
                .iter()
                .filter_map(|r| r.peak(leg).and_then(|p| p.fppa_deg.get()))
                .collect();
            (!v.is_empty()).then(|| v.iter().sum::<f64>() / v.len() as f64)
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
        let needed = self.exercise.view();
        let mut notes = Vec::new();
        if let Some(v) = view {
            if v != needed {
                notes.push(format!(
                    "the camera saw mostly a {v} view; {} needs a {needed} view: {}",
                    self.exercise.title(),
                    self.exercise.filming()
                ));
            }
        }
        if self.detected_frames == 0 {
            notes.push("no person was detected in any frame".into());
        }
        let mut reasons: Vec<String> = Vec::new();
        for f in complete.iter().flat_map(|r| r.flags.iter()) {
            if let Flag::NotJudged { .. } = f {
                let text = f.describe();
                if !reasons.contains(&text) {
                    reasons.push(text);
                }
            }
        }
        notes.extend(reasons);
        Summary {
            frames: self.total_frames,
            detected_frames: self.detected_frames,
            complete_reps: complete.len() as u32,
            incomplete_reps: (reps.len() - complete.len()) as u32,
            flagged_reps: complete
                .iter()
                .filter(|r| r.faults().next().is_some())
                .count() as u32,
            flag_counts,
            asymmetry,
            view,
            view_needed: needed,
            notes,
        }
    }
}

/// The working leg of a single-leg rep, from how the legs moved.
fn detect_leg(mode: LegMode, w: &RepWindow) -> Option<Leg> {
    let frames = w.frames;
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
                (Some(l), Some(r)) if l < r => Some(Leg::Left),
                (Some(_), Some(_)) => Some(Leg::Right),
                (Some(_), None) => Some(Leg::Left),
                (None, Some(_)) => Some(Leg::Right),
                (None, None) => None,
            }
        }
        // The back knee drops towards the floor: the front knee is the higher one (smaller
        // image y) at the bottom.
        LegMode::Front | LegMode::Support => {
            let f = frames.get(w.bottom)?;
            let (l, r) = (f.left.knee_px?, f.right.knee_px?);
            let front_is_left = l.y < r.y;
            Some(match (mode, front_is_left) {
                (LegMode::Front, true) | (LegMode::Support, false) => Leg::Left,
                _ => Leg::Right,
            })
        }
    }
}

/// Runs a whole landmark sequence through an analyser.
pub fn analyze_frames(
    frames: &[PoseFrame],
    exercise: &'static dyn Exercise,
    side: Option<SideChoice>,
    thresholds: Thresholds,
) -> Analysis {
    let mut analyzer = Analyzer::new(exercise, side, thresholds);
    for f in frames {
        analyzer.push(f);
    }
    analyzer.finish()
}

/// Splits reps into sets by rest, as the analyser does (for outputs that re-group reps).
pub fn split_sets(reps: Vec<Rep>, rest_s: f64) -> Vec<RepSet> {
    reps::split_sets(reps, rest_s)
}
