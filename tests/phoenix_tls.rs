//! Against a real Phoenix serving TLS on both ports, with a certificate made
//! here with openssl (a throw-away CA and a leaf for 127.0.0.1/localhost):
//! OTLP/HTTPS and gRPC over TLS deliver when the CA is trusted
//! (`OTEL_EXPORTER_OTLP_CERTIFICATE` or `Config::ca_certificate`), and fail
//! clearly (counted as dropped, never a panic or a blocked caller) when not.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use stack_trace::phoenix::{OwnPhoenix, Phoenix};
use stack_trace_runtime::{Config, Protocol, agent, tool};

/// A CA and a server certificate signed by it, in a fresh directory.
fn make_certificates() -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "stack-trace-tls-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let run = |args: &[&str]| {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(&dir)
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "openssl {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=stack-trace-test-ca",
        "-keyout",
        "ca.key",
        "-out",
        "ca.crt",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
    ]);
    run(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-subj",
        "/CN=localhost",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
    ]);
    std::fs::write(
        dir.join("ext.cnf"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n\
         keyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    run(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "ext.cnf",
        "-out",
        "server.crt",
    ]);
    dir
}

fn reader(server: &OwnPhoenix, ca: &Path) -> Phoenix {
    let pem = std::fs::read(ca).unwrap();
    let client = reqwest::blocking::Client::builder()
        .add_root_certificate(reqwest::Certificate::from_pem(&pem).unwrap())
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap();
    Phoenix::with_client(server.phoenix.base_url(), client)
}

#[tool]
fn lookup(city: &str) -> String {
    format!("sunny in {city}")
}

#[agent]
fn plan(goal: &str) -> String {
    lookup(goal)
}

/// Exports two spans with `config`; returns whether the exporter took them.
fn export_two(config: Config) -> bool {
    let before = stack_trace_runtime::stats();
    let guard = config
        .console(false)
        .shutdown_timeout(Duration::from_secs(5))
        .try_init()
        .expect("init");
    let _ = plan("Oslo");
    let _ = guard.flush();
    drop(guard);
    let after = stack_trace_runtime::stats();
    assert_eq!(
        after.ended - before.ended,
        (after.exported - before.exported) + (after.dropped - before.dropped),
        "every span delivered or counted as dropped"
    );
    after.exported - before.exported == 2
}

#[test]
fn https_and_grpc_over_tls() {
    let certs = make_certificates();
    let cert = certs.join("server.crt");
    let key = certs.join("server.key");
    let ca = certs.join("ca.crt");
    let server = OwnPhoenix::start_with(
        None,
        &[
            ("PHOENIX_TLS_ENABLED", "true"),
            ("PHOENIX_TLS_CERT_FILE", cert.to_str().unwrap()),
            ("PHOENIX_TLS_KEY_FILE", key.to_str().unwrap()),
        ],
    );
    assert!(server.phoenix.base_url().starts_with("https://"));
    assert!(server.grpc_url().starts_with("https://"));
    let phoenix = reader(&server, &ca);

    // OTLP/HTTPS, the CA from the standard variable.
    let project = Phoenix::unique_project("tls-http");
    let (base, ca_path) = (
        server.phoenix.base_url().to_owned(),
        ca.to_str().unwrap().to_owned(),
    );
    let config = Config::from_lookup(|name| match name {
        "PHOENIX_COLLECTOR_ENDPOINT" => Some(base.clone()),
        "OTEL_EXPORTER_OTLP_CERTIFICATE" => Some(ca_path.clone()),
        _ => None,
    })
    .project_name(&project);
    assert!(export_two(config), "HTTPS with the CA trusted");
    assert_eq!(phoenix.spans(&project, 2, Duration::from_secs(20)).len(), 2);

    // gRPC over TLS, the CA given in code.
    let project = Phoenix::unique_project("tls-grpc");
    let config = Config::default()
        .protocol(Protocol::Grpc)
        .endpoint(server.grpc_url())
        .ca_certificate(std::fs::read(&ca).unwrap())
        .project_name(&project);
    assert!(export_two(config), "gRPC over TLS with the CA trusted");
    assert_eq!(phoenix.spans(&project, 2, Duration::from_secs(20)).len(), 2);

    // Without the CA: the server's certificate is not trusted; refused, counted.
    let project = Phoenix::unique_project("tls-untrusted");
    let config = Config::default()
        .endpoint(server.phoenix.base_url())
        .project_name(&project);
    assert!(!export_two(config), "HTTPS without the CA must fail");
    let config = Config::default()
        .protocol(Protocol::Grpc)
        .endpoint(server.grpc_url())
        .project_name(&project);
    assert!(!export_two(config), "gRPC without the CA must fail");
    assert!(
        phoenix
            .spans(&project, 1, Duration::from_millis(500))
            .is_empty()
    );

    // A CA file that does not exist: a clear error from try_init.
    let missing = Config::from_lookup(|name| match name {
        "PHOENIX_COLLECTOR_ENDPOINT" => Some("https://127.0.0.1:1".to_owned()),
        "OTEL_EXPORTER_OTLP_CERTIFICATE" => Some("/nonexistent/ca.pem".to_owned()),
        _ => None,
    })
    .try_init();
    let Err(error) = missing else {
        panic!("a missing CA file is an error");
    };
    let error = error.to_string();
    assert!(error.contains("/nonexistent/ca.pem"), "{error}");
    let _ = std::fs::remove_dir_all(&certs);
}
