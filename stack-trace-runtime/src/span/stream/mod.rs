//! Streams and iterators returned by annotated functions, traced for their
//! whole life: the span stays open until the stream ends, fails, or is
//! dropped unfinished, and is current while the stream is polled (and only
//! then).
//!
//! What the items amount to is recorded with bounded memory: for `#[llm]`,
//! OpenAI chunks, Anthropic events or text deltas merged into the final
//! assistant message (`llm.output_messages.*`, tokens from the usage chunk);
//! for `#[retriever]` / `#[reranker]`, the documents consumed; otherwise the
//! items themselves (concatenated text, or a JSON array) up to the value cap.
//! The first item adds the event `First Token Stream Event` (the name
//! OpenInference's instrumentations use) and the span records
//! `stack_trace.stream.items`.

mod tally;

use core::pin::Pin;
use core::task::{Context as TaskContext, Poll};
use std::panic::{catch_unwind, AssertUnwindSafe};

use futures_core::Stream;
use pin_project_lite::pin_project;

use super::guard::SpanGuard;
pub use tally::Tally;

pin_project! {
    /// A stream or iterator whose span stays open until it ends, fails or is
    /// dropped. Annotated functions return it in place of the stream they
    /// built; it yields the same items.
    #[derive(Debug)]
    pub struct Traced<S, F> {
        #[pin]
        inner: S,
        tally: Tally,
        observe: F,
    }
}

impl<S, F> Traced<S, F> {
    /// Traces an iterator. Not public API.
    pub fn iter(guard: SpanGuard, inner: S, observe: F) -> Self
    where
        S: Iterator,
        F: FnMut(&S::Item, &mut Tally),
    {
        Self {
            inner,
            tally: Tally::new(guard),
            observe,
        }
    }

    /// Traces a stream. Not public API.
    pub fn stream(guard: SpanGuard, inner: S, observe: F) -> Self
    where
        S: Stream,
        F: FnMut(&S::Item, &mut Tally),
    {
        Self {
            inner,
            tally: Tally::new(guard),
            observe,
        }
    }
}

impl<S, F> Iterator for Traced<S, F>
where
    S: Iterator,
    F: FnMut(&S::Item, &mut Tally),
{
    type Item = S::Item;

    fn next(&mut self) -> Option<S::Item> {
        if self.tally.finished || self.tally.guard.is_off() {
            return self.inner.next();
        }
        let attached = self.tally.guard.attach();
        let inner = &mut self.inner;
        let result = catch_unwind(AssertUnwindSafe(|| inner.next()));
        drop(attached);
        self.tally.settle(result, &mut self.observe)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

impl<S, F> Stream for Traced<S, F>
where
    S: Stream,
    F: FnMut(&S::Item, &mut Tally),
{
    type Item = S::Item;

    fn poll_next(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<S::Item>> {
        let this = self.project();
        if this.tally.finished || this.tally.guard.is_off() {
            return this.inner.poll_next(cx);
        }
        let attached = this.tally.guard.attach();
        let inner = this.inner;
        let result = catch_unwind(AssertUnwindSafe(|| inner.poll_next(cx)));
        drop(attached);
        match result {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(item)) => Poll::Ready(this.tally.settle(Ok(item), this.observe)),
            Err(payload) => Poll::Ready(this.tally.settle(Err(payload), this.observe)),
        }
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        self.inner.size_hint()
    }
}

/// How a traced stream is handed back as a return type the macro cannot
/// see through (a type alias, with the `stream` flag). Not public API.
#[diagnostic::on_unimplemented(
    message = "`stream` cannot keep the span of `{Self}` open: it is not a boxed `dyn Stream`",
    label = "stack-trace wraps the returned stream in its own type and must box that wrapper as this type",
    note = "return `impl Stream<Item = T>`, `Pin<Box<dyn Stream<Item = T> + Send>>` or `BoxStream<'_, T>` (or a `Result` of one), or remove `stream`"
)]
pub trait WrapStream<S>: Sized {
    /// Boxes the traced stream as `Self`.
    fn st_wrap(stream: S) -> Self;
}

impl<'a, S> WrapStream<S> for Pin<Box<dyn Stream<Item = S::Item> + Send + 'a>>
where
    S: Stream + Send + 'a,
{
    fn st_wrap(stream: S) -> Self {
        Box::pin(stream)
    }
}

impl<'a, S> WrapStream<S> for Pin<Box<dyn Stream<Item = S::Item> + Send + Sync + 'a>>
where
    S: Stream + Send + Sync + 'a,
{
    fn st_wrap(stream: S) -> Self {
        Box::pin(stream)
    }
}

impl<'a, S> WrapStream<S> for Pin<Box<dyn Stream<Item = S::Item> + 'a>>
where
    S: Stream + 'a,
{
    fn st_wrap(stream: S) -> Self {
        Box::pin(stream)
    }
}
