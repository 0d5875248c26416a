//! `RERANKER` spans: query, `top_k`, model and input documents from the
//! arguments; the reranked documents from the result.

use opentelemetry::KeyValue;
use serde_json::{Map, Value};

use super::{documents, keys, messages, Roles};

/// `reranker.query`, `reranker.top_k`, `reranker.model_name` and
/// `reranker.input_documents.*` from a reranker call's arguments.
pub(crate) fn reranker_inputs(roles: &Roles, args: &Map<String, Value>) -> Vec<KeyValue> {
    let mut out = Vec::new();
    if let Some(query) = roles.query.and_then(|p| args.get(p)) {
        out.push(KeyValue::new(
            keys::RERANKER_QUERY,
            messages::json_text(query),
        ));
    }
    if let Some(top_k) = roles
        .top_k
        .and_then(|p| args.get(p))
        .and_then(Value::as_i64)
    {
        out.push(KeyValue::new(keys::RERANKER_TOP_K, top_k));
    }
    if let Some(model) = roles.model_from(args) {
        out.push(KeyValue::new(keys::RERANKER_MODEL_NAME, model));
    }
    if let Some(documents) = roles.documents.and_then(|p| args.get(p)) {
        documents::flatten_documents(keys::RERANKER_INPUT_DOCUMENTS, documents, &mut out);
    }
    out
}

/// `reranker.output_documents.*` from a reranker's output (a list of
/// documents, or a `{"results": [...]}` response).
pub(crate) fn reranker_output(output: &Value) -> Vec<KeyValue> {
    let list = output.get("results").unwrap_or(output);
    let mut out = Vec::new();
    documents::flatten_documents(keys::RERANKER_OUTPUT_DOCUMENTS, list, &mut out);
    out
}
