//! Behaviour of sync annotated functions, read back from finished spans.

use opentelemetry::Value;
use opentelemetry::trace::Status;
use serde::Serialize;
use stack_trace::testing::{attr, attr_str, in_root, is_child_of, named, spans_of};
use stack_trace_runtime::{agent, chain, current_span, current_trace_id, llm, retriever, tool};

#[tool]
fn add(a: i64, b: i64) -> i64 {
    a + b
}

#[chain]
fn shout(text: &str) -> String {
    text.to_uppercase()
}

#[test]
fn tool_records_kind_name_object_input_and_text_output() {
    let (trace, out) = in_root(|| add(2, 40));
    assert_eq!(out, 42);
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "add");
    assert_eq!(attr_str(span, "openinference.span.kind"), "TOOL");
    assert_eq!(span.span_kind, opentelemetry::trace::SpanKind::Internal);
    assert_eq!(attr_str(span, "input.value"), r#"{"a":2,"b":40}"#);
    assert_eq!(attr_str(span, "input.mime_type"), "application/json");
    assert_eq!(attr_str(span, "output.value"), "42");
    assert_eq!(attr_str(span, "output.mime_type"), "text/plain");
    assert_eq!(span.status, Status::Ok);
    assert!(is_child_of(span, named(&spans, "test-root")));
}

#[test]
fn chain_with_one_argument_records_the_raw_value() {
    let (trace, _) = in_root(|| shout("héllo ✓"));
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "shout");
    assert_eq!(attr_str(span, "openinference.span.kind"), "CHAIN");
    assert_eq!(attr_str(span, "input.value"), "héllo ✓");
    assert_eq!(attr_str(span, "input.mime_type"), "text/plain");
    assert_eq!(attr_str(span, "output.value"), "HÉLLO ✓");
}

#[derive(Serialize, Debug, Clone)]
struct Doc {
    id: String,
    score: f32,
}

#[retriever(name = "kb-search")]
fn search(query: &str, top_k: usize) -> Vec<Doc> {
    (0..top_k)
        .map(|i| Doc {
            id: format!("{query}-{i}"),
            score: 0.5,
        })
        .collect()
}

#[test]
fn custom_name_and_structured_output_as_json() {
    let (trace, _) = in_root(|| search("q", 2));
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "kb-search");
    assert_eq!(attr_str(span, "openinference.span.kind"), "RETRIEVER");
    assert_eq!(attr_str(span, "output.mime_type"), "application/json");
    assert_eq!(
        attr_str(span, "output.value"),
        r#"[{"id":"q-0","score":0.5},{"id":"q-1","score":0.5}]"#
    );
}

#[tool]
fn call_api(api_key: &str, access_token: String, max_tokens: u32, query: &str) -> usize {
    api_key.len() + access_token.len() + max_tokens as usize + query.len()
}

#[test]
fn secret_named_arguments_are_redacted() {
    let (trace, _) = in_root(|| call_api("sk-live-123", "tok-456".into(), 256, "hi"));
    let spans = spans_of(&trace, 2);
    let input = attr_str(named(&spans, "call_api"), "input.value");
    let parsed: serde_json::Value = serde_json::from_str(&input).unwrap();
    assert_eq!(parsed["api_key"], "__REDACTED__");
    assert_eq!(parsed["access_token"], "__REDACTED__");
    assert_eq!(parsed["max_tokens"], 256);
    assert_eq!(parsed["query"], "hi");
    assert!(!input.contains("sk-live") && !input.contains("tok-456"));
}

#[tool(skip(client))]
fn with_skip(client: &str, city: &str) -> String {
    format!("{client}:{city}")
}

#[agent(skip_all)]
fn private_agent(secret_plan: &str) -> usize {
    secret_plan.len()
}

#[test]
fn skip_and_skip_all_leave_arguments_out() {
    let (trace, _) = in_root(|| {
        with_skip("internal", "Paris");
        private_agent("plan")
    });
    let spans = spans_of(&trace, 3);
    assert_eq!(
        attr_str(named(&spans, "with_skip"), "input.value"),
        r#"{"city":"Paris"}"#
    );
    let agent = named(&spans, "private_agent");
    assert!(attr(agent, "input.value").is_none());
    assert_eq!(attr_str(agent, "output.value"), "4");
}

/// Error with a cause, as thiserror would write it.
#[derive(Debug, thiserror::Error)]
#[error("index unavailable")]
struct IndexError(#[source] std::io::Error);

#[retriever]
fn failing(query: &str) -> Result<Vec<String>, IndexError> {
    let _ = query;
    Err(IndexError(std::io::Error::new(
        std::io::ErrorKind::NotFound,
        "shard 3 missing",
    )))
}

#[test]
fn err_sets_status_and_exception_event_and_is_returned_unchanged() {
    let (trace, out) = in_root(|| failing("x"));
    assert_eq!(out.unwrap_err().to_string(), "index unavailable");
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "failing");
    assert_eq!(
        span.status,
        Status::error("IndexError: index unavailable: shard 3 missing")
    );
    let event = span.events.iter().find(|e| e.name == "exception").unwrap();
    let get = |k: &str| {
        event
            .attributes
            .iter()
            .find(|kv| kv.key.as_str() == k)
            .map(|kv| kv.value.as_str().into_owned())
    };
    assert_eq!(get("exception.type").as_deref(), Some("IndexError"));
    assert_eq!(
        get("exception.message").as_deref(),
        Some("index unavailable: shard 3 missing")
    );
    assert!(attr(span, "output.value").is_none());
}

#[chain]
fn io_op(path: &str) -> std::io::Result<usize> {
    std::fs::read(path).map(|b| b.len())
}

#[chain]
fn anyhow_op(n: &str) -> anyhow::Result<u8> {
    use anyhow::Context as _;
    let parsed: u8 = n.parse().context("parsing the retry count")?;
    Ok(parsed)
}

type AppResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

#[chain]
fn boxed_op(fail: bool) -> AppResult<&'static str> {
    if fail {
        return Err("plain message".into());
    }
    Ok("fine")
}

#[chain]
fn string_err(fail: bool) -> Result<u8, String> {
    if fail {
        Err("as a string".to_owned())
    } else {
        Ok(1)
    }
}

#[test]
fn io_anyhow_boxed_and_string_errors() {
    let (trace, _) = in_root(|| {
        let _ = io_op("/definitely/not/here");
        let _ = anyhow_op("abc");
        let _ = boxed_op(true);
        let _ = string_err(true);
        assert_eq!(anyhow_op("7").unwrap(), 7);
    });
    let spans = spans_of(&trace, 6);
    let status = |name: &str| match &spans.iter().filter(|s| s.name == name).collect::<Vec<_>>()[..]
    {
        [first, ..] => first.status.clone(),
        [] => panic!("no {name}"),
    };
    let Status::Error { description } = status("io_op") else {
        panic!()
    };
    assert!(
        description.starts_with("io::Error: No such file"),
        "{description}"
    );
    let anyhow_spans: Vec<_> = spans.iter().filter(|s| s.name == "anyhow_op").collect();
    let failed = anyhow_spans
        .iter()
        .find(|s| matches!(s.status, Status::Error { .. }))
        .unwrap();
    assert_eq!(
        failed.status,
        Status::error("ParseIntError: parsing the retry count: invalid digit found in string")
    );
    let ok = anyhow_spans
        .iter()
        .find(|s| s.status == Status::Ok)
        .unwrap();
    assert_eq!(attr_str(ok, "output.value"), "7");
    let Status::Error { description } = status("boxed_op") else {
        panic!()
    };
    assert!(description.ends_with(": plain message"), "{description}");
    assert_eq!(status("string_err"), Status::error("String: as a string"));
}

#[chain]
fn early(n: i32) -> Result<i32, std::num::ParseIntError> {
    if n < 0 {
        return Ok(0);
    }
    let doubled: i32 = "2".parse::<i32>()? * n;
    Ok(doubled)
}

#[test]
fn early_return_and_question_mark() {
    let (trace, out) = in_root(|| (early(-1), early(21)));
    assert_eq!(out.0.unwrap(), 0);
    assert_eq!(out.1.unwrap(), 42);
    let spans = spans_of(&trace, 3);
    let mut outputs: Vec<String> = spans
        .iter()
        .filter(|s| s.name == "early")
        .map(|s| attr_str(s, "output.value"))
        .collect();
    outputs.sort();
    assert_eq!(outputs, vec!["0", "42"]);
}

#[tool]
fn panicky(n: u8) -> u8 {
    assert!(n < 10, "n too large: {n}");
    n
}

#[test]
fn panic_is_recorded_and_keeps_unwinding() {
    let (trace, result) = in_root(|| std::panic::catch_unwind(|| panicky(99)));
    let payload = result.unwrap_err();
    assert_eq!(payload.downcast_ref::<String>().unwrap(), "n too large: 99");
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "panicky");
    assert_eq!(span.status, Status::error("panic: n too large: 99"));
    let event = &span.events.iter().find(|e| e.name == "exception").unwrap();
    assert!(
        event
            .attributes
            .iter()
            .any(|kv| kv.key.as_str() == "exception.type" && kv.value.as_str() == "panic")
    );
    assert_eq!(
        span.events.iter().filter(|e| e.name == "exception").count(),
        1
    );
}

struct Counter {
    items: Vec<String>,
}

impl Counter {
    #[chain]
    fn push(&mut self, item: String) -> &mut Vec<String> {
        self.items.push(item);
        &mut self.items
    }

    #[agent]
    fn into_len(self) -> usize {
        self.items.len()
    }

    #[tool]
    fn describe(&self) -> String {
        current_span().set_attribute("app.items", self.items.len() as i64);
        format!("{} items", self.items.len())
    }
}

#[test]
fn methods_are_named_type_method_and_ref_mut_returns_work() {
    let (trace, len) = in_root(|| {
        let mut c = Counter { items: vec![] };
        c.push("a".into()).push("b".into());
        let _ = c.describe();
        c.into_len()
    });
    assert_eq!(len, 2);
    let spans = spans_of(&trace, 4);
    let push = named(&spans, "Counter::push");
    assert_eq!(attr_str(push, "input.value"), "a");
    assert_eq!(attr_str(push, "output.value"), r#"["a"]"#);
    let describe = named(&spans, "Counter::describe");
    assert_eq!(attr(describe, "app.items"), Some(&Value::I64(2)));
    assert_eq!(attr_str(describe, "input.value"), "{}");
    assert_eq!(
        attr_str(named(&spans, "Counter::into_len"), "agent.name"),
        "Counter::into_len"
    );
    assert_eq!(
        attr_str(named(&spans, "Counter::into_len"), "output.value"),
        "2"
    );
}

struct NoTraits;

#[chain]
fn generic_plain<T>(value: T) -> usize {
    std::mem::size_of_val(&value)
}

#[chain]
fn generic_serialize<T: Serialize>(value: T) -> usize {
    let _ = value;
    1
}

#[chain]
fn generic_debug<T>(value: T) -> usize
where
    T: std::fmt::Debug,
{
    format!("{value:?}").len()
}

#[test]
fn generic_bounds_decide_the_capture() {
    let (trace, _) = in_root(|| {
        generic_plain(NoTraits);
        generic_serialize(vec![1, 2]);
        generic_debug(Some('x'));
    });
    let spans = spans_of(&trace, 4);
    assert_eq!(
        attr_str(named(&spans, "generic_plain"), "input.value"),
        "<sync_fn::NoTraits>"
    );
    let ser = named(&spans, "generic_serialize");
    assert_eq!(attr_str(ser, "input.value"), "[1,2]");
    assert_eq!(attr_str(ser, "input.mime_type"), "application/json");
    assert_eq!(
        attr_str(named(&spans, "generic_debug"), "input.value"),
        "Some('x')"
    );
}

#[llm]
fn nested_llm(prompt: &str) -> Option<String> {
    Some(
        current_trace_id()
            .map(|t| t.to_string())
            .unwrap_or_default()
            + prompt,
    )
}

#[agent]
fn outer_agent(goal: &str) -> Option<String> {
    let here = current_span();
    let span = here.span_id().expect("a span handle");
    assert_eq!(span.trace(), current_trace_id(), "one trace, one handle");
    assert_eq!(here.trace_id(), current_trace_id());
    assert_eq!(span.sampled(), Some(true));
    assert_eq!(
        span.to_string()
            .parse::<stack_trace_runtime::SpanHandle>()
            .ok(),
        Some(span)
    );
    let inner = std::thread::spawn(stack_trace_runtime::bind_current_span(|| shout("child")));
    let _ = inner.join();
    nested_llm(goal)
}

#[test]
fn nesting_and_thread_propagation_and_trace_id() {
    let (trace, out) = in_root(|| outer_agent("!"));
    assert_eq!(out.unwrap(), format!("{trace}!"));
    let spans = spans_of(&trace, 4);
    let agent = named(&spans, "outer_agent");
    assert_eq!(
        attr_str(agent, "agent.name"),
        "outer_agent",
        "OpenInference 0.1.42"
    );
    assert!(attr(named(&spans, "nested_llm"), "agent.name").is_none());
    assert!(is_child_of(named(&spans, "nested_llm"), agent));
    assert!(is_child_of(named(&spans, "shout"), agent));
    assert_eq!(
        attr_str(named(&spans, "nested_llm"), "input.value"),
        r#"{"prompt":"!"}"#
    );
}

#[test]
fn no_trace_id_outside_spans_and_unit_output_is_not_recorded() {
    #[chain]
    fn returns_unit(x: u8) {
        let _ = x;
    }
    assert_eq!(current_trace_id(), None);
    let (trace, ()) = in_root(|| returns_unit(1));
    let spans = spans_of(&trace, 2);
    assert!(attr(named(&spans, "returns_unit"), "output.value").is_none());
}

#[chain]
fn with_raw_child(n: usize) -> usize {
    use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};
    let tracer = opentelemetry::global::tracer_provider().tracer("raw");
    let mut raw = tracer.start("raw-child");
    raw.set_attribute(opentelemetry::KeyValue::new("n", 1));
    raw.end();
    for i in 0..n {
        current_span().set_attribute(format!("bulk.{i}"), i as i64);
    }
    n
}

#[test]
fn raw_opentelemetry_children_nest_and_many_attributes_are_kept() {
    let (trace, _) = in_root(|| with_raw_child(500));
    let spans = spans_of(&trace, 3);
    let parent = named(&spans, "with_raw_child");
    assert!(is_child_of(named(&spans, "raw-child"), parent));
    let bulk = parent
        .attributes
        .iter()
        .filter(|kv| kv.key.as_str().starts_with("bulk."))
        .count();
    assert_eq!(bulk, 500, "the 128-attribute default limit is raised");
    assert_eq!(parent.dropped_attributes_count, 0);
}

#[tool(redact(email), unredact(public_key))]
fn lookup_account(email: &str, public_key: &str, access_token: &str) -> usize {
    email.len() + public_key.len() + access_token.len()
}

#[test]
fn redact_and_unredact_override_the_name_rule() {
    let (trace, _) = in_root(|| lookup_account("me@example.com", "pk_live_123", "tok"));
    let spans = spans_of(&trace, 2);
    let input: serde_json::Value =
        serde_json::from_str(&attr_str(named(&spans, "lookup_account"), "input.value")).unwrap();
    assert_eq!(input["email"], "__REDACTED__");
    assert_eq!(input["public_key"], "pk_live_123");
    assert_eq!(input["access_token"], "__REDACTED__");
}
