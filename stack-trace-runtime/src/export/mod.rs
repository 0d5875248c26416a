//! The export worker: one background thread per installation that receives
//! finished spans through a bounded queue, feeds the console waterfall,
//! batches spans for the exporter, and flushes and shuts down within a cap.
//!
//! The caller's thread never blocks on export: a full queue drops the span
//! and counts it ([`stats`]). Nor does it wake the worker for every span (a
//! futex wake costs about a microsecond): the worker wakes on its schedule,
//! when a batch is full, and, with the console on, when a trace's local root
//! ends so its waterfall prints at once. Shutdown waits on a channel with a deadline,
//! so a hung collector cannot hang the program, even when the guard is
//! dropped inside a current-thread tokio runtime.

#[cfg(feature = "otlp-http")]
pub(crate) mod otlp;
pub(crate) mod precedence;
pub(crate) mod processor;
pub mod stats;
pub(crate) mod tail;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, select, unbounded, Receiver, Sender};
use opentelemetry_sdk::error::OTelSdkResult;
use opentelemetry_sdk::trace::{SpanData, SpanExporter};
use opentelemetry_sdk::Resource;

use crate::console::Waterfall;
use crate::error::Error;

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

struct ExporterSink<E>(E);

impl<E: SpanExporter> Sink for ExporterSink<E> {
    fn export(&mut self, batch: Vec<SpanData>) -> OTelSdkResult {
        futures_executor::block_on(self.0.export(batch))
    }
    fn shutdown(&mut self, timeout: Duration) -> OTelSdkResult {
        self.0.shutdown_with_timeout(timeout)
    }
}

type MakeSink = dyn FnOnce(&Resource) -> Result<Box<dyn Sink>, Error> + Send;

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
        make: impl FnOnce(&Resource) -> Result<Box<dyn Sink>, Error> + Send + 'static,
    ) -> Self {
        Self(Arc::new(std::sync::Mutex::new(Some(Box::new(make)))))
    }

    #[cfg(feature = "otlp-http")]
    pub(crate) fn otlp(target: otlp::Target) -> Self {
        Self::new(move |resource| otlp::sink(target, resource))
    }

    fn take(&self) -> Option<Box<MakeSink>> {
        self.0.lock().ok()?.take()
    }
}

/// Settings of one worker.
pub(crate) struct WorkerSettings {
    pub max_queue_size: usize,
    pub max_export_batch_size: usize,
    pub scheduled_delay: Duration,
    pub console: bool,
    pub resource: Resource,
    pub masking: crate::masking::Masking,
    pub max_value_bytes: usize,
    pub tail: Option<crate::TailSampling>,
}

enum Control {
    Flush(Sender<()>),
    Shutdown { deadline: Instant, done: Sender<()> },
}

/// A finished span on its way to the export thread.
#[derive(Debug)]
pub(crate) struct Finished {
    span: SpanData,
    /// Its precedence is already resolved (our recorder knows when nothing
    /// was set by hand); spans from the SDK are resolved on the worker.
    resolved: bool,
}

/// The handle the span processor holds.
#[derive(Debug)]
pub(crate) struct WorkerHandle {
    spans: Sender<Finished>,
    /// Capacity 1: a pending wake-up is enough.
    wake: Sender<()>,
    control: Sender<Control>,
    max_batch: usize,
    wake_on_root: bool,
    /// Set when a caller stopped waiting for shutdown: from then on the
    /// caller has counted everything undelivered as dropped.
    abandoned: Arc<AtomicBool>,
    warned_full: AtomicBool,
}

impl core::fmt::Debug for Control {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Flush(_) => "Flush",
            Self::Shutdown { .. } => "Shutdown",
        })
    }
}

impl WorkerHandle {
    /// Starts the worker thread and builds the exporter on it.
    pub(crate) fn spawn(
        settings: WorkerSettings,
        exporter: Option<ExporterFactory>,
    ) -> Result<Self, Error> {
        let (span_tx, span_rx) = bounded::<Finished>(settings.max_queue_size);
        let (wake_tx, wake_rx) = bounded::<()>(1);
        let (control_tx, control_rx) = unbounded::<Control>();
        let max_batch = settings.max_export_batch_size;
        let wake_on_root = settings.console;
        let (ready_tx, ready_rx) = bounded::<Result<(), Error>>(1);
        let abandoned = Arc::new(AtomicBool::new(false));
        let worker_abandoned = Arc::clone(&abandoned);
        let make = exporter.and_then(|f| f.take());
        std::thread::Builder::new()
            .name("stack-trace-export".to_owned())
            .spawn(move || {
                let sink = match make.map(|make| make(&settings.resource)).transpose() {
                    Ok(sink) => {
                        let _ = ready_tx.send(Ok(()));
                        sink
                    }
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                let waterfall = settings.console.then(Waterfall::stderr);
                Worker {
                    spans: span_rx,
                    wake: wake_rx,
                    control: control_rx,
                    sink,
                    waterfall,
                    masking: settings.masking,
                    max_value_bytes: settings.max_value_bytes,
                    tail: settings.tail.map(tail::TailBuffer::new),
                    kept: Vec::new(),
                    batch: Vec::new(),
                    max_batch: settings.max_export_batch_size,
                    delay: settings.scheduled_delay,
                    abandoned: worker_abandoned,
                    reported_failure: None,
                }
                .run();
            })
            .map_err(|e| Error::Worker(e.to_string()))?;
        match ready_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => return Err(Error::Worker("the export thread did not start".to_owned())),
        }
        Ok(Self {
            spans: span_tx,
            wake: wake_tx,
            control: control_tx,
            max_batch,
            wake_on_root,
            abandoned,
            warned_full: AtomicBool::new(false),
        })
    }

    /// Hands a finished span to the worker; never blocks. `resolved`: its
    /// attributes need no precedence pass (see [`precedence`]).
    pub(crate) fn submit(&self, span: SpanData, resolved: bool) {
        stats::add_ended(1);
        if self.abandoned.load(Ordering::Relaxed) {
            stats::add_dropped(1);
            return;
        }
        let is_root = span.parent_span_id == opentelemetry::trace::SpanId::INVALID
            || span.parent_span_is_remote;
        match self.spans.try_send(Finished { span, resolved }) {
            Ok(()) => {
                if (self.wake_on_root && is_root) || self.spans.len() >= self.max_batch {
                    let _ = self.wake.try_send(());
                }
            }
            Err(e) => {
                stats::add_dropped(1);
                if e.is_full() && !self.warned_full.swap(true, Ordering::Relaxed) {
                    eprintln!(
                        "stack-trace: the export queue is full ({} spans); dropping spans until \
                     the exporter catches up (stack_trace_runtime::stats() counts them)",
                        self.spans.capacity().unwrap_or(0)
                    );
                }
            }
        }
    }

    /// Exports everything queued; waits at most `cap`.
    pub(crate) fn flush(&self, cap: Duration) -> Result<(), Error> {
        let (done_tx, done_rx) = bounded(1);
        self.control
            .send(Control::Flush(done_tx))
            .map_err(|_| Error::Worker("the export thread has stopped".to_owned()))?;
        done_rx.recv_timeout(cap).map_err(|_| Error::Timeout {
            operation: "flush",
            after: cap,
        })
    }

    /// Exports what is queued and stops the worker; waits at most `cap`.
    /// Whatever is still undelivered then is counted as dropped.
    pub(crate) fn shutdown(&self, cap: Duration) -> Result<(), Error> {
        let deadline = Instant::now() + cap;
        let (done_tx, done_rx) = bounded(1);
        if self
            .control
            .send(Control::Shutdown {
                deadline,
                done: done_tx,
            })
            .is_err()
        {
            return Ok(()); // already stopped
        }
        match done_rx.recv_deadline(deadline + Duration::from_millis(50)) {
            Ok(()) => Ok(()),
            Err(_) => {
                if !self.abandoned.swap(true, Ordering::SeqCst) {
                    let s = stats::stats();
                    stats::add_dropped(
                        s.ended
                            .saturating_sub(s.exported + s.dropped + s.sampled_out),
                    );
                }
                Err(Error::Timeout {
                    operation: "shutdown",
                    after: cap,
                })
            }
        }
    }
}

struct Worker {
    spans: Receiver<Finished>,
    wake: Receiver<()>,
    control: Receiver<Control>,
    sink: Option<Box<dyn Sink>>,
    waterfall: Option<Waterfall>,
    masking: crate::masking::Masking,
    max_value_bytes: usize,
    /// The tail sampler's buffer, when that mode is on.
    tail: Option<tail::TailBuffer>,
    /// Spans the tail sampler just released (reused between calls).
    kept: Vec<SpanData>,
    batch: Vec<SpanData>,
    max_batch: usize,
    delay: Duration,
    abandoned: Arc<AtomicBool>,
    /// The last failure reported: the exporter's message, when, and whether
    /// it had a known cause (those are reported once).
    reported_failure: Option<(String, Instant, bool)>,
}

impl Worker {
    fn run(mut self) {
        let mut next_export = Instant::now() + self.delay;
        loop {
            select! {
                recv(self.wake) -> woken => {
                    if woken.is_err() { self.drain(); self.export(); return; }
                    self.drain();
                },
                recv(self.control) -> message => match message {
                    Ok(Control::Flush(done)) => {
                        self.drain();
                        self.export();
                        let _ = done.send(());
                    }
                    Ok(Control::Shutdown { deadline, done }) => {
                        self.drain();
                        self.release_tail(tail::TailBuffer::decide_all);
                        self.export();
                        if let Some(w) = &mut self.waterfall { w.print_incomplete(); }
                        if let Some(sink) = &mut self.sink {
                            let left = deadline.saturating_duration_since(Instant::now());
                            let _ = sink.shutdown(left);
                        }
                        let _ = done.send(());
                        return;
                    }
                    Err(_) => {
                        self.drain();
                        self.release_tail(tail::TailBuffer::decide_all);
                        self.export();
                        return;
                    }
                },
                recv(crossbeam_channel::at(next_export)) -> _ => {
                    self.drain();
                    self.release_tail(tail::TailBuffer::expire);
                    self.export();
                    next_export = Instant::now() + self.delay;
                    if let Some(w) = &mut self.waterfall { w.evict_stale(); }
                },
            }
            if self.batch.len() >= self.max_batch {
                self.export();
                next_export = Instant::now() + self.delay;
            }
        }
    }

    /// One finished span: one value per key (precedence), each value capped,
    /// masked; then through the tail sampler, when on, to the waterfall and
    /// the batch. Runs here, not on the thread that ended the span.
    fn accept(&mut self, Finished { mut span, resolved }: Finished) {
        if !resolved {
            precedence::resolve(&mut span.attributes);
        }
        crate::capture::limit::cap_attributes(&mut span.attributes, self.max_value_bytes);
        self.masking.apply(&mut span.attributes);
        match &mut self.tail {
            Some(tail) => {
                tail.offer(span, Instant::now(), &mut self.kept);
                self.deliver_kept();
            }
            None => self.deliver(span),
        }
    }

    /// Runs one of the tail buffer's timed steps and delivers what it releases.
    fn release_tail(&mut self, step: fn(&mut tail::TailBuffer, Instant, &mut Vec<SpanData>)) {
        if let Some(tail) = &mut self.tail {
            step(tail, Instant::now(), &mut self.kept);
            self.deliver_kept();
        }
    }

    fn deliver_kept(&mut self) {
        let mut kept = std::mem::take(&mut self.kept);
        for span in kept.drain(..) {
            self.deliver(span);
        }
        self.kept = kept;
    }

    /// A span that will be exported: to the waterfall and the batch.
    fn deliver(&mut self, span: SpanData) {
        if let Some(w) = &mut self.waterfall {
            w.observe(&span);
        }
        if self.sink.is_some() {
            self.batch.push(span);
        } else if !self.abandoned.load(Ordering::Relaxed) {
            // Console only: the span is delivered once the waterfall saw it.
            stats::add_exported(1);
        }
    }

    fn drain(&mut self) {
        while let Ok(finished) = self.spans.try_recv() {
            self.accept(finished);
            if self.batch.len() >= self.max_batch {
                self.export();
            }
        }
    }

    fn export(&mut self) {
        if self.batch.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.batch);
        let n = batch.len() as u64;
        let Some(sink) = &mut self.sink else { return };
        let result = sink.export(batch);
        if self.abandoned.load(Ordering::Relaxed) {
            return; // the caller already counted these as dropped
        }
        match result {
            Ok(()) => stats::add_exported(n),
            Err(e) => {
                stats::add_dropped(n);
                stats::add_failed_export();
                self.report_failure(&e.to_string(), n);
            }
        }
    }

    /// Reports an export failure on stderr: the first one, then at most one
    /// line a minute unless the error changes. A failure with a known cause
    /// (a refused credential: 401 / 403, gRPC UNAUTHENTICATED /
    /// PERMISSION_DENIED; an untrusted certificate) is reported once, with
    /// what to check. A vague "network error" is diagnosed first, only when
    /// it is about to be reported.
    fn report_failure(&mut self, message: &str, n: u64) {
        let now = Instant::now();
        let repeat = matches!(&self.reported_failure,
            Some((last, at, known)) if last == message
                && (*known || now.duration_since(*at) < Duration::from_secs(60)));
        if repeat {
            return;
        }
        let cause = if message.contains("network error") {
            self.sink.as_mut().and_then(|s| s.diagnose())
        } else {
            None
        };
        let detail = match cause {
            Some(cause) => format!("{message}: {cause}"),
            None => message.to_owned(),
        };
        let hint = explain_failure(&detail);
        eprintln!(
            "stack-trace: exporting {n} spans failed: {detail}.{} (spans are dropped and \
             counted in stack_trace_runtime::stats(); the program is not affected)",
            hint.map(|h| format!(" {h}")).unwrap_or_default()
        );
        self.reported_failure = Some((message.to_owned(), now, hint.is_some()));
    }
}

/// What to check for the failures that have a usual cause.
fn explain_failure(message: &str) -> Option<&'static str> {
    let lower = message.to_ascii_lowercase();
    if lower.contains("status code: 401") || lower.contains("unauthenticated") {
        Some(
            "The collector refused the credentials (HTTP 401 / gRPC UNAUTHENTICATED): check PHOENIX_API_KEY, \
             or the `authorization` header in OTEL_EXPORTER_OTLP_HEADERS (Phoenix expects \
             `authorization: Bearer <key>`), and that the key is not expired or revoked.",
        )
    } else if lower.contains("status code: 403")
        || lower.contains("permission denied")
        || lower.contains("permissiondenied")
    {
        Some(
            "The collector accepted the credentials but does not allow writing traces \
             (403 Forbidden): use a key of a user or system account that may write \
             (in Phoenix, not a VIEWER).",
        )
    } else if lower.contains("certificate") {
        Some(
            "The collector's TLS certificate is not trusted: give its CA with \
             OTEL_EXPORTER_OTLP_CERTIFICATE (a PEM file) or Config::ca_certificate, and check \
             that the certificate names the host in the endpoint.",
        )
    } else {
        None
    }
}
