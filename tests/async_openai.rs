//! The real `async-openai` 0.43 client against a local OpenAI-compatible
//! server this test starts (axum, JSON and server-sent events): a request
//! struct given as the only argument is read with no `messages = ...`
//! (messages, tools, invocation parameters), the response and the stream
//! (with its usage chunk) become the output messages and tokens, and a 401
//! ends the span as a failed call with the API's error.

use std::net::SocketAddr;

use async_openai::Client;
use async_openai::config::OpenAIConfig;
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionRequestSystemMessageArgs, ChatCompletionRequestUserMessageArgs,
    ChatCompletionResponseStream, ChatCompletionStreamOptions, ChatCompletionTool,
    ChatCompletionTools, CreateChatCompletionRequest, CreateChatCompletionRequestArgs,
    CreateChatCompletionResponse, FunctionObjectArgs,
};
use axum::Json;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use futures::StreamExt as _;
use opentelemetry::Value as OtelValue;
use opentelemetry_sdk::trace::SpanData;
use serde_json::{Value, json};
use stack_trace::testing::{attr, attr_str, in_root, named, spans_of};
use stack_trace_runtime::{in_current_span, llm};

const KEY: &str = "sk-test-local-0123456789abcdef0123456789";

/// What an OpenAI-compatible server answers: JSON, or SSE when the request
/// streams (with the usage chunk when asked); 401 for another key.
async fn completions(headers: HeaderMap, Json(request): Json<Value>) -> Response {
    let bearer = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    if bearer != format!("Bearer {KEY}") {
        let error = json!({"error": {"message": "Incorrect API key provided.",
            "type": "invalid_request_error", "param": null, "code": "invalid_api_key"}});
        return (StatusCode::UNAUTHORIZED, Json(error)).into_response();
    }
    let model = request["model"].as_str().unwrap_or("?").to_owned();
    let asked = request["messages"].as_array().map_or(0, Vec::len);
    if request["stream"] == json!(true) {
        let chunk = |delta: Value, finish: Value| {
            json!({"id": "chatcmpl-s1", "object": "chat.completion.chunk", "created": 1,
                "model": format!("{model}-2024-07-18"),
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})
        };
        let mut events = vec![
            chunk(json!({"role": "assistant", "content": ""}), Value::Null),
            chunk(json!({"content": "Hel"}), Value::Null),
            chunk(json!({"content": "lo!"}), Value::Null),
            chunk(json!({}), json!("stop")),
        ];
        if request["stream_options"]["include_usage"] == json!(true) {
            events.push(
                json!({"id": "chatcmpl-s1", "object": "chat.completion.chunk", "created": 1,
                "model": format!("{model}-2024-07-18"), "choices": [],
                "usage": {"prompt_tokens": 21, "completion_tokens": 3, "total_tokens": 24}}),
            );
        }
        let mut body = String::new();
        for event in events {
            body.push_str(&format!("data: {event}\n\n"));
        }
        body.push_str("data: [DONE]\n\n");
        return ([("content-type", "text/event-stream")], body).into_response();
    }
    Json(json!({
        "id": "chatcmpl-j1", "object": "chat.completion", "created": 1,
        "model": format!("{model}-2024-07-18"),
        "choices": [{"index": 0, "finish_reason": "stop", "logprobs": null,
            "message": {"role": "assistant", "content": format!("{asked} messages read"), "refusal": null}}],
        "usage": {"prompt_tokens": 30, "completion_tokens": 4, "total_tokens": 34}
    }))
    .into_response()
}

async fn server() -> SocketAddr {
    let app = axum::Router::new().route("/v1/chat/completions", axum::routing::post(completions));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("address");
    tokio::spawn(async move { axum::serve(listener, app).await.expect("serves") });
    addr
}

struct Model {
    client: Client<OpenAIConfig>,
}

impl Model {
    fn at(addr: SocketAddr, key: &str) -> Self {
        let config = OpenAIConfig::new()
            .with_api_base(format!("http://{addr}/v1"))
            .with_api_key(key);
        Self {
            client: Client::with_config(config),
        }
    }

    #[llm]
    async fn complete(
        &self,
        request: CreateChatCompletionRequest,
    ) -> Result<CreateChatCompletionResponse, OpenAIError> {
        self.client.chat().create(request).await
    }

    #[llm(stream)]
    async fn stream(
        &self,
        request: CreateChatCompletionRequest,
    ) -> Result<ChatCompletionResponseStream, OpenAIError> {
        self.client.chat().create_stream(request).await
    }
}

fn request(stream: bool) -> CreateChatCompletionRequest {
    let weather = FunctionObjectArgs::default()
        .name("get_weather")
        .description("Current weather for a city")
        .parameters(json!({"type": "object", "properties": {"city": {"type": "string"}}}))
        .build()
        .expect("function");
    let mut args = CreateChatCompletionRequestArgs::default();
    args.model("gpt-4o-mini")
        .temperature(0.2)
        .max_completion_tokens(64_u32)
        .messages([
            ChatCompletionRequestSystemMessageArgs::default()
                .content("You are terse.")
                .build()
                .expect("system")
                .into(),
            ChatCompletionRequestUserMessageArgs::default()
                .content("Say hello.")
                .build()
                .expect("user")
                .into(),
        ])
        .tools(vec![ChatCompletionTools::Function(ChatCompletionTool {
            function: weather,
        })]);
    if stream {
        args.stream_options(ChatCompletionStreamOptions {
            include_usage: Some(true),
            ..ChatCompletionStreamOptions::default()
        });
    }
    args.build().expect("request")
}

fn int(span: &SpanData, key: &str) -> Option<i64> {
    match attr(span, key) {
        Some(OtelValue::I64(n)) => Some(*n),
        _ => None,
    }
}

fn assert_request_read(span: &SpanData) {
    assert_eq!(
        attr_str(span, "llm.input_messages.0.message.role"),
        "system"
    );
    assert_eq!(
        attr_str(span, "llm.input_messages.1.message.content"),
        "Say hello."
    );
    let tool: Value =
        serde_json::from_str(&attr_str(span, "llm.tools.0.tool.json_schema")).expect("json");
    assert_eq!(tool["function"]["name"], "get_weather");
    let params: Value =
        serde_json::from_str(&attr_str(span, "llm.invocation_parameters")).expect("json");
    assert_eq!(params["model"], "gpt-4o-mini");
    assert_eq!(params["temperature"], 0.2);
    assert_eq!(params["max_completion_tokens"], 64);
    assert!(params.get("messages").is_none() && params.get("tools").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_struct_its_response_its_stream_and_a_401() {
    let addr = server().await;
    let model = Model::at(addr, KEY);

    let (trace, response) = in_root(|| {
        let (tx, rx) = std::sync::mpsc::channel();
        let fut = in_current_span(async move {
            let _ = tx.send(model.complete(request(false)).await);
        });
        tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(fut));
        rx.recv().expect("a response")
    });
    let response = response.expect("the local server answers");
    assert_eq!(
        response.choices[0].message.content.as_deref(),
        Some("2 messages read")
    );
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "Model::complete");
    assert_request_read(span);
    assert_eq!(
        attr_str(span, "llm.output_messages.0.message.content"),
        "2 messages read"
    );
    assert_eq!(attr_str(span, "llm.model_name"), "gpt-4o-mini-2024-07-18");
    assert_eq!(int(span, "llm.token_count.prompt"), Some(30));
    assert_eq!(int(span, "llm.token_count.total"), Some(34));
    assert_eq!(attr_str(span, "llm.system"), "openai");

    let model = Model::at(addr, KEY);
    let (trace, text) = in_root(|| {
        let fut = in_current_span(async move {
            let mut stream = model.stream(request(true)).await.expect("a stream");
            let mut text = String::new();
            while let Some(chunk) = stream.next().await {
                let chunk = chunk.expect("a chunk");
                if let Some(choice) = chunk.choices.first() {
                    text.push_str(choice.delta.content.as_deref().unwrap_or_default());
                }
            }
            text
        });
        tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(fut))
    });
    assert_eq!(text, "Hello!");
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "Model::stream");
    assert_request_read(span);
    assert_eq!(
        attr_str(span, "llm.output_messages.0.message.content"),
        "Hello!"
    );
    assert_eq!(attr_str(span, "llm.finish_reason"), "stop");
    assert_eq!(int(span, "llm.token_count.prompt"), Some(21));
    assert_eq!(int(span, "llm.token_count.completion"), Some(3));
    assert_eq!(int(span, "stack_trace.stream.items"), Some(5));

    let model = Model::at(addr, "sk-wrong-key-0000000000000000000000");
    let (trace, failed) = in_root(|| {
        let fut = in_current_span(async move { model.complete(request(false)).await });
        tokio::task::block_in_place(|| tokio::runtime::Handle::current().block_on(fut))
    });
    let error = failed.expect_err("401");
    assert!(error.to_string().contains("Incorrect API key"), "{error}");
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "Model::complete");
    assert!(
        matches!(span.status, opentelemetry::trace::Status::Error { .. }),
        "{:?}",
        span.status
    );
    let event = span
        .events
        .iter()
        .find(|e| e.name == "exception")
        .expect("an exception event");
    let message = event
        .attributes
        .iter()
        .find(|kv| kv.key.as_str() == "exception.message")
        .map(|kv| kv.value.as_str().into_owned())
        .unwrap_or_default();
    assert!(message.contains("Incorrect API key"), "{message}");
    assert_request_read(span);
    for kv in spans.iter().flat_map(|s| s.attributes.iter()) {
        assert!(!kv.value.as_str().contains("sk-wrong"), "{}", kv.key);
    }
}
