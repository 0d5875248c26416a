//! Against a real Phoenix with authentication on (started here, with its own
//! secrets): spans arrive with a valid API key (`PHOENIX_API_KEY`, sent as
//! `authorization: Bearer <key>`); with a wrong or missing key they are
//! refused, counted as dropped, and reported in one clear line that never
//! shows the key. Its own test binary: it starts its own server.

use std::process::Command;
use std::time::Duration;

use stack_trace::phoenix::{OwnPhoenix, Phoenix};
use stack_trace::testing::example;

const SECRET: &str = "test-secret-0123456789abcdefghijklmnop";
const ADMIN_SECRET: &str = "admin-secret-0123456789abcdefghijklmn";

fn auth_server() -> OwnPhoenix {
    OwnPhoenix::start_with(
        None,
        &[
            ("PHOENIX_ENABLE_AUTH", "true"),
            ("PHOENIX_SECRET", SECRET),
            ("PHOENIX_ADMIN_SECRET", ADMIN_SECRET),
        ],
    )
}

/// Runs the example agent (13 spans) against `server` with `env`; returns
/// its stderr.
fn run_example(server: &OwnPhoenix, project: &str, env: &[(&str, &str)]) -> String {
    let out = Command::new(example("agent"))
        .env("PHOENIX_COLLECTOR_ENDPOINT", server.phoenix.base_url())
        .env("PHOENIX_PROJECT_NAME", project)
        .env("STACK_TRACE_CONSOLE", "false")
        .env_remove("PHOENIX_API_KEY")
        .env_remove("OTEL_EXPORTER_OTLP_HEADERS")
        .envs(env.iter().copied())
        .output()
        .expect("example runs");
    assert!(
        out.status.success(),
        "the program is not affected by a refused export"
    );
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn api_keys_over_http() {
    let server = auth_server();
    let admin = Phoenix::at(server.phoenix.base_url()).with_token(ADMIN_SECRET);
    let key = admin.create_api_key("stack-trace-tests");

    // A valid key: everything arrives.
    let project = Phoenix::unique_project("auth-ok");
    let stderr = run_example(&server, &project, &[("PHOENIX_API_KEY", &key)]);
    assert!(!stderr.contains("failed"), "{stderr}");
    let spans = admin.spans(&project, 13, Duration::from_secs(20));
    assert_eq!(spans.len(), 13);
    let all = serde_json::to_string(&spans).unwrap();
    assert!(!all.contains(&key), "the key never appears in a span");

    // The standard variable works the same way.
    let project = Phoenix::unique_project("auth-headers");
    let header = format!("authorization=Bearer%20{key}");
    let stderr = run_example(
        &server,
        &project,
        &[("OTEL_EXPORTER_OTLP_HEADERS", &header)],
    );
    assert!(!stderr.contains("failed"), "{stderr}");
    assert_eq!(admin.spans(&project, 13, Duration::from_secs(20)).len(), 13);

    // A wrong key and no key: refused, one clear line, the key never shown.
    for (case, env) in [
        ("wrong", vec![("PHOENIX_API_KEY", "sk-wrong-4f1c9e")]),
        ("missing", vec![]),
    ] {
        let project = Phoenix::unique_project(&format!("auth-{case}"));
        let stderr = run_example(&server, &project, &env);
        let lines: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("stack-trace:"))
            .collect();
        assert_eq!(lines.len(), 1, "{case}: one line: {stderr}");
        assert!(lines[0].contains("401"), "{case}: {stderr}");
        assert!(
            lines[0].contains("PHOENIX_API_KEY"),
            "{case}: says what to check: {stderr}"
        );
        assert!(
            !stderr.contains("sk-wrong-4f1c9e"),
            "{case}: the key is never shown"
        );
        std::thread::sleep(Duration::from_millis(500));
        assert!(
            admin
                .spans(&project, 1, Duration::from_millis(200))
                .is_empty()
        );
    }
}

#[stack_trace_runtime::tool]
fn lookup(city: &str) -> String {
    format!("sunny in {city}")
}

#[stack_trace_runtime::agent]
fn plan(goal: &str) -> String {
    lookup(goal)
}

#[test]
fn api_keys_over_grpc() {
    use stack_trace_runtime::{Config, Protocol};
    let server = auth_server();
    let admin = Phoenix::at(server.phoenix.base_url()).with_token(ADMIN_SECRET);
    let key = admin.create_api_key("grpc-tests");

    // A valid key over gRPC, configured from the environment's variables.
    let project = Phoenix::unique_project("grpc-ok");
    let endpoint = server.grpc_url().to_owned();
    let guard = Config::from_lookup(|name| match name {
        "OTEL_EXPORTER_OTLP_PROTOCOL" => Some("grpc".to_owned()),
        "OTEL_EXPORTER_OTLP_ENDPOINT" => Some(endpoint.clone()),
        "PHOENIX_API_KEY" => Some(key.clone()),
        _ => None,
    })
    .project_name(&project)
    .console(false)
    .try_init()
    .expect("init over gRPC");
    let _ = plan("Oslo");
    guard.flush().expect("flush over gRPC");
    drop(guard);
    let spans = admin.spans(&project, 2, Duration::from_secs(20));
    assert_eq!(spans.len(), 2, "{spans:#?}");

    // Installed and shut down inside a current-thread runtime: the gRPC
    // client runs on the export thread's own runtime, not the caller's.
    let project = Phoenix::unique_project("grpc-current-thread");
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(async {
            let guard = Config::default()
                .protocol(Protocol::Grpc)
                .endpoint(server.grpc_url())
                .api_key(&key)
                .project_name(&project)
                .console(false)
                .try_init()
                .expect("init over gRPC");
            let _ = plan("Trondheim");
            drop(guard); // flushes from inside the runtime
        });
    assert_eq!(admin.spans(&project, 2, Duration::from_secs(20)).len(), 2);

    // A wrong key: UNAUTHENTICATED, counted as dropped.
    let project = Phoenix::unique_project("grpc-wrong");
    let before = stack_trace_runtime::stats();
    let guard = Config::default()
        .protocol(Protocol::Grpc)
        .endpoint(server.grpc_url())
        .api_key("sk-wrong-grpc")
        .project_name(&project)
        .console(false)
        .try_init()
        .expect("init over gRPC");
    let _ = plan("Bergen");
    let _ = guard.flush();
    drop(guard);
    let after = stack_trace_runtime::stats();
    assert_eq!(after.dropped - before.dropped, 2, "{before:?} -> {after:?}");
    assert!(after.failed_exports > before.failed_exports);
    assert!(
        admin
            .spans(&project, 1, Duration::from_millis(500))
            .is_empty()
    );
}
