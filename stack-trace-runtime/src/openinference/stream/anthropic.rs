//! Anthropic message events: `message_start`, `content_block_*` and
//! `message_delta` merged into content blocks, stop reason and usage.

use serde_json::{json, Map, Value};

use super::{index_of, str_of, Bounded, MAX_PARTS};

#[derive(Debug)]
pub(super) enum Block {
    Text(Bounded),
    Thinking(Bounded),
    ToolUse {
        id: Option<String>,
        name: Option<String>,
        input: Bounded,
        /// The input given whole at the block's start (usually `{}`).
        initial: Value,
    },
}

pub(super) fn absorb_anthropic(
    blocks: &mut Vec<(u64, Block)>,
    stop_reason: &mut Option<String>,
    usage: &mut Map<String, Value>,
    kind: &str,
    item: &Value,
    cap: usize,
) {
    let mut merge_usage = |u: Option<&Value>| {
        if let Some(Value::Object(u)) = u {
            for (k, v) in u {
                if !v.is_null() {
                    usage.insert(k.clone(), v.clone());
                }
            }
        }
    };
    match kind {
        "message_start" => merge_usage(item.get("message").and_then(|m| m.get("usage"))),
        "message_delta" => {
            if let Some(reason) = item.get("delta").and_then(|d| str_of(d, "stop_reason")) {
                *stop_reason = Some(reason);
            }
            merge_usage(item.get("usage"));
        }
        "content_block_start" => {
            if blocks.len() >= MAX_PARTS {
                return;
            }
            let block = item.get("content_block").cloned().unwrap_or(Value::Null);
            let mut text = Bounded::default();
            let new = match block.get("type").and_then(Value::as_str) {
                Some("tool_use") => Block::ToolUse {
                    id: str_of(&block, "id"),
                    name: str_of(&block, "name"),
                    input: Bounded::default(),
                    initial: block.get("input").cloned().unwrap_or(Value::Null),
                },
                Some("thinking") => {
                    if let Some(t) = block.get("thinking").and_then(Value::as_str) {
                        text.push(t, cap);
                    }
                    Block::Thinking(text)
                }
                _ => {
                    if let Some(t) = block.get("text").and_then(Value::as_str) {
                        text.push(t, cap);
                    }
                    Block::Text(text)
                }
            };
            blocks.push((index_of(item), new));
        }
        "content_block_delta" => {
            let index = index_of(item);
            let Some((_, block)) = blocks.iter_mut().find(|(i, _)| *i == index) else {
                return;
            };
            let delta = item.get("delta").unwrap_or(&Value::Null);
            match block {
                Block::Text(text) => {
                    if let Some(t) = delta.get("text").and_then(Value::as_str) {
                        text.push(t, cap);
                    }
                }
                Block::Thinking(text) => {
                    if let Some(t) = delta.get("thinking").and_then(Value::as_str) {
                        text.push(t, cap);
                    }
                }
                Block::ToolUse { input, .. } => {
                    if let Some(t) = delta.get("partial_json").and_then(Value::as_str) {
                        input.push(t, cap);
                    }
                }
            }
        }
        _ => {}
    }
}

pub(super) fn anthropic_block(block: &Block) -> Value {
    match block {
        Block::Text(text) => json!({"type": "text", "text": text.finish()}),
        Block::Thinking(text) => json!({"type": "thinking", "thinking": text.finish()}),
        Block::ToolUse {
            id,
            name,
            input,
            initial,
        } => {
            let input = if input.text.is_empty() {
                initial.clone()
            } else {
                serde_json::from_str(&input.text).unwrap_or_else(|_| json!(input.finish()))
            };
            json!({"type": "tool_use", "id": id, "name": name, "input": input})
        }
    }
}
