//! `gen_ai.input.messages`, `gen_ai.output.messages` and
//! `gen_ai.system_instructions`: the flattened OpenInference messages of a
//! span put back together, in the semconv's JSON shapes (role, parts,
//! name, finish reason; text, tool call, tool call response, uri, blob and
//! reasoning parts).

use serde::Serialize;
use serde_json::value::RawValue;

use super::facts::text;
use crate::semconv::REDACTED;
use opentelemetry::Value;

/// One message, as the semconv writes it.
#[derive(Debug, Serialize)]
pub(crate) struct Message<'a> {
    pub role: &'a str,
    pub parts: Vec<Part<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<&'a str>,
    /// Output messages only (required there).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finish_reason: Option<&'a str>,
}

/// One part of a message.
#[derive(Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Part<'a> {
    Text {
        content: &'a str,
    },
    ToolCall {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a str>,
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        arguments: Option<Arguments<'a>>,
    },
    ToolCallResponse {
        #[serde(skip_serializing_if = "Option::is_none")]
        id: Option<&'a str>,
        response: &'a str,
    },
    Uri {
        modality: &'static str,
        uri: &'a str,
    },
    Blob {
        modality: &'static str,
        mime_type: &'a str,
        content: &'a str,
    },
    Reasoning {
        content: &'a str,
    },
}

/// Tool-call arguments: the JSON object the model wrote, embedded as JSON
/// (the semconv expects an object), or the text when it is not JSON.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(crate) enum Arguments<'a> {
    Json(&'a RawValue),
    Text(&'a str),
}

impl<'a> Arguments<'a> {
    pub(crate) fn of(s: &'a str) -> Self {
        serde_json::from_str::<&RawValue>(s).map_or(Self::Text(s), Self::Json)
    }
}

/// A message's fields as flattened keys give them, before it is written.
#[derive(Debug, Default)]
struct Draft<'a> {
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
    let (n, rest) = key.split_once('.')?;
    Some((n.parse().ok()?, rest))
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
fn drafts<'a>(entries: &[(&'a str, &'a Value)]) -> Vec<Draft<'a>> {
    let mut out: Vec<(usize, Draft<'a>)> = Vec::new();
    for &(key, value) in entries {
        let Some((i, rest)) = index(key) else {
            continue;
        };
        let Some(field) = rest.strip_prefix("message.") else {
            continue;
        };
        let Some(v) = text(value) else { continue };
        let draft = slot(&mut out, i);
        draft.index = i;
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
    out.sort_by_key(|(i, _)| *i);
    out.into_iter().map(|(_, d)| d).collect()
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
    fn into_message(mut self, finish_reason: Option<&'a str>) -> Message<'a> {
        let role = match self.role.unwrap_or("user") {
            "function" => "tool",
            other => other,
        };
        let mut parts = Vec::new();
        if role == "tool" {
            parts.push(Part::ToolCallResponse {
                id: self.tool_call_id,
                response: self.content.unwrap_or(""),
            });
        } else if self.contents.is_empty() {
            parts.extend(self.content.map(|content| Part::Text { content }));
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
    fn is_system_text(&self) -> bool {
        self.role == Some("system")
            && self.calls.is_empty()
            && self
                .contents
                .iter()
                .all(|(_, c)| c.url.is_none() && c.kind != Some("reasoning"))
    }
}

/// The input messages, with the system messages that lead them taken out as
/// the system instructions (their parts), as the semconv records a system
/// prompt given apart from the chat history.
pub(crate) fn input<'a>(entries: &[(&'a str, &'a Value)]) -> (Vec<Part<'a>>, Vec<Message<'a>>) {
    let mut instructions = Vec::new();
    let mut messages = Vec::new();
    let mut leading = true;
    for draft in drafts(entries) {
        leading &= draft.is_system_text();
        let message = draft.into_message(None);
        if leading {
            instructions.extend(message.parts);
        } else {
            messages.push(message);
        }
    }
    (instructions, messages)
}

/// The output messages, each with its finish reason (`reasons[i]`, else the
/// span's one reason, else empty: the schema requires the field).
pub(crate) fn output<'a>(
    entries: &[(&'a str, &'a Value)],
    reasons: &[&'a str],
) -> Vec<Message<'a>> {
    drafts(entries)
        .into_iter()
        .enumerate()
        .map(|(n, draft)| {
            let reason = reasons
                .get(n)
                .or(if reasons.len() == 1 {
                    reasons.first()
                } else {
                    None
                })
                .copied()
                .unwrap_or("");
            draft.into_message(Some(finish_reason(reason)))
        })
        .collect()
}

/// One message of a single text part: what an agent, a chain or a model
/// called with plain text was given or gave back.
pub(crate) fn text_message<'a>(
    role: &'a str,
    content: &'a str,
    finish: Option<&'a str>,
) -> Message<'a> {
    Message {
        role,
        parts: vec![Part::Text { content }],
        name: None,
        finish_reason: finish,
    }
}

/// A provider's finish reason in the semconv's words where it has one
/// (`stop`, `length`, `content_filter`, `tool_call`, `error`); others as given.
pub(crate) fn finish_reason(reason: &str) -> &str {
    match reason {
        "stop" | "end_turn" | "stop_sequence" | "STOP" => "stop",
        "length" | "max_tokens" | "MAX_TOKENS" => "length",
        "tool_calls" | "function_call" | "tool_use" | "tool_call" => "tool_call",
        "content_filter" | "refusal" | "SAFETY" => "content_filter",
        other => other,
    }
}

/// The messages as the JSON string the span carries.
pub(crate) fn to_json<T: Serialize + ?Sized>(value: &T) -> Option<String> {
    serde_json::to_string(value).ok()
}
