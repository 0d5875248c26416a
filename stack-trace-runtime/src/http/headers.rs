//! W3C trace context (`traceparent`, `tracestate`) in and out of HTTP
//! headers. The W3C propagator is used directly, so this works whether or
//! not the application installed a global propagator.

use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator as _};
use opentelemetry::Context;
use opentelemetry_sdk::propagation::TraceContextPropagator;

struct HeaderReader<'a>(&'a ::http::HeaderMap);

impl Extractor for HeaderReader<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }
    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(::http::HeaderName::as_str).collect()
    }
}

struct HeaderWriter<'a>(&'a mut ::http::HeaderMap);

impl Injector for HeaderWriter<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (
            ::http::HeaderName::from_bytes(key.as_bytes()),
            ::http::HeaderValue::from_str(&value),
        ) {
            self.0.insert(name, value);
        }
    }
}

/// The remote parent an incoming request names in `traceparent` (an empty
/// context when it names none or a malformed one).
///
/// ```
/// use opentelemetry::trace::TraceContextExt as _;
/// let mut headers = http::HeaderMap::new();
/// headers.insert(
///     "traceparent",
///     "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".parse().unwrap(),
/// );
/// let cx = stack_trace_runtime::http::extract_trace_context(&headers);
/// assert_eq!(
///     cx.span().span_context().trace_id().to_string(),
///     "0af7651916cd43dd8448eb211c80319c"
/// );
/// ```
#[must_use]
pub fn extract_trace_context(headers: &::http::HeaderMap) -> Context {
    TraceContextPropagator::new().extract(&HeaderReader(headers))
}

/// Writes the current span's `traceparent` (and `tracestate`) into
/// `headers`, so the service called continues this trace. Nothing is
/// written outside a span.
///
/// ```
/// let mut headers = http::HeaderMap::new();
/// stack_trace_runtime::http::inject_trace_context(&mut headers);
/// assert!(headers.get("traceparent").is_none(), "no span is current here");
/// ```
pub fn inject_trace_context(headers: &mut ::http::HeaderMap) {
    Context::map_current(|cx| {
        TraceContextPropagator::new().inject_context(cx, &mut HeaderWriter(headers));
    });
}
