//! The OTLP exporters, built on the export thread: OTLP/HTTP protobuf
//! (default) and OTLP/gRPC (feature `grpc`, on a tokio runtime the export
//! thread owns), with the configured headers and, with the `tls` feature,
//! TLS with the system's roots plus a configured CA.

use std::time::Duration;

use opentelemetry_otlp::WithExportConfig as _;
use opentelemetry_sdk::trace::SpanExporter as _;
use opentelemetry_sdk::Resource;

use super::error::ExportError;
use super::sink::{ExporterSink, Sink};
use super::transport::{CaCertificate, ExportHeaders, Protocol};

/// Where and how to export.
#[derive(Clone, Debug)]
pub(crate) struct Target {
    pub url: String,
    pub protocol: Protocol,
    pub timeout: Duration,
    pub headers: ExportHeaders,
    /// A CA to trust besides the system roots.
    pub ca: Option<CaCertificate>,
}

pub(crate) fn sink(target: Target, resource: &Resource) -> Result<Box<dyn Sink>, ExportError> {
    match target.protocol {
        Protocol::HttpProtobuf => http_sink(&target, resource),
        #[cfg(feature = "grpc")]
        Protocol::Grpc => grpc::sink(&target, resource),
        #[cfg(not(feature = "grpc"))]
        Protocol::Grpc => Err(ExportError::Exporter(
            "OTLP/gRPC needs the `grpc` feature of stack-trace-runtime".to_owned(),
        )),
    }
}

fn http_sink(target: &Target, resource: &Resource) -> Result<Box<dyn Sink>, ExportError> {
    use opentelemetry_otlp::{Protocol as OtlpProtocol, WithHttpConfig as _};
    let headers = target
        .headers
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    let builder = opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .with_protocol(OtlpProtocol::HttpBinary)
        .with_endpoint(target.url.clone())
        .with_timeout(target.timeout)
        .with_headers(headers);
    #[cfg(feature = "tls")]
    let client = tls_http_client(target)?;
    #[cfg(feature = "tls")]
    let builder = builder.with_http_client(client.clone());
    #[cfg(not(feature = "tls"))]
    if target.ca.is_some() {
        return Err(ExportError::Exporter(
            "a CA certificate is configured, but TLS needs the `tls` feature".to_owned(),
        ));
    }
    let mut exporter = builder
        .build()
        .map_err(|e| ExportError::Exporter(e.to_string()))?;
    exporter.set_resource(resource);
    #[cfg(feature = "tls")]
    return Ok(Box::new(HttpSink {
        inner: ExporterSink(exporter),
        client,
        url: target.url.clone(),
    }));
    #[cfg(not(feature = "tls"))]
    Ok(Box::new(ExporterSink(exporter)) as Box<dyn Sink>)
}

/// The OTLP/HTTP exporter plus its client, to find out why a request failed
/// (the exporter only says "network error").
#[cfg(feature = "tls")]
struct HttpSink<E> {
    inner: ExporterSink<E>,
    client: reqwest::blocking::Client,
    url: String,
}

#[cfg(feature = "tls")]
impl<E: opentelemetry_sdk::trace::SpanExporter> Sink for HttpSink<E> {
    fn export(
        &mut self,
        batch: Vec<opentelemetry_sdk::trace::SpanData>,
    ) -> opentelemetry_sdk::error::OTelSdkResult {
        self.inner.export(batch)
    }
    fn shutdown(&mut self, timeout: Duration) -> opentelemetry_sdk::error::OTelSdkResult {
        self.inner.shutdown(timeout)
    }
    fn diagnose(&mut self) -> Option<String> {
        let error = self.client.head(&self.url).send().err()?;
        Some(crate::evals::phoenix::client::cause(&error))
    }
}

/// A blocking HTTP client with rustls: the system's roots, plus the
/// configured CA.
#[cfg(feature = "tls")]
fn tls_http_client(target: &Target) -> Result<reqwest::blocking::Client, ExportError> {
    let mut builder = reqwest::blocking::Client::builder().timeout(target.timeout);
    if let Some(ca) = &target.ca {
        let certificate = reqwest::Certificate::from_pem(&ca.pem()?).map_err(|e| {
            ExportError::Exporter(format!("the CA certificate is not valid PEM: {e}"))
        })?;
        builder = builder.add_root_certificate(certificate);
    }
    builder
        .build()
        .map_err(|e| ExportError::Exporter(format!("cannot build the HTTPS client: {e}")))
}

#[cfg(feature = "grpc")]
mod grpc {
    //! OTLP/gRPC: tonic needs a tokio runtime that stays alive, whatever the
    //! application runs (a sync `main`, per-test runtimes, a current-thread
    //! runtime that shuts tracing down). The export thread owns one.

    use std::time::Duration;

    use opentelemetry_otlp::{WithExportConfig as _, WithTonicConfig as _};
    use opentelemetry_sdk::error::OTelSdkResult;
    use opentelemetry_sdk::trace::{SpanData, SpanExporter as _};
    use opentelemetry_sdk::Resource;

    use super::{ExportError, Sink, Target};

    struct GrpcSink {
        exporter: Option<opentelemetry_otlp::SpanExporter>,
        runtime: tokio::runtime::Runtime,
    }

    impl Sink for GrpcSink {
        fn export(&mut self, batch: Vec<SpanData>) -> OTelSdkResult {
            match &self.exporter {
                Some(exporter) => self.runtime.block_on(exporter.export(batch)),
                None => Ok(()),
            }
        }
        fn shutdown(&mut self, timeout: Duration) -> OTelSdkResult {
            let _entered = self.runtime.enter();
            match &mut self.exporter {
                Some(exporter) => exporter.shutdown_with_timeout(timeout),
                None => Ok(()),
            }
        }
    }

    impl Drop for GrpcSink {
        fn drop(&mut self) {
            // The channel is dropped inside the runtime it was made in.
            let _entered = self.runtime.enter();
            drop(self.exporter.take());
        }
    }

    fn metadata(target: &Target) -> Result<tonic::metadata::MetadataMap, ExportError> {
        let mut map = tonic::metadata::MetadataMap::new();
        for (name, value) in target.headers.iter() {
            let key = tonic::metadata::MetadataKey::from_bytes(name.as_bytes()).map_err(|_| {
                ExportError::Exporter(format!("`{name}` is not a valid gRPC metadata key"))
            })?;
            let value = value.parse().map_err(|_| {
                ExportError::Exporter(format!("the value of `{name}` is not valid gRPC metadata"))
            })?;
            map.insert(key, value);
        }
        Ok(map)
    }

    /// A channel over TLS: the system's roots plus the configured CA, and
    /// the exporter's timeout (the exporter cannot set it on a given channel).
    #[cfg(feature = "tls")]
    fn tls_channel(target: &Target) -> Result<tonic::transport::Channel, ExportError> {
        let mut tls = tonic::transport::ClientTlsConfig::new().with_native_roots();
        if let Some(ca) = &target.ca {
            tls = tls.ca_certificate(tonic::transport::Certificate::from_pem(ca.pem()?));
        }
        let endpoint = tonic::transport::Endpoint::from_shared(target.url.clone())
            .map_err(|e| ExportError::Exporter(format!("invalid gRPC endpoint: {e}")))?
            .timeout(target.timeout)
            .connect_timeout(target.timeout)
            .tls_config(tls)
            .map_err(|e| ExportError::Exporter(format!("cannot set up TLS for gRPC: {e}")))?;
        Ok(endpoint.connect_lazy())
    }

    pub(super) fn sink(target: &Target, resource: &Resource) -> Result<Box<dyn Sink>, ExportError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ExportError::Exporter(format!("cannot start the gRPC runtime: {e}")))?;
        let _entered = runtime.enter();
        let builder = opentelemetry_otlp::SpanExporter::builder()
            .with_tonic()
            .with_endpoint(target.url.clone())
            .with_timeout(target.timeout)
            .with_metadata(metadata(target)?);
        #[cfg(feature = "tls")]
        let builder = if target.url.starts_with("https://") {
            builder.with_channel(tls_channel(target)?)
        } else {
            builder
        };
        let mut exporter = builder
            .build()
            .map_err(|e| ExportError::Exporter(e.to_string()))?;
        exporter.set_resource(resource);
        drop(_entered);
        Ok(Box::new(GrpcSink {
            exporter: Some(exporter),
            runtime,
        }))
    }
}
