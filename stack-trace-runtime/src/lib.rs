//! # stack-trace
//!
//! Every model call, tool call, retrieval and agent run of an AI service as an
//! OpenTelemetry span with [OpenInference] attributes, so Arize Phoenix (and
//! any OTLP backend) shows the exact prompt, response, tokens, tools and
//! documents.
//!
//! ```
//! use stack_trace_runtime::{agent, tool};
//!
//! /// Finds documents about a topic.
//! #[tool]
//! fn search_docs(query: &str, top_k: usize) -> Vec<String> {
//!     vec![format!("{query} #{top_k}")]
//! }
//!
//! #[agent]
//! fn run(goal: &str) -> String {
//!     search_docs(goal, 3).join(", ")
//! }
//!
//! let _guard = stack_trace_runtime::init(); // console waterfall unless an endpoint is set
//! assert_eq!(run("sqlite"), "sqlite #3");
//! ```
//!
//! [OpenInference]: https://github.com/Arize-ai/openinference

mod capture;
mod config;
mod console;
mod context;
mod context_attributes;
pub mod describe;
mod error;
mod export;
mod export_headers;
mod future;
mod guard;
#[cfg(any(feature = "tower", feature = "reqwest"))]
pub mod http;
mod install;
mod masking;
mod openinference;
mod panic_message;
#[cfg(test)]
mod proptests;
mod recorder;
pub mod semconv;
mod span_name;
mod stream;
mod tail_sampling;
mod tool_schema;
mod tracer;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

pub use config::{Config, Protocol, Sampling, DEFAULT_SHUTDOWN_TIMEOUT};
pub use context::{
    bind_current_span, current_span, current_trace_id, in_current_span, CurrentSpan,
};
pub use context::{suppress_tracing, suppressed, SuppressGuard};
pub use context_attributes::{
    using_session, using_user, ContextAttributes, ContextAttributesGuard,
};
pub use export::stats::{stats, Stats};
pub use install::{init, Error, Guard};
pub use masking::Masking;
pub use stack_trace_macros::{
    agent, chain, embedding, evaluator, guardrail, llm, reranker, retriever, tool,
};
pub use tail_sampling::TailSampling;
pub use tool_schema::ToolSchema;

/// Turns recording off (`false`) or back on (`true`) for the whole process,
/// at run time. Off, an annotated call costs one atomic load.
pub fn set_enabled(enabled: bool) {
    tracer::set_disabled(!enabled);
}

/// Whether recording is on (see [`set_enabled`]).
#[must_use]
pub fn is_enabled() -> bool {
    !tracer::is_disabled()
}
