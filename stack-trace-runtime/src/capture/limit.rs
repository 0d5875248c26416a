//! The size cap on one captured value (default 64 KiB,
//! `STACK_TRACE_MAX_VALUE_BYTES`, `Config::max_value_bytes`).
//!
//! Capture writes through [`Capped`], which keeps the first `cap` bytes and
//! only counts the rest, so a 1 GB value never becomes a 1 GB string. A value
//! over the cap is recorded as text cut at a character boundary with a marker
//! (`text/plain`), or, when it was JSON, as a small JSON object that says it
//! was truncated, its original size and the start of its text (so JSON-typed
//! attributes always hold valid JSON).

use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::scrub::Findings;

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

thread_local! {
    /// The buffer captures are written into, reused: the value recorded is
    /// then allocated once at its exact size, where a fresh buffer would be
    /// allocated with room to spare and shrunk (a `realloc`) when it becomes
    /// the attribute's `Box<str>`. A nested capture (a `Serialize` impl
    /// calling an annotated function) finds it taken and uses a fresh one.
    static SCRATCH: Cell<String> = const { Cell::new(String::new()) };
}

/// The scratch buffer is kept for reuse up to this capacity.
const SCRATCH_KEEP: usize = 2 * DEFAULT_MAX_VALUE_BYTES;

/// A text buffer that keeps the first `cap` bytes (cut at a character
/// boundary) and counts them all.
#[derive(Debug)]
pub(crate) struct Capped {
    buf: String,
    cap: usize,
    total: usize,
    /// Whether what is written is scrubbed (off for `unredact(arg)`).
    pub(crate) scrub: bool,
    /// The name the value's key paths start with (the parameter's, for one
    /// argument recorded as itself).
    pub(crate) root: &'static str,
    /// What scrubbing removed from it.
    pub(crate) findings: Findings,
    /// Set when writing stopped once the cap was passed (see
    /// [`Capped::stop`]), or a long string's tail was counted unescaped:
    /// the total is then a lower bound. Boxed: rare, and a capture buffer
    /// is moved around on every call.
    cut: Option<Box<Cut>>,
}

impl Capped {
    #[inline]
    pub(crate) fn new(cap: usize) -> Self {
        let mut buf = SCRATCH.try_with(Cell::take).unwrap_or_default();
        buf.clear();
        if buf.capacity() == 0 {
            buf.reserve(128.min(cap));
        }
        Self {
            buf,
            cap,
            total: 0,
            scrub: true,
            root: "",
            findings: Findings::NONE,
            cut: None,
        }
    }

    /// Notes that the writer stopped here, past the cap, rather than
    /// serialize the rest only to count it; `items` is the length of the
    /// value's outermost sequence, when its serializer gave it.
    #[cold]
    pub(crate) fn stop(&mut self, items: Option<usize>) {
        let cut = self.cut.get_or_insert_with(Box::default);
        cut.items = cut.items.or(items);
    }

    /// Whether the writer stopped past the cap.
    #[inline]
    pub(crate) fn stopped(&self) -> bool {
        self.cut.is_some()
    }

    /// Names the argument that was cut short (the first one named wins).
    #[cold]
    pub(crate) fn cut_in(&mut self, name: &'static str) {
        if let Some(cut) = &mut self.cut {
            cut.cut_in = cut.cut_in.or(Some(name));
        }
    }

    /// Bytes that may still be kept.
    pub(crate) fn room(&self) -> usize {
        if self.overflowed() {
            0
        } else {
            self.cap.saturating_sub(self.buf.len())
        }
    }

    /// The text kept so far.
    pub(crate) fn kept_text(&self) -> &str {
        &self.buf
    }

    /// Bytes written in all.
    pub(crate) fn total(&self) -> usize {
        self.total
    }

    /// Whether more was written than kept.
    pub(crate) fn overflowed(&self) -> bool {
        self.total > self.buf.len()
    }

    /// Forgets everything written after the first `mark` bytes (a value
    /// [`Capped::total`] returned).
    pub(crate) fn truncate(&mut self, mark: usize) {
        if mark < self.buf.len() && self.buf.is_char_boundary(mark) {
            self.buf.truncate(mark);
        }
        self.total = mark;
    }

    /// Appends text (counted, kept while there is room; once something did
    /// not fit, nothing more is kept, so the kept text is a prefix).
    #[inline]
    pub(crate) fn push_str(&mut self, text: &str) {
        let full = self.overflowed();
        self.total += text.len();
        if full {
            return;
        }
        if self.buf.len() + text.len() <= self.cap {
            self.buf.push_str(text);
        } else {
            let mut cut = self.cap.saturating_sub(self.buf.len()).min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            self.buf.push_str(&text[..cut]);
        }
    }

    /// Counts `bytes` more of a string that did not fit, without escaping
    /// them: from here on the total is a lower bound, so writing stops.
    pub(crate) fn skip(&mut self, bytes: usize) {
        if bytes > 0 {
            debug_assert!(self.overflowed());
            self.total += bytes;
            self.stop(None);
        }
    }

    /// Appends `"text"` (`text` needs no escaping).
    #[inline]
    pub(crate) fn push_quoted(&mut self, text: &str) {
        let len = text.len() + 2;
        if !self.overflowed() && self.buf.len() + len <= self.cap {
            self.total += len;
            self.buf.reserve(len);
            self.buf.push('"');
            self.buf.push_str(text);
            self.buf.push('"');
        } else {
            self.push_str("\"");
            self.push_str(text);
            self.push_str("\"");
        }
    }

    /// Appends `,"name":` (without the comma for the first key) in one step.
    /// `name` needs no escaping (a Rust identifier).
    #[inline]
    pub(crate) fn push_key(&mut self, name: &str, comma: bool) {
        let len = name.len() + 3 + usize::from(comma);
        if !self.overflowed() && self.buf.len() + len <= self.cap {
            self.total += len;
            self.buf.reserve(len);
            self.buf.push_str(if comma { ",\"" } else { "\"" });
            self.buf.push_str(name);
            self.buf.push_str("\":");
        } else {
            if comma {
                self.push_str(",");
            }
            self.push_str("\"");
            self.push_str(name);
            self.push_str("\":");
        }
    }

    /// The kept text as the value to record: the text itself when it all
    /// fit, else the truncated form (`json`: the text was JSON).
    pub(crate) fn into_value(self, json: bool) -> String {
        if self.overflowed() {
            return self.cut_value(json);
        }
        // Exactly its size: becoming a `Box<str>` costs no reallocation.
        String::from(self.buf.as_str())
    }

    /// [`Capped::into_value`] of a value over the cap (a writer stops only
    /// past it).
    #[cold]
    #[inline(never)]
    fn cut_value(&self, json: bool) -> String {
        let kept = self.buf.as_bytes();
        match (&self.cut, json) {
            (Some(cut), true) => cut.json(kept, self.total),
            (Some(cut), false) => cut.text(kept, self.total),
            (None, true) => truncated_json(kept, self.total),
            (None, false) => truncated_text(kept, self.total),
        }
    }
}

impl Drop for Capped {
    /// Gives the buffer back for the next capture on this thread.
    #[inline]
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        if buf.capacity() > 0 && buf.capacity() <= SCRATCH_KEEP {
            let _ = SCRATCH.try_with(|scratch| scratch.set(buf));
        }
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
/// How the marker of text cut at the cap begins.
pub(crate) const TRUNCATED_TEXT: &str = "… [truncated by stack-trace: ";

pub(crate) fn truncated_text(kept: &[u8], total: usize) -> String {
    format!("{}{TRUNCATED_TEXT}{total} bytes in all]", utf8_prefix(kept))
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

/// What is known of a value whose writing stopped past the cap (beside
/// the bytes counted before it stopped, more than the cap: a lower bound).
#[derive(Debug, Default)]
struct Cut {
    /// The length of its outermost sequence, when known.
    items: Option<usize>,
    /// The argument it was in.
    cut_in: Option<&'static str>,
}

impl Cut {
    fn text(&self, kept: &[u8], seen: usize) -> String {
        let items = self
            .items
            .map(|n| format!(", {n} items"))
            .unwrap_or_default();
        format!(
            "{}{TRUNCATED_TEXT}at least {} bytes{items}]",
            utf8_prefix(kept),
            seen
        )
    }

    fn json(&self, kept: &[u8], seen: usize) -> String {
        let mut marker = serde_json::Map::new();
        marker.insert("stack_trace.truncated".into(), true.into());
        marker.insert("at_least_bytes".into(), seen.into());
        if let Some(name) = self.cut_in {
            marker.insert("cut_in".into(), name.into());
        }
        if let Some(items) = self.items {
            marker.insert("items".into(), items.into());
        }
        marker.insert("prefix".into(), utf8_prefix(kept).into());
        serde_json::Value::Object(marker).to_string()
    }
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

    #[test]
    fn under_the_cap_nothing_changes() {
        let mut c = Capped::new(100);
        c.push_str(r#"{"a":1}"#);
        assert_eq!(c.into_value(true), r#"{"a":1}"#);
    }

    #[test]
    fn over_the_cap_json_stays_json_and_says_how_big() {
        let mut c = Capped::new(10);
        c.push_str(r#"{"key":"a long value here"}"#);
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
