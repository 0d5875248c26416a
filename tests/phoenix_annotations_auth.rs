//! Annotations and authentication, against a real Phoenix with auth on
//! (started here): with the API key they arrive (and read back with it);
//! with a wrong key they are refused, counted as dropped and reported in one
//! line that never shows the key. Sent to a server that is not Phoenix (an
//! OTLP collector), they are dropped, counted and reported once, while spans
//! still export. Each case runs in a child process (this test binary again)
//! so its stderr can be read. Its own test binary: it starts its own server.

use std::process::Command;
use std::time::Duration;

use stack_trace::phoenix::{OwnPhoenix, Phoenix};
use stack_trace::receiver::{Behaviour, Receiver};
use stack_trace_runtime::{Annotation, Config, SpanHandle, agent, annotate, current_span};

const CHILD: &str = "STACK_TRACE_ANNOTATION_CHILD";
const SECRET: &str = "test-secret-0123456789abcdefghijklmnop";
const ADMIN_SECRET: &str = "admin-secret-0123456789abcdefghijklmn";
const WRONG_KEY: &str = "sk-wrong-annotations-7d2e";

#[agent]
fn job(i: usize) -> Option<SpanHandle> {
    let _ = i;
    current_span().span_id()
}

/// The child: configured from the environment, three annotations, a
/// flush; prints the span ids and the counters on stdout.
#[test]
fn child() {
    if std::env::var_os(CHILD).is_none() {
        return;
    }
    let guard = Config::from_env()
        .console(false)
        .shutdown_timeout(Duration::from_secs(20))
        .try_init()
        .expect("init");
    let spans: Vec<SpanHandle> = (0..3).map(|i| job(i).expect("recorded")).collect();
    for span in &spans {
        annotate(*span, Annotation::new("checked").label("ok")).unwrap();
    }
    let _ = guard.flush();
    let s = stack_trace_runtime::stats();
    println!(
        "SPANS {}",
        spans
            .iter()
            .map(SpanHandle::span_id)
            .collect::<Vec<_>>()
            .join(",")
    );
    println!(
        "STATS sent={} dropped={} exported={}",
        s.annotations_sent, s.annotations_dropped, s.exported
    );
}

struct Outcome {
    spans: Vec<String>,
    sent: u64,
    dropped: u64,
    exported: u64,
    /// Our stderr lines.
    lines: Vec<String>,
    stderr: String,
}

fn run_child(env: &[(&str, &str)]) -> Outcome {
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD, "1")
        .env_remove("PHOENIX_API_KEY")
        .env_remove("PHOENIX_COLLECTOR_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_HEADERS")
        .envs(env.iter().copied())
        .output()
        .expect("child runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "{stdout}\n{stderr}");
    let field = |prefix: &str| {
        stdout
            .lines()
            .find_map(|l| l.split_once(prefix).map(|(_, rest)| rest))
            .unwrap_or_else(|| panic!("no {prefix} in {stdout}"))
            .to_owned()
    };
    let stats = field("STATS ");
    let count = |name: &str| -> u64 {
        stats
            .split(' ')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} in {stats}"))
    };
    Outcome {
        spans: field("SPANS ").split(',').map(str::to_owned).collect(),
        sent: count("sent"),
        dropped: count("dropped"),
        exported: count("exported"),
        lines: stderr
            .lines()
            .filter(|l| l.contains("stack-trace:"))
            .map(str::to_owned)
            .collect(),
        stderr,
    }
}

#[test]
fn with_a_key_without_one_and_not_to_phoenix() {
    if std::env::var_os(CHILD).is_some() {
        return;
    }
    let server = OwnPhoenix::start_with(
        None,
        &[
            ("PHOENIX_ENABLE_AUTH", "true"),
            ("PHOENIX_SECRET", SECRET),
            ("PHOENIX_ADMIN_SECRET", ADMIN_SECRET),
        ],
    );
    let base = server.phoenix.base_url().to_owned();
    let admin = Phoenix::at(&base).with_token(ADMIN_SECRET);
    let key = admin.create_api_key("annotation-tests");

    // The key: every annotation arrives, nothing reported.
    let project = Phoenix::unique_project("annotations-auth");
    let ok = run_child(&[
        ("PHOENIX_COLLECTOR_ENDPOINT", &base),
        ("PHOENIX_PROJECT_NAME", &project),
        ("PHOENIX_API_KEY", &key),
    ]);
    assert_eq!((ok.sent, ok.dropped), (3, 0), "{}", ok.stderr);
    assert!(ok.lines.is_empty(), "{}", ok.stderr);
    let ids: Vec<&str> = ok.spans.iter().map(String::as_str).collect();
    let stored = admin.annotations(&project, "span", &ids, 3, Duration::from_secs(20));
    assert_eq!(stored.len(), 3, "{stored:#?}");
    // Reading back uses the same key.
    let reader = Config::default()
        .phoenix_url(&base)
        .api_key(&key)
        .phoenix_client()
        .unwrap();
    let handles: Vec<SpanHandle> = ok.spans.iter().map(|s| s.parse().unwrap()).collect();
    assert_eq!(
        reader.span_annotations(&project, &handles).unwrap().len(),
        3
    );
    let anonymous = Config::default()
        .phoenix_url(&base)
        .phoenix_client()
        .unwrap();
    assert!(matches!(
        anonymous.span_annotations(&project, &handles),
        Err(stack_trace_runtime::ReadError::Status { status: 401, .. })
    ));

    // A wrong key: refused, counted, one line for annotations, key unseen.
    let wrong = run_child(&[
        ("PHOENIX_COLLECTOR_ENDPOINT", &base),
        ("PHOENIX_PROJECT_NAME", &project),
        ("PHOENIX_API_KEY", WRONG_KEY),
    ]);
    assert_eq!((wrong.sent, wrong.dropped), (0, 3), "{}", wrong.stderr);
    let about: Vec<&String> = wrong
        .lines
        .iter()
        .filter(|l| l.contains("annotations"))
        .collect();
    assert_eq!(about.len(), 1, "{}", wrong.stderr);
    assert!(
        about[0].contains("401") && about[0].contains("PHOENIX_API_KEY"),
        "{}",
        about[0]
    );
    assert!(!wrong.stderr.contains(WRONG_KEY), "the key is never shown");

    // An OTLP collector that is not Phoenix: spans export, annotations are
    // dropped and counted, one line says why.
    let collector = Receiver::start(Behaviour::Accept);
    let not_phoenix = run_child(&[("PHOENIX_COLLECTOR_ENDPOINT", &collector.traces_url())]);
    assert_eq!(not_phoenix.exported, 3, "{}", not_phoenix.stderr);
    assert_eq!((not_phoenix.sent, not_phoenix.dropped), (0, 3));
    assert_eq!(not_phoenix.lines.len(), 1, "{}", not_phoenix.stderr);
    assert!(
        not_phoenix.lines[0].contains("does not look like a Phoenix server"),
        "{}",
        not_phoenix.lines[0]
    );
}
