//! Live stage above the coach: the guided programme (`live --programme`). It walks the
//! programme block by block (one exercise, one side, one set), gives every block a coach of its
//! own, closes a set when its target is reached and says what comes next: where the camera goes
//! for a new exercise, "switch legs", a rest countdown, the set in words. A state machine, pure:
//! pose frames and keys in, what to show and say out; no OpenCV, no files.

use std::time::Instant;

use serde::Serialize;

use crate::exercise::Side;
use crate::exercise::{Exercise, LegMode};
use crate::judge::{Rep, RepSet, Thresholds};
use crate::landmarks::PoseFrame;
use crate::overlay::RepCount;
use crate::programme::Programme;

use super::coach::{Coach, CoachView, Tally};
use crate::cues::Cue;

/// Seconds before the end of a rest when the voice says how long is left (formcheck rule: time
/// to get back into position).
pub const REST_WARNING_S: u32 = 10;

/// One set of one exercise on one side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// The exercise's place in the programme, 0-based.
    pub step: usize,
    pub side: Side,
    pub set: u32,
}

/// What the session says at a turn of the programme: shown as the banner, spoken, printed and
/// logged.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Announcement {
    pub kind: AnnouncementKind,
    pub text: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnnouncementKind {
    /// A new exercise: what it is and where the camera goes.
    Exercise,
    SwitchLegs,
    Rest,
    RestEnding,
    Go,
    SetDone,
    /// An exercise left before its sets were done (skipped, its recording ended).
    ExerciseCut,
    ProgrammeDone,
}

/// How a block ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub enum BlockStatus {
    /// The target was reached.
    Done,
    /// Left before its target (or never begun): why.
    Short { reason: String },
}

/// One block as it went, for the session log and the end of the session.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BlockResult {
    pub exercise: &'static str,
    pub side: Side,
    pub set: u32,
    pub target: u32,
    /// Complete reps.
    pub reps: u32,
    /// Complete reps with a fault.
    pub flagged: u32,
    #[serde(flatten)]
    pub status: BlockStatus,
    /// The set in words, as it was said.
    pub summary: String,
}

/// What the loop does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    Go,
    /// Open this exercise's own source (one `--file` per exercise), from its start.
    OpenSource(usize),
    /// The programme is over.
    End,
}

/// A rep with the exercise and side it was done for, as the history files it.
#[derive(Debug, Clone)]
pub struct RepDone {
    pub rep: Rep,
    pub exercise: &'static str,
    pub side: Side,
    /// Complete reps of its set so far, this one included (0 for an incomplete rep).
    pub count_in_set: u32,
}

/// One frame's (or one key's) worth of guidance.
#[derive(Debug, Default)]
pub struct Coached {
    pub view: Option<CoachView>,
    pub reps: Vec<RepDone>,
    pub said: Vec<Announcement>,
    /// Blocks that ended with this frame or key.
    pub closed: Vec<BlockResult>,
    pub next: Option<Next>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Phase {
    Working,
    /// Between sets, until the video clock reaches `until_s`; the next block's coach already
    /// watches, and a rep done early ends the rest.
    Rest {
        until_s: f64,
        warned: bool,
    },
    Done,
}

pub struct Guide {
    programme: Programme,
    blocks: Vec<Block>,
    /// The block being worked (or rested for).
    at: usize,
    coach: Coach,
    phase: Phase,
    thresholds: Thresholds,
    /// Whether each exercise plays from a source of its own (`--file` per exercise).
    source_per_step: bool,
    /// Reps of the current block.
    reps: Vec<Rep>,
    /// Reps numbered per exercise and side, as a history session numbers them.
    numbers: Vec<((usize, Side), u32)>,
    results: Vec<BlockResult>,
    tally: Tally,
    last_time_s: f64,
}

/// A fresh coach for one block: its exercise, told which leg works.
fn coach_for(programme: &Programme, block: Block, thresholds: &Thresholds) -> Coach {
    let side = (block.side != Side::Both).then_some(block.side);
    Coach::new(
        programme.steps[block.step].exercise,
        side,
        thresholds.clone(),
    )
}

/// The blocks in the order they are done: each set on every side in turn, then the rest.
pub fn blocks(programme: &Programme) -> Vec<Block> {
    let mut out = Vec::new();
    for (step, s) in programme.steps.iter().enumerate() {
        for set in 1..=s.sets {
            for &side in &s.sides {
                out.push(Block { step, side, set });
            }
        }
    }
    out
}

impl Guide {
    /// Starts at the first exercise; its announcement is in [`Guide::opening`].
    pub fn new(programme: Programme, thresholds: Thresholds, source_per_step: bool) -> Guide {
        let blocks = blocks(&programme);
        let coach = coach_for(&programme, blocks[0], &thresholds);
        Guide {
            programme,
            blocks,
            at: 0,
            coach,
            phase: Phase::Working,
            thresholds,
            source_per_step,
            reps: Vec::new(),
            numbers: Vec::new(),
            results: Vec::new(),
            tally: Tally::default(),
            last_time_s: 0.0,
        }
    }

    /// What is said before the first frame.
    pub fn opening(&self) -> Announcement {
        self.exercise_announcement(self.blocks[0])
    }

    pub fn block(&self) -> Option<Block> {
        (self.phase != Phase::Done).then(|| self.blocks[self.at])
    }

    pub fn exercise_name(&self, step: usize) -> &'static str {
        self.programme.steps[step].exercise.name()
    }

    fn exercise_announcement(&self, block: Block) -> Announcement {
        let step = &self.programme.steps[block.step];
        Announcement {
            kind: AnnouncementKind::Exercise,
            text: format!(
                "Exercise {} of {}: {}. {} set{} of {}. Camera: {}",
                block.step + 1,
                self.programme.steps.len(),
                named(step.exercise, block.side),
                step.sets,
                if step.sets == 1 { "" } else { "s" },
                step.reps,
                step.exercise.filming()
            ),
        }
    }

    fn target(&self) -> u32 {
        self.programme.steps[self.blocks[self.at].step].reps
    }

    fn complete_in_block(&self) -> u32 {
        self.reps.iter().filter(|r| r.complete).count() as u32
    }

    /// One pose frame.
    pub fn push(&mut self, frame: &PoseFrame, now: Instant) -> Coached {
        let mut out = Coached::default();
        if self.phase == Phase::Done {
            out.next = Some(Next::End);
            return out;
        }
        self.last_time_s = frame.time_s;
        let (mut view, reps) = self.coach.push(frame, now);
        for rep in reps {
            self.take(rep, &mut out);
            if out.next.is_some() {
                break;
            }
        }
        if let Phase::Rest { until_s, warned } = self.phase {
            let left = until_s - frame.time_s;
            if left <= 0.0 {
                self.phase = Phase::Working;
                out.said.push(self.go());
            } else {
                if !warned && left <= f64::from(REST_WARNING_S) {
                    self.phase = Phase::Rest {
                        until_s,
                        warned: true,
                    };
                    out.said.push(Announcement {
                        kind: AnnouncementKind::RestEnding,
                        text: format!("{REST_WARNING_S} seconds"),
                    });
                }
                // The countdown holds the banner unless the coach has a fault to show.
                if !view
                    .banner
                    .as_ref()
                    .is_some_and(|c| c.kind == crate::overlay::CueKind::Fault)
                {
                    view.banner = Some(Cue::info(format!("rest: {:.0} s", left.ceil())));
                }
            }
        }
        if let Some(block) = self.block() {
            view.count = RepCount {
                reps: self.complete_in_block(),
                set: block.set,
                target: Some(self.target()),
            };
        }
        out.view = Some(view);
        out
    }

    fn go(&self) -> Announcement {
        let b = self.blocks[self.at];
        Announcement {
            kind: AnnouncementKind::Go,
            text: format!(
                "Go: set {} of {}, {}",
                b.set,
                self.programme.steps[b.step].sets,
                side_words(self.programme.steps[b.step].exercise, b.side)
            ),
        }
    }

    /// A rep the block's coach handed out: numbered into its exercise and set, and counted.
    fn take(&mut self, mut rep: Rep, out: &mut Coached) {
        let block = self.blocks[self.at];
        let key = (block.step, block.side);
        let number = match self.numbers.iter_mut().find(|(k, _)| *k == key) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                self.numbers.push((key, 1));
                1
            }
        };
        rep.number = number;
        rep.set = block.set;
        self.tally.add(&rep);
        self.reps.push(rep.clone());
        let count = self.complete_in_block();
        out.reps.push(RepDone {
            rep: rep.clone(),
            exercise: self.exercise_name(block.step),
            side: block.side,
            count_in_set: if rep.complete { count } else { 0 },
        });
        if rep.complete && matches!(self.phase, Phase::Rest { .. }) {
            // Started before the rest was over: the set is under way.
            self.phase = Phase::Working;
            out.said.push(self.go());
        }
        if count >= self.target() {
            out.next = self.close_block(out);
        }
    }

    /// Ends the current block at its target, says how it went, and moves on to the next block.
    /// (Blocks left short are recorded by `cut_short`.)
    fn close_block(&mut self, out: &mut Coached) -> Option<Next> {
        let block = self.blocks[self.at];
        let reps = std::mem::take(&mut self.reps);
        let set = RepSet::new(block.set, reps);
        let step = &self.programme.steps[block.step];
        let summary = set.verdict.spoken();
        out.said.push(Announcement {
            kind: AnnouncementKind::SetDone,
            text: format!(
                "{}, set {}: {summary}",
                named(step.exercise, block.side),
                block.set
            ),
        });
        self.record(
            BlockResult {
                exercise: step.exercise.name(),
                side: block.side,
                set: block.set,
                target: step.reps,
                reps: set.verdict.reps,
                flagged: set.verdict.flagged,
                status: BlockStatus::Done,
                summary,
            },
            out,
        );
        self.advance(self.at + 1, out)
    }

    fn record(&mut self, result: BlockResult, out: &mut Coached) {
        out.closed.push(result.clone());
        self.results.push(result);
    }

    /// Moves to block `to` (or the end), with what is said on the way.
    fn advance(&mut self, to: usize, out: &mut Coached) -> Option<Next> {
        let from = self.blocks[self.at];
        let Some(&next) = self.blocks.get(to) else {
            self.phase = Phase::Done;
            let sets = self.blocks.len();
            let done = self
                .results
                .iter()
                .filter(|r| r.status == BlockStatus::Done)
                .count();
            out.said.push(Announcement {
                kind: AnnouncementKind::ProgrammeDone,
                text: if done == sets {
                    "Programme done. Well done.".into()
                } else {
                    format!("Programme over: {done} of {sets} sets done.")
                },
            });
            return Some(Next::End);
        };
        self.at = to;
        self.reps.clear();
        self.coach = coach_for(&self.programme, next, &self.thresholds);
        if next.step != from.step {
            self.phase = Phase::Working;
            out.said.push(self.exercise_announcement(next));
            return Some(if self.source_per_step {
                Next::OpenSource(next.step)
            } else {
                Next::Go
            });
        }
        if next.set == from.set {
            self.phase = Phase::Working;
            out.said.push(Announcement {
                kind: AnnouncementKind::SwitchLegs,
                text: {
                    let exercise = self.programme.steps[next.step].exercise;
                    let what = if exercise.legs() == LegMode::Support {
                        "sides"
                    } else {
                        "legs"
                    };
                    format!("Switch {what}: {}", side_words(exercise, next.side))
                },
            });
        } else {
            let rest_s = self.programme.steps[next.step].rest_s;
            if rest_s == 0 {
                self.phase = Phase::Working;
                out.said.push(self.go());
            } else {
                self.phase = Phase::Rest {
                    until_s: self.last_time_s + f64::from(rest_s),
                    warned: rest_s <= REST_WARNING_S,
                };
                out.said.push(Announcement {
                    kind: AnnouncementKind::Rest,
                    text: format!("Rest {rest_s} seconds. Next: set {}", next.set),
                });
            }
        }
        Some(Next::Go)
    }

    /// Closes the current coach: a rep under way comes back, incomplete.
    fn close_coach(&mut self, out: &mut Coached) {
        let fresh = coach_for(&self.programme, self.blocks[self.at], &self.thresholds);
        let coach = std::mem::replace(&mut self.coach, fresh);
        let (closing, tally) = coach.finish();
        for n in tally.notes {
            if !self.tally.notes.contains(&n) {
                self.tally.notes.push(n);
            }
        }
        for rep in closing {
            // A rep the analyser completes as it closes counts, and may close the block.
            self.take(rep, out);
        }
    }

    /// Leaves the current exercise for the next: its unfinished blocks are recorded as short,
    /// with `reason`.
    fn leave_step(&mut self, reason: &str, out: &mut Coached) -> Next {
        if self.phase == Phase::Done {
            return Next::End;
        }
        self.close_coach(out);
        if self.phase == Phase::Done {
            return Next::End;
        }
        let step = self.blocks[self.at].step;
        let last = self
            .blocks
            .iter()
            .rposition(|b| b.step == step)
            .unwrap_or(self.at);
        let title = self.programme.steps[step].exercise.title();
        out.said.push(Announcement {
            kind: AnnouncementKind::ExerciseCut,
            text: format!("{title}: {reason}"),
        });
        self.cut_short(self.at..=last, reason, out);
        self.at = last;
        self.advance(last + 1, out).unwrap_or(Next::Go)
    }

    /// Records blocks `range` as short, with `reason`; the first is the one under way, with the
    /// reps it has.
    fn cut_short(
        &mut self,
        range: std::ops::RangeInclusive<usize>,
        reason: &str,
        out: &mut Coached,
    ) {
        let first = *range.start();
        for i in range {
            let b = self.blocks[i];
            let reps = if i == first {
                std::mem::take(&mut self.reps)
            } else {
                Vec::new()
            };
            let set = RepSet::new(b.set, reps);
            let step = &self.programme.steps[b.step];
            let target = step.reps;
            self.record(
                BlockResult {
                    exercise: step.exercise.name(),
                    side: b.side,
                    set: b.set,
                    target,
                    reps: set.verdict.reps,
                    flagged: set.verdict.flagged,
                    status: BlockStatus::Short {
                        reason: reason.to_string(),
                    },
                    summary: format!("{} of {target} reps", set.verdict.reps),
                },
                out,
            );
        }
    }

    /// `n`: the rest of this exercise is skipped.
    pub fn skip(&mut self) -> Coached {
        let mut out = Coached::default();
        out.next = Some(self.leave_step("skipped", &mut out));
        out
    }

    /// `e`: this exercise ends where it stands (its reps kept), and the next begins.
    pub fn end_exercise(&mut self) -> Coached {
        let mut out = Coached::default();
        out.next = Some(self.leave_step("ended early", &mut out));
        out
    }

    /// `r`: this exercise again from its first set (reps already done stay recorded).
    pub fn repeat(&mut self) -> Coached {
        let mut out = Coached::default();
        if self.phase == Phase::Done {
            out.next = Some(Next::End);
            return out;
        }
        self.close_coach(&mut out);
        let step = self.blocks[self.at].step;
        let first = self.blocks.iter().position(|b| b.step == step).unwrap_or(0);
        self.at = first;
        self.reps.clear();
        self.phase = Phase::Working;
        self.coach = coach_for(&self.programme, self.blocks[first], &self.thresholds);
        let mut again = self.exercise_announcement(self.blocks[first]);
        again.text = format!("Again. {}", again.text);
        out.said.push(again);
        out.next = Some(if self.source_per_step {
            Next::OpenSource(step)
        } else {
            Next::Go
        });
        out
    }

    /// The exercise's own recording ended: it goes on to the next exercise. With one source
    /// for the whole programme, its end ends the programme.
    pub fn source_ended(&mut self) -> Coached {
        let mut out = Coached::default();
        if !self.source_per_step {
            out.next = Some(Next::End);
            return out;
        }
        out.next = Some(self.leave_step("the recording ended", &mut out));
        out
    }

    /// Ends the session: what is under way is closed, the blocks not reached are recorded as
    /// not done.
    pub fn finish(mut self) -> (Coached, Vec<BlockResult>, Tally) {
        let mut out = Coached::default();
        if self.phase != Phase::Done {
            self.close_coach(&mut out);
        }
        if self.phase != Phase::Done {
            self.cut_short(
                self.at..=self.blocks.len() - 1,
                "the session ended",
                &mut out,
            );
        }
        let mut tally = self.tally;
        tally.sets = self.results.iter().filter(|r| r.reps > 0).count() as u32;
        tally.reps_per_set = self
            .results
            .iter()
            .filter(|r| r.reps > 0)
            .map(|r| r.reps)
            .collect();
        (out, self.results, tally)
    }
}

/// "Stationary lunge, left leg"; a both-legs exercise by its title alone.
fn named(exercise: &dyn Exercise, side: Side) -> String {
    match side {
        Side::Both => exercise.title().to_string(),
        side => format!("{}, {}", exercise.title(), side_words(exercise, side)),
    }
}

/// The side as the exercise works it: a leg, or the side lain on (the side plank).
fn side_words(exercise: &dyn Exercise, side: Side) -> &'static str {
    let support = exercise.legs() == LegMode::Support;
    match (side, support) {
        (Side::Left, false) => "left leg",
        (Side::Right, false) => "right leg",
        (Side::Left, true) => "left side",
        (Side::Right, true) => "right side",
        (Side::Both, _) => "both legs",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::landmarks::{LandmarkIndex as L, Pose};
    use std::path::Path;
    use std::time::Duration;

    fn thresholds() -> Thresholds {
        Thresholds::default()
    }

    fn programme(text: &str) -> Programme {
        Programme::parse(text, Path::new("p.toml")).unwrap()
    }

    /// A person square to a 640×480 camera, hips lowered by `dip` px: a bodyweight squat.
    fn squat_frame(index: u64, fps: f64, dip: f64) -> PoseFrame {
        let pose = Pose::from_points(
            &[
                (L::Nose, 320.0, 60.0 + dip),
                (L::LeftShoulder, 370.0, 120.0 + dip),
                (L::RightShoulder, 270.0, 120.0 + dip),
                (L::LeftHip, 350.0, 260.0 + dip),
                (L::RightHip, 290.0, 260.0 + dip),
                (L::LeftKnee, 354.0, 350.0 + dip * 0.3),
                (L::RightKnee, 286.0, 350.0 + dip * 0.3),
                (L::LeftAnkle, 354.0, 440.0),
                (L::RightAnkle, 286.0, 440.0),
                (L::LeftHeel, 356.0, 457.0),
                (L::RightHeel, 284.0, 457.0),
                (L::LeftFootIndex, 370.0, 465.0),
                (L::RightFootIndex, 270.0, 465.0),
            ],
            0.95,
        );
        PoseFrame {
            camera: Default::default(),
            index,
            time_s: index as f64 / fps,
            image_width: 640,
            image_height: 480,
            pose: Some(pose),
        }
    }

    /// `reps` squats after a second of standing, 2 s each, then `rest_s` of standing.
    fn squats(reps: u32, start_index: u64, rest_after_s: f64) -> Vec<PoseFrame> {
        let fps = 30.0;
        let mut out = Vec::new();
        let mut i = start_index;
        let stand = |i: &mut u64, out: &mut Vec<PoseFrame>, s: f64| {
            for _ in 0..(s * fps) as u32 {
                out.push(squat_frame(*i, fps, 0.0));
                *i += 1;
            }
        };
        stand(&mut i, &mut out, 1.5);
        for _ in 0..reps {
            for k in 0..60 {
                let phase = k as f64 / 60.0 * std::f64::consts::TAU;
                out.push(squat_frame(i, fps, 60.0 * (1.0 - phase.cos()) / 2.0));
                i += 1;
            }
            stand(&mut i, &mut out, 0.5);
        }
        stand(&mut i, &mut out, rest_after_s);
        out
    }

    fn run(guide: &mut Guide, frames: &[PoseFrame]) -> Vec<Coached> {
        let t0 = Instant::now();
        frames
            .iter()
            .map(|f| guide.push(f, t0 + Duration::from_secs_f64(f.time_s)))
            .collect()
    }

    fn said(steps: &[Coached]) -> Vec<(AnnouncementKind, String)> {
        steps
            .iter()
            .flat_map(|g| g.said.iter().map(|a| (a.kind, a.text.clone())))
            .collect()
    }

    #[test]
    fn a_set_closes_at_its_target_then_rests_then_goes_on() {
        let p = programme(
            "[[exercise]]\nname = \"squat\"\nsides = [\"both\"]\nsets = 2\nreps = 2\nrest_s = 15\n",
        );
        let mut guide = Guide::new(p, thresholds(), false);
        assert!(guide.opening().text.contains("Exercise 1 of 1: Squat"));
        // Set 1: two reps, then the rest; set 2 begins after it.
        let frames = squats(2, 0, 17.0);
        let n = frames.len() as u64;
        let first = run(&mut guide, &frames);
        let s = said(&first);
        let kinds: Vec<AnnouncementKind> = s.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            [
                AnnouncementKind::SetDone,
                AnnouncementKind::Rest,
                AnnouncementKind::RestEnding,
                AnnouncementKind::Go
            ],
            "{s:?}"
        );
        assert!(
            s[0].1.starts_with("Squat (both legs), set 1: 2 reps"),
            "{s:?}"
        );
        let counted: Vec<u32> = first
            .iter()
            .flat_map(|g| g.reps.iter().map(|r| r.count_in_set))
            .collect();
        assert_eq!(counted, [1, 2]);
        // The countdown is on the banner during the rest.
        assert!(first.iter().any(|g| g
            .view
            .as_ref()
            .and_then(|v| v.banner.as_ref())
            .is_some_and(|b| b.text.starts_with("rest: "))));
        let second = run(&mut guide, &squats(2, n, 0.5));
        let s2 = said(&second);
        assert!(
            s2.iter()
                .any(|(k, _)| *k == AnnouncementKind::ProgrammeDone),
            "{s2:?}"
        );
        let sets: Vec<u32> = second
            .iter()
            .flat_map(|g| g.reps.iter().map(|r| r.rep.set))
            .collect();
        assert_eq!(sets, [2, 2]);
        let (_, results, tally) = guide.finish();
        assert_eq!(results.len(), 2);
        assert!(results
            .iter()
            .all(|r| r.status == BlockStatus::Done && r.reps == 2));
        assert_eq!((tally.complete_reps, tally.sets), (4, 2));
    }

    #[test]
    fn a_rep_before_the_rest_is_over_starts_the_next_set() {
        let p = programme(
            "[[exercise]]\nname = \"squat\"\nsides = [\"both\"]\nsets = 2\nreps = 1\nrest_s = 60\n",
        );
        let mut guide = Guide::new(p, thresholds(), false);
        let steps = run(&mut guide, &squats(2, 0, 1.0));
        let s = said(&steps);
        let kinds: Vec<AnnouncementKind> = s.iter().map(|(k, _)| *k).collect();
        assert_eq!(
            kinds,
            [
                AnnouncementKind::SetDone,
                AnnouncementKind::Rest,
                AnnouncementKind::Go,
                AnnouncementKind::SetDone,
                AnnouncementKind::ProgrammeDone
            ],
            "{s:?}"
        );
    }

    #[test]
    fn switch_legs_between_sides_and_skip_records_the_rest_as_skipped() {
        let p = programme(
            "[[exercise]]\nname = \"lunge\"\nsides = [\"left\", \"right\"]\nsets = 2\nreps = 8\nrest_s = 30\n\
             [[exercise]]\nname = \"squat\"\nsides = [\"both\"]\nsets = 1\nreps = 2\nrest_s = 0\n",
        );
        let blocks = blocks(&p);
        assert_eq!(
            blocks.iter().map(|b| (b.side, b.set)).collect::<Vec<_>>(),
            [
                (Side::Left, 1),
                (Side::Right, 1),
                (Side::Left, 2),
                (Side::Right, 2),
                (Side::Both, 1)
            ]
        );
        let mut guide = Guide::new(p, thresholds(), true);
        let skipped = guide.skip();
        assert_eq!(skipped.next, Some(Next::OpenSource(1)));
        let s = said(std::slice::from_ref(&skipped));
        assert_eq!(
            s[0],
            (
                AnnouncementKind::ExerciseCut,
                "Stationary lunge: skipped".into()
            )
        );
        assert!(s[1].1.starts_with("Exercise 2 of 2: Squat"), "{s:?}");
        assert_eq!(guide.block().map(|b| b.step), Some(1));
        let ended = guide.source_ended();
        assert_eq!(ended.next, Some(Next::End));
        let (_, results, _) = guide.finish();
        assert_eq!(results.len(), 5, "every block is accounted for");
        assert!(results[..4].iter().all(|r| r.status
            == BlockStatus::Short {
                reason: "skipped".into()
            }));
        assert_eq!(
            results[4].status,
            BlockStatus::Short {
                reason: "the recording ended".into()
            }
        );
    }

    #[test]
    fn the_set_in_words_names_each_fault_and_never_passes_what_was_not_judged() {
        use crate::judge::{Concern, ConcernTally, SetVerdict};
        let tally = |concern, judged, faulted, main_cue| ConcernTally {
            concern,
            judged,
            faulted,
            borderline: 0,
            main_cue,
            not_judged_reason: None,
        };
        let verdict = SetVerdict {
            outcome: None,
            reps: 10,
            flagged: 2,
            jumps: 0,
            concerns: vec![
                tally(
                    Concern::Valgus,
                    10,
                    2,
                    Some("knee caving in: push it out over the little toe"),
                ),
                tally(Concern::KneeOverToe, 0, 0, None),
            ],
        };
        assert_eq!(
            verdict.spoken(),
            "10 reps, knee caved in on 2: push it out over the little toe; \
             knee over toe not judged from this view"
        );
        let clean = SetVerdict {
            concerns: vec![tally(Concern::Valgus, 8, 0, None)],
            reps: 8,
            flagged: 0,
            ..verdict.clone()
        };
        assert_eq!(clean.spoken(), "8 reps, good alignment");
        let unjudged = SetVerdict {
            concerns: vec![tally(Concern::Valgus, 0, 0, None)],
            ..clean
        };
        assert_eq!(
            unjudged.spoken(),
            "8 reps; valgus (knee caving in) not judged from this view"
        );
    }

    #[test]
    fn the_side_plank_switches_sides_and_a_lunge_switches_legs() {
        for (name, said) in [
            ("side-plank", "Switch sides: right side"),
            ("lunge", "Switch legs: right leg"),
        ] {
            let p = programme(&format!(
                "[[exercise]]\nname = \"{name}\"\nsides = [\"left\", \"right\"]\nsets = 1\nreps = 8\nrest_s = 30\n"
            ));
            let mut guide = Guide::new(p, thresholds(), false);
            let mut out = Coached::default();
            assert_eq!(guide.close_block(&mut out), Some(Next::Go));
            assert_eq!(out.said[1].text, said);
            assert_eq!(guide.block().map(|b| b.side), Some(Side::Right));
        }
    }

    #[test]
    fn ending_an_exercise_keeps_the_reps_done_and_records_the_rest_as_ended_early() {
        let p = programme(
            "[[exercise]]\nname = \"squat\"\nsides = [\"both\"]\nsets = 2\nreps = 5\nrest_s = 60\n",
        );
        let mut guide = Guide::new(p, thresholds(), false);
        run(&mut guide, &squats(2, 0, 1.0));
        let ended = guide.end_exercise();
        assert_eq!(ended.next, Some(Next::End));
        let s = said(std::slice::from_ref(&ended));
        assert_eq!(
            s.last().unwrap(),
            &(
                AnnouncementKind::ProgrammeDone,
                "Programme over: 0 of 2 sets done.".to_string()
            )
        );
        let reasons: Vec<(u32, u32, String)> = ended
            .closed
            .iter()
            .map(|r| match &r.status {
                BlockStatus::Short { reason } => (r.set, r.reps, reason.clone()),
                BlockStatus::Done => (r.set, r.reps, "done".into()),
            })
            .collect();
        assert_eq!(
            reasons,
            [(1, 2, "ended early".into()), (2, 0, "ended early".into())]
        );
    }

    #[test]
    fn repeat_starts_the_exercise_again_from_its_first_set() {
        let p = programme(
            "[[exercise]]\nname = \"squat\"\nsides = [\"both\"]\nsets = 2\nreps = 1\nrest_s = 60\n",
        );
        let mut guide = Guide::new(p, thresholds(), true);
        run(&mut guide, &squats(1, 0, 1.0));
        assert_eq!(guide.block().map(|b| b.set), Some(2));
        let again = guide.repeat();
        assert_eq!(again.next, Some(Next::OpenSource(0)));
        assert!(again.said[0].text.starts_with("Again. Exercise 1 of 1"));
        assert_eq!(guide.block().map(|b| b.set), Some(1));
    }
}
