//! [`SpanGuard`]: what generated code holds in the caller's frame, two words.
//!
//! A call whose span is off (tracing disabled, suppressed, a sampler that
//! never samples) holds nothing; a sampled-out call holds only the context
//! its children must see; a recording call holds its [`Open`] state in a box.
//! The off path then costs a load and a branch, and a recursive annotated
//! function keeps a small frame per level (the recording state is on the
//! heap, not in every caller's frame).

use std::mem::ManuallyDrop;

use opentelemetry::{Context, ContextGuard, KeyValue};
use serde::Serialize;
use serde_json::Value;

use super::{start, Open, State, NO_ROLES};
use crate::capture::error::ErrorInfo;
use crate::capture::inputs::{InputShape, Inputs};
use crate::capture::Captured;
use crate::evals::{Evaluation, Target};
use crate::openinference::describe::{Document, Message, TokenUsage};
use crate::openinference::Roles;
use crate::semconv::SpanKind;
use crate::span::future::InContext;
use crate::span::tracer;

/// What a guard holds for a call whose span is not off. (`None` is off:
/// nothing is recorded and nothing needs to be made current; its drop is a
/// check of the discriminant, the rest is dropped out of line.)
#[derive(Debug)]
enum Live {
    /// Sampled out: the context is made current so that spans started inside
    /// know their trace is not sampled; nothing is recorded.
    Unsampled(Context),
    /// The span records.
    Open(Box<Open>),
}

/// One annotated call's span, from start to end. Not public API: generated
/// code starts it, records through it and finishes it.
#[derive(Debug)]
pub struct SpanGuard {
    kind: SpanKind,
    /// Dropped by `Drop for SpanGuard`, out of line and only when there is
    /// something to drop: the off path then has no drop glue to call.
    live: ManuallyDrop<Option<Live>>,
}

impl SpanGuard {
    /// Starts the span of one call. `type_name` gives the receiver's type for
    /// methods (the name becomes `Type::method`); it is only called when the
    /// span records.
    #[inline]
    #[must_use]
    pub fn start(
        kind: SpanKind,
        name: &'static str,
        type_name: Option<fn() -> &'static str>,
    ) -> Self {
        if tracer::fast_off() {
            return Self {
                kind,
                live: ManuallyDrop::new(None),
            };
        }
        Self::start_on(kind, name, type_name)
    }

    #[inline(never)]
    fn start_on(
        kind: SpanKind,
        name: &'static str,
        type_name: Option<fn() -> &'static str>,
    ) -> Self {
        let mut live = match start::start_state(kind, name, type_name) {
            State::Off | State::Ended => None,
            // An evaluator binds its result even when its own span is
            // sampled out: it keeps its state.
            State::Current {
                cx,
                recording: false,
            } if kind != SpanKind::Evaluator => Some(Live::Unsampled(cx)),
            state => Some(Live::Open(Box::new(Open::with_state(kind, state)))),
        };
        if kind == SpanKind::Evaluator {
            if let Some(Live::Open(open)) = &mut live {
                open.begin_evaluation(name);
            }
        }
        Self {
            kind,
            live: ManuallyDrop::new(live),
        }
    }

    #[inline]
    fn open(&mut self) -> Option<&mut Open> {
        match &mut *self.live {
            Some(Live::Open(open)) => Some(open),
            _ => None,
        }
    }

    /// Tells the guard which parameters hold the messages, tools and model
    /// (from the macro's arguments and the parameter names).
    #[inline]
    pub fn set_roles(&mut self, roles: &'static Roles) {
        if let Some(open) = self.open() {
            open.set_roles(roles);
        }
    }

    /// Whether this call's span records (captured values would be kept).
    #[inline]
    #[must_use]
    pub fn is_recording(&self) -> bool {
        matches!(&*self.live, Some(Live::Open(open)) if open.is_recording())
    }

    /// The OpenInference kind of this span.
    #[inline]
    #[must_use]
    pub fn kind(&self) -> SpanKind {
        self.kind
    }

    /// Whether the guard has anything to attach or end (nothing: disabled,
    /// suppressed, or no span; sync bodies then run directly and return).
    #[inline(always)]
    #[must_use]
    pub fn is_off(&self) -> bool {
        self.live.is_none()
    }

    /// Captures the arguments if the span records: `capture` writes each one
    /// into the inputs. It runs out of line, so the caller's frame does not
    /// hold the inputs while the body runs.
    #[inline]
    pub fn capture_inputs(&mut self, count: usize, capture: impl FnOnce(&mut Inputs)) {
        if let Some(Live::Open(open)) = &mut *self.live {
            capture_into(open, self.kind, count, capture);
        }
    }

    /// Records the outcome through `record` (out of line, and only if the
    /// span records), then ends the span.
    #[inline]
    pub fn finish_with<R: ?Sized>(&mut self, out: &R, record: impl FnOnce(&mut Self, &R)) {
        if self.is_recording() {
            self.finish_recording(out, record);
        }
    }

    #[inline(never)]
    fn finish_recording<R: ?Sized, F: FnOnce(&mut Self, &R)>(&mut self, out: &R, record: F) {
        record(self, out);
        self.finish();
    }

    /// Sets `session.id` / `user.id` from the call's parameters: on this span
    /// and on every span started inside it.
    pub fn set_scope_attributes(&mut self, session_id: Option<String>, user_id: Option<String>) {
        if let Some(open) = self.open() {
            open.set_scope_attributes(session_id, user_id);
        }
    }

    /// Records `tool.name`, `tool.description` and `tool.parameters`
    /// (literals and a cached schema: recorded without a copy).
    pub fn set_tool(
        &mut self,
        name: &'static str,
        description: Option<&'static str>,
        parameters: &'static str,
    ) {
        if let Some(open) = self.open() {
            open.set_tool(name, description, parameters);
        }
    }

    /// Records input messages described by their `DescribeMessages` impl.
    pub fn describe_input_messages(&mut self, messages: &[Message]) {
        if let Some(open) = self.open() {
            open.describe_input_messages(messages);
        }
    }

    /// Adds an event without attributes, if the span records.
    pub fn add_event(&mut self, name: &'static str) {
        if let Some(open) = self.open() {
            open.add_event(name);
        }
    }

    /// Sets one attribute, if the span records.
    pub fn set_attribute(&mut self, kv: KeyValue) {
        if let Some(open) = self.open() {
            open.set_attribute(kv);
        }
    }

    /// Records a `Serialize` result as the output (see `Open`).
    pub fn output_serialize<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
        debug: Option<&dyn Fn() -> String>,
    ) {
        if let Some(open) = self.open() {
            open.output_serialize(value, debug);
        }
    }

    /// Derives kind-specific attributes from a structured output.
    pub fn derive_from_output(&mut self, output: &Value) {
        if let Some(open) = self.open() {
            open.derive_from_output(output);
        }
    }

    /// Records a captured output as `output.value` / `output.mime_type`.
    pub fn set_output(&mut self, output: Option<Captured>) {
        if let Some(open) = self.open() {
            open.set_output(output);
        }
    }

    /// Records a response described by its `DescribeLlmResponse` impl.
    pub fn describe_llm_response(
        &mut self,
        messages: Vec<Message>,
        usage: Option<TokenUsage>,
        model: Option<String>,
    ) {
        if let Some(open) = self.open() {
            open.describe_llm_response(messages, usage, model);
        }
    }

    /// Records documents described by their `DescribeDocuments` impl.
    pub fn describe_documents(&mut self, documents: &[Document]) {
        if let Some(open) = self.open() {
            open.describe_documents(documents);
        }
    }

    /// A `#[prompt]`'s template and version (only read when recording).
    #[inline]
    pub fn set_prompt(&mut self, template: &str, version: Option<&str>) {
        if let Some(open) = self.open() {
            open.set_prompt(template, version);
        }
    }

    /// An evaluator's argument that names what it evaluates (`None`: this
    /// one does not).
    #[inline]
    pub fn set_evaluation_target(&mut self, target: Option<Target>) {
        if let (Some(target), Some(open)) = (target, self.open()) {
            open.set_evaluation_target(target);
        }
    }

    /// An evaluator's result, read by `describe`, bound to what it evaluates.
    #[inline]
    pub fn evaluate<R: ?Sized>(
        &mut self,
        out: &R,
        describe: impl FnOnce(&R) -> Option<Evaluation>,
    ) {
        if let Some(open) = self.open() {
            open.evaluate(out, describe);
        }
    }

    /// Records an `Err` result: status ERROR and an `exception` event.
    pub fn record_error(&mut self, error: &ErrorInfo) {
        if let Some(open) = self.open() {
            open.record_error(error);
        }
    }

    /// Records a panic and ends the span.
    pub fn record_panic(&mut self, message: String) {
        if let Some(open) = self.open() {
            open.record_panic(message);
        }
    }

    /// Ends the span after the body completed (status OK unless an error was
    /// recorded).
    #[inline]
    pub fn finish(&mut self) {
        if let Some(open) = self.open() {
            open.finish();
        }
    }

    /// Attaches the span's context to this thread until the guard drops.
    #[inline]
    #[must_use]
    pub fn attach(&self) -> Option<ContextGuard> {
        match &*self.live {
            None => None,
            Some(Live::Unsampled(cx)) => Some(cx.clone().attach()),
            Some(Live::Open(open)) => open.attach(),
        }
    }

    /// Runs a sync body with the span current; a panic is recorded, ends the
    /// span, and continues to unwind unchanged.
    #[inline]
    pub fn run_sync<R>(&mut self, body: impl FnOnce() -> R) -> R {
        match &mut *self.live {
            None => body(),
            Some(Live::Unsampled(cx)) => {
                // Nothing to record: the attachment ends when `body` returns
                // or unwinds.
                let _attached = cx.clone().attach();
                body()
            }
            Some(Live::Open(open)) => open.run_sync(body),
        }
    }

    /// Wraps an async body: the span is current only while it is polled, and
    /// a panic during a poll is recorded before it continues to unwind.
    #[inline]
    pub fn run_async<F: core::future::Future>(&mut self, body: F) -> InContext<'_, F> {
        if let Some(open) = self.open() {
            open.make_current();
        }
        InContext::new(self, body)
    }
}

impl Drop for SpanGuard {
    /// Nothing to do for a call whose span is off; otherwise the state is
    /// dropped out of line (a recording span left unfinished ends as
    /// cancelled).
    #[inline]
    fn drop(&mut self) {
        if self.live.is_some() {
            release(&mut self.live);
        }
    }
}

#[inline(never)]
fn release(live: &mut Option<Live>) {
    drop(live.take());
}

/// The inputs of `count` arguments in the shape `kind` asks for.
fn inputs_for(kind: SpanKind, roles: &Roles, count: usize) -> Inputs {
    let shape = if count == 1 && kind.unwraps_single_argument() {
        InputShape::Single
    } else {
        InputShape::Object
    };
    let mut inputs = Inputs::new(shape);
    if let Some(whole) = roles.read_whole(kind) {
        // Messages, texts and documents are read from their values, not
        // from the (size-capped) input.value text.
        inputs.keep_values(whole);
    }
    inputs
}

/// Captures the arguments of a recording call.
#[inline(never)]
fn capture_into<F: FnOnce(&mut Inputs)>(open: &mut Open, kind: SpanKind, count: usize, capture: F) {
    if !open.is_recording() {
        return;
    }
    let mut inputs = inputs_for(kind, open.roles.unwrap_or(&NO_ROLES), count);
    capture(&mut inputs);
    open.set_inputs(inputs);
}
