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

//!
//! # How the crate is laid out
//!
//! One call's way through the code, top to bottom. Each stage is a folder
//! whose `mod.rs` says what it takes, what it does and what it hands on; a
//! stage names only the stages below it in this list (a test,
//! `tests/layout.rs`, keeps it so, and keeps every module under 400 lines).
//!
//! | stage | what it does |
//! | --- | --- |
//! | `span` | one annotated call's span from start to end: the guard the generated code drives, our span recorder, the installed tracer and the off switch, the future and stream wrappers, the current-span API, span names, [`annotate`], the rules that tell an evaluator what it evaluates and give `#[llm]` calls the prompt rendered before them |
//! | `export` | finished spans to the collector and the console, on an export thread: precedence, value cap, masking, tail sampling, batching, OTLP, the waterfall, failure reports, [`stats`] |
//! | `gen_ai` | the OpenTelemetry GenAI conventions (semconv v1.41.1) beside or instead of OpenInference ([`Conventions`]), from each exported span's own OpenInference keys, on the export thread: messages in the semconv's JSON parts, request, response, usage, tools, retrievals, agents, workflows, span names and kinds |
//! | `evals` | evaluations bound to traces: [`TraceHandle`] and [`SpanHandle`] (a trace or span by its ids, from the current span or parsed back from a client's hex), [`Annotation`]s on a [`Target`] and [`Evaluation`]s of `#[evaluator]`s, checked and scrubbed; their delivery to Phoenix's REST API, driven by the export thread (held until the span was exported, retried, counted); [`PhoenixClient`], reading traces and annotations back |
//! | `openinference` | what each kind carries, in OpenInference's keys: messages, responses, stream chunks, documents, embeddings, tool schemas, context attributes, masking, the [`describe`] traits |
//! | `capture` | arguments, results, errors and stream items into text: the compile-time probes, the JSON writer, the value cap, the depth bound, secret names |
//! | [`semconv`] | the names every stage writes: attribute keys, span kinds, mime types |
//!
//! Beside the pipeline: `setup` (configuration from the environment and from
//! code, validation, [`init`] and its [`Guard`], [`Error`]), which configures
//! the span and export stages; `http` (features `tower` and `reqwest`: the
//! tower layer and the client helpers), which uses the span stage; and
//! `__private`, the only items generated code calls.
//!
//! Where the coming capabilities go, each a folder of its own: credential
//! scrubbing as `scrub/` below `capture` (the key and value rules, used by
//! the capture writer and by the export thread's last pass over every
//! span); evaluations (annotations on
//! spans, traces, sessions and documents) are `evals/`, below `export`,
//! whose thread delivers them; metrics and logs as further signals beside `export`,
//! configured by `setup`; and trace-based testing (capture in tests,
//! snapshots, replay) as `testing/` above `span`.

// Foundations: the names every stage writes.
pub mod semconv;

// The pipeline's stages, each naming only those declared before it.
mod capture;
mod evals;
mod export;
mod gen_ai;
mod openinference;
mod scrub;
mod span;

// Beside it.
#[cfg(any(feature = "tower", feature = "reqwest"))]
pub mod http;
mod setup;
#[cfg(feature = "tracing")]
mod tracing_bridge;

#[doc(hidden)]
#[path = "private.rs"]
pub mod __private;

#[cfg(test)]
mod proptests;

pub use evals::{
    Annotation, AnnotationError, AnnotatorKind, DescribeEvaluation, Evaluation, EvaluationTarget,
    SpanHandle, Target, TraceHandle,
};
#[cfg(feature = "otlp-http")]
pub use evals::{PhoenixClient, ReadError, StoredSpan};
pub use export::stats::{stats, Stats};
pub use export::tail::TailSampling;
pub use export::transport::Protocol;
pub use gen_ai::keys::{KeyType as GenAiKeyType, REGISTRY as GEN_AI_KEYS};
pub use gen_ai::Conventions;
pub use openinference::context_attributes::{
    using_session, using_user, ContextAttributes, ContextAttributesGuard,
};
pub use openinference::describe;
pub use openinference::tool_schema::ToolSchema;
pub use openinference::Masking;
pub use scrub::Scrubbing;
pub use setup::{init, Config, Error, Guard, Sampling, DEFAULT_SHUTDOWN_TIMEOUT};
pub use span::annotate::annotate;
pub use span::current::{
    bind_current_span, current_span, current_trace_id, in_current_span, suppress_tracing,
    suppressed, CurrentSpan, SuppressGuard,
};
pub use stack_trace_macros::{
    agent, chain, decision, embedding, evaluator, guardrail, llm, prompt, reranker, retriever, tool,
};

/// Turns recording off (`false`) or back on (`true`) for the whole process,
/// at run time. Off, an annotated call costs one atomic load.
pub fn set_enabled(enabled: bool) {
    span::tracer::set_disabled(!enabled);
}

/// Whether recording is on (see [`set_enabled`]).
#[must_use]
pub fn is_enabled() -> bool {
    !span::tracer::is_disabled()
}
