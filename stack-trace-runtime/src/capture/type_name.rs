//! Short names of Rust types: what an opaque value, an error's
//! `exception.type` and a method's span name show of a type.

use std::borrow::Cow;

/// The last path segment of a type name, generics removed:
/// `my_crate::agent::Agent<alloc::string::String>` becomes `Agent`.
///
/// A bare `Error` keeps the nearest module that is not itself called `error`,
/// because `Error` alone says nothing: `std::io::error::Error` becomes
/// `io::Error`, `serde_json::error::Error` becomes `serde_json::Error`.
#[must_use]
pub(crate) fn short_type_name(full: &'static str) -> Cow<'static, str> {
    let without_generics = full.split('<').next().unwrap_or(full);
    let mut segments = without_generics.rsplit("::");
    let last = segments.next().unwrap_or(without_generics);
    if last == "Error" {
        if let Some(module) = segments.find(|m| *m != "error") {
            return Cow::Owned(format!("{module}::Error"));
        }
    }
    Cow::Borrowed(last)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_paths_and_generics() {
        assert_eq!(short_type_name("my_crate::agent::Agent"), "Agent");
        assert_eq!(
            short_type_name("a::Index<alloc::string::String, b::C<u8>>"),
            "Index"
        );
        assert_eq!(short_type_name("Plain"), "Plain");
        assert_eq!(short_type_name("u8"), "u8");
    }

    #[test]
    fn bare_error_keeps_its_module() {
        assert_eq!(short_type_name("anyhow::Error"), "anyhow::Error");
        assert_eq!(short_type_name("std::io::error::Error"), "io::Error");
        assert_eq!(
            short_type_name("serde_json::error::Error"),
            "serde_json::Error"
        );
        assert_eq!(short_type_name("Error"), "Error");
        assert_eq!(short_type_name("app::MyError"), "MyError");
    }
}
