//! Entry points for the coverage-guided fuzz targets in `fuzz/` and for the test that replays
//! their corpus: every parser formcheck runs on bytes a user, or a damaged file, hands it. Each
//! must return an error for bad input, never panic, and keep its promise for good input.

use std::io::Cursor;

use crate::judge::Thresholds;

/// A `--config` TOML file.
pub fn thresholds_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut t = Thresholds::default();
    if t.apply_toml(text, "--config fuzz.toml").is_ok() {
        assert!(
            t.all_in_range(),
            "an accepted config left a threshold out of range"
        );
    }
}

/// A `--threshold NAME=VALUE` argument, then applied.
pub fn threshold_arg(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok((name, value)) = crate::config::parse_threshold_arg(text) {
        assert!(value.is_finite());
        let mut t = Thresholds::default();
        if t.set(&name, value, "--threshold").is_ok() {
            assert!(t.all_in_range());
        }
    }
}

/// A `.tflite` model file's bounds check (it runs before LiteRT ever sees the bytes).
pub fn tflite(data: &[u8]) {
    let _ = crate::pose::tflite_check::check_tflite(data);
}

/// The frame spill file read back.
pub fn spill(data: &[u8]) {
    let frames = crate::output::frames::decode_records(data);
    assert!(frames.len() <= data.len());
}

/// A landmarks JSONL file (`--landmarks`, MediaPipe's reference output).
pub fn landmarks_jsonl(data: &[u8]) {
    let _ = crate::landmarks::parse_jsonl(Cursor::new(data), "fuzz.jsonl");
}

/// A `reps.json`, as the index reads it back.
pub fn reps_json(data: &[u8]) {
    let _ = crate::output::index::parse_summary(data);
}

/// An MP4/QuickTime container's track header, for the rotation.
pub fn mp4_rotation(data: &[u8]) {
    let _ = crate::video::orientation::read_rotation(&mut Cursor::new(data));
}

/// A `--programme` TOML file.
pub fn programme_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(programme) = crate::programme::Programme::parse(text, std::path::Path::new("f")) {
        // An accepted programme can be shown to the user.
        let _ = programme.describe();
    }
}

/// A `--from-list` or `index --check` manifest.
pub fn video_list(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let listed = crate::batch::inputs::parse_list(text, std::path::Path::new("base"));
    assert!(listed
        .iter()
        .all(|l| !l.line.is_empty() && !l.line.starts_with('#')));
}

/// A `--pairs` manifest.
pub fn pairs_tsv(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(pairs) = crate::config::parse_pairs(text, std::path::Path::new("base")) {
        assert!(!pairs.is_empty());
    }
}

/// A `triangulate --calibration` TOML file (Pose2Sim's).
pub fn calibration_toml(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Some(cameras) = crate::multiview::calibration::parse_calibration_text(text) {
        assert!(!cameras.is_empty());
    }
}

/// One parser's entry point: bytes in, a panic is the only failure.
pub type Target = fn(&[u8]);

/// Every target by name, for the corpus replay test and `fuzz/`.
pub const TARGETS: [(&str, Target); 11] = [
    ("thresholds_toml", thresholds_toml),
    ("threshold_arg", threshold_arg),
    ("tflite", tflite),
    ("spill", spill),
    ("landmarks_jsonl", landmarks_jsonl),
    ("reps_json", reps_json),
    ("mp4_rotation", mp4_rotation),
    ("programme_toml", programme_toml),
    ("video_list", video_list),
    ("pairs_tsv", pairs_tsv),
    ("calibration_toml", calibration_toml),
];
