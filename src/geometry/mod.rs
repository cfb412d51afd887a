//! Geometry stage: per-frame, per-leg measures from one [`PoseFrame`] (FPPA, medial offset,
//! knee/ankle separation, knee-over-toe, knee flexion, hip height, pelvic drop, trunk lean, body
//! line), and the quality checks that decide whether each measure can be trusted (camera view,
//! thigh foreshortening, landmark visibility). Pure: plain types in, plain types out.
//!
//! A measure that cannot be trusted is [`Measured::NotJudged`] with a [`NotJudged`] reason,
//! never NaN and never a made-up number.

pub mod bounds;
mod measure;
mod vector;

pub use measure::{
    classify_turn, crouch, knee_foot_reading, measure, Crouch, MeasureContext, StandingReference,
    KNEE_FOOT_LINE_MIN_HIP_RISE,
};

/// The quality constants geometry applies by default (the judge's thresholds can override them).
pub mod measure_defaults {
    pub use super::measure::{
        DEFAULT_MIN_THIGH_PROJECTION, DEFAULT_MIN_VISIBILITY, FRONTAL_MAX_TURN_DEG,
        FRONTAL_WIDTH_RATIO, MAX_PLAUSIBLE_KNEE_OVER_TOE, MAX_THIGH_OFF_LEG_LINE_DEG,
        MIN_MIDLINE_OFFSET, SIDE_MIN_TURN_DEG,
    };
}
pub use vector::{angle_between, Vec2, Vec3};

use serde::Serialize;

use crate::landmarks::LandmarkIndex;

/// The subject's anatomical leg (MediaPipe's left/right are the subject's, not the image's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Leg {
    Left,
    Right,
}

impl Leg {
    pub const BOTH: [Leg; 2] = [Leg::Left, Leg::Right];

    pub fn other(self) -> Leg {
        match self {
            Leg::Left => Leg::Right,
            Leg::Right => Leg::Left,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Leg::Left => "left",
            Leg::Right => "right",
        }
    }

    /// Hip, knee, ankle, heel, foot index of this leg.
    pub fn joints(self) -> LegJoints {
        use LandmarkIndex::*;
        match self {
            Leg::Left => LegJoints {
                hip: LeftHip,
                knee: LeftKnee,
                ankle: LeftAnkle,
                heel: LeftHeel,
                toe: LeftFootIndex,
                shoulder: LeftShoulder,
            },
            Leg::Right => LegJoints {
                hip: RightHip,
                knee: RightKnee,
                ankle: RightAnkle,
                heel: RightHeel,
                toe: RightFootIndex,
                shoulder: RightShoulder,
            },
        }
    }
}

impl std::fmt::Display for Leg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The landmarks of one side of the body that the leg measures use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegJoints {
    pub hip: LandmarkIndex,
    pub knee: LandmarkIndex,
    pub ankle: LandmarkIndex,
    pub heel: LandmarkIndex,
    pub toe: LandmarkIndex,
    pub shoulder: LandmarkIndex,
}

/// Where the camera stands relative to the body.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum View {
    /// Facing the subject (or their back): both hips and shoulders spread across the image.
    Frontal,
    /// Side on: hips and shoulders overlap.
    Side,
    /// In between: neither the frontal nor the sagittal plane is in the image.
    Oblique,
}

impl View {
    pub fn name(self) -> &'static str {
        match self {
            View::Frontal => "frontal",
            View::Side => "side",
            View::Oblique => "oblique",
        }
    }
}

impl View {
    /// "a front (or back) view", "a side view", "an oblique view".
    pub fn phrase(self) -> &'static str {
        match self {
            View::Frontal => "a front (or back) view",
            View::Side => "a side view",
            View::Oblique => "an oblique view",
        }
    }
}

impl std::fmt::Display for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where a measure's coordinates came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// The 2-D image landmarks (pixels).
    Image,
    /// MediaPipe's 3-D world landmarks (metres, hip-centred).
    World,
}

/// Why a measure has no value.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "snake_case")]
pub enum NotJudged {
    /// No person in the frame.
    NoPose,
    /// The pose has no such landmark.
    Missing {
        #[serde(serialize_with = "landmark_name")]
        landmark: LandmarkIndex,
    },
    /// The landmark lies outside the picture (BlazePose's guess at a cut-off joint).
    OutOfFrame {
        #[serde(serialize_with = "landmark_name")]
        landmark: LandmarkIndex,
    },
    /// The landmark's visibility is below the threshold.
    LowVisibility {
        #[serde(serialize_with = "landmark_name")]
        landmark: LandmarkIndex,
        visibility: f64,
        threshold: f64,
    },
    /// Points that should span a segment or an angle coincide.
    Degenerate,
    /// The thigh points at the camera: its projected length is too short a part of its standing
    /// length for a frontal-plane angle to mean anything.
    ThighForeshortened { ratio: f64, threshold: f64 },
    /// The thigh runs across the image, well off the hip–ankle line (hip at knee height): the
    /// image angle is knee flexion, not valgus.
    ThighAcross { angle_deg: f64, limit_deg: f64 },
    /// The measure needs another camera view.
    WrongView { view: View, needs: View },
    /// Knee-over-toe is scaled by the foot's length standing still side-on, not yet seen.
    NoStandingFoot,
    /// The foot points at the camera, so the direction it points cannot be told.
    FootTowardsCamera,
    /// A value no body can produce: a failed measurement (a landmark swapped or misplaced).
    Implausible { value: f64, limit: f64 },
    /// The camera view could not be told (shoulders or hips missing).
    UnknownView,
    /// The measure needs world landmarks, and the pose source gave none.
    NoWorldLandmarks,
    /// The body midline lies on the hip–ankle line, so medial and lateral cannot be told apart.
    MedialSideUnknown,
    /// The feet are too close together for a knee/ankle separation ratio.
    FeetTogether,
    /// The body is upright: the plank/bridge body line is not defined.
    BodyUpright,
    /// No frame of the rep had this measure.
    NotSeenInRep,
    /// In this view the angle comes only from the pose model's estimated depth, a guess that
    /// never makes a fault.
    DepthEstimate,
    /// From this view and knee bend the measure's error bound reaches its limit, and the value
    /// is not past the limit by more than its error: a verdict could only be a guess.
    Uncertain { bound_deg: f64, limit_deg: f64 },
    /// From this view and knee bend the knee's offset over the foot is uncertain by more than a
    /// foot's width (twice its limit, half a foot's width): it cannot place the knee on the foot.
    UncertainOffset { bound: f64, limit: f64 },
    /// From this view and knee bend knee over toe is uncertain by a foot's length or more.
    UncertainKneeOverToe { bound: f64 },
    /// The camera is turned further from square than the truth model's table reaches (60°, the
    /// turn estimate's own error included): the measure's error is not known.
    NoErrorBound,
}

fn landmark_name<S: serde::Serializer>(l: &LandmarkIndex, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(l.name())
}

impl NotJudged {
    /// One sentence a user can act on.
    pub fn describe(&self) -> String {
        match self {
            NotJudged::NoPose => "no person detected in this frame".into(),
            NotJudged::Missing { landmark } => format!("the {} is not in the frame", human(*landmark)),
            NotJudged::OutOfFrame { landmark } => format!(
                "the {} is outside the picture; keep the whole body in frame",
                human(*landmark)
            ),
            NotJudged::LowVisibility {
                landmark,
                visibility,
                threshold,
            } => format!(
                "the {} is hidden or out of frame (visibility {visibility:.2} < {threshold:.2}); keep the whole leg in view",
                human(*landmark)
            ),
            NotJudged::Degenerate => "landmarks coincide, so the angle is undefined".into(),
            NotJudged::ThighForeshortened { ratio, threshold } => format!(
                "the thigh points at the camera (seen at {:.0}% of its standing length, below {:.0}%): no frontal angle at this depth, it is read higher in the descent",
                ratio * 100.0,
                threshold * 100.0
            ),
            NotJudged::ThighAcross { angle_deg, limit_deg } => format!(
                "the thigh runs across the image ({angle_deg:.0}° off the hip–ankle line, over {limit_deg:.0}°): at this depth the frontal angle shows knee bend, not valgus"
            ),
            NotJudged::WrongView { view, needs } => {
                format!("needs {}, the camera sees {}", needs.phrase(), view.phrase())
            }
            NotJudged::NoStandingFoot => {
                "the foot has not yet been seen side-on while standing still".into()
            }
            NotJudged::FootTowardsCamera => {
                "the foot points at the camera, so the knee's travel along it cannot be seen".into()
            }
            NotJudged::Implausible { value, limit } => format!(
                "a failed measurement: {:.0}% of a foot length is more than a body can do (limit {:.0}%)",
                value * 100.0,
                limit * 100.0
            ),
            NotJudged::UnknownView => {
                "the camera view cannot be told: shoulders and hips must be in frame".into()
            }
            NotJudged::NoWorldLandmarks => {
                "needs 3-D world landmarks, which this pose source does not give".into()
            }
            NotJudged::MedialSideUnknown => {
                "medial and lateral cannot be told apart from this view".into()
            }
            NotJudged::FeetTogether => {
                "the feet are too close together to compare knee and ankle width".into()
            }
            NotJudged::BodyUpright => {
                "the body is upright; the body line is for planks and bridges".into()
            }
            NotJudged::NotSeenInRep => "not measurable in any frame of this rep".into(),
            NotJudged::DepthEstimate => {
                "in this view the angle is only estimated from depth: film from the side to measure it".into()
            }
            NotJudged::NoErrorBound => {
                "the camera is turned too far from square for this measure's error to be known: film from the front".into()
            }
            NotJudged::Uncertain { bound_deg, limit_deg } => format!(
                "from this view and knee bend the angle is uncertain by ±{bound_deg:.0}°, as much as the {limit_deg:.0}° limit: film square from the front at hip height"
            ),
            NotJudged::UncertainKneeOverToe { bound } => format!(
                "from this view and knee bend the knee's place ahead of the toes is uncertain by ±{:.0}% of a foot length: film from the side, square on, at knee height",
                bound * 100.0
            ),
            NotJudged::UncertainOffset { bound, limit } => format!(
                "from this view and knee bend the knee's place over the foot is uncertain by ±{:.0}% of leg length, more than the foot is wide (the limit is {:.0}%): film square from the front at hip height",
                bound * 100.0,
                limit * 100.0
            ),
        }
    }
}

impl std::fmt::Display for NotJudged {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe())
    }
}

fn human(l: LandmarkIndex) -> String {
    l.name().replace('_', " ")
}

/// A measure's value, or why there is none. Serialises as the bare value, or as
/// `{"not_judged": {"reason": "...", ...}}`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Measured<T> {
    Value(T),
    NotJudged { not_judged: NotJudged },
}

impl<T> Measured<T> {
    pub fn not_judged(reason: NotJudged) -> Self {
        Measured::NotJudged { not_judged: reason }
    }

    pub fn value(&self) -> Option<&T> {
        match self {
            Measured::Value(v) => Some(v),
            Measured::NotJudged { .. } => None,
        }
    }

    pub fn reason(&self) -> Option<NotJudged> {
        match self {
            Measured::Value(_) => None,
            Measured::NotJudged { not_judged } => Some(*not_judged),
        }
    }

    pub fn as_result(&self) -> Result<&T, NotJudged> {
        match self {
            Measured::Value(v) => Ok(v),
            Measured::NotJudged { not_judged } => Err(*not_judged),
        }
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Measured<U> {
        match self {
            Measured::Value(v) => Measured::Value(f(v)),
            Measured::NotJudged { not_judged } => Measured::NotJudged { not_judged },
        }
    }
}

impl<T: Copy> Measured<T> {
    pub fn get(&self) -> Option<T> {
        self.value().copied()
    }
}

impl<T> From<Result<T, NotJudged>> for Measured<T> {
    fn from(r: Result<T, NotJudged>) -> Self {
        match r {
            Ok(v) => Measured::Value(v),
            Err(reason) => Measured::not_judged(reason),
        }
    }
}

/// A value and the landmarks it came from.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Sourced {
    pub value: f64,
    pub source: Source,
}

/// An image point in pixels (origin top-left, y down).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

/// Per-frame measures of one leg. Signs: + medial (valgus), − lateral (varus); + knee ahead.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegMeasures {
    pub leg: Leg,
    /// Frontal-plane projection angle: between hip→knee and knee→ankle in the image, degrees;
    /// + when the knee is medial to the hip–ankle line (valgus), − when lateral (varus).
    pub fppa_deg: Measured<f64>,
    /// Knee's perpendicular distance from the hip–ankle line over the hip–ankle length; + medial.
    pub medial_offset: Measured<f64>,
    /// Knee's horizontal distance from the toe (foot index) towards the body midline, over the
    /// standing leg length; + when the knee is medial to the toe.
    pub knee_foot_offset: Measured<f64>,
    /// How far the knee is ahead of the toe, horizontally in the direction the foot points, over
    /// the standing foot length; + ahead. Side view, image landmarks only.
    pub knee_over_toe: Measured<Sourced>,
    /// Knee flexion, degrees (0 = straight): 2-D in a side view, else estimated from world
    /// landmarks (source `world`).
    pub knee_flexion_deg: Measured<Sourced>,
    /// Projected thigh length over its standing length (1 = thigh in the image plane).
    pub thigh_projection: Measured<f64>,
    /// Lowest visibility among hip, knee, ankle, heel, toe (`None` when a landmark is missing).
    pub min_visibility: Option<f64>,
    /// The knee and ankle in the image, when seen well enough (for drawing, and for telling
    /// the stance leg from the free one).
    pub knee_px: Option<Point>,
    pub ankle_px: Option<Point>,
}

/// Everything geometry measures in one frame.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FrameMeasures {
    pub frame: u64,
    pub time_s: f64,
    pub detected: bool,
    pub view: Measured<View>,
    /// The body's turn from square to the camera, degrees: 0 front or back, 90 side-on.
    pub turn_deg: Measured<f64>,
    pub left: LegMeasures,
    pub right: LegMeasures,
    /// Knee separation over ankle separation along the hip line (frontal view); < 1 means the
    /// knees are closer together than the ankles.
    pub knee_ankle_ratio: Measured<f64>,
    /// Hip midpoint's height above the bottom edge of the image, in standing leg lengths (hip to
    /// ankle). Only its changes matter: how far the hip fell or rose (camera held still).
    pub hip_height: Measured<f64>,
    /// The lower ankle's height above the bottom edge of the image, in the same standing leg
    /// lengths: it rises only when both feet leave the ground (a jump).
    pub feet_height: Measured<f64>,
    /// Tilt of the hip line from the image horizontal, degrees; + when the left hip is lower.
    pub pelvic_drop_deg: Measured<f64>,
    /// Angle of hip-mid→shoulder-mid from vertical, degrees (world when present, else image).
    pub trunk_lean_deg: Measured<Sourced>,
    /// Hip's angular deviation from the shoulder–ankle line, degrees; + when the hip is above the
    /// line in the image (piking), − below (sagging). For planks.
    pub body_line_deg: Measured<f64>,
    /// Hip extension: 180 minus the shoulder–hip–knee angle, degrees, 0 = straight (bridges).
    /// Mean of the two sides, 3-D when world landmarks are present.
    pub hip_flexion_deg: Measured<Sourced>,
    /// Rotation of the shoulder line out of the image plane, degrees (world only; rocking).
    pub trunk_rotation_deg: Measured<f64>,
}

impl FrameMeasures {
    pub fn leg(&self, leg: Leg) -> &LegMeasures {
        match leg {
            Leg::Left => &self.left,
            Leg::Right => &self.right,
        }
    }
}
