//! The truth model behind formcheck's error bounds: a 3-D leg with a known knee bend, a known
//! frontal-plane (valgus/varus) angle and a hip rotation, seen by a pinhole camera turned, raised
//! and moved back. For each camera turn and knee bend it takes the worst gap between what the
//! camera shows and the truth, over every valgus angle, camera height and distance, hip rotation,
//! leg and direction of turn:
//! - FPPA against the knee's true frontal-plane angle;
//! - the knee/ankle width ratio against the same ratio seen square on, without perspective.
//!
//! `src/geometry/bounds.rs` holds both tables; this test rebuilds them and fails when they
//! differ, so a bound moved by hand fails here. `cargo test --test view_error -- --nocapture`
//! prints them (the README shows them).

use formcheck::geometry::bounds::{
    BEND_STEPS_DEG, FPPA_VIEW_ERROR_DEG, KNEE_ANKLE_VIEW_ERROR, KNEE_FOOT_MEAN_VIEW_ERROR,
    KNEE_FOOT_VIEW_ERROR, KNEE_OVER_TOE_VIEW_ERROR, TURN_STEPS_DEG,
};
use formcheck::geometry::knee_foot_reading;
use nalgebra::{Rotation3, Vector2, Vector3};

type V3 = Vector3<f64>;

const THIGH_M: f64 = 0.45;
const SHANK_M: f64 = 0.42;
const HIP_WIDTH_M: f64 = 0.20;
/// The ankle's height above the floor.
const ANKLE_UP_M: f64 = 0.08;
/// The foot, from the ankle: the heel this far behind it, the toe (BlazePose's foot index) this
/// far ahead, both on the floor (Winter's proportions for a 1.75 m person: foot 0.27 m).
const HEEL_BACK_M: f64 = 0.06;
const TOE_FWD_M: f64 = 0.20;
/// Feet turned out from straight ahead, degrees.
const FOOT_TURN_OUT_DEG: [f64; 3] = [0.0, 10.0, 20.0];

/// Where the camera points: a person filming aims at the middle of the body's lower half.
const AIM_HEIGHT_M: f64 = 0.6;

/// The sweep (issue 31): true valgus −10° to +20°, camera 0.3–1.5 m high and 2–4 m away, the
/// hip turned in or out by up to 15°.
const VALGUS_DEG: [f64; 7] = [-10.0, -5.0, 0.0, 5.0, 10.0, 15.0, 20.0];
const CAMERA_HEIGHT_M: [f64; 5] = [0.3, 0.6, 0.9, 1.2, 1.5];
const CAMERA_DISTANCE_M: [f64; 3] = [2.0, 3.0, 4.0];
const HIP_ROTATION_DEG: [f64; 3] = [-15.0, 0.0, 15.0];
/// The camera's roll about its optical axis: a phone stood or held level by eye (formcheck rule:
/// within 3°). FPPA and the knee/ankle ratio do not depend on it; knee over the foot, read
/// against the picture's vertical, does.
const CAMERA_ROLL_DEG: [f64; 3] = [-3.0, 0.0, 3.0];

/// One leg in the body's frame: x to the subject's left, y up, z forward; the ankle on the
/// floor under the hip. `bend` is the knee's flexion, shared equally by a forward-leaning thigh
/// and a backward-leaning shank (a squat); `valgus` tilts both in the frontal plane so the knee
/// moves towards the midline; `rotation` turns the leg about the vertical through its ankle
/// (positive: the knee points inwards).
struct Leg {
    hip: V3,
    knee: V3,
    ankle: V3,
}

fn leg(side: f64, bend_deg: f64, valgus_deg: f64, rotation_deg: f64) -> Leg {
    let half_bend = (bend_deg / 2.0).to_radians().tan();
    let half_valgus = (valgus_deg / 2.0).to_radians().tan();
    // `side` is +1 for the left leg (at +x), −1 for the right: medial is towards −side·x.
    let medial = -side;
    let shank_up = V3::new(medial * half_valgus, 1.0, half_bend).normalize();
    let thigh_up = V3::new(-medial * half_valgus, 1.0, -half_bend).normalize();
    let ankle = V3::new(side * HIP_WIDTH_M / 2.0, ANKLE_UP_M, 0.0);
    let knee = ankle + shank_up * SHANK_M;
    let hip = knee + thigh_up * THIGH_M;
    let turn = Rotation3::from_axis_angle(&V3::y_axis(), side * rotation_deg.to_radians());
    Leg {
        hip: ankle + turn * (hip - ankle),
        knee: ankle + turn * (knee - ankle),
        ankle,
    }
}

/// A pinhole camera `distance` in front of the body (turned `turn` about the vertical), at
/// `height`, looking at the body's lower half.
struct Camera {
    position: V3,
    to_camera: Rotation3<f64>,
}

impl Camera {
    fn rolled(turn_deg: f64, height: f64, distance: f64, roll_deg: f64) -> Camera {
        let level = Camera::new(turn_deg, height, distance);
        let roll = Rotation3::from_axis_angle(&V3::z_axis(), roll_deg.to_radians());
        Camera {
            position: level.position,
            to_camera: roll * level.to_camera,
        }
    }

    fn new(turn_deg: f64, height: f64, distance: f64) -> Camera {
        let heading = turn_deg.to_radians();
        let position = V3::new(distance * heading.sin(), height, distance * heading.cos());
        let aim = V3::new(0.0, AIM_HEIGHT_M, 0.0);
        let forward = (aim - position).normalize();
        let right = forward.cross(&V3::y()).normalize();
        let down = forward.cross(&right);
        let to_camera = Rotation3::from_matrix_unchecked(nalgebra::Matrix3::from_rows(&[
            right.transpose(),
            down.transpose(),
            forward.transpose(),
        ]));
        Camera {
            position,
            to_camera,
        }
    }

    /// Image coordinates (x right, y down) at a focal length of 1.
    fn project(&self, p: V3) -> Vector2<f64> {
        let c = self.to_camera * (p - self.position);
        Vector2::new(c.x / c.z, c.y / c.z)
    }
}

fn cross(a: Vector2<f64>, b: Vector2<f64>) -> f64 {
    a.x * b.y - a.y * b.x
}

/// FPPA as formcheck reads it from an image: the angle between thigh and shank, positive when
/// the knee lies on the midline's side of the hip–ankle line.
fn fppa(hip: Vector2<f64>, knee: Vector2<f64>, ankle: Vector2<f64>, mid: Vector2<f64>) -> f64 {
    let thigh = knee - hip;
    let shank = ankle - knee;
    let angle = (thigh.dot(&shank) / (thigh.norm() * shank.norm()))
        .clamp(-1.0, 1.0)
        .acos()
        .to_degrees();
    let line = ankle - hip;
    let side = cross(line, knee - hip) * cross(line, mid - hip);
    angle * side.signum()
}

/// The knee's true frontal-plane angle: the leg seen square from the front, without perspective.
fn frontal_angle(l: &Leg, mid: V3) -> f64 {
    let flat = |p: V3| Vector2::new(p.x, -p.y);
    fppa(flat(l.hip), flat(l.knee), flat(l.ankle), flat(mid))
}

/// Knee separation over ankle separation along the hip line, as formcheck reads it.
fn knee_ankle_ratio(
    hips: [Vector2<f64>; 2],
    knees: [Vector2<f64>; 2],
    ankles: [Vector2<f64>; 2],
) -> f64 {
    let axis = (hips[0] - hips[1]).normalize();
    (knees[0] - knees[1]).dot(&axis) / (ankles[0] - ankles[1]).dot(&axis)
}

/// Knee over the foot as formcheck reads it (`formcheck::geometry::knee_foot_reading`), over
/// `leg_len`, the straight leg's hip–ankle length in the same picture.
fn knee_foot_offset(
    hip: Vector2<f64>,
    other_hip: Vector2<f64>,
    knee: Vector2<f64>,
    ankle: Vector2<f64>,
    leg_len: f64,
) -> f64 {
    knee_foot_reading(hip, knee, ankle, (other_hip.x - hip.x).signum(), leg_len)
}

/// Worst gaps at one camera turn and knee bend.
#[derive(Default)]
struct Worst {
    fppa_deg: f64,
    knee_ankle_ratio: f64,
    knee_foot: f64,
    knee_foot_mean: f64,
}

fn worst_errors(turn_deg: f64, bend_deg: f64) -> Worst {
    let mut worst = Worst::default();
    let flat = |p: V3| Vector2::new(p.x, -p.y);
    let standing = [leg(1.0, 0.0, 0.0, 0.0), leg(-1.0, 0.0, 0.0, 0.0)];
    for valgus in VALGUS_DEG {
        for rotation in HIP_ROTATION_DEG {
            let legs = [
                leg(1.0, bend_deg, valgus, rotation),
                leg(-1.0, bend_deg, valgus, rotation),
            ];
            let mid = (legs[0].hip + legs[1].hip) / 2.0;
            let ratio_true = knee_ankle_ratio(
                [flat(legs[0].hip), flat(legs[1].hip)],
                [flat(legs[0].knee), flat(legs[1].knee)],
                [flat(legs[0].ankle), flat(legs[1].ankle)],
            );
            let foot_true = [0, 1].map(|i| {
                let l = &legs[i];
                knee_foot_offset(
                    flat(l.hip),
                    flat(legs[1 - i].hip),
                    flat(l.knee),
                    flat(l.ankle),
                    THIGH_M + SHANK_M,
                )
            });
            for height in CAMERA_HEIGHT_M {
                for distance in CAMERA_DISTANCE_M {
                    for roll in CAMERA_ROLL_DEG {
                        for sign in [1.0, -1.0] {
                            let camera = Camera::rolled(sign * turn_deg, height, distance, roll);
                            let seen = |pick: fn(&Leg) -> V3| {
                                [
                                    camera.project(pick(&legs[0])),
                                    camera.project(pick(&legs[1])),
                                ]
                            };
                            let (hips, knees, ankles) =
                                (seen(|l| l.hip), seen(|l| l.knee), seen(|l| l.ankle));
                            let ratio = knee_ankle_ratio(hips, knees, ankles);
                            worst.knee_ankle_ratio =
                                worst.knee_ankle_ratio.max((ratio - ratio_true).abs());
                            let foot = [0, 1].map(|i| {
                                let s = &standing[i];
                                let leg_len =
                                    (camera.project(s.hip) - camera.project(s.ankle)).norm();
                                knee_foot_offset(hips[i], hips[1 - i], knees[i], ankles[i], leg_len)
                            });
                            for i in 0..2 {
                                worst.knee_foot =
                                    worst.knee_foot.max((foot[i] - foot_true[i]).abs());
                            }
                            let mean_error =
                                (foot[0] + foot[1] - foot_true[0] - foot_true[1]) / 2.0;
                            worst.knee_foot_mean = worst.knee_foot_mean.max(mean_error.abs());
                            for l in &legs {
                                let seen = fppa(
                                    camera.project(l.hip),
                                    camera.project(l.knee),
                                    camera.project(l.ankle),
                                    camera.project(mid),
                                );
                                worst.fppa_deg =
                                    worst.fppa_deg.max((seen - frontal_angle(l, mid)).abs());
                            }
                        }
                    }
                }
            }
        }
    }
    worst
}

/// The heel and toe of a leg's foot on the floor, turned out `turn_out_deg` (the toe towards
/// the leg's own side).
fn foot(side: f64, turn_out_deg: f64) -> (V3, V3) {
    let ankle = V3::new(side * HIP_WIDTH_M / 2.0, ANKLE_UP_M, 0.0);
    let out = turn_out_deg.to_radians();
    let along = V3::new(side * out.sin(), 0.0, out.cos());
    let floor = V3::new(ankle.x, 0.0, 0.0);
    (floor - along * HEEL_BACK_M, floor + along * TOE_FWD_M)
}

/// Knee over toe as formcheck reads it from a side view: the knee ahead of the toe in the
/// picture, in the direction heel→toe points there, over the foot's length in the same picture.
fn knee_over_toe_seen(knee: Vector2<f64>, heel: Vector2<f64>, toe: Vector2<f64>) -> f64 {
    let along = toe.x - heel.x;
    (knee.x - toe.x) * along.signum() / along.abs()
}

/// The worst gap between knee over toe seen from a camera `off_side_deg` from side-on and the
/// truth (the knee ahead of the toe in the body's forward direction, over the foot's length), at
/// one knee bend.
fn knee_over_toe_worst(off_side_deg: f64, bend_deg: f64) -> f64 {
    let mut worst: f64 = 0.0;
    for valgus in VALGUS_DEG {
        for rotation in HIP_ROTATION_DEG {
            for turn_out in FOOT_TURN_OUT_DEG {
                for side in [1.0, -1.0] {
                    let l = leg(side, bend_deg, valgus, rotation);
                    let (heel, toe) = foot(side, turn_out);
                    // How far the knee is ahead of the toe in the body's forward direction.
                    let truth = (l.knee.z - toe.z) / (toe - heel).norm();
                    for height in CAMERA_HEIGHT_M {
                        for distance in CAMERA_DISTANCE_M {
                            for roll in CAMERA_ROLL_DEG {
                                for facing in [1.0, -1.0] {
                                    let turn = facing * (90.0 - off_side_deg);
                                    let camera = Camera::rolled(turn, height, distance, roll);
                                    let seen = knee_over_toe_seen(
                                        camera.project(l.knee),
                                        camera.project(heel),
                                        camera.project(toe),
                                    );
                                    worst = worst.max((seen - truth).abs());
                                }
                            }
                        }
                    }
                }
            }
        }
    }
    worst
}

/// The tables as `src/geometry/bounds.rs` should hold them, each worst error rounded up: FPPA
/// to 0.1°, the knee/ankle ratio and knee over the foot to 0.01 (per leg and the two legs'
/// mean).
struct Tables {
    fppa_deg: Vec<Vec<f64>>,
    knee_ankle_ratio: Vec<Vec<f64>>,
    knee_foot: Vec<Vec<f64>>,
    knee_foot_mean: Vec<Vec<f64>>,
    /// Knee over toe by the camera's turn from side-on (rows), in foot lengths, to 0.01.
    knee_over_toe: Vec<Vec<f64>>,
}

fn sweep() -> Tables {
    let up = |v: f64, per: f64| (v * per).ceil() / per;
    let mut t = Tables {
        fppa_deg: Vec::new(),
        knee_ankle_ratio: Vec::new(),
        knee_foot: Vec::new(),
        knee_foot_mean: Vec::new(),
        knee_over_toe: Vec::new(),
    };
    for &turn in &TURN_STEPS_DEG {
        let cells: Vec<Worst> = BEND_STEPS_DEG
            .iter()
            .map(|&bend| worst_errors(turn, bend))
            .collect();
        t.fppa_deg
            .push(cells.iter().map(|w| up(w.fppa_deg, 10.0)).collect());
        t.knee_ankle_ratio.push(
            cells
                .iter()
                .map(|w| up(w.knee_ankle_ratio, 100.0))
                .collect(),
        );
        t.knee_foot
            .push(cells.iter().map(|w| up(w.knee_foot, 100.0)).collect());
        t.knee_foot_mean
            .push(cells.iter().map(|w| up(w.knee_foot_mean, 100.0)).collect());
        t.knee_over_toe.push(
            BEND_STEPS_DEG
                .iter()
                .map(|&bend| up(knee_over_toe_worst(turn, bend), 100.0))
                .collect(),
        );
    }
    t
}

fn print_table(title: &str, table: &[Vec<f64>], decimals: usize) {
    let mut text = format!("{title}\n| turn \\ knee bend |");
    for bend in BEND_STEPS_DEG {
        text.push_str(&format!(" {bend:.0}° |"));
    }
    text.push('\n');
    for (row, turn) in table.iter().zip(TURN_STEPS_DEG) {
        text.push_str(&format!("| {turn:.0}° |"));
        for v in row {
            text.push_str(&format!(" {v:.decimals$} |"));
        }
        text.push('\n');
    }
    println!("{text}as Rust:");
    for row in table {
        let cells: Vec<String> = row.iter().map(|v| format!("{v:.decimals$}")).collect();
        println!("    [{}],", cells.join(", "));
    }
}

fn assert_held(name: &str, held: &[[f64; 13]; 13], table: &[Vec<f64>], tolerance: f64) {
    for (i, row) in table.iter().enumerate() {
        for (j, v) in row.iter().enumerate() {
            assert!(
                (held[i][j] - v).abs() < tolerance,
                "bounds.rs holds {name} {} at turn {}°, bend {}°; the truth model gives {v}",
                held[i][j],
                TURN_STEPS_DEG[i],
                BEND_STEPS_DEG[j]
            );
        }
    }
}

#[test]
fn the_view_error_tables_are_the_truth_models() {
    let t = sweep();
    print_table("FPPA, worst error in degrees", &t.fppa_deg, 1);
    print_table(
        "knee/ankle width ratio, worst error",
        &t.knee_ankle_ratio,
        2,
    );
    print_table(
        "knee over the foot, one leg, worst error in leg lengths",
        &t.knee_foot,
        2,
    );
    print_table(
        "knee over the foot, both legs' mean, worst error in leg lengths",
        &t.knee_foot_mean,
        2,
    );
    print_table(
        "knee over toe, by the camera's turn from side-on, worst error in foot lengths",
        &t.knee_over_toe,
        2,
    );
    assert_held(
        "KNEE_OVER_TOE_VIEW_ERROR",
        &KNEE_OVER_TOE_VIEW_ERROR,
        &t.knee_over_toe,
        0.005,
    );
    assert_held(
        "FPPA_VIEW_ERROR_DEG",
        &FPPA_VIEW_ERROR_DEG,
        &t.fppa_deg,
        0.05,
    );
    assert_held(
        "KNEE_ANKLE_VIEW_ERROR",
        &KNEE_ANKLE_VIEW_ERROR,
        &t.knee_ankle_ratio,
        0.005,
    );
    assert_held(
        "KNEE_FOOT_VIEW_ERROR",
        &KNEE_FOOT_VIEW_ERROR,
        &t.knee_foot,
        0.005,
    );
    assert_held(
        "KNEE_FOOT_MEAN_VIEW_ERROR",
        &KNEE_FOOT_MEAN_VIEW_ERROR,
        &t.knee_foot_mean,
        0.005,
    );
}

#[test]
fn the_model_is_what_it_says() {
    // Square on, a straight leg: the image shows the frontal-plane angle (perspective aside).
    let l = leg(1.0, 0.0, 10.0, 0.0);
    let mid = V3::new(0.0, l.hip.y, 0.0);
    assert!((frontal_angle(&l, mid) - 10.0).abs() < 1e-9);
    // The knee bends as asked, and the segments keep their lengths.
    let l = leg(-1.0, 60.0, 0.0, 0.0);
    let bend = (l.knee - l.hip).angle(&(l.ankle - l.knee)).to_degrees();
    assert!((bend - 60.0).abs() < 1e-9, "{bend}");
    assert!(((l.knee - l.hip).norm() - THIGH_M).abs() < 1e-12);
    // The rule of thumb, 2·atan(sin ψ · tan(θ/2)), at 25° and 60°: 27.4° with the camera
    // at the knee's height, far away.
    let camera = Camera::new(25.0, l.knee.y, 1000.0);
    let mid = V3::new(0.0, l.hip.y, 0.0);
    let seen = fppa(
        camera.project(l.hip),
        camera.project(l.knee),
        camera.project(l.ankle),
        camera.project(mid),
    )
    .abs();
    assert!((seen - 27.4).abs() < 0.3, "{seen}");
}
