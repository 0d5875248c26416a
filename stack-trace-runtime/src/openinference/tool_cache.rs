//! `tool.parameters`, built once per instantiation of a tool function.
//!
//! A call site is shared by every instantiation of a generic function, of a
//! method of a generic type and of a trait's default method, so the schema
//! is cached under the concrete parameter types (their `type_name`, which
//! the generated code names as one `fn(..)` type): `Calc::<u32>::echo` and
//! `Calc::<String>::echo` get their own schemas. The number of
//! instantiations is fixed when the program is compiled, so the cache is
//! bounded; each schema is kept for the life of the process.

use std::sync::{Mutex, OnceLock, PoisonError};

/// The schemas of one call site, by instantiation. Not public API.
#[derive(Debug)]
pub struct ToolSchemaCache {
    /// The first instantiation seen (most tools have one): no lock.
    first: OnceLock<(&'static str, &'static str)>,
    /// Any others.
    more: Mutex<Vec<(&'static str, &'static str)>>,
}

impl ToolSchemaCache {
    /// An empty cache, for a `static`.
    #[must_use]
    pub const fn new() -> Self {
        Self {
            first: OnceLock::new(),
            more: Mutex::new(Vec::new()),
        }
    }

    /// The schema of the instantiation `key`, built by `build` the first
    /// time that instantiation is recorded.
    pub fn get_or_init(&self, key: &'static str, build: impl FnOnce() -> String) -> &'static str {
        let same = |k: &str| core::ptr::eq(k, key) || k == key;
        let mut build = Some(build);
        let mut make = || -> &'static str {
            Box::leak(
                build
                    .take()
                    .map_or_else(String::new, |b| b())
                    .into_boxed_str(),
            )
        };
        let (first_key, first) = *self.first.get_or_init(|| (key, make()));
        if same(first_key) {
            return first;
        }
        let mut more = self.more.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((_, schema)) = more.iter().find(|(k, _)| same(k)) {
            return schema;
        }
        let schema = make();
        more.push((key, schema));
        schema
    }
}

impl Default for ToolSchemaCache {
    fn default() -> Self {
        Self::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_schema_per_key_built_once() {
        let cache = ToolSchemaCache::new();
        let mut builds = 0;
        for _ in 0..3 {
            assert_eq!(
                cache.get_or_init("fn(u32)", || {
                    builds += 1;
                    "int".to_owned()
                }),
                "int"
            );
            assert_eq!(
                cache.get_or_init("fn(alloc::string::String)", || {
                    builds += 1;
                    "string".to_owned()
                }),
                "string"
            );
        }
        assert_eq!(builds, 2);
        // The same name at another address is the same instantiation.
        let other = String::from("fn(u32)").leak();
        assert_eq!(cache.get_or_init(other, || "wrong".to_owned()), "int");
    }
}
