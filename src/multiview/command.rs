//! The `triangulate` command: reads the calibration and each view's landmarks, runs the 3-D
//! stage and prints what each camera's 2-D knee angle is worth against the 3-D one.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;

use super::calibration::{load_calibration, CalibrationError};
use super::held::{hold, limit_deg, HeldCamera};
use super::sync::find_offset;
use super::validate::{validate, Validation, View};
use crate::geometry::measure_defaults::DEFAULT_MIN_VISIBILITY;
use crate::judge::Thresholds;
use crate::landmarks::{read_jsonl, LandmarkFileError};

/// Calibrated views to triangulate (`formcheck triangulate`).
#[derive(Debug, Clone)]
pub struct TriangulateSettings {
    pub calibration: PathBuf,
    /// (camera name in the calibration, landmarks file), two or more, names distinct.
    pub views: Vec<(String, PathBuf)>,
    /// The world's upward unit axis.
    pub up: nalgebra::Vector3<f64>,
    /// Find the views' frame offsets within ± this many frames, rather than pairing frames by
    /// index.
    pub sync: Option<i64>,
    pub csv: Option<PathBuf>,
    /// Each camera's bounded 2-D FPPA against the 3-D angle, frame by frame (`--json`).
    pub json: Option<PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum MultiviewError {
    #[error(transparent)]
    Calibration(#[from] CalibrationError),
    #[error("--view {name}: {source}")]
    Landmarks {
        name: String,
        source: LandmarkFileError,
    },
    #[error("--view {name}: calibration {calibration} has no camera {name} (it has {known})")]
    UnknownCamera {
        name: String,
        calibration: PathBuf,
        known: String,
    },
    #[error("--sync: cannot synchronise {name} with {reference}: {why}")]
    NoSync {
        name: String,
        reference: String,
        why: String,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// Views whose rays miss each other by more than this at their best offset (RMS, pixels) are
/// not two views of one moment (formcheck rule: the shared Pose2Sim trial's synchronised,
/// calibrated views meet within 9–15 px RMS).
const SYNC_MAX_RMS_PX: f64 = 30.0;
/// The best offset must fit this much better than the median offset searched (formcheck rule:
/// 1.6–3.0× for the shared trial's views over ±30 frames); views of different moments fit every
/// offset about alike.
const SYNC_MIN_CONTRAST: f64 = 1.3;

pub fn run(config: &TriangulateSettings) -> Result<(), MultiviewError> {
    let cameras = load_calibration(&config.calibration)?;
    let mut files = Vec::with_capacity(config.views.len());
    for (name, path) in &config.views {
        let camera = cameras
            .iter()
            .position(|c| c.name() == name)
            .ok_or_else(|| MultiviewError::UnknownCamera {
                name: name.clone(),
                calibration: config.calibration.clone(),
                known: cameras
                    .iter()
                    .map(|c| c.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            })?;
        let file = read_jsonl(path).map_err(|source| MultiviewError::Landmarks {
            name: name.clone(),
            source,
        })?;
        files.push((camera, file));
    }
    let mut views: Vec<View> = files
        .iter()
        .map(|(camera, file)| View {
            camera: *camera,
            frames: &file.frames,
            offset: 0,
        })
        .collect();
    let mut report = String::new();
    if let Some(search) = config.sync {
        let reference = views[0];
        let reference_name = &config.views[0].0;
        for (view, (name, _)) in views.iter_mut().zip(&config.views).skip(1) {
            let no_sync = |why: String| MultiviewError::NoSync {
                name: name.clone(),
                reference: reference_name.clone(),
                why,
            };
            let found = find_offset(&cameras, &reference, view, search, DEFAULT_MIN_VISIBILITY)
                .ok_or_else(|| {
                    no_sync(
                        "at no offset do their landmarks meet in front of both cameras: not the \
                         same recording, or the wrong camera named"
                            .into(),
                    )
                })?;
            if found.frames.abs() == search {
                return Err(no_sync(format!(
                    "the best offset is the edge of the search ({:+} frames, {:.2}× better than \
                     the median offset): give a wider --sync, or these are not the same recording",
                    found.frames, found.contrast
                )));
            }
            if found.rms_px > SYNC_MAX_RMS_PX || found.contrast < SYNC_MIN_CONTRAST {
                return Err(no_sync(format!(
                    "at the best offset ({:+} frames) their rays miss each other by {:.0} px RMS \
                     (limit {SYNC_MAX_RMS_PX:.0}), {:.2}× better than the median offset (at least \
                     {SYNC_MIN_CONTRAST:.1} wanted): not the same moment, or not the same recording",
                    found.frames, found.rms_px, found.contrast
                )));
            }
            let _ = writeln!(
                report,
                "{name}: offset {:+} frames against {reference_name} (RMS reprojection {:.1} px, \
                 {:.2}× better than the median offset{})",
                found.frames,
                found.rms_px,
                found.contrast,
                found.runner_up.map_or(String::new(), |(k, e)| format!(
                    "; next best {k:+} frames at {e:.1} px"
                )),
            );
            view.offset = found.frames;
        }
    }
    let v = validate(&cameras, &views, config.up, DEFAULT_MIN_VISIBILITY);
    if let Some(path) = &config.csv {
        write_csv(path, &v).map_err(|source| MultiviewError::Write {
            path: path.clone(),
            source,
        })?;
    }
    report.push_str(&table(&v));
    let held = hold(&v, &views, &Thresholds::default());
    report.push_str(&held_table(&held, limit_deg(&Thresholds::default())));
    if let Some(path) = &config.json {
        let doc = serde_json::json!({ "cameras": held });
        let write = serde_json::to_vec_pretty(&doc)
            .map_err(std::io::Error::other)
            .and_then(|bytes| std::fs::write(path, bytes));
        write.map_err(|source| MultiviewError::Write {
            path: path.clone(),
            source,
        })?;
    }
    // A reader that stopped early (`| head`) is no error.
    match std::io::stdout().lock().write_all(report.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(MultiviewError::Write {
            path: PathBuf::from("standard output"),
            source: e,
        }),
        _ => Ok(()),
    }
}

/// Per camera: its turn, how many leg-frames its own analysis would judge (bound under the
/// limit) and how many of those the bound covers (|2-D − 3-D| within it); then the same over
/// every leg-frame with a known bound, judged or not, with the median bound and error.
pub fn held_table(held: &[HeldCamera], limit_deg: f64) -> String {
    let mut s = format!(
        "\nEach camera's FPPA error bound held to the 3-D angle (judged: bound under the {limit_deg:.0}° limit):\n\n\
         | camera | turned | judged | covered, judged | covered, any bound | median bound | median 2-D − 3-D |\n\
         |---|---:|---:|---:|---:|---:|---:|\n"
    );
    let share = |n: usize, of: usize| {
        if of == 0 {
            "–".to_string()
        } else {
            format!("{n}/{of} ({:.0}%)", 100.0 * n as f64 / of as f64)
        }
    };
    for camera in held {
        let f = camera.figures();
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            camera.name,
            plain(camera.turn_deg, "°"),
            share(f.judged.count, f.leg_frames),
            share(f.judged.covered, f.judged.count),
            share(f.bounded.covered, f.bounded.count),
            plain(f.bounded.median_bound_deg, "°"),
            plain(f.bounded.median_error_deg, "°"),
        );
    }
    s
}

fn write_csv(path: &std::path::Path, v: &Validation) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(out, "frame,landmark,x,y,z")?;
    for (f, points) in v.points.iter().enumerate() {
        for (i, p) in points {
            writeln!(out, "{f},{},{},{},{}", i.name(), p.x, p.y, p.z)?;
        }
    }
    out.flush()
}

fn deg(v: Option<f64>) -> String {
    v.map_or("–".into(), |d| format!("{d:+.1}°"))
}

fn plain(v: Option<f64>, unit: &str) -> String {
    v.map_or("–".into(), |d| format!("{d:.1}{unit}"))
}

/// The figures as a Markdown table, one row a camera.
pub fn table(v: &Validation) -> String {
    let mut s = String::new();
    let names: Vec<&str> = v.cameras.iter().map(|c| c.name.as_str()).collect();
    let _ = writeln!(
        s,
        "{} frames from {} views ({}); hips, knees and ankles solved in 3-D on {}.",
        v.frames,
        names.len(),
        names.join(", "),
        v.frames_solved
    );
    let _ = writeln!(
        s,
        "Knee angle in the body's frontal plane, 3-D (median): left {}, right {}.",
        deg(v.fppa_3d_deg[0]),
        deg(v.fppa_3d_deg[1])
    );
    let kot = |k: Option<(f64, f64)>| {
        k.map_or("–".into(), |(median, most)| {
            format!(
                "{:+.0}% median, {:+.0}% at most",
                median * 100.0,
                most * 100.0
            )
        })
    };
    let _ = writeln!(
        s,
        "Knee over toe, 3-D (+ ahead of the toe, in foot lengths): left {}, right {}.\n",
        kot(v.knee_over_toe_3d[0]),
        kot(v.knee_over_toe_3d[1])
    );
    let _ = writeln!(
        s,
        "| camera | turned from the frontal plane | reprojection median / p95 | FPPA left, 2-D | \
         left: 2-D − 3-D | FPPA right, 2-D | right: 2-D − 3-D |"
    );
    let _ = writeln!(s, "|---|---:|---:|---:|---:|---:|---:|");
    for c in &v.cameras {
        let _ = writeln!(
            s,
            "| {} | {} | {} / {} | {} | {} | {} | {} |",
            c.name,
            plain(c.angle_to_frontal_deg, "°"),
            plain(c.reprojection_median_px, " px"),
            plain(c.reprojection_p95_px, " px"),
            deg(c.fppa_2d_deg[0]),
            plain(c.fppa_error_deg[0], "°"),
            deg(c.fppa_2d_deg[1]),
            plain(c.fppa_error_deg[1], "°"),
        );
    }
    s
}
