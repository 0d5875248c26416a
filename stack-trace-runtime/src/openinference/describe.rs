//! Traits for user types whose shape the macros cannot read: a model
//! response that is neither OpenAI- nor Anthropic-shaped, a message list, or
//! documents of another shape. Implement one and the matching macro uses it
//! instead of reading the serialized value.
//!
//! ```
//! use stack_trace_runtime::describe::{DescribeLlmResponse, Message, TokenUsage};
//!
//! struct LocalReply { text: String, used: (u32, u32) }
//!
//! impl DescribeLlmResponse for LocalReply {
//!     fn output_messages(&self) -> Vec<Message> {
//!         vec![Message::new("assistant").content(&self.text)]
//!     }
//!     fn token_usage(&self) -> Option<TokenUsage> {
//!         Some(TokenUsage::new(self.used.0.into(), self.used.1.into()))
//!     }
//!     fn model_name(&self) -> Option<String> {
//!         Some("llama-3.1-8b".to_owned())
//!     }
//! }
//!
//! #[stack_trace_runtime::llm]
//! fn complete(prompt: &str) -> LocalReply {
//!     LocalReply { text: prompt.to_uppercase(), used: (3, 1) }
//! }
//! # let _ = complete("hi");
//! ```

use opentelemetry::KeyValue;
use serde_json::Value;

use super::documents::flatten_documents;
use super::keys;
use super::messages::flatten_messages;
use crate::scrub::value::scrub_value;
use crate::scrub::Findings;

/// One chat message, as OpenInference records it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Message {
    /// `system`, `user`, `assistant`, `tool`.
    pub role: String,
    /// The text, if any.
    pub content: Option<String>,
    /// Tool calls the model asked for.
    pub tool_calls: Vec<ToolCall>,
    /// For a `tool` message: the id of the call it answers.
    pub tool_call_id: Option<String>,
    /// For a `tool` message: the tool's name.
    pub name: Option<String>,
}

impl Message {
    /// A message with this role.
    #[must_use]
    pub fn new(role: impl Into<String>) -> Self {
        Self {
            role: role.into(),
            ..Self::default()
        }
    }

    /// With this text.
    #[must_use]
    pub fn content(mut self, text: impl Into<String>) -> Self {
        self.content = Some(text.into());
        self
    }

    /// With a tool call.
    #[must_use]
    pub fn tool_call(mut self, call: ToolCall) -> Self {
        self.tool_calls.push(call);
        self
    }

    /// The message in OpenAI's shape, which the message flattening reads.
    fn to_json(&self) -> Value {
        let mut message = serde_json::Map::new();
        message.insert("role".to_owned(), Value::from(self.role.clone()));
        let optional = [
            ("content", &self.content),
            ("tool_call_id", &self.tool_call_id),
            ("name", &self.name),
        ];
        for (key, value) in optional {
            if let Some(v) = value {
                message.insert(key.to_owned(), Value::from(v.clone()));
            }
        }
        if !self.tool_calls.is_empty() {
            let calls = self.tool_calls.iter().map(|call| {
                serde_json::json!({
                    "id": call.id,
                    "function": {"name": call.name, "arguments": call.arguments},
                })
            });
            message.insert("tool_calls".to_owned(), Value::Array(calls.collect()));
        }
        Value::Object(message)
    }
}

/// A tool call in a message.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ToolCall {
    /// The provider's call id.
    pub id: Option<String>,
    /// The function's name.
    pub name: String,
    /// The arguments, as JSON text.
    pub arguments: String,
}

/// Token counts of one model call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TokenUsage {
    /// Prompt tokens, every subtype included.
    pub prompt: Option<i64>,
    /// Completion tokens.
    pub completion: Option<i64>,
    /// Total (prompt + completion when not given).
    pub total: Option<i64>,
    /// Prompt tokens read from a cache.
    pub cache_read: Option<i64>,
    /// Prompt tokens written to a cache.
    pub cache_write: Option<i64>,
    /// Reasoning tokens.
    pub reasoning: Option<i64>,
}

impl TokenUsage {
    /// Prompt and completion counts (total is their sum).
    #[must_use]
    pub fn new(prompt: i64, completion: i64) -> Self {
        Self {
            prompt: Some(prompt),
            completion: Some(completion),
            ..Self::default()
        }
    }

    fn attributes(&self, out: &mut Vec<KeyValue>) {
        let total = self
            .total
            .or_else(|| self.prompt.zip(self.completion).map(|(p, c)| p + c));
        for (key, value) in [
            (keys::TOKENS_PROMPT, self.prompt),
            (keys::TOKENS_COMPLETION, self.completion),
            (keys::TOKENS_TOTAL, total),
            (keys::TOKENS_CACHE_READ, self.cache_read),
            (keys::TOKENS_CACHE_WRITE, self.cache_write),
            (keys::TOKENS_REASONING, self.reasoning),
        ] {
            if let Some(v) = value {
                out.push(KeyValue::new(key, v));
            }
        }
    }
}

/// A document (retriever or reranker output).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Document {
    /// Its id.
    pub id: Option<String>,
    /// Its relevance score.
    pub score: Option<f64>,
    /// Its text.
    pub content: Option<String>,
    /// Its metadata (an object).
    pub metadata: Option<Value>,
}

/// A model response of your own shape, described for `#[llm]`.
pub trait DescribeLlmResponse {
    /// The messages the model produced (`llm.output_messages`).
    fn output_messages(&self) -> Vec<Message> {
        Vec::new()
    }
    /// Its token counts (`llm.token_count.*`).
    fn token_usage(&self) -> Option<TokenUsage> {
        None
    }
    /// The model that answered (`llm.model_name`).
    fn model_name(&self) -> Option<String> {
        None
    }
}

/// Chat messages of your own shape, described for `#[llm]`'s messages
/// parameter (`llm.input_messages`).
pub trait DescribeMessages {
    /// The messages, in order.
    fn messages(&self) -> Vec<Message>;
}

/// Documents of your own shape, described for `#[retriever]` and
/// `#[reranker]` (`retrieval.documents`, `reranker.output_documents`).
pub trait DescribeDocuments {
    /// The documents, in rank order.
    fn documents(&self) -> Vec<Document>;
}

pub(crate) fn messages_attributes(
    prefix: &str,
    messages: &[Message],
    findings: &mut Findings,
) -> Vec<KeyValue> {
    let mut list = Value::Array(messages.iter().map(Message::to_json).collect());
    scrub_value(&mut list, "", findings);
    let mut out = Vec::new();
    flatten_messages(prefix, &list, &mut out);
    out
}

pub(crate) fn documents_attributes(
    prefix: &str,
    documents: &[Document],
    findings: &mut Findings,
) -> Vec<KeyValue> {
    let list = documents
        .iter()
        .map(|d| serde_json::json!({"id": d.id, "score": d.score, "content": d.content, "metadata": d.metadata}))
        .collect();
    let mut list = Value::Array(list);
    scrub_value(&mut list, "", findings);
    let mut out = Vec::new();
    flatten_documents(prefix, &list, &mut out);
    out
}

/// Where described values go: the span stage implements it. Not public API.
#[doc(hidden)]
pub trait DescribeSink {
    /// A response described by its [`DescribeLlmResponse`] impl.
    fn describe_llm_response(
        &mut self,
        messages: Vec<Message>,
        usage: Option<TokenUsage>,
        model: Option<String>,
    );
    /// Input messages described by their [`DescribeMessages`] impl.
    fn describe_input_messages(&mut self, messages: &[Message]);
    /// Documents described by their [`DescribeDocuments`] impl.
    fn describe_documents(&mut self, documents: &[Document]);
}

/// Wraps a borrowed value to ask whether it describes itself. Not public API.
#[derive(Debug)]
#[doc(hidden)]
pub struct DescribeProbe<'a, T: ?Sized>(pub &'a T);

macro_rules! describe_probe {
    ($via:ident, $none:ident, $method:ident, $bound:ident, |$span:ident, $value:ident| $body:expr) => {
        #[doc(hidden)]
        /// Not public API.
        pub trait $via {
            /// Not public API.
            fn $method<S: DescribeSink>(&self, span: &mut S);
        }
        impl<T: $bound + ?Sized> $via for &DescribeProbe<'_, T> {
            fn $method<S: DescribeSink>(&self, $span: &mut S) {
                let $value = self.0;
                $body
            }
        }
        #[doc(hidden)]
        /// Not public API.
        pub trait $none {
            /// Not public API.
            fn $method<S: DescribeSink>(&self, span: &mut S);
        }
        impl<T: ?Sized> $none for DescribeProbe<'_, T> {
            fn $method<S: DescribeSink>(&self, _: &mut S) {}
        }
    };
}

describe_probe!(
    ViaDescribeLlmResponse,
    NoDescribeLlmResponse,
    st_describe_response,
    DescribeLlmResponse,
    |span, value| {
        span.describe_llm_response(
            value.output_messages(),
            value.token_usage(),
            value.model_name(),
        );
    }
);
describe_probe!(
    ViaDescribeMessages,
    NoDescribeMessages,
    st_describe_messages,
    DescribeMessages,
    |span, value| {
        span.describe_input_messages(&value.messages());
    }
);
describe_probe!(
    ViaDescribeDocuments,
    NoDescribeDocuments,
    st_describe_documents,
    DescribeDocuments,
    |span, value| {
        span.describe_documents(&value.documents());
    }
);

pub(crate) fn response_attributes(
    messages: &[Message],
    usage: Option<&TokenUsage>,
    findings: &mut Findings,
) -> Vec<KeyValue> {
    let mut out = messages_attributes(keys::LLM_OUTPUT_MESSAGES, messages, findings);
    if let Some(usage) = usage {
        usage.attributes(&mut out);
    }
    out
}
