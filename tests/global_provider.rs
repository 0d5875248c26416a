//! Without `init()`, the macros record through whatever global provider the
//! application installed: a codebase that already sets up OpenTelemetry needs
//! no other change.

use opentelemetry::trace::{Status, TraceContextExt as _, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use stack_trace_runtime::{agent, tool};

#[tool]
fn lookup(city: &str) -> Result<String, String> {
    if city.is_empty() {
        Err("no city".to_owned())
    } else {
        Ok(format!("sunny in {city}"))
    }
}

#[agent]
fn run(goal: &str) -> usize {
    lookup(goal).map(|s| s.len()).unwrap_or(0) + lookup("").map(|s| s.len()).unwrap_or(0)
}

#[test]
fn macros_use_the_applications_own_global_provider() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    opentelemetry::global::set_tracer_provider(provider.clone());

    let tracer = provider.tracer("app");
    let root = tracer.start("http-request");
    let cx = opentelemetry::Context::current_with_span(root);
    {
        let _attached = cx.clone().attach();
        let _session = stack_trace_runtime::using_session("app-session");
        assert_eq!(run("Oslo"), "sunny in Oslo".len());
    }
    cx.span().end();

    let spans = exporter.get_finished_spans().unwrap();
    let by_name = |n: &str| {
        spans
            .iter()
            .find(|s| s.name == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    let root = by_name("http-request");
    let agent = by_name("run");
    assert_eq!(agent.parent_span_id, root.span_context.span_id());
    let lookups: Vec<_> = spans.iter().filter(|s| s.name == "lookup").collect();
    assert_eq!(lookups.len(), 2);
    assert!(
        lookups
            .iter()
            .all(|s| s.parent_span_id == agent.span_context.span_id())
    );
    assert!(
        lookups
            .iter()
            .any(|s| s.status == Status::error("String: no city"))
    );
    assert!(
        agent
            .attributes
            .iter()
            .any(|kv| kv.key.as_str() == "openinference.span.kind" && kv.value.as_str() == "AGENT")
    );
    assert_eq!(agent.instrumentation_scope.name(), "stack-trace");
    assert!(
        agent
            .attributes
            .iter()
            .any(|kv| kv.key.as_str() == "session.id" && kv.value.as_str() == "app-session"),
        "context attributes are stamped without our processor too"
    );
}
