//! Process-wide counters of what happened to annotations, read by
//! `stats()` beside the span counters.

use std::sync::atomic::{AtomicU64, Ordering};

static QUEUED: AtomicU64 = AtomicU64::new(0);
static SENT: AtomicU64 = AtomicU64::new(0);
static RETRIED: AtomicU64 = AtomicU64::new(0);
static DROPPED: AtomicU64 = AtomicU64::new(0);

/// The annotation counters now: (queued, sent, retried, dropped).
pub(crate) fn read() -> (u64, u64, u64, u64) {
    (
        QUEUED.load(Ordering::Relaxed),
        SENT.load(Ordering::Relaxed),
        RETRIED.load(Ordering::Relaxed),
        DROPPED.load(Ordering::Relaxed),
    )
}

/// An annotation accepted by `annotate` (checked, handed on).
pub(crate) fn add_queued(n: u64) {
    QUEUED.fetch_add(n, Ordering::Relaxed);
}
/// Annotations Phoenix stored (or the console printed).
pub(crate) fn add_sent(n: u64) {
    SENT.fetch_add(n, Ordering::Relaxed);
}
/// A send attempt repeated (span not stored yet, server unreachable).
pub(crate) fn add_retried(n: u64) {
    RETRIED.fetch_add(n, Ordering::Relaxed);
}
/// Annotations given up on: their span was never exported, no endpoint,
/// refused, retried for too long, queue full, or undelivered at shutdown.
pub(crate) fn add_dropped(n: u64) {
    DROPPED.fetch_add(n, Ordering::Relaxed);
}
