//! An axum service traced end to end. `POST /chat` runs a small agent (a
//! retrieval, a tool, a streamed model call) and returns the answer;
//! `POST /chat/stream` streams the model's tokens to the client as they come.
//! Every response, errors included, carries `X-Trace-Id`; an incoming
//! `traceparent` is continued; `x-user-id` / `x-session-id` headers become
//! `user.id` / `session.id` on every span of the request.
//!
//! ```text
//! cargo run --example server          # listens on 127.0.0.1:3000 (PORT=... to change)
//! curl -si localhost:3000/chat -H 'content-type: application/json' \
//!      -d '{"question": "How do I flush spans at exit?"}'
//! ```
//!
//! The model is scripted (deterministic, no network), so the example runs
//! anywhere; with `PHOENIX_COLLECTOR_ENDPOINT` set the traces go to Phoenix.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use futures::{Stream, StreamExt as _};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use stack_trace_runtime::http::{RequestIdentity, TraceLayer};
use stack_trace_runtime::{TraceHandle, agent, current_trace_id, llm, retriever, tool};

#[derive(Clone, Debug, Serialize)]
struct Doc {
    id: &'static str,
    content: &'static str,
    score: f64,
}

const DOCS: &[(&str, &str)] = &[
    (
        "flush",
        "Dropping the guard returned by init() flushes and shuts down within a cap.",
    ),
    (
        "sampling",
        "Tail sampling keeps every failed and slow trace and a ratio of the rest.",
    ),
    (
        "streams",
        "Functions returning impl Stream keep their span open until the stream ends.",
    ),
];

/// Finds the documents that share words with the query.
#[retriever]
async fn search_docs(query: &str, top_k: usize) -> Vec<Doc> {
    tokio::time::sleep(Duration::from_millis(3)).await;
    let words: Vec<String> = query
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 3)
        .map(str::to_lowercase)
        .collect();
    let mut scored: Vec<Doc> = DOCS
        .iter()
        .map(|(id, content)| {
            let hits = words
                .iter()
                .filter(|w| content.to_lowercase().contains(w.as_str()))
                .count();
            #[allow(clippy::cast_precision_loss)]
            let score = hits as f64 / words.len().max(1) as f64;
            Doc { id, content, score }
        })
        .collect();
    scored.sort_by(|a, b| b.score.total_cmp(&a.score));
    scored.truncate(top_k);
    scored
}

/// Today's date, for answers that need it.
#[tool]
async fn today() -> String {
    "2026-11-24".to_owned()
}

/// A streamed chat completion, as an OpenAI-compatible client yields it.
#[llm]
async fn chat(
    model: &str,
    messages: Vec<Value>,
) -> impl Stream<Item = Result<Value, std::io::Error>> + Send + use<> {
    let context = messages
        .iter()
        .filter_map(|m| m["content"].as_str())
        .find(|c| c.starts_with("Context:"))
        .unwrap_or("Context: nothing found.")
        .trim_start_matches("Context: ")
        .to_owned();
    let words: Vec<String> = format!("From the docs: {context}")
        .split_inclusive(' ')
        .map(str::to_owned)
        .collect();
    let model = model.to_owned();
    let completion_tokens = words.len();
    let first = json!({"object": "chat.completion.chunk", "model": model,
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]});
    let deltas = words.into_iter().map(move |w| {
        json!({"object": "chat.completion.chunk", "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"index": 0, "delta": {"content": w}}]})
    });
    let last = [
        json!({"object": "chat.completion.chunk", "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}),
        json!({"object": "chat.completion.chunk", "model": "gpt-4o-mini-2024-07-18", "choices": [],
            "usage": {"prompt_tokens": 48, "completion_tokens": completion_tokens,
                      "total_tokens": 48 + completion_tokens}}),
    ];
    futures::stream::iter(std::iter::once(first).chain(deltas).chain(last)).then(
        |chunk| async move {
            tokio::time::sleep(Duration::from_millis(4)).await;
            Ok(chunk)
        },
    )
}

/// The text delta of one chunk.
fn delta_text(chunk: &Value) -> &str {
    chunk["choices"][0]["delta"]["content"]
        .as_str()
        .unwrap_or_default()
}

async fn prompt(question: &str) -> Vec<Value> {
    let docs = search_docs(question, 2).await;
    let context: Vec<&str> = docs
        .iter()
        .filter(|d| d.score > 0.0)
        .map(|d| d.content)
        .collect();
    vec![
        json!({"role": "system", "content": format!("Answer briefly. Today is {}.", today().await)}),
        json!({"role": "user", "content": format!("Context: {}", context.join(" "))}),
        json!({"role": "user", "content": question}),
    ]
}

/// Answers one question: retrieve, then stream the model's answer.
#[agent]
async fn answer(question: String) -> Result<String, std::io::Error> {
    let mut stream = Box::pin(chat("gpt-4o-mini", prompt(&question).await).await);
    let mut text = String::new();
    while let Some(chunk) = stream.next().await {
        text.push_str(delta_text(&chunk?));
    }
    Ok(text)
}

#[derive(Deserialize)]
struct ChatRequest {
    question: String,
}

#[derive(Serialize)]
struct ChatResponse {
    answer: String,
    trace_id: Option<TraceHandle>,
}

fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({"error": message}))).into_response()
}

async fn chat_handler(Json(request): Json<ChatRequest>) -> Response {
    if request.question.trim().is_empty() {
        return bad_request("the question is empty");
    }
    match answer(request.question).await {
        Ok(answer) => Json(ChatResponse {
            answer,
            trace_id: current_trace_id(),
        })
        .into_response(),
        Err(e) => (StatusCode::INTERNAL_SERVER_ERROR, e.to_string()).into_response(),
    }
}

/// Streams the model's tokens to the client as they arrive. The model's
/// span stays open until the last token is sent, or the client goes away.
async fn chat_stream_handler(Json(request): Json<ChatRequest>) -> Response {
    if request.question.trim().is_empty() {
        return bad_request("the question is empty");
    }
    let messages = prompt(&request.question).await;
    let tokens = chat("gpt-4o-mini", messages)
        .await
        .map(|chunk| chunk.map(|c| Bytes::from(delta_text(&c).to_owned())));
    Body::from_stream(tokens).into_response()
}

fn header(request: &axum::http::request::Parts, name: &str) -> Option<String> {
    request
        .headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

fn app() -> Router {
    Router::new()
        .route("/chat", post(chat_handler))
        .route("/chat/stream", post(chat_stream_handler))
        .layer(TraceLayer::new().identify(|request| RequestIdentity {
            user_id: header(request, "x-user-id"),
            session_id: header(request, "x-session-id"),
        }))
}

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let guard = stack_trace_runtime::init();
    let port = std::env::var("PORT").unwrap_or_else(|_| "3000".to_owned());
    let listener = tokio::net::TcpListener::bind(format!("127.0.0.1:{port}")).await?;
    println!("listening on http://{}", listener.local_addr()?);
    axum::serve(listener, app())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    drop(guard); // flushes what is left, within the shutdown cap
    Ok(())
}
