//! Beside export, evaluations: scores, labels and feedback bound to the
//! traces that produced them.
//!
//! Takes: ids, from the current span (through the span stage's
//! `current_trace_id` and `CurrentSpan`) or parsed back from the hex a client
//! returns ([`handle`]).
//!
//! Does: names a trace or a span by its ids, so that an annotation made
//! minutes later, on another request, can name the trace it is about;
//! refuses malformed ids with a clear [`error`].
//!
//! Hands on: [`TraceHandle`] and [`SpanHandle`]. Annotations on them, their
//! delivery by the export thread to Phoenix's REST API, and reading traces
//! back are the next steps of this stage.

pub(crate) mod error;
pub(crate) mod handle;

pub use error::AnnotationError;
pub use handle::{SpanHandle, TraceHandle};
