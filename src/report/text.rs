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

/// The longest cell a table shows, in characters; the rest is cut with a note (JSON and CSV keep
/// everything). Keeps table layout linear in the size of the scan, whatever a cloud returns.
pub const CELL_MAX: usize = 600;

/// [`clean`], then cut after [`CELL_MAX`] characters.
pub fn cell(s: &str) -> String {
    match s.char_indices().nth(CELL_MAX) {
        None => clean(s),
        Some((at, _)) => format!("{}… ({} more bytes)", clean(&s[..at]), s.len() - at),
    }
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
    fn cells_are_capped_and_cleaned() {
        let long = "é".repeat(CELL_MAX * 3);
        let c = cell(&long);
        assert!(c.chars().count() < CELL_MAX + 40, "{}", c.len());
        assert!(c.ends_with(&format!("({} more bytes)", (CELL_MAX * 2) * 2)), "{}", &c[c.len() - 40..]);
        assert_eq!(cell("a\u{202E}b\x07"), "a\\u{202e}b\\u{7}");
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
