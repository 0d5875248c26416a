//! Where captured values go. The probes ([`super::probe`], [`super::error`])
//! choose how a value is captured; the span stage implements these traits
//! (the call's span guard, a stream's tally) to record what they produce.
//! Not public API: generated code never names them.

use serde::Serialize;

use super::error::ErrorInfo;
use super::Captured;

/// Takes the outcome of a call: its result, captured.
pub trait OutputSink {
    /// A `Serialize` result; `debug` is the fallback text if serialization
    /// fails.
    fn output_serialize<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
        debug: Option<&dyn Fn() -> String>,
    );
    /// A result already captured as text (`None`: no output).
    fn output_captured(&mut self, output: Option<Captured>);
}

/// Takes the items of a traced stream, one at a time.
pub trait ItemSink {
    /// An item that serializes; `debug` is the fallback text if
    /// serialization fails.
    fn serialize_item<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
        debug: Option<&dyn Fn() -> String>,
    );
    /// An item recorded as text (its `Debug`), made only if it is kept.
    fn text_item<F: FnOnce() -> Captured>(&mut self, make: F);
    /// An item of a type with neither `Serialize` nor `Debug`.
    fn opaque_item<T: ?Sized>(&mut self);
}

/// Takes an `Err` outcome, described.
pub trait ErrorSink {
    /// Records the error (status and exception event, on a span).
    fn record_error(&mut self, error: &ErrorInfo);
}
