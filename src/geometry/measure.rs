//! The per-frame measures themselves. Each one takes the landmarks it needs through
//! [`Points`], which turns a missing or hidden landmark into a [`NotJudged`] reason, and guards
//! its own degenerate cases, so nothing here returns NaN.

use super::vector::{angle_between, cross2, positive, Vec2, Vec3};
use super::{FrameMeasures, Leg, LegMeasures, Measured, NotJudged, Point, Source, Sourced, View};
use crate::landmarks::{LandmarkIndex, Pose, PoseFrame};

/// MediaPipe's own drawing utilities hide landmarks below this visibility
/// (`_VISIBILITY_THRESHOLD = 0.5` in mediapipe/python/solutions/drawing_utils.py).
pub const DEFAULT_MIN_VISIBILITY: f64 = 0.5;

/// A frontal-plane angle needs the thigh within ~45° of the image plane: cos 45° ≈ 0.7 of its
/// standing projected length (formcheck's geometric rule; beyond it 2-D FPPA errors grow fast).
pub const DEFAULT_MIN_THIGH_PROJECTION: f64 = 0.7;

/// Medial/lateral is only told when the hip midpoint is at least this fraction of leg length off
/// the hip–ankle line (`SIGN_RELIABLE_FRAC` in ../shared/reference/mp_reference.py).
pub const MIN_MIDLINE_OFFSET: f64 = 0.05;

/// Image width ratio = mean(shoulder width, hip width) / torso length of a body square to the
/// camera (formcheck calibration: the frontal shared clips tfjs_pose_1 and lnewco_*_7027/7029
/// read 0.52–0.56 at their median frame). The ratio over this is the cosine of the body's turn.
pub const FRONTAL_WIDTH_RATIO: f64 = 0.55;

/// Frontal-plane measures need the body turned at most this far from square to the camera.
/// Englander et al. 2019 (Orthop J Sports Med 7:2325967118819831): a 15° off-axis view already
/// turned a varus knee valgus in 2-D; formcheck rule: 25°, since its turn estimate reads the
/// square-on shared clips at 3–21°.
pub const FRONTAL_MAX_TURN_DEG: f64 = 25.0;

/// Side-view measures (knee over toe, knee bend in the image) need the body turned at least this
/// far (formcheck rule: 25° short of side-on keeps the foot at over 90% of its length in the
/// image, cos 25° = 0.91).
pub const SIDE_MIN_TURN_DEG: f64 = 65.0;

/// A knee more than this many foot lengths ahead of or behind the toe is a failed measurement,
/// not a movement (formcheck rule: standing, the knee is about 0.75 foot lengths behind the toe;
/// shin angles a body can load put it less than one foot length ahead).
pub const MAX_PLAUSIBLE_KNEE_OVER_TOE: f64 = 1.0;

/// The hip–ankle line is a reference for knee over the foot only while the hip stands this far
/// above the knee (leg lengths); lower, at the bottom of a deep squat, the line collapses and the
/// ankle's vertical alone is the reference (formcheck rule: a quarter of the leg, about 60° of
/// thigh tilt).
pub const KNEE_FOOT_LINE_MIN_HIP_RISE: f64 = 0.25;

/// Knee over the foot needs the knee at least this far above the ankle (leg lengths): a shank
/// standing over the foot, not a body lying or kneeling (formcheck rule: the shank is about half
/// the leg; tilted 60° forward at the bottom of a deep squat it still stands a quarter).
const MIN_UPRIGHT_SHANK: f64 = 0.25;

/// The pelvis moving more than this many leg lengths between two detections, and faster than
/// [`PERSON_JUMP_SPEED`], is another person (formcheck rule: a sprinter's pelvis covers about
/// 10 leg lengths a second, no programme exercise a fifth of that; a leg length or more in one
/// frame is a hand-over, as on ../shared/videos/sports2d_demo.mp4 frame 165: 3.9 leg lengths in
/// 0.2 s).
pub const PERSON_JUMP_LEGS: f64 = 1.0;
/// Leg lengths per second; see [`PERSON_JUMP_LEGS`].
pub const PERSON_JUMP_SPEED: f64 = 6.0;

/// At-rest foot lengths kept per leg; knee-over-toe is scaled by their median (1.5 s at 30 fps).
const FOOT_SAMPLES: usize = 45;

/// A foot seen shorter than this part of its standing length points at the camera: the
/// direction it points cannot be told (formcheck rule).
const MIN_FOOT_PROJECTION: f64 = 0.5;

/// FPPA is undefined once the thigh runs more than this far off the hip–ankle line (the hip
/// sinks to knee height in a deep squat, so knee flexion, not valgus, shapes the image angle).
/// Formcheck rule: even severe dynamic valgus (FPPA ≈ 30°) keeps the thigh within ~15° of it.
pub const MAX_THIGH_OFF_LEG_LINE_DEG: f64 = 45.0;

/// Ankles closer than this fraction of hip width make the knee/ankle ratio meaningless (formcheck
/// rule: the ratio's denominator would amplify landmark jitter more than tenfold).
const MIN_ANKLE_SEPARATION: f64 = 0.1;

/// A body line more than this far from horizontal is not a plank or bridge posture (formcheck
/// rule: the "above/below the line" sign is taken against gravity).
const MAX_BODY_LINE_TILT_DEG: f64 = 45.0;

/// The quality limits and the standing reference that `measure` checks against.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasureContext {
    pub min_visibility: f64,
    pub min_thigh_projection: f64,
    pub max_thigh_off_leg_line_deg: f64,
    pub frontal_width_ratio: f64,
    pub frontal_max_turn_deg: f64,
    pub side_min_turn_deg: f64,
    pub max_plausible_knee_over_toe: f64,
    pub standing: StandingReference,
    /// Where the pelvis was last seen, to tell when the pose jumps to someone else.
    pub(crate) last_pelvis: Option<PelvisAt>,
}

/// The pelvis in one frame: time, image position, and the body's size there (pixels).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PelvisAt {
    time_s: f64,
    at: Vec2,
    size: f64,
}

impl Default for MeasureContext {
    fn default() -> Self {
        MeasureContext {
            min_visibility: DEFAULT_MIN_VISIBILITY,
            min_thigh_projection: DEFAULT_MIN_THIGH_PROJECTION,
            max_thigh_off_leg_line_deg: MAX_THIGH_OFF_LEG_LINE_DEG,
            frontal_width_ratio: FRONTAL_WIDTH_RATIO,
            frontal_max_turn_deg: FRONTAL_MAX_TURN_DEG,
            side_min_turn_deg: SIDE_MIN_TURN_DEG,
            max_plausible_knee_over_toe: MAX_PLAUSIBLE_KNEE_OVER_TOE,
            standing: StandingReference::default(),
            last_pelvis: None,
        }
    }
}

impl MeasureContext {
    /// Whether this frame's body is someone else than the last one seen: the pelvis jumped
    /// further and faster than a body moves (a single-person pose model hands over to a person
    /// crossing the frame while the one it followed is hidden or blurred). Then the standing
    /// reference is forgotten: it belonged to the other body.
    pub fn another_person(&mut self, frame: &PoseFrame) -> bool {
        use LandmarkIndex::*;
        let Some(pose) = &frame.pose else {
            return false;
        };
        // Positions only: a hip seen at low visibility still says where the body is.
        let p = Points::new(pose, frame, 0.0);
        let Ok(at) = p.mid(LeftHip, RightHip) else {
            return false;
        };
        let size = longer_leg(&p).unwrap_or(0.0);
        let now = PelvisAt {
            time_s: frame.time_s,
            at,
            size,
        };
        let changed = self.last_pelvis.is_some_and(|last| {
            let scale = self.standing.leg().unwrap_or(last.size).max(last.size);
            let dt = (now.time_s - last.time_s).max(f64::EPSILON);
            let moved = (now.at - last.at).norm() / scale;
            positive(scale) && moved > PERSON_JUMP_LEGS && moved / dt > PERSON_JUMP_SPEED
        });
        self.last_pelvis = Some(now);
        if changed {
            self.standing = StandingReference::default();
        }
        changed
    }

    /// Takes one frame into the standing reference: thighs always, legs and (in a side view)
    /// feet only `at_rest`, so lengths never change in the middle of a rep.
    pub fn observe(&mut self, frame: &PoseFrame, at_rest: bool) {
        self.standing.observe(frame, self.min_visibility, at_rest);
        let Some(pose) = &frame.pose else { return };
        if !at_rest {
            return;
        }
        let p = Points::new(pose, frame, self.min_visibility);
        if view(&p, self).map(|v| v.view) != Ok(View::Side) {
            return;
        }
        for leg in Leg::BOTH {
            let j = leg.joints();
            if let (Ok(heel), Ok(toe)) = (p.image(j.heel), p.image(j.toe)) {
                self.standing.observe_foot(leg, (toe.x - heel.x).abs());
            }
        }
    }
}

/// The longest projected thigh and hip–ankle length seen so far for each leg, in pixels, and the
/// recent at-rest foot lengths in a side view: the "standing lengths" thigh foreshortening, hip
/// height and knee-over-toe are measured against. Fed frame by frame by the analyser.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StandingReference {
    pub thigh_px: [Option<f64>; 2],
    pub leg_px: [Option<f64>; 2],
    foot_px: [std::collections::VecDeque<f64>; 2],
}

impl StandingReference {
    /// One at-rest, side-view heel→toe length (pixels, along the floor).
    pub fn observe_foot(&mut self, leg: Leg, len: f64) {
        if !(len.is_finite() && len > 0.0) {
            return;
        }
        let samples = &mut self.foot_px[slot(leg)];
        if samples.len() == FOOT_SAMPLES {
            samples.pop_front();
        }
        samples.push_back(len);
    }

    /// The standing foot length: the median of the recent at-rest side-view samples.
    pub fn foot(&self, leg: Leg) -> Option<f64> {
        let mut v: Vec<f64> = self.foot_px[slot(leg)].iter().copied().collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(f64::total_cmp);
        Some(v[v.len() / 2])
    }

    /// Takes in one frame's thighs and, when `at_rest`, its legs (only well-seen ones). The leg
    /// length scales hip height, so it must not change in the middle of a rep.
    pub fn observe(&mut self, frame: &PoseFrame, min_visibility: f64, at_rest: bool) {
        let Some(pose) = &frame.pose else { return };
        let points = Points::new(pose, frame, min_visibility);
        for leg in Leg::BOTH {
            let j = leg.joints();
            if let (Ok(h), Ok(k)) = (points.image(j.hip), points.image(j.knee)) {
                keep_max(&mut self.thigh_px[slot(leg)], (k - h).norm());
            }
            if let (true, Ok(h), Ok(a)) = (at_rest, points.image(j.hip), points.image(j.ankle)) {
                keep_max(&mut self.leg_px[slot(leg)], (a - h).norm());
            }
        }
    }

    /// Takes a body's full leg length (thigh plus shank) as its standing leg when it was picked
    /// up bent: its hip–ankle length then is not its standing one.
    pub fn seed_leg(&mut self, leg_px: f64) {
        for slot in self.leg_px.iter_mut() {
            keep_max(slot, leg_px);
        }
    }

    pub fn thigh(&self, leg: Leg) -> Option<f64> {
        self.thigh_px[slot(leg)]
    }

    /// The longer standing leg, hip to ankle.
    pub fn leg(&self) -> Option<f64> {
        match self.leg_px {
            [Some(a), Some(b)] => Some(a.max(b)),
            [a, b] => a.or(b),
        }
    }
}

/// A reference grows only by more than this fraction at a time, so landmark jitter does not
/// creep it up frame by frame (which would read as the hip slowly sinking).
const REFERENCE_HYSTERESIS: f64 = 0.02;

fn keep_max(slot: &mut Option<f64>, len: f64) {
    if len.is_finite() && len > 0.0 {
        match slot {
            Some(s) if len <= *s * (1.0 + REFERENCE_HYSTERESIS) => {}
            _ => *slot = Some(len),
        }
    }
}

fn slot(leg: Leg) -> usize {
    match leg {
        Leg::Left => 0,
        Leg::Right => 1,
    }
}

/// A visibility as a number in [0, 1]: a missing or broken one (NaN) counts as unseen.
fn visibility(v: f64) -> f64 {
    if v.is_nan() {
        0.0
    } else {
        v.clamp(0.0, 1.0)
    }
}

/// Landmark access that says why a point is unusable.
struct Points<'a> {
    pose: &'a Pose,
    min_visibility: f64,
    width: f64,
    height: f64,
}

impl<'a> Points<'a> {
    fn new(pose: &'a Pose, frame: &PoseFrame, min_visibility: f64) -> Points<'a> {
        Points {
            pose,
            min_visibility,
            width: f64::from(frame.image_width),
            height: f64::from(frame.image_height),
        }
    }

    fn image(&self, index: LandmarkIndex) -> Result<Vec2, NotJudged> {
        let l = self
            .pose
            .get(index)
            .ok_or(NotJudged::Missing { landmark: index })?;
        if !(l.x.is_finite() && l.y.is_finite()) {
            return Err(NotJudged::Missing { landmark: index });
        }
        // BlazePose guesses where a cut-off joint would be; a guess is not a measurement.
        let inside = |v: f64, size: f64| size <= 0.0 || (0.0..size).contains(&v);
        if !(inside(l.x, self.width) && inside(l.y, self.height)) {
            return Err(NotJudged::OutOfFrame { landmark: index });
        }
        let seen = visibility(l.visibility);
        if seen < self.min_visibility {
            return Err(NotJudged::LowVisibility {
                landmark: index,
                visibility: seen,
                threshold: self.min_visibility,
            });
        }
        Ok(Vec2::new(l.x, l.y))
    }

    /// World point, when the pose has world landmarks and the image landmark is usable (world
    /// visibilities repeat the image ones, so the image check is the one that counts).
    fn world(&self, index: LandmarkIndex) -> Result<Vec3, NotJudged> {
        self.image(index)?;
        let w = self.pose.world(index).ok_or(NotJudged::NoWorldLandmarks)?;
        let v = Vec3::new(w.x, w.y, w.z);
        if v.iter().all(|c| c.is_finite()) {
            Ok(v)
        } else {
            Err(NotJudged::Missing { landmark: index })
        }
    }

    fn has_world(&self) -> bool {
        self.pose.world.is_some()
    }

    fn mid(&self, a: LandmarkIndex, b: LandmarkIndex) -> Result<Vec2, NotJudged> {
        Ok((self.image(a)? + self.image(b)?) / 2.0)
    }

    fn world_mid(&self, a: LandmarkIndex, b: LandmarkIndex) -> Result<Vec3, NotJudged> {
        Ok((self.world(a)? + self.world(b)?) / 2.0)
    }
}

/// Measures one frame. Pure: the same frame and context always give the same measures.
pub fn measure(frame: &PoseFrame, ctx: &MeasureContext) -> FrameMeasures {
    let Some(pose) = &frame.pose else {
        return undetected(frame);
    };
    let p = Points::new(pose, frame, ctx.min_visibility);
    let estimate = view(&p, ctx);
    let view = estimate.map(|e| e.view);
    FrameMeasures {
        frame: frame.index,
        time_s: frame.time_s,
        detected: true,
        left: leg_measures(&p, Leg::Left, view, ctx),
        right: leg_measures(&p, Leg::Right, view, ctx),
        knee_ankle_ratio: knee_ankle_ratio(&p, view).into(),
        hip_height: hip_height(&p, frame, ctx).into(),
        feet_height: feet_height(&p, frame, ctx).into(),
        pelvic_drop_deg: pelvic_drop(&p, view).into(),
        trunk_lean_deg: trunk_lean(&p).into(),
        body_line_deg: body_line(&p).into(),
        hip_flexion_deg: hip_flexion(&p, view).into(),
        trunk_rotation_deg: trunk_rotation(&p).into(),
        view: view.into(),
        turn_deg: estimate.map(|e| e.turn_deg).into(),
    }
}

fn undetected(frame: &PoseFrame) -> FrameMeasures {
    let none = Measured::not_judged(NotJudged::NoPose);
    let leg = |leg| LegMeasures {
        leg,
        fppa_deg: none,
        medial_offset: none,
        knee_foot_offset: none,
        knee_over_toe: Measured::not_judged(NotJudged::NoPose),
        knee_flexion_deg: Measured::not_judged(NotJudged::NoPose),
        thigh_projection: none,
        min_visibility: None,
        knee_px: None,
        ankle_px: None,
    };
    FrameMeasures {
        frame: frame.index,
        time_s: frame.time_s,
        detected: false,
        view: Measured::not_judged(NotJudged::NoPose),
        turn_deg: none,
        left: leg(Leg::Left),
        right: leg(Leg::Right),
        knee_ankle_ratio: none,
        hip_height: none,
        feet_height: none,
        pelvic_drop_deg: none,
        trunk_lean_deg: Measured::not_judged(NotJudged::NoPose),
        body_line_deg: none,
        hip_flexion_deg: Measured::not_judged(NotJudged::NoPose),
        trunk_rotation_deg: none,
    }
}

/// The camera's view and the body's turn from square to it, degrees (0 facing the camera or
/// turned away, 90 side-on).
#[derive(Debug, Clone, Copy, PartialEq)]
struct ViewEstimate {
    view: View,
    turn_deg: f64,
}

/// The body's turn from how wide shoulders and hips look against the torso's length (as a
/// cosine of [`FRONTAL_WIDTH_RATIO`]), averaged with the turn of the 3-D shoulder and hip lines
/// when world landmarks exist. Either alone misleads: the image ratio varies with build and
/// camera height, BlazePose's depth with the pose.
pub fn classify_turn(turn_deg: f64, ctx: &MeasureContext) -> View {
    if turn_deg <= ctx.frontal_max_turn_deg {
        View::Frontal
    } else if turn_deg >= ctx.side_min_turn_deg {
        View::Side
    } else {
        View::Oblique
    }
}

fn view(p: &Points, ctx: &MeasureContext) -> Result<ViewEstimate, NotJudged> {
    use LandmarkIndex::*;
    let unknown = |_| NotJudged::UnknownView;
    let (ls, rs) = (
        p.image(LeftShoulder).map_err(unknown)?,
        p.image(RightShoulder).map_err(unknown)?,
    );
    let (lh, rh) = (
        p.image(LeftHip).map_err(unknown)?,
        p.image(RightHip).map_err(unknown)?,
    );
    let torso = ((ls + rs) / 2.0 - (lh + rh) / 2.0).norm();
    let width = ((ls - rs).norm() + (lh - rh).norm()) / 2.0;
    if !positive(torso) || !width.is_finite() || !positive(ctx.frontal_width_ratio) {
        return Err(NotJudged::UnknownView);
    }
    let image_turn = (width / torso / ctx.frontal_width_ratio)
        .clamp(0.0, 1.0)
        .acos()
        .to_degrees();
    let world_turn = |a: LandmarkIndex, b: LandmarkIndex| -> Option<f64> {
        let d = p.world(a).ok()? - p.world(b).ok()?;
        let across = d.x.hypot(d.y);
        positive(d.norm()).then(|| d.z.abs().atan2(across).to_degrees())
    };
    let turn_deg = match (
        world_turn(LeftShoulder, RightShoulder),
        world_turn(LeftHip, RightHip),
    ) {
        (Some(s), Some(h)) => (image_turn + (s + h) / 2.0) / 2.0,
        _ => image_turn,
    };
    Ok(ViewEstimate {
        view: classify_turn(turn_deg, ctx),
        turn_deg,
    })
}

fn point(v: Vec2) -> Point {
    Point { x: v.x, y: v.y }
}

fn needs_frontal(view: Result<View, NotJudged>) -> Result<(), NotJudged> {
    needs(view, View::Frontal)
}

fn needs(view: Result<View, NotJudged>, needed: View) -> Result<(), NotJudged> {
    match view? {
        v if v == needed => Ok(()),
        other => Err(NotJudged::WrongView {
            view: other,
            needs: needed,
        }),
    }
}

fn leg_measures(
    p: &Points,
    leg: Leg,
    view: Result<View, NotJudged>,
    ctx: &MeasureContext,
) -> LegMeasures {
    let j = leg.joints();
    let min_visibility = [j.hip, j.knee, j.ankle, j.heel, j.toe]
        .iter()
        .map(|&i| p.pose.get(i).map(|l| visibility(l.visibility)))
        .try_fold(f64::INFINITY, |acc, v| v.map(|v| acc.min(v)));
    let thigh_projection = thigh_projection(p, leg, ctx);
    LegMeasures {
        leg,
        fppa_deg: fppa(p, leg, view, &thigh_projection, ctx).into(),
        medial_offset: medial_offset(p, leg, view).into(),
        knee_foot_offset: knee_foot_offset(p, leg, view, ctx).into(),
        knee_over_toe: knee_over_toe(p, leg, view, ctx).into(),
        knee_flexion_deg: knee_flexion(p, leg, view).into(),
        thigh_projection: thigh_projection.into(),
        min_visibility,
        knee_px: p.image(j.knee).ok().map(point),
        ankle_px: p.image(j.ankle).ok().map(point),
    }
}

/// Projected thigh length over its standing length. Before any standing reference exists, the
/// shank stands in for it (thigh and shank are about equally long: BlazePose hip–knee ≈
/// knee–ankle on the reference clips, 1.0–1.05).
fn thigh_projection(p: &Points, leg: Leg, ctx: &MeasureContext) -> Result<f64, NotJudged> {
    let j = leg.joints();
    let (h, k, a) = (p.image(j.hip)?, p.image(j.knee)?, p.image(j.ankle)?);
    let thigh = (k - h).norm();
    let shank = (a - k).norm();
    let reference = ctx.standing.thigh(leg).unwrap_or(0.0).max(shank);
    if !positive(reference) {
        return Err(NotJudged::Degenerate);
    }
    Ok((thigh / reference).min(1.0))
}

/// +1 when `point` is on the medial side of hip→ankle (the side the hip midpoint is on), −1
/// lateral, 0 on the line. Err when the midline is too close to the line to tell.
fn medial_sign(p: &Points, leg: Leg, point: Vec2) -> Result<(f64, Vec2, Vec2, f64), NotJudged> {
    use LandmarkIndex::*;
    let j = leg.joints();
    let (h, a) = (p.image(j.hip)?, p.image(j.ankle)?);
    let mid = p.mid(LeftHip, RightHip)?;
    let line = a - h;
    let len = line.norm();
    if !positive(len) {
        return Err(NotJudged::Degenerate);
    }
    let mid_off = cross2(&line, &(mid - h)) / len;
    if mid_off.abs() < MIN_MIDLINE_OFFSET * len {
        return Err(NotJudged::MedialSideUnknown);
    }
    let off = cross2(&line, &(point - h)) / len;
    let sign = if off == 0.0 {
        0.0
    } else {
        off.signum() * mid_off.signum()
    };
    Ok((sign, h, a, len))
}

fn fppa(
    p: &Points,
    leg: Leg,
    view: Result<View, NotJudged>,
    thigh_projection: &Result<f64, NotJudged>,
    ctx: &MeasureContext,
) -> Result<f64, NotJudged> {
    needs_frontal(view)?;
    let j = leg.joints();
    let k = p.image(j.knee)?;
    let (sign, h, a, _) = medial_sign(p, leg, k)?;
    let ratio = (*thigh_projection)?;
    if ratio < ctx.min_thigh_projection {
        return Err(NotJudged::ThighForeshortened {
            ratio,
            threshold: ctx.min_thigh_projection,
        });
    }
    let across = angle_between(&(k - h), &(a - h)).ok_or(NotJudged::Degenerate)?;
    if across > ctx.max_thigh_off_leg_line_deg {
        return Err(NotJudged::ThighAcross {
            angle_deg: across,
            limit_deg: ctx.max_thigh_off_leg_line_deg,
        });
    }
    let angle = angle_between(&(k - h), &(a - k)).ok_or(NotJudged::Degenerate)?;
    Ok(sign * angle)
}

fn medial_offset(p: &Points, leg: Leg, view: Result<View, NotJudged>) -> Result<f64, NotJudged> {
    needs_frontal(view)?;
    let k = p.image(leg.joints().knee)?;
    let (sign, h, a, len) = medial_sign(p, leg, k)?;
    Ok(sign * (cross2(&(a - h), &(k - h)) / len).abs() / len)
}

/// Knee's sideways offset from the ankle's vertical in the picture, towards the body midline,
/// over the standing leg length: past half a foot's width the knee is inside the foot's inner
/// edge. The ankle's vertical is the reference because the hip–ankle and hip–toe lines collapse
/// when the hip drops to the feet at the bottom of a deep squat; it is read from the front or at
/// an angle, and the rep's camera turn and knee bend bound its error (`geometry::bounds`).
fn knee_foot_offset(
    p: &Points,
    leg: Leg,
    view: Result<View, NotJudged>,
    ctx: &MeasureContext,
) -> Result<f64, NotJudged> {
    if view? == View::Side {
        return Err(NotJudged::WrongView {
            view: View::Side,
            needs: View::Frontal,
        });
    }
    let j = leg.joints();
    let other = leg.other().joints();
    let (h, oh, k) = (p.image(j.hip)?, p.image(other.hip)?, p.image(j.knee)?);
    let a = p.image(j.ankle)?;
    let leg_len = ctx.standing.leg().unwrap_or(0.0).max((a - h).norm());
    if !positive(leg_len) {
        return Err(NotJudged::Degenerate);
    }
    let across = oh.x - h.x;
    if across.abs() < MIN_MIDLINE_OFFSET * leg_len {
        return Err(NotJudged::MedialSideUnknown);
    }
    if a.y - k.y < MIN_UPRIGHT_SHANK * leg_len {
        return Err(NotJudged::Degenerate);
    }
    Ok(knee_foot_reading(h, k, a, across.signum(), leg_len))
}

/// The knee's offset inside the ankle's vertical, or inside the hip–ankle line where that is
/// smaller and the hip stands at least [`KNEE_FOOT_LINE_MIN_HIP_RISE`] leg lengths above the
/// knee: a straight leg slanting out from a wide stance puts the knee inside its ankle without
/// caving, and a knee on the line from hip to ankle is not caving in. `medial` is +1 when the
/// midline is towards +x. The truth model (`tests/view_error.rs`) reads it the same way.
pub fn knee_foot_reading(hip: Vec2, knee: Vec2, ankle: Vec2, medial: f64, leg_len: f64) -> f64 {
    let inside_ankle = (knee.x - ankle.x) * medial / leg_len;
    let hip_rise = (knee.y - hip.y) / leg_len;
    if hip_rise < KNEE_FOOT_LINE_MIN_HIP_RISE || ankle.y - hip.y <= 0.0 {
        return inside_ankle;
    }
    let t = (ankle.y - knee.y) / (ankle.y - hip.y);
    let line_x = ankle.x + (hip.x - ankle.x) * t;
    inside_ankle.min((knee.x - line_x) * medial / leg_len)
}

/// How far the knee is ahead of the toe (foot index), horizontally in the image, in the
/// direction the foot points, over the standing foot length. Only a side view shows it: from
/// the front it would come from BlazePose's estimated depth, which is a guess.
fn knee_over_toe(
    p: &Points,
    leg: Leg,
    view: Result<View, NotJudged>,
    ctx: &MeasureContext,
) -> Result<Sourced, NotJudged> {
    needs(view, View::Side)?;
    let j = leg.joints();
    let (k, heel, toe) = (p.image(j.knee)?, p.image(j.heel)?, p.image(j.toe)?);
    let foot = ctx
        .standing
        .foot(leg)
        .filter(|f| positive(*f))
        .ok_or(NotJudged::NoStandingFoot)?;
    let along = toe.x - heel.x;
    if along.abs() < MIN_FOOT_PROJECTION * foot {
        return Err(NotJudged::FootTowardsCamera);
    }
    let value = (k.x - toe.x) * along.signum() / foot;
    if value.abs() > ctx.max_plausible_knee_over_toe {
        return Err(NotJudged::Implausible {
            value,
            limit: ctx.max_plausible_knee_over_toe,
        });
    }
    Ok(Sourced {
        value,
        source: Source::Image,
    })
}

/// Knee bend: measured in the image from the side; elsewhere estimated from the 3-D landmarks
/// (labelled so: it orders frames and gives context, it never makes a fault).
fn knee_flexion(p: &Points, leg: Leg, view: Result<View, NotJudged>) -> Result<Sourced, NotJudged> {
    let j = leg.joints();
    if view == Ok(View::Side) || !p.has_world() {
        needs(view, View::Side)?;
        let (h, k, a) = (p.image(j.hip)?, p.image(j.knee)?, p.image(j.ankle)?);
        let value = angle_between(&(k - h), &(a - k)).ok_or(NotJudged::Degenerate)?;
        return Ok(Sourced {
            value,
            source: Source::Image,
        });
    }
    let (h, k, a) = (p.world(j.hip)?, p.world(j.knee)?, p.world(j.ankle)?);
    let value = angle_between(&(k - h), &(a - k)).ok_or(NotJudged::Degenerate)?;
    Ok(Sourced {
        value,
        source: Source::World,
    })
}

/// A body picked up already bent (at the start of a video, or from a hand-over, as a jumper
/// landing): where its standing level would be, since it was never seen standing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Crouch {
    /// The straighter leg's full length, hip–knee plus knee–ankle, in pixels: its hip–ankle
    /// length standing straight.
    pub leg_px: f64,
    /// How far the hip is below where this leg, straight over the same ankle, would hold it, in
    /// its lengths (the straighter leg's reading, so one bent leg alone is not a crouch).
    pub hip_below_standing: f64,
}

/// This frame's crouch, when both legs are seen (hip, knee and ankle): the straighter leg's.
pub fn crouch(frame: &PoseFrame, ctx: &MeasureContext) -> Option<Crouch> {
    let pose = frame.pose.as_ref()?;
    let p = Points::new(pose, frame, ctx.min_visibility);
    let mut straighter: Option<Crouch> = None;
    for leg in Leg::BOTH {
        let j = leg.joints();
        let (h, k, a) = (
            p.image(j.hip).ok()?,
            p.image(j.knee).ok()?,
            p.image(j.ankle).ok()?,
        );
        let leg_px = (k - h).norm() + (a - k).norm();
        if !positive(leg_px) {
            return None;
        }
        // Image y points down.
        let hip_below_standing = ((leg_px - (a.y - h.y)) / leg_px).max(0.0);
        if straighter.is_none_or(|c| hip_below_standing < c.hip_below_standing) {
            straighter = Some(Crouch {
                leg_px,
                hip_below_standing,
            });
        }
    }
    straighter
}

/// This frame's longer leg, hip to ankle, in pixels (of the legs whose hip and ankle are seen).
fn longer_leg(p: &Points) -> Option<f64> {
    Leg::BOTH
        .iter()
        .filter_map(|leg| {
            let j = leg.joints();
            Some((p.image(j.ankle).ok()? - p.image(j.hip).ok()?).norm())
        })
        .fold(None, |m: Option<f64>, l| Some(m.map_or(l, |m| m.max(l))))
}

/// Hip height above the first frame's bottom edge in leg lengths (in the first frame's
/// picture: a handheld camera's tilt moves the whole picture, not the hip).
fn hip_height(p: &Points, frame: &PoseFrame, ctx: &MeasureContext) -> Result<f64, NotJudged> {
    use LandmarkIndex::*;
    let hip = p.mid(LeftHip, RightHip)?;
    height_in_legs(p, frame.camera.row_in_first(hip.y), frame.image_height, ctx)
}

/// The lower ankle's height above the first frame's bottom edge in leg lengths (both ankles
/// seen).
fn feet_height(p: &Points, frame: &PoseFrame, ctx: &MeasureContext) -> Result<f64, NotJudged> {
    use LandmarkIndex::*;
    let lower = p.image(LeftAnkle)?.y.max(p.image(RightAnkle)?.y);
    height_in_legs(p, frame.camera.row_in_first(lower), frame.image_height, ctx)
}

/// An image row's height above the bottom edge in leg lengths: the standing reference, or this
/// frame's longer leg before there is one.
fn height_in_legs(
    p: &Points,
    y: f64,
    image_height: u32,
    ctx: &MeasureContext,
) -> Result<f64, NotJudged> {
    use LandmarkIndex::*;
    let this_frame = longer_leg(p);
    // The reference alone once there is one: a per-frame length would make the scale jitter.
    let leg = match (ctx.standing.leg(), this_frame) {
        (Some(r), _) => r,
        (None, Some(l)) => l,
        (None, None) => {
            return Err(p
                .image(LeftAnkle)
                .and(p.image(RightAnkle))
                .err()
                .unwrap_or(NotJudged::Degenerate))
        }
    };
    if !positive(leg) {
        return Err(NotJudged::Degenerate);
    }
    Ok((f64::from(image_height) - y) / leg)
}

fn pelvic_drop(p: &Points, view: Result<View, NotJudged>) -> Result<f64, NotJudged> {
    use LandmarkIndex::*;
    needs_frontal(view)?;
    let (l, r) = (p.image(LeftHip)?, p.image(RightHip)?);
    let d = l - r;
    if !positive(d.norm()) {
        return Err(NotJudged::Degenerate);
    }
    // Image y points down: a larger y is a lower hip.
    Ok(d.y.atan2(d.x.abs()).to_degrees())
}

fn trunk_lean(p: &Points) -> Result<Sourced, NotJudged> {
    use LandmarkIndex::*;
    if p.has_world() {
        let t = p.world_mid(LeftShoulder, RightShoulder)? - p.world_mid(LeftHip, RightHip)?;
        let value = angle_between(&t, &Vec3::new(0.0, -1.0, 0.0)).ok_or(NotJudged::Degenerate)?;
        return Ok(Sourced {
            value,
            source: Source::World,
        });
    }
    let t = p.mid(LeftShoulder, RightShoulder)? - p.mid(LeftHip, RightHip)?;
    let value = angle_between(&t, &Vec2::new(0.0, -1.0)).ok_or(NotJudged::Degenerate)?;
    Ok(Sourced {
        value,
        source: Source::Image,
    })
}

fn body_line(p: &Points) -> Result<f64, NotJudged> {
    use LandmarkIndex::*;
    let s = p.mid(LeftShoulder, RightShoulder)?;
    let h = p.mid(LeftHip, RightHip)?;
    let a = p.mid(LeftAnkle, RightAnkle)?;
    let line = a - s;
    let len = line.norm();
    if !positive(len) {
        return Err(NotJudged::Degenerate);
    }
    let tilt = (line.y.abs()).atan2(line.x.abs()).to_degrees();
    if tilt > MAX_BODY_LINE_TILT_DEG {
        return Err(NotJudged::BodyUpright);
    }
    let angle = angle_between(&(h - s), &(a - h)).ok_or(NotJudged::Degenerate)?;
    // Above the line = against gravity = towards smaller image y.
    let normal = Vec2::new(-line.y, line.x) / len;
    let up = if normal.y < 0.0 { normal } else { -normal };
    let off = (h - s).dot(&up);
    Ok(if off >= 0.0 { angle } else { -angle })
}

/// Hip extension: in the image from the side; elsewhere estimated from the 3-D landmarks (it
/// still counts bridge reps, but never makes a fault).
fn hip_flexion(p: &Points, view: Result<View, NotJudged>) -> Result<Sourced, NotJudged> {
    let mut sum = 0.0;
    let mut n = 0.0;
    let mut first_err = None;
    let source = if view != Ok(View::Side) && p.has_world() {
        Source::World
    } else {
        Source::Image
    };
    for leg in Leg::BOTH {
        let j = leg.joints();
        let angle = match source {
            Source::World => (|| {
                let (s, h, k) = (p.world(j.shoulder)?, p.world(j.hip)?, p.world(j.knee)?);
                angle_between(&(h - s), &(k - h)).ok_or(NotJudged::Degenerate)
            })(),
            Source::Image => (|| {
                let (s, h, k) = (p.image(j.shoulder)?, p.image(j.hip)?, p.image(j.knee)?);
                angle_between(&(h - s), &(k - h)).ok_or(NotJudged::Degenerate)
            })(),
        };
        match angle {
            Ok(a) => {
                sum += a;
                n += 1.0;
            }
            Err(e) => first_err = first_err.or(Some(e)),
        }
    }
    if n > 0.0 {
        Ok(Sourced {
            value: sum / n,
            source,
        })
    } else {
        Err(first_err.unwrap_or(NotJudged::Degenerate))
    }
}

fn trunk_rotation(p: &Points) -> Result<f64, NotJudged> {
    use LandmarkIndex::*;
    if !p.has_world() {
        return Err(NotJudged::NoWorldLandmarks);
    }
    let d = p.world(RightShoulder)? - p.world(LeftShoulder)?;
    let across = d.x.hypot(d.y);
    if !positive(d.norm()) {
        return Err(NotJudged::Degenerate);
    }
    Ok(d.z.atan2(across).to_degrees())
}

/// Knee separation over ankle separation along the hip line. Both widths shrink alike as the
/// body turns, so the ratio holds in an oblique view too; side-on the widths vanish.
fn knee_ankle_ratio(p: &Points, view: Result<View, NotJudged>) -> Result<f64, NotJudged> {
    use LandmarkIndex::*;
    if view? == View::Side {
        return Err(NotJudged::WrongView {
            view: View::Side,
            needs: View::Frontal,
        });
    }
    let (lh, rh) = (p.image(LeftHip)?, p.image(RightHip)?);
    let (lk, rk) = (p.image(LeftKnee)?, p.image(RightKnee)?);
    let (la, ra) = (p.image(LeftAnkle)?, p.image(RightAnkle)?);
    let across = lh - rh;
    let hip_width = across.norm();
    if !positive(hip_width) {
        return Err(NotJudged::Degenerate);
    }
    let axis = across / hip_width;
    let knees = (lk - rk).dot(&axis);
    let ankles = (la - ra).dot(&axis);
    if ankles.abs() < MIN_ANKLE_SEPARATION * hip_width {
        return Err(NotJudged::FeetTogether);
    }
    Ok(knees / ankles)
}
