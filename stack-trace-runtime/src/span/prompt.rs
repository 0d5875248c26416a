//! The `#[prompt]` rule: once a prompt function returned, the `#[llm]`
//! spans that start after it inside the same parent span (the function that
//! called it) carry its `llm.prompt_template.*`, until that parent ends or
//! another prompt is rendered there.
//!
//! The rendered prompts live in a small table keyed by the parent's span id:
//! looked up when an `#[llm]` span starts (one atomic load while the table
//! is empty), replaced by the next prompt of the same parent, removed when
//! that parent ends (if it is one of our spans) and otherwise forgotten
//! oldest first past [`MAX_PARENTS`].

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use opentelemetry::trace::SpanId;
use opentelemetry::KeyValue;

use crate::openinference::keys;

/// Parents with a rendered prompt remembered at most.
pub(crate) const MAX_PARENTS: usize = 1024;

/// One rendered prompt: the template, its version, its variables (JSON).
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Rendered {
    pub(crate) template: String,
    pub(crate) version: Option<String>,
    pub(crate) variables: Option<String>,
}

impl Rendered {
    /// Its `llm.prompt_template.*` attributes.
    pub(crate) fn attributes(&self) -> Vec<KeyValue> {
        let mut out = vec![KeyValue::new(
            keys::LLM_PROMPT_TEMPLATE,
            self.template.clone(),
        )];
        if let Some(version) = &self.version {
            out.push(KeyValue::new(
                keys::LLM_PROMPT_TEMPLATE_VERSION,
                version.clone(),
            ));
        }
        if let Some(variables) = &self.variables {
            out.push(KeyValue::new(
                keys::LLM_PROMPT_TEMPLATE_VARIABLES,
                variables.clone(),
            ));
        }
        out
    }
}

static COUNT: AtomicUsize = AtomicUsize::new(0);
static TABLE: Mutex<VecDeque<(SpanId, Arc<Rendered>)>> = Mutex::new(VecDeque::new());

fn with_table<R>(f: impl FnOnce(&mut VecDeque<(SpanId, Arc<Rendered>)>) -> R) -> R {
    let mut table = TABLE.lock().unwrap_or_else(PoisonError::into_inner);
    let out = f(&mut table);
    COUNT.store(table.len(), Ordering::Release);
    out
}

/// A prompt was rendered inside `parent`: the `#[llm]` calls that follow
/// there carry it.
pub(crate) fn rendered(parent: SpanId, prompt: Rendered) {
    if parent == SpanId::INVALID {
        return; // no parent span: nothing to scope it to
    }
    with_table(|table| {
        table.retain(|(p, _)| *p != parent);
        if table.len() >= MAX_PARENTS {
            table.pop_front();
        }
        table.push_back((parent, Arc::new(prompt)));
    });
}

/// The prompt rendered last inside `parent`, if any.
#[inline]
pub(crate) fn for_parent(parent: SpanId) -> Option<Arc<Rendered>> {
    if COUNT.load(Ordering::Acquire) == 0 {
        return None;
    }
    with_table(|table| {
        table
            .iter()
            .rev()
            .find(|(p, _)| *p == parent)
            .map(|(_, r)| Arc::clone(r))
    })
}

/// A span of ours ended: a prompt scoped to it is forgotten.
#[inline]
pub(crate) fn ended(span: SpanId) {
    if COUNT.load(Ordering::Acquire) == 0 {
        return;
    }
    with_table(|table| table.retain(|(p, _)| *p != span));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompt(version: &str) -> Rendered {
        Rendered {
            template: "Answer: {q}".into(),
            version: Some(version.into()),
            variables: Some(r#"{"q":"why"}"#.into()),
        }
    }

    #[test]
    fn scoped_to_the_parent_replaced_by_the_next_and_gone_when_it_ends() {
        let parent = SpanId::from(0x51);
        assert_eq!(for_parent(parent), None);
        rendered(parent, prompt("v1"));
        rendered(parent, prompt("v2"));
        assert_eq!(for_parent(parent).unwrap().version.as_deref(), Some("v2"));
        assert_eq!(for_parent(SpanId::from(0x52)), None);
        assert_eq!(for_parent(parent).unwrap().attributes().len(), 3);
        ended(parent);
        assert_eq!(for_parent(parent), None);
        rendered(SpanId::INVALID, prompt("v3"));
        assert_eq!(for_parent(SpanId::INVALID), None);
    }

    #[test]
    fn the_table_is_bounded() {
        for i in 0..(MAX_PARENTS as u64 + 10) {
            rendered(SpanId::from(0x1000 + i), prompt("v"));
        }
        assert!(with_table(|t| t.len()) <= MAX_PARENTS);
        for i in 0..(MAX_PARENTS as u64 + 10) {
            ended(SpanId::from(0x1000 + i));
        }
    }
}
