//! Attribute macros of [stack-trace]: each turns every call of the function
//! it annotates into an OpenInference span of its kind. Use them through
//! `stack_trace_runtime` (which re-exports them and provides everything the
//! generated code calls); see that crate for the documentation.
//!
//! Arguments, all optional, on every macro:
//! - `name = "..."`: the span name (default: the function name, or
//!   `Type::method` for methods with a receiver);
//! - `skip(arg, ...)`: parameters not to record;
//! - `skip_all`: record no parameters;
//! - `crate = path`: where the runtime is, for a renamed or re-exported
//!   dependency (default `::stack_trace_runtime`).
//!
//! [stack-trace]: https://docs.rs/stack-trace-runtime

mod args;
mod async_trait_args;
mod errors;
mod expand;
mod fallback;
mod item;
mod kind;
mod params;
mod signature;
mod validate;

use proc_macro::TokenStream;

use kind::MacroKind;

/// Traces each call as an `LLM` span: one call to a language model.
#[proc_macro_attribute]
pub fn llm(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(MacroKind::Llm, args.into(), item.into()).into()
}

/// Traces each call as a `TOOL` span: a tool or function a model can call.
#[proc_macro_attribute]
pub fn tool(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(MacroKind::Tool, args.into(), item.into()).into()
}

/// Traces each call as a `RETRIEVER` span: a search over documents.
#[proc_macro_attribute]
pub fn retriever(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(MacroKind::Retriever, args.into(), item.into()).into()
}

/// Traces each call as an `AGENT` span: a loop that drives models and tools.
#[proc_macro_attribute]
pub fn agent(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(MacroKind::Agent, args.into(), item.into()).into()
}

/// Traces each call as a `CHAIN` span: a glue or orchestration step.
#[proc_macro_attribute]
pub fn chain(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(MacroKind::Chain, args.into(), item.into()).into()
}

/// Traces each call as an `EMBEDDING` span: a call that produces vectors.
#[proc_macro_attribute]
pub fn embedding(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(MacroKind::Embedding, args.into(), item.into()).into()
}

/// Traces each call as a `RERANKER` span: a re-scoring of documents.
#[proc_macro_attribute]
pub fn reranker(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(MacroKind::Reranker, args.into(), item.into()).into()
}

/// Traces each call as a `GUARDRAIL` span: an input or output check.
#[proc_macro_attribute]
pub fn guardrail(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(MacroKind::Guardrail, args.into(), item.into()).into()
}

/// Traces each call as a `PROMPT` span: the rendering of a prompt template.
/// `template = ...` (and `version = ...`) name the template; the arguments
/// are its variables. The `#[llm]` calls that follow inside the same parent
/// span carry `llm.prompt_template.*`, until that parent ends or another
/// prompt is rendered there.
#[proc_macro_attribute]
pub fn prompt(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(MacroKind::Prompt, args.into(), item.into()).into()
}

/// Traces each call as a `DECISION` span: a call to a decision model (state
/// and typed questions in, a typed, probabilistic answer per question out).
/// `model = "..."` (or a `model` parameter, or the response's `model`),
/// `provider = "..."` and `system = "..."` name it; the response's `usage`
/// gives the token counts.
#[proc_macro_attribute]
pub fn decision(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(MacroKind::Decision, args.into(), item.into()).into()
}

/// Traces each call as an `EVALUATOR` span: an evaluation of an output.
#[proc_macro_attribute]
pub fn evaluator(args: TokenStream, item: TokenStream) -> TokenStream {
    expand::attribute(MacroKind::Evaluator, args.into(), item.into()).into()
}
