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
use opentelemetry::trace::TracerProvider as _;
use stack_trace::bench_support::{
    Args, DropExporter, work, work_annotated, work_annotated_async, work_by_hand,
    work_by_hand_async,
};
use stack_trace_runtime::{Config, Sampling, TailSampling};
use tracing_subscriber::layer::SubscriberExt as _;

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

    // Tail sampling at 1 %: the caller records every span in full; the
    // decision is made on the export thread.
    let guard = Config::default()
        .exporter(DropExporter)
        .console(false)
        .tail_sampling(TailSampling::ratio(0.01))
        .try_init()
        .expect("install");
    g.bench_function("annotated_tail_1pct", |b| {
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
