//! [`scalar_value`]: an argument's value when it is a string, number or
//! boolean, which is all the kinds read from the arguments that play no
//! role (they become invocation parameters). Anything else (a 16 MiB byte
//! slice, a struct) stops at its first call, so it costs nothing to find
//! out; a string is cut at the value cap.

use serde::ser::{self, Impossible, Serialize};
use serde_json::Value;

use super::limit::capped_str;

/// The value of `value` when it serializes as a scalar (through options and
/// newtypes), its strings cut at `cap` bytes; `None` for anything else, or
/// when its `Serialize` fails or panics.
pub(crate) fn scalar_value<T: Serialize + ?Sized>(value: &T, cap: usize) -> Option<Value> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        value.serialize(Scalar { cap }).ok()
    }))
    .ok()
    .flatten()
}

struct Scalar {
    cap: usize,
}

/// The error that says "not a scalar" (never shown).
fn not_scalar() -> serde_json::Error {
    ser::Error::custom("not a scalar")
}

macro_rules! numbers {
    ($($method:ident: $ty:ty),*) => {$(
        fn $method(self, v: $ty) -> Result<Value, serde_json::Error> {
            Ok(Value::from(v))
        }
    )*};
}

impl ser::Serializer for Scalar {
    type Ok = Value;
    type Error = serde_json::Error;
    type SerializeSeq = Impossible<Value, serde_json::Error>;
    type SerializeTuple = Impossible<Value, serde_json::Error>;
    type SerializeTupleStruct = Impossible<Value, serde_json::Error>;
    type SerializeTupleVariant = Impossible<Value, serde_json::Error>;
    type SerializeMap = Impossible<Value, serde_json::Error>;
    type SerializeStruct = Impossible<Value, serde_json::Error>;
    type SerializeStructVariant = Impossible<Value, serde_json::Error>;

    numbers!(serialize_i8: i8, serialize_i16: i16, serialize_i32: i32, serialize_i64: i64,
        serialize_u8: u8, serialize_u16: u16, serialize_u32: u32, serialize_u64: u64,
        serialize_f32: f32, serialize_f64: f64, serialize_bool: bool);

    fn serialize_i128(self, v: i128) -> Result<Value, serde_json::Error> {
        i64::try_from(v).map(Value::from).map_err(|_| not_scalar())
    }
    fn serialize_u128(self, v: u128) -> Result<Value, serde_json::Error> {
        u64::try_from(v).map(Value::from).map_err(|_| not_scalar())
    }
    fn serialize_char(self, v: char) -> Result<Value, serde_json::Error> {
        Ok(Value::String(v.to_string()))
    }
    fn serialize_str(self, v: &str) -> Result<Value, serde_json::Error> {
        Ok(Value::String(capped_str(v, self.cap)))
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<Value, serde_json::Error> {
        Err(not_scalar())
    }
    fn serialize_none(self) -> Result<Value, serde_json::Error> {
        Ok(Value::Null)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<Value, serde_json::Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<Value, serde_json::Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<Value, serde_json::Error> {
        Ok(Value::Null)
    }
    fn serialize_unit_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
    ) -> Result<Value, serde_json::Error> {
        Ok(Value::String(variant.to_owned()))
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<Value, serde_json::Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<Value, serde_json::Error> {
        Err(not_scalar())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, serde_json::Error> {
        Err(not_scalar())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, serde_json::Error> {
        Err(not_scalar())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, serde_json::Error> {
        Err(not_scalar())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, serde_json::Error> {
        Err(not_scalar())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, serde_json::Error> {
        Err(not_scalar())
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStruct, serde_json::Error> {
        Err(not_scalar())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, serde_json::Error> {
        Err(not_scalar())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_through_options_and_newtypes_the_rest_not_at_all() {
        struct Celsius(f32);
        impl Serialize for Celsius {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_newtype_struct("Celsius", &self.0)
            }
        }
        struct Mode;
        impl Serialize for Mode {
            fn serialize<S: ser::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_unit_variant("Mode", 0, "Fast")
            }
        }
        assert_eq!(scalar_value(&0.5f64, 64), Some(json!(0.5)));
        assert_eq!(scalar_value(&Some(3u8), 64), Some(json!(3)));
        assert_eq!(scalar_value(&Celsius(1.5), 64), Some(json!(1.5)));
        assert_eq!(scalar_value(&Mode, 64), Some(json!("Fast")));
        assert_eq!(scalar_value("gpt-4o", 64), Some(json!("gpt-4o")));
        assert_eq!(scalar_value(&vec![0u8; 1 << 20], 64), None);
        assert_eq!(scalar_value(&json!({"a": 1}), 64), None);
        let long = scalar_value(&"x".repeat(1000), 64).unwrap();
        assert!(long.as_str().unwrap().len() < 200);
    }
}
