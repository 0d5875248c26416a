//! Annotated functions that return streams and iterators: the span covers
//! the stream's whole life, is current only while it is polled, ends exactly
//! once (finished, failed, panicked or dropped), and records what the items
//! amount to, with OpenAI and Anthropic chunks merged into one message.

use std::pin::Pin;
use std::time::Duration;

use futures::{Stream, StreamExt as _};
use opentelemetry::Value as OtelValue;
use opentelemetry::trace::{
    FutureExt as _, Status, TraceContextExt as _, Tracer as _, TracerProvider as _,
};
use opentelemetry_sdk::trace::SpanData;
use serde_json::{Value, json};
use stack_trace::testing::{attr, attr_str, in_root, install, is_child_of, named, spans_of};
use stack_trace_runtime::{chain, current_trace_id, llm, retriever, tool};

fn count_named(spans: &[SpanData], name: &str) -> usize {
    spans.iter().filter(|s| s.name == name).count()
}

fn int_attr(span: &SpanData, key: &str) -> i64 {
    match attr(span, key) {
        Some(OtelValue::I64(n)) => *n,
        other => panic!("{key} of {} is {other:?}", span.name),
    }
}

fn has_event(span: &SpanData, name: &str) -> bool {
    span.events.iter().any(|e| e.name == name)
}

#[tool]
fn square(x: u32) -> u32 {
    x * x
}

#[chain]
fn squares(n: u32) -> impl Iterator<Item = u32> {
    (0..n).map(square)
}

#[test]
fn iterator_span_covers_consumption_and_parents_the_work_done_while_iterating() {
    let (trace, total) = in_root(|| squares(4).sum::<u32>());
    assert_eq!(total, 14);
    let spans = spans_of(&trace, 6);
    let span = named(&spans, "squares");
    assert_eq!(count_named(&spans, "squares"), 1, "ended once");
    assert_eq!(count_named(&spans, "square"), 4);
    for child in spans.iter().filter(|s| s.name == "square") {
        assert!(
            is_child_of(child, span),
            "work done while iterating nests under the stream"
        );
    }
    assert_eq!(attr_str(span, "output.value"), "[0,1,4,9]");
    assert_eq!(attr_str(span, "output.mime_type"), "application/json");
    assert_eq!(int_attr(span, "stack_trace.stream.items"), 4);
    assert!(has_event(span, "First Token Stream Event"));
    assert_eq!(span.status, Status::Ok);
    assert!(attr(span, "stack_trace.cancelled").is_none());
    let last_child_end = spans
        .iter()
        .filter(|s| s.name == "square")
        .map(|s| s.end_time)
        .max()
        .unwrap();
    assert!(span.end_time >= last_child_end, "open until the last item");
}

#[test]
fn iterator_dropped_halfway_ends_once_marked_cancelled_with_what_was_consumed() {
    let (trace, first) = in_root(|| squares(10).take(2).collect::<Vec<_>>());
    assert_eq!(first, [0, 1]);
    let spans = spans_of(&trace, 4);
    let span = named(&spans, "squares");
    assert_eq!(count_named(&spans, "squares"), 1);
    assert_eq!(
        attr(span, "stack_trace.cancelled"),
        Some(&OtelValue::Bool(true))
    );
    assert!(has_event(span, "cancelled"));
    assert_eq!(attr_str(span, "output.value"), "[0,1]");
    assert_eq!(int_attr(span, "stack_trace.stream.items"), 2);
    assert_eq!(span.status, Status::Unset, "a drop is not an error");
}

#[chain]
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(' ').map(str::to_owned)
}

#[chain]
fn exploding(n: u32) -> impl Iterator<Item = u32> {
    (0..n).inspect(|&i| assert!(i < 2, "item {i} exploded"))
}

#[test]
fn text_items_concatenate_and_a_panic_ends_the_span_as_an_error() {
    let (trace, joined) = in_root(|| words("a b c").collect::<Vec<_>>().join("+"));
    assert_eq!(joined, "a+b+c");
    let spans = spans_of(&trace, 2);
    assert_eq!(attr_str(named(&spans, "words"), "output.value"), "abc");
    assert_eq!(
        attr_str(named(&spans, "words"), "output.mime_type"),
        "text/plain"
    );

    let (trace, caught) =
        in_root(|| std::panic::catch_unwind(|| exploding(5).collect::<Vec<_>>()).is_err());
    assert!(caught, "the panic reaches the caller unchanged");
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "exploding");
    assert_eq!(count_named(&spans, "exploding"), 1);
    assert_eq!(span.status, Status::error("panic: item 2 exploded"));
    assert_eq!(
        attr_str(span, "output.value"),
        "[0,1]",
        "what came before the panic"
    );
    assert!(attr(span, "stack_trace.cancelled").is_none());
}

/// OpenAI-style chunks, as a streaming client yields them.
fn openai_chunks() -> Vec<Value> {
    vec![
        json!({"id": "c1", "object": "chat.completion.chunk", "model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}, "finish_reason": null}]}),
        json!({"id": "c1", "object": "chat.completion.chunk", "model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"content": "Hello"}, "finish_reason": null}]}),
        json!({"id": "c1", "object": "chat.completion.chunk", "model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"content": " world"}, "finish_reason": null}]}),
        json!({"id": "c1", "object": "chat.completion.chunk", "model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "id": "call_7", "type": "function", "function": {"name": "lookup", "arguments": "{\"q\":"}}]}, "finish_reason": null}]}),
        json!({"id": "c1", "object": "chat.completion.chunk", "model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"tool_calls": [{"index": 0, "function": {"arguments": "\"rust\"}"}}]}, "finish_reason": null}]}),
        json!({"id": "c1", "object": "chat.completion.chunk", "model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {}, "finish_reason": "tool_calls"}]}),
        json!({"id": "c1", "object": "chat.completion.chunk", "model": "gpt-4o-mini", "choices": [], "usage": {"prompt_tokens": 21, "completion_tokens": 9, "total_tokens": 30}}),
    ]
}

#[llm]
async fn chat_stream(
    messages: Vec<Value>,
) -> impl Stream<Item = Result<Value, std::io::Error>> + Send {
    assert!(!messages.is_empty());
    futures::stream::iter(openai_chunks()).then(|chunk| async move {
        tokio::time::sleep(Duration::from_millis(1)).await;
        assert!(
            current_trace_id().is_some(),
            "the span is current while polled"
        );
        Ok(chunk)
    })
}

async fn consume_openai_stream() {
    install();
    let tracer = opentelemetry::global::tracer_provider().tracer("tests");
    let root = opentelemetry::Context::current_with_span(tracer.start("test-root"));
    let trace = {
        let trace = root.span().span_context().trace_id().to_string();
        let mut stream = Box::pin(
            chat_stream(vec![json!({"role": "user", "content": "hi"})])
                .with_context(root.clone())
                .await,
        );
        // Polled outside the root's scope: the stream's span is current
        // only inside its own polls.
        assert!(current_trace_id().is_none(), "not current between polls");
        let mut n = 0;
        while let Some(chunk) = stream.next().await {
            assert!(chunk.is_ok());
            assert!(current_trace_id().is_none(), "not current between polls");
            n += 1;
        }
        assert_eq!(n, 7);
        trace
    };
    root.span().end();
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "chat_stream");
    assert!(is_child_of(span, named(&spans, "test-root")));
    assert_eq!(count_named(&spans, "chat_stream"), 1);
    assert_eq!(attr_str(span, "openinference.span.kind"), "LLM");
    assert_eq!(attr_str(span, "llm.input_messages.0.message.content"), "hi");
    assert_eq!(
        attr_str(span, "llm.output_messages.0.message.role"),
        "assistant"
    );
    assert_eq!(
        attr_str(span, "llm.output_messages.0.message.content"),
        "Hello world"
    );
    assert_eq!(
        attr_str(
            span,
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.name"
        ),
        "lookup"
    );
    assert_eq!(
        attr_str(
            span,
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"
        ),
        r#"{"q":"rust"}"#
    );
    assert_eq!(
        attr_str(
            span,
            "llm.output_messages.0.message.tool_calls.0.tool_call.id"
        ),
        "call_7"
    );
    assert_eq!(int_attr(span, "llm.token_count.prompt"), 21);
    assert_eq!(int_attr(span, "llm.token_count.completion"), 9);
    assert_eq!(int_attr(span, "llm.token_count.total"), 30);
    assert_eq!(attr_str(span, "llm.model_name"), "gpt-4o-mini");
    assert_eq!(int_attr(span, "stack_trace.stream.items"), 7);
    assert!(has_event(span, "First Token Stream Event"));
    assert_eq!(span.status, Status::Ok);
    let output: Value = serde_json::from_str(&attr_str(span, "output.value")).unwrap();
    assert_eq!(output["choices"][0]["message"]["content"], "Hello world");
}

#[test]
fn openai_chunk_stream_becomes_one_assistant_message_multi_thread() {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
        .block_on(consume_openai_stream());
}

#[test]
fn openai_chunk_stream_becomes_one_assistant_message_current_thread() {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(consume_openai_stream());
}

#[llm(stream)]
fn anthropic_stream(prompt: &str) -> Pin<Box<dyn Stream<Item = Value> + Send>> {
    let text = prompt.to_owned();
    Box::pin(futures::stream::iter(vec![
        json!({"type": "message_start", "message": {"id": "m1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5", "content": [], "usage": {"input_tokens": 15, "output_tokens": 1, "cache_read_input_tokens": 4}}}),
        json!({"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Echo: "}}),
        json!({"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": text}}),
        json!({"type": "content_block_stop", "index": 0}),
        json!({"type": "message_delta", "delta": {"stop_reason": "end_turn"}, "usage": {"output_tokens": 6}}),
        json!({"type": "message_stop"}),
    ]))
}

#[test]
fn anthropic_event_stream_behind_a_boxed_dyn_stream() {
    install();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (trace, items) = in_root(|| {
        let stream = anthropic_stream("ping");
        rt.block_on(stream.collect::<Vec<_>>()).len()
    });
    assert_eq!(items, 7);
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "anthropic_stream");
    assert_eq!(
        attr_str(span, "llm.output_messages.0.message.content"),
        "Echo: ping"
    );
    assert_eq!(
        int_attr(span, "llm.token_count.prompt"),
        19,
        "input + cache read"
    );
    assert_eq!(int_attr(span, "llm.token_count.completion"), 6);
    assert_eq!(
        int_attr(span, "llm.token_count.prompt_details.cache_read"),
        4
    );
    assert_eq!(attr_str(span, "llm.model_name"), "claude-sonnet-4-5");
    assert_eq!(attr_str(span, "llm.provider"), "anthropic");
}

#[llm]
fn token_stream(prompt: &str) -> impl Iterator<Item = Result<String, std::io::Error>> {
    let words: Vec<String> = prompt.split(' ').map(|w| format!("{w} ")).collect();
    let mut items: Vec<Result<String, std::io::Error>> = words.into_iter().map(Ok).collect();
    items.insert(2, Err(std::io::Error::other("rate limited mid-stream")));
    items.into_iter()
}

#[test]
fn text_deltas_and_an_error_item() {
    let (trace, n) = in_root(|| token_stream("one two three").count());
    assert_eq!(n, 4);
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "token_stream");
    assert_eq!(
        attr_str(span, "llm.output_messages.0.message.content"),
        "one two three "
    );
    assert_eq!(
        span.status,
        Status::error("io::Error: rate limited mid-stream")
    );
    assert!(span.events.iter().any(|e| e.name == "exception"));
    assert_eq!(int_attr(span, "stack_trace.stream.items"), 4);
}

#[derive(serde::Serialize)]
struct Doc {
    id: String,
    content: String,
    score: f64,
}

#[retriever]
async fn search(query: &str) -> impl Stream<Item = Doc> {
    let q = query.to_owned();
    futures::stream::iter(0..3).map(move |i| Doc {
        id: format!("d{i}"),
        content: format!("{q} #{i}"),
        score: 1.0 - f64::from(i) / 10.0,
    })
}

#[test]
fn retriever_stream_records_its_documents() {
    install();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (trace, n) = in_root(|| rt.block_on(async { search("rust").await.count().await }));
    assert_eq!(n, 3);
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "search");
    assert_eq!(attr_str(span, "input.value"), "rust");
    assert_eq!(attr_str(span, "retrieval.documents.0.document.id"), "d0");
    assert_eq!(
        attr_str(span, "retrieval.documents.2.document.content"),
        "rust #2"
    );
    assert_eq!(
        attr(span, "retrieval.documents.1.document.score"),
        Some(&OtelValue::F64(0.9))
    );
}

#[chain(stream)]
fn boxed_numbers(n: u64) -> Box<dyn Iterator<Item = u64> + Send> {
    Box::new(0..n)
}

#[test]
fn boxed_iterator_with_the_flag_and_bounded_output() {
    let (trace, sum) = in_root(|| boxed_numbers(100_000).sum::<u64>());
    assert_eq!(sum, 4_999_950_000);
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "boxed_numbers");
    assert_eq!(int_attr(span, "stack_trace.stream.items"), 100_000);
    let output = attr_str(span, "output.value");
    assert!(output.len() <= 70 * 1024, "bounded: {} bytes", output.len());
    let parsed: Vec<Value> = serde_json::from_str(&output).expect("valid JSON");
    assert!(
        parsed
            .last()
            .and_then(Value::as_str)
            .is_some_and(|s| s.contains("more items not recorded")),
        "{:?}",
        parsed.last()
    );
}

#[test]
fn a_stream_dropped_unpolled_still_ends_once() {
    install();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (trace, ()) = in_root(|| {
        let stream = rt.block_on(chat_stream(vec![json!({"role": "user", "content": "x"})]));
        drop(stream);
    });
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "chat_stream");
    assert_eq!(count_named(&spans, "chat_stream"), 1);
    assert_eq!(
        attr(span, "stack_trace.cancelled"),
        Some(&OtelValue::Bool(true))
    );
    assert_eq!(int_attr(span, "stack_trace.stream.items"), 0);
}

/// What a client library names its stream type (async-openai's
/// `ChatCompletionResponseStream` is such an alias).
type ChunkStream = Pin<Box<dyn Stream<Item = Result<Value, std::io::Error>> + Send>>;

#[llm(stream)]
async fn client_stream(prompt: &str) -> Result<ChunkStream, std::io::Error> {
    let prompt = prompt.to_owned();
    Ok(Box::pin(futures::stream::iter(vec![Ok(
        json!({"choices": [{"index": 0, "delta": {"role": "assistant", "content": prompt}}]}),
    )])))
}

#[test]
fn a_stream_type_alias_with_the_flag() {
    install();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (trace, n) = in_root(|| {
        rt.block_on(async { client_stream("aliased").await.expect("ok").count().await })
    });
    assert_eq!(n, 1);
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "client_stream");
    assert_eq!(
        attr_str(span, "llm.output_messages.0.message.content"),
        "aliased"
    );
    assert_eq!(int_attr(span, "stack_trace.stream.items"), 1);
}

#[llm]
async fn connect_and_stream(
    messages: Vec<Value>,
) -> Result<impl Stream<Item = Value> + Send, std::io::Error> {
    if messages.is_empty() {
        return Err(std::io::Error::other("no messages to send"));
    }
    Ok(futures::stream::iter(vec![json!("Hi"), json!(" there")]))
}

#[test]
fn result_of_a_stream_traces_the_ok_stream_and_fails_on_err() {
    install();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let (trace, text) = in_root(|| {
        rt.block_on(async {
            let stream = connect_and_stream(vec![json!({"role": "user", "content": "hi"})])
                .await
                .expect("connected");
            stream
                .map(|v| v.as_str().unwrap_or_default().to_owned())
                .collect::<String>()
                .await
        })
    });
    assert_eq!(text, "Hi there");
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "connect_and_stream");
    assert_eq!(
        attr_str(span, "llm.output_messages.0.message.content"),
        "Hi there"
    );
    assert_eq!(span.status, Status::Ok);

    let (trace, failed) =
        in_root(|| rt.block_on(async { connect_and_stream(vec![]).await.is_err() }));
    assert!(failed);
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "connect_and_stream");
    assert_eq!(count_named(&spans, "connect_and_stream"), 1);
    assert_eq!(span.status, Status::error("io::Error: no messages to send"));
    assert!(attr(span, "stack_trace.cancelled").is_none());
}
