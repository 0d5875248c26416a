//! An in-memory installation of stack-trace for behaviour tests.
//!
//! One global provider per test process: [`install`] sets it up on first use
//! (through [`stack_trace_runtime::Config`] with an in-memory exporter) and
//! every test filters the finished spans by its own trace id.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

use opentelemetry::Value;
use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry_sdk::trace::{InMemorySpanExporter, SpanData};

struct Installed {
    exporter: InMemorySpanExporter,
    _guard: stack_trace_runtime::Guard,
}

static INSTALLED: OnceLock<Installed> = OnceLock::new();

/// Installs the in-memory pipeline once per process.
pub fn install() {
    INSTALLED.get_or_init(|| {
        let exporter = InMemorySpanExporter::default();
        let guard = stack_trace_runtime::Config::default()
            .exporter(exporter.clone())
            .console(false)
            .scheduled_delay(Duration::from_millis(20))
            .try_init()
            .expect("in-memory tracing installs");
        Installed {
            exporter,
            _guard: guard,
        }
    });
}

/// Every finished span of `trace_id`, waiting until at least `count` arrived
/// (or 10 s passed), in end order.
///
/// # Panics
/// When the in-memory exporter cannot be read.
#[must_use]
pub fn spans_of(trace_id: &str, count: usize) -> Vec<SpanData> {
    install();
    let installed = INSTALLED.get().expect("installed");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let spans: Vec<SpanData> = installed
            .exporter
            .get_finished_spans()
            .expect("in-memory exporter readable")
            .into_iter()
            .filter(|s| s.span_context.trace_id().to_string() == trace_id)
            .collect();
        if spans.len() >= count || Instant::now() > deadline {
            return spans;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// Runs `f` inside a fresh root span and returns its trace id and result.
/// The root is a plain OpenTelemetry span (name `test-root`), so annotated
/// calls inside are its children.
pub fn in_root<R>(f: impl FnOnce() -> R) -> (String, R) {
    use opentelemetry::trace::{TraceContextExt as _, Tracer as _, TracerProvider as _};
    install();
    let tracer = opentelemetry::global::tracer_provider().tracer("tests");
    let span = tracer.start("test-root");
    let cx = opentelemetry::Context::current_with_span(span);
    let trace_id = cx.span().span_context().trace_id().to_string();
    let out = {
        let _attached = cx.clone().attach();
        f()
    };
    cx.span().end();
    (trace_id, out)
}

/// The path of an example binary (`cargo test` builds the examples next to
/// the test binaries: `target/<profile>/examples/<name>`).
///
/// # Panics
/// When it has not been built.
#[must_use]
pub fn example(name: &str) -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test binary");
    let path = exe
        .parent()
        .and_then(|deps| deps.parent())
        .expect("target dir")
        .join("examples")
        .join(name);
    assert!(path.exists(), "{} is built by `cargo test`", path.display());
    path
}

/// The span called `name`.
///
/// # Panics
/// When there is none.
#[must_use]
pub fn named<'a>(spans: &'a [SpanData], name: &str) -> &'a SpanData {
    spans
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no span named {name:?} in {:?}", names(spans)))
}

/// The names of the spans.
#[must_use]
pub fn names(spans: &[SpanData]) -> Vec<String> {
    spans.iter().map(|s| s.name.to_string()).collect()
}

/// The value of attribute `key`, if set.
#[must_use]
pub fn attr<'a>(span: &'a SpanData, key: &str) -> Option<&'a Value> {
    span.attributes
        .iter()
        .rev()
        .find(|kv| kv.key.as_str() == key)
        .map(|kv| &kv.value)
}

/// The string value of attribute `key`.
///
/// # Panics
/// When the attribute is missing or not a string.
#[must_use]
pub fn attr_str(span: &SpanData, key: &str) -> String {
    match attr(span, key) {
        Some(Value::String(s)) => s.to_string(),
        other => panic!(
            "attribute {key} of {} is {other:?}, not a string",
            span.name
        ),
    }
}

/// Whether `child`'s parent is `parent`.
#[must_use]
pub fn is_child_of(child: &SpanData, parent: &SpanData) -> bool {
    child.parent_span_id == parent.span_context.span_id()
        && child.span_context.trace_id() == parent.span_context.trace_id()
}

/// Parses a 32-hex trace id.
///
/// # Panics
/// When it is not one.
#[must_use]
pub fn trace_id(hex: &str) -> TraceId {
    TraceId::from_hex(hex).expect("32 hex digits")
}

/// Whether the span is a root of this process's trace.
#[must_use]
pub fn is_root(span: &SpanData) -> bool {
    span.parent_span_id == SpanId::INVALID
}
