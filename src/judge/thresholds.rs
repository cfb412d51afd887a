//! Every number the judge holds a measure against: a named constant with its source, the
//! [`Thresholds`] table built from them, and [`Thresholds::resolve`], which applies a TOML file
//! (`--config`) and then `--threshold NAME=VALUE` overrides.

use std::path::Path;

use serde::Serialize;

use crate::config::{JudgeSettings, Sex};
use crate::geometry::measure_defaults;

// Landmarks below this visibility are not trusted: MediaPipe drawing_utils `_VISIBILITY_THRESHOLD`.
pub const MIN_VISIBILITY: f64 = measure_defaults::DEFAULT_MIN_VISIBILITY;
// Thigh seen at < cos 45° of its standing length: FPPA not judged (formcheck geometric rule).
pub const MIN_THIGH_PROJECTION: f64 = measure_defaults::DEFAULT_MIN_THIGH_PROJECTION;
// Herrington & Munro 2010 (Phys Ther Sport 11:56) drop-jump FPPA band, females 7–13°: upper bound.
pub const VALGUS_BILATERAL_FEMALE_DEG: f64 = 13.0;
// Herrington & Munro 2010 drop-jump FPPA band, males 3–8°: upper bound.
pub const VALGUS_BILATERAL_MALE_DEG: f64 = 8.0;
// Herrington & Munro 2010 single-leg step-landing FPPA band, females 5–12°: upper bound.
pub const VALGUS_SINGLE_LEG_FEMALE_DEG: f64 = 12.0;
// Herrington & Munro 2010 single-leg step-landing FPPA band, males 1–9°: upper bound.
pub const VALGUS_SINGLE_LEG_MALE_DEG: f64 = 9.0;
// > 10° FPPA marks dynamic valgus in the step-down / single-leg squat (programme specification, formcheck issue 4).
pub const VALGUS_STEP_DOWN_DEG: f64 = 10.0;
// Knees closer than 0.8 × ankle width at the bottom: valgus in a bilateral squat (formcheck rule after Noyes et al. 2005 AJSM 33:197 knee-separation screening).
pub const KNEE_ANKLE_RATIO_MIN: f64 = 0.8;
// Knee medial to the 2nd toe by > half a foot width (0.0275 H / 0.491 H hip–ankle, Winter 2009 segment proportions): past the foot's medial border, Piva et al. 2006 step-down criterion.
pub const KNEE_MEDIAL_TO_FOOT: f64 = 0.056;
// Knee > 10% of a foot length past the toes (formcheck rule for the coaching cue; Fry et al. 2003 JSCR 17:629 on its trade-offs).
pub const KNEE_PAST_TOE: f64 = 0.10;
// Left/right peak FPPA differing by > 5°: about twice the 2-D FPPA measurement error (formcheck rule; H&M 2010 expect symmetry).
pub const ASYMMETRY_FPPA_DEG: f64 = 5.0;
// Pelvis dropping > 5° on the free side (formcheck rule; clinical single-leg-squat rating asks for a level pelvis, Crossley et al. 2011).
pub const PELVIC_DROP_DEG: f64 = 5.0;
// Side plank: hip > 10° below the shoulder–ankle line at the top is sagging (formcheck rule).
pub const HIP_SAG_DEG: f64 = 10.0;
// Bridge: hip still > 20° short of straight (shoulder–hip–knee) at the top (formcheck rule).
pub const BRIDGE_TOP_HIP_FLEXION_DEG: f64 = 20.0;
// Side plank: trunk rolling through > 15° during a rep (formcheck rule).
pub const ROCKING_DEG: f64 = 15.0;
// A gap of more than 15 s between reps starts a new set (formcheck rule: inter-set rest is 30 s or more).
pub const SET_REST_S: f64 = 15.0;
// A squat bends the knee at least 40° (formcheck rule; a quarter squat is about 40–60°).
pub const SQUAT_MIN_KNEE_FLEXION_DEG: f64 = 40.0;
// Trunk leaning > 60° from vertical at the bottom is a stoop (bending to pick something up), not a squat (formcheck rule).
pub const SQUAT_MAX_TRUNK_LEAN_DEG: f64 = 60.0;
// Squat: the hip drops at least 0.2 leg lengths (formcheck rule; a quarter squat drops about 0.2–0.25).
pub const SQUAT_MIN_DEPTH: f64 = 0.20;
// Single-leg squat / step-down / lunge: the hip drops at least 0.1 leg lengths (formcheck rule; a 16 cm step-down).
pub const SINGLE_LEG_MIN_DEPTH: f64 = 0.10;
// Side step-up: the hip rises at least 0.1 leg lengths (formcheck rule; a 15–20 cm step).
pub const STEP_UP_MIN_RISE: f64 = 0.10;
// Bridge: the hip extends at least 20° from the floor position (formcheck rule).
pub const BRIDGE_MIN_LIFT_DEG: f64 = 20.0;
// Side plank: the hip lifts at least 15° against the shoulder–ankle line (formcheck rule).
pub const SIDE_PLANK_MIN_LIFT_DEG: f64 = 15.0;

/// Which of Herrington & Munro's bands `--sex` picks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SexBand {
    Female,
    Male,
    /// Not given: the female band, the wider one, so no one is flagged by the narrower band
    /// without asking for it.
    Unspecified,
}

impl From<Sex> for SexBand {
    fn from(s: Sex) -> Self {
        match s {
            Sex::Female => SexBand::Female,
            Sex::Male => SexBand::Male,
            Sex::Unspecified => SexBand::Unspecified,
        }
    }
}

/// The thresholds in force for one analysis; written into every output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Thresholds {
    pub sex: SexBand,
    pub min_visibility: f64,
    pub min_thigh_projection: f64,
    pub valgus_bilateral_female_deg: f64,
    pub valgus_bilateral_male_deg: f64,
    pub valgus_single_leg_female_deg: f64,
    pub valgus_single_leg_male_deg: f64,
    pub valgus_step_down_deg: f64,
    pub knee_ankle_ratio_min: f64,
    pub knee_medial_to_foot: f64,
    pub knee_past_toe: f64,
    pub asymmetry_fppa_deg: f64,
    pub pelvic_drop_deg: f64,
    pub hip_sag_deg: f64,
    pub bridge_top_hip_flexion_deg: f64,
    pub rocking_deg: f64,
    pub set_rest_s: f64,
    pub squat_min_knee_flexion_deg: f64,
    pub squat_max_trunk_lean_deg: f64,
    pub squat_min_depth: f64,
    pub single_leg_min_depth: f64,
    pub step_up_min_rise: f64,
    pub bridge_min_lift_deg: f64,
    pub side_plank_min_lift_deg: f64,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            sex: SexBand::Unspecified,
            min_visibility: MIN_VISIBILITY,
            min_thigh_projection: MIN_THIGH_PROJECTION,
            valgus_bilateral_female_deg: VALGUS_BILATERAL_FEMALE_DEG,
            valgus_bilateral_male_deg: VALGUS_BILATERAL_MALE_DEG,
            valgus_single_leg_female_deg: VALGUS_SINGLE_LEG_FEMALE_DEG,
            valgus_single_leg_male_deg: VALGUS_SINGLE_LEG_MALE_DEG,
            valgus_step_down_deg: VALGUS_STEP_DOWN_DEG,
            knee_ankle_ratio_min: KNEE_ANKLE_RATIO_MIN,
            knee_medial_to_foot: KNEE_MEDIAL_TO_FOOT,
            knee_past_toe: KNEE_PAST_TOE,
            asymmetry_fppa_deg: ASYMMETRY_FPPA_DEG,
            pelvic_drop_deg: PELVIC_DROP_DEG,
            hip_sag_deg: HIP_SAG_DEG,
            bridge_top_hip_flexion_deg: BRIDGE_TOP_HIP_FLEXION_DEG,
            rocking_deg: ROCKING_DEG,
            set_rest_s: SET_REST_S,
            squat_min_knee_flexion_deg: SQUAT_MIN_KNEE_FLEXION_DEG,
            squat_max_trunk_lean_deg: SQUAT_MAX_TRUNK_LEAN_DEG,
            squat_min_depth: SQUAT_MIN_DEPTH,
            single_leg_min_depth: SINGLE_LEG_MIN_DEPTH,
            step_up_min_rise: STEP_UP_MIN_RISE,
            bridge_min_lift_deg: BRIDGE_MIN_LIFT_DEG,
            side_plank_min_lift_deg: SIDE_PLANK_MIN_LIFT_DEG,
        }
    }
}

/// Errors building the thresholds; each names the file or flag at fault.
#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    #[error("--config {path}: cannot read it: {source}")]
    ConfigRead {
        path: String,
        source: std::io::Error,
    },
    #[error("--config {path}: not valid TOML: {message}")]
    ConfigParse { path: String, message: String },
    #[error("{origin}: unknown threshold '{name}'; known thresholds: {known}")]
    UnknownThreshold {
        origin: String,
        name: String,
        known: String,
    },
    #[error("{origin}: threshold '{name}' must be a number")]
    NotANumber { origin: String, name: String },
    #[error("{origin}: threshold '{name}' = {value} is out of range ({range})")]
    OutOfRange {
        origin: String,
        name: String,
        value: f64,
        range: &'static str,
    },
}

impl Thresholds {
    /// Names accepted in a TOML file and by `--threshold`.
    pub fn names() -> Vec<&'static str> {
        Thresholds::default()
            .slots()
            .into_iter()
            .map(|(name, _)| name)
            .collect()
    }

    fn slots(&mut self) -> Vec<(&'static str, &mut f64)> {
        vec![
            ("min_visibility", &mut self.min_visibility),
            ("min_thigh_projection", &mut self.min_thigh_projection),
            (
                "valgus_bilateral_female_deg",
                &mut self.valgus_bilateral_female_deg,
            ),
            (
                "valgus_bilateral_male_deg",
                &mut self.valgus_bilateral_male_deg,
            ),
            (
                "valgus_single_leg_female_deg",
                &mut self.valgus_single_leg_female_deg,
            ),
            (
                "valgus_single_leg_male_deg",
                &mut self.valgus_single_leg_male_deg,
            ),
            ("valgus_step_down_deg", &mut self.valgus_step_down_deg),
            ("knee_ankle_ratio_min", &mut self.knee_ankle_ratio_min),
            ("knee_medial_to_foot", &mut self.knee_medial_to_foot),
            ("knee_past_toe", &mut self.knee_past_toe),
            ("asymmetry_fppa_deg", &mut self.asymmetry_fppa_deg),
            ("pelvic_drop_deg", &mut self.pelvic_drop_deg),
            ("hip_sag_deg", &mut self.hip_sag_deg),
            (
                "bridge_top_hip_flexion_deg",
                &mut self.bridge_top_hip_flexion_deg,
            ),
            ("rocking_deg", &mut self.rocking_deg),
            ("set_rest_s", &mut self.set_rest_s),
            (
                "squat_min_knee_flexion_deg",
                &mut self.squat_min_knee_flexion_deg,
            ),
            (
                "squat_max_trunk_lean_deg",
                &mut self.squat_max_trunk_lean_deg,
            ),
            ("squat_min_depth", &mut self.squat_min_depth),
            ("single_leg_min_depth", &mut self.single_leg_min_depth),
            ("step_up_min_rise", &mut self.step_up_min_rise),
            ("bridge_min_lift_deg", &mut self.bridge_min_lift_deg),
            ("side_plank_min_lift_deg", &mut self.side_plank_min_lift_deg),
        ]
    }

    /// Sets one threshold by name, checking its range. `origin` names the flag or file.
    pub fn set(&mut self, name: &str, value: f64, origin: &str) -> Result<(), JudgeError> {
        let range: &'static str = match name {
            "min_visibility" | "min_thigh_projection" => "0 to 1",
            _ => "0 or more",
        };
        let ok = value.is_finite() && value >= 0.0 && (range != "0 to 1" || value <= 1.0);
        let mut slots = self.slots();
        let Some((_, slot)) = slots.iter_mut().find(|(n, _)| *n == name) else {
            return Err(JudgeError::UnknownThreshold {
                origin: origin.to_string(),
                name: name.to_string(),
                known: Thresholds::names().join(", "),
            });
        };
        if !ok {
            return Err(JudgeError::OutOfRange {
                origin: origin.to_string(),
                name: name.to_string(),
                value,
                range,
            });
        }
        **slot = value;
        Ok(())
    }

    /// Defaults, then the `--config` TOML file, then `--threshold NAME=VALUE` (which wins).
    pub fn resolve(settings: &JudgeSettings) -> Result<Thresholds, JudgeError> {
        let mut t = Thresholds {
            sex: settings.sex.into(),
            ..Thresholds::default()
        };
        if let Some(path) = &settings.config_file {
            t.apply_toml_file(path)?;
        }
        for (name, value) in &settings.overrides {
            t.set(name, *value, "--threshold")?;
        }
        Ok(t)
    }

    /// Reads `name = value` lines, at the top level or under a `[thresholds]` table.
    pub fn apply_toml_file(&mut self, path: &Path) -> Result<(), JudgeError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|source| JudgeError::ConfigRead {
            path: shown.clone(),
            source,
        })?;
        self.apply_toml(&text, &format!("--config {shown}"))
    }

    /// As [`Self::apply_toml_file`], from text; `origin` names where it came from.
    pub fn apply_toml(&mut self, text: &str, origin: &str) -> Result<(), JudgeError> {
        let table: toml::Table =
            text.parse()
                .map_err(|e: toml::de::Error| JudgeError::ConfigParse {
                    path: origin.trim_start_matches("--config ").to_string(),
                    message: e.message().to_string(),
                })?;
        for (key, value) in &table {
            match (key.as_str(), value) {
                ("thresholds", toml::Value::Table(inner)) => {
                    for (k, v) in inner {
                        self.set_toml(k, v, origin)?;
                    }
                }
                _ => self.set_toml(key, value, origin)?,
            }
        }
        Ok(())
    }

    fn set_toml(
        &mut self,
        name: &str,
        value: &toml::Value,
        origin: &str,
    ) -> Result<(), JudgeError> {
        let number = match value {
            toml::Value::Float(f) => *f,
            toml::Value::Integer(i) => *i as f64,
            _ => {
                return Err(JudgeError::NotANumber {
                    origin: origin.to_string(),
                    name: name.to_string(),
                })
            }
        };
        self.set(name, number, origin)
    }

    /// The peak-FPPA limit for a task's band under the chosen sex.
    pub fn valgus_limit_deg(&self, band: super::ValgusBand) -> f64 {
        use super::ValgusBand::*;
        match (band, self.sex) {
            (Bilateral, SexBand::Male) => self.valgus_bilateral_male_deg,
            (Bilateral, _) => self.valgus_bilateral_female_deg,
            (SingleLeg, SexBand::Male) => self.valgus_single_leg_male_deg,
            (SingleLeg, _) => self.valgus_single_leg_female_deg,
            (StepDown, _) => self.valgus_step_down_deg,
        }
    }

    /// The quality limits geometry checks against.
    pub fn measure_context(&self) -> crate::geometry::MeasureContext {
        crate::geometry::MeasureContext {
            min_visibility: self.min_visibility,
            min_thigh_projection: self.min_thigh_projection,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> JudgeSettings {
        JudgeSettings {
            exercise: None,
            side: None,
            sex: Sex::Unspecified,
            config_file: None,
            overrides: vec![],
        }
    }

    #[test]
    fn flag_overrides_file_which_overrides_default() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.toml");
        std::fs::write(
            &path,
            "valgus_step_down_deg = 12\n[thresholds]\nknee_past_toe = 0.2\n",
        )
        .unwrap();
        let mut s = settings();
        s.config_file = Some(path);
        s.overrides = vec![("valgus_step_down_deg".into(), 14.0)];
        let t = Thresholds::resolve(&s).unwrap();
        assert_eq!(t.valgus_step_down_deg, 14.0);
        assert_eq!(t.knee_past_toe, 0.2);
        assert_eq!(t.pelvic_drop_deg, PELVIC_DROP_DEG);
    }

    #[test]
    fn unknown_name_is_rejected_naming_its_origin_and_the_known_names() {
        let mut s = settings();
        s.overrides = vec![("valgus".into(), 3.0)];
        let err = Thresholds::resolve(&s).unwrap_err().to_string();
        assert!(
            err.starts_with("--threshold: unknown threshold 'valgus'"),
            "{err}"
        );
        assert!(err.contains("valgus_step_down_deg"), "{err}");

        let mut t = Thresholds::default();
        let err = t
            .apply_toml("knee_pst_toe = 1", "--config my.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--config my.toml") && err.contains("knee_pst_toe"),
            "{err}"
        );
    }

    #[test]
    fn bad_values_are_rejected() {
        let mut t = Thresholds::default();
        assert!(t
            .apply_toml("knee_past_toe = \"far\"", "--config x")
            .is_err());
        assert!(t.apply_toml("min_visibility = 2.0", "--config x").is_err());
        assert!(t.set("hip_sag_deg", -1.0, "--threshold").is_err());
        assert!(t.apply_toml("not toml at all [", "--config x").is_err());
    }

    #[test]
    fn sex_picks_the_band() {
        use crate::judge::ValgusBand;
        let mut t = Thresholds::default();
        assert_eq!(t.valgus_limit_deg(ValgusBand::Bilateral), 13.0);
        t.sex = SexBand::Male;
        assert_eq!(t.valgus_limit_deg(ValgusBand::Bilateral), 8.0);
        assert_eq!(t.valgus_limit_deg(ValgusBand::SingleLeg), 9.0);
        assert_eq!(t.valgus_limit_deg(ValgusBand::StepDown), 10.0);
    }
}
