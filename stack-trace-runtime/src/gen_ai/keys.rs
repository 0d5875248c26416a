//! The OpenTelemetry GenAI keys we write (semconv v1.41.1), spelled once,
//! and the type the registry gives each ([`REGISTRY`], checked against the
//! pinned registry by `tests/genai_keys.rs`).

pub(crate) const OPERATION_NAME: &str = "gen_ai.operation.name";
pub(crate) const PROVIDER_NAME: &str = "gen_ai.provider.name";
pub(crate) const REQUEST_MODEL: &str = "gen_ai.request.model";
pub(crate) const REQUEST_TEMPERATURE: &str = "gen_ai.request.temperature";
pub(crate) const REQUEST_TOP_P: &str = "gen_ai.request.top_p";
pub(crate) const REQUEST_TOP_K: &str = "gen_ai.request.top_k";
pub(crate) const REQUEST_MAX_TOKENS: &str = "gen_ai.request.max_tokens";
pub(crate) const REQUEST_FREQUENCY_PENALTY: &str = "gen_ai.request.frequency_penalty";
pub(crate) const REQUEST_PRESENCE_PENALTY: &str = "gen_ai.request.presence_penalty";
pub(crate) const REQUEST_SEED: &str = "gen_ai.request.seed";
pub(crate) const REQUEST_STOP_SEQUENCES: &str = "gen_ai.request.stop_sequences";
pub(crate) const REQUEST_CHOICE_COUNT: &str = "gen_ai.request.choice.count";
pub(crate) const REQUEST_STREAM: &str = "gen_ai.request.stream";
pub(crate) const REQUEST_ENCODING_FORMATS: &str = "gen_ai.request.encoding_formats";
pub(crate) const OUTPUT_TYPE: &str = "gen_ai.output.type";
pub(crate) const RESPONSE_ID: &str = "gen_ai.response.id";
pub(crate) const RESPONSE_MODEL: &str = "gen_ai.response.model";
pub(crate) const RESPONSE_FINISH_REASONS: &str = "gen_ai.response.finish_reasons";
pub(crate) const RESPONSE_TIME_TO_FIRST_CHUNK: &str = "gen_ai.response.time_to_first_chunk";
pub(crate) const USAGE_INPUT_TOKENS: &str = "gen_ai.usage.input_tokens";
pub(crate) const USAGE_OUTPUT_TOKENS: &str = "gen_ai.usage.output_tokens";
pub(crate) const USAGE_CACHE_READ: &str = "gen_ai.usage.cache_read.input_tokens";
pub(crate) const USAGE_CACHE_CREATION: &str = "gen_ai.usage.cache_creation.input_tokens";
pub(crate) const USAGE_REASONING: &str = "gen_ai.usage.reasoning.output_tokens";
pub(crate) const INPUT_MESSAGES: &str = "gen_ai.input.messages";
pub(crate) const OUTPUT_MESSAGES: &str = "gen_ai.output.messages";
pub(crate) const SYSTEM_INSTRUCTIONS: &str = "gen_ai.system_instructions";
pub(crate) const TOOL_DEFINITIONS: &str = "gen_ai.tool.definitions";
pub(crate) const TOOL_NAME: &str = "gen_ai.tool.name";
pub(crate) const TOOL_DESCRIPTION: &str = "gen_ai.tool.description";
pub(crate) const TOOL_TYPE: &str = "gen_ai.tool.type";
pub(crate) const TOOL_CALL_ID: &str = "gen_ai.tool.call.id";
pub(crate) const TOOL_CALL_ARGUMENTS: &str = "gen_ai.tool.call.arguments";
pub(crate) const TOOL_CALL_RESULT: &str = "gen_ai.tool.call.result";
pub(crate) const RETRIEVAL_QUERY_TEXT: &str = "gen_ai.retrieval.query.text";
pub(crate) const RETRIEVAL_DOCUMENTS: &str = "gen_ai.retrieval.documents";
pub(crate) const EMBEDDINGS_DIMENSION_COUNT: &str = "gen_ai.embeddings.dimension.count";
pub(crate) const AGENT_NAME: &str = "gen_ai.agent.name";
pub(crate) const WORKFLOW_NAME: &str = "gen_ai.workflow.name";
pub(crate) const CONVERSATION_ID: &str = "gen_ai.conversation.id";
/// General (stable) OpenTelemetry key, on GenAI spans that ended in an error.
pub(crate) const ERROR_TYPE: &str = "error.type";
/// General (stable) OpenTelemetry key: the function's name, kept when GenAI
/// alone renames the span (`chat gpt-4o`).
pub(crate) const CODE_FUNCTION_NAME: &str = "code.function.name";

/// A value type of the semconv registry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyType {
    /// `string`.
    String,
    /// `int`.
    Int,
    /// `double`.
    Double,
    /// `boolean`.
    Boolean,
    /// `string[]`.
    StringArray,
    /// `any`: structured; written on spans as a JSON string.
    Any,
}

impl KeyType {
    /// The registry's name of the type.
    #[must_use]
    pub const fn registry_name(self) -> &'static str {
        match self {
            Self::String => "string",
            Self::Int => "int",
            Self::Double => "double",
            Self::Boolean => "boolean",
            Self::StringArray => "string[]",
            Self::Any => "any",
        }
    }
}

/// Every key this crate writes for the GenAI conventions, with its type.
pub const REGISTRY: &[(&str, KeyType)] = &[
    (OPERATION_NAME, KeyType::String),
    (PROVIDER_NAME, KeyType::String),
    (REQUEST_MODEL, KeyType::String),
    (REQUEST_TEMPERATURE, KeyType::Double),
    (REQUEST_TOP_P, KeyType::Double),
    (REQUEST_TOP_K, KeyType::Double),
    (REQUEST_MAX_TOKENS, KeyType::Int),
    (REQUEST_FREQUENCY_PENALTY, KeyType::Double),
    (REQUEST_PRESENCE_PENALTY, KeyType::Double),
    (REQUEST_SEED, KeyType::Int),
    (REQUEST_STOP_SEQUENCES, KeyType::StringArray),
    (REQUEST_CHOICE_COUNT, KeyType::Int),
    (REQUEST_STREAM, KeyType::Boolean),
    (REQUEST_ENCODING_FORMATS, KeyType::StringArray),
    (OUTPUT_TYPE, KeyType::String),
    (RESPONSE_ID, KeyType::String),
    (RESPONSE_MODEL, KeyType::String),
    (RESPONSE_FINISH_REASONS, KeyType::StringArray),
    (RESPONSE_TIME_TO_FIRST_CHUNK, KeyType::Double),
    (USAGE_INPUT_TOKENS, KeyType::Int),
    (USAGE_OUTPUT_TOKENS, KeyType::Int),
    (USAGE_CACHE_READ, KeyType::Int),
    (USAGE_CACHE_CREATION, KeyType::Int),
    (USAGE_REASONING, KeyType::Int),
    (INPUT_MESSAGES, KeyType::Any),
    (OUTPUT_MESSAGES, KeyType::Any),
    (SYSTEM_INSTRUCTIONS, KeyType::Any),
    (TOOL_DEFINITIONS, KeyType::Any),
    (TOOL_NAME, KeyType::String),
    (TOOL_DESCRIPTION, KeyType::String),
    (TOOL_TYPE, KeyType::String),
    (TOOL_CALL_ID, KeyType::String),
    (TOOL_CALL_ARGUMENTS, KeyType::Any),
    (TOOL_CALL_RESULT, KeyType::Any),
    (RETRIEVAL_QUERY_TEXT, KeyType::String),
    (RETRIEVAL_DOCUMENTS, KeyType::Any),
    (EMBEDDINGS_DIMENSION_COUNT, KeyType::Int),
    (AGENT_NAME, KeyType::String),
    (WORKFLOW_NAME, KeyType::String),
    (CONVERSATION_ID, KeyType::String),
    (ERROR_TYPE, KeyType::String),
    (CODE_FUNCTION_NAME, KeyType::String),
];
