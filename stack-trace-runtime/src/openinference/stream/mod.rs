//! A streamed model response put back together: OpenAI chat-completion
//! chunks (`choices[].delta`, tool-call argument fragments, the final usage
//! chunk), Anthropic message events (`message_start`, `content_block_*`,
//! `message_delta`), or plain text deltas. The result has the shape of the
//! non-streamed response, so [`super::llm_response`] reads it like any other.
//!
//! Memory is bounded: each text and argument buffer stops growing at the
//! value cap (a marker says so), and at most [`MAX_PARTS`] choices, blocks
//! and tool calls are kept.

mod anthropic;
mod openai;

use serde_json::{json, Map, Value};

use anthropic::{absorb_anthropic, anthropic_block, Block};
use openai::{absorb_openai_choice, openai_choice, Choice};

/// At most this many choices, content blocks or tool calls per response.
pub(crate) const MAX_PARTS: usize = 128;

/// A text buffer that stops growing at `cap` bytes (on a character boundary).
#[derive(Debug, Default)]
struct Bounded {
    text: String,
    dropped: usize,
}

impl Bounded {
    fn push(&mut self, piece: &str, cap: usize) {
        if self.dropped > 0 {
            self.dropped += piece.len();
            return;
        }
        if self.text.len() + piece.len() <= cap {
            self.text.push_str(piece);
            return;
        }
        let mut cut = cap.saturating_sub(self.text.len());
        while cut > 0 && !piece.is_char_boundary(cut) {
            cut -= 1;
        }
        self.text.push_str(&piece[..cut]);
        self.dropped += piece.len() - cut;
    }

    fn finish(&self) -> String {
        if self.dropped == 0 {
            self.text.clone()
        } else {
            format!(
                "{}… [stack-trace: {} more bytes not recorded]",
                self.text, self.dropped
            )
        }
    }
}

/// Which kind of stream this is, decided by its first recognised item.
#[derive(Debug, Default)]
enum Shape {
    #[default]
    Unknown,
    OpenAi {
        choices: Vec<Choice>,
    },
    Anthropic {
        blocks: Vec<(u64, Block)>,
        stop_reason: Option<String>,
        usage: Map<String, Value>,
    },
    Text(Bounded),
}

/// The streamed response so far.
#[derive(Debug, Default)]
pub(crate) struct LlmStream {
    shape: Shape,
    model: Option<String>,
    usage: Option<Value>,
    /// Items of no known shape (the stream is then recorded generically).
    unknown: bool,
}

fn str_of(v: &Value, key: &str) -> Option<String> {
    v.get(key).and_then(Value::as_str).map(str::to_owned)
}

fn index_of(v: &Value) -> u64 {
    v.get("index").and_then(Value::as_u64).unwrap_or(0)
}

impl LlmStream {
    /// Whether every item so far had a known shape (so the stream is
    /// described as a response rather than as a list of items).
    pub(crate) fn recognised(&self) -> bool {
        !self.unknown && !matches!(self.shape, Shape::Unknown)
    }

    /// Takes one streamed item (already serialized).
    pub(crate) fn absorb(&mut self, item: &Value, cap: usize) {
        if let Some(model) = str_of(item, "model") {
            self.model.get_or_insert(model);
        }
        if let Some(text) = item.as_str() {
            if matches!(self.shape, Shape::Unknown) {
                self.shape = Shape::Text(Bounded::default());
            }
            if let Shape::Text(buffer) = &mut self.shape {
                buffer.push(text, cap);
                return;
            }
        }
        if item.get("choices").is_some_and(Value::is_array) || self.is_openai_usage(item) {
            if matches!(self.shape, Shape::Unknown) {
                self.shape = Shape::OpenAi {
                    choices: Vec::new(),
                };
            }
            if let Shape::OpenAi { choices } = &mut self.shape {
                if let Some(usage) = item.get("usage").filter(|u| u.is_object()) {
                    self.usage = Some(usage.clone());
                }
                for delta in item
                    .get("choices")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                {
                    absorb_openai_choice(choices, delta, cap);
                }
                return;
            }
        }
        if let Some(kind) = item.get("type").and_then(Value::as_str) {
            if kind.starts_with("message_") || kind.starts_with("content_block_") || kind == "ping"
            {
                if matches!(self.shape, Shape::Unknown) {
                    self.shape = Shape::Anthropic {
                        blocks: Vec::new(),
                        stop_reason: None,
                        usage: Map::new(),
                    };
                }
                if let Shape::Anthropic {
                    blocks,
                    stop_reason,
                    usage,
                } = &mut self.shape
                {
                    if let Some(model) = item.get("message").and_then(|m| str_of(m, "model")) {
                        self.model.get_or_insert(model);
                    }
                    absorb_anthropic(blocks, stop_reason, usage, kind, item, cap);
                    return;
                }
            }
        }
        self.unknown = true;
    }

    fn is_openai_usage(&self, item: &Value) -> bool {
        matches!(self.shape, Shape::OpenAi { .. })
            && item.get("usage").is_some_and(Value::is_object)
    }

    /// The response the stream amounted to, in its non-streamed shape.
    pub(crate) fn response(&self) -> Option<Value> {
        if !self.recognised() {
            return None;
        }
        let mut out = Map::new();
        if let Some(model) = &self.model {
            out.insert("model".to_owned(), Value::String(model.clone()));
        }
        match &self.shape {
            Shape::Unknown => return None,
            Shape::Text(text) => {
                out.insert(
                    "choices".to_owned(),
                    json!([{"index": 0, "message": {"role": "assistant", "content": text.finish()}}]),
                );
            }
            Shape::OpenAi { choices } => {
                let choices: Vec<Value> = choices.iter().map(openai_choice).collect();
                out.insert("object".to_owned(), json!("chat.completion"));
                out.insert("choices".to_owned(), Value::Array(choices));
                if let Some(usage) = &self.usage {
                    out.insert("usage".to_owned(), usage.clone());
                }
            }
            Shape::Anthropic {
                blocks,
                stop_reason,
                usage,
            } => {
                out.insert("type".to_owned(), json!("message"));
                out.insert("role".to_owned(), json!("assistant"));
                let content: Vec<Value> = blocks.iter().map(|(_, b)| anthropic_block(b)).collect();
                out.insert("content".to_owned(), Value::Array(content));
                if let Some(reason) = stop_reason {
                    out.insert("stop_reason".to_owned(), json!(reason));
                }
                out.insert("usage".to_owned(), Value::Object(usage.clone()));
            }
        }
        Some(Value::Object(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(items: &[Value]) -> Value {
        let mut stream = LlmStream::default();
        for item in items {
            stream.absorb(item, 1 << 16);
        }
        stream.response().expect("recognised")
    }

    #[test]
    fn openai_deltas_and_tool_call_fragments_merge() {
        let response = run(&[
            json!({"model": "gpt-4o", "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}),
            json!({"choices": [{"index": 0, "delta": {"content": "Hel"}}]}),
            json!({"choices": [{"index": 0, "delta": {"content": "lo"}}]}),
            json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"ci"}}]}}]}),
            json!({"choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "ty\":\"Oslo\"}"}}]}}]}),
            json!({"choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
            json!({"choices": [], "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}}),
        ]);
        assert_eq!(response["model"], "gpt-4o");
        let message = &response["choices"][0]["message"];
        assert_eq!(message["content"], "Hello");
        assert_eq!(message["tool_calls"][0]["id"], "call_1");
        assert_eq!(message["tool_calls"][0]["function"]["name"], "get_weather");
        assert_eq!(
            message["tool_calls"][0]["function"]["arguments"],
            r#"{"city":"Oslo"}"#
        );
        assert_eq!(response["choices"][0]["finish_reason"], "tool_calls");
        assert_eq!(response["usage"]["total_tokens"], 13);
    }

    #[test]
    fn anthropic_events_merge() {
        let response = run(&[
            json!({"type": "message_start", "message": {"model": "claude-sonnet-4", "role": "assistant", "content": [], "usage": {"input_tokens": 12, "output_tokens": 1}}}),
            json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Let me "}}),
            json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "check."}}),
            json!({"type": "content_block_stop", "index": 0}),
            json!({"type": "content_block_start", "index": 1, "content_block": {"type": "tool_use", "id": "toolu_1", "name": "search", "input": {}}}),
            json!({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "{\"q\": "}}),
            json!({"type": "content_block_delta", "index": 1, "delta": {"type": "input_json_delta", "partial_json": "\"rust\"}"}}),
            json!({"type": "message_delta", "delta": {"stop_reason": "tool_use"}, "usage": {"output_tokens": 30}}),
            json!({"type": "message_stop"}),
        ]);
        assert_eq!(response["model"], "claude-sonnet-4");
        assert_eq!(response["content"][0]["text"], "Let me check.");
        assert_eq!(response["content"][1]["input"], json!({"q": "rust"}));
        assert_eq!(response["stop_reason"], "tool_use");
        assert_eq!(
            response["usage"],
            json!({"input_tokens": 12, "output_tokens": 30})
        );
        assert_eq!(
            super::super::response::detect(&response),
            Some(super::super::response::Shape::Anthropic)
        );
    }

    #[test]
    fn text_deltas_become_one_message_and_buffers_are_bounded() {
        let mut stream = LlmStream::default();
        for _ in 0..1000 {
            stream.absorb(&json!("ab"), 100);
        }
        let response = stream.response().unwrap();
        let content = response["choices"][0]["message"]["content"]
            .as_str()
            .unwrap();
        assert!(content.starts_with(&"ab".repeat(50)));
        assert!(
            content.ends_with("[stack-trace: 1900 more bytes not recorded]"),
            "{content}"
        );
        let mut unknown = LlmStream::default();
        unknown.absorb(&json!({"token": "x"}), 100);
        assert!(unknown.response().is_none());
    }

    #[test]
    fn bounded_cuts_on_a_character_boundary() {
        let mut b = Bounded::default();
        b.push("ééé", 3);
        assert_eq!(b.text, "é");
        assert_eq!(b.dropped, 4);
    }
}
