//! Against a real Arize Phoenix (started by `scripts/test`, or on first use):
//! the example agent and in-process fixtures export over OTLP/HTTP, and the
//! spans are read back through Phoenix's REST API.

use std::process::Command;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::Value;
use stack_trace::phoenix::{Phoenix, attribute, by_name};
use stack_trace::testing::example;
use stack_trace_runtime::{Config, agent, chain, llm, tool};

static TURN: Mutex<()> = Mutex::new(());

/// One test at a time installs a provider and talks to Phoenix.
fn take_turn() -> std::sync::MutexGuard<'static, ()> {
    TURN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn span_id(span: &Value) -> &str {
    span["context"]["span_id"].as_str().expect("span id")
}

fn parent_of<'a>(spans: &'a [Value], child: &Value) -> Option<&'a Value> {
    let parent = child["parent_id"].as_str()?;
    spans.iter().find(|s| span_id(s) == parent)
}

#[test]
fn example_agent_trace_arrives_whole_in_phoenix() {
    let _turn = take_turn();
    let phoenix = Phoenix::shared();
    let project = Phoenix::unique_project("example-agent");
    let out = Command::new(example("agent"))
        .env("PHOENIX_COLLECTOR_ENDPOINT", phoenix.base_url())
        .env("PHOENIX_PROJECT_NAME", &project)
        .env("OTEL_SERVICE_NAME", "example-agent")
        .env_remove("STACK_TRACE_CONSOLE")
        .env_remove("OTEL_SDK_DISABLED")
        .output()
        .expect("example runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("── trace"),
        "no waterfall when an endpoint is set: {stderr}"
    );

    let spans = phoenix.spans(&project, 13, Duration::from_secs(30));
    assert_eq!(spans.len(), 13, "{spans:#?}");
    let trace_ids: std::collections::BTreeSet<&str> = spans
        .iter()
        .map(|s| s["context"]["trace_id"].as_str().unwrap())
        .collect();
    assert_eq!(trace_ids.len(), 1, "one trace");

    let root = by_name(&spans, "Agent::run");
    assert!(root["parent_id"].is_null(), "the agent is the root");
    assert_eq!(root["span_kind"], "AGENT");
    assert_eq!(attribute(root, "agent.name").unwrap(), "Agent::run");
    assert_eq!(
        attribute(root, "input.value").unwrap(),
        "Compare Postgres and SQLite for a small Django app's database."
    );
    assert_eq!(attribute(root, "input.mime_type").unwrap(), "text/plain");
    assert_eq!(root["status_code"], "OK");

    let count = |kind: &str| spans.iter().filter(|s| s["span_kind"] == kind).count();
    assert_eq!((count("LLM"), count("TOOL"), count("RETRIEVER")), (5, 4, 1));
    for span in spans
        .iter()
        .filter(|s| s["span_kind"] == "LLM" || s["span_kind"] == "TOOL")
    {
        assert_eq!(
            span_id(parent_of(&spans, span).expect("parent")),
            span_id(root)
        );
    }
    let retriever = by_name(&spans, "Index::search");
    assert_eq!(parent_of(&spans, retriever).unwrap()["name"], "search_docs");
    assert_eq!(
        attribute(retriever, "output.mime_type").unwrap(),
        "application/json"
    );

    let chats: Vec<&Value> = spans
        .iter()
        .filter(|s| s["name"] == "ChatClient::chat")
        .collect();
    assert_eq!(chats.len(), 5);
    let last = chats
        .iter()
        .max_by_key(|s| s["start_time"].as_str().unwrap_or_default().to_owned())
        .unwrap();
    let input: Value =
        serde_json::from_str(attribute(last, "input.value").unwrap().as_str().unwrap()).unwrap();
    assert_eq!(input["model"], "gpt-4o-mini");
    assert_eq!(input["temperature"], 0.2);
    assert_eq!(input["messages"][1]["role"], "user");
    // The chat transcript, tokens and model Phoenix renders.
    let a = |k: &str| attribute(last, k).unwrap_or_else(|| panic!("{k} missing: {last:#}"));
    assert_eq!(a("llm.model_name"), "gpt-4o-mini-2024-07-18");
    assert_eq!(a("llm.system"), "openai");
    assert_eq!(a("llm.input_messages.0.message.role"), "system");
    assert_eq!(
        a("llm.input_messages.1.message.content"),
        "Compare Postgres and SQLite for a small Django app's database."
    );
    assert_eq!(
        a("llm.input_messages.2.message.tool_calls.0.tool_call.function.name"),
        "now"
    );
    assert_eq!(a("llm.input_messages.3.message.role"), "tool");
    assert_eq!(a("llm.input_messages.3.message.tool_call_id"), "call_1");
    assert_eq!(a("llm.output_messages.0.message.role"), "assistant");
    assert!(
        a("llm.output_messages.0.message.content")
            .as_str()
            .unwrap()
            .starts_with("For a small Django app")
    );
    assert_eq!(a("llm.token_count.prompt"), 290);
    assert_eq!(a("llm.token_count.completion"), 18);
    assert_eq!(a("llm.token_count.total"), 308);
    let params: Value =
        serde_json::from_str(a("llm.invocation_parameters").as_str().unwrap()).unwrap();
    assert_eq!(
        params,
        serde_json::json!({"model": "gpt-4o-mini", "temperature": 0.2})
    );
    assert_eq!(
        attribute(retriever, "retrieval.documents.0.document.id").unwrap(),
        "pg-1"
    );
    assert_eq!(
        attribute(retriever, "retrieval.documents.0.document.score").unwrap(),
        0.6
    );
    assert_eq!(
        attribute(retriever, "input.value").unwrap(),
        "Postgres SQLite small Django app"
    );

    let failed: Vec<&Value> = spans
        .iter()
        .filter(|s| s["status_code"] == "ERROR")
        .collect();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["name"], "fetch_chunk");
    assert_eq!(
        failed[0]["status_message"],
        "ChunkNotFound: no chunk with id \"sq-9\""
    );
    let event = &failed[0]["events"][0];
    assert_eq!(event["name"], "exception");
    assert_eq!(event["attributes"]["exception.type"], "ChunkNotFound");
    assert_eq!(
        event["attributes"]["exception.message"],
        "no chunk with id \"sq-9\""
    );
}

#[tool]
fn flaky(attempt: u32) -> Result<u32, std::io::Error> {
    if attempt == 0 {
        Err(std::io::Error::new(
            std::io::ErrorKind::TimedOut,
            "upstream timed out",
        ))
    } else {
        Ok(attempt)
    }
}

#[tool]
fn explodes(x: u8) -> u8 {
    assert!(x < 1, "invariant broken at {x}");
    x
}

#[llm]
async fn slow_model(prompt: String) -> String {
    tokio::time::sleep(Duration::from_secs(5)).await;
    prompt
}

#[chain]
async fn pipeline(question: &str) -> usize {
    let _ = flaky(0);
    let _ = flaky(1);
    let _ = std::panic::catch_unwind(|| explodes(3));
    let _ = tokio::time::timeout(Duration::from_millis(20), slow_model(question.to_owned())).await;
    question.len()
}

#[agent]
async fn handle(request: &str) -> usize {
    pipeline(request).await
}

#[test]
fn errors_panics_and_cancellation_as_phoenix_shows_them() {
    let _turn = take_turn();
    let phoenix = Phoenix::shared();
    let project = Phoenix::unique_project("fixtures");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let guard = Config::default()
            .endpoint(phoenix.base_url())
            .project_name(&project)
            .console(false)
            .try_init()
            .expect("init");
        assert_eq!(handle("why?").await, 4);
        drop(guard); // flushes from inside the current-thread runtime
    });
    let spans = phoenix.spans(&project, 6, Duration::from_secs(30));
    assert_eq!(spans.len(), 6, "{spans:#?}");
    let handle_span = by_name(&spans, "handle");
    let pipeline_span = by_name(&spans, "pipeline");
    assert!(handle_span["parent_id"].is_null());
    assert_eq!(
        pipeline_span["parent_id"].as_str(),
        Some(span_id(handle_span))
    );
    assert_eq!(handle_span["span_kind"], "AGENT");
    assert_eq!(pipeline_span["span_kind"], "CHAIN");
    assert_eq!(attribute(handle_span, "output.value").unwrap(), "4");

    let flakies: Vec<&Value> = spans.iter().filter(|s| s["name"] == "flaky").collect();
    let err = flakies
        .iter()
        .find(|s| s["status_code"] == "ERROR")
        .expect("failed attempt");
    assert_eq!(err["status_message"], "io::Error: upstream timed out");
    assert_eq!(attribute(err, "input.value").unwrap(), r#"{"attempt":0}"#);
    let ok = flakies
        .iter()
        .find(|s| s["status_code"] == "OK")
        .expect("second attempt");
    assert_eq!(attribute(ok, "output.value").unwrap(), "1");

    let panicked = by_name(&spans, "explodes");
    assert_eq!(panicked["status_code"], "ERROR");
    assert_eq!(panicked["status_message"], "panic: invariant broken at 3");
    assert_eq!(
        panicked["events"][0]["attributes"]["exception.type"],
        "panic"
    );

    let cancelled = by_name(&spans, "slow_model");
    assert_eq!(
        cancelled["status_code"], "UNSET",
        "a timeout is not an error"
    );
    assert_eq!(attribute(cancelled, "stack_trace.cancelled").unwrap(), true);
    assert!(
        cancelled["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "cancelled")
    );
    assert_eq!(
        cancelled["parent_id"].as_str(),
        Some(span_id(pipeline_span))
    );
}

#[llm]
fn planner(messages: &[Value], temperature: f32) -> Value {
    let _ = temperature;
    serde_json::json!({
        "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": format!("read {} messages", messages.len())}}],
        "usage": {"prompt_tokens": 90_000, "completion_tokens": 4, "total_tokens": 90_004}
    })
}

/// A 6,000-message transcript as Phoenix stores it: the system message and
/// an unbroken run of the most recent messages (the gap rendered away), and
/// the response, tokens and model all there (issue 15, item 9).
#[test]
fn a_long_transcript_keeps_the_response_in_phoenix() {
    let _turn = take_turn();
    let phoenix = Phoenix::shared();
    let project = Phoenix::unique_project("long-transcript");
    let mut messages = vec![serde_json::json!({"role": "system", "content": "You plan."})];
    messages.extend((1..6_000).map(|i| {
        let role = if i % 2 == 1 { "user" } else { "assistant" };
        serde_json::json!({"role": role, "content": format!("turn {i}")})
    }));
    let guard = Config::default()
        .endpoint(phoenix.base_url())
        .project_name(&project)
        .console(false)
        .try_init()
        .expect("init");
    let _ = planner(&messages, 0.1);
    drop(guard);
    let spans = phoenix.spans(&project, 1, Duration::from_secs(30));
    let s = by_name(&spans, "planner");
    assert_eq!(
        attribute(s, "llm.output_messages.0.message.content").unwrap(),
        "read 6000 messages"
    );
    assert_eq!(attribute(s, "llm.token_count.total").unwrap(), 90_004);
    assert_eq!(attribute(s, "llm.model_name").unwrap(), "gpt-4o-2024-08-06");
    assert!(attribute(s, "llm.invocation_parameters").is_some());
    assert!(attribute(s, "output.value").is_some());
    let omitted = attribute(s, "stack_trace.llm.input_messages.omitted")
        .and_then(Value::as_u64)
        .expect("the omitted count");
    // Phoenix re-numbers the messages it shows: 0 is the system message,
    // then the kept ones in order, the last being the transcript's last.
    let kept = 6_000 - usize::try_from(omitted).unwrap();
    assert_eq!(
        attribute(s, "llm.input_messages.0.message.content").unwrap(),
        "You plan."
    );
    let last = format!("llm.input_messages.{}.message.content", kept - 1);
    assert_eq!(
        attribute(s, &last).and_then(Value::as_str),
        Some("turn 5999"),
        "{:?}",
        s["attributes"]
            .as_object()
            .map(|a| a.keys().filter(|k| k.contains("input_messages")).count())
    );
    let past = format!("llm.input_messages.{kept}.message.content");
    assert!(attribute(s, &past).is_none());
}
