//! Text formcheck did not write (a person's name, a file name, an exercise name from a user's
//! file) on its way to a terminal: control characters would clear the screen, retitle the window
//! or break a table's lines, and bidirectional overrides would show it reordered, so each is
//! shown as an escape instead. HTML and CSV outputs escape by their own rules.

use std::borrow::Cow;

/// `text` with every control character (C0, DEL, C1) and bidirectional override shown as
/// `\u{…}`; unchanged, and not copied, when it has none.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Longest piece of a user's text an error message quotes, in characters.
pub const EXCERPT_CHARS: usize = 60;

/// `text` as an error message quotes it: escaped, and cut to [`EXCERPT_CHARS`] with its full
/// length said, so a 50 MB name in a file is not echoed whole.
pub fn excerpt(text: &str) -> String {
    let chars = text.chars().count();
    if chars <= EXCERPT_CHARS {
        return escape_controls(text).into_owned();
    }
    let head: String = text.chars().take(EXCERPT_CHARS).collect();
    format!("{}… ({} bytes)", escape_controls(&head), text.len())
}

/// A number a user gave, for an error message: as written when ordinary, in scientific
/// notation when huge or tiny (`-1e308`, not 309 digits).
pub fn number(value: f64) -> String {
    let size = value.abs();
    if value != 0.0 && !(1e-4..1e9).contains(&size) {
        format!("{value:e}")
    } else {
        format!("{value}")
    }
}

fn needs_escape(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_text_and_huge_numbers_are_quoted_short() {
        assert_eq!(excerpt("squat"), "squat");
        let long = "x".repeat(5000);
        assert_eq!(excerpt(&long), format!("{}… (5000 bytes)", "x".repeat(60)));
        assert_eq!(number(-1e308), "-1e308");
        assert_eq!(number(15.5), "15.5");
        assert_eq!(number(0.0), "0");
    }

    #[test]
    fn control_characters_and_overrides_are_shown_as_escapes() {
        assert!(matches!(escape_controls("Ann Émile"), Cow::Borrowed(_)));
        assert_eq!(
            escape_controls("a\u{1b}[2Jb\r\nc\u{7}\u{9b}d\u{202e}e"),
            "a\\u{1b}[2Jb\\u{d}\\u{a}c\\u{7}\\u{9b}d\\u{202e}e"
        );
    }
}
