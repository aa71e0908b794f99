//! Small text helpers for messages and tables: quoted user input and exact
//! percentages.

use std::fmt;

/// Quotes user input for messages, escaping control characters and cutting
/// very long input so a hostile value cannot flood a log line.
pub(crate) struct Quoted<'a>(pub(crate) &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 80;
        let mut chars = self.0.chars();
        f.write_str("'")?;
        for c in chars.by_ref().take(MAX) {
            write!(f, "{}", c.escape_debug())?;
        }
        if chars.next().is_some() {
            write!(f, "...' ({} characters)", self.0.chars().count())
        } else {
            f.write_str("'")
        }
    }
}

/// `num / den` as a percentage: exact when whole (`"20%"`), else rounded to
/// two decimals (`"33.33%"`). `den == 0` gives `"-"`.
pub(crate) fn percent(num: u128, den: u128) -> String {
    if den == 0 {
        return "-".into();
    }
    if (num * 100).is_multiple_of(den) {
        return format!("{}%", num * 100 / den);
    }
    let hundredths = (num * 10_000 * 2 + den) / (den * 2);
    format!("{}.{:02}%", hundredths / 100, hundredths % 100)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_escapes_and_truncates() {
        assert_eq!(Quoted("a\nb").to_string(), "'a\\nb'");
        let long = "x".repeat(100);
        let shown = Quoted(&long).to_string();
        assert!(shown.ends_with("...' (100 characters)"), "{shown}");
    }

    #[test]
    fn quoted_escapes_each_character_like_char_escape_debug() {
        // Combining marks are escaped everywhere, not only at the start as
        // `str::escape_debug` does for whole strings.
        for s in [
            "e\u{301}x\u{301}",
            "\u{301}",
            "a'b\"c\\d",
            "\t\r\0\u{7f}\u{200b}\u{e000}\u{10ffff}é日",
        ] {
            let expected: String = s.chars().flat_map(char::escape_debug).collect();
            assert_eq!(Quoted(s).to_string(), format!("'{expected}'"));
        }
        assert_eq!(Quoted("e\u{301}").to_string(), "'e\\u{301}'");
    }

    #[test]
    fn percentages() {
        assert_eq!(percent(1, 5), "20%");
        assert_eq!(percent(1, 3), "33.33%");
        assert_eq!(percent(2, 3), "66.67%");
        assert_eq!(percent(0, 7), "0%");
        assert_eq!(percent(1, 0), "-");
        assert_eq!(percent(1, 200), "0.50%");
    }
}
