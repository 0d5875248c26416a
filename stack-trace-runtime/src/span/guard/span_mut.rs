//! [`SpanMut`]: the span operations the guard needs, over both span types it
//! holds: a span not yet current (ours or the global provider's) and the
//! `SpanRef` of the span in its context.

use std::borrow::Cow;

use opentelemetry::trace::Status;
use opentelemetry::KeyValue;

use super::Pending;

/// The span operations the guard needs, over owned spans and `SpanRef`s.
pub(super) trait SpanMut {
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
