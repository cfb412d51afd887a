//! How far a rep's numbers can be trusted: how many of its frames saw the person, how many could
//! judge FPPA, the lowest landmark visibility and the view seen most. Computed when the rep
//! closes, from its frames, so batch and live report the same.

use serde::Serialize;

use crate::geometry::{FrameMeasures, Leg, View};

/// How far a rep's numbers can be trusted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Quality {
    /// Frames from start to end.
    pub frames: u64,
    /// Of those, frames with a person found.
    pub detected_frames: u64,
    /// Per judged leg: the share of the rep's frames whose FPPA could be judged.
    pub fppa_judged: Vec<LegShare>,
    /// Lowest landmark visibility of the judged legs over the rep.
    pub min_visibility: Option<f64>,
    /// The camera view seen most often during the rep.
    pub view: Option<View>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LegShare {
    pub leg: Leg,
    pub share: f64,
}

/// The quality of a rep judged on `legs`, from the measures of its frames `start..=end`.
pub fn rep_quality(legs: &[Leg], start: u64, end: u64, frames: &[FrameMeasures]) -> Quality {
    let in_rep: Vec<&FrameMeasures> = frames
        .iter()
        .filter(|f| f.frame >= start && f.frame <= end)
        .collect();
    let n = in_rep.len() as u64;
    let fppa_judged = legs
        .iter()
        .map(|&leg| {
            let judged = in_rep
                .iter()
                .filter(|f| f.leg(leg).fppa_deg.value().is_some())
                .count();
            LegShare {
                leg,
                share: if n == 0 {
                    0.0
                } else {
                    round3(judged as f64 / n as f64)
                },
            }
        })
        .collect();
    let min_visibility = in_rep
        .iter()
        .flat_map(|f| legs.iter().filter_map(|&leg| f.leg(leg).min_visibility))
        .fold(None, |lo: Option<f64>, v| {
            Some(lo.map_or(v, |lo| lo.min(v)))
        });
    let mut views: Vec<(View, u32)> = Vec::new();
    for view in in_rep.iter().filter_map(|f| f.view.get()) {
        match views.iter_mut().find(|(v, _)| *v == view) {
            Some((_, count)) => *count += 1,
            None => views.push((view, 1)),
        }
    }
    // Most frequent; on a tie the first seen, so the choice does not depend on hashing.
    let view = views
        .iter()
        .fold(None::<(View, u32)>, |best, &(v, c)| match best {
            Some((_, bc)) if bc >= c => best,
            _ => Some((v, c)),
        })
        .map(|(v, _)| v);
    Quality {
        frames: n,
        detected_frames: in_rep.iter().filter(|f| f.detected).count() as u64,
        fppa_judged,
        min_visibility,
        view,
    }
}

fn round3(v: f64) -> f64 {
    (v * 1000.0).round() / 1000.0
}
