//! Where annotations go: Phoenix's base URL, found the way Phoenix's own
//! client finds it, after what code set; else the console, else nowhere.

use super::config::Config;
use crate::evals::delivery::DeliverySettings;
#[cfg(feature = "otlp-http")]
use crate::evals::phoenix::client::ClientSettings;
#[cfg(feature = "otlp-http")]
use crate::evals::{PhoenixClient, ReadError};
use crate::export::transport::Protocol;

/// The variables Phoenix's client reads for its base URL, in its order.
pub(crate) const PHOENIX_VARIABLES: [&str; 4] = [
    "PHOENIX_ENDPOINT",
    "PHOENIX_COLLECTOR_ENDPOINT",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "PHOENIX_BASE_URL",
];

/// A URL without `/v1/traces` and trailing slashes.
fn base_of(url: &str) -> String {
    let url = url.trim().trim_end_matches('/');
    let url = url.strip_suffix("/v1/traces").unwrap_or(url);
    url.trim_end_matches('/').to_owned()
}

impl Config {
    /// Where annotations are sent: Phoenix's base URL and where it came
    /// from. In order: [`Config::phoenix_url`]; `PHOENIX_ENDPOINT`;
    /// [`Config::endpoint`], then `PHOENIX_COLLECTOR_ENDPOINT`, then
    /// `OTEL_EXPORTER_OTLP_ENDPOINT`, each without `/v1/traces` (skipped
    /// when traces go over gRPC: that port has no REST API); then
    /// `PHOENIX_BASE_URL`. `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` names only
    /// the traces URL, so it is never used.
    ///
    /// ```
    /// let config = stack_trace_runtime::Config::from_lookup(|name| match name {
    ///     "PHOENIX_COLLECTOR_ENDPOINT" => Some("http://phoenix:6006/v1/traces".to_owned()),
    ///     _ => None,
    /// });
    /// assert_eq!(config.annotation_url().as_deref(), Some("http://phoenix:6006"));
    /// ```
    #[must_use]
    pub fn annotation_url(&self) -> Option<String> {
        self.annotation_source().map(|(_, url)| url)
    }

    fn annotation_source(&self) -> Option<(&'static str, String)> {
        if let Some(url) = self.phoenix_url.as_deref().filter(|u| !u.trim().is_empty()) {
            return Some(("Config::phoenix_url", base_of(url)));
        }
        let env = |name: &str| {
            self.phoenix_env
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.as_str())
        };
        if let Some(url) = env("PHOENIX_ENDPOINT") {
            return Some(("PHOENIX_ENDPOINT", base_of(url)));
        }
        let http = self.protocol == Protocol::HttpProtobuf;
        if let Some(endpoint) = self
            .endpoint
            .as_ref()
            .filter(|e| e.source == "Config::endpoint")
        {
            if http {
                return Some(("Config::endpoint", base_of(&endpoint.url)));
            }
        }
        for name in ["PHOENIX_COLLECTOR_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"] {
            if let Some(url) = env(name).filter(|_| http) {
                return Some((name, base_of(url)));
            }
        }
        env("PHOENIX_BASE_URL").map(|url| ("PHOENIX_BASE_URL", base_of(url)))
    }

    /// How to reach Phoenix's REST API: the base URL, and the export's
    /// headers (the API key), CA and timeout.
    #[cfg(feature = "otlp-http")]
    fn client_settings(&self) -> Option<ClientSettings> {
        let (_, base_url) = self.annotation_source()?;
        Some(ClientSettings {
            base_url,
            headers: self
                .headers
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
            ca_pem: self.ca_certificate.as_ref().and_then(|ca| ca.pem().ok()),
            timeout: self.export_timeout,
        })
    }

    /// A client that reads traces and annotations back from the Phoenix
    /// that annotations go to (same base URL, API key and CA).
    ///
    /// ```
    /// let config = stack_trace_runtime::Config::default().phoenix_url("http://localhost:6006");
    /// assert_eq!(config.phoenix_client().unwrap().base_url(), "http://localhost:6006");
    /// ```
    ///
    /// # Errors
    /// [`ReadError::NoUrl`] when no Phoenix base URL applies (see
    /// [`Config::annotation_url`]).
    #[cfg(feature = "otlp-http")]
    pub fn phoenix_client(&self) -> Result<PhoenixClient, ReadError> {
        self.client_settings()
            .map(PhoenixClient::new)
            .ok_or(ReadError::NoUrl)
    }

    /// What the export thread does with annotations; says once why they
    /// have nowhere to go when traces are exported but no base URL applies.
    pub(crate) fn delivery(&self) -> DeliverySettings {
        #[cfg(feature = "otlp-http")]
        if let Some(settings) = self.client_settings() {
            return DeliverySettings::Phoenix(settings);
        }
        if self.console_enabled() {
            return DeliverySettings::Console;
        }
        if let Some(endpoint) = &self.endpoint {
            eprintln!(
                "stack-trace: annotations have no Phoenix base URL to go to (traces go to {} from \
                 {}); set PHOENIX_ENDPOINT or Config::phoenix_url, else annotations are dropped \
                 and counted",
                self.endpoint_url().unwrap_or_default(),
                endpoint.source
            );
        }
        DeliverySettings::Nowhere
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(vars: &[(&str, &str)]) -> Option<String> {
        let vars: Vec<(String, String)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Config::from_lookup(move |name| {
            vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
        })
        .annotation_url()
    }

    #[test]
    fn phoenix_clients_order_after_code() {
        assert_eq!(url(&[]), None);
        assert_eq!(
            url(&[("PHOENIX_BASE_URL", "http://b:6006/")]).as_deref(),
            Some("http://b:6006")
        );
        let all = [
            ("PHOENIX_BASE_URL", "http://base:1"),
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://otel:2/"),
            ("PHOENIX_COLLECTOR_ENDPOINT", "http://collector:3/v1/traces"),
            ("PHOENIX_ENDPOINT", "http://endpoint:4"),
        ];
        assert_eq!(url(&all).as_deref(), Some("http://endpoint:4"));
        assert_eq!(url(&all[..3]).as_deref(), Some("http://collector:3"));
        assert_eq!(url(&all[..2]).as_deref(), Some("http://otel:2"));
        let config =
            Config::from_lookup(|n| (n == "PHOENIX_ENDPOINT").then(|| "http://e:4".to_owned()));
        assert_eq!(
            config
                .phoenix_url("http://code:5/")
                .annotation_url()
                .as_deref(),
            Some("http://code:5")
        );
        let code = Config::default().endpoint("http://code:6/v1/traces");
        assert_eq!(code.annotation_url().as_deref(), Some("http://code:6"));
    }

    #[test]
    fn no_base_url_over_grpc_or_from_the_traces_url_alone() {
        assert_eq!(
            url(&[(
                "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                "http://c:6006/v1/traces"
            )]),
            None
        );
        let grpc = [
            ("OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc"),
        ];
        assert_eq!(url(&grpc), None);
        let grpc_with_base = [grpc[0], grpc[1], ("PHOENIX_BASE_URL", "http://c:6006")];
        assert_eq!(url(&grpc_with_base).as_deref(), Some("http://c:6006"));
    }

    #[test]
    fn console_or_nowhere_without_a_base_url() {
        assert!(matches!(
            Config::default().delivery(),
            DeliverySettings::Console
        ));
        let quiet = Config::default().console(false);
        assert!(matches!(quiet.delivery(), DeliverySettings::Nowhere));
    }
}
