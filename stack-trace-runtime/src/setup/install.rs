//! [`init`]: installs the tracer provider, the propagator, the export worker
//! and the console waterfall; [`Guard`]: flushes and shuts down at exit.

use std::sync::{Arc, Mutex, Weak};
use std::time::Duration;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry::KeyValue;
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::resource::{Resource, TelemetryResourceDetector};
use opentelemetry_sdk::trace::{SdkTracerProvider, SpanLimits};

use super::config::Config;
use super::error::Error;
use super::sampling::Sampling;
use crate::export::processor::StackProcessor;
use crate::export::{ExporterFactory, WorkerHandle, WorkerSettings};
use crate::semconv;
use crate::span::recorder::Recording;
use crate::span::tracer;

/// Attributes per span: the SDK's default of 128 is too few for a flattened
/// chat transcript (Python's OpenInference provider uses the same figure).
const MAX_ATTRIBUTES_PER_SPAN: u32 = 10_000;

// Three lists at their budget leave room for everything else on the span.
const _: () = assert!(
    MAX_ATTRIBUTES_PER_SPAN as usize >= 3 * crate::openinference::budget::LIST_ATTRIBUTES + 1_000
);

/// One installed provider with its worker, shared by every [`Guard`] for it.
struct Installation {
    provider: Option<SdkTracerProvider>,
    worker: Option<Arc<WorkerHandle>>,
    fingerprint: String,
    shutdown_timeout: Duration,
    disabled: bool,
}

static CURRENT: Mutex<Option<Weak<Installation>>> = Mutex::new(None);

/// Keeps tracing installed. Dropping the last guard flushes what is queued
/// and shuts the exporter down, within the configured cap (2 s by default),
/// never hanging, also inside a current-thread tokio runtime.
#[must_use = "dropping the guard shuts tracing down; keep it alive for the whole program (`let _guard = ...`)"]
pub struct Guard {
    installation: Arc<Installation>,
}

impl core::fmt::Debug for Guard {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("Guard")
            .field("config", &self.installation.fingerprint)
            .finish()
    }
}

/// Sets up tracing from the environment (see [`Config::from_lookup`] for the
/// variables). Never panics: a bad setting prints one clear error on stderr
/// and tracing falls back to the console waterfall.
///
/// ```
/// let _guard = stack_trace_runtime::init();
/// ```
pub fn init() -> Guard {
    Config::from_env().init()
}

impl Config {
    /// Like [`Config::try_init`], but never fails: on error it prints the
    /// error and falls back to the console waterfall.
    pub fn init(self) -> Guard {
        let fallback = Config {
            endpoint: None,
            console: Some(true),
            exporter: None,
            problems: Vec::new(),
            ..self.clone()
        };
        match self.try_init() {
            Ok(guard) => guard,
            Err(e) => {
                eprintln!("stack-trace: {e}; printing traces to the console instead");
                fallback.try_init().unwrap_or_else(|e| {
                    eprintln!("stack-trace: {e}; tracing is off");
                    Guard::off()
                })
            }
        }
    }

    /// Installs tracing as configured.
    ///
    /// A second call while a [`Guard`] is alive returns a guard for the same
    /// provider (and warns if the configuration differs).
    ///
    /// # Errors
    /// An unparsable setting, an endpoint that is not an `http://` URL, or an
    /// exporter or export thread that cannot start.
    pub fn try_init(self) -> Result<Guard, Error> {
        self.validate()?;
        let mut current = CURRENT
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(existing) = current.as_ref().and_then(Weak::upgrade) {
            let fingerprint = self.fingerprint();
            if existing.fingerprint != fingerprint {
                eprintln!(
                    "stack-trace: init() was called again with a different configuration; \
                     keeping the first one ({}) and ignoring ({fingerprint})",
                    existing.fingerprint
                );
            }
            return Ok(Guard {
                installation: existing,
            });
        }
        let installation = Arc::new(install(self)?);
        *current = Some(Arc::downgrade(&installation));
        Ok(Guard { installation })
    }
}

fn resource(config: &Config) -> Resource {
    let mut builder = Resource::builder_empty()
        .with_detector(Box::new(TelemetryResourceDetector))
        .with_attributes(
            config
                .resource_attributes
                .iter()
                .map(|(k, v)| KeyValue::new(k.clone(), v.clone())),
        )
        .with_service_name(
            config
                .service_name
                .clone()
                .unwrap_or_else(|| "unknown_service".to_owned()),
        );
    if let Some(project) = &config.project_name {
        builder = builder.with_attribute(KeyValue::new(semconv::PROJECT_NAME, project.clone()));
    }
    builder.build()
}

fn exporter_factory(config: &Config) -> Option<ExporterFactory> {
    if let Some(custom) = &config.exporter {
        return Some(custom.clone());
    }
    #[cfg(feature = "otlp-http")]
    if let Some(endpoint) = &config.endpoint {
        // The exporter's own timeout stays within the shutdown cap, so a hung
        // collector cannot hold the final export past it.
        let timeout = config.export_timeout.min(config.shutdown_timeout);
        let _ = endpoint;
        return Some(ExporterFactory::otlp(crate::export::otlp::Target {
            url: config.endpoint_url().unwrap_or_default(),
            protocol: config.protocol,
            timeout,
            headers: config.headers.clone(),
            ca: config.ca_certificate.clone(),
        }));
    }
    None
}

fn install(config: Config) -> Result<Installation, Error> {
    let fingerprint = config.fingerprint();
    if config.disabled {
        tracer::set_disabled(true);
        return Ok(Installation {
            provider: None,
            worker: None,
            fingerprint,
            shutdown_timeout: config.shutdown_timeout,
            disabled: true,
        });
    }
    crate::capture::limit::set_max_value_bytes(config.max_value_bytes);
    crate::scrub::rules::install(&config.scrubbing);
    let resource = resource(&config);
    let worker = Arc::new(WorkerHandle::spawn(
        WorkerSettings {
            max_queue_size: config.max_queue_size,
            max_export_batch_size: config.max_export_batch_size,
            scheduled_delay: config.scheduled_delay,
            console: config.console_enabled(),
            resource: resource.clone(),
            masking: config.masking,
            conventions: config.conventions,
            max_value_bytes: config.max_value_bytes,
            tail: config.tail,
            annotations: config.delivery(),
            request_timeout: config.export_timeout,
        },
        exporter_factory(&config),
    )?);
    let sampler = match config.tail {
        Some(_) => config.sampling.record_all(),
        None => config.sampling.to_sdk(),
    };
    let limits = SpanLimits {
        max_attributes_per_span: MAX_ATTRIBUTES_PER_SPAN,
        ..SpanLimits::default()
    };
    let provider = SdkTracerProvider::builder()
        .with_resource(resource)
        .with_sampler(sampler.clone())
        .with_span_limits(limits)
        .with_span_processor(StackProcessor::new(
            Arc::clone(&worker),
            config.shutdown_timeout,
        ))
        .build();
    opentelemetry::global::set_tracer_provider(provider.clone());
    opentelemetry::global::set_text_map_propagator(TraceContextPropagator::new());
    let recording = Recording {
        sampler,
        limits,
        worker: Arc::clone(&worker),
    };
    tracer::install(
        Some((provider.tracer_with_scope(tracer::SCOPE.clone()), recording)),
        config.sampling == Sampling::AlwaysOff && config.tail.is_none(),
    );
    Ok(Installation {
        provider: Some(provider),
        worker: Some(worker),
        fingerprint,
        shutdown_timeout: config.shutdown_timeout,
        disabled: false,
    })
}

impl Guard {
    fn off() -> Self {
        Self {
            installation: Arc::new(Installation {
                provider: None,
                worker: None,
                fingerprint: "off".to_owned(),
                shutdown_timeout: Duration::ZERO,
                disabled: false,
            }),
        }
    }

    /// The OpenTelemetry provider this guard keeps installed (also the global
    /// one), for adding other instrumentation; `None` when tracing is off.
    #[must_use]
    pub fn provider(&self) -> Option<SdkTracerProvider> {
        self.installation.provider.clone()
    }

    /// Exports everything finished so far, waiting at most the shutdown cap.
    ///
    /// # Errors
    /// [`Error::Timeout`] when the exporter did not finish in time.
    pub fn flush(&self) -> Result<(), Error> {
        match &self.installation.worker {
            Some(worker) => Ok(worker.flush(self.installation.shutdown_timeout)?),
            None => Ok(()),
        }
    }
}

impl Drop for Installation {
    fn drop(&mut self) {
        if self.disabled {
            tracer::set_disabled(false);
        }
        let Some(provider) = self.provider.take() else {
            return;
        };
        tracer::install(None, false);
        let cap = self.shutdown_timeout;
        // Shut down on a thread of our own and wait with a deadline: the
        // caller may be a current-thread async runtime, and the collector may
        // never answer. The worker counts what it could not deliver.
        let (done_tx, done_rx) = crossbeam_channel::bounded(1);
        let spawned = std::thread::Builder::new()
            .name("stack-trace-shutdown".to_owned())
            .spawn(move || {
                let _ = provider.shutdown_with_timeout(cap);
                let _ = done_tx.send(());
            });
        if spawned.is_ok() {
            let _ = done_rx.recv_timeout(cap + Duration::from_millis(100));
        }
        if let Some(worker) = self.worker.take() {
            // Counts undelivered spans as dropped if the worker is still busy.
            let _ = worker.shutdown(Duration::ZERO);
        }
    }
}
