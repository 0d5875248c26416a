//! `traceparent` on outgoing `reqwest` requests.

/// Adds the current trace context to an outgoing request.
///
/// ```no_run
/// use stack_trace_runtime::http::PropagateTrace as _;
/// # async fn call(client: reqwest::Client) -> reqwest::Result<()> {
/// let response = client
///     .post("http://retrieval.internal/search")
///     .propagate_trace() // the retrieval service continues this trace
///     .send()
///     .await?;
/// # let _ = response; Ok(()) }
/// ```
pub trait PropagateTrace {
    /// The request with `traceparent` (and `tracestate`) of the current span.
    #[must_use]
    fn propagate_trace(self) -> Self;
}

impl PropagateTrace for reqwest::RequestBuilder {
    fn propagate_trace(self) -> Self {
        let mut headers = ::http::HeaderMap::new();
        super::inject_trace_context(&mut headers);
        if headers.is_empty() {
            self
        } else {
            self.headers(headers)
        }
    }
}
