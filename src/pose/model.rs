//! Running one pose model: load (checking the file and its outputs once, so a bad model fails at
//! start with its name), then crop + normalise + forward per frame, reusing every buffer. Two
//! engines run the same network: LiteRT on the `.tflite` file (MediaPipe's own runtime, the
//! faster) or OpenCV DNN on the ONNX export. The only place the pose stage touches inference and
//! image warping.

use std::path::Path;
use std::time::Instant;

use opencv::core::{self, Mat, Scalar, Size, Vector};
use opencv::dnn::{self, Net};
use opencv::imgproc;
use opencv::prelude::*;

use super::litert::{LiteRtError, LiteRtModel};
use super::model_files::Backend;
use super::roi::Roi;
use super::tflite_check::check_tflite;
use super::PoseError;

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

pub struct PoseModel {
    spec: InputSpec,
    output_names: Vec<String>,
    expected_lens: Vec<usize>,
    crop: Mat,
    engine: Engine,
    outputs: Vec<Vec<f32>>,
}

enum Engine {
    OpenCv {
        net: Net,
        output_names: Vector<String>,
        blob: Mat,
        raw_outputs: Vector<Mat>,
    },
    LiteRt {
        model: Box<LiteRtModel>,
        /// Signature indices of the requested outputs, in request order.
        wanted: Vec<usize>,
        /// The crop as BGR floats, value · scale + offset.
        float: Mat,
    },
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

impl PoseModel {
    /// Loads `path` and runs it once on a blank input to check that it has `outputs` with the
    /// given element counts. Names in `optional` are requested only when the model has them.
    pub fn load(
        path: &Path,
        backend: &Backend,
        spec: InputSpec,
        outputs: &[(&str, usize)],
        optional: &[(&str, usize)],
        threads: usize,
    ) -> Result<Self, PoseError> {
        match std::fs::metadata(path) {
            Err(_) => {
                return Err(PoseError::ModelMissing {
                    path: path.to_path_buf(),
                })
            }
            Ok(m) if m.len() == 0 => return Err(load_error(path, "the file is empty")),
            Ok(_) => {}
        }
        let (engine, available) = match backend {
            Backend::OpenCv => open_cv_engine(path)?,
            Backend::LiteRt { library } => {
                // LiteRT does not verify what it reads: a damaged file would crash it.
                let bytes = std::fs::read(path).map_err(|e| load_error(path, e.to_string()))?;
                check_tflite(&bytes).map_err(|e| load_error(path, e.to_string()))?;
                drop(bytes);
                let model = LiteRtModel::load(library, path, threads).map_err(|e| match e {
                    LiteRtError::Library(message) => PoseError::Runtime { message },
                    LiteRtError::Model(message) => load_error(path, message),
                })?;
                let side = spec.side as usize;
                if model.input_dims() != [1, side, side, 3] {
                    return Err(load_error(
                        path,
                        format!(
                            "its input is {:?}, expected [1, {side}, {side}, 3]",
                            model.input_dims()
                        ),
                    ));
                }
                let available = model.output_names().to_vec();
                let engine = Engine::LiteRt {
                    model: Box::new(model),
                    wanted: Vec::new(),
                    float: Mat::default(),
                };
                (engine, available)
            }
        };
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
        let mut model = PoseModel {
            spec,
            output_names: wanted.iter().map(|(n, _)| n.to_string()).collect(),
            expected_lens: wanted.iter().map(|(_, n)| *n).collect(),
            crop: Mat::default(),
            engine,
            outputs: vec![Vec::new(); wanted.len()],
        };
        match &mut model.engine {
            Engine::OpenCv { output_names, .. } => {
                *output_names = model.output_names.iter().map(String::as_str).collect();
            }
            Engine::LiteRt {
                wanted: indices, ..
            } => {
                *indices = model
                    .output_names
                    .iter()
                    .filter_map(|n| available.iter().position(|a| a == n))
                    .collect();
            }
        }
        let side = spec.side as i32;
        let blank = Mat::new_rows_cols_with_default(side, side, core::CV_8UC3, Scalar::all(0.0))
            .map_err(|e| load_error(path, first_line(&e)))?;
        model
            .forward(&blank)
            .map_err(|e| load_error(path, e.to_string()))?;
        Ok(model)
    }

    /// Which engine runs this model, for the bench's report.
    pub fn engine_name(&self) -> &'static str {
        match self.engine {
            Engine::OpenCv { .. } => "OpenCV DNN (ONNX)",
            Engine::LiteRt { .. } => "LiteRT (TFLite, XNNPACK)",
        }
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
        let warp_ms = started.elapsed().as_secs_f64() * 1e3;
        let crop = std::mem::take(&mut self.crop);
        let result = self.infer(&crop);
        self.crop = crop;
        let (convert_ms, inference_ms) = result?;
        Ok(RunTimes {
            preprocess_ms: warp_ms + convert_ms,
            inference_ms,
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
        self.infer(input).map(|_| ())
    }

    /// Converts the `side`² BGR crop to the model's input and runs it; returns the conversion
    /// and the inference time in ms.
    fn infer(&mut self, input: &Mat) -> Result<(f64, f64), String> {
        let started = Instant::now();
        let spec = self.spec;
        let converted;
        match &mut self.engine {
            Engine::OpenCv {
                net,
                output_names,
                blob,
                raw_outputs,
            } => {
                // blobFromImage computes (pixel - mean) · scale; swapRB turns OpenCV's BGR into
                // the RGB the models were trained on.
                let mean = -spec.offset / spec.scale;
                dnn::blob_from_image_to(
                    input,
                    blob,
                    spec.scale,
                    Size::new(0, 0),
                    Scalar::all(mean),
                    true,
                    false,
                    core::CV_32F,
                )
                .map_err(|e| first_line(&e))?;
                converted = Instant::now();
                net.set_input(&*blob, "", 1.0, Scalar::default())
                    .map_err(|e| first_line(&e))?;
                net.forward(raw_outputs, &*output_names)
                    .map_err(|e| first_line(&e))?;
                for (i, out) in self.outputs.iter_mut().enumerate() {
                    let mat = raw_outputs.get(i).map_err(|e| first_line(&e))?;
                    let data = mat.data_typed::<f32>().map_err(|e| first_line(&e))?;
                    out.clear();
                    out.extend_from_slice(data);
                }
            }
            Engine::LiteRt {
                model,
                wanted,
                float,
            } => {
                // The .tflite models take NHWC RGB floats, value · scale + offset: scaled here,
                // BGR turned to RGB in the copy into the input below.
                input
                    .convert_to(float, core::CV_32F, spec.scale, spec.offset)
                    .map_err(|e| first_line(&e))?;
                let pixels = float
                    .data_typed::<core::Vec3f>()
                    .map_err(|e| first_line(&e))?;
                converted = Instant::now();
                model.run(
                    |dst| {
                        if dst.len() != pixels.len() * 3 {
                            return Err(format!(
                                "the input holds {} values, the crop {}",
                                dst.len(),
                                pixels.len() * 3
                            ));
                        }
                        for (rgb, bgr) in dst.chunks_exact_mut(3).zip(pixels) {
                            rgb.copy_from_slice(&[bgr[2], bgr[1], bgr[0]]);
                        }
                        Ok(())
                    },
                    wanted,
                    &mut self.outputs,
                )?;
            }
        }
        for (i, expected) in self.expected_lens.iter().enumerate() {
            let got = self.outputs[i].len();
            if got != *expected {
                return Err(format!(
                    "output {} has {got} values, expected {expected}",
                    self.output_names[i]
                ));
            }
        }
        let ms = |from: Instant, to: Instant| (to - from).as_secs_f64() * 1e3;
        Ok((
            ms(started, converted),
            converted.elapsed().as_secs_f64() * 1e3,
        ))
    }
}

/// Reads an ONNX model into OpenCV DNN; returns it with its output names.
fn open_cv_engine(path: &Path) -> Result<(Engine, Vec<String>), PoseError> {
    crate::quiet_opencv();
    let mut net = dnn::read_net_from_onnx(path).map_err(|e| load_error(path, first_line(&e)))?;
    if net.empty().unwrap_or(true) {
        return Err(load_error(path, "OpenCV read no layers from it"));
    }
    net.set_preferable_backend(dnn::DNN_BACKEND_OPENCV)
        .and_then(|_| net.set_preferable_target(dnn::DNN_TARGET_CPU))
        .map_err(|e| load_error(path, first_line(&e)))?;
    let available = net
        .get_unconnected_out_layers_names()
        .map_err(|e| load_error(path, first_line(&e)))?
        .iter()
        .collect();
    Ok((
        Engine::OpenCv {
            net,
            output_names: Vector::new(),
            blob: Mat::default(),
            raw_outputs: Vector::new(),
        },
        available,
    ))
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
