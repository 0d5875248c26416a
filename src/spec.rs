//! The OpenInference attribute keys the specification defines, written out
//! independently of the runtime's constants, so tests can audit what our
//! spans carry. List indices are written `{i}`. `tests/spec_package.rs`
//! checks this list against the `openinference-semantic-conventions`
//! package (0.1.42) both ways.

const MESSAGE_KEYS: &[&str] = &[
    "message.role",
    "message.content",
    "message.name",
    "message.tool_call_id",
    "message.function_call_name",
    "message.function_call_arguments_json",
    "message.contents.{i}.message_content.type",
    "message.contents.{i}.message_content.text",
    "message.contents.{i}.message_content.image.image.url",
    "message.contents.{i}.message_content.audio.audio.url",
    "message.contents.{i}.message_content.audio.audio.mime_type",
    "message.contents.{i}.message_content.audio.audio.transcript",
    "message.contents.{i}.message_content.video.video.url",
    "message.contents.{i}.message_content.document.document.id",
    "message.contents.{i}.message_content.document.document.content",
    "message.contents.{i}.message_content.document.document.url",
    "message.contents.{i}.message_content.document.document.mime_type",
    "message.contents.{i}.message_content.document.document.name",
    "message.contents.{i}.message_content.document.document.metadata",
    "message.contents.{i}.message_content.id",
    "message.contents.{i}.message_content.signature",
    "message.contents.{i}.message_content.data",
    "message.contents.{i}.message_content.encrypted_content",
    "message.tool_calls.{i}.tool_call.id",
    "message.tool_calls.{i}.tool_call.function.name",
    "message.tool_calls.{i}.tool_call.function.arguments",
    "message.tool_calls.{i}.tool_call.reasoning_signature",
];

const DOCUMENT_KEYS: &[&str] = &[
    "document.id",
    "document.score",
    "document.content",
    "document.metadata",
    "document.url",
    "document.mime_type",
    "document.name",
];

const FLAT_KEYS: &[&str] = &[
    "llm.model_name",
    "llm.request.model_name",
    "llm.response.model_name",
    "llm.system",
    "llm.provider",
    "llm.invocation_parameters",
    "llm.prompts.{i}.prompt.text",
    "llm.choices.{i}.completion.text",
    "llm.tools.{i}.tool.json_schema",
    "llm.finish_reason",
    "llm.function_call",
    "llm.prompt_template.template",
    "llm.prompt_template.variables",
    "llm.prompt_template.version",
    "llm.token_count.prompt",
    "llm.token_count.completion",
    "llm.token_count.total",
    "llm.token_count.prompt_details.cache_read",
    "llm.token_count.prompt_details.cache_write",
    "llm.token_count.prompt_details.cache_input",
    "llm.token_count.prompt_details.audio",
    "llm.token_count.completion_details.reasoning",
    "llm.token_count.completion_details.audio",
    "llm.cost.prompt",
    "llm.cost.completion",
    "llm.cost.total",
    "llm.cost.prompt_details.input",
    "llm.cost.prompt_details.cache_read",
    "llm.cost.prompt_details.cache_write",
    "llm.cost.prompt_details.cache_input",
    "llm.cost.prompt_details.audio",
    "llm.cost.completion_details.output",
    "llm.cost.completion_details.reasoning",
    "llm.cost.completion_details.audio",
    "agent.name",
    "decision.model_name",
    "decision.request.model_name",
    "decision.response.model_name",
    "decision.provider",
    "decision.system",
    "decision.token_count.input",
    "decision.token_count.output",
    "tool.name",
    "tool.description",
    "tool.parameters",
    "tool.id",
    "tool.json_schema",
    "reranker.query",
    "reranker.model_name",
    "reranker.top_k",
    "embedding.model_name",
    "embedding.invocation_parameters",
    "embedding.embeddings.{i}.embedding.text",
    "embedding.embeddings.{i}.embedding.vector",
];

/// Prefixes whose keys must all be defined by the specification.
pub const AUDITED_PREFIXES: &[&str] = &[
    "agent.",
    "decision.",
    "llm.",
    "retrieval.",
    "tool.",
    "embedding.",
    "reranker.",
    "message.",
    "document.",
];

/// `llm.input_messages.3.message.role` becomes `llm.input_messages.{i}.message.role`.
#[must_use]
pub fn normalize(key: &str) -> String {
    key.split('.')
        .map(|segment| {
            if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
                "{i}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join(".")
}

/// Whether the specification defines `key` (indices in any position).
#[must_use]
pub fn is_defined(key: &str) -> bool {
    let key = normalize(key);
    if FLAT_KEYS.contains(&key.as_str()) {
        return true;
    }
    for list in ["llm.input_messages.{i}.", "llm.output_messages.{i}."] {
        if let Some(rest) = key.strip_prefix(list) {
            return MESSAGE_KEYS.contains(&rest);
        }
    }
    for list in [
        "retrieval.documents.{i}.",
        "reranker.input_documents.{i}.",
        "reranker.output_documents.{i}.",
    ] {
        if let Some(rest) = key.strip_prefix(list) {
            return DOCUMENT_KEYS.contains(&rest);
        }
    }
    false
}

/// Every key the list defines, list items written under each list that
/// holds them (`llm.input_messages.{i}.message.role`).
#[must_use]
pub fn all_keys() -> Vec<String> {
    let mut out: Vec<String> = FLAT_KEYS.iter().map(|k| (*k).to_owned()).collect();
    for list in ["llm.input_messages.{i}.", "llm.output_messages.{i}."] {
        out.extend(MESSAGE_KEYS.iter().map(|k| format!("{list}{k}")));
    }
    for list in [
        "retrieval.documents.{i}.",
        "reranker.input_documents.{i}.",
        "reranker.output_documents.{i}.",
    ] {
        out.extend(DOCUMENT_KEYS.iter().map(|k| format!("{list}{k}")));
    }
    out
}

/// Whether `key` falls under the audited namespaces.
#[must_use]
pub fn is_audited(key: &str) -> bool {
    AUDITED_PREFIXES.iter().any(|p| key.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defined_and_undefined_keys() {
        assert!(is_defined(
            "llm.input_messages.12.message.tool_calls.0.tool_call.function.arguments"
        ));
        assert!(is_defined("retrieval.documents.3.document.score"));
        assert!(is_defined("llm.token_count.prompt_details.cache_read"));
        assert!(!is_defined(
            "llm.input_messages.0.message.tool_calls.0.function.name"
        ));
        assert!(!is_defined("llm.token_count.cached"));
        assert!(!is_defined("retrieval.documents.0.document.text"));
        assert!(is_audited("document.id") && !is_audited("input.value"));
    }
}
