//! Rendering one trace: the indented tree, durations people read, colours
//! on a terminal only, and annotation lines under their spans.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Duration;

use opentelemetry::trace::{SpanId, TraceId};

use super::Row;

const NAME_WIDTH_CAP: usize = 60;

/// Colours only on a terminal, and never when `NO_COLOR` is set to anything
/// non-empty (<https://no-color.org>).
pub(super) fn use_color(is_terminal: bool, no_color: Option<&std::ffi::OsStr>) -> bool {
    is_terminal && no_color.is_none_or(std::ffi::OsStr::is_empty)
}

/// Formats a duration the way people read them: `850µs`, `4.2ms`, `18.4s`.
fn human_duration(d: Duration) -> String {
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

pub(super) fn paint(color: bool, code: &str, text: &str) -> String {
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
pub(super) fn render(
    trace_id: TraceId,
    rows: &[Row],
    notes: &[(Option<SpanId>, String)],
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
        for (_, text) in notes.iter().filter(|(span, _)| *span == Some(row.span_id)) {
            let note = format!("{}  ✎ {text}", "  ".repeat(depth));
            let _ = writeln!(out, "{}", paint(color, "35", &note));
        }
    }
    // Notes on the trace, or on spans not shown.
    for (span, text) in notes {
        if span.is_none_or(|s| !ids.contains(&s)) {
            let on = span.map(|s| format!("span {s}: ")).unwrap_or_default();
            let _ = writeln!(out, "{}", paint(color, "35", &format!("  ✎ {on}{text}")));
        }
    }
    if truncated > 0 {
        let _ = writeln!(out, "… {truncated} more spans not shown");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

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
        let notes = vec![
            (Some(SpanId::from(3)), "relevance [CODE] = 1.0".to_owned()),
            (None, "trace: user_feedback [HUMAN] (thumbs_up)".to_owned()),
        ];
        let text = render(TraceId::from(0xabcu128), &rows, &notes, 0, false, false);
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
        assert_eq!(lines[4], "    ✎ relevance [CODE] = 1.0");
        assert_eq!(lines[5], "RETRIEVER     Index::search    200ms");
        assert_eq!(lines[6], "  ✎ trace: user_feedback [HUMAN] (thumbs_up)");
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
        assert!(!render(TraceId::from(1u128), &rows, &[], 0, false, false).contains('\x1b'));
        assert!(render(TraceId::from(1u128), &rows, &[], 0, false, true).contains('\x1b'));
    }
}
