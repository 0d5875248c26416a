//! Process-wide counters of what happened to finished spans.

use std::sync::atomic::{AtomicU64, Ordering};

static ENDED: AtomicU64 = AtomicU64::new(0);
static EXPORTED: AtomicU64 = AtomicU64::new(0);
static DROPPED: AtomicU64 = AtomicU64::new(0);
static FAILED_EXPORTS: AtomicU64 = AtomicU64::new(0);
static SAMPLED_OUT: AtomicU64 = AtomicU64::new(0);
static TRACES_KEPT: AtomicU64 = AtomicU64::new(0);
static TRACES_SAMPLED_OUT: AtomicU64 = AtomicU64::new(0);
static OVERFLOW_DECISIONS: AtomicU64 = AtomicU64::new(0);
static TIMEOUT_DECISIONS: AtomicU64 = AtomicU64::new(0);
static LATE_SPANS: AtomicU64 = AtomicU64::new(0);

/// What happened to the spans recorded since the process started.
///
/// `ended = exported + dropped + sampled_out + (still queued, waiting for
/// a tail-sampling decision, or in flight)`, and likewise `annotations =
/// annotations_sent + annotations_dropped + (waiting)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// Spans that finished and reached the export queue (or were dropped at it).
    pub ended: u64,
    /// Spans the exporter accepted.
    pub exported: u64,
    /// Spans lost: queue full, export failed, or still undelivered at shutdown.
    pub dropped: u64,
    /// Export calls that failed.
    pub failed_exports: u64,
    /// Spans the tail sampler discarded on purpose (their trace was neither
    /// failed, slow, nor in the ratio). Not a loss: see [`crate::TailSampling`].
    pub sampled_out: u64,
    /// Traces the tail sampler kept.
    pub traces_kept: u64,
    /// Traces the tail sampler discarded.
    pub traces_sampled_out: u64,
    /// Traces decided before their root ended because a buffer cap was
    /// reached (decided on the spans that had arrived).
    pub overflow_decisions: u64,
    /// Traces decided because their root had not ended within the root timeout.
    pub timeout_decisions: u64,
    /// Spans that ended after their trace was decided and followed the decision.
    pub late_spans: u64,
    /// Annotations accepted by [`crate::annotate`] (checked and queued).
    pub annotations: u64,
    /// Annotations Phoenix stored (or the console printed).
    pub annotations_sent: u64,
    /// Send attempts repeated: the span was not stored yet, or Phoenix could
    /// not be reached.
    pub annotations_retried: u64,
    /// Annotations given up on: their span was never exported (head or tail
    /// sampled out), no Phoenix to send to, refused, retried too long, the
    /// queue was full, or still undelivered at shutdown.
    pub annotations_dropped: u64,
}

/// The counters now.
///
/// ```
/// let s = stack_trace_runtime::stats();
/// assert!(s.exported + s.dropped + s.sampled_out <= s.ended);
/// ```
#[must_use]
pub fn stats() -> Stats {
    let (annotations, annotations_sent, annotations_retried, annotations_dropped) =
        crate::evals::stats::read();
    Stats {
        ended: ENDED.load(Ordering::Relaxed),
        exported: EXPORTED.load(Ordering::Relaxed),
        dropped: DROPPED.load(Ordering::Relaxed),
        failed_exports: FAILED_EXPORTS.load(Ordering::Relaxed),
        sampled_out: SAMPLED_OUT.load(Ordering::Relaxed),
        traces_kept: TRACES_KEPT.load(Ordering::Relaxed),
        traces_sampled_out: TRACES_SAMPLED_OUT.load(Ordering::Relaxed),
        overflow_decisions: OVERFLOW_DECISIONS.load(Ordering::Relaxed),
        timeout_decisions: TIMEOUT_DECISIONS.load(Ordering::Relaxed),
        late_spans: LATE_SPANS.load(Ordering::Relaxed),
        annotations,
        annotations_sent,
        annotations_retried,
        annotations_dropped,
    }
}

pub(crate) fn add_ended(n: u64) {
    ENDED.fetch_add(n, Ordering::Relaxed);
}
pub(crate) fn add_exported(n: u64) {
    EXPORTED.fetch_add(n, Ordering::Relaxed);
}
pub(crate) fn add_dropped(n: u64) {
    DROPPED.fetch_add(n, Ordering::Relaxed);
}
pub(crate) fn add_failed_export() {
    FAILED_EXPORTS.fetch_add(1, Ordering::Relaxed);
}
pub(crate) fn add_sampled_out(n: u64) {
    SAMPLED_OUT.fetch_add(n, Ordering::Relaxed);
}
pub(crate) fn add_trace_kept() {
    TRACES_KEPT.fetch_add(1, Ordering::Relaxed);
}
pub(crate) fn add_trace_sampled_out() {
    TRACES_SAMPLED_OUT.fetch_add(1, Ordering::Relaxed);
}
pub(crate) fn add_overflow_decision() {
    OVERFLOW_DECISIONS.fetch_add(1, Ordering::Relaxed);
}
pub(crate) fn add_timeout_decision() {
    TIMEOUT_DECISIONS.fetch_add(1, Ordering::Relaxed);
}
pub(crate) fn add_late_spans(n: u64) {
    LATE_SPANS.fetch_add(n, Ordering::Relaxed);
}
