//! The set-up phase: before counting, the person must be in frame head to feet and facing the
//! camera the way the exercise needs. Counting starts once that has held for a moment, so the
//! first rep is not judged on a half-visible body. Pure: landmarks in, a verdict out.

use crate::landmarks::{LandmarkIndex as L, Pose, PoseFrame};

/// How the exercise must be filmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewNeed {
    /// Facing the camera (valgus is judged in the frontal plane).
    Frontal,
    /// Side on (knee-over-toe is judged in the sagittal plane).
    Side,
    Any,
}

/// What is wrong with the picture, in the user's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetupProblem {
    NoPerson,
    FeetNotVisible,
    BodyNotVisible,
    NotFacingCamera,
    NotSideOn,
}

impl SetupProblem {
    pub fn cue(self) -> &'static str {
        match self {
            SetupProblem::NoPerson => "step into view",
            SetupProblem::FeetNotVisible => "step back: feet not visible",
            SetupProblem::BodyNotVisible => "step back: whole body must be in frame",
            SetupProblem::NotFacingCamera => "turn to face the camera",
            SetupProblem::NotSideOn => "turn side-on to the camera",
        }
    }
}

/// A landmark counts as seen when the model is this sure it is visible.
const MIN_VISIBILITY: f64 = 0.5;
/// Shoulder width over torso length: about 0.6–0.8 facing the camera, under 0.25 side-on.
/// Between the two the view is ambiguous and neither need is met.
const FRONTAL_MIN_RATIO: f64 = 0.4;
const SIDE_MAX_RATIO: f64 = 0.3;

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

/// Checks one frame. Side-on, the far leg is hidden by the near one, so only one foot is needed.
pub fn check_frame(frame: &PoseFrame, need: ViewNeed) -> Result<(), SetupProblem> {
    let Some(pose) = &frame.pose else {
        return Err(SetupProblem::NoPerson);
    };
    let (w, h) = (frame.image_width as f64, frame.image_height as f64);
    let seen = |i| seen_in_frame(pose, i, w, h);
    let side_on = need == ViewNeed::Side;
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
    match (need, facing(pose)) {
        (ViewNeed::Frontal, Some(Facing::Camera)) | (ViewNeed::Side, Some(Facing::Side)) => Ok(()),
        (ViewNeed::Any, _) => Ok(()),
        (ViewNeed::Frontal, _) => Err(SetupProblem::NotFacingCamera),
        (ViewNeed::Side, _) => Err(SetupProblem::NotSideOn),
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Facing {
    Camera,
    Side,
    Away,
}

/// From the shoulders: their width against the torso's length, and which side is on the image's
/// left (facing the camera, the subject's right shoulder is on the image's left).
fn facing(pose: &Pose) -> Option<Facing> {
    let ls = pose.get(L::LeftShoulder)?;
    let rs = pose.get(L::RightShoulder)?;
    let lh = pose.get(L::LeftHip)?;
    let rh = pose.get(L::RightHip)?;
    let mid_sh = ((ls.x + rs.x) / 2.0, (ls.y + rs.y) / 2.0);
    let mid_hip = ((lh.x + rh.x) / 2.0, (lh.y + rh.y) / 2.0);
    let torso = ((mid_sh.0 - mid_hip.0).powi(2) + (mid_sh.1 - mid_hip.1).powi(2)).sqrt();
    if torso <= f64::EPSILON {
        return None;
    }
    let ratio = (ls.x - rs.x).abs() / torso;
    if ratio <= SIDE_MAX_RATIO {
        Some(Facing::Side)
    } else if ratio >= FRONTAL_MIN_RATIO {
        Some(if ls.x > rs.x {
            Facing::Camera
        } else {
            Facing::Away
        })
    } else {
        None
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
        }
    }

    pub fn passed(&self) -> bool {
        self.passed
    }

    pub fn push(&mut self, frame: &PoseFrame) -> GateState {
        let verdict = check_frame(frame, self.need);
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
    use crate::landmarks::{Landmark, LANDMARK_COUNT};

    /// A person facing the camera, 640×480, feet at y≈460.
    fn frontal(time_s: f64) -> PoseFrame {
        let mut landmarks = [None; LANDMARK_COUNT];
        let mut set = |i: L, x: f64, y: f64| {
            landmarks[i.index()] = Some(Landmark {
                x,
                y,
                z: 0.0,
                visibility: 0.95,
                presence: 0.95,
            });
        };
        set(L::Nose, 320.0, 60.0);
        set(L::LeftShoulder, 370.0, 120.0);
        set(L::RightShoulder, 270.0, 120.0);
        set(L::LeftHip, 350.0, 260.0);
        set(L::RightHip, 290.0, 260.0);
        set(L::LeftKnee, 355.0, 350.0);
        set(L::RightKnee, 285.0, 350.0);
        set(L::LeftAnkle, 360.0, 440.0);
        set(L::RightAnkle, 280.0, 440.0);
        set(L::LeftHeel, 362.0, 452.0);
        set(L::RightHeel, 278.0, 452.0);
        set(L::LeftFootIndex, 375.0, 462.0);
        set(L::RightFootIndex, 265.0, 462.0);
        PoseFrame {
            index: 0,
            time_s,
            image_width: 640,
            image_height: 480,
            pose: Some(Pose {
                landmarks,
                world: None,
            }),
        }
    }

    fn edit(mut f: PoseFrame, change: impl FnOnce(&mut Pose)) -> PoseFrame {
        change(f.pose.as_mut().unwrap());
        f
    }

    #[test]
    fn a_whole_body_facing_the_camera_passes() {
        assert_eq!(check_frame(&frontal(0.0), ViewNeed::Frontal), Ok(()));
    }

    #[test]
    fn feet_below_the_frame_ask_to_step_back() {
        let f = edit(frontal(0.0), |p| {
            for i in [L::LeftFootIndex, L::RightFootIndex] {
                p.landmarks[i.index()].as_mut().unwrap().y = 490.0;
            }
        });
        assert_eq!(
            check_frame(&f, ViewNeed::Frontal),
            Err(SetupProblem::FeetNotVisible)
        );
        assert_eq!(
            SetupProblem::FeetNotVisible.cue(),
            "step back: feet not visible"
        );
    }

    #[test]
    fn side_on_or_back_turned_asks_to_face_the_camera() {
        let side = edit(frontal(0.0), |p| {
            p.landmarks[L::LeftShoulder.index()].as_mut().unwrap().x = 325.0;
            p.landmarks[L::RightShoulder.index()].as_mut().unwrap().x = 315.0;
        });
        assert_eq!(
            check_frame(&side, ViewNeed::Frontal),
            Err(SetupProblem::NotFacingCamera)
        );
        assert_eq!(check_frame(&side, ViewNeed::Side), Ok(()));
        let away = edit(frontal(0.0), |p| {
            p.landmarks[L::LeftShoulder.index()].as_mut().unwrap().x = 270.0;
            p.landmarks[L::RightShoulder.index()].as_mut().unwrap().x = 370.0;
        });
        assert_eq!(
            check_frame(&away, ViewNeed::Frontal),
            Err(SetupProblem::NotFacingCamera)
        );
    }

    #[test]
    fn the_gate_opens_only_after_the_setup_holds() {
        let mut gate = SetupGate::new(ViewNeed::Frontal, 1.0);
        assert_eq!(gate.push(&frontal(0.0)), GateState::Waiting(None));
        let mut none = frontal(0.5);
        none.pose = None;
        assert_eq!(
            gate.push(&none),
            GateState::Waiting(Some(SetupProblem::NoPerson))
        );
        assert_eq!(gate.push(&frontal(0.6)), GateState::Waiting(None));
        assert_eq!(gate.push(&frontal(1.4)), GateState::Waiting(None));
        assert_eq!(gate.push(&frontal(1.6)), GateState::Counting(None));
        assert!(gate.passed());
        assert_eq!(
            gate.push(&none),
            GateState::Counting(Some(SetupProblem::NoPerson))
        );
    }
}
