//! The settings from the environment: [`Config::from_env`] and
//! [`Config::from_lookup`], a pure function of a variable lookup, so tests
//! never touch the process environment. A value that cannot be parsed is
//! kept as a problem that [`Config::try_init`] reports.

use std::time::Duration;

use super::config::{with_traces_path, Config, Endpoint};
use super::error::Error;
use super::sampling::Sampling;
use crate::export::tail::TailSampling;
use crate::export::transport::{CaCertificate, ExportHeaders, Protocol};
use crate::gen_ai::settings::content_hidden;
use crate::gen_ai::Conventions;
use crate::openinference::Masking;
use crate::scrub::Scrubbing;

impl Config {
    /// The settings from the process environment.
    #[must_use]
    pub fn from_env() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// The settings from any variable lookup (a pure function of it).
    ///
    /// Read: `PHOENIX_COLLECTOR_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`,
    /// `PHOENIX_ENDPOINT` and `PHOENIX_BASE_URL` (where annotations go, see
    /// [`Config::annotation_url`]), `PHOENIX_API_KEY`,
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
    ///
    /// `STACK_TRACE_SEMCONV` chooses the conventions ([`crate::Conventions`]);
    /// `OPENINFERENCE_ENABLE_GENAI_SEMCONV=true` or
    /// `OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental` adds GenAI
    /// to OpenInference when it is not set.
    /// `OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT=false` hides every
    /// input and output in both conventions, as `OPENINFERENCE_HIDE_INPUTS`
    /// and `OPENINFERENCE_HIDE_OUTPUTS` do.
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
        for (name, hide) in Masking::VARIABLES {
            if read.bool(name) == Some(true) {
                hide(&mut config.masking);
            }
        }
        if content_hidden(lookup) {
            config.masking.hide_inputs = true;
            config.masking.hide_outputs = true;
        }
        match Conventions::from_lookup(lookup) {
            Ok(Some(conventions)) => config.conventions = conventions,
            Ok(None) => {}
            Err(value) => read.problems.push(Error::InvalidSetting {
                name: "STACK_TRACE_SEMCONV",
                value,
                expected: "openinference, gen_ai, or openinference,gen_ai",
            }),
        }
        read_scrubbing(&mut read, &mut config.scrubbing);
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
                parse_headers(name, &v, &mut config.headers, &mut read.problems);
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
        config.phoenix_env = super::phoenix_url::PHOENIX_VARIABLES
            .iter()
            .filter_map(|&name| Some((name, lookup(name).filter(|v| !v.trim().is_empty())?)))
            .collect();
        config.problems = read.problems;
        config
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

fn percent_decode(value: &str) -> String {
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

/// Parses `name=value,name2=value2` (values percent-decoded, as the
/// OpenTelemetry specification says) into `headers`.
fn parse_headers(
    variable: &'static str,
    text: &str,
    headers: &mut ExportHeaders,
    problems: &mut Vec<Error>,
) {
    for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
        match pair.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                headers.set(name, percent_decode(value.trim()));
            }
            _ => problems.push(Error::InvalidSetting {
                name: variable,
                value: "<redacted>".to_owned(),
                expected: "comma-separated name=value pairs",
            }),
        }
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

/// `STACK_TRACE_SCRUB_KEYS` and `STACK_TRACE_SCRUB_ALLOW_KEYS` (comma
/// separated names), `STACK_TRACE_SCRUB_PATTERN` (one regular expression;
/// join several with `|`) and `STACK_TRACE_SCRUB_VALUES` (`false` turns the
/// format scan off).
fn read_scrubbing(read: &mut Settings<'_>, scrubbing: &mut Scrubbing) {
    let names = |text: String| -> Vec<String> {
        text.split(',')
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_owned)
            .collect()
    };
    if let Some(keys) = (read.lookup)("STACK_TRACE_SCRUB_KEYS") {
        scrubbing.secret_keys.extend(names(keys));
    }
    if let Some(keys) = (read.lookup)("STACK_TRACE_SCRUB_ALLOW_KEYS") {
        scrubbing.allowed_keys.extend(names(keys));
    }
    if let Some(pattern) =
        (read.lookup)("STACK_TRACE_SCRUB_PATTERN").filter(|p| !p.trim().is_empty())
    {
        scrubbing.value_patterns.push(pattern);
    }
    if let Some(on) = read.bool("STACK_TRACE_SCRUB_VALUES") {
        scrubbing.scan_values = on;
    }
}

fn tail_from_lookup(read: &mut Settings<'_>, head: Sampling) -> Option<TailSampling> {
    if !read.bool("STACK_TRACE_TAIL_SAMPLING")? {
        return None;
    }
    let mut tail = TailSampling::ratio(head.root_ratio());
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
    fn conventions_and_the_content_switch() {
        use crate::gen_ai::Conventions;
        assert_eq!(from(&[]).conventions, Conventions::OpenInference);
        let c = from(&[("STACK_TRACE_SEMCONV", "gen_ai")]);
        assert_eq!(c.conventions, Conventions::GenAi);
        let c = from(&[("OPENINFERENCE_ENABLE_GENAI_SEMCONV", "true")]);
        assert_eq!(c.conventions, Conventions::Both);
        let c = from(&[("STACK_TRACE_SEMCONV", "otel")]);
        assert!(matches!(
            c.validate(),
            Err(Error::InvalidSetting {
                name: "STACK_TRACE_SEMCONV",
                ..
            })
        ));
        let c = from(&[(
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
            "false",
        )]);
        assert!(c.masking.hide_inputs && c.masking.hide_outputs);
        let c = from(&[("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "true")]);
        assert_eq!(c.masking, Masking::default());
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
            .tail_sampling(TailSampling::ratio(2.0))
            .validate()
            .is_err());
    }

    #[test]
    fn parsed_decoded_and_never_shown() {
        let mut headers = ExportHeaders::default();
        let mut problems = Vec::new();
        parse_headers(
            "OTEL_EXPORTER_OTLP_HEADERS",
            "Authorization=Bearer%20sk-secret-1, x-project = demo ,",
            &mut headers,
            &mut problems,
        );
        assert!(problems.is_empty());
        let pairs: Vec<(&str, &str)> = headers.iter().collect();
        assert_eq!(
            pairs,
            [
                ("authorization", "Bearer sk-secret-1"),
                ("x-project", "demo")
            ]
        );
        let shown = format!("{headers:?}");
        assert!(!shown.contains("sk-secret"), "{shown}");
        parse_headers(
            "OTEL_EXPORTER_OTLP_HEADERS",
            "novalue",
            &mut headers,
            &mut problems,
        );
        assert!(!format!("{problems:?}").contains("novalue"));
        headers.set("bad header", "x".to_owned());
        let error = super::super::validate::headers(&headers)
            .unwrap_err()
            .to_string();
        assert!(error.contains("bad header=<redacted>"), "{error}");
    }
}
