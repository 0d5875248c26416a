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

use super::depth::{MAX_DEPTH, TOO_DEEP};
use super::limit::Capped;

/// The error type: `serde_json`'s, so failures read the same as before.
pub(crate) type Error = serde_json::Error;

/// Writes `value` as compact JSON into `out`.
pub(crate) fn write<T: Serialize + ?Sized>(value: &T, out: &mut Capped) -> Result<(), Error> {
    value.serialize(&mut JsonWriter::new(out))
}

/// The serializer. `depth` counts the open arrays and objects.
pub(crate) struct JsonWriter<'a> {
    out: &'a mut Capped,
    depth: usize,
}

impl<'a> JsonWriter<'a> {
    pub(crate) fn new(out: &'a mut Capped) -> Self {
        Self { out, depth: 0 }
    }

    /// Opens an array or object: `open` is its first characters.
    fn open(&mut self, open: &str) -> Result<(), Error> {
        if self.depth >= MAX_DEPTH {
            return Err(ser::Error::custom(TOO_DEEP));
        }
        self.depth += 1;
        self.out.push_str(open);
        Ok(())
    }

    fn close(&mut self, close: &str) {
        self.depth -= 1;
        self.out.push_str(close);
    }

    fn string(&mut self, text: &str) {
        write_escaped(self.out, text);
    }

    fn integer(&mut self, v: impl itoa::Integer) {
        self.out.push_str(itoa::Buffer::new().format(v));
    }
}

/// Whether a byte must be escaped in a JSON string (`"`, `\\`, controls).
const fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// `text` as a JSON string literal, escaped as `serde_json` escapes.
pub(crate) fn write_escaped(out: &mut Capped, text: &str) {
    let bytes = text.as_bytes();
    let Some(first) = bytes.iter().position(|&b| needs_escape(b)) else {
        out.push_quoted(text);
        return;
    };
    out.push_str("\"");
    let mut start = 0;
    for (i, &byte) in bytes.iter().enumerate().skip(first) {
        if !needs_escape(byte) {
            continue;
        }
        // `i` is an ASCII byte's index, so both slices end on a char boundary.
        out.push_str(&text[start..i]);
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let unicode = [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xf)],
                ];
                out.push_str(core::str::from_utf8(&unicode).unwrap_or_default());
            }
        }
        start = i + 1;
    }
    out.push_str(&text[start..]);
    out.push_str("\"");
}

/// One array or object being written.
pub(crate) struct Compound<'w, 'a> {
    writer: &'w mut JsonWriter<'a>,
    first: bool,
    /// What closes it: `]`, `}`, or those followed by the `}` of a variant.
    close: &'static str,
}

impl Compound<'_, '_> {
    fn comma(&mut self) {
        if !self.first {
            self.writer.out.push_str(",");
        }
        self.first = false;
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.comma();
        value.serialize(&mut *self.writer)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.comma();
        self.writer.string(key);
        self.writer.out.push_str(":");
        value.serialize(&mut *self.writer)
    }

    fn finish(self) {
        let close = self.close;
        self.writer.close(close);
        if close.len() > 1 {
            // The variant's object.
            self.writer.depth -= 1;
        }
    }
}

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

impl<'w, 'a> ser::Serializer for &'w mut JsonWriter<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'w, 'a>;
    type SerializeTuple = Compound<'w, 'a>;
    type SerializeTupleStruct = Compound<'w, 'a>;
    type SerializeTupleVariant = Compound<'w, 'a>;
    type SerializeMap = Compound<'w, 'a>;
    type SerializeStruct = Compound<'w, 'a>;
    type SerializeStructVariant = Compound<'w, 'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out.push_str(if v { "true" } else { "false" });
        Ok(())
    }
    integers!(|writer, v| {
        writer.integer(v);
        Ok(())
    });
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        if v.is_finite() {
            self.out.push_str(zmij::Buffer::new().format_finite(v));
        } else {
            self.out.push_str("null");
        }
        Ok(())
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        if v.is_finite() {
            self.out.push_str(zmij::Buffer::new().format_finite(v));
        } else {
            self.out.push_str("null");
        }
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.string(v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        let mut seq = ser::Serializer::serialize_seq(self, Some(v.len()))?;
        for byte in v {
            ser::SerializeSeq::serialize_element(&mut seq, byte)?;
        }
        ser::SerializeSeq::end(seq)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.out.push_str("null");
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.open("{")?;
        self.string(variant);
        self.out.push_str(":");
        value.serialize(&mut *self)?;
        self.close("}");
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Compound<'w, 'a>, Error> {
        self.open("[")?;
        Ok(Compound {
            writer: self,
            first: true,
            close: "]",
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'w, 'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        len: usize,
    ) -> Result<Compound<'w, 'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w, 'a>, Error> {
        self.open("{")?;
        self.string(variant);
        self.open(":[")?;
        Ok(Compound {
            writer: self,
            first: true,
            close: "]}",
        })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Compound<'w, 'a>, Error> {
        self.open("{")?;
        Ok(Compound {
            writer: self,
            first: true,
            close: "}",
        })
    }
    fn serialize_struct(self, _name: &'static str, len: usize) -> Result<Compound<'w, 'a>, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Compound<'w, 'a>, Error> {
        self.open("{")?;
        self.string(variant);
        self.open(":{")?;
        Ok(Compound {
            writer: self,
            first: true,
            close: "}}",
        })
    }
}

/// The sequence-like serializers: each element, then the closers.
macro_rules! sequence_like {
    ($($trait:ident::$method:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
                self.element(value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish();
                Ok(())
            }
        }
    )*};
}

sequence_like!(
    SerializeSeq::serialize_element,
    SerializeTuple::serialize_element,
    SerializeTupleStruct::serialize_field,
    SerializeTupleVariant::serialize_field
);

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        key.serialize(MapKey {
            writer: &mut *self.writer,
        })?;
        self.writer.out.push_str(":");
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.writer)
    }
    fn end(self) -> Result<(), Error> {
        self.finish();
        Ok(())
    }
}

/// The struct-like serializers: named fields, then the closers.
macro_rules! struct_like {
    ($($trait:ident),*) => {$(
        impl ser::$trait for Compound<'_, '_> {
            type Ok = ();
            type Error = Error;
            fn serialize_field<T: Serialize + ?Sized>(
                &mut self,
                key: &'static str,
                value: &T,
            ) -> Result<(), Error> {
                self.field(key, value)
            }
            fn end(self) -> Result<(), Error> {
                self.finish();
                Ok(())
            }
        }
    )*};
}

struct_like!(SerializeStruct, SerializeStructVariant);

/// A map key: strings, and what `serde_json` turns into strings (integers,
/// bools, finite floats, chars, unit variants); anything else is an error.
struct MapKey<'w, 'a> {
    writer: &'w mut JsonWriter<'a>,
}

fn key_must_be_a_string() -> Error {
    ser::Error::custom("key must be a string")
}

impl MapKey<'_, '_> {
    fn quoted(self, text: &str) -> Result<(), Error> {
        let out = &mut *self.writer.out;
        out.push_str("\"");
        out.push_str(text);
        out.push_str("\"");
        Ok(())
    }

    fn float(self, finite: bool, text: impl FnOnce() -> String) -> Result<(), Error> {
        if finite {
            self.quoted(&text())
        } else {
            Err(ser::Error::custom(
                "float key must be finite (got NaN or +/-inf)",
            ))
        }
    }
}

impl ser::Serializer for MapKey<'_, '_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.writer.string(v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.writer.string(v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.quoted(if v { "true" } else { "false" })
    }
    integers!(|key, v| key.quoted(itoa::Buffer::new().format(v)));
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.float(v.is_finite(), || {
            zmij::Buffer::new().format_finite(v).to_owned()
        })
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.float(v.is_finite(), || {
            zmij::Buffer::new().format_finite(v).to_owned()
        })
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Error> {
        self.writer.string(variant);
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_none(self) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _value: &T,
    ) -> Result<(), Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct(
        self,
        _name: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStruct, Error> {
        Err(key_must_be_a_string())
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        _variant: &'static str,
        _len: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_must_be_a_string())
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
