//! Where batches go: [`Sink`], an exporter behind an object-safe interface,
//! driven synchronously on the export thread, and [`ExporterFactory`], which
//! builds it there.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;

use super::error::ExportError;
#[cfg(feature = "otlp-http")]
use super::otlp;

/// An exporter behind an object-safe interface, driven synchronously on the
/// worker thread.
pub(crate) trait Sink: Send {
    fn export(&mut self, batch: Vec<SpanData>) -> OTelSdkResult;
    fn shutdown(&mut self, timeout: Duration) -> OTelSdkResult;
    /// After a failure the exporter describes only vaguely ("network
    /// error"): the precise cause, found by asking the collector directly.
    fn diagnose(&mut self) -> Option<String> {
        None
    }
}

pub(super) struct ExporterSink<E>(pub(super) E);

impl<E: SpanExporter> Sink for ExporterSink<E> {
    fn export(&mut self, batch: Vec<SpanData>) -> OTelSdkResult {
        futures_executor::block_on(self.0.export(batch))
    }
    fn shutdown(&mut self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }
}

type MakeSink = dyn FnOnce(&Resource) -> Result<Box<dyn Sink>, ExportError> + Send;

/// Builds the exporter on the worker thread (so its HTTP client is created
/// and dropped there, never inside the caller's async runtime).
#[derive(Clone)]
pub(crate) struct ExporterFactory(Arc<std::sync::Mutex<Option<Box<MakeSink>>>>);

impl core::fmt::Debug for ExporterFactory {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("ExporterFactory")
    }
}

impl ExporterFactory {
    pub(crate) fn custom<E: SpanExporter + 'static>(exporter: E) -> Self {
        Self::new(move |resource| {
            let mut exporter = exporter;
            exporter.set_resource(resource);
            Ok(Box::new(ExporterSink(exporter)) as Box<dyn Sink>)
        })
    }

    pub(crate) fn new(
        make: impl FnOnce(&Resource) -> Result<Box<dyn Sink>, ExportError> + Send + 'static,
    ) -> Self {
        Self(Arc::new(std::sync::Mutex::new(Some(Box::new(make)))))
    }

    #[cfg(feature = "otlp-http")]
    pub(crate) fn otlp(target: otlp::Target) -> Self {
        Self::new(move |resource| otlp::sink(target, resource))
    }

    pub(super) fn take(&self) -> Option<Box<MakeSink>> {
        self.0.lock().ok()?.take()
    }
}
