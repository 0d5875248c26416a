//! Chat messages (OpenAI and Anthropic shapes, after serialization) flattened
//! into OpenInference keys: `{prefix}.{i}.message.role`, `.content`,
//! `.contents.{k}.message_content.*`, `.tool_calls.{j}.tool_call.*`,
//! `.tool_call_id`, `.name`.

use super::{budget, keys};
use opentelemetry::KeyValue;
use serde_json::Value;

/// Appends the keys of the messages in `messages` (a JSON array) under
/// `prefix` (`llm.input_messages` or `llm.output_messages`), within the
/// list budget: a long transcript keeps its system message and its most
/// recent messages (see [`budget`]). Returns the number of messages written.
pub(crate) fn flatten_messages(prefix: &str, messages: &Value, out: &mut Vec<KeyValue>) -> usize {
    let Some(list) = messages.as_array() else {
        return 0;
    };
    budget::flatten_tail(
        prefix,
        list,
        budget::LIST_ATTRIBUTES,
        out,
        |m| role(m).is_some(),
        |m| matches!(role(m), Some("system" | "developer")),
        |index, message, out| {
            flatten_message(prefix, index, message, out);
        },
    )
}

fn role(message: &Value) -> Option<&str> {
    message.get("role").and_then(Value::as_str)
}

/// A role as a static value when it is one of the common ones (no copy).
fn role_value(role: &str) -> opentelemetry::Value {
    match role {
        "user" => "user".into(),
        "assistant" => "assistant".into(),
        "system" => "system".into(),
        "tool" => "tool".into(),
        "developer" => "developer".into(),
        other => other.to_owned().into(),
    }
}

/// One message, number `index` under `prefix` (`llm.input_messages.3.message`).
/// Returns false (and writes nothing) for a value that is not a message
/// object. The role and content keys of the first messages are interned.
pub(crate) fn flatten_message(
    prefix: &str,
    index: usize,
    message: &Value,
    out: &mut Vec<KeyValue>,
) -> bool {
    let Some(obj) = message.as_object() else {
        return false;
    };
    let Some(role) = role(message) else {
        return false;
    };
    let interned = keys::message_keys(prefix, index);
    let base_text;
    let base = if interned.is_some()
        && obj.len() <= 2
        && matches!(obj.get("content"), Some(Value::String(_)))
    {
        // Only role and content: the base key is never needed.
        ""
    } else {
        base_text = keys::indexed(prefix, index, "message");
        base_text.as_str()
    };
    let key = |field: &str, interned: Option<&'static str>| -> opentelemetry::Key {
        match interned {
            Some(k) => opentelemetry::Key::from_static_str(k),
            None => keys::indexed(prefix, index, &keys::join("message", field)).into(),
        }
    };
    out.push(KeyValue::new(
        key("role", interned.map(|k| k.0)),
        role_value(role),
    ));
    if let Some(name) = obj.get("name").and_then(Value::as_str) {
        out.push(KeyValue::new(keys::join(base, "name"), name.to_owned()));
    }
    if let Some(id) = obj.get("tool_call_id").and_then(Value::as_str) {
        out.push(KeyValue::new(
            keys::join(base, "tool_call_id"),
            id.to_owned(),
        ));
    }
    let mut tool_calls = 0;
    match obj.get("content") {
        Some(Value::String(text)) => out.push(KeyValue::new(
            key("content", interned.map(|k| k.1)),
            text.clone(),
        )),
        Some(Value::Array(parts)) => content_parts(base, parts, &mut tool_calls, out),
        _ => {}
    }
    if let Some(Value::Array(calls)) = obj.get("tool_calls") {
        for call in calls {
            if tool_call(
                &keys::indexed(&keys::join(base, "tool_calls"), tool_calls, "tool_call"),
                call,
                out,
            ) {
                tool_calls += 1;
            }
        }
    }
    // Legacy OpenAI function calling.
    if let Some(Value::Object(function)) = obj.get("function_call") {
        if let Some(name) = function.get("name").and_then(Value::as_str) {
            out.push(KeyValue::new(
                keys::join(base, "function_call_name"),
                name.to_owned(),
            ));
        }
        if let Some(arguments) = function.get("arguments") {
            out.push(KeyValue::new(
                keys::join(base, "function_call_arguments_json"),
                json_text(arguments),
            ));
        }
    }
    true
}

/// A JSON value as the text of a JSON-typed attribute: strings are taken as
/// already-encoded JSON, anything else is encoded.
/// A value for a JSON-typed attribute: text that already is JSON passes
/// through, anything else is serialized (a plain string becomes a JSON
/// string), so the attribute always parses.
pub(crate) fn json_attribute(value: &Value) -> String {
    match value {
        Value::String(s) if serde_json::from_str::<serde::de::IgnoredAny>(s).is_ok() => s.clone(),
        other => other.to_string(),
    }
}

pub(crate) fn json_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// An OpenAI (`{id, function: {name, arguments}}`) or Anthropic `tool_use`
/// (`{id, name, input}`) tool call.
fn tool_call(base: &str, call: &Value, out: &mut Vec<KeyValue>) -> bool {
    let Some(obj) = call.as_object() else {
        return false;
    };
    let function = obj.get("function").and_then(Value::as_object);
    let name = function
        .and_then(|f| f.get("name"))
        .or_else(|| obj.get("name"))
        .and_then(Value::as_str);
    let arguments = function
        .and_then(|f| f.get("arguments"))
        .or_else(|| obj.get("input"));
    if name.is_none() && arguments.is_none() {
        return false;
    }
    if let Some(id) = obj.get("id").and_then(Value::as_str) {
        out.push(KeyValue::new(keys::join(base, "id"), id.to_owned()));
    }
    if let Some(name) = name {
        out.push(KeyValue::new(
            keys::join(base, "function.name"),
            name.to_owned(),
        ));
    }
    if let Some(arguments) = arguments {
        out.push(KeyValue::new(
            keys::join(base, "function.arguments"),
            json_text(arguments),
        ));
    }
    true
}

/// Content parts: text and images go to `message.contents`; Anthropic
/// `tool_use` blocks become tool calls; a `tool_result` block becomes the
/// message's `tool_call_id` and content. Text-only content is also joined into
/// `message.content`, which is what Phoenix shows for simple messages.
fn content_parts(base: &str, parts: &[Value], tool_calls: &mut usize, out: &mut Vec<KeyValue>) {
    let mut texts: Vec<&str> = Vec::new();
    let mut only_text = true;
    let mut k = 0;
    for part in parts {
        let Some(obj) = part.as_object() else {
            if let Some(text) = part.as_str() {
                texts.push(text);
            }
            continue;
        };
        let kind = obj.get("type").and_then(Value::as_str).unwrap_or("text");
        let content = keys::indexed(&keys::join(base, "contents"), k, "message_content");
        match kind {
            "text" | "input_text" | "output_text" => {
                if let Some(text) = obj.get("text").and_then(Value::as_str) {
                    texts.push(text);
                    out.push(KeyValue::new(keys::join(&content, "type"), "text"));
                    out.push(KeyValue::new(keys::join(&content, "text"), text.to_owned()));
                    k += 1;
                }
            }
            "image_url" | "image" | "input_image" => {
                if let Some(url) = image_url(obj) {
                    only_text = false;
                    out.push(KeyValue::new(keys::join(&content, "type"), "image"));
                    out.push(KeyValue::new(keys::join(&content, "image.image.url"), url));
                    k += 1;
                }
            }
            "thinking" | "reasoning" => {
                only_text = false;
                out.push(KeyValue::new(keys::join(&content, "type"), "reasoning"));
                if let Some(text) = obj
                    .get("thinking")
                    .or_else(|| obj.get("text"))
                    .and_then(Value::as_str)
                {
                    out.push(KeyValue::new(keys::join(&content, "text"), text.to_owned()));
                }
                if let Some(signature) = obj.get("signature").and_then(Value::as_str) {
                    out.push(KeyValue::new(
                        keys::join(&content, "signature"),
                        signature.to_owned(),
                    ));
                }
                k += 1;
            }
            "redacted_thinking" => {
                only_text = false;
                out.push(KeyValue::new(keys::join(&content, "type"), "reasoning"));
                if let Some(data) = obj.get("data").and_then(Value::as_str) {
                    out.push(KeyValue::new(keys::join(&content, "data"), data.to_owned()));
                }
                k += 1;
            }
            "tool_use"
                if tool_call(
                    &keys::indexed(&keys::join(base, "tool_calls"), *tool_calls, "tool_call"),
                    part,
                    out,
                ) =>
            {
                *tool_calls += 1;
            }
            "tool_result" => {
                if let Some(id) = obj.get("tool_use_id").and_then(Value::as_str) {
                    out.push(KeyValue::new(
                        keys::join(base, "tool_call_id"),
                        id.to_owned(),
                    ));
                }
                match obj.get("content") {
                    Some(Value::String(text)) => texts.push(text),
                    Some(Value::Array(inner)) => texts.extend(
                        inner
                            .iter()
                            .filter_map(|b| b.get("text").and_then(Value::as_str)),
                    ),
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if only_text && !texts.is_empty() {
        out.push(KeyValue::new(keys::join(base, "content"), texts.join("")));
    }
}

/// The URL of an OpenAI `image_url` part or an Anthropic image block (a
/// base64 source becomes a `data:` URI).
fn image_url(obj: &serde_json::Map<String, Value>) -> Option<String> {
    if let Some(url) = obj.get("image_url") {
        return match url {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => o.get("url").and_then(Value::as_str).map(str::to_owned),
            _ => None,
        };
    }
    let source = obj.get("source")?.as_object()?;
    match source.get("type").and_then(Value::as_str) {
        Some("base64") => {
            let media = source
                .get("media_type")
                .and_then(Value::as_str)
                .unwrap_or("image/png");
            let data = source.get("data").and_then(Value::as_str)?;
            Some(format!("data:{media};base64,{data}"))
        }
        Some("url") => source.get("url").and_then(Value::as_str).map(str::to_owned),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn flat(prefix: &str, v: &Value) -> Vec<(String, String)> {
        let mut out = Vec::new();
        flatten_messages(prefix, v, &mut out);
        out.into_iter()
            .map(|kv| (kv.key.to_string(), kv.value.as_str().into_owned()))
            .collect()
    }

    fn get<'a>(kvs: &'a [(String, String)], key: &str) -> Option<&'a str> {
        kvs.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    #[test]
    fn openai_messages_with_tool_calls_and_results() {
        let msgs = json!([
            {"role": "system", "content": "You are a weather bot."},
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_abc", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_abc", "name": "get_weather", "content": "{\"temp_c\": 18}"}
        ]);
        let kv = flat("llm.input_messages", &msgs);
        assert_eq!(
            get(&kv, "llm.input_messages.0.message.role"),
            Some("system")
        );
        assert_eq!(
            get(&kv, "llm.input_messages.1.message.content"),
            Some("Weather in Paris?")
        );
        assert_eq!(
            get(
                &kv,
                "llm.input_messages.2.message.tool_calls.0.tool_call.id"
            ),
            Some("call_abc")
        );
        assert_eq!(
            get(
                &kv,
                "llm.input_messages.2.message.tool_calls.0.tool_call.function.name"
            ),
            Some("get_weather")
        );
        assert_eq!(
            get(
                &kv,
                "llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments"
            ),
            Some("{\"city\": \"Paris\"}")
        );
        assert_eq!(get(&kv, "llm.input_messages.2.message.content"), None);
        assert_eq!(
            get(&kv, "llm.input_messages.3.message.tool_call_id"),
            Some("call_abc")
        );
        assert_eq!(
            get(&kv, "llm.input_messages.3.message.name"),
            Some("get_weather")
        );
        assert_eq!(
            get(&kv, "llm.input_messages.3.message.content"),
            Some("{\"temp_c\": 18}")
        );
    }

    #[test]
    fn content_parts_text_and_images() {
        let msgs = json!([{"role": "user", "content": [
            {"type": "text", "text": "What is in this image?"},
            {"type": "image_url", "image_url": {"url": "https://x/cat.png"}}
        ]}]);
        let kv = flat("llm.input_messages", &msgs);
        let base = "llm.input_messages.0.message.contents";
        assert_eq!(
            get(&kv, &format!("{base}.0.message_content.type")),
            Some("text")
        );
        assert_eq!(
            get(&kv, &format!("{base}.0.message_content.text")),
            Some("What is in this image?")
        );
        assert_eq!(
            get(&kv, &format!("{base}.1.message_content.type")),
            Some("image")
        );
        assert_eq!(
            get(&kv, &format!("{base}.1.message_content.image.image.url")),
            Some("https://x/cat.png")
        );
        assert_eq!(
            get(&kv, "llm.input_messages.0.message.content"),
            None,
            "not text-only"
        );
    }

    #[test]
    fn anthropic_blocks() {
        let msgs = json!([
            {"role": "user", "content": [{"type": "text", "text": "Hi "}, {"type": "text", "text": "there"}]},
            {"role": "assistant", "content": [
                {"type": "text", "text": "Let me check."},
                {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}}
            ]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "18C"}]},
            {"role": "user", "content": [{"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": "AAAA"}}]}
        ]);
        let kv = flat("llm.input_messages", &msgs);
        assert_eq!(
            get(&kv, "llm.input_messages.0.message.content"),
            Some("Hi there")
        );
        assert_eq!(
            get(&kv, "llm.input_messages.1.message.content"),
            Some("Let me check.")
        );
        assert_eq!(
            get(
                &kv,
                "llm.input_messages.1.message.tool_calls.0.tool_call.id"
            ),
            Some("toolu_1")
        );
        assert_eq!(
            get(
                &kv,
                "llm.input_messages.1.message.tool_calls.0.tool_call.function.arguments"
            ),
            Some(r#"{"city":"Paris"}"#)
        );
        assert_eq!(
            get(&kv, "llm.input_messages.2.message.tool_call_id"),
            Some("toolu_1")
        );
        assert_eq!(
            get(&kv, "llm.input_messages.2.message.content"),
            Some("18C")
        );
        assert_eq!(
            get(
                &kv,
                "llm.input_messages.3.message.contents.0.message_content.image.image.url"
            ),
            Some("data:image/jpeg;base64,AAAA")
        );
    }

    #[test]
    fn non_messages_are_skipped_and_indices_stay_contiguous() {
        let msgs = json!([{"role": "user", "content": "a"}, 42, {"no_role": true}, {"role": "assistant", "content": "b"}]);
        let kv = flat("llm.input_messages", &msgs);
        assert_eq!(get(&kv, "llm.input_messages.1.message.content"), Some("b"));
        assert_eq!(kv.len(), 4);
    }
}
