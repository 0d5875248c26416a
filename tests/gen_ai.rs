//! The OpenTelemetry GenAI conventions beside OpenInference, checked three
//! ways on one agent run exported in both conventions:
//! - every key we write is in the pinned registry (semconv v1.41.1,
//!   `tests/data/gen_ai_registry.tsv`, from `scripts/genai-registry`) with
//!   the registry's type;
//! - every structured value validates against the semconv's JSON schemas
//!   (the pydantic models Phoenix generated from them);
//! - Phoenix's own GenAI → OpenInference converter, run on our `gen_ai.*`
//!   keys alone, gives back our own OpenInference keys of the same span,
//!   except for the differences listed in `KNOWN` (each with its reason).

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use opentelemetry::trace::{
    SpanKind as OtelKind, TraceContextExt as _, Tracer as _, TracerProvider as _,
};
use opentelemetry::{Array, Value as OtelValue};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SpanData};
use serde_json::{Value, json};
use stack_trace_runtime::{
    Conventions, GEN_AI_KEYS, GenAiKeyType, Guard, agent, chain, embedding, llm, reranker,
    retriever, tool, using_session,
};

struct Installed {
    exporter: InMemorySpanExporter,
    guard: Guard,
}

fn installed() -> &'static Installed {
    static ONCE: OnceLock<Installed> = OnceLock::new();
    ONCE.get_or_init(|| {
        let exporter = InMemorySpanExporter::default();
        let guard = stack_trace_runtime::Config::default()
            .exporter(exporter.clone())
            .console(false)
            .conventions(Conventions::Both)
            .scheduled_delay(Duration::from_millis(20))
            .try_init()
            .expect("installs");
        Installed { exporter, guard }
    })
}

#[llm]
fn chat(
    model: &str,
    messages: &[Value],
    tools: &[Value],
    temperature: f64,
    stop: &[&str],
) -> Value {
    let _ = (messages, tools, temperature, stop);
    let turn = messages.len();
    if turn < 3 {
        json!({"id": "chatcmpl-1", "object": "chat.completion", "model": format!("{model}-2024-07-18"),
            "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
                "tool_calls": [{"id": "call_1", "type": "function",
                    "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]}}],
            "usage": {"prompt_tokens": 82, "completion_tokens": 17, "total_tokens": 99,
                "prompt_tokens_details": {"cached_tokens": 64}}})
    } else {
        json!({"id": "chatcmpl-2", "object": "chat.completion", "model": format!("{model}-2024-07-18"),
            "choices": [{"index": 0, "finish_reason": "stop",
                "message": {"role": "assistant", "content": "Rainy, 14 °C, in Paris."}}],
            "usage": {"prompt_tokens": 120, "completion_tokens": 9, "total_tokens": 129}})
    }
}

#[llm]
fn complete(prompt: &str, model: &str, max_tokens: u32) -> Value {
    json!({"id": "cmpl-1", "object": "text_completion", "model": model,
        "choices": [{"text": format!("{prompt} ... and so on"), "index": 0, "finish_reason": "length"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": max_tokens, "total_tokens": 5 + max_tokens}})
}

/// Current weather for a city.
#[tool]
fn get_weather(city: &str) -> String {
    format!("rainy, 14 °C in {city}")
}

#[derive(serde::Serialize)]
struct Doc {
    id: String,
    content: String,
    score: f64,
}

#[retriever]
fn search(query: &str) -> Vec<Doc> {
    (0..3)
        .map(|i| Doc {
            id: format!("doc-{i}"),
            content: format!("{query}: passage {i}"),
            score: 0.9 - f64::from(i) / 10.0,
        })
        .collect()
}

#[embedding(model = "text-embedding-3-small")]
fn embed(input: &[String]) -> Vec<Vec<f32>> {
    input.iter().map(|_| vec![0.25; 8]).collect()
}

#[reranker]
fn rerank(query: &str, documents: &[String]) -> Vec<String> {
    let _ = query;
    documents.to_vec()
}

#[chain]
fn context(question: &str) -> Vec<String> {
    let texts: Vec<String> = search(question).into_iter().map(|d| d.content).collect();
    embed(&texts);
    rerank(question, &texts)
}

#[agent]
fn run(goal: &str) -> String {
    let _session = using_session("conv-42");
    let tools = [
        json!({"type": "function", "function": {"name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}),
    ];
    let mut messages = vec![
        json!({"role": "system", "content": "You are a weather bot."}),
        json!({"role": "user", "content": goal}),
    ];
    let first = chat("gpt-4o-mini", &messages, &tools, 0.2, &["END"]);
    messages.push(first["choices"][0]["message"].clone());
    let weather = get_weather("Paris");
    messages.push(json!({"role": "tool", "tool_call_id": "call_1", "content": weather}));
    context(goal);
    complete("Once upon a time", "gpt-3.5-turbo-instruct", 7);
    let last = chat("gpt-4o-mini", &messages, &tools, 0.2, &["END"]);
    last["choices"][0]["message"]["content"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// The user's question, with a key pasted into it.
const GOAL: &str = "Weather in Paris? My key is sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56";

/// The spans of one agent run, in end order.
fn agent_run() -> &'static [SpanData] {
    static SPANS: OnceLock<Vec<SpanData>> = OnceLock::new();
    SPANS.get_or_init(|| {
        let installed = installed();
        let tracer = installed.guard.provider().expect("provider").tracer("test");
        let trace = tracer.in_span("test-root", |cx| {
            run(GOAL);
            cx.span().span_context().trace_id()
        });
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        loop {
            let spans: Vec<SpanData> = installed
                .exporter
                .get_finished_spans()
                .expect("readable")
                .into_iter()
                .filter(|s| s.span_context.trace_id() == trace)
                .collect();
            if spans.len() >= 10 || std::time::Instant::now() > deadline {
                return spans;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    })
}

fn named<'a>(name: &str) -> Vec<&'a SpanData> {
    agent_run().iter().filter(|s| s.name == name).collect()
}

fn is_gen_ai(key: &str) -> bool {
    key.starts_with("gen_ai.") || key == "error.type" || key == "code.function.name"
}

/// The registry table we pin: key → type name.
fn registry() -> BTreeMap<String, String> {
    let text = include_str!("data/gen_ai_registry.tsv");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| {
            let (k, t) = l.split_once('\t').expect("key<TAB>type");
            (k.to_owned(), t.to_owned())
        })
        .collect()
}

fn type_matches(t: GenAiKeyType, value: &OtelValue) -> bool {
    matches!(
        (t, value),
        (
            GenAiKeyType::String | GenAiKeyType::Any,
            OtelValue::String(_)
        ) | (GenAiKeyType::Int, OtelValue::I64(_))
            | (GenAiKeyType::Double, OtelValue::F64(_))
            | (GenAiKeyType::Boolean, OtelValue::Bool(_))
            | (
                GenAiKeyType::StringArray,
                OtelValue::Array(Array::String(_))
            )
    )
}

#[test]
fn our_key_table_is_the_pinned_registrys() {
    let registry = registry();
    assert!(
        registry.len() > 40,
        "the table was read: {}",
        registry.len()
    );
    for (key, t) in GEN_AI_KEYS {
        assert_eq!(
            registry.get(*key).map(String::as_str),
            Some(t.registry_name()),
            "{key}: our type and the registry's"
        );
    }
}

#[test]
fn every_key_written_is_in_the_registry_with_its_type() {
    let spans = agent_run();
    assert_eq!(
        spans.len(),
        10,
        "{:?}",
        spans.iter().map(|s| &s.name).collect::<Vec<_>>()
    );
    let mut seen = 0;
    for span in spans {
        for kv in &span.attributes {
            let key = kv.key.as_str();
            if !is_gen_ai(key) {
                continue;
            }
            seen += 1;
            let (_, t) = GEN_AI_KEYS
                .iter()
                .find(|(k, _)| *k == key)
                .unwrap_or_else(|| panic!("{key} on {} is not in our table", span.name));
            assert!(
                type_matches(*t, &kv.value),
                "{key} is {:?}, the registry says {t:?}",
                kv.value
            );
        }
    }
    assert!(seen > 60, "the run wrote GenAI keys: {seen}");
}

#[test]
fn scrubbing_reaches_both_conventions() {
    let mut messages = 0;
    for span in agent_run() {
        for kv in &span.attributes {
            let text = kv.value.as_str();
            assert!(
                !text.contains("Ab12Cd34Ef56"),
                "{} {}: {text}",
                span.name,
                kv.key
            );
            messages += usize::from(kv.key.as_str() == "gen_ai.input.messages");
        }
    }
    assert!(messages >= 3, "the goal reached GenAI messages: {messages}");
}

#[test]
fn each_kind_gets_its_operation_and_span_kind() {
    let op = |s: &SpanData| {
        s.attributes
            .iter()
            .find(|kv| kv.key.as_str() == "gen_ai.operation.name")
            .map(|kv| kv.value.as_str().into_owned())
    };
    for (name, operation, kind) in [
        ("chat", Some("chat"), OtelKind::Client),
        ("complete", Some("text_completion"), OtelKind::Client),
        ("get_weather", Some("execute_tool"), OtelKind::Internal),
        ("search", Some("retrieval"), OtelKind::Client),
        ("embed", Some("embeddings"), OtelKind::Client),
        ("context", Some("invoke_workflow"), OtelKind::Internal),
        ("run", Some("invoke_agent"), OtelKind::Internal),
        ("rerank", None, OtelKind::Internal),
    ] {
        for s in named(name) {
            assert_eq!(op(s).as_deref(), operation, "{name}");
            assert_eq!(s.span_kind, kind, "{name}");
        }
    }
}

/// Where the converter's OpenInference differs from ours, and why: by the
/// span's OpenInference kind and the key (`{i}` for a list index).
fn known(kind: &str, key: &str) -> Option<&'static str> {
    let key = key
        .split('.')
        .map(|part| {
            if part.parse::<usize>().is_ok() {
                "{i}"
            } else {
                part
            }
        })
        .collect::<Vec<_>>()
        .join(".");
    Some(match (kind, key.as_str()) {
        ("LLM", "llm.model_name") => {
            "the converter takes gen_ai.request.model; ours names the model that answered, as gen_ai.response.model does"
        }
        ("LLM", "output.value" | "output.mime_type") => {
            "the converter writes {id, model} only; ours is the whole response"
        }
        ("LLM", "llm.invocation_parameters") => {
            "the converter maps back the parameters the semconv has keys for; ours keeps every scalar argument"
        }
        ("LLM", "llm.output_messages.{i}.message.finish_reason") => {
            "not an OpenInference key: the converter adds it from the output message's finish_reason"
        }
        ("LLM", k)
            if k.starts_with("llm.input_messages.") || k.starts_with("llm.output_messages.") =>
        {
            "a legacy completion: ours are llm.prompts and llm.choices, the converter has messages only"
        }
        ("TOOL", "tool.parameters") => {
            "the converter puts the call's arguments here; in OpenInference it is the tool's JSON schema"
        }
        ("AGENT" | "CHAIN", k)
            if k.starts_with("llm.input_messages.") || k.starts_with("llm.output_messages.") =>
        {
            "the converter turns an agent's or workflow's input and output into messages; OpenInference keeps them as input.value and output.value"
        }
        _ => return None,
    })
}

fn as_json(value: &OtelValue) -> Value {
    match value {
        OtelValue::Bool(b) => json!(b),
        OtelValue::I64(i) => json!(i),
        OtelValue::F64(f) => json!(f),
        OtelValue::String(s) => json!(s.as_str()),
        OtelValue::Array(Array::String(v)) => {
            json!(v.iter().map(|s| s.as_str()).collect::<Vec<_>>())
        }
        OtelValue::Array(Array::I64(v)) => json!(v),
        OtelValue::Array(Array::F64(v)) => json!(v),
        OtelValue::Array(Array::Bool(v)) => json!(v),
        other => json!(other.to_string()),
    }
}

/// JSON text compares by value (the converter writes it with Python's spacing).
fn normal(v: &Value) -> Value {
    match v {
        Value::String(s) if s.starts_with('{') || s.starts_with('[') => {
            serde_json::from_str(s).unwrap_or_else(|_| v.clone())
        }
        Value::Number(n) => json!(n.as_f64()),
        other => other.clone(),
    }
}

#[test]
fn phoenix_validates_our_json_and_converts_it_back_to_our_openinference() {
    let spans = agent_run();
    let mut input = String::new();
    let mut ours = Vec::new();
    for span in spans.iter().filter(|s| {
        s.attributes
            .iter()
            .any(|kv| kv.key.as_str() == "gen_ai.operation.name")
    }) {
        let gen_ai: serde_json::Map<String, Value> = span
            .attributes
            .iter()
            .filter(|kv| is_gen_ai(kv.key.as_str()))
            .map(|kv| (kv.key.as_str().to_owned(), as_json(&kv.value)))
            .collect();
        input.push_str(&json!({"name": span.name, "attributes": gen_ai}).to_string());
        input.push('\n');
        ours.push(span);
    }
    let mut child = Command::new(stack_trace::phoenix::venv_python())
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/python/gen_ai_check.py"
        ))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), ours.len());
    let mut compared = 0;
    let mut differences = BTreeMap::new();
    for (line, span) in lines.iter().zip(&ours) {
        assert_eq!(line["errors"], json!([]), "{}: schema errors", span.name);
        for (key, theirs) in line["converted"].as_object().unwrap() {
            let mine = span
                .attributes
                .iter()
                .find(|kv| kv.key.as_str() == key)
                .map(|kv| normal(&as_json(&kv.value)));
            if mine.as_ref() == Some(&normal(theirs)) {
                compared += 1;
                continue;
            }
            let kind = span
                .attributes
                .iter()
                .find(|kv| kv.key.as_str() == "openinference.span.kind")
                .map(|kv| kv.value.as_str().into_owned())
                .unwrap_or_default();
            let why = known(&kind, key).unwrap_or_else(|| {
                panic!(
                    "{}: {key}: Phoenix gives {theirs}, we wrote {mine:?}",
                    span.name
                )
            });
            differences.insert(format!("{} ({kind}) {key}", span.name), why);
        }
    }
    eprintln!("{compared} keys equal; differences:");
    for (at, why) in &differences {
        eprintln!("  {at}: {why}");
    }
    assert!(compared > 60, "only {compared} keys compared");
}
