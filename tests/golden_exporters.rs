//! Golden tests: each exporter, run on MediaPipe's landmarks for the bundled sample, must produce
//! exactly the file under tests/golden/. After a deliberate format change, regenerate with
//! `FORMCHECK_BLESS=1 cargo test --test golden_exporters` and review the diff.

mod common;

use common::{assert_golden, fixture_result, Fixture};
use formcheck::output::jsonl::JsonlExporter;
use formcheck::output::trc::TrcExporter;
use formcheck::output::Exporter;

fn export_to_string(exporter: &dyn Exporter, fixture: &Fixture) -> String {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join(exporter.file_name());
    exporter.export(&fixture_result(fixture), &dest).unwrap();
    std::fs::read_to_string(dest).unwrap()
}

#[test]
fn trc_matches_golden() {
    let fixture = Fixture::squats();
    let text = export_to_string(&TrcExporter, &fixture);
    // Independent of the golden file: 5 header lines + one row a frame, 2 + 33×3 columns.
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 6 + fixture.frames.len());
    assert!(lines[6].split('\t').count() == 2 + 33 * 3);
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
    assert_golden("frames.jsonl", &text);
}
