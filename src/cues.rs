//! Which cue the banner shows, in live mode and on the annotated video. A new cue appears at
//! once; once shown it stays long enough to be read even if the fault lasted one frame, and a
//! different cue does not replace it before it has been on screen for a moment, unless it
//! matters more (a fault over a set-up hint).

use std::time::{Duration, Instant};

use crate::overlay::CueKind;

/// A cue as the user reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cue {
    pub text: String,
    pub kind: CueKind,
}

impl Cue {
    pub fn fault(text: impl Into<String>) -> Cue {
        Cue {
            text: text.into(),
            kind: CueKind::Fault,
        }
    }

    pub fn info(text: impl Into<String>) -> Cue {
        Cue {
            text: text.into(),
            kind: CueKind::Info,
        }
    }

    pub fn setup(text: impl Into<String>) -> Cue {
        Cue {
            text: text.into(),
            kind: CueKind::Setup,
        }
    }

    fn rank(&self) -> u8 {
        match self.kind {
            CueKind::Fault => 2,
            CueKind::Setup => 1,
            CueKind::Info => 0,
        }
    }
}

/// Timing of the banner. Reading a 3–4 word cue takes about a second; two is comfortable while
/// moving.
#[derive(Debug, Clone, Copy)]
pub struct CueTiming {
    /// How long a cue stays after it was last asked for.
    pub hold: Duration,
    /// How long a cue is shown before an equal or lesser cue may replace it.
    pub min_show: Duration,
}

impl Default for CueTiming {
    fn default() -> Self {
        CueTiming {
            hold: Duration::from_millis(2000),
            min_show: Duration::from_millis(1000),
        }
    }
}

struct Shown {
    cue: Cue,
    since: Instant,
    last_asked: Instant,
}

pub struct CueBoard {
    timing: CueTiming,
    shown: Option<Shown>,
}

impl CueBoard {
    pub fn new(timing: CueTiming) -> CueBoard {
        CueBoard {
            timing,
            shown: None,
        }
    }

    /// Offers this frame's cue (if any) at `now`; returns what the banner shows and whether it is
    /// newly shown (for printing it once in the terminal).
    pub fn offer(&mut self, cue: Option<Cue>, now: Instant) -> (Option<&Cue>, bool) {
        let mut fresh = false;
        if let Some(shown) = &self.shown {
            if now.duration_since(shown.last_asked) >= self.timing.hold {
                self.shown = None;
            }
        }
        match (cue, self.shown.as_mut()) {
            (Some(cue), Some(shown)) if shown.cue == cue => shown.last_asked = now,
            (Some(cue), Some(shown)) => {
                let settled = now.duration_since(shown.since) >= self.timing.min_show;
                if settled || cue.rank() > shown.cue.rank() {
                    *shown = Shown {
                        cue,
                        since: now,
                        last_asked: now,
                    };
                    fresh = true;
                }
            }
            (Some(cue), None) => {
                self.shown = Some(Shown {
                    cue,
                    since: now,
                    last_asked: now,
                });
                fresh = true;
            }
            (None, _) => {}
        }
        (self.shown.as_ref().map(|s| &s.cue), fresh)
    }

    pub fn clear(&mut self) {
        self.shown = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_one_frame_fault_is_shown_at_once_and_held_for_the_hold_time() {
        let t0 = Instant::now();
        let mut board = CueBoard::new(CueTiming::default());
        let (shown, fresh) = board.offer(Some(Cue::fault("knee caving in")), t0);
        assert_eq!(shown.map(|c| c.text.as_str()), Some("knee caving in"));
        assert!(fresh);
        let (shown, fresh) = board.offer(None, t0 + ms(1900));
        assert!(shown.is_some() && !fresh);
        assert!(board.offer(None, t0 + ms(2000)).0.is_none());
    }

    #[test]
    fn a_lesser_cue_waits_but_a_fault_interrupts_a_setup_hint() {
        let t0 = Instant::now();
        let mut board = CueBoard::new(CueTiming::default());
        board.offer(Some(Cue::fault("knee caving in")), t0);
        let (shown, fresh) = board.offer(Some(Cue::fault("knee past toes")), t0 + ms(300));
        assert_eq!(shown.unwrap().text, "knee caving in");
        assert!(!fresh);
        let (shown, _) = board.offer(Some(Cue::fault("knee past toes")), t0 + ms(1100));
        assert_eq!(shown.unwrap().text, "knee past toes");

        let mut board = CueBoard::new(CueTiming::default());
        board.offer(Some(Cue::setup("step back: feet not visible")), t0);
        let (shown, fresh) = board.offer(Some(Cue::fault("knee caving in")), t0 + ms(100));
        assert_eq!(shown.unwrap().text, "knee caving in");
        assert!(fresh);
    }
}
