//! [`TraceLayer`]: a tower layer that traces every request.

use core::fmt::Display;
use core::future::Future;
use core::pin::Pin;
use core::task::{Context as TaskContext, Poll};
use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};
use std::sync::Arc;

use pin_project_lite::pin_project;

use super::server_span::ServerSpan;
use super::traced_body::TracedBody;
use super::TRACE_ID_HEADER;
use crate::capture::panic::panic_message;
use crate::openinference::context_attributes::ContextAttributes;

/// Who a request is for: `user.id` and `session.id` for the request's span
/// and every span of its trace. Return it from [`TraceLayer::identify`], or
/// insert it as a request extension in a middleware that runs before the
/// layer (an authentication layer, for example).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestIdentity {
    /// `user.id`.
    pub user_id: Option<String>,
    /// `session.id`.
    pub session_id: Option<String>,
}

impl RequestIdentity {
    /// An identity with a user id.
    #[must_use]
    pub fn user(id: impl Into<String>) -> Self {
        Self {
            user_id: Some(id.into()),
            session_id: None,
        }
    }

    /// Adds a session id.
    #[must_use]
    pub fn with_session(mut self, id: impl Into<String>) -> Self {
        self.session_id = Some(id.into());
        self
    }

    /// Fills what `self` lacks from `other`.
    fn or(self, other: Self) -> Self {
        Self {
            user_id: self.user_id.or(other.user_id),
            session_id: self.session_id.or(other.session_id),
        }
    }

    pub(crate) fn context_attributes(&self) -> Option<ContextAttributes> {
        if self.user_id.is_none() && self.session_id.is_none() {
            return None;
        }
        let mut scope = ContextAttributes::new();
        if let Some(user) = &self.user_id {
            scope = scope.user_id(user.clone());
        }
        if let Some(session) = &self.session_id {
            scope = scope.session_id(session.clone());
        }
        Some(scope)
    }
}

type Identify = dyn Fn(&::http::request::Parts) -> RequestIdentity + Send + Sync;

/// Opens a server span per request (OpenTelemetry's HTTP server keys, and
/// `openinference.span.kind = CHAIN` so Phoenix shows it as a chain),
/// continues an incoming W3C `traceparent`, makes the span the parent of
/// everything the handler does (and of the response body's production),
/// and adds `X-Trace-Id: <32 hex>` to every response, errors included.
///
/// ```
/// use stack_trace_runtime::http::{RequestIdentity, TraceLayer};
///
/// let layer = TraceLayer::new().identify(|request| RequestIdentity {
///     user_id: request
///         .headers
///         .get("x-user-id")
///         .and_then(|v| v.to_str().ok())
///         .map(str::to_owned),
///     session_id: None,
/// });
/// // With axum: `Router::new().route("/chat", post(chat)).layer(layer)`.
/// # let _ = layer;
/// ```
#[derive(Clone, Default)]
pub struct TraceLayer {
    identify: Option<Arc<Identify>>,
}

impl core::fmt::Debug for TraceLayer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TraceLayer")
            .field("identify", &self.identify.is_some())
            .finish()
    }
}

impl TraceLayer {
    /// The layer.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads `user.id` / `session.id` from each request's head (headers,
    /// URI, extensions). A [`RequestIdentity`] request extension, when
    /// present, wins for the fields it sets.
    #[must_use]
    pub fn identify(
        mut self,
        identify: impl Fn(&::http::request::Parts) -> RequestIdentity + Send + Sync + 'static,
    ) -> Self {
        self.identify = Some(Arc::new(identify));
        self
    }
}

impl<S> tower_layer::Layer<S> for TraceLayer {
    type Service = TraceService<S>;

    fn layer(&self, inner: S) -> TraceService<S> {
        TraceService {
            inner,
            identify: self.identify.clone(),
        }
    }
}

/// The service [`TraceLayer`] wraps around another.
#[derive(Clone)]
pub struct TraceService<S> {
    inner: S,
    identify: Option<Arc<Identify>>,
}

impl<S> core::fmt::Debug for TraceService<S> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("TraceService").finish_non_exhaustive()
    }
}

impl<S, B, RB> tower_service::Service<::http::Request<B>> for TraceService<S>
where
    S: tower_service::Service<::http::Request<B>, Response = ::http::Response<RB>>,
    S::Error: Display,
    RB: http_body::Body,
{
    type Response = ::http::Response<TracedBody<RB>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: ::http::Request<B>) -> Self::Future {
        let (parts, body) = request.into_parts();
        let from_extension = parts
            .extensions
            .get::<RequestIdentity>()
            .cloned()
            .unwrap_or_default();
        let identity = match &self.identify {
            Some(identify) => from_extension.or(identify(&parts)),
            None => from_extension,
        };
        let server = ServerSpan::start(&parts, &identity);
        let request = ::http::Request::from_parts(parts, body);
        let inner = {
            let _attached = server.context().clone().attach();
            self.inner.call(request)
        };
        ResponseFuture {
            inner,
            server: Some(server),
        }
    }
}

pin_project! {
    /// The response of a traced request.
    #[derive(Debug)]
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        server: Option<ServerSpan>,
    }
}

impl<F, RB, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<::http::Response<RB>, E>>,
    E: Display,
    RB: http_body::Body,
{
    type Output = Result<::http::Response<TracedBody<RB>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let attached = this.server.as_ref().map(|s| s.context().clone().attach());
        let inner = this.inner;
        let polled = catch_unwind(AssertUnwindSafe(|| inner.poll(cx)));
        drop(attached);
        match polled {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(Ok(mut response))) => {
                let server = this.server.take();
                if let Some(server) = &server {
                    server.record_status(response.status());
                    if let Some(id) = server.trace_id() {
                        response.headers_mut().insert(TRACE_ID_HEADER, id.clone());
                    }
                }
                Poll::Ready(Ok(response.map(|body| TracedBody::new(body, server))))
            }
            Ok(Poll::Ready(Err(error))) => {
                if let Some(server) = this.server.take() {
                    server.record_error("service", error.to_string());
                    server.finish();
                }
                Poll::Ready(Err(error))
            }
            Err(payload) => {
                if let Some(server) = this.server.take() {
                    server.record_error(crate::semconv::PANIC_TYPE, panic_message(&*payload));
                    server.finish();
                }
                resume_unwind(payload)
            }
        }
    }
}
