//! The home programme: which exercises, on which side, how many sets of how many reps, with how
//! much rest. A built-in default follows the knock-knee programme (four exercises, each leg or
//! side, 1–3 sets of 8–12 reps); `--programme FILE` (TOML) replaces it. Pure: parsed and checked
//! here, walked through by a guided session.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::Deserialize;

pub use crate::exercise::Side;
use crate::exercise::{self, Exercise, LegMode};

/// The most sets an exercise may ask for (formcheck rule: the programme's 1–3, with room for a
/// physiotherapist's own plan; more is a typo).
pub const MAX_SETS: u32 = 10;
/// The most reps a set may target (formcheck rule: the programme's 8–12 is strength work; 40 is a
/// typo, not a set).
pub const MAX_REPS: u32 = 30;
/// The longest rest between sets, in seconds (formcheck rule).
pub const MAX_REST_S: u32 = 600;

/// The programme the seed describes: each exercise on each leg or side, 2 sets of 10 (the
/// middle of 1–3 × 8–12), a minute's rest.
pub const DEFAULT_TOML: &str = r#"# formcheck's default programme: the home programme for knock knees (knee valgus).
# Each exercise, each leg or side: 1-3 sets of 8-12 reps; this default takes the middle.

[[exercise]]
name = "side-plank"
sides = ["left", "right"]
sets = 2
reps = 10
rest_s = 60

[[exercise]]
name = "side-step-up"
sides = ["left", "right"]
sets = 2
reps = 10
rest_s = 60

[[exercise]]
name = "lunge"
sides = ["left", "right"]
sets = 2
reps = 10
rest_s = 60

[[exercise]]
name = "single-leg-bridge"
sides = ["left", "right"]
sets = 2
reps = 10
rest_s = 60
"#;

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ProgrammeError {
    #[error("--programme {}: {message}", path.display())]
    Read { path: PathBuf, message: String },
    #[error("--programme {}: {key}: {message}", path.display())]
    Value {
        path: PathBuf,
        key: String,
        message: String,
    },
}

/// One exercise of the programme, as the file gives it.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExerciseEntry {
    name: String,
    sides: Vec<Side>,
    sets: u32,
    reps: u32,
    rest_s: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProgrammeFile {
    exercise: Vec<ExerciseEntry>,
}

/// One exercise, checked.
#[derive(Debug, Clone)]
pub struct Step {
    pub exercise: &'static dyn Exercise,
    pub sides: Vec<Side>,
    pub sets: u32,
    pub reps: u32,
    pub rest_s: u32,
}

#[derive(Debug, Clone)]
pub struct Programme {
    pub steps: Vec<Step>,
}

impl Programme {
    pub fn default_programme() -> Programme {
        // The built-in text is checked by a test; a failure here would be formcheck's own bug.
        Programme::parse(DEFAULT_TOML, Path::new("(built-in)"))
            .unwrap_or(Programme { steps: Vec::new() })
    }

    pub fn load(path: &Path) -> Result<Programme, ProgrammeError> {
        let text = crate::text_file::read_capped(path).map_err(|e| ProgrammeError::Read {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Programme::parse(&text, path)
    }

    /// Parses and checks a programme; errors name the key (`exercise[2].reps`).
    pub fn parse(text: &str, path: &Path) -> Result<Programme, ProgrammeError> {
        let file: ProgrammeFile = toml::from_str(text).map_err(|e| ProgrammeError::Read {
            path: path.to_path_buf(),
            // toml's message spans lines (it quotes the line); one line for the terminal.
            message: e
                .message()
                .to_string()
                .replace('\n', " ")
                .trim()
                .to_string()
                + &e.span()
                    .map(|s| format!(" (at byte {})", s.start))
                    .unwrap_or_default(),
        })?;
        let value = |i: usize, key: &str, message: String| ProgrammeError::Value {
            path: path.to_path_buf(),
            key: format!("exercise[{}].{key}", i + 1),
            message,
        };
        if file.exercise.is_empty() {
            return Err(ProgrammeError::Value {
                path: path.to_path_buf(),
                key: "exercise".into(),
                message: "the programme lists no exercise".into(),
            });
        }
        let mut steps = Vec::new();
        for (i, e) in file.exercise.into_iter().enumerate() {
            let profile = exercise::find(&e.name).map_err(|_| {
                let known: Vec<&str> = exercise::all().iter().map(|x| x.name()).collect();
                value(
                    i,
                    "name",
                    format!(
                        "unknown exercise '{}'; choose one of: {}",
                        crate::terminal::excerpt(&e.name),
                        known.join(", ")
                    ),
                )
            })?;
            if !(1..=MAX_SETS).contains(&e.sets) {
                return Err(value(
                    i,
                    "sets",
                    format!("{} is not 1 to {MAX_SETS} sets", e.sets),
                ));
            }
            if !(1..=MAX_REPS).contains(&e.reps) {
                return Err(value(
                    i,
                    "reps",
                    format!("{} is not 1 to {MAX_REPS} reps a set", e.reps),
                ));
            }
            if e.rest_s > MAX_REST_S {
                return Err(value(
                    i,
                    "rest_s",
                    format!("{} s is more than {MAX_REST_S} s of rest", e.rest_s),
                ));
            }
            if e.sides.is_empty() {
                return Err(value(i, "sides", "lists no side".into()));
            }
            let bilateral = profile.legs() == LegMode::Both;
            for side in &e.sides {
                if bilateral != (*side == Side::Both) {
                    return Err(value(
                        i,
                        "sides",
                        if bilateral {
                            format!("{} works both legs at once: give [\"both\"]", e.name)
                        } else {
                            format!(
                                "{} works one leg or side: give \"left\" and/or \"right\"",
                                e.name
                            )
                        },
                    ));
                }
            }
            steps.push(Step {
                exercise: profile,
                sides: e.sides,
                sets: e.sets,
                reps: e.reps,
                rest_s: e.rest_s,
            });
        }
        Ok(Programme { steps })
    }

    /// The programme in words, with where the camera goes for each exercise.
    pub fn describe(&self) -> String {
        let mut out = String::new();
        for (i, s) in self.steps.iter().enumerate() {
            let sides: Vec<&str> = s.sides.iter().map(|x| x.spoken()).collect();
            let _ = writeln!(
                out,
                "{}. {}: {} set{} of {} reps, {}; {} s rest between sets",
                i + 1,
                s.exercise.title(),
                s.sets,
                if s.sets == 1 { "" } else { "s" },
                s.reps,
                sides.join(" then "),
                s.rest_s
            );
            let _ = writeln!(out, "   Camera: {}", s.exercise.filming());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Programme, ProgrammeError> {
        Programme::parse(text, Path::new("p.toml"))
    }

    #[test]
    fn the_default_is_the_four_programme_exercises_each_side() {
        let p = Programme::parse(DEFAULT_TOML, Path::new("(built-in)")).unwrap();
        let names: Vec<&str> = p.steps.iter().map(|s| s.exercise.name()).collect();
        assert_eq!(
            names,
            ["side-plank", "side-step-up", "lunge", "single-leg-bridge"]
        );
        for s in &p.steps {
            assert_eq!(s.sides, [Side::Left, Side::Right]);
            assert!((1..=3).contains(&s.sets) && (8..=12).contains(&s.reps));
        }
        assert_eq!(Programme::default_programme().steps.len(), 4);
    }

    #[test]
    fn impossible_values_name_their_key_in_one_line() {
        let entry = |name: &str, sides: &str, sets: u32, reps: u32| {
            format!(
                "[[exercise]]\nname = \"{name}\"\nsides = {sides}\nsets = {sets}\nreps = {reps}\nrest_s = 30\n"
            )
        };
        let good = entry("lunge", "[\"left\"]", 2, 10);
        let cases = [
            (
                good.clone() + &entry("lunge", "[\"left\"]", 0, 10),
                "p.toml: exercise[2].sets: 0 is not 1 to 10 sets",
            ),
            (
                entry("lunge", "[\"right\"]", 2, 40),
                "exercise[1].reps: 40 is not 1 to 30 reps a set",
            ),
            (
                entry("burpee", "[\"left\"]", 2, 10),
                "exercise[1].name: unknown exercise 'burpee'",
            ),
            (
                entry("squat", "[\"left\"]", 2, 10),
                "exercise[1].sides: squat works both legs at once",
            ),
            (
                entry("lunge", "[\"both\"]", 2, 10),
                "exercise[1].sides: lunge works one leg or side",
            ),
            (
                good.replace("rest_s = 30", "rest_s = 3600"),
                "exercise[1].rest_s: 3600 s is more than 600 s",
            ),
            (
                good.replace("reps", "repetitions"),
                "unknown field `repetitions`",
            ),
            (String::new(), "missing field `exercise`"),
        ];
        for (text, needle) in cases {
            let message = parse(&text).unwrap_err().to_string();
            assert!(message.contains(needle), "{needle:?} not in {message:?}");
            assert!(!message.contains('\n'), "one line: {message:?}");
        }
    }
}
