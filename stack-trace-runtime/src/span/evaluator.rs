//! An `#[evaluator]`'s span, as the one that binds a result: what it
//! evaluates ([`EvalState`]: an argument that names a target, else the span
//! that ended just before it under the same parent, else its parent), and
//! whether a model judged (an `#[llm]` call inside it marks its
//! [`EvaluatorScope`]). The result becomes an annotation through
//! [`crate::annotate`].

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use opentelemetry::trace::{SpanContext, SpanId, TraceContextExt as _, TraceFlags, TraceId};
use opentelemetry::Context;

use crate::evals::{stats, AnnotatorKind, Evaluation, SpanHandle, Target};

/// Carried in an evaluator's context: set when an `#[llm]` call starts
/// inside it.
#[derive(Clone, Debug)]
pub(crate) struct EvaluatorScope(Arc<AtomicBool>);

/// An `#[llm]` span starts under `parent`: marks the evaluator it runs in.
#[cold]
pub(crate) fn note_llm(parent: &Context) {
    if let Some(scope) = parent.get::<EvaluatorScope>() {
        scope.0.store(true, Ordering::Relaxed);
    }
}

/// The last recording span that ended on this thread: (parent span id,
/// trace id, span id, sampled).
type Ended = (SpanId, TraceId, SpanId, bool);

thread_local! {
    static LAST_ENDED: Cell<Option<Ended>> = const { Cell::new(None) };
}

/// A recording span (not an evaluator's) ended on this thread.
#[inline]
pub(crate) fn ended(parent: SpanId, context: &SpanContext) {
    let entry = (
        parent,
        context.trace_id(),
        context.span_id(),
        context.is_sampled(),
    );
    let _ = LAST_ENDED.try_with(|last| last.set(Some(entry)));
}

/// The span that ended last on this thread, if any.
fn last_ended() -> Option<Ended> {
    LAST_ENDED.try_with(Cell::get).ok().flatten()
}

/// The span that ended last on this thread, if its parent is `parent`.
fn sibling_of(parent: SpanId) -> Option<SpanHandle> {
    let (p, trace, span, sampled) = last_ended()?;
    if p != parent {
        return None;
    }
    let flags = if sampled {
        TraceFlags::SAMPLED
    } else {
        TraceFlags::default()
    };
    let context = SpanContext::new(trace, span, flags, false, Default::default());
    SpanHandle::of(&context)
}

/// What an evaluator binds its result to, learned when it starts.
#[derive(Debug)]
pub(crate) struct EvalState {
    name: &'static str,
    /// From an argument ([`crate::EvaluationTarget`]).
    explicit: Option<Target>,
    /// The span that ended just before, under the same parent.
    sibling: Option<SpanHandle>,
    /// The span the evaluator runs in.
    parent: Option<SpanHandle>,
    scope: EvaluatorScope,
    /// What had ended last when it started: restored when it ends, so that
    /// the spans inside it (a judge model's) do not hide the evaluated span
    /// from the next evaluator.
    previous: Option<Ended>,
}

impl EvalState {
    /// The state of an evaluator named `name` starting now, in the current
    /// context.
    pub(crate) fn begin(name: &'static str) -> Self {
        let parent = Context::map_current(|cx| SpanHandle::of(cx.span().span_context()));
        let parent_id = parent.map_or(SpanId::INVALID, |p| p.otel_span_id());
        Self {
            name,
            explicit: None,
            sibling: sibling_of(parent_id),
            parent,
            scope: EvaluatorScope(Arc::new(AtomicBool::new(false))),
            previous: last_ended(),
        }
    }

    /// The value its context carries.
    pub(crate) fn scope(&self) -> EvaluatorScope {
        self.scope.clone()
    }

    /// An argument named what is evaluated (the first one wins).
    pub(crate) fn set_target(&mut self, target: Target) {
        self.explicit.get_or_insert(target);
    }

    /// What the result is bound to.
    fn target(&mut self) -> Option<Target> {
        self.explicit
            .take()
            .or_else(|| self.sibling.map(Target::Span))
            .or_else(|| self.parent.map(Target::Span))
    }

    /// The evaluator's body returned: what ended last is again what had
    /// ended when it started.
    pub(crate) fn restore(&self) {
        let _ = LAST_ENDED.try_with(|last| last.set(self.previous));
    }

    /// Binds `evaluation` to the target, as an annotation named after the
    /// evaluator (LLM when a model judged, CODE otherwise), with the
    /// evaluator's own span in its metadata.
    pub(crate) fn bind(mut self, evaluation: Evaluation, own: Option<SpanHandle>) {
        let Some(target) = self.target() else {
            stats::add_dropped(1);
            report_once(&NO_TARGET, || {
                format!(
                    "evaluator `{}` ran outside any span and named no target; its result is \
                     not recorded (pass a SpanHandle or TraceHandle argument)",
                    self.name
                )
            });
            return;
        };
        let target = match (evaluation.document_position(), target) {
            (Some(position), Target::Span(span)) => Target::Document { span, position },
            (_, target) => target,
        };
        let kind = if self.scope.0.load(Ordering::Relaxed) {
            AnnotatorKind::Llm
        } else {
            AnnotatorKind::Code
        };
        let mut annotation = evaluation.into_annotation(self.name).annotator(kind);
        if let Some(own) = own {
            annotation = annotation.metadata("evaluator_span", own.to_string());
        }
        if let Err(e) = crate::span::annotate::annotate(target, annotation) {
            stats::add_dropped(1);
            report_once(&REFUSED, || {
                format!("evaluator `{}`'s result is not recorded: {e}", self.name)
            });
        }
    }
}

static NO_TARGET: AtomicBool = AtomicBool::new(false);
static REFUSED: AtomicBool = AtomicBool::new(false);

fn report_once(flag: &AtomicBool, text: impl FnOnce() -> String) {
    if !flag.swap(true, Ordering::Relaxed) {
        eprintln!("stack-trace: {}", text());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context(trace: u128, span: u64) -> SpanContext {
        SpanContext::new(
            TraceId::from(trace),
            SpanId::from(span),
            TraceFlags::SAMPLED,
            false,
            Default::default(),
        )
    }

    #[test]
    fn the_last_sibling_is_found_by_its_parent() {
        ended(SpanId::from(1), &context(5, 6));
        assert_eq!(sibling_of(SpanId::from(2)), None);
        let sibling = sibling_of(SpanId::from(1)).unwrap();
        assert_eq!(sibling.span_id(), SpanId::from(6).to_string());
        assert_eq!(sibling.sampled(), Some(true));
    }

    #[test]
    fn an_explicit_target_wins_then_the_sibling_then_the_parent() {
        let span: SpanHandle = "00f067aa0ba902b7".parse().unwrap();
        let mut state = EvalState {
            name: "judge",
            explicit: Some(Target::session("s")),
            sibling: Some(span),
            parent: None,
            scope: EvaluatorScope(Arc::new(AtomicBool::new(false))),
            previous: None,
        };
        assert_eq!(state.target(), Some(Target::session("s")));
        assert_eq!(state.target(), Some(Target::Span(span)));
        state.sibling = None;
        assert_eq!(state.target(), None);
        let cx = Context::new().with_value(state.scope());
        note_llm(&cx);
        assert!(state.scope.0.load(Ordering::Relaxed));
    }
}
