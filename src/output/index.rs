//! The batch index: `OUT/summary.csv` (one row a video) and `OUT/index.html` (the same table,
//! linking each video's report). Rows come from each video's reps.json, read back from disk, so a
//! video skipped on resume and one analysed now give the same row.

use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

use super::report::{escape, NOTICE_HTML, STYLE};
use super::{atomic, ExportError};

/// The batch's own files in OUT; no video's output folder may take these names.
pub const SUMMARY_CSV: &str = "summary.csv";
pub const INDEX_HTML: &str = "index.html";

/// One video's line in the index.
#[derive(Debug, Clone, PartialEq)]
pub struct IndexRow {
    pub name: String,
    pub path: String,
    /// done, failed or interrupted.
    pub status: &'static str,
    pub summary: Option<RepsSummary>,
    /// Why the video failed.
    pub error: Option<String>,
}

/// The part of reps.json the index shows.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RepsSummary {
    pub exercise: String,
    pub frames: u64,
    pub duration_s: f64,
    pub sets: usize,
    pub reps: usize,
    pub complete_reps: usize,
    pub flagged_reps: usize,
    pub verdict: String,
}

/// The index row of a finished video's folder, from its reps.json (the folder names the row).
pub fn read_row(dir: &Path) -> IndexRow {
    // Only the summary decides the row: a file without the video's path is still listed.
    #[derive(Deserialize)]
    struct File {
        summary: RepsSummary,
        video: Option<serde_json::Value>,
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let reps_json = dir.join("reps.json");
    // A read, never a write: a damaged file says so, and how to mend it.
    let shown = reps_json.display();
    let parsed = std::fs::read(&reps_json)
        .map_err(|e| format!("cannot read {shown}: {e}"))
        .and_then(|bytes| {
            serde_json::from_slice::<File>(&bytes).map_err(|e| {
                format!(
                    "{shown} is damaged or cut short ({e}); analyse the video again with --force"
                )
            })
        });
    match parsed {
        Ok(file) => IndexRow {
            name,
            path: file
                .video
                .as_ref()
                .and_then(|v| v.get("path"))
                .and_then(|p| p.as_str())
                .unwrap_or_default()
                .to_string(),
            status: "done",
            summary: Some(file.summary),
            error: None,
        },
        Err(e) => IndexRow {
            name,
            path: String::new(),
            status: "failed",
            summary: None,
            error: Some(e),
        },
    }
}

/// The summary of reps.json's bytes.
pub fn parse_summary(bytes: &[u8]) -> Result<RepsSummary, serde_json::Error> {
    #[derive(Deserialize)]
    struct File {
        summary: RepsSummary,
    }
    serde_json::from_slice::<File>(bytes).map(|f| f.summary)
}

const CSV_HEADER: [&str; 12] = [
    "video",
    "path",
    "status",
    "exercise",
    "frames",
    "duration_s",
    "sets",
    "reps",
    "complete_reps",
    "flagged_reps",
    "verdict",
    "error",
];

pub fn render_csv(rows: &[IndexRow]) -> Result<Vec<u8>, csv::Error> {
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(CSV_HEADER)?;
    for row in rows {
        let s = row.summary.as_ref();
        let num = |f: fn(&RepsSummary) -> String| s.map(f).unwrap_or_default();
        let text = |t: &str| super::csv::spreadsheet_safe(t).into_owned();
        writer.write_record([
            text(&row.name),
            text(&row.path),
            row.status.to_string(),
            num(|s| s.exercise.clone()),
            num(|s| s.frames.to_string()),
            num(|s| format!("{:.3}", s.duration_s)),
            num(|s| s.sets.to_string()),
            num(|s| s.reps.to_string()),
            num(|s| s.complete_reps.to_string()),
            num(|s| s.flagged_reps.to_string()),
            num(|s| super::csv::spreadsheet_safe(&s.verdict).into_owned()),
            text(row.error.as_deref().unwrap_or_default()),
        ])?;
    }
    writer
        .into_inner()
        .map_err(|e| csv::Error::from(e.into_error()))
}

pub fn render_html(rows: &[IndexRow]) -> String {
    let mut body = String::new();
    for row in rows {
        let name = escape(&row.name);
        let link = match row.status {
            "done" => format!(
                "<a href=\"{}/report.html\">{name}</a>",
                escape(&percent_encode(&row.name))
            ),
            _ => name,
        };
        let cells = match &row.summary {
            Some(s) => format!(
                "<td>{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td>{}</td>",
                escape(&s.exercise),
                s.reps,
                s.complete_reps,
                s.flagged_reps,
                s.sets,
                escape(&s.verdict)
            ),
            None => format!(
                "<td colspan=\"6\" class=\"error\">{}</td>",
                escape(row.error.as_deref().unwrap_or("not analysed"))
            ),
        };
        let _ = writeln!(
            body,
            "<tr class=\"{}\"><td>{link}</td><td>{}</td>{cells}</tr>",
            row.status, row.status
        );
    }
    let failed = rows.iter().filter(|r| r.status == "failed").count();
    let failed_note = if failed > 0 {
        format!("<p class=\"error\">{failed} video(s) failed: see the error column.</p>")
    } else {
        String::new()
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>formcheck: batch index</title>
<style>{STYLE}</style>
</head>
<body>
<h1>formcheck: {count} videos</h1>
{NOTICE_HTML}
{failed_note}
<table>
<thead><tr><th>video</th><th>status</th><th>exercise</th><th>reps</th><th>complete</th><th>flagged</th><th>sets</th><th>verdict</th></tr></thead>
<tbody>
{body}</tbody>
</table>
<p>Per video: <code>reps.json</code>, <code>reps.csv</code>, <code>frames.jsonl</code>, <code>report.html</code> and <code>annotated.mp4</code> in its folder. All videos: <a href="summary.csv">summary.csv</a>.</p>
</body>
</html>
"#,
        count = rows.len()
    )
}

/// Folder names are file stems: encode what a URL cannot hold as is.
fn percent_encode(name: &str) -> String {
    let mut out = String::new();
    for byte in name.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(byte as char)
            }
            _ => {
                let _ = write!(out, "%{byte:02X}");
            }
        }
    }
    out
}

/// Writes OUT/summary.csv and OUT/index.html.
pub fn write(out: &Path, rows: &[IndexRow]) -> Result<(), ExportError> {
    let csv_path = out.join(SUMMARY_CSV);
    let csv = render_csv(rows).map_err(|e| ExportError::format(&csv_path, e))?;
    atomic::write(&csv_path, &csv)?;
    atomic::write(&out.join(INDEX_HTML), render_html(rows).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_injection_in_summary_csv_names_is_neutralised() {
        let row = |name: &str| IndexRow {
            name: name.to_string(),
            path: format!("in/{name}.mp4"),
            status: "failed",
            summary: None,
            error: Some(format!("{name}: broken")),
        };
        let rows: Vec<IndexRow> = ["=HYPERLINK(1)", "+1", "-2", "@SUM(A1)", "plain"]
            .iter()
            .map(|n| row(n))
            .collect();
        let csv = String::from_utf8(render_csv(&rows).unwrap()).unwrap();
        let mut reader = csv::Reader::from_reader(csv.as_bytes());
        for record in reader.records() {
            let record = record.unwrap();
            let (name, error) = (&record[0], &record[11]);
            assert!(!name.starts_with(['=', '+', '-', '@']), "{name}");
            assert!(!error.starts_with(['=', '+', '-', '@']), "{error}");
        }
        assert!(csv.contains("'=HYPERLINK(1)"), "{csv}");
        assert!(
            csv.contains("\nplain,"),
            "plain names stay as they are: {csv}"
        );
    }

    #[test]
    fn names_are_encoded_for_links() {
        assert_eq!(percent_encode("a b#1"), "a%20b%231");
        assert_eq!(percent_encode("squat_2"), "squat_2");
    }
}
