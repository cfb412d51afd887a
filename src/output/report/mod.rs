//! `report.html`: one self-contained page a person opens after a session: the verdict per set,
//! a table of reps, FPPA left/right and knee-over-toe over time (plotters, inline SVG) with the
//! reps shaded and the thresholds drawn, a still of each flagged rep at its worst moment (inline
//! JPEG), and the not-a-diagnosis notice with the precautions. No script, no external file.

pub mod plots;

/// The stylesheet, inlined into every page.
pub const STYLE: &str = include_str!("style.css");

/// Said in every report, index and terminal summary.
pub const NOT_A_DIAGNOSIS: &str = "Exercise feedback, not a diagnosis.";
pub const PRECAUTIONS: &str =
    "Progressive weakness, sudden swelling or pain, or the knee buckling \
                               need a doctor: see one before training on.";

pub const NOTICE_HTML: &str = "<div class=\"notice\"><strong>Exercise feedback, not a \
    diagnosis.</strong>Camera-based angles are estimates from a 2-D image: they guide practice, \
    they do not replace an assessment by a clinician. Progressive weakness, sudden swelling or \
    pain, or the knee buckling need a doctor: see one before training on.</div>";

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_covers_markup_and_quotes() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn notice_says_not_a_diagnosis_and_the_precautions() {
        assert!(NOTICE_HTML.contains(NOT_A_DIAGNOSIS.trim_end_matches('.')));
        assert!(NOTICE_HTML.contains("knee buckling"));
        assert!(PRECAUTIONS.contains("sudden swelling"));
    }
}
