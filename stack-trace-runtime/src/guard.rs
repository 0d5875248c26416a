//! [`SpanGuard`]: one annotated call's span, from start to end.
//!
//! Generated code starts a guard, captures the arguments if it records, runs
//! the body through [`SpanGuard::run_sync`] or [`SpanGuard::run_async`] (which
//! make the span current and catch panics), records the result and calls
//! [`SpanGuard::finish`]. A guard dropped without `finish` belongs to a future
//! that was dropped before completing: the span ends marked as cancelled.

use std::borrow::Cow;
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use opentelemetry::trace::{SpanBuilder, SpanKind as OtelSpanKind, Status, TraceContextExt as _};
use opentelemetry::{Context, ContextGuard, KeyValue};

use serde::Serialize;
use serde_json::Value;

use crate::capture::error::ErrorInfo;
use crate::capture::{self, Captured, InputShape, Inputs};
use crate::future::InContext;
use crate::openinference::{self, Roles};
use crate::panic_message::panic_message;
use crate::recorder::{Recorder, Start};
use crate::semconv::{self, SpanKind};
use crate::span_name::method_span_name;
use crate::tracer;

/// A recording span before it is made current: ours, or one from the
/// application's global provider (when `init` was not called).
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum Pending {
    Ours(Recorder),
    Global(opentelemetry::global::BoxedSpan),
}

// The span is kept inline: boxing it would add an allocation per span, and
// it moves into the span's `Context` before the body runs anyway.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
enum State {
    /// Nothing is recorded and nothing needs to be made current.
    Off,
    /// A recording span, before the body runs.
    Recording(Pending),
    /// The span lives in `cx`, which is current while the body runs.
    /// `recording` is false for a sampled-out span, whose context is still
    /// made current so that its children know their trace is not sampled.
    Current { cx: Context, recording: bool },
    /// The span has ended.
    Ended,
}

static NO_ROLES: Roles = Roles::NONE;

/// The span of one call of an annotated function. Not public API.

#[derive(Debug)]
pub struct SpanGuard {
    kind: SpanKind,
    state: State,
    errored: bool,
    roles: Option<&'static Roles>,
    /// The model the call asked for (LLM spans), from its arguments.
    requested_model: Option<String>,
    /// Whether `llm.model_name` / `llm.system` / `llm.provider` were written.
    identity_written: bool,
    /// The texts an embedding call was given (to pair with its vectors).
    embedding: Option<openinference::EmbeddingInputs>,
    /// Whether the body has returned: writes now are the automatic capture
    /// of the outcome (see `export::precedence`).
    outcome_phase: bool,
    /// Whether the outcome marker was written.
    marker_written: bool,
    /// A `Describe*` impl already described the inputs / the output.
    described_input: bool,
    described_output: bool,
    /// The span is our recorder's (which reads the outcome marker).
    ours: bool,
    /// Context attributes taken from the call's parameters, for this span
    /// and everything started inside it.
    scope_attributes: Option<Box<crate::ContextAttributes>>,
}

impl SpanGuard {
    /// Starts the span of one call. `type_name` gives the receiver's type for
    /// methods (the name becomes `Type::method`); it is only called when the
    /// span records.
    #[must_use]
    pub fn start(
        kind: SpanKind,
        name: &'static str,
        type_name: Option<fn() -> &'static str>,
    ) -> Self {
        if tracer::fast_off() {
            return Self::with_state(kind, State::Off);
        }
        let state = Context::map_current(|parent| {
            if parent.is_telemetry_suppressed() {
                return State::Off;
            }
            tracer::with_recording(|recording| match recording {
                Some(recording) => start_ours(recording, kind, name, type_name, parent),
                None => start_global(kind, name, type_name, parent),
            })
        });
        Self::with_state(kind, state)
    }

    #[inline]
    fn with_state(kind: SpanKind, state: State) -> Self {
        let ours = matches!(state, State::Recording(Pending::Ours(_)));
        Self {
            kind,
            state,
            errored: false,
            roles: None,
            requested_model: None,
            identity_written: false,
            embedding: None,
            outcome_phase: false,
            marker_written: false,
            described_input: false,
            described_output: false,
            ours,
            scope_attributes: None,
        }
    }

    /// Sets `session.id` / `user.id` from the call's parameters: on this span
    /// and on every span started inside it.
    pub fn set_scope_attributes(&mut self, session_id: Option<String>, user_id: Option<String>) {
        if !self.is_recording() {
            return;
        }
        let mut attributes = crate::ContextAttributes::new();
        if let Some(id) = session_id {
            attributes = attributes.session_id(id);
        }
        if let Some(id) = user_id {
            attributes = attributes.user_id(id);
        }
        self.write_attributes(attributes.key_values());
        self.scope_attributes = Some(Box::new(attributes));
    }

    /// Records a response described by its `DescribeLlmResponse` impl.
    pub(crate) fn describe_llm_response(
        &mut self,
        messages: Vec<crate::describe::Message>,
        usage: Option<crate::describe::TokenUsage>,
        model: Option<String>,
    ) {
        if !self.is_recording() || self.kind != SpanKind::Llm {
            return;
        }
        self.mark_outcome();
        self.described_output = true;
        let attributes = crate::describe::response_attributes(&messages, usage.as_ref());
        let identity = openinference::llm_identity(
            self.roles.unwrap_or(&NO_ROLES),
            None,
            model.as_deref(),
            self.requested_model.as_deref(),
        );
        self.identity_written = true;
        self.write_attributes(attributes);
        self.write_attributes(identity);
    }

    /// Records input messages described by their `DescribeMessages` impl.
    pub(crate) fn describe_input_messages(&mut self, messages: &[crate::describe::Message]) {
        if !self.is_recording() || self.kind != SpanKind::Llm {
            return;
        }
        self.described_input = true;
        let attributes =
            crate::describe::messages_attributes(openinference::keys::LLM_INPUT_MESSAGES, messages);
        self.write_attributes(attributes);
    }

    /// Records documents described by their `DescribeDocuments` impl.
    pub(crate) fn describe_documents(&mut self, documents: &[crate::describe::Document]) {
        let prefix = match self.kind {
            SpanKind::Retriever => openinference::keys::RETRIEVAL_DOCUMENTS,
            SpanKind::Reranker => openinference::keys::RERANKER_OUTPUT_DOCUMENTS,
            _ => return,
        };
        if !self.is_recording() {
            return;
        }
        self.mark_outcome();
        self.described_output = true;
        let attributes = crate::describe::documents_attributes(prefix, documents);
        self.write_attributes(attributes);
    }

    /// From here on, the guard writes the automatic capture of the call's
    /// outcome; anything set before (by hand, in the body) wins over it.
    fn mark_outcome(&mut self) {
        self.outcome_phase = true;
    }

    /// The marker to write before the first automatic outcome attribute, if
    /// it is due (only when our processor is there to remove it).
    fn pending_marker(&mut self) -> Option<KeyValue> {
        if !self.outcome_phase || self.marker_written || !self.ours {
            return None;
        }
        self.marker_written = true;
        Some(KeyValue::new(
            crate::export::precedence::OUTCOME_MARKER,
            true,
        ))
    }

    /// Tells the guard which parameters hold the messages, tools and model
    /// (from the macro's arguments and the parameter names).
    pub fn set_roles(&mut self, roles: &'static Roles) {
        self.roles = Some(roles);
    }

    /// Whether this call's span records (captured values would be kept).
    #[inline]
    #[must_use]
    pub fn is_recording(&self) -> bool {
        matches!(
            self.state,
            State::Recording(_)
                | State::Current {
                    recording: true,
                    ..
                }
        )
    }

    /// The OpenInference kind of this span.
    #[must_use]
    pub fn kind(&self) -> SpanKind {
        self.kind
    }

    /// Starts capturing `count` arguments in the shape the span kind asks for.
    #[must_use]
    pub fn inputs(&self, count: usize) -> Inputs {
        let shape = if count == 1 && self.kind.unwraps_single_argument() {
            InputShape::Single
        } else {
            InputShape::Object
        };
        let mut inputs = Inputs::new(shape);
        if matches!(
            self.kind,
            SpanKind::Llm | SpanKind::Embedding | SpanKind::Reranker
        ) {
            // Messages, texts and documents are read from the whole values,
            // not from the (size-capped) input.value text.
            inputs.keep_values();
        }
        inputs
    }

    /// Records `tool.name`, `tool.description` and `tool.parameters` (a JSON
    /// Schema) of a `TOOL` span.
    pub fn set_tool(&mut self, name: &str, description: Option<&str>, parameters: &str) {
        let mut attributes = vec![
            KeyValue::new(openinference::keys::TOOL_NAME, name.to_owned()),
            KeyValue::new(openinference::keys::TOOL_PARAMETERS, parameters.to_owned()),
        ];
        if let Some(description) = description {
            attributes.push(KeyValue::new(
                openinference::keys::TOOL_DESCRIPTION,
                description.to_owned(),
            ));
        }
        self.write_attributes(attributes);
    }

    /// Records the captured arguments as `input.value` / `input.mime_type`.
    pub fn set_inputs(&mut self, mut inputs: Inputs) {
        let values = inputs.take_values();
        let Some(captured) = inputs.finish() else {
            return;
        };
        if let Some(args) = values {
            self.derive_from_inputs(&args);
        }
        self.write_value(semconv::INPUT_VALUE, semconv::INPUT_MIME_TYPE, captured);
    }

    fn derive_from_inputs(&mut self, args: &serde_json::Map<String, Value>) {
        let roles = self.roles.unwrap_or(&NO_ROLES);
        match self.kind {
            SpanKind::Llm => {
                let llm = openinference::llm_inputs(roles, args, !self.described_input);
                self.requested_model = llm.requested_model;
                self.write_attributes(llm.attributes);
            }
            SpanKind::Embedding => {
                self.embedding = Some(openinference::embedding_inputs(roles, args))
            }
            SpanKind::Reranker => {
                let attributes = openinference::reranker_inputs(roles, args);
                self.write_attributes(attributes);
            }
            _ => {}
        }
    }

    /// Records a `Serialize` result as the output, plus what its shape tells
    /// for the span's kind (messages and tokens of an LLM response, the
    /// documents of a retriever). `debug` is the fallback text if
    /// serialization fails.
    pub fn output_serialize<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
        debug: Option<&dyn Fn() -> String>,
    ) {
        self.mark_outcome();
        let captured = match debug {
            Some(debug) => capture::capture_serialize_or_debug_with(value, debug),
            None => capture::capture_serialize(value),
        };
        if matches!(
            self.kind,
            SpanKind::Llm | SpanKind::Retriever | SpanKind::Embedding | SpanKind::Reranker
        ) {
            if let Ok(Ok(structured)) = catch_unwind(AssertUnwindSafe(|| {
                serde_json::to_value(crate::capture::depth::Bounded::new(value))
            })) {
                self.derive_from_output(&structured);
            }
        }
        self.set_output(captured);
    }

    pub(crate) fn derive_from_output(&mut self, output: &Value) {
        if self.described_output {
            return;
        }
        match self.kind {
            SpanKind::Llm => {
                let facts = openinference::llm_response(output);
                let identity = openinference::llm_identity(
                    self.roles.unwrap_or(&NO_ROLES),
                    facts.shape,
                    facts.model.as_deref(),
                    self.requested_model.as_deref(),
                );
                self.identity_written = true;
                self.write_attributes(facts.attributes);
                self.write_attributes(identity);
            }
            SpanKind::Retriever => {
                let documents = openinference::retrieval_documents(output);
                self.write_attributes(documents);
            }
            SpanKind::Embedding => {
                let inputs = self.embedding.take().unwrap_or_default();
                let attributes = openinference::embedding_output(&inputs, output);
                self.write_attributes(attributes);
            }
            SpanKind::Reranker => {
                let attributes = openinference::reranker_output(output);
                self.write_attributes(attributes);
            }
            _ => {}
        }
    }

    fn write_attributes(&mut self, mut attributes: Vec<KeyValue>) {
        if attributes.is_empty() || !self.is_recording() {
            return;
        }
        if let Some(marker) = self.pending_marker() {
            attributes.insert(0, marker);
        }
        self.with_span(|span| span.set_attributes(attributes));
    }

    /// Records the result as `output.value` / `output.mime_type` (`None`: no output).
    pub fn set_output(&mut self, output: Option<Captured>) {
        self.mark_outcome();
        if let Some(captured) = output {
            self.write_value(semconv::OUTPUT_VALUE, semconv::OUTPUT_MIME_TYPE, captured);
        }
    }

    fn write_value(&mut self, value_key: &'static str, mime_key: &'static str, v: Captured) {
        if !self.is_recording() {
            return;
        }
        match self.pending_marker() {
            Some(marker) => self.with_span(|span| {
                span.set_attribute_triple(
                    marker,
                    KeyValue::new(value_key, v.value),
                    KeyValue::new(mime_key, v.mime),
                );
            }),
            None => self.with_span(|span| {
                span.set_attribute_pair(
                    KeyValue::new(value_key, v.value),
                    KeyValue::new(mime_key, v.mime),
                );
            }),
        }
    }

    /// Runs `f` on the span if it records.
    fn with_span(&mut self, f: impl FnOnce(&mut dyn SpanMut)) {
        match &mut self.state {
            State::Recording(span) => f(span),
            State::Current {
                cx,
                recording: true,
            } => f(&mut cx.span()),
            _ => {}
        }
    }

    /// Adds an event without attributes, if the span records.
    pub(crate) fn add_event(&mut self, name: &'static str) {
        self.with_span(|span| span.add_event(name.into(), Vec::new()));
    }

    /// Sets one attribute, if the span records.
    pub(crate) fn set_attribute(&mut self, kv: KeyValue) {
        self.with_span(|span| span.set_attribute(kv));
    }

    /// Records an `Err` result: status ERROR `Type: message` and an
    /// `exception` event.
    pub fn record_error(&mut self, error: &ErrorInfo) {
        self.errored = true;
        self.with_span(|span| {
            span.set_status(Status::error(error.status_description()));
            span.add_event(
                semconv::EXCEPTION_EVENT.into(),
                semconv::exception_attributes(error.type_name.clone(), error.message.clone()),
            );
        });
    }

    /// Records a panic and ends the span.
    pub(crate) fn record_panic(&mut self, message: String) {
        self.record_error(&ErrorInfo {
            type_name: semconv::PANIC_TYPE.to_owned(),
            message,
        });
        self.end();
    }

    /// Makes the span current (for the body) if it is not yet.
    fn make_current(&mut self) {
        if let State::Recording(_) = self.state {
            let State::Recording(span) = std::mem::replace(&mut self.state, State::Ended) else {
                return;
            };
            let mut cx = match span {
                Pending::Ours(mut span) => {
                    span.enter_body();
                    Context::current_with_span(span)
                }
                Pending::Global(span) => Context::current_with_span(span),
            };
            if let Some(attributes) = self.scope_attributes.take() {
                cx = crate::context_attributes::merged_into(&cx, *attributes);
            }
            self.state = State::Current {
                cx,
                recording: true,
            };
        }
    }

    /// Attaches the span's context to this thread until the guard drops.
    pub(crate) fn attach(&self) -> Option<ContextGuard> {
        match &self.state {
            State::Current { cx, .. } => Some(cx.clone().attach()),
            _ => None,
        }
    }

    /// Runs a sync body with the span current; a panic is recorded, ends the
    /// span, and continues to unwind unchanged.
    #[inline]
    pub fn run_sync<R>(&mut self, body: impl FnOnce() -> R) -> R {
        if let State::Off = self.state {
            return body();
        }
        self.make_current();
        let attached = self.attach();
        match catch_unwind(AssertUnwindSafe(body)) {
            Ok(value) => {
                drop(attached);
                value
            }
            Err(payload) => {
                drop(attached);
                self.record_panic(panic_message(&*payload));
                resume_unwind(payload)
            }
        }
    }

    /// Wraps an async body: the span is current only while it is polled, and
    /// a panic during a poll is recorded before it continues to unwind.
    pub fn run_async<F: core::future::Future>(&mut self, body: F) -> InContext<'_, F> {
        self.make_current();
        InContext::new(self, body)
    }

    /// Whether the guard has anything to attach or end.
    pub(crate) fn is_off(&self) -> bool {
        matches!(self.state, State::Off)
    }

    fn end(&mut self) {
        // Ended in place: moving the state out would copy it whole.
        match &mut self.state {
            State::Off | State::Ended => return,
            State::Recording(Pending::Ours(span)) => opentelemetry::trace::Span::end(span),
            State::Recording(Pending::Global(span)) => opentelemetry::trace::Span::end(span),
            State::Current {
                cx,
                recording: true,
            } => cx.span().end(),
            State::Current { .. } => {}
        }
        self.state = State::Ended;
    }

    /// Ends the span after the body completed (status OK unless an error was
    /// recorded).
    pub fn finish(&mut self) {
        self.mark_outcome();
        if self.kind == SpanKind::Llm && !self.identity_written && self.is_recording() {
            let identity = openinference::llm_identity(
                self.roles.unwrap_or(&NO_ROLES),
                None,
                None,
                self.requested_model.as_deref(),
            );
            self.identity_written = true;
            self.write_attributes(identity);
        }
        if !self.errored {
            self.with_span(|span| span.set_status(Status::Ok));
        }
        self.end();
    }
}

impl Drop for SpanGuard {
    fn drop(&mut self) {
        if !self.is_recording() {
            return;
        }
        if std::thread::panicking() {
            self.record_panic("panicked while the span was open".to_owned());
            return;
        }
        self.with_span(|span| {
            span.add_event(semconv::CANCELLED_EVENT.into(), Vec::new());
            span.set_attribute(KeyValue::new(semconv::CANCELLED, true));
        });
        self.end();
    }
}

/// The span operations the guard needs, over owned spans and `SpanRef`s.
trait SpanMut {
    fn set_attribute(&mut self, kv: KeyValue);
    /// Two attributes at once (one lock on a shared span).
    fn set_attribute_pair(&mut self, a: KeyValue, b: KeyValue);
    /// Three attributes at once (one lock on a shared span).
    fn set_attribute_triple(&mut self, a: KeyValue, b: KeyValue, c: KeyValue);
    /// Many attributes at once (one lock on a shared span).
    fn set_attributes(&mut self, attributes: Vec<KeyValue>);
    fn set_status(&mut self, status: Status);
    fn add_event(&mut self, name: Cow<'static, str>, attributes: Vec<KeyValue>);
}

/// Calls `$method` on the span, whichever it is.
macro_rules! on_pending {
    ($self:ident, $span:ident => $call:expr) => {
        match $self {
            Pending::Ours($span) => $call,
            Pending::Global($span) => $call,
        }
    };
}

impl SpanMut for Pending {
    fn set_attribute(&mut self, kv: KeyValue) {
        on_pending!(self, s => opentelemetry::trace::Span::set_attribute(s, kv));
    }
    fn set_attribute_pair(&mut self, a: KeyValue, b: KeyValue) {
        on_pending!(self, s => opentelemetry::trace::Span::set_attributes(s, [a, b]));
    }
    fn set_attribute_triple(&mut self, a: KeyValue, b: KeyValue, c: KeyValue) {
        on_pending!(self, s => opentelemetry::trace::Span::set_attributes(s, [a, b, c]));
    }
    fn set_attributes(&mut self, attributes: Vec<KeyValue>) {
        on_pending!(self, s => opentelemetry::trace::Span::set_attributes(s, attributes));
    }
    fn set_status(&mut self, status: Status) {
        on_pending!(self, s => opentelemetry::trace::Span::set_status(s, status));
    }
    fn add_event(&mut self, name: Cow<'static, str>, attributes: Vec<KeyValue>) {
        on_pending!(self, s => opentelemetry::trace::Span::add_event(s, name, attributes));
    }
}

impl SpanMut for opentelemetry::trace::SpanRef<'_> {
    fn set_attribute(&mut self, kv: KeyValue) {
        opentelemetry::trace::SpanRef::set_attribute(self, kv);
    }
    fn set_attribute_pair(&mut self, a: KeyValue, b: KeyValue) {
        opentelemetry::trace::SpanRef::set_attributes(self, [a, b]);
    }
    fn set_attribute_triple(&mut self, a: KeyValue, b: KeyValue, c: KeyValue) {
        opentelemetry::trace::SpanRef::set_attributes(self, [a, b, c]);
    }
    fn set_attributes(&mut self, attributes: Vec<KeyValue>) {
        opentelemetry::trace::SpanRef::set_attributes(self, attributes);
    }
    fn set_status(&mut self, status: Status) {
        opentelemetry::trace::SpanRef::set_status(self, status);
    }
    fn add_event(&mut self, name: Cow<'static, str>, attributes: Vec<KeyValue>) {
        opentelemetry::trace::SpanRef::add_event(self, name, attributes);
    }
}

/// Starts a span through our recorder.
fn start_ours(
    recording: &std::sync::Arc<crate::recorder::Recording>,
    kind: SpanKind,
    name: &'static str,
    type_name: Option<fn() -> &'static str>,
    parent: &Context,
) -> State {
    let first = KeyValue::new(semconv::OPENINFERENCE_SPAN_KIND, kind.as_str());
    match Recorder::start(recording, name, parent, first) {
        Start::Recording(mut span) => {
            if let Some(type_name) = type_name {
                opentelemetry::trace::Span::update_name(
                    &mut span,
                    Cow::Owned(method_span_name(type_name(), name)),
                );
            }
            State::Recording(Pending::Ours(span))
        }
        // Sampled out: children must still see this trace's decision.
        Start::Dropped(context) => State::Current {
            cx: parent.with_remote_span_context(context),
            recording: false,
        },
    }
}

/// Starts a span through the application's global provider.
fn start_global(
    kind: SpanKind,
    name: &'static str,
    type_name: Option<fn() -> &'static str>,
    parent: &Context,
) -> State {
    let builder = SpanBuilder::from_name(name).with_kind(OtelSpanKind::Internal);
    let mut span = tracer::build_global(builder, parent);
    if opentelemetry::trace::Span::is_recording(&span) {
        opentelemetry::trace::Span::set_attribute(
            &mut span,
            KeyValue::new(semconv::OPENINFERENCE_SPAN_KIND, kind.as_str()),
        );
        // Without our recorder, stamp the context attributes here.
        if let Some(attributes) = crate::context_attributes::stamp(parent) {
            opentelemetry::trace::Span::set_attributes(&mut span, attributes);
        }
        if let Some(type_name) = type_name {
            opentelemetry::trace::Span::update_name(
                &mut span,
                Cow::Owned(method_span_name(type_name(), name)),
            );
        }
        return State::Recording(Pending::Global(span));
    }
    let context = opentelemetry::trace::Span::span_context(&span);
    if context.is_valid() && context.span_id() != parent.span().span_context().span_id() {
        // Sampled out: children must still see this trace's decision.
        State::Current {
            cx: parent.with_remote_span_context(context.clone()),
            recording: false,
        }
    } else {
        State::Off
    }
}
