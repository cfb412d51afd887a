//! Every number the judge holds a measure against: a named constant with its source, the
//! [`Thresholds`] table built from them, and [`Thresholds::apply_toml`], which applies a TOML
//! (`--config`) and then `--threshold NAME=VALUE` overrides.

use serde::{Deserialize, Serialize};

use crate::geometry::measure_defaults;

/// Declares every threshold once: its constant (with the one-line source), its field in
/// [`Thresholds`], its unit and its valid range. Everything else (defaults, names, TOML, range
/// checks, the table `formcheck exercises` prints) is generated from this list.
macro_rules! thresholds {
    ($( #[doc = $source:literal] $konst:ident $field:ident = $value:expr, $unit:literal, $lo:expr, $hi:expr; )*) => {
        $( #[doc = $source] pub const $konst: f64 = $value; )*

        /// The thresholds in force for one analysis; written into every output.
        #[derive(Debug, Clone, PartialEq, Serialize)]
        pub struct Thresholds {
            pub sex: SexBand,
            $( pub $field: f64, )*
        }

        impl Default for Thresholds {
            fn default() -> Self {
                Thresholds { sex: SexBand::Unspecified, $( $field: $konst, )* }
            }
        }

        /// Every threshold's name, unit, valid range and source.
        pub const SPECS: &[Spec] = &[
            $( Spec { name: stringify!($field), default: $konst, unit: $unit, min: $lo, max: $hi, source: $source.trim_ascii() }, )*
        ];

        /// A threshold file: each name at most once, unknown names refused by serde.
        #[derive(Debug, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct ThresholdFile {
            $( #[serde(default)] $field: Option<f64>, )*
        }

        impl ThresholdFile {
            fn values(&self) -> Vec<(&'static str, f64)> {
                let mut out = Vec::new();
                $( if let Some(v) = self.$field { out.push((stringify!($field), v)); } )*
                out
            }
        }

        impl Thresholds {
            fn slot(&mut self, name: &str) -> Option<&mut f64> {
                match name {
                    $( stringify!($field) => Some(&mut self.$field), )*
                    _ => None,
                }
            }
        }
    };
}

thresholds! {
    /// Landmarks below this visibility are not trusted: MediaPipe drawing_utils `_VISIBILITY_THRESHOLD`.
    MIN_VISIBILITY min_visibility = measure_defaults::DEFAULT_MIN_VISIBILITY, "visibility", 0.0, 1.0;
    /// Thigh seen at < cos 45° of its standing length: FPPA not judged (formcheck geometric rule).
    MIN_THIGH_PROJECTION min_thigh_projection = measure_defaults::DEFAULT_MIN_THIGH_PROJECTION, "of standing length", 0.0, 1.0;
    /// FPPA not judged once the thigh runs > 45° off the hip–ankle line: knee bend, not valgus, then shapes the image angle (formcheck geometric rule).
    MAX_THIGH_OFF_LEG_LINE_DEG max_thigh_off_leg_line_deg = measure_defaults::MAX_THIGH_OFF_LEG_LINE_DEG, "degrees", 0.0, 180.0;
    /// Shoulder+hip width over torso length of a body square to the camera (formcheck calibration: frontal shared clips 0.52–0.56).
    FRONTAL_WIDTH_RATIO frontal_width_ratio = measure_defaults::FRONTAL_WIDTH_RATIO, "of torso length", 0.05, 2.0;
    /// Frontal-plane angles need the body within 25° of square to the camera (formcheck rule after Englander et al. 2019, OJSM 7:2325967118819831: 15° off-axis flips 2-D varus to valgus).
    FRONTAL_MAX_TURN_DEG frontal_max_turn_deg = measure_defaults::FRONTAL_MAX_TURN_DEG, "degrees", 0.0, 90.0;
    /// Side-view measures need the body turned at least 65° (formcheck rule: the foot keeps > 90% of its length in the image).
    SIDE_MIN_TURN_DEG side_min_turn_deg = measure_defaults::SIDE_MIN_TURN_DEG, "degrees", 0.0, 90.0;
    /// Knee more than one foot length ahead of or behind the toe: a failed measurement, not a fault (formcheck rule).
    MAX_PLAUSIBLE_KNEE_OVER_TOE max_plausible_knee_over_toe = measure_defaults::MAX_PLAUSIBLE_KNEE_OVER_TOE, "foot lengths", 0.0, 5.0;
    /// FPPA is read no deeper than 60° of knee bend: single-leg squat studies read it at 45–60° (Munro, Herrington & Carolan 2012, J Sport Rehabil 21:7); deeper, the bend itself tilts the 2-D angle.
    FPPA_MAX_KNEE_FLEXION_DEG fppa_max_knee_flexion_deg = 60.0, "degrees", 0.0, 180.0;
    /// Herrington & Munro 2010 (Phys Ther Sport 11:56) drop-jump FPPA band, females 7–13°: upper bound.
    VALGUS_BILATERAL_FEMALE_DEG valgus_bilateral_female_deg = 13.0, "degrees", 0.0, 90.0;
    /// Herrington & Munro 2010 drop-jump FPPA band, males 3–8°: upper bound.
    VALGUS_BILATERAL_MALE_DEG valgus_bilateral_male_deg = 8.0, "degrees", 0.0, 90.0;
    /// Herrington & Munro 2010 single-leg step-landing FPPA band, females 5–12°: upper bound.
    VALGUS_SINGLE_LEG_FEMALE_DEG valgus_single_leg_female_deg = 12.0, "degrees", 0.0, 90.0;
    /// Herrington & Munro 2010 single-leg step-landing FPPA band, males 1–9°: upper bound.
    VALGUS_SINGLE_LEG_MALE_DEG valgus_single_leg_male_deg = 9.0, "degrees", 0.0, 90.0;
    /// > 10° FPPA marks dynamic valgus in the step-down / single-leg squat (programme specification, formcheck issue 4).
    VALGUS_STEP_DOWN_DEG valgus_step_down_deg = 10.0, "degrees", 0.0, 90.0;
    /// Knees closer than 0.8 × ankle width at the bottom: valgus in a bilateral squat (formcheck rule after Noyes et al. 2005 AJSM 33:197 knee-separation screening).
    KNEE_ANKLE_RATIO_MIN knee_ankle_ratio_min = 0.8, "knee/ankle width", 0.0, 5.0;
    /// Knee inside the hip–2nd-toe line by > half a foot width (0.0275 H / 0.491 H hip–ankle, Winter 2009 segment proportions): past the foot's medial border, Piva et al. 2006 step-down criterion.
    KNEE_MEDIAL_TO_FOOT knee_medial_to_foot = 0.056, "leg lengths", 0.0, 1.0;
    /// Knee > 10% of a foot length past the toes in a lunge, step-up or single-leg squat: the programme's "knee not past the toes" (formcheck rule for the number).
    KNEE_PAST_TOE knee_past_toe = 0.10, "foot lengths", 0.0, 1.0;
    /// Squat: 1 makes knee travel past the toes a fault; 0 (default) reports it only, since restricting it moves load to the hip and back (Fry et al. 2003, JSCR 17:629).
    SQUAT_KNEE_PAST_TOE_FAULT squat_knee_past_toe_fault = 0.0, "0 off, 1 on", 0.0, 1.0;
    /// Left/right peak FPPA differing by > 5°: about twice the 2-D FPPA measurement error (formcheck rule; H&M 2010 expect symmetry).
    ASYMMETRY_FPPA_DEG asymmetry_fppa_deg = 5.0, "degrees", 0.0, 90.0;
    /// Pelvis dropping > 5° on the free side (formcheck rule; clinical single-leg-squat rating asks for a level pelvis, Crossley et al. 2011).
    PELVIC_DROP_DEG pelvic_drop_deg = 5.0, "degrees", 0.0, 90.0;
    /// Side plank: hip > 10° below the shoulder–ankle line at the top is sagging (formcheck rule).
    HIP_SAG_DEG hip_sag_deg = 10.0, "degrees", 0.0, 90.0;
    /// Bridge: hip still > 20° short of straight (shoulder–hip–knee) at the top (formcheck rule).
    BRIDGE_TOP_HIP_FLEXION_DEG bridge_top_hip_flexion_deg = 20.0, "degrees", 0.0, 180.0;
    /// A gap of more than 15 s between reps starts a new set (formcheck rule: inter-set rest is 30 s or more).
    SET_REST_S set_rest_s = 15.0, "seconds", 0.0, 3600.0;
    /// A squat bends the knee at least 40° (formcheck rule; a quarter squat is about 40–60°).
    SQUAT_MIN_KNEE_FLEXION_DEG squat_min_knee_flexion_deg = 40.0, "degrees", 0.0, 180.0;
    /// The lower foot more than 0.1 leg lengths higher in the picture than at a squat's bottom is a jump or a step, not a squat (formcheck rule; lifting the heels raises the ankle far less, at most 0.06 on the shared squats).
    SQUAT_MAX_FEET_RISE squat_max_feet_rise = 0.10, "leg lengths", 0.0, 2.0;
    /// Trunk leaning > 60° from vertical at the bottom is a stoop (bending to pick something up), not a squat (formcheck rule).
    SQUAT_MAX_TRUNK_LEAN_DEG squat_max_trunk_lean_deg = 60.0, "degrees", 0.0, 180.0;
    /// Squat: the hip drops at least 0.2 leg lengths (formcheck rule; a quarter squat drops about 0.2–0.25).
    SQUAT_MIN_DEPTH squat_min_depth = 0.20, "leg lengths", 0.0, 2.0;
    /// Single-leg squat / step-down / lunge: the hip drops at least 0.1 leg lengths (formcheck rule; a 16 cm step-down).
    SINGLE_LEG_MIN_DEPTH single_leg_min_depth = 0.10, "leg lengths", 0.0, 2.0;
    /// Side step-up: the hip rises at least 0.1 leg lengths (formcheck rule; a 15–20 cm step).
    STEP_UP_MIN_RISE step_up_min_rise = 0.10, "leg lengths", 0.0, 2.0;
    /// Bridge: the hip extends at least 20° from the floor position (formcheck rule).
    BRIDGE_MIN_LIFT_DEG bridge_min_lift_deg = 20.0, "degrees", 0.0, 180.0;
    /// Within a set of 3 or more reps, a movement half as deep as the set's median rep is a rep, even below the exercise's minimum, down to half of it (formcheck rule: the last reps of a tiring set are shallower, not absent).
    TIRED_REP_FRACTION tired_rep_fraction = 0.5, "of the set's median depth", 0.0, 1.0;
    /// Side plank: the hip lifts at least 15° against the shoulder–ankle line (formcheck rule).
    SIDE_PLANK_MIN_LIFT_DEG side_plank_min_lift_deg = 15.0, "degrees", 0.0, 180.0;
    /// Drop landing: the hip comes at least 0.03 leg lengths towards the feet, about 25° of knee bend, so a stiff landing still counts and is judged (formcheck rule).
    LANDING_MIN_DEPTH landing_min_depth = 0.03, "leg lengths", 0.0, 2.0;
    /// Drop landing: the feet land at least 0.15 leg lengths below where they stood (formcheck rule; the 31 cm box of Hewett et al. 2005, AJSM 33:492, is about 0.35 for a 0.85 m leg).
    LANDING_MIN_DROP landing_min_drop = 0.15, "leg lengths", 0.0, 5.0;
    /// Drop landing: the feet stood still at least 0.5 s before the drop, on the box (formcheck rule; hops in place never stand still between landings).
    LANDING_STANCE_S landing_stance_s = 0.5, "seconds", 0.0, 10.0;
    /// Drop landing: the knee bends at least 45° (formcheck rule after Padua et al. 2009, AJSM 37:1996, LESS: less than 45° of knee flexion displacement is a stiff landing; formcheck reads the peak bend).
    LANDING_MIN_KNEE_FLEXION_DEG landing_min_knee_flexion_deg = 45.0, "degrees", 0.0, 180.0;
}

/// One threshold as declared.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Spec {
    pub name: &'static str,
    pub default: f64,
    pub unit: &'static str,
    pub min: f64,
    pub max: f64,
    pub source: &'static str,
}

impl Spec {
    fn range(&self) -> String {
        format!("{} to {}", self.min, self.max)
    }
}

/// Which of Herrington & Munro's bands `--sex` picks (the command line parses straight into it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum SexBand {
    Female,
    Male,
    /// Not given: the female band, the wider one, so no one is flagged by the narrower band
    /// without asking for it.
    Unspecified,
}

impl SexBand {
    /// As `--sex` spells it.
    pub fn name(self) -> &'static str {
        match self {
            SexBand::Female => "female",
            SexBand::Male => "male",
            SexBand::Unspecified => "unspecified",
        }
    }
}

/// Errors building the thresholds; each names the file or flag at fault.
#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
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
    #[error("{origin}: threshold '{name}' = {} is out of range ({range})", crate::terminal::number(*.value))]
    OutOfRange {
        origin: String,
        name: String,
        value: f64,
        range: String,
    },
}

impl Thresholds {
    /// Names accepted in a TOML file and by `--threshold`.
    pub fn names() -> Vec<&'static str> {
        SPECS.iter().map(|s| s.name).collect()
    }

    /// Sets one threshold by name, checking its declared range. `origin` names the flag or file.
    pub fn set(&mut self, name: &str, value: f64, origin: &str) -> Result<(), JudgeError> {
        let Some(spec) = SPECS.iter().find(|s| s.name == name) else {
            return Err(JudgeError::UnknownThreshold {
                origin: origin.to_string(),
                name: crate::terminal::excerpt(name),
                known: Thresholds::names().join(", "),
            });
        };
        if !(value.is_finite() && value >= spec.min && value <= spec.max) {
            return Err(JudgeError::OutOfRange {
                origin: origin.to_string(),
                name: name.to_string(),
                value,
                range: spec.range(),
            });
        }
        if let Some(slot) = self.slot(name) {
            *slot = value;
        }
        Ok(())
    }

    /// Every named threshold is finite and within its declared range, as `set` guarantees; the
    /// fuzz targets check it after any accepted input.
    #[doc(hidden)]
    pub fn all_in_range(&self) -> bool {
        let mut copy = self.clone();
        SPECS.iter().all(|s| {
            copy.slot(s.name)
                .is_some_and(|v| v.is_finite() && *v >= s.min && *v <= s.max)
        })
    }

    /// Applies a `--config` file's text (the caller reads the file); `origin` names it.
    pub fn apply_toml(&mut self, text: &str, origin: &str) -> Result<(), JudgeError> {
        let parse_error = |message: String| JudgeError::ConfigParse {
            path: origin.trim_start_matches("--config ").to_string(),
            message,
        };
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| parse_error(e.message().to_string()))?;
        // `[thresholds]` entries count as top-level ones.
        let mut inner = table;
        if let Some(toml::Value::Table(nested)) = inner.remove("thresholds") {
            for (k, v) in nested {
                if inner.insert(k.clone(), v).is_some() {
                    return Err(parse_error(format!("'{k}' is set twice")));
                }
            }
        }
        // serde's own message for a wrong type does not name the key.
        if let Some((name, _)) = inner
            .iter()
            .find(|(_, v)| !matches!(v, toml::Value::Float(_) | toml::Value::Integer(_)))
        {
            return Err(JudgeError::NotANumber {
                origin: origin.to_string(),
                name: name.clone(),
            });
        }
        let file = ThresholdFile::deserialize(toml::Value::Table(inner)).map_err(|e| {
            let message = e.message().to_string();
            match message.strip_prefix("unknown field `") {
                Some(rest) => JudgeError::UnknownThreshold {
                    origin: origin.to_string(),
                    name: crate::terminal::excerpt(rest.split('`').next().unwrap_or(rest)),
                    known: Thresholds::names().join(", "),
                },
                None => parse_error(message),
            }
        })?;
        for (name, value) in file.values() {
            self.set(name, value, origin)?;
        }
        Ok(())
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

    /// Which limit valgus is judged against and why, in words: the band, and what `--sex`
    /// changes (men are not judged against the women's band without being told).
    pub fn valgus_limit_said(&self, band: super::ValgusBand) -> String {
        use super::ValgusBand::*;
        let limit = self.valgus_limit_deg(band);
        let (female, male) = match band {
            Bilateral => (self.valgus_bilateral_female_deg, self.valgus_bilateral_male_deg),
            SingleLeg => (
                self.valgus_single_leg_female_deg,
                self.valgus_single_leg_male_deg,
            ),
            StepDown => {
                return format!(
                    "Knee caving in is judged against a peak FPPA of {limit:.0}° (the step-down limit, the same for women and men)."
                )
            }
        };
        match self.sex {
            SexBand::Unspecified => format!(
                "Knee caving in is judged against a peak FPPA of {limit:.0}°: the women's band (Herrington & Munro 2010), the wider one, because --sex was not given; for a man, --sex male judges against {male:.0}°."
            ),
            SexBand::Female => format!(
                "Knee caving in is judged against a peak FPPA of {female:.0}°: the women's band (Herrington & Munro 2010; --sex female)."
            ),
            SexBand::Male => format!(
                "Knee caving in is judged against a peak FPPA of {male:.0}°: the men's band (Herrington & Munro 2010; --sex male)."
            ),
        }
    }

    /// The quality limits geometry checks against.
    pub fn measure_context(&self) -> crate::geometry::MeasureContext {
        crate::geometry::MeasureContext {
            min_visibility: self.min_visibility,
            min_thigh_projection: self.min_thigh_projection,
            max_thigh_off_leg_line_deg: self.max_thigh_off_leg_line_deg,
            frontal_width_ratio: self.frontal_width_ratio,
            frontal_max_turn_deg: self.frontal_max_turn_deg,
            side_min_turn_deg: self.side_min_turn_deg,
            max_plausible_knee_over_toe: self.max_plausible_knee_over_toe,
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_and_top_level_names_both_apply_and_unknown_ones_are_named() {
        let mut t = Thresholds::default();
        t.apply_toml(
            "valgus_step_down_deg = 12\n[thresholds]\nknee_past_toe = 0.2\n",
            "--config t.toml",
        )
        .unwrap();
        assert_eq!(t.valgus_step_down_deg, 12.0);
        assert_eq!(t.knee_past_toe, 0.2);
        assert_eq!(t.pelvic_drop_deg, PELVIC_DROP_DEG);
        let err = t
            .apply_toml("knee_pst_toe = 1", "--config my.toml")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("--config my.toml") && err.contains("knee_pst_toe"),
            "{err}"
        );
        let err = t.set("valgus", 3.0, "--threshold").unwrap_err().to_string();
        assert!(
            err.starts_with("--threshold: unknown threshold 'valgus'"),
            "{err}"
        );
        assert!(err.contains("valgus_step_down_deg"), "{err}");
    }

    #[test]
    fn every_declared_range_is_enforced_at_both_ends() {
        for spec in SPECS {
            let mut t = Thresholds::default();
            assert!(t.set(spec.name, spec.min, "x").is_ok(), "{}", spec.name);
            assert!(t.set(spec.name, spec.max, "x").is_ok(), "{}", spec.name);
            assert!(
                t.set(spec.name, spec.max + 1.0, "x").is_err(),
                "{}",
                spec.name
            );
            assert!(
                t.set(spec.name, spec.min - 1.0, "x").is_err(),
                "{}",
                spec.name
            );
            assert!(
                (spec.min..=spec.max).contains(&spec.default),
                "{}",
                spec.name
            );
            assert!(!spec.source.is_empty(), "{}", spec.name);
        }
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
    fn the_limit_in_words_says_which_band_and_what_sex_changes() {
        use crate::judge::ValgusBand;
        let mut t = Thresholds::default();
        let said = t.valgus_limit_said(ValgusBand::Bilateral);
        assert!(
            said.contains("13°") && said.contains("--sex was not given") && said.contains("8°"),
            "{said}"
        );
        t.sex = SexBand::Male;
        let said = t.valgus_limit_said(ValgusBand::SingleLeg);
        assert!(said.contains("9°") && said.contains("men's band"), "{said}");
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
