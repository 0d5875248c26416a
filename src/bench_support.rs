//! The workload the benchmarks share (`benches/overhead.rs` and
//! `benches/instructions.rs`): one function, plain, annotated, and with the
//! same span written by hand with the OpenTelemetry API.

use opentelemetry::trace::{FutureExt as _, Span as _, TraceContextExt as _, Tracer as _};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use stack_trace_runtime::chain;

/// Drops every batch: measures the caller, not the network.
#[derive(Debug)]
pub struct DropExporter;

impl SpanExporter for DropExporter {
    fn export(
        &self,
        batch: Vec<SpanData>,
    ) -> impl std::future::Future<Output = OTelSdkResult> + Send {
        drop(batch);
        std::future::ready(Ok(()))
    }
}

/// The work itself: three short strings.
#[inline(never)]
#[must_use]
pub fn work(query: &str, top_k: usize) -> Vec<String> {
    (0..3).map(|i| format!("{query}-{}", i + top_k)).collect()
}

/// `work` under `#[chain]`.
#[chain]
#[inline(never)]
#[must_use]
pub fn work_annotated(query: &str, top_k: usize) -> Vec<String> {
    work(query, top_k)
}

/// `work` under `#[chain]`, async.
#[chain]
pub async fn work_annotated_async(query: &str, top_k: usize) -> Vec<String> {
    work(query, top_k)
}

/// The arguments, as the hand-written span serializes them.
#[derive(serde::Serialize)]
pub struct Args<'a> {
    /// The query.
    pub query: &'a str,
    /// How many results.
    pub top_k: usize,
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

/// `work` in the same span written by hand.
#[inline(never)]
#[must_use]
pub fn work_by_hand(
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

/// `work` in the same span written by hand, async.
pub async fn work_by_hand_async(
    tracer: &opentelemetry_sdk::trace::SdkTracer,
    query: &str,
    top_k: usize,
) -> Vec<String> {
    let cx = start_by_hand(tracer, query, top_k);
    let out = async { work(query, top_k) }.with_context(cx.clone()).await;
    end_by_hand(&cx, &out);
    out
}
