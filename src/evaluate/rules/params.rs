//! Typed rule parameters, validated when the checklist loads: a rule declares its own
//! `Params` struct from these types, so a misspelt, missing or out-of-range parameter
//! is a load error naming file, line and key, never a silent default.

use serde::{Deserialize, Deserializer};

/// A number greater than zero (bytes, days, counts, KB).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Positive(f64);

impl Positive {
    pub fn get(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Positive {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = f64::deserialize(d)?;
        if n > 0.0 && n.is_finite() {
            Ok(Positive(n))
        } else {
            Err(serde::de::Error::custom(format!(
                "must be greater than 0, not {n}"
            )))
        }
    }
}

/// A percentage, 0..=100.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Percent(f64);

impl Percent {
    pub fn get(self) -> f64 {
        self.0
    }
}

impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let n = f64::deserialize(d)?;
        if (0.0..=100.0).contains(&n) {
            Ok(Percent(n))
        } else {
            Err(serde::de::Error::custom(format!(
                "a percentage is within 0..100, not {n}"
            )))
        }
    }
}

/// Which side of the workload an item measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Measure {
    Read,
    Write,
}

/// For rules that take no parameter (any key is an error).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoParams {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Sample {
        #[allow(dead_code)]
        n: Positive,
        #[allow(dead_code)]
        p: Percent,
        #[allow(dead_code)]
        m: Measure,
    }

    #[test]
    fn values_are_checked_where_they_are_read() {
        for (text, ok, message) in [
            ("n = 1\np = 50\nm = \"read\"", true, ""),
            ("n = 0\np = 50\nm = \"read\"", false, "greater than 0"),
            ("n = -2.5\np = 50\nm = \"read\"", false, "greater than 0"),
            ("n = 1\np = 101\nm = \"read\"", false, "0..100"),
            ("n = 1\np = 50\nm = \"both\"", false, "unknown variant"),
            ("n = 1\np = 50\nm = \"read\"\nx = 1", false, "unknown field"),
            ("p = 50\nm = \"read\"", false, "missing field `n`"),
        ] {
            let result = toml::from_str::<Sample>(text);
            assert_eq!(result.is_ok(), ok, "{text}: {result:?}");
            if let Err(e) = result {
                assert!(e.to_string().contains(message), "{text}: {e}");
            }
        }
    }
}
