//! The overlay drawn on a video frame: skeleton with the working leg highlighted, FPPA and
//! knee-over-toe per leg as numbers, the rep/set counter, a cue banner and a performance corner.
//!
//! Shared by the live window and the batch annotated video, so it takes the plain values of an
//! [`Overlay`] (`overlay`, where the measures become them) and draws onto a BGR `Mat`. Sizes scale with the frame height
//! so the same overlay reads on a 640×480 webcam and on a 1280-high phone video.

use opencv::core::{self, Mat, Point, Rect, Scalar};
use opencv::imgproc;
use opencv::prelude::*;

use crate::landmarks::{LandmarkIndex as L, Pose};

pub use crate::overlay::{
    readouts, Banner, CueKind, Item, Leg, LegReadout, Overlay, Perf, Reading, Readouts, RepCount,
};

#[derive(Debug, thiserror::Error)]
#[error("drawing the overlay failed: {0}")]
pub struct DrawError(#[from] opencv::Error);

/// Landmarks below this visibility are not drawn: a guessed joint drawn as real misleads.
const MIN_VISIBILITY: f64 = 0.5;

const WHITE: (f64, f64, f64) = (235.0, 235.0, 235.0);
const GREY: (f64, f64, f64) = (170.0, 170.0, 170.0);
const ORANGE: (f64, f64, f64) = (0.0, 165.0, 255.0);
const RED: (f64, f64, f64) = (40.0, 40.0, 230.0);
const AMBER: (f64, f64, f64) = (0.0, 190.0, 240.0);
const GREEN: (f64, f64, f64) = (60.0, 170.0, 60.0);
const PANEL: (f64, f64, f64) = (20.0, 20.0, 20.0);

fn bgr(c: (f64, f64, f64)) -> Scalar {
    Scalar::new(c.0, c.1, c.2, 0.0)
}

/// Upper body and arms: drawn thin, for orientation only.
const BODY: &[(L, L)] = &[
    (L::LeftShoulder, L::RightShoulder),
    (L::LeftShoulder, L::LeftElbow),
    (L::LeftElbow, L::LeftWrist),
    (L::RightShoulder, L::RightElbow),
    (L::RightElbow, L::RightWrist),
    (L::LeftShoulder, L::LeftHip),
    (L::RightShoulder, L::RightHip),
    (L::LeftHip, L::RightHip),
];

fn leg_chain(leg: Leg) -> [(L, L); 5] {
    match leg {
        Leg::Left => [
            (L::LeftHip, L::LeftKnee),
            (L::LeftKnee, L::LeftAnkle),
            (L::LeftAnkle, L::LeftHeel),
            (L::LeftHeel, L::LeftFootIndex),
            (L::LeftAnkle, L::LeftFootIndex),
        ],
        Leg::Right => [
            (L::RightHip, L::RightKnee),
            (L::RightKnee, L::RightAnkle),
            (L::RightAnkle, L::RightHeel),
            (L::RightHeel, L::RightFootIndex),
            (L::RightAnkle, L::RightFootIndex),
        ],
    }
}

/// Pixel sizes for a frame: 1.0 on a 720-high landscape frame; a portrait frame is limited by
/// its width so the panel still fits across it.
struct Scale(f64);

impl Scale {
    fn of(image: &Mat) -> Self {
        let by_height = image.rows().max(1) as f64 / 720.0;
        let by_width = image.cols().max(1) as f64 / 640.0;
        Scale(by_height.min(by_width).clamp(0.4, 3.0))
    }
    fn px(&self, at_720: f64) -> i32 {
        (at_720 * self.0).round().max(1.0) as i32
    }
    fn font(&self, at_720: f64) -> f64 {
        at_720 * self.0
    }
}

const FONT: i32 = imgproc::FONT_HERSHEY_SIMPLEX;

/// Draws the overlay onto `image` (BGR, 8-bit, 3 channels) in place.
pub fn draw_overlay(image: &mut Mat, overlay: &Overlay) -> Result<(), DrawError> {
    let s = Scale::of(image);
    if let Some(pose) = overlay.pose {
        draw_skeleton(image, pose, overlay, &s)?;
    }
    let has_numbers = overlay.count.is_some()
        || overlay.status.is_some()
        || overlay.working_leg.is_some()
        || overlay.left != LegReadout::default()
        || overlay.right != LegReadout::default()
        || !overlay.body.is_empty();
    if has_numbers {
        draw_panel(image, overlay, &s)?;
    }
    let bottom = match &overlay.banner {
        Some(banner) => draw_banner(image, banner, &s)?,
        None => image.rows(),
    };
    if let Some(perf) = overlay.perf {
        draw_perf(image, perf, bottom, &s)?;
    }
    Ok(())
}

fn point(pose: &Pose, index: L) -> Option<Point> {
    pose.get(index)
        .filter(|l| l.visibility >= MIN_VISIBILITY && l.x.is_finite() && l.y.is_finite())
        .map(|l| Point::new(l.x.round() as i32, l.y.round() as i32))
}

fn leg_alert(readout: &LegReadout) -> bool {
    readout
        .items
        .iter()
        .any(|i| i.reading.is_some_and(|r| r.alert))
}

fn draw_skeleton(image: &mut Mat, pose: &Pose, o: &Overlay, s: &Scale) -> Result<(), DrawError> {
    let segment = |image: &mut Mat, a: L, b: L, colour, width| -> Result<(), DrawError> {
        if let (Some(pa), Some(pb)) = (point(pose, a), point(pose, b)) {
            imgproc::line(image, pa, pb, bgr(colour), width, imgproc::LINE_AA, 0)?;
        }
        Ok(())
    };
    for &(a, b) in BODY {
        segment(image, a, b, GREY, s.px(2.0))?;
    }
    for leg in [Leg::Left, Leg::Right] {
        let working = o.working_leg == Some(leg);
        let readout = if leg == Leg::Left { &o.left } else { &o.right };
        let (colour, width) = match (working, leg_alert(readout)) {
            (true, true) => (RED, s.px(7.0)),
            (true, false) => (ORANGE, s.px(7.0)),
            (false, _) => (WHITE, s.px(3.0)),
        };
        for (a, b) in leg_chain(leg) {
            segment(image, a, b, colour, width)?;
        }
    }
    let joints = [
        L::LeftShoulder,
        L::RightShoulder,
        L::LeftHip,
        L::RightHip,
        L::LeftKnee,
        L::RightKnee,
        L::LeftAnkle,
        L::RightAnkle,
        L::LeftHeel,
        L::RightHeel,
        L::LeftFootIndex,
        L::RightFootIndex,
    ];
    for j in joints {
        if let Some(p) = point(pose, j) {
            imgproc::circle(image, p, s.px(6.0), bgr(WHITE), -1, imgproc::LINE_AA, 0)?;
            imgproc::circle(
                image,
                p,
                s.px(6.0),
                bgr(PANEL),
                s.px(1.5),
                imgproc::LINE_AA,
                0,
            )?;
        }
    }
    Ok(())
}

/// Darkens a rectangle so text on it reads over any background.
fn shade(image: &mut Mat, rect: Rect) -> Result<(), DrawError> {
    let bounds = Rect::new(0, 0, image.cols(), image.rows());
    let rect = rect & bounds;
    if rect.width <= 0 || rect.height <= 0 {
        return Ok(());
    }
    let mut roi = Mat::roi_mut(image, rect)?;
    let fill = Mat::new_size_with_default(rect.size(), roi.typ(), bgr(PANEL))?;
    let mut blended = Mat::default();
    core::add_weighted(&roi, 0.35, &fill, 0.65, 0.0, &mut blended, -1)?;
    blended.copy_to(&mut roi)?;
    Ok(())
}

fn text_size(text: &str, scale: f64, thickness: i32) -> Result<core::Size, DrawError> {
    let mut baseline = 0;
    Ok(imgproc::get_text_size(
        text,
        FONT,
        scale,
        thickness,
        &mut baseline,
    )?)
}

fn put(
    image: &mut Mat,
    text: &str,
    at: Point,
    scale: f64,
    colour: (f64, f64, f64),
    thickness: i32,
) -> Result<(), DrawError> {
    imgproc::put_text(
        image,
        text,
        at,
        FONT,
        scale,
        bgr(colour),
        thickness,
        imgproc::LINE_AA,
        false,
    )?;
    Ok(())
}

fn format_reading(r: Option<Reading>, unit: &str) -> (String, bool) {
    match r {
        Some(Reading {
            value,
            alert,
            bound: Some(bound),
        }) => (format!("{value:+.0} +/-{bound:.0}{unit}"), alert),
        Some(r) => (format!("{:+.1}{unit}", r.value), r.alert),
        None => ("--".to_string(), false),
    }
}

/// Top-left: count, then one line per leg, then the status word.
fn draw_panel(image: &mut Mat, o: &Overlay, s: &Scale) -> Result<(), DrawError> {
    let margin = s.px(12.0);
    let line_h = s.px(34.0);
    let small = s.font(0.75);
    let thick = s.px(2.0);
    // Each line of numbers laid out once: its width sizes the panel, then it is drawn.
    let mut leg_lines: Vec<(Leg, ItemRow)> = Vec::new();
    for (leg, readout) in [(Leg::Left, &o.left), (Leg::Right, &o.right)] {
        if !readout.items.is_empty() {
            leg_lines.push((leg, item_layout(&readout.items, margin + s.px(45.0), s)?));
        }
    }
    let body_line = item_layout(&o.body, margin, s)?;
    let mut lines = leg_lines.len() + usize::from(!o.body.is_empty());
    if o.count.is_some() {
        lines += 1;
    }
    if o.status.is_some() {
        lines += 1;
    }
    let count_h = if o.count.is_some() { s.px(50.0) } else { 0 };
    let height = margin * 2 + (lines - usize::from(o.count.is_some())) as i32 * line_h + count_h;
    // As wide as the widest line of numbers needs, at least 470 px at the reference height.
    let width = leg_lines
        .iter()
        .map(|(_, row)| row.end_x)
        .fold(s.px(470.0).max(body_line.end_x), i32::max)
        .min(image.cols());
    shade(image, Rect::new(0, 0, width, height))?;

    let mut y = margin;
    if let Some(count) = o.count {
        y += count_h - s.px(8.0);
        let text = match count.target {
            Some(target) => format!("Rep {}/{target}   Set {}", count.reps, count.set),
            None => format!("Rep {}   Set {}", count.reps, count.set),
        };
        put(
            image,
            &text,
            Point::new(margin, y),
            s.font(1.4),
            WHITE,
            s.px(3.0),
        )?;
        y += s.px(8.0);
    }
    for (leg, row) in &leg_lines {
        y += line_h;
        let working = o.working_leg == Some(*leg);
        let name = match (leg, working) {
            (Leg::Left, true) => "L*",
            (Leg::Left, false) => "L ",
            (Leg::Right, true) => "R*",
            (Leg::Right, false) => "R ",
        };
        let label_colour = if working { ORANGE } else { WHITE };
        put(
            image,
            name,
            Point::new(margin, y),
            small,
            label_colour,
            thick,
        )?;
        draw_row(image, row, y, s)?;
    }
    if !o.body.is_empty() {
        y += line_h;
        draw_row(image, &body_line, y, s)?;
    }
    if let Some(status) = o.status {
        y += line_h;
        put(image, status, Point::new(margin, y), small, AMBER, thick)?;
    }
    Ok(())
}

/// A line of named numbers laid out: each item's text, whether it is past its threshold (red),
/// its x, and where the line ends.
struct ItemRow {
    placed: Vec<(String, bool, i32)>,
    end_x: i32,
}

/// The items from `x`: each in a column at least 215 px (at the reference height) wide, wider
/// where a value with its bound needs it.
fn item_layout(items: &[Item], x: i32, s: &Scale) -> Result<ItemRow, DrawError> {
    let mut x = x;
    let mut placed = Vec::with_capacity(items.len());
    for item in items {
        let (value, alert) = format_reading(item.reading, item.unit);
        let text = format!("{} {value}", item.label);
        let width = text_size(&text, s.font(0.75), s.px(2.0))?.width;
        placed.push((text, alert, x));
        x += s.px(215.0).max(width + s.px(25.0));
    }
    Ok(ItemRow { placed, end_x: x })
}

/// Named numbers side by side on one panel line, each red when past its threshold.
fn draw_row(image: &mut Mat, row: &ItemRow, y: i32, s: &Scale) -> Result<(), DrawError> {
    for (text, alert, x) in &row.placed {
        put(
            image,
            text,
            Point::new(*x, y),
            s.font(0.75),
            pick(*alert),
            s.px(2.0),
        )?;
    }
    Ok(())
}

fn pick(alert: bool) -> (f64, f64, f64) {
    if alert {
        RED
    } else {
        WHITE
    }
}

/// Bottom-right corner, above the banner: FPS and frame-to-cue latency. The top is the panel's,
/// and a narrow portrait frame has no room beside it.
fn draw_perf(image: &mut Mat, perf: Perf, bottom: i32, s: &Scale) -> Result<(), DrawError> {
    let text = format!("{:.0} fps  {:.0} ms", perf.fps, perf.latency_ms);
    let scale = s.font(0.7);
    let thick = s.px(2.0);
    let size = text_size(&text, scale, thick)?;
    let pad = s.px(8.0);
    let x = image.cols() - size.width - 2 * pad;
    let y = bottom - size.height - 2 * pad;
    shade(
        image,
        Rect::new(x, y, size.width + 2 * pad, size.height + 2 * pad),
    )?;
    put(
        image,
        &text,
        Point::new(x + pad, y + pad + size.height),
        scale,
        WHITE,
        thick,
    )
}

/// Bottom banner across the whole width; the text shrinks to fit a narrow frame. Returns the
/// banner's top row.
fn draw_banner(image: &mut Mat, banner: &Banner, s: &Scale) -> Result<i32, DrawError> {
    let colour = match banner.kind {
        CueKind::Fault => RED,
        CueKind::Setup => AMBER,
        CueKind::Info => GREEN,
    };
    let thick = s.px(3.0);
    let pad = s.px(18.0);
    let mut scale = s.font(1.4);
    let mut size = text_size(banner.text, scale, thick)?;
    let room = image.cols() - 2 * pad;
    if size.width > room && size.width > 0 {
        scale *= room as f64 / size.width as f64;
        size = text_size(banner.text, scale, thick)?;
    }
    let height = size.height + 2 * pad;
    let top = image.rows() - height;
    imgproc::rectangle(
        image,
        Rect::new(0, top, image.cols(), height),
        bgr(colour),
        -1,
        imgproc::LINE_8,
        0,
    )?;
    let x = (image.cols() - size.width) / 2;
    let text_colour = if banner.kind == CueKind::Setup {
        PANEL
    } else {
        WHITE
    };
    put(
        image,
        banner.text,
        Point::new(x, top + pad + size.height),
        scale,
        text_colour,
        thick,
    )?;
    Ok(top)
}

/// A page of text on a dark ground, wrapped to fit (the end of a guided session).
/// The page has the video's size, so the window shows it at the video's shape.
pub fn notice(lines: &[&str], width: i32, height: i32) -> Result<Mat, DrawError> {
    let (width, height) = (width.max(320), height.max(240));
    let mut page = Mat::new_rows_cols_with_default(height, width, core::CV_8UC3, bgr(PANEL))?;
    // Sized as the overlay's text is on a frame this size, so it reads the same in the window.
    let s = Scale::of(&page);
    let (scale, thick, pad) = (s.font(1.0), s.px(2.0), s.px(30.0));
    let mut wrapped: Vec<String> = Vec::new();
    for line in lines {
        let mut current = String::new();
        for word in line.split_whitespace() {
            let candidate = if current.is_empty() {
                word.to_string()
            } else {
                format!("{current} {word}")
            };
            if text_size(&candidate, scale, thick)?.width > width - 2 * pad && !current.is_empty() {
                wrapped.push(std::mem::replace(&mut current, word.to_string()));
            } else {
                current = candidate;
            }
        }
        wrapped.push(current);
    }
    let line_height = text_size("Ag", scale, thick)?.height * 2;
    for (i, line) in wrapped.iter().enumerate() {
        let y = pad + line_height * (i as i32 + 1);
        put(&mut page, line, Point::new(pad, y), scale, WHITE, thick)?;
    }
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn standing_pose() -> Pose {
        // A frontal view: the subject's left is on the image's right.
        Pose::from_points(
            &[
                (L::LeftShoulder, 380.0, 120.0),
                (L::RightShoulder, 260.0, 120.0),
                (L::LeftHip, 360.0, 260.0),
                (L::RightHip, 280.0, 260.0),
                (L::LeftKnee, 365.0, 350.0),
                (L::RightKnee, 275.0, 350.0),
                (L::LeftAnkle, 370.0, 440.0),
                (L::RightAnkle, 270.0, 440.0),
                (L::LeftHeel, 372.0, 452.0),
                (L::RightHeel, 268.0, 452.0),
                (L::LeftFootIndex, 385.0, 462.0),
                (L::RightFootIndex, 255.0, 462.0),
            ],
            0.99,
        )
    }

    fn pixel(image: &Mat, x: i32, y: i32) -> [u8; 3] {
        let v = image.at_2d::<core::Vec3b>(y, x).unwrap();
        [v[0], v[1], v[2]]
    }

    #[test]
    fn working_leg_is_orange_and_other_leg_white() {
        let mut image =
            Mat::new_rows_cols_with_default(480, 640, core::CV_8UC3, Scalar::all(0.0)).unwrap();
        let pose = standing_pose();
        let overlay = Overlay {
            pose: Some(&pose),
            working_leg: Some(Leg::Left),
            ..Default::default()
        };
        draw_overlay(&mut image, &overlay).unwrap();
        // Mid-shank of each leg, away from the joint dots.
        let left = pixel(&image, 367, 395);
        let right = pixel(&image, 272, 395);
        assert_eq!(left, [0, 165, 255], "working leg colour");
        assert!(
            right.iter().all(|&c| c > 200),
            "other leg is white: {right:?}"
        );
    }

    #[test]
    fn alert_turns_the_working_leg_red_and_banner_fills_the_bottom() {
        let mut image =
            Mat::new_rows_cols_with_default(480, 640, core::CV_8UC3, Scalar::all(0.0)).unwrap();
        let pose = standing_pose();
        let overlay = Overlay {
            pose: Some(&pose),
            working_leg: Some(Leg::Right),
            right: LegReadout {
                items: vec![Item {
                    label: "FPPA",
                    reading: Some(Reading {
                        value: 18.0,
                        alert: true,
                        bound: None,
                    }),
                    unit: " deg",
                }],
            },
            banner: Some(Banner {
                text: "knee caving in",
                kind: CueKind::Fault,
            }),
            count: Some(RepCount {
                reps: 3,
                set: 1,
                target: None,
            }),
            perf: Some(Perf {
                fps: 30.0,
                latency_ms: 40.0,
            }),
            ..Default::default()
        };
        draw_overlay(&mut image, &overlay).unwrap();
        assert_eq!(pixel(&image, 272, 395), [40, 40, 230]);
        // Bottom-left corner belongs to the red banner.
        assert_eq!(pixel(&image, 2, 477), [40, 40, 230]);
        // The panel shades the top-left: text pixels are bright on a dark panel.
        let mut bright = 0;
        for y in 0..60 {
            for x in 0..300 {
                if pixel(&image, x, y)[1] > 200 {
                    bright += 1;
                }
            }
        }
        assert!(bright > 100, "counter text drawn ({bright} bright pixels)");
    }

    #[test]
    fn the_end_notice_takes_the_videos_shape_and_wraps_its_lines_inside_it() {
        let question =
            "Was there any pain, sudden swelling, or did the knee give way? Answer y or n.";
        let page = notice(
            &["Exercise feedback, not a diagnosis.", "", question],
            720,
            1280,
        )
        .unwrap();
        assert_eq!((page.cols(), page.rows()), (720, 1280));
        // Text reaches neither the right edge (wrapped) nor the lower half (a short page).
        let bright_in = |xs: std::ops::Range<i32>, ys: std::ops::Range<i32>| {
            ys.flat_map(|y| xs.clone().map(move |x| (x, y)))
                .filter(|&(x, y)| pixel(&page, x, y)[1] > 200)
                .count()
        };
        assert!(bright_in(0..720, 0..400) > 500, "text drawn");
        assert_eq!(bright_in(700..720, 0..1280), 0, "wrapped inside the page");
        assert_eq!(bright_in(0..720, 640..1280), 0);
    }

    #[test]
    fn missing_pose_and_tiny_frames_do_not_fail() {
        let mut image =
            Mat::new_rows_cols_with_default(60, 80, core::CV_8UC3, Scalar::all(0.0)).unwrap();
        let overlay = Overlay {
            banner: Some(Banner {
                text: "step back: feet not visible",
                kind: CueKind::Setup,
            }),
            status: Some("SETUP"),
            perf: Some(Perf {
                fps: 5.0,
                latency_ms: 12.0,
            }),
            count: Some(RepCount {
                reps: 0,
                set: 1,
                target: None,
            }),
            ..Default::default()
        };
        draw_overlay(&mut image, &overlay).unwrap();
    }
}
