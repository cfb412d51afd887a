//! The end of a guided session: the precautions, and the question whether anything hurt. A yes
//! ends with the advice to see a doctor; the answer is kept in the session log and the history.

use std::io::BufRead;
use std::time::{Duration, Instant};

use serde::Serialize;

/// Asked at the end of every guided session (the programme's own precautions).
pub const QUESTION: &str =
    "Was there any pain, sudden swelling, or did the knee give way? Answer y or n.";
/// Said after a yes.
pub const SEE_A_DOCTOR: &str = "Stop the programme and see a doctor: pain, sudden swelling or \
     the knee giving way need to be checked before you train on.";
/// How long the window waits for an answer (formcheck rule: the person may have walked off).
pub const WINDOW_WAIT: Duration = Duration::from_secs(120);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Yes,
    No,
    NotAnswered,
}

impl Answer {
    pub fn key(self) -> &'static str {
        match self {
            Answer::Yes => "yes",
            Answer::No => "no",
            Answer::NotAnswered => "not_answered",
        }
    }

    /// A typed answer: y/yes or n/no, any case; anything else is no answer.
    pub fn parse(line: &str) -> Answer {
        match line.trim().to_ascii_lowercase().as_str() {
            "y" | "yes" => Answer::Yes,
            "n" | "no" => Answer::No,
            _ => Answer::NotAnswered,
        }
    }
}

/// On the terminal: one line from `input` (standard input); its end is no answer.
pub fn ask_terminal(input: &mut impl BufRead) -> Answer {
    let mut line = String::new();
    match input.read_line(&mut line) {
        Ok(n) if n > 0 => Answer::parse(&line),
        _ => Answer::NotAnswered,
    }
}

/// In the window: y or n pressed (q, Esc, closing it, or [`WINDOW_WAIT`] going by: no answer).
pub fn ask_window(mut wait_key: impl FnMut() -> Option<u8>) -> Answer {
    let until = Instant::now() + WINDOW_WAIT;
    while Instant::now() < until {
        match wait_key() {
            Some(b'y') | Some(b'Y') => return Answer::Yes,
            Some(b'n') | Some(b'N') => return Answer::No,
            Some(b'q') | Some(27) => return Answer::NotAnswered,
            _ => {}
        }
    }
    Answer::NotAnswered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_clear_yes_or_no_is_an_answer() {
        assert_eq!(ask_terminal(&mut "y\n".as_bytes()), Answer::Yes);
        assert_eq!(ask_terminal(&mut " No \n".as_bytes()), Answer::No);
        assert_eq!(ask_terminal(&mut "maybe\n".as_bytes()), Answer::NotAnswered);
        assert_eq!(ask_terminal(&mut "".as_bytes()), Answer::NotAnswered);
        let mut keys = vec![None, Some(b'x'), Some(b'Y')].into_iter();
        assert_eq!(ask_window(|| keys.next().flatten()), Answer::Yes);
        let mut keys = vec![Some(27)].into_iter();
        assert_eq!(ask_window(|| keys.next().flatten()), Answer::NotAnswered);
    }
}
