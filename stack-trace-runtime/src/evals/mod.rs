//! Beside export, evaluations: scores, labels and feedback bound to the
//! traces that produced them.
//!
//! Takes: ids, from the current span (through the span stage's
//! `current_trace_id` and `CurrentSpan`) or parsed back from the hex a client
//! returns ([`handle`]); [`Annotation`]s on a [`Target`] ([`annotation`]).
//!
//! Does: names a trace or a span by its ids, so that an annotation made
//! minutes later, on another request, can name the trace it is about;
//! checks, scrubs and caps each annotation into Phoenix's request shape
//! ([`prepare`], refusing bad input with a clear [`error`]); holds it until
//! its span was exported, then sends, retries, splits and counts
//! ([`delivery`], driven by the export thread) over Phoenix's REST API
//! ([`phoenix`]); counts all of it ([`stats`]).
//!
//! Hands on: [`TraceHandle`], [`SpanHandle`], [`Annotation`] and [`Target`]
//! to users; the outbox and its counters to the export stage.

pub(crate) mod annotation;
pub(crate) mod delivery;
pub(crate) mod error;
pub(crate) mod evaluation;
pub(crate) mod handle;
#[cfg(feature = "otlp-http")]
pub(crate) mod phoenix;
pub(crate) mod prepare;
pub(crate) mod stats;
pub(crate) mod target_arg;

pub use annotation::{Annotation, AnnotatorKind, Target};
pub use error::AnnotationError;
pub use evaluation::{DescribeEvaluation, Evaluation};
pub use handle::{SpanHandle, TraceHandle};
#[cfg(feature = "otlp-http")]
pub use phoenix::{PhoenixClient, ReadError, StoredSpan};
pub use target_arg::EvaluationTarget;
