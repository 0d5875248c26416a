//! Stage 1, capture: a call's arguments, result, error and stream items
//! turned into text, the values of `input.value` / `output.value` with their
//! mime type.
//!
//! Takes: Rust values, by reference, at the call site. Which strategy a value
//! gets is decided at compile time by autoref specialization ([`probe`] for
//! values, [`error`] for `Err` values): `Serialize` (falling back to `Debug`
//! if serialization fails), else `Debug`, else the type name.
//!
//! Does: writes JSON straight into a capped text buffer ([`json`], [`text`],
//! [`limit`]) and stops soon after the cap, bounds the nesting depth and
//! the length of strings of values built for the kinds ([`depth`]), reads
//! the other arguments only when they are scalars ([`scalar`]), scrubs credentials as it
//! writes (keys and formats, by the rules of `crate::scrub`), and turns a failing or panicking `Serialize`
//! impl into a message instead of a failed call ([`mod@panic`]).
//!
//! Hands on: [`Captured`] text and [`inputs::Inputs`], through the traits of
//! [`sink`], which the span stage implements. Nothing here knows about spans
//! or OpenTelemetry, and nothing here runs unless the span records.

pub(crate) mod depth;
pub(crate) mod error;
pub(crate) mod inputs;
pub(crate) mod json;
pub(crate) mod limit;
pub(crate) mod panic;
pub(crate) mod probe;
pub(crate) mod scalar;
pub(crate) mod sink;
pub(crate) mod text;
pub(crate) mod type_name;

use core::fmt::{self, Debug, Write as _};
use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::Serialize;

use crate::scrub::text::{scrub_cut_tail, scrub_pairs, scrub_str};
use crate::scrub::Findings;
use crate::semconv::{MIME_JSON, MIME_TEXT};
use panic::panic_message;
use text::{serialize_top_level, TopLevel};

/// A captured value ready to be written as `*.value` + `*.mime_type`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Captured {
    /// The text written to `input.value` / `output.value`.
    pub value: String,
    /// `text/plain` or `application/json`.
    pub mime: &'static str,
    /// What scrubbing removed from it.
    pub(crate) findings: Findings,
}

impl Captured {
    /// Text as it is (nothing in it to scrub: a type name, `__REDACTED__`).
    pub(crate) fn text(value: String) -> Self {
        Self {
            value,
            mime: MIME_TEXT,
            findings: Findings::NONE,
        }
    }

    /// Text scrubbed, unless `scrub` is off (`unredact`): credentials by
    /// format, and, for `Debug` text (`pairs`), the values of credential
    /// names.
    pub(crate) fn scrubbed_text(value: String, scrub: bool, pairs: bool) -> Self {
        let mut findings = Findings::NONE;
        let mut scrubbed = match (scrub, pairs) {
            (false, _) => None,
            (true, false) => scrub_str(&value, &mut findings),
            (true, true) => scrub_pairs(&value, &mut findings),
        };
        if scrub {
            // Cut at the cap: a credential the cut broke is not whole.
            let text = scrubbed.as_deref().unwrap_or(&value);
            if let Some(at) = text.rfind(limit::TRUNCATED_TEXT) {
                if let Some(kept) = scrub_cut_tail(&text[..at], &mut findings) {
                    scrubbed = Some(format!("{kept}{}", &text[at..]));
                }
            }
        }
        Self {
            value: scrubbed.unwrap_or(value),
            mime: MIME_TEXT,
            findings,
        }
    }

    /// JSON written into `buf` (its findings come along).
    pub(crate) fn json(mut buf: limit::Capped) -> Self {
        let findings = std::mem::take(&mut buf.findings);
        Self {
            value: buf.into_value(true),
            mime: MIME_JSON,
            findings,
        }
    }
}

/// Why a `Serialize` value could not be captured.
pub(crate) enum SerializeFailure {
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

fn try_top_level<T: Serialize + ?Sized>(
    value: &T,
    scrub: bool,
    root: &'static str,
) -> Result<Option<Captured>, SerializeFailure> {
    // The thread's reused buffer (see `limit::Capped`), no more kept than
    // the cap.
    let mut buf = limit::Capped::new(limit::max_value_bytes());
    buf.scrub = scrub;
    buf.root = root;
    match catch_unwind(AssertUnwindSafe(|| serialize_top_level(value, &mut buf))) {
        Ok(Ok(TopLevel::Nothing)) => Ok(None),
        // Scanned already, as it was cut (see `JsonWriter::top_level_string`).
        Ok(Ok(TopLevel::Text(text))) => Ok(Some(Captured {
            value: text,
            mime: MIME_TEXT,
            findings: std::mem::take(&mut buf.findings),
        })),
        Ok(Ok(TopLevel::Json)) => Ok(Some(Captured::json(buf))),
        // Stopped past the cap: what was kept is the value's prefix (even
        // if the user's impl then panicked on the error it was handed).
        Ok(Err(_)) | Err(_) if buf.stopped() => Ok(Some(Captured::json(buf))),
        Ok(Err(e)) => Err(SerializeFailure::Error(e)),
        Err(payload) => Err(SerializeFailure::Panic(panic_message(&*payload))),
    }
}

/// Captures a `Serialize` value; `None` for `()`. A failing or panicking
/// `Serialize` impl yields a text value that says what happened.
pub(crate) fn capture_serialize<T: Serialize + ?Sized>(value: &T) -> Option<Captured> {
    capture_serialize_as(value, None, true, "")
}

/// Captures a `Serialize` value; when serialization fails, the `Debug`
/// text `debug` gives instead, so nothing is lost.
pub(crate) fn capture_serialize_or_debug_with<T: Serialize + ?Sized>(
    value: &T,
    debug: &dyn Fn() -> String,
) -> Option<Captured> {
    capture_serialize_as(value, Some(debug), true, "")
}

/// Captures a `Serialize` value, scrubbed unless `scrub` is off, its key
/// paths starting at `root`; `debug` is the fallback when serialization
/// fails.
pub(crate) fn capture_serialize_as<T: Serialize + ?Sized>(
    value: &T,
    debug: Option<&dyn Fn() -> String>,
    scrub: bool,
    root: &'static str,
) -> Option<Captured> {
    try_top_level(value, scrub, root).unwrap_or_else(|failure| {
        Some(match debug {
            Some(debug) => fallback_text::<T>(&failure, debug, scrub),
            None => Captured::scrubbed_text(
                format!("<{failure}; type {}>", core::any::type_name::<T>()),
                scrub,
                false,
            ),
        })
    })
}

/// What is recorded when serialization failed: the `Debug` text, except for
/// a value too deep to serialize (its `Debug` would recurse as deep).
pub(crate) fn fallback_text<T: ?Sized>(
    failure: &SerializeFailure,
    debug: &dyn Fn() -> String,
    scrub: bool,
) -> Captured {
    match failure {
        SerializeFailure::Error(e) if depth::is_too_deep(e) => Captured::scrubbed_text(
            format!("<{failure}; type {}>", core::any::type_name::<T>()),
            scrub,
            false,
        ),
        _ => Captured::scrubbed_text(debug(), scrub, true),
    }
}

/// Captures a value through its `Debug` impl, as `text/plain`, scrubbed.
pub(crate) fn capture_debug<T: Debug + ?Sized>(value: &T) -> Captured {
    Captured::scrubbed_text(debug_text(value), true, true)
}

/// Captures a value that has neither `Serialize` nor `Debug`: its type name.
pub(crate) fn capture_opaque<T: ?Sized>() -> Captured {
    Captured::text(opaque_text::<T>())
}

/// A `fmt::Write` that keeps at most the cap and counts the rest, so a huge
/// `Debug` text is never built whole.
struct CappedText(limit::Capped);

impl fmt::Write for CappedText {
    /// Past the cap, fails, so the `Debug` impl stops there.
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.0.overflowed() {
            self.0.stop(None);
            return Err(fmt::Error);
        }
        self.0.push_str(s);
        Ok(())
    }
}

/// A value's `Debug` text, capped, as it is (scrubbing is the caller's).
pub(crate) fn debug_text<T: Debug + ?Sized>(value: &T) -> String {
    let mut out = CappedText(limit::Capped::new(limit::max_value_bytes()));
    let written = catch_unwind(AssertUnwindSafe(|| write!(out, "{value:?}")));
    match written {
        Ok(Ok(())) => out.0.into_value(false),
        Ok(Err(_)) | Err(_) if out.0.stopped() => out.0.into_value(false),
        Ok(Err(_)) => format!("<Debug failed; type {}>", core::any::type_name::<T>()),
        Err(payload) => format!(
            "<Debug panicked: {}; type {}>",
            panic_message(&*payload),
            core::any::type_name::<T>()
        ),
    }
}

pub(crate) fn opaque_text<T: ?Sized>() -> String {
    format!("<{}>", core::any::type_name::<T>())
}

/// Values whose `Serialize` impl fails or panics, for the unit tests.
#[cfg(test)]
pub(crate) mod test_values {
    use serde::ser::Error as _;
    use serde::Serialize;

    pub(crate) struct Failing;
    impl Serialize for Failing {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            Err(S::Error::custom("no way"))
        }
    }
    pub(crate) struct Panicking;
    impl Serialize for Panicking {
        fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
            panic!("boom in serialize")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::test_values::{Failing, Panicking};
    use super::*;

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
