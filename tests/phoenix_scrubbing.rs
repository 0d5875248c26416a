//! End to end, no credential leaves the process: one agent run puts a secret
//! in every place the issue lists (a nested struct field, a header map, a
//! database URL, a prompt, an error, a retrieved document, a `Debug`-only
//! type, tool-call arguments, a stream, an attribute set by hand, the
//! application's own span, an HTTP server span's signed URL). It is exported
//! over OTLP/HTTP to the test receiver, to a real Phoenix of this test's own,
//! and to the console waterfall. Then every byte the receiver decoded, every
//! span Phoenix serves and every file Phoenix wrote (its `SQLite` database,
//! the write-ahead log, its log) is searched for the secrets. Ordinary data
//! next to them is there, so the search can fail.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use opentelemetry::trace::{Span as _, Tracer as _, TracerProvider as _};
use serde::Serialize;
use serde_json::{Value, json};
use stack_trace::phoenix::{OwnPhoenix, attribute, by_name};
use stack_trace::receiver::{Behaviour, Receiver};
use stack_trace_runtime::http::TraceLayer;
use stack_trace_runtime::{Config, agent, chain, current_span, llm, retriever, tool};

const OPENAI_KEY: &str = "sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56";
const ANTHROPIC_KEY: &str = "sk-ant-api03-Zx81Yw72Xv63Wu54Vt45Us36Tr27Sq18Rp09Qo1Pn2Om3Nl4Mk5Lj6Ki7Jh8Ig9Hf0Ge1Fd2Ec3Db4Ca5";
const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1c2VyLTQyIn0.c2lnbmF0dXJlLWJ5dGVz";
const GITHUB: &str = "ghp_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78";
const AWS_KEY_ID: &str = "AKIAZ7XQ2W3E4R5T6Y7U";
const SLACK: &str = "xoxb-1234567890-1234567890123-Ab12Cd34Ef56Gh78Ij90Kl12";
const DB_PASSWORD: &str = "pw-8f3k2x";
const SETTINGS_SECRET: &str = "s3cr3t-value-42";
const HAND_SET: &str = "hand-set-secret-77";
const OWN_SPAN_PASSWORD: &str = "own-span-secret-88";
const SIGNATURE: &str = "9f86d081884c7d659a2feaa0c55ad015";

const SECRETS: &[&str] = &[
    OPENAI_KEY,
    ANTHROPIC_KEY,
    JWT,
    GITHUB,
    AWS_KEY_ID,
    SLACK,
    DB_PASSWORD,
    SETTINGS_SECRET,
    HAND_SET,
    OWN_SPAN_PASSWORD,
    SIGNATURE,
];

/// Data exported next to the secrets, found wherever they are searched for.
const KEPT: &[&str] = &[
    "api.example.com",
    "db.internal:5432/orders",
    "eu-west-1",
    "runbook-7",
    "lookup_account",
    "__REDACTED__",
];

#[derive(Serialize)]
struct ClientConfig {
    base_url: String,
    api_key: String,
    headers: BTreeMap<String, String>,
}

/// A settings type with `Debug` only.
#[derive(Debug)]
#[allow(dead_code)]
struct Settings {
    region: &'static str,
    secret: &'static str,
}

#[derive(Debug, thiserror::Error)]
#[error("upstream refused Authorization: Bearer {0}")]
struct Refused(String);

#[tool]
fn call_api(config: &ClientConfig, prompt: &str) -> usize {
    prompt.len() + config.base_url.len()
}

#[chain]
fn connect(database_url: &str, settings: &Settings) -> usize {
    database_url.len() + settings.region.len()
}

#[tool]
fn refresh() -> Result<u32, Refused> {
    Err(Refused(JWT.to_owned()))
}

#[derive(Serialize)]
struct Doc {
    id: &'static str,
    content: String,
}

#[retriever]
fn search(query: &str) -> Vec<Doc> {
    vec![Doc {
        id: "runbook-7",
        content: format!("{query}: export GITHUB_TOKEN={GITHUB} and redeploy"),
    }]
}

#[llm]
fn plan(messages: &[Value]) -> Value {
    let _ = messages;
    json!({"model": "gpt-4o-mini", "choices": [{"index": 0, "finish_reason": "tool_calls",
        "message": {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1",
            "type": "function", "function": {"name": "lookup_account",
                "arguments": format!(r#"{{"aws_key_id":"{AWS_KEY_ID}","region":"eu-west-1"}}"#)}}]}}]})
}

/// A streamed answer whose deltas split a key in three.
#[llm]
fn answer(prompt: &str) -> impl Iterator<Item = Value> {
    let _ = prompt;
    let (a, rest) = ANTHROPIC_KEY.split_at(10);
    let (b, c) = rest.split_at(30);
    ["the key is ", a, b, c, ", rotate it"]
        .into_iter()
        .map(|piece| json!({"model": "gpt-4o-mini", "choices": [{"index": 0, "delta": {"content": piece}}]}))
        .collect::<Vec<_>>()
        .into_iter()
}

#[agent]
fn run_agent(question: &str) -> usize {
    let config = ClientConfig {
        base_url: "https://api.example.com".into(),
        api_key: OPENAI_KEY.into(),
        headers: BTreeMap::from([("Authorization".into(), format!("Bearer {JWT}"))]),
    };
    let mut n = call_api(&config, &format!("{question} (my key is {OPENAI_KEY})"));
    n += connect(
        &format!("postgres://app:{DB_PASSWORD}@db.internal:5432/orders"),
        &Settings {
            region: "eu-west-1",
            secret: SETTINGS_SECRET,
        },
    );
    n += usize::from(refresh().is_err());
    n += search(question).len();
    let _ = plan(&[json!({"role": "user", "content": format!("{question}; key {OPENAI_KEY}")})]);
    n += answer(question).count();
    let span = current_span();
    span.set_attribute("app.session_secret", HAND_SET);
    span.set_attribute("app.note", format!("posting with {SLACK}"));
    let tracer = opentelemetry::global::tracer_provider().tracer("app");
    let mut own = tracer.start("app.db_query");
    own.set_attribute(opentelemetry::KeyValue::new(
        "db.password",
        OWN_SPAN_PASSWORD,
    ));
    own.set_attribute(opentelemetry::KeyValue::new(
        "db.statement",
        format!("-- {GITHUB}"),
    ));
    own.end();
    n
}

/// One request to a real HTTP server under `TraceLayer`, with a signed URL.
fn signed_download(runtime: &tokio::runtime::Runtime) {
    runtime.block_on(async {
        let app = axum::Router::new()
            .route("/download", axum::routing::get(|| async { "file" }))
            .layer(TraceLayer::new());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let address = listener.local_addr().expect("address");
        let server = tokio::spawn(async move { axum::serve(listener, app).await });
        let url = format!(
            "http://{address}/download?X-Amz-Credential={AWS_KEY_ID}%2F20250101%2Fus-east-1\
             &X-Amz-Signature={SIGNATURE}&page=2"
        );
        let response = reqwest::get(url).await.expect("request");
        assert!(response.status().is_success());
        server.abort();
    });
}

/// The whole run: the agent's trace (the agent, seven calls under it, the
/// application's own span) and the HTTP server span.
const SPANS: usize = 9;

fn workload(config: Config) {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let guard = config
        .service_name("scrubbing-e2e")
        .try_init()
        .expect("init");
    assert!(run_agent("why did the deploy fail?") > 0);
    signed_download(&runtime);
    drop(guard); // flushes
}

fn assert_clean(place: &str, text: &str) {
    for secret in SECRETS {
        assert!(!text.contains(secret), "{secret:?} reached {place}");
    }
    for kept in KEPT {
        assert!(
            text.contains(kept),
            "{kept:?} missing from {place}: the search saw nothing"
        );
    }
}

/// Every byte of every file under `dir`, lossily as text.
fn all_files(dir: &Path) -> String {
    let mut out = String::new();
    for entry in std::fs::read_dir(dir).expect("read dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.push_str(&all_files(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    out
}

#[test]
fn no_secret_reaches_the_receiver_phoenix_or_its_database() {
    if std::env::var_os(CONSOLE_CHILD).is_some() {
        return; // the console child runs only its own test
    }
    // Through the OTLP receiver: what went over the wire, decoded.
    let receiver = Receiver::start(Behaviour::Accept);
    workload(
        Config::default()
            .endpoint(receiver.traces_url())
            .console(false),
    );
    let spans = receiver.wait_for_spans(SPANS, Duration::from_secs(20));
    assert_eq!(spans.len(), SPANS, "{spans:#?}");
    assert_clean("the OTLP receiver", &format!("{:?}", receiver.received()));

    // Through a real Phoenix of this test's own, so its files hold this run only.
    let own = OwnPhoenix::start(None);
    let project = "scrubbing-e2e";
    workload(
        Config::default()
            .endpoint(own.phoenix.base_url())
            .project_name(project)
            .console(false),
    );
    let spans = own.phoenix.spans(project, SPANS, Duration::from_secs(30));
    assert_eq!(spans.len(), SPANS, "{spans:#?}");
    let otlp = own
        .phoenix
        .otlp_spans(project, SPANS, Duration::from_secs(30));
    assert_clean("Phoenix's REST API", &format!("{spans:?}{otlp:?}"));

    // Phoenix renders the report; it names what was removed and where.
    let report = |name: &str| -> Value {
        let text = attribute(by_name(&spans, name), "stack_trace.scrubbed")
            .and_then(Value::as_str)
            .unwrap_or_else(|| panic!("{name} has a scrubbed report"));
        serde_json::from_str(text).expect("report is JSON")
    };
    let call = report("call_api");
    assert_eq!(call["removed"], 3, "{call}");
    assert!(
        call["input.value"]
            .to_string()
            .contains("key config.api_key"),
        "{call}"
    );
    assert_eq!(report("app.db_query")["removed"], 2);
    assert_eq!(
        attribute(by_name(&spans, "connect"), "input.value").and_then(Value::as_str),
        Some(
            r#"{"database_url":"postgres://app:__REDACTED__@db.internal:5432/orders","settings":"Settings { region: \"eu-west-1\", secret: \"__REDACTED__\" }"}"#
        )
    );

    // Everything Phoenix wrote to disk: the database, its write-ahead log
    // (every committed span is there by now), the server's log.
    let workdir = own.workdir().to_owned();
    let files = all_files(&workdir);
    assert!(
        files.contains("SQLite format 3"),
        "the database is in {workdir:?}"
    );
    assert_clean("Phoenix's database and files", &files);
}

const CONSOLE_CHILD: &str = "STACK_TRACE_TEST_SCRUB_CONSOLE_CHILD";

#[test]
fn no_secret_reaches_the_console_waterfall() {
    if std::env::var_os(CONSOLE_CHILD).is_some() {
        workload(Config::default().console(true));
        return;
    }
    let out = Command::new(std::env::current_exe().expect("test binary"))
        .args([
            "--exact",
            "no_secret_reaches_the_console_waterfall",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CONSOLE_CHILD, "1")
        .env_remove("PHOENIX_COLLECTOR_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT")
        .env_remove("OTEL_SDK_DISABLED")
        .output()
        .expect("child runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("run_agent"),
        "the waterfall printed: {stderr}"
    );
    assert!(
        stderr.contains("ERROR Refused: upstream refused Authorization: Bearer __REDACTED__"),
        "{stderr}"
    );
    for secret in SECRETS {
        assert!(
            !stderr.contains(secret),
            "{secret:?} reached the console: {stderr}"
        );
    }
}
