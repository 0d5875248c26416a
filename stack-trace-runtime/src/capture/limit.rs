//! The size cap on one captured value (default 64 KiB,
//! `STACK_TRACE_MAX_VALUE_BYTES`, `Config::max_value_bytes`).
//!
//! Capture writes through [`Capped`], which keeps the first `cap` bytes and
//! only counts the rest, so a 1 GB value never becomes a 1 GB string. A value
//! over the cap is recorded as text cut at a character boundary with a marker
//! (`text/plain`), or, when it was JSON, as a small JSON object that says it
//! was truncated, its original size and the start of its text (so JSON-typed
//! attributes always hold valid JSON).

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The default cap: 64 KiB.
pub const DEFAULT_MAX_VALUE_BYTES: usize = 64 * 1024;

static MAX_VALUE_BYTES: AtomicUsize = AtomicUsize::new(DEFAULT_MAX_VALUE_BYTES);

/// The cap in force.
#[inline]
pub(crate) fn max_value_bytes() -> usize {
    MAX_VALUE_BYTES.load(Ordering::Relaxed)
}

/// Sets the cap (at least 64 bytes).
pub(crate) fn set_max_value_bytes(bytes: usize) {
    MAX_VALUE_BYTES.store(bytes.max(64), Ordering::Relaxed);
}

/// A writer that keeps the first `cap` bytes and counts them all.
#[derive(Debug)]
pub(crate) struct Capped {
    pub(crate) buf: Vec<u8>,
    cap: usize,
    total: usize,
}

impl Capped {
    #[inline]
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            buf: Vec::with_capacity(128.min(cap)),
            cap,
            total: 0,
        }
    }

    /// Bytes written in all.
    pub(crate) fn total(&self) -> usize {
        self.total
    }

    /// Whether more was written than kept.
    pub(crate) fn overflowed(&self) -> bool {
        self.total > self.buf.len()
    }

    /// Forgets everything written after the first `mark` bytes.
    pub(crate) fn truncate(&mut self, mark: usize) {
        self.buf.truncate(mark);
        self.total = mark;
    }

    /// Appends bytes (counted, kept while there is room).
    #[inline]
    pub(crate) fn push(&mut self, bytes: &[u8]) {
        self.total += bytes.len();
        if self.buf.len() + bytes.len() <= self.cap {
            self.buf.extend_from_slice(bytes);
        } else {
            let room = self.cap.saturating_sub(self.buf.len());
            self.buf.extend_from_slice(&bytes[..room]);
        }
    }

    /// The kept bytes as the value to record: the text itself when it all
    /// fit, else the truncated form (`json`: the text was JSON).
    pub(crate) fn into_value(self, json: bool) -> String {
        if self.overflowed() {
            if json {
                truncated_json(&self.buf, self.total)
            } else {
                truncated_text(&self.buf, self.total)
            }
        } else {
            String::from_utf8(self.buf)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
        }
    }
}

impl io::Write for Capped {
    #[inline]
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.push(bytes);
        Ok(bytes.len())
    }
    #[inline]
    fn write_all(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.push(bytes);
        Ok(())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The longest prefix of `bytes` that is whole UTF-8 characters.
pub(crate) fn utf8_prefix(bytes: &[u8]) -> &str {
    match std::str::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => std::str::from_utf8(&bytes[..e.valid_up_to()]).unwrap_or_default(),
    }
}

/// Text cut to its kept prefix, with a marker saying how big it was.
pub(crate) fn truncated_text(kept: &[u8], total: usize) -> String {
    format!(
        "{}… [truncated by stack-trace: {total} bytes in all]",
        utf8_prefix(kept)
    )
}

/// Valid JSON standing for a JSON text that was too big.
pub(crate) fn truncated_json(kept: &[u8], total: usize) -> String {
    serde_json::json!({
        "stack_trace.truncated": true,
        "original_bytes": total,
        "prefix": utf8_prefix(kept),
    })
    .to_string()
}

/// Room for the truncation marker (and JSON escapes) of a value already
/// capped at capture, so the processor does not cut it a second time.
const MARKER_SLACK: usize = 1024;

/// Caps every string attribute of a span (flattened message contents,
/// hand-set values): JSON-looking values keep a valid JSON form.
pub(crate) fn cap_attributes(attributes: &mut [opentelemetry::KeyValue], cap: usize) {
    for kv in attributes.iter_mut() {
        if let opentelemetry::Value::String(s) = &kv.value {
            let text = s.as_str();
            if text.len() > cap + MARKER_SLACK {
                let kept = &text.as_bytes()[..cap];
                let json = matches!(text.trim_start().as_bytes().first(), Some(b'{' | b'['));
                let value = if json {
                    truncated_json(kept, text.len())
                } else {
                    truncated_text(kept, text.len())
                };
                kv.value = opentelemetry::Value::from(value);
            }
        }
    }
}

/// A `&str` as the value to record, copying at most `cap` bytes of it.
pub(crate) fn capped_str(text: &str, cap: usize) -> String {
    if text.len() <= cap {
        text.to_owned()
    } else {
        truncated_text(&text.as_bytes()[..cap], text.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write as _;

    #[test]
    fn under_the_cap_nothing_changes() {
        let mut c = Capped::new(100);
        c.write_all(br#"{"a":1}"#).unwrap();
        assert_eq!(c.into_value(true), r#"{"a":1}"#);
    }

    #[test]
    fn over_the_cap_json_stays_json_and_says_how_big() {
        let mut c = Capped::new(10);
        c.write_all(br#"{"key":"a long value here"}"#).unwrap();
        let v: serde_json::Value = serde_json::from_str(&c.into_value(true)).unwrap();
        assert_eq!(v["stack_trace.truncated"], true);
        assert_eq!(v["original_bytes"], 27);
        assert_eq!(v["prefix"], r#"{"key":"a "#);
    }

    #[test]
    fn text_is_cut_at_a_character_boundary() {
        let text = "é".repeat(10); // 20 bytes
        let cut = capped_str(&text, 5); // byte 5 falls inside the third é
        assert!(cut.starts_with("éé…"), "{cut}");
        assert!(cut.ends_with("[truncated by stack-trace: 20 bytes in all]"));
        assert_eq!(capped_str("short", 5), "short");
    }
}
