//! Running one ONNX model with OpenCV DNN: load (checking the file and its outputs once, so a
//! bad model fails at start with its name), then crop + normalise + forward per frame, reusing
//! every buffer. The only place the pose stage touches OpenCV's DNN and image warping.

use std::path::Path;
use std::time::Instant;

use opencv::core::{self, Mat, Scalar, Size, Vector};
use opencv::dnn::{self, Net};
use opencv::imgproc;
use opencv::prelude::*;

use super::estimator::PoseError;
use super::roi::Roi;

/// How the model wants its pixels: `value · scale + offset`, per channel, in RGB order.
#[derive(Debug, Clone, Copy)]
pub struct InputSpec {
    pub side: u32,
    pub scale: f64,
    pub offset: f64,
    /// What lies outside the frame: the detector pads with black, the landmark model repeats
    /// the edge (MediaPipe's `BORDER_ZERO` vs its default `BORDER_REPLICATE`).
    pub border_replicate: bool,
}

/// Where one run's time went, in ms.
#[derive(Debug, Clone, Copy)]
pub struct RunTimes {
    pub preprocess_ms: f64,
    pub inference_ms: f64,
}

pub struct OnnxModel {
    net: Net,
    spec: InputSpec,
    output_names: Vector<String>,
    expected_lens: Vec<usize>,
    crop: Mat,
    blob: Mat,
    raw_outputs: Vector<Mat>,
    outputs: Vec<Vec<f32>>,
}

fn load_error(path: &Path, message: impl Into<String>) -> PoseError {
    PoseError::ModelLoad {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

/// OpenCV's messages carry its version, source file, error code and function name around the
/// one phrase that says what failed; keep that phrase.
fn first_line(e: &opencv::Error) -> String {
    let line = e
        .message
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("unknown OpenCV error");
    let core = match line.find("error: (") {
        Some(at) => line[at..].split_once(") ").map_or(line, |(_, rest)| rest),
        None => line,
    };
    let core = core.split(" in function '").next().unwrap_or(core).trim();
    if core.starts_with("Failed to parse ONNX model") {
        return "OpenCV cannot parse it as an ONNX model".to_string();
    }
    core.to_string()
}

impl OnnxModel {
    /// Loads `path` and runs it once on a blank input to check that it has `outputs` with the
    /// given element counts. Names in `optional` are requested only when the model has them.
    pub fn load(
        path: &Path,
        spec: InputSpec,
        outputs: &[(&str, usize)],
        optional: &[(&str, usize)],
    ) -> Result<Self, PoseError> {
        crate::quiet_opencv();
        match std::fs::metadata(path) {
            Err(_) => {
                return Err(PoseError::ModelMissing {
                    path: path.to_path_buf(),
                })
            }
            Ok(m) if m.len() == 0 => return Err(load_error(path, "the file is empty")),
            Ok(_) => {}
        }
        let mut net =
            dnn::read_net_from_onnx(path).map_err(|e| load_error(path, first_line(&e)))?;
        if net.empty().unwrap_or(true) {
            return Err(load_error(path, "OpenCV read no layers from it"));
        }
        net.set_preferable_backend(dnn::DNN_BACKEND_OPENCV)
            .and_then(|_| net.set_preferable_target(dnn::DNN_TARGET_CPU))
            .map_err(|e| load_error(path, first_line(&e)))?;
        let available = net
            .get_unconnected_out_layers_names()
            .map_err(|e| load_error(path, first_line(&e)))?;
        let has = |name: &str| available.iter().any(|n| n == name);
        if let Some((missing, _)) = outputs.iter().find(|(n, _)| !has(n)) {
            return Err(load_error(
                path,
                format!("it has no output named {missing}"),
            ));
        }
        let wanted: Vec<(&str, usize)> = outputs
            .iter()
            .chain(optional.iter().filter(|(n, _)| has(n)))
            .copied()
            .collect();
        let mut model = OnnxModel {
            net,
            spec,
            output_names: wanted.iter().map(|(n, _)| *n).collect(),
            expected_lens: wanted.iter().map(|(_, n)| *n).collect(),
            crop: Mat::default(),
            blob: Mat::default(),
            raw_outputs: Vector::new(),
            outputs: vec![Vec::new(); wanted.len()],
        };
        let side = spec.side as i32;
        let blank = Mat::new_rows_cols_with_default(side, side, core::CV_8UC3, Scalar::all(0.0))
            .map_err(|e| load_error(path, first_line(&e)))?;
        model
            .forward(&blank)
            .map_err(|e| load_error(path, e.to_string()))?;
        Ok(model)
    }

    /// Crops `roi` out of the BGR `frame` into the model's square input (one `warpAffine`,
    /// bilinear, as MediaPipe's `ImageToTensorCalculator`), converts and runs the model.
    pub fn run(&mut self, frame: &Mat, roi: &Roi) -> Result<RunTimes, String> {
        let started = Instant::now();
        let m =
            Mat::from_slice_2d(&roi.crop_to_frame(self.spec.side)).map_err(|e| first_line(&e))?;
        let border = if self.spec.border_replicate {
            core::BORDER_REPLICATE
        } else {
            core::BORDER_CONSTANT
        };
        let side = self.spec.side as i32;
        imgproc::warp_affine(
            frame,
            &mut self.crop,
            &m,
            Size::new(side, side),
            imgproc::INTER_LINEAR | imgproc::WARP_INVERSE_MAP,
            border,
            Scalar::all(0.0),
        )
        .map_err(|e| first_line(&e))?;
        let crop = std::mem::take(&mut self.crop);
        let blob = self.make_blob(&crop);
        self.crop = crop;
        blob?;
        let prepared = Instant::now();
        self.infer()?;
        Ok(RunTimes {
            preprocess_ms: (prepared - started).as_secs_f64() * 1e3,
            inference_ms: prepared.elapsed().as_secs_f64() * 1e3,
        })
    }

    /// Whether the model has the named output (required ones always do).
    pub fn has_output(&self, name: &str) -> bool {
        self.output_names.iter().any(|n| n == name)
    }

    /// The `i`-th requested output of the last run, flattened.
    pub fn output(&self, i: usize) -> &[f32] {
        self.outputs.get(i).map(Vec::as_slice).unwrap_or(&[])
    }

    fn forward(&mut self, input: &Mat) -> Result<(), String> {
        self.make_blob(input)?;
        self.infer()
    }

    fn make_blob(&mut self, input: &Mat) -> Result<(), String> {
        // blobFromImage computes (pixel - mean) · scale; swapRB turns OpenCV's BGR into the RGB
        // the models were trained on.
        let mean = -self.spec.offset / self.spec.scale;
        dnn::blob_from_image_to(
            input,
            &mut self.blob,
            self.spec.scale,
            Size::new(0, 0),
            Scalar::all(mean),
            true,
            false,
            core::CV_32F,
        )
        .map_err(|e| first_line(&e))
    }

    fn infer(&mut self) -> Result<(), String> {
        self.net
            .set_input(&self.blob, "", 1.0, Scalar::default())
            .map_err(|e| first_line(&e))?;
        self.net
            .forward(&mut self.raw_outputs, &self.output_names)
            .map_err(|e| first_line(&e))?;
        for (i, expected) in self.expected_lens.iter().enumerate() {
            let mat = self.raw_outputs.get(i).map_err(|e| first_line(&e))?;
            let data = mat.data_typed::<f32>().map_err(|e| first_line(&e))?;
            if data.len() != *expected {
                return Err(format!(
                    "output {} has {} values, expected {expected}",
                    self.output_names.get(i).unwrap_or_default(),
                    data.len()
                ));
            }
            let buf = &mut self.outputs[i];
            buf.clear();
            buf.extend_from_slice(data);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opencv_messages_are_cut_to_what_failed() {
        let e = opencv::Error::new(
            -215,
            "OpenCV(4.6.0) ./modules/dnn/src/net.cpp:12: error: (-215:Assertion failed) \
             inputs.size() == 1 in function 'forward'\nmore",
        );
        assert_eq!(first_line(&e), "inputs.size() == 1");
        let parse = opencv::Error::new(
            -210,
            "OpenCV(4.6.0) x.cpp:260: error: (-210:Unsupported format) Failed to parse ONNX \
             model: /m.onnx in function 'ONNXImporter'",
        );
        assert_eq!(
            first_line(&parse),
            "OpenCV cannot parse it as an ONNX model"
        );
        assert_eq!(first_line(&opencv::Error::new(1, "plain")), "plain");
    }
}
