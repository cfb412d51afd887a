//! The outputs of `analyze --front-view A --side-view B`: `pair.json`, the merged analysis in its own
//! versioned schema (`schemas/pair.schema.json`), and `pair.html`, the same for a person: how the
//! two videos were lined up, the verdict, and per rep each concern's verdict with the camera it
//! came from. Each view's own outputs (reps.json, report.html, …) sit in its own folder as usual.

use std::path::Path;

use base64::Engine;
use serde::Serialize;

use super::json::Notice;
use super::report::{escape, NOTICE_HTML, STYLE};
use super::{atomic, ExportError, Still};
use crate::exercise::Exercise;
use crate::judge::ConcernStatus;
use crate::multiview::pair::{camera_name, verdict, Camera, Pair, PairSync, PairedRep};

/// 1: the first pair document. 2: a concern may be `borderline`, with its `detail`.
pub const PAIR_SCHEMA_VERSION: u32 = 2;
pub const PAIR_JSON: &str = "pair.json";
pub const PAIR_HTML: &str = "pair.html";

/// One camera's source and what its analysis saw.
#[derive(Debug, Clone, Serialize)]
pub struct PairView {
    /// The video or landmark file, as given.
    pub source: String,
    /// Its own outputs' folder, when it was a video analysed now.
    pub outputs: Option<String>,
    /// Reps its own analysis found, complete or not.
    pub reps: usize,
    /// The view its camera saw most.
    pub view: Option<crate::geometry::View>,
}

#[derive(Serialize)]
struct PairFile<'a> {
    schema: &'static str,
    schema_version: u32,
    producer: String,
    notice: Notice,
    exercise: ExerciseInfo,
    front: &'a PairView,
    side: &'a PairView,
    /// Side time = front time + offset_s.
    sync: &'a PairSync,
    verdict: String,
    reps: &'a [PairedRep],
}

#[derive(Serialize)]
struct ExerciseInfo {
    name: &'static str,
    title: &'static str,
}

/// Everything the pair's outputs are made from.
pub struct PairResult<'a> {
    pub exercise: &'static dyn Exercise,
    pub front: &'a PairView,
    pub side: &'a PairView,
    pub pair: &'a Pair,
    /// Each camera's stills of its reps at their worst moments (videos only), by its own rep
    /// number.
    pub front_stills: &'a [Still],
    pub side_stills: &'a [Still],
}

pub fn render_json(r: &PairResult) -> Result<Vec<u8>, serde_json::Error> {
    let file = PairFile {
        schema: "formcheck-pair",
        schema_version: PAIR_SCHEMA_VERSION,
        producer: format!("formcheck {}", env!("CARGO_PKG_VERSION")),
        notice: Notice::default(),
        exercise: ExerciseInfo {
            name: r.exercise.name(),
            title: r.exercise.title(),
        },
        front: r.front,
        side: r.side,
        sync: &r.pair.sync,
        verdict: verdict(r.pair),
        reps: &r.pair.reps,
    };
    let mut out = serde_json::to_vec_pretty(&file)?;
    out.push(b'\n');
    Ok(out)
}

fn status_cell(c: &crate::multiview::pair::MergedConcern) -> String {
    let from: Vec<&str> = c.from.iter().map(|cam| camera_name(*cam)).collect();
    let what = c.result.concern.describe();
    match &c.result.status {
        ConcernStatus::Ok => format!("{what}: ok ({})", from.join(", ")),
        ConcernStatus::Fault { cue } => {
            format!("{what}: <strong>{cue}</strong> ({})", from.join(", "))
        }
        ConcernStatus::Borderline { detail } => {
            format!(
                "{what}: <strong>borderline</strong> <span class=\"muted\">({})</span> ({})",
                escape(detail),
                from.join(", ")
            )
        }
        ConcernStatus::NotJudged { reason } => {
            format!(
                "{what}: not judged <span class=\"muted\">({})</span>",
                escape(reason)
            )
        }
    }
}

pub fn render_html(r: &PairResult) -> String {
    let sync = &r.pair.sync;
    let mut rows = String::new();
    for rep in &r.pair.reps {
        let at = |v: &Option<crate::multiview::pair::ViewRep>| {
            v.as_ref().map_or("–".to_string(), |v| {
                format!("rep {} at {:.2} s", v.rep, v.bottom_s)
            })
        };
        let concerns: Vec<String> = rep.concerns.iter().map(status_cell).collect();
        let faults: Vec<String> = rep
            .faults
            .iter()
            .map(|f| format!("{} ({})", escape(&f.text), camera_name(f.camera)))
            .collect();
        rows.push_str(&format!(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>\n",
            rep.number,
            if rep.complete { "yes" } else { "no" },
            at(&rep.front),
            at(&rep.side),
            concerns.join("<br>"),
            faults.join("<br>"),
        ));
        let figure = |v: &Option<crate::multiview::pair::ViewRep>, stills: &[Still], camera| {
            let still = v
                .as_ref()
                .and_then(|v| stills.iter().find(|s| s.rep == v.rep))?;
            Some(format!(
                "<figure><img alt=\"{camera}, rep {} at {:.2} s\" src=\"data:image/jpeg;base64,{}\"><figcaption>{camera}: its rep {} at {:.2} s (frame {})</figcaption></figure>",
                still.rep,
                still.time_s,
                base64::engine::general_purpose::STANDARD.encode(&still.jpeg),
                still.rep,
                still.time_s,
                still.frame
            ))
        };
        let figures: Vec<String> = [
            figure(&rep.front, r.front_stills, "front camera"),
            figure(&rep.side, r.side_stills, "side camera"),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !figures.is_empty() {
            rows.push_str(&format!(
                "<tr><td colspan=\"6\"><div class=\"stills\">{}</div></td></tr>\n",
                figures.join("")
            ));
        }
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}: two cameras</title><style>{STYLE}</style></head><body>\n\
<h1>{title}: two cameras</h1>\n\
<p class=\"muted\">front: {front} · side: {side}</p>\n\
{NOTICE_HTML}\n\
<h2>Verdict</h2>\n<div class=\"verdict\">{verdict}</div>\n\
<h2>How the videos were lined up</h2>\n\
<p>The side video runs {offset:+.3} s after the front video (side time = front time {offset:+.3} s), found from the movement itself: correlation {score:.2}, {contrast} the next best offset, refined on {matched} turning points seen by both cameras.{caution}</p>\n\
<h2>Reps</h2>\n<p>Valgus is judged from the front camera and knee over toe from the side camera; each verdict says which camera it came from.</p>\n\
<table><thead><tr><th>rep</th><th>complete</th><th>front camera</th><th>side camera</th><th>judged</th><th>faults</th></tr></thead><tbody>\n{rows}</tbody></table>\n\
{NOTICE_HTML}\n</body></html>\n",
        title = escape(r.exercise.title()),
        front = escape(&r.front.source),
        side = escape(&r.side.source),
        verdict = escape(&verdict(r.pair)),
        offset = sync.offset_s,
        score = sync.score,
        contrast = sync
            .contrast
            .map_or("far above".to_string(), |c| format!("{c:.2}×")),
        matched = sync.matched_turning_points,
        caution = if sync.matched_turning_points < 2 {
            " <strong>With fewer than two reps to line up on, one rep looks much like another \
             (two recordings of a single squat can match): check that the stills below show the \
             same person at the same moment.</strong>"
        } else {
            ""
        },
    )
}

/// The section a camera's own reps.json gains when its video was analysed as one of a pair: the
/// merged reps, with both views' numbers, and where pair.json is.
#[derive(Serialize)]
struct PairSection<'a> {
    /// Which camera this video was.
    camera: Camera,
    /// The other camera's video (or landmark file), as given.
    other: &'a str,
    /// pair.json, from this video's folder.
    merged: String,
    sync: &'a PairSync,
    verdict: String,
    reps: &'a [PairedRep],
}

/// How the section starts in the file, so a later pair run replaces it rather than adding one.
const PAIR_SECTION_START: &[u8] = b",\n  \"pair\": ";

/// Adds (or replaces) the `pair` section of a camera's reps.json, keeping the rest byte for byte:
/// the merged reps of both views sit in each view's own document too.
pub fn add_to_view_reps(
    reps_json: &Path,
    camera: Camera,
    other: &str,
    merged: &Path,
    pair: &Pair,
) -> Result<(), ExportError> {
    let bytes = std::fs::read(reps_json).map_err(|e| ExportError::io(reps_json, e))?;
    let body_end = find(&bytes, PAIR_SECTION_START)
        .or_else(|| bytes.iter().rposition(|b| *b == b'}'))
        .ok_or_else(|| ExportError::format(reps_json, "not a JSON object"))?;
    let mut body = bytes[..body_end].to_vec();
    while body.last().is_some_and(u8::is_ascii_whitespace) {
        body.pop();
    }
    let section = PairSection {
        camera,
        other,
        merged: merged.display().to_string(),
        sync: &pair.sync,
        verdict: verdict(pair),
        reps: &pair.reps,
    };
    let rendered =
        serde_json::to_string_pretty(&section).map_err(|e| ExportError::format(reps_json, e))?;
    body.extend_from_slice(PAIR_SECTION_START);
    body.extend_from_slice(rendered.replace('\n', "\n  ").as_bytes());
    body.extend_from_slice(b"\n}\n");
    atomic::write(reps_json, &body)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Writes pair.json and pair.html into `dir`.
pub fn write(r: &PairResult, dir: &Path) -> Result<(), ExportError> {
    let json_path = dir.join(PAIR_JSON);
    let json = render_json(r).map_err(|e| ExportError::format(&json_path, e))?;
    atomic::write(&json_path, &json)?;
    atomic::write(&dir.join(PAIR_HTML), render_html(r).as_bytes())
}
