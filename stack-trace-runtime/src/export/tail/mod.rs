//! The tail sampler's buffer, run on the export thread: finished spans wait
//! per trace until the trace's local root ends, then the whole trace is kept
//! or discarded at once (see [`crate::TailSampling`] for the rules).
//!
//! Memory is bounded by the span, trace and per-trace caps and by the
//! decision memory's size cap; every early decision is counted in
//! [`super::stats`].

mod settings;

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant, SystemTime};

use opentelemetry::trace::{SpanId, Status, TraceId};
use opentelemetry_sdk::trace::SpanData;

use super::stats;
use crate::evals::delivery::Whereabouts;
use settings::ratio_keeps;
pub use settings::TailSampling;

/// Why a trace was decided before its local root ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Early {
    /// A buffer cap was reached.
    Overflow,
    /// The root did not end within the root timeout.
    Timeout,
    /// The program is shutting down.
    Shutdown,
}

struct Pending {
    spans: Vec<SpanData>,
    first_seen: Instant,
    errored: bool,
}

/// Spans waiting for their trace's decision, and the decisions made.
pub(crate) struct TailBuffer {
    policy: TailSampling,
    pending: HashMap<TraceId, Pending>,
    /// Pending traces by arrival; entries whose trace was decided since are
    /// skipped when they reach the front.
    arrival: VecDeque<(TraceId, Instant)>,
    decisions: HashMap<TraceId, (bool, Instant)>,
    decided_order: VecDeque<(TraceId, Instant)>,
    buffered: usize,
}

fn is_local_root(span: &SpanData) -> bool {
    span.parent_span_id == SpanId::INVALID || span.parent_span_is_remote
}

fn failed(span: &SpanData) -> bool {
    matches!(span.status, Status::Error { .. })
}

fn settle_one(keep: bool, span: SpanData, out: &mut Vec<SpanData>) {
    if keep {
        out.push(span);
    } else {
        stats::add_sampled_out(1);
    }
}

fn lasted(span: &SpanData) -> Duration {
    span.end_time
        .duration_since(span.start_time)
        .unwrap_or_default()
}

impl TailBuffer {
    pub(crate) fn new(policy: TailSampling) -> Self {
        Self {
            policy,
            pending: HashMap::new(),
            arrival: VecDeque::new(),
            decisions: HashMap::new(),
            decided_order: VecDeque::new(),
            buffered: 0,
        }
    }

    /// Spans waiting now.
    #[cfg(test)]
    pub(crate) fn buffered(&self) -> usize {
        self.buffered
    }

    /// Whether `trace` waits here, or was discarded (for annotations on it).
    pub(crate) fn whereabouts(&self, trace: TraceId) -> Whereabouts {
        if self.pending.contains_key(&trace) {
            Whereabouts::Waiting
        } else if self.decisions.get(&trace).is_some_and(|&(keep, _)| !keep) {
            Whereabouts::Discarded
        } else {
            Whereabouts::Unknown
        }
    }

    /// Takes one finished span; pushes onto `out` every span whose trace is
    /// decided to be kept as a result (a whole trace, root last).
    pub(crate) fn offer(&mut self, span: SpanData, now: Instant, out: &mut Vec<SpanData>) {
        let trace = span.span_context.trace_id();
        if let Some(&(keep, _)) = self.decisions.get(&trace) {
            stats::add_late_spans(1);
            settle_one(keep, span, out);
            return;
        }
        if is_local_root(&span) {
            let mut pending = self.take(trace);
            let errored = failed(&span) || pending.as_ref().is_some_and(|p| p.errored);
            let keep = errored
                || lasted(&span) >= self.policy.latency_threshold
                || ratio_keeps(self.policy.ratio, trace);
            let spans = pending.as_mut().map(|p| std::mem::take(&mut p.spans));
            self.settle(trace, keep, spans.unwrap_or_default(), now, out);
            settle_one(keep, span, out);
            return;
        }
        if !self.pending.contains_key(&trace) {
            if self.pending.len() >= self.policy.max_buffered_traces {
                self.decide_oldest(Early::Overflow, now, out);
            }
            self.pending.insert(
                trace,
                Pending {
                    spans: Vec::new(),
                    first_seen: now,
                    errored: false,
                },
            );
            self.arrival.push_back((trace, now));
        }
        let entry = self.pending.get_mut(&trace).expect("inserted above");
        entry.errored |= failed(&span);
        entry.spans.push(span);
        self.buffered += 1;
        if entry.spans.len() > self.policy.max_spans_per_trace {
            self.decide_early(trace, Early::Overflow, now, out);
        }
        while self.buffered > self.policy.max_buffered_spans {
            if !self.decide_oldest(Early::Overflow, now, out) {
                break;
            }
        }
    }

    /// Decides traces whose root is overdue and forgets old decisions.
    pub(crate) fn expire(&mut self, now: Instant, out: &mut Vec<SpanData>) {
        while let Some(&(trace, first_seen)) = self.arrival.front() {
            if now.saturating_duration_since(first_seen) < self.policy.root_timeout {
                break;
            }
            self.arrival.pop_front();
            if self
                .pending
                .get(&trace)
                .is_some_and(|p| p.first_seen == first_seen)
            {
                self.decide_early(trace, Early::Timeout, now, out);
            }
        }
        self.forget_decisions(now);
    }

    /// Decides every waiting trace (at shutdown).
    pub(crate) fn decide_all(&mut self, now: Instant, out: &mut Vec<SpanData>) {
        let traces: Vec<TraceId> = self.arrival.drain(..).map(|(t, _)| t).collect();
        for trace in traces {
            if self.pending.contains_key(&trace) {
                self.decide_early(trace, Early::Shutdown, now, out);
            }
        }
    }

    fn take(&mut self, trace: TraceId) -> Option<Pending> {
        let pending = self.pending.remove(&trace)?;
        self.buffered -= pending.spans.len();
        Some(pending)
    }

    /// Decides the trace that has waited longest; false when none waits.
    fn decide_oldest(&mut self, why: Early, now: Instant, out: &mut Vec<SpanData>) -> bool {
        while let Some((trace, first_seen)) = self.arrival.pop_front() {
            if self
                .pending
                .get(&trace)
                .is_some_and(|p| p.first_seen == first_seen)
            {
                self.decide_early(trace, why, now, out);
                return true;
            }
        }
        false
    }

    fn decide_early(&mut self, trace: TraceId, why: Early, now: Instant, out: &mut Vec<SpanData>) {
        let Some(pending) = self.take(trace) else {
            return;
        };
        match why {
            Early::Overflow => stats::add_overflow_decision(),
            Early::Timeout => stats::add_timeout_decision(),
            Early::Shutdown => {}
        }
        // The root is still running: it has lasted at least as long as the
        // trace's earliest span has existed.
        let wall_now = SystemTime::now();
        let keep = pending.errored
            || ratio_keeps(self.policy.ratio, trace)
            || pending.spans.iter().any(|s| {
                wall_now.duration_since(s.start_time).unwrap_or_default()
                    >= self.policy.latency_threshold
            });
        self.settle(trace, keep, pending.spans, now, out);
    }

    /// Records the decision and emits or discards the trace's spans.
    fn settle(
        &mut self,
        trace: TraceId,
        keep: bool,
        spans: Vec<SpanData>,
        now: Instant,
        out: &mut Vec<SpanData>,
    ) {
        if keep {
            stats::add_trace_kept();
        } else {
            stats::add_trace_sampled_out();
        }
        if self.decisions.len() >= self.policy.max_remembered_decisions {
            self.forget_oldest_decision();
        }
        self.decisions.insert(trace, (keep, now));
        self.decided_order.push_back((trace, now));
        for span in spans {
            settle_one(keep, span, out);
        }
    }

    fn forget_decisions(&mut self, now: Instant) {
        while let Some(&(trace, at)) = self.decided_order.front() {
            if now.saturating_duration_since(at) < self.policy.decision_memory {
                break;
            }
            self.decided_order.pop_front();
            if self.decisions.get(&trace).is_some_and(|&(_, t)| t == at) {
                self.decisions.remove(&trace);
            }
        }
    }

    fn forget_oldest_decision(&mut self) {
        while let Some((trace, at)) = self.decided_order.pop_front() {
            if self.decisions.get(&trace).is_some_and(|&(_, t)| t == at) {
                self.decisions.remove(&trace);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::{SpanContext, SpanKind, TraceFlags, TraceState};
    use opentelemetry::InstrumentationScope;
    use opentelemetry_sdk::trace::{SpanEvents, SpanLinks};
    use std::borrow::Cow;

    /// A trace id the 0.5 ratio keeps (`keep`) or not.
    fn trace(n: u64, keep: bool) -> TraceId {
        let low = if keep { 0 } else { u64::MAX } ^ n;
        TraceId::from(u128::from(n) << 64 | u128::from(low))
    }

    fn span(trace: TraceId, id: u64, parent: u64, ms: u64, error: bool) -> SpanData {
        let start = SystemTime::now() - Duration::from_millis(ms);
        SpanData {
            span_context: SpanContext::new(
                trace,
                SpanId::from(id),
                TraceFlags::SAMPLED,
                false,
                TraceState::default(),
            ),
            parent_span_id: SpanId::from(parent),
            parent_span_is_remote: false,
            span_kind: SpanKind::Internal,
            name: Cow::Borrowed("s"),
            start_time: start,
            end_time: start + Duration::from_millis(ms),
            attributes: Vec::new(),
            dropped_attributes_count: 0,
            events: SpanEvents::default(),
            links: SpanLinks::default(),
            status: if error {
                Status::error("boom")
            } else {
                Status::Unset
            },
            instrumentation_scope: InstrumentationScope::builder("t").build(),
        }
    }

    fn policy() -> TailSampling {
        TailSampling::ratio(0.5).latency_threshold(Duration::from_millis(500))
    }

    fn ids(out: &[SpanData]) -> Vec<u64> {
        out.iter()
            .map(|s| u64::from_be_bytes(s.span_context.span_id().to_bytes()))
            .collect()
    }

    #[test]
    fn whole_trace_kept_when_a_child_failed_root_last() {
        let mut buffer = TailBuffer::new(policy());
        let now = Instant::now();
        let mut out = Vec::new();
        let t = trace(1, false);
        buffer.offer(span(t, 2, 1, 1, true), now, &mut out);
        buffer.offer(span(t, 3, 1, 1, false), now, &mut out);
        assert!(out.is_empty());
        assert_eq!(buffer.buffered(), 2);
        buffer.offer(span(t, 1, 0, 5, false), now, &mut out);
        assert_eq!(ids(&out), [2, 3, 1]);
        assert_eq!(buffer.buffered(), 0);
    }

    #[test]
    fn slow_root_kept_fast_one_by_ratio() {
        let mut buffer = TailBuffer::new(policy());
        let now = Instant::now();
        let mut out = Vec::new();
        let slow = trace(1, false);
        buffer.offer(span(slow, 2, 1, 1, false), now, &mut out);
        buffer.offer(span(slow, 1, 0, 600, false), now, &mut out);
        assert_eq!(ids(&out), [2, 1]);
        out.clear();
        let dull = trace(2, false);
        buffer.offer(span(dull, 5, 4, 1, false), now, &mut out);
        buffer.offer(span(dull, 4, 0, 10, false), now, &mut out);
        assert!(out.is_empty());
        let lucky = trace(3, true);
        buffer.offer(span(lucky, 7, 6, 1, false), now, &mut out);
        buffer.offer(span(lucky, 6, 0, 10, false), now, &mut out);
        assert_eq!(ids(&out), [7, 6]);
    }

    #[test]
    fn late_children_follow_the_decision_until_it_is_forgotten() {
        let mut buffer = TailBuffer::new(policy().decision_memory(Duration::from_secs(10)));
        let now = Instant::now();
        let mut out = Vec::new();
        let kept = trace(1, false);
        buffer.offer(span(kept, 1, 0, 1, true), now, &mut out);
        let dropped = trace(2, false);
        buffer.offer(span(dropped, 3, 0, 1, false), now, &mut out);
        out.clear();
        buffer.offer(span(kept, 2, 1, 1, false), now, &mut out);
        buffer.offer(span(dropped, 4, 3, 1, true), now, &mut out);
        assert_eq!(ids(&out), [2]);
        assert_eq!(buffer.buffered(), 0);
        buffer.expire(now + Duration::from_secs(11), &mut out);
        out.clear();
        buffer.offer(span(kept, 9, 1, 1, false), now, &mut out);
        assert!(out.is_empty(), "decision forgotten: waits again");
        assert_eq!(buffer.buffered(), 1);
    }

    #[test]
    fn root_that_never_ends_is_decided_after_the_timeout() {
        let mut buffer = TailBuffer::new(policy().root_timeout(Duration::from_secs(30)));
        let now = Instant::now();
        let mut out = Vec::new();
        let t = trace(1, false);
        buffer.offer(span(t, 2, 1, 1, true), now, &mut out);
        buffer.expire(now + Duration::from_secs(29), &mut out);
        assert!(out.is_empty());
        buffer.expire(now + Duration::from_secs(30), &mut out);
        assert_eq!(ids(&out), [2]);
        assert_eq!(buffer.buffered(), 0);
        // The root, arriving at last, follows the decision.
        out.clear();
        buffer.offer(span(t, 1, 0, 1, false), now, &mut out);
        assert_eq!(ids(&out), [1]);
    }

    #[test]
    fn memory_stays_within_the_caps() {
        let mut buffer = TailBuffer::new(
            policy()
                .max_buffered_spans(100)
                .max_buffered_traces(10)
                .max_spans_per_trace(30),
        );
        let now = Instant::now();
        let mut out = Vec::new();
        for n in 0..1_000u64 {
            let t = trace(n % 37, false);
            buffer.offer(span(t, n + 100, 1, 1, n % 101 == 0), now, &mut out);
            assert!(buffer.buffered() <= 100);
            assert!(buffer.pending.len() <= 10);
            assert!(buffer.pending.values().all(|p| p.spans.len() <= 30));
        }
        assert!(buffer.decisions.len() <= 100_000);
        let mut tiny = TailBuffer::new(policy());
        tiny.policy.max_remembered_decisions = 5;
        for n in 1..50 {
            tiny.offer(span(trace(n, true), 1, 0, 1, false), now, &mut out);
            assert!(tiny.decisions.len() <= 5);
        }
    }

    #[test]
    fn shutdown_decides_everything_waiting() {
        let mut buffer = TailBuffer::new(policy());
        let now = Instant::now();
        let mut out = Vec::new();
        buffer.offer(span(trace(1, true), 2, 1, 1, false), now, &mut out);
        buffer.offer(span(trace(2, false), 4, 3, 1, false), now, &mut out);
        buffer.offer(span(trace(3, false), 6, 5, 1, true), now, &mut out);
        buffer.decide_all(now, &mut out);
        assert_eq!(ids(&out), [2, 6]);
        assert_eq!(buffer.buffered(), 0);
    }
}
