//! A model's response, read by shape after serialization: OpenAI chat
//! completions (`choices[].message`, `usage.*_tokens`) and Anthropic messages
//! (`content` blocks, `usage.input_tokens`). Anything else yields nothing
//! here (the span still gets `output.value`).

use opentelemetry::KeyValue;
use serde_json::Value;

use super::keys;
use super::messages::flatten_message;

/// Which API a response came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    OpenAiChat,
    /// The legacy completions API (`choices[].text`).
    OpenAiCompletion,
    Anthropic,
}

/// What a response says, as OpenInference attributes.
#[derive(Debug, Default)]
pub(crate) struct ResponseFacts {
    pub shape: Option<Shape>,
    pub model: Option<String>,
    pub attributes: Vec<KeyValue>,
}

pub(crate) fn detect(response: &Value) -> Option<Shape> {
    let obj = response.as_object()?;
    if obj
        .get("choices")
        .and_then(Value::as_array)
        .is_some_and(|c| c.iter().any(|c| c.get("message").is_some()))
    {
        return Some(Shape::OpenAiChat);
    }
    if obj
        .get("choices")
        .and_then(Value::as_array)
        .is_some_and(|c| {
            c.iter()
                .any(|c| c.get("text").is_some_and(Value::is_string))
        })
    {
        return Some(Shape::OpenAiCompletion);
    }
    let is_anthropic = obj.get("type").and_then(Value::as_str) == Some("message")
        || (obj.get("role").and_then(Value::as_str) == Some("assistant")
            && obj.get("content").is_some_and(Value::is_array)
            && obj
                .get("usage")
                .and_then(|u| u.get("input_tokens"))
                .is_some());
    is_anthropic.then_some(Shape::Anthropic)
}

fn int(v: Option<&Value>) -> Option<i64> {
    v.and_then(|v| {
        v.as_i64()
            .or_else(|| v.as_u64().and_then(|u| i64::try_from(u).ok()))
    })
}

/// Reads a response of a known shape.
pub(crate) fn read(response: &Value) -> ResponseFacts {
    let Some(shape) = detect(response) else {
        return ResponseFacts::default();
    };
    let mut attributes = Vec::new();
    let model = response
        .get("model")
        .and_then(Value::as_str)
        .map(str::to_owned);
    match shape {
        Shape::OpenAiChat | Shape::OpenAiCompletion => openai(response, &mut attributes),
        Shape::Anthropic => anthropic(response, &mut attributes),
    }
    ResponseFacts {
        shape: Some(shape),
        model,
        attributes,
    }
}

fn openai(response: &Value, out: &mut Vec<KeyValue>) {
    let choices = response["choices"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    let mut index = 0;
    for choice in choices {
        let Some(message) = choice.get("message") else {
            continue;
        };
        if flatten_message(keys::LLM_OUTPUT_MESSAGES, index, message, out) {
            index += 1;
        }
    }
    for (i, text) in choices
        .iter()
        .filter_map(|c| c.get("text").and_then(Value::as_str))
        .enumerate()
    {
        out.push(KeyValue::new(
            keys::indexed(keys::LLM_CHOICES, i, "completion.text"),
            text.to_owned(),
        ));
    }
    if let Some(reason) = choices
        .first()
        .and_then(|c| c.get("finish_reason"))
        .and_then(Value::as_str)
    {
        out.push(KeyValue::new(keys::LLM_FINISH_REASON, reason.to_owned()));
    }
    let usage = &response["usage"];
    let prompt = int(usage.get("prompt_tokens"));
    let completion = int(usage.get("completion_tokens"));
    let total = int(usage.get("total_tokens")).or(prompt.zip(completion).map(|(p, c)| p + c));
    tokens(out, prompt, completion, total);
    let prompt_details = &usage["prompt_tokens_details"];
    push_int(
        out,
        keys::TOKENS_CACHE_READ,
        int(prompt_details.get("cached_tokens")),
    );
    push_int(
        out,
        keys::TOKENS_PROMPT_AUDIO,
        int(prompt_details.get("audio_tokens")),
    );
    let completion_details = &usage["completion_tokens_details"];
    push_int(
        out,
        keys::TOKENS_REASONING,
        int(completion_details.get("reasoning_tokens")),
    );
    push_int(
        out,
        keys::TOKENS_COMPLETION_AUDIO,
        int(completion_details.get("audio_tokens")),
    );
}

fn anthropic(response: &Value, out: &mut Vec<KeyValue>) {
    let message = serde_json::json!({
        "role": response.get("role").and_then(Value::as_str).unwrap_or("assistant"),
        "content": response.get("content").cloned().unwrap_or(Value::Null),
    });
    flatten_message(keys::LLM_OUTPUT_MESSAGES, 0, &message, out);
    if let Some(reason) = response.get("stop_reason").and_then(Value::as_str) {
        out.push(KeyValue::new(keys::LLM_FINISH_REASON, reason.to_owned()));
    }
    let usage = &response["usage"];
    let input = int(usage.get("input_tokens"));
    let cache_read = int(usage.get("cache_read_input_tokens"));
    let cache_write = int(usage.get("cache_creation_input_tokens"));
    let completion = int(usage.get("output_tokens"));
    // Anthropic's input_tokens excludes cached tokens; OpenInference's prompt
    // count includes every subtype.
    let prompt = input.map(|i| i + cache_read.unwrap_or(0) + cache_write.unwrap_or(0));
    let total = prompt.zip(completion).map(|(p, c)| p + c);
    tokens(out, prompt, completion, total);
    push_int(out, keys::TOKENS_CACHE_READ, cache_read);
    push_int(out, keys::TOKENS_CACHE_WRITE, cache_write);
}

pub(crate) fn tokens(
    out: &mut Vec<KeyValue>,
    prompt: Option<i64>,
    completion: Option<i64>,
    total: Option<i64>,
) {
    push_int(out, keys::TOKENS_PROMPT, prompt);
    push_int(out, keys::TOKENS_COMPLETION, completion);
    push_int(out, keys::TOKENS_TOTAL, total);
}

pub(crate) fn push_int(out: &mut Vec<KeyValue>, key: &'static str, value: Option<i64>) {
    if let Some(v) = value {
        out.push(KeyValue::new(key, v));
    }
}

/// `llm.system` from a model name's prefix (as OpenInference's helpers do).
pub(crate) fn system_from_model(model: &str) -> Option<&'static str> {
    let m = model.to_ascii_lowercase();
    let m = m.rsplit('/').next().unwrap_or(&m);
    let starts = |prefixes: &[&str]| prefixes.iter().any(|p| m.starts_with(p));
    if starts(&["claude", "anthropic"]) {
        Some("anthropic")
    } else if starts(&[
        "gpt",
        "o1",
        "o3",
        "o4",
        "chatgpt",
        "text-embedding",
        "davinci",
        "babbage",
        "ada",
    ]) {
        Some("openai")
    } else if starts(&["command", "embed-"]) {
        Some("cohere")
    } else if starts(&["mistral", "mixtral", "pixtral", "codestral", "ministral"]) {
        Some("mistralai")
    } else if starts(&["gemini", "vertex", "google"]) {
        Some("vertexai")
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::super::test_support::get;
    use super::*;
    use opentelemetry::Value as OtelValue;
    use serde_json::json;

    #[test]
    fn openai_chat_completion() {
        let r = json!({
            "id": "chatcmpl-123", "object": "chat.completion", "model": "gpt-4o-2024-08-06",
            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
                "tool_calls": [{"id": "call_abc", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]}}],
            "usage": {"prompt_tokens": 82, "completion_tokens": 17, "total_tokens": 99,
                "prompt_tokens_details": {"cached_tokens": 64, "audio_tokens": 0},
                "completion_tokens_details": {"reasoning_tokens": 5, "audio_tokens": 0}}
        });
        let facts = read(&r);
        assert_eq!(facts.shape, Some(Shape::OpenAiChat));
        assert_eq!(facts.model.as_deref(), Some("gpt-4o-2024-08-06"));
        let a = &facts.attributes;
        assert_eq!(
            get(a, "llm.output_messages.0.message.role"),
            Some(&OtelValue::from("assistant"))
        );
        assert_eq!(
            get(
                a,
                "llm.output_messages.0.message.tool_calls.0.tool_call.function.name"
            ),
            Some(&OtelValue::from("get_weather"))
        );
        assert_eq!(
            get(a, "llm.finish_reason"),
            Some(&OtelValue::from("tool_calls"))
        );
        assert_eq!(get(a, "llm.token_count.prompt"), Some(&OtelValue::I64(82)));
        assert_eq!(
            get(a, "llm.token_count.completion"),
            Some(&OtelValue::I64(17))
        );
        assert_eq!(get(a, "llm.token_count.total"), Some(&OtelValue::I64(99)));
        assert_eq!(
            get(a, "llm.token_count.prompt_details.cache_read"),
            Some(&OtelValue::I64(64))
        );
        assert_eq!(
            get(a, "llm.token_count.completion_details.reasoning"),
            Some(&OtelValue::I64(5))
        );
        assert_eq!(
            get(a, "llm.token_count.prompt_details.audio"),
            Some(&OtelValue::I64(0))
        );
    }

    #[test]
    fn anthropic_message() {
        let r = json!({
            "id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
            "content": [{"type": "text", "text": "Checking."}, {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}],
            "stop_reason": "tool_use",
            "usage": {"input_tokens": 10, "output_tokens": 7, "cache_read_input_tokens": 100, "cache_creation_input_tokens": 20}
        });
        let facts = read(&r);
        assert_eq!(facts.shape, Some(Shape::Anthropic));
        let a = &facts.attributes;
        assert_eq!(
            get(a, "llm.output_messages.0.message.content"),
            Some(&OtelValue::from("Checking."))
        );
        assert_eq!(
            get(
                a,
                "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"
            ),
            Some(&OtelValue::from(r#"{"city":"Paris"}"#))
        );
        assert_eq!(get(a, "llm.token_count.prompt"), Some(&OtelValue::I64(130)));
        assert_eq!(
            get(a, "llm.token_count.completion"),
            Some(&OtelValue::I64(7))
        );
        assert_eq!(get(a, "llm.token_count.total"), Some(&OtelValue::I64(137)));
        assert_eq!(
            get(a, "llm.token_count.prompt_details.cache_read"),
            Some(&OtelValue::I64(100))
        );
        assert_eq!(
            get(a, "llm.token_count.prompt_details.cache_write"),
            Some(&OtelValue::I64(20))
        );
        assert_eq!(
            get(a, "llm.finish_reason"),
            Some(&OtelValue::from("tool_use"))
        );
    }

    #[test]
    fn unknown_shapes_give_nothing() {
        for v in [
            json!("text"),
            json!({"answer": 1}),
            json!([1, 2]),
            json!({"choices": [1]}),
        ] {
            let facts = read(&v);
            assert!(facts.shape.is_none() && facts.attributes.is_empty(), "{v}");
        }
    }

    #[test]
    fn systems_from_model_names() {
        assert_eq!(system_from_model("gpt-4o-mini"), Some("openai"));
        assert_eq!(system_from_model("claude-3-5-sonnet"), Some("anthropic"));
        assert_eq!(
            system_from_model("mistralai/Mixtral-8x7B"),
            Some("mistralai")
        );
        assert_eq!(system_from_model("gemini-1.5-pro"), Some("vertexai"));
        assert_eq!(system_from_model("llama-3"), None);
    }
}
