//! [`Worker`]: the export thread. It receives finished spans through the
//! bounded queue, resolves precedence, caps and masks their values, passes
//! them through the tail sampler when that is on, feeds the console
//! waterfall, batches them for the exporter, and flushes and shuts down when
//! told.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crossbeam_channel::{select, Receiver, Sender};
use opentelemetry::trace::{SpanId, TraceId};
use opentelemetry::KeyValue;
use opentelemetry_sdk::trace::SpanData;
use opentelemetry_sdk::Resource;

use super::console::Waterfall;
use super::failure::FailureReport;
use super::sink::Sink;
use super::tail::{TailBuffer, TailSampling};
use super::{precedence, stats};
use crate::capture::limit::cap_attributes;
use crate::evals::delivery::{DeliverySettings, Destination, Outbox, Whereabouts};
use crate::evals::prepare::Prepared;
use crate::gen_ai::{self, Conventions};
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
    /// The conventions spans are written in.
    pub conventions: Conventions,
    pub max_value_bytes: usize,
    pub tail: Option<TailSampling>,
    /// Where annotations go.
    pub annotations: DeliverySettings,
    /// How long one annotation request may take (outside flush and shutdown).
    pub request_timeout: Duration,
}

/// Annotation requests per pass of the loop at most, so that a slow
/// Phoenix delays span export by little.
const REQUESTS_PER_PASS: usize = 4;

/// What the callers ask of the export thread besides taking spans.
pub(crate) enum Control {
    Flush { deadline: Instant, done: Sender<()> },
    Shutdown { deadline: Instant, done: Sender<()> },
}

impl core::fmt::Debug for Control {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::Flush { .. } => "Flush",
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
    conventions: Conventions,
    /// The list the GenAI keys of each span are built in, kept between spans.
    gen_ai_scratch: Vec<KeyValue>,
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
    annotations: Receiver<Prepared>,
    outbox: Outbox,
    /// The ids of the batch being exported (reused between exports).
    exported_ids: Vec<(TraceId, SpanId)>,
    request_timeout: Duration,
    /// Annotation settings, until the outbox is built on this thread.
    delivery: Option<DeliverySettings>,
    /// The trace of the span the console is about to show.
    console_trace: Option<TraceId>,
}

/// The queues a worker reads, made by the handle that feeds them.
pub(super) struct Queues {
    pub(super) spans: Receiver<Finished>,
    pub(super) wake: Receiver<()>,
    pub(super) control: Receiver<Control>,
    pub(super) annotations: Receiver<Prepared>,
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
            conventions: settings.conventions,
            gen_ai_scratch: Vec::new(),
            max_value_bytes: settings.max_value_bytes,
            tail: settings.tail.map(TailBuffer::new),
            kept: Vec::new(),
            batch: Vec::new(),
            max_batch: settings.max_export_batch_size,
            delay: settings.scheduled_delay,
            abandoned: queues.abandoned,
            failures: FailureReport::default(),
            annotations: queues.annotations,
            outbox: Outbox::new(Destination::Nowhere),
            exported_ids: Vec::new(),
            request_timeout: settings.request_timeout,
            delivery: Some(settings.annotations),
            console_trace: None,
        }
    }

    /// When the loop must wake next: the next export, or an annotation due.
    fn next_wake(&self, next_export: Instant) -> Instant {
        self.outbox
            .next_due()
            .map_or(next_export, |due| due.min(next_export))
    }

    /// The thread's loop, until shutdown.
    pub(super) fn run(mut self) {
        if let Some(settings) = self.delivery.take() {
            self.outbox = Outbox::new(Destination::build(settings));
        }
        let mut next_export = Instant::now() + self.delay;
        loop {
            select! {
                recv(self.wake) -> woken => {
                    if woken.is_err() { self.drain(); self.export(); return; }
                    self.drain();
                },
                recv(self.annotations) -> annotation => {
                    if let Ok(first) = annotation {
                        self.take_annotations(first);
                    }
                },
                recv(self.control) -> message => match message {
                    Ok(Control::Flush { deadline, done }) => {
                        self.drain();
                        self.export();
                        self.finish_annotations(deadline, false);
                        let _ = done.send(());
                    }
                    Ok(Control::Shutdown { deadline, done }) => {
                        self.drain();
                        self.release_tail(TailBuffer::decide_all);
                        self.export();
                        if let Some(w) = &mut self.waterfall { w.print_incomplete(); }
                        self.finish_annotations(deadline, true);
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
                recv(crossbeam_channel::at(self.next_wake(next_export))) -> _ => {
                    if Instant::now() >= next_export {
                        self.drain();
                        self.release_tail(TailBuffer::expire);
                        self.export();
                        next_export = Instant::now() + self.delay;
                        if let Some(w) = &mut self.waterfall { w.evict_stale(); }
                    }
                },
            }
            if self.batch.len() >= self.max_batch {
                self.export();
                next_export = Instant::now() + self.delay;
            }
            self.step_annotations(Instant::now() + self.request_timeout);
        }
    }

    /// New annotations: the spans queued before them are taken first, and
    /// exported now when an annotation waits for one of them.
    fn take_annotations(&mut self, first: Prepared) {
        let now = Instant::now();
        self.outbox.offer(first, now);
        while let Ok(more) = self.annotations.try_recv() {
            self.outbox.offer(more, now);
        }
        self.drain();
        if self.outbox.holds_any() && !self.batch.is_empty() {
            self.export();
        }
    }

    /// Sorts and sends what is due, a few requests at most.
    fn step_annotations(&mut self, deadline: Instant) {
        if self.outbox.is_empty() {
            return;
        }
        let now = Instant::now();
        let tail = &self.tail;
        self.outbox
            .sort(now, false, |trace| whereabouts(tail.as_ref(), trace));
        self.outbox.pump(now, REQUESTS_PER_PASS, deadline);
        self.print_annotations();
    }

    /// Flush and shutdown: delivers the annotations that are ready (at
    /// shutdown, all of them) until `deadline`; at shutdown what is left
    /// then is counted as dropped.
    fn finish_annotations(&mut self, deadline: Instant, shutdown: bool) {
        while let Ok(more) = self.annotations.try_recv() {
            self.outbox.offer(more, Instant::now());
        }
        if self.outbox.is_empty() {
            return;
        }
        if self.abandoned.load(Ordering::Relaxed) {
            self.outbox.forget_all(); // the caller counted them as dropped
            return;
        }
        let tail = &self.tail;
        self.outbox.sort(Instant::now(), shutdown, |trace| {
            whereabouts(tail.as_ref(), trace)
        });
        self.outbox.deliver_until(deadline);
        self.print_annotations();
        if shutdown {
            self.outbox.abandon();
        }
    }

    fn print_annotations(&mut self) {
        let lines = self.outbox.take_printed();
        if let Some(w) = &mut self.waterfall {
            for (trace, span, text) in &lines {
                let coming = trace.is_some() && *trace == self.console_trace;
                w.annotation(*trace, *span, text, coming);
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
    fn deliver(&mut self, mut span: SpanData) {
        if self.sink.is_none() && !self.abandoned.load(Ordering::Relaxed) {
            // Console only: the span is delivered once the waterfall saw it;
            // annotations waiting for it go to its trace first, to print
            // under its row.
            stats::add_exported(1);
            let trace = span.span_context.trace_id();
            self.outbox.exported(trace, span.span_context.span_id());
            if self.outbox.holds_any() {
                self.console_trace = Some(trace);
                self.step_annotations(Instant::now());
                self.console_trace = None;
            }
        }
        if let Some(w) = &mut self.waterfall {
            w.observe(&span);
        }
        if self.sink.is_some() {
            gen_ai::apply(&mut span, self.conventions, &mut self.gen_ai_scratch);
            self.batch.push(span);
        }
    }

    fn drain(&mut self) {
        // Annotations first: those made before their span ended then wait
        // for it, and print beside it on the console.
        while let Ok(annotation) = self.annotations.try_recv() {
            self.outbox.offer(annotation, Instant::now());
        }
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
        self.exported_ids.clear();
        if self.outbox.tracks_exports() {
            self.exported_ids.extend(
                batch
                    .iter()
                    .map(|s| (s.span_context.trace_id(), s.span_context.span_id())),
            );
        }
        let result = sink.export(batch);
        // Failed or not, the spans are out of our hands: annotations on them
        // go ahead (Phoenix's answer says whether it has them).
        for &(trace, span) in &self.exported_ids {
            self.outbox.exported(trace, span);
        }
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

/// What the tail sampler knows of `trace`.
fn whereabouts(tail: Option<&TailBuffer>, trace: TraceId) -> Whereabouts {
    tail.map_or(Whereabouts::Unknown, |t| t.whereabouts(trace))
}
