//! OpenInference attribute keys for kind-specific capture, spelled exactly as
//! the specification does.

/// `session.id`, a context attribute (and GenAI's `gen_ai.conversation.id`).
pub(crate) const SESSION_ID: &str = "session.id";
pub(crate) const LLM_INPUT_MESSAGES: &str = "llm.input_messages";
pub(crate) const LLM_OUTPUT_MESSAGES: &str = "llm.output_messages";
pub(crate) const LLM_MODEL_NAME: &str = "llm.model_name";
pub(crate) const LLM_SYSTEM: &str = "llm.system";
pub(crate) const LLM_PROVIDER: &str = "llm.provider";
pub(crate) const LLM_INVOCATION_PARAMETERS: &str = "llm.invocation_parameters";
pub(crate) const LLM_TOOLS: &str = "llm.tools";
pub(crate) const LLM_PROMPTS: &str = "llm.prompts";
pub(crate) const LLM_PROMPT_TEMPLATE: &str = "llm.prompt_template.template";
pub(crate) const LLM_PROMPT_TEMPLATE_VERSION: &str = "llm.prompt_template.version";
pub(crate) const LLM_PROMPT_TEMPLATE_VARIABLES: &str = "llm.prompt_template.variables";
pub(crate) const LLM_CHOICES: &str = "llm.choices";
pub(crate) const LLM_REQUEST_MODEL_NAME: &str = "llm.request.model_name";
pub(crate) const LLM_RESPONSE_MODEL_NAME: &str = "llm.response.model_name";
pub(crate) const EMBEDDING_INVOCATION_PARAMETERS: &str = "embedding.invocation_parameters";
pub(crate) const LLM_FINISH_REASON: &str = "llm.finish_reason";
pub(crate) const TOKENS_PROMPT: &str = "llm.token_count.prompt";
pub(crate) const TOKENS_COMPLETION: &str = "llm.token_count.completion";
pub(crate) const TOKENS_TOTAL: &str = "llm.token_count.total";
pub(crate) const TOKENS_CACHE_READ: &str = "llm.token_count.prompt_details.cache_read";
pub(crate) const TOKENS_CACHE_WRITE: &str = "llm.token_count.prompt_details.cache_write";
pub(crate) const TOKENS_PROMPT_AUDIO: &str = "llm.token_count.prompt_details.audio";
pub(crate) const TOKENS_REASONING: &str = "llm.token_count.completion_details.reasoning";
pub(crate) const TOKENS_COMPLETION_AUDIO: &str = "llm.token_count.completion_details.audio";
pub(crate) const RETRIEVAL_DOCUMENTS: &str = "retrieval.documents";
pub(crate) const TOOL_NAME: &str = "tool.name";
pub(crate) const TOOL_DESCRIPTION: &str = "tool.description";
pub(crate) const TOOL_PARAMETERS: &str = "tool.parameters";
/// The tool call's id (set by hand: `current_span().set_attribute(...)`).
pub(crate) const TOOL_ID: &str = "tool.id";
pub(crate) const EMBEDDING_MODEL_NAME: &str = "embedding.model_name";
pub(crate) const EMBEDDING_EMBEDDINGS: &str = "embedding.embeddings";
pub(crate) const DECISION_MODEL_NAME: &str = "decision.model_name";
pub(crate) const DECISION_REQUEST_MODEL_NAME: &str = "decision.request.model_name";
pub(crate) const DECISION_RESPONSE_MODEL_NAME: &str = "decision.response.model_name";
pub(crate) const DECISION_PROVIDER: &str = "decision.provider";
pub(crate) const DECISION_SYSTEM: &str = "decision.system";
pub(crate) const DECISION_TOKENS_INPUT: &str = "decision.token_count.input";
pub(crate) const DECISION_TOKENS_OUTPUT: &str = "decision.token_count.output";
pub(crate) const RERANKER_QUERY: &str = "reranker.query";
pub(crate) const RERANKER_TOP_K: &str = "reranker.top_k";
pub(crate) const RERANKER_MODEL_NAME: &str = "reranker.model_name";
pub(crate) const RERANKER_INPUT_DOCUMENTS: &str = "reranker.input_documents";
pub(crate) const RERANKER_OUTPUT_DOCUMENTS: &str = "reranker.output_documents";

/// Messages whose role and content keys are interned (built once, then
/// shared by every span: no allocation per key).
const INTERNED_MESSAGES: usize = 64;

/// `{prefix}.{index}.message.role` and `.content` for the two message
/// lists and the first [`INTERNED_MESSAGES`] indices, as static strings
/// (`None` past them). The table is built once: 256 short strings.
pub(crate) fn message_keys(prefix: &str, index: usize) -> Option<(&'static str, &'static str)> {
    type Table = Vec<(&'static str, &'static str)>;
    static TABLES: std::sync::OnceLock<[Table; 2]> = std::sync::OnceLock::new();
    let list = match prefix {
        LLM_INPUT_MESSAGES => 0,
        LLM_OUTPUT_MESSAGES => 1,
        _ => return None,
    };
    if index >= INTERNED_MESSAGES {
        return None;
    }
    let tables = TABLES.get_or_init(|| {
        let build = |prefix: &str| -> Table {
            (0..INTERNED_MESSAGES)
                .map(|i| {
                    let role: &'static str = indexed(prefix, i, "message.role").leak();
                    let content: &'static str = indexed(prefix, i, "message.content").leak();
                    (role, content)
                })
                .collect()
        };
        [build(LLM_INPUT_MESSAGES), build(LLM_OUTPUT_MESSAGES)]
    });
    tables[list].get(index).copied()
}

/// `base.suffix`, built without the formatting machinery (keys are built
/// for every message, part and document of every span).
pub(crate) fn join(base: &str, suffix: &str) -> String {
    let mut key = String::with_capacity(base.len() + 1 + suffix.len());
    key.push_str(base);
    key.push('.');
    key.push_str(suffix);
    key
}

/// `prefix.index.suffix`.
pub(crate) fn indexed(prefix: &str, index: usize, suffix: &str) -> String {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = index;
    loop {
        at -= 1;
        // The remainder is below 10: the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation)]
        let digit = (n % 10) as u8;
        digits[at] = b'0' + digit;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    let digits = std::str::from_utf8(&digits[at..]).unwrap_or("0");
    let mut key = String::with_capacity(prefix.len() + digits.len() + suffix.len() + 2);
    key.push_str(prefix);
    key.push('.');
    key.push_str(digits);
    key.push('.');
    key.push_str(suffix);
    key
}

#[cfg(test)]
mod tests {
    #[test]
    fn interned_message_keys_are_the_flattened_keys() {
        let (role, content) = super::message_keys(super::LLM_INPUT_MESSAGES, 3).unwrap();
        assert_eq!(role, "llm.input_messages.3.message.role");
        assert_eq!(content, "llm.input_messages.3.message.content");
        let (role, _) = super::message_keys(super::LLM_OUTPUT_MESSAGES, 63).unwrap();
        assert_eq!(role, "llm.output_messages.63.message.role");
        assert!(super::message_keys(super::LLM_OUTPUT_MESSAGES, 64).is_none());
        assert!(super::message_keys("llm.prompts", 0).is_none());
        // Built once: the same strings every time.
        let again = super::message_keys(super::LLM_INPUT_MESSAGES, 3).unwrap();
        assert!(core::ptr::eq(
            role.as_ptr(),
            super::message_keys(super::LLM_OUTPUT_MESSAGES, 63)
                .unwrap()
                .0
                .as_ptr()
        ));
        assert!(core::ptr::eq(
            again.0,
            super::message_keys(super::LLM_INPUT_MESSAGES, 3).unwrap().0
        ));
    }

    #[test]
    fn keys_are_joined_exactly() {
        assert_eq!(super::join("a.b", "c"), "a.b.c");
        assert_eq!(
            super::indexed("llm.input_messages", 0, "message"),
            "llm.input_messages.0.message"
        );
        assert_eq!(super::indexed("p", 1234, "s"), "p.1234.s");
    }
}
