//! Running the body with the span current: a sync body under a context
//! guard, an async body polled through [`InContext`](crate::span::future::InContext); panics are recorded and
//! keep unwinding unchanged.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use opentelemetry::trace::TraceContextExt as _;
use opentelemetry::{Context, ContextGuard};

use super::{KindState, Open, Pending, State};
use crate::capture::panic::panic_message;
use crate::openinference::context_attributes;

impl Open {
    /// Makes the span current (for the body) if it is not yet.
    pub(super) fn make_current(&mut self) {
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
                cx = context_attributes::merged_into(&cx, *attributes);
            }
            if let Some(KindState::Evaluation(evaluation)) = self.kind_state.as_deref() {
                cx = cx.with_value(evaluation.scope());
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
    #[inline(never)]
    pub(crate) fn run_sync<R>(&mut self, body: impl FnOnce() -> R) -> R {
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
}
