//! HTTP services and clients: a server span per request with the W3C
//! `traceparent` continued and `X-Trace-Id` on every response (feature
//! `tower`, works with axum), and `traceparent` injected into outgoing
//! requests (feature `reqwest`, or [`inject_trace_context`] for any client).

#[cfg(feature = "reqwest")]
mod client;
mod headers;
#[cfg(feature = "tower")]
mod layer;
#[cfg(feature = "tower")]
mod server_span;
#[cfg(feature = "tower")]
mod traced_body;

#[cfg(feature = "reqwest")]
pub use client::PropagateTrace;
pub use headers::{extract_trace_context, inject_trace_context};
#[cfg(feature = "tower")]
pub use layer::{RequestIdentity, ResponseFuture, TraceLayer, TraceService};
#[cfg(feature = "tower")]
pub use traced_body::TracedBody;

/// The response header that carries the request's trace id (32 hex digits),
/// so a user, a support ticket or a log line can point at the trace.
pub const TRACE_ID_HEADER: &str = "x-trace-id";
