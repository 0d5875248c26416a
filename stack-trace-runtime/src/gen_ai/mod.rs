//! Stage 3b, GenAI conventions: the OpenTelemetry GenAI semantic
//! conventions (semconv v1.41.1, the version Phoenix 20.26's converter
//! reads) beside or instead of OpenInference, for backends that draw their
//! LLM views from `gen_ai.*` (Datadog, Grafana, Honeycomb).
//!
//! Takes: a finished span on the export thread, after precedence, scrubbing,
//! caps and masking, so both conventions carry the same values and hide the
//! same things; and the [`Conventions`] in use.
//!
//! Does: reads the span's OpenInference keys once ([`facts`]), builds the
//! GenAI keys for the kinds that have a GenAI operation ([`translate`]:
//! model calls with their [`request`] and [`response`], [`messages`] in the
//! semconv's JSON parts, tools, retrievals, agents, workflows), sets the
//! OpenTelemetry span kind the semconv gives (CLIENT for model, embedding and
//! retrieval calls) and, with GenAI only, names the span the semconv's way
//! and drops the OpenInference keys the GenAI keys translate. No user value
//! is serialized again: everything comes from the span's own attributes.
//!
//! Hands on: the same span, for the batch.

pub(crate) mod drafts;
pub(crate) mod facts;
pub(crate) mod json;
pub mod keys;
pub(crate) mod messages;
pub(crate) mod request;
pub(crate) mod response;
pub(crate) mod settings;
pub(crate) mod translate;

use std::borrow::Cow;

use opentelemetry::trace::SpanKind as OtelKind;
use opentelemetry::KeyValue;
use opentelemetry_sdk::trace::SpanData;

pub use settings::Conventions;

use crate::openinference::keys as oi;
use crate::semconv::{SpanKind, AGENT_NAME, OPENINFERENCE_SPAN_KIND};
use facts::Facts;
use translate::Operation;

/// Writes `span` in `conventions`: nothing to do for OpenInference only.
/// `scratch` is an empty list the caller keeps between spans (the GenAI keys
/// are built there, so no list is allocated per span).
pub(crate) fn apply(span: &mut SpanData, conventions: Conventions, scratch: &mut Vec<KeyValue>) {
    if !conventions.gen_ai() {
        return;
    }
    scratch.clear();
    let (kind, operation, name) = {
        let facts = Facts::read(span);
        let Some(kind) = facts.kind else { return };
        let Some(operation) = Operation::of(kind, &facts) else {
            return;
        };
        translate::translate(operation, &facts, &span.name, scratch);
        let name = (!conventions.openinference()).then(|| semconv_name(operation, scratch));
        (kind, operation, name)
    };
    if matches!(
        operation,
        Operation::Chat | Operation::TextCompletion | Operation::Embeddings | Operation::Retrieval
    ) {
        span.span_kind = OtelKind::Client;
    }
    if let Some(name) = name {
        span.attributes
            .retain(|kv| !translated(kind, kv.key.as_str()));
        let function = std::mem::replace(&mut span.name, Cow::Owned(name));
        span.attributes
            .push(KeyValue::new(keys::CODE_FUNCTION_NAME, function));
    }
    span.attributes.append(scratch);
}

/// The semconv's span name: `{operation} {model}` for model calls,
/// `execute_tool {tool}`, `invoke_agent {agent}`, `invoke_workflow {name}`,
/// `retrieval` (no data source id is known).
fn semconv_name(operation: Operation, added: &[KeyValue]) -> String {
    let find = |key: &str| {
        added
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.as_str())
    };
    let target = match operation {
        Operation::Chat | Operation::TextCompletion | Operation::Embeddings => {
            find(keys::REQUEST_MODEL)
        }
        Operation::ExecuteTool => find(keys::TOOL_NAME),
        Operation::InvokeAgent => find(keys::AGENT_NAME),
        Operation::InvokeWorkflow => find(keys::WORKFLOW_NAME),
        Operation::Retrieval => None,
    };
    match target {
        Some(t) => format!("{} {t}", operation.as_str()),
        None => operation.as_str().to_owned(),
    }
}

/// Whether, on a span of `kind`, the GenAI keys translate OpenInference's
/// `key` (dropped when GenAI is the only convention). What they do not
/// translate stays: total and audio token counts, prompt templates, tool
/// schemas, embedded texts and inputs, user ids, metadata and tags.
pub(crate) fn translated(kind: SpanKind, key: &str) -> bool {
    if key == OPENINFERENCE_SPAN_KIND || key == oi::SESSION_ID {
        return true;
    }
    let input = key.starts_with("input.");
    let output = key.starts_with("output.");
    match kind {
        SpanKind::Llm => {
            input
                || output
                || (key.starts_with("llm.")
                    && !key.starts_with("llm.prompt_template.")
                    && !matches!(
                        key,
                        oi::TOKENS_TOTAL | oi::TOKENS_PROMPT_AUDIO | oi::TOKENS_COMPLETION_AUDIO
                    ))
        }
        SpanKind::Embedding => {
            output
                || matches!(
                    key,
                    oi::EMBEDDING_MODEL_NAME
                        | oi::EMBEDDING_INVOCATION_PARAMETERS
                        | oi::TOKENS_PROMPT
                )
                || (key.starts_with(oi::EMBEDDING_EMBEDDINGS) && key.ends_with(".vector"))
        }
        SpanKind::Tool => {
            input || output || matches!(key, oi::TOOL_NAME | oi::TOOL_DESCRIPTION | oi::TOOL_ID)
        }
        SpanKind::Retriever => input || output || key.starts_with(oi::RETRIEVAL_DOCUMENTS),
        SpanKind::Agent => input || output || key == AGENT_NAME,
        SpanKind::Chain => input || output,
        SpanKind::Reranker
        | SpanKind::Guardrail
        | SpanKind::Evaluator
        | SpanKind::Prompt
        | SpanKind::Decision => false,
    }
}

#[cfg(test)]
mod tests;
