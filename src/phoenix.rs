//! A real Arize Phoenix for the tests, and a small client for its REST API.
//!
//! `scripts/test` starts one server per test run and passes its URL in
//! `STACK_TRACE_TEST_PHOENIX_URL`. When that is unset (a plain `cargo test`),
//! the first test that needs Phoenix starts one with `scripts/phoenix start`,
//! watched so it stops when the test process exits. Each test uses its own
//! project name, so tests never see each other's spans.

use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The variable `scripts/test` sets to the running server's base URL.
pub const URL_VAR: &str = "STACK_TRACE_TEST_PHOENIX_URL";

/// A running Phoenix server.
#[derive(Debug)]
pub struct Phoenix {
    base_url: String,
    http: reqwest::blocking::Client,
    /// Sent as `authorization: Bearer <token>` on reads (auth-enabled servers).
    token: Option<String>,
}

static SHARED: OnceLock<Phoenix> = OnceLock::new();

impl Phoenix {
    /// The server of this test run (started on first use if needed).
    ///
    /// # Panics
    /// When no server is configured and none can be started.
    pub fn shared() -> &'static Self {
        SHARED.get_or_init(|| {
            let base_url = std::env::var(URL_VAR)
                .ok()
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| start_server(None, &[]).base_url);
            Self::at(&base_url)
        })
    }

    /// A client for the server at `base_url`.
    ///
    /// # Panics
    /// When no HTTP client can be built.
    #[must_use]
    pub fn at(base_url: &str) -> Self {
        Self::with_client(
            base_url,
            reqwest::blocking::Client::builder()
                .timeout(Duration::from_secs(30))
                .build()
                .expect("HTTP client"),
        )
    }

    /// A client for the server at `base_url` that reads through `http`
    /// (for a TLS server: a client that trusts its CA).
    #[must_use]
    pub fn with_client(base_url: &str, http: reqwest::blocking::Client) -> Self {
        Self {
            base_url: base_url.trim_end_matches('/').to_owned(),
            http,
            token: None,
        }
    }

    /// Reads with `authorization: Bearer <token>` from now on.
    #[must_use]
    pub fn with_token(mut self, token: &str) -> Self {
        self.token = Some(token.to_owned());
        self
    }

    /// Mints a system API key (`POST /v1/system/api_keys`, with the admin
    /// secret as the token).
    ///
    /// # Panics
    /// When the server refuses.
    #[must_use]
    pub fn create_api_key(&self, name: &str) -> String {
        let mut request = self
            .http
            .post(format!("{}/v1/system/api_keys", self.base_url))
            .json(&serde_json::json!({"data": {"name": name}}));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().expect("POST /v1/system/api_keys");
        assert!(
            response.status().is_success(),
            "minting an API key: {}",
            response.status()
        );
        let body: Value = response.json().expect("JSON");
        body["data"]["key"].as_str().expect("data.key").to_owned()
    }

    /// `http://127.0.0.1:PORT`.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The OTLP/HTTP traces endpoint.
    #[must_use]
    pub fn traces_url(&self) -> String {
        format!("{}/v1/traces", self.base_url)
    }

    /// A project name no other test uses.
    #[must_use]
    pub fn unique_project(prefix: &str) -> String {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        format!("{prefix}-{}-{nanos}", std::process::id())
    }

    fn get(&self, path: &str) -> Option<Value> {
        let mut request = self.http.get(format!("{}{path}", self.base_url));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let response = request.send().ok()?;
        if !response.status().is_success() {
            return None; // 404 until the project's first span is stored
        }
        response.json().ok()
    }

    fn all_pages(&self, path: &str) -> Option<Vec<Value>> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let sep = if path.contains('?') { '&' } else { '?' };
            let url = match &cursor {
                Some(c) => format!("{path}{sep}limit=1000&cursor={c}"),
                None => format!("{path}{sep}limit=1000"),
            };
            let page = self.get(&url)?;
            out.extend(page["data"].as_array().cloned().unwrap_or_default());
            match page["next_cursor"].as_str() {
                Some(next) if !next.is_empty() => cursor = Some(next.to_owned()),
                _ => return Some(out),
            }
        }
    }

    /// The spans of `project` (Phoenix's REST view, attributes re-flattened),
    /// waiting until at least `min_count` are stored or `timeout` passed.
    #[must_use]
    pub fn spans(&self, project: &str, min_count: usize, timeout: Duration) -> Vec<Value> {
        self.poll(&format!("/v1/projects/{project}/spans"), min_count, timeout)
    }

    /// The same spans in OTLP-JSON shape with typed attribute values
    /// (`/spans/otlpv1`), for checking keys and value types exactly.
    #[must_use]
    pub fn otlp_spans(&self, project: &str, min_count: usize, timeout: Duration) -> Vec<Value> {
        self.poll(
            &format!("/v1/projects/{project}/spans/otlpv1"),
            min_count,
            timeout,
        )
    }

    /// The annotations of `kind` (`span`, `trace` or `session`) on `ids` in
    /// `project`, through `GET /v1/projects/{p}/{kind}_annotations`,
    /// waiting until at least `min_count` are stored or `timeout` passed.
    #[must_use]
    pub fn annotations(
        &self,
        project: &str,
        kind: &str,
        ids: &[&str],
        min_count: usize,
        timeout: Duration,
    ) -> Vec<Value> {
        let query: Vec<String> = ids.iter().map(|id| format!("{kind}_ids={id}")).collect();
        self.poll(
            &format!(
                "/v1/projects/{project}/{kind}_annotations?{}",
                query.join("&")
            ),
            min_count,
            timeout,
        )
    }

    /// One GraphQL query (`POST /graphql`); its `data`.
    ///
    /// # Panics
    /// When the request fails or answers with errors.
    #[must_use]
    pub fn graphql(&self, query: &str, variables: &Value) -> Value {
        let mut request = self
            .http
            .post(format!("{}/graphql", self.base_url))
            .json(&serde_json::json!({"query": query, "variables": variables}));
        if let Some(token) = &self.token {
            request = request.bearer_auth(token);
        }
        let body: Value = request
            .send()
            .expect("POST /graphql")
            .json()
            .expect("GraphQL answers JSON");
        assert!(body.get("errors").is_none(), "GraphQL errors: {body}");
        body["data"].clone()
    }

    /// The document annotations of the span whose REST `id` (a GraphQL node
    /// id) is `node_id`, with the retrieval metrics Phoenix computed from
    /// those named `name`: `(annotations, metrics)`. Document annotations
    /// are readable through GraphQL only.
    #[must_use]
    pub fn document_annotations(&self, node_id: &str, name: &str) -> (Vec<Value>, Vec<Value>) {
        let data = self.graphql(
            "query($id: ID!, $name: String) { node(id: $id) { ... on Span { \
             documentEvaluations { name annotatorKind label score explanation metadata \
             documentPosition identifier } \
             documentRetrievalMetrics(evaluationName: $name) { evaluationName ndcg precision hit } } } }",
            &serde_json::json!({"id": node_id, "name": name}),
        );
        let list = |key: &str| data["node"][key].as_array().cloned().unwrap_or_default();
        (
            list("documentEvaluations"),
            list("documentRetrievalMetrics"),
        )
    }

    fn poll(&self, path: &str, min_count: usize, timeout: Duration) -> Vec<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let spans = self.all_pages(path).unwrap_or_default();
            if spans.len() >= min_count || Instant::now() > deadline {
                return spans;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/phoenix");

/// What `scripts/phoenix start` reports.
struct Started {
    base_url: String,
    pid: String,
    workdir: String,
    grpc_url: String,
}

fn start_server(port: Option<u16>, env: &[(&str, &str)]) -> Started {
    let mut command = Command::new(SCRIPT);
    command.envs(env.iter().copied());
    command
        .arg("start")
        .env("PHOENIX_WATCH_PID", std::process::id().to_string())
        .stderr(std::process::Stdio::inherit());
    if let Some(port) = port {
        command.env("PHOENIX_PORT", port.to_string());
    }
    let output = command.output().expect("run scripts/phoenix start");
    assert!(
        output.status.success(),
        "scripts/phoenix start failed; run scripts/test, or set {URL_VAR} to a running Phoenix"
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    let field = |name: &str| {
        stdout
            .lines()
            .find_map(|line| line.strip_prefix(name)?.strip_prefix('='))
            .map(str::to_owned)
            .unwrap_or_else(|| panic!("scripts/phoenix start prints {name}"))
    };
    Started {
        base_url: field("PHOENIX_BASE_URL"),
        pid: field("PHOENIX_PID"),
        workdir: field("PHOENIX_WORKING_DIR"),
        grpc_url: field("PHOENIX_OTLP_GRPC_ENDPOINT"),
    }
}

/// A Phoenix server of one test's own (to kill and restart), stopped when
/// dropped.
#[derive(Debug)]
pub struct OwnPhoenix {
    /// Its REST client.
    pub phoenix: Phoenix,
    pid: String,
    workdir: String,
    grpc_url: String,
}

impl OwnPhoenix {
    /// Starts a server, on `port` when given.
    #[must_use]
    pub fn start(port: Option<u16>) -> Self {
        Self::start_with(port, &[])
    }

    /// Starts a server with extra settings (`PHOENIX_ENABLE_AUTH`,
    /// `PHOENIX_TLS_ENABLED`, ...).
    #[must_use]
    pub fn start_with(port: Option<u16>, env: &[(&str, &str)]) -> Self {
        let started = start_server(port, env);
        Self {
            phoenix: Phoenix::at(&started.base_url),
            pid: started.pid,
            workdir: started.workdir,
            grpc_url: started.grpc_url,
        }
    }

    /// Its working directory, where it stores everything (the `SQLite`
    /// database and its write-ahead log, the server log).
    #[must_use]
    pub fn workdir(&self) -> &std::path::Path {
        std::path::Path::new(&self.workdir)
    }

    /// Its OTLP/gRPC endpoint (`http://127.0.0.1:PORT`, or `https://`).
    #[must_use]
    pub fn grpc_url(&self) -> &str {
        &self.grpc_url
    }

    /// Its HTTP port.
    ///
    /// # Panics
    /// When the base URL has none.
    #[must_use]
    pub fn port(&self) -> u16 {
        self.phoenix
            .base_url()
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("port in the base URL")
    }

    /// Starts the killed server again on the same port and working
    /// directory: everything it stored before is still there.
    pub fn restart(&mut self) {
        self.kill();
        let port = self.port();
        let started = start_server(
            Some(port),
            &[("PHOENIX_REUSE_WORKING_DIR", self.workdir.as_str())],
        );
        self.pid = started.pid;
    }

    /// Kills the server at once (SIGKILL, as a crash would) and waits until
    /// it is gone.
    pub fn kill(&self) {
        let _ = Command::new("kill").args(["-KILL", &self.pid]).status();
        for _ in 0..100 {
            let alive = Command::new("kill")
                .args(["-0", &self.pid])
                .stderr(std::process::Stdio::null())
                .status()
                .is_ok_and(|s| s.success());
            if !alive {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for OwnPhoenix {
    fn drop(&mut self) {
        let _ = Command::new(SCRIPT)
            .args(["stop", &self.workdir])
            .stderr(std::process::Stdio::null())
            .status();
    }
}

/// The Python of the test Phoenix's virtualenv (`PHOENIX_VENV`, else
/// `<repo>/.venv-phoenix`), installed by `scripts/phoenix install` if
/// missing: it also holds Arize's OpenInference packages, which tests use
/// as references.
///
/// # Panics
/// When the install fails.
#[must_use]
pub fn venv_python() -> std::path::PathBuf {
    let root = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let venv = std::env::var_os("PHOENIX_VENV")
        .map_or_else(|| root.join(".venv-phoenix"), std::path::PathBuf::from);
    let python = venv.join("bin").join("python");
    if !python.exists() {
        let status = Command::new(SCRIPT)
            .arg("install")
            .status()
            .expect("scripts/phoenix install");
        assert!(status.success(), "installing the Phoenix venv failed");
    }
    python
}

/// A span's attribute from Phoenix's REST view.
#[must_use]
pub fn attribute<'a>(span: &'a Value, key: &str) -> Option<&'a Value> {
    span["attributes"].get(key)
}

/// The span called `name`.
///
/// # Panics
/// When there is none.
#[must_use]
pub fn by_name<'a>(spans: &'a [Value], name: &str) -> &'a Value {
    spans.iter().find(|s| s["name"] == name).unwrap_or_else(|| {
        panic!(
            "no span {name:?} among {:?}",
            spans.iter().map(|s| &s["name"]).collect::<Vec<_>>()
        )
    })
}
