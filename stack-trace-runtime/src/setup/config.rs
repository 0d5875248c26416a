//! [`Config`]: every setting, with the builder that changes them in code.
//! Reading them from the environment is [`super::env`]; checking them is
//! [`super::validate`].

use std::time::Duration;

use super::error::Error;
use super::sampling::Sampling;
use crate::capture::limit::DEFAULT_MAX_VALUE_BYTES;
use crate::export::tail::TailSampling;
use crate::export::transport::{CaCertificate, ExportHeaders, Protocol};
use crate::export::ExporterFactory;
use crate::gen_ai::Conventions;
use crate::openinference::Masking;
use crate::scrub::Scrubbing;

/// Where the exported spans go, resolved from the settings.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Endpoint {
    pub source: &'static str,
    /// The value as the user gave it (for error messages).
    pub raw: String,
    pub url: String,
}

/// All settings of [`crate::init`]. Build one from the environment, change
/// what you need in code, then call [`Config::try_init`] or [`Config::init`].
///
/// ```
/// use std::time::Duration;
/// let config = stack_trace_runtime::Config::from_lookup(|name| match name {
///     "PHOENIX_COLLECTOR_ENDPOINT" => Some("http://localhost:6006".to_owned()),
///     _ => None,
/// })
/// .service_name("support-bot")
/// .shutdown_timeout(Duration::from_secs(1));
/// assert_eq!(config.endpoint_url().as_deref(), Some("http://localhost:6006/v1/traces"));
/// assert!(!config.console_enabled());
/// ```
#[derive(Clone, Debug)]
pub struct Config {
    pub(crate) service_name: Option<String>,
    pub(crate) endpoint: Option<Endpoint>,
    pub(crate) console: Option<bool>,
    pub(crate) project_name: Option<String>,
    pub(crate) disabled: bool,
    pub(crate) sampling: Sampling,
    pub(crate) tail: Option<TailSampling>,
    pub(crate) headers: ExportHeaders,
    pub(crate) protocol: Protocol,
    pub(crate) ca_certificate: Option<CaCertificate>,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) export_timeout: Duration,
    pub(crate) max_queue_size: usize,
    pub(crate) max_export_batch_size: usize,
    pub(crate) scheduled_delay: Duration,
    pub(crate) resource_attributes: Vec<(String, String)>,
    pub(crate) masking: Masking,
    pub(crate) conventions: Conventions,
    pub(crate) scrubbing: Scrubbing,
    pub(crate) max_value_bytes: usize,
    pub(crate) problems: Vec<Error>,
    pub(crate) exporter: Option<ExporterFactory>,
    /// Phoenix's base URL for annotations, set in code.
    pub(crate) phoenix_url: Option<String>,
    /// The variables Phoenix's own client reads for its base URL, as set:
    /// `PHOENIX_ENDPOINT`, `PHOENIX_COLLECTOR_ENDPOINT`,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`, `PHOENIX_BASE_URL`.
    pub(crate) phoenix_env: Vec<(&'static str, String)>,
}

/// Default cap on the flush and shutdown at exit.
pub const DEFAULT_SHUTDOWN_TIMEOUT: Duration = Duration::from_secs(2);

impl Default for Config {
    fn default() -> Self {
        Self {
            service_name: None,
            endpoint: None,
            console: None,
            project_name: None,
            disabled: false,
            sampling: Sampling::ParentBasedAlwaysOn,
            tail: None,
            headers: ExportHeaders::default(),
            protocol: Protocol::HttpProtobuf,
            ca_certificate: None,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            export_timeout: Duration::from_secs(10),
            max_queue_size: 2048,
            max_export_batch_size: 512,
            scheduled_delay: Duration::from_secs(5),
            resource_attributes: Vec::new(),
            masking: Masking::default(),
            conventions: Conventions::OpenInference,
            scrubbing: Scrubbing::default(),
            max_value_bytes: DEFAULT_MAX_VALUE_BYTES,
            problems: Vec::new(),
            exporter: None,
            phoenix_url: None,
            phoenix_env: Vec::new(),
        }
    }
}

impl Config {
    /// Sets `service.name`.
    #[must_use]
    pub fn service_name(mut self, name: impl Into<String>) -> Self {
        self.service_name = Some(name.into());
        self
    }

    /// Sends spans over OTLP/HTTP to this URL. A URL without a path gets
    /// `/v1/traces` added, as with `PHOENIX_COLLECTOR_ENDPOINT`.
    #[must_use]
    pub fn endpoint(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        let has_path = url::Url::parse(url.trim())
            .map(|u| !matches!(u.path(), "" | "/"))
            .unwrap_or(true);
        self.endpoint = Some(Endpoint {
            source: "Config::endpoint",
            url: if has_path {
                url.trim().to_owned()
            } else {
                with_traces_path(&url)
            },
            raw: url,
        });
        self
    }

    /// Sends annotations to the Phoenix server at this base URL
    /// (`http://localhost:6006`), ahead of what the environment says (see
    /// [`Config::annotation_url`]).
    #[must_use]
    pub fn phoenix_url(mut self, base_url: impl Into<String>) -> Self {
        self.phoenix_url = Some(base_url.into());
        self
    }

    /// Removes the endpoint: console only.
    #[must_use]
    pub fn no_endpoint(mut self) -> Self {
        self.endpoint = None;
        self
    }

    /// Turns the console waterfall on or off (by default it is on exactly
    /// when no endpoint is set).
    #[must_use]
    pub fn console(mut self, on: bool) -> Self {
        self.console = Some(on);
        self
    }

    /// Sets the Phoenix project (resource attribute `openinference.project.name`).
    #[must_use]
    pub fn project_name(mut self, name: impl Into<String>) -> Self {
        self.project_name = Some(name.into());
        self
    }

    /// Disables all recording (as `OTEL_SDK_DISABLED=true`).
    #[must_use]
    pub fn disabled(mut self, disabled: bool) -> Self {
        self.disabled = disabled;
        self
    }

    /// Hides inputs, outputs, messages, images or embeddings before export
    /// (the `OPENINFERENCE_HIDE_*` settings, in code).
    #[must_use]
    pub fn masking(mut self, masking: Masking) -> Self {
        self.masking = masking;
        self
    }

    /// Writes the spans in these semantic conventions (as
    /// `STACK_TRACE_SEMCONV`): OpenInference (the default), the OpenTelemetry
    /// GenAI conventions, or both. See [`Conventions`].
    #[must_use]
    pub fn conventions(mut self, conventions: Conventions) -> Self {
        self.conventions = conventions;
        self
    }

    /// Adds to the credential scrubbing (which is always on): key names,
    /// exempt names, value patterns, or the format scan turned off
    /// (`STACK_TRACE_SCRUB_*`, see [`Scrubbing`]).
    #[must_use]
    pub fn scrubbing(mut self, scrubbing: Scrubbing) -> Self {
        self.scrubbing = scrubbing;
        self
    }

    /// Caps each captured value (default 64 KiB): larger values are cut,
    /// with a marker giving their size, and JSON stays valid JSON.
    #[must_use]
    pub fn max_value_bytes(mut self, bytes: usize) -> Self {
        self.max_value_bytes = bytes.max(64);
        self
    }

    /// Sets the head sampler.
    #[must_use]
    pub fn sampling(mut self, sampling: Sampling) -> Self {
        self.sampling = sampling;
        self
    }

    /// Turns on error-and-latency-aware sampling: every span is recorded and
    /// whole traces are kept when they failed, were slow, or fall in the
    /// ratio (see [`crate::TailSampling`]). Replaces the head sampler's
    /// decision, except that a parent-based head sampler still follows a
    /// remote parent that was not sampled.
    #[must_use]
    pub fn tail_sampling(mut self, tail: TailSampling) -> Self {
        self.tail = Some(tail);
        self
    }

    /// Sends this header with every export (replacing one of the same name).
    /// The value is kept out of `Debug` output, errors and logs.
    #[must_use]
    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.set(name, value.into());
        self
    }

    /// Authenticates to Phoenix: `authorization: Bearer <key>` (what
    /// `PHOENIX_API_KEY` sets).
    #[must_use]
    pub fn api_key(self, key: &str) -> Self {
        let value = format!("Bearer {}", key.trim());
        self.header("authorization", value)
    }

    /// Chooses the OTLP transport (OTLP/gRPC needs the `grpc` feature).
    #[must_use]
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// Trusts this CA (PEM) for `https://` and gRPC over TLS, besides the
    /// system's roots (what `OTEL_EXPORTER_OTLP_CERTIFICATE` does with a file).
    #[must_use]
    pub fn ca_certificate(mut self, pem: impl Into<Vec<u8>>) -> Self {
        self.ca_certificate = Some(CaCertificate::Pem(pem.into()));
        self
    }

    /// Caps how long dropping the [`crate::Guard`] may take to flush and shut
    /// down (default 2 s). The exporter's own timeout is kept within it.
    #[must_use]
    pub fn shutdown_timeout(mut self, cap: Duration) -> Self {
        self.shutdown_timeout = cap;
        self
    }

    /// How long the export worker waits before sending a partial batch.
    #[must_use]
    pub fn scheduled_delay(mut self, delay: Duration) -> Self {
        self.scheduled_delay = delay;
        self
    }

    /// How many finished spans may wait for export before new ones are
    /// dropped (and counted in [`crate::stats`]).
    #[must_use]
    pub fn max_queue_size(mut self, spans: usize) -> Self {
        self.max_queue_size = spans.max(1);
        self
    }

    /// Sends spans to this exporter (any `opentelemetry_sdk` span exporter)
    /// instead of OTLP/HTTP.
    #[must_use]
    pub fn exporter<E>(mut self, exporter: E) -> Self
    where
        E: opentelemetry_sdk::trace::SpanExporter + 'static,
    {
        self.exporter = Some(ExporterFactory::custom(exporter));
        self
    }

    /// The URL spans are sent to, if any: the OTLP/HTTP traces URL, or the
    /// gRPC server's URL as given.
    #[must_use]
    pub fn endpoint_url(&self) -> Option<String> {
        self.endpoint.as_ref().map(|e| match self.protocol {
            Protocol::HttpProtobuf => e.url.clone(),
            Protocol::Grpc => e.raw.trim().trim_end_matches('/').to_owned(),
        })
    }

    /// Whether the console waterfall prints.
    #[must_use]
    pub fn console_enabled(&self) -> bool {
        self.console
            .unwrap_or(self.endpoint.is_none() && self.exporter.is_none())
    }

    /// The semantic conventions the spans are written in.
    #[must_use]
    pub fn conventions_in_use(&self) -> Conventions {
        self.conventions
    }

    /// Whether recording is disabled.
    #[must_use]
    pub fn is_disabled(&self) -> bool {
        self.disabled
    }

    /// The settings that could not be parsed.
    #[must_use]
    pub fn problems(&self) -> &[Error] {
        &self.problems
    }

    /// A description of what this configuration sets up, used to warn when a
    /// second `init` asks for something different.
    pub(crate) fn fingerprint(&self) -> String {
        format!(
            "service={:?} endpoint={:?} annotations={:?} console={} project={:?} disabled={} sampling={:?} tail={:?} masking={:?} conventions={:?} scrubbing={:?} headers={:?} custom_exporter={}",
            self.service_name,
            self.endpoint_url(),
            self.annotation_url(),
            self.console_enabled(),
            self.project_name,
            self.disabled,
            self.sampling,
            self.tail,
            self.masking,
            self.conventions,
            self.scrubbing,
            self.headers.names(),
            self.exporter.is_some()
        )
    }
}

/// Adds `/v1/traces` to a base URL unless the URL already ends with it.
pub(super) fn with_traces_path(base: &str) -> String {
    let trimmed = base.trim().trim_end_matches('/');
    if trimmed.ends_with("/v1/traces") {
        trimmed.to_owned()
    } else {
        format!("{trimmed}/v1/traces")
    }
}
