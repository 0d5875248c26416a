//! Where spans come from, and the fast path that skips OpenTelemetry entirely.
//!
//! After [`crate::init`] the SDK tracer is held here and used directly (no
//! `BoxedTracer` allocation per span). Without it, spans go through whatever
//! global provider the application installed. A process-wide flag word is
//! read first on every call: when tracing is disabled or the sampler is
//! `always_off`, nothing else runs.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Arc, LazyLock};

use arc_swap::ArcSwapOption;
use opentelemetry::global::{self, BoxedSpan, BoxedTracer};
use opentelemetry::trace::{SpanBuilder, Tracer as _, TracerProvider as _};
use opentelemetry::{Context, InstrumentationScope};
use opentelemetry_sdk::trace::SdkTracer;

use super::recorder::Recording;

/// Tracing is off (`OTEL_SDK_DISABLED=true`, or switched off at run time).
const DISABLED: u8 = 1;
/// The installed sampler is `always_off`: no span can ever be sampled.
const ALWAYS_OFF: u8 = 2;

static FLAGS: AtomicU8 = AtomicU8::new(0);
static INSTALLED: ArcSwapOption<SdkTracer> = ArcSwapOption::const_empty();
static RECORDING: ArcSwapOption<Recording> = ArcSwapOption::const_empty();

/// The instrumentation scope of every span this crate starts.
pub(crate) static SCOPE: LazyLock<InstrumentationScope> = LazyLock::new(|| {
    InstrumentationScope::builder("stack-trace")
        .with_version(env!("CARGO_PKG_VERSION"))
        .build()
});

/// Whether span creation is skipped without touching OpenTelemetry.
#[inline]
pub(crate) fn fast_off() -> bool {
    FLAGS.load(Ordering::Relaxed) != 0
}

fn set_flag(flag: u8, on: bool) {
    if on {
        FLAGS.fetch_or(flag, Ordering::Relaxed);
    } else {
        FLAGS.fetch_and(!flag, Ordering::Relaxed);
    }
}

/// Turns all recording off (`true`) or back on (`false`).
pub(crate) fn set_disabled(disabled: bool) {
    set_flag(DISABLED, disabled);
}

/// Whether recording is switched off.
pub(crate) fn is_disabled() -> bool {
    FLAGS.load(Ordering::Relaxed) & DISABLED != 0
}

/// Installs (or removes, with `None`) the tracer of our own provider, and
/// what the annotated calls' [`super::recorder::Recorder`] needs of it.
pub(crate) fn install(installed: Option<(SdkTracer, Recording)>, always_off: bool) {
    set_flag(ALWAYS_OFF, installed.is_some() && always_off);
    let (tracer, recording) = installed.unzip();
    RECORDING.store(recording.map(Arc::new));
    INSTALLED.store(tracer.map(Arc::new));
}

/// Runs `f` with what our provider gives annotated calls, or `None` when
/// spans go through the application's global provider.
#[inline]
pub(crate) fn with_recording<R>(f: impl FnOnce(Option<&Arc<Recording>>) -> R) -> R {
    f(RECORDING.load().as_ref())
}

/// A span we own, from our SDK tracer or from the global provider. Inline,
/// not boxed: a box would cost one more allocation per span.
#[cfg(feature = "tower")]
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub(crate) enum OwnedSpan {
    Sdk(opentelemetry_sdk::trace::Span),
    Global(BoxedSpan),
}

/// Starts a span as a child of `parent`.
#[cfg(feature = "tower")]
pub(crate) fn build(builder: SpanBuilder, parent: &Context) -> OwnedSpan {
    let installed = INSTALLED.load();
    match installed.as_deref() {
        Some(tracer) => OwnedSpan::Sdk(tracer.build_with_context(builder, parent)),
        None => OwnedSpan::Global(global_tracer().build_with_context(builder, parent)),
    }
}

/// Starts a span through the application's global provider.
pub(crate) fn build_global(builder: SpanBuilder, parent: &Context) -> BoxedSpan {
    global_tracer().build_with_context(builder, parent)
}

fn global_tracer() -> BoxedTracer {
    global::tracer_provider().tracer_with_scope(SCOPE.clone())
}
