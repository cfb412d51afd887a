//! `live --programme`: a guided session end to end on the real binary, each exercise replayed
//! from its own recording (the bundled sample, a shared front-view clip), with speech kept in a
//! WAV that sox reads back, every rep in the history, the progress page opened in Chromium, and
//! the keys (skip, end) pressed in a real window under Xvfb.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{formcheck, sample, skip};
use serde_json::Value;

/// Sessions run in real time: two at once on two cores drop frames, and with them reps.
fn one_session_at_a_time() -> std::sync::MutexGuard<'static, ()> {
    static CPU: std::sync::Mutex<()> = std::sync::Mutex::new(());
    CPU.lock().unwrap_or_else(|e| e.into_inner())
}

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// A squat in two sets of one rep with a 3 s rest, then a single-leg squat left and right.
const PROGRAMME: &str = r#"
[[exercise]]
name = "squat"
sides = ["both"]
sets = 2
reps = 1
rest_s = 3

[[exercise]]
name = "single-leg-squat"
sides = ["left", "right"]
sets = 1
reps = 1
rest_s = 0
"#;

/// A finished session log's lines, each checked against schemas/session.schema.json.
fn lines(path: &Path) -> Vec<Value> {
    let lines: Vec<Value> = std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    for line in &lines {
        common::assert_matches_schema(line, "schemas/session.schema.json");
    }
    lines
}

fn of_type<'a>(lines: &'a [Value], kind: &str) -> Vec<&'a Value> {
    lines.iter().filter(|l| l["type"] == kind).collect()
}

fn query(db: &Path, sql: &str) -> Vec<(String, i64, i64, i64)> {
    let conn = rusqlite::Connection::open(db).unwrap();
    let mut stmt = conn.prepare(sql).unwrap();
    stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

#[test]
fn a_whole_programme_replayed_from_files_speaks_records_every_rep_and_asks_at_the_end() {
    let _cpu = one_session_at_a_time();
    let Some(front) = common::shared("videos/lnewco_good_IMG_7027.mov") else {
        return;
    };
    if !have("espeak-ng") || !have("sox") {
        skip::missing("espeak-ng and sox are not both installed (apt-get install espeak-ng sox)");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let programme = dir.path().join("programme.toml");
    std::fs::write(&programme, PROGRAMME).unwrap();
    let (wav, log, db) = (
        dir.path().join("spoken.wav"),
        dir.path().join("session.jsonl"),
        dir.path().join("history.sqlite"),
    );
    let mut live = formcheck()
        .args(["live", "--no-window", "--person", "ann", "--programme"])
        .arg(&programme)
        .arg("--file")
        .arg(sample())
        .arg("--file")
        .arg(&front)
        .arg("--voice-log")
        .arg(&wav)
        .arg("--session")
        .arg(&log)
        .arg("--history")
        .arg(&db)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The answer to the question at the end: yes, it hurt.
    std::io::Write::write_all(&mut live.stdin.take().unwrap(), b"y\n").unwrap();
    let out = live.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");

    let lines = lines(&log);
    let said: Vec<(&str, &str)> = of_type(&lines, "said")
        .iter()
        .map(|l| (l["what"].as_str().unwrap(), l["text"].as_str().unwrap()))
        .collect();
    let kinds: Vec<&str> = said.iter().map(|(k, _)| *k).collect();
    // The walk through the programme, in order.
    assert_eq!(
        kinds,
        [
            "exercise",
            "set_done",
            "rest",
            "go",
            "set_done",
            "exercise",
            "set_done",
            "switch_legs",
            "exercise_cut",
            "programme_done"
        ],
        "{said:#?}"
    );
    assert!(said[0].1.contains("Camera: camera in front"), "{said:?}");
    assert!(
        said[1].1.starts_with("Squat (both legs), set 1: 1 rep"),
        "{said:?}"
    );
    assert_eq!(said[7].1, "Switch legs: right leg");
    // The front-view clip has one rep: the right leg's set is left short, and says why.
    let sets = of_type(&lines, "set");
    assert_eq!(sets.len(), 4, "{sets:#?}");
    assert_eq!(sets[3]["status"], "short");
    assert_eq!(sets[3]["reason"], "the recording ended");
    // The precautions, the question, the answer recorded, and the advice after a yes.
    assert!(
        err.contains("Progressive weakness, sudden swelling or pain"),
        "{err}"
    );
    assert!(err.contains("see a doctor"), "{err}");
    assert_eq!(of_type(&lines, "check")[0]["answer"], "yes");
    assert_eq!(of_type(&lines, "summary")[0]["end"], "programme_done");

    // Every rep of the log is in the history, under its exercise and side.
    let logged: Vec<(String, i64, i64, i64)> = of_type(&lines, "rep")
        .iter()
        .map(|r| {
            (
                format!(
                    "{}/{}",
                    r["exercise"].as_str().unwrap(),
                    r["side"].as_str().unwrap()
                ),
                r["number"].as_i64().unwrap(),
                r["set"].as_i64().unwrap(),
                i64::from(r["complete"].as_bool().unwrap()),
            )
        })
        .collect();
    assert_eq!(logged.len(), 3, "{logged:?}");
    let stored = query(
        &db,
        "SELECT s.exercise || '/' || COALESCE(s.side, 'both'), r.number, r.set_number, r.complete
         FROM rep r JOIN session s ON s.id = r.session_id ORDER BY s.id, r.number",
    );
    assert_eq!(stored, logged);
    let conn = rusqlite::Connection::open(&db).unwrap();
    let answer: String = conn
        .query_row("SELECT answer FROM check_in", [], |r| r.get(0))
        .unwrap();
    assert_eq!(answer, "yes");

    // What was said is real speech: sox reads seconds of sound, not silence.
    let spoken_line = err
        .lines()
        .find(|l| l.starts_with("formcheck live: voice: "))
        .unwrap_or_else(|| panic!("no voice line in {err}"));
    let utterances: usize = spoken_line["formcheck live: voice: ".len()..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap();
    // Each announcement and, per complete rep, a tone and a count; the question and advice.
    assert!(utterances >= said.len() + 2 * 3, "{spoken_line}");
    let (seconds, rms) = common::sox_stat(&wav);
    assert!(seconds > 10.0, "{seconds} s of speech");
    assert!(rms > 0.01, "not silence: RMS {rms}");

    // The progress page over this session opens without a console message.
    let report = dir.path().join("progress.html");
    let history = formcheck()
        .args(["history", "--history"])
        .arg(&db)
        .arg("--report")
        .arg(&report)
        .output()
        .unwrap();
    let table = String::from_utf8_lossy(&history.stdout);
    assert!(history.status.success(), "{table}");
    assert!(table.contains("ann answered yes"), "{table}");
    let Some(chromium) = common::chromium() else {
        skip::missing("chromium is not installed (apt-get install chromium)");
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let dom = common::chromium_open(&chromium, profile.path(), &report, &["--dump-dom"]);
    assert!(dom.status.success());
    let console = common::console_lines(&dom);
    assert!(console.is_empty(), "console messages: {console:#?}");
    // The yes is on the page too, before anything else.
    assert!(
        String::from_utf8_lossy(&dom.stdout).contains("ann answered yes on"),
        "the check-in is not on the progress page"
    );
}

#[test]
fn a_file_count_that_does_not_match_the_programme_is_one_line_naming_the_flag() {
    let dir = tempfile::tempdir().unwrap();
    let programme = dir.path().join("programme.toml");
    std::fs::write(&programme, PROGRAMME).unwrap();
    let cases: [(&[&str], &str); 3] = [
        (
            &["--file", "a.mp4", "--file", "b.mp4", "--file", "c.mp4"],
            "--file: the programme has 2 exercises; give --file once for each",
        ),
        (&["--exercise", "squat"], "--exercise: not with --programme"),
        (
            &["--file", "a.mp4", "--file", "b.mp4", "--record", "r.mp4"],
            "--record: not with one --file per exercise",
        ),
    ];
    for (args, needle) in cases {
        let out = formcheck()
            .current_dir(dir.path())
            .args(["live", "--no-window", "--no-history", "--programme"])
            .arg(&programme)
            .args(args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(needle), "{needle:?} not in {err}");
    }
    // Several files without a programme.
    let out = formcheck()
        .args([
            "live",
            "--no-window",
            "--exercise",
            "squat",
            "--file",
            "a.mp4",
            "--file",
            "b.mp4",
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("--file: give it once"), "{err}");
}

#[test]
fn keys_skip_an_exercise_and_end_the_session_under_xvfb() {
    let _cpu = one_session_at_a_time();
    if !have("Xvfb") || !have("xdotool") {
        skip::missing("Xvfb or xdotool is not installed");
        return;
    }
    let Some(xvfb) = common::xvfb::start_xvfb_at(90) else {
        skip::missing("Xvfb did not start");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let programme = dir.path().join("programme.toml");
    // Two squats, ten reps each: far more than the sample holds, so only keys move on.
    std::fs::write(
        &programme,
        "[[exercise]]\nname = \"squat\"\nsides = [\"both\"]\nsets = 1\nreps = 10\nrest_s = 0\n\
         [[exercise]]\nname = \"squat\"\nsides = [\"both\"]\nsets = 1\nreps = 10\nrest_s = 0\n",
    )
    .unwrap();
    let log = dir.path().join("session.jsonl");
    let mut live = formcheck()
        .env("DISPLAY", &xvfb.display)
        .args(["live", "--no-history", "--programme"])
        .arg(&programme)
        .arg("--file")
        .arg(sample())
        .arg("--file")
        .arg(sample())
        .arg("--session")
        .arg(&log)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let xdotool = |args: &[&str]| xvfb.xdotool(args);
    let window = xvfb.wait_for_window("formcheck live");
    let reps = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .filter(|l| l.contains("\"type\":\"rep\""))
            .count()
    };
    // The first exercise's first rep, then n: on to the second exercise.
    let until = Instant::now() + Duration::from_secs(30);
    while reps() < 1 {
        assert!(Instant::now() < until, "no rep counted");
        std::thread::sleep(Duration::from_millis(200));
    }
    xdotool(&["windowfocus", "--sync", &window]);
    xdotool(&["key", "n"]);
    std::thread::sleep(Duration::from_secs(2));
    // q ends the session; the window then asks the question, and n answers it.
    xdotool(&["key", "q"]);
    std::thread::sleep(Duration::from_secs(1));
    xdotool(&["key", "n"]);
    let until = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = live.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > until {
            let _ = live.kill();
            panic!("the session did not end after q and n");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut err = String::new();
    if let Some(mut e) = live.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    assert!(status.success(), "{err}");
    let lines = lines(&log);
    let said: Vec<&str> = of_type(&lines, "said")
        .iter()
        .map(|l| l["text"].as_str().unwrap())
        .collect();
    assert!(said.contains(&"Squat (both legs): skipped"), "{said:?}");
    assert!(
        said.iter().any(|s| s.starts_with("Exercise 2 of 2")),
        "{said:?}"
    );
    let sets = of_type(&lines, "set");
    assert_eq!(sets.len(), 2, "{sets:#?}");
    assert_eq!(sets[0]["reason"], "skipped");
    assert_eq!(sets[1]["reason"], "the session ended");
    let summary = of_type(&lines, "summary");
    assert_eq!(summary[0]["end"], "key");
    assert_eq!(of_type(&lines, "check")[0]["answer"], "no");
}

/// `formcheck live --programme --voice`, as the README shows it, takes the built-in programme:
/// `--programme` needs no file (clap refused the flag without one). With a camera that does not
/// exist the session stops there, naming `--camera`, not the command line.
#[test]
fn the_readme_programme_command_takes_the_built_in_programme() {
    // --no-window: the window would be opened before the camera (no display here).
    for flags in [
        &["--programme", "--voice", "--no-window"][..],
        &["--no-window", "--programme"],
    ] {
        let out = formcheck()
            .arg("live")
            .args(flags)
            .args(["--camera", "99", "--no-history"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            !stderr.contains("a value is required"),
            "{flags:?}: {stderr}"
        );
        assert!(stderr.contains("--camera"), "{flags:?}: {stderr}");
        assert_eq!(out.status.code(), Some(2), "{flags:?}: {stderr}");
    }
}
