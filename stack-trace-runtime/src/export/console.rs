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

use std::collections::{HashMap, VecDeque};
use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write};
use std::time::{Duration, Instant, SystemTime};

use opentelemetry::trace::{SpanId, Status, TraceId};
use opentelemetry::Value;
use opentelemetry_sdk::trace::SpanData;

use crate::semconv;

/// Traces waiting for their root at most.
pub(crate) const MAX_TRACES: usize = 256;
/// Spans kept per waiting trace at most.
pub(crate) const MAX_ROWS: usize = 2_000;
/// A trace whose root has not ended after this long prints as incomplete.
pub(crate) const STALE_AFTER: Duration = Duration::from_secs(60);
const NAME_WIDTH_CAP: usize = 60;

/// One span, reduced to what the waterfall shows.
#[derive(Clone, Debug)]
pub(crate) struct Row {
    span_id: SpanId,
    parent_id: SpanId,
    kind: String,
    name: String,
    start: SystemTime,
    duration: Duration,
    error: Option<String>,
    cancelled: bool,
    /// Kind-specific detail: model and tokens, documents and top score.
    detail: Option<String>,
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
    /// Annotation lines made before the trace printed, printed after it.
    notes: Vec<String>,
    first_seen: Instant,
    truncated: usize,
}

/// Collects spans per trace and prints each trace when its root ends.
pub(crate) struct Waterfall {
    pending: HashMap<TraceId, Pending>,
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
            order: VecDeque::new(),
            out,
            color,
        }
    }

    /// Takes one finished span; prints its trace if it is the local root.
    pub(crate) fn observe(&mut self, span: &SpanData) {
        let trace_id = span.span_context.trace_id();
        let is_root = span.parent_span_id == SpanId::INVALID || span.parent_span_is_remote;
        if !self.pending.contains_key(&trace_id) {
            if self.pending.len() >= MAX_TRACES {
                if let Some(oldest) = self.order.pop_front() {
                    self.print_trace(oldest, true);
                }
            }
            self.pending.insert(
                trace_id,
                Pending {
                    rows: Vec::new(),
                    notes: Vec::new(),
                    first_seen: Instant::now(),
                    truncated: 0,
                },
            );
            self.order.push_back(trace_id);
        }
        if let Some(pending) = self.pending.get_mut(&trace_id) {
            if pending.rows.len() < MAX_ROWS || is_root {
                pending.rows.push(Row::from_span(span));
            } else {
                pending.truncated += 1;
            }
        }
        if is_root {
            self.print_trace(trace_id, false);
        }
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

    /// An annotation's line (`✎ span 00f0…: correctness [CODE] = 1`): after
    /// its trace when that is still being collected, else at once.
    pub(crate) fn annotation(&mut self, trace: Option<TraceId>, span: Option<SpanId>, text: &str) {
        let on = span.map(|s| format!("span {s}: ")).unwrap_or_default();
        let line = paint(self.color, "35", &format!("  ✎ {on}{text}")) + "\n";
        match trace.and_then(|t| self.pending.get_mut(&t)) {
            Some(pending) => pending.notes.push(line),
            None => {
                let _ = self.out.write_all(line.as_bytes());
                let _ = self.out.flush();
            }
        }
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
            pending.truncated,
            incomplete,
            self.color,
        );
        let _ = self.out.write_all(text.as_bytes());
        for note in &pending.notes {
            let _ = self.out.write_all(note.as_bytes());
        }
        let _ = self.out.flush();
    }
}

/// Colours only on a terminal, and never when `NO_COLOR` is set to anything
/// non-empty (<https://no-color.org>).
pub(crate) fn use_color(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && no_color.is_none_or(std::ffi::OsStr::is_empty)
}

/// Formats a duration the way people read them: `850µs`, `4.2ms`, `18.4s`.
pub(crate) fn human_duration(d: Duration) -> String {
    let micros = d.as_micros();
    if micros < 1_000 {
        format!("{micros}µs")
    } else if micros < 100_000 {
        format!("{:.1}ms", d.as_secs_f64() * 1_000.0)
    } else if micros < 1_000_000 {
        format!("{}ms", d.as_millis())
    } else if d.as_secs() < 600 {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{}m{:02}s", d.as_secs() / 60, d.as_secs() % 60)
    }
}

fn paint(color: bool, code: &str, text: &str) -> String {
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_owned()
    }
}

fn kind_color(kind: &str) -> &'static str {
    match kind {
        "AGENT" => "1;35",
        "LLM" => "1;36",
        "TOOL" => "1;33",
        "RETRIEVER" | "RERANKER" | "EMBEDDING" => "1;32",
        "GUARDRAIL" | "EVALUATOR" => "1;34",
        _ => "1",
    }
}

/// Renders one trace as an indented tree, children in start order.
pub(crate) fn render(
    trace_id: TraceId,
    rows: &[Row],
    truncated: usize,
    incomplete: bool,
    color: bool,
) -> String {
    let ids: std::collections::HashSet<SpanId> = rows.iter().map(|r| r.span_id).collect();
    let mut children: HashMap<SpanId, Vec<usize>> = HashMap::new();
    let mut roots = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        if ids.contains(&row.parent_id) && row.parent_id != row.span_id {
            children.entry(row.parent_id).or_default().push(i);
        } else {
            roots.push(i);
        }
    }
    let by_start = |a: &usize, b: &usize| rows[*a].start.cmp(&rows[*b].start);
    roots.sort_by(by_start);
    for list in children.values_mut() {
        list.sort_by(by_start);
    }
    let mut ordered: Vec<(usize, usize)> = Vec::with_capacity(rows.len());
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&i| (i, 0)).collect();
    while let Some((i, depth)) = stack.pop() {
        ordered.push((i, depth));
        if let Some(kids) = children.get(&rows[i].span_id) {
            stack.extend(kids.iter().rev().map(|&k| (k, depth + 1)));
        }
    }
    let width = ordered
        .iter()
        .map(|&(i, d)| d * 2 + rows[i].name.chars().count())
        .max()
        .unwrap_or(0)
        .min(NAME_WIDTH_CAP);
    let mut out = String::new();
    let title = format!(
        "trace {trace_id}{}",
        if incomplete { " (incomplete)" } else { "" }
    );
    let _ = writeln!(out, "{}", paint(color, "2", &format!("── {title} ──")));
    for (i, depth) in ordered {
        let row = &rows[i];
        let label = format!("{}{}", "  ".repeat(depth), row.name);
        let label: String = if label.chars().count() > width {
            label
                .chars()
                .take(width.saturating_sub(1))
                .chain(['…'])
                .collect()
        } else {
            label
        };
        let pad = width - label.chars().count();
        let _ = write!(
            out,
            "{} {}{} {:>8}",
            paint(color, kind_color(&row.kind), &format!("{:<9}", row.kind)),
            label,
            " ".repeat(pad),
            human_duration(row.duration)
        );
        if let Some(detail) = &row.detail {
            let _ = write!(out, "  {}", paint(color, "2", detail));
        }
        if let Some(error) = &row.error {
            let _ = write!(out, "  {}", paint(color, "31", &format!("ERROR {error}")));
        }
        if row.cancelled {
            let _ = write!(out, "  {}", paint(color, "33", "cancelled"));
        }
        out.push('\n');
    }
    if truncated > 0 {
        let _ = writeln!(out, "… {truncated} more spans not shown");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: u64, parent: u64, kind: &str, name: &str, start_ms: u64, ms: u64) -> Row {
        Row {
            span_id: SpanId::from(id),
            parent_id: SpanId::from(parent),
            kind: kind.to_owned(),
            name: name.to_owned(),
            start: SystemTime::UNIX_EPOCH + Duration::from_millis(start_ms),
            duration: Duration::from_millis(ms),
            error: None,
            cancelled: false,
            detail: None,
        }
    }

    #[test]
    fn renders_an_indented_tree_in_start_order() {
        let mut llm = row(2, 1, "LLM", "chat", 10, 4_200);
        llm.detail = Some("gpt-4o · 82→17 tokens".to_owned());
        let mut tool = row(3, 1, "TOOL", "search_docs", 5_000, 300);
        tool.error = Some("IndexError: gone".to_owned());
        let rows = vec![
            row(4, 3, "RETRIEVER", "Index::search", 5_050, 200),
            tool,
            llm,
            row(1, 0, "AGENT", "Agent::run", 0, 18_400),
        ];
        let text = render(TraceId::from(0xabcu128), &rows, 0, false, false);
        let lines: Vec<&str> = text.lines().collect();
        assert!(
            lines[0].contains("trace 00000000000000000000000000000abc"),
            "{text}"
        );
        assert_eq!(lines[1], "AGENT     Agent::run           18.4s");
        assert_eq!(
            lines[2],
            "LLM         chat                4.2s  gpt-4o · 82→17 tokens"
        );
        assert_eq!(
            lines[3],
            "TOOL        search_docs        300ms  ERROR IndexError: gone"
        );
        assert_eq!(lines[4], "RETRIEVER     Index::search    200ms");
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(human_duration(Duration::from_micros(850)), "850µs");
        assert_eq!(human_duration(Duration::from_micros(4_200)), "4.2ms");
        assert_eq!(human_duration(Duration::from_micros(312_400)), "312ms");
        assert_eq!(human_duration(Duration::from_millis(18_400)), "18.4s");
        assert_eq!(human_duration(Duration::from_secs(3_700)), "61m40s");
    }

    #[test]
    fn colour_needs_a_terminal_and_no_no_color() {
        use std::ffi::OsStr;
        assert!(use_color(true, None));
        assert!(use_color(true, Some(OsStr::new(""))));
        assert!(!use_color(true, Some(OsStr::new("1"))));
        assert!(!use_color(false, None));
    }

    #[test]
    fn colour_only_when_asked() {
        let rows = vec![row(1, 0, "LLM", "chat", 0, 1)];
        assert!(!render(TraceId::from(1u128), &rows, 0, false, false).contains('\x1b'));
        assert!(render(TraceId::from(1u128), &rows, 0, false, true).contains('\x1b'));
    }
}
