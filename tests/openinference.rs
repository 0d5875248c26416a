//! Kind-specific capture read back from finished spans: chat transcripts,
//! token counts, model, system and provider of `#[llm]` spans (OpenAI and
//! Anthropic shapes, `serde_json::Value` and user types), documents and query
//! of `#[retriever]` spans.

use opentelemetry::Value as OtelValue;
use opentelemetry_sdk::trace::SpanData;
use serde::Serialize;
use serde_json::{Value, json};
use stack_trace::testing::{attr, attr_str, in_root, named, spans_of};
use stack_trace_runtime::{llm, retriever};

fn int(span: &SpanData, key: &str) -> i64 {
    match attr(span, key) {
        Some(OtelValue::I64(i)) => *i,
        other => panic!("{key} is {other:?}, not an integer"),
    }
}

fn float(span: &SpanData, key: &str) -> f64 {
    match attr(span, key) {
        Some(OtelValue::F64(f)) => *f,
        other => panic!("{key} is {other:?}, not a float"),
    }
}

#[llm]
fn openai_chat(
    model: &str,
    messages: &[Value],
    tools: &[Value],
    temperature: f32,
    api_key: &str,
) -> Value {
    let _ = (model, messages, tools, temperature, api_key);
    json!({
        "id": "chatcmpl-123", "object": "chat.completion", "model": "gpt-4o-2024-08-06",
        "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
            "tool_calls": [{"id": "call_abc123", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]}}],
        "usage": {"prompt_tokens": 82, "completion_tokens": 17, "total_tokens": 99,
            "prompt_tokens_details": {"cached_tokens": 64},
            "completion_tokens_details": {"reasoning_tokens": 0}}
    })
}

#[test]
fn openai_shaped_llm_span_matches_the_worked_example() {
    let messages = vec![
        json!({"role": "system", "content": "You are a weather bot."}),
        json!({"role": "user", "content": "Weather in Paris?"}),
    ];
    let tools = vec![
        json!({"type": "function", "function": {"name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}),
    ];
    let (trace, _) = in_root(|| openai_chat("gpt-4o", &messages, &tools, 0.2, "sk-secret"));
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "openai_chat");
    assert_eq!(attr_str(s, "openinference.span.kind"), "LLM");
    assert_eq!(attr_str(s, "llm.model_name"), "gpt-4o-2024-08-06");
    assert_eq!(attr_str(s, "llm.system"), "openai");
    assert_eq!(attr_str(s, "llm.provider"), "openai");
    let params: Value = serde_json::from_str(&attr_str(s, "llm.invocation_parameters")).unwrap();
    assert_eq!(params["model"], "gpt-4o");
    assert!((params["temperature"].as_f64().unwrap() - 0.2).abs() < 1e-6);
    assert!(
        params.get("api_key").is_none(),
        "never a secret-named parameter: {params}"
    );
    assert_eq!(attr_str(s, "llm.input_messages.0.message.role"), "system");
    assert_eq!(
        attr_str(s, "llm.input_messages.0.message.content"),
        "You are a weather bot."
    );
    assert_eq!(attr_str(s, "llm.input_messages.1.message.role"), "user");
    assert_eq!(
        attr_str(s, "llm.input_messages.1.message.content"),
        "Weather in Paris?"
    );
    let tool: Value = serde_json::from_str(&attr_str(s, "llm.tools.0.tool.json_schema")).unwrap();
    assert_eq!(tool["function"]["name"], "get_weather");
    assert_eq!(
        attr_str(s, "llm.output_messages.0.message.role"),
        "assistant"
    );
    assert_eq!(
        attr_str(s, "llm.output_messages.0.message.tool_calls.0.tool_call.id"),
        "call_abc123"
    );
    assert_eq!(
        attr_str(
            s,
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.name"
        ),
        "get_weather"
    );
    assert_eq!(
        attr_str(
            s,
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.arguments"
        ),
        "{\"city\": \"Paris\"}"
    );
    assert_eq!(attr_str(s, "llm.finish_reason"), "tool_calls");
    assert_eq!(int(s, "llm.token_count.prompt"), 82);
    assert_eq!(int(s, "llm.token_count.completion"), 17);
    assert_eq!(int(s, "llm.token_count.total"), 99);
    assert_eq!(int(s, "llm.token_count.prompt_details.cache_read"), 64);
    assert_eq!(int(s, "llm.token_count.completion_details.reasoning"), 0);
    assert_eq!(attr_str(s, "output.mime_type"), "application/json");
    assert!(!attr_str(s, "input.value").contains("sk-secret"));
}

/// A user's own response type: Anthropic's shape.
#[derive(Serialize)]
struct AnthropicMessage {
    id: String,
    #[serde(rename = "type")]
    kind: &'static str,
    role: &'static str,
    model: String,
    content: Vec<Block>,
    stop_reason: &'static str,
    usage: Usage,
}

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Block {
    Text {
        text: String,
    },
    ToolUse {
        id: String,
        name: String,
        input: Value,
    },
}

#[derive(Serialize)]
struct Usage {
    input_tokens: u32,
    output_tokens: u32,
    cache_read_input_tokens: u32,
}

#[derive(Serialize, Clone)]
struct ChatRequest {
    model: String,
    max_tokens: u32,
    messages: Vec<Value>,
}

#[llm(messages = request)]
async fn anthropic_chat(request: ChatRequest) -> Result<AnthropicMessage, std::io::Error> {
    Ok(AnthropicMessage {
        id: "msg_1".into(),
        kind: "message",
        role: "assistant",
        model: "claude-sonnet-4-5-20250929".into(),
        content: vec![
            Block::Text {
                text: "Let me check.".into(),
            },
            Block::ToolUse {
                id: "toolu_1".into(),
                name: "get_weather".into(),
                input: json!({"city": "Paris"}),
            },
        ],
        stop_reason: "tool_use",
        usage: Usage {
            input_tokens: 10,
            output_tokens: 7,
            cache_read_input_tokens: 100,
        },
    })
}

#[tokio::test(flavor = "current_thread")]
async fn anthropic_shaped_user_types_and_a_request_struct() {
    use opentelemetry::trace::{
        FutureExt as _, TraceContextExt as _, Tracer as _, TracerProvider as _,
    };
    stack_trace::testing::install();
    let tracer = opentelemetry::global::tracer_provider().tracer("tests");
    let cx = opentelemetry::Context::current_with_span(tracer.start("root"));
    let trace = cx.span().span_context().trace_id().to_string();
    let request = ChatRequest {
        model: "claude-sonnet-4-5".into(),
        max_tokens: 256,
        messages: vec![
            json!({"role": "user", "content": [{"type": "text", "text": "Weather in Paris?"}]}),
        ],
    };
    anthropic_chat(request)
        .with_context(cx.clone())
        .await
        .unwrap();
    cx.span().end();
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "anthropic_chat");
    assert_eq!(attr_str(s, "llm.model_name"), "claude-sonnet-4-5-20250929");
    assert_eq!(attr_str(s, "llm.system"), "anthropic");
    assert_eq!(attr_str(s, "llm.provider"), "anthropic");
    let params: Value = serde_json::from_str(&attr_str(s, "llm.invocation_parameters")).unwrap();
    assert_eq!(
        params,
        json!({"model": "claude-sonnet-4-5", "max_tokens": 256})
    );
    assert_eq!(
        attr_str(s, "llm.input_messages.0.message.content"),
        "Weather in Paris?"
    );
    assert_eq!(
        attr_str(s, "llm.output_messages.0.message.content"),
        "Let me check."
    );
    assert_eq!(
        attr_str(
            s,
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.name"
        ),
        "get_weather"
    );
    assert_eq!(int(s, "llm.token_count.prompt"), 110);
    assert_eq!(int(s, "llm.token_count.completion"), 7);
    assert_eq!(int(s, "llm.token_count.total"), 117);
    assert_eq!(int(s, "llm.token_count.prompt_details.cache_read"), 100);
}

#[llm(
    model = "local-llama",
    provider = "ollama",
    system = "meta",
    params(temperature)
)]
fn unknown_shape(prompt: &str, temperature: f64, top_p: f64) -> Result<String, String> {
    let _ = top_p;
    if prompt.is_empty() {
        Err("empty prompt".to_owned())
    } else {
        Ok(format!("echo {prompt}"))
    }
}

#[test]
fn unknown_response_shape_still_gets_output_and_attributes_from_arguments() {
    let (trace, _) = in_root(|| (unknown_shape("hi", 0.5, 0.9), unknown_shape("", 0.5, 0.9)));
    let spans = spans_of(&trace, 3);
    for s in spans.iter().filter(|s| s.name == "unknown_shape") {
        assert_eq!(attr_str(s, "llm.model_name"), "local-llama");
        assert_eq!(attr_str(s, "llm.provider"), "ollama");
        assert_eq!(attr_str(s, "llm.system"), "meta");
        assert_eq!(
            attr_str(s, "llm.invocation_parameters"),
            r#"{"temperature":0.5}"#
        );
        assert!(attr(s, "llm.token_count.prompt").is_none());
    }
    let ok = spans
        .iter()
        .find(|s| s.name == "unknown_shape" && attr(s, "output.value").is_some())
        .unwrap();
    assert_eq!(attr_str(ok, "output.value"), "echo hi");
}

#[derive(Serialize, Debug)]
struct Chunk {
    id: String,
    score: f32,
    text: String,
    metadata: serde_json::Map<String, Value>,
}

#[retriever]
fn search(query: &str, top_k: usize) -> Result<Vec<Chunk>, std::io::Error> {
    Ok((0..top_k)
        .map(|i| Chunk {
            id: format!("kb-{i}"),
            score: 0.5 + i as f32 / 4.0,
            text: format!("chunk {i} about {query}"),
            metadata: json!({"source": "kb/security.md", "chunk": i})
                .as_object()
                .unwrap()
                .clone(),
        })
        .collect())
}

#[retriever(query = question)]
fn tuples(index: &str, question: String) -> Vec<(String, f64)> {
    vec![(format!("{index}: {question}"), 0.9)]
}

#[test]
fn retriever_documents_and_query() {
    let (trace, _) = in_root(|| {
        let _ = search("how do I rotate api keys?", 2);
        tuples("faq", "why?".into())
    });
    let spans = spans_of(&trace, 3);
    let s = named(&spans, "search");
    assert_eq!(attr_str(s, "input.value"), "how do I rotate api keys?");
    assert_eq!(attr_str(s, "input.mime_type"), "text/plain");
    assert_eq!(attr_str(s, "retrieval.documents.0.document.id"), "kb-0");
    assert!((float(s, "retrieval.documents.1.document.score") - 0.75).abs() < 1e-6);
    assert_eq!(
        attr_str(s, "retrieval.documents.1.document.content"),
        "chunk 1 about how do I rotate api keys?"
    );
    let metadata: Value =
        serde_json::from_str(&attr_str(s, "retrieval.documents.0.document.metadata")).unwrap();
    assert_eq!(metadata, json!({"source": "kb/security.md", "chunk": 0}));
    let t = named(&spans, "tuples");
    assert_eq!(attr_str(t, "input.value"), "why?");
    assert_eq!(
        attr_str(t, "retrieval.documents.0.document.content"),
        "faq: why?"
    );
    assert!((float(t, "retrieval.documents.0.document.score") - 0.9).abs() < 1e-9);
}

#[stack_trace_runtime::embedding(model = "text-embedding-3-small")]
fn embed(texts: &[&str]) -> Vec<Vec<f32>> {
    texts.iter().map(|t| vec![t.len() as f32, 0.5]).collect()
}

#[stack_trace_runtime::embedding]
fn embed_openai(model: &str, input: Vec<String>) -> Value {
    json!({"object": "list", "model": "text-embedding-3-large",
        "data": input.iter().enumerate().map(|(i, t)| json!({"object": "embedding", "index": i, "embedding": [t.len(), 1.5]})).collect::<Vec<_>>(),
        "usage": {"prompt_tokens": 8, "total_tokens": 8}, "requested": model})
}

#[test]
fn embedding_spans_pair_texts_with_vectors() {
    let (trace, _) = in_root(|| {
        embed(&["hello", "world!"]);
        embed_openai("text-embedding-3-large", vec!["abc".into()]);
    });
    let spans = spans_of(&trace, 3);
    let s = named(&spans, "embed");
    assert_eq!(attr_str(s, "openinference.span.kind"), "EMBEDDING");
    assert_eq!(
        attr_str(s, "embedding.model_name"),
        "text-embedding-3-small"
    );
    assert_eq!(
        attr_str(s, "embedding.embeddings.0.embedding.text"),
        "hello"
    );
    assert_eq!(
        attr_str(s, "embedding.embeddings.1.embedding.text"),
        "world!"
    );
    assert_eq!(
        attr(s, "embedding.embeddings.1.embedding.vector"),
        Some(&OtelValue::Array(opentelemetry::Array::F64(vec![6.0, 0.5])))
    );
    let o = named(&spans, "embed_openai");
    assert_eq!(
        attr_str(o, "embedding.model_name"),
        "text-embedding-3-large"
    );
    assert_eq!(attr_str(o, "embedding.embeddings.0.embedding.text"), "abc");
    assert_eq!(
        attr(o, "embedding.embeddings.0.embedding.vector"),
        Some(&OtelValue::Array(opentelemetry::Array::F64(vec![3.0, 1.5])))
    );
    assert_eq!(int(o, "llm.token_count.prompt"), 8);
    assert!(
        attr(o, "llm.system").is_none(),
        "embedding spans carry no llm.system"
    );
}

#[derive(Serialize, Clone, Debug)]
struct Candidate {
    id: u32,
    text: String,
    score: f64,
}

#[stack_trace_runtime::reranker(model = "cross-encoder/ms-marco-MiniLM-L-12-v2")]
fn rerank(query: &str, documents: Vec<Candidate>, top_k: usize) -> Vec<Candidate> {
    let mut docs: Vec<Candidate> = documents
        .into_iter()
        .map(|mut d| {
            d.score = if d.text.contains(query) { 0.9 } else { 0.1 };
            d
        })
        .collect();
    docs.sort_by(|a, b| b.score.total_cmp(&a.score));
    docs.truncate(top_k);
    docs
}

#[test]
fn reranker_spans_record_query_top_k_and_both_document_lists() {
    let candidates = vec![
        Candidate {
            id: 1,
            text: "about cats".into(),
            score: 0.5,
        },
        Candidate {
            id: 2,
            text: "about keys".into(),
            score: 0.4,
        },
        Candidate {
            id: 3,
            text: "about dogs".into(),
            score: 0.3,
        },
    ];
    let (trace, _) = in_root(|| rerank("keys", candidates, 2));
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "rerank");
    assert_eq!(attr_str(s, "openinference.span.kind"), "RERANKER");
    assert_eq!(attr_str(s, "reranker.query"), "keys");
    assert_eq!(int(s, "reranker.top_k"), 2);
    assert_eq!(
        attr_str(s, "reranker.model_name"),
        "cross-encoder/ms-marco-MiniLM-L-12-v2"
    );
    assert_eq!(int(s, "reranker.input_documents.2.document.id"), 3);
    assert_eq!(
        attr_str(s, "reranker.input_documents.0.document.content"),
        "about cats"
    );
    assert!((float(s, "reranker.input_documents.0.document.score") - 0.5).abs() < 1e-9);
    assert_eq!(int(s, "reranker.output_documents.0.document.id"), 2);
    assert!((float(s, "reranker.output_documents.0.document.score") - 0.9).abs() < 1e-9);
    assert!(attr(s, "reranker.output_documents.2.document.id").is_none());
}

mod described {
    use super::*;
    use stack_trace_runtime::describe::{
        DescribeDocuments, DescribeLlmResponse, DescribeMessages, Document, Message, TokenUsage,
        ToolCall,
    };

    /// A message list of a shape the macros cannot read.
    pub struct Transcript(pub Vec<(char, String)>);

    impl DescribeMessages for Transcript {
        fn messages(&self) -> Vec<Message> {
            self.0
                .iter()
                .map(|(who, text)| {
                    Message::new(if *who == 'u' { "user" } else { "assistant" })
                        .content(text.clone())
                })
                .collect()
        }
    }

    /// A response of a shape the macros cannot read (and not `Serialize`).
    pub struct Reply {
        pub text: String,
    }

    impl DescribeLlmResponse for Reply {
        fn output_messages(&self) -> Vec<Message> {
            vec![
                Message::new("assistant")
                    .content(self.text.clone())
                    .tool_call(ToolCall {
                        id: Some("c1".into()),
                        name: "lookup".into(),
                        arguments: "{\"q\":1}".into(),
                    }),
            ]
        }
        fn token_usage(&self) -> Option<TokenUsage> {
            Some(TokenUsage {
                cache_read: Some(2),
                ..TokenUsage::new(10, 4)
            })
        }
        fn model_name(&self) -> Option<String> {
            Some("my-local-model".into())
        }
    }

    #[llm]
    pub fn local_chat(messages: Transcript) -> Reply {
        Reply {
            text: format!("{} turns", messages.0.len()),
        }
    }

    pub struct Hits(pub Vec<(u32, f64)>);

    impl DescribeDocuments for Hits {
        fn documents(&self) -> Vec<Document> {
            self.0
                .iter()
                .map(|(id, score)| Document {
                    id: Some(id.to_string()),
                    score: Some(*score),
                    content: Some(format!("doc {id}")),
                    metadata: Some(json!({"shard": 1})),
                })
                .collect()
        }
    }

    #[retriever]
    pub fn lookup(query: &str) -> Hits {
        let _ = query;
        Hits(vec![(7, 0.8), (9, 0.4)])
    }
}

#[test]
fn user_types_describe_themselves() {
    let transcript = described::Transcript(vec![
        ('u', "hello".into()),
        ('a', "hi!".into()),
        ('u', "how?".into()),
    ]);
    let (trace, _) = in_root(|| {
        described::local_chat(transcript);
        described::lookup("q")
    });
    let spans = spans_of(&trace, 3);
    let s = named(&spans, "local_chat");
    assert_eq!(attr_str(s, "llm.input_messages.0.message.role"), "user");
    assert_eq!(attr_str(s, "llm.input_messages.2.message.content"), "how?");
    assert_eq!(
        attr_str(s, "llm.output_messages.0.message.content"),
        "3 turns"
    );
    assert_eq!(
        attr_str(
            s,
            "llm.output_messages.0.message.tool_calls.0.tool_call.function.name"
        ),
        "lookup"
    );
    assert_eq!(int(s, "llm.token_count.total"), 14);
    assert_eq!(int(s, "llm.token_count.prompt_details.cache_read"), 2);
    assert_eq!(attr_str(s, "llm.model_name"), "my-local-model");
    assert!(
        attr_str(s, "output.value").contains("Reply"),
        "opaque type still gets output.value"
    );
    let r = named(&spans, "lookup");
    assert_eq!(attr_str(r, "retrieval.documents.1.document.id"), "9");
    assert!((float(r, "retrieval.documents.0.document.score") - 0.8).abs() < 1e-9);
    assert_eq!(
        attr_str(r, "retrieval.documents.0.document.metadata"),
        r#"{"shard":1}"#
    );
}

#[llm]
fn complete(prompt: &str, model: &str, max_tokens: u32) -> Value {
    json!({"id": "cmpl-1", "object": "text_completion", "model": "gpt-3.5-turbo-instruct-0914",
        "choices": [{"text": format!("{prompt}..."), "index": 0, "finish_reason": "length"}],
        "usage": {"prompt_tokens": 5, "completion_tokens": max_tokens, "total_tokens": 5 + max_tokens}, "m": model})
}

#[test]
fn legacy_completions_and_request_versus_response_model() {
    let (trace, _) = in_root(|| complete("Once upon a time", "gpt-3.5-turbo-instruct", 16));
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "complete");
    assert_eq!(attr_str(s, "llm.prompts.0.prompt.text"), "Once upon a time");
    assert_eq!(
        attr_str(s, "llm.choices.0.completion.text"),
        "Once upon a time..."
    );
    assert_eq!(attr_str(s, "llm.model_name"), "gpt-3.5-turbo-instruct-0914");
    assert_eq!(
        attr_str(s, "llm.request.model_name"),
        "gpt-3.5-turbo-instruct"
    );
    assert_eq!(
        attr_str(s, "llm.response.model_name"),
        "gpt-3.5-turbo-instruct-0914"
    );
    assert_eq!(
        attr_str(s, "llm.invocation_parameters"),
        r#"{"max_tokens":16,"model":"gpt-3.5-turbo-instruct"}"#
    );
    assert_eq!(int(s, "llm.token_count.completion"), 16);
    assert_eq!(attr_str(s, "llm.finish_reason"), "length");
}

#[stack_trace_runtime::embedding]
fn embed_with_params(texts: Vec<String>, model: &str, dimensions: u32) -> Vec<Vec<f32>> {
    let _ = model;
    texts
        .iter()
        .map(|_| vec![0.0; dimensions as usize])
        .collect()
}

#[test]
fn embedding_invocation_parameters() {
    let (trace, _) = in_root(|| embed_with_params(vec!["a".into()], "text-embedding-3-small", 2));
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "embed_with_params");
    assert_eq!(
        attr_str(s, "embedding.model_name"),
        "text-embedding-3-small"
    );
    assert_eq!(
        attr_str(s, "embedding.invocation_parameters"),
        r#"{"dimensions":2,"model":"text-embedding-3-small"}"#
    );
}
