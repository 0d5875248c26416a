//! [`WorkerHandle`]: the callers' side of the export thread. Ending a span
//! hands it over without blocking ([`WorkerHandle::submit`]: a full queue
//! drops it and counts it); flush and shutdown wait with a deadline.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, unbounded, Sender};
use opentelemetry_sdk::trace::SpanData;

use super::error::ExportError;
use super::sink::ExporterFactory;
use super::stats;
use super::worker::{Control, Finished, Queues, Worker, WorkerSettings};
use crate::evals::delivery::MAX_QUEUED;
use crate::evals::prepare::Prepared;
use crate::evals::stats as annotation_stats;

/// The handle the span processor holds.
#[derive(Debug)]
pub(crate) struct WorkerHandle {
    spans: Sender<Finished>,
    /// Capacity 1: a pending wake-up is enough.
    wake: Sender<()>,
    control: Sender<Control>,
    annotations: Sender<Prepared>,
    max_batch: usize,
    wake_on_root: bool,
    /// Set when a caller stopped waiting for shutdown: from then on the
    /// caller has counted everything undelivered as dropped.
    abandoned: Arc<AtomicBool>,
    warned_full: AtomicBool,
    warned_annotations_full: AtomicBool,
}

impl WorkerHandle {
    /// Starts the worker thread and builds the exporter on it.
    pub(crate) fn spawn(
        settings: WorkerSettings,
        exporter: Option<ExporterFactory>,
    ) -> Result<Self, ExportError> {
        let (span_tx, span_rx) = bounded::<Finished>(settings.max_queue_size);
        let (wake_tx, wake_rx) = bounded::<()>(1);
        let (control_tx, control_rx) = unbounded::<Control>();
        let (annotation_tx, annotation_rx) = bounded::<Prepared>(MAX_QUEUED);
        let max_batch = settings.max_export_batch_size;
        let wake_on_root = settings.console;
        let (ready_tx, ready_rx) = bounded::<Result<(), ExportError>>(1);
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
                let queues = Queues {
                    spans: span_rx,
                    wake: wake_rx,
                    control: control_rx,
                    annotations: annotation_rx,
                    abandoned: worker_abandoned,
                };
                Worker::new(settings, sink, queues).run();
            })
            .map_err(|e| ExportError::Worker(e.to_string()))?;
        match ready_rx.recv_timeout(Duration::from_secs(30)) {
            Ok(Ok(())) => {}
            Ok(Err(e)) => return Err(e),
            Err(_) => {
                return Err(ExportError::Worker(
                    "the export thread did not start".to_owned(),
                ))
            }
        }
        Ok(Self {
            spans: span_tx,
            wake: wake_tx,
            control: control_tx,
            annotations: annotation_tx,
            max_batch,
            wake_on_root,
            abandoned,
            warned_full: AtomicBool::new(false),
            warned_annotations_full: AtomicBool::new(false),
        })
    }

    /// Hands a finished span to the worker; never blocks. `resolved`: its
    /// attributes need no precedence pass (see [`super::precedence`]);
    /// `scrubbed`: none needs the last scrubbing pass (our recorder's spans,
    /// scrubbed as they were written).
    pub(crate) fn submit(&self, span: SpanData, resolved: bool, scrubbed: bool) {
        stats::add_ended(1);
        if self.abandoned.load(Ordering::Relaxed) {
            stats::add_dropped(1);
            return;
        }
        let is_root = span.parent_span_id == opentelemetry::trace::SpanId::INVALID
            || span.parent_span_is_remote;
        match self.spans.try_send(Finished {
            span,
            resolved,
            scrubbed,
        }) {
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

    /// Hands a checked annotation to the export thread; never blocks (a
    /// full queue drops it and counts it).
    pub(crate) fn annotate(&self, annotation: Prepared) {
        if self.abandoned.load(Ordering::Relaxed) {
            annotation_stats::add_dropped(1);
            return;
        }
        match self.annotations.try_send(annotation) {
            Ok(()) => {}
            Err(e) => {
                annotation_stats::add_dropped(1);
                if e.is_full() && !self.warned_annotations_full.swap(true, Ordering::Relaxed) {
                    eprintln!(
                        "stack-trace: the annotation queue is full ({MAX_QUEUED}); dropping \
                         annotations until the export thread catches up (stats() counts them)"
                    );
                }
            }
        }
    }

    /// Exports everything queued, and delivers the annotations whose spans
    /// were exported; waits at most `cap`.
    pub(crate) fn flush(&self, cap: Duration) -> Result<(), ExportError> {
        let (done_tx, done_rx) = bounded(1);
        self.control
            .send(Control::Flush {
                deadline: Instant::now() + cap,
                done: done_tx,
            })
            .map_err(|_| ExportError::Worker("the export thread has stopped".to_owned()))?;
        done_rx.recv_timeout(cap).map_err(|_| ExportError::Timeout {
            operation: "flush",
            after: cap,
        })
    }

    /// Exports what is queued and stops the worker; waits at most `cap`.
    /// Whatever is still undelivered then is counted as dropped.
    pub(crate) fn shutdown(&self, cap: Duration) -> Result<(), ExportError> {
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
                    annotation_stats::add_dropped(
                        s.annotations
                            .saturating_sub(s.annotations_sent + s.annotations_dropped),
                    );
                }
                Err(ExportError::Timeout {
                    operation: "shutdown",
                    after: cap,
                })
            }
        }
    }
}
