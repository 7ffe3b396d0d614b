//! Small text helpers that are safe on untrusted input (no byte slicing that could
//! split a character and panic).

/// The first `n` characters of `s` (all of it when shorter).
pub fn prefix(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((i, _)) => &s[..i],
        None => s,
    }
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
