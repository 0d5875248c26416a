//! [`Inputs`]: `input.value` built from the arguments of one call, written
//! straight into one capped JSON text (or, for one argument of a chain-like
//! kind, the argument as itself).

use core::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};

use serde::Serialize;

use super::panic::panic_message;
use super::scalar::scalar_value;
use super::{
    capture_serialize_as, debug_text, depth, fallback_text, json, limit, opaque_text, Captured,
    SerializeFailure,
};
use crate::scrub::rules::{custom_verdict, customized};
use crate::scrub::{names, value::scrub_value, Findings};
use crate::semconv::REDACTED;

/// A single argument this close to the value cap may have been cut, so its
/// writer may not have seen all of it.
const CUT_SLACK: usize = 1024;

/// How one argument is scrubbed, as the macro decided it at compile time.
/// Not public API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArgMode {
    /// `redact(arg)`: recorded as `__REDACTED__`.
    Redact,
    /// `unredact(arg)`: recorded whole, nothing in it scrubbed.
    Keep,
    /// Its name marks a credential: `__REDACTED__`, unless the settings
    /// exempt the name.
    Secret,
    /// Recorded, scrubbed at every depth (unless the settings add its name).
    Plain,
}

/// The mode of a parameter named `name` by the built-in rule (a `const
/// fn`: generated code calls it in a `const` block).
#[must_use]
pub const fn param_mode(name: &str) -> ArgMode {
    if names::is_secret_name(name) {
        ArgMode::Secret
    } else {
        ArgMode::Plain
    }
}

/// What happens to one argument, with the settings in force.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Treatment {
    Redact,
    Scrub,
    Keep,
}

fn treatment(mode: ArgMode, name: &str) -> Treatment {
    match mode {
        ArgMode::Redact => Treatment::Redact,
        ArgMode::Keep => Treatment::Keep,
        ArgMode::Secret => match custom_verdict(name) {
            Some(false) => Treatment::Scrub,
            _ => Treatment::Redact,
        },
        ArgMode::Plain => match custom_verdict(name) {
            Some(true) => Treatment::Redact,
            _ => Treatment::Scrub,
        },
    }
}

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
    /// The arguments as JSON values, for kinds that read their shape
    /// (boxed: most kinds do not, and the inputs are moved on every call).
    values: Option<Box<Kept>>,
}

/// The arguments kept as JSON values.
#[derive(Debug)]
struct Kept {
    map: serde_json::Map<String, serde_json::Value>,
    /// The arguments kept whole (the others only as scalars).
    whole: WholeArgs,
}

/// The names of the arguments a kind reads whole (messages, tools, texts,
/// documents, query); the others are kept only when they are scalars.
pub(crate) type WholeArgs = [Option<&'static str>; 5];

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

    /// Also keep the arguments as JSON values, for kinds that read
    /// messages, texts or documents from them: those named in `whole` as
    /// whole values (every string in them cut at the value cap), the others
    /// only when they are scalars (a 16 MiB byte slice is never built).
    pub(crate) fn keep_values(&mut self, whole: WholeArgs) {
        self.values = Some(Box::new(Kept {
            map: serde_json::Map::new(),
            whole,
        }));
    }

    /// The arguments kept by [`Inputs::keep_values`].
    pub(crate) fn take_values(&mut self) -> Option<serde_json::Map<String, serde_json::Value>> {
        self.values.take().map(|kept| kept.map)
    }

    /// Keeps the argument's value for the kind's readers (when asked to):
    /// `value(whole)` builds it, whole or only if it is a scalar. `scrub`: it may hold something to scrub. The writer of
    /// `input.value` applies the same rule as the value pass, so when it
    /// found nothing in the whole argument there is nothing to find here.
    fn keep_value(
        &mut self,
        name: &'static str,
        scrub: bool,
        value: impl FnOnce(bool) -> Option<serde_json::Value>,
    ) {
        if let Some(kept) = &mut self.values {
            let whole = kept.whole.contains(&Some(name));
            if let Some(mut v) = value(whole) {
                if scrub {
                    // Reported once, by the writer of `input.value`.
                    scrub_value(&mut v, name, &mut Findings::default());
                }
                kept.map.insert(name.to_owned(), v);
            }
        }
    }

    /// With `InputShape::Single`, the name of the argument recorded.
    #[must_use]
    pub fn single_name(&self) -> Option<&'static str> {
        self.single_name
    }

    fn key(&mut self, name: &'static str, scrub: bool) {
        // A parameter name is a Rust identifier: it holds no quote, backslash
        // or control character, so it needs no JSON escaping.
        debug_assert!(!name.contains(['"', '\\']) && !name.chars().any(char::is_control));
        self.json.push_key(name, !self.first);
        self.first = false;
        self.json.scrub = scrub;
    }

    /// Starts one argument: whether it is recorded (not redacted whole),
    /// and whether it is scrubbed.
    #[inline]
    fn begin(&mut self, name: &'static str, mode: ArgMode) -> Option<bool> {
        if self.shape == InputShape::Single {
            self.single_name = Some(name);
        }
        if mode == ArgMode::Plain && !customized() {
            return Some(true);
        }
        self.begin_slow(name, mode)
    }

    /// [`Inputs::begin`] for a mode other than `Plain`, or with settings.
    fn begin_slow(&mut self, name: &'static str, mode: ArgMode) -> Option<bool> {
        let treatment = treatment(mode, name);
        if treatment != Treatment::Redact {
            return Some(treatment == Treatment::Scrub);
        }
        match self.shape {
            InputShape::Single => {
                let mut captured = Captured::text(REDACTED.to_owned());
                captured.findings.key(name);
                self.single = Some(captured);
            }
            InputShape::Object => {
                self.key(name, true);
                json::write_escaped(&mut self.json, REDACTED);
                self.json.findings.key(name);
            }
        }
        None
    }

    /// Writes text as this argument's JSON string, with its findings.
    fn json_text(&mut self, text: Captured) {
        json::write_escaped(&mut self.json, &text.value);
        self.json.findings.merge(text.findings);
    }

    /// Records a `Serialize` argument (falling back to `Debug` if `D` allows).
    pub(crate) fn serialize<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        mode: ArgMode,
        value: &T,
        debug_fallback: Option<&dyn Fn() -> String>,
    ) {
        let Some(scrub) = self.begin(name, mode) else {
            return;
        };
        let whole = |read_whole: bool| {
            let cap = limit::max_value_bytes();
            if !read_whole {
                return scalar_value(value, cap);
            }
            catch_unwind(AssertUnwindSafe(|| {
                serde_json::to_value(depth::Bounded::strings_capped(value, cap)).ok()
            }))
            .ok()
            .flatten()
        };
        match self.shape {
            InputShape::Single => {
                let captured = capture_serialize_as(value, debug_fallback, scrub, name)
                    .unwrap_or_else(|| Captured::text(String::new()));
                if self.values.is_some() {
                    let suspect = scrub
                        && (!captured.findings.is_empty()
                            || captured.value.len() + CUT_SLACK >= limit::max_value_bytes());
                    self.keep_value(name, suspect, whole);
                }
                self.single = Some(captured);
            }
            InputShape::Object => {
                self.key(name, scrub);
                let mark = self.json.total();
                let keep = self.values.is_some();
                let found_before = if keep {
                    self.json.findings.removed()
                } else {
                    0
                };
                let result = catch_unwind(AssertUnwindSafe(|| json::write(value, &mut self.json)));
                if self.json.stopped() {
                    self.json.cut_in(name);
                }
                let failure = match result {
                    Ok(Ok(())) if !keep => return,
                    Ok(Ok(())) => None,
                    // Stopped past the cap: the prefix stays.
                    Ok(Err(_)) | Err(_) if self.json.stopped() && !keep => return,
                    Ok(Err(_)) | Err(_) if self.json.stopped() => None,
                    Ok(Err(e)) => Some(SerializeFailure::Error(e)),
                    Err(payload) => Some(SerializeFailure::Panic(panic_message(&*payload))),
                };
                if let Some(failure) = failure {
                    self.json.truncate(mark);
                    let text = match debug_fallback {
                        Some(debug) => fallback_text::<T>(&failure, debug, scrub),
                        None => Captured::scrubbed_text(
                            format!("<{failure}; type {}>", core::any::type_name::<T>()),
                            scrub,
                            false,
                        ),
                    };
                    self.json_text(text);
                }
                if keep {
                    let suspect = scrub
                        && (self.json.findings.removed() != found_before || self.json.overflowed());
                    self.keep_value(name, suspect, whole);
                }
            }
        }
    }

    /// Records an argument through its `Debug` text.
    pub(crate) fn debug<T: Debug + ?Sized>(
        &mut self,
        name: &'static str,
        mode: ArgMode,
        value: &T,
    ) {
        let Some(scrub) = self.begin(name, mode) else {
            return;
        };
        let text = Captured::scrubbed_text(debug_text(value), scrub, true);
        match self.shape {
            InputShape::Single => self.single = Some(text),
            InputShape::Object => {
                self.key(name, scrub);
                self.json_text(text);
            }
        }
    }

    /// Records an argument that can only be named by its type.
    pub(crate) fn opaque<T: ?Sized>(&mut self, name: &'static str, mode: ArgMode) {
        if self.begin(name, mode).is_none() {
            return;
        }
        let text = Captured::text(opaque_text::<T>());
        match self.shape {
            InputShape::Single => self.single = Some(text),
            InputShape::Object => {
                self.key(name, true);
                self.json_text(text);
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
                Some(Captured::json(self.json))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_values::{Failing, Panicking};
    use super::*;
    use crate::semconv::MIME_JSON;

    #[test]
    fn object_of_arguments_is_json_with_redaction() {
        let mut inputs = Inputs::new(InputShape::Object);
        inputs.serialize("query", param_mode("query"), "rust", None);
        inputs.serialize("top_k", param_mode("top_k"), &3usize, None);
        inputs.serialize("api_key", param_mode("api_key"), "sk-123", None);
        inputs.debug("client", param_mode("client"), &Some(1));
        inputs.opaque::<std::fs::File>("file", param_mode("file"));
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
        inputs.serialize("query", param_mode("query"), "how do I rotate keys?", None);
        assert_eq!(
            inputs.finish().unwrap(),
            Captured::text("how do I rotate keys?".into())
        );
        let mut inputs = Inputs::new(InputShape::Single);
        inputs.serialize("token", param_mode("token"), "secret-value", None);
        assert_eq!(inputs.finish().unwrap().value, REDACTED);
    }

    #[test]
    fn failing_serialize_falls_back_and_keeps_json_valid() {
        let mut inputs = Inputs::new(InputShape::Object);
        inputs.serialize("a", param_mode("a"), &Failing, None);
        inputs.serialize(
            "b",
            param_mode("b"),
            &Panicking,
            Some(&|| "Panicking".to_owned()),
        );
        inputs.serialize("c", param_mode("c"), &1, None);
        let got = inputs.finish().unwrap();
        let parsed: serde_json::Value = serde_json::from_str(&got.value).unwrap();
        assert!(parsed["a"].as_str().unwrap().contains("no way"), "{parsed}");
        assert_eq!(parsed["b"], "Panicking");
        assert_eq!(parsed["c"], 1);
    }
}
