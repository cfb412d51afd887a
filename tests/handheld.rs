//! A handheld phone (issue 31, item 6): the sample squat and a shared side-view squat, panned
//! and tilted with ffmpeg during the reps (a crop window sliding up to 12 % of the picture
//! sideways and 11 % up and down), counted and judged as the still clips are. The whole picture,
//! floor and feet included, moves; formcheck reads the camera's motion from the background, so
//! the rest level, feet planted and knee over toe hold.

mod common;

use std::path::Path;

use serde_json::Value;

/// Bottoms within this of the labelled ones (issue 4), as for every real clip.
const BOTTOM_TOLERANCE_S: f64 = 0.3;

/// The crop that pans (sideways, period `pan_s`) and tilts (up and down, period `tilt_s`) the
/// picture while the person squats.
fn handheld(src: &Path, dst: &Path, pan_s: f64, tilt_s: f64) -> bool {
    let filter = format!(
        "crop=w=iw*0.8:h=ih*0.8:x='(iw-ow)/2*(1+0.8*sin(2*PI*t/{pan_s}))':y='(ih-oh)/2*(1+0.9*sin(2*PI*t/{tilt_s}))'"
    );
    common::ffmpeg(&[
        "-i",
        &src.to_string_lossy(),
        "-vf",
        &filter,
        "-c:v",
        "libx264",
        "-crf",
        "18",
        &dst.to_string_lossy(),
    ])
}

fn analyse(clip: &Path, out: &Path) -> Value {
    let status = common::formcheck()
        .args(["analyze"])
        .arg(clip)
        .args(["--exercise", "squat", "--no-video", "--out"])
        .arg(out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let stem = clip.file_stem().unwrap().to_string_lossy().to_string();
    let text = std::fs::read_to_string(out.join(stem).join("reps.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn reps(doc: &Value) -> Vec<&Value> {
    doc["sets"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| s["reps"].as_array().unwrap())
        .collect()
}

/// Before the camera's motion was read, this clip counted no complete rep: one incomplete, two
/// refused as "the feet did not stay planted" (0.61 and 0.53 leg lengths).
#[test]
fn a_panned_and_tilted_squat_counts_as_the_still_one() {
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("handheld.mp4");
    if !handheld(&common::sample(), &clip, 7.0, 3.3) {
        return;
    }
    let still = analyse(&common::sample(), &dir.path().join("still"));
    let moved = analyse(&clip, &dir.path().join("moved"));
    assert!(
        moved["rejected"].as_array().unwrap().is_empty(),
        "{:#}",
        moved["rejected"]
    );
    assert_eq!(
        moved["summary"]["complete_reps"], 2,
        "{:#}",
        moved["summary"]
    );
    let (still, moved) = (reps(&still), reps(&moved));
    assert_eq!(
        moved.len(),
        3,
        "two complete, the third cut by the clip's end"
    );
    assert_eq!(moved[2]["complete"], false);
    for ((rep, labelled), before) in moved.iter().zip([2.0, 6.6, 11.8]).zip(&still) {
        let bottom = rep["bottom_s"].as_f64().unwrap();
        assert!(
            (bottom - labelled).abs() <= BOTTOM_TOLERANCE_S,
            "rep {}: bottom {bottom} s, labelled {labelled} s",
            rep["number"]
        );
        // The rest level held: the hip's travel is the still clip's, within 0.07 leg lengths
        // (a third of the least squat). Measured: 0.062 on rep 1, whose start falls where the
        // crop shows bare wall for two frames (45 px a frame at this clip's 5 FPS) and the
        // picture's move cannot be read; 0.017 and 0.014 on the others.
        let (depth, was) = (
            rep["depth"].as_f64().unwrap(),
            before["depth"].as_f64().unwrap(),
        );
        assert!(
            (depth - was).abs() < 0.07,
            "rep {}: depth {depth} against {was} still",
            rep["number"]
        );
    }
}

/// From the side the knee's travel past the toes reads as on the still clip.
#[test]
fn a_panned_and_tilted_side_squat_keeps_its_knee_over_toe() {
    let Some(src) = common::shared("videos/lnewco_good_IMG_7051.mov") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let clip = dir.path().join("side_handheld.mp4");
    if !handheld(&src, &clip, 2.0, 1.5) {
        return;
    }
    let still = analyse(&src, &dir.path().join("still"));
    let moved = analyse(&clip, &dir.path().join("moved"));
    let (still, moved) = (reps(&still), reps(&moved));
    assert_eq!(moved.len(), 1, "one rep, as labelled");
    assert_eq!(moved[0]["complete"], true);
    let kot = |rep: &Value| rep["measures"]["legs"][0]["knee_over_toe"]["value"].as_f64();
    let (was, now) = (kot(still[0]).unwrap(), kot(moved[0]).unwrap());
    assert!(
        (now - was).abs() < 0.1,
        "knee over toe {now} foot lengths moving, {was} still"
    );
}
