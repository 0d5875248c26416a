//! OpenInference attribute keys and span kinds, spelled exactly as the
//! specification spells them (`spec/semantic_conventions.md`).
//!
//! Every attribute this crate writes goes through one of these constants, so a
//! typo cannot reach Phoenix.

/// `openinference.span.kind`: the OpenInference kind of a span (always set).
pub const OPENINFERENCE_SPAN_KIND: &str = "openinference.span.kind";
/// The agent's name, on `AGENT` spans (OpenInference 0.1.42): the span's
/// name (`Type::method`, or `name = ...`).
pub const AGENT_NAME: &str = "agent.name";
/// `input.value`: the input of the operation.
pub const INPUT_VALUE: &str = "input.value";
/// `input.mime_type`: `text/plain` or `application/json`.
pub const INPUT_MIME_TYPE: &str = "input.mime_type";
/// `output.value`: the output of the operation.
pub const OUTPUT_VALUE: &str = "output.value";
/// `output.mime_type`: `text/plain` or `application/json`.
pub const OUTPUT_MIME_TYPE: &str = "output.mime_type";
/// Name of the OpenTelemetry exception event.
pub const EXCEPTION_EVENT: &str = "exception";
/// `exception.type` on the exception event.
pub const EXCEPTION_TYPE: &str = "exception.type";
/// `exception.message` on the exception event.
pub const EXCEPTION_MESSAGE: &str = "exception.message";

/// The attributes of an `exception` event.
pub(crate) fn exception_attributes(
    type_name: String,
    message: String,
) -> Vec<opentelemetry::KeyValue> {
    vec![
        opentelemetry::KeyValue::new(EXCEPTION_TYPE, type_name),
        opentelemetry::KeyValue::new(EXCEPTION_MESSAGE, message),
    ]
}
/// `openinference.project.name`: resource attribute Phoenix routes projects by.
pub const PROJECT_NAME: &str = "openinference.project.name";
/// `stack_trace.cancelled`: set to `true` on a span whose future was dropped
/// before it completed (our own key; OpenInference has none for this).
pub const CANCELLED: &str = "stack_trace.cancelled";
/// Name of the event recorded when a future is dropped before completing.
pub const CANCELLED_EVENT: &str = "cancelled";
/// The event at a stream's first item (the name OpenInference's
/// instrumentations use for time to first token).
pub const FIRST_TOKEN_EVENT: &str = "First Token Stream Event";
/// How many items a traced stream or iterator yielded.
pub const STREAM_ITEMS: &str = "stack_trace.stream.items";
/// `exception.type` recorded for a panic.
pub const PANIC_TYPE: &str = "panic";
/// `stack_trace.scrubbed`: what scrubbing removed from the span's values,
/// as JSON (`{"removed": n, "<attribute>": ["key <path>" | "format <name>", ...]}`),
/// never the values themselves (our own key).
pub const SCRUBBED: &str = "stack_trace.scrubbed";
/// The placeholder OpenInference uses for a hidden value.
pub const REDACTED: &str = "__REDACTED__";

/// The `text/plain` mime type.
pub const MIME_TEXT: &str = "text/plain";
/// The `application/json` mime type.
pub const MIME_JSON: &str = "application/json";

/// The OpenInference span kinds this crate emits (`openinference.span.kind`).
///
/// `UNKNOWN` is deliberately absent: there is no macro for it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SpanKind {
    /// One call to a language model.
    Llm,
    /// One call that produces embedding vectors.
    Embedding,
    /// Glue or orchestration step.
    Chain,
    /// A query against a vector store, search engine or database.
    Retriever,
    /// Re-scoring of candidate documents.
    Reranker,
    /// Execution of a tool or function, usually chosen by a model.
    Tool,
    /// A reasoning block that drives model and tool calls.
    Agent,
    /// Input or output moderation.
    Guardrail,
    /// Automated evaluation of a model output.
    Evaluator,
    /// The rendering of a prompt template (`#[prompt]`).
    Prompt,
    /// A call to a decision model: typed questions in, typed, probabilistic
    /// answers out (OpenInference 0.1.42).
    Decision,
}

impl SpanKind {
    /// The upper-case value written to `openinference.span.kind`.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Llm => "LLM",
            Self::Embedding => "EMBEDDING",
            Self::Chain => "CHAIN",
            Self::Retriever => "RETRIEVER",
            Self::Reranker => "RERANKER",
            Self::Tool => "TOOL",
            Self::Agent => "AGENT",
            Self::Guardrail => "GUARDRAIL",
            Self::Evaluator => "EVALUATOR",
            Self::Prompt => "PROMPT",
            Self::Decision => "DECISION",
        }
    }

    /// Whether a single captured argument is recorded as its own value rather
    /// than as an object of all arguments (OpenInference's "chain family";
    /// `tool` and `llm` always record the object).
    #[must_use]
    pub const fn unwraps_single_argument(self) -> bool {
        !matches!(self, Self::Tool | Self::Llm | Self::Prompt | Self::Decision)
    }

    /// Parses the upper-case wire value.
    #[must_use]
    pub fn from_wire(value: &str) -> Option<Self> {
        Some(match value {
            "LLM" => Self::Llm,
            "EMBEDDING" => Self::Embedding,
            "CHAIN" => Self::Chain,
            "RETRIEVER" => Self::Retriever,
            "RERANKER" => Self::Reranker,
            "TOOL" => Self::Tool,
            "AGENT" => Self::Agent,
            "GUARDRAIL" => Self::Guardrail,
            "EVALUATOR" => Self::Evaluator,
            "PROMPT" => Self::Prompt,
            "DECISION" => Self::Decision,
            _ => return None,
        })
    }
}

impl core::fmt::Display for SpanKind {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::SpanKind;

    #[test]
    fn wire_values_round_trip_and_are_upper_case() {
        let all = [
            SpanKind::Llm,
            SpanKind::Embedding,
            SpanKind::Chain,
            SpanKind::Retriever,
            SpanKind::Reranker,
            SpanKind::Tool,
            SpanKind::Agent,
            SpanKind::Guardrail,
            SpanKind::Evaluator,
            SpanKind::Prompt,
            SpanKind::Decision,
        ];
        for kind in all {
            assert_eq!(SpanKind::from_wire(kind.as_str()), Some(kind));
            assert_eq!(kind.as_str(), kind.as_str().to_ascii_uppercase());
        }
        assert_eq!(SpanKind::from_wire("llm"), None);
    }

    #[test]
    fn only_tool_and_llm_keep_the_argument_object() {
        assert!(!SpanKind::Tool.unwraps_single_argument());
        assert!(!SpanKind::Llm.unwraps_single_argument());
        assert!(SpanKind::Chain.unwraps_single_argument());
        assert!(SpanKind::Retriever.unwraps_single_argument());
    }
}
