//! [`TraceHandle`] and [`SpanHandle`]: a trace or a span named by its ids,
//! taken from the current span or parsed back from the hex ids a client
//! returns (the `X-Trace-Id` header, a feedback request minutes later).
//!
//! A handle taken from a live context remembers whether its trace was
//! sampled, so an annotation on a span that was never exported can be
//! dropped and counted instead of being sent; a parsed handle does not know,
//! and compares equal to the live one all the same.

use core::fmt;
use core::str::FromStr;

use opentelemetry::trace::{SpanContext, SpanId, TraceId};

use super::error::AnnotationError;

/// A trace, by its 32 lower-case hex digit id.
///
/// ```
/// use stack_trace_runtime::TraceHandle;
///
/// let trace: TraceHandle = "4bf92f3577b34da6a3ce929d0e0e4736".parse().unwrap();
/// assert_eq!(trace.to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
/// assert!("4bf92f35".parse::<TraceHandle>().is_err());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct TraceHandle {
    id: TraceId,
    /// `Some(sampled)` for a handle taken from a live span context.
    sampled: Option<bool>,
}

/// A span, by its 16 hex digit id, and its trace's id when known.
///
/// Written out as `<trace id>-<span id>`; parsed from that, from a bare span
/// id (what Phoenix and most clients return), or from a `traceparent` value.
///
/// ```
/// use stack_trace_runtime::SpanHandle;
///
/// let span: SpanHandle = "4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7".parse().unwrap();
/// assert_eq!(span.span_id(), "00f067aa0ba902b7");
/// assert_eq!(span.trace().unwrap().to_string(), "4bf92f3577b34da6a3ce929d0e0e4736");
///
/// let bare: SpanHandle = "00f067aa0ba902b7".parse().unwrap();
/// assert_eq!(bare, span);
/// assert!(bare.trace().is_none());
///
/// let from_header: SpanHandle =
///     "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01".parse().unwrap();
/// assert_eq!(from_header.to_string(), span.to_string());
/// ```
#[derive(Clone, Copy, Debug)]
pub struct SpanHandle {
    trace: Option<TraceId>,
    id: SpanId,
    sampled: Option<bool>,
}

impl TraceHandle {
    /// The trace of a valid span context.
    pub(crate) fn of(context: &SpanContext) -> Option<Self> {
        context.is_valid().then(|| Self {
            id: context.trace_id(),
            sampled: Some(context.is_sampled()),
        })
    }

    /// The OpenTelemetry trace id.
    #[must_use]
    pub fn trace_id(&self) -> TraceId {
        self.id
    }

    /// `Some(false)` when the handle came from a live span whose trace the
    /// head sampler left out (nothing of it is exported); `None` when parsed.
    #[must_use]
    pub fn sampled(&self) -> Option<bool> {
        self.sampled
    }
}

impl SpanHandle {
    /// A valid span context's span.
    pub(crate) fn of(context: &SpanContext) -> Option<Self> {
        context.is_valid().then(|| Self {
            trace: Some(context.trace_id()),
            id: context.span_id(),
            sampled: Some(context.is_sampled()),
        })
    }

    /// The span id as 16 lower-case hex digits (what Phoenix calls
    /// `span_id`).
    #[must_use]
    pub fn span_id(&self) -> String {
        self.id.to_string()
    }

    /// The OpenTelemetry span id.
    #[must_use]
    pub fn otel_span_id(&self) -> SpanId {
        self.id
    }

    /// The span's trace, when the handle knows it.
    #[must_use]
    pub fn trace(&self) -> Option<TraceHandle> {
        self.trace.map(|id| TraceHandle {
            id,
            sampled: self.sampled,
        })
    }

    /// As [`TraceHandle::sampled`].
    #[must_use]
    pub fn sampled(&self) -> Option<bool> {
        self.sampled
    }
}

impl PartialEq for TraceHandle {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl Eq for TraceHandle {}
impl core::hash::Hash for TraceHandle {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.id.hash(state);
    }
}

/// Two span handles are the same span when their span ids match and their
/// trace ids do not disagree (a bare span id matches the full handle).
impl PartialEq for SpanHandle {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
            && match (self.trace, other.trace) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}
impl Eq for SpanHandle {}

impl fmt::Display for TraceHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.id, f)
    }
}

impl fmt::Display for SpanHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.trace {
            Some(trace) => write!(f, "{trace}-{}", self.id),
            None => fmt::Display::fmt(&self.id, f),
        }
    }
}

/// Exactly `digits` hex digits (OpenTelemetry's `from_hex` alone would also
/// take a sign or fewer digits).
fn is_hex(text: &str, digits: usize) -> bool {
    text.len() == digits && text.bytes().all(|b| b.is_ascii_hexdigit())
}

/// A valid (not all-zero) trace id.
fn trace_id(text: &str) -> Option<TraceId> {
    let id = TraceId::from_hex(text).ok().filter(|_| is_hex(text, 32))?;
    (id != TraceId::INVALID).then_some(id)
}

/// A valid (not all-zero) span id.
fn span_id(text: &str) -> Option<SpanId> {
    let id = SpanId::from_hex(text).ok().filter(|_| is_hex(text, 16))?;
    (id != SpanId::INVALID).then_some(id)
}

impl FromStr for TraceHandle {
    type Err = AnnotationError;

    /// 32 hex digits, surrounding white space ignored.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        trace_id(s.trim())
            .map(|id| Self { id, sampled: None })
            .ok_or_else(|| AnnotationError::InvalidId {
                what: "trace id",
                expected: "32 hex digits, not all zero",
                value: s.to_owned(),
            })
    }
}

impl FromStr for SpanHandle {
    type Err = AnnotationError;

    /// `<span id>`, `<trace id>-<span id>`, `<trace id>:<span id>` or a
    /// `traceparent` (`00-<trace id>-<span id>-<flags>`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let text = s.trim();
        let parts: Vec<&str> = text.split(['-', ':']).collect();
        let (trace, span) = match parts.as_slice() {
            [span] => (None, *span),
            [trace, span] => (Some(*trace), *span),
            [version, trace, span, flags] if version.len() == 2 && flags.len() == 2 => {
                (Some(*trace), *span)
            }
            _ => (Some(""), ""),
        };
        let trace = match trace {
            Some(t) => trace_id(t).map(Some),
            None => Some(None),
        };
        match (trace, span_id(span)) {
            (Some(trace), Some(id)) => Ok(Self {
                trace,
                id,
                sampled: None,
            }),
            _ => Err(AnnotationError::InvalidId {
                what: "span id",
                expected: "16 hex digits, optionally after a 32-digit trace id and `-`",
                value: s.to_owned(),
            }),
        }
    }
}

/// Serialized as its `Display` text, parsed back the same way.
macro_rules! as_text {
    ($ty:ty) => {
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                text.parse().map_err(serde::de::Error::custom)
            }
        }
    };
}
as_text!(TraceHandle);
as_text!(SpanHandle);

#[cfg(test)]
mod tests {
    use super::*;

    const TRACE: &str = "4bf92f3577b34da6a3ce929d0e0e4736";
    const SPAN: &str = "00f067aa0ba902b7";

    #[test]
    fn ids_round_trip_and_bad_ones_are_refused() {
        let t: TraceHandle = TRACE.parse().unwrap();
        assert_eq!(t.to_string(), TRACE);
        assert_eq!(t.sampled(), None);
        let upper: TraceHandle = TRACE.to_uppercase().parse().unwrap();
        assert_eq!(upper, t);
        for bad in [
            "",
            "4bf92f35",
            "00000000000000000000000000000000",
            "4bf92f3577b34da6a3ce929d0e0e473g",
            "+bf92f3577b34da6a3ce929d0e0e4736",
        ] {
            let e = bad.parse::<TraceHandle>().unwrap_err();
            assert!(e.to_string().contains("trace id"), "{e}");
        }
        for bad in [
            "",
            "0000000000000000",
            "00f067aa0ba902b",
            "+0f067aa0ba902b7",
            "4bf92f35-00f067aa0ba902b7",
            "x-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
        ] {
            let e = bad.parse::<SpanHandle>().unwrap_err();
            assert!(e.to_string().contains("span id"), "{bad}: {e}");
        }
    }

    #[test]
    fn span_handles_in_every_written_form() {
        let full: SpanHandle = format!("{TRACE}-{SPAN}").parse().unwrap();
        assert_eq!(full.to_string(), format!("{TRACE}-{SPAN}"));
        assert_eq!(full.span_id(), SPAN);
        let colon: SpanHandle = format!(" {TRACE}:{SPAN} ").parse().unwrap();
        assert_eq!(colon.to_string(), full.to_string());
        let header: SpanHandle = format!("00-{TRACE}-{SPAN}-01").parse().unwrap();
        assert_eq!(header.to_string(), full.to_string());
        let bare: SpanHandle = SPAN.parse().unwrap();
        assert_eq!(bare.to_string(), SPAN);
        assert_eq!(bare, full);
        let json = serde_json::to_string(&full).unwrap();
        assert_eq!(json, format!("\"{TRACE}-{SPAN}\""));
        assert_eq!(serde_json::from_str::<SpanHandle>(&json).unwrap(), full);
        let trace: TraceHandle = serde_json::from_str(&format!("\"{TRACE}\"")).unwrap();
        assert_eq!(
            serde_json::to_string(&trace).unwrap(),
            format!("\"{TRACE}\"")
        );
        assert!(serde_json::from_str::<TraceHandle>("\"nope\"").is_err());
        let other_trace: SpanHandle = format!("{}-{SPAN}", "1".repeat(32)).parse().unwrap();
        assert_ne!(other_trace, full);
    }

    #[test]
    fn live_handles_know_their_sampling() {
        use opentelemetry::trace::{TraceFlags, TraceState};
        let context = SpanContext::new(
            TRACE.parse::<TraceHandle>().unwrap().trace_id(),
            SpanHandle::from_str(SPAN).unwrap().otel_span_id(),
            TraceFlags::default(),
            false,
            TraceState::default(),
        );
        let span = SpanHandle::of(&context).unwrap();
        assert_eq!(span.sampled(), Some(false));
        assert_eq!(span.trace().unwrap().sampled(), Some(false));
        assert_eq!(span.to_string(), format!("{TRACE}-{SPAN}"));
        assert!(SpanHandle::of(&SpanContext::empty_context()).is_none());
        assert!(TraceHandle::of(&SpanContext::empty_context()).is_none());
    }
}
