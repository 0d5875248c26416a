//! [`annotate`]: binds an evaluation to a span, a trace, a session or a
//! retrieved document. Checked here, on the caller's thread; delivered by
//! the export thread.

use crate::evals::prepare::prepare;
use crate::evals::{stats, Annotation, AnnotationError, Target};
use crate::span::tracer;

/// Binds `annotation` to `target`: a [`crate::SpanHandle`], a
/// [`crate::TraceHandle`], a session or one retrieved document
/// ([`Target`]). Never blocks: the annotation is checked and queued, and the
/// export thread sends it to Phoenix once its span was exported (or prints
/// it beside its span on the console waterfall when there is no endpoint).
///
/// An annotation on a span that is never exported (left out by the head
/// sampler, discarded by the tail sampler) is dropped and counted, as is one
/// made while tracing is not installed; [`crate::stats`] counts what was
/// sent, retried and dropped.
///
/// ```
/// use stack_trace_runtime::{agent, annotate, current_span, Annotation, AnnotatorKind, SpanHandle};
///
/// #[agent]
/// fn answer(question: &str) -> (String, Option<SpanHandle>) {
///     (format!("42 is the answer to {question}"), current_span().span_id())
/// }
///
/// let _guard = stack_trace_runtime::init();
/// let (text, span) = answer("everything");
/// let span = span.expect("recorded");
/// let score = if text.contains("42") { 1.0 } else { 0.0 };
/// annotate(span, Annotation::new("mentions_42").score(score).annotator(AnnotatorKind::Code))?;
/// // Bad input is refused at once, with a clear error:
/// assert!(annotate(span, Annotation::new("note").label("reserved")).is_err());
/// # Ok::<(), stack_trace_runtime::AnnotationError>(())
/// ```
///
/// # Errors
/// [`AnnotationError`] for bad input, before anything is queued: an empty
/// name, `note` (reserved by Phoenix), a NaN or infinite score, no score,
/// label or explanation at all, an identifier on a document annotation, an
/// empty session id.
pub fn annotate(target: impl Into<Target>, annotation: Annotation) -> Result<(), AnnotationError> {
    let prepared = prepare(target.into(), annotation)?;
    stats::add_queued(1);
    tracer::with_recording(|recording| match recording {
        Some(recording) => recording.worker.annotate(prepared),
        None => stats::add_dropped(1),
    });
    Ok(())
}
