//! The set-up phase: before counting, the person must be in frame head to feet and seen from the
//! view the exercise needs (the view as geometry classifies it). Counting starts once that has
//! held for a moment, so the first rep is not judged on a half-visible body. Pure: landmarks and
//! the view in, a verdict out.

use crate::geometry::View;
use crate::landmarks::{LandmarkIndex as L, Pose, PoseFrame};

/// How the exercise must be filmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewNeed {
    /// Facing the camera (valgus is judged in the frontal plane).
    Frontal,
    /// Side on (knee-over-toe is judged in the sagittal plane).
    Side,
    /// Either: the exercise judges valgus from the front and knee over toe from the side.
    FrontalOrSide,
    Any,
}

impl ViewNeed {
    /// The need of an exercise that can be judged from these views.
    pub fn of(views: &[View]) -> ViewNeed {
        if views.contains(&View::Oblique) {
            return ViewNeed::Any;
        }
        match (views.contains(&View::Frontal), views.contains(&View::Side)) {
            (true, true) => ViewNeed::FrontalOrSide,
            (true, false) => ViewNeed::Frontal,
            (false, true) => ViewNeed::Side,
            (false, false) => ViewNeed::Any,
        }
    }
}

/// What is wrong with the picture, in the user's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupProblem {
    NoPerson,
    FeetNotVisible,
    BodyNotVisible,
    NotFacingCamera,
    NotSideOn,
    /// Oblique: neither the front nor the side, so nothing can be judged.
    Oblique,
}

impl SetupProblem {
    pub fn cue(self) -> &'static str {
        match self {
            SetupProblem::NoPerson => "step into view",
            SetupProblem::FeetNotVisible => "step back: feet not visible",
            SetupProblem::BodyNotVisible => "step back: whole body must be in frame",
            SetupProblem::NotFacingCamera => "turn to face the camera",
            SetupProblem::NotSideOn => "turn side-on to the camera",
            SetupProblem::Oblique => {
                "face the camera (for valgus) or turn side-on (for knee over toe)"
            }
        }
    }
}

/// A landmark counts as seen when the model is this sure it is visible.
const MIN_VISIBILITY: f64 = 0.5;

const FEET: [L; 6] = [
    L::LeftAnkle,
    L::RightAnkle,
    L::LeftHeel,
    L::RightHeel,
    L::LeftFootIndex,
    L::RightFootIndex,
];
const BODY: [L; 7] = [
    L::Nose,
    L::LeftShoulder,
    L::RightShoulder,
    L::LeftHip,
    L::RightHip,
    L::LeftKnee,
    L::RightKnee,
];

fn seen_in_frame(pose: &Pose, i: L, width: f64, height: f64) -> bool {
    pose.get(i).is_some_and(|l| {
        l.visibility >= MIN_VISIBILITY && l.x >= 0.0 && l.y >= 0.0 && l.x < width && l.y < height
    })
}

/// Checks one frame, with its view as geometry measured it (`None` when it could not tell).
/// Side-on, the far leg is hidden by the near one, so only one foot is needed.
pub fn check_frame(
    frame: &PoseFrame,
    need: ViewNeed,
    view: Option<View>,
) -> Result<(), SetupProblem> {
    let Some(pose) = &frame.pose else {
        return Err(SetupProblem::NoPerson);
    };
    let (w, h) = (frame.image_width as f64, frame.image_height as f64);
    let seen = |i| seen_in_frame(pose, i, w, h);
    // Side-on, the far side is hidden by the near one: one of each pair is enough.
    let side_on = need == ViewNeed::Side || view == Some(View::Side);
    let body_ok = if side_on {
        seen(L::Nose)
            && (seen(L::LeftShoulder) || seen(L::RightShoulder))
            && (seen(L::LeftHip) || seen(L::RightHip))
            && (seen(L::LeftKnee) || seen(L::RightKnee))
    } else {
        BODY.iter().all(|&i| seen(i))
    };
    if !body_ok {
        return Err(SetupProblem::BodyNotVisible);
    }
    let feet_ok = if side_on {
        FEET.chunks(2).all(|pair| seen(pair[0]) || seen(pair[1]))
    } else {
        FEET.iter().all(|&i| seen(i))
    };
    if !feet_ok {
        return Err(SetupProblem::FeetNotVisible);
    }
    match (need, view) {
        (ViewNeed::Any, _)
        | (ViewNeed::Frontal, Some(View::Frontal))
        | (ViewNeed::Side, Some(View::Side))
        | (ViewNeed::FrontalOrSide, Some(View::Frontal | View::Side)) => Ok(()),
        (ViewNeed::FrontalOrSide, _) => Err(SetupProblem::Oblique),
        (ViewNeed::Frontal, _) => Err(SetupProblem::NotFacingCamera),
        (ViewNeed::Side, _) => Err(SetupProblem::NotSideOn),
    }
}

/// Requires the set-up to hold for `hold_s` seconds of frames before counting starts, so one
/// lucky frame does not start it.
#[derive(Debug, Clone)]
pub struct SetupGate {
    need: ViewNeed,
    hold_s: f64,
    ok_since: Option<f64>,
    passed: bool,
    /// What was wrong with the last frame that failed the check.
    last_problem: Option<SetupProblem>,
}

/// What the gate says about a frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GateState {
    /// Still setting up; the problem, if any, is the cue to show.
    Waiting(Option<SetupProblem>),
    /// Counting; a problem seen now is still worth a cue, but counting goes on.
    Counting(Option<SetupProblem>),
}

impl SetupGate {
    pub fn new(need: ViewNeed, hold_s: f64) -> SetupGate {
        SetupGate {
            need,
            hold_s,
            ok_since: None,
            passed: false,
            last_problem: None,
        }
    }

    /// A gate open from the first frame, still naming each frame's problem: for a recording,
    /// which cannot be re-framed, so it is counted whole as `analyze` counts it.
    pub fn open(need: ViewNeed) -> SetupGate {
        SetupGate {
            passed: true,
            ..SetupGate::new(need, 0.0)
        }
    }

    pub fn passed(&self) -> bool {
        self.passed
    }

    /// What was wrong with the last frame that failed the check, if one did.
    pub fn last_problem(&self) -> Option<SetupProblem> {
        self.last_problem
    }

    pub fn push(&mut self, frame: &PoseFrame, view: Option<View>) -> GateState {
        let verdict = check_frame(frame, self.need, view);
        if let Err(problem) = verdict {
            self.last_problem = Some(problem);
        }
        if self.passed {
            return GateState::Counting(verdict.err());
        }
        match verdict {
            Ok(()) => {
                let since = *self.ok_since.get_or_insert(frame.time_s);
                if frame.time_s - since >= self.hold_s {
                    self.passed = true;
                    return GateState::Counting(None);
                }
                GateState::Waiting(None)
            }
            Err(problem) => {
                self.ok_since = None;
                GateState::Waiting(Some(problem))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A person facing the camera, 640×480, feet at y≈460.
    fn frontal(time_s: f64) -> PoseFrame {
        let pose = Pose::from_points(
            &[
                (L::Nose, 320.0, 60.0),
                (L::LeftShoulder, 370.0, 120.0),
                (L::RightShoulder, 270.0, 120.0),
                (L::LeftHip, 350.0, 260.0),
                (L::RightHip, 290.0, 260.0),
                (L::LeftKnee, 355.0, 350.0),
                (L::RightKnee, 285.0, 350.0),
                (L::LeftAnkle, 360.0, 440.0),
                (L::RightAnkle, 280.0, 440.0),
                (L::LeftHeel, 362.0, 452.0),
                (L::RightHeel, 278.0, 452.0),
                (L::LeftFootIndex, 375.0, 462.0),
                (L::RightFootIndex, 265.0, 462.0),
            ],
            0.95,
        );
        PoseFrame {
            camera: Default::default(),
            index: 0,
            time_s,
            image_width: 640,
            image_height: 480,
            pose: Some(pose),
        }
    }

    const FRONT: Option<View> = Some(View::Frontal);

    fn edit(mut f: PoseFrame, change: impl FnOnce(&mut Pose)) -> PoseFrame {
        change(f.pose.as_mut().unwrap());
        f
    }

    #[test]
    fn a_whole_body_facing_the_camera_passes() {
        let f = frontal(0.0);
        assert_eq!(
            check_frame(&f, ViewNeed::Frontal, Some(View::Frontal)),
            Ok(())
        );
    }

    #[test]
    fn feet_below_the_frame_ask_to_step_back() {
        let f = edit(frontal(0.0), |p| {
            for i in [L::LeftFootIndex, L::RightFootIndex] {
                p.landmarks[i.index()].as_mut().unwrap().y = 490.0;
            }
        });
        assert_eq!(
            check_frame(&f, ViewNeed::Frontal, Some(View::Frontal)),
            Err(SetupProblem::FeetNotVisible)
        );
        assert_eq!(
            SetupProblem::FeetNotVisible.cue(),
            "step back: feet not visible"
        );
    }

    #[test]
    fn the_wrong_view_asks_to_turn() {
        let f = frontal(0.0);
        for view in [Some(View::Side), Some(View::Oblique), None] {
            assert_eq!(
                check_frame(&f, ViewNeed::Frontal, view),
                Err(SetupProblem::NotFacingCamera)
            );
        }
        assert_eq!(
            check_frame(&f, ViewNeed::Side, Some(View::Frontal)),
            Err(SetupProblem::NotSideOn)
        );
        assert_eq!(check_frame(&f, ViewNeed::Side, Some(View::Side)), Ok(()));
        assert_eq!(
            SetupProblem::NotFacingCamera.cue(),
            "turn to face the camera"
        );
    }

    #[test]
    fn the_gate_opens_only_after_the_setup_holds() {
        let mut gate = SetupGate::new(ViewNeed::Frontal, 1.0);
        assert_eq!(gate.push(&frontal(0.0), FRONT), GateState::Waiting(None));
        let mut none = frontal(0.5);
        none.pose = None;
        assert_eq!(
            gate.push(&none, None),
            GateState::Waiting(Some(SetupProblem::NoPerson))
        );
        assert_eq!(gate.push(&frontal(0.6), FRONT), GateState::Waiting(None));
        assert_eq!(gate.push(&frontal(1.4), FRONT), GateState::Waiting(None));
        assert_eq!(gate.push(&frontal(1.6), FRONT), GateState::Counting(None));
        assert!(gate.passed());
        assert_eq!(
            gate.push(&none, None),
            GateState::Counting(Some(SetupProblem::NoPerson))
        );
    }
}
