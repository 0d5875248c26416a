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

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use opentelemetry::trace::TracerProvider as _;
use stack_trace::bench_support::{
    Args, DropExporter, chat_annotated, chat_plain, search_annotated, search_plain, ten_messages,
    work, work_annotated, work_annotated_async, work_by_hand, work_by_hand_async,
};
use stack_trace::receiver::{Behaviour, Receiver};
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

/// An LLM span with a ten-message chat and a retriever span with ten
/// documents: the flattening the spec asks for, per call.
fn payload_cases(c: &mut Criterion) {
    let mut g = c.benchmark_group("payload");
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1));
    let messages = ten_messages();
    g.bench_function("llm_10_messages_plain", |b| {
        b.iter(|| chat_plain(black_box("gpt-4o-mini"), black_box(&messages)))
    });
    g.bench_function("retriever_10_documents_plain", |b| {
        b.iter(|| search_plain(black_box("rust")))
    });
    let guard = install(Sampling::AlwaysOn);
    g.bench_function("llm_10_messages_annotated", |b| {
        b.iter(|| chat_annotated(black_box("gpt-4o-mini"), black_box(&messages)))
    });
    g.bench_function("retriever_10_documents_annotated", |b| {
        b.iter(|| search_annotated(black_box("rust")))
    });
    drop(guard);
    g.finish();
}

/// A call with a 16 MiB image argument, per kind: what the image costs is
/// its first bytes' (the value cap), not its size's.
fn large_argument_cases(c: &mut Criterion) {
    use stack_trace::bench_support::large;
    let mut g = c.benchmark_group("large_argument_16mib");
    g.measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_secs(1))
        .sample_size(20);
    let image = vec![1u8; large::IMAGE_BYTES];
    let messages = vec![serde_json::json!({"role": "user", "content": "What is in it?"})];
    let texts = vec!["a cat".to_owned()];
    let documents = vec!["cats".to_owned(), "dogs".to_owned()];
    g.bench_function("plain", |b| {
        b.iter(|| large::plain(black_box("what is this?"), black_box(&image)))
    });
    let guard = install(Sampling::AlwaysOn);
    g.bench_function("chain", |b| {
        b.iter(|| large::chain(black_box("what is this?"), black_box(&image)))
    });
    g.bench_function("llm", |b| {
        b.iter(|| large::llm(black_box(&messages), black_box(&image)))
    });
    g.bench_function("embedding", |b| {
        b.iter(|| large::embedding(black_box(&texts), black_box(&image)))
    });
    g.bench_function("reranker", |b| {
        b.iter(|| large::reranker(black_box("cats"), black_box(&documents), black_box(&image)))
    });
    drop(guard);
    g.finish();
}

/// End-to-end export: spans per second from N threads through our export
/// thread, OTLP/HTTP protobuf, to a local receiver. The queue is sized so
/// nothing is dropped; each iteration ends with a flush.
fn throughput_cases(c: &mut Criterion) {
    const SPANS: u64 = 8_192;
    let before = stack_trace_runtime::stats();
    let receiver = Receiver::start(Behaviour::CountOnly);
    let guard = Config::default()
        .endpoint(receiver.traces_url())
        .console(false)
        .max_queue_size(1 << 16)
        .shutdown_timeout(Duration::from_secs(10))
        .try_init()
        .expect("install");
    let mut g = c.benchmark_group("export_throughput");
    g.throughput(Throughput::Elements(SPANS))
        .measurement_time(Duration::from_secs(5))
        .sample_size(10);
    for threads in [1u64, 4, 8] {
        g.bench_function(format!("{threads}_threads"), |b| {
            b.iter_custom(|iters| {
                let started = std::time::Instant::now();
                for _ in 0..iters {
                    std::thread::scope(|scope| {
                        for _ in 0..threads {
                            scope.spawn(|| {
                                for _ in 0..SPANS / threads {
                                    black_box(work_annotated(black_box("rust"), black_box(3)));
                                }
                            });
                        }
                    });
                    guard.flush().expect("flush");
                }
                started.elapsed()
            });
        });
    }
    g.finish();
    let s = stack_trace_runtime::stats();
    assert_eq!(
        s.dropped, before.dropped,
        "the throughput cases must not drop: {s:?}"
    );
    eprintln!(
        "export throughput: {s:?}, {} bytes received",
        receiver.bytes_received()
    );
    drop(guard);
}

criterion_group!(
    benches,
    sync_cases,
    async_cases,
    payload_cases,
    large_argument_cases,
    throughput_cases
);
criterion_main!(benches);
