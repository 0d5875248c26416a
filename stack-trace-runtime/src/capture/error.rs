//! Describing an `Err` value: the `exception.type` and `exception.message` of
//! the exception event, and the `Type: message` status description.
//!
//! Like value capture this uses autoref specialization at the call site:
//! `std::error::Error` types give their type name and the `Display` text of
//! every error in the `source()` chain; type-erased errors (`anyhow::Error`,
//! `Box<dyn Error>`) give the chain and the root cause's type where it can be
//! recognised; `Display` or `Debug` types give that text.

use core::fmt::{Debug, Display};
use std::error::Error as StdError;
use std::panic::{catch_unwind, AssertUnwindSafe};

use super::panic::panic_message;
use super::sink::ErrorSink;
use super::type_name::short_type_name;

/// An error, described for the exception event.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorInfo {
    /// `exception.type`: the error's type, without its module path.
    pub type_name: String,
    /// `exception.message`: the error's text, with its causes.
    pub message: String,
    /// The message is `Debug` text (so `name: value` pairs in it are read).
    pub from_debug: bool,
}

impl ErrorInfo {
    /// The span status description: `Type: message`.
    #[must_use]
    pub fn status_description(&self) -> String {
        if self.message.is_empty() {
            self.type_name.clone()
        } else {
            format!("{}: {}", self.type_name, self.message)
        }
    }
}

/// Runs `f`, turning a panic inside a user's `Display`/`Debug` impl into text.
fn guarded(f: impl FnOnce() -> String) -> String {
    catch_unwind(AssertUnwindSafe(f))
        .unwrap_or_else(|payload| format!("<formatting panicked: {}>", panic_message(&*payload)))
}

/// The `Display` text of `error` followed by each cause not already part of it.
#[must_use]
pub fn chain_message(error: &(dyn StdError + 'static)) -> String {
    let mut message = guarded(|| error.to_string());
    let mut source = error.source();
    let mut depth = 0;
    while let Some(cause) = source {
        depth += 1;
        if depth > 32 {
            break;
        }
        let text = guarded(|| cause.to_string());
        if !text.is_empty() && !message.contains(&text) {
            message.push_str(": ");
            message.push_str(&text);
        }
        source = cause.source();
    }
    message
}

fn root_cause<'a>(error: &'a (dyn StdError + 'static)) -> &'a (dyn StdError + 'static) {
    let mut current = error;
    for _ in 0..32 {
        match current.source() {
            Some(next) => current = next,
            None => break,
        }
    }
    current
}

/// Best-effort type name of a type-erased error: `io::Error` when it is one,
/// otherwise the type name its derived `Debug` output starts with.
fn erased_type_name(error: &(dyn StdError + 'static)) -> Option<String> {
    if error.is::<std::io::Error>() {
        return Some("io::Error".to_owned());
    }
    let debug = guarded(|| format!("{error:?}"));
    let ident: String = debug
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    let rest = debug[ident.len()..].trim_start();
    let looks_like_type = ident.chars().next().is_some_and(char::is_uppercase)
        && (rest.is_empty() || rest.starts_with('{') || rest.starts_with('('));
    looks_like_type.then_some(ident)
}

fn describe_erased<E: ?Sized>(error: &(dyn StdError + 'static)) -> ErrorInfo {
    let root = root_cause(error);
    ErrorInfo {
        type_name: erased_type_name(root)
            .unwrap_or_else(|| short_type_name(core::any::type_name::<E>()).into_owned()),
        message: chain_message(error),
        from_debug: false,
    }
}

/// Wraps a borrowed error for description. See the module docs.
#[derive(Debug)]
pub struct ErrProbe<'a, E: ?Sized>(pub &'a E);

macro_rules! err_trait {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        pub trait $name {
            /// Records the error on the span: status, exception event.
            fn st_error<S: ErrorSink>(&self, span: &mut S);
        }
    };
}

err_trait!(
    /// A `std::error::Error`: its type and its `source()` chain.
    ViaStdError
);
impl<E: StdError + 'static> ViaStdError for &&&&&ErrProbe<'_, E> {
    fn st_error<S: ErrorSink>(&self, span: &mut S) {
        span.record_error(&ErrorInfo {
            type_name: short_type_name(core::any::type_name::<E>()).into_owned(),
            message: chain_message(self.0),
            from_debug: false,
        });
    }
}

err_trait!(
    /// A type-erased thread-safe error (`anyhow::Error`, `Box<dyn Error + Send + Sync>`).
    ViaErasedSendSync
);
impl<E: AsRef<dyn StdError + Send + Sync + 'static> + ?Sized> ViaErasedSendSync
    for &&&&ErrProbe<'_, E>
{
    fn st_error<S: ErrorSink>(&self, span: &mut S) {
        let erased: &(dyn StdError + 'static) = self.0.as_ref();
        span.record_error(&describe_erased::<E>(erased));
    }
}

err_trait!(
    /// A type-erased error (`Box<dyn Error>`).
    ViaErased
);
impl<E: AsRef<dyn StdError + 'static> + ?Sized> ViaErased for &&&ErrProbe<'_, E> {
    fn st_error<S: ErrorSink>(&self, span: &mut S) {
        span.record_error(&describe_erased::<E>(self.0.as_ref()));
    }
}

err_trait!(
    /// Any `Display` error (a `String`, a `&str`).
    ViaDisplayError
);
impl<E: Display + ?Sized> ViaDisplayError for &&ErrProbe<'_, E> {
    fn st_error<S: ErrorSink>(&self, span: &mut S) {
        let error = self.0;
        span.record_error(&ErrorInfo {
            type_name: short_type_name(core::any::type_name::<E>()).into_owned(),
            message: guarded(|| error.to_string()),
            from_debug: false,
        });
    }
}

err_trait!(
    /// Any `Debug` error.
    ViaDebugError
);
impl<E: Debug + ?Sized> ViaDebugError for &ErrProbe<'_, E> {
    fn st_error<S: ErrorSink>(&self, span: &mut S) {
        let error = self.0;
        span.record_error(&ErrorInfo {
            type_name: short_type_name(core::any::type_name::<E>()).into_owned(),
            message: guarded(|| format!("{error:?}")),
            from_debug: true,
        });
    }
}

err_trait!(
    /// Any other error type: its type name only.
    ViaOpaqueError
);
impl<E: ?Sized> ViaOpaqueError for ErrProbe<'_, E> {
    fn st_error<S: ErrorSink>(&self, span: &mut S) {
        span.record_error(&ErrorInfo {
            type_name: short_type_name(core::any::type_name::<E>()).into_owned(),
            message: String::new(),
            from_debug: false,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::fmt;

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl fmt::Display for Outer {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("reading the index failed")
        }
    }
    impl StdError for Outer {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }

    #[derive(Debug)]
    struct Repeats(std::num::ParseIntError);
    impl fmt::Display for Repeats {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            write!(f, "bad number: {}", self.0)
        }
    }
    impl StdError for Repeats {
        fn source(&self) -> Option<&(dyn StdError + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn chain_appends_causes_once() {
        let e = Outer(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            "no such file",
        ));
        assert_eq!(chain_message(&e), "reading the index failed: no such file");
        let e = Repeats("x".parse::<u8>().unwrap_err());
        assert_eq!(
            chain_message(&e),
            "bad number: invalid digit found in string"
        );
    }

    #[test]
    fn erased_root_cause_types() {
        let io = std::io::Error::other("x");
        assert_eq!(erased_type_name(&io).as_deref(), Some("io::Error"));
        let parse = "x".parse::<u8>().unwrap_err();
        assert_eq!(erased_type_name(&parse).as_deref(), Some("ParseIntError"));
    }

    #[test]
    fn status_description_is_type_colon_message() {
        let info = ErrorInfo {
            type_name: "MyError".into(),
            message: "bad".into(),
            from_debug: false,
        };
        assert_eq!(info.status_description(), "MyError: bad");
    }
}
