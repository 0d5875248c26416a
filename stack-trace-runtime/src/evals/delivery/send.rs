//! Sending what is ready: batches per route, Phoenix's answers turned into
//! retries, splits and counted drops, and [`Reports`], each kind of trouble
//! said once on stderr.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use super::{Destination, Entry, Outbox, RETRY_MISSING_FOR, RETRY_UNAVAILABLE_FOR};
#[cfg(feature = "otlp-http")]
use crate::evals::phoenix::client::Posted;
use crate::evals::prepare::Route;
use crate::evals::stats;

/// Annotations per request at most.
const MAX_BATCH: usize = 100;
/// The first retry's delay; it doubles up to [`MAX_BACKOFF`].
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
const MAX_BACKOFF: Duration = Duration::from_secs(5);

/// Which troubles were already reported (each is said once).
#[derive(Debug, Default)]
pub(crate) struct Reports {
    full: bool,
    not_phoenix: bool,
    unauthorized: bool,
    refused: bool,
    /// An outage is being retried; reset once a request succeeds.
    unavailable: bool,
    gave_up: bool,
}

impl Reports {
    pub(super) fn full(&mut self, cap: usize) {
        if !std::mem::replace(&mut self.full, true) {
            eprintln!(
                "stack-trace: {cap} annotations are waiting; dropping new ones until they are \
                 delivered (stack_trace_runtime::stats() counts them)"
            );
        }
    }

    fn say(flag: &mut bool, text: impl FnOnce() -> String) {
        if !std::mem::replace(flag, true) {
            eprintln!("stack-trace: {}", text());
        }
    }
}

/// [`FIRST_BACKOFF`] doubled `n` times, at most `cap`.
fn doubled(n: u32, cap: Duration) -> Duration {
    FIRST_BACKOFF.saturating_mul(1 << n.min(8)).min(cap)
}

/// The pause after `outages` requests in a row found the server
/// unreachable: it doubles up to 30 s, so a hung Phoenix holds the export
/// thread (one request timeout per pause) a small share of the time.
pub(super) fn outage_backoff(outages: u32) -> Duration {
    doubled(outages, Duration::from_secs(30))
}

/// The delay before an annotation's next attempt.
pub(super) fn backoff(attempts: u32) -> Duration {
    doubled(attempts, MAX_BACKOFF)
}

impl Outbox {
    /// Sends what is due, at most `budget` requests, none past `deadline`.
    pub(crate) fn pump(&mut self, now: Instant, budget: usize, deadline: Instant) {
        if self.ready.is_empty() {
            return;
        }
        if matches!(self.destination, Destination::Console) {
            self.print_ready();
            return;
        }
        if self.paused_until.is_some_and(|t| t > now) {
            return;
        }
        self.paused_until = None;
        for _ in 0..budget {
            let Some(batch) = self.next_batch(now) else {
                return;
            };
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                self.ready.extend(batch);
                return;
            }
            self.send(batch, left);
            if self.paused_until.is_some() {
                return;
            }
        }
    }

    fn print_ready(&mut self) {
        let ready: Vec<Entry> = self.ready.drain(..).collect();
        self.gone(&ready);
        for entry in ready {
            let target = &entry.prepared.target;
            let trace = super::trace_of(target);
            let span = target.span().map(crate::SpanHandle::otel_span_id);
            let on = match target {
                crate::Target::Session(id) => format!("session {id}: "),
                crate::Target::Document { position, .. } => format!("document {position}: "),
                crate::Target::Trace(trace) => format!("trace {trace}: "),
                _ => String::new(),
            };
            self.printed
                .push((trace, span, format!("{on}{}", entry.prepared.summary())));
            stats::add_sent(1);
        }
    }

    /// The first due entry, with the due entries of its route that may go
    /// with it (none if it must go alone).
    fn next_batch(&mut self, now: Instant) -> Option<Vec<Entry>> {
        let first = self.ready.iter().position(|e| e.due <= now)?;
        let first = self.ready.remove(first)?;
        let route = first.prepared.route;
        let mut batch = vec![first];
        if !batch[0].alone {
            let mut rest = VecDeque::with_capacity(self.ready.len());
            while let Some(entry) = self.ready.pop_front() {
                if batch.len() < MAX_BATCH
                    && !entry.alone
                    && entry.due <= now
                    && entry.prepared.route == route
                {
                    batch.push(entry);
                } else {
                    rest.push_back(entry);
                }
            }
            self.ready = rest;
        }
        Some(batch)
    }

    #[cfg(not(feature = "otlp-http"))]
    fn send(&mut self, batch: Vec<Entry>, _left: Duration) {
        stats::add_dropped(batch.len() as u64);
    }

    #[cfg(feature = "otlp-http")]
    fn send(&mut self, mut batch: Vec<Entry>, left: Duration) {
        let Destination::Phoenix(client) = &self.destination else {
            return;
        };
        let route = batch[0].prepared.route;
        let now = Instant::now();
        for entry in &mut batch {
            entry.first_sent.get_or_insert(now);
        }
        let items: Vec<&serde_json::Value> = batch.iter().map(|e| &e.prepared.item).collect();
        let posted = client.post(route, &items, left);
        let base = client.base_url().to_owned();
        let n = batch.len() as u64;
        if !matches!(posted, Posted::Unavailable(_)) {
            self.outages = 0;
        }
        match posted {
            Posted::Stored => {
                self.gone(&batch);
                stats::add_sent(n);
                self.reports.unavailable = false;
            }
            Posted::Missing | Posted::Refused(422, _) if batch.len() > 1 => {
                // One item fails the whole batch: find it by sending alone.
                for mut entry in batch {
                    entry.alone = true;
                    self.ready.push_back(entry);
                }
            }
            Posted::Missing => self.retry(batch, now, RETRY_MISSING_FOR, route),
            Posted::Unavailable(cause) => {
                self.outages = self.outages.saturating_add(1);
                Reports::say(&mut self.reports.unavailable, || {
                    format!("cannot deliver annotations to Phoenix at {base} ({cause}); retrying for up to {} s", RETRY_UNAVAILABLE_FOR.as_secs())
                });
                self.paused_until = Some(now + outage_backoff(self.outages));
                self.retry(batch, now, RETRY_UNAVAILABLE_FOR, route);
            }
            Posted::NotPhoenix(detail) => {
                self.gone(&batch);
                stats::add_dropped(n);
                Reports::say(&mut self.reports.not_phoenix, || {
                    format!("{base} answered 404 ({detail}) to {}: it does not look like a Phoenix server; annotations are dropped (stats() counts them)", route.path())
                });
            }
            Posted::Unauthorized(status) => {
                self.gone(&batch);
                stats::add_dropped(n);
                Reports::say(&mut self.reports.unauthorized, || {
                    format!("Phoenix at {base} refused the annotations with HTTP {status}: check PHOENIX_API_KEY; annotations are dropped (stats() counts them)")
                });
            }
            Posted::Refused(status, detail) => {
                self.gone(&batch);
                stats::add_dropped(n);
                let name = batch[0].prepared.item["name"].to_string();
                Reports::say(&mut self.reports.refused, || {
                    format!("Phoenix refused annotation {name} with HTTP {status}: {detail} (dropped; stats() counts it)")
                });
            }
        }
    }

    /// Schedules another attempt for each entry still inside its window.
    fn retry(&mut self, batch: Vec<Entry>, now: Instant, window: Duration, route: Route) {
        for mut entry in batch {
            let first = entry.first_sent.unwrap_or(now);
            if now.saturating_duration_since(first) >= window {
                stats::add_dropped(1);
                self.bytes = self.bytes.saturating_sub(entry.prepared.bytes);
                let what = match route {
                    Route::Session => "session",
                    Route::Trace => "trace",
                    _ => "span",
                };
                Reports::say(&mut self.reports.gave_up, || {
                    format!(
                        "an annotation was dropped after {} s of retries (its {what} never reached Phoenix, or Phoenix could not be reached); stats() counts them",
                        window.as_secs()
                    )
                });
                continue;
            }
            stats::add_retried(1);
            entry.due = now + backoff(entry.attempts);
            entry.attempts += 1;
            self.ready.push_back(entry);
        }
    }
}
