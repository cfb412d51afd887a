//! Live stage: who is in charge of the session, behind one interface for the loop. Either one
//! exercise, counted in sets by a [`Coach`], or the guided programme, a [`Guide`] handing each
//! set to a coach of its own. Pose frames and keys in; what to show, the reps that ended, what
//! to say and what the loop does next out.

use std::time::Instant;

use crate::exercise::Exercise;
use crate::exercise::Side;
use crate::landmarks::PoseFrame;

use super::coach::{Coach, Tally};
use super::guide::{Announcement, AnnouncementKind, BlockResult, Coached, Guide, Next, RepDone};

// One value a session: the size difference between the variants costs nothing.
#[allow(clippy::large_enum_variant)]
pub enum Coaching {
    One {
        coach: Coach,
        side: Side,
        /// The set the count below belongs to, and its complete reps so far.
        set: u32,
        in_set: u32,
    },
    Programme(Guide),
}

/// What a key asks of the coaching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ask {
    /// `r`: one exercise starts a new set; the programme repeats the exercise.
    Again,
    /// `n`: the programme skips to its next exercise.
    Skip,
    /// `e`: the programme ends this exercise where it stands and goes on.
    EndExercise,
}

impl Coaching {
    pub fn one(coach: Coach, side: Option<Side>) -> Coaching {
        Coaching::One {
            coach,
            side: side.unwrap_or(Side::Both),
            set: 1,
            in_set: 0,
        }
    }

    pub fn exercise(&self) -> Option<&'static dyn Exercise> {
        match self {
            Coaching::One { coach, .. } => Some(coach.exercise()),
            Coaching::Programme(_) => None,
        }
    }

    /// One pose frame.
    pub fn push(&mut self, frame: &PoseFrame, now: Instant) -> Coached {
        match self {
            Coaching::One {
                coach,
                side,
                set,
                in_set,
            } => {
                let (view, reps) = coach.push(frame, now);
                let mut out = hand_out(coach.exercise().name(), *side, set, in_set, reps);
                out.view = Some(view);
                out.next = Some(Next::Go);
                out
            }
            Coaching::Programme(guide) => guide.push(frame, now),
        }
    }

    pub fn ask(&mut self, ask: Ask) -> Coached {
        match (self, ask) {
            (
                Coaching::One {
                    coach,
                    side,
                    set,
                    in_set,
                },
                Ask::Again,
            ) => {
                let closing = coach.reset_set();
                let mut out = hand_out(coach.exercise().name(), *side, set, in_set, closing);
                *set = coach.set();
                *in_set = 0;
                out.next = Some(Next::Go);
                out
            }
            (Coaching::One { .. }, Ask::Skip | Ask::EndExercise) => Coached {
                next: Some(Next::Go),
                ..Coached::default()
            },
            (Coaching::Programme(guide), Ask::Again) => guide.repeat(),
            (Coaching::Programme(guide), Ask::Skip) => guide.skip(),
            (Coaching::Programme(guide), Ask::EndExercise) => guide.end_exercise(),
        }
    }

    /// The source ended (its file, or the stream for good).
    pub fn source_ended(&mut self) -> Coached {
        match self {
            Coaching::One { .. } => Coached {
                next: Some(Next::End),
                ..Coached::default()
            },
            Coaching::Programme(guide) => guide.source_ended(),
        }
    }

    /// The set now counted, for a terminal line after a reset.
    pub fn set(&self) -> Option<u32> {
        match self {
            Coaching::One { coach, .. } => Some(coach.set()),
            Coaching::Programme(guide) => guide.block().map(|b| b.set),
        }
    }

    /// Ends the session: what is under way comes back, with every block's result (the
    /// programme's) and the totals.
    pub fn finish(self) -> (Coached, Vec<BlockResult>, Tally) {
        match self {
            Coaching::One {
                coach,
                side,
                mut set,
                mut in_set,
            } => {
                let exercise = coach.exercise().name();
                // A rep the analyser closes at the end may still be complete: it counts.
                let (closing, tally) = coach.finish();
                let out = hand_out(exercise, side, &mut set, &mut in_set, closing);
                (out, Vec::new(), tally)
            }
            Coaching::Programme(guide) => guide.finish(),
        }
    }
}

/// One exercise's reps, with their count in the set kept (`set`, `in_set`) and "set N" said when
/// the analyser starts a new set.
fn hand_out(
    exercise: &'static str,
    side: Side,
    set: &mut u32,
    in_set: &mut u32,
    reps: Vec<crate::judge::Rep>,
) -> Coached {
    let mut out = Coached::default();
    for rep in reps {
        if rep.set != *set {
            *set = rep.set;
            *in_set = 0;
            out.said.push(Announcement {
                kind: AnnouncementKind::Go,
                text: format!("set {}", rep.set),
            });
        }
        if rep.complete {
            *in_set += 1;
        }
        out.reps.push(RepDone {
            count_in_set: if rep.complete { *in_set } else { 0 },
            rep,
            exercise,
            side,
        });
    }
    out
}
