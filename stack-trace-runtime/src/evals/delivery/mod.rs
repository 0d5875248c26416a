//! [`Outbox`]: annotations between `annotate` and Phoenix, driven by the
//! export thread.
//!
//! Takes: [`Prepared`] annotations (from the annotation queue), the ids of
//! the spans the export thread exported, and what it knows of a target's
//! trace ([`Whereabouts`]: still in the tail sampler's buffer, discarded).
//!
//! Does: holds an annotation until its span or trace was exported (a live
//! handle only knows it will be), drops and counts one whose span was never
//! exported, then sends batches with `sync=true` and reads the answer
//! ([`send`]): a span Phoenix has not stored yet is retried with backoff for
//! [`RETRY_MISSING_FOR`], a server that cannot be reached for
//! [`RETRY_UNAVAILABLE_FOR`], a refusal is reported once. Without Phoenix
//! it hands each annotation to the console instead. Memory is bounded: at
//! most [`MAX_WAITING`] annotations and [`MAX_WAITING_BYTES`] wait here, at
//! most [`MAX_QUEUED`] on the way (each one's texts are capped when it is
//! prepared), and the exported ids are a fixed [`recent`] table.
//!
//! Hands on: requests to Phoenix, lines for the console waterfall, and the
//! annotation counters.

mod recent;
mod send;

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use opentelemetry::trace::{SpanId, TraceId};

use super::annotation::Target;
#[cfg(feature = "otlp-http")]
use super::phoenix::client::RestClient;
use super::prepare::Prepared;
use super::stats;
use recent::Recent;
pub(crate) use send::Reports;

/// How long a span Phoenix has not stored yet is retried (it ingests
/// spans asynchronously).
pub(crate) const RETRY_MISSING_FOR: Duration = Duration::from_secs(30);
/// How long an unreachable server is retried.
pub(crate) const RETRY_UNAVAILABLE_FOR: Duration = Duration::from_secs(120);
/// How long an annotation on a live span waits for that span to end and be
/// exported before it is sent anyway.
pub(crate) const HOLD_FOR: Duration = Duration::from_secs(300);
/// Annotations waiting at most; more are dropped and counted.
pub(crate) const MAX_WAITING: usize = 4096;
/// Bytes of annotations waiting at most (their texts and metadata); more are
/// dropped and counted.
pub(crate) const MAX_WAITING_BYTES: usize = 32 << 20;
/// Annotations the queue to the export thread holds at most.
pub(crate) const MAX_QUEUED: usize = 4096;
/// Slots for exported span ids (16 bytes each: 128 KiB, allocated on the
/// first export).
const RECENT_SPANS: usize = 8_192;
/// Slots for exported trace ids (32 KiB).
const RECENT_TRACES: usize = 2_048;

/// Where annotations go.
pub(crate) enum Destination {
    /// Phoenix's REST API.
    #[cfg(feature = "otlp-http")]
    Phoenix(RestClient),
    /// The console waterfall (no endpoint).
    Console,
    /// Nowhere: traces go over gRPC, to a custom exporter or to a traces-only
    /// URL, and no Phoenix base URL was given; each annotation is dropped.
    Nowhere,
}

/// Where annotations go, as configured; the client is built on the export
/// thread ([`Destination::build`]).
#[derive(Clone, Debug)]
pub(crate) enum DeliverySettings {
    /// Phoenix's REST API.
    #[cfg(feature = "otlp-http")]
    Phoenix(super::phoenix::client::ClientSettings),
    /// The console waterfall.
    Console,
    /// Nowhere (said once at `init`).
    Nowhere,
}

impl Destination {
    /// The destination for `settings`; a client that cannot be built is
    /// reported and annotations are dropped.
    pub(crate) fn build(settings: DeliverySettings) -> Self {
        match settings {
            #[cfg(feature = "otlp-http")]
            DeliverySettings::Phoenix(client) => match RestClient::new(&client) {
                Ok(client) => Self::Phoenix(client),
                Err(e) => {
                    eprintln!("stack-trace: annotations cannot be sent to Phoenix ({e}); they are dropped (stats() counts them)");
                    Self::Nowhere
                }
            },
            DeliverySettings::Console => Self::Console,
            DeliverySettings::Nowhere => Self::Nowhere,
        }
    }
}

/// What the export thread knows of a target's trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Whereabouts {
    /// Its spans wait in the tail sampler's buffer.
    Waiting,
    /// The tail sampler discarded it: it will never be exported.
    Discarded,
    /// Nothing known.
    Unknown,
}

/// One annotation on its way.
struct Entry {
    prepared: Prepared,
    queued_at: Instant,
    /// The first send attempt (starts the retry window).
    first_sent: Option<Instant>,
    /// Not before.
    due: Instant,
    attempts: u32,
    /// Send in a batch of one (a batch it was in failed as a whole).
    alone: bool,
}

/// Annotations waiting for their span, and those ready to send.
pub(crate) struct Outbox {
    destination: Destination,
    held: VecDeque<Entry>,
    /// An empty queue kept for [`Outbox::sort`].
    spare: VecDeque<Entry>,
    ready: VecDeque<Entry>,
    exported_spans: Recent,
    exported_traces: Recent,
    /// No request before this (the server was unreachable).
    paused_until: Option<Instant>,
    /// Requests in a row that found the server unreachable.
    outages: u32,
    /// The bytes of the annotations waiting.
    bytes: usize,
    reports: Reports,
    /// Console lines not printed yet: (trace, span, text).
    printed: Vec<(Option<TraceId>, Option<SpanId>, String)>,
}

fn trace_of(target: &Target) -> Option<TraceId> {
    match target {
        Target::Trace(trace) => Some(trace.trace_id()),
        other => other.span().and_then(|s| s.trace()).map(|t| t.trace_id()),
    }
}

impl Outbox {
    /// An empty outbox for `destination`.
    pub(crate) fn new(destination: Destination) -> Self {
        Self {
            destination,
            held: VecDeque::new(),
            spare: VecDeque::new(),
            ready: VecDeque::new(),
            exported_spans: Recent::new(RECENT_SPANS),
            exported_traces: Recent::new(RECENT_TRACES),
            paused_until: None,
            outages: 0,
            bytes: 0,
            reports: Reports::default(),
            printed: Vec::new(),
        }
    }

    /// Whether any annotation waits (held or ready).
    pub(crate) fn is_empty(&self) -> bool {
        self.held.is_empty() && self.ready.is_empty()
    }

    /// Whether an annotation waits for its span to be exported.
    pub(crate) fn holds_any(&self) -> bool {
        !self.held.is_empty()
    }

    /// Takes one annotation from the queue.
    pub(crate) fn offer(&mut self, prepared: Prepared, now: Instant) {
        if matches!(self.destination, Destination::Nowhere) || prepared.target.known_unsampled() {
            stats::add_dropped(1);
            return;
        }
        if self.held.len() + self.ready.len() >= MAX_WAITING
            || self.bytes + prepared.bytes > MAX_WAITING_BYTES
        {
            stats::add_dropped(1);
            self.reports.full(MAX_WAITING);
            return;
        }
        self.bytes += prepared.bytes;
        self.held.push_back(Entry {
            prepared,
            queued_at: now,
            first_sent: None,
            due: now,
            attempts: 0,
            alone: false,
        });
    }

    /// Whether exported spans must be told ([`Self::exported`]): not when
    /// annotations go nowhere.
    #[inline]
    pub(crate) fn tracks_exports(&self) -> bool {
        !matches!(self.destination, Destination::Nowhere)
    }

    /// A span the export thread exported (or printed).
    #[inline]
    pub(crate) fn exported(&mut self, trace: TraceId, span: SpanId) {
        if matches!(self.destination, Destination::Nowhere) {
            return;
        }
        self.exported_spans
            .insert(u128::from(u64::from_be_bytes(span.to_bytes())));
        self.exported_traces
            .insert(u128::from_be_bytes(trace.to_bytes()));
    }

    fn was_exported(&self, target: &Target) -> bool {
        match target {
            Target::Trace(trace) => self
                .exported_traces
                .contains(u128::from_be_bytes(trace.trace_id().to_bytes())),
            Target::Session(_) => true,
            other => other.span().is_some_and(|s| {
                self.exported_spans
                    .contains(u128::from(u64::from_be_bytes(s.otel_span_id().to_bytes())))
            }),
        }
    }

    /// Moves held annotations whose span was exported (or that waited long
    /// enough) to the ready queue, and drops those whose trace was
    /// discarded. `all`: hold nothing back (shutdown).
    pub(crate) fn sort(
        &mut self,
        now: Instant,
        all: bool,
        whereabouts: impl Fn(TraceId) -> Whereabouts,
    ) {
        // The entries still held go to the spare queue, which then becomes
        // the held one: no allocation per pass once both have grown.
        let mut keep = std::mem::take(&mut self.spare);
        while let Some(entry) = self.held.pop_front() {
            let target = &entry.prepared.target;
            let seen = trace_of(target).map_or(Whereabouts::Unknown, &whereabouts);
            let live = target.span().map_or_else(
                || matches!(target, Target::Trace(t) if t.sampled().is_some()),
                |s| s.sampled().is_some(),
            );
            if seen == Whereabouts::Discarded {
                stats::add_dropped(1);
                self.bytes = self.bytes.saturating_sub(entry.prepared.bytes);
            } else if seen == Whereabouts::Waiting && !all {
                // The tail sampler's own timeout bounds this wait.
                keep.push_back(entry);
            } else if self.was_exported(target)
                || all
                || !live
                || now.saturating_duration_since(entry.queued_at) >= HOLD_FOR
            {
                self.ready.push_back(entry);
            } else {
                keep.push_back(entry);
            }
        }
        self.spare = std::mem::replace(&mut self.held, keep);
    }

    /// When something is due next (a retry, the end of a hold).
    pub(crate) fn next_due(&self) -> Option<Instant> {
        let ready = self.next_ready();
        let held = self.held.front().map(|e| e.queued_at + HOLD_FOR);
        match (ready, held) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// When the next ready annotation may be sent.
    fn next_ready(&self) -> Option<Instant> {
        let due = self.ready.iter().map(|e| e.due).min()?;
        Some(self.paused_until.map_or(due, |pause| due.max(pause)))
    }

    /// Console lines to print beside their spans: (trace, span, text).
    pub(crate) fn take_printed(&mut self) -> Vec<(Option<TraceId>, Option<SpanId>, String)> {
        std::mem::take(&mut self.printed)
    }

    /// Counts everything still waiting as dropped (shutdown ran out of time).
    pub(crate) fn abandon(&mut self) {
        let left = (self.held.len() + self.ready.len()) as u64;
        stats::add_dropped(left);
        self.forget_all();
    }

    /// Forgets everything waiting, uncounted (the caller that stopped
    /// waiting for shutdown counted it already).
    pub(crate) fn forget_all(&mut self) {
        self.held.clear();
        self.ready.clear();
        self.bytes = 0;
    }

    /// Entries that left the outbox (sent, dropped, printed).
    fn gone(&mut self, entries: &[Entry]) {
        let bytes: usize = entries.iter().map(|e| e.prepared.bytes).sum();
        self.bytes = self.bytes.saturating_sub(bytes);
    }

    /// Delivers until nothing is ready or `deadline` passes, sleeping
    /// between retries (flush and shutdown). Returns whether all that was
    /// ready went out.
    pub(crate) fn deliver_until(&mut self, deadline: Instant) -> bool {
        loop {
            let now = Instant::now();
            self.pump(now, usize::MAX, deadline);
            if self.ready.is_empty() {
                return true;
            }
            let Some(due) = self.next_ready() else {
                return true;
            };
            if due >= deadline {
                return false;
            }
            std::thread::sleep(due.saturating_duration_since(Instant::now()));
        }
    }
}

#[cfg(test)]
mod tests;
