//! Process-wide counters of what happened to finished spans.

use std::sync::atomic::{AtomicU64, Ordering};

static ENDED: AtomicU64 = AtomicU64::new(0);
static EXPORTED: AtomicU64 = AtomicU64::new(0);
static DROPPED: AtomicU64 = AtomicU64::new(0);
static FAILED_EXPORTS: AtomicU64 = AtomicU64::new(0);

/// What happened to the spans recorded since the process started.
///
/// `ended = exported + dropped + (still queued or in flight)`.
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
}

/// The counters now.
///
/// ```
/// let s = stack_trace_runtime::stats();
/// assert!(s.exported + s.dropped <= s.ended);
/// ```
#[must_use]
pub fn stats() -> Stats {
    Stats {
        ended: ENDED.load(Ordering::Relaxed),
        exported: EXPORTED.load(Ordering::Relaxed),
        dropped: DROPPED.load(Ordering::Relaxed),
        failed_exports: FAILED_EXPORTS.load(Ordering::Relaxed),
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
