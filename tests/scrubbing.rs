//! No credential leaves the process: every place a secret sits in a captured
//! value, an error, a document, a stream, a hand-set attribute, the
//! application's own span or an HTTP request, checked on what the exporter
//! receives. Ordinary data next to it is kept, and each span says what was
//! removed.

use std::collections::BTreeMap;

use opentelemetry::trace::{Span as _, Status, Tracer as _, TracerProvider as _};
use opentelemetry_sdk::trace::SpanData;
use serde::Serialize;
use serde_json::{Value, json};
use stack_trace::testing::{attr, attr_str, in_root, named, spans_of};
use stack_trace_runtime::{agent, chain, current_span, llm, retriever, tool};

const OPENAI_KEY: &str = "sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56";
const BEARER: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJlLWJ5dGVz";
const GITHUB: &str = "ghp_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78";
const DB_PASSWORD: &str = "pw-8f3k2";
const SETTINGS_SECRET: &str = "s3cr3t-value-42";

/// Everything a span exports, as one text: name, every attribute, every
/// event attribute, the status.
fn exported_text(spans: &[SpanData]) -> String {
    let mut out = String::new();
    for span in spans {
        out.push_str(&format!("{}\n", span.name));
        for kv in &span.attributes {
            out.push_str(&format!("{}={}\n", kv.key, kv.value));
        }
        for event in &span.events.events {
            for kv in &event.attributes {
                out.push_str(&format!("{}:{}={}\n", event.name, kv.key, kv.value));
            }
        }
        if let Status::Error { description } = &span.status {
            out.push_str(&format!("status={description}\n"));
        }
    }
    out
}

fn assert_no_secret(spans: &[SpanData], secrets: &[&str]) {
    let text = exported_text(spans);
    for secret in secrets {
        assert!(!text.contains(secret), "{secret:?} was exported:\n{text}");
    }
}

fn scrubbed_report(span: &SpanData) -> Value {
    serde_json::from_str(&attr_str(span, "stack_trace.scrubbed")).expect("a scrubbed report")
}

#[derive(Serialize)]
struct ClientConfig {
    base_url: String,
    api_key: String,
    headers: BTreeMap<String, String>,
    retries: u32,
}

fn client_config() -> ClientConfig {
    ClientConfig {
        base_url: "https://api.example.com".into(),
        api_key: OPENAI_KEY.into(),
        headers: BTreeMap::from([
            ("Authorization".into(), format!("Bearer {BEARER}")),
            ("Accept".into(), "application/json".into()),
        ]),
        retries: 3,
    }
}

/// Calls the API.
#[tool]
fn call_api(config: &ClientConfig, prompt: &str) -> String {
    format!("{} chars sent to {}", prompt.len(), config.base_url)
}

#[test]
fn keys_at_every_depth_and_headers_and_pasted_keys() {
    let (trace, _) = in_root(|| call_api(&client_config(), &format!("use {OPENAI_KEY} please")));
    let spans = spans_of(&trace, 2);
    assert_no_secret(&spans, &[OPENAI_KEY, BEARER]);
    let span = named(&spans, "call_api");
    let input: Value = serde_json::from_str(&attr_str(span, "input.value")).unwrap();
    assert_eq!(
        input,
        json!({
            "config": {
                "base_url": "https://api.example.com",
                "api_key": "__REDACTED__",
                "headers": {"Accept": "application/json", "Authorization": "__REDACTED__"},
                "retries": 3
            },
            "prompt": "use __REDACTED__ please"
        })
    );
    let report = scrubbed_report(span);
    assert_eq!(report["removed"], 3, "{report}");
    let listed = report["input.value"].to_string();
    for what in [
        "key config.api_key",
        "key config.headers.Authorization",
        "format openai_api_key",
    ] {
        assert!(listed.contains(what), "{what} not in {report}");
    }
}

/// Plural and compound parameter names, and the ones that are not secret.
#[chain]
#[allow(clippy::too_many_arguments)]
fn names(
    api_keys: &[&str],
    secrets: &[&str],
    passwords: &[&str],
    cookies: &[&str],
    token_count: u32,
    cache_key: &str,
    primary_key: u64,
    max_tokens: u32,
) -> u32 {
    let _ = (
        api_keys,
        secrets,
        passwords,
        cookies,
        cache_key,
        primary_key,
    );
    token_count + max_tokens
}

#[test]
fn parameter_names_plural_and_plain() {
    let (trace, _) = in_root(|| names(&["k1"], &["s1"], &["p1"], &["c1"], 12, "user:7", 9, 256));
    let spans = spans_of(&trace, 2);
    let input: Value =
        serde_json::from_str(&attr_str(named(&spans, "names"), "input.value")).unwrap();
    for secret in ["api_keys", "secrets", "passwords", "cookies"] {
        assert_eq!(input[secret], "__REDACTED__", "{secret}: {input}");
    }
    assert_eq!(input["token_count"], 12);
    assert_eq!(input["cache_key"], "user:7");
    assert_eq!(input["primary_key"], 9);
    assert_eq!(input["max_tokens"], 256);
}

#[chain]
fn connect(database_url: &str) -> usize {
    database_url.len()
}

#[test]
fn the_password_of_a_url_only() {
    let url = format!("postgres://app:{DB_PASSWORD}@db/orders");
    let (trace, _) = in_root(|| connect(&url));
    let spans = spans_of(&trace, 2);
    assert_no_secret(&spans, &[DB_PASSWORD]);
    assert_eq!(
        attr_str(named(&spans, "connect"), "input.value"),
        "postgres://app:__REDACTED__@db/orders"
    );
}

#[llm]
fn complete(model: &str, messages: &[Value]) -> Value {
    let _ = messages;
    json!({"model": model, "choices": [{"index": 0, "message": {"role": "assistant",
        "content": format!("noted: your key {OPENAI_KEY}")}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 9, "completion_tokens": 4, "total_tokens": 13}})
}

#[test]
fn a_key_pasted_into_a_prompt_and_echoed_back() {
    let messages = [json!({"role": "user", "content": format!("here is my key: {OPENAI_KEY}")})];
    let (trace, _) = in_root(|| complete("gpt-4o-mini", &messages));
    let spans = spans_of(&trace, 2);
    assert_no_secret(&spans, &[OPENAI_KEY]);
    let span = named(&spans, "complete");
    assert_eq!(
        attr_str(span, "llm.input_messages.0.message.content"),
        "here is my key: __REDACTED__"
    );
    assert_eq!(
        attr_str(span, "llm.output_messages.0.message.content"),
        "noted: your key __REDACTED__"
    );
    assert_eq!(attr(span, "llm.token_count.total"), Some(&13_i64.into()));
    let report = scrubbed_report(span);
    assert!(
        report["input.value"].is_array() && report["output.value"].is_array(),
        "{report}"
    );
}

#[derive(Debug, thiserror::Error)]
#[error("upstream refused the call with Authorization: Bearer {0}")]
struct Upstream(String);

#[agent]
fn fetch() -> Result<u32, Upstream> {
    Err(Upstream(BEARER.to_owned()))
}

#[test]
fn a_bearer_token_in_an_error_message() {
    let (trace, _) = in_root(fetch);
    let spans = spans_of(&trace, 2);
    assert_no_secret(&spans, &[BEARER]);
    let span = named(&spans, "fetch");
    let Status::Error { description } = &span.status else {
        panic!("failed span")
    };
    assert_eq!(
        description.as_ref(),
        "Upstream: upstream refused the call with Authorization: Bearer __REDACTED__"
    );
    assert!(scrubbed_report(span)["exception.message"].is_array());
}

#[derive(Serialize)]
struct Doc {
    id: String,
    content: String,
    score: f64,
}

#[retriever]
fn search(query: &str) -> Vec<Doc> {
    vec![Doc {
        id: "runbook-1".into(),
        content: format!("deploy with GITHUB_TOKEN={GITHUB} then restart; {query}"),
        score: 0.9,
    }]
}

#[test]
fn a_token_in_a_retrieved_document() {
    let (trace, _) = in_root(|| search("deploy"));
    let spans = spans_of(&trace, 2);
    assert_no_secret(&spans, &[GITHUB]);
    assert_eq!(
        attr_str(
            named(&spans, "search"),
            "retrieval.documents.0.document.content"
        ),
        "deploy with GITHUB_TOKEN=__REDACTED__ then restart; deploy"
    );
}

/// A settings type with `Debug` only (no `Serialize`).
#[derive(Debug)]
#[allow(dead_code)]
struct Settings {
    region: &'static str,
    secret: String,
    timeout_ms: u64,
}

#[chain]
fn configure(settings: &Settings) -> bool {
    !settings.region.is_empty()
}

#[test]
fn a_debug_only_type_with_a_secret_field() {
    let settings = Settings {
        region: "eu-west-1",
        secret: SETTINGS_SECRET.into(),
        timeout_ms: 500,
    };
    let (trace, _) = in_root(|| configure(&settings));
    let spans = spans_of(&trace, 2);
    assert_no_secret(&spans, &[SETTINGS_SECRET]);
    assert_eq!(
        attr_str(named(&spans, "configure"), "input.value"),
        r#"Settings { region: "eu-west-1", secret: "__REDACTED__", timeout_ms: 500 }"#
    );
}

#[chain(unredact(config))]
fn trusted(config: &ClientConfig) -> u32 {
    config.retries
}

#[test]
fn unredact_keeps_the_whole_value() {
    let (trace, _) = in_root(|| trusted(&client_config()));
    let spans = spans_of(&trace, 2);
    let input = attr_str(named(&spans, "trusted"), "input.value");
    assert!(
        input.contains(OPENAI_KEY) && input.contains(BEARER),
        "{input}"
    );
}

#[tool]
fn annotate() -> u32 {
    let span = current_span();
    span.set_attribute("app.api_key", "hand-set-secret-1");
    span.set_attribute("app.note", format!("token {GITHUB}"));
    span.set_attribute("app.plain", "kept");
    1
}

#[test]
fn attributes_set_by_hand_and_the_application_s_own_spans() {
    let (trace, _) = in_root(|| {
        annotate();
        let tracer = opentelemetry::global::tracer_provider().tracer("app");
        let mut own = tracer.start("own-span");
        own.set_attribute(opentelemetry::KeyValue::new(
            "db.password",
            "hand-set-secret-2",
        ));
        own.set_attribute(opentelemetry::KeyValue::new("jwt.seen", BEARER));
        own.set_attribute(opentelemetry::KeyValue::new("db.name", "orders"));
        own.end();
    });
    let spans = spans_of(&trace, 3);
    assert_no_secret(
        &spans,
        &["hand-set-secret-1", "hand-set-secret-2", GITHUB, BEARER],
    );
    let mine = named(&spans, "annotate");
    assert_eq!(attr_str(mine, "app.plain"), "kept");
    assert!(
        scrubbed_report(mine)["app.api_key"].is_array(),
        "{}",
        scrubbed_report(mine)
    );
    let own = named(&spans, "own-span");
    assert_eq!(attr_str(own, "db.name"), "orders");
    assert_eq!(scrubbed_report(own)["removed"], 2);
}

/// A `Serialize` impl that must never run: it sits under a secret key.
struct Explodes;

impl Serialize for Explodes {
    fn serialize<S: serde::Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        panic!("the value under a secret key was serialized")
    }
}

#[derive(Serialize)]
struct Login {
    user: &'static str,
    password: Explodes,
}

#[chain]
fn login(login: &Login) -> bool {
    !login.user.is_empty()
}

#[chain]
fn ingest(blob: &str) -> usize {
    blob.len()
}

#[test]
fn panicking_and_enormous_values() {
    let (trace, _) = in_root(|| {
        login(&Login {
            user: "ada",
            password: Explodes,
        });
        // A key just past the value cap (64 KiB): cut off, never exported
        // in part; and one well inside.
        let mut blob = "x ".repeat(32 * 1024 - 8);
        blob.push_str(&format!(" {OPENAI_KEY} "));
        blob.push_str(&"y ".repeat(1024 * 1024));
        ingest(&blob)
    });
    let spans = spans_of(&trace, 3);
    let input = attr_str(named(&spans, "login"), "input.value");
    assert_eq!(input, r#"{"user":"ada","password":"__REDACTED__"}"#);
    assert_no_secret(&spans, &[OPENAI_KEY, &OPENAI_KEY[..20]]);
}

/// A streamed answer whose text deltas split a key in three.
#[llm]
fn streamed(prompt: &str) -> impl Iterator<Item = Value> {
    let _ = prompt;
    let (a, rest) = OPENAI_KEY.split_at(6);
    let (b, c) = rest.split_at(14);
    ["your key: ", a, b, c, " (rotate it)"]
        .into_iter()
        .map(|piece| json!({"model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"content": piece}}]}))
        .collect::<Vec<_>>()
        .into_iter()
}

/// Text items of a plain stream, a token split across them.
#[chain]
fn pieces() -> impl Iterator<Item = String> {
    let (a, b) = GITHUB.split_at(9);
    vec!["token=".to_owned(), a.to_owned(), b.to_owned()].into_iter()
}

#[test]
fn a_credential_split_across_stream_items() {
    let (trace, text) = in_root(|| {
        let n = streamed("hi").count();
        let joined: String = pieces().collect();
        (n, joined)
    });
    assert_eq!(
        text.1,
        format!("token={GITHUB}"),
        "the caller gets every item unchanged"
    );
    let spans = spans_of(&trace, 3);
    assert_no_secret(&spans, &[OPENAI_KEY, GITHUB]);
    assert_eq!(
        attr_str(
            named(&spans, "streamed"),
            "llm.output_messages.0.message.content"
        ),
        "your key: __REDACTED__ (rotate it)"
    );
    assert_eq!(
        attr_str(named(&spans, "pieces"), "output.value"),
        "token=__REDACTED__"
    );
}

#[test]
fn a_signed_url_in_the_http_server_span() {
    use stack_trace_runtime::http::TraceLayer;
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    // The request carries no `traceparent`: the server span starts a trace.
    let (_, (trace, status)) = in_root(|| {
        runtime.block_on(async {
            let app = axum::Router::new()
                .route("/download", axum::routing::get(|| async { "file" }))
                .layer(TraceLayer::new());
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .expect("bind");
            let address = listener.local_addr().expect("address");
            tokio::spawn(async move { axum::serve(listener, app).await });
            let url = format!(
                "http://{address}/download?X-Amz-Algorithm=AWS4-HMAC-SHA256\
                 &X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20250101%2Fus-east-1\
                 &X-Amz-Signature=9f86d081884c7d659a2feaa0c55ad015&page=2"
            );
            let response = reqwest::get(url).await.expect("request");
            let trace_id = response
                .headers()
                .get("x-trace-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
                .expect("x-trace-id");
            (trace_id, response.status())
        })
    });
    assert!(status.is_success());
    let spans = spans_of(&trace, 1);
    assert_no_secret(
        &spans,
        &["AKIAIOSFODNN7EXAMPLE", "9f86d081884c7d659a2feaa0c55ad015"],
    );
    let server = spans
        .iter()
        .find(|s| attr(s, "url.query").is_some())
        .expect("the server span");
    assert_eq!(
        attr_str(server, "url.query"),
        "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=__REDACTED__\
         &X-Amz-Signature=__REDACTED__&page=2"
    );
    assert!(scrubbed_report(server)["url.query"].is_array());
}
