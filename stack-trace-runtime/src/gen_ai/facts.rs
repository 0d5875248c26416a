//! One pass over a finished span's OpenInference attributes: what the GenAI
//! translation needs, borrowed from the span (nothing is copied here).

use opentelemetry::trace::Status;
use opentelemetry::{Array, Value};
use opentelemetry_sdk::trace::SpanData;

use crate::openinference::keys as oi;
use crate::semconv::{
    SpanKind, AGENT_NAME, EXCEPTION_EVENT, EXCEPTION_TYPE, FIRST_TOKEN_EVENT, INPUT_VALUE,
    OPENINFERENCE_SPAN_KIND, OUTPUT_VALUE, REDACTED, STREAM_ITEMS,
};

/// What a span's attributes say, for the GenAI keys.
#[derive(Debug, Default)]
pub(crate) struct Facts<'a> {
    pub kind: Option<SpanKind>,
    pub model: Option<&'a str>,
    pub request_model: Option<&'a str>,
    pub response_model: Option<&'a str>,
    pub embedding_model: Option<&'a str>,
    pub system: Option<&'a str>,
    pub provider: Option<&'a str>,
    pub invocation: Option<&'a str>,
    pub prompt_tokens: Option<i64>,
    pub completion_tokens: Option<i64>,
    pub cache_read: Option<i64>,
    pub cache_write: Option<i64>,
    pub reasoning: Option<i64>,
    pub finish_reason: Option<&'a str>,
    pub session_id: Option<&'a str>,
    pub agent_name: Option<&'a str>,
    pub tool_name: Option<&'a Value>,
    pub tool_description: Option<&'a Value>,
    pub tool_call_id: Option<&'a Value>,
    /// `input.value`, unless hidden (its text, and the value itself, which
    /// the GenAI keys clone: free for a shared one).
    pub input: Option<&'a str>,
    pub input_value: Option<&'a Value>,
    /// `output.value`, unless hidden.
    pub output: Option<&'a str>,
    pub output_value: Option<&'a Value>,
    /// `llm.input_messages.` keys: the rest of the key, and the value.
    pub input_messages: Vec<(&'a str, &'a Value)>,
    /// `llm.output_messages.` keys, likewise.
    pub output_messages: Vec<(&'a str, &'a Value)>,
    /// `llm.prompts.{i}.prompt.text` and `llm.choices.{i}.completion.text`.
    pub prompts: Vec<&'a str>,
    pub choices: Vec<&'a str>,
    /// `llm.tools.{i}.tool.json_schema` values, in order.
    pub tools: Vec<&'a str>,
    /// `retrieval.documents.` keys: the rest of the key, and the value.
    pub documents: Vec<(&'a str, &'a Value)>,
    /// The length of the first embedding vector.
    pub dimensions: Option<usize>,
    /// The span traced a stream.
    pub streamed: bool,
    /// Seconds from the span's start to its first stream item.
    pub first_chunk: Option<f64>,
    /// `exception.type` of the last exception event, when the span failed.
    pub error: Option<ErrorType<'a>>,
}

/// Why a span failed, as `error.type` gives it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum ErrorType<'a> {
    /// The exception event's type.
    Named(&'a str),
    /// Failed with no exception event: the semconv's `_OTHER`.
    Other,
}

pub(crate) fn text(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) => Some(s.as_str()),
        _ => None,
    }
}

fn int(value: &Value) -> Option<i64> {
    match value {
        Value::I64(n) => Some(*n),
        _ => None,
    }
}

/// A text value that is not the placeholder of a hidden one.
fn shown(value: &Value) -> Option<&str> {
    text(value).filter(|s| *s != REDACTED)
}

impl<'a> Facts<'a> {
    /// Reads `span`'s attributes and events.
    pub(crate) fn read(span: &'a SpanData) -> Self {
        let mut facts = Facts::default();
        let count = span.attributes.len();
        for (at, kv) in span.attributes.iter().enumerate() {
            facts.take(kv.key.as_str(), &kv.value, count - at);
        }
        for event in &span.events.events {
            match event.name.as_ref() {
                FIRST_TOKEN_EVENT => {
                    facts.first_chunk = event
                        .timestamp
                        .duration_since(span.start_time)
                        .ok()
                        .map(|d| d.as_secs_f64());
                }
                EXCEPTION_EVENT => {
                    if let Some(t) = event
                        .attributes
                        .iter()
                        .find(|kv| kv.key.as_str() == EXCEPTION_TYPE)
                        .and_then(|kv| text(&kv.value))
                    {
                        facts.error = Some(ErrorType::Named(t));
                    }
                }
                _ => {}
            }
        }
        if matches!(span.status, Status::Error { .. }) {
            facts.error.get_or_insert(ErrorType::Other);
        } else {
            facts.error = None;
        }
        facts
    }

    /// One attribute; `left` attributes remain, this one included (a list
    /// reserves room for them at its first entry, so it grows once).
    fn take(&mut self, key: &'a str, value: &'a Value, left: usize) {
        // Every key read here starts with one of these letters.
        if !matches!(
            key.as_bytes().first(),
            Some(b'l' | b'r' | b'e' | b'i' | b'o' | b's' | b'a' | b't')
        ) {
            return;
        }
        if let Some(list) = list_entry(key) {
            let push = |list: &mut Vec<(&'a str, &'a Value)>, rest: &'a str| {
                if list.capacity() == 0 {
                    list.reserve(left);
                }
                list.push((rest, value));
            };
            match list {
                (List::InputMessages, rest) => push(&mut self.input_messages, rest),
                (List::OutputMessages, rest) => push(&mut self.output_messages, rest),
                (List::Documents, rest) => push(&mut self.documents, rest),
                (List::Tools, rest) if rest.ends_with(".tool.json_schema") => {
                    self.tools.extend(text(value));
                }
                (List::Prompts, _) => self.prompts.extend(text(value)),
                (List::Choices, _) => self.choices.extend(text(value)),
                (List::Embeddings, rest)
                    if rest.ends_with(".vector") && self.dimensions.is_none() =>
                {
                    self.dimensions = match value {
                        Value::Array(Array::F64(v)) => Some(v.len()),
                        Value::Array(Array::I64(v)) => Some(v.len()),
                        _ => None,
                    };
                }
                _ => {}
            }
            return;
        }
        match key {
            OPENINFERENCE_SPAN_KIND => self.kind = text(value).and_then(SpanKind::from_wire),
            INPUT_VALUE => {
                self.input = shown(value);
                self.input_value = self.input.map(|_| value);
            }
            OUTPUT_VALUE => {
                self.output = shown(value);
                self.output_value = self.output.map(|_| value);
            }
            oi::SESSION_ID => self.session_id = text(value),
            AGENT_NAME => self.agent_name = text(value),
            oi::TOOL_NAME => self.tool_name = Some(value),
            oi::TOOL_DESCRIPTION => self.tool_description = Some(value),
            oi::TOOL_ID => self.tool_call_id = Some(value),
            oi::EMBEDDING_MODEL_NAME => self.embedding_model = text(value),
            oi::EMBEDDING_INVOCATION_PARAMETERS | oi::LLM_INVOCATION_PARAMETERS => {
                self.invocation = text(value);
            }
            oi::LLM_MODEL_NAME => self.model = text(value),
            oi::LLM_REQUEST_MODEL_NAME => self.request_model = text(value),
            oi::LLM_RESPONSE_MODEL_NAME => self.response_model = text(value),
            oi::LLM_SYSTEM => self.system = text(value),
            oi::LLM_PROVIDER => self.provider = text(value),
            oi::LLM_FINISH_REASON => self.finish_reason = text(value),
            oi::TOKENS_PROMPT => self.prompt_tokens = int(value),
            oi::TOKENS_COMPLETION => self.completion_tokens = int(value),
            oi::TOKENS_CACHE_READ => self.cache_read = int(value),
            oi::TOKENS_CACHE_WRITE => self.cache_write = int(value),
            oi::TOKENS_REASONING => self.reasoning = int(value),
            STREAM_ITEMS => self.streamed = true,
            _ => {}
        }
    }
}

/// The flattened lists the translation reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum List {
    InputMessages,
    OutputMessages,
    Documents,
    Tools,
    Prompts,
    Choices,
    Embeddings,
}

const LISTS: [(&str, List); 7] = [
    (oi::LLM_INPUT_MESSAGES, List::InputMessages),
    (oi::LLM_OUTPUT_MESSAGES, List::OutputMessages),
    (oi::RETRIEVAL_DOCUMENTS, List::Documents),
    (oi::LLM_TOOLS, List::Tools),
    (oi::LLM_PROMPTS, List::Prompts),
    (oi::LLM_CHOICES, List::Choices),
    (oi::EMBEDDING_EMBEDDINGS, List::Embeddings),
];

/// Which list `key` is an entry of, and the rest of the key after
/// `prefix.` (`0.message.role` for `llm.input_messages.0.message.role`).
pub(crate) fn list_entry(key: &str) -> Option<(List, &str)> {
    LISTS.iter().find_map(|(prefix, list)| {
        key.strip_prefix(prefix)
            .and_then(|rest| rest.strip_prefix('.'))
            .map(|rest| (*list, rest))
    })
}
