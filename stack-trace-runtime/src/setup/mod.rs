//! Beside the pipeline, setup: what to record and where to send it, and the
//! installation that connects the stages.
//!
//! Takes: the environment (`OTEL_*`, `PHOENIX_*`, `OPENINFERENCE_*`,
//! `STACK_TRACE_*`, read by [`mod@env`]) and what code changes on a
//! [`Config`] ([`config`], with the head sampler in [`sampling`]).
//!
//! Does: checks every setting before anything starts ([`validate`], errors
//! in [`error`]), then installs ([`install`]): the export thread, the tracer
//! provider with our span processor, the propagator, the recorder the
//! annotated calls use, and the value cap; [`Guard`] flushes and shuts it all
//! down at exit, within a cap.
//!
//! Hands on: nothing per call. It configures the span stage (the installed
//! tracer and recording) and the export stage (the worker's settings, the
//! exporter), and returns a [`Guard`] or an [`Error`].

pub(crate) mod config;
pub(crate) mod env;
pub(crate) mod error;
pub(crate) mod install;
pub(crate) mod phoenix_url;
pub(crate) mod sampling;
pub(crate) mod validate;

pub use config::{Config, DEFAULT_SHUTDOWN_TIMEOUT};
pub use error::Error;
pub use install::{init, Guard};
pub use sampling::Sampling;
