//! A small kinematic body model for tests: joint positions built from known angles, in metres
//! (x towards the subject's left, y down, z towards the camera negative, as MediaPipe's world
//! landmarks), projected orthographically into the image. Legs are built so the image-plane
//! FPPA is exactly the angle asked for and the 3-D segment lengths stay fixed, so expected
//! values come from the construction, not from formcheck's own formulas.

#![allow(dead_code)]

use formcheck::landmarks::{
    Landmark, LandmarkIndex, Pose, PoseFrame, WorldLandmark, LANDMARK_COUNT,
};

pub const FPS: f64 = 30.0;
pub const WIDTH: u32 = 1280;
pub const HEIGHT: u32 = 1280;
/// Pixels a metre.
pub const SCALE: f64 = 500.0;

pub const THIGH: f64 = 0.45;
pub const SHANK: f64 = 0.42;
pub const HIP_WIDTH: f64 = 0.20;
pub const SHOULDER_WIDTH: f64 = 0.38;
pub const TORSO: f64 = 0.50;
/// Ankle height above the floor; heel and toe are on the floor.
pub const ANKLE_UP: f64 = 0.08;
pub const HEEL_BACK: f64 = 0.04;
pub const TOE_FWD: f64 = 0.22;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct P3 {
    pub x: f64,
    pub y: f64,
    pub z: f64,
}

pub fn p3(x: f64, y: f64, z: f64) -> P3 {
    P3 { x, y, z }
}

impl std::ops::Add for P3 {
    type Output = P3;
    fn add(self, o: P3) -> P3 {
        p3(self.x + o.x, self.y + o.y, self.z + o.z)
    }
}

impl std::ops::Sub for P3 {
    type Output = P3;
    fn sub(self, o: P3) -> P3 {
        p3(self.x - o.x, self.y - o.y, self.z - o.z)
    }
}

/// 33 body points in metres, all visible.
#[derive(Debug, Clone)]
pub struct Body {
    pub points: [P3; LANDMARK_COUNT],
    pub visibility: [f64; LANDMARK_COUNT],
}

impl Default for Body {
    fn default() -> Self {
        Body {
            points: [p3(0.0, 0.0, 0.0); LANDMARK_COUNT],
            visibility: [0.99; LANDMARK_COUNT],
        }
    }
}

impl Body {
    pub fn set(&mut self, i: LandmarkIndex, p: P3) {
        self.points[i.index()] = p;
    }

    pub fn get(&self, i: LandmarkIndex) -> P3 {
        self.points[i.index()]
    }

    /// Head, face and arms placed above and beside the shoulders (formcheck does not use them,
    /// but a pose always has them).
    pub fn fill_upper(&mut self) {
        use LandmarkIndex::*;
        let ls = self.get(LeftShoulder);
        let rs = self.get(RightShoulder);
        let mid = p3(
            (ls.x + rs.x) / 2.0,
            (ls.y + rs.y) / 2.0,
            (ls.z + rs.z) / 2.0,
        );
        let hips = self.hip_mid();
        // The head continues the trunk beyond the shoulders.
        let up = mid - hips;
        let n = (up.x * up.x + up.y * up.y + up.z * up.z).sqrt().max(1e-9);
        let head = mid + p3(up.x / n * 0.2, up.y / n * 0.2, up.z / n * 0.2);
        // The face: every landmark from the nose up to the mouth.
        for &i in &LandmarkIndex::ALL[..=MouthRight.index()] {
            self.set(i, head);
        }
        for (i, s) in [
            (LeftElbow, ls),
            (LeftWrist, ls),
            (LeftPinky, ls),
            (LeftIndex, ls),
            (LeftThumb, ls),
            (RightElbow, rs),
            (RightWrist, rs),
            (RightPinky, rs),
            (RightIndex, rs),
            (RightThumb, rs),
        ] {
            self.set(i, s + p3(0.0, 0.25, -0.05));
        }
    }

    /// Turns the whole body about the vertical through the hip midpoint (the subject standing
    /// at an angle to the camera).
    pub fn turn(&mut self, yaw_deg: f64) {
        let (sin, cos) = yaw_deg.to_radians().sin_cos();
        let c = self.hip_mid();
        for p in self.points.iter_mut() {
            let (x, z) = (p.x - c.x, p.z - c.z);
            p.x = c.x + cos * x + sin * z;
            p.z = c.z - sin * x + cos * z;
        }
    }

    pub fn hip_mid(&self) -> P3 {
        let l = self.get(LandmarkIndex::LeftHip);
        let r = self.get(LandmarkIndex::RightHip);
        p3((l.x + r.x) / 2.0, (l.y + r.y) / 2.0, (l.z + r.z) / 2.0)
    }

    /// The frame a camera sees: image = orthographic projection (x, y) in pixels around the
    /// image centre, `image_of` maps world → pixels; world landmarks hip-centred.
    pub fn frame_with(&self, index: u64, image_of: impl Fn(P3) -> (f64, f64)) -> PoseFrame {
        self.frame_seen(index, image_of, |p| p)
    }

    /// As [`Body::frame_with`], with the world landmarks turned into the camera's axes (as
    /// MediaPipe's are: x across the image, z along the camera's line of sight).
    pub fn frame_seen(
        &self,
        index: u64,
        image_of: impl Fn(P3) -> (f64, f64),
        camera_axes: impl Fn(P3) -> P3,
    ) -> PoseFrame {
        let hips = self.hip_mid();
        let mut landmarks = [None; LANDMARK_COUNT];
        let mut world = [WorldLandmark::default(); LANDMARK_COUNT];
        for i in 0..LANDMARK_COUNT {
            let p = self.points[i];
            let (x, y) = image_of(p);
            landmarks[i] = Some(Landmark {
                x,
                y,
                z: p.z,
                visibility: self.visibility[i],
                presence: 1.0,
            });
            let w = camera_axes(p - hips);
            world[i] = WorldLandmark {
                x: w.x,
                y: w.y,
                z: w.z,
                visibility: self.visibility[i],
            };
        }
        PoseFrame {
            camera: Default::default(),
            index,
            time_s: index as f64 / FPS,
            image_width: WIDTH,
            image_height: HEIGHT,
            pose: Some(Pose {
                landmarks,
                world: Some(world),
            }),
        }
    }

    /// Seen from the front: the subject's left on the image's right.
    pub fn frontal(&self, index: u64) -> PoseFrame {
        self.frame_with(index, |p| {
            (
                f64::from(WIDTH) / 2.0 + SCALE * p.x,
                f64::from(HEIGHT) * 0.85 + SCALE * p.y,
            )
        })
    }

    /// Seen from the subject's right side: forward (−z) is image right.
    pub fn side(&self, index: u64) -> PoseFrame {
        self.frame_seen(
            index,
            |p| {
                (
                    f64::from(WIDTH) / 2.0 - SCALE * p.z,
                    f64::from(HEIGHT) * 0.85 + SCALE * p.y,
                )
            },
            |p| p3(-p.z, p.y, p.x),
        )
    }
}

/// A leg built from its ankle: image-plane (x, y) projected thigh and shank lengths, the FPPA
/// (+ valgus), and `medial` = +1 when the body midline is towards +x. The hip lands straight
/// above the ankle; depths make the 3-D lengths `THIGH` and `SHANK`; the shank leans forward
/// (towards the camera), the thigh back.
#[derive(Debug, Clone, Copy)]
pub struct LegPose {
    pub hip: P3,
    pub knee: P3,
    pub ankle: P3,
    pub heel: P3,
    pub toe: P3,
}

pub fn leg_from_ankle(
    ankle: P3,
    thigh_proj: f64,
    shank_proj: f64,
    fppa_deg: f64,
    medial: f64,
) -> LegPose {
    let (lt, ls) = (THIGH * thigh_proj, SHANK * shank_proj);
    let psi = fppa_deg.to_radians();
    let d = (lt * lt + ls * ls + 2.0 * lt * ls * psi.cos()).sqrt();
    let theta = (ls * psi.sin() / d).asin();
    let dt = (THIGH * THIGH - lt * lt).max(0.0).sqrt();
    let ds = (SHANK * SHANK - ls * ls).max(0.0).sqrt();
    let knee_z = ankle.z - ds;
    let hip = p3(ankle.x, ankle.y - d, knee_z + dt);
    let knee = p3(
        hip.x + medial * lt * theta.sin(),
        hip.y + lt * theta.cos(),
        knee_z,
    );
    LegPose {
        hip,
        knee,
        ankle,
        heel: p3(ankle.x, ankle.y + ANKLE_UP, ankle.z + HEEL_BACK),
        toe: p3(ankle.x, ankle.y + ANKLE_UP, ankle.z - TOE_FWD),
    }
}

/// Knee-over-toe the construction gives (knee ahead of the toe along heel→toe, foot lengths).
pub fn expected_knee_over_toe(shank_proj: f64) -> f64 {
    let ls = SHANK * shank_proj;
    let ds = (SHANK * SHANK - ls * ls).max(0.0).sqrt();
    (ds - TOE_FWD) / (TOE_FWD + HEEL_BACK)
}

pub fn put_leg(body: &mut Body, left: bool, leg: &LegPose) {
    use LandmarkIndex::*;
    let (h, k, a, e, t) = if left {
        (LeftHip, LeftKnee, LeftAnkle, LeftHeel, LeftFootIndex)
    } else {
        (RightHip, RightKnee, RightAnkle, RightHeel, RightFootIndex)
    };
    body.set(h, leg.hip);
    body.set(k, leg.knee);
    body.set(a, leg.ankle);
    body.set(e, leg.heel);
    body.set(t, leg.toe);
}

/// Both legs hip-width apart, their ankles `up` metres above standing height, bent alike
/// (image-plane thigh and shank projections) and each caving `fppa_deg` towards the midline.
pub fn put_both_legs(body: &mut Body, up: f64, thigh: f64, shank: f64, fppa_deg: f64) {
    for (left, x, medial) in [
        (true, HIP_WIDTH / 2.0, -1.0),
        (false, -HIP_WIDTH / 2.0, 1.0),
    ] {
        let ankle = p3(x, -ANKLE_UP - up, 0.0);
        put_leg(
            body,
            left,
            &leg_from_ankle(ankle, thigh, shank, fppa_deg, medial),
        );
    }
}

/// Shoulders above the hip midpoint, trunk leaning forward (towards the camera) by `lean_deg`.
pub fn put_trunk(body: &mut Body, lean_deg: f64) {
    use LandmarkIndex::*;
    let hips = body.hip_mid();
    let lean = lean_deg.to_radians();
    let mid = hips + p3(0.0, -TORSO * lean.cos(), -TORSO * lean.sin());
    body.set(LeftShoulder, mid + p3(SHOULDER_WIDTH / 2.0, 0.0, 0.0));
    body.set(RightShoulder, mid + p3(-SHOULDER_WIDTH / 2.0, 0.0, 0.0));
    body.fill_upper();
}

/// How far a planned knee collapse has gone at movement phase `p`: it builds over the first quarter
/// of the descent and holds, so the angle asked for is there when formcheck reads FPPA (at the
/// deepest frame of the descent it can measure, before the thigh points at the camera).
pub fn valgus_ramp(p: f64) -> f64 {
    (4.0 * p).clamp(0.0, 1.0)
}

/// Movement phase 0 → 1 → 0 with a cosine profile (smooth start and end).
pub fn ease(u: f64) -> f64 {
    (1.0 - (std::f64::consts::PI * u.clamp(0.0, 1.0)).cos()) / 2.0
}

/// One planned rep: starts at `start` (frame), `down` frames to the turning point, optionally
/// `hold` frames there, `up` frames back.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    pub start: u64,
    pub down: u64,
    pub hold: u64,
    pub up: u64,
}

impl Plan {
    pub fn bottom(&self) -> u64 {
        self.start + self.down
    }
    pub fn end(&self) -> u64 {
        self.start + self.down + self.hold + self.up
    }
}

/// A plan's phase at frame f: the half-cosine down over `down` frames, hold, half-cosine up.
pub fn phase_of(plans: &[Plan], f: u64) -> (f64, Option<usize>) {
    for (i, p) in plans.iter().enumerate() {
        if f >= p.start && f <= p.end() {
            let k = f - p.start;
            let v = if k <= p.down {
                ease(k as f64 / p.down as f64)
            } else if k <= p.down + p.hold {
                1.0
            } else {
                1.0 - ease((k - p.down - p.hold) as f64 / p.up as f64)
            };
            return (v, Some(i));
        }
    }
    (0.0, None)
}

/// One planned lunge: the front leg, its knee's FPPA at the bottom and its shank's projection.
pub struct LungeRep {
    pub plan: Plan,
    pub front_left: bool,
    pub fppa: f64,
    pub shank: f64,
}

/// The lunge seen from the front, or from the subject's right side.
pub fn lunge_frames_seen(reps: &[LungeRep], total: u64, from_side: bool) -> Vec<PoseFrame> {
    let plans: Vec<Plan> = reps.iter().map(|r| r.plan).collect();
    // Between reps the feet stay where the nearest rep put them.
    let stance_at = |f: u64| -> &LungeRep {
        reps.iter()
            .rev()
            .find(|r| r.plan.start <= f)
            .unwrap_or(&reps[0])
    };
    (0..total)
        .map(|f| {
            let (p, i) = phase_of(&plans, f);
            let r = i.map_or(stance_at(f), |i| &reps[i]);
            let (fppa, thigh, shank) = (
                r.fppa * valgus_ramp(p),
                1.0 - 0.28 * p,
                1.0 - (1.0 - r.shank) * p,
            );
            let side = if r.front_left { 1.0 } else { -1.0 };
            let front = leg_from_ankle(
                p3(side * HIP_WIDTH / 2.0, -ANKLE_UP, -0.30),
                thigh,
                shank,
                fppa,
                -side,
            );
            let rear_hip = front.hip + p3(-side * HIP_WIDTH, 0.0, 0.0);
            let rear_ankle = p3(-side * HIP_WIDTH / 2.0, -ANKLE_UP, 0.45);
            // Rear thigh nearly vertical under the hip, the rear knee sinking towards the floor.
            let rear_knee = p3(rear_ankle.x, rear_hip.y + 0.95 * THIGH, 0.40);
            let rear = LegPose {
                hip: rear_hip,
                knee: rear_knee,
                ankle: rear_ankle,
                heel: rear_ankle + p3(0.0, 0.0, HEEL_BACK),
                toe: rear_ankle + p3(0.0, ANKLE_UP, -TOE_FWD),
            };
            let mut body = Body::default();
            put_leg(&mut body, r.front_left, &front);
            put_leg(&mut body, !r.front_left, &rear);
            put_trunk(&mut body, 5.0 * p);
            if from_side {
                body.side(f)
            } else {
                body.frontal(f)
            }
        })
        .collect()
}
