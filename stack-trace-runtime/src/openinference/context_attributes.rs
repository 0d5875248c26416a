//! Context attributes: `session.id`, `user.id`, `metadata`, `tag.tags` and the
//! prompt template, set once for a scope and carried by every span started
//! inside it (annotated or not), across `.await` and into spawned tasks that
//! carry the context.
//!
//! ```
//! use stack_trace_runtime::ContextAttributes;
//!
//! let _scope = ContextAttributes::new()
//!     .session_id("sess-42")
//!     .user_id("user-7")
//!     .tags(["beta", "weather"])
//!     .attach();
//! // every span started here carries session.id, user.id and tag.tags
//! ```
//!
//! Scopes nest: an inner scope overrides the keys it sets and inherits the
//! others. Values live in the OpenTelemetry `Context`; our span processor
//! stamps them on each span when it starts, before anything else is
//! recorded, so what the user or the macros set later wins.

use core::future::Future;

use opentelemetry::trace::{FutureExt as _, WithContext};
use opentelemetry::{Array, Context, ContextGuard, KeyValue, StringValue, Value};
use serde::Serialize;

use super::keys;
use crate::capture::depth::Bounded;
use crate::scrub::text::scrub_str;
use crate::scrub::value::scrub_value;
use crate::scrub::Findings;

/// The attributes a scope gives to every span started inside it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ContextAttributes {
    session_id: Option<String>,
    user_id: Option<String>,
    metadata: Option<String>,
    tags: Option<Vec<String>>,
    template: Option<String>,
    template_version: Option<String>,
    template_variables: Option<String>,
    /// What scrubbing removed from the values above (scrubbed once, when
    /// they are set, not on every span).
    scrubbed: Findings,
}

fn non_empty(s: impl Into<String>, findings: &mut Findings) -> Option<String> {
    let s = s.into();
    (!s.is_empty()).then(|| scrub_str(&s, findings).unwrap_or(s))
}

fn json_object<T: Serialize + ?Sized>(value: &T, findings: &mut Findings) -> Option<String> {
    match serde_json::to_value(Bounded::new(value)) {
        Ok(mut object @ serde_json::Value::Object(_))
            if object.as_object().is_some_and(|m| !m.is_empty()) =>
        {
            scrub_value(&mut object, "", findings);
            Some(object.to_string())
        }
        _ => None,
    }
}

impl ContextAttributes {
    /// No attributes.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// `session.id` (Phoenix's Sessions view groups traces by it).
    #[must_use]
    pub fn session_id(mut self, id: impl Into<String>) -> Self {
        self.session_id = non_empty(id, &mut self.scrubbed);
        self
    }

    /// `user.id`.
    #[must_use]
    pub fn user_id(mut self, id: impl Into<String>) -> Self {
        self.user_id = non_empty(id, &mut self.scrubbed);
        self
    }

    /// `metadata`: any object, recorded as one JSON string.
    #[must_use]
    pub fn metadata<T: Serialize + ?Sized>(mut self, metadata: &T) -> Self {
        self.metadata = json_object(metadata, &mut self.scrubbed);
        self
    }

    /// `tag.tags`: a list of strings.
    #[must_use]
    pub fn tags<I: IntoIterator<Item = S>, S: Into<String>>(mut self, tags: I) -> Self {
        let findings = &mut self.scrubbed;
        let tags: Vec<String> = tags
            .into_iter()
            .map(|tag| {
                let tag: String = tag.into();
                scrub_str(&tag, findings).unwrap_or(tag)
            })
            .collect();
        self.tags = (!tags.is_empty()).then_some(tags);
        self
    }

    /// The prompt template (`llm.prompt_template.template`, `.version`,
    /// `.variables`).
    #[must_use]
    pub fn prompt_template<T: Serialize + ?Sized>(
        mut self,
        template: impl Into<String>,
        version: impl Into<String>,
        variables: &T,
    ) -> Self {
        self.template = non_empty(template, &mut self.scrubbed);
        self.template_version = non_empty(version, &mut self.scrubbed);
        self.template_variables = json_object(variables, &mut self.scrubbed);
        self
    }

    /// These attributes over `outer`: each key set here wins, the others are
    /// inherited.
    #[must_use]
    fn over(self, outer: &Self) -> Self {
        Self {
            session_id: self.session_id.or_else(|| outer.session_id.clone()),
            user_id: self.user_id.or_else(|| outer.user_id.clone()),
            metadata: self.metadata.or_else(|| outer.metadata.clone()),
            tags: self.tags.or_else(|| outer.tags.clone()),
            template: self.template.or_else(|| outer.template.clone()),
            template_version: self
                .template_version
                .or_else(|| outer.template_version.clone()),
            template_variables: self
                .template_variables
                .or_else(|| outer.template_variables.clone()),
            scrubbed: {
                let mut scrubbed = self.scrubbed;
                scrubbed.merge(outer.scrubbed.clone());
                scrubbed
            },
        }
    }

    /// The current context with these attributes merged over its own.
    fn context(self) -> Context {
        Context::map_current(|cx| merged_into(cx, self))
    }

    /// Makes these attributes current for this thread until the guard drops
    /// (sync code).
    #[must_use = "the attributes apply only while the guard is alive"]
    pub fn attach(self) -> ContextAttributesGuard {
        ContextAttributesGuard {
            _guard: self.context().attach(),
        }
    }

    /// Runs `future` with these attributes current whenever it is polled
    /// (async code). Like `in_current_span`, it takes the context current
    /// where `scope` is called (its span stays the parent).
    pub fn scope<F: Future>(self, future: F) -> WithContext<F> {
        future.with_context(self.context())
    }

    /// The attributes as OpenInference key-values.
    #[must_use]
    pub fn key_values(&self) -> Vec<KeyValue> {
        let mut out = Vec::new();
        let mut push = |key: &'static str, value: &Option<String>| {
            if let Some(v) = value {
                out.push(KeyValue::new(key, v.clone()));
            }
        };
        push(keys::SESSION_ID, &self.session_id);
        push("user.id", &self.user_id);
        push("metadata", &self.metadata);
        push(keys::LLM_PROMPT_TEMPLATE, &self.template);
        push(keys::LLM_PROMPT_TEMPLATE_VERSION, &self.template_version);
        push(
            keys::LLM_PROMPT_TEMPLATE_VARIABLES,
            &self.template_variables,
        );
        if let Some(tags) = &self.tags {
            let values: Vec<StringValue> = tags.iter().cloned().map(StringValue::from).collect();
            out.push(KeyValue::new(
                "tag.tags",
                Value::Array(Array::String(values)),
            ));
        }
        out
    }
}

/// Keeps [`ContextAttributes`] current; not `Send` (it belongs to the
/// thread that attached it).
#[derive(Debug)]
pub struct ContextAttributesGuard {
    _guard: ContextGuard,
}

/// Shorthand for `ContextAttributes::new().session_id(id).attach()`.
#[must_use = "the session applies only while the guard is alive"]
pub fn using_session(id: impl Into<String>) -> ContextAttributesGuard {
    ContextAttributes::new().session_id(id).attach()
}

/// Shorthand for `ContextAttributes::new().user_id(id).attach()`.
#[must_use = "the user applies only while the guard is alive"]
pub fn using_user(id: impl Into<String>) -> ContextAttributesGuard {
    ContextAttributes::new().user_id(id).attach()
}

/// `cx` with `attributes` merged over its own.
pub(crate) fn merged_into(cx: &Context, attributes: ContextAttributes) -> Context {
    let merged = match cx.get::<ContextAttributes>() {
        Some(outer) => attributes.over(outer),
        None => attributes,
    };
    cx.with_value(merged)
}

/// What scrubbing removed from the context attributes of `cx`, if anything.
pub(crate) fn stamped_findings(cx: &Context) -> Option<Findings> {
    cx.get::<ContextAttributes>()
        .filter(|a| !a.scrubbed.is_empty())
        .map(|a| a.scrubbed.clone())
}

/// Whether the context attributes of `cx` set a prompt template.
pub(crate) fn has_template(cx: &Context) -> bool {
    cx.get::<ContextAttributes>()
        .is_some_and(|a| a.template.is_some())
}

/// The context attributes of `cx`, as key-values (empty when none).
pub(crate) fn stamp(cx: &Context) -> Option<Vec<KeyValue>> {
    cx.get::<ContextAttributes>()
        .map(ContextAttributes::key_values)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inner_scopes_override_per_key() {
        let outer = ContextAttributes::new()
            .session_id("s1")
            .user_id("u1")
            .tags(["a"]);
        let inner = ContextAttributes::new().user_id("u2");
        let merged = inner.over(&outer);
        assert_eq!(merged.session_id.as_deref(), Some("s1"));
        assert_eq!(merged.user_id.as_deref(), Some("u2"));
        assert_eq!(merged.tags, Some(vec!["a".to_owned()]));
    }

    #[test]
    fn empty_values_are_not_set_and_metadata_is_a_json_object() {
        let a = ContextAttributes::new()
            .session_id("")
            .tags(Vec::<String>::new())
            .metadata(&serde_json::json!({"tenant": "acme"}));
        let kvs = a.key_values();
        assert_eq!(kvs.len(), 1);
        assert_eq!(kvs[0].key.as_str(), "metadata");
        assert_eq!(kvs[0].value.as_str(), r#"{"tenant":"acme"}"#);
        assert!(ContextAttributes::new().metadata(&42).metadata.is_none());
    }
}
