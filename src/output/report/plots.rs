//! The report's plots, drawn with plotters into inline SVG: measures over time, the reps shaded
//! behind them (red when flagged, amber when borderline), the thresholds as dashed lines. Gaps in a series (frames where
//! the measure was not judged) stay gaps: the line is broken, never bridged.

use plotters::prelude::*;

/// One line of a plot: `(time_s, value)` with `None` where there is no value.
pub struct Series {
    pub label: String,
    pub color: RGBColor,
    pub points: Vec<(f64, Option<f64>)>,
}

/// A time span shaded behind the lines (a rep).
pub struct Span {
    pub start_s: f64,
    pub end_s: f64,
    pub outcome: crate::judge::Outcome,
}

/// A horizontal reference line (a threshold).
pub struct Level {
    pub value: f64,
    pub label: String,
}

pub struct TimePlot {
    pub caption: String,
    pub y_label: String,
    /// What the x axis counts (its values run from 0 to `duration_s`).
    pub x_label: &'static str,
    pub duration_s: f64,
    pub series: Vec<Series>,
    pub spans: Vec<Span>,
    pub levels: Vec<Level>,
}

pub const LEFT_COLOR: RGBColor = RGBColor(31, 119, 180);
pub const RIGHT_COLOR: RGBColor = RGBColor(255, 127, 14);
const REP_SHADE: RGBColor = RGBColor(120, 160, 120);
const FLAG_SHADE: RGBColor = RGBColor(214, 39, 40);
const BORDERLINE_SHADE: RGBColor = RGBColor(230, 160, 30);
const LEVEL_COLOR: RGBColor = RGBColor(150, 30, 30);

const WIDTH: u32 = 860;
const HEIGHT: u32 = 300;

/// Runs of consecutive values, so a gap breaks the line.
fn runs(points: &[(f64, Option<f64>)]) -> Vec<Vec<(f64, f64)>> {
    let mut out: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut current = Vec::new();
    for &(t, v) in points {
        match v {
            Some(v) if v.is_finite() => current.push((t, v)),
            _ => {
                if !current.is_empty() {
                    out.push(std::mem::take(&mut current));
                }
            }
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The y range: every value and level, padded by a tenth, never empty.
fn y_range(plot: &TimePlot) -> (f64, f64) {
    let values = plot
        .series
        .iter()
        .flat_map(|s| s.points.iter().filter_map(|p| p.1))
        .chain(plot.levels.iter().map(|l| l.value))
        .filter(|v| v.is_finite());
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
        (lo.min(v), hi.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.1).max(1.0);
    (lo - pad, hi + pad)
}

pub fn render(plot: &TimePlot) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        draw(&root, plot).map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

fn draw(
    root: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    plot: &TimePlot,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    root.fill(&WHITE)?;
    let (y_lo, y_hi) = y_range(plot);
    let x_hi = plot.duration_s.max(0.1);
    let mut chart = ChartBuilder::on(root)
        .caption(&plot.caption, ("sans-serif", 18))
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(56)
        .build_cartesian_2d(0.0..x_hi, y_lo..y_hi)?;
    chart
        .configure_mesh()
        .x_desc(plot.x_label)
        .y_desc(plot.y_label.as_str())
        .light_line_style(WHITE.mix(0.0))
        .draw()?;

    chart.draw_series(plot.spans.iter().map(|span| {
        let color = match span.outcome {
            crate::judge::Outcome::Flagged => FLAG_SHADE,
            crate::judge::Outcome::Borderline => BORDERLINE_SHADE,
            crate::judge::Outcome::Passed | crate::judge::Outcome::NotJudged => REP_SHADE,
        };
        Rectangle::new(
            [(span.start_s, y_lo), (span.end_s, y_hi)],
            color.mix(0.15).filled(),
        )
    }))?;
    for level in &plot.levels {
        let style = ShapeStyle::from(&LEVEL_COLOR).stroke_width(1);
        chart
            .draw_series(DashedLineSeries::new(
                [(0.0, level.value), (x_hi, level.value)],
                6,
                4,
                style,
            ))?
            .label(level.label.as_str())
            .legend(|(x, y)| PathElement::new([(x, y), (x + 16, y)], LEVEL_COLOR));
    }
    for series in &plot.series {
        let color = series.color;
        let mut labelled = false;
        for run in runs(&series.points) {
            // A lone point (one session, one measured frame) is no line: a dot shows it.
            let drawn = if run.len() == 1 {
                chart.draw_series(run.into_iter().map(|p| Circle::new(p, 3, color.filled())))?
            } else {
                chart.draw_series(LineSeries::new(run, color.stroke_width(2)))?
            };
            if !labelled {
                drawn.label(series.label.as_str()).legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 16, y)], color.stroke_width(2))
                });
                labelled = true;
            }
        }
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.3))
        .draw()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_break_the_line() {
        let points = [
            (0.0, Some(1.0)),
            (0.1, None),
            (0.2, Some(2.0)),
            (0.3, Some(3.0)),
        ];
        assert_eq!(
            runs(&points),
            vec![vec![(0.0, 1.0)], vec![(0.2, 2.0), (0.3, 3.0)]]
        );
    }

    #[test]
    fn plot_renders_lines_spans_and_levels() {
        let plot = TimePlot {
            caption: "FPPA".into(),
            y_label: "degrees".into(),
            x_label: "time (s)",
            duration_s: 2.0,
            series: vec![Series {
                label: "left".into(),
                color: LEFT_COLOR,
                points: vec![(0.0, Some(1.0)), (1.0, Some(12.0)), (2.0, None)],
            }],
            spans: vec![Span {
                start_s: 0.5,
                end_s: 1.5,
                outcome: crate::judge::Outcome::Flagged,
            }],
            levels: vec![Level {
                value: 10.0,
                label: "threshold 10°".into(),
            }],
        };
        let svg = render(&plot).unwrap();
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("<polyline"), "no line drawn");
        assert!(svg.contains("threshold 10°"));
        assert!(svg.contains("stroke-dasharray") || svg.matches("<line").count() > 0);
    }
}
