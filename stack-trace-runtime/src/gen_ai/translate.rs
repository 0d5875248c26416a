//! The GenAI keys of one span, from what [`Facts`] read of its OpenInference
//! keys: per kind, the operation and its attributes.

use std::borrow::Cow;

use opentelemetry::{Array, KeyValue, StringValue, Value};
use serde::Serialize;
use serde_json::value::RawValue;

use super::facts::{text, ErrorType, Facts};
use super::json::JsonWriter;
use super::keys;
use super::messages::{self, Arguments, Message};
use super::request::{self, provider_name};
use super::response::Head;
use crate::semconv::SpanKind;

/// A GenAI operation (`gen_ai.operation.name`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Operation {
    Chat,
    TextCompletion,
    Embeddings,
    ExecuteTool,
    InvokeAgent,
    InvokeWorkflow,
    Retrieval,
}

impl Operation {
    pub(crate) const fn as_str(self) -> &'static str {
        match self {
            Self::Chat => "chat",
            Self::TextCompletion => "text_completion",
            Self::Embeddings => "embeddings",
            Self::ExecuteTool => "execute_tool",
            Self::InvokeAgent => "invoke_agent",
            Self::InvokeWorkflow => "invoke_workflow",
            Self::Retrieval => "retrieval",
        }
    }

    /// The operation of a kind; `None` for the kinds the semconv has none
    /// for (RERANKER, GUARDRAIL, EVALUATOR, PROMPT, DECISION).
    pub(crate) fn of(kind: SpanKind, facts: &Facts<'_>) -> Option<Self> {
        Some(match kind {
            SpanKind::Llm if facts.input_messages.is_empty() && !facts.prompts.is_empty() => {
                Self::TextCompletion
            }
            SpanKind::Llm => Self::Chat,
            SpanKind::Embedding => Self::Embeddings,
            SpanKind::Tool => Self::ExecuteTool,
            SpanKind::Agent => Self::InvokeAgent,
            SpanKind::Chain => Self::InvokeWorkflow,
            SpanKind::Retriever => Self::Retrieval,
            SpanKind::Reranker
            | SpanKind::Guardrail
            | SpanKind::Evaluator
            | SpanKind::Prompt
            | SpanKind::Decision => return None,
        })
    }
}

/// The GenAI keys of a span of `operation`, named `name`.
pub(crate) fn translate(
    operation: Operation,
    facts: &Facts<'_>,
    name: &str,
    out: &mut Vec<KeyValue>,
) {
    out.push(KeyValue::new(keys::OPERATION_NAME, operation.as_str()));
    match operation {
        Operation::Chat | Operation::TextCompletion => model_call(facts, out),
        Operation::Embeddings => embeddings(facts, out),
        Operation::ExecuteTool => tool(facts, name, out),
        Operation::Retrieval => retrieval(facts, out),
        Operation::InvokeAgent => {
            let agent = facts.agent_name.unwrap_or(name);
            out.push(KeyValue::new(keys::AGENT_NAME, agent.to_owned()));
            plain_messages(facts, out);
        }
        Operation::InvokeWorkflow => {
            out.push(KeyValue::new(keys::WORKFLOW_NAME, name.to_owned()));
            plain_messages(facts, out);
        }
    }
    if let Some(id) = facts.session_id {
        out.push(KeyValue::new(keys::CONVERSATION_ID, id.to_owned()));
    }
    match facts.error {
        Some(ErrorType::Named(t)) => out.push(KeyValue::new(keys::ERROR_TYPE, t.to_owned())),
        Some(ErrorType::Other) => out.push(KeyValue::new(keys::ERROR_TYPE, "_OTHER")),
        None => {}
    }
}

fn push_str(out: &mut Vec<KeyValue>, key: &'static str, value: Option<&str>) {
    if let Some(v) = value {
        out.push(KeyValue::new(key, v.to_owned()));
    }
}

fn push_int(out: &mut Vec<KeyValue>, key: &'static str, value: Option<i64>) {
    if let Some(v) = value {
        out.push(KeyValue::new(key, v));
    }
}

fn push_json<T: Serialize + ?Sized>(out: &mut Vec<KeyValue>, key: &'static str, value: &T) {
    if let Ok(json) = serde_json::to_string(value) {
        out.push(KeyValue::new(key, json));
    }
}

/// The request side every model call shares: the provider, the parameters,
/// and the requested model (`model`, else the `model` parameter).
fn request_keys<'a>(
    facts: &Facts<'a>,
    model: Option<&str>,
    out: &mut Vec<KeyValue>,
) -> request::Request<'a> {
    push_str(
        out,
        keys::PROVIDER_NAME,
        provider_name(facts.provider, facts.system),
    );
    let request = request::parameters(facts.invocation, out);
    match model {
        Some(model) => push_str(out, keys::REQUEST_MODEL, Some(model)),
        None => push_str(out, keys::REQUEST_MODEL, request.model().as_deref()),
    }
    request
}

/// `chat` and `text_completion`: model, parameters, response, usage,
/// messages and tool definitions.
fn model_call(facts: &Facts<'_>, out: &mut Vec<KeyValue>) {
    let request = request_keys(facts, facts.request_model.or(facts.model), out);
    if request.streamed || facts.streamed {
        out.push(KeyValue::new(keys::REQUEST_STREAM, true));
    }
    if let Some(seconds) = facts.first_chunk.filter(|_| facts.streamed) {
        out.push(KeyValue::new(keys::RESPONSE_TIME_TO_FIRST_CHUNK, seconds));
    }
    let head = Head::read(facts.output);
    push_str(out, keys::RESPONSE_ID, head.id.as_deref());
    let answered = facts.response_model.or(head.model.as_deref());
    push_str(out, keys::RESPONSE_MODEL, answered);
    let mut reasons = head.finish_reasons();
    if reasons.is_empty() {
        reasons.extend(facts.finish_reason);
    }
    if !reasons.is_empty() {
        let list: Vec<StringValue> = reasons.iter().map(|r| (*r).to_owned().into()).collect();
        out.push(KeyValue::new(
            keys::RESPONSE_FINISH_REASONS,
            Value::Array(Array::String(list)),
        ));
    }
    push_int(out, keys::USAGE_INPUT_TOKENS, facts.prompt_tokens);
    push_int(out, keys::USAGE_OUTPUT_TOKENS, facts.completion_tokens);
    push_int(out, keys::USAGE_CACHE_READ, facts.cache_read);
    push_int(out, keys::USAGE_CACHE_CREATION, facts.cache_write);
    push_int(out, keys::USAGE_REASONING, facts.reasoning);

    let (instructions, mut input) = messages::input(&facts.input_messages);
    if input.is_empty() && instructions.is_empty() {
        input.extend(
            facts
                .prompts
                .iter()
                .map(|p| messages::text_message("user", p, None)),
        );
    }
    if input.is_empty() && instructions.is_empty() {
        input.extend(facts.input.map(|v| messages::text_message("user", v, None)));
    }
    if !instructions.is_empty() {
        let json = messages::parts_only_json(&instructions);
        out.push(KeyValue::new(keys::SYSTEM_INSTRUCTIONS, json));
    }
    if !input.is_empty() {
        out.push(KeyValue::new(
            keys::INPUT_MESSAGES,
            messages::messages_json(&input),
        ));
    }
    let mut output = messages::output(&facts.output_messages, &reasons);
    if output.is_empty() {
        output.extend(facts.choices.iter().enumerate().map(|(i, c)| {
            let reason = reasons.get(i).copied().map(messages::finish_reason);
            messages::text_message("assistant", c, Some(reason.unwrap_or("")))
        }));
    }
    if !output.is_empty() {
        out.push(KeyValue::new(
            keys::OUTPUT_MESSAGES,
            messages::messages_json(&output),
        ));
    }
    tool_definitions(&facts.tools, out);
}

/// One tool definition, in the semconv's shape.
#[derive(Serialize)]
struct Definition<'a> {
    #[serde(rename = "type")]
    kind: &'a str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    parameters: Option<&'a RawValue>,
}

/// The OpenAI (`{"type":"function","function":{name, description,
/// parameters}}`) and Anthropic (`{name, description, input_schema}`) tool
/// shapes OpenInference keeps.
#[derive(serde::Deserialize)]
struct Schema<'a> {
    #[serde(rename = "type", borrow, default)]
    kind: Option<&'a str>,
    #[serde(borrow, default)]
    function: Option<Function<'a>>,
    #[serde(borrow, default)]
    name: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    description: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    input_schema: Option<&'a RawValue>,
    #[serde(borrow, default)]
    parameters: Option<&'a RawValue>,
}

#[derive(serde::Deserialize)]
struct Function<'a> {
    #[serde(borrow)]
    name: Cow<'a, str>,
    #[serde(borrow, default)]
    description: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    parameters: Option<&'a RawValue>,
}

fn tool_definitions(tools: &[&str], out: &mut Vec<KeyValue>) {
    let schemas: Vec<Schema<'_>> = tools
        .iter()
        .filter_map(|t| serde_json::from_str(t).ok())
        .collect();
    let definitions: Vec<Definition<'_>> = schemas
        .iter()
        .filter_map(|s| match &s.function {
            Some(f) => Some(Definition {
                kind: s.kind.unwrap_or("function"),
                name: &f.name,
                description: f.description.as_deref(),
                parameters: f.parameters,
            }),
            None => s.name.as_deref().map(|name| Definition {
                kind: s.kind.unwrap_or("function"),
                name,
                description: s.description.as_deref(),
                parameters: s.input_schema.or(s.parameters),
            }),
        })
        .collect();
    if !definitions.is_empty() {
        push_json(out, keys::TOOL_DEFINITIONS, &definitions);
    }
}

/// `embeddings`: the model, its parameters, the vectors' dimension, tokens.
fn embeddings(facts: &Facts<'_>, out: &mut Vec<KeyValue>) {
    request_keys(facts, facts.embedding_model, out);
    if let Some(n) = facts.dimensions.and_then(|n| i64::try_from(n).ok()) {
        out.push(KeyValue::new(keys::EMBEDDINGS_DIMENSION_COUNT, n));
    }
    push_int(out, keys::USAGE_INPUT_TOKENS, facts.prompt_tokens);
}

/// `execute_tool`: name, description, type, arguments and (on success)
/// result, as clones of the span's own values.
fn tool(facts: &Facts<'_>, name: &str, out: &mut Vec<KeyValue>) {
    match facts.tool_name {
        Some(v) => out.push(KeyValue::new(keys::TOOL_NAME, v.clone())),
        None => out.push(KeyValue::new(keys::TOOL_NAME, name.to_owned())),
    }
    push_value(out, keys::TOOL_DESCRIPTION, facts.tool_description);
    out.push(KeyValue::new(keys::TOOL_TYPE, "function"));
    push_value(out, keys::TOOL_CALL_ID, facts.tool_call_id);
    push_value(out, keys::TOOL_CALL_ARGUMENTS, facts.input_value);
    if facts.error.is_none() {
        push_value(out, keys::TOOL_CALL_RESULT, facts.output_value);
    }
}

fn push_value(out: &mut Vec<KeyValue>, key: &'static str, value: Option<&Value>) {
    if let Some(v) = value {
        out.push(KeyValue::new(key, v.clone()));
    }
}

/// One retrieved document, in the semconv's shape (plus content and
/// metadata, which its schema allows and Phoenix reads).
#[derive(Default)]
struct Document<'a> {
    id: Option<&'a str>,
    score: Option<f64>,
    content: Option<&'a str>,
    metadata: Option<Arguments<'a>>,
}

impl Document<'_> {
    fn write(&self, w: &mut JsonWriter) {
        w.raw("{");
        let mut first = true;
        if let Some(id) = self.id {
            w.field(first, "id", id);
            first = false;
        }
        if let Some(score) = self.score.filter(|s| s.is_finite()) {
            if !first {
                w.raw(",");
            }
            w.key("score");
            w.raw(zmij::Buffer::new().format_finite(score));
            first = false;
        }
        if let Some(content) = self.content {
            w.field(first, "content", content);
            first = false;
        }
        if let Some(metadata) = self.metadata {
            if !first {
                w.raw(",");
            }
            w.key("metadata");
            metadata.write(w);
        }
        w.raw("}");
    }
}

/// `retrieval`: the query and the documents.
fn retrieval(facts: &Facts<'_>, out: &mut Vec<KeyValue>) {
    push_str(out, keys::RETRIEVAL_QUERY_TEXT, facts.input);
    let mut docs: Vec<(usize, Document<'_>)> = Vec::new();
    for &(key, value) in &facts.documents {
        let Some((n, field)) = key.split_once('.') else {
            continue;
        };
        let Ok(n) = n.parse::<usize>() else { continue };
        let at = match docs.iter().rposition(|(i, _)| *i == n) {
            Some(at) => at,
            None => {
                docs.push((n, Document::default()));
                docs.len() - 1
            }
        };
        let doc = &mut docs[at].1;
        match field {
            "document.id" => doc.id = text(value),
            "document.score" => {
                doc.score = match value {
                    opentelemetry::Value::F64(f) => Some(*f),
                    #[allow(clippy::cast_precision_loss)] // a score, not an amount
                    opentelemetry::Value::I64(i) => Some(*i as f64),
                    _ => None,
                };
            }
            "document.content" => doc.content = text(value),
            "document.metadata" => doc.metadata = text(value).map(Arguments::of),
            _ => {}
        }
    }
    docs.sort_by_key(|(i, _)| *i);
    if !docs.is_empty() {
        let size: usize = docs
            .iter()
            .map(|(_, d)| 64 + d.content.map_or(0, str::len))
            .sum();
        let mut w = JsonWriter::with_capacity(size);
        w.raw("[");
        for (i, (_, doc)) in docs.iter().enumerate() {
            if i > 0 {
                w.raw(",");
            }
            doc.write(&mut w);
        }
        w.raw("]");
        out.push(KeyValue::new(keys::RETRIEVAL_DOCUMENTS, w.finish()));
    }
}

/// An agent's or a workflow's input and output as one text message each.
fn plain_messages(facts: &Facts<'_>, out: &mut Vec<KeyValue>) {
    if let Some(input) = facts.input {
        let m: [Message<'_>; 1] = [messages::text_message("user", input, None)];
        out.push(KeyValue::new(
            keys::INPUT_MESSAGES,
            messages::messages_json(&m),
        ));
    }
    if let Some(output) = facts.output.filter(|_| facts.error.is_none()) {
        let m = [messages::text_message("assistant", output, Some("stop"))];
        out.push(KeyValue::new(
            keys::OUTPUT_MESSAGES,
            messages::messages_json(&m),
        ));
    }
}
