//! The pose detector's SSD anchors, generated as MediaPipe's `SsdAnchorsCalculator` does from
//! the options in `pose_detection_cpu.pbtxt`. Pure arithmetic.

/// One anchor centre in the detector's input, normalised to [0, 1]. The pose detector uses
/// `fixed_anchor_size: true`, so every anchor is 1×1 and only the centre matters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Anchor {
    pub x_center: f64,
    pub y_center: f64,
}

/// The subset of `SsdAnchorsCalculatorOptions` the pose detector sets (others at defaults that
/// do not change the result: no `reduce_boxes_in_lowest_layer`, no explicit feature-map sizes).
#[derive(Debug, Clone, PartialEq)]
pub struct AnchorOptions {
    pub input_width: u32,
    pub input_height: u32,
    pub strides: Vec<u32>,
    pub anchor_offset_x: f64,
    pub anchor_offset_y: f64,
    pub aspect_ratios: Vec<f64>,
    /// Proto default 1.0: one extra anchor per layer at an interpolated scale.
    pub interpolated_scale_aspect_ratio: f64,
}

impl AnchorOptions {
    /// `pose_detection_cpu.pbtxt`: 224×224, strides 8, 16, 32, 32, 32, offset 0.5, ratio 1.0.
    pub fn pose_detection() -> Self {
        AnchorOptions {
            input_width: 224,
            input_height: 224,
            strides: vec![8, 16, 32, 32, 32],
            anchor_offset_x: 0.5,
            anchor_offset_y: 0.5,
            aspect_ratios: vec![1.0],
            interpolated_scale_aspect_ratio: 1.0,
        }
    }
}

/// Number of anchors the pose detector's outputs are laid out on.
pub const POSE_DETECTION_ANCHORS: usize = 2254;

/// Anchors in the order the model's 2254 outputs use: layer by layer (consecutive layers with the
/// same stride merged), then row, column, and anchor within the cell.
pub fn generate(options: &AnchorOptions) -> Vec<Anchor> {
    let mut anchors = Vec::new();
    let strides = &options.strides;
    let mut layer = 0;
    while layer < strides.len() {
        // Every layer sharing this stride adds its anchors to the same cells.
        let mut per_cell = 0;
        let mut last_same = layer;
        while last_same < strides.len() && strides[last_same] == strides[layer] {
            per_cell += options.aspect_ratios.len();
            if options.interpolated_scale_aspect_ratio > 0.0 {
                per_cell += 1;
            }
            last_same += 1;
        }
        let stride = strides[layer] as f64;
        let rows = (options.input_height as f64 / stride).ceil() as usize;
        let cols = (options.input_width as f64 / stride).ceil() as usize;
        for y in 0..rows {
            for x in 0..cols {
                let anchor = Anchor {
                    x_center: (x as f64 + options.anchor_offset_x) / cols as f64,
                    y_center: (y as f64 + options.anchor_offset_y) / rows as f64,
                };
                for _ in 0..per_cell {
                    anchors.push(anchor);
                }
            }
        }
        layer = last_same;
    }
    anchors
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pose_detector_has_2254_anchors_like_mediapipe() {
        let anchors = generate(&AnchorOptions::pose_detection());
        assert_eq!(anchors.len(), POSE_DETECTION_ANCHORS);
        // 28×28 cells × 2, then 14×14 × 2, then 7×7 × 6 (three stride-32 layers merged).
        assert_eq!(
            28 * 28 * 2 + 14 * 14 * 2 + 7 * 7 * 6,
            POSE_DETECTION_ANCHORS
        );
    }

    #[test]
    fn first_and_last_anchors_match_mediapipe() {
        // SsdAnchorsCalculator's formula, (cell + 0.5) / cells per side, for these options:
        // first (0.5/28, 0.5/28) twice, last (6.5/7, 6.5/7).
        let anchors = generate(&AnchorOptions::pose_detection());
        let close = |a: &Anchor, x: f64, y: f64| {
            (a.x_center - x).abs() < 1e-9 && (a.y_center - y).abs() < 1e-9
        };
        assert!(close(
            &anchors[0],
            0.017857142857142856,
            0.017857142857142856
        ));
        assert!(close(
            &anchors[1],
            0.017857142857142856,
            0.017857142857142856
        ));
        assert!(close(
            &anchors[2],
            0.05357142857142857,
            0.017857142857142856
        ));
        // First anchor of the stride-16 layer, and of the stride-32 layers.
        assert!(close(&anchors[1568], 0.5 / 14.0, 0.5 / 14.0));
        assert!(close(&anchors[1960], 0.5 / 7.0, 0.5 / 7.0));
        let last = anchors.last().unwrap();
        assert!(close(last, 0.9285714285714286, 0.9285714285714286));
    }
}
