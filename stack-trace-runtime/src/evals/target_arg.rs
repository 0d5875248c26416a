//! [`EvaluationTarget`]: an `#[evaluator]` argument that names what is
//! evaluated (a span, a trace, a span read back from Phoenix), so that an
//! offline evaluator over earlier traces binds its result there.

use super::annotation::Target;
use super::handle::{SpanHandle, TraceHandle};

/// A value that names what an `#[evaluator]` evaluates. When one of an
/// evaluator's arguments implements it, the result is bound to that target;
/// otherwise to the span that ended just before the evaluator started,
/// under the same parent and on the same thread (the agent run it follows),
/// else to the span the evaluator runs in.
///
/// Implemented for [`SpanHandle`], [`TraceHandle`], [`Target`], spans read
/// back from Phoenix, references and `Option`s of those. Implement it for a
/// record of your own that holds a handle.
///
/// ```
/// use stack_trace_runtime::{evaluator, EvaluationTarget, SpanHandle, Target};
///
/// struct Transcript { span: SpanHandle, answer: String }
///
/// impl EvaluationTarget for Transcript {
///     fn evaluation_target(&self) -> Option<Target> {
///         Some(Target::Span(self.span))
///     }
/// }
///
/// #[evaluator]
/// fn non_empty(run: &Transcript) -> bool {
///     !run.answer.is_empty()
/// }
/// # let span: SpanHandle = "00f067aa0ba902b7".parse().unwrap();
/// # assert!(non_empty(&Transcript { span, answer: "hi".into() }));
/// ```
pub trait EvaluationTarget {
    /// What is evaluated, if known.
    fn evaluation_target(&self) -> Option<Target>;
}

impl EvaluationTarget for SpanHandle {
    fn evaluation_target(&self) -> Option<Target> {
        Some(Target::Span(*self))
    }
}

impl EvaluationTarget for TraceHandle {
    fn evaluation_target(&self) -> Option<Target> {
        Some(Target::Trace(*self))
    }
}

impl EvaluationTarget for Target {
    fn evaluation_target(&self) -> Option<Target> {
        Some(self.clone())
    }
}

#[cfg(feature = "otlp-http")]
impl EvaluationTarget for super::phoenix::StoredSpan {
    fn evaluation_target(&self) -> Option<Target> {
        Some(Target::Span(self.handle))
    }
}

impl<T: EvaluationTarget> EvaluationTarget for Option<T> {
    fn evaluation_target(&self) -> Option<Target> {
        self.as_ref().and_then(EvaluationTarget::evaluation_target)
    }
}

impl<T: EvaluationTarget + ?Sized> EvaluationTarget for &T {
    fn evaluation_target(&self) -> Option<Target> {
        (**self).evaluation_target()
    }
}

impl<T: EvaluationTarget + ?Sized> EvaluationTarget for &mut T {
    fn evaluation_target(&self) -> Option<Target> {
        (**self).evaluation_target()
    }
}

/// Wraps a borrowed argument to ask whether it names a target. Not public
/// API.
#[doc(hidden)]
#[derive(Debug)]
pub struct TargetProbe<'a, T: ?Sized>(pub &'a T);

/// Not public API: the argument names a target.
#[doc(hidden)]
pub trait ViaEvaluationTarget {
    /// Not public API.
    fn st_target(&self) -> Option<Target>;
}

impl<T: EvaluationTarget + ?Sized> ViaEvaluationTarget for &TargetProbe<'_, T> {
    fn st_target(&self) -> Option<Target> {
        self.0.evaluation_target()
    }
}

/// Not public API: the argument names nothing.
#[doc(hidden)]
pub trait NoEvaluationTarget {
    /// Not public API.
    fn st_target(&self) -> Option<Target>;
}

impl<T: ?Sized> NoEvaluationTarget for TargetProbe<'_, T> {
    fn st_target(&self) -> Option<Target> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::needless_borrow)] // the autoref probe, as generated code uses it
    fn handles_name_targets_and_other_values_do_not() {
        #[allow(unused_imports)]
        use super::{NoEvaluationTarget as _, ViaEvaluationTarget as _};
        let span: SpanHandle = "00f067aa0ba902b7".parse().unwrap();
        assert_eq!((&&TargetProbe(&span)).st_target(), Some(Target::Span(span)));
        assert_eq!(
            (&&TargetProbe(&Some(&span))).st_target(),
            Some(Target::Span(span))
        );
        assert_eq!((&&TargetProbe(&"text")).st_target(), None);
        assert_eq!((&&TargetProbe(&None::<SpanHandle>)).st_target(), None);
    }
}
