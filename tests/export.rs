//! OTLP/HTTP export to a real HTTP receiver on loopback, and the behaviour of
//! `init` and the guard: configuration errors, a second `init`, collectors
//! that hang or fail, and the capped shutdown (also inside a current-thread
//! tokio runtime). The tests share one process-wide provider slot, so they
//! take turns.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use opentelemetry_proto::tonic::common::v1::any_value;
use opentelemetry_proto::tonic::trace::v1::Span;
use stack_trace::receiver::{Behaviour, Receiver};
use stack_trace_runtime::{Config, Error, agent, llm, tool};

static TURN: Mutex<()> = Mutex::new(());

fn turn() -> std::sync::MutexGuard<'static, ()> {
    TURN.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

#[tool]
fn lookup(city: &str) -> String {
    format!("sunny in {city}")
}

#[llm]
fn chat(prompt: &str) -> Result<String, std::io::Error> {
    Ok(lookup(prompt))
}

#[agent]
fn run(goal: &str) -> usize {
    chat(goal).map(|s| s.len()).unwrap_or(0)
}

fn string_attr(span: &Span, key: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key == key)
        .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
            any_value::Value::StringValue(s) => Some(s.clone()),
            _ => None,
        })
}

#[test]
fn spans_arrive_over_otlp_http_with_resource_and_parents() {
    let _turn = turn();
    let receiver = Receiver::start(Behaviour::Accept);
    let before = stack_trace_runtime::stats();
    let guard = Config::default()
        .endpoint(receiver.traces_url())
        .service_name("export-test")
        .project_name("export-project")
        .console(false)
        .try_init()
        .expect("init");
    assert_eq!(run("Paris"), "sunny in Paris".len());
    drop(guard); // flushes within the cap
    let spans = receiver.wait_for_spans(3, Duration::from_secs(5));
    assert_eq!(spans.len(), 3, "all three spans exported");
    let received = receiver.received();
    assert!(received.iter().all(|r| r.path == "/v1/traces"));
    assert!(
        received
            .iter()
            .all(|r| r.content_type == "application/x-protobuf")
    );
    let resource = received[0].request.resource_spans[0]
        .resource
        .clone()
        .unwrap();
    let res = |k: &str| {
        resource
            .attributes
            .iter()
            .find(|kv| kv.key == k)
            .and_then(|kv| match kv.value.as_ref()?.value.as_ref()? {
                any_value::Value::StringValue(s) => Some(s.clone()),
                _ => None,
            })
    };
    assert_eq!(res("service.name").as_deref(), Some("export-test"));
    assert_eq!(
        res("openinference.project.name").as_deref(),
        Some("export-project")
    );
    let by_name = |n: &str| {
        spans
            .iter()
            .find(|s| s.name == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    let (agent, llm, tool) = (by_name("run"), by_name("chat"), by_name("lookup"));
    assert_eq!(llm.parent_span_id, agent.span_id);
    assert_eq!(tool.parent_span_id, llm.span_id);
    assert!(agent.parent_span_id.is_empty());
    assert_eq!(
        string_attr(agent, "openinference.span.kind").as_deref(),
        Some("AGENT")
    );
    assert_eq!(
        string_attr(llm, "input.value").as_deref(),
        Some(r#"{"prompt":"Paris"}"#)
    );
    assert_eq!(
        string_attr(tool, "output.value").as_deref(),
        Some("sunny in Paris")
    );
    assert_eq!(agent.kind, 1, "OTel span kind INTERNAL");
    let after = stack_trace_runtime::stats();
    assert!(
        after.exported >= before.exported + 3,
        "{before:?} -> {after:?}"
    );
}

#[test]
fn hung_collector_never_blocks_the_caller_and_shutdown_is_capped() {
    let _turn = turn();
    let receiver = Receiver::start(Behaviour::Hang);
    let before = stack_trace_runtime::stats();
    let cap = Duration::from_millis(600);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let guard = Config::default()
            .endpoint(receiver.traces_url())
            .console(false)
            .shutdown_timeout(cap)
            .scheduled_delay(Duration::from_millis(10))
            .try_init()
            .expect("init");
        let started = Instant::now();
        for i in 0..200 {
            let _ = run(&i.to_string());
        }
        let calls = started.elapsed();
        assert!(
            calls < Duration::from_secs(2),
            "600 spans took {calls:?}: the caller was blocked"
        );
        let dropping = Instant::now();
        drop(guard); // inside a current-thread runtime, collector hung
        let took = dropping.elapsed();
        assert!(
            took < cap + Duration::from_millis(500),
            "shutdown took {took:?}, cap {cap:?}"
        );
    });
    let after = stack_trace_runtime::stats();
    assert!(
        after.dropped >= before.dropped + 600,
        "undelivered spans are counted as dropped: {before:?} -> {after:?}"
    );
    assert!(
        !receiver.spans().is_empty(),
        "the hung collector was sent spans (and never answered)"
    );
}

#[test]
fn failing_collector_is_counted_not_fatal() {
    let _turn = turn();
    // Bad request, rate limited, server error, unavailable: each batch is
    // refused, counted as dropped, and the caller is never held up.
    for status in [400, 429, 500, 503] {
        let receiver = Receiver::start(Behaviour::Status(status));
        let before = stack_trace_runtime::stats();
        let guard = Config::default()
            .endpoint(receiver.traces_url())
            .console(false)
            .shutdown_timeout(Duration::from_secs(3))
            .try_init()
            .expect("init");
        let started = std::time::Instant::now();
        for _ in 0..100 {
            let _ = run("x");
        }
        let calling = started.elapsed();
        let flushed = guard.flush();
        drop(guard);
        let after = stack_trace_runtime::stats();
        assert!(flushed.is_ok(), "{status}: {flushed:?}");
        assert!(
            !receiver.received().is_empty(),
            "{status}: the collector was asked"
        );
        assert!(
            after.failed_exports > before.failed_exports,
            "{status}: {before:?} -> {after:?}"
        );
        assert_eq!(
            after.dropped - before.dropped,
            300,
            "{status}: every span of the refused batches counted: {before:?} -> {after:?}"
        );
        assert_eq!(after.exported, before.exported, "{status}");
        assert!(
            calling < Duration::from_secs(2),
            "{status}: 100 calls took {calling:?}"
        );
    }
}

#[test]
fn invalid_endpoint_is_a_clear_error_and_init_falls_back() {
    let _turn = turn();
    let err = Config::from_lookup(|k| {
        (k == "PHOENIX_COLLECTOR_ENDPOINT").then(|| "not a url".to_owned())
    })
    .try_init()
    .unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidEndpoint {
                source: "PHOENIX_COLLECTOR_ENDPOINT",
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("not a url"), "{err}");
    let err = Config::default()
        .endpoint("localhost:6006")
        .try_init()
        .unwrap_err();
    assert!(matches!(err, Error::InvalidEndpoint { .. }), "{err}");
    // init() never panics: it reports and falls back to the console.
    let guard = Config::default().endpoint("::::").console(false).init();
    assert_eq!(run("fallback"), "sunny in fallback".len());
    drop(guard);
}

#[test]
fn second_init_returns_a_guard_for_the_same_provider() {
    let _turn = turn();
    let receiver = Receiver::start(Behaviour::Accept);
    let first = Config::default()
        .endpoint(receiver.traces_url())
        .console(false)
        .try_init()
        .unwrap();
    let second = Config::default()
        .service_name("different")
        .try_init()
        .unwrap();
    drop(first);
    let _ = run("still recorded");
    drop(second);
    let spans = receiver.wait_for_spans(3, Duration::from_secs(5));
    assert_eq!(
        spans.len(),
        3,
        "the provider stayed up while a guard was alive"
    );
}

#[test]
fn disabled_by_environment_records_nothing() {
    let _turn = turn();
    let receiver = Receiver::start(Behaviour::Accept);
    let guard = Config::from_lookup(|k| match k {
        "OTEL_SDK_DISABLED" => Some("true".to_owned()),
        "OTEL_EXPORTER_OTLP_ENDPOINT" => Some(receiver.traces_url().replace("/v1/traces", "")),
        _ => None,
    })
    .try_init()
    .unwrap();
    assert!(!stack_trace_runtime::is_enabled());
    let _ = run("nothing");
    drop(guard);
    assert!(stack_trace_runtime::is_enabled());
    std::thread::sleep(Duration::from_millis(100));
    assert!(receiver.spans().is_empty());
}
