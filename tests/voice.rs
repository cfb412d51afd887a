//! `live --voice`/`--voice-log`: speech through espeak-ng, off the frame loop, kept in a WAV that
//! sox reads back as real sound.

mod common;

use std::process::Command;

use common::{formcheck, sample, skip};

fn have(tool: &str) -> bool {
    Command::new(tool)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn a_live_session_speaks_each_rep_into_the_voice_log() {
    if !have("espeak-ng") || !have("sox") {
        skip::missing("espeak-ng and sox are not both installed (apt-get install espeak-ng sox)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("spoken.wav");
    let log = dir.path().join("session.jsonl");
    let out = formcheck()
        .args(["live", "--exercise", "squat", "--no-window", "--no-history"])
        .arg("--file")
        .arg(sample())
        .arg("--voice-log")
        .arg(&wav)
        .arg("--session")
        .arg(&log)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let complete = std::fs::read_to_string(&log)
        .unwrap()
        .lines()
        .filter(|l| l.contains("\"type\":\"rep\"") && l.contains("\"complete\":true"))
        .count();
    assert!(complete >= 1, "the sample has complete reps");
    // A tone and a count for each complete rep.
    let said: u32 = err
        .lines()
        .find_map(|l| l.strip_prefix("formcheck live: voice: "))
        .and_then(|l| l.split(' ').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no voice line in {err}"));
    assert!(
        said as usize >= 2 * complete,
        "{said} utterances for {complete} reps: {err}"
    );
    let (seconds, rms) = common::sox_stat(&wav);
    assert!(seconds > 0.5 * complete as f64, "{seconds} s of speech");
    assert!(rms > 0.01, "not silence: RMS {rms}");
}

#[test]
fn voice_without_espeak_is_one_line_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let out = formcheck()
        .args([
            "live",
            "--exercise",
            "squat",
            "--no-window",
            "--no-history",
            "--voice",
        ])
        .arg("--file")
        .arg(sample())
        // No espeak-ng on an empty PATH.
        .env("PATH", dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("--voice") && err.contains("espeak-ng"),
        "{err}"
    );
}
