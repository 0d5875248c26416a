//! Cost of an annotated call against the same span written by hand with the
//! OpenTelemetry API and through `tracing` + `tracing-opentelemetry`, all on
//! the same provider, plus the unsampled and disabled paths. Every recording
//! case sets the same five attributes (`openinference.span.kind`, JSON of the
//! arguments as `input.value`, `input.mime_type`, the result as
//! `output.value`, `output.mime_type`) and makes the span current.
//!
//! `cargo bench --bench overhead`; compare ratios within one run.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use opentelemetry::trace::{
    FutureExt as _, Span as _, TraceContextExt as _, Tracer as _, TracerProvider as _,
};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use stack_trace_runtime::{Config, Sampling, chain};
use tracing_subscriber::layer::SubscriberExt as _;

/// Drops every batch: measures the caller, not the network.
#[derive(Debug)]
struct DropExporter;

impl SpanExporter for DropExporter {
    fn export(
        &self,
        batch: Vec<SpanData>,
    ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        drop(batch);
        std::future::ready(Ok(()))
    }
}

#[inline(never)]
fn work(query: &str, top_k: usize) -> Vec<String> {
    (0..3).map(|i| format!("{query}-{}", i + top_k)).collect()
}

#[chain]
#[inline(never)]
fn work_annotated(query: &str, top_k: usize) -> Vec<String> {
    work(query, top_k)
}

#[chain]
async fn work_annotated_async(query: &str, top_k: usize) -> Vec<String> {
    work(query, top_k)
}

#[derive(serde::Serialize)]
struct Args<'a> {
    query: &'a str,
    top_k: usize,
}

/// The span of `work`, started by hand with its input attributes, and
/// made the current context.
#[inline]
fn start_by_hand(
    tracer: &opentelemetry_sdk::trace::SdkTracer,
    query: &str,
    top_k: usize,
) -> Context {
    let mut span = tracer.start("work");
    if span.is_recording() {
        span.set_attribute(KeyValue::new("openinference.span.kind", "CHAIN"));
        span.set_attribute(KeyValue::new(
            "input.value",
            serde_json::to_string(&Args { query, top_k }).unwrap_or_default(),
        ));
        span.set_attribute(KeyValue::new("input.mime_type", "application/json"));
    }
    Context::current_with_span(span)
}

/// Records the output by hand and ends the span.
#[inline]
fn end_by_hand(cx: &Context, out: &[String]) {
    let span = cx.span();
    if span.is_recording() {
        span.set_attribute(KeyValue::new(
            "output.value",
            serde_json::to_string(out).unwrap_or_default(),
        ));
        span.set_attribute(KeyValue::new("output.mime_type", "application/json"));
    }
    span.end();
}

#[inline(never)]
fn work_by_hand(
    tracer: &opentelemetry_sdk::trace::SdkTracer,
    query: &str,
    top_k: usize,
) -> Vec<String> {
    let cx = start_by_hand(tracer, query, top_k);
    let out = {
        let _attached = cx.clone().attach();
        work(query, top_k)
    };
    end_by_hand(&cx, &out);
    out
}

async fn work_by_hand_async(
    tracer: &opentelemetry_sdk::trace::SdkTracer,
    query: &str,
    top_k: usize,
) -> Vec<String> {
    let cx = start_by_hand(tracer, query, top_k);
    let out = async { work(query, top_k) }.with_context(cx.clone()).await;
    end_by_hand(&cx, &out);
    out
}

#[tracing::instrument(name = "work", skip_all, fields(
    openinference.span.kind = "CHAIN",
    input.value = %serde_json::to_string(&Args { query, top_k }).unwrap_or_default(),
    input.mime_type = "application/json",
    output.value = tracing::field::Empty,
    output.mime_type = "application/json"))]
#[inline(never)]
fn work_tracing(query: &str, top_k: usize) -> Vec<String> {
    let out = work(query, top_k);
    tracing::Span::current().record(
        "output.value",
        serde_json::to_string(&out).unwrap_or_default().as_str(),
    );
    out
}

fn install(sampling: Sampling) -> stack_trace_runtime::Guard {
    Config::default()
        .exporter(DropExporter)
        .console(false)
        .sampling(sampling)
        .try_init()
        .expect("install")
}

fn sync_cases(c: &mut Criterion) {
    let mut g = c.benchmark_group("sync");
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("plain", |b| {
        b.iter(|| work(black_box("rust"), black_box(3)))
    });

    let guard = install(Sampling::AlwaysOn);
    let provider = guard.provider().expect("provider");
    let tracer = provider.tracer("bench");
    g.bench_function("annotated_sampled", |b| {
        b.iter(|| work_annotated(black_box("rust"), black_box(3)))
    });
    g.bench_function("hand_written_otel", |b| {
        b.iter(|| work_by_hand(&tracer, black_box("rust"), black_box(3)))
    });
    let subscriber = tracing_subscriber::registry()
        .with(tracing_opentelemetry::layer().with_tracer(provider.tracer("bench-tracing")));
    tracing::subscriber::with_default(subscriber, || {
        g.bench_function("tracing_opentelemetry", |b| {
            b.iter(|| work_tracing(black_box("rust"), black_box(3)))
        });
    });
    stack_trace_runtime::set_enabled(false);
    g.bench_function("annotated_disabled", |b| {
        b.iter(|| work_annotated(black_box("rust"), black_box(3)))
    });
    stack_trace_runtime::set_enabled(true);
    drop(guard);

    let guard = install(Sampling::AlwaysOff);
    g.bench_function("annotated_always_off", |b| {
        b.iter(|| work_annotated(black_box("rust"), black_box(3)))
    });
    drop(guard);

    let guard = install(Sampling::ParentBasedTraceIdRatio(0.01));
    g.bench_function("annotated_ratio_1pct", |b| {
        b.iter(|| work_annotated(black_box("rust"), black_box(3)))
    });
    drop(guard);

    let guard = Config::default()
        .endpoint("http://127.0.0.1:9/v1/traces")
        .console(false)
        .shutdown_timeout(Duration::from_millis(200))
        .try_init()
        .expect("install");
    g.bench_function("annotated_collector_down", |b| {
        b.iter(|| work_annotated(black_box("rust"), black_box(3)))
    });
    drop(guard);
    g.finish();
}

fn async_cases(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let mut g = c.benchmark_group("async");
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    g.bench_function("plain", |b| {
        b.to_async(&rt)
            .iter(|| async { work(black_box("rust"), black_box(3)) });
    });
    let guard = install(Sampling::AlwaysOn);
    let tracer = guard.provider().expect("provider").tracer("bench");
    g.bench_function("annotated_sampled", |b| {
        b.to_async(&rt)
            .iter(|| work_annotated_async(black_box("rust"), black_box(3)));
    });
    g.bench_function("hand_written_otel", |b| {
        b.to_async(&rt)
            .iter(|| work_by_hand_async(&tracer, black_box("rust"), black_box(3)));
    });
    stack_trace_runtime::set_enabled(false);
    g.bench_function("annotated_disabled", |b| {
        b.to_async(&rt)
            .iter(|| work_annotated_async(black_box("rust"), black_box(3)));
    });
    stack_trace_runtime::set_enabled(true);
    drop(guard);
    g.finish();
}

criterion_group!(benches, sync_cases, async_cases);
criterion_main!(benches);
