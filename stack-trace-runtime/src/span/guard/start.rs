//! Starting a call's span: through our recorder once `init` installed our
//! provider, else through the application's global provider; nothing at all
//! when tracing is off, suppressed or the sampler can never sample.

use std::borrow::Cow;
use std::sync::Arc;

use opentelemetry::trace::{SpanBuilder, SpanKind as OtelSpanKind, TraceContextExt as _};
use opentelemetry::{Context, KeyValue};

use super::{Open, Pending, State};
use crate::openinference::context_attributes;
use crate::semconv::{self, SpanKind};
use crate::span::name::method_span_name;
use crate::span::recorder::{Recorder, Recording, Start};
use crate::span::tracer;

/// Starts the span of one call once the fast check said tracing is on.
/// `type_name` gives the receiver's type for methods (the name becomes
/// `Type::method`); it is only called when the span records.
pub(super) fn start_state(
    kind: SpanKind,
    name: &'static str,
    type_name: Option<fn() -> &'static str>,
) -> State {
    Context::map_current(|parent| {
        if parent.is_telemetry_suppressed() {
            return State::Off;
        }
        if kind == SpanKind::Llm {
            crate::span::evaluator::note_llm(parent);
        }
        tracer::with_recording(|recording| match recording {
            Some(recording) => start_ours(recording, kind, name, type_name, parent),
            None => start_global(kind, name, type_name, parent),
        })
    })
}

impl Open {
    /// The state of a call whose span records.
    pub(super) fn with_state(kind: SpanKind, state: State) -> Self {
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
            scrubbed: None,
            deferred_output: None,
            kind_state: None,
        }
    }
}

/// Starts a span through our recorder.
fn start_ours(
    recording: &Arc<Recording>,
    kind: SpanKind,
    name: &'static str,
    type_name: Option<fn() -> &'static str>,
    parent: &Context,
) -> State {
    let first = KeyValue::new(semconv::OPENINFERENCE_SPAN_KIND, kind.as_str());
    match Recorder::start(recording, name, parent, first) {
        Start::Recording(mut span) => {
            name_and_scope(&mut span, kind, name, type_name, parent);
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
        if let Some(attributes) = context_attributes::stamp(parent) {
            opentelemetry::trace::Span::set_attributes(&mut span, attributes);
        }
        name_and_scope(&mut span, kind, name, type_name, parent);
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

/// What a recording span gets from its name and its parent, ours or the
/// global provider's: `Type::method` for methods, `agent.name` on an agent,
/// and on an `#[llm]` call the prompt rendered before it in `parent`.
fn name_and_scope<S: opentelemetry::trace::Span>(
    span: &mut S,
    kind: SpanKind,
    name: &'static str,
    type_name: Option<fn() -> &'static str>,
    parent: &Context,
) {
    let full = type_name.map(|type_name| method_span_name(type_name(), name));
    if kind == SpanKind::Agent {
        let agent = full.clone().map_or(Cow::Borrowed(name), Cow::Owned);
        span.set_attribute(KeyValue::new(semconv::AGENT_NAME, agent));
    }
    if let Some(full) = full {
        span.update_name(Cow::Owned(full));
    }
    if kind == SpanKind::Llm {
        if let Some(attributes) = prompt_of(parent) {
            span.set_attributes(attributes);
        }
    }
}

/// The `llm.prompt_template.*` of the prompt last rendered in `parent`,
/// unless context attributes set a template (they win).
fn prompt_of(parent: &Context) -> Option<Vec<KeyValue>> {
    let id = parent.span().span_context().span_id();
    let rendered = crate::span::prompt::for_parent(id)?;
    (!context_attributes::has_template(parent)).then(|| rendered.attributes())
}
