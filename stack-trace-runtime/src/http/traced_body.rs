//! [`TracedBody`]: a response body that keeps the request's span open (and
//! current) until the last frame is produced, so a streamed answer is inside
//! its request's span.

use core::fmt::Display;
use core::pin::Pin;
use core::task::{Context as TaskContext, Poll};

use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;

use super::server_span::ServerSpan;

pin_project! {
    /// A response body traced until its end. A body dropped before its end
    /// (the client went away) ends the span marked as cancelled.
    #[derive(Debug)]
    pub struct TracedBody<B> {
        #[pin]
        inner: B,
        server: Option<ServerSpan>,
    }
}

impl<B: Body> TracedBody<B> {
    pub(crate) fn new(inner: B, server: Option<ServerSpan>) -> Self {
        let server = match server {
            Some(server) if inner.is_end_stream() => {
                server.finish();
                None
            }
            other => other,
        };
        Self { inner, server }
    }
}

impl<B> Body for TracedBody<B>
where
    B: Body,
    B::Error: Display,
{
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<B::Data>, B::Error>>> {
        let mut this = self.project();
        let Some(server) = this.server.as_ref() else {
            return this.inner.poll_frame(cx);
        };
        let attached = server.context().clone().attach();
        let polled = this.inner.as_mut().poll_frame(cx);
        drop(attached);
        let done = match &polled {
            Poll::Ready(None) => true,
            Poll::Ready(Some(Err(error))) => {
                server.record_error("body", error.to_string());
                true
            }
            Poll::Ready(Some(Ok(_))) => this.inner.is_end_stream(),
            Poll::Pending => false,
        };
        if done {
            if let Some(server) = this.server.take() {
                server.finish();
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
