//! The pose graph, frame by frame, as MediaPipe's `pose_landmark_cpu.pbtxt` runs it: when not
//! tracking, the detector on the letterboxed frame → best detection → rotated ROI; the landmark
//! model on that ROI → landmarks in frame pixels → filters; the filtered auxiliary landmarks give
//! the next frame's ROI, and the detector runs again only after the pose-presence score drops to
//! 0.5 or below. Owns the models, the tracking and filter state, and the per-stage timings.

use std::time::Instant;

use opencv::prelude::*;

use super::anchors::{self, Anchor, AnchorOptions};
use super::camera_motion::CameraMotion;
use super::detection::{self, KP_BODY_SCALE, KP_HIP_CENTER};
use super::model::{InputSpec, PoseModel};
use super::projection::{
    self, HEATMAP_SIDE, LANDMARK_INPUT, LANDMARK_VALUES, MODEL_LANDMARKS, PRESENCE_THRESHOLD,
    WORLD_VALUES,
};
use super::roi::{Point, Roi};
use super::smoothing::PoseSmoother;
use super::{PoseError, PoseSettings};
use crate::landmarks::{Pose, PoseFrame};
use crate::video::VideoFrame;

/// Per-stage wall-clock samples in milliseconds. `preprocess`, `landmark` and `filter` get one
/// sample per frame that reached them; `detector` one per frame on which the detector ran.
#[derive(Debug, Clone, Default)]
pub struct StageTimings {
    /// Cropping and converting the model inputs (both models when both ran).
    pub preprocess_ms: Vec<f64>,
    /// Detector forward pass, decoding and NMS.
    pub detector_ms: Vec<f64>,
    /// Landmark model forward pass and projection to the frame.
    pub landmark_ms: Vec<f64>,
    /// Smoothing.
    pub filter_ms: Vec<f64>,
    /// Measuring how far the picture moved (a handheld camera).
    pub camera_motion_ms: Vec<f64>,
}

/// The landmark model's 64×64×39 heatmap output, when the export kept it.
const HEATMAP_OUTPUT: &str = "Identity_3";

// Positions of the outputs in the order `OnnxModel::load` is given them below.
const DET_BOXES: usize = 0;
const DET_SCORES: usize = 1;
const LM_LANDMARKS: usize = 0;
const LM_PRESENCE: usize = 1;
const LM_WORLD: usize = 2;
const LM_HEATMAP: usize = 3;

/// The detector's input: 224² RGB in [-1, 1], black outside the frame.
const DETECTOR_SPEC: InputSpec = InputSpec {
    side: detection::DETECTOR_INPUT,
    scale: 2.0 / 255.0,
    offset: -1.0,
    border_replicate: false,
};
/// The landmark model's input: 256² RGB in [0, 1], edge pixels repeated outside the frame.
const LANDMARK_SPEC: InputSpec = InputSpec {
    side: LANDMARK_INPUT,
    scale: 1.0 / 255.0,
    offset: 0.0,
    border_replicate: true,
};

pub struct PoseEstimator {
    detector: PoseModel,
    landmark: PoseModel,
    anchors: Vec<Anchor>,
    smoother: PoseSmoother,
    /// The ROI from the last frame's landmarks; `None` means "run the detector".
    tracked: Option<Roi>,
    /// Fixed filter clock step in µs (`--filter-fps`), else the frames' own times.
    clock_step_us: Option<f64>,
    camera: CameraMotion,
    timings: StageTimings,
}

impl PoseEstimator {
    pub fn new(settings: &PoseSettings) -> Result<Self, PoseError> {
        let threads = i32::try_from(settings.threads.max(1)).unwrap_or(i32::MAX);
        // OpenCV's thread count is process-wide, and changing it while another thread is inside
        // an OpenCV parallel loop is not safe (batch workers start their estimators while others
        // already run): the first estimator sets it, once. A failure only leaves OpenCV's default.
        static OPENCV_THREADS: std::sync::Once = std::sync::Once::new();
        OPENCV_THREADS.call_once(|| {
            let _ = opencv::core::set_num_threads(threads);
        });
        let anchors = anchors::generate(&AnchorOptions::pose_detection());
        let backend = &settings.models.backend;
        let detector = PoseModel::load(
            &settings.models.detector,
            backend,
            DETECTOR_SPEC,
            &[
                ("Identity", anchors.len() * detection::COORDS_PER_ANCHOR),
                ("Identity_1", anchors.len()),
            ],
            &[],
            settings.threads,
        )?;
        let landmark = PoseModel::load(
            &settings.models.landmark,
            backend,
            LANDMARK_SPEC,
            &[
                ("Identity", MODEL_LANDMARKS * LANDMARK_VALUES),
                ("Identity_1", 1),
                ("Identity_4", MODEL_LANDMARKS * WORLD_VALUES),
            ],
            // MediaPipe refines landmarks from this heatmap; a model exported without it
            // still runs, a few pixels off MediaPipe.
            &[(
                HEATMAP_OUTPUT,
                HEATMAP_SIDE * HEATMAP_SIDE * MODEL_LANDMARKS,
            )],
            settings.threads,
        )?;
        Ok(PoseEstimator {
            detector,
            landmark,
            anchors,
            smoother: PoseSmoother::new(settings.smooth),
            tracked: None,
            clock_step_us: settings.frame_clock.map(|hz| (1e6 / hz).round()),
            camera: CameraMotion::default(),
            timings: StageTimings::default(),
        })
    }

    /// Finds the pose in one frame, and how far the picture moved since the first frame. Frames
    /// must come in order; a frame without a person gives `pose: None`.
    pub fn process(&mut self, frame: &VideoFrame) -> Result<PoseFrame, PoseError> {
        let mut result = self.find_pose(frame)?;
        let started = Instant::now();
        result.camera = self
            .camera
            .update(&frame.image, result.pose.as_ref())
            .map_err(|e| PoseError::Inference {
                stage: "camera motion",
                frame: frame.index,
                message: e.to_string(),
            })?;
        self.timings
            .camera_motion_ms
            .push(started.elapsed().as_secs_f64() * 1e3);
        Ok(result)
    }

    fn find_pose(&mut self, frame: &VideoFrame) -> Result<PoseFrame, PoseError> {
        let image = &frame.image;
        let (width, height) = (image.cols(), image.rows());
        if width <= 0 || height <= 0 || image.typ() != opencv::core::CV_8UC3 {
            return Err(PoseError::BadFrame { frame: frame.index });
        }
        let (width, height) = (width as u32, height as u32);
        let mut result = PoseFrame {
            camera: Default::default(),
            index: frame.index,
            time_s: frame.time_s,
            image_width: width,
            image_height: height,
            pose: None,
        };
        let inference = |stage: &'static str| {
            move |message: String| PoseError::Inference {
                stage,
                frame: frame.index,
                message,
            }
        };

        let mut preprocess_ms = 0.0;
        // A collapsed tracking ROI (aux landmarks on top of each other) cannot be cropped:
        // treat it as lost and detect again.
        let roi = match self.tracked.take().filter(Roi::is_usable) {
            Some(roi) => roi,
            None => {
                let letterbox = Roi::letterbox(width, height);
                let times = self
                    .detector
                    .run(image, &letterbox)
                    .map_err(inference("pose detector"))?;
                let started = Instant::now();
                let found = detection::decode(
                    self.detector.output(DET_BOXES),
                    self.detector.output(DET_SCORES),
                    &self.anchors,
                )
                .map_err(|e| inference("pose detector")(e.to_string()))?;
                let best = detection::weighted_nms(found).into_iter().next();
                preprocess_ms += times.preprocess_ms;
                self.timings
                    .detector_ms
                    .push(times.inference_ms + started.elapsed().as_secs_f64() * 1e3);
                let Some(best) = best else {
                    self.timings.preprocess_ms.push(preprocess_ms);
                    self.smoother.missed();
                    return Ok(result);
                };
                // Keypoints are in the letterboxed input's [0, 1]: map them to frame pixels.
                let to_frame = |p: Point| letterbox.project(p.x, p.y);
                Roi::pose_roi(
                    to_frame(best.keypoints[KP_HIP_CENTER]),
                    to_frame(best.keypoints[KP_BODY_SCALE]),
                )
            }
        };
        let times = self
            .landmark
            .run(image, &roi)
            .map_err(inference("landmark model"))?;
        preprocess_ms += times.preprocess_ms;
        self.timings.preprocess_ms.push(preprocess_ms);
        let started = Instant::now();
        // The model's pose flag is already a probability; MediaPipe thresholds it as is.
        let presence = self
            .landmark
            .output(LM_PRESENCE)
            .first()
            .copied()
            .unwrap_or(0.0) as f64;
        if presence <= PRESENCE_THRESHOLD {
            self.timings.landmark_ms.push(times.inference_ms);
            self.smoother.missed();
            return Ok(result);
        }
        let heatmap = self
            .landmark
            .has_output(HEATMAP_OUTPUT)
            .then(|| self.landmark.output(LM_HEATMAP));
        let mut pose = projection::project(
            self.landmark.output(LM_LANDMARKS),
            self.landmark.output(LM_WORLD),
            heatmap,
            &roi,
            width,
        )
        .map_err(|e| inference("landmark model")(e.to_string()))?;
        self.timings
            .landmark_ms
            .push(times.inference_ms + started.elapsed().as_secs_f64() * 1e3);

        let started = Instant::now();
        let clock = match self.clock_step_us {
            Some(step) => (frame.index + 1) as f64 * step / 1e6,
            None => frame.time_s,
        };
        self.smoother.apply(clock, width, &mut pose);
        self.tracked = Some(pose.aux.next_roi());
        self.timings
            .filter_ms
            .push(started.elapsed().as_secs_f64() * 1e3);

        result.pose = Some(Pose {
            landmarks: pose.landmarks.map(Some),
            world: Some(pose.world),
        });
        Ok(result)
    }

    /// Forgets tracking and filter state (stream reconnect, new clip). Timings are kept.
    pub fn reset(&mut self) {
        self.tracked = None;
        self.smoother.reset();
        self.camera.reset();
    }

    pub fn timings(&self) -> &StageTimings {
        &self.timings
    }

    /// The runtime the models run on, e.g. for the bench's report.
    pub fn engine_name(&self) -> &'static str {
        self.landmark.engine_name()
    }
}
