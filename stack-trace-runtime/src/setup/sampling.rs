//! [`Sampling`]: the head sampler (`OTEL_TRACES_SAMPLER` /
//! `OTEL_TRACES_SAMPLER_ARG`), and the SDK sampler it becomes.

/// The head sampler (`OTEL_TRACES_SAMPLER` / `OTEL_TRACES_SAMPLER_ARG`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Sampling {
    /// Record every span (the default).
    AlwaysOn,
    /// Record nothing; annotated calls take a fast path that never touches
    /// OpenTelemetry.
    AlwaysOff,
    /// Record this fraction of traces, decided by trace id.
    TraceIdRatio(f64),
    /// Follow the parent's decision; for roots, always on.
    ParentBasedAlwaysOn,
    /// Follow the parent's decision; for roots, never.
    ParentBasedAlwaysOff,
    /// Follow the parent's decision; for roots, this fraction.
    ParentBasedTraceIdRatio(f64),
}

impl Sampling {
    /// The share of root traces this sampler keeps: what the tail sampler
    /// keeps of ordinary traces when turned on from the environment.
    pub(crate) fn root_ratio(self) -> f64 {
        match self {
            Self::AlwaysOn | Self::ParentBasedAlwaysOn => 1.0,
            Self::AlwaysOff | Self::ParentBasedAlwaysOff => 0.0,
            Self::TraceIdRatio(r) | Self::ParentBasedTraceIdRatio(r) => r,
        }
    }

    /// The SDK sampler when the tail sampler decides: record every span,
    /// honouring a parent's decision when this sampler is parent-based.
    pub(crate) fn record_all(self) -> opentelemetry_sdk::trace::Sampler {
        use opentelemetry_sdk::trace::Sampler;
        match self {
            Self::AlwaysOn | Self::AlwaysOff | Self::TraceIdRatio(_) => Sampler::AlwaysOn,
            Self::ParentBasedAlwaysOn
            | Self::ParentBasedAlwaysOff
            | Self::ParentBasedTraceIdRatio(_) => Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
        }
    }

    pub(crate) fn to_sdk(self) -> opentelemetry_sdk::trace::Sampler {
        use opentelemetry_sdk::trace::Sampler;
        match self {
            Self::AlwaysOn => Sampler::AlwaysOn,
            Self::AlwaysOff => Sampler::AlwaysOff,
            Self::TraceIdRatio(r) => Sampler::TraceIdRatioBased(r),
            Self::ParentBasedAlwaysOn => Sampler::ParentBased(Box::new(Sampler::AlwaysOn)),
            Self::ParentBasedAlwaysOff => Sampler::ParentBased(Box::new(Sampler::AlwaysOff)),
            Self::ParentBasedTraceIdRatio(r) => {
                Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(r)))
            }
        }
    }
}
