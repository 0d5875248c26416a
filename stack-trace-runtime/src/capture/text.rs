//! A serializer for the *top level* of a captured value.
//!
//! OpenInference records strings, numbers and booleans as `text/plain` (the
//! value itself, not a JSON string literal) and everything structured as
//! `application/json`. This serializer decides which while serializing, in one
//! pass: primitives become text, compound values are handed to the JSON
//! writer ([`super::json`]), which writes them straight into the output
//! buffer (no intermediate `serde_json::Value`).

use serde::ser::{self, Serialize};

use super::json::compound::Compound;
use super::json::JsonWriter;
use super::limit::Capped;

/// What the top level of a value turned out to be.
#[derive(Debug, PartialEq)]
pub(crate) enum TopLevel {
    /// `()`: nothing worth recording.
    Nothing,
    /// A primitive, already rendered as text.
    Text(String),
    /// A structured value, written as JSON into the buffer.
    Json,
}

/// Serializes `value`: JSON goes to `buf`, a primitive comes back as text.
pub(crate) fn serialize_top_level<T: Serialize + ?Sized>(
    value: &T,
    buf: &mut Capped,
) -> Result<TopLevel, serde_json::Error> {
    let mut json = JsonWriter::new(buf);
    let mut top = TopLevel::Json;
    value.serialize(Top {
        json: &mut json,
        top: &mut top,
    })?;
    Ok(top)
}

struct Top<'a, 'b> {
    json: &'a mut JsonWriter<'b>,
    top: &'a mut TopLevel,
}

impl Top<'_, '_> {
    fn text(self, text: String) -> Result<(), serde_json::Error> {
        *self.top = TopLevel::Text(text);
        Ok(())
    }
}

fn float_text(v: f64) -> String {
    if v.is_finite() {
        // serde_json's shortest round-trip form keeps the `.0` of whole floats.
        serde_json::to_string(&v).unwrap_or_else(|_| v.to_string())
    } else {
        v.to_string()
    }
}

impl<'a, 'b> ser::Serializer for Top<'a, 'b> {
    type Ok = ();
    type Error = serde_json::Error;
    type SerializeSeq = Compound<'a, 'b>;
    type SerializeTuple = Compound<'a, 'b>;
    type SerializeTupleStruct = Compound<'a, 'b>;
    type SerializeTupleVariant = Compound<'a, 'b>;
    type SerializeMap = Compound<'a, 'b>;
    type SerializeStruct = Compound<'a, 'b>;
    type SerializeStructVariant = Compound<'a, 'b>;

    fn serialize_bool(self, v: bool) -> Result<(), Self::Error> {
        self.text(if v { "true" } else { "false" }.to_owned())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Self::Error> {
        self.text(v.to_string())
    }
    fn serialize_i16(self, v: i16) -> Result<(), Self::Error> {
        self.text(v.to_string())
    }
    fn serialize_i32(self, v: i32) -> Result<(), Self::Error> {
        self.text(v.to_string())
    }
    fn serialize_i64(self, v: i64) -> Result<(), Self::Error> {
        self.text(v.to_string())
    }
    fn serialize_i128(self, v: i128) -> Result<(), Self::Error> {
        self.text(v.to_string())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Self::Error> {
        self.text(v.to_string())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Self::Error> {
        self.text(v.to_string())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Self::Error> {
        self.text(v.to_string())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Self::Error> {
        self.text(v.to_string())
    }
    fn serialize_u128(self, v: u128) -> Result<(), Self::Error> {
        self.text(v.to_string())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Self::Error> {
        self.text(float_text(f64::from(v)))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Self::Error> {
        self.text(float_text(v))
    }
    fn serialize_char(self, v: char) -> Result<(), Self::Error> {
        self.text(v.to_string())
    }
    fn serialize_str(self, v: &str) -> Result<(), Self::Error> {
        let text = self.json.top_level_string(v);
        self.text(text)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Self::Error> {
        ser::Serializer::serialize_bytes(self.json, v)
    }
    fn serialize_none(self) -> Result<(), Self::Error> {
        ser::Serializer::serialize_none(self.json)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Self::Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Self::Error> {
        *self.top = TopLevel::Nothing;
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Self::Error> {
        ser::Serializer::serialize_unit_struct(self.json, name)
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Self::Error> {
        self.text(variant.to_owned())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Self::Error> {
        ser::Serializer::serialize_newtype_variant(self.json, name, index, variant, value)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, Self::Error> {
        ser::Serializer::serialize_seq(self.json, len)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, Self::Error> {
        ser::Serializer::serialize_tuple(self.json, len)
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, Self::Error> {
        ser::Serializer::serialize_tuple_struct(self.json, name, len)
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, Self::Error> {
        ser::Serializer::serialize_tuple_variant(self.json, name, index, variant, len)
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, Self::Error> {
        ser::Serializer::serialize_map(self.json, len)
    }
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, Self::Error> {
        ser::Serializer::serialize_struct(self.json, name, len)
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, Self::Error> {
        ser::Serializer::serialize_struct_variant(self.json, name, index, variant, len)
    }
}

#[cfg(test)]
mod tests {
    use super::{serialize_top_level, Capped, TopLevel};
    use serde::Serialize;

    fn top<T: Serialize + ?Sized>(v: &T) -> (TopLevel, String) {
        let mut buf = Capped::new(1 << 20);
        let t = serialize_top_level(v, &mut buf).unwrap();
        (t, buf.into_value(true))
    }

    #[test]
    fn primitives_are_text() {
        assert_eq!(top("héllo \"x\"").0, TopLevel::Text("héllo \"x\"".into()));
        assert_eq!(top(&42u8).0, TopLevel::Text("42".into()));
        assert_eq!(top(&-7i64).0, TopLevel::Text("-7".into()));
        assert_eq!(top(&true).0, TopLevel::Text("true".into()));
        assert_eq!(top(&1.0f64).0, TopLevel::Text("1.0".into()));
        assert_eq!(top(&f64::NAN).0, TopLevel::Text("NaN".into()));
        assert_eq!(top(&'x').0, TopLevel::Text("x".into()));
        assert_eq!(top(&Some("s")).0, TopLevel::Text("s".into()));
        assert_eq!(
            top(&String::from("owned")).0,
            TopLevel::Text("owned".into())
        );
    }

    #[test]
    fn unit_is_nothing_and_none_is_null() {
        assert_eq!(top(&()).0, TopLevel::Nothing);
        assert_eq!(top(&None::<u8>), (TopLevel::Json, "null".into()));
    }

    #[test]
    fn compound_values_are_compact_json() {
        #[derive(Serialize)]
        struct Doc<'a> {
            id: &'a str,
            score: f32,
        }
        #[derive(Serialize)]
        struct Wrapper(Vec<u8>);
        #[derive(Serialize)]
        enum E {
            Unit,
            New(u8),
        }
        assert_eq!(
            top(&Doc {
                id: "a",
                score: 0.5
            }),
            (TopLevel::Json, r#"{"id":"a","score":0.5}"#.into())
        );
        assert_eq!(
            top(&vec!["a", "b"]),
            (TopLevel::Json, r#"["a","b"]"#.into())
        );
        assert_eq!(top(&Wrapper(vec![1, 2])), (TopLevel::Json, "[1,2]".into()));
        assert_eq!(top(&E::Unit).0, TopLevel::Text("Unit".into()));
        assert_eq!(top(&E::New(3)), (TopLevel::Json, r#"{"New":3}"#.into()));
        assert_eq!(top(&(1, "x")), (TopLevel::Json, r#"[1,"x"]"#.into()));
    }
}
