//! Compact JSON, written from serde's data model straight into a capped
//! `String`.
//!
//! Captured values used to go through `serde_json::to_writer` into a byte
//! buffer, then through `String::from_utf8`, and through a wrapper bounding
//! the nesting depth. This writer does all three jobs in one pass without
//! unsafe code: every piece it appends is already a `&str` (strings are
//! escaped slice by slice, numbers come from `itoa` and `zmij`, the same
//! crates `serde_json` uses), so the result needs no UTF-8 validation; it
//! counts the depth itself; and [`Capped`] keeps at most the cap.
//!
//! The output is byte for byte what `serde_json::to_string` writes (tested
//! against it, property-based, in `proptests.rs`): the same escapes, `null`
//! for non-finite floats, integer, bool and float map keys quoted, the same
//! errors for keys that cannot be strings.

use serde::ser::{self, Serialize};

// Before the modules that use it (macros are scoped by text order).
/// The ten integer methods of a serializer, each `$body` with the serializer
/// and the value (an `itoa::Integer`).
macro_rules! integers {
    (|$ser:ident, $v:ident| $body:expr) => {
        integers!(@each |$ser, $v| $body;
            serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
            serialize_i128: i128, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
            serialize_u64: u64, serialize_u128: u128);
    };
    (@each |$ser:ident, $v:ident| $body:expr; $($method:ident: $ty:ty),*) => {$(
        fn $method(self, $v: $ty) -> Result<(), Error> {
            let $ser = self;
            $body
        }
    )*};
}

pub(crate) mod compound;
mod escape;
mod map_key;
mod serializer;

use super::depth::{MAX_DEPTH, TOO_DEEP};
use super::limit::{capped_str, max_value_bytes, truncated_text, Capped};
use crate::scrub::formats::MIN_LEN;
use crate::scrub::text::scrub_str;
use crate::semconv::REDACTED;
use escape::write_escaped_pieces;
pub(crate) use escape::{first_escape, write_escaped};

/// How far past what can still be kept a string is scanned, so that a
/// credential cut by the value cap is still found whole.
const SCAN_MARGIN: usize = 512;

/// The keys of the objects still open at the end of `json` (a prefix of a
/// JSON text, ending just after a key's colon), outermost first; arrays
/// count as a level without a key (`[]`).
fn open_keys(json: &str) -> Vec<&str> {
    let bytes = json.as_bytes();
    let mut levels: Vec<&str> = Vec::new();
    let mut last_string: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                i = start;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                last_string = Some((start, i.min(bytes.len())));
            }
            b'{' => levels.push(""),
            b'[' => levels.push("[]"),
            b'}' | b']' => {
                levels.pop();
            }
            b':' => {
                if let (Some(level), Some((s, e))) = (levels.last_mut(), last_string) {
                    *level = json.get(s..e).unwrap_or("");
                }
            }
            _ => {}
        }
        i += 1;
    }
    levels
}

/// The error type: `serde_json`'s, so failures read the same as before.
pub(crate) type Error = serde_json::Error;

/// The message of the error that stops writing past the cap (see
/// [`Capped::stop`]); callers check [`Capped::stopped`], not the message.
pub(crate) const CUT_SHORT: &str = "value cut short at the size cap";

/// Writes `value` as compact JSON into `out`. Once past the cap, the writer
/// stops at the next element, field or nested value with [`CUT_SHORT`], so
/// a huge value costs what its first `cap` bytes cost.
pub(crate) fn write<T: Serialize + ?Sized>(value: &T, out: &mut Capped) -> Result<(), Error> {
    value.serialize(&mut JsonWriter::new(out))
}

/// The serializer. `depth` counts the open arrays and objects.
pub(crate) struct JsonWriter<'a> {
    out: &'a mut Capped,
    depth: usize,
    /// The next map value is under a key that names a credential.
    redact_next: bool,
    /// The length of the outermost sequence, when its serializer gave it
    /// (0 when it did not: an empty sequence is never cut).
    top_len: usize,
}

impl<'a> JsonWriter<'a> {
    pub(crate) fn new(out: &'a mut Capped) -> Self {
        Self {
            out,
            depth: 0,
            redact_next: false,
            top_len: 0,
        }
    }

    /// Opens an array or object: `open` is its first characters.
    fn open(&mut self, open: &str) -> Result<(), Error> {
        if self.depth >= MAX_DEPTH {
            return Err(ser::Error::custom(TOO_DEEP));
        }
        self.check_room()?;
        self.depth += 1;
        self.out.push_str(open);
        Ok(())
    }

    /// Past the cap, stops the walk (see [`write()`]).
    #[inline]
    fn check_room(&mut self) -> Result<(), Error> {
        if self.out.overflowed() {
            self.out.stop((self.top_len > 0).then_some(self.top_len));
            return Err(ser::Error::custom(CUT_SHORT));
        }
        Ok(())
    }

    /// Whether what is written here is scrubbed.
    fn scrubs(&self) -> bool {
        self.out.scrub
    }

    /// Writes `__REDACTED__` for the value under the current key, and notes
    /// its path. The path is read back from the text written so far (only
    /// here, so writing keys costs nothing extra); `key` stands in when
    /// that text was cut.
    fn redact(&mut self, key: &str) {
        // Every open level: in `input.value` the first is the object of all
        // arguments, whose key is the parameter's name.
        let open = open_keys(self.out.kept_text());
        let path = if open.len() >= self.depth && !self.out.overflowed() {
            open
        } else {
            vec![key]
        };
        let mut text = String::from(self.out.root);
        for key in path {
            if !text.is_empty() {
                text.push('.');
            }
            text.push_str(key);
        }
        write_escaped(self.out, REDACTED);
        self.out.findings.key(&text);
    }

    /// A string value: scanned for credentials (what can still be kept,
    /// and a margin), then written.
    #[inline]
    fn value_string(&mut self, text: &str) {
        if self.scrubs() && text.len() >= MIN_LEN {
            self.scanned_string(text);
        } else {
            write_escaped(self.out, text);
        }
    }

    /// A string that is the whole value (recorded as text, not JSON),
    /// scanned up to the cap and a margin, then cut at the cap.
    pub(crate) fn top_level_string(&mut self, text: &str) -> String {
        let cap = max_value_bytes();
        if !self.scrubs() || text.len() < MIN_LEN {
            return capped_str(text, cap);
        }
        let mut end = text.len().min(cap.saturating_add(SCAN_MARGIN));
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        match scrub_str(&text[..end], &mut self.out.findings) {
            None => capped_str(text, cap),
            Some(scrubbed) if end == text.len() => capped_str(&scrubbed, cap),
            Some(scrubbed) => {
                let kept = &scrubbed.as_bytes()[..cap.min(scrubbed.len())];
                truncated_text(kept, text.len())
            }
        }
    }

    /// [`JsonWriter::value_string`] for a string long enough to hold a
    /// credential.
    #[inline(never)]
    fn scanned_string(&mut self, text: &str) {
        let limit = self.out.room().saturating_add(SCAN_MARGIN);
        let mut cut = text.len().min(limit);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        match scrub_str(&text[..cut], &mut self.out.findings) {
            Some(scrubbed) => write_escaped_pieces(self.out, &scrubbed, &text[cut..]),
            None => write_escaped(self.out, text),
        }
    }

    #[inline]
    fn close(&mut self, close: &str) {
        self.depth -= 1;
        self.out.push_str(close);
    }

    /// A JSON string literal.
    fn string(&mut self, text: &str) {
        write_escaped(self.out, text);
    }

    fn integer(&mut self, v: impl itoa::Integer) {
        self.out.push_str(itoa::Buffer::new().format(v));
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use serde::Serialize;

    use super::*;

    fn ours<T: Serialize + ?Sized>(value: &T) -> Result<String, String> {
        let mut out = Capped::new(1 << 20);
        write(value, &mut out).map_err(|e| e.to_string())?;
        Ok(out.into_value(true))
    }

    fn same_as_serde_json<T: Serialize + ?Sized>(value: &T) {
        let expected = serde_json::to_string(value).map_err(|e| e.to_string());
        assert_eq!(ours(value), expected);
    }

    #[derive(Serialize)]
    enum Shape {
        Unit,
        New(u8),
        Tuple(u8, &'static str),
        Struct { a: f64, b: Option<bool> },
    }

    #[derive(Serialize)]
    struct Doc<'a> {
        id: &'a str,
        score: f32,
        tags: Vec<&'a str>,
        #[serde(with = "serde_bytes_like")]
        raw: Vec<u8>,
        unit: (),
        nested: Option<Box<Doc<'a>>>,
    }

    mod serde_bytes_like {
        pub(super) fn serialize<S: serde::Serializer>(v: &[u8], s: S) -> Result<S::Ok, S::Error> {
            s.serialize_bytes(v)
        }
    }

    #[test]
    fn every_shape_matches_serde_json() {
        same_as_serde_json(&Shape::Unit);
        same_as_serde_json(&Shape::New(7));
        same_as_serde_json(&Shape::Tuple(1, "x"));
        same_as_serde_json(&Shape::Struct { a: 0.1, b: None });
        same_as_serde_json(&vec![Shape::Unit, Shape::New(1)]);
        same_as_serde_json(&Doc {
            id: "a\"b\\c\n\u{1}\u{7f}é😀",
            score: 0.3,
            tags: vec!["x", ""],
            raw: vec![0, 255],
            unit: (),
            nested: Some(Box::new(Doc {
                id: "inner",
                score: f32::NAN,
                tags: vec![],
                raw: vec![],
                unit: (),
                nested: None,
            })),
        });
        same_as_serde_json(&(1u128 << 100, -5i128, 'c', 1e300, f64::INFINITY, -0.0));
        same_as_serde_json(&[f32::MIN_POSITIVE, 1.0, 123_456.79]);
    }

    #[test]
    fn map_keys_match_serde_json() {
        let ints: BTreeMap<i32, u8> = [(-1, 1), (2, 2)].into();
        same_as_serde_json(&ints);
        let bools: BTreeMap<bool, u8> = [(true, 1)].into();
        same_as_serde_json(&bools);
        let chars: BTreeMap<char, u8> = [('"', 1)].into();
        same_as_serde_json(&chars);
        let tuples: BTreeMap<(u8, u8), u8> = [((1, 2), 3)].into();
        assert!(ours(&tuples).unwrap_err().contains("key must be a string"));
        assert!(serde_json::to_string(&tuples).is_err());
    }

    #[test]
    fn every_control_character_is_escaped_as_serde_json_does() {
        let all: String = (0u8..0x80).map(char::from).collect();
        same_as_serde_json(&all);
    }

    #[test]
    fn depth_is_bounded() {
        let mut deep = serde_json::Value::Null;
        for _ in 0..MAX_DEPTH {
            deep = serde_json::Value::Array(vec![deep]);
        }
        assert!(ours(&deep).is_ok());
        let deeper = serde_json::Value::Array(vec![deep]);
        assert!(ours(&deeper).unwrap_err().contains(TOO_DEEP));
    }
}
