//! What the overlay shows, as plain values: the skeleton's working leg, each leg's numbers
//! (with their error bounds), the count, the cue banner and the performance corner, and
//! [`readouts`], which turns one frame's measures into those numbers. No OpenCV: the live coach
//! builds an [`Overlay`] and tests read it; `draw` paints it.

use crate::exercise::Exercise;
use crate::geometry::{FrameMeasures, LegMeasures, Source};
use crate::judge::{Flag, Measure};
use crate::landmarks::Pose;

/// The overlay's legs are the subject's anatomical ones.
pub use crate::geometry::Leg;

/// One number shown on the overlay, and whether it is past its threshold (drawn in red).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Reading {
    pub value: f64,
    pub alert: bool,
    /// ± this much (`geometry::bounds`), shown beside the value where known.
    pub bound: Option<f64>,
}

/// One named number on the overlay; `None` is shown as "--" (not measurable this frame).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Item {
    pub label: &'static str,
    pub reading: Option<Reading>,
    pub unit: &'static str,
}

/// What is shown for one leg: the leg measures the exercise judges or shows (none: no line).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LegReadout {
    pub items: Vec<Item>,
}

/// The overlay's numbers for an exercise: per leg, and for the whole body.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Readouts {
    pub left: LegReadout,
    pub right: LegReadout,
    pub body: Vec<Item>,
}

/// The numbers an exercise judges or shows, from one frame's measures, red where `faults` (of
/// the rep under way) concern them: FPPA and knee over toe for the standing exercises, hip
/// extension and pelvis for the bridge, the body line for the side plank. A 3-D estimate is not
/// shown as a number.
pub fn readouts(exercise: &dyn Exercise, m: Option<&FrameMeasures>, faults: &[&Flag]) -> Readouts {
    let Some(m) = m else {
        return Readouts::default();
    };
    let has = |x: Measure| exercise.shows(x);
    let leg = |l: &LegMeasures| {
        let mut items = Vec::new();
        if has(Measure::Fppa) {
            let alert = faults.iter().any(|f| {
                matches!(f, Flag::Valgus { leg, .. } if *leg == l.leg)
                    || matches!(f, Flag::KneesInsideAnkles { .. })
            });
            // This frame's bound: its own camera turn and knee bend (the rep's verdict uses the
            // rep's turn and the bend FPPA was read at).
            let bound = m.turn_deg.get().and_then(|turn| {
                crate::geometry::bounds::fppa_bound_deg(
                    turn,
                    l.knee_flexion_deg.get().map(|s| s.value),
                    crate::judge::FPPA_MAX_KNEE_FLEXION_DEG,
                )
            });
            items.push(Item {
                label: "FPPA",
                reading: l.fppa_deg.get().map(|value| Reading {
                    value,
                    alert,
                    bound,
                }),
                unit: " deg",
            });
        }
        if has(Measure::KneeOverToe) {
            let alert = faults
                .iter()
                .any(|f| matches!(f, Flag::KneePastToe { leg, .. } if *leg == l.leg));
            // This frame's bound, as for FPPA: its own turn and knee bend.
            let bound = m.turn_deg.get().and_then(|turn| {
                crate::geometry::bounds::knee_over_toe_bound(
                    turn,
                    l.knee_flexion_deg.get().map(|s| s.value),
                )
            });
            items.push(Item {
                label: "KOT",
                reading: l.knee_over_toe.get().map(|s| Reading {
                    value: s.value * 100.0,
                    alert,
                    bound: bound.map(|b| b * 100.0),
                }),
                unit: "%",
            });
        }
        if has(Measure::KneeFlexion) {
            let alert = faults
                .iter()
                .any(|f| matches!(f, Flag::StiffLanding { leg, .. } if *leg == l.leg));
            items.push(Item {
                label: "BEND",
                reading: l
                    .knee_flexion_deg
                    .get()
                    .filter(|s| s.source == Source::Image)
                    .map(|s| Reading {
                        value: s.value,
                        alert,
                        bound: None,
                    }),
                unit: " deg",
            });
        }
        LegReadout { items }
    };
    let mut body = Vec::new();
    let fault = |pick: fn(&Flag) -> bool| faults.iter().any(|f| pick(f));
    if has(Measure::HipFlexion) {
        body.push(Item {
            label: "HIP",
            reading: m
                .hip_flexion_deg
                .get()
                .filter(|s| s.source == Source::Image)
                .map(|s| Reading {
                    value: s.value,
                    alert: fault(|f| matches!(f, Flag::HipLiftLow { .. })),
                    bound: None,
                }),
            unit: " deg",
        });
    }
    if has(Measure::PelvicDrop) {
        body.push(Item {
            label: "PELVIS",
            reading: m.pelvic_drop_deg.get().map(|value| Reading {
                value,
                alert: fault(|f| matches!(f, Flag::PelvicDrop { .. })),
                bound: None,
            }),
            unit: " deg",
        });
    }
    if has(Measure::BodyLine) {
        body.push(Item {
            label: "LINE",
            reading: m.body_line_deg.get().map(|value| Reading {
                value,
                alert: fault(|f| matches!(f, Flag::HipSag { .. })),
                bound: None,
            }),
            unit: " deg",
        });
    }
    Readouts {
        left: leg(&m.left),
        right: leg(&m.right),
        body,
    }
}

/// Rep and set count: the set 1-based; the rep is the one under way, or the number done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RepCount {
    pub reps: u32,
    pub set: u32,
    /// A guided set's target ("Rep 3/10").
    pub target: Option<u32>,
}

/// Why the banner is shown; chooses its colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CueKind {
    /// A form fault on the current rep (red).
    Fault,
    /// Something about the set-up: position, framing (amber).
    Setup,
    /// Good news or plain information (green).
    Info,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Banner<'a> {
    pub text: &'a str,
    pub kind: CueKind,
}

/// Frames per second and frame-to-cue latency, for the corner.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Perf {
    pub fps: f64,
    pub latency_ms: f64,
}

/// Everything the overlay shows; each part is optional so batch and live draw what they have.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Overlay<'a> {
    pub pose: Option<&'a Pose>,
    pub working_leg: Option<Leg>,
    pub left: LegReadout,
    pub right: LegReadout,
    /// Whole-body numbers (hip, pelvis, body line), one line.
    pub body: Vec<Item>,
    pub count: Option<RepCount>,
    pub banner: Option<Banner<'a>>,
    /// A short state word under the counter: "SETUP", "PAUSED", "RECONNECTING".
    pub status: Option<&'a str>,
    pub perf: Option<Perf>,
}
