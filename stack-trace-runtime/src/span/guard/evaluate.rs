//! An evaluator's guard: learns its target when it starts, from an
//! argument when one names it, and binds the result when the body returned.

use std::panic::{catch_unwind, AssertUnwindSafe};

use opentelemetry::trace::TraceContextExt as _;

use super::{KindState, Open, Pending, State};
use crate::evals::{Evaluation, SpanHandle, Target};
use crate::span::evaluator::EvalState;

impl Open {
    /// Starts an evaluator's state (its context then marks `#[llm]` calls
    /// made inside it).
    pub(super) fn begin_evaluation(&mut self, name: &'static str) {
        let state = EvalState::begin(name);
        if let State::Current { cx, .. } = &mut self.state {
            *cx = cx.with_value(state.scope());
        }
        self.kind_state = Some(Box::new(KindState::Evaluation(state)));
    }

    /// An argument named what is evaluated.
    pub(super) fn set_evaluation_target(&mut self, target: Target) {
        if let Some(KindState::Evaluation(evaluation)) = self.kind_state.as_deref_mut() {
            evaluation.set_target(target);
        }
    }

    /// This span, as a handle.
    fn own_handle(&self) -> Option<SpanHandle> {
        match &self.state {
            State::Recording(Pending::Ours(span)) => {
                SpanHandle::of(opentelemetry::trace::Span::span_context(span))
            }
            State::Recording(Pending::Global(span)) => {
                SpanHandle::of(opentelemetry::trace::Span::span_context(span))
            }
            State::Current { cx, .. } => SpanHandle::of(cx.span().span_context()),
            State::Off | State::Ended => None,
        }
    }

    /// Binds what `describe` reads from the result (a user's
    /// `DescribeEvaluation` impl may panic: then nothing is bound).
    pub(super) fn evaluate<R: ?Sized>(
        &mut self,
        out: &R,
        describe: impl FnOnce(&R) -> Option<Evaluation>,
    ) {
        let Some(KindState::Evaluation(state)) = self.kind_state.take().map(|b| *b) else {
            return;
        };
        state.restore();
        match catch_unwind(AssertUnwindSafe(|| describe(out))) {
            Ok(Some(evaluation)) => state.bind(evaluation, self.own_handle()),
            Ok(None) => {}
            Err(_) => {
                crate::evals::stats::add_dropped(1);
                eprintln!("stack-trace: a DescribeEvaluation impl panicked; that evaluation is not recorded");
            }
        }
    }
}
