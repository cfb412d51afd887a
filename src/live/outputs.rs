//! Live stage, last: where what the coaching decided goes, apart from the window (the loop owns
//! the frame it draws on): the session log, the history, the voice and the terminal. Each is
//! optional; a rep reaches the history before the log, so a session killed between the two has
//! every logged rep in the history.

use serde::Serialize;

use crate::history::{History, SessionId, SessionInfo};
use crate::output::json::RepRecord;
use crate::programme::Side;

use super::guide::{Announcement, AnnouncementKind, BlockResult, Coached, RepDone};
use super::session::SessionLog;
use super::voice::Voice;
use super::LiveError;
use crate::cues::Cue;

#[derive(Default)]
pub(crate) struct Outputs {
    pub log: Option<SessionLog>,
    pub history: Option<LiveHistory>,
    pub voice: Option<Voice>,
    /// Reps and cues on the terminal (without a window); announcements are printed unless quiet.
    pub print_cues: bool,
    pub quiet: bool,
    /// Whether rep lines say their exercise and side (a programme has several).
    pub tag_reps: bool,
    /// Reps logged so far (the rep under way is the next one).
    pub reps: u32,
}

/// This session's records in the history: one per exercise and side, each started with its
/// first rep (or, for one exercise, at once).
pub(crate) struct LiveHistory {
    pub db: History,
    pub info: SessionInfo,
    pub sessions: Vec<((&'static str, Side), SessionId)>,
}

impl LiveHistory {
    fn session(&mut self, exercise: &'static str, side: Side) -> Result<SessionId, LiveError> {
        if let Some((_, id)) = self.sessions.iter().find(|(k, _)| *k == (exercise, side)) {
            return Ok(*id);
        }
        let info = SessionInfo {
            exercise: exercise.to_string(),
            side: match side {
                Side::Left => Some("left".into()),
                Side::Right => Some("right".into()),
                Side::Both => self.info.side.clone(),
            },
            ..self.info.clone()
        };
        let id = self.db.start_live(&info)?;
        self.sessions.push(((exercise, side), id));
        Ok(id)
    }

    /// Starts the record of one exercise now, so a session with no rep is still recorded.
    pub fn start(&mut self, exercise: &'static str, side: Side) -> Result<(), LiveError> {
        self.session(exercise, side).map(|_| ())
    }

    pub fn end(&mut self, ended: &str) -> Result<(), LiveError> {
        for (_, id) in &self.sessions {
            self.db.end_live(*id, ended)?;
        }
        Ok(())
    }
}

#[derive(Serialize)]
struct RepLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    exercise: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    side: Option<Side>,
    /// The rep exactly as `reps.json` writes it.
    #[serde(flatten)]
    rep: RepRecord<'a>,
}

#[derive(Serialize)]
struct SaidLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    what: AnnouncementKind,
    t_s: f64,
    text: &'a str,
}

#[derive(Serialize)]
struct SetLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(flatten)]
    result: &'a BlockResult,
}

impl Outputs {
    /// Everything one frame or key decided, in order: reps, then what is said, then the sets
    /// that closed.
    pub fn take(&mut self, coached: &Coached, t_s: f64) -> Result<(), LiveError> {
        for done in &coached.reps {
            self.rep(done)?;
        }
        for said in &coached.said {
            self.announce(said, t_s)?;
        }
        for result in &coached.closed {
            if let Some(log) = self.log.as_mut() {
                log.append(&SetLine {
                    kind: "set",
                    result,
                })?;
            }
        }
        Ok(())
    }

    /// A cue newly on the banner: printed without a window; a fault is spoken, once a rep.
    pub fn cue(&mut self, cue: &Cue, t_s: f64) {
        if self.print_cues {
            println!("{t_s:>7.2}s  cue: {}", cue.text);
        }
        if cue.kind == crate::draw::CueKind::Fault {
            let under_way = self.reps + 1;
            if let Some(voice) = self.voice.as_mut() {
                voice.fault(under_way, &cue.text, std::time::Instant::now());
            }
        }
    }

    pub fn announce(&mut self, said: &Announcement, t_s: f64) -> Result<(), LiveError> {
        if !self.quiet {
            eprintln!("formcheck live: {}", said.text);
        }
        if let Some(voice) = self.voice.as_mut() {
            voice.say(said.text.clone());
        }
        if let Some(log) = self.log.as_mut() {
            log.append(&SaidLine {
                kind: "said",
                what: said.kind,
                t_s,
                text: &said.text,
            })?;
        }
        Ok(())
    }

    /// The history failed (a corrupt database, a full or read-only disk): said once, and the
    /// workout goes on without it; the session log, if any, still has every rep.
    pub fn drop_history(&mut self, error: &dyn std::fmt::Display) {
        if let Some(history) = self.history.take() {
            history_unusable(history.db.path(), error);
        }
    }

    pub fn rep(&mut self, done: &RepDone) -> Result<(), LiveError> {
        let rep = &done.rep;
        if let Some(history) = self.history.as_mut() {
            let recorded = history
                .session(done.exercise, done.side)
                .and_then(|id| Ok(history.db.add_rep(id, rep)?));
            if let Err(e) = recorded {
                self.drop_history(&e);
            }
        }
        if let Some(log) = self.log.as_mut() {
            log.append(&RepLine {
                kind: "rep",
                exercise: self.tag_reps.then_some(done.exercise),
                side: self.tag_reps.then_some(done.side),
                rep: RepRecord::new(rep),
            })?;
        }
        self.reps += 1;
        if rep.complete {
            if let Some(voice) = self.voice.as_mut() {
                voice.rep(done.count_in_set);
            }
        }
        if !self.quiet {
            println!(
                "{:>7.2}s  {}set {} rep {}: {}",
                rep.end.time_s,
                if self.tag_reps {
                    format!("{} ", done.exercise)
                } else {
                    String::new()
                },
                rep.set,
                rep.number,
                rep_verdict(rep)
            );
        }
        Ok(())
    }
}

/// Says, once, that the history cannot be used and the session goes on without it.
pub(crate) fn history_unusable(path: &std::path::Path, error: &dyn std::fmt::Display) {
    eprintln!(
        "formcheck live: WARNING: the history {} cannot be used ({error}); the session goes on without it",
        path.display()
    );
}

/// Each concern as the exercise judged it: its cue, "ok", or "not judged"; the knee travel an
/// exercise shows without judging it; or why the rep is incomplete.
fn rep_verdict(rep: &crate::judge::Rep) -> String {
    use crate::judge::{Concern, ConcernStatus};
    if let Some(why) = rep.incomplete {
        return format!("incomplete ({})", why.describe());
    }
    let jumped = if rep.jump.is_some() {
        "jump, landing judged too: "
    } else {
        ""
    };
    let mut concerns: Vec<String> = rep
        .concerns
        .iter()
        .map(|c| match &c.status {
            ConcernStatus::Ok => format!("{} ok", c.concern.describe()),
            ConcernStatus::Fault { cue } => cue.to_string(),
            ConcernStatus::Borderline { .. } => format!("{} borderline", c.concern.describe()),
            ConcernStatus::NotJudged { .. } => format!("{} not judged", c.concern.describe()),
        })
        .collect();
    if !rep
        .concerns
        .iter()
        .any(|c| c.concern == Concern::KneeOverToe)
    {
        for p in &rep.peaks {
            if let Some(kot) = p.knee_over_toe.get() {
                concerns.push(format!(
                    "{} knee over toe {:+.0}% of a foot (shown, not judged)",
                    p.leg,
                    kot.value * 100.0
                ));
            }
        }
    }
    format!("{jumped}{}", concerns.join("; "))
}
