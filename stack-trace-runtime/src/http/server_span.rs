//! The span of one HTTP request on the server: started from the request
//! head (OpenTelemetry's stable HTTP server keys, `openinference.span.kind =
//! CHAIN`), current while the handler runs and while the response body is
//! produced, ended exactly once.

use opentelemetry::trace::{SpanBuilder, SpanKind, Status, TraceContextExt as _};
use opentelemetry::{Context, KeyValue};

use super::layer::RequestIdentity;
use crate::openinference::context_attributes;
use crate::semconv;
use crate::span::tracer;

/// HTTP methods OpenTelemetry names as they are; others are `_OTHER`.
const KNOWN_METHODS: &[&str] = &[
    "CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE",
];

#[derive(Debug)]
pub(crate) struct ServerSpan {
    /// The span inside its context (plus the request's context attributes).
    cx: Context,
    /// `X-Trace-Id` for the response, when there is a trace.
    trace_id: Option<::http::HeaderValue>,
    recording: bool,
    ended: bool,
}

fn protocol_version(version: ::http::Version) -> Option<&'static str> {
    Some(match version {
        ::http::Version::HTTP_09 => "0.9",
        ::http::Version::HTTP_10 => "1.0",
        ::http::Version::HTTP_11 => "1.1",
        ::http::Version::HTTP_2 => "2",
        ::http::Version::HTTP_3 => "3",
        _ => return None,
    })
}

/// The route the router matched, when it says (axum's `MatchedPath`).
fn matched_route(parts: &::http::request::Parts) -> Option<String> {
    #[cfg(feature = "axum")]
    if let Some(path) = parts.extensions.get::<axum::extract::MatchedPath>() {
        return Some(path.as_str().to_owned());
    }
    let _ = parts;
    None
}

fn request_attributes(parts: &::http::request::Parts, route: Option<&str>) -> Vec<KeyValue> {
    let method = parts.method.as_str();
    let mut attributes = Vec::with_capacity(12);
    attributes.push(KeyValue::new(semconv::OPENINFERENCE_SPAN_KIND, "CHAIN"));
    if KNOWN_METHODS.contains(&method) {
        attributes.push(KeyValue::new("http.request.method", method.to_owned()));
    } else {
        attributes.push(KeyValue::new("http.request.method", "_OTHER"));
        attributes.push(KeyValue::new(
            "http.request.method_original",
            method.to_owned(),
        ));
    }
    attributes.push(KeyValue::new("url.path", parts.uri.path().to_owned()));
    if let Some(query) = parts.uri.query() {
        attributes.push(KeyValue::new("url.query", query.to_owned()));
    }
    attributes.push(KeyValue::new(
        "url.scheme",
        parts.uri.scheme_str().unwrap_or("http").to_owned(),
    ));
    if let Some(route) = route {
        attributes.push(KeyValue::new("http.route", route.to_owned()));
    }
    if let Some(version) = protocol_version(parts.version) {
        attributes.push(KeyValue::new("network.protocol.version", version));
    }
    let authority = parts.uri.authority().cloned().or_else(|| {
        parts
            .headers
            .get(::http::header::HOST)
            .and_then(|h| h.to_str().ok())
            .and_then(|h| h.parse::<::http::uri::Authority>().ok())
    });
    if let Some(authority) = authority {
        let host = authority
            .host()
            .trim_start_matches('[')
            .trim_end_matches(']');
        attributes.push(KeyValue::new("server.address", host.to_owned()));
        if let Some(port) = authority.port_u16() {
            attributes.push(KeyValue::new("server.port", i64::from(port)));
        }
    }
    if let Some(agent) = parts
        .headers
        .get(::http::header::USER_AGENT)
        .and_then(|h| h.to_str().ok())
    {
        attributes.push(KeyValue::new("user_agent.original", agent.to_owned()));
    }
    attributes.push(KeyValue::new(
        semconv::INPUT_VALUE,
        format!("{method} {}", parts.uri.path()),
    ));
    attributes.push(KeyValue::new(semconv::INPUT_MIME_TYPE, semconv::MIME_TEXT));
    attributes
}

impl ServerSpan {
    /// Starts the request's span as a child of the `traceparent` it carries
    /// (else of the current context).
    pub(crate) fn start(parts: &::http::request::Parts, identity: &RequestIdentity) -> Self {
        let remote = super::extract_trace_context(&parts.headers);
        let parent = if remote.span().span_context().is_valid() {
            remote
        } else {
            Context::current()
        };
        let scope = identity.context_attributes();
        let mut cx = if tracer::fast_off() || parent.is_telemetry_suppressed() {
            parent
        } else {
            let route = matched_route(parts);
            let name = match &route {
                Some(route) => format!("{} {route}", parts.method),
                None => parts.method.to_string(),
            };
            let mut attributes = request_attributes(parts, route.as_deref());
            if let Some(scope) = &scope {
                attributes.extend(scope.key_values());
            }
            let builder = SpanBuilder::from_name(name)
                .with_kind(SpanKind::Server)
                .with_attributes(attributes);
            match tracer::build(builder, &parent) {
                tracer::OwnedSpan::Sdk(span) => parent.with_span(span),
                tracer::OwnedSpan::Global(span) => parent.with_span(span),
            }
        };
        if let Some(scope) = scope {
            // Every span the handler starts carries them too.
            cx = context_attributes::merged_into(&cx, scope);
        }
        let context = cx.span().span_context().clone();
        let trace_id = context
            .is_valid()
            .then(|| ::http::HeaderValue::from_str(&context.trace_id().to_string()).ok())
            .flatten();
        let recording = cx.span().is_recording();
        Self {
            cx,
            trace_id,
            recording,
            ended: !recording,
        }
    }

    /// The context to run the handler (and produce the body) in.
    pub(crate) fn context(&self) -> &Context {
        &self.cx
    }

    /// The value of `X-Trace-Id`.
    pub(crate) fn trace_id(&self) -> Option<&::http::HeaderValue> {
        self.trace_id.as_ref()
    }

    /// Records the response status (5xx is an error, as the HTTP semantic
    /// conventions say for servers).
    pub(crate) fn record_status(&self, status: ::http::StatusCode) {
        if !self.recording {
            return;
        }
        let span = self.cx.span();
        span.set_attribute(KeyValue::new(
            "http.response.status_code",
            i64::from(status.as_u16()),
        ));
        if status.is_server_error() {
            span.set_attribute(KeyValue::new("error.type", status.as_u16().to_string()));
            span.set_status(Status::error(""));
        } else {
            span.set_status(Status::Ok);
        }
    }

    /// Records a failure of the service or the body stream.
    pub(crate) fn record_error(&self, error_type: &str, message: String) {
        if !self.recording {
            return;
        }
        let span = self.cx.span();
        span.set_attribute(KeyValue::new("error.type", error_type.to_owned()));
        span.add_event(
            semconv::EXCEPTION_EVENT,
            semconv::exception_attributes(error_type.to_owned(), message.clone()),
        );
        span.set_status(Status::error(message));
    }

    /// Ends the span: the response is complete.
    pub(crate) fn finish(mut self) {
        self.end();
    }

    fn end(&mut self) {
        if !self.ended {
            self.ended = true;
            self.cx.span().end();
        }
    }
}

impl Drop for ServerSpan {
    /// Dropped before the response was complete: the client went away or the
    /// server dropped the request. Marked like a cancelled future.
    fn drop(&mut self) {
        if !self.ended {
            let span = self.cx.span();
            span.add_event(semconv::CANCELLED_EVENT, Vec::new());
            span.set_attribute(KeyValue::new(semconv::CANCELLED, true));
            self.end();
        }
    }
}
