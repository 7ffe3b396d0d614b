//! RFC 8785 JSON Canonicalization Scheme: object members sorted by their UTF-16 code
//! units, minimal string escaping, numbers as ECMAScript prints them. Digests and
//! signatures over the payload are therefore stable, and so are diffs.
//!
//! The work is done by the `serde_json_canonicalizer` crate (MIT). It replaced our own
//! implementation after passing the same RFC 8785 vectors kept below (appendix B numbers,
//! UTF-16 member order, minimal escapes, integers beyond 2^53) and leaving every bundle of
//! `tests/compat.rs` and the six demo scenarios byte-for-byte unchanged.

use serde::Serialize;

/// The canonical form of a serialisable value.
pub fn canonical<T: Serialize>(value: &T) -> Result<String, serde_json::Error> {
    serde_json_canonicalizer::to_string(value)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_as_ecmascript_prints_them() {
        // RFC 8785 appendix B examples and edge cases.
        for (x, want) in [
            (0.0, "0"),
            (-0.0, "0"),
            (1.0, "1"),
            (-1.5, "-1.5"),
            (1e21, "1e+21"),
            (1e20, "100000000000000000000"),
            (123456789.0, "123456789"),
            (0.000001, "0.000001"),
            (1e-7, "1e-7"),
            (5e-324, "5e-324"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (9007199254740992.0, "9007199254740992"),
            (295147905179352830000.0, "295147905179352830000"),
            (4.50, "4.5"),
            (2e-3, "0.002"),
            (0.000001234, "0.000001234"),
            (81000000000.0, "81000000000"),
            (333333333.3333333, "333333333.3333333"),
        ] {
            assert_eq!(
                canonical(&json!(x)).expect("a JSON value canonicalises"),
                want,
                "{x}"
            );
        }
    }

    #[test]
    fn members_sort_by_utf16_and_strings_escape_minimally() {
        // RFC 8785 section 3.2.3: sorting by UTF-16 code units.
        let v = json!({"\u{20ac}": "Euro Sign", "\r": "Carriage Return", "\u{fb33}": "Hebrew Letter Dalet With Dagesh",
                       "1": "One", "\u{1f600}": "Emoji: Grinning Face", "\u{80}": "Control", "\u{f6}": "Latin Small Letter O With Diaeresis"});
        assert_eq!(
            canonical(&v).expect("a JSON value canonicalises"),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\
             \"\u{20ac}\":\"Euro Sign\",\"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
        assert_eq!(
            canonical(&json!({"b": [1, true, null], "a": "x\u{1}\"\\"}))
                .expect("a JSON value canonicalises"),
            "{\"a\":\"x\\u0001\\\"\\\\\",\"b\":[1,true,null]}"
        );
        assert_eq!(
            canonical(&json!([{"z": 1, "a": {"y": 2.0, "b": 1e30}}]))
                .expect("a JSON value canonicalises"),
            "[{\"a\":{\"b\":1e+30,\"y\":2},\"z\":1}]"
        );
    }

    #[test]
    fn integers_beyond_doubles_print_as_ecmascript_does() {
        // Integers are JSON numbers, so they go through an IEEE double first (RFC 8785 3.2.2.3).
        for (v, want) in [
            (json!(u64::MAX), "18446744073709552000"),
            (json!(i64::MIN), "-9223372036854776000"),
            (json!(9007199254740993u64), "9007199254740992"),
            (json!(42), "42"),
        ] {
            assert_eq!(
                canonical(&v).expect("a JSON value canonicalises"),
                want,
                "{v}"
            );
        }
    }

    #[test]
    fn only_control_characters_are_escaped() {
        assert_eq!(
            canonical(&json!("x\u{1}\"\\\u{7f}\u{2028}")).expect("a JSON value canonicalises"),
            "\"x\\u0001\\\"\\\\\u{7f}\u{2028}\""
        );
    }
}
