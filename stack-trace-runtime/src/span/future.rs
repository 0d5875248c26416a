//! [`InContext`]: polls an async body with its span current, and only then.

use core::future::Future;
use core::pin::Pin;
use core::task::{Context as TaskContext, Poll};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use pin_project_lite::pin_project;

use super::guard::SpanGuard;
use crate::capture::panic::panic_message;

pin_project! {
    /// An async body running inside its span. Not public API.
    ///
    /// The span's context is attached for the length of each `poll` (never
    /// across an `.await` of the caller), so spans started inside become its
    /// children on any thread of a multi-thread runtime. A panic inside a
    /// poll is recorded on the span and then continues to unwind unchanged.
    #[derive(Debug)]
    pub struct InContext<'g, F> {
        guard: &'g mut SpanGuard,
        #[pin]
        body: F,
    }
}

impl<'g, F> InContext<'g, F> {
    pub(crate) fn new(guard: &'g mut SpanGuard, body: F) -> Self {
        Self { guard, body }
    }
}

impl<F: Future> Future for InContext<'_, F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<F::Output> {
        let this = self.project();
        if this.guard.is_off() {
            return this.body.poll(cx);
        }
        let attached = this.guard.attach();
        let body = this.body;
        match catch_unwind(AssertUnwindSafe(|| body.poll(cx))) {
            Ok(poll) => {
                drop(attached);
                poll
            }
            Err(payload) => {
                drop(attached);
                this.guard.record_panic(panic_message(&*payload));
                resume_unwind(payload)
            }
        }
    }
}
