//! [`Config`]: every setting, from the environment or from code.
//!
//! [`Config::from_lookup`] is a pure function of a variable lookup, so tests
//! never touch the process environment; [`Config::from_env`] passes it
//! `std::env::var`.

use std::time::Duration;

use crate::error::Error;

/// Where the exported spans go, resolved from the settings.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Endpoint {
    pub source: &'static str,
    /// The value as the user gave it (for error messages).
    pub raw: String,
    pub url: String,
}

/// The OTLP transport (`OTEL_EXPORTER_OTLP_PROTOCOL`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Protocol {
    /// OTLP/HTTP with protobuf bodies (`http/protobuf`, the default).
    #[default]
    HttpProtobuf,
    /// OTLP/gRPC (`grpc`; feature `grpc`). The endpoint is the server's base
    /// URL (`http://collector:4317`), used as given.
    Grpc,
}

/// A CA certificate to trust for `https://` and gRPC over TLS.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum CaCertificate {
    /// A PEM file, read when tracing is installed.
    File(std::path::PathBuf),
    /// PEM text.
    Pem(Vec<u8>),
}

impl CaCertificate {
    #[cfg_attr(not(feature = "tls"), allow(dead_code))]
    pub(crate) fn pem(&self) -> Result<Vec<u8>, Error> {
        match self {
            Self::Pem(pem) => Ok(pem.clone()),
            Self::File(path) => std::fs::read(path).map_err(|e| {
                Error::Exporter(format!(
                    "cannot read the CA certificate {} (OTEL_EXPORTER_OTLP_CERTIFICATE): {e}",
                    path.display()
                ))
            }),
        }
    }
}

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
    pub(crate) tail: Option<crate::TailSampling>,
    pub(crate) headers: crate::export_headers::ExportHeaders,
    pub(crate) protocol: Protocol,
    pub(crate) ca_certificate: Option<CaCertificate>,
    pub(crate) shutdown_timeout: Duration,
    pub(crate) export_timeout: Duration,
    pub(crate) max_queue_size: usize,
    pub(crate) max_export_batch_size: usize,
    pub(crate) scheduled_delay: Duration,
    pub(crate) resource_attributes: Vec<(String, String)>,
    pub(crate) masking: crate::masking::Masking,
    pub(crate) max_value_bytes: usize,
    pub(crate) problems: Vec<Error>,
    pub(crate) exporter: Option<crate::export::ExporterFactory>,
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
            headers: crate::export_headers::ExportHeaders::default(),
            protocol: Protocol::HttpProtobuf,
            ca_certificate: None,
            shutdown_timeout: DEFAULT_SHUTDOWN_TIMEOUT,
            export_timeout: Duration::from_secs(10),
            max_queue_size: 2048,
            max_export_batch_size: 512,
            scheduled_delay: Duration::from_secs(5),
            resource_attributes: Vec::new(),
            masking: crate::masking::Masking::default(),
            max_value_bytes: crate::capture::limit::DEFAULT_MAX_VALUE_BYTES,
            problems: Vec::new(),
            exporter: None,
        }
    }
}

fn parse_bool(name: &'static str, value: &str, problems: &mut Vec<Error>) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        "" => None,
        _ => {
            problems.push(Error::InvalidSetting {
                name,
                value: value.to_owned(),
                expected: "true or false",
            });
            None
        }
    }
}

fn parse_millis(name: &'static str, value: &str, problems: &mut Vec<Error>) -> Option<Duration> {
    match value.trim().parse::<u64>() {
        Ok(ms) => Some(Duration::from_millis(ms)),
        Err(_) => {
            problems.push(Error::InvalidSetting {
                name,
                value: value.to_owned(),
                expected: "a whole number of milliseconds",
            });
            None
        }
    }
}

fn parse_count(name: &'static str, value: &str, problems: &mut Vec<Error>) -> Option<usize> {
    match value.trim().parse::<usize>() {
        Ok(n) if n > 0 => Some(n),
        _ => {
            problems.push(Error::InvalidSetting {
                name,
                value: value.to_owned(),
                expected: "a positive whole number",
            });
            None
        }
    }
}

fn parse_sampling(sampler: &str, arg: Option<&str>, problems: &mut Vec<Error>) -> Option<Sampling> {
    let mut ratio = || -> Option<f64> {
        let Some(arg) = arg else { return Some(1.0) };
        match arg.trim().parse::<f64>() {
            Ok(r) if (0.0..=1.0).contains(&r) => Some(r),
            _ => {
                problems.push(Error::InvalidSetting {
                    name: "OTEL_TRACES_SAMPLER_ARG",
                    value: arg.to_owned(),
                    expected: "a ratio between 0 and 1",
                });
                None
            }
        }
    };
    Some(match sampler.trim().to_ascii_lowercase().as_str() {
        "always_on" => Sampling::AlwaysOn,
        "always_off" => Sampling::AlwaysOff,
        "traceidratio" => Sampling::TraceIdRatio(ratio()?),
        "parentbased_always_on" => Sampling::ParentBasedAlwaysOn,
        "parentbased_always_off" => Sampling::ParentBasedAlwaysOff,
        "parentbased_traceidratio" => Sampling::ParentBasedTraceIdRatio(ratio()?),
        _ => {
            problems.push(Error::InvalidSetting {
                name: "OTEL_TRACES_SAMPLER",
                value: sampler.to_owned(),
                expected: "always_on, always_off, traceidratio, parentbased_always_on, \
                           parentbased_always_off or parentbased_traceidratio",
            });
            return None;
        }
    })
}

/// Adds `/v1/traces` to a base URL unless the URL already ends with it.
fn with_traces_path(base: &str) -> String {
    let trimmed = base.trim().trim_end_matches('/');
    if trimmed.ends_with("/v1/traces") {
        trimmed.to_owned()
    } else {
        format!("{trimmed}/v1/traces")
    }
}

/// The endpoint, first found wins: Phoenix's variable, then the standard
/// OTLP traces and generic variables.
fn resolve_endpoint(lookup: &dyn Fn(&str) -> Option<String>) -> Option<Endpoint> {
    let set = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
    if let Some(v) = set("PHOENIX_COLLECTOR_ENDPOINT") {
        return Some(Endpoint {
            source: "PHOENIX_COLLECTOR_ENDPOINT",
            url: with_traces_path(&v),
            raw: v,
        });
    }
    if let Some(v) = set("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
        return Some(Endpoint {
            source: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
            url: v.trim().to_owned(),
            raw: v,
        });
    }
    set("OTEL_EXPORTER_OTLP_ENDPOINT").map(|v| Endpoint {
        source: "OTEL_EXPORTER_OTLP_ENDPOINT",
        url: with_traces_path(&v),
        raw: v,
    })
}

fn parse_resource_attributes(value: &str) -> Vec<(String, String)> {
    value
        .split(',')
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=')?;
            let k = k.trim();
            (!k.is_empty()).then(|| (k.to_owned(), percent_decode(v.trim())))
        })
        .collect()
}

pub(crate) fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && i + 2 < bytes.len()
            && bytes[i + 1].is_ascii_hexdigit()
            && bytes[i + 2].is_ascii_hexdigit()
        {
            if let Ok(b) = u8::from_str_radix(&value[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Config {
    /// The settings from the process environment.
    #[must_use]
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The settings from any variable lookup (a pure function of it).
    ///
    /// Read: `PHOENIX_COLLECTOR_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_SERVICE_NAME`,
    /// `PHOENIX_PROJECT_NAME`, `OTEL_SDK_DISABLED`, `OTEL_TRACES_SAMPLER`,
    /// `OTEL_TRACES_SAMPLER_ARG`, `OTEL_RESOURCE_ATTRIBUTES`,
    /// `OTEL_BSP_MAX_QUEUE_SIZE`, `OTEL_BSP_MAX_EXPORT_BATCH_SIZE`,
    /// `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_EXPORTER_OTLP_TIMEOUT`, and our own
    /// `STACK_TRACE_CONSOLE` (`true` keeps the waterfall on with an endpoint,
    /// `false` turns it off) and `STACK_TRACE_SHUTDOWN_TIMEOUT_MS`.
    ///
    /// `STACK_TRACE_TAIL_SAMPLING=true` turns on [`crate::TailSampling`]: the
    /// head sampler's share of roots (`traceidratio`'s argument; 1 for
    /// `always_on`, 0 for `always_off`) becomes the share of ordinary traces
    /// kept, every span is recorded, and `STACK_TRACE_TAIL_LATENCY_MS`,
    /// `STACK_TRACE_TAIL_ROOT_TIMEOUT_MS`, `STACK_TRACE_TAIL_MAX_SPANS` and
    /// `STACK_TRACE_TAIL_MAX_TRACES` tune it.
    /// Values that cannot be parsed are kept as problems that
    /// [`Config::try_init`] reports.
    #[must_use]
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let lookup: &dyn Fn(&str) -> Option<String> = &lookup;
        let mut read = Settings {
            lookup,
            problems: Vec::new(),
        };
        let mut config = Self {
            endpoint: resolve_endpoint(lookup),
            service_name: lookup("OTEL_SERVICE_NAME").filter(|s| !s.trim().is_empty()),
            project_name: lookup("PHOENIX_PROJECT_NAME").filter(|s| !s.trim().is_empty()),
            console: read.bool("STACK_TRACE_CONSOLE"),
            ..Self::default()
        };
        if let Some(disabled) = read.bool("OTEL_SDK_DISABLED") {
            config.disabled = disabled;
        }
        if let Some(v) = lookup("OTEL_TRACES_SAMPLER") {
            let arg = lookup("OTEL_TRACES_SAMPLER_ARG");
            if let Some(s) = parse_sampling(&v, arg.as_deref(), &mut read.problems) {
                config.sampling = s;
            }
        }
        if let Some(d) = read.millis("STACK_TRACE_SHUTDOWN_TIMEOUT_MS") {
            config.shutdown_timeout = d;
        }
        for name in [
            "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT",
            "OTEL_EXPORTER_OTLP_TIMEOUT",
        ] {
            if lookup(name).is_some() {
                if let Some(d) = read.millis(name) {
                    config.export_timeout = d;
                }
                break;
            }
        }
        if let Some(n) = read.count("OTEL_BSP_MAX_QUEUE_SIZE") {
            config.max_queue_size = n;
        }
        if let Some(n) = read.count("OTEL_BSP_MAX_EXPORT_BATCH_SIZE") {
            config.max_export_batch_size = n;
        }
        if let Some(d) = read.millis("OTEL_BSP_SCHEDULE_DELAY") {
            config.scheduled_delay = d;
        }
        if let Some(v) = lookup("OTEL_RESOURCE_ATTRIBUTES") {
            config.resource_attributes = parse_resource_attributes(&v);
        }
        for (name, hide) in crate::masking::Masking::VARIABLES {
            if read.bool(name) == Some(true) {
                hide(&mut config.masking);
            }
        }
        if let Some(n) = read.count("STACK_TRACE_MAX_VALUE_BYTES") {
            config.max_value_bytes = n;
        }
        if let Some(v) = lookup("OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH") {
            match v.trim().parse::<usize>() {
                Ok(n) => config.masking.base64_image_max_length = n,
                Err(_) => read.problems.push(Error::InvalidSetting {
                    name: "OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH",
                    value: v.clone(),
                    expected: "a whole number of characters",
                }),
            }
        }
        config.tail = tail_from_lookup(&mut read, config.sampling);
        for name in [
            "OTEL_EXPORTER_OTLP_HEADERS",
            "OTEL_EXPORTER_OTLP_TRACES_HEADERS",
        ] {
            if let Some(v) = lookup(name) {
                crate::export_headers::parse_into(
                    name,
                    &v,
                    &mut config.headers,
                    &mut read.problems,
                );
            }
        }
        for name in [
            "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
            "OTEL_EXPORTER_OTLP_PROTOCOL",
        ] {
            if let Some(v) = lookup(name).filter(|v| !v.trim().is_empty()) {
                match v.trim() {
                    "grpc" => config.protocol = Protocol::Grpc,
                    "http/protobuf" => config.protocol = Protocol::HttpProtobuf,
                    _ => read.problems.push(Error::InvalidSetting {
                        name,
                        value: v.clone(),
                        expected: "grpc or http/protobuf (http/json is not supported)",
                    }),
                }
                break;
            }
        }
        for name in [
            "OTEL_EXPORTER_OTLP_TRACES_CERTIFICATE",
            "OTEL_EXPORTER_OTLP_CERTIFICATE",
        ] {
            if let Some(v) = lookup(name).filter(|v| !v.trim().is_empty()) {
                config.ca_certificate = Some(CaCertificate::File(v.trim().into()));
                break;
            }
        }
        if let Some(key) = lookup("PHOENIX_API_KEY").filter(|k| !k.trim().is_empty()) {
            if !config.headers.contains("authorization") {
                config
                    .headers
                    .set("authorization", format!("Bearer {}", key.trim()));
            }
        }
        config.problems = read.problems;
        config
    }

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
    pub fn masking(mut self, masking: crate::masking::Masking) -> Self {
        self.masking = masking;
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
    pub fn tail_sampling(mut self, tail: crate::TailSampling) -> Self {
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
        self.exporter = Some(crate::export::ExporterFactory::custom(exporter));
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

    /// Checks the settings without starting anything.
    ///
    /// # Errors
    /// The first unparsable setting, or an endpoint that is not an
    /// `http://` or `https://` URL with a host.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(problem) = self.problems.first() {
            return Err(problem.clone());
        }
        if let Some(endpoint) = &self.endpoint {
            validate_endpoint(endpoint, self.protocol)?;
        }
        if let Some(tail) = &self.tail {
            tail.validate()?;
        }
        self.headers.validate()?;
        Ok(())
    }

    /// A description of what this configuration sets up, used to warn when a
    /// second `init` asks for something different.
    pub(crate) fn fingerprint(&self) -> String {
        format!(
            "service={:?} endpoint={:?} console={} project={:?} disabled={} sampling={:?} tail={:?} masking={:?} headers={:?} custom_exporter={}",
            self.service_name,
            self.endpoint_url(),
            self.console_enabled(),
            self.project_name,
            self.disabled,
            self.sampling,
            self.tail,
            self.masking,
            self.headers.names(),
            self.exporter.is_some()
        )
    }
}

/// Reads settings from a lookup, keeping what cannot be parsed as problems.
struct Settings<'a> {
    lookup: &'a dyn Fn(&str) -> Option<String>,
    problems: Vec<Error>,
}

impl Settings<'_> {
    fn parsed<T>(
        &mut self,
        name: &'static str,
        parse: fn(&'static str, &str, &mut Vec<Error>) -> Option<T>,
    ) -> Option<T> {
        let value = (self.lookup)(name)?;
        parse(name, &value, &mut self.problems)
    }

    fn bool(&mut self, name: &'static str) -> Option<bool> {
        self.parsed(name, parse_bool)
    }

    fn millis(&mut self, name: &'static str) -> Option<Duration> {
        self.parsed(name, parse_millis)
    }

    fn count(&mut self, name: &'static str) -> Option<usize> {
        self.parsed(name, parse_count)
    }
}

fn tail_from_lookup(read: &mut Settings<'_>, head: Sampling) -> Option<crate::TailSampling> {
    if !read.bool("STACK_TRACE_TAIL_SAMPLING")? {
        return None;
    }
    let mut tail = crate::TailSampling::ratio(head.root_ratio());
    if let Some(d) = read.millis("STACK_TRACE_TAIL_LATENCY_MS") {
        tail = tail.latency_threshold(d);
    }
    if let Some(d) = read.millis("STACK_TRACE_TAIL_ROOT_TIMEOUT_MS") {
        tail = tail.root_timeout(d);
    }
    if let Some(n) = read.count("STACK_TRACE_TAIL_MAX_SPANS") {
        tail = tail.max_buffered_spans(n);
    }
    if let Some(n) = read.count("STACK_TRACE_TAIL_MAX_TRACES") {
        tail = tail.max_buffered_traces(n);
    }
    Some(tail)
}

fn validate_endpoint(endpoint: &Endpoint, protocol: Protocol) -> Result<(), Error> {
    let invalid = |reason: String| Error::InvalidEndpoint {
        source: endpoint.source,
        value: endpoint.raw.clone(),
        reason,
    };
    if protocol == Protocol::Grpc && !cfg!(feature = "grpc") {
        return Err(invalid(
            "OTLP/gRPC needs the `grpc` feature of stack-trace-runtime; enable it, or use \
             OTLP/HTTP (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)"
                .to_owned(),
        ));
    }
    let url = url::Url::parse(&endpoint.url).map_err(|e| invalid(e.to_string()))?;
    match url.scheme() {
        "http" => {}
        "https" if cfg!(feature = "tls") => {}
        "https" => {
            return Err(invalid(
                "https endpoints need the `tls` feature of stack-trace-runtime; enable it, \
                 or use http:// to a local collector"
                    .to_owned(),
            ))
        }
        other => return Err(invalid(format!("unsupported scheme `{other}`"))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the URL has no host".to_owned()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn from(vars: &[(&str, &str)]) -> Config {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
    }

    #[test]
    fn no_endpoint_means_console_only() {
        let c = from(&[]);
        assert_eq!(c.endpoint_url(), None);
        assert!(c.console_enabled());
        assert!(c.validate().is_ok());
    }

    #[test]
    fn phoenix_endpoint_full_or_base() {
        let c = from(&[(
            "PHOENIX_COLLECTOR_ENDPOINT",
            "http://localhost:6006/v1/traces",
        )]);
        assert_eq!(c.endpoint_url().unwrap(), "http://localhost:6006/v1/traces");
        let c = from(&[("PHOENIX_COLLECTOR_ENDPOINT", "http://localhost:6006/")]);
        assert_eq!(c.endpoint_url().unwrap(), "http://localhost:6006/v1/traces");
        assert!(!c.console_enabled());
    }

    #[test]
    fn first_endpoint_found_wins() {
        let c = from(&[
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318"),
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://traces:4318/custom",
            ),
        ]);
        assert_eq!(c.endpoint_url().unwrap(), "http://traces:4318/custom");
        let c = from(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "http://generic:4318")]);
        assert_eq!(c.endpoint_url().unwrap(), "http://generic:4318/v1/traces");
        let c = from(&[
            (
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://traces:4318/custom",
            ),
            ("PHOENIX_COLLECTOR_ENDPOINT", "http://phoenix:6006"),
        ]);
        assert_eq!(c.endpoint_url().unwrap(), "http://phoenix:6006/v1/traces");
    }

    #[test]
    fn console_flag_keeps_waterfall_with_endpoint() {
        let c = from(&[
            ("PHOENIX_COLLECTOR_ENDPOINT", "http://localhost:6006"),
            ("STACK_TRACE_CONSOLE", "TRUE"),
        ]);
        assert!(c.console_enabled());
        let c = from(&[("STACK_TRACE_CONSOLE", "false")]);
        assert!(!c.console_enabled());
    }

    #[test]
    fn bad_values_are_reported_not_panicked() {
        let c = from(&[("PHOENIX_COLLECTOR_ENDPOINT", "not a url")]);
        let err = c.validate().unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidEndpoint {
                    source: "PHOENIX_COLLECTOR_ENDPOINT",
                    ..
                }
            ),
            "{err}"
        );
        let c = from(&[("STACK_TRACE_CONSOLE", "maybe")]);
        assert!(matches!(
            c.validate(),
            Err(Error::InvalidSetting {
                name: "STACK_TRACE_CONSOLE",
                ..
            })
        ));
        let c = from(&[("OTEL_EXPORTER_OTLP_ENDPOINT", "ftp://x")]);
        assert!(c.validate().is_err());
    }

    #[test]
    fn service_project_disabled_and_sampler() {
        let c = from(&[
            ("OTEL_SERVICE_NAME", "bot"),
            ("PHOENIX_PROJECT_NAME", "proj"),
            ("OTEL_SDK_DISABLED", "true"),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.25"),
            (
                "OTEL_RESOURCE_ATTRIBUTES",
                "deployment.environment=prod,team=a%20b",
            ),
        ]);
        assert_eq!(c.service_name.as_deref(), Some("bot"));
        assert_eq!(c.project_name.as_deref(), Some("proj"));
        assert!(c.is_disabled());
        assert_eq!(c.sampling, Sampling::ParentBasedTraceIdRatio(0.25));
        assert_eq!(
            c.resource_attributes,
            vec![
                ("deployment.environment".to_owned(), "prod".to_owned()),
                ("team".to_owned(), "a b".to_owned())
            ]
        );
        let c = from(&[("OTEL_TRACES_SAMPLER", "always_off")]);
        assert_eq!(c.sampling, Sampling::AlwaysOff);
        let c = from(&[("OTEL_TRACES_SAMPLER", "sometimes")]);
        assert!(c.validate().is_err());
    }

    #[test]
    fn code_endpoint_gets_traces_path_only_without_path() {
        let c = Config::default().endpoint("http://localhost:6006");
        assert_eq!(c.endpoint_url().unwrap(), "http://localhost:6006/v1/traces");
        let c = Config::default().endpoint("http://localhost:4318/otlp");
        assert_eq!(c.endpoint_url().unwrap(), "http://localhost:4318/otlp");
    }

    #[test]
    fn tail_sampling_from_the_environment() {
        assert!(from(&[]).tail.is_none());
        assert!(from(&[("STACK_TRACE_TAIL_SAMPLING", "false")])
            .tail
            .is_none());
        let c = from(&[
            ("STACK_TRACE_TAIL_SAMPLING", "true"),
            ("OTEL_TRACES_SAMPLER", "parentbased_traceidratio"),
            ("OTEL_TRACES_SAMPLER_ARG", "0.01"),
            ("STACK_TRACE_TAIL_LATENCY_MS", "2500"),
            ("STACK_TRACE_TAIL_ROOT_TIMEOUT_MS", "30000"),
            ("STACK_TRACE_TAIL_MAX_SPANS", "1000"),
            ("STACK_TRACE_TAIL_MAX_TRACES", "50"),
        ]);
        let tail = c.tail.expect("on");
        assert!((tail.kept_ratio() - 0.01).abs() < f64::EPSILON);
        assert_eq!(tail.latency_threshold, Duration::from_millis(2500));
        assert_eq!(tail.root_timeout, Duration::from_secs(30));
        assert_eq!(tail.max_buffered_spans, 1000);
        assert_eq!(tail.max_buffered_traces, 50);
        let c = from(&[
            ("STACK_TRACE_TAIL_SAMPLING", "1"),
            ("OTEL_TRACES_SAMPLER", "always_off"),
        ]);
        assert!(c.validate().is_err(), "an unreadable switch is reported");
        let c = from(&[
            ("STACK_TRACE_TAIL_SAMPLING", "true"),
            ("OTEL_TRACES_SAMPLER", "always_off"),
        ]);
        assert!(c.tail.expect("on").kept_ratio().abs() < f64::EPSILON);
        let c = from(&[
            ("STACK_TRACE_TAIL_SAMPLING", "true"),
            ("STACK_TRACE_TAIL_LATENCY_MS", "soon"),
        ]);
        assert!(c.validate().is_err());
        assert!(Config::default()
            .tail_sampling(crate::TailSampling::ratio(2.0))
            .validate()
            .is_err());
    }
}
