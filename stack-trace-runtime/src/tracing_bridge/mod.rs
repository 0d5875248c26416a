//! One trace with `tracing` (feature `tracing`).
//!
//! Takes the installed provider from [`Guard`] and hands on a
//! `tracing_subscriber` layer: tracing-opentelemetry turns each `tracing`
//! span into an OpenTelemetry span on that provider and makes it the current
//! context while the span is entered. Annotated calls inside an
//! `#[instrument]` span therefore nest under it, and `tracing` spans opened
//! inside an annotated call nest under the call's span, across `.await`
//! (through `Instrument` or [`crate::in_current_span`]). Those spans are
//! exported, scrubbed and sampled like every other span of the provider.

use opentelemetry::trace::TracerProvider as _;
use tracing_core::Subscriber;
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::Layer;

use crate::setup::Guard;

/// The instrumentation scope of the spans the layer opens.
const SCOPE: &str = "stack-trace/tracing";

impl Guard {
    /// A `tracing_subscriber` layer on this guard's provider, or `None` when
    /// tracing is off (the guard holds no provider, as [`Guard::provider`]
    /// says). `Option` is itself a layer, so the setup is one line either
    /// way:
    ///
    /// ```
    /// use tracing_subscriber::layer::SubscriberExt as _;
    ///
    /// let guard = stack_trace_runtime::Config::default().console(false).init();
    /// let subscriber = tracing_subscriber::registry().with(guard.tracing_layer());
    /// tracing::subscriber::with_default(subscriber, || {
    ///     let _request = tracing::info_span!("request").entered();
    ///     // annotated calls here nest under `request`
    /// });
    /// ```
    #[must_use]
    pub fn tracing_layer<S>(&self) -> Option<impl Layer<S>>
    where
        S: Subscriber + for<'span> LookupSpan<'span>,
    {
        let tracer = self.provider()?.tracer(SCOPE);
        Some(tracing_opentelemetry::layer().with_tracer(tracer))
    }
}
