//! The spans of annotated calls are recorded by our own recorder, not the
//! SDK's `Span`: what the application does to them through the plain
//! OpenTelemetry API behaves as on an SDK span (limits, names, links, status
//! order, nesting both ways, hand-set values winning).

use opentelemetry::trace::{
    Span as _, SpanContext, SpanId, Status, TraceContextExt as _, TraceFlags, TraceId, TraceState,
    Tracer as _, TracerProvider as _, get_active_span,
};
use opentelemetry::{Context, KeyValue, global};
use stack_trace::testing::{attr_str, in_root, is_child_of, named, spans_of};
use stack_trace_runtime::{chain, tool};

#[chain]
fn noisy(events: usize) -> usize {
    get_active_span(|span| {
        for i in 0..events {
            span.add_event(format!("step {i}"), vec![KeyValue::new("i", i as i64)]);
        }
    });
    events
}

#[test]
fn events_beyond_the_limit_are_counted_as_dropped() {
    let (trace, _) = in_root(|| noisy(200));
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "noisy");
    assert_eq!(span.events.len(), 128, "the SDK's default event limit");
    assert_eq!(span.events.dropped_count, 72);
    assert_eq!(span.events[0].name, "step 0");
}

#[chain]
fn renamed_with_link(link_to: SpanContext) -> &'static str {
    get_active_span(|span| {
        span.update_name("renamed by hand");
        span.add_link(link_to, vec![KeyValue::new("why", "retry of")]);
        span.set_status(Status::error("set by hand"));
    });
    "done"
}

#[test]
fn names_links_and_status_set_by_hand() {
    let linked = SpanContext::new(
        TraceId::from(7),
        SpanId::from(9),
        TraceFlags::SAMPLED,
        true,
        TraceState::default(),
    );
    let (trace, _) = in_root(|| renamed_with_link(linked.clone()));
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "renamed by hand");
    assert_eq!(span.links.len(), 1);
    assert_eq!(span.links[0].span_context, linked);
    assert_eq!(attr_str(span, "openinference.span.kind"), "CHAIN");
    // As on an SDK span: OK (set when the call returned) outranks ERROR.
    assert_eq!(span.status, Status::Ok);
}

#[tool]
fn tool_with_hand_children(n: i64) -> i64 {
    // A span of the application's own, started with the global tracer.
    let tracer = global::tracer("app");
    let mut child = tracer.start("hand-made child");
    child.set_attribute(KeyValue::new("n", n));
    child.end();
    n * 2
}

#[chain]
fn outer() -> i64 {
    // An annotated call under a hand-made span under an annotated call.
    let tracer = global::tracer_provider().tracer("app");
    let span = tracer.start("hand-made middle");
    let cx = Context::current_with_span(span);
    let _attached = cx.clone().attach();
    let out = tool_with_hand_children(21);
    cx.span().end();
    out
}

#[test]
fn hand_made_spans_nest_under_annotated_ones_and_back() {
    let (trace, out) = in_root(outer);
    assert_eq!(out, 42);
    let spans = spans_of(&trace, 5);
    let outer_span = named(&spans, "outer");
    let middle = named(&spans, "hand-made middle");
    let tool_span = named(&spans, "tool_with_hand_children");
    let leaf = named(&spans, "hand-made child");
    assert!(is_child_of(outer_span, named(&spans, "test-root")));
    assert!(is_child_of(middle, outer_span));
    assert!(is_child_of(tool_span, middle));
    assert!(is_child_of(leaf, tool_span));
    assert_eq!(attr_str(tool_span, "input.value"), r#"{"n":21}"#);
    assert_eq!(attr_str(tool_span, "output.value"), "42");
}

#[chain]
fn overridden(text: &str) -> String {
    get_active_span(|span| {
        span.set_attribute(KeyValue::new("input.value", "input by hand"));
        span.set_attribute(KeyValue::new("output.value", "output by hand"));
    });
    text.to_uppercase()
}

#[test]
fn values_set_by_hand_win_and_each_key_goes_out_once() {
    let (trace, out) = in_root(|| overridden("quiet"));
    assert_eq!(out, "QUIET");
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "overridden");
    assert_eq!(attr_str(span, "input.value"), "input by hand");
    assert_eq!(attr_str(span, "output.value"), "output by hand");
    let mut keys: Vec<&str> = span.attributes.iter().map(|kv| kv.key.as_str()).collect();
    let total = keys.len();
    keys.sort_unstable();
    keys.dedup();
    assert_eq!(keys.len(), total, "a key went out twice: {keys:?}");
    assert!(
        !span
            .attributes
            .iter()
            .any(|kv| kv.key.as_str().starts_with("stack_trace.internal")),
        "the internal marker never leaves the process"
    );
}
