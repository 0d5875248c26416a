//! `EMBEDDING` spans: the texts from the arguments, the vectors, model and
//! token counts from the result.

use opentelemetry::KeyValue;
use serde_json::{Map, Value};

use super::{budget, is_scalar, keys, Roles};
use crate::scrub::rules::is_secret_key;
use crate::semconv::REDACTED;

/// What the inputs of an embedding call tell.
#[derive(Debug, Default)]
pub(crate) struct EmbeddingInputs {
    pub texts: Vec<String>,
    pub model: Option<String>,
    /// `embedding.invocation_parameters`: the other scalar arguments, as JSON.
    pub invocation: Option<String>,
}

/// The texts an embedding call embeds (a string or a list of strings).
pub(crate) fn embedding_inputs(roles: &Roles, args: &Map<String, Value>) -> EmbeddingInputs {
    let texts = match roles.input.and_then(|p| args.get(p)) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let invocation: Map<String, Value> = args
        .iter()
        .filter(|(name, value)| {
            Some(name.as_str()) != roles.input
                && is_scalar(value)
                && !is_secret_key(name)
                && *value != REDACTED
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    EmbeddingInputs {
        texts,
        model: roles.model_from(args),
        invocation: (!invocation.is_empty()).then(|| Value::Object(invocation).to_string()),
    }
}

/// `embedding.model_name`, `embedding.embeddings.{i}.embedding.{text,vector}`
/// and token counts from an embedding call's output (a list of vectors, one
/// vector, or an OpenAI embeddings response) and the texts it was given.
pub(crate) fn embedding_output(inputs: &EmbeddingInputs, output: &Value) -> Vec<KeyValue> {
    fn vector(v: &Value) -> Option<Vec<f64>> {
        let items = v.as_array()?;
        items.iter().map(Value::as_f64).collect()
    }
    let mut out = Vec::new();
    let mut model = inputs.model.clone();
    let vectors: Vec<Vec<f64>> = match output {
        Value::Object(obj) => {
            if let Some(m) = obj.get("model").and_then(Value::as_str) {
                model = Some(m.to_owned());
            }
            let usage = &output["usage"];
            if let Some(p) = usage.get("prompt_tokens").and_then(Value::as_i64) {
                out.push(KeyValue::new(keys::TOKENS_PROMPT, p));
            }
            if let Some(t) = usage.get("total_tokens").and_then(Value::as_i64) {
                out.push(KeyValue::new(keys::TOKENS_TOTAL, t));
            }
            obj.get("data")
                .and_then(Value::as_array)
                .map(|data| {
                    data.iter()
                        .filter_map(|d| d.get("embedding").and_then(vector))
                        .collect()
                })
                .unwrap_or_default()
        }
        Value::Array(items) if items.first().is_some_and(Value::is_array) => {
            items.iter().filter_map(vector).collect()
        }
        Value::Array(_) => vector(output).into_iter().collect(),
        _ => Vec::new(),
    };
    if let Some(model) = model {
        out.push(KeyValue::new(keys::EMBEDDING_MODEL_NAME, model));
    }
    if let Some(invocation) = &inputs.invocation {
        out.push(KeyValue::new(
            keys::EMBEDDING_INVOCATION_PARAMETERS,
            invocation.clone(),
        ));
    }
    let n = vectors.len().max(inputs.texts.len());
    budget::flatten_head(
        keys::EMBEDDING_EMBEDDINGS,
        0..n,
        budget::LIST_ATTRIBUTES,
        &mut out,
        |i, _, out| {
            let base = keys::indexed(keys::EMBEDDING_EMBEDDINGS, i, "embedding");
            if let Some(text) = inputs.texts.get(i) {
                out.push(KeyValue::new(keys::join(&base, "text"), text.clone()));
            }
            if let Some(v) = vectors.get(i) {
                out.push(KeyValue::new(
                    keys::join(&base, "vector"),
                    opentelemetry::Value::Array(opentelemetry::Array::F64(v.clone())),
                ));
            }
        },
    );
    out
}
