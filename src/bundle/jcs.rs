//! RFC 8785 JSON Canonicalization Scheme: object members sorted by their UTF-16 code
//! units, minimal string escaping, numbers as ECMAScript prints them. Digests and
//! signatures over the payload are therefore stable, and so are diffs.

use serde_json::Value;

/// The canonical form of a JSON value.
pub fn canonical(value: &Value) -> String {
    let mut out = String::new();
    write(value, &mut out);
    out
}

fn write(value: &Value, out: &mut String) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                out.push_str(&number(i as f64, Some(i.to_string())));
            } else if let Some(u) = n.as_u64() {
                out.push_str(&number(u as f64, Some(u.to_string())));
            } else {
                out.push_str(&number(n.as_f64().unwrap_or(0.0), None));
            }
        }
        Value::String(s) => string(s, out),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(item, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            members.sort_by(|a, b| a.0.encode_utf16().cmp(b.0.encode_utf16()));
            out.push('{');
            for (i, (key, item)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                string(key, out);
                out.push(':');
                write(item, out);
            }
            out.push('}');
        }
    }
}

fn string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// ECMAScript Number::toString for a finite double (RFC 8785 section 3.2.2.3).
fn number(x: f64, exact_integer: Option<String>) -> String {
    if x == 0.0 {
        return "0".into();
    }
    if let Some(text) = exact_integer.filter(|_| x.abs() < 1e21 && (x as i128) as f64 == x) {
        // Integers below 2^53 print exactly; larger ones go through the double below.
        if x.abs() < 9_007_199_254_740_992.0 {
            return text;
        }
    }
    // Shortest round-trip digits and exponent, from Rust's `{:e}` (e.g. "8.1e10").
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    let k = digits.len() as i32;
    let n = exp + 1;
    let mut s = String::new();
    if x < 0.0 {
        s.push('-');
    }
    if k <= n && n <= 21 {
        s.push_str(&digits);
        s.push_str(&"0".repeat((n - k) as usize));
    } else if 0 < n && n <= 21 {
        s.push_str(&digits[..n as usize]);
        s.push('.');
        s.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        s.push_str("0.");
        s.push_str(&"0".repeat((-n) as usize));
        s.push_str(&digits);
    } else {
        s.push_str(&digits[..1]);
        if k > 1 {
            s.push('.');
            s.push_str(&digits[1..]);
        }
        s.push('e');
        s.push(if n > 0 { '+' } else { '-' });
        s.push_str(&(n - 1).abs().to_string());
    }
    s
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
            assert_eq!(number(x, None), want, "{x}");
        }
    }

    #[test]
    fn members_sort_by_utf16_and_strings_escape_minimally() {
        // RFC 8785 section 3.2.3: sorting by UTF-16 code units.
        let v = json!({"\u{20ac}": "Euro Sign", "\r": "Carriage Return", "\u{fb33}": "Hebrew Letter Dalet With Dagesh",
                       "1": "One", "\u{1f600}": "Emoji: Grinning Face", "\u{80}": "Control", "\u{f6}": "Latin Small Letter O With Diaeresis"});
        assert_eq!(
            canonical(&v),
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u{80}\":\"Control\",\"\u{f6}\":\"Latin Small Letter O With Diaeresis\",\
             \"\u{20ac}\":\"Euro Sign\",\"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\"}"
        );
        assert_eq!(
            canonical(&json!({"b": [1, true, null], "a": "x\u{1}\"\\"})),
            "{\"a\":\"x\\u0001\\\"\\\\\",\"b\":[1,true,null]}"
        );
        assert_eq!(
            canonical(&json!([{"z": 1, "a": {"y": 2.0, "b": 1e30}}])),
            "[{\"a\":{\"b\":1e+30,\"y\":2},\"z\":1}]"
        );
    }
}
