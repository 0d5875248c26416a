//! A bound on nesting depth while serializing a captured value.
//!
//! `serde_json` has no depth limit when serializing: a value nested a few
//! hundred thousand levels deep overflows the stack and aborts the process.
//! [`Bounded`] wraps any `Serialize` value so that every nested value is
//! serialized through a serializer that counts the depth and fails with
//! an error ([`TOO_DEEP`]) past [`MAX_DEPTH`], which unwinds the recursion harmlessly.
//! [`Bounded::strings_capped`] also cuts every string (and byte string) at
//! a cap on the way, so a `serde_json::Value` built through it never holds a
//! 16 MiB string just to have it cut later.

use core::fmt;

use super::limit::truncated_text;

use serde::ser::{
    self, Serialize, SerializeMap, SerializeSeq, SerializeStruct, SerializeStructVariant,
    SerializeTuple, SerializeTupleStruct, SerializeTupleVariant,
};

/// Nesting levels serialized at most (serde_json's parser allows 128).
pub(crate) const MAX_DEPTH: usize = 128;

/// The message of the error a too-deep value produces.
pub(crate) const TOO_DEEP: &str = "value nested deeper than 128 levels";

/// `value`, serialized with its depth bounded.
pub(crate) struct Bounded<'a, T: ?Sized> {
    value: &'a T,
    depth: usize,
    /// Strings longer than this are cut (with the text marker).
    cap: usize,
}

impl<'a, T: ?Sized> Bounded<'a, T> {
    pub(crate) fn new(value: &'a T) -> Self {
        Self {
            value,
            depth: 0,
            cap: usize::MAX,
        }
    }

    /// `value` with its depth bounded and every string cut at `cap` bytes.
    pub(crate) fn strings_capped(value: &'a T, cap: usize) -> Self {
        Self {
            value,
            depth: 0,
            cap,
        }
    }
}

impl<T: Serialize + ?Sized> Serialize for Bounded<'_, T> {
    fn serialize<S: ser::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.depth > MAX_DEPTH {
            return Err(ser::Error::custom(TOO_DEEP));
        }
        self.value.serialize(Depth {
            inner: serializer,
            depth: self.depth,
            cap: self.cap,
        })
    }
}

/// Whether a serialization error is the depth bound.
pub(crate) fn is_too_deep(error: &impl fmt::Display) -> bool {
    error.to_string().contains(TOO_DEEP)
}

struct Depth<S> {
    inner: S,
    depth: usize,
    cap: usize,
}

impl<S> Depth<S> {
    fn nested<'a, T: ?Sized>(&self, value: &'a T) -> Bounded<'a, T> {
        Bounded {
            value,
            depth: self.depth + 1,
            cap: self.cap,
        }
    }
}

macro_rules! forward {
    ($($method:ident($($arg:ident: $ty:ty),*);)*) => {
        $(fn $method(self, $($arg: $ty),*) -> Result<S::Ok, S::Error> {
            self.inner.$method($($arg),*)
        })*
    };
}

impl<S: ser::Serializer> ser::Serializer for Depth<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    type SerializeSeq = Depth<S::SerializeSeq>;
    type SerializeTuple = Depth<S::SerializeTuple>;
    type SerializeTupleStruct = Depth<S::SerializeTupleStruct>;
    type SerializeTupleVariant = Depth<S::SerializeTupleVariant>;
    type SerializeMap = Depth<S::SerializeMap>;
    type SerializeStruct = Depth<S::SerializeStruct>;
    type SerializeStructVariant = Depth<S::SerializeStructVariant>;

    forward! {
        serialize_bool(v: bool);
        serialize_i8(v: i8);
        serialize_i16(v: i16);
        serialize_i32(v: i32);
        serialize_i64(v: i64);
        serialize_i128(v: i128);
        serialize_u8(v: u8);
        serialize_u16(v: u16);
        serialize_u32(v: u32);
        serialize_u64(v: u64);
        serialize_u128(v: u128);
        serialize_f64(v: f64);
        serialize_char(v: char);
        serialize_none();
        serialize_unit();
        serialize_unit_struct(name: &'static str);
        serialize_unit_variant(name: &'static str, index: u32, variant: &'static str);
    }

    /// An `f32` as the `f64` of its shortest decimal form (`0.2f32` is
    /// `0.2`, not `0.20000000298023224`, in a value built from it); the same
    /// text as the `f32` in JSON.
    fn serialize_f32(self, v: f32) -> Result<S::Ok, S::Error> {
        if !v.is_finite() {
            return self.inner.serialize_f32(v);
        }
        let mut buffer = zmij::Buffer::new();
        match buffer.format_finite(v).parse::<f64>() {
            Ok(wide) => self.inner.serialize_f64(wide),
            Err(_) => self.inner.serialize_f32(v),
        }
    }

    fn serialize_str(self, v: &str) -> Result<S::Ok, S::Error> {
        if v.len() > self.cap {
            // Cut at a character boundary by `truncated_text`.
            return self
                .inner
                .serialize_str(&truncated_text(&v.as_bytes()[..self.cap], v.len()));
        }
        self.inner.serialize_str(v)
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<S::Ok, S::Error> {
        self.inner.serialize_bytes(&v[..v.len().min(self.cap)])
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<S::Ok, S::Error> {
        let nested = self.nested(value);
        self.inner.serialize_some(&nested)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let nested = self.nested(value);
        self.inner.serialize_newtype_struct(name, &nested)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<S::Ok, S::Error> {
        let nested = self.nested(value);
        self.inner
            .serialize_newtype_variant(name, index, variant, &nested)
    }
    fn serialize_seq(self, len: Option<usize>) -> Result<Self::SerializeSeq, S::Error> {
        let (depth, cap) = (self.depth, self.cap);
        let inner = self.inner.serialize_seq(len)?;
        Ok(Depth { inner, depth, cap })
    }
    fn serialize_tuple(self, len: usize) -> Result<Self::SerializeTuple, S::Error> {
        let (depth, cap) = (self.depth, self.cap);
        let inner = self.inner.serialize_tuple(len)?;
        Ok(Depth { inner, depth, cap })
    }
    fn serialize_tuple_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleStruct, S::Error> {
        let (depth, cap) = (self.depth, self.cap);
        let inner = self.inner.serialize_tuple_struct(name, len)?;
        Ok(Depth { inner, depth, cap })
    }
    fn serialize_tuple_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeTupleVariant, S::Error> {
        let (depth, cap) = (self.depth, self.cap);
        let inner = self
            .inner
            .serialize_tuple_variant(name, index, variant, len)?;
        Ok(Depth { inner, depth, cap })
    }
    fn serialize_map(self, len: Option<usize>) -> Result<Self::SerializeMap, S::Error> {
        let (depth, cap) = (self.depth, self.cap);
        let inner = self.inner.serialize_map(len)?;
        Ok(Depth { inner, depth, cap })
    }
    fn serialize_struct(
        self,
        name: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStruct, S::Error> {
        let (depth, cap) = (self.depth, self.cap);
        let inner = self.inner.serialize_struct(name, len)?;
        Ok(Depth { inner, depth, cap })
    }
    fn serialize_struct_variant(
        self,
        name: &'static str,
        index: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Self::SerializeStructVariant, S::Error> {
        let (depth, cap) = (self.depth, self.cap);
        let inner = self
            .inner
            .serialize_struct_variant(name, index, variant, len)?;
        Ok(Depth { inner, depth, cap })
    }
    fn is_human_readable(&self) -> bool {
        self.inner.is_human_readable()
    }
}

macro_rules! compound {
    ($trait:ident, $method:ident $(, $key:ident: $kty:ty)?) => {
        impl<S: $trait> $trait for Depth<S> {
            type Ok = S::Ok;
            type Error = S::Error;
            fn $method<T: Serialize + ?Sized>(&mut self, $($key: $kty,)? value: &T) -> Result<(), S::Error> {
                let nested = Bounded { value, depth: self.depth + 1, cap: self.cap };
                self.inner.$method($($key,)? &nested)
            }
            fn end(self) -> Result<S::Ok, S::Error> {
                self.inner.end()
            }
        }
    };
}

compound!(SerializeSeq, serialize_element);
compound!(SerializeTuple, serialize_element);
compound!(SerializeTupleStruct, serialize_field);
compound!(SerializeTupleVariant, serialize_field);
compound!(SerializeStruct, serialize_field, key: &'static str);
compound!(SerializeStructVariant, serialize_field, key: &'static str);

impl<S: SerializeMap> SerializeMap for Depth<S> {
    type Ok = S::Ok;
    type Error = S::Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), S::Error> {
        let nested = Bounded {
            value: key,
            depth: self.depth + 1,
            cap: self.cap,
        };
        self.inner.serialize_key(&nested)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), S::Error> {
        let nested = Bounded {
            value,
            depth: self.depth + 1,
            cap: self.cap,
        };
        self.inner.serialize_value(&nested)
    }
    fn end(self) -> Result<S::Ok, S::Error> {
        self.inner.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(levels: usize) -> serde_json::Value {
        let mut v = serde_json::json!(1);
        for _ in 0..levels {
            v = serde_json::Value::Array(vec![v]);
        }
        v
    }

    #[test]
    fn shallow_values_serialize_unchanged() {
        let v = serde_json::json!({"a": [1, {"b": null}], "c": "x"});
        assert_eq!(
            serde_json::to_string(&Bounded::new(&v)).unwrap(),
            v.to_string()
        );
        let v = nested(100);
        assert_eq!(
            serde_json::to_string(&Bounded::new(&v)).unwrap(),
            v.to_string()
        );
    }

    #[test]
    fn deep_values_fail_without_overflowing_the_stack() {
        // Deep enough that unbounded recursion would overflow a test thread's stack.
        let v = nested(200_000);
        let err = serde_json::to_string(&Bounded::new(&v)).unwrap_err();
        assert!(is_too_deep(&err), "{err}");
        // Dropping such a Value recurses too; leak it (test only).
        std::mem::forget(v);
    }
}
