//! Ending the span, exactly once: after the body completed ([`super::SpanGuard::finish`]),
//! after a panic, or when the guard is dropped unfinished (cancelled).

use opentelemetry::trace::{Status, TraceContextExt as _};
use opentelemetry::KeyValue;

use super::{Open, Pending, State, NO_ROLES};
use crate::openinference;
use crate::semconv::{self, SpanKind, SCRUBBED};
use crate::span::recorder::END_MARKER;

impl Open {
    pub(super) fn end(&mut self) {
        self.end_with(false);
    }

    /// Ends the span, with status OK first when `ok`.
    fn end_with(&mut self, ok: bool) {
        if self.ours
            && matches!(
                self.state,
                State::Current {
                    recording: true,
                    ..
                }
            )
        {
            self.end_in_context(ok);
            return;
        }
        if ok {
            self.with_span(|span| span.set_status(Status::Ok));
        }
        if let Some(report) = self.scrubbed.take() {
            self.with_span(|span| span.set_attribute(KeyValue::new(SCRUBBED, report.to_json())));
        }
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

    /// Ends a span of ours that lives in its context in one call: the
    /// outcome marker when due, the output held back, the scrubbing report,
    /// then the end marker (status OK when `ok`, and the end). Each call
    /// through the context locks the span, so this saves two.
    fn end_in_context(&mut self, ok: bool) {
        let marker = self.pending_marker();
        let (value, mime) = match self.deferred_output.take() {
            Some((value, mime)) => (
                Some(KeyValue::new(semconv::OUTPUT_VALUE, value)),
                Some(KeyValue::new(semconv::OUTPUT_MIME_TYPE, mime)),
            ),
            None => (None, None),
        };
        let report = self
            .scrubbed
            .take()
            .map(|report| KeyValue::new(SCRUBBED, report.to_json()));
        let end = Some(KeyValue::new(END_MARKER, ok));
        if let State::Current { cx, .. } = &self.state {
            cx.span()
                .set_attributes([marker, value, mime, report, end].into_iter().flatten());
        }
        self.state = State::Ended;
    }

    /// Ends the span after the body completed (status OK unless an error was
    /// recorded).
    pub(crate) fn finish(&mut self) {
        self.mark_outcome();
        if self.kind == SpanKind::Prompt {
            self.prompt_rendered();
        }
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
        if self.kind == SpanKind::Decision && !self.identity_written && self.is_recording() {
            let identity = openinference::decision_outcome(
                self.roles.unwrap_or(&NO_ROLES),
                None,
                self.requested_model.as_deref(),
            );
            self.identity_written = true;
            self.write_attributes(identity);
        }
        self.end_with(!self.errored);
    }
}

impl Drop for Open {
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
