//! Small text helpers: prefixes safe on untrusted input (no byte slicing that could
//! split a character and panic) and one-line error chains.

/// Text quoted on one line for a reason: whitespace runs become one space, and more
/// than 120 characters are cut to 117 and an ellipsis.
pub fn quote(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() > 120 {
        format!("\"{}…\"", one_line.chars().take(117).collect::<String>())
    } else {
        format!("\"{one_line}\"")
    }
}

/// The first `n` characters of `s` (all of it when shorter).
pub fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// An error and its causes in one line (SDK errors print little by themselves).
pub fn error_chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The 1-based line and column of a byte offset in a text (for file:line:column messages).
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::prefix;

    #[test]
    fn prefixes_never_split_a_character() {
        assert_eq!(prefix("abcdef", 3), "abc");
        assert_eq!(prefix("ab", 12), "ab");
        assert_eq!(prefix("", 3), "");
        assert_eq!(prefix("ééééé", 2), "éé");
        assert_eq!(prefix("🔑🔑🔑", 1), "🔑");
    }
}
