//! The live coach: the set-up gate, the shared streaming analyser, the cue board and the
//! rep/set count, turned into what the screen shows. No OpenCV here: pose frames in, a
//! [`CoachView`] and completed reps out, so the whole live judgement can be tested without video.

use std::time::Instant;

use serde::Serialize;

use crate::analysis::{Analyzer, FrameUpdate, Summary, NO_PERSON_NOTE};
use crate::exercise::Exercise;
use crate::exercise::Side;
use crate::geometry::{measure, Leg, MeasureContext, View};
use crate::judge::Rep;
use crate::judge::{Flag, Thresholds};
use crate::landmarks::PoseFrame;
use crate::overlay::{self, LegReadout, RepCount};

use super::setup::{GateState, SetupGate, SetupProblem, ViewNeed};
use crate::cues::{Cue, CueBoard, CueTiming};

/// Seconds the set-up must hold before counting starts.
const SETUP_HOLD_S: f64 = 1.0;

/// Frames a new camera view must hold before live says what it judges (half a second at 30 fps:
/// a view flickering at a bound is not announced).
const VIEW_HOLD_FRAMES: u32 = 15;

/// What the screen shows after one frame.
#[derive(Debug, Clone, PartialEq)]
pub struct CoachView {
    pub working_leg: Option<overlay::Leg>,
    pub left: LegReadout,
    pub right: LegReadout,
    pub body: Vec<overlay::Item>,
    pub count: RepCount,
    pub banner: Option<Cue>,
    /// The banner's cue when it has just appeared (for the terminal, printed once).
    pub new_cue: Option<Cue>,
    pub counting: bool,
}

impl CoachView {
    /// What the overlay draws of this view over `pose`: the skeleton, the numbers, the count and
    /// the banner (the caller adds its status word and performance corner).
    pub fn overlay<'a>(&'a self, pose: Option<&'a crate::landmarks::Pose>) -> overlay::Overlay<'a> {
        overlay::Overlay {
            pose,
            working_leg: self.working_leg,
            left: self.left.clone(),
            right: self.right.clone(),
            body: self.body.clone(),
            count: Some(self.count),
            banner: self.banner.as_ref().map(|c| overlay::Banner {
                text: &c.text,
                kind: c.kind,
            }),
            status: None,
            perf: None,
        }
    }
}

/// Totals for the session summary, over every set including reset ones.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Tally {
    pub complete_reps: u32,
    pub incomplete_reps: u32,
    /// Complete reps with at least one fault.
    pub flagged_reps: u32,
    pub flag_counts: std::collections::BTreeMap<&'static str, u32>,
    /// Sets begun, counting ones reset before a rep was done.
    pub sets: u32,
    /// Complete reps per set, set 1 first.
    pub reps_per_set: Vec<u32>,
    pub notes: Vec<String>,
}

impl Tally {
    /// Counts one rep handed out: complete or not, and a complete rep's faults.
    pub fn add(&mut self, rep: &Rep) {
        if !rep.complete {
            self.incomplete_reps += 1;
            return;
        }
        self.complete_reps += 1;
        let mut flagged = false;
        for f in rep.faults() {
            flagged = true;
            *self.flag_counts.entry(f.kind()).or_insert(0) += 1;
        }
        if flagged {
            self.flagged_reps += 1;
        }
    }
}

pub struct Coach {
    exercise: &'static dyn Exercise,
    side: Option<Side>,
    thresholds: Thresholds,
    analyzer: Analyzer,
    /// For the view during set-up, before the analyser runs.
    ctx: MeasureContext,
    gate: SetupGate,
    cues: CueBoard,
    /// Sets closed by a reset before this analyser began.
    set_base: u32,
    set: u32,
    reps_in_set: u32,
    /// Fault flags behind the banner now, to colour the numbers they concern.
    alerts: Vec<Flag>,
    last_rep_legs: Vec<Leg>,
    /// Frames of a set-up that has not yet held long enough.
    pending: Vec<PoseFrame>,
    /// Reps the current analyser has handed out through `push`.
    handed_out: usize,
    /// The view last announced ("from the side this judges knee over toe"), and the view of the
    /// latest frames with how many frames it has held.
    announced_view: Option<View>,
    view_run: (Option<View>, u32),
    tally: Tally,
}

impl Coach {
    pub fn new(
        exercise: &'static dyn Exercise,
        side: Option<Side>,
        thresholds: Thresholds,
    ) -> Coach {
        Coach {
            exercise,
            side,
            analyzer: Analyzer::live(exercise, side, thresholds.clone()),
            ctx: thresholds.measure_context(),
            thresholds,
            gate: SetupGate::new(ViewNeed::of(&exercise.views()), SETUP_HOLD_S),
            cues: CueBoard::new(CueTiming::default()),
            set_base: 0,
            set: 1,
            reps_in_set: 0,
            alerts: Vec::new(),
            last_rep_legs: Vec::new(),
            pending: Vec::new(),
            handed_out: 0,
            announced_view: None,
            view_run: (None, 0),
            tally: Tally::default(),
        }
    }

    /// Counts from the first frame: for a recording played live, which cannot be re-framed.
    /// Set-up problems are still cued, as they are while counting; the reps are `analyze`'s.
    pub fn counting_from_the_first_frame(mut self) -> Coach {
        self.gate = SetupGate::open(ViewNeed::of(&self.exercise.views()));
        self
    }

    pub fn exercise(&self) -> &'static dyn Exercise {
        self.exercise
    }

    pub fn thresholds(&self) -> &Thresholds {
        &self.thresholds
    }

    /// Takes one frame; returns the view and the reps that ended with it (already numbered in
    /// the session's sets).
    pub fn push(&mut self, frame: &PoseFrame, now: Instant) -> (CoachView, Vec<Rep>) {
        let mut reps = Vec::new();
        let mut measures = None;
        let offered = if self.gate.passed() {
            // Counting: the analyser's own measures give the view the set-up is checked against.
            let update = self.analyze(frame, &mut reps);
            let view = update.measures.view.value().copied();
            let state = self.gate.push(frame, view);
            let cue = self.fault_cue(update.cue);
            measures = Some(update.measures);
            match state {
                GateState::Counting(problem) | GateState::Waiting(problem) => cue
                    .or_else(|| problem.map(|p| Cue::setup(p.cue())))
                    .or_else(|| self.view_cue(view)),
            }
        } else {
            let view = measure(frame, &self.ctx).view.value().copied();
            match self.gate.push(frame, view) {
                GateState::Waiting(None) => {
                    // Held back until the set-up has lasted long enough, then analysed from its
                    // first frame, so a rep begun while the gate was still deciding counts whole.
                    self.pending.push(frame.clone());
                    None
                }
                GateState::Waiting(Some(problem)) => {
                    self.pending.clear();
                    Some(Cue::setup(problem.cue()))
                }
                GateState::Counting(_) => {
                    for held in std::mem::take(&mut self.pending) {
                        let update = self.analyze(&held, &mut reps);
                        self.fault_cue(update.cue);
                    }
                    let update = self.analyze(frame, &mut reps);
                    let cue = self.fault_cue(update.cue);
                    self.view_run = (view, VIEW_HOLD_FRAMES);
                    measures = Some(update.measures);
                    cue.or_else(|| self.view_cue(view))
                }
            }
        };
        let (banner, fresh) = self.cues.offer(offered, now);
        let banner = banner.cloned();
        if !banner
            .as_ref()
            .is_some_and(|c| c.kind == overlay::CueKind::Fault)
        {
            self.alerts.clear();
        }
        let alerts: Vec<&Flag> = self.alerts.iter().collect();
        let numbers = overlay::readouts(self.exercise, measures.as_ref(), &alerts);
        let view = CoachView {
            working_leg: self.working_leg(),
            left: numbers.left,
            right: numbers.right,
            body: numbers.body,
            count: RepCount {
                reps: self.reps_in_set,
                set: self.set,
                target: None,
            },
            new_cue: if fresh { banner.clone() } else { None },
            banner,
            counting: self.gate.passed(),
        };
        (view, reps)
    }

    /// Once a view has held for [`VIEW_HOLD_FRAMES`], says once what it judges.
    fn view_cue(&mut self, view: Option<View>) -> Option<Cue> {
        let (last, n) = self.view_run;
        self.view_run = if last == view {
            (view, n + 1)
        } else {
            (view, 1)
        };
        let view = view?;
        if self.view_run.1 < VIEW_HOLD_FRAMES || self.announced_view == Some(view) {
            return None;
        }
        self.announced_view = Some(view);
        Some(Cue::info(crate::exercise::view_judges(self.exercise, view)))
    }

    /// The analyser's cue as the banner shows it; its flag colours the numbers it is about.
    fn fault_cue(&mut self, cue: Option<crate::analysis::Cue>) -> Option<Cue> {
        let cue = cue?;
        self.alerts = vec![cue.flag.clone()];
        Some(Cue::fault(cue.text))
    }

    /// One frame through the analyser, keeping the set count and collecting a completed rep.
    fn analyze(&mut self, frame: &PoseFrame, reps: &mut Vec<Rep>) -> FrameUpdate {
        let mut update = self.analyzer.push(frame);
        let set = self.set_base + update.set;
        if set != self.set {
            // The analyser starts a new set after a long rest.
            self.set = set;
            self.reps_in_set = 0;
        }
        if let Some(rep) = update.completed_rep.take() {
            self.handed_out += 1;
            reps.push(self.record(rep));
        }
        update
    }

    fn working_leg(&self) -> Option<overlay::Leg> {
        match self.side {
            Some(Side::Left) => Some(overlay::Leg::Left),
            Some(Side::Right) => Some(overlay::Leg::Right),
            _ => match self.last_rep_legs.as_slice() {
                [leg] => Some(*leg),
                _ => None,
            },
        }
    }

    /// Renumbers a rep into the session (numbers run on across resets, as in batch they run
    /// over the whole video) and its sets, and counts it.
    fn record(&mut self, mut rep: Rep) -> Rep {
        rep.set += self.set_base;
        rep.number = self.tally.complete_reps + self.tally.incomplete_reps + 1;
        self.tally.add(&rep);
        if rep.complete {
            if rep.set == self.set {
                self.reps_in_set += 1;
            }
            let idx = rep.set.saturating_sub(1) as usize;
            if self.tally.reps_per_set.len() <= idx {
                self.tally.reps_per_set.resize(idx + 1, 0);
            }
            self.tally.reps_per_set[idx] += 1;
        }
        self.last_rep_legs = rep.legs.clone();
        rep
    }

    /// Closes the analyser: a rep under way comes back (incomplete), and its notes are kept.
    fn close_analyzer(&mut self) -> Vec<Rep> {
        let fresh = Analyzer::live(self.exercise, self.side, self.thresholds.clone());
        let analysis = std::mem::replace(&mut self.analyzer, fresh).finish();
        self.note(&analysis.summary);
        // `finish` returns every rep this analyser found; the first ones were handed out already.
        let new: Vec<Rep> = analysis.reps().skip(self.handed_out).cloned().collect();
        self.handed_out = 0;
        new.into_iter().map(|r| self.record(r)).collect()
    }

    fn note(&mut self, summary: &Summary) {
        for n in &summary.notes {
            if !self.tally.notes.contains(n) {
                self.tally.notes.push(n.clone());
            }
        }
    }

    /// `r`: ends the set now and starts counting a new one from zero. Reps already done stay in
    /// the log; a rep under way is closed as incomplete.
    pub fn reset_set(&mut self) -> Vec<Rep> {
        let closed = self.close_analyzer();
        self.set_base = self.set;
        self.set += 1;
        self.reps_in_set = 0;
        self.alerts.clear();
        self.cues.clear();
        closed
    }

    /// Ends the session: a rep under way comes back (incomplete), with the totals.
    pub fn finish(mut self) -> (Vec<Rep>, Tally) {
        let closed = self.close_analyzer();
        // A person was there but the set-up never held: say that, not that no one was seen
        // (the analyser was never given a frame).
        if !self.gate.passed() {
            if let Some(problem) = self
                .gate
                .last_problem()
                .filter(|p| *p != SetupProblem::NoPerson)
            {
                self.tally.notes.retain(|n| n != NO_PERSON_NOTE);
                self.tally.notes.push(format!(
                    "nothing was counted: the set-up never held for {SETUP_HOLD_S:.0} s (last: {})",
                    problem.cue()
                ));
            }
        }
        self.tally.sets = self.set;
        (closed, self.tally)
    }

    /// The set being counted now, 1-based.
    pub fn set(&self) -> u32 {
        self.set
    }

    pub fn counting(&self) -> bool {
        self.gate.passed()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landmarks::{LandmarkIndex as L, Pose};
    use std::time::Duration;

    /// A person standing square to a 640×480 camera; `feet_y` moves the feet (below 480 = out).
    fn standing(index: u64, feet_y: f64) -> PoseFrame {
        let pose = Pose::from_points(
            &[
                (L::Nose, 320.0, 60.0),
                (L::LeftShoulder, 370.0, 120.0),
                (L::RightShoulder, 270.0, 120.0),
                (L::LeftHip, 350.0, 260.0),
                (L::RightHip, 290.0, 260.0),
                (L::LeftKnee, 352.0, 350.0),
                (L::RightKnee, 288.0, 350.0),
                (L::LeftAnkle, 354.0, 440.0),
                (L::RightAnkle, 286.0, 440.0),
                (L::LeftHeel, 356.0, feet_y - 8.0),
                (L::RightHeel, 284.0, feet_y - 8.0),
                (L::LeftFootIndex, 370.0, feet_y),
                (L::RightFootIndex, 270.0, feet_y),
            ],
            0.95,
        );
        PoseFrame {
            camera: Default::default(),
            index,
            time_s: index as f64 / 10.0,
            image_width: 640,
            image_height: 480,
            pose: Some(pose),
        }
    }

    fn coach() -> Coach {
        Coach::new(
            crate::exercise::find("squat").unwrap(),
            None,
            crate::judge::Thresholds::default(),
        )
    }

    #[test]
    fn counting_waits_for_the_feet_and_then_for_the_set_up_to_hold() {
        let mut coach = coach();
        let t0 = Instant::now();
        let at = |i: u64| t0 + Duration::from_millis(i * 100);
        // Feet below the frame: the set-up cue, no counting.
        for i in 0..5 {
            let (view, reps) = coach.push(&standing(i, 500.0), at(i));
            assert!(!view.counting && reps.is_empty());
            assert_eq!(
                view.banner.as_ref().map(|c| c.text.as_str()),
                Some("step back: feet not visible")
            );
            assert_eq!(view.banner.unwrap().kind, overlay::CueKind::Setup);
        }
        // Feet in: counting starts once the set-up has held for a second (10 frames at 10 Hz).
        let mut started_at = None;
        for i in 5..30 {
            let (view, _) = coach.push(&standing(i, 465.0), at(i));
            if view.counting && started_at.is_none() {
                started_at = Some(i);
            }
        }
        assert_eq!(started_at, Some(15));
        let (closing, tally) = coach.finish();
        assert!(closing.is_empty(), "standing still is no rep");
        assert_eq!(tally.complete_reps, 0);
        assert_eq!(tally.sets, 1);
    }

    /// commons_fitnessscape_squat_rear through live: its feet are below the picture's edge in
    /// every frame, so the set-up never held, and the summary said "no person was detected in
    /// any frame" of a clip with a person in every frame.
    #[test]
    fn a_set_up_that_never_held_says_so_not_that_no_one_was_seen() {
        let mut coach = coach();
        let t0 = Instant::now();
        for i in 0..30 {
            coach.push(&standing(i, 500.0), t0 + Duration::from_millis(i * 100));
        }
        let (_, tally) = coach.finish();
        assert!(
            !tally.notes.iter().any(|n| n == NO_PERSON_NOTE),
            "{:?}",
            tally.notes
        );
        assert!(
            tally.notes.iter().any(|n| n
                == "nothing was counted: the set-up never held for 1 s (last: step back: feet not visible)"),
            "{:?}",
            tally.notes
        );
    }

    /// The same feet-below-the-edge recording played with `live --file`: counted from its first
    /// frame as `analyze` counts it (it cannot be re-framed), with the set-up problem still cued.
    #[test]
    fn a_recording_is_counted_from_its_first_frame_with_set_up_cues_still_shown() {
        let mut coach = coach().counting_from_the_first_frame();
        let t0 = Instant::now();
        for i in 0..5 {
            let (view, _) = coach.push(&standing(i, 500.0), t0 + Duration::from_millis(i * 100));
            assert!(view.counting, "frame {i} is counted");
            assert_eq!(
                view.banner.as_ref().map(|c| c.text.as_str()),
                Some("step back: feet not visible")
            );
        }
        let (_, tally) = coach.finish();
        assert!(
            !tally
                .notes
                .iter()
                .any(|n| n.starts_with("nothing was counted")),
            "{:?}",
            tally.notes
        );
    }

    #[test]
    fn a_reset_starts_the_next_set_from_zero() {
        let mut coach = coach();
        let now = Instant::now();
        for i in 0..20 {
            coach.push(&standing(i, 465.0), now);
        }
        assert!(coach.reset_set().is_empty());
        let (view, _) = coach.push(&standing(20, 465.0), now);
        assert_eq!(
            view.count,
            RepCount {
                reps: 0,
                set: 2,
                target: None
            }
        );
        assert_eq!(coach.finish().1.sets, 2);
    }
}
