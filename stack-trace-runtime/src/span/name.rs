//! Span names: `function` for free functions, `Type::method` for methods.

use crate::capture::type_name::short_type_name;

/// `Type::method`, where `Type` is the short name of the receiver's type.
#[must_use]
pub(crate) fn method_span_name(type_name: &'static str, method: &str) -> String {
    let short = short_type_name(type_name);
    let ty = short.trim_start_matches('&');
    let ty = ty.strip_prefix("mut ").unwrap_or(ty);
    let mut name = String::with_capacity(ty.len() + 2 + method.len());
    name.push_str(ty);
    name.push_str("::");
    name.push_str(method);
    name
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_names() {
        assert_eq!(method_span_name("app::Agent<u8>", "run"), "Agent::run");
    }
}
