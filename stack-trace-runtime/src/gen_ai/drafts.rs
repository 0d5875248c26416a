//! The flattened OpenInference messages of a span
//! (`llm.input_messages.{i}.message.*`) put back together as messages.

use opentelemetry::Value;

use super::facts::text;
use super::messages::{Arguments, Message, Part, Parts};
use crate::semconv::REDACTED;

/// A message's fields as flattened keys give them, before it is written.
#[derive(Debug, Default)]
pub(crate) struct Draft<'a> {
    index: usize,
    role: Option<&'a str>,
    name: Option<&'a str>,
    content: Option<&'a str>,
    tool_call_id: Option<&'a str>,
    contents: Vec<(usize, ContentDraft<'a>)>,
    calls: Vec<(usize, CallDraft<'a>)>,
}

#[derive(Debug, Default)]
struct ContentDraft<'a> {
    kind: Option<&'a str>,
    text: Option<&'a str>,
    url: Option<&'a str>,
}

#[derive(Debug, Default)]
struct CallDraft<'a> {
    id: Option<&'a str>,
    name: Option<&'a str>,
    arguments: Option<&'a str>,
}

/// `digits.rest` → (number, rest).
fn index(key: &str) -> Option<(usize, &str)> {
    let bytes = key.as_bytes();
    let mut n: usize = 0;
    let mut at = 0;
    while let Some(&b) = bytes.get(at) {
        if !b.is_ascii_digit() {
            break;
        }
        n = n.checked_mul(10)?.checked_add(usize::from(b - b'0'))?;
        at += 1;
    }
    if at == 0 || bytes.get(at) != Some(&b'.') {
        return None;
    }
    // `at` is the index of an ASCII byte: a character boundary.
    Some((n, &key[at + 1..]))
}

/// The entry for `index` in an indexed list (entries mostly arrive in order,
/// so the last one is looked at first).
fn slot<T: Default>(list: &mut Vec<(usize, T)>, index: usize) -> &mut T {
    let at = match list.iter().rposition(|(i, _)| *i == index) {
        Some(at) => at,
        None => {
            list.push((index, T::default()));
            list.len() - 1
        }
    };
    &mut list[at].1
}

/// Puts messages back together from `(rest of key, value)` pairs
/// (`0.message.role`), in index order.
pub(crate) fn drafts<'a>(entries: &[(&'a str, &'a Value)]) -> Vec<Draft<'a>> {
    let mut out: Vec<Draft<'a>> = Vec::with_capacity(entries.len() / 2 + 1);
    for &(key, value) in entries {
        let Some((i, rest)) = index(key) else {
            continue;
        };
        let Some(field) = rest.strip_prefix("message.") else {
            continue;
        };
        let Some(v) = text(value) else { continue };
        let at = match out.iter().rposition(|d| d.index == i) {
            Some(at) => at,
            None => {
                out.push(Draft {
                    index: i,
                    ..Draft::default()
                });
                out.len() - 1
            }
        };
        let draft = &mut out[at];
        match field {
            "role" => draft.role = Some(v),
            "name" => draft.name = Some(v),
            "content" => draft.content = Some(v),
            "tool_call_id" => draft.tool_call_id = Some(v),
            "function_call_name" => slot(&mut draft.calls, 0).name = Some(v),
            "function_call_arguments_json" => slot(&mut draft.calls, 0).arguments = Some(v),
            _ => {
                if let Some((k, part)) = field.strip_prefix("contents.").and_then(index) {
                    let c = slot(&mut draft.contents, k);
                    match part {
                        "message_content.type" => c.kind = Some(v),
                        "message_content.text" => c.text = Some(v),
                        "message_content.image.image.url" => c.url = Some(v),
                        _ => {}
                    }
                } else if let Some((k, part)) = field.strip_prefix("tool_calls.").and_then(index) {
                    let c = slot(&mut draft.calls, k);
                    match part {
                        "tool_call.id" => c.id = Some(v),
                        "tool_call.function.name" => c.name = Some(v),
                        "tool_call.function.arguments" => c.arguments = Some(v),
                        _ => {}
                    }
                }
            }
        }
    }
    if !out.is_sorted_by_key(|d| d.index) {
        out.sort_by_key(|d| d.index);
    }
    out
}

/// A `data:` URL as a blob part, any other URL as a uri part.
fn image(url: &str) -> Part<'_> {
    if let Some((mime_type, content)) = url
        .strip_prefix("data:")
        .and_then(|rest| rest.split_once(";base64,"))
    {
        return Part::Blob {
            modality: "image",
            mime_type,
            content,
        };
    }
    Part::Uri {
        modality: "image",
        uri: url,
    }
}

impl<'a> Draft<'a> {
    pub(crate) fn into_message(mut self, finish_reason: Option<&'a str>) -> Message<'a> {
        let role = match self.role.unwrap_or("user") {
            "function" => "tool",
            other => other,
        };
        let mut parts = Parts::default();
        if role == "tool" {
            parts.push(Part::ToolCallResponse {
                id: self.tool_call_id,
                response: self.content.unwrap_or(""),
            });
        } else if self.contents.is_empty() {
            if let Some(content) = self.content {
                parts.push(Part::Text { content });
            }
        } else {
            self.contents.sort_by_key(|(k, _)| *k);
            for (_, c) in &self.contents {
                match (c.kind, c.text, c.url) {
                    (Some("reasoning"), Some(content), _) => {
                        parts.push(Part::Reasoning { content })
                    }
                    (_, _, Some(url)) if url != REDACTED => parts.push(image(url)),
                    (_, Some(content), None) => parts.push(Part::Text { content }),
                    _ => {}
                }
            }
        }
        self.calls.sort_by_key(|(k, _)| *k);
        for (_, call) in &self.calls {
            if let Some(name) = call.name {
                parts.push(Part::ToolCall {
                    id: call.id,
                    name,
                    arguments: call.arguments.map(Arguments::of),
                });
            }
        }
        Message {
            role,
            parts,
            name: self.name,
            finish_reason,
        }
    }

    /// A system message of text only (what can become a system instruction).
    pub(crate) fn is_system_text(&self) -> bool {
        self.role == Some("system")
            && self.calls.is_empty()
            && self
                .contents
                .iter()
                .all(|(_, c)| c.url.is_none() && c.kind != Some("reasoning"))
    }
}
