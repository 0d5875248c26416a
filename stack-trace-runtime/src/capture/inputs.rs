//! [`Inputs`]: `input.value` built from the arguments of one call, written
//! straight into one capped JSON text (or, for one argument of a chain-like
//! kind, the argument as itself).

use core::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::Serialize;

use super::panic::panic_message;
use super::{
    capture_serialize, capture_serialize_or_debug_with, debug_text, depth, fallback_text, json,
    limit, opaque_text, Captured, SerializeFailure,
};
use crate::semconv::{MIME_JSON, REDACTED};

/// Builds `input.value` from the arguments of one call.
///
/// With `InputShape::Single` the one argument is recorded as itself (a
/// string as text, a struct as JSON); with `InputShape::Object` all
/// arguments form one JSON object keyed by parameter name.
#[derive(Debug)]
pub struct Inputs {
    shape: InputShape,
    json: limit::Capped,
    single: Option<Captured>,
    single_name: Option<&'static str>,
    first: bool,
    /// The arguments as whole JSON values, for kinds that read their shape.
    values: Option<serde_json::Map<String, serde_json::Value>>,
}

/// How the arguments of a call become `input.value`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputShape {
    /// One argument, recorded as its own value.
    Single,
    /// All arguments as one JSON object.
    Object,
}

impl Inputs {
    /// Starts capturing arguments in the given shape.
    #[must_use]
    pub fn new(shape: InputShape) -> Self {
        let mut json = limit::Capped::new(limit::max_value_bytes());
        if shape == InputShape::Object {
            json.push_str("{");
        }
        Self {
            shape,
            json,
            single: None,
            single_name: None,
            first: true,
            values: None,
        }
    }

    /// Also keep each argument as a whole JSON value (not size-capped), for
    /// kinds that read messages, texts or documents from them.
    pub(crate) fn keep_values(&mut self) {
        self.values = Some(serde_json::Map::new());
    }

    /// The arguments kept by [`Inputs::keep_values`].
    pub(crate) fn take_values(&mut self) -> Option<serde_json::Map<String, serde_json::Value>> {
        self.values.take()
    }

    fn keep_value(
        &mut self,
        name: &'static str,
        value: impl FnOnce() -> Option<serde_json::Value>,
    ) {
        if let Some(values) = &mut self.values {
            if let Some(v) = value() {
                values.insert(name.to_owned(), v);
            }
        }
    }

    /// With `InputShape::Single`, the name of the argument recorded.
    #[must_use]
    pub fn single_name(&self) -> Option<&'static str> {
        self.single_name
    }

    fn key(&mut self, name: &str) {
        // A parameter name is a Rust identifier: it holds no quote, backslash
        // or control character, so it needs no JSON escaping.
        debug_assert!(!name.contains(['"', '\\']) && !name.chars().any(char::is_control));
        self.json.push_key(name, !self.first);
        self.first = false;
    }

    fn redacted(&mut self, name: &'static str, secret: bool) -> bool {
        if self.shape == InputShape::Single {
            self.single_name = Some(name);
        }
        if !secret {
            return false;
        }
        match self.shape {
            InputShape::Single => self.single = Some(Captured::text(REDACTED.to_owned())),
            InputShape::Object => {
                self.key(name);
                json::write_escaped(&mut self.json, REDACTED);
            }
        }
        true
    }

    fn json_string(&mut self, text: &str) {
        json::write_escaped(&mut self.json, text);
    }

    /// Records a `Serialize` argument (falling back to `Debug` if `D` allows).
    pub(crate) fn serialize<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        secret: bool,
        value: &T,
        debug_fallback: Option<&dyn Fn() -> String>,
    ) {
        if self.redacted(name, secret) {
            return;
        }
        self.keep_value(name, || {
            catch_unwind(AssertUnwindSafe(|| {
                serde_json::to_value(depth::Bounded::new(value)).ok()
            }))
            .ok()
            .flatten()
        });
        match self.shape {
            InputShape::Single => {
                self.single = match debug_fallback {
                    Some(debug) => capture_serialize_or_debug_with(value, debug),
                    None => capture_serialize(value),
                }
                .or_else(|| Some(Captured::text(String::new())));
            }
            InputShape::Object => {
                self.key(name);
                let mark = self.json.total();
                let result = catch_unwind(AssertUnwindSafe(|| json::write(value, &mut self.json)));
                let failure = match result {
                    Ok(Ok(())) => return,
                    Ok(Err(e)) => SerializeFailure::Error(e),
                    Err(payload) => SerializeFailure::Panic(panic_message(&*payload)),
                };
                self.json.truncate(mark);
                let text = match debug_fallback {
                    Some(debug) => fallback_text::<T>(&failure, debug),
                    None => format!("<{failure}; type {}>", core::any::type_name::<T>()),
                };
                self.json_string(&text);
            }
        }
    }

    /// Records an argument through its `Debug` text.
    pub(crate) fn debug<T: Debug + ?Sized>(&mut self, name: &'static str, secret: bool, value: &T) {
        if self.redacted(name, secret) {
            return;
        }
        let text = debug_text(value);
        match self.shape {
            InputShape::Single => self.single = Some(Captured::text(text)),
            InputShape::Object => {
                self.key(name);
                self.json_string(&text);
            }
        }
    }

    /// Records an argument that can only be named by its type.
    pub(crate) fn opaque<T: ?Sized>(&mut self, name: &'static str, secret: bool) {
        if self.redacted(name, secret) {
            return;
        }
        let text = opaque_text::<T>();
        match self.shape {
            InputShape::Single => self.single = Some(Captured::text(text)),
            InputShape::Object => {
                self.key(name);
                self.json_string(&text);
            }
        }
    }

    /// The finished `input.value`.
    #[must_use]
    pub fn finish(mut self) -> Option<Captured> {
        match self.shape {
            InputShape::Single => self.single,
            InputShape::Object => {
                self.json.push_str("}");
                Some(Captured {
                    value: self.json.into_value(true),
                    mime: MIME_JSON,
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_values::{Failing, Panicking};
    use super::super::{secret, MIME_JSON};
    use super::*;

    #[test]
    fn object_of_arguments_is_json_with_redaction() {
        let mut inputs = Inputs::new(InputShape::Object);
        inputs.serialize("query", secret::is_secret_name("query"), "rust", None);
        inputs.serialize("top_k", secret::is_secret_name("top_k"), &3usize, None);
        inputs.serialize("api_key", secret::is_secret_name("api_key"), "sk-123", None);
        inputs.debug("client", secret::is_secret_name("client"), &Some(1));
        inputs.opaque::<std::fs::File>("file", secret::is_secret_name("file"));
        let got = inputs.finish().unwrap();
        assert_eq!(got.mime, MIME_JSON);
        let parsed: serde_json::Value = serde_json::from_str(&got.value).unwrap();
        assert_eq!(parsed["query"], "rust");
        assert_eq!(parsed["top_k"], 3);
        assert_eq!(parsed["api_key"], REDACTED);
        assert_eq!(parsed["client"], "Some(1)");
        assert_eq!(parsed["file"], "<std::fs::File>");
        assert!(!got.value.contains("sk-123"));
    }

    #[test]
    fn empty_object_for_no_arguments() {
        let got = Inputs::new(InputShape::Object).finish().unwrap();
        assert_eq!(got.value, "{}");
    }

    #[test]
    fn single_argument_is_its_own_value() {
        let mut inputs = Inputs::new(InputShape::Single);
        inputs.serialize(
            "query",
            secret::is_secret_name("query"),
            "how do I rotate keys?",
            None,
        );
        assert_eq!(
            inputs.finish().unwrap(),
            Captured::text("how do I rotate keys?".into())
        );
        let mut inputs = Inputs::new(InputShape::Single);
        inputs.serialize(
            "token",
            secret::is_secret_name("token"),
            "secret-value",
            None,
        );
        assert_eq!(inputs.finish().unwrap().value, REDACTED);
    }

    #[test]
    fn failing_serialize_falls_back_and_keeps_json_valid() {
        let mut inputs = Inputs::new(InputShape::Object);
        inputs.serialize("a", secret::is_secret_name("a"), &Failing, None);
        inputs.serialize(
            "b",
            secret::is_secret_name("b"),
            &Panicking,
            Some(&|| "Panicking".to_owned()),
        );
        inputs.serialize("c", secret::is_secret_name("c"), &1, None);
        let got = inputs.finish().unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&got.value).unwrap();
        assert!(parsed["a"].as_str().unwrap().contains("no way"), "{parsed}");
        assert_eq!(parsed["b"], "Panicking");
        assert_eq!(parsed["c"], 1);
    }
}
