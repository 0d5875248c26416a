//! Our span processor, the only one on the provider `init` builds. It sits in
//! front of the exporter: the place for counters, per-trace buffering, the
//! console waterfall and the capped flush.

use std::sync::Arc;
use std::time::Duration;

use opentelemetry::{Context, KeyValue};
use opentelemetry_sdk::error::{OTelSdkError, OTelSdkResult};
use opentelemetry_sdk::trace::{Span, SpanData, SpanProcessor};

use super::error::ExportError;
use super::handle::WorkerHandle;
use crate::openinference::context_attributes;
use crate::scrub::Report;
use crate::semconv::SCRUBBED;

#[derive(Debug)]
pub(crate) struct StackProcessor {
    worker: Arc<WorkerHandle>,
    flush_cap: Duration,
}

impl StackProcessor {
    pub(crate) fn new(worker: Arc<WorkerHandle>, flush_cap: Duration) -> Self {
        Self { worker, flush_cap }
    }
}

fn sdk_error(e: ExportError) -> OTelSdkError {
    match e {
        ExportError::Timeout { after, .. } => OTelSdkError::Timeout(after),
        other => OTelSdkError::InternalFailure(other.to_string()),
    }
}

impl SpanProcessor for StackProcessor {
    /// Stamps the scope's context attributes (session, user, metadata, tags,
    /// prompt template) before anything else is recorded on the span.
    fn on_start(&self, span: &mut Span, cx: &Context) {
        if let Some(attributes) = context_attributes::stamp(cx) {
            opentelemetry::trace::Span::set_attributes(span, attributes);
            if let Some(findings) = context_attributes::stamped_findings(cx) {
                let mut report = Report::default();
                report.add("context attributes", findings);
                opentelemetry::trace::Span::set_attribute(
                    span,
                    KeyValue::new(SCRUBBED, report.to_json()),
                );
            }
        }
    }

    /// Hands the span to the export thread, which resolves precedence, caps
    /// and masks its attributes there, off the caller's thread.
    fn on_end(&self, span: SpanData) {
        if span.span_context.is_sampled() {
            self.worker.submit(span, false, false);
        }
    }

    fn force_flush(&self) -> OTelSdkResult {
        self.worker.flush(self.flush_cap).map_err(sdk_error)
    }

    fn shutdown_with_timeout(&self, timeout: Duration) -> OTelSdkResult {
        self.worker.shutdown(timeout).map_err(sdk_error)
    }
}
