//! A fixed number of calls of one case, for counting instructions with
//! callgrind (which repeats exactly, unlike wall-clock time on a shared
//! machine). Not a criterion benchmark: run it under valgrind.
//!
//! ```text
//! cargo bench --bench instructions --no-run        # prints the binary's path
//! valgrind --tool=callgrind --callgrind-out-file=/dev/null BIN <case> <calls>
//! ```
//! with `<case>` one of `plain`, `annotated`, `hand_written`. Instructions per
//! call = (total at 12000 calls − total at 2000 calls) / 10000, so set-up and
//! shutdown cancel out. The queue is large enough that nothing is dropped.

use std::hint::black_box;

use opentelemetry::trace::{Span as _, TraceContextExt as _, Tracer as _, TracerProvider as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use stack_trace_runtime::{Config, chain};

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

#[derive(serde::Serialize)]
struct Args<'a> {
    query: &'a str,
    top_k: usize,
}

#[inline(never)]
fn work_by_hand(
    tracer: &opentelemetry_sdk::trace::SdkTracer,
    query: &str,
    top_k: usize,
) -> Vec<String> {
    let mut span = tracer.start("work");
    if span.is_recording() {
        span.set_attribute(KeyValue::new("openinference.span.kind", "CHAIN"));
        span.set_attribute(KeyValue::new(
            "input.value",
            serde_json::to_string(&Args { query, top_k }).unwrap_or_default(),
        ));
        span.set_attribute(KeyValue::new("input.mime_type", "application/json"));
    }
    let cx = Context::current_with_span(span);
    let out = {
        let _attached = cx.clone().attach();
        work(query, top_k)
    };
    let span = cx.span();
    if span.is_recording() {
        span.set_attribute(KeyValue::new(
            "output.value",
            serde_json::to_string(&out).unwrap_or_default(),
        ));
        span.set_attribute(KeyValue::new("output.mime_type", "application/json"));
    }
    span.end();
    out
}

fn main() {
    let mut args = std::env::args().skip(1);
    let case = args.next().unwrap_or_else(|| "annotated".to_owned());
    let calls: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(2000);
    let guard = Config::default()
        .exporter(DropExporter)
        .console(false)
        .max_queue_size(calls + 1024)
        .try_init()
        .expect("install");
    let tracer = guard.provider().expect("provider").tracer("by-hand");
    for _ in 0..calls {
        match case.as_str() {
            "plain" => drop(black_box(work(black_box("rust"), black_box(3)))),
            "hand_written" => drop(black_box(work_by_hand(
                &tracer,
                black_box("rust"),
                black_box(3),
            ))),
            _ => drop(black_box(work_annotated(black_box("rust"), black_box(3)))),
        }
    }
    drop(guard);
    let s = stack_trace_runtime::stats();
    eprintln!("{case}: {calls} calls, stats {s:?}");
}
