//! Stage 2, OpenInference: what each span kind carries beyond
//! `input.value` / `output.value`, in the exact keys and value shapes of the
//! OpenInference specification.
//!
//! Takes: the arguments and results the capture stage read as
//! `serde_json::Value` (by shape: OpenAI and Anthropic messages, responses
//! and stream chunks, documents, vectors), the [`describe`] impls of types
//! that describe themselves, the context attributes of the current scope,
//! and the masking settings.
//!
//! Does: flattens them into OpenInference key-values: chat transcripts, tool
//! calls, token counts, model identity ([`llm`], [`messages`],
//! [`response`], [`stream`]), documents ([`documents`], [`reranker`]),
//! vectors ([`embedding`]), tool schemas ([`tool_schema`]), context
//! attributes ([`context_attributes`]); hides what `OPENINFERENCE_HIDE_*`
//! asks ([`masking`]). Every key is spelled once, in [`keys`] (and
//! `crate::semconv`).
//!
//! Hands on: `Vec<KeyValue>` for the span stage to write, and [`Masking`]
//! for the export stage to apply. Nothing here knows about spans.

pub(crate) mod budget;
pub(crate) mod context_attributes;
pub(crate) mod decision;
pub mod describe;
pub(crate) mod documents;
pub(crate) mod embedding;
pub(crate) mod keys;
pub(crate) mod llm;
pub(crate) mod masking;
pub(crate) mod messages;
pub(crate) mod reranker;
pub(crate) mod response;
pub(crate) mod roles;
pub(crate) mod stream;
pub(crate) mod tool_cache;
pub(crate) mod tool_schema;

use serde_json::Value;

pub(crate) use decision::decision_outcome;
pub(crate) use documents::retrieval_documents;
pub(crate) use embedding::{embedding_inputs, embedding_output, EmbeddingInputs};
pub(crate) use llm::{llm_identity, llm_inputs, llm_response};
pub use masking::Masking;
pub(crate) use reranker::{reranker_inputs, reranker_output};
pub use roles::Roles;

/// A model call's model keys: the model's name (the one that answered, else
/// the one asked for), and both names when they differ. `keys` are the
/// kind's name, request-name and response-name keys.
pub(crate) fn push_model_names(
    out: &mut Vec<opentelemetry::KeyValue>,
    keys: [&'static str; 3],
    asked: Option<&str>,
    answered: Option<&str>,
) {
    use opentelemetry::KeyValue;
    let [name, request, response] = keys;
    if let Some(model) = answered.or(asked) {
        out.push(KeyValue::new(name, model.to_owned()));
    }
    if let (Some(asked), Some(answered)) = (asked, answered) {
        if asked != answered {
            out.push(KeyValue::new(request, asked.to_owned()));
            out.push(KeyValue::new(response, answered.to_owned()));
        }
    }
}

/// Whether a parameter's value is a string, number or boolean: what goes
/// into the invocation parameters.
pub(crate) fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// What an LLM call's invocation parameters keep: scalars, and the lists of
/// text the APIs define as parameters (stop sequences, output modalities).
pub(crate) fn is_parameter(name: &str, v: &Value) -> bool {
    match v {
        Value::Array(items) => {
            matches!(name, "stop" | "stop_sequences" | "modalities")
                && items.len() <= 16
                && items.iter().all(Value::is_string)
        }
        other => is_scalar(other),
    }
}

/// Helpers shared by this module's unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use opentelemetry::{KeyValue, Value};

    /// The value of `key` among `kvs`.
    pub(crate) fn get<'a>(kvs: &'a [KeyValue], key: &str) -> Option<&'a Value> {
        kvs.iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| &kv.value)
    }
}
