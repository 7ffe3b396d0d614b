//! RFC 8785 JSON Canonicalization Scheme: object members sorted by their UTF-16 code
//! units, minimal string escaping, numbers as ECMAScript prints them. Digests and
//! signatures over the payload are therefore stable, and so are diffs.
//!
//! A `serde_json` formatter writes any serialisable value canonically in one pass, with
//! no `serde_json::Value` tree: members are written where they come and each object is
//! put in order as it closes, in place, so the memory is the output itself. It replaced
//! `serde_json_canonicalizer` (which boxes a writer for every token and parses every key
//! back into a `Value` to sort it; see docs/cli.md for what verify gained) after giving
//! the same bytes on the RFC 8785 vectors below, on random values (the property test) and
//! on every bundle of `tests/compat.rs`, and finding the Python-written payload of
//! `bench/verify` canonical. Integers are written as the
//! doubles they denote (RFC 8785 3.2.2.3); a non-finite number is `null`, as `serde_json`
//! writes it.

use std::io;

use serde::Serialize;
use serde_json::ser::{CharEscape, CompactFormatter, Formatter};

/// The canonical form of a serialisable value.
pub fn canonical<T: Serialize + ?Sized>(value: &T) -> Result<String, serde_json::Error> {
    let bytes = to_vec(value, usize::MAX)?.bytes;
    // Written by `serde_json`'s string writer and ASCII punctuation only: UTF-8.
    String::from_utf8(bytes).map_err(|e| serde_json::Error::io(io::Error::other(e)))
}

/// A canonical form, with the members of the objects down to one depth (the top object
/// is at 0) where they were finally placed.
pub struct Canonical {
    pub bytes: Vec<u8>,
    pub members: Vec<Placed>,
}

/// One member of an object in [`Canonical::bytes`]: `"key":value` is `start..end`, the
/// value `value..end`; its object is at `depth`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Placed {
    pub depth: usize,
    pub start: usize,
    pub value: usize,
    pub end: usize,
}

impl Canonical {
    /// The key of a placed member, unescaped.
    pub fn key(&self, m: &Placed) -> Option<String> {
        serde_json::from_slice(&self.bytes[m.start..m.value - 1]).ok()
    }
}

/// Writes `value` canonically, keeping where the members of the objects down to `depth`
/// were placed (`usize::MAX`: none).
pub fn to_vec<T: Serialize + ?Sized>(
    value: &T,
    depth: usize,
) -> Result<Canonical, serde_json::Error> {
    to_vec_sized(value, depth, 0)
}

/// [`to_vec`] into a buffer of `capacity` bytes to begin with (the size expected: a
/// large output then never moves as it grows).
pub fn to_vec_sized<T: Serialize + ?Sized>(
    value: &T,
    depth: usize,
    capacity: usize,
) -> Result<Canonical, serde_json::Error> {
    let mut state = State {
        depth,
        buf: Vec::with_capacity(capacity),
        ..State::default()
    };
    value.serialize(&mut serde_json::Serializer::with_formatter(
        io::sink(),
        Jcs(&mut state),
    ))?;
    Ok(Canonical {
        bytes: state.buf,
        members: state.kept,
    })
}

#[derive(Default)]
struct State {
    buf: Vec<u8>,
    /// The open objects: each one's first entry in `members`.
    open: Vec<usize>,
    /// The members of the open objects, innermost last.
    members: Vec<Member>,
    depth: usize,
    kept: Vec<Placed>,
    scratch: Vec<u8>,
}

/// A member while its object is open: `"key":value,` is `start..=end` (`end` is the
/// comma written after every member; the last one becomes the `}`).
#[derive(Debug, Clone, Copy, Default)]
struct Member {
    start: usize,
    /// After the key's closing quote (where the `:` is).
    key_end: usize,
    end: usize,
}

impl Member {
    fn len(&self) -> usize {
        self.end + 1 - self.start
    }

    fn moved_to(&self, at: usize) -> Member {
        Member {
            start: at,
            key_end: at + (self.key_end - self.start),
            end: at + (self.end - self.start),
        }
    }
}

/// The order of two keys as written (`"…"`, escaped) by their UTF-16 code units (RFC 8785
/// 3.2.3). Plain ASCII keys (every field name) compare as bytes; others unescaped.
fn order(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let plain = |k: &[u8]| k.iter().all(|&c| c < 0x80 && c != b'\\');
    if plain(a) && plain(b) && a.len() >= 2 && b.len() >= 2 {
        return a[1..a.len() - 1].cmp(&b[1..b.len() - 1]);
    }
    let text = |k: &[u8]| serde_json::from_slice::<String>(k).unwrap_or_default();
    text(a).encode_utf16().cmp(text(b).encode_utf16())
}

impl State {
    fn key(&self, m: &Member) -> &[u8] {
        &self.buf[m.start..m.key_end]
    }

    /// The object closing now: its members put in order, in place, and its `}` written.
    fn close(&mut self) {
        let Some(first) = self.open.pop() else {
            return;
        };
        let mut ms: Vec<Member> = self.members.drain(first..).collect();
        if ms.is_empty() {
            self.buf.push(b'}');
        } else {
            let sorted = ms
                .windows(2)
                .all(|w| order(self.key(&w[0]), self.key(&w[1])).is_le());
            if !sorted {
                self.reorder(&mut ms);
            }
            if let Some(last) = self.buf.last_mut() {
                *last = b'}';
            }
        }
        let depth = self.open.len();
        if self.depth != usize::MAX && depth <= self.depth {
            self.kept.extend(ms.iter().map(|m| Placed {
                depth,
                start: m.start,
                value: m.key_end + 1,
                end: m.end,
            }));
        }
    }

    /// Sorts the members (contiguous, each with its comma) by key, moving their bytes.
    fn reorder(&mut self, ms: &mut [Member]) {
        let before: Vec<Member> = ms.to_vec();
        let wanted = self.permute(ms);
        // Members kept from inside a moved member move with it (`ms[p]` is what was
        // `before[wanted[p]]`).
        for k in &mut self.kept {
            if let Some((old, new)) = wanted
                .iter()
                .map(|&i| &before[i])
                .zip(ms.iter())
                .find(|(old, _)| (old.start..=old.end).contains(&k.start))
            {
                let (from, to) = (old.start, new.start);
                let shift = |x: usize| x - from + to;
                *k = Placed {
                    depth: k.depth,
                    start: shift(k.start),
                    value: shift(k.value),
                    end: shift(k.end),
                };
            }
        }
    }

    /// Moves the members into key order; `ms` then lists them in that order. Returns
    /// the order (indices into `ms` as it was).
    fn permute(&mut self, ms: &mut [Member]) -> Vec<usize> {
        let mut wanted: Vec<usize> = (0..ms.len()).collect();
        wanted.sort_by(|&i, &j| order(self.key(&ms[i]), self.key(&ms[j])));
        let lo = ms[0].start;
        let hi = ms[ms.len() - 1].end + 1;
        if hi - lo <= 1 << 20 {
            // Small: through a scratch copy.
            self.scratch.clear();
            let mut placed = Vec::with_capacity(ms.len());
            for &i in &wanted {
                placed.push(ms[i].moved_to(lo + self.scratch.len()));
                self.scratch
                    .extend_from_slice(&self.buf[ms[i].start..=ms[i].end]);
            }
            self.buf[lo..hi].copy_from_slice(&self.scratch);
            ms.copy_from_slice(&placed);
            return wanted;
        }
        // Large (most of a document): by rotations, without a second copy of it.
        let mut units: Vec<(usize, Member)> = ms.iter().copied().enumerate().collect();
        for (p, &want) in wanted.iter().enumerate() {
            let Some(j) = (p..units.len()).find(|&j| units[j].0 == want) else {
                continue;
            };
            let (to, u) = (units[p].1.start, units[j].1);
            self.buf[to..=u.end].rotate_right(u.len());
            for unit in &mut units[p..j] {
                unit.1 = unit.1.moved_to(unit.1.start + u.len());
            }
            units.remove(j);
            units.insert(p, (want, u.moved_to(to)));
        }
        for (m, (_, u)) in ms.iter_mut().zip(units) {
            *m = u;
        }
        wanted
    }

    fn number(&mut self, value: f64) {
        if value.is_finite() {
            let mut b = ryu_js::Buffer::new();
            self.buf
                .extend_from_slice(b.format_finite(value).as_bytes());
        } else {
            self.buf.extend_from_slice(b"null");
        }
    }
}

/// The formatter: every token goes to the state's buffer, whatever the writer.
struct Jcs<'s>(&'s mut State);

macro_rules! as_double {
    ($($method:ident: $t:ty),*) => {
        $(fn $method<W: ?Sized + io::Write>(&mut self, _: &mut W, value: $t) -> io::Result<()> {
            // RFC 8785 3.2.2.3: a JSON number is an IEEE double.
            #[allow(clippy::cast_precision_loss, clippy::cast_lossless)]
            self.0.number(value as f64);
            Ok(())
        })*
    };
}

/// Formatter methods that write one fixed byte.
macro_rules! punctuation {
    ($($method:ident: $byte:literal),*) => {
        $(fn $method<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
            self.0.buf.push($byte);
            Ok(())
        })*
    };
}

/// Formatter methods that write the text they are given.
macro_rules! verbatim {
    ($($method:ident),*) => {
        $(fn $method<W: ?Sized + io::Write>(&mut self, _: &mut W, text: &str) -> io::Result<()> {
            self.0.buf.extend_from_slice(text.as_bytes());
            Ok(())
        })*
    };
}

impl Formatter for Jcs<'_> {
    punctuation!(begin_string: b'"', end_string: b'"', begin_array: b'[', end_array: b']',
                 begin_object_value: b':');
    verbatim!(write_string_fragment, write_raw_fragment);
    as_double!(write_i8: i8, write_i16: i16, write_i32: i32, write_i64: i64, write_i128: i128,
               write_u8: u8, write_u16: u16, write_u32: u32, write_u64: u64, write_u128: u128,
               write_f32: f32, write_f64: f64);

    fn write_null<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.0.buf.extend_from_slice(b"null");
        Ok(())
    }

    fn write_bool<W: ?Sized + io::Write>(&mut self, _: &mut W, value: bool) -> io::Result<()> {
        let text: &[u8] = if value { b"true" } else { b"false" };
        self.0.buf.extend_from_slice(text);
        Ok(())
    }

    fn write_number_str<W: ?Sized + io::Write>(
        &mut self,
        _: &mut W,
        value: &str,
    ) -> io::Result<()> {
        let n: f64 = value
            .parse()
            .map_err(|_| io::Error::new(io::ErrorKind::InvalidData, "not a number"))?;
        self.0.number(n);
        Ok(())
    }

    fn write_char_escape<W: ?Sized + io::Write>(
        &mut self,
        _: &mut W,
        escape: CharEscape,
    ) -> io::Result<()> {
        // JSON's minimal escapes, as serde_json writes them (RFC 8785 3.2.2.2).
        CompactFormatter.write_char_escape(&mut self.0.buf, escape)
    }

    fn begin_array_value<W: ?Sized + io::Write>(
        &mut self,
        _: &mut W,
        first: bool,
    ) -> io::Result<()> {
        if !first {
            self.0.buf.push(b',');
        }
        Ok(())
    }

    fn end_array_value<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        Ok(())
    }

    fn begin_object<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.0.buf.push(b'{');
        self.0.open.push(self.0.members.len());
        Ok(())
    }

    fn end_object<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        self.0.close();
        Ok(())
    }

    fn begin_object_key<W: ?Sized + io::Write>(
        &mut self,
        _: &mut W,
        _first: bool,
    ) -> io::Result<()> {
        let start = self.0.buf.len();
        self.0.members.push(Member {
            start,
            ..Member::default()
        });
        Ok(())
    }

    fn end_object_key<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        let at = self.0.buf.len();
        if let Some(m) = self.0.members.last_mut() {
            m.key_end = at;
        }
        Ok(())
    }

    fn end_object_value<W: ?Sized + io::Write>(&mut self, _: &mut W) -> io::Result<()> {
        let at = self.0.buf.len();
        if let Some(m) = self.0.members.last_mut() {
            m.end = at;
        }
        self.0.buf.push(b',');
        Ok(())
    }
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

    /// A number read back and written again is the same text: the payload a verifier
    /// writes again is the signed one. Needs serde_json's `float_roundtrip` in the normal
    /// build (Cargo.toml; a dev-dependency enables it in test builds whatever the normal
    /// build has, so this test documents the requirement rather than guarding it). The
    /// samples are serde_json's own, which its faster parser reads one ULP off.
    #[test]
    fn numbers_read_back_are_written_as_they_were() {
        for x in [
            51.248_178_375_505_404_f64,
            -93.311_370_376_880_33,
            2.003_039_774_426_776_2e-253,
            7.101_215_824_554_616e260,
            3.928_753_217_337_331_5e299,
        ] {
            let text = canonical(&x).expect("canonical");
            let back: f64 = serde_json::from_str(&text).expect("a number");
            assert_eq!(back.to_bits(), x.to_bits(), "{text}");
            assert_eq!(canonical(&back).expect("canonical"), text);
        }
    }

    #[test]
    fn only_control_characters_are_escaped() {
        assert_eq!(
            canonical(&json!("x\u{1}\"\\\u{7f}\u{2028}")).expect("a JSON value canonicalises"),
            "\"x\\u0001\\\"\\\\\u{7f}\u{2028}\""
        );
    }

    fn value() -> impl proptest::strategy::Strategy<Value = serde_json::Value> {
        use proptest::prelude::*;
        let key = prop_oneof![
            "[a-z_]{0,6}",
            "\\PC{0,4}",
            Just("\u{1f600}".to_string()),
            Just("\u{fb33}".to_string()),
            Just("a\"b\\\u{1}".to_string()),
        ];
        let leaf = prop_oneof![
            Just(serde_json::Value::Null),
            any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from),
            any::<u64>().prop_map(serde_json::Value::from),
            any::<f64>()
                .prop_filter("finite", |f| f.is_finite())
                .prop_map(serde_json::Value::from),
            "\\PC{0,12}".prop_map(serde_json::Value::from),
        ];
        leaf.prop_recursive(4, 64, 8, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..6).prop_map(serde_json::Value::from),
                proptest::collection::vec((key.clone(), inner), 0..8)
                    .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
            ]
        })
    }

    proptest::proptest! {
        /// The same bytes as the RFC 8785 writer it replaced, for any JSON value.
        #[test]
        fn writes_what_serde_json_canonicalizer_writes(v in value()) {
            let ours = canonical(&v).expect("canonical");
            let theirs = serde_json_canonicalizer::to_string(&v).expect("canonical");
            proptest::prop_assert_eq!(ours, theirs);
        }
    }

    #[test]
    fn large_objects_are_ordered_in_place_and_their_members_placed() {
        // Members over 1 MiB in all: ordered by rotations, not a scratch copy.
        let big = "x".repeat(600_000);
        let v = json!({"top": {"zeta": big, "beta": [1, {"b": 2, "a": 1}], "alpha": big, "mid": null}, "a": 0});
        let c = to_vec(&v, 1).expect("canonical");
        let theirs = serde_json_canonicalizer::to_string(&v).expect("canonical");
        assert!(c.bytes == theirs.as_bytes(), "large object differs");
        let keys: Vec<String> = c.members.iter().filter_map(|m| c.key(m)).collect();
        assert_eq!(keys, ["alpha", "beta", "mid", "zeta", "a", "top"]);
        assert_eq!(
            c.members.iter().map(|m| m.depth).collect::<Vec<_>>(),
            [1, 1, 1, 1, 0, 0]
        );
        let beta = c.members[1];
        assert_eq!(&c.bytes[beta.value..beta.end], br#"[1,{"a":1,"b":2}]"#);
        assert_eq!(&c.bytes[beta.start..beta.value], br#""beta":"#);
    }
}
