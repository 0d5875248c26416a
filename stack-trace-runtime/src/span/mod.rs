//! Stage 0, the span: one annotated call, from start to end. The generated
//! code drives it; every other stage is called from here.
//!
//! Takes: the call (its kind and name, the receiver's type name for
//! methods), its arguments and its outcome, from the few lines the macros
//! generate ([`guard`]).
//!
//! Does: starts the span as a child of the current context, through our own
//! recorder once `init` installed our provider ([`recorder`], with the
//! installed tracer and the fast off switch in [`tracer`]), or through the
//! application's global provider; names it ([`name`]); asks the capture stage
//! for text and the OpenInference stage for key-values and writes them;
//! makes the span current while the body runs, sync or async ([`future`]) or
//! while a returned stream is polled ([`stream`]); records errors, panics
//! and cancellation; ends it exactly once. [`current`] is the same span seen
//! from user code: its trace id, attributes set by hand, carrying it into
//! spawned tasks, and suppression. [`annotate`] binds an evaluation to a
//! span, trace, session or document and hands it to the same worker;
//! [`evaluator`] tells an `#[evaluator]` what it evaluates, and [`prompt`]
//! gives the `#[llm]` calls after a `#[prompt]` its template.
//!
//! Hands on: the finished span, to the export stage's worker.

pub(crate) mod annotate;
pub(crate) mod current;
pub(crate) mod evaluator;
pub(crate) mod future;
pub(crate) mod guard;
pub(crate) mod name;
pub(crate) mod prompt;
pub(crate) mod recorder;
pub(crate) mod stream;
pub(crate) mod tracer;
