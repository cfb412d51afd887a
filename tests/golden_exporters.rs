//! Golden tests: each exporter, run on MediaPipe's landmarks for the bundled sample, must produce
//! exactly the file under tests/golden/. After a deliberate format change, regenerate with
//! `FORMCHECK_BLESS=1 cargo test --test golden_exporters` and review the diff.

mod common;

use common::{assert_golden, fixture_result, repo, Fixture};
use formcheck::output::csv::CsvExporter;
use formcheck::output::index::{self, IndexRow, RepsSummary};
use formcheck::output::json::JsonExporter;
use formcheck::output::jsonl::JsonlExporter;
use formcheck::output::report::ReportExporter;
use formcheck::output::trc::TrcExporter;
use formcheck::output::{Exporter, Still};

fn export_to_string(exporter: &dyn Exporter, fixture: &Fixture) -> String {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join(exporter.file_name());
    exporter.export(&fixture_result(fixture), &dest).unwrap();
    // Atomic: nothing but the file itself is left in the folder.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    std::fs::read_to_string(dest).unwrap()
}

#[test]
fn trc_matches_golden() {
    let fixture = Fixture::squats();
    let text = export_to_string(&TrcExporter, &fixture);
    // Independent of the golden file: 5 header lines, a blank, one row a frame, 2 + 33×3 columns.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6 + fixture.frames.len());
    assert_eq!(lines[6].split('\t').count(), 2 + 33 * 3);
    assert_golden("landmarks.trc", &text);
}

#[test]
fn jsonl_matches_golden_and_reads_back() {
    let fixture = Fixture::squats();
    let text = export_to_string(&JsonlExporter, &fixture);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("frames.jsonl");
    std::fs::write(&path, &text).unwrap();
    let back = formcheck::landmarks::read_jsonl(&path).unwrap();
    assert_eq!(back.frames.len(), fixture.frames.len());
    assert_eq!((back.width, back.height), (720, 1280));
    for line in text.lines().skip(1) {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(
            value["measures"]["left"]["fppa_deg"].is_object()
                || value["measures"]["left"]["fppa_deg"].is_number()
        );
    }
    assert_golden("frames.jsonl", &text);
}

#[test]
fn json_matches_golden_and_its_schema() {
    let fixture = Fixture::squats();
    let text = export_to_string(&JsonExporter, &fixture);
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    common::assert_matches_schema(&value, formcheck::output::json::SCHEMA_FILE);
    assert_eq!(value["summary"]["reps"], fixture.analysis.reps().count());
    assert_golden("reps.json", &text);
}

#[test]
fn schema_rejects_a_broken_file() {
    let fixture = Fixture::squats();
    let text = export_to_string(&JsonExporter, &fixture);
    let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["sets"][0]["reps"][0]
        .as_object_mut()
        .unwrap()
        .remove("end_s");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join(formcheck::output::json::SCHEMA_FILE)).unwrap(),
    )
    .unwrap();
    assert!(!jsonschema::is_valid(&schema, &value));
}

#[test]
fn csv_matches_golden_one_row_a_rep() {
    let fixture = Fixture::squats();
    let text = export_to_string(&CsvExporter, &fixture);
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(reader.records().count(), fixture.analysis.reps().count());
    assert_golden("reps.csv", &text);
}

#[test]
fn report_matches_golden() {
    // The sample's squats are clean; a knee/ankle width limit above what they show flags them,
    // so the golden page has flagged rows, red spans and a still: 1.6 is past rep 1's width
    // (1.14 ±0.37) by more than its error, and within rep 2's error (1.32 ±0.39), a borderline
    // row. The sample is turned about 33° from the camera: a looser frontal bound lets FPPA be
    // read (and shown uncertain by more than its limit), so a plot is drawn; knee over toe (a
    // side-view measure) is said to be not measurable instead of an empty plot.
    let mut thresholds = formcheck::judge::Thresholds::default();
    thresholds.set("knee_ankle_ratio_min", 1.6, "test").unwrap();
    thresholds
        .set("frontal_max_turn_deg", 40.0, "test")
        .unwrap();
    let mut fixture = Fixture::squats_with(thresholds);
    let flagged = fixture
        .analysis
        .reps()
        .find(|r| r.faults().next().is_some())
        .map(|r| r.number)
        .expect("a flagged rep");
    // A stand-in JPEG: the golden file checks where a still goes, not how the video looks.
    fixture.stills.push(Still {
        rep: flagged,
        frame: 10,
        time_s: 2.0,
        jpeg: vec![0xFF, 0xD8, 0xFF, 0xD9],
    });
    let text = export_to_string(&ReportExporter, &fixture);
    assert!(text.contains("data:image/jpeg;base64,/9j/2Q=="));
    assert!(text.contains("class=\"flagged\""));
    assert!(text.contains("Exercise feedback, not a diagnosis."));
    assert!(text.contains("knee buckling need a doctor"));
    assert_eq!(text.matches("<svg").count(), 1, "the FPPA plot");
    assert_eq!(
        text.matches("Not measurable in any frame").count(),
        1,
        "knee over toe"
    );
    assert!(!text.contains("<script"), "the report needs no script");
    assert_golden("report.html", &text);
}

#[test]
fn index_matches_golden() {
    let rows = vec![
        IndexRow {
            name: "squats".into(),
            path: "videos/squats.mp4".into(),
            status: "done",
            summary: Some(RepsSummary {
                exercise: "squat".into(),
                frames: 65,
                duration_s: 12.8,
                sets: 1,
                reps: 3,
                complete_reps: 2,
                flagged_reps: 1,
                verdict: "set 1: 1 of 2 reps flagged; mostly: knee caving in".into(),
            }),
            error: None,
        },
        IndexRow {
            name: "broken <clip>".into(),
            path: "videos/broken <clip>.mp4".into(),
            status: "failed",
            summary: None,
            error: Some("cannot decode videos/broken <clip>.mp4".into()),
        },
    ];
    let dir = tempfile::tempdir().unwrap();
    index::write(dir.path(), &rows).unwrap();
    let csv = std::fs::read_to_string(dir.path().join("summary.csv")).unwrap();
    let html = std::fs::read_to_string(dir.path().join("index.html")).unwrap();
    assert!(html.contains("broken &lt;clip&gt;"), "names are escaped");
    assert_golden("summary.csv", &csv);
    assert_golden("index.html", &html);
}

/// The annotated video is lossy (MPEG-4), so its golden test compares a decoded frame with a
/// golden PNG within a small tolerance instead of bytes.
#[test]
fn annotated_frame_matches_golden() {
    use formcheck::output::annotated::AnnotatedExporter;
    use opencv::core::{Mat, Size};
    use opencv::prelude::*;
    use opencv::{imgcodecs, imgproc, videoio};

    let mut fixture = Fixture::squats();
    fixture.facts.path = common::sample().display().to_string();
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("annotated.mp4");
    let exporter = AnnotatedExporter {
        blur_faces: true,
        ..AnnotatedExporter::default()
    };
    exporter.export(&fixture_result(&fixture), &dest).unwrap();
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        1,
        "no temp file left"
    );

    // Frame 10: the bottom of the first squat, a flagged rep (banner and red numbers).
    let mut capture = videoio::VideoCapture::from_file(dest.to_str().unwrap(), 0).unwrap();
    let mut frame = Mat::default();
    for _ in 0..=10 {
        assert!(capture.read(&mut frame).unwrap());
    }
    // Compared at a quarter size: the overlay's shapes, not the codec's noise.
    let mut small = Mat::default();
    imgproc::resize(
        &frame,
        &mut small,
        Size::new(180, 320),
        0.0,
        0.0,
        imgproc::INTER_AREA,
    )
    .unwrap();
    let golden = common::repo().join("tests/golden/annotated_frame10.png");
    if std::env::var_os("FORMCHECK_BLESS").is_some() {
        imgcodecs::imwrite(
            golden.to_str().unwrap(),
            &small,
            &opencv::core::Vector::new(),
        )
        .unwrap();
        return;
    }
    let expected = imgcodecs::imread(golden.to_str().unwrap(), imgcodecs::IMREAD_COLOR).unwrap();
    assert!(!expected.empty(), "{} missing; bless it", golden.display());
    let mut diff = Mat::default();
    opencv::core::absdiff(&small, &expected, &mut diff).unwrap();
    let mean = opencv::core::mean(&diff, &opencv::core::no_array()).unwrap();
    let mean = (mean[0] + mean[1] + mean[2]) / 3.0;
    assert!(
        mean < 3.0,
        "annotated frame 10 differs from the golden one by {mean:.2} levels"
    );
}

/// sports2d_demo's report said "no complete rep" beside four jumping jacks and a landing on the
/// video, without a word on where they went: movements found but not counted are listed, each
/// with why.
#[test]
fn the_report_lists_the_movements_it_did_not_count_and_why() {
    let mut thresholds = formcheck::judge::Thresholds::default();
    // A bend no squat reaches: each squat is found, and not counted.
    thresholds
        .set("squat_min_knee_flexion_deg", 179.0, "test")
        .unwrap();
    let fixture = Fixture::squats_with(thresholds);
    assert_eq!(fixture.analysis.reps().count(), 0);
    assert!(!fixture.analysis.rejected.is_empty());
    let html = formcheck::output::report::render(&fixture_result(&fixture)).unwrap();
    let table = html
        .split("<h3>Movements not counted as reps</h3>")
        .nth(1)
        .expect("the table of movements not counted");
    for r in &fixture.analysis.rejected {
        assert!(table.contains(&format!("{:.2}", r.start.time_s)), "{r:?}");
    }
    assert!(
        table.contains("not a squat: the knees bent only"),
        "{table}"
    );
    // The golden sample, with nothing rejected, has no such table.
    let plain = Fixture::squats();
    assert!(plain.analysis.rejected.is_empty());
    let html = formcheck::output::report::render(&fixture_result(&plain)).unwrap();
    assert!(!html.contains("Movements not counted"));
}
