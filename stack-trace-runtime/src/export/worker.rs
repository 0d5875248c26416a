//! [`Worker`]: the export thread. It receives finished spans through the
//! bounded queue, resolves precedence, caps and masks their values, passes
//! them through the tail sampler when that is on, feeds the console
//! waterfall, batches them for the exporter, and flushes and shuts down when
//! told.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver, Sender};
use opentelemetry_sdk::trace::SpanData;
use opentelemetry_sdk::Resource;

use super::console::Waterfall;
use super::failure::FailureReport;
use super::sink::Sink;
use super::tail::{TailBuffer, TailSampling};
use super::{precedence, stats};
use crate::capture::limit::cap_attributes;
use crate::openinference::Masking;
use crate::scrub::attributes::scrub_span;

/// Settings of one worker.
pub(crate) struct WorkerSettings {
    pub max_queue_size: usize,
    pub max_export_batch_size: usize,
    pub scheduled_delay: Duration,
    pub console: bool,
    pub resource: Resource,
    pub masking: Masking,
    pub max_value_bytes: usize,
    pub tail: Option<TailSampling>,
}

/// What the callers ask of the export thread besides taking spans.
pub(crate) enum Control {
    Flush(Sender<()>),
    Shutdown { deadline: Instant, done: Sender<()> },
}

impl core::fmt::Debug for Control {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Flush(_) => "Flush",
            Self::Shutdown { .. } => "Shutdown",
        })
    }
}

/// A finished span on its way to the export thread.
#[derive(Debug)]
pub(crate) struct Finished {
    pub(super) span: SpanData,
    /// Its precedence is already resolved (our recorder knows when nothing
    /// was set by hand); spans from the SDK are resolved on the worker.
    pub(super) resolved: bool,
    /// Every value came through scrubbing already; otherwise the worker's
    /// last pass scrubs them all.
    pub(super) scrubbed: bool,
}

/// The export thread's state.
pub(super) struct Worker {
    spans: Receiver<Finished>,
    wake: Receiver<()>,
    control: Receiver<Control>,
    sink: Option<Box<dyn Sink>>,
    waterfall: Option<Waterfall>,
    masking: Masking,
    max_value_bytes: usize,
    /// The tail sampler's buffer, when that mode is on.
    tail: Option<TailBuffer>,
    /// Spans the tail sampler just released (reused between calls).
    kept: Vec<SpanData>,
    batch: Vec<SpanData>,
    max_batch: usize,
    delay: Duration,
    abandoned: Arc<AtomicBool>,
    failures: FailureReport,
}

/// The queues a worker reads, made by the handle that feeds them.
pub(super) struct Queues {
    pub(super) spans: Receiver<Finished>,
    pub(super) wake: Receiver<()>,
    pub(super) control: Receiver<Control>,
    /// Set once a caller stopped waiting for shutdown.
    pub(super) abandoned: Arc<AtomicBool>,
}

impl Worker {
    /// A worker for these settings, exporting to `sink` (none: console only).
    pub(super) fn new(
        settings: WorkerSettings,
        sink: Option<Box<dyn Sink>>,
        queues: Queues,
    ) -> Self {
        Self {
            spans: queues.spans,
            wake: queues.wake,
            control: queues.control,
            sink,
            waterfall: settings.console.then(Waterfall::stderr),
            masking: settings.masking,
            max_value_bytes: settings.max_value_bytes,
            tail: settings.tail.map(TailBuffer::new),
            kept: Vec::new(),
            batch: Vec::new(),
            max_batch: settings.max_export_batch_size,
            delay: settings.scheduled_delay,
            abandoned: queues.abandoned,
            failures: FailureReport::default(),
        }
    }

    /// The thread's loop, until shutdown.
    pub(super) fn run(mut self) {
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
                        self.release_tail(TailBuffer::decide_all);
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
                        self.release_tail(TailBuffer::decide_all);
                        self.export();
                        return;
                    }
                },
                recv(crossbeam_channel::at(next_export)) -> _ => {
                    self.drain();
                    self.release_tail(TailBuffer::expire);
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

    /// One finished span: one value per key (precedence), scrubbed if it
    /// did not come through capture, each value capped, masked; then through
    /// the tail sampler, when on, to the waterfall and the batch. Runs here,
    /// not on the thread that ended the span.
    fn accept(
        &mut self,
        Finished {
            mut span,
            resolved,
            scrubbed,
        }: Finished,
    ) {
        if !resolved {
            precedence::resolve(&mut span.attributes);
        }
        if !scrubbed {
            scrub_span(&mut span);
        }
        cap_attributes(&mut span.attributes, self.max_value_bytes);
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
    fn release_tail(&mut self, step: fn(&mut TailBuffer, Instant, &mut Vec<SpanData>)) {
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
                let sink = &mut self.sink;
                self.failures.report(&e.to_string(), n, || {
                    sink.as_mut().and_then(|s| s.diagnose())
                });
            }
        }
    }
}
