//! Pose2Sim's calibration TOML (the format OpenCV-based tools such as Pose2Sim and Anipose
//! write): one table per camera with its image size, intrinsic matrix, distortions
//! (k1, k2, p1, p2), Rodrigues rotation and translation, world to camera.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::camera::{Camera, CameraError};

#[derive(Debug, thiserror::Error)]
pub enum CalibrationError {
    #[error("--calibration {path}: cannot read it: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("--calibration {path} is not a Pose2Sim calibration TOML: {message}")]
    Format { path: PathBuf, message: String },
    #[error("--calibration {path}: camera {name}: {source}")]
    Camera {
        path: PathBuf,
        name: String,
        source: CameraError,
    },
    #[error("--calibration {path} has no cameras")]
    Empty { path: PathBuf },
}

#[derive(Debug, Deserialize)]
struct CameraTable {
    name: String,
    size: [f64; 2],
    matrix: [[f64; 3]; 3],
    distortions: Vec<f64>,
    rotation: [f64; 3],
    translation: [f64; 3],
    #[serde(default)]
    fisheye: bool,
}

/// The cameras of a calibration file, in the file's order.
pub fn load_calibration(path: &Path) -> Result<Vec<Camera>, CalibrationError> {
    let text = crate::text_file::read_capped(path).map_err(|source| CalibrationError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    parse_calibration(&text).map_err(|e| match e {
        Parse::Format(message) => CalibrationError::Format {
            path: path.to_path_buf(),
            message,
        },
        Parse::Camera(name, source) => CalibrationError::Camera {
            path: path.to_path_buf(),
            name,
            source,
        },
        Parse::Empty => CalibrationError::Empty {
            path: path.to_path_buf(),
        },
    })
}

#[derive(Debug)]
enum Parse {
    Format(String),
    Camera(String, CameraError),
    Empty,
}

/// The cameras of a calibration file's text, or why not (for fuzzing: any error will do).
pub fn parse_calibration_text(text: &str) -> Option<Vec<Camera>> {
    parse_calibration(text).ok()
}

fn parse_calibration(text: &str) -> Result<Vec<Camera>, Parse> {
    let tables: toml::Table = toml::from_str(text).map_err(|e| Parse::Format(e.to_string()))?;
    let mut cameras = Vec::new();
    for (key, value) in tables {
        // Pose2Sim adds a [metadata] table beside the cameras.
        if key == "metadata" {
            continue;
        }
        let table: CameraTable = value
            .try_into()
            .map_err(|e: toml::de::Error| Parse::Format(format!("[{key}]: {}", e.message())))?;
        if table.fisheye {
            return Err(Parse::Camera(table.name, CameraError::Fisheye));
        }
        let camera = Camera::new(
            &table.name,
            table.size,
            table.matrix,
            &table.distortions,
            table.rotation,
            table.translation,
        )
        .map_err(|e| Parse::Camera(table.name.clone(), e))?;
        cameras.push(camera);
    }
    if cameras.is_empty() {
        return Err(Parse::Empty);
    }
    Ok(cameras)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ONE: &str = r#"
[cam_1]
name = "cam01"
size = [ 1087.0, 1919.0,]
matrix = [ [ 1681.2, 0.0, 533.0,], [ 0.0, 1681.1, 948.1,], [ 0.0, 0.0, 1.0,],]
distortions = [ -0.0007, 0.0022, 9.5e-06, 1.1e-05,]
rotation = [ 1.688, 1.048, -0.420,]
translation = [ 0.00032, 0.00096, 0.00289,]
fisheye = false

[metadata]
adjusted = false
error = 0.0
"#;

    #[test]
    fn reads_pose2sim_tables_and_skips_metadata() {
        let cams = parse_calibration(ONE).unwrap();
        assert_eq!(cams.len(), 1);
        assert_eq!(cams[0].name(), "cam01");
    }

    #[test]
    fn a_fisheye_camera_or_a_broken_table_is_refused() {
        let fisheye = ONE.replace("fisheye = false", "fisheye = true");
        assert!(matches!(
            parse_calibration(&fisheye),
            Err(Parse::Camera(_, CameraError::Fisheye))
        ));
        let broken = ONE.replace("matrix =", "matrixx =");
        assert!(matches!(parse_calibration(&broken), Err(Parse::Format(_))));
        assert!(matches!(parse_calibration(""), Err(Parse::Empty)));
    }
}
