//! The small commands' settings (`history`, `triangulate`, `index`), and the `--history` flags
//! that `analyze` and `live` share.

use std::path::PathBuf;

use super::{flag_error, ConfigError};
use crate::cli;
use crate::history::{HistoryCommand, HistorySettings};
use crate::multiview::TriangulateSettings;

#[derive(Debug, Clone)]
pub struct IndexConfig {
    pub out: PathBuf,
    /// A manifest to check OUT against.
    pub check: Option<PathBuf>,
}

pub(super) fn index(a: cli::IndexArgs) -> IndexConfig {
    IndexConfig {
        out: a.out,
        check: a.check,
    }
}

pub(super) fn history(h: cli::HistoryCommandArgs) -> Result<HistoryCommand, ConfigError> {
    let path = match h.history {
        Some(path) => path,
        None => default_history()?,
    };
    // A report or CSV written over the database (or over each other) loses what it replaces.
    let mut files = vec![("--history", path.as_path())];
    files.extend(h.report.as_deref().map(|p| ("--report", p)));
    files.extend(h.csv.as_deref().map(|p| ("--csv", p)));
    crate::output::guard::refuse_same_files(&files)?;
    Ok(HistoryCommand {
        path,
        person: h.person,
        report: h.report,
        csv: h.csv,
    })
}

fn default_history() -> Result<PathBuf, ConfigError> {
    crate::history::default_path().map_err(|e| flag_error("history", e.to_string()))
}

/// `--history`, `--no-history` and `--person`: the default database unless told otherwise (a
/// shard records nothing unless given `--history`: a cluster's home folder is often on a network
/// file system, where SQLite's locks cannot be trusted).
pub(super) fn history_settings(
    args: cli::HistoryArgs,
    default_on: bool,
) -> Result<HistorySettings, ConfigError> {
    if args.person.as_deref().is_some_and(|p| p.trim().is_empty()) {
        return Err(flag_error("person", "must not be empty"));
    }
    let path = match (args.history, args.no_history) {
        (_, true) => None,
        (Some(path), false) => Some(path),
        (None, false) if default_on => Some(default_history()?),
        (None, false) => None,
    };
    Ok(HistorySettings {
        path,
        person_given: args.person.is_some(),
        person: args
            .person
            .unwrap_or_else(|| crate::history::DEFAULT_PERSON.to_string()),
    })
}

/// `--csv` and `--json` may be neither an input (the calibration, a view's landmarks) nor each
/// other.
fn refuse_triangulate_overwrites(
    a: &cli::TriangulateArgs,
    views: &[(String, PathBuf)],
) -> Result<(), ConfigError> {
    use crate::output::guard;
    let read = guard::Inputs::new(
        std::iter::once(a.calibration.as_path()).chain(views.iter().map(|(_, f)| f.as_path())),
    );
    let mut outputs = Vec::new();
    outputs.extend(a.csv.as_deref().map(|p| ("--csv", p)));
    outputs.extend(a.json.as_deref().map(|p| ("--json", p)));
    for (flag, path) in &outputs {
        read.check(flag, path)?;
    }
    Ok(guard::refuse_same_files(&outputs)?)
}

/// `--view NAME=FILE` (two or more, names distinct) and `--up AXIS`, checked.
pub(super) fn triangulate(a: cli::TriangulateArgs) -> Result<TriangulateSettings, ConfigError> {
    let mut views: Vec<(String, PathBuf)> = Vec::new();
    for v in &a.views {
        let Some((name, file)) = v
            .split_once('=')
            .filter(|(n, f)| !n.is_empty() && !f.is_empty())
        else {
            return Err(flag_error("view", format!("{v:?} is not NAME=FILE")));
        };
        if views.iter().any(|(n, _)| n == name) {
            return Err(flag_error("view", format!("camera {name} is given twice")));
        }
        let file = PathBuf::from(file);
        if let Some((other, _)) = views
            .iter()
            .find(|(_, f)| crate::output::guard::is_same_file(f, &file))
        {
            return Err(flag_error(
                "view",
                format!(
                    "{name} and {other} are one file ({}); give each camera's own landmarks",
                    file.display()
                ),
            ));
        }
        views.push((name.to_string(), file));
    }
    if views.len() < 2 {
        return Err(flag_error(
            "view",
            "triangulating needs two or more views (give --view NAME=FILE for each)",
        ));
    }
    let (sign, axis) = match a.up.strip_prefix('-') {
        Some(axis) => (-1.0, axis),
        None => (1.0, a.up.strip_prefix('+').unwrap_or(&a.up)),
    };
    let up = match axis {
        "x" => nalgebra::Vector3::x(),
        "y" => nalgebra::Vector3::y(),
        "z" => nalgebra::Vector3::z(),
        _ => {
            return Err(flag_error(
                "up",
                format!("{:?} is not an axis (x, y, z, -x, -y or -z)", a.up),
            ))
        }
    } * sign;
    refuse_triangulate_overwrites(&a, &views)?;
    Ok(TriangulateSettings {
        calibration: a.calibration,
        views,
        up,
        sync: a.sync.map(i64::from),
        csv: a.csv,
        json: a.json,
    })
}
