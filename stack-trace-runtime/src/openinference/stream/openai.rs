//! OpenAI chat-completion chunks: `choices[].delta` text and tool-call
//! argument fragments merged per choice and per call.

use serde_json::{json, Map, Value};

use super::{index_of, str_of, Bounded, MAX_PARTS};

#[derive(Debug, Default)]
pub(super) struct ToolCall {
    pub(super) id: Option<String>,
    pub(super) name: Option<String>,
    pub(super) arguments: Bounded,
}

#[derive(Debug, Default)]
pub(super) struct Choice {
    pub(super) index: u64,
    pub(super) role: Option<String>,
    pub(super) content: Bounded,
    pub(super) has_content: bool,
    pub(super) tool_calls: Vec<(u64, ToolCall)>,
    pub(super) finish_reason: Option<String>,
}

pub(super) fn absorb_openai_choice(choices: &mut Vec<Choice>, delta_choice: &Value, cap: usize) {
    let index = index_of(delta_choice);
    let position = match choices.iter().position(|c| c.index == index) {
        Some(p) => p,
        None if choices.len() < MAX_PARTS => {
            choices.push(Choice {
                index,
                ..Choice::default()
            });
            choices.len() - 1
        }
        None => return,
    };
    let choice = &mut choices[position];
    if let Some(reason) = str_of(delta_choice, "finish_reason") {
        choice.finish_reason = Some(reason);
    }
    let Some(delta) = delta_choice.get("delta") else {
        return;
    };
    if let Some(role) = str_of(delta, "role") {
        choice.role = Some(role);
    }
    if let Some(content) = delta.get("content").and_then(Value::as_str) {
        choice.has_content = true;
        choice.content.push(content, cap);
    }
    for call in delta
        .get("tool_calls")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        let call_index = index_of(call);
        let slot = match choice.tool_calls.iter().position(|(i, _)| *i == call_index) {
            Some(p) => p,
            None if choice.tool_calls.len() < MAX_PARTS => {
                choice.tool_calls.push((call_index, ToolCall::default()));
                choice.tool_calls.len() - 1
            }
            None => continue,
        };
        let tool = &mut choice.tool_calls[slot].1;
        if let Some(id) = str_of(call, "id") {
            tool.id = Some(id);
        }
        if let Some(function) = call.get("function") {
            if let Some(name) = str_of(function, "name") {
                tool.name = Some(name);
            }
            if let Some(fragment) = function.get("arguments").and_then(Value::as_str) {
                tool.arguments.push(fragment, cap);
            }
        }
    }
}

pub(super) fn openai_choice(choice: &Choice) -> Value {
    let mut message = Map::new();
    message.insert(
        "role".to_owned(),
        json!(choice.role.as_deref().unwrap_or("assistant")),
    );
    message.insert(
        "content".to_owned(),
        if choice.has_content {
            json!(choice.content.finish())
        } else {
            Value::Null
        },
    );
    if !choice.tool_calls.is_empty() {
        let calls: Vec<Value> = choice
            .tool_calls
            .iter()
            .map(|(_, call)| {
                json!({
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments.finish()},
                })
            })
            .collect();
        message.insert("tool_calls".to_owned(), Value::Array(calls));
    }
    json!({
        "index": choice.index,
        "message": message,
        "finish_reason": choice.finish_reason,
    })
}
