//! One trace with `tracing` (feature `tracing`): `#[instrument]` spans and
//! annotated calls nest under each other both ways, on both tokio runtimes,
//! with tasks spawned through `in_current_span`.
#![cfg(feature = "tracing")]

use opentelemetry_sdk::trace::{InMemorySpanExporter, SpanData};
use std::sync::OnceLock;

use stack_trace_runtime::{Config, Guard, chain, in_current_span, tool};
use tracing::Instrument as _;
use tracing_subscriber::layer::SubscriberExt as _;

#[tracing::instrument]
fn normalise(city: &str) -> String {
    city.trim().to_lowercase()
}

#[tool]
async fn lookup(city: String) -> String {
    // A `tracing` span inside an annotated call.
    let city = normalise(&city);
    tokio::task::yield_now().await;
    format!("sunny in {city}")
}

#[chain]
async fn plan(goal: String) -> String {
    // A task spawned with the current span keeps the trace.
    let task = tokio::spawn(in_current_span(lookup(goal)));
    task.await.unwrap_or_default()
}

fn by_name<'a>(spans: &'a [SpanData], name: &str) -> &'a SpanData {
    spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span {name} in {:?}", names(spans)))
}

fn names(spans: &[SpanData]) -> Vec<&str> {
    spans.iter().map(|s| s.name.as_ref()).collect()
}

struct Installed {
    exporter: InMemorySpanExporter,
    guard: Guard,
}

/// One installation for the whole test binary (the tests run side by side).
fn installed() -> &'static Installed {
    static ONCE: OnceLock<Installed> = OnceLock::new();
    ONCE.get_or_init(|| {
        let exporter = InMemorySpanExporter::default();
        let guard = Config::default()
            .exporter(exporter.clone())
            .console(false)
            .try_init()
            .expect("installs");
        // Global, as an application sets it up: the multi-thread runtime's
        // workers see it too.
        tracing::subscriber::set_global_default(
            tracing_subscriber::registry().with(guard.tracing_layer()),
        )
        .expect("the only subscriber");
        Installed { exporter, guard }
    })
}

/// `root` (tracing) > plan (chain) > lookup (tool) > normalise (tracing):
/// the spans of that one trace.
fn run_on(runtime: &tokio::runtime::Runtime, root: &'static str) -> Vec<SpanData> {
    let installed = installed();
    let out = runtime.block_on(
        async {
            tokio::task::yield_now().await;
            plan(" Oslo ".to_owned()).await
        }
        .instrument(tracing::info_span!("root", otel.name = root)),
    );
    assert_eq!(out, "sunny in oslo");
    installed.guard.flush().expect("flushed");
    let spans = installed.exporter.get_finished_spans().expect("spans");
    let trace = by_name(&spans, root).span_context.trace_id();
    spans
        .into_iter()
        .filter(|s| s.span_context.trace_id() == trace)
        .collect()
}

fn assert_one_trace(spans: &[SpanData], root: &str) {
    assert_eq!(spans.len(), 4, "{:?}", names(spans));
    let request = by_name(spans, root);
    let plan = by_name(spans, "plan");
    let lookup = by_name(spans, "lookup");
    let normalise = by_name(spans, "normalise");
    let trace = request.span_context.trace_id();
    for s in [plan, lookup, normalise] {
        assert_eq!(
            s.span_context.trace_id(),
            trace,
            "{} in another trace",
            s.name
        );
    }
    assert_eq!(plan.parent_span_id, request.span_context.span_id());
    assert_eq!(lookup.parent_span_id, plan.span_context.span_id());
    assert_eq!(normalise.parent_span_id, lookup.span_context.span_id());
    // Our spans keep their OpenInference kind; the tracing span its field.
    let kind = |s: &SpanData| {
        s.attributes
            .iter()
            .find(|kv| kv.key.as_str() == "openinference.span.kind")
            .map(|kv| kv.value.as_str().into_owned())
    };
    assert_eq!(kind(plan).as_deref(), Some("CHAIN"));
    assert_eq!(kind(lookup).as_deref(), Some("TOOL"));
    assert!(
        normalise
            .attributes
            .iter()
            .any(|kv| kv.key.as_str() == "city" && kv.value.as_str().contains("Oslo")),
        "{:?}",
        normalise.attributes
    );
}

#[test]
fn one_trace_on_the_current_thread_runtime() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    assert_one_trace(&run_on(&runtime, "current_thread"), "current_thread");
}

#[test]
fn one_trace_on_the_multi_thread_runtime() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    assert_one_trace(&run_on(&runtime, "multi_thread"), "multi_thread");
}
