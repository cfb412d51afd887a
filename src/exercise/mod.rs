//! Exercise stage: one profile per programme exercise behind the [`Exercise`] trait, and the
//! registry ([`all`], [`find`], [`describe_all`]) that `formcheck exercises` and `--exercise`
//! read. A profile declares its rep signal, working leg(s), the camera view it needs, the
//! measures it judges, and composes the judge's checks for one rep.

mod bridge;
mod drop_landing;
mod lunge;
mod side_plank;
mod single_leg_squat;
mod squat;
mod step_up;

use serde::Serialize;

use crate::geometry::{FrameMeasures, Leg, View};
use crate::judge::checks::{JudgeAt, RepWindow};
use crate::judge::{BodyPeak, Concern, LegPeak};
use crate::judge::{Flag, Measure, Thresholds, ValgusBand};
use crate::reps::{Direction, SegmentParams, COMPLETE_FRACTION};

pub use bridge::SingleLegBridge;
pub use drop_landing::DropLanding;
pub use lunge::StationaryLunge;
pub use side_plank::SidePlank;
pub use single_leg_squat::SingleLegSquat;
pub use squat::Squat;
pub use step_up::SideStepUp;

/// The per-frame signal reps are counted on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RepSignal {
    /// The hip goes down and comes back up (squats, lunges, step-downs). Leg lengths.
    HipDescent,
    /// The hip goes up and comes back down (step-ups). Leg lengths.
    HipRise,
    /// The hip comes down towards the feet and back up (landings). Leg lengths. Measured from
    /// the feet, so the drop from a box before the landing is not part of the rep.
    HipOverFeet,
    /// Lying, the hip lifts until shoulder, hip and knee line up (bridges). Degrees of hip
    /// flexion.
    HipExtension,
    /// Lying on the side, the hip lifts off the floor into line with shoulder and ankle (side
    /// plank). Degrees of body line.
    HipLift,
}

/// Jitter of hip height at rest in MediaPipe's smoothed landmarks: about 2 px on a 375 px leg
/// (measured on ../shared/reference/tfjs_pose_squats between reps).
const HIP_HEIGHT_NOISE: f64 = 0.005;
/// Jitter of a landmark angle at rest, degrees (same clip, knee and hip angles).
const ANGLE_NOISE_DEG: f64 = 1.0;
/// Rest level window: long enough to span a few reps' standing phases.
const REST_WINDOW_S: f64 = 10.0;
/// A rep survives the person being lost this long (a second of occlusion).
const MAX_GAP_S: f64 = 1.0;
/// A landing is over once the hip came back halfway up: the test is the absorption, and a
/// jumper may run or jump on before standing tall (formcheck rule).
const LANDING_COMPLETE_FRACTION: f64 = 0.5;

impl RepSignal {
    /// This frame's value, if measurable.
    pub fn value(self, m: &FrameMeasures) -> Option<f64> {
        match self {
            RepSignal::HipDescent | RepSignal::HipRise => m.hip_height.get(),
            RepSignal::HipOverFeet => Some(m.hip_height.get()? - m.feet_height.get()?),
            RepSignal::HipExtension => m.hip_flexion_deg.get().map(|s| s.value),
            RepSignal::HipLift => m.body_line_deg.get(),
        }
    }

    pub fn direction(self) -> Direction {
        match self {
            RepSignal::HipDescent | RepSignal::HipOverFeet | RepSignal::HipExtension => {
                Direction::Down
            }
            RepSignal::HipRise | RepSignal::HipLift => Direction::Up,
        }
    }

    /// Whether the signal is in standing leg lengths, so it changes unit when that length does.
    pub fn in_leg_lengths(self) -> bool {
        matches!(
            self,
            RepSignal::HipDescent | RepSignal::HipRise | RepSignal::HipOverFeet
        )
    }

    /// Whether the hip goes down towards the feet, so a body first seen bent is already in a rep.
    pub fn hip_goes_down(self) -> bool {
        matches!(self, RepSignal::HipDescent | RepSignal::HipOverFeet)
    }

    pub fn unit(self) -> &'static str {
        match self {
            RepSignal::HipDescent | RepSignal::HipRise | RepSignal::HipOverFeet => "leg lengths",
            RepSignal::HipExtension | RepSignal::HipLift => "degrees",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            RepSignal::HipDescent => "hip height: down and back up",
            RepSignal::HipRise => "hip height: up and back down",
            RepSignal::HipOverFeet => {
                "hip height over the feet: down on landing and back up (the drop itself is not depth)"
            }
            RepSignal::HipExtension => {
                "hip extension: lift until shoulder, hip and knee line up, and lower"
            }
            RepSignal::HipLift => "hip lift: up into line with shoulder and ankle, and lower",
        }
    }

    /// Segmentation settings: a rep starts at half its minimum depth.
    pub fn segment_params(self, min_depth: f64) -> SegmentParams {
        let noise = match self {
            RepSignal::HipDescent | RepSignal::HipRise | RepSignal::HipOverFeet => HIP_HEIGHT_NOISE,
            RepSignal::HipExtension | RepSignal::HipLift => ANGLE_NOISE_DEG,
        };
        let complete_fraction = match self {
            RepSignal::HipOverFeet => LANDING_COMPLETE_FRACTION,
            _ => COMPLETE_FRACTION,
        };
        SegmentParams {
            direction: self.direction(),
            enter: (0.5 * min_depth).max(2.0 * noise),
            noise,
            rest_window_s: REST_WINDOW_S,
            max_gap_s: MAX_GAP_S,
            complete_fraction,
        }
    }
}

/// A side of the body: `--side`, a programme step's side, a session's leg. `Both` is both legs at
/// once (a squat), or "detect it" where a side is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Left,
    Right,
    Both,
}

impl Side {
    /// As `--side` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Side::Left => "left",
            Side::Right => "right",
            Side::Both => "both",
        }
    }

    /// As a person is told it: "left", "right", "both legs".
    pub fn spoken(self) -> &'static str {
        match self {
            Side::Both => "both legs",
            one => one.name(),
        }
    }
}

/// Which legs a profile judges.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LegMode {
    /// Both legs every rep (bilateral squat).
    Both,
    /// The stance leg: `--side`, or detected per rep as the leg whose foot stays put.
    Stance,
    /// The front leg of a split stance: `--side`, or detected per rep as the leg whose knee
    /// stays higher at the bottom.
    Front,
    /// The side lying down (side plank): `--side`, or the side whose shoulder is lower.
    Support,
}

impl LegMode {
    pub fn describe(self) -> &'static str {
        match self {
            LegMode::Both => "both legs",
            LegMode::Stance => "the standing leg (--side, or detected: the foot that stays put)",
            LegMode::Front => "the front leg (--side, or detected: the knee that stays higher)",
            LegMode::Support => "the side underneath (--side, or detected: the lower shoulder)",
        }
    }
}

/// One programme exercise.
pub trait Exercise: Send + Sync {
    /// The `--exercise` name.
    fn name(&self) -> &'static str;
    fn title(&self) -> &'static str;
    /// What to do, in the words a physiotherapist would use.
    fn cues(&self) -> &'static [&'static str];
    /// Where to put the camera.
    fn filming(&self) -> &'static str;
    fn legs(&self) -> LegMode;
    fn rep_signal(&self) -> RepSignal;
    /// The measures this profile judges (a fault when past its threshold).
    fn judged(&self) -> &'static [Measure];
    /// Measures shown with each rep but not judged by default (squat knee travel).
    fn reported(&self) -> &'static [Measure] {
        &[]
    }

    /// Whether the exercise judges or shows a measure (what its report, CSV and overlay carry).
    fn shows(&self, m: Measure) -> bool {
        self.judged().contains(&m) || self.reported().contains(&m)
    }

    /// The cue for a fault, in this exercise's words.
    fn cue(&self, flag: &Flag) -> &'static str {
        flag.cue()
    }

    /// The views the exercise can be filmed from: each view in which one of its judged (or
    /// reported) measures works, front first.
    fn views(&self) -> Vec<View> {
        [View::Frontal, View::Side, View::Oblique]
            .into_iter()
            .filter(|v| self.judged_in(*v).next().is_some())
            .collect()
    }

    /// The judged and reported measures a view supports.
    fn judged_in(&self, view: View) -> Box<dyn Iterator<Item = Measure> + '_> {
        Box::new(
            self.judged()
                .iter()
                .chain(self.reported())
                .copied()
                .filter(move |m| m.views().contains(&view) && m.concern().is_some()),
        )
    }

    /// The concerns this exercise judges, in order.
    fn concerns(&self) -> Vec<Concern> {
        let mut c: Vec<Concern> = self.judged().iter().filter_map(|m| m.concern()).collect();
        c.sort();
        c.dedup();
        c
    }
    /// Least excursion of the rep signal for a rep to count (signal units).
    fn min_depth(&self, t: &Thresholds) -> f64;

    /// Which normal FPPA band the valgus check holds this exercise to (`None`: valgus is not
    /// judged by FPPA).
    fn valgus_band(&self) -> Option<ValgusBand> {
        None
    }

    /// Whether a rep may end in a jump (a squat jump), counted as a rep of this exercise and its
    /// landing judged too.
    fn counts_jumps(&self) -> bool {
        false
    }

    /// When the legs are judged: at peak knee flexion unless the profile says otherwise.
    fn judge_at(&self) -> JudgeAt {
        JudgeAt::PeakKneeFlexion
    }

    /// Whether a movement is this exercise at all (bending to pick something up is not a
    /// squat). `Err` says what it was instead.
    fn accept(&self, _window: &RepWindow, _legs: &[Leg], _t: &Thresholds) -> Result<(), String> {
        Ok(())
    }

    /// The rep's flags, from its peaks.
    fn judge(&self, peaks: &[LegPeak], body: &BodyPeak, t: &Thresholds) -> Vec<Flag>;
}

static SQUAT: Squat = Squat;
static SINGLE_LEG_SQUAT: SingleLegSquat = SingleLegSquat;
static LUNGE: StationaryLunge = StationaryLunge;
static STEP_UP: SideStepUp = SideStepUp;
static BRIDGE: SingleLegBridge = SingleLegBridge;
static SIDE_PLANK: SidePlank = SidePlank;
static DROP_LANDING: DropLanding = DropLanding;

/// Every profile, in the order `formcheck exercises` lists them.
pub fn all() -> [&'static dyn Exercise; 7] {
    [
        &SQUAT,
        &SINGLE_LEG_SQUAT,
        &LUNGE,
        &STEP_UP,
        &BRIDGE,
        &SIDE_PLANK,
        &DROP_LANDING,
    ]
}

#[derive(Debug, thiserror::Error)]
pub enum ExerciseError {
    #[error("--exercise: unknown exercise '{given}'; choose one of: {known} (see `formcheck exercises`)")]
    Unknown { given: String, known: String },
}

/// Looks a profile up by its `--exercise` name (case and `-`/`_` insensitive).
pub fn find(name: &str) -> Result<&'static dyn Exercise, ExerciseError> {
    let norm = |s: &str| s.trim().to_ascii_lowercase().replace('_', "-");
    let wanted = norm(name);
    all()
        .into_iter()
        .find(|e| norm(e.name()) == wanted)
        .ok_or_else(|| ExerciseError::Unknown {
            given: crate::terminal::excerpt(name),
            known: all()
                .iter()
                .map(|e| e.name())
                .collect::<Vec<_>>()
                .join(", "),
        })
}

fn describe_measures(measures: impl Iterator<Item = Measure>) -> String {
    measures
        .map(|m| m.describe())
        .collect::<Vec<_>>()
        .join(", ")
}

/// What a view judges for an exercise, in a sentence (the report and live's set-up say it).
pub fn view_judges(e: &dyn Exercise, view: View) -> String {
    let measures: Vec<Measure> = e.judged_in(view).collect();
    if measures.is_empty() {
        let wanted: Vec<&str> = e.views().iter().map(|v| v.phrase()).collect();
        format!(
            "{} judges nothing from {}: film it from {}",
            e.title(),
            view.phrase(),
            wanted.join(" or ")
        )
    } else {
        format!(
            "from {} this judges {}",
            view.phrase(),
            describe_measures(measures.into_iter())
        )
    }
}

/// What a view judges for an exercise that another view does not: what is lost with a camera
/// ("knee over toe"), or `None` when the other view judges it all.
pub fn judged_only_in(e: &dyn Exercise, view: View, other: View) -> Option<String> {
    let kept: Vec<Measure> = e.judged_in(other).collect();
    let lost: Vec<Measure> = e.judged_in(view).filter(|m| !kept.contains(m)).collect();
    (!lost.is_empty()).then(|| describe_measures(lost.into_iter()))
}

/// The text of `formcheck exercises`.
pub fn describe_all() -> String {
    let mut out = String::new();
    for e in all() {
        out.push_str(&format!("{}  ({})\n", e.title(), e.name()));
        out.push_str(&format!("  film:   {}\n", e.filming()));
        for view in e.views() {
            out.push_str(&format!(
                "  {:<7} {}\n",
                format!("{view}:"),
                describe_measures(e.judged_in(view))
            ));
        }
        out.push_str(&format!("  reps:   {}\n", e.rep_signal().describe()));
        out.push_str(&format!("  legs:   {}\n", e.legs().describe()));
        out.push_str(&format!(
            "  judges: {}\n",
            describe_measures(e.judged().iter().copied())
        ));
        if !e.reported().is_empty() {
            out.push_str(&format!(
                "  shows:  {} (reported, not a fault by default)\n",
                describe_measures(e.reported().iter().copied())
            ));
        }
        for cue in e.cues() {
            out.push_str(&format!("  - {cue}\n"));
        }
        out.push('\n');
    }
    out.push_str("Exercise feedback, not a diagnosis.\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valgus_bands_follow_the_clinical_screens() {
        // Herrington & Munro 2010's bilateral (drop-jump) and single-leg (step-landing) bands; the
        // step-down / single-leg squat has its own 10° limit; bridge and side plank have no FPPA.
        let band = |name| find(name).unwrap().valgus_band();
        assert_eq!(band("squat"), Some(ValgusBand::Bilateral));
        assert_eq!(band("single-leg-squat"), Some(ValgusBand::StepDown));
        assert_eq!(band("lunge"), Some(ValgusBand::SingleLeg));
        assert_eq!(band("side-step-up"), Some(ValgusBand::SingleLeg));
        assert_eq!(band("single-leg-bridge"), None);
        assert_eq!(band("side-plank"), None);
    }

    #[test]
    fn every_profile_is_found_by_name() {
        for e in all() {
            assert_eq!(find(e.name()).unwrap().name(), e.name());
            assert!(!e.cues().is_empty() && !e.filming().is_empty() && !e.judged().is_empty());
        }
        assert_eq!(find("Single_Leg_Squat").unwrap().name(), "single-leg-squat");
    }

    #[test]
    fn unknown_name_lists_the_valid_ones() {
        let err = find("burpee")
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(
            err.contains("'burpee'") && err.contains("squat") && err.contains("side-plank"),
            "{err}"
        );
    }

    #[test]
    fn listing_names_every_exercise() {
        let text = describe_all();
        for e in all() {
            assert!(text.contains(e.name()) && text.contains(e.title()));
        }
    }
}
