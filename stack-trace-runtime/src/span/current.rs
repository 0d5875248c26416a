//! The current span from user code: its trace id, adding attributes to it, and
//! carrying it into spawned tasks and threads.

use core::future::Future;

use opentelemetry::trace::{FutureExt as _, TraceContextExt as _, WithContext};

use opentelemetry::{Context, Key, KeyValue, Value};

use crate::evals::{SpanHandle, TraceHandle};
use crate::semconv;

/// The trace of the current span, or `None` outside any span. Its
/// `Display` is the 32 lower-case hex digits of the trace id (the value of
/// `X-Trace-Id`), and it parses back from them.
///
/// ```
/// use stack_trace_runtime::{chain, current_trace_id, TraceHandle};
///
/// assert_eq!(current_trace_id(), None);
///
/// #[chain]
/// fn answer() -> String {
///     current_trace_id().expect("inside a span").to_string()
/// }
/// # let _guard = stack_trace_runtime::Config::default().console(false).init();
/// let id = answer();
/// assert_eq!(id.len(), 32);
/// let handle: TraceHandle = id.parse().unwrap();
/// assert_eq!(handle.to_string(), id);
/// ```
#[must_use]
pub fn current_trace_id() -> Option<TraceHandle> {
    Context::map_current(|cx| TraceHandle::of(cx.span().span_context()))
}

/// A handle on the span that is current where it was obtained, to add
/// attributes and events from inside an annotated function's body.
///
/// Attributes set here win over what the macro captures automatically (with
/// `init()`'s pipeline, each key then goes out once).
///
/// ```
/// use stack_trace_runtime::{chain, current_span};
///
/// #[chain]
/// fn answer(question: &str) -> usize {
///     current_span().set_attribute("app.question_len", question.len() as i64);
///     42
/// }
/// # assert_eq!(answer("why?"), 42);
/// ```
#[derive(Clone, Debug)]
pub struct CurrentSpan {
    cx: Context,
}

/// The span that is current now (possibly none: then every call is a no-op).
#[must_use]
pub fn current_span() -> CurrentSpan {
    CurrentSpan {
        cx: Context::current(),
    }
}

impl CurrentSpan {
    /// Sets one attribute.
    pub fn set_attribute(&self, key: impl Into<Key>, value: impl Into<Value>) {
        self.cx.span().set_attribute(KeyValue::new(key, value));
    }

    /// Sets `input.value` and `input.mime_type` (`text/plain` or
    /// `application/json`), replacing what the macro captured.
    pub fn set_input(&self, value: impl Into<String>, mime_type: &'static str) {
        self.cx.span().set_attributes([
            KeyValue::new(semconv::INPUT_VALUE, value.into()),
            KeyValue::new(semconv::INPUT_MIME_TYPE, mime_type),
        ]);
    }

    /// Sets `output.value` and `output.mime_type`; the macro then does not
    /// record the function's result.
    pub fn set_output(&self, value: impl Into<String>, mime_type: &'static str) {
        self.cx.span().set_attributes([
            KeyValue::new(semconv::OUTPUT_VALUE, value.into()),
            KeyValue::new(semconv::OUTPUT_MIME_TYPE, mime_type),
        ]);
    }

    /// Adds an event with attributes.
    pub fn add_event(&self, name: &'static str, attributes: Vec<KeyValue>) {
        self.cx.span().add_event(name, attributes);
    }

    /// Whether the span records (attributes set on it are kept).
    #[must_use]
    pub fn is_recording(&self) -> bool {
        self.cx.span().is_recording()
    }

    /// Its trace, if there is a span (`Display`: 32 lower-case hex digits).
    #[must_use]
    pub fn trace_id(&self) -> Option<TraceHandle> {
        TraceHandle::of(self.cx.span().span_context())
    }

    /// The span itself, if there is one (`Display`:
    /// `<trace id>-<span id>`; [`SpanHandle::span_id`] gives the 16 hex
    /// digits alone).
    ///
    /// ```
    /// use stack_trace_runtime::{current_span, tool, SpanHandle};
    ///
    /// #[tool]
    /// fn lookup() -> Option<SpanHandle> {
    ///     current_span().span_id()
    /// }
    /// # let _guard = stack_trace_runtime::Config::default().console(false).init();
    /// let span = lookup().expect("inside a span");
    /// assert_eq!(span.span_id().len(), 16);
    /// assert_eq!(span.to_string().parse::<SpanHandle>().unwrap(), span);
    /// assert_eq!(current_span().span_id(), None);
    /// ```
    #[must_use]
    pub fn span_id(&self) -> Option<SpanHandle> {
        SpanHandle::of(self.cx.span().span_context())
    }

    /// The OpenTelemetry context this handle refers to.
    #[must_use]
    pub fn context(&self) -> &Context {
        &self.cx
    }
}

/// Carries the current span into a future, for `tokio::spawn` and friends:
/// spans started by the future become children of the caller's span.
///
/// ```
/// # async fn demo() {
/// let handle = tokio::spawn(stack_trace_runtime::in_current_span(async { 1 + 1 }));
/// # let _ = handle.await;
/// # }
/// ```
pub fn in_current_span<F: Future>(future: F) -> WithContext<F> {
    future.with_current_context()
}

/// Carries the current span into a closure, for `std::thread::spawn`: spans
/// started by the closure become children of the caller's span.
///
/// ```
/// let child = std::thread::spawn(stack_trace_runtime::bind_current_span(|| 2 + 2));
/// assert_eq!(child.join().unwrap(), 4);
/// ```
pub fn bind_current_span<R>(f: impl FnOnce() -> R) -> impl FnOnce() -> R {
    let cx = Context::current();
    move || {
        let _attached = cx.attach();
        f()
    }
}

/// Keeps tracing suppressed on this thread until it drops (see
/// [`suppress_tracing`]).
#[derive(Debug)]
pub struct SuppressGuard {
    _guard: opentelemetry::ContextGuard,
}

/// Suppresses tracing in a scope: annotated calls inside run normally but
/// record nothing and allocate nothing for tracing; OpenTelemetry
/// instrumentation that honours suppression (the SDK does) is silenced too.
///
/// ```
/// # use stack_trace_runtime::{chain, suppress_tracing};
/// #[chain]
/// fn health_check() -> bool { true }
///
/// let _quiet = suppress_tracing();
/// assert!(health_check()); // no span
/// ```
#[must_use = "tracing is suppressed only while the guard is alive"]
pub fn suppress_tracing() -> SuppressGuard {
    SuppressGuard {
        _guard: Context::enter_telemetry_suppressed_scope(),
    }
}

/// Runs `future` with tracing suppressed whenever it is polled.
pub fn suppressed<F: Future>(future: F) -> WithContext<F> {
    future.with_context(Context::map_current(Context::with_telemetry_suppressed))
}
