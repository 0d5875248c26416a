//! The example axum service (`examples/server.rs`), started on a free port
//! and called over real HTTP, exporting to a real Phoenix: `X-Trace-Id` on
//! every response matches the exported trace, the server span is the root
//! with the agent and the streamed LLM call under it, an incoming
//! `traceparent` (injected by `PropagateTrace`) is continued, and a streamed
//! response dropped halfway still ends its spans, marked.

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use opentelemetry::trace::{
    SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId, TraceState,
};
use serde_json::{Value, json};
use stack_trace::phoenix::{Phoenix, attribute};
use stack_trace::testing::example;
use stack_trace_runtime::http::PropagateTrace as _;

/// The example server, killed when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    fn start(phoenix: &Phoenix, project: &str) -> Self {
        let mut child = Command::new(example("server"))
            .env("PORT", "0")
            .env("PHOENIX_COLLECTOR_ENDPOINT", phoenix.base_url())
            .env("PHOENIX_PROJECT_NAME", project)
            .env("OTEL_SERVICE_NAME", "chat-service")
            .env("OTEL_BSP_SCHEDULE_DELAY", "100")
            .env("STACK_TRACE_CONSOLE", "false")
            .env_remove("OTEL_SDK_DISABLED")
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("example server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("the server prints its address");
        let base = line
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected first line {line:?}"))
            .to_owned();
        Self { child, base }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn trace_header(response: &reqwest::Response) -> String {
    let id = response
        .headers()
        .get("x-trace-id")
        .expect("X-Trace-Id on every response")
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 32);
    assert!(id.bytes().all(|b| b.is_ascii_hexdigit()), "{id}");
    // A client can hand the id back later (feedback on this trace).
    let handle: stack_trace_runtime::TraceHandle = id.parse().expect("a trace handle");
    assert_eq!(handle.to_string(), id);
    id
}

fn spans_of<'a>(spans: &'a [Value], trace: &str) -> Vec<&'a Value> {
    spans
        .iter()
        .filter(|s| s["context"]["trace_id"] == trace)
        .collect()
}

fn named<'a>(spans: &[&'a Value], name: &str) -> &'a Value {
    spans
        .iter()
        .find(|s| s["name"] == name)
        .copied()
        .unwrap_or_else(|| {
            panic!(
                "no span {name} among {:?}",
                spans.iter().map(|s| &s["name"]).collect::<Vec<_>>()
            )
        })
}

fn id(span: &Value) -> &str {
    span["context"]["span_id"].as_str().expect("span id")
}

#[test]
fn chat_service_traces_in_phoenix() {
    let phoenix = Phoenix::shared();
    let project = Phoenix::unique_project("chat-service");
    let server = Server::start(phoenix, &project);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    let question = json!({"question": "How do I flush spans at exit?"});

    // 1. A plain request, with a user and a session.
    let (plain, body) = rt.block_on(async {
        let response = client
            .post(format!("{}/chat", server.base))
            .header("x-user-id", "u-42")
            .header("x-session-id", "s-7")
            .json(&question)
            .send()
            .await
            .expect("POST /chat");
        assert_eq!(response.status(), 200);
        let trace = trace_header(&response);
        (trace, response.json::<Value>().await.expect("JSON answer"))
    });
    assert_eq!(
        body["trace_id"],
        plain.as_str(),
        "the handler saw the same trace"
    );
    let answer = body["answer"].as_str().expect("answer").to_owned();
    assert!(answer.contains("flushes"), "{answer}");

    // 2. Continuing a caller's trace: `traceparent` injected by PropagateTrace.
    let caller_trace = TraceId::from(
        0x5eed_0000_0000_0000_0000_0000_0000_0001_u128 ^ u128::from(std::process::id()),
    );
    let caller_span = SpanId::from(0x00c0_ffee_0000_0001_u64);
    let caller = opentelemetry::Context::new().with_remote_span_context(SpanContext::new(
        caller_trace,
        caller_span,
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    ));
    let request = {
        let _attached = caller.attach();
        client
            .post(format!("{}/chat", server.base))
            .json(&question)
            .propagate_trace()
    };
    let continued = rt.block_on(async { trace_header(&request.send().await.expect("POST /chat")) });
    assert_eq!(
        continued,
        caller_trace.to_string(),
        "the incoming traceparent is continued"
    );

    // 3. An error response still carries the header.
    let rejected = rt.block_on(async {
        let response = client
            .post(format!("{}/chat", server.base))
            .json(&json!({"question": "  "}))
            .send()
            .await
            .expect("POST /chat");
        assert_eq!(response.status(), 400);
        trace_header(&response)
    });

    // 4. A streamed answer read halfway, then dropped.
    let dropped = rt.block_on(async {
        let mut response = client
            .post(format!("{}/chat/stream", server.base))
            .json(&json!({"question": "How do streams keep their span open?"}))
            .send()
            .await
            .expect("POST /chat/stream");
        assert_eq!(response.status(), 200);
        let trace = trace_header(&response);
        let mut received = String::new();
        while received.trim().is_empty() {
            let chunk = response
                .chunk()
                .await
                .expect("a chunk")
                .expect("not the end yet");
            received.push_str(std::str::from_utf8(&chunk).unwrap());
        }
        drop(response); // the client goes away mid-stream
        tokio::time::sleep(Duration::from_millis(300)).await;
        trace
    });

    let spans = phoenix.spans(&project, 5 + 5 + 1 + 4, Duration::from_secs(30));

    // The plain request: server span at the root, the agent and the LLM under it.
    let trace = spans_of(&spans, &plain);
    assert_eq!(trace.len(), 5, "{trace:#?}");
    let root = named(&trace, "POST /chat");
    assert!(root["parent_id"].is_null(), "the server span is the root");
    assert_eq!(root["span_kind"], "CHAIN");
    assert_eq!(attribute(root, "http.request.method").unwrap(), "POST");
    assert_eq!(attribute(root, "http.route").unwrap(), "/chat");
    assert_eq!(attribute(root, "url.path").unwrap(), "/chat");
    assert_eq!(attribute(root, "http.response.status_code").unwrap(), 200);
    assert_eq!(root["status_code"], "OK");
    let agent = named(&trace, "answer");
    assert_eq!(agent["parent_id"], id(root));
    let llm = named(&trace, "chat");
    assert_eq!(llm["parent_id"], id(agent));
    assert_eq!(llm["span_kind"], "LLM");
    assert_eq!(
        attribute(llm, "llm.output_messages.0.message.content").unwrap(),
        answer.as_str(),
        "the streamed deltas merged into the answer"
    );
    assert_eq!(attribute(llm, "llm.token_count.prompt").unwrap(), 48);
    assert!(
        llm["events"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["name"] == "First Token Stream Event")
    );
    assert_eq!(named(&trace, "search_docs")["parent_id"], id(agent));
    for span in &trace {
        assert_eq!(
            attribute(span, "user.id").unwrap(),
            "u-42",
            "{}",
            span["name"]
        );
        assert_eq!(
            attribute(span, "session.id").unwrap(),
            "s-7",
            "{}",
            span["name"]
        );
    }

    // The continued trace: the server span's parent is the caller's span.
    let trace = spans_of(&spans, &continued);
    assert_eq!(trace.len(), 5);
    assert_eq!(
        named(&trace, "POST /chat")["parent_id"],
        caller_span.to_string(),
        "child of the remote caller"
    );

    // The rejected request: one span, status code 400 (not an error for a server).
    let trace = spans_of(&spans, &rejected);
    assert_eq!(trace.len(), 1);
    assert_eq!(
        attribute(trace[0], "http.response.status_code").unwrap(),
        400
    );

    // The dropped stream: every span ended, the LLM and the server span marked.
    let trace = spans_of(&spans, &dropped);
    assert_eq!(trace.len(), 4, "{trace:#?}");
    let llm = named(&trace, "chat");
    assert_eq!(attribute(llm, "stack_trace.cancelled").unwrap(), true);
    let items = attribute(llm, "stack_trace.stream.items")
        .unwrap()
        .as_i64()
        .unwrap();
    assert!(items >= 2, "some items were consumed: {items}");
    let root = named(&trace, "POST /chat/stream");
    assert!(root["parent_id"].is_null());
    assert_eq!(attribute(root, "stack_trace.cancelled").unwrap(), true);
    drop(server);
}
