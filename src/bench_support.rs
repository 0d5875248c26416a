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

/// `work` under `#[tool]` (issue 17's sampled tool case).
#[stack_trace_runtime::tool]
#[inline(never)]
#[must_use]
pub fn tool_annotated(query: &str, top_k: usize) -> Vec<String> {
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

/// A chat of ten messages, as an LLM call receives it.
#[must_use]
pub fn ten_messages() -> Vec<serde_json::Value> {
    (0..10)
        .map(|i| {
            serde_json::json!({
                "role": if i % 2 == 0 { "user" } else { "assistant" },
                "content": format!("Message {i}: {}", "lorem ipsum dolor sit amet ".repeat(6)),
            })
        })
        .collect()
}

/// A chat whose user message is a 64 KiB prompt (ordinary text, code and
/// ids), with an API key pasted into its middle when `with_key`.
#[must_use]
pub fn big_prompt(with_key: bool) -> Vec<serde_json::Value> {
    let block = "Summarise the incident: request 550e8400-e29b-41d4-a716-446655440000 \
                 failed at https://api.example.com/v1/orders?page=2 with `fn main() { \
                 println!(\"{x}\"); }` and sha256 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08.\n";
    let mut text = String::with_capacity(64 * 1024 + 256);
    while text.len() < 32 * 1024 {
        text.push_str(block);
    }
    if with_key {
        text.push_str("my key is sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56 please use it\n");
    }
    while text.len() < 64 * 1024 - block.len() {
        text.push_str(block);
    }
    vec![
        serde_json::json!({"role": "system", "content": "You are a careful assistant."}),
        serde_json::json!({"role": "user", "content": text}),
    ]
}

/// The model's answer: an OpenAI chat completion.
#[inline(never)]
#[must_use]
pub fn chat_plain(model: &str, messages: &[serde_json::Value]) -> serde_json::Value {
    serde_json::json!({
        "model": model,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": format!("{} messages read", messages.len())}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 412, "completion_tokens": 5, "total_tokens": 417},
    })
}

/// `chat_plain` under `#[llm]`.
#[stack_trace_runtime::llm]
#[inline(never)]
#[must_use]
pub fn chat_annotated(model: &str, messages: &[serde_json::Value]) -> serde_json::Value {
    chat_plain(model, messages)
}

/// The `#[llm]` span of `chat_annotated` written by hand with the
/// OpenTelemetry API, as a careful user would: `input.value` and
/// `output.value` from serde_json, and the flattened message, token and model
/// keys built by the user's code.
#[inline(never)]
#[must_use]
pub fn chat_by_hand(
    tracer: &opentelemetry_sdk::trace::SdkTracer,
    model: &str,
    messages: &[serde_json::Value],
) -> serde_json::Value {
    let mut span = tracer.start("chat_annotated");
    if span.is_recording() {
        let input = serde_json::json!({"model": model, "messages": messages});
        let mut attributes = Vec::with_capacity(8 + 2 * messages.len());
        attributes.push(KeyValue::new("openinference.span.kind", "LLM"));
        attributes.push(KeyValue::new("input.value", input.to_string()));
        attributes.push(KeyValue::new("input.mime_type", "application/json"));
        for (i, m) in messages.iter().enumerate() {
            let role = m["role"].as_str().unwrap_or_default().to_owned();
            let content = m["content"].as_str().unwrap_or_default().to_owned();
            attributes.push(KeyValue::new(
                format!("llm.input_messages.{i}.message.role"),
                role,
            ));
            attributes.push(KeyValue::new(
                format!("llm.input_messages.{i}.message.content"),
                content,
            ));
        }
        attributes.push(KeyValue::new(
            "llm.invocation_parameters",
            serde_json::json!({"model": model}).to_string(),
        ));
        span.set_attributes(attributes);
    }
    let cx = Context::current_with_span(span);
    let response = {
        let _attached = cx.clone().attach();
        chat_plain(model, messages)
    };
    let span = cx.span();
    if span.is_recording() {
        let message = &response["choices"][0]["message"];
        let usage = &response["usage"];
        span.set_attributes([
            KeyValue::new("output.value", response.to_string()),
            KeyValue::new("output.mime_type", "application/json"),
            KeyValue::new(
                "llm.output_messages.0.message.role",
                message["role"].as_str().unwrap_or_default().to_owned(),
            ),
            KeyValue::new(
                "llm.output_messages.0.message.content",
                message["content"].as_str().unwrap_or_default().to_owned(),
            ),
            KeyValue::new(
                "llm.finish_reason",
                response["choices"][0]["finish_reason"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            ),
            KeyValue::new("llm.model_name", model.to_owned()),
            KeyValue::new(
                "llm.token_count.prompt",
                usage["prompt_tokens"].as_i64().unwrap_or(0),
            ),
            KeyValue::new(
                "llm.token_count.completion",
                usage["completion_tokens"].as_i64().unwrap_or(0),
            ),
            KeyValue::new(
                "llm.token_count.total",
                usage["total_tokens"].as_i64().unwrap_or(0),
            ),
        ]);
        span.set_status(opentelemetry::trace::Status::Ok);
    }
    span.end();
    response
}

/// A retrieved document.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Document {
    /// Its id.
    pub id: String,
    /// Its text.
    pub content: String,
    /// Its relevance.
    pub score: f64,
}

/// Ten documents for `query`.
#[inline(never)]
#[must_use]
pub fn search_plain(query: &str) -> Vec<Document> {
    (0..10)
        .map(|i| Document {
            id: format!("doc-{i}"),
            content: format!("{query}: {}", "chunk text ".repeat(12)),
            score: 1.0 - f64::from(i) / 20.0,
        })
        .collect()
}

/// `search_plain` under `#[retriever]`.
#[stack_trace_runtime::retriever]
#[inline(never)]
#[must_use]
pub fn search_annotated(query: &str) -> Vec<Document> {
    search_plain(query)
}

/// A 16 MiB image argument beside the usual ones, for every kind that
/// takes one (issue 15: the cost is its first bytes', not its size's).
pub mod large {
    use serde_json::Value;

    /// The image's size.
    pub const IMAGE_BYTES: usize = 16 << 20;

    /// The unannotated call: reads the image's length.
    #[inline(never)]
    #[must_use]
    pub fn plain(prompt: &str, image: &[u8]) -> usize {
        prompt.len() + image.len()
    }

    /// `plain` under `#[chain]`.
    #[stack_trace_runtime::chain]
    #[inline(never)]
    #[must_use]
    pub fn chain(prompt: &str, image: &[u8]) -> usize {
        plain(prompt, image)
    }

    /// An LLM call with one message and the image.
    #[stack_trace_runtime::llm]
    #[inline(never)]
    #[must_use]
    pub fn llm(messages: &[Value], image: &[u8]) -> Value {
        super::chat_plain(&image.len().to_string(), messages)
    }

    /// An embedding call with one text and the image.
    #[stack_trace_runtime::embedding(model = "clip")]
    #[inline(never)]
    #[must_use]
    pub fn embedding(input: &[String], image: &[u8]) -> Vec<Vec<f32>> {
        #[allow(clippy::cast_precision_loss)]
        let size = image.len() as f32;
        vec![vec![size]; input.len()]
    }

    /// A reranker call with two documents and the image.
    #[stack_trace_runtime::reranker]
    #[inline(never)]
    #[must_use]
    pub fn reranker(query: &str, documents: &[String], image: &[u8]) -> Vec<String> {
        let _ = (query, image);
        documents.to_vec()
    }
}
