//! [`SpanGuard`]: one annotated call's span, from start to end.
//!
//! Generated code starts a guard ([`start`]), captures the arguments if it
//! records ([`inputs`]), runs the body through [`SpanGuard::run_sync`] or
//! [`SpanGuard::run_async`] ([`run`]: the span is current and panics are
//! caught), records the result ([`outcome`]) and calls
//! [`SpanGuard::finish`] ([`end`]). A guard dropped without `finish` belongs
//! to a future that was dropped before completing: the span ends marked as
//! cancelled. This file holds the guard's state and the one place that
//! writes to the span ([`span_mut`] abstracts over the two span types).

mod end;
mod evaluate;
mod handle;
mod inputs;
mod outcome;
mod prompt;
mod run;
mod span_mut;
mod start;

use opentelemetry::trace::TraceContextExt as _;
use opentelemetry::{Context, KeyValue};

use super::recorder::Recorder;
use crate::capture::Captured;
use crate::export::precedence::OUTCOME_MARKER;
use crate::openinference::context_attributes::ContextAttributes;
use crate::openinference::{EmbeddingInputs, Roles};
use crate::scrub::{Findings, Report};
use crate::semconv::{self, SpanKind};
use crate::span::evaluator::EvalState;
use span_mut::SpanMut;

pub use handle::SpanGuard;

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

/// The state of one call's span while it records (or, sampled out, is
/// current), kept behind [`SpanGuard`]'s box.
#[derive(Debug)]
pub(crate) struct Open {
    kind: SpanKind,
    state: State,
    errored: bool,
    roles: Option<&'static Roles>,
    /// The model the call asked for (LLM spans), from its arguments.
    requested_model: Option<String>,
    /// Whether `llm.model_name` / `llm.system` / `llm.provider` were written.
    identity_written: bool,
    /// The texts an embedding call was given (to pair with its vectors).
    embedding: Option<EmbeddingInputs>,
    /// Whether the body has returned: writes now are the automatic capture
    /// of the outcome (see `crate::export::precedence`).
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
    scope_attributes: Option<Box<ContextAttributes>>,
    /// What scrubbing removed from the values written, by attribute.
    scrubbed: Option<Box<Report>>,
    /// `output.value` and its mime type, held back until the end so that a
    /// span of ours in its context gets them, its status and its end in one
    /// call (see `Recorder`'s end marker).
    deferred_output: Option<(String, &'static str)>,
    /// What an evaluator or a prompt function keeps (one field for both:
    /// every byte of this state is moved into its box per span).
    kind_state: Option<Box<KindState>>,
}

/// The state only some kinds keep.
#[derive(Debug)]
enum KindState {
    /// An evaluator's: what its result is bound to.
    Evaluation(EvalState),
    /// A prompt function's: its template, version and variables.
    Prompt(prompt::PromptState),
}

impl Open {
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
        Some(KeyValue::new(OUTCOME_MARKER, true))
    }

    /// Tells the guard which parameters hold the messages, tools and model
    /// (from the macro's arguments and the parameter names).
    pub(crate) fn set_roles(&mut self, roles: &'static Roles) {
        self.roles = Some(roles);
    }

    /// Whether this call's span records (captured values would be kept).
    #[inline]
    #[must_use]
    pub(crate) fn is_recording(&self) -> bool {
        matches!(
            self.state,
            State::Recording(_)
                | State::Current {
                    recording: true,
                    ..
                }
        )
    }

    /// Writes attributes in one call (one lock on a shared span), after the
    /// outcome marker when it is due.
    fn write_attributes(&mut self, mut attributes: Vec<KeyValue>) {
        if attributes.is_empty() || !self.is_recording() {
            return;
        }
        if let Some(marker) = self.pending_marker() {
            attributes.insert(0, marker);
        }
        self.with_span(|span| span.set_attributes(attributes));
    }

    /// Notes what scrubbing removed from the value of `attribute`.
    #[cold]
    #[inline(never)]
    fn note_scrubbed(&mut self, attribute: &'static str, findings: Findings) {
        if !findings.is_empty() {
            self.scrubbed
                .get_or_insert_with(Box::default)
                .add(attribute, findings);
        }
    }

    /// Writes a captured value and its mime type (`input.*`, `output.*`).
    fn write_value(&mut self, value_key: &'static str, mime_key: &'static str, mut v: Captured) {
        if !self.is_recording() {
            return;
        }
        if !v.findings.is_empty() {
            self.note_scrubbed(value_key, std::mem::take(&mut v.findings));
        }
        if value_key == semconv::OUTPUT_VALUE
            && self.ours
            && self.deferred_output.is_none()
            && matches!(self.state, State::Current { .. })
        {
            self.deferred_output = Some((v.value, v.mime));
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
}
