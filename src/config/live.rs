//! `formcheck live`, resolved.

use std::path::{Path, PathBuf};

use super::judge::judge_settings;
use super::{commands::history_settings, flag_error, ConfigError, Global};
use crate::analysis::JudgeSettings;
use crate::cli;
use crate::history::HistorySettings;
use crate::output::guard::Inputs;
use crate::pose::PoseSettings;
use crate::programme::Programme;
use crate::video::SourceSpec;

/// The longest `--reconnect-for`: a day. Longer is "forever", which a service manager restarting
/// formcheck does better (and 1e20 s overflowed the clock).
pub const MAX_RECONNECT_FOR_S: f64 = 86_400.0;

/// What is spoken, and where it is kept.
#[derive(Debug, Clone)]
pub struct VoiceSettings {
    /// Played on the sound device (`--voice`); else only kept in the log.
    pub aloud: bool,
    pub log: Option<PathBuf>,
}

/// A guided session: the programme, and each exercise's own recording when replayed from files.
#[derive(Debug, Clone)]
pub struct GuidedSettings {
    pub programme: Programme,
    /// The programme's file, or "built-in".
    pub name: String,
    /// One per exercise, in programme order; empty when one camera or stream serves them all.
    pub files: Vec<PathBuf>,
}

#[derive(Debug, Clone)]
pub struct LiveConfig {
    /// The camera; with `side_view`, the front camera.
    pub source: SourceSpec,
    /// `--side-view`: a second camera at the side of the same set.
    pub side_view: Option<SourceSpec>,
    /// Speech, when asked for.
    pub voice: Option<VoiceSettings>,
    /// `--programme`: a guided session instead of one exercise.
    pub programme: Option<GuidedSettings>,
    pub history: HistorySettings,
    pub pose: PoseSettings,
    pub judge: JudgeSettings,
    pub session: Option<PathBuf>,
    pub record: Option<PathBuf>,
    pub window: bool,
    pub quiet: bool,
    /// How long a lost stream is retried before the session ends.
    pub reconnect_for: std::time::Duration,
}

impl LiveConfig {
    pub(super) fn resolve(l: cli::LiveArgs, global: &Global) -> Result<Self, ConfigError> {
        let programme = guided(&l)?;
        let views = match (&l.front_view, &l.side_view) {
            (Some(front), Some(side)) => Some(two_views(front, side)?),
            _ => None,
        };
        let source = match (&views, l.camera, &l.url, l.file.first()) {
            (Some((front, _)), ..) => front.clone(),
            (None, Some(i), None, None) => SourceSpec::Camera(i),
            (None, None, Some(u), None) => SourceSpec::Url(u.clone()),
            (None, None, None, Some(f)) => SourceSpec::File(f.clone()),
            (None, None, None, None) => SourceSpec::Camera(0),
            _ => {
                return Err(flag_error(
                    "camera",
                    "give one of --camera, --url or --file",
                ))
            }
        };
        if !(l.reconnect_for.is_finite() && (0.0..=MAX_RECONNECT_FOR_S).contains(&l.reconnect_for))
        {
            return Err(flag_error(
                "reconnect-for",
                format!(
                    "{} is not a number of seconds from 0 to {MAX_RECONNECT_FOR_S} (a day)",
                    l.reconnect_for
                ),
            ));
        }
        refuse_overwrites(&l, views.as_ref())?;
        let history = history_settings(l.history.clone(), true)?;
        refuse_one_file_twice(&l, &history)?;
        let voice = (l.voice || l.voice_log.is_some()).then(|| VoiceSettings {
            aloud: l.voice,
            log: l.voice_log.clone(),
        });
        Ok(LiveConfig {
            side_view: views.map(|v| v.1),
            voice,
            programme,
            history,
            reconnect_for: std::time::Duration::from_secs_f64(l.reconnect_for),
            source,
            pose: global.pose(!l.judge.no_smooth, None)?,
            judge: judge_settings(&l.judge)?,
            session: l.session,
            record: l.record,
            window: !l.no_window,
            quiet: global.quiet,
        })
    }
}

/// `--programme [FILE]` with the flags it rules out, or one `--file` without it.
fn guided(l: &cli::LiveArgs) -> Result<Option<GuidedSettings>, ConfigError> {
    let programme = match &l.programme {
        None => None,
        Some(None) => Some(GuidedSettings {
            programme: Programme::default_programme(),
            name: "built-in".into(),
            files: Vec::new(),
        }),
        Some(Some(path)) => Some(GuidedSettings {
            programme: Programme::load(path)?,
            name: path.display().to_string(),
            files: Vec::new(),
        }),
    };
    match programme {
        Some(g) => Ok(Some(guided_settings(
            g,
            &l.file,
            &l.judge,
            l.record.is_some(),
        )?)),
        None if l.file.len() > 1 => Err(flag_error(
            "file",
            "give it once (several, one per exercise, only with --programme)",
        )),
        None => Ok(None),
    }
}

/// A recording, voice log or session log must never replace a video being read (nor each other:
/// [`refuse_one_file_twice`]).
fn refuse_overwrites(
    l: &cli::LiveArgs,
    views: Option<&(SourceSpec, SourceSpec)>,
) -> Result<(), ConfigError> {
    let mut read: Vec<&Path> = l.file.iter().map(PathBuf::as_path).collect();
    for spec in views.into_iter().flat_map(|(front, side)| [front, side]) {
        if let SourceSpec::File(path) = spec {
            read.push(path);
        }
    }
    let inputs = Inputs::new(read);
    if let Some(record) = &l.record {
        inputs.check("--record", record)?;
    }
    if let Some(voice_log) = &l.voice_log {
        inputs.check("--voice-log", voice_log)?;
    }
    if let Some(session) = &l.session {
        inputs.check("--session", session)?;
    }
    Ok(())
}

/// The history database, the recording, the voice log and the session log: four different
/// files, or one replaces another (a WAV over the database loses the whole history).
fn refuse_one_file_twice(l: &cli::LiveArgs, history: &HistorySettings) -> Result<(), ConfigError> {
    let mut files: Vec<(&str, &Path)> = Vec::new();
    files.extend(history.path.as_deref().map(|p| ("--history", p)));
    files.extend(l.record.as_deref().map(|p| ("--record", p)));
    files.extend(l.voice_log.as_deref().map(|p| ("--voice-log", p)));
    files.extend(l.session.as_deref().map(|p| ("--session", p)));
    Ok(crate::output::guard::refuse_same_files(&files)?)
}

/// The two cameras of a session: one file given as both (in any spelling or through a link)
/// would be lined up with itself and judged as two views.
fn two_views(front: &str, side: &str) -> Result<(SourceSpec, SourceSpec), ConfigError> {
    let views = (
        view_source("front-view", front)?,
        view_source("side-view", side)?,
    );
    if let (SourceSpec::File(a), SourceSpec::File(b)) = &views {
        if crate::output::guard::is_same_file(a, b) {
            return Err(flag_error(
                "side-view",
                format!(
                    "{} is the --front-view video {} too; give the other camera's video",
                    b.display(),
                    a.display()
                ),
            ));
        }
    }
    Ok(views)
}

/// A camera of a two-camera session: a webcam index, a stream URL, or a video file (which must
/// exist).
fn view_source(flag: &'static str, text: &str) -> Result<SourceSpec, ConfigError> {
    if text.trim().is_empty() {
        return Err(flag_error(
            flag,
            "give a webcam index, a stream URL or a video file",
        ));
    }
    if let Ok(index) = text.parse::<i32>() {
        return Ok(SourceSpec::Camera(index));
    }
    if text.contains("://") {
        return Ok(SourceSpec::Url(text.to_string()));
    }
    Ok(SourceSpec::File(PathBuf::from(text)))
}

/// A programme's checks against the rest of `live`'s flags: the exercises and sides are the
/// programme's, and a recording per exercise means exactly one `--file` for each.
fn guided_settings(
    mut g: GuidedSettings,
    files: &[PathBuf],
    judge: &cli::JudgeArgs,
    record: bool,
) -> Result<GuidedSettings, ConfigError> {
    if judge.exercise.is_some() {
        return Err(flag_error(
            "exercise",
            "not with --programme, which names its own exercises",
        ));
    }
    if judge.side.is_some() {
        return Err(flag_error(
            "side",
            "not with --programme, which names its own sides",
        ));
    }
    let steps = g.programme.steps.len();
    if files.len() > 1 || (files.len() == 1 && steps > 1) {
        if files.len() != steps {
            return Err(flag_error(
                "file",
                format!(
                    "the programme has {steps} exercise{}; give --file once for each, in order ({} given)",
                    if steps == 1 { "" } else { "s" },
                    files.len()
                ),
            ));
        }
        if record {
            return Err(flag_error(
                "record",
                "not with one --file per exercise (the files are the recording)",
            ));
        }
    }
    if !files.is_empty() {
        g.files = files.to_vec();
    }
    Ok(g)
}
