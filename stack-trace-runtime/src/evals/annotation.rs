//! [`Annotation`]: a score, label or explanation with its name, annotator
//! kind, metadata and identifier, and [`Target`]: what it is about (a span,
//! a trace, a session, or one retrieved document of a span).

use serde_json::{Map, Value};

use super::handle::{SpanHandle, TraceHandle};

/// Who made an annotation (Phoenix's `annotator_kind`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum AnnotatorKind {
    /// A model judged it (an LLM-as-judge evaluator).
    Llm,
    /// Code judged it (a heuristic or exact-match evaluator).
    Code,
    /// A person judged it (user feedback, a reviewer). The default.
    #[default]
    Human,
}

impl AnnotatorKind {
    /// Phoenix's spelling: `LLM`, `CODE` or `HUMAN`.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Llm => "LLM",
            Self::Code => "CODE",
            Self::Human => "HUMAN",
        }
    }
}

/// One evaluation result, to be bound to a [`Target`] with
/// [`crate::annotate`].
///
/// It needs a name and at least one of a score, a label or an explanation.
/// Annotations with the same name and [`identifier`](Self::identifier) on
/// the same target replace each other (an upsert); without an identifier
/// each annotation of a name replaces the previous one without an
/// identifier.
///
/// ```
/// use stack_trace_runtime::{Annotation, AnnotatorKind};
///
/// let feedback = Annotation::new("user_feedback")
///     .label("thumbs_down")
///     .score(0.0)
///     .explanation("the refund policy quoted is out of date")
///     .metadata("channel", "web")
///     .identifier("feedback-ticket-4711");
/// assert_eq!(feedback.annotator_kind(), AnnotatorKind::Human);
///
/// let judged = Annotation::new("correctness").score(0.8).annotator(AnnotatorKind::Llm);
/// assert_eq!(judged.score_value(), Some(0.8));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Annotation {
    pub(crate) name: String,
    pub(crate) annotator: AnnotatorKind,
    pub(crate) score: Option<f64>,
    pub(crate) label: Option<String>,
    pub(crate) explanation: Option<String>,
    pub(crate) metadata: Map<String, Value>,
    pub(crate) identifier: Option<String>,
}

impl Annotation {
    /// An annotation named `name` (`correctness`, `user_feedback`,
    /// `relevance`), made by a [`AnnotatorKind::Human`] until
    /// [`annotator`](Self::annotator) says otherwise.
    #[must_use]
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            annotator: AnnotatorKind::default(),
            score: None,
            label: None,
            explanation: None,
            metadata: Map::new(),
            identifier: None,
        }
    }

    /// The score (finite; NaN and infinities are refused when annotating).
    #[must_use]
    pub fn score(mut self, score: f64) -> Self {
        self.score = Some(score);
        self
    }

    /// The label (`correct`, `hallucinated`, `thumbs_up`).
    #[must_use]
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Why: an LLM judge's reasoning, a user's comment.
    #[must_use]
    pub fn explanation(mut self, explanation: impl Into<String>) -> Self {
        self.explanation = Some(explanation.into());
        self
    }

    /// Who made it.
    #[must_use]
    pub fn annotator(mut self, kind: AnnotatorKind) -> Self {
        self.annotator = kind;
        self
    }

    /// Adds one metadata entry (replacing one of the same key). Values are
    /// JSON (`serde_json::json!` builds nested ones) and are scrubbed of
    /// credentials like every captured value.
    #[must_use]
    pub fn metadata(mut self, key: impl Into<String>, value: impl Into<Value>) -> Self {
        self.metadata.insert(key.into(), value.into());
        self
    }

    /// The identifier: annotating the same target again with the same name
    /// and identifier updates the annotation instead of adding one. Not
    /// allowed on document annotations (Phoenix refuses it).
    #[must_use]
    pub fn identifier(mut self, identifier: impl Into<String>) -> Self {
        self.identifier = Some(identifier.into());
        self
    }

    /// The name.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Who made it.
    #[must_use]
    pub fn annotator_kind(&self) -> AnnotatorKind {
        self.annotator
    }

    /// The score, if set.
    #[must_use]
    pub fn score_value(&self) -> Option<f64> {
        self.score
    }

    /// The label, if set.
    #[must_use]
    pub fn label_value(&self) -> Option<&str> {
        self.label.as_deref()
    }
}

/// What an annotation is about.
///
/// ```
/// use stack_trace_runtime::{SpanHandle, Target, TraceHandle};
///
/// let trace: TraceHandle = "4bf92f3577b34da6a3ce929d0e0e4736".parse().unwrap();
/// let span: SpanHandle = "00f067aa0ba902b7".parse().unwrap();
/// let _ = Target::from(trace);
/// let _ = Target::from(span);
/// let _ = Target::session("chat-42");
/// let _ = Target::document(span, 2); // the third retrieved document
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Target {
    /// One span.
    Span(SpanHandle),
    /// A whole trace.
    Trace(TraceHandle),
    /// A session (the `session.id` its spans carry).
    Session(String),
    /// The retrieved document at `position` (from 0, in
    /// `retrieval.documents` order) of a retriever or reranker span.
    Document {
        /// The retriever span.
        span: SpanHandle,
        /// The document's position, from 0.
        position: usize,
    },
}

impl Target {
    /// A session by its id.
    #[must_use]
    pub fn session(id: impl Into<String>) -> Self {
        Self::Session(id.into())
    }

    /// Document `position` (from 0) of a retriever span.
    #[must_use]
    pub fn document(span: SpanHandle, position: usize) -> Self {
        Self::Document { span, position }
    }

    /// The span this target is, or is part of.
    pub(crate) fn span(&self) -> Option<&SpanHandle> {
        match self {
            Self::Span(span) | Self::Document { span, .. } => Some(span),
            _ => None,
        }
    }

    /// Whether the head sampler left this target's trace out, as far as a
    /// live handle knows.
    pub(crate) fn known_unsampled(&self) -> bool {
        let sampled = match self {
            Self::Span(span) | Self::Document { span, .. } => span.sampled(),
            Self::Trace(trace) => trace.sampled(),
            Self::Session(_) => None,
        };
        sampled == Some(false)
    }
}

impl From<SpanHandle> for Target {
    fn from(span: SpanHandle) -> Self {
        Self::Span(span)
    }
}

impl From<TraceHandle> for Target {
    fn from(trace: TraceHandle) -> Self {
        Self::Trace(trace)
    }
}
