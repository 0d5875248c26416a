//! The console waterfall: each finished trace printed as an indented tree on
//! stderr, from the export thread (never the caller's).
//!
//! ```text
//! ── trace 4bf92f3577b34da6a3ce929d0e0e4736 ──────────────────────────
//! AGENT      Agent::run                    18.4s
//! LLM          chat                         4.2s
//! TOOL         search_docs                  0.3s
//! RETRIEVER      Index::search              0.2s
//! ```
//!
//! A trace prints when its local root (a span whose parent is not in this
//! process) ends. Memory is bounded: at most [`MAX_TRACES`] traces of at most
//! [`MAX_ROWS`] spans wait for their root; traces whose root has not ended
//! after [`STALE_AFTER`] print as incomplete.

mod render;

use std::collections::{HashMap, VecDeque};
use std::io::{IsTerminal as _, Write};
use std::time::{Duration, Instant, SystemTime};

use opentelemetry::trace::{SpanId, Status, TraceId};
use opentelemetry::Value;
use opentelemetry_sdk::trace::SpanData;

use crate::semconv;
use render::{paint, render, use_color};

/// Names of printed spans remembered (for annotations made later).
const PRINTED_NAMES: usize = 256;
/// Traces waiting for their root at most.
pub(crate) const MAX_TRACES: usize = 256;
/// Spans kept per waiting trace at most.
pub(crate) const MAX_ROWS: usize = 2_000;
/// A trace whose root has not ended after this long prints as incomplete.
pub(crate) const STALE_AFTER: Duration = Duration::from_secs(60);

/// One span, reduced to what the waterfall shows.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    pub(super) span_id: SpanId,
    pub(super) parent_id: SpanId,
    pub(super) kind: String,
    pub(super) name: String,
    pub(super) start: SystemTime,
    pub(super) duration: Duration,
    pub(super) error: Option<String>,
    pub(super) cancelled: bool,
    /// Kind-specific detail: model and tokens, documents and top score.
    pub(super) detail: Option<String>,
}

/// The short detail shown after the duration: `gpt-4o · 82→17 tokens` for an
/// LLM span, `3 docs · top 0.87` for a retriever.
fn detail(kind: &str, span: &SpanData) -> Option<String> {
    let get = |key: &str| {
        span.attributes
            .iter()
            .rev()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| &kv.value)
    };
    match kind {
        "LLM" => {
            let model = get("llm.model_name").map(|v| v.as_str().into_owned());
            let prompt = get("llm.token_count.prompt").and_then(as_int);
            let completion = get("llm.token_count.completion").and_then(as_int);
            let tokens = match (prompt, completion) {
                (Some(p), Some(c)) => Some(format!("{p}→{c} tokens")),
                (Some(p), None) => Some(format!("{p} prompt tokens")),
                _ => get("llm.token_count.total")
                    .and_then(as_int)
                    .map(|t| format!("{t} tokens")),
            };
            let parts: Vec<String> = [model, tokens].into_iter().flatten().collect();
            (!parts.is_empty()).then(|| parts.join(" · "))
        }
        "RETRIEVER" | "RERANKER" => {
            let mut docs = std::collections::BTreeSet::new();
            let mut top: Option<f64> = None;
            for kv in &span.attributes {
                let key = kv.key.as_str();
                let rest = key
                    .strip_prefix("retrieval.documents.")
                    .or_else(|| key.strip_prefix("reranker.output_documents."));
                if let Some((index, field)) = rest.and_then(|r| r.split_once('.')) {
                    docs.insert(index.to_owned());
                    if field == "document.score" {
                        if let Value::F64(score) = kv.value {
                            top = Some(top.map_or(score, |t: f64| t.max(score)));
                        }
                    }
                }
            }
            if docs.is_empty() {
                return None;
            }
            let n = docs.len();
            let noun = if n == 1 { "doc" } else { "docs" };
            Some(match top {
                Some(top) => format!("{n} {noun} · top {top:.2}"),
                None => format!("{n} {noun}"),
            })
        }
        _ => None,
    }
}

fn as_int(v: &Value) -> Option<i64> {
    match v {
        Value::I64(i) => Some(*i),
        _ => None,
    }
}

impl Row {
    fn from_span(span: &SpanData) -> Self {
        let mut kind = None;
        let mut cancelled = false;
        for kv in &span.attributes {
            match kv.key.as_str() {
                semconv::OPENINFERENCE_SPAN_KIND => kind = Some(kv.value.as_str().into_owned()),
                semconv::CANCELLED => cancelled = matches!(kv.value, Value::Bool(true)),
                _ => {}
            }
        }
        let kind = kind.unwrap_or_else(|| "SPAN".to_owned());
        let detail = detail(&kind, span);
        let error = match &span.status {
            Status::Error { description } => Some(description.to_string()),
            _ => None,
        };
        Self {
            span_id: span.span_context.span_id(),
            parent_id: span.parent_span_id,
            kind,
            name: span.name.to_string(),
            start: span.start_time,
            duration: span
                .end_time
                .duration_since(span.start_time)
                .unwrap_or_default(),
            error,
            cancelled,
            detail,
        }
    }
}

struct Pending {
    rows: Vec<Row>,
    /// Annotation lines made before the trace printed: (span, text),
    /// printed under their span's row.
    notes: Vec<(Option<SpanId>, String)>,
    first_seen: Instant,
    truncated: usize,
}

/// Collects spans per trace and prints each trace when its root ends.
pub(crate) struct Waterfall {
    pending: HashMap<TraceId, Pending>,
    /// The names of the spans printed last, for annotations made after
    /// their trace printed.
    printed: VecDeque<(SpanId, String)>,
    order: VecDeque<TraceId>,
    out: Box<dyn Write + Send>,
    color: bool,
}

impl Waterfall {
    /// A waterfall on stderr, coloured only on a terminal without `NO_COLOR`.
    pub(crate) fn stderr() -> Self {
        let color = use_color(
            std::io::stderr().is_terminal(),
            std::env::var_os("NO_COLOR").as_deref(),
        );
        Self::new(Box::new(std::io::stderr()), color)
    }

    pub(crate) fn new(out: Box<dyn Write + Send>, color: bool) -> Self {
        Self {
            pending: HashMap::new(),
            printed: VecDeque::new(),
            order: VecDeque::new(),
            out,
            color,
        }
    }

    /// Takes one finished span; prints its trace if it is the local root.
    pub(crate) fn observe(&mut self, span: &SpanData) {
        let trace_id = span.span_context.trace_id();
        let is_root = span.parent_span_id == SpanId::INVALID || span.parent_span_is_remote;
        let pending = self.pending_for(trace_id);
        if pending.rows.len() < MAX_ROWS || is_root {
            pending.rows.push(Row::from_span(span));
        } else {
            pending.truncated += 1;
        }
        if is_root {
            self.print_trace(trace_id, false);
        }
    }

    /// The trace being collected, started if it is new (the oldest prints
    /// as incomplete when [`MAX_TRACES`] wait).
    fn pending_for(&mut self, trace_id: TraceId) -> &mut Pending {
        if !self.pending.contains_key(&trace_id) {
            if self.pending.len() >= MAX_TRACES {
                if let Some(oldest) = self.order.pop_front() {
                    self.print_trace(oldest, true);
                }
            }
            self.order.push_back(trace_id);
        }
        self.pending.entry(trace_id).or_insert_with(|| Pending {
            rows: Vec::new(),
            notes: Vec::new(),
            first_seen: Instant::now(),
            truncated: 0,
        })
    }

    /// Prints traces whose root has not ended for [`STALE_AFTER`].
    pub(crate) fn evict_stale(&mut self) {
        while let Some(oldest) = self.order.front().copied() {
            match self.pending.get(&oldest) {
                Some(p) if p.first_seen.elapsed() >= STALE_AFTER => {
                    self.order.pop_front();
                    self.print_trace(oldest, true);
                }
                Some(_) => break,
                None => {
                    self.order.pop_front();
                }
            }
        }
    }

    /// An annotation's line (`✎ correctness [CODE] = 1`): under its span's
    /// row when its trace is still being collected or `coming` (its span is
    /// observed next), else at once.
    pub(crate) fn annotation(
        &mut self,
        trace: Option<TraceId>,
        span: Option<SpanId>,
        text: &str,
        coming: bool,
    ) {
        if let Some(trace) = trace.filter(|t| coming || self.pending.contains_key(t)) {
            self.pending_for(trace).notes.push((span, text.to_owned()));
            return;
        }
        let name = span.and_then(|s| self.printed.iter().find(|(id, _)| *id == s));
        let on = match (name, span) {
            (Some((_, name)), _) => format!("{name}: "),
            (None, Some(s)) => format!("span {s}: "),
            (None, None) => String::new(),
        };
        let line = paint(self.color, "35", &format!("  ✎ {on}{text}")) + "\n";
        let _ = self.out.write_all(line.as_bytes());
        let _ = self.out.flush();
    }

    /// Prints every trace still waiting (at shutdown).
    pub(crate) fn print_incomplete(&mut self) {
        while let Some(oldest) = self.order.pop_front() {
            self.print_trace(oldest, true);
        }
    }

    fn print_trace(&mut self, trace_id: TraceId, incomplete: bool) {
        let Some(pending) = self.pending.remove(&trace_id) else {
            return;
        };
        self.order.retain(|t| *t != trace_id);
        let text = render(
            trace_id,
            &pending.rows,
            &pending.notes,
            pending.truncated,
            incomplete,
            self.color,
        );
        let _ = self.out.write_all(text.as_bytes());
        let _ = self.out.flush();
        for row in pending.rows {
            if self.printed.len() >= PRINTED_NAMES {
                self.printed.pop_front();
            }
            self.printed.push_back((row.span_id, row.name));
        }
    }
}
