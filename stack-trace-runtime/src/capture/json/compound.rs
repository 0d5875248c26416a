//! Arrays and objects: the compound serializers of the JSON writer.

use serde::ser::{self, Serialize};

use super::map_key::MapKey;
use super::{Error, JsonWriter};
use crate::scrub::rules::is_secret_key;

/// One array or object being written.
pub(crate) struct Compound<'w, 'a> {
    pub(super) writer: &'w mut JsonWriter<'a>,
    pub(super) first: bool,
    /// What closes it: `]`, `}`, or those followed by the `}` of a variant.
    pub(super) close: &'static str,
}

impl Compound<'_, '_> {
    fn comma(&mut self) {
        if !self.first {
            self.writer.out.push_str(",");
        }
        self.first = false;
    }

    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.writer.check_room()?;
        self.comma();
        value.serialize(&mut *self.writer)
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        self.writer.check_room()?;
        self.comma();
        self.writer.string(key);
        self.writer.out.push_str(":");
        if self.writer.scrubs() && is_secret_key(key) {
            // The value's own `Serialize` is not even called.
            self.writer.redact(key);
            return Ok(());
        }
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
        self.writer.check_room()?;
        self.comma();
        key.serialize(MapKey::new(&mut *self.writer))?;
        self.writer.out.push_str(":");
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        if std::mem::take(&mut self.writer.redact_next) {
            self.writer.redact("?");
            return Ok(());
        }
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
