//! `gen_ai.input.messages`, `gen_ai.output.messages` and
//! `gen_ai.system_instructions`: messages in the semconv's JSON shapes
//! (role, parts, name, finish reason; text, tool call, tool call response,
//! uri, blob and reasoning parts), from the span's flattened OpenInference
//! messages ([`super::drafts`]).

use opentelemetry::Value;
use serde_json::value::RawValue;

use super::drafts::drafts;
use super::json::JsonWriter;

/// One message, as the semconv writes it: role, parts, name, and (output
/// messages only, required there) the finish reason.
#[derive(Debug)]
pub(crate) struct Message<'a> {
    pub role: &'a str,
    pub parts: Parts<'a>,
    pub name: Option<&'a str>,
    pub finish_reason: Option<&'a str>,
}

/// A message's parts: most messages have one, kept inline (no allocation
/// per message).
#[derive(Debug, Default)]
pub(crate) struct Parts<'a> {
    first: Option<Part<'a>>,
    rest: Vec<Part<'a>>,
}

impl<'a> Parts<'a> {
    pub(crate) fn one(part: Part<'a>) -> Self {
        Self {
            first: Some(part),
            rest: Vec::new(),
        }
    }

    pub(crate) fn push(&mut self, part: Part<'a>) {
        if self.first.is_none() {
            self.first = Some(part);
        } else {
            self.rest.push(part);
        }
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = &Part<'a>> {
        self.first.iter().chain(&self.rest)
    }
}

impl<'a> IntoIterator for Parts<'a> {
    type Item = Part<'a>;
    type IntoIter =
        core::iter::Chain<core::option::IntoIter<Part<'a>>, std::vec::IntoIter<Part<'a>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.first.into_iter().chain(self.rest)
    }
}

/// One part of a message.
#[derive(Debug)]
pub(crate) enum Part<'a> {
    Text {
        content: &'a str,
    },
    ToolCall {
        id: Option<&'a str>,
        name: &'a str,
        arguments: Option<Arguments<'a>>,
    },
    ToolCallResponse {
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

/// Tool-call arguments (and document metadata): the JSON the model wrote,
/// embedded as JSON (the semconv expects an object), or the text when it
/// is not JSON.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arguments<'a> {
    Json(&'a RawValue),
    Text(&'a str),
}

impl<'a> Arguments<'a> {
    pub(crate) fn of(s: &'a str) -> Self {
        serde_json::from_str::<&RawValue>(s).map_or(Self::Text(s), Self::Json)
    }

    pub(crate) fn write(self, w: &mut JsonWriter) {
        match self {
            Self::Json(raw) => w.raw(raw.get()),
            Self::Text(text) => w.string(text),
        }
    }
}

impl Part<'_> {
    fn write(&self, w: &mut JsonWriter) {
        match self {
            Self::Text { content } => {
                w.raw("{\"type\":\"text\"");
                w.field(false, "content", content);
            }
            Self::Reasoning { content } => {
                w.raw("{\"type\":\"reasoning\"");
                w.field(false, "content", content);
            }
            Self::ToolCall {
                id,
                name,
                arguments,
            } => {
                w.raw("{\"type\":\"tool_call\"");
                if let Some(id) = id {
                    w.field(false, "id", id);
                }
                w.field(false, "name", name);
                if let Some(arguments) = arguments {
                    w.raw(",");
                    w.key("arguments");
                    arguments.write(w);
                }
            }
            Self::ToolCallResponse { id, response } => {
                w.raw("{\"type\":\"tool_call_response\"");
                if let Some(id) = id {
                    w.field(false, "id", id);
                }
                w.field(false, "response", response);
            }
            Self::Uri { modality, uri } => {
                w.raw("{\"type\":\"uri\"");
                w.field(false, "modality", modality);
                w.field(false, "uri", uri);
            }
            Self::Blob {
                modality,
                mime_type,
                content,
            } => {
                w.raw("{\"type\":\"blob\"");
                w.field(false, "modality", modality);
                w.field(false, "mime_type", mime_type);
                w.field(false, "content", content);
            }
        }
        w.raw("}");
    }

    /// About how many bytes the part's text takes.
    fn size(&self) -> usize {
        match self {
            Self::Text { content } | Self::Reasoning { content } => content.len(),
            Self::ToolCall { arguments, .. } => match arguments {
                Some(Arguments::Json(raw)) => raw.get().len(),
                Some(Arguments::Text(text)) => text.len(),
                None => 0,
            },
            Self::ToolCallResponse { response, .. } => response.len(),
            Self::Uri { uri, .. } => uri.len(),
            Self::Blob { content, .. } => content.len(),
        }
    }
}

impl Message<'_> {
    fn write(&self, w: &mut JsonWriter) {
        w.raw("{");
        w.field(true, "role", self.role);
        w.raw(",\"parts\":");
        parts_json(self.parts.iter(), w);
        if let Some(name) = self.name {
            w.field(false, "name", name);
        }
        if let Some(reason) = self.finish_reason {
            w.field(false, "finish_reason", reason);
        }
        w.raw("}");
    }
}

fn parts_json<'p, 'a: 'p>(parts: impl Iterator<Item = &'p Part<'a>>, w: &mut JsonWriter) {
    w.raw("[");
    for (i, part) in parts.enumerate() {
        if i > 0 {
            w.raw(",");
        }
        part.write(w);
    }
    w.raw("]");
}

/// A list of messages as the JSON text the span carries.
pub(crate) fn messages_json(messages: &[Message<'_>]) -> String {
    let size: usize = messages
        .iter()
        .map(|m| 48 + m.parts.iter().map(|p| p.size() + 40).sum::<usize>())
        .sum();
    let mut w = JsonWriter::with_capacity(size + 2);
    w.raw("[");
    for (i, message) in messages.iter().enumerate() {
        if i > 0 {
            w.raw(",");
        }
        message.write(&mut w);
    }
    w.raw("]");
    w.finish()
}

/// Parts alone (the system instructions) as JSON text.
pub(crate) fn parts_only_json(parts: &[Part<'_>]) -> String {
    let size: usize = parts.iter().map(|p| p.size() + 40).sum();
    let mut w = JsonWriter::with_capacity(size + 2);
    parts_json(parts.iter(), &mut w);
    w.finish()
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
        parts: Parts::one(Part::Text { content }),
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
