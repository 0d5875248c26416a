//! Autoref specialization: the call site picks the best capture strategy a
//! type supports, at compile time, without requiring any bound.
//!
//! Generated code writes `(&&&&Probe(&value)).st_arg(..)`. Method lookup tries
//! the receiver with the most references first, so the impl on `&&&Probe`
//! (`Serialize + Debug`) wins over `&&Probe` (`Serialize`), over `&Probe`
//! (`Debug`), over `Probe` (anything: the type name). In a generic function the
//! bounds visible there decide: `fn f<T>(x: T)` records the type name of `T`,
//! `fn f<T: Serialize>(x: T)` records JSON.

use core::fmt::Debug;

use serde::Serialize;

use super::inputs::{ArgMode, Inputs};
use super::sink::{ItemSink, OutputSink};
use super::{capture_debug, capture_opaque, debug_text};

/// Wraps a borrowed value for capture. See the module docs.
#[derive(Debug)]
pub struct Probe<'a, T: ?Sized>(pub &'a T);

/// Capture through `Serialize`, falling back to `Debug` (highest priority).
pub trait ViaSerializeDebug {
    /// Records the value as the argument `name`, scrubbed as `mode` says.
    fn st_arg(&self, inputs: &mut Inputs, name: &'static str, mode: ArgMode);
    /// Records the value as the span's output.
    fn st_output<S: OutputSink>(&self, span: &mut S);
    /// Records the value as one item of a traced stream.
    fn st_item<S: ItemSink>(&self, tally: &mut S);
}

impl<T: Serialize + Debug + ?Sized> ViaSerializeDebug for &&&Probe<'_, T> {
    fn st_arg(&self, inputs: &mut Inputs, name: &'static str, mode: ArgMode) {
        let value = self.0;
        inputs.serialize(name, mode, value, Some(&|| debug_text(value)));
    }
    fn st_output<S: OutputSink>(&self, span: &mut S) {
        let value = self.0;
        span.output_serialize(value, Some(&|| debug_text(value)));
    }
    fn st_item<S: ItemSink>(&self, tally: &mut S) {
        let value = self.0;
        tally.serialize_item(value, Some(&|| debug_text(value)));
    }
}

/// Capture through `Serialize`.
pub trait ViaSerialize {
    /// Records the value as the argument `name`, scrubbed as `mode` says.
    fn st_arg(&self, inputs: &mut Inputs, name: &'static str, mode: ArgMode);
    /// Records the value as the span's output.
    fn st_output<S: OutputSink>(&self, span: &mut S);
    /// Records the value as one item of a traced stream.
    fn st_item<S: ItemSink>(&self, tally: &mut S);
}

impl<T: Serialize + ?Sized> ViaSerialize for &&Probe<'_, T> {
    fn st_arg(&self, inputs: &mut Inputs, name: &'static str, mode: ArgMode) {
        inputs.serialize(name, mode, self.0, None);
    }
    fn st_output<S: OutputSink>(&self, span: &mut S) {
        span.output_serialize(self.0, None);
    }
    fn st_item<S: ItemSink>(&self, tally: &mut S) {
        tally.serialize_item(self.0, None);
    }
}

/// Capture through `Debug`.
pub trait ViaDebug {
    /// Records the value as the argument `name`, scrubbed as `mode` says.
    fn st_arg(&self, inputs: &mut Inputs, name: &'static str, mode: ArgMode);
    /// Records the value as the span's output.
    fn st_output<S: OutputSink>(&self, span: &mut S);
    /// Records the value as one item of a traced stream.
    fn st_item<S: ItemSink>(&self, tally: &mut S);
}

impl<T: Debug + ?Sized> ViaDebug for &Probe<'_, T> {
    fn st_arg(&self, inputs: &mut Inputs, name: &'static str, mode: ArgMode) {
        inputs.debug(name, mode, self.0);
    }
    fn st_output<S: OutputSink>(&self, span: &mut S) {
        span.output_captured(Some(capture_debug(self.0)));
    }
    fn st_item<S: ItemSink>(&self, tally: &mut S) {
        tally.text_item(|| capture_debug(self.0));
    }
}

/// Capture of anything else: its type name.
pub trait ViaOpaque {
    /// Records the value as the argument `name`, scrubbed as `mode` says.
    fn st_arg(&self, inputs: &mut Inputs, name: &'static str, mode: ArgMode);
    /// Records the value as the span's output.
    fn st_output<S: OutputSink>(&self, span: &mut S);
    /// Records the value as one item of a traced stream.
    fn st_item<S: ItemSink>(&self, tally: &mut S);
}

impl<T: ?Sized> ViaOpaque for Probe<'_, T> {
    fn st_arg(&self, inputs: &mut Inputs, name: &'static str, mode: ArgMode) {
        inputs.opaque::<T>(name, mode);
    }
    fn st_output<S: OutputSink>(&self, span: &mut S) {
        span.output_captured(Some(capture_opaque::<T>()));
    }
    fn st_item<S: ItemSink>(&self, tally: &mut S) {
        tally.opaque_item::<T>();
    }
}

/// Wraps a borrowed return value so it can be split into success and error
/// parts without being moved.
#[derive(Debug)]
pub struct Outcome<'a, V: ?Sized>(pub &'a V);

/// The error half of a return value that is not a `Result`: never present.
#[derive(Debug)]
pub enum NoError {}

impl core::fmt::Display for NoError {
    fn fmt(&self, _: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match *self {}
    }
}

impl std::error::Error for NoError {}

/// Splits a `Result` into its `Ok` and `Err` parts (by reference).
pub trait ViaResult<'a> {
    /// The `Ok` value type.
    type Ok: ?Sized;
    /// The `Err` value type.
    type Err: ?Sized;
    /// The output (if `Ok`) and the error (if `Err`).
    fn st_parts(&self) -> (Option<&'a Self::Ok>, Option<&'a Self::Err>);
}

impl<'a, T, E> ViaResult<'a> for &Outcome<'a, Result<T, E>> {
    type Ok = T;
    type Err = E;
    fn st_parts(&self) -> (Option<&'a T>, Option<&'a E>) {
        match self.0 {
            Ok(value) => (Some(value), None),
            Err(error) => (None, Some(error)),
        }
    }
}

/// Treats any other return value as the output.
pub trait ViaPlain<'a> {
    /// The value type.
    type Ok: ?Sized;
    /// Never present.
    type Err;
    /// The whole value as output.
    fn st_parts(&self) -> (Option<&'a Self::Ok>, Option<&'a Self::Err>);
}

impl<'a, V: ?Sized> ViaPlain<'a> for Outcome<'a, V> {
    type Ok = V;
    type Err = NoError;
    fn st_parts(&self) -> (Option<&'a V>, Option<&'a NoError>) {
        (Some(self.0), None)
    }
}
