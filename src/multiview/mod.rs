//! Several cameras on one body. Calibrated: synchronised views → its landmarks in 3-D, and each
//! single camera's frontal-plane knee angle against the 3-D one (beside geometry). Uncalibrated,
//! a front and a side camera ([`pair`]): each view's analysis, synchronised from the movement and
//! merged rep by rep (after the judge). Plain types and nalgebra, no OpenCV. The calibration file
//! is read here, at the edge of the stage; landmark files are read by the caller.

pub mod calibration;
pub mod camera;
mod command;
pub mod held;
pub mod pair;
pub mod sync;
pub mod triangulate;
pub mod validate;

pub use calibration::{load_calibration, CalibrationError};
pub use camera::Camera;
pub use command::{run, table, MultiviewError, TriangulateSettings};
pub use sync::{find_offset, Offset};
pub use triangulate::{triangulate, Triangulated};
pub use validate::{validate, CameraFigures, LegFrame, Validation, View};
