//! Making untrusted strings (cluster names, API values) safe for terminals and spreadsheets.

/// Terminal-safe: control characters (newlines, ESC, …) shown as escapes, nothing dropped.
pub fn clean(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for ch in s.chars() {
        match ch {
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_bidi_control(c) => out.push_str(&c.escape_unicode().to_string()),
            c => out.push(c),
        }
    }
    out
}

/// Like [`clean`] but keeps line breaks, for cells whose lines are separate items (CSV evidence).
pub fn clean_lines(s: &str) -> String {
    s.split('\n').map(clean).collect::<Vec<_>>().join("\n")
}

/// Unicode bidirectional controls can make a name read differently from what it is.
pub fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Spreadsheet-safe: a cell a spreadsheet would run as a formula (`= + - @`, or a leading
/// tab/CR) gets a leading `'`. The text is otherwise kept intact.
pub fn neutralize(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_escapes_controls() {
        assert_eq!(clean("a\nb\x1b[31m"), "a\\nb\\u{1b}[31m");
        assert_eq!(clean("=HYPERLINK(\"x\")"), "=HYPERLINK(\"x\")");
    }

    #[test]
    fn clean_lines_keeps_line_breaks() {
        assert_eq!(clean_lines("a\nb\x1b"), "a\nb\\u{1b}");
    }

    #[test]
    fn neutralize_formula_starts() {
        for s in ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(neutralize(s).starts_with('\''), "{s:?}");
        }
        assert_eq!(neutralize("aks-prod"), "aks-prod");
        assert_eq!(neutralize(""), "");
    }
}
