//! [`Evaluation`]: what an `#[evaluator]` returns, and [`DescribeEvaluation`]:
//! any result type that can say what its evaluation was. An evaluator's
//! result becomes an annotation on the span it evaluates.

use serde_json::{Map, Value};

use super::annotation::Annotation;

/// An evaluator's verdict: a score, a label, an explanation, metadata.
///
/// ```
/// use stack_trace_runtime::{evaluator, Evaluation};
///
/// #[evaluator]
/// fn mentions_a_source(answer: &str) -> Evaluation {
///     let cited = answer.contains("[1]");
///     Evaluation::score(if cited { 1.0 } else { 0.0 })
///         .label(if cited { "cited" } else { "uncited" })
/// }
/// # let _ = mentions_a_source("see [1]");
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Evaluation {
    pub(crate) score: Option<f64>,
    pub(crate) label: Option<String>,
    pub(crate) explanation: Option<String>,
    pub(crate) metadata: Map<String, Value>,
    pub(crate) document: Option<usize>,
}

impl Evaluation {
    /// An evaluation with this score.
    #[must_use]
    pub fn score(score: f64) -> Self {
        Self {
            score: Some(score),
            ..Self::default()
        }
    }

    /// An evaluation with this label.
    #[must_use]
    pub fn labelled(label: impl Into<String>) -> Self {
        Self::default().label(label)
    }

    /// Sets the score.
    #[must_use]
    pub fn with_score(mut self, score: f64) -> Self {
        self.score = Some(score);
        self
    }

    /// Sets the label.
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Sets the explanation (a judge's reasoning).
    #[must_use]
    pub fn explanation(mut self, explanation: impl Into<String>) -> Self {
        self.explanation = Some(explanation.into());
        self
    }

    /// Binds the evaluation to document `position` (from 0) of the span
    /// evaluated (a retriever's), not to the span itself: a relevance
    /// evaluator called right after a retrieval, once per document. Phoenix
    /// computes its retrieval metrics (NDCG, precision, hit) from the scores
    /// of `LLM` document annotations only: judge relevance with an `#[llm]`
    /// call inside the evaluator.
    #[must_use]
    pub fn document(mut self, position: usize) -> Self {
        self.document = Some(position);
        self
    }

    /// The document position it is bound to, if any.
    pub(crate) fn document_position(&self) -> Option<usize> {
        self.document
    }

    /// Adds one metadata entry.
    #[must_use]
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// The annotation named `name` that carries this evaluation.
    pub(crate) fn into_annotation(self, name: &str) -> Annotation {
        let mut annotation = Annotation::new(name);
        annotation.score = self.score;
        annotation.label = self.label;
        annotation.explanation = self.explanation;
        annotation.metadata = self.metadata;
        annotation
    }
}

/// A result type that says what its evaluation was, so that an
/// `#[evaluator]` returning it binds that evaluation to the span it
/// evaluates. Implemented for [`Evaluation`], `f64` and `f32` (a score),
/// `bool` (score 1 or 0, label `pass` or `fail`), and `Option` of those
/// (`None`: nothing to record). An evaluator returning `Result` binds its
/// `Ok` value; an error binds nothing (the evaluator's span records it).
///
/// ```
/// use stack_trace_runtime::{evaluator, DescribeEvaluation, Evaluation};
///
/// struct Verdict { faithful: bool, reason: String }
///
/// impl DescribeEvaluation for Verdict {
///     fn evaluation(&self) -> Option<Evaluation> {
///         let score = if self.faithful { 1.0 } else { 0.0 };
///         Some(Evaluation::score(score).explanation(self.reason.clone()))
///     }
/// }
///
/// #[evaluator]
/// fn faithfulness(answer: &str, context: &str) -> Verdict {
///     Verdict { faithful: context.contains(answer), reason: "substring check".into() }
/// }
/// # let _ = faithfulness("a", "abc");
/// ```
pub trait DescribeEvaluation {
    /// The evaluation, or `None` for nothing to record.
    fn evaluation(&self) -> Option<Evaluation>;
}

impl DescribeEvaluation for Evaluation {
    fn evaluation(&self) -> Option<Evaluation> {
        Some(self.clone())
    }
}

impl DescribeEvaluation for f64 {
    fn evaluation(&self) -> Option<Evaluation> {
        Some(Evaluation::score(*self))
    }
}

impl DescribeEvaluation for f32 {
    fn evaluation(&self) -> Option<Evaluation> {
        Some(Evaluation::score(f64::from(*self)))
    }
}

impl DescribeEvaluation for bool {
    fn evaluation(&self) -> Option<Evaluation> {
        Some(
            Evaluation::score(if *self { 1.0 } else { 0.0 }).label(if *self {
                "pass"
            } else {
                "fail"
            }),
        )
    }
}

impl<T: DescribeEvaluation> DescribeEvaluation for Option<T> {
    fn evaluation(&self) -> Option<Evaluation> {
        self.as_ref().and_then(DescribeEvaluation::evaluation)
    }
}

impl<T: DescribeEvaluation + ?Sized> DescribeEvaluation for &T {
    fn evaluation(&self) -> Option<Evaluation> {
        (**self).evaluation()
    }
}

impl<T: DescribeEvaluation + ?Sized> DescribeEvaluation for Box<T> {
    fn evaluation(&self) -> Option<Evaluation> {
        (**self).evaluation()
    }
}

/// Wraps a borrowed result to ask whether it describes an evaluation. Not
/// public API.
#[doc(hidden)]
#[derive(Debug)]
pub struct EvaluationProbe<'a, T: ?Sized>(pub &'a T);

/// Not public API: the result describes its evaluation.
#[doc(hidden)]
pub trait ViaDescribeEvaluation {
    /// Not public API.
    fn st_evaluation(&self) -> Option<Evaluation>;
}

impl<T: DescribeEvaluation + ?Sized> ViaDescribeEvaluation for &EvaluationProbe<'_, T> {
    fn st_evaluation(&self) -> Option<Evaluation> {
        self.0.evaluation()
    }
}

/// Not public API: the result does not describe an evaluation.
#[doc(hidden)]
pub trait NoDescribeEvaluation {
    /// Not public API.
    fn st_evaluation(&self) -> Option<Evaluation>;
}

impl<T: ?Sized> NoDescribeEvaluation for EvaluationProbe<'_, T> {
    fn st_evaluation(&self) -> Option<Evaluation> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::needless_borrow)] // the autoref probe, as generated code uses it
    fn results_describe_themselves() {
        #[allow(unused_imports)]
        use super::{NoDescribeEvaluation as _, ViaDescribeEvaluation as _};
        assert_eq!(
            (&&EvaluationProbe(&0.5f64)).st_evaluation(),
            Some(Evaluation::score(0.5))
        );
        let pass = (&&EvaluationProbe(&true)).st_evaluation().unwrap();
        assert_eq!(
            (pass.score, pass.label.as_deref()),
            (Some(1.0), Some("pass"))
        );
        assert_eq!((&&EvaluationProbe(&None::<f64>)).st_evaluation(), None);
        assert_eq!((&&EvaluationProbe(&"text")).st_evaluation(), None);
        let annotation = Evaluation::labelled("ok")
            .explanation("why")
            .into_annotation("judge");
        assert_eq!(annotation.name(), "judge");
        assert_eq!(annotation.label_value(), Some("ok"));
    }
}
