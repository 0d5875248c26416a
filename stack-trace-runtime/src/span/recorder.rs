//! [`Recorder`]: the span of an annotated call, recorded by us rather than by
//! the SDK's `Span`, once [`crate::init`] installed our provider.
//!
//! It follows the SDK tracer step by step (the provider's sampler and its
//! parent-based rules, random ids, span limits, `Ok > Error > Unset` status
//! order, context attributes stamped at start) and implements the
//! OpenTelemetry `Span` trait, so it lives in a `Context` like any span: the
//! application's own spans nest under it, and `SpanRef` calls on it (from
//! `get_active_span`, or our `current_span()`) reach it. What it does not do
//! is the SDK's general machinery the macros never need: a `SpanBuilder`, a
//! tracer clone per span, the processor chain, growing the attribute list
//! from empty. It also knows which of its attributes were set by hand: when
//! none were, there is no precedence to resolve, and the span goes to the
//! export thread marked as resolved (see `crate::export::precedence`).

use std::borrow::Cow;
use std::sync::Arc;
use std::time::SystemTime;

use opentelemetry::trace::{
    Event, Link, SpanContext, SpanId, SpanKind, Status, TraceContextExt as _, TraceFlags,
};
use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::trace::{
    IdGenerator as _, RandomIdGenerator, Sampler, SamplingDecision, ShouldSample as _, SpanData,
    SpanEvents, SpanLimits, SpanLinks,
};

use super::tracer::SCOPE;
use crate::export::precedence::{self, OUTCOME_MARKER};
use crate::export::WorkerHandle;
use crate::openinference::{budget, context_attributes};
use crate::scrub::text::scrub_str;
use crate::scrub::{self, Findings, Report};
use crate::semconv;

/// What the annotated calls need of the installed provider.
#[derive(Debug)]
pub(crate) struct Recording {
    /// The provider's sampler (the same value the provider was built with).
    pub(crate) sampler: Sampler,
    /// The provider's span limits.
    pub(crate) limits: SpanLimits,
    /// Where ended spans go (the provider's processor hands to the same).
    pub(crate) worker: Arc<WorkerHandle>,
}

/// Capacity of a new span's attribute list: kind, input value and type,
/// output value and type, with room for a few more before it grows.
const INITIAL_ATTRIBUTES: usize = 8;

/// The guard's last write to a span of ours in its context, `true` when the
/// call succeeded: set status OK (when `true`) and end, in the same call that
/// brings the outcome's attributes (one lock of the context's span, not
/// three). Never recorded.
pub(crate) const END_MARKER: &str = "stack_trace.internal.end";

/// How a span starts.
#[allow(clippy::large_enum_variant)] // moved once, into the guard
#[derive(Debug)]
pub(crate) enum Start {
    /// The sampler recorded it.
    Recording(Recorder),
    /// The sampler dropped it: its context (valid, not sampled) still goes
    /// to its children so that they follow the decision.
    Dropped(SpanContext),
}

/// One annotated call's span. See the module docs.
#[derive(Debug)]
pub(crate) struct Recorder {
    span_context: SpanContext,
    parent_span_id: SpanId,
    parent_span_is_remote: bool,
    name: Cow<'static, str>,
    start_time: SystemTime,
    attributes: Vec<KeyValue>,
    max_attributes: u32,
    dropped_attributes_count: u32,
    /// Events and links, rare on an annotated call's span: kept out of line
    /// so the span stays small (it is moved into its context).
    extras: Option<Box<Extras>>,
    status: Status,
    /// Where the automatic capture of the outcome begins (the marker's place),
    /// once the guard wrote it.
    outcome_from: Option<u32>,
    /// Whether precedence must be resolved at the end: something was set by
    /// hand, or the scope's context attributes were stamped.
    unresolved: bool,
    /// Writes now come from outside the guard (the body runs).
    in_body: bool,
    /// What scrubbing removed from values set by hand and from the
    /// scope's context attributes.
    scrubbed: Option<Box<Report>>,
    /// The provider's sampler, limits and export thread; `None` once ended.
    recording: Option<Arc<Recording>>,
}

#[derive(Debug, Default)]
struct Extras {
    events: SpanEvents,
    links: SpanLinks,
}

impl Recorder {
    /// Starts a span named `name` under `parent`, as the SDK tracer would,
    /// with `first` as its first attribute (the OpenInference kind).
    pub(crate) fn start(
        recording: &Arc<Recording>,
        name: &'static str,
        parent: &Context,
        first: KeyValue,
    ) -> Start {
        let ids = RandomIdGenerator::default();
        let span_id = ids.new_span_id();
        let parent_span = parent.span();
        let parent_context = parent_span.span_context();
        let (trace_id, parent_context) = if parent_context.is_valid() {
            (parent_context.trace_id(), Some(parent_context))
        } else {
            (ids.new_trace_id(), None)
        };
        let result = recording.sampler.should_sample(
            Some(parent),
            trace_id,
            name,
            &SpanKind::Internal,
            &[],
            &[],
        );
        let parent_flags = parent_context.map_or(TraceFlags::default(), SpanContext::trace_flags);
        let sampled = match result.decision {
            SamplingDecision::Drop => {
                return Start::Dropped(SpanContext::new(
                    trace_id,
                    span_id,
                    TraceFlags::default(),
                    false,
                    result.trace_state,
                ));
            }
            SamplingDecision::RecordOnly => false,
            SamplingDecision::RecordAndSample => true,
        };
        let limits = recording.limits;
        let mut attributes = Vec::with_capacity(INITIAL_ATTRIBUTES);
        attributes.push(first);
        if !result.attributes.is_empty() {
            attributes.extend(result.attributes);
        }
        let stamped = context_attributes::stamp(parent);
        let unresolved = stamped.is_some();
        let mut scrubbed = None;
        if let Some(stamped) = stamped {
            attributes.extend(stamped);
            if let Some(findings) = context_attributes::stamped_findings(parent) {
                let mut report = Report::default();
                report.add("context attributes", findings);
                scrubbed = Some(Box::new(report));
            }
        }
        let max = limits.max_attributes_per_span as usize;
        let dropped_attributes_count = count(attributes.len().saturating_sub(max));
        attributes.truncate(max);
        Start::Recording(Self {
            span_context: SpanContext::new(
                trace_id,
                span_id,
                parent_flags.with_sampled(sampled),
                false,
                result.trace_state,
            ),
            parent_span_id: parent_context.map_or(SpanId::INVALID, SpanContext::span_id),
            parent_span_is_remote: parent_context.is_some_and(SpanContext::is_remote),
            name: Cow::Borrowed(name),
            start_time: opentelemetry::time::now(),
            attributes,
            max_attributes: limits.max_attributes_per_span,
            dropped_attributes_count,
            extras: None,
            status: Status::Unset,
            outcome_from: None,
            unresolved,
            in_body: false,
            scrubbed,
            recording: Some(Arc::clone(recording)),
        })
    }

    /// From now on, attributes set outside the guard's own calls (before the
    /// outcome marker) count as set by hand.
    pub(crate) fn enter_body(&mut self) {
        self.in_body = true;
    }

    fn limits(&self) -> SpanLimits {
        self.recording
            .as_ref()
            .map_or_else(SpanLimits::default, |r| r.limits)
    }

    /// Appends an attribute within the span's limit; past it, only vital
    /// keys (output, tokens, model: see `budget`) take the reserve.
    fn push(&mut self, attribute: KeyValue) {
        let len = self.attributes.len();
        let max = self.max_attributes as usize;
        if len < max
            || (len < max + budget::VITAL_RESERVE && budget::is_vital(attribute.key.as_str()))
        {
            self.attributes.push(attribute);
        } else {
            self.dropped_attributes_count = self.dropped_attributes_count.saturating_add(1);
        }
    }

    fn finish(&mut self, end_time: SystemTime) {
        let Some(recording) = self.recording.take() else {
            return;
        };
        if !self.span_context.is_sampled() {
            return;
        }
        let mut attributes = std::mem::take(&mut self.attributes);
        let evaluator = attributes.first().is_some_and(|kv| {
            kv.key.as_str() == semconv::OPENINFERENCE_SPAN_KIND
                && kv.value.as_str() == semconv::SpanKind::Evaluator.as_str()
        });
        if !evaluator {
            // What an evaluator that starts next, under the same parent, evaluates.
            super::evaluator::ended(self.parent_span_id, &self.span_context);
        }
        // A prompt rendered inside this span applies no longer.
        super::prompt::ended(self.span_context.span_id());
        if self.unresolved {
            precedence::resolve_split(&mut attributes, self.outcome_from.map(|i| i as usize));
        }
        if let Some(report) = self.scrubbed.take() {
            scrub::attributes::note(&mut attributes, &report);
        }
        let Extras { events, links } = self.extras.take().map(|e| *e).unwrap_or_default();
        recording.worker.submit(
            SpanData {
                span_context: self.span_context.clone(),
                parent_span_id: self.parent_span_id,
                parent_span_is_remote: self.parent_span_is_remote,
                span_kind: SpanKind::Internal,
                name: std::mem::take(&mut self.name),
                start_time: self.start_time,
                end_time,
                attributes,
                dropped_attributes_count: self.dropped_attributes_count,
                events,
                links,
                status: std::mem::take(&mut self.status),
                instrumentation_scope: SCOPE.clone(),
            },
            true,
            true,
        );
    }
}

impl Recorder {
    /// Scrubs an attribute that was set by hand.
    fn scrub_by_hand(&mut self, attribute: &mut KeyValue) {
        let mut findings = Findings::NONE;
        scrub::attributes::scrub_key_value(attribute, &mut findings);
        if !findings.is_empty() {
            let key = attribute.key.as_str().to_owned();
            self.note_scrubbed(key, findings);
        }
    }

    fn note_scrubbed(&mut self, attribute: impl Into<Cow<'static, str>>, findings: Findings) {
        self.scrubbed
            .get_or_insert_with(Box::default)
            .add(attribute, findings);
    }
}

fn count(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

impl opentelemetry::trace::Span for Recorder {
    fn add_event_with_timestamp<T>(
        &mut self,
        name: T,
        timestamp: SystemTime,
        mut attributes: Vec<KeyValue>,
    ) where
        T: Into<Cow<'static, str>>,
    {
        if self.recording.is_none() {
            return;
        }
        if self.in_body {
            for attribute in &mut attributes {
                self.scrub_by_hand(attribute);
            }
        }
        let limits = self.limits();
        let events = &mut self.extras.get_or_insert_with(Box::default).events;
        if events.events.len() < limits.max_events_per_span as usize {
            let max = limits.max_attributes_per_event as usize;
            let dropped = count(attributes.len().saturating_sub(max));
            attributes.truncate(max);
            events
                .events
                .push(Event::new(name, timestamp, attributes, dropped));
        } else {
            events.dropped_count = events.dropped_count.saturating_add(1);
        }
    }

    fn span_context(&self) -> &SpanContext {
        &self.span_context
    }

    fn is_recording(&self) -> bool {
        self.recording.is_some()
    }

    fn set_attribute(&mut self, mut attribute: KeyValue) {
        if self.recording.is_none() {
            return;
        }
        if let opentelemetry::Value::Bool(ok) = attribute.value {
            if attribute.key.as_str() == END_MARKER {
                self.end_by_marker(ok);
                return;
            }
        }
        if self.in_body && self.outcome_from.is_none() {
            if attribute.key.as_str() == OUTCOME_MARKER {
                self.outcome_from = Some(count(self.attributes.len()));
                return;
            }
            self.unresolved = true;
            // Set by hand: it did not come through capture's scrubbing.
            self.scrub_by_hand(&mut attribute);
        }
        self.push(attribute);
    }

    fn set_status(&mut self, mut status: Status) {
        if self.recording.is_some() && status > self.status {
            if let Status::Error { description } = &status {
                let mut findings = Findings::NONE;
                if let Some(scrubbed) = scrub_str(description, &mut findings) {
                    status = Status::error(scrubbed);
                    self.note_scrubbed("status", findings);
                }
            }
            self.status = status;
        }
    }

    fn update_name<T>(&mut self, new_name: T)
    where
        T: Into<Cow<'static, str>>,
    {
        if self.recording.is_some() {
            self.name = new_name.into();
        }
    }

    fn add_link(&mut self, span_context: SpanContext, mut attributes: Vec<KeyValue>) {
        if self.recording.is_none() {
            return;
        }
        let limits = self.limits();
        let links = &mut self.extras.get_or_insert_with(Box::default).links;
        if links.links.len() < limits.max_links_per_span as usize {
            let max = limits.max_attributes_per_link as usize;
            let dropped = count(attributes.len().saturating_sub(max));
            attributes.truncate(max);
            links
                .links
                .push(Link::new(span_context, attributes, dropped));
        } else {
            links.dropped_count = links.dropped_count.saturating_add(1);
        }
    }

    fn end_with_timestamp(&mut self, timestamp: SystemTime) {
        self.finish(timestamp);
    }
}

impl Recorder {
    /// [`END_MARKER`]: status OK when `ok`, then the end.
    fn end_by_marker(&mut self, ok: bool) {
        if ok {
            opentelemetry::trace::Span::set_status(self, Status::Ok);
        }
        self.finish(opentelemetry::time::now());
    }
}

impl Drop for Recorder {
    /// A span dropped without being ended is ended now (as the SDK does).
    fn drop(&mut self) {
        if self.recording.is_some() {
            self.finish(opentelemetry::time::now());
        }
    }
}
