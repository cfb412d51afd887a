//! `formcheck programme`: the home programme printed, a programme file checked key by key.

mod common;

use common::formcheck;

#[test]
fn the_programme_prints_with_the_camera_for_each_exercise_and_a_bad_file_is_one_line() {
    let out = formcheck().arg("programme").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for exercise in [
        "Side plank",
        "Side step-up",
        "Stationary lunge",
        "Single-leg bridge",
    ] {
        assert!(text.contains(exercise), "{exercise} in {text}");
    }
    assert_eq!(text.matches("Camera: ").count(), 4, "{text}");
    assert!(
        text.contains("not a diagnosis") && text.contains("doctor"),
        "{text}"
    );

    // The printed default, as a file, is a programme.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("mine.toml");
    let toml = text.split("As a file for --programme:").nth(1).unwrap();
    let toml: String = toml
        .lines()
        .take_while(|l| !l.contains("not a diagnosis"))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&file, toml.replace("sets = 2", "sets = 3")).unwrap();
    let out = formcheck()
        .arg("programme")
        .arg("--programme")
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 sets of 10 reps, left then right"));

    std::fs::write(
        &file,
        "[[exercise]]\nname = \"lunge\"\nsides = [\"left\"]\nsets = 0\nreps = 10\nrest_s = 30\n",
    )
    .unwrap();
    let out = formcheck()
        .arg("programme")
        .arg("--programme")
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("mine.toml") && err.contains("exercise[1].sets"),
        "{err}"
    );
}
