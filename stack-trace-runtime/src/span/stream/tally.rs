//! [`Tally`]: what a traced stream's items amount to, with bounded memory,
//! and the span they are recorded on when the stream ends.

use std::panic::{catch_unwind, resume_unwind, AssertUnwindSafe};

use opentelemetry::KeyValue;
use serde::Serialize;
use serde_json::Value;

use crate::capture::panic::panic_message;
use crate::capture::sink::ItemSink;
use crate::capture::{self, limit, Captured};
use crate::openinference::stream::LlmStream;
use crate::scrub::value::scrub_value;
use crate::scrub::Findings;
use crate::semconv::{self, SpanKind};
use crate::span::guard::SpanGuard;

/// At most this many documents are kept from a retriever stream.
const MAX_DOCUMENTS: usize = 1000;

/// Room kept under the value cap for the brackets, commas and the marker
/// that says how many items were left out.
const PARTS_SLACK: usize = 256;

/// The span of a stream and what its items amount to so far. Not public API
/// (the generated item observer writes into it).
#[derive(Debug)]
pub struct Tally {
    pub(super) guard: SpanGuard,
    items: u64,
    pub(super) finished: bool,
    llm: Option<LlmStream>,
    documents: Option<Vec<Value>>,
    /// Each item as JSON text, until their total reaches the value cap.
    parts: Vec<String>,
    parts_bytes: usize,
    parts_omitted: u64,
    opaque: Option<Captured>,
    /// What scrubbing removed from the items recorded.
    findings: Findings,
}

impl Tally {
    pub(super) fn new(guard: SpanGuard) -> Self {
        let kind = guard.kind();
        Self {
            guard,
            items: 0,
            finished: false,
            llm: (kind == SpanKind::Llm).then(LlmStream::default),
            documents: matches!(kind, SpanKind::Retriever | SpanKind::Reranker).then(Vec::new),
            parts: Vec::new(),
            parts_bytes: 0,
            parts_omitted: 0,
            opaque: None,
            findings: Findings::NONE,
        }
    }

    /// The stream's span (for recording an `Err` item).
    pub fn span(&mut self) -> &mut SpanGuard {
        &mut self.guard
    }

    /// Keeps one item's JSON while the joined list stays within the value
    /// cap (with room for the separators and the omission marker); from the
    /// first item that does not fit, items are only counted.
    fn push_part(&mut self, json: String) {
        let room = limit::max_value_bytes().saturating_sub(PARTS_SLACK);
        if self.parts_omitted > 0 || self.parts_bytes + self.parts.len() + json.len() > room {
            self.parts_omitted += 1;
            return;
        }
        self.parts_bytes += json.len();
        self.parts.push(json);
    }

    fn push_text_part(&mut self, text: Captured) {
        self.findings.merge(text.findings);
        self.push_part(serde_json::to_string(&text.value).unwrap_or_default());
    }

    fn parts_full(&self) -> bool {
        self.parts_omitted > 0
    }

    /// One item that serializes.
    pub(crate) fn serialize_item<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
        debug: Option<&dyn Fn() -> String>,
    ) {
        let wants_structure = self.llm.is_some()
            || self
                .documents
                .as_ref()
                .is_some_and(|d| d.len() < MAX_DOCUMENTS);
        // The user's `Serialize` runs once: the item's JSON text is written
        // from its structure when the span's kind needs that anyway.
        let structured = if wants_structure {
            catch_unwind(AssertUnwindSafe(|| {
                serde_json::to_value(capture::depth::Bounded::new(value))
            }))
            .ok()
            .and_then(Result::ok)
        } else {
            None
        };
        // Whether the item may hold something to scrub (its text was not
        // written whole, or the writer found something).
        let mut suspect = true;
        if self.parts_full() {
            self.parts_omitted += 1;
        } else {
            let mut buf = limit::Capped::new(limit::max_value_bytes());
            let written = match &structured {
                Some(structured) => capture::json::write(structured, &mut buf).is_ok(),
                None => matches!(
                    catch_unwind(AssertUnwindSafe(|| {
                        capture::json::write(value, &mut buf)
                    })),
                    Ok(Ok(()))
                ),
            };
            if written {
                suspect = !buf.findings.is_empty() || buf.overflowed();
                self.findings.merge(std::mem::take(&mut buf.findings));
                self.push_part(buf.into_value(true));
            } else {
                // Not serializable: its `Debug` text, else what went wrong.
                let text = match debug {
                    Some(debug) => Captured::scrubbed_text(debug(), true, true),
                    None => capture::capture_serialize(value)
                        .unwrap_or_else(|| Captured::text(String::new())),
                };
                self.push_text_part(text);
            }
        }
        if let Some(mut structured) = structured {
            // What the kind reads, scrubbed (reported once, by the text above).
            if suspect {
                scrub_value(&mut structured, "", &mut Findings::default());
            }
            if let Some(llm) = &mut self.llm {
                llm.absorb(&structured, limit::max_value_bytes());
            }
            if let Some(documents) = &mut self.documents {
                documents.push(structured);
            }
        }
    }

    /// One item recorded as text (its `Debug`).
    pub(crate) fn text_item(&mut self, make: impl FnOnce() -> Captured) {
        if self.parts_full() {
            self.parts_omitted += 1;
            return;
        }
        let captured = make();
        self.push_text_part(captured);
    }

    /// One item of a type with neither `Serialize` nor `Debug`.
    pub(crate) fn opaque_item<T: ?Sized>(&mut self) {
        if self.opaque.is_none() {
            self.opaque = Some(capture::capture_opaque::<T>());
        }
    }

    fn observe<I, F: FnMut(&I, &mut Self)>(&mut self, item: &I, observe: &mut F) {
        self.items += 1;
        if !self.guard.is_recording() {
            return;
        }
        if self.items == 1 {
            self.guard.add_event(semconv::FIRST_TOKEN_EVENT);
        }
        let _ = catch_unwind(AssertUnwindSafe(|| observe(item, self)));
    }

    /// Writes what the items amount to (also for a stream that did not end).
    fn record(&mut self) {
        if !self.guard.is_recording() {
            return;
        }
        let items = i64::try_from(self.items).unwrap_or(i64::MAX);
        self.guard
            .set_attribute(KeyValue::new(semconv::STREAM_ITEMS, items));
        if let Some(mut response) = self.llm.as_ref().and_then(LlmStream::response) {
            // Put together from chunks: a credential split across them is
            // whole only now.
            scrub_value(&mut response, "", &mut Findings::default());
            self.guard.derive_from_output(&response);
            self.guard.set_output(capture::capture_serialize(&response));
            return;
        }
        if let Some(documents) = self.documents.take() {
            self.guard.derive_from_output(&Value::Array(documents));
        }
        let output = self.joined_parts().or_else(|| self.opaque.take());
        self.guard.set_output(output);
    }

    /// The items as one value: string items concatenated, otherwise a JSON
    /// array; a last element (or line) says how many were left out.
    fn joined_parts(&mut self) -> Option<Captured> {
        if self.parts.is_empty() {
            return None;
        }
        let parts = std::mem::take(&mut self.parts);
        let omitted = self.parts_omitted;
        let strings: Option<Vec<String>> = parts
            .iter()
            .map(|p| serde_json::from_str::<String>(p).ok())
            .collect();
        if let Some(strings) = strings {
            let mut text = String::with_capacity(self.parts_bytes + 64);
            for part in &strings {
                text.push_str(part);
            }
            if omitted > 0 {
                text.push_str(&format!(
                    "… [stack-trace: {omitted} more items not recorded]"
                ));
            }
            // Scanned again whole: a credential may span items.
            let mut captured = Captured::scrubbed_text(text, true, false);
            captured.findings.merge(std::mem::take(&mut self.findings));
            return Some(captured);
        }
        let mut json = String::with_capacity(self.parts_bytes + parts.len() * 4 + 64);
        json.push('[');
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                json.push(',');
            }
            json.push_str(part);
        }
        if omitted > 0 {
            json.push_str(&format!(
                ",\"[stack-trace: {omitted} more items not recorded]\""
            ));
        }
        json.push(']');
        Some(Captured {
            value: json,
            mime: semconv::MIME_JSON,
            findings: std::mem::take(&mut self.findings),
        })
    }

    /// What one poll produced: an item is observed, the end finishes the
    /// span, a panic fails it and then continues to unwind unchanged.
    pub(super) fn settle<I, F: FnMut(&I, &mut Self)>(
        &mut self,
        polled: std::thread::Result<Option<I>>,
        observe: &mut F,
    ) -> Option<I> {
        match polled {
            Ok(Some(item)) => {
                self.observe(&item, observe);
                Some(item)
            }
            Ok(None) => {
                self.finish();
                None
            }
            Err(payload) => {
                self.fail(panic_message(&*payload));
                resume_unwind(payload)
            }
        }
    }

    fn finish(&mut self) {
        self.finished = true;
        self.record();
        self.guard.finish();
    }

    fn fail(&mut self, message: String) {
        self.finished = true;
        self.record();
        self.guard.record_panic(message);
    }
}

impl Drop for Tally {
    /// Dropped before the end: what was consumed is recorded, then the
    /// guard marks the span cancelled as it ends.
    fn drop(&mut self) {
        if !self.finished {
            self.record();
        }
    }
}

impl ItemSink for Tally {
    fn serialize_item<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
        debug: Option<&dyn Fn() -> String>,
    ) {
        Tally::serialize_item(self, value, debug);
    }
    fn text_item<F: FnOnce() -> Captured>(&mut self, make: F) {
        Tally::text_item(self, make);
    }
    fn opaque_item<T: ?Sized>(&mut self) {
        Tally::opaque_item::<T>(self);
    }
}
