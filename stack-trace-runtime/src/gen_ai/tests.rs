//! The translation, on spans whose OpenInference keys come from this
//! crate's own flattening of real request and response shapes.

use std::borrow::Cow;
use std::time::{Duration, SystemTime};

use opentelemetry::trace::{
    SpanContext, SpanId, SpanKind as OtelKind, Status, TraceFlags, TraceId, TraceState,
};
use opentelemetry::{Array, InstrumentationScope, KeyValue, Value};
use opentelemetry_sdk::trace::{SpanData, SpanEvents, SpanLinks};
use serde_json::json;

use super::Conventions;
use crate::openinference::{llm_identity, llm_inputs, llm_response, retrieval_documents, Roles};
use crate::semconv::{INPUT_VALUE, OPENINFERENCE_SPAN_KIND, OUTPUT_VALUE};

fn span(name: &'static str, kind: &'static str, mut attributes: Vec<KeyValue>) -> SpanData {
    attributes.insert(0, KeyValue::new(OPENINFERENCE_SPAN_KIND, kind));
    let start = SystemTime::now();
    SpanData {
        span_context: SpanContext::new(
            TraceId::from(1_u128),
            SpanId::from(2_u64),
            TraceFlags::SAMPLED,
            false,
            TraceState::default(),
        ),
        parent_span_id: SpanId::INVALID,
        parent_span_is_remote: false,
        span_kind: OtelKind::Internal,
        name: Cow::Borrowed(name),
        start_time: start,
        end_time: start + Duration::from_millis(5),
        attributes,
        dropped_attributes_count: 0,
        events: SpanEvents::default(),
        links: SpanLinks::default(),
        status: Status::Ok,
        instrumentation_scope: InstrumentationScope::builder("t").build(),
    }
}

fn apply(span: &mut SpanData, conventions: Conventions) {
    super::apply(span, conventions, &mut Vec::new());
}

fn get<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

fn json_of(span: &SpanData, key: &str) -> serde_json::Value {
    let text = get(span, key)
        .unwrap_or_else(|| panic!("{key} missing"))
        .as_str();
    serde_json::from_str(&text).unwrap()
}

/// An OpenAI chat call with a system prompt, a tool round trip and tools,
/// flattened as the `#[llm]` macro's capture flattens it.
fn chat_span() -> SpanData {
    let roles = Roles {
        messages: Some("messages"),
        tools: Some("tools"),
        model_param: Some("model"),
        ..Roles::default()
    };
    let args = json!({
        "model": "gpt-4o-mini", "temperature": 0.2, "max_tokens": 256, "stop": ["END"],
        "messages": [
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Weather in Paris?"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\":\"Paris\"}"}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": "rainy, 57°F"}
        ],
        "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather by city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}]
    });
    let response = json!({
        "id": "chatcmpl-9", "object": "chat.completion", "model": "gpt-4o-mini-2024-07-18",
        "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": "Rainy, 57°F."}}],
        "usage": {"prompt_tokens": 40, "completion_tokens": 6, "total_tokens": 46,
            "prompt_tokens_details": {"cached_tokens": 32}}
    });
    let inputs = llm_inputs(&roles, args.as_object().unwrap(), true);
    let facts = llm_response(&response);
    let mut attributes = vec![
        KeyValue::new(INPUT_VALUE, args.to_string()),
        KeyValue::new(OUTPUT_VALUE, response.to_string()),
        KeyValue::new("session.id", "conv-7"),
    ];
    attributes.extend(inputs.attributes);
    attributes.extend(facts.attributes);
    attributes.extend(llm_identity(
        &roles,
        facts.shape,
        facts.model.as_deref(),
        inputs.requested_model.as_deref(),
    ));
    span("Assistant::complete", "LLM", attributes)
}

#[test]
fn openinference_alone_changes_nothing() {
    let mut s = chat_span();
    let before = s.attributes.clone();
    apply(&mut s, Conventions::OpenInference);
    assert_eq!(s.attributes, before);
    assert_eq!(s.span_kind, OtelKind::Internal);
}

#[test]
fn a_chat_call_in_both_conventions() {
    let mut s = chat_span();
    let oi_keys = s.attributes.len();
    apply(&mut s, Conventions::Both);
    assert_eq!(
        s.name, "Assistant::complete",
        "dual mode keeps the function's name"
    );
    assert_eq!(s.span_kind, OtelKind::Client);
    assert!(s.attributes.len() > oi_keys, "OpenInference keys stay");
    let text = |k: &str| get(&s, k).map(|v| v.as_str().into_owned());
    assert_eq!(text("gen_ai.operation.name").as_deref(), Some("chat"));
    assert_eq!(text("gen_ai.provider.name").as_deref(), Some("openai"));
    assert_eq!(text("gen_ai.request.model").as_deref(), Some("gpt-4o-mini"));
    assert_eq!(
        text("gen_ai.response.model").as_deref(),
        Some("gpt-4o-mini-2024-07-18")
    );
    assert_eq!(text("gen_ai.response.id").as_deref(), Some("chatcmpl-9"));
    assert_eq!(text("gen_ai.conversation.id").as_deref(), Some("conv-7"));
    assert_eq!(
        get(&s, "gen_ai.request.temperature"),
        Some(&Value::F64(0.2))
    );
    assert_eq!(get(&s, "gen_ai.request.max_tokens"), Some(&Value::I64(256)));
    assert_eq!(
        get(&s, "gen_ai.request.stop_sequences"),
        Some(&Value::Array(Array::String(vec!["END".into()])))
    );
    assert_eq!(
        get(&s, "gen_ai.response.finish_reasons"),
        Some(&Value::Array(Array::String(vec!["stop".into()])))
    );
    assert_eq!(get(&s, "gen_ai.usage.input_tokens"), Some(&Value::I64(40)));
    assert_eq!(get(&s, "gen_ai.usage.output_tokens"), Some(&Value::I64(6)));
    assert_eq!(
        get(&s, "gen_ai.usage.cache_read.input_tokens"),
        Some(&Value::I64(32))
    );
    assert_eq!(
        json_of(&s, "gen_ai.system_instructions"),
        json!([{"type": "text", "content": "You are terse."}])
    );
    assert_eq!(
        json_of(&s, "gen_ai.input.messages"),
        json!([
            {"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]},
            {"role": "assistant", "parts": [
                {"type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}}]},
            {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_1", "response": "rainy, 57°F"}]}
        ])
    );
    assert_eq!(
        json_of(&s, "gen_ai.output.messages"),
        json!([{"role": "assistant", "parts": [{"type": "text", "content": "Rainy, 57°F."}], "finish_reason": "stop"}])
    );
    assert_eq!(
        json_of(&s, "gen_ai.tool.definitions"),
        json!([{"type": "function", "name": "get_weather", "description": "Weather by city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}])
    );
}

#[test]
fn gen_ai_alone_renames_the_span_and_drops_what_it_translates() {
    let mut s = chat_span();
    s.attributes
        .push(KeyValue::new("llm.prompt_template.template", "Hi {x}"));
    s.attributes.push(KeyValue::new("user.id", "u-1"));
    apply(&mut s, Conventions::GenAi);
    assert_eq!(s.name, "chat gpt-4o-mini");
    assert_eq!(
        get(&s, "code.function.name").map(Value::as_str).as_deref(),
        Some("Assistant::complete")
    );
    let left: Vec<&str> = s
        .attributes
        .iter()
        .map(|kv| kv.key.as_str())
        .filter(|k| !k.starts_with("gen_ai."))
        .collect();
    assert_eq!(
        left,
        [
            "llm.token_count.total",
            "llm.prompt_template.template",
            "user.id",
            "code.function.name"
        ]
    );
}

#[test]
fn the_tool_kinds_and_names() {
    let mut tool = span(
        "get_weather",
        "TOOL",
        vec![
            KeyValue::new("tool.name", "get_weather"),
            KeyValue::new("tool.description", "Weather by city"),
            KeyValue::new("tool.id", "call_7"),
            KeyValue::new(INPUT_VALUE, r#"{"city":"Paris"}"#),
            KeyValue::new(OUTPUT_VALUE, "rainy"),
        ],
    );
    apply(&mut tool, Conventions::GenAi);
    assert_eq!(tool.name, "execute_tool get_weather");
    assert_eq!(tool.span_kind, OtelKind::Internal);
    let text = |k: &str| get(&tool, k).map(|v| v.as_str().into_owned());
    assert_eq!(text("gen_ai.tool.name").as_deref(), Some("get_weather"));
    assert_eq!(
        text("gen_ai.tool.description").as_deref(),
        Some("Weather by city")
    );
    assert_eq!(text("gen_ai.tool.type").as_deref(), Some("function"));
    assert_eq!(text("gen_ai.tool.call.id").as_deref(), Some("call_7"));
    assert_eq!(
        text("gen_ai.tool.call.arguments").as_deref(),
        Some(r#"{"city":"Paris"}"#)
    );
    assert_eq!(text("gen_ai.tool.call.result").as_deref(), Some("rainy"));
    assert!(get(&tool, "input.value").is_none() && get(&tool, "tool.name").is_none());
    assert!(get(&tool, "tool.id").is_none());
}

#[test]
fn a_failed_call_has_an_error_type_and_no_result() {
    let mut tool = span("lookup", "TOOL", vec![KeyValue::new(INPUT_VALUE, "{}")]);
    tool.status = Status::error("boom");
    tool.events.events.push(opentelemetry::trace::Event::new(
        "exception",
        SystemTime::now(),
        vec![
            KeyValue::new("exception.type", "std::io::Error"),
            KeyValue::new("exception.message", "boom"),
        ],
        0,
    ));
    apply(&mut tool, Conventions::Both);
    assert_eq!(
        get(&tool, "error.type").map(Value::as_str).as_deref(),
        Some("std::io::Error")
    );
    let mut agent = span(
        "Bot::run",
        "AGENT",
        vec![KeyValue::new("agent.name", "Bot::run")],
    );
    agent.status = Status::error("no event");
    apply(&mut agent, Conventions::GenAi);
    assert_eq!(agent.name, "invoke_agent Bot::run");
    assert_eq!(
        get(&agent, "error.type").map(Value::as_str).as_deref(),
        Some("_OTHER")
    );
}

#[test]
fn retrievals_agents_and_workflows() {
    let docs = retrieval_documents(&json!([
        {"id": "d1", "content": "Paris is the capital.", "score": 0.9, "metadata": {"src": "wiki"}},
        {"content": "No id or score here."}
    ]));
    let mut attributes = vec![KeyValue::new(INPUT_VALUE, "capital of France")];
    attributes.extend(docs);
    let mut r = span("search", "RETRIEVER", attributes);
    apply(&mut r, Conventions::GenAi);
    assert_eq!(r.name, "retrieval");
    assert_eq!(r.span_kind, OtelKind::Client);
    assert_eq!(
        get(&r, "gen_ai.retrieval.query.text")
            .map(Value::as_str)
            .as_deref(),
        Some("capital of France")
    );
    assert_eq!(
        json_of(&r, "gen_ai.retrieval.documents"),
        json!([
            {"id": "d1", "score": 0.9, "content": "Paris is the capital.", "metadata": {"src": "wiki"}},
            {"content": "No id or score here."}
        ])
    );
    let mut chain = span(
        "plan",
        "CHAIN",
        vec![
            KeyValue::new(INPUT_VALUE, "q"),
            KeyValue::new(OUTPUT_VALUE, "a"),
        ],
    );
    apply(&mut chain, Conventions::Both);
    assert_eq!(
        get(&chain, "gen_ai.workflow.name")
            .map(Value::as_str)
            .as_deref(),
        Some("plan")
    );
    assert_eq!(
        json_of(&chain, "gen_ai.output.messages"),
        json!([{"role": "assistant", "parts": [{"type": "text", "content": "a"}], "finish_reason": "stop"}])
    );
}

#[test]
fn kinds_without_an_operation_keep_openinference_only() {
    for kind in ["RERANKER", "GUARDRAIL", "EVALUATOR", "PROMPT"] {
        let mut s = span("x", kind, vec![KeyValue::new(INPUT_VALUE, "q")]);
        let before = s.clone();
        apply(&mut s, Conventions::GenAi);
        assert_eq!(s.attributes, before.attributes, "{kind}");
        assert_eq!(s.name, before.name, "{kind}");
    }
}

#[test]
fn hidden_values_are_left_out_not_copied() {
    let mut tool = span(
        "t",
        "TOOL",
        vec![
            KeyValue::new(INPUT_VALUE, "__REDACTED__"),
            KeyValue::new(OUTPUT_VALUE, "__REDACTED__"),
        ],
    );
    apply(&mut tool, Conventions::Both);
    assert!(get(&tool, "gen_ai.tool.call.arguments").is_none());
    assert!(get(&tool, "gen_ai.tool.call.result").is_none());
}
