//! How spans travel to the collector: the OTLP [`Protocol`], the headers
//! sent with every export, and a CA certificate to trust. The setup stage
//! fills them in from the environment or from code; the OTLP exporters read
//! them.
//!
//! Header values are credentials (`PHOENIX_API_KEY` becomes
//! `authorization: Bearer <key>`): they never appear in `Debug` output,
//! error messages, logs or spans.

use super::error::ExportError;

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
    pub(crate) fn pem(&self) -> Result<Vec<u8>, ExportError> {
        match self {
            Self::Pem(pem) => Ok(pem.clone()),
            Self::File(path) => std::fs::read(path).map_err(|e| {
                ExportError::Exporter(format!(
                    "cannot read the CA certificate {} (OTEL_EXPORTER_OTLP_CERTIFICATE): {e}",
                    path.display()
                ))
            }),
        }
    }
}

/// Export headers; `Debug` shows the names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct ExportHeaders(Vec<(String, String)>);

impl core::fmt::Debug for ExportHeaders {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(name, _)| (name, "<redacted>")))
            .finish()
    }
}

impl ExportHeaders {
    /// Sets `name` (lower-cased), replacing an earlier value.
    pub(crate) fn set(&mut self, name: &str, value: String) {
        let name = name.trim().to_ascii_lowercase();
        self.0.retain(|(n, _)| *n != name);
        self.0.push((name, value));
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    pub(crate) fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(n, _)| n.as_str()).collect()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
}
