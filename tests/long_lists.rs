//! Long lists do not push out what matters (issue 15, item 9): a transcript
//! of 6,000 or 60,000 messages keeps its system message and most recent
//! messages, counts the rest, and leaves room for the output, the response's
//! messages, token counts, model and invocation parameters. The same for
//! documents, embeddings and attributes set by hand.

use std::collections::BTreeSet;

use opentelemetry::Value as OtelValue;
use opentelemetry_sdk::trace::SpanData;
use serde_json::{Value, json};
use stack_trace::testing::{attr, attr_str, in_root, named, spans_of};
use stack_trace_runtime::{chain, current_span, embedding, llm, retriever};

/// The span's attribute limit (set where the provider is built).
const SPAN_LIMIT: usize = 10_000;

#[llm]
fn chat(messages: &[Value], temperature: f32) -> Value {
    let _ = temperature;
    json!({
        "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "finish_reason": "stop",
            "message": {"role": "assistant", "content": format!("read {} messages", messages.len())}}],
        "usage": {"prompt_tokens": 120_000, "completion_tokens": 7, "total_tokens": 120_007}
    })
}

fn transcript(n: usize) -> Vec<Value> {
    let mut messages = vec![json!({"role": "system", "content": "You are the planner."})];
    for i in 1..n {
        let role = if i % 2 == 1 { "user" } else { "assistant" };
        messages.push(json!({"role": role, "content": format!("turn {i}")}));
    }
    messages
}

fn int(span: &SpanData, key: &str) -> i64 {
    match attr(span, key) {
        Some(OtelValue::I64(i)) => *i,
        other => panic!("{key} is {other:?}, not an integer"),
    }
}

/// The indices present under `prefix` (`llm.input_messages`).
fn indices(span: &SpanData, prefix: &str) -> BTreeSet<usize> {
    span.attributes
        .iter()
        .filter_map(|kv| {
            let rest = kv.key.as_str().strip_prefix(prefix)?.strip_prefix('.')?;
            rest.split('.').next()?.parse().ok()
        })
        .collect()
}

fn long_transcript_keeps_the_response(n: usize) {
    let messages = transcript(n);
    let (trace, _) = in_root(|| chat(&messages, 0.3));
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "chat");
    assert!(s.attributes.len() <= SPAN_LIMIT, "{}", s.attributes.len());
    assert_eq!(s.dropped_attributes_count, 0);

    // The response, tokens, model and parameters all survive.
    assert!(attr_str(s, "output.value").contains(&format!("read {n} messages")));
    assert_eq!(
        attr_str(s, "llm.output_messages.0.message.content"),
        format!("read {n} messages")
    );
    assert_eq!(int(s, "llm.token_count.prompt"), 120_000);
    assert_eq!(int(s, "llm.token_count.completion"), 7);
    assert_eq!(int(s, "llm.token_count.total"), 120_007);
    assert_eq!(attr_str(s, "llm.model_name"), "gpt-4o-2024-08-06");
    assert!(attr_str(s, "llm.invocation_parameters").contains("\"temperature\":0.3"));

    // The system message and an unbroken run of the most recent messages,
    // each at its index in the whole transcript; the rest counted.
    let kept = indices(s, "llm.input_messages");
    assert!(kept.contains(&0));
    assert_eq!(attr_str(s, "llm.input_messages.0.message.role"), "system");
    assert_eq!(
        attr_str(s, "llm.input_messages.0.message.content"),
        "You are the planner."
    );
    let last = n - 1;
    assert_eq!(
        attr_str(s, &format!("llm.input_messages.{last}.message.content")),
        format!("turn {last}")
    );
    let recent: Vec<usize> = kept.iter().copied().filter(|&i| i > 0).collect();
    assert!(
        recent.len() > 1000,
        "only {} recent messages kept",
        recent.len()
    );
    assert_eq!(recent.len(), recent[recent.len() - 1] - recent[0] + 1);
    assert_eq!(*recent.last().unwrap(), last);
    let omitted = int(s, "stack_trace.llm.input_messages.omitted");
    assert_eq!(omitted as usize, n - kept.len());
}

#[test]
fn six_thousand_messages() {
    long_transcript_keeps_the_response(6_000);
}

#[test]
fn sixty_thousand_messages() {
    long_transcript_keeps_the_response(60_000);
}

#[test]
fn a_short_transcript_is_kept_whole() {
    let messages = transcript(40);
    let (trace, _) = in_root(|| chat(&messages, 0.3));
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "chat");
    assert_eq!(indices(s, "llm.input_messages").len(), 40);
    assert_eq!(attr(s, "stack_trace.llm.input_messages.omitted"), None);
}

#[retriever]
fn search(query: &str) -> Vec<Value> {
    (0..6_000)
        .map(|i| json!({"id": format!("doc-{i}"), "score": 1.0 / f64::from(i + 1), "content": format!("{query} {i}")}))
        .collect()
}

#[test]
fn many_documents_keep_the_best_ranked() {
    let (trace, _) = in_root(|| search("refund"));
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "search");
    assert!(s.attributes.len() <= SPAN_LIMIT);
    assert_eq!(s.dropped_attributes_count, 0);
    let kept = indices(s, "retrieval.documents");
    assert_eq!(kept.iter().copied().min(), Some(0));
    assert_eq!(kept.len(), kept.iter().copied().max().unwrap() + 1);
    assert_eq!(attr_str(s, "retrieval.documents.0.document.id"), "doc-0");
    assert_eq!(
        int(s, "stack_trace.retrieval.documents.omitted") as usize,
        6_000 - kept.len()
    );
    assert!(attr(s, "output.value").is_some());
}

#[embedding(model = "text-embedding-3-small")]
fn embed(texts: &[String]) -> Vec<Vec<f32>> {
    texts.iter().map(|_| vec![0.5; 4]).collect()
}

#[test]
fn many_embeddings_keep_the_first_and_the_model() {
    let texts: Vec<String> = (0..6_000).map(|i| format!("text {i}")).collect();
    let (trace, _) = in_root(|| embed(&texts));
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "embed");
    assert!(s.attributes.len() <= SPAN_LIMIT);
    assert_eq!(
        attr_str(s, "embedding.model_name"),
        "text-embedding-3-small"
    );
    let kept = indices(s, "embedding.embeddings");
    assert_eq!(kept.len(), kept.iter().copied().max().unwrap() + 1);
    assert_eq!(
        attr_str(s, "embedding.embeddings.0.embedding.text"),
        "text 0"
    );
    assert_eq!(
        int(s, "stack_trace.embedding.embeddings.omitted") as usize,
        6_000 - kept.len()
    );
    assert!(attr(s, "output.value").is_some());
}

#[chain]
fn flooded_by_hand(n: usize) -> String {
    let span = current_span();
    for i in 0..n {
        span.set_attribute(format!("app.note.{i}"), i64::try_from(i).unwrap());
    }
    span.set_attribute("llm.token_count.total", 42_i64);
    "the answer".to_owned()
}

#[test]
fn a_span_flooded_by_hand_keeps_its_output_and_tokens() {
    let (trace, _) = in_root(|| flooded_by_hand(20_000));
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "flooded_by_hand");
    assert_eq!(attr_str(s, "output.value"), "the answer");
    assert_eq!(int(s, "llm.token_count.total"), 42);
    assert!(s.attributes.len() <= SPAN_LIMIT + 256);
    assert!(s.dropped_attributes_count > 0);
}
