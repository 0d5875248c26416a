//! Value capture: turning arguments and results into `input.value` /
//! `output.value` strings with the right mime type.
//!
//! Which strategy a value gets is decided at compile time at the call site by
//! autoref specialization (see [`probe`]): `Serialize` (falling back to
//! `Debug` if serialization fails), else `Debug`, else the type name. Nothing
//! here runs unless the span is recording.

pub(crate) mod depth;
pub(crate) mod error;
pub(crate) mod json;
pub(crate) mod limit;
pub(crate) mod probe;
pub(crate) mod secret;
pub(crate) mod text;

use core::fmt::{self, Debug, Write as _};
use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::Serialize;

use crate::panic_message::panic_message;
use crate::semconv::{MIME_JSON, MIME_TEXT, REDACTED};
use text::{serialize_top_level, TopLevel};

/// A captured value ready to be written as `*.value` + `*.mime_type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Captured {
    /// The text written to `input.value` / `output.value`.
    pub value: String,
    /// `text/plain` or `application/json`.
    pub mime: &'static str,
}

impl Captured {
    fn text(value: String) -> Self {
        Self {
            value,
            mime: MIME_TEXT,
        }
    }
}

/// Why a `Serialize` value could not be captured.
enum SerializeFailure {
    Error(serde_json::Error),
    Panic(String),
}

impl fmt::Display for SerializeFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Error(e) => write!(f, "serialization failed: {e}"),
            Self::Panic(msg) => write!(f, "serialization panicked: {msg}"),
        }
    }
}

fn try_top_level<T: Serialize + ?Sized>(value: &T) -> Result<Option<Captured>, SerializeFailure> {
    // The thread's reused buffer (see `limit::Capped`), no more kept than
    // the cap.
    let mut buf = limit::Capped::new(limit::max_value_bytes());
    match catch_unwind(AssertUnwindSafe(|| serialize_top_level(value, &mut buf))) {
        Ok(Ok(TopLevel::Nothing)) => Ok(None),
        Ok(Ok(TopLevel::Text(text))) => Ok(Some(Captured::text(text))),
        Ok(Ok(TopLevel::Json)) => Ok(Some(Captured {
            value: buf.into_value(true),
            mime: MIME_JSON,
        })),
        Ok(Err(e)) => Err(SerializeFailure::Error(e)),
        Err(payload) => Err(SerializeFailure::Panic(panic_message(&*payload))),
    }
}

/// Captures a `Serialize` value; `None` for `()`. A failing or panicking
/// `Serialize` impl yields a text value that says what happened.
pub(crate) fn capture_serialize<T: Serialize + ?Sized>(value: &T) -> Option<Captured> {
    try_top_level(value).unwrap_or_else(|failure| {
        Some(Captured::text(format!(
            "<{failure}; type {}>",
            core::any::type_name::<T>()
        )))
    })
}

/// Captures a `Serialize` value; when serialization fails, the `Debug`
/// text `debug` gives instead, so nothing is lost.
pub(crate) fn capture_serialize_or_debug_with<T: Serialize + ?Sized>(
    value: &T,
    debug: &dyn Fn() -> String,
) -> Option<Captured> {
    try_top_level(value)
        .unwrap_or_else(|failure| Some(Captured::text(fallback_text::<T>(&failure, debug))))
}

/// The text recorded when serialization failed: the `Debug` text, except for
/// a value too deep to serialize (its `Debug` would recurse as deep).
fn fallback_text<T: ?Sized>(failure: &SerializeFailure, debug: &dyn Fn() -> String) -> String {
    match failure {
        SerializeFailure::Error(e) if depth::is_too_deep(e) => {
            format!("<{failure}; type {}>", core::any::type_name::<T>())
        }
        _ => debug(),
    }
}

/// Captures a value through its `Debug` impl, as `text/plain`.
pub(crate) fn capture_debug<T: Debug + ?Sized>(value: &T) -> Captured {
    Captured::text(debug_text(value))
}

/// Captures a value that has neither `Serialize` nor `Debug`: its type name.
pub(crate) fn capture_opaque<T: ?Sized>() -> Captured {
    Captured::text(opaque_text::<T>())
}

/// A `fmt::Write` that keeps at most the cap and counts the rest, so a huge
/// `Debug` text is never built whole.
struct CappedText(limit::Capped);

impl fmt::Write for CappedText {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.0.push_str(s);
        Ok(())
    }
}

fn debug_text<T: Debug + ?Sized>(value: &T) -> String {
    let mut out = CappedText(limit::Capped::new(limit::max_value_bytes()));
    match catch_unwind(AssertUnwindSafe(|| write!(out, "{value:?}"))) {
        Ok(Ok(())) => out.0.into_value(false),
        Ok(Err(_)) => format!("<Debug failed; type {}>", core::any::type_name::<T>()),
        Err(payload) => format!(
            "<Debug panicked: {}; type {}>",
            panic_message(&*payload),
            core::any::type_name::<T>()
        ),
    }
}

fn opaque_text<T: ?Sized>() -> String {
    format!("<{}>", core::any::type_name::<T>())
}

/// Builds `input.value` from the arguments of one call.
///
/// With [`InputShape::Single`] the one argument is recorded as itself (a
/// string as text, a struct as JSON); with [`InputShape::Object`] all
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

    /// With [`InputShape::Single`], the name of the argument recorded.
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
    use super::*;
    use serde::ser::Error as _;

    struct Failing;
    impl Serialize for Failing {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(S::Error::custom("no way"))
        }
    }
    struct Panicking;
    impl Serialize for Panicking {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            panic!("boom in serialize")
        }
    }

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

    #[test]
    fn failing_and_panicking_outputs_are_described() {
        let failed = capture_serialize(&Failing).unwrap();
        assert!(failed.value.contains("serialization failed: no way"));
        let panicked = capture_serialize(&Panicking).unwrap();
        assert!(panicked
            .value
            .contains("serialization panicked: boom in serialize"));
        assert_eq!(capture_serialize(&()), None);
    }

    #[test]
    fn map_with_non_string_keys_falls_back_to_debug() {
        let mut map = std::collections::BTreeMap::new();
        map.insert((1, 2), "x");
        let got = capture_serialize_or_debug_with(&map, &|| format!("{map:?}")).unwrap();
        assert_eq!(got.value, r#"{(1, 2): "x"}"#);
        assert_eq!(got.mime, MIME_TEXT);
    }
}
