//! Below capture, scrubbing: no credential leaves the process. The rules,
//! and the passes that apply them.
//!
//! Takes: names (parameters, struct fields, map and JSON keys, headers,
//! query keys) and strings (values as they are written, `Debug` text, error
//! messages, query strings, JSON text of exported attributes).
//!
//! Does: a value under a name that marks a credential ([`names`]) becomes
//! `__REDACTED__` at any depth; a credential recognised by its format
//! ([`formats`]) is replaced where it stands, the text around it kept
//! ([`text`], [`value`] for `serde_json::Value` trees); the settings add and
//! exempt names and add patterns ([`settings`], in force through
//! [`rules`]); and what was removed is noted, without the values
//! ([`findings`]), for the span's `stack_trace.scrubbed` attribute.
//!
//! Hands on: scrubbed text and [`findings::Findings`]. The capture stage
//! scrubs as it writes (on the caller's thread: the key rule needs the field
//! names serde hands over, and each string is scanned once, as it is
//! written, rather than re-parsed later); the export stage's last pass
//! ([`attributes`]) scrubs what did not come through capture (attributes set
//! by hand, the application's own spans, the HTTP server span), on the
//! export thread.

mod anchors;
pub(crate) mod attributes;
pub(crate) mod findings;
pub(crate) mod formats;
pub(crate) mod names;
pub(crate) mod rules;
pub(crate) mod settings;
pub(crate) mod text;
pub(crate) mod value;

#[cfg(test)]
mod proptests;

pub(crate) use findings::{Findings, Report};
pub use settings::Scrubbing;
