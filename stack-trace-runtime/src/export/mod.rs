//! Stage 3, export: finished spans to the collector and the console.
//!
//! Takes: finished spans, as `SpanData`, from our recorder (the annotated
//! calls' spans, precedence already resolved when nothing was set by hand)
//! and from the SDK tracer through our span [`processor`] (the application's
//! own spans and the HTTP server span).
//!
//! Does, on one export thread of its own per installation ([`worker`]), never
//! on the caller's: resolves precedence between hand-set and captured values
//! ([`precedence`]), caps each value and applies the masking settings,
//! decides whole traces when tail sampling is on ([`tail`]), prints the
//! console waterfall ([`console`]), batches spans for the exporter ([`sink`],
//! [`otlp`] over the [`transport`] settings), reports failures without
//! flooding stderr ([`failure`]), and counts everything ([`stats`]). The
//! caller only hands a span over ([`handle`]): a full queue drops it and
//! counts it, and flush and shutdown wait with a deadline, so a hung
//! collector cannot hang the program.
//!
//! Hands on: OTLP batches to the collector (or any `SpanExporter`), text to
//! stderr, and the counters of [`stats`].

pub(crate) mod console;
pub(crate) mod error;
pub(crate) mod failure;
pub(crate) mod handle;
#[cfg(feature = "otlp-http")]
pub(crate) mod otlp;
pub(crate) mod precedence;
pub(crate) mod processor;
pub(crate) mod sink;
pub mod stats;
pub(crate) mod tail;
pub(crate) mod transport;
pub(crate) mod worker;

pub(crate) use error::ExportError;
pub(crate) use handle::WorkerHandle;
pub(crate) use sink::ExporterFactory;
pub(crate) use worker::WorkerSettings;
