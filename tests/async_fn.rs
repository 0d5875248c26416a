//! Behaviour of async annotated functions on multi-thread and current-thread
//! tokio runtimes: nesting across awaits, spawned tasks, cancellation,
//! panics, `#[async_trait]` and native async trait methods.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use opentelemetry::Value;
use opentelemetry::trace::{
    FutureExt as _, Status, TraceContextExt as _, Tracer as _, TracerProvider as _,
};
use stack_trace::testing::{attr, attr_str, install, is_child_of, named, spans_of};
use stack_trace_runtime::{agent, chain, current_trace_id, in_current_span, llm, retriever, tool};

/// Runs `f` in an async root span; returns the trace id and the output.
async fn in_async_root<F: Future>(f: F) -> (String, F::Output) {
    install();
    let tracer = opentelemetry::global::tracer_provider().tracer("tests");
    let cx = opentelemetry::Context::current_with_span(tracer.start("test-root"));
    let trace = cx.span().span_context().trace_id().to_string();
    let out = f.with_context(cx.clone()).await;
    cx.span().end();
    (trace, out)
}

#[retriever]
async fn lookup(query: String) -> Vec<String> {
    tokio::time::sleep(Duration::from_millis(2)).await;
    vec![format!("{query}-doc")]
}

#[llm]
async fn complete(prompt: &str, temperature: f32) -> Result<String, std::io::Error> {
    tokio::task::yield_now().await;
    if prompt.is_empty() {
        return Err(std::io::Error::other("empty prompt"));
    }
    let docs = lookup(prompt.to_owned()).await;
    Ok(format!("{prompt}@{temperature}:{}", docs.len()))
}

#[agent]
async fn run_agent(goal: &str) -> Result<String, std::io::Error> {
    let first = complete(goal, 0.5).await?;
    tokio::time::sleep(Duration::from_millis(1)).await;
    let (a, b) = tokio::join!(lookup("left".into()), lookup("right".into()));
    let child = tokio::spawn(in_current_span(lookup("spawned".into())));
    let spawned = child.await.expect("task");
    Ok(format!("{first}/{}/{}/{}", a.len(), b.len(), spawned.len()))
}

async fn check_nesting() {
    let (trace, out) = in_async_root(run_agent("goal")).await;
    assert_eq!(out.unwrap(), "goal@0.5:1/1/1/1");
    let spans = spans_of(&trace, 7);
    let root = named(&spans, "test-root");
    let agent = named(&spans, "run_agent");
    let llm = named(&spans, "complete");
    assert!(is_child_of(agent, root));
    assert!(is_child_of(llm, agent));
    assert_eq!(attr_str(agent, "openinference.span.kind"), "AGENT");
    assert_eq!(attr_str(agent, "input.value"), "goal");
    assert_eq!(
        attr_str(llm, "input.value"),
        r#"{"prompt":"goal","temperature":0.5}"#
    );
    assert_eq!(attr_str(llm, "output.value"), "goal@0.5:1");
    let lookups: Vec<_> = spans.iter().filter(|s| s.name == "lookup").collect();
    assert_eq!(lookups.len(), 4);
    let under_llm = lookups.iter().filter(|s| is_child_of(s, llm)).count();
    let under_agent = lookups.iter().filter(|s| is_child_of(s, agent)).count();
    assert_eq!(
        (under_llm, under_agent),
        (1, 3),
        "every lookup under its caller"
    );
    let inputs: std::collections::BTreeSet<String> =
        lookups.iter().map(|s| attr_str(s, "input.value")).collect();
    assert!(inputs.contains("spawned") && inputs.contains("left") && inputs.contains("right"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nesting_across_awaits_join_and_spawn_multi_thread() {
    for _ in 0..5 {
        check_nesting().await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn nesting_across_awaits_join_and_spawn_current_thread() {
    check_nesting().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_calls_do_not_leak_parents() {
    let (trace, _) = in_async_root(async {
        let tasks: Vec<_> = (0..16)
            .map(|i| {
                tokio::spawn(in_current_span(run_agent(if i % 2 == 0 {
                    "even"
                } else {
                    "odd"
                })))
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
    })
    .await;
    let spans = spans_of(&trace, 1 + 16 * 6);
    let agents: Vec<_> = spans.iter().filter(|s| s.name == "run_agent").collect();
    assert_eq!(agents.len(), 16);
    for llm in spans.iter().filter(|s| s.name == "complete") {
        let parent = agents
            .iter()
            .find(|a| is_child_of(llm, a))
            .expect("llm under an agent");
        let prompt =
            serde_json::from_str::<serde_json::Value>(&attr_str(llm, "input.value")).unwrap();
        assert_eq!(
            attr_str(parent, "input.value"),
            prompt["prompt"].as_str().unwrap()
        );
    }
}

#[tokio::test(flavor = "current_thread")]
async fn err_in_async_is_recorded() {
    let (trace, out) = in_async_root(run_agent("")).await;
    assert_eq!(out.unwrap_err().to_string(), "empty prompt");
    let spans = spans_of(&trace, 3);
    assert_eq!(
        named(&spans, "complete").status,
        Status::error("io::Error: empty prompt")
    );
    assert_eq!(
        named(&spans, "run_agent").status,
        Status::error("io::Error: empty prompt")
    );
}

#[tool]
async fn slow_tool(ms: u64) -> u64 {
    tokio::time::sleep(Duration::from_millis(ms)).await;
    ms
}

async fn check_cancellation() {
    let (trace, timed_out) = in_async_root(tokio::time::timeout(
        Duration::from_millis(5),
        slow_tool(10_000),
    ))
    .await;
    assert!(timed_out.is_err());
    let spans = spans_of(&trace, 2);
    let tool_spans: Vec<_> = spans.iter().filter(|s| s.name == "slow_tool").collect();
    assert_eq!(tool_spans.len(), 1, "ended exactly once");
    let span = tool_spans[0];
    assert_eq!(span.status, Status::Unset, "a timeout is not an error");
    assert_eq!(
        attr(span, "stack_trace.cancelled"),
        Some(&Value::Bool(true))
    );
    assert!(span.events.iter().any(|e| e.name == "cancelled"));
    assert!(attr(span, "output.value").is_none());
}

#[tokio::test(flavor = "current_thread")]
async fn dropped_future_ends_span_as_cancelled_current_thread() {
    check_cancellation().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropped_future_ends_span_as_cancelled_multi_thread() {
    check_cancellation().await;
    let (trace, ()) = in_async_root(async {
        tokio::select! {
            _ = slow_tool(10_000) => unreachable!(),
            () = tokio::time::sleep(Duration::from_millis(3)) => {}
        }
    })
    .await;
    let spans = spans_of(&trace, 2);
    assert_eq!(
        attr(named(&spans, "slow_tool"), "stack_trace.cancelled"),
        Some(&Value::Bool(true))
    );
}

#[chain]
async fn observe_context(gate: tokio::sync::oneshot::Receiver<()>) -> bool {
    let inside = current_trace_id().is_some();
    let _ = gate.await;
    inside
}

#[test]
fn span_is_current_only_while_polled() {
    install();
    let (tx, rx) = tokio::sync::oneshot::channel();
    let mut fut = pin!(observe_context(rx));
    let mut cx = Context::from_waker(Waker::noop());
    assert!(fut.as_mut().poll(&mut cx).is_pending());
    assert_eq!(current_trace_id(), None, "not current between polls");
    tx.send(()).unwrap();
    assert_eq!(fut.as_mut().poll(&mut cx), Poll::Ready(true));
    assert_eq!(current_trace_id(), None);
}

#[tool]
async fn async_panics(n: u8) -> u8 {
    tokio::task::yield_now().await;
    assert!(n == 0, "async boom {n}");
    n
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn panic_in_async_is_recorded_and_unwinds() {
    let (trace, joined) =
        in_async_root(async { tokio::spawn(in_current_span(async_panics(3))).await }).await;
    let err = joined.unwrap_err();
    assert!(err.is_panic());
    let payload = err.into_panic();
    assert_eq!(payload.downcast_ref::<String>().unwrap(), "async boom 3");
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "async_panics");
    assert_eq!(span.status, Status::error("panic: async boom 3"));
    assert!(attr(span, "stack_trace.cancelled").is_none());
}

#[async_trait::async_trait]
trait Retriever: Send + Sync {
    async fn retrieve(&self, query: &str) -> Vec<String>;

    #[chain]
    async fn retrieve_twice(&self, query: &str) -> usize {
        self.retrieve(query).await.len() + self.retrieve(query).await.len()
    }
}

struct Keyword;

#[async_trait::async_trait]
impl Retriever for Keyword {
    #[retriever]
    async fn retrieve(&self, query: &str) -> Vec<String> {
        tokio::time::sleep(Duration::from_millis(1)).await;
        vec![query.to_owned()]
    }
}

trait Native {
    async fn answer(&self, question: String) -> String;
}

struct NativeImpl;

impl Native for NativeImpl {
    #[llm]
    async fn answer(&self, question: String) -> String {
        tokio::task::yield_now().await;
        question.len().to_string()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn async_trait_and_native_async_trait_methods() {
    let (trace, (n, answer)) = in_async_root(async {
        let k: Box<dyn Retriever> = Box::new(Keyword);
        (
            k.retrieve_twice("q").await,
            NativeImpl.answer("why".into()).await,
        )
    })
    .await;
    assert_eq!((n, answer.as_str()), (2, "3"));
    let spans = spans_of(&trace, 5);
    let twice = named(&spans, "Keyword::retrieve_twice");
    let retrieves: Vec<_> = spans
        .iter()
        .filter(|s| s.name == "Keyword::retrieve")
        .collect();
    assert_eq!(retrieves.len(), 2);
    for r in &retrieves {
        assert!(
            is_child_of(r, twice),
            "the span covers running the boxed future"
        );
        assert_eq!(attr_str(r, "input.value"), "q");
        assert_eq!(attr_str(r, "output.value"), r#"["q"]"#);
        let took = r.end_time.duration_since(r.start_time).unwrap();
        assert!(
            took >= Duration::from_millis(1),
            "span covers the sleep, took {took:?}"
        );
    }
    assert_eq!(attr_str(twice, "output.value"), "2");
    let native = named(&spans, "NativeImpl::answer");
    assert_eq!(attr_str(native, "input.value"), r#"{"question":"why"}"#);
    assert_eq!(attr_str(native, "openinference.span.kind"), "LLM");
}

#[tokio::test(flavor = "current_thread")]
async fn suppressed_scopes_record_nothing() {
    let (trace, ()) = in_async_root(async {
        stack_trace_runtime::suppressed(async {
            let _ = lookup("quiet".into()).await;
        })
        .await;
        {
            let _quiet = stack_trace_runtime::suppress_tracing();
            let _ = std::hint::black_box(shout_sync("quiet too"));
        }
        let _ = lookup("loud".into()).await;
    })
    .await;
    let spans = spans_of(&trace, 2);
    let lookups: Vec<_> = spans.iter().filter(|s| s.name == "lookup").collect();
    assert_eq!(
        lookups.len(),
        1,
        "only the call outside the suppressed scopes"
    );
    assert_eq!(attr_str(lookups[0], "input.value"), "loud");
    assert!(!spans.iter().any(|s| s.name == "shout_sync"));
}

#[chain]
fn shout_sync(text: &str) -> String {
    text.to_uppercase()
}
