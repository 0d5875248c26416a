//! [`TailSampling`]: the settings of the error-and-latency-aware sampler.
//!
//! Head sampling decides when a trace starts, before anything has gone
//! wrong, so "1 % of requests, every failed one and every slow one" cannot
//! be had from it. In this mode every span is recorded; the export thread
//! holds a trace's finished spans until its local root ends, then keeps the
//! whole trace when any span failed or the root took at least
//! [`TailSampling::latency_threshold`], and otherwise keeps the trace when
//! its id falls in [`TailSampling::ratio`] (the same rule as the standard
//! `traceidratio` sampler, so services that head-sample at the same ratio
//! keep the same ordinary traces).
//!
//! Limits, by design: every call pays for full capture (nothing is known to
//! be uninteresting until the trace ends); a downstream service sees the
//! `sampled` flag set on every propagated `traceparent`, which need not
//! match the final decision; spans that end after their trace was decided
//! follow the decision (it is remembered for [`TailSampling::decision_memory`]);
//! and a trace forced out early (buffer full, root never ended) is decided on
//! what had arrived by then. [`crate::stats`] counts every such case.

use std::time::Duration;

/// Error-and-latency-aware sampling, set with [`crate::Config::tail_sampling`]
/// or `STACK_TRACE_TAIL_SAMPLING=true`.
///
/// ```
/// use std::time::Duration;
/// use stack_trace_runtime::{Config, TailSampling};
///
/// let config = Config::default().tail_sampling(
///     TailSampling::ratio(0.01).latency_threshold(Duration::from_secs(10)),
/// );
/// assert!(config.validate().is_ok());
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TailSampling {
    pub(crate) ratio: f64,
    pub(crate) latency_threshold: Duration,
    pub(crate) max_buffered_spans: usize,
    pub(crate) max_buffered_traces: usize,
    pub(crate) max_spans_per_trace: usize,
    pub(crate) root_timeout: Duration,
    pub(crate) decision_memory: Duration,
    pub(crate) max_remembered_decisions: usize,
}

impl TailSampling {
    /// Default [`TailSampling::latency_threshold`]: 10 s.
    pub const DEFAULT_LATENCY_THRESHOLD: Duration = Duration::from_secs(10);
    /// Default [`TailSampling::max_buffered_spans`].
    pub const DEFAULT_MAX_BUFFERED_SPANS: usize = 20_000;
    /// Default [`TailSampling::max_buffered_traces`].
    pub const DEFAULT_MAX_BUFFERED_TRACES: usize = 5_000;
    /// Default [`TailSampling::max_spans_per_trace`].
    pub const DEFAULT_MAX_SPANS_PER_TRACE: usize = 5_000;
    /// Default [`TailSampling::root_timeout`]: 60 s.
    pub const DEFAULT_ROOT_TIMEOUT: Duration = Duration::from_secs(60);
    /// Default [`TailSampling::decision_memory`]: 60 s.
    pub const DEFAULT_DECISION_MEMORY: Duration = Duration::from_secs(60);

    /// Keeps every failed or slow trace and this fraction (0.0 to 1.0) of
    /// the others, with the defaults for everything else.
    #[must_use]
    pub fn ratio(ratio: f64) -> Self {
        Self {
            ratio,
            latency_threshold: Self::DEFAULT_LATENCY_THRESHOLD,
            max_buffered_spans: Self::DEFAULT_MAX_BUFFERED_SPANS,
            max_buffered_traces: Self::DEFAULT_MAX_BUFFERED_TRACES,
            max_spans_per_trace: Self::DEFAULT_MAX_SPANS_PER_TRACE,
            root_timeout: Self::DEFAULT_ROOT_TIMEOUT,
            decision_memory: Self::DEFAULT_DECISION_MEMORY,
            max_remembered_decisions: 100_000,
        }
    }

    /// A trace whose local root lasted at least this long is kept.
    #[must_use]
    pub fn latency_threshold(mut self, threshold: Duration) -> Self {
        self.latency_threshold = threshold;
        self
    }

    /// At most this many finished spans wait for their trace's decision;
    /// past it the oldest waiting trace is decided early on what it has.
    #[must_use]
    pub fn max_buffered_spans(mut self, spans: usize) -> Self {
        self.max_buffered_spans = spans.max(1);
        self
    }

    /// At most this many traces wait for a decision at once; past it the
    /// oldest is decided early.
    #[must_use]
    pub fn max_buffered_traces(mut self, traces: usize) -> Self {
        self.max_buffered_traces = traces.max(1);
        self
    }

    /// A trace that buffers more spans than this is decided early.
    #[must_use]
    pub fn max_spans_per_trace(mut self, spans: usize) -> Self {
        self.max_spans_per_trace = spans.max(1);
        self
    }

    /// A trace whose local root has not ended this long after its first
    /// span finished is decided on what it has (checked on the export
    /// thread's schedule, `OTEL_BSP_SCHEDULE_DELAY`).
    #[must_use]
    pub fn root_timeout(mut self, timeout: Duration) -> Self {
        self.root_timeout = timeout;
        self
    }

    /// How long a decision is remembered, so spans that end after their
    /// trace was decided (spawned tasks, streams outliving the handler)
    /// follow it. At most 100,000 decisions are kept.
    #[must_use]
    pub fn decision_memory(mut self, memory: Duration) -> Self {
        self.decision_memory = memory;
        self
    }

    /// The fraction of ordinary (fast, error-free) traces kept.
    #[must_use]
    pub fn kept_ratio(&self) -> f64 {
        self.ratio
    }
}

/// Whether `trace_id` falls in `ratio` by the standard `traceidratio` rule:
/// the trace id's last 8 bytes, shifted right by one, below `ratio * 2^63`.
pub(crate) fn ratio_keeps(ratio: f64, trace_id: opentelemetry::trace::TraceId) -> bool {
    if ratio >= 1.0 {
        return true;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let bound = (ratio.max(0.0) * (1u64 << 63) as f64) as u64;
    let bytes = trace_id.to_bytes();
    let mut low = [0u8; 8];
    low.copy_from_slice(&bytes[8..]);
    (u64::from_be_bytes(low) >> 1) < bound
}

#[cfg(test)]
mod tests {
    use super::*;
    use opentelemetry::trace::TraceId;

    #[test]
    fn ratio_rule_matches_the_sdk_sampler() {
        use opentelemetry::trace::SpanKind;
        use opentelemetry_sdk::trace::{Sampler, SamplingDecision, ShouldSample as _};
        for ratio in [0.0, 0.01, 0.1, 0.5, 0.99, 1.0] {
            let sdk = Sampler::TraceIdRatioBased(ratio);
            for i in 0u128..2_000 {
                let id = TraceId::from(i.wrapping_mul(0x9E37_79B9_7F4A_7C15_F39C_C060_5CED_C835));
                let result = sdk.should_sample(
                    Some(&opentelemetry::Context::new()),
                    id,
                    "x",
                    &SpanKind::Internal,
                    &[],
                    &[],
                );
                let sdk_keeps = result.decision == SamplingDecision::RecordAndSample;
                assert_eq!(ratio_keeps(ratio, id), sdk_keeps, "ratio {ratio}, id {id}");
            }
        }
    }

    #[test]
    fn caps_are_at_least_one() {
        assert_eq!(
            TailSampling::ratio(0.1)
                .max_buffered_spans(0)
                .max_buffered_spans,
            1
        );
    }
}
