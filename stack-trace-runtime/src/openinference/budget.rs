//! How much of one long list a span keeps, so that what matters survives.
//!
//! A span holds a fixed number of attributes (10,000, set where the provider
//! is built). A transcript of 6,000 messages alone would fill it, and the
//! attributes written after it (`output.value`, the response's messages,
//! token counts, model, invocation parameters) would be dropped. So each
//! list a kind flattens (input and output messages, prompts, tools,
//! documents, embeddings) may take at most [`LIST_ATTRIBUTES`], cut at whole
//! items:
//!
//! - a transcript keeps its leading system (or developer) message and the
//!   most recent messages ([`flatten_tail`]);
//! - documents, embeddings, prompts and tools keep their first items, in
//!   rank or argument order ([`flatten_head`]).
//!
//! Items keep the index they had in the whole list (Phoenix orders by
//! index and renders the gap away), and `stack_trace.{list}.omitted` says
//! how many were left out. Past the span's limit, [`is_vital`] keys still
//! get [`VITAL_RESERVE`] more places, so even a span flooded by hand keeps
//! its output, tokens and model.

use opentelemetry::KeyValue;

use super::keys;
use crate::semconv;

/// The attributes one flattened list may take on a span: three lists (a
/// transcript, the tools and the response) stay under the span's 10,000
/// with a thousand to spare.
pub(crate) const LIST_ATTRIBUTES: usize = 3_000;

/// Places past the span's attribute limit that only [`is_vital`] keys take.
pub(crate) const VITAL_RESERVE: usize = 256;

/// Whether an attribute is one a reader needs first: the output, the
/// response's messages and finish reason, token counts, the model and its
/// parameters, what was left out and what was scrubbed.
pub(crate) fn is_vital(key: &str) -> bool {
    matches!(
        key,
        semconv::OPENINFERENCE_SPAN_KIND
            | semconv::OUTPUT_VALUE
            | semconv::OUTPUT_MIME_TYPE
            | semconv::SCRUBBED
            | semconv::CANCELLED
            | keys::LLM_MODEL_NAME
            | keys::LLM_SYSTEM
            | keys::LLM_PROVIDER
            | keys::LLM_INVOCATION_PARAMETERS
            | keys::LLM_FINISH_REASON
            | keys::LLM_REQUEST_MODEL_NAME
            | keys::LLM_RESPONSE_MODEL_NAME
            | keys::EMBEDDING_MODEL_NAME
            | keys::EMBEDDING_INVOCATION_PARAMETERS
            | keys::RERANKER_MODEL_NAME
    ) || key.starts_with("llm.token_count.")
        || key.starts_with("llm.output_messages.")
        || (key.starts_with("stack_trace.") && key.ends_with(".omitted"))
}

/// `stack_trace.{prefix}.omitted`: how many items of the list under
/// `prefix` were left out.
pub(crate) fn omitted_key(prefix: &str) -> String {
    keys::join(&keys::join("stack_trace", prefix), "omitted")
}

fn note_omitted(prefix: &str, omitted: usize, out: &mut Vec<KeyValue>) {
    if omitted > 0 {
        let count = i64::try_from(omitted).unwrap_or(i64::MAX);
        out.push(KeyValue::new(omitted_key(prefix), count));
    }
}

/// Flattens `items` in order under `prefix`, each by `write(index, item,
/// out)`, until the next item would take the list past `budget` attributes;
/// the rest are counted. Returns how many items were written.
pub(crate) fn flatten_head<T>(
    prefix: &str,
    items: impl IntoIterator<Item = T>,
    budget: usize,
    out: &mut Vec<KeyValue>,
    mut write: impl FnMut(usize, T, &mut Vec<KeyValue>),
) -> usize {
    let start = out.len();
    let mut items = items.into_iter();
    let mut written = 0;
    for item in items.by_ref() {
        let before = out.len();
        write(written, item, out);
        if out.len() - start > budget {
            out.truncate(before);
            note_omitted(prefix, 1 + items.count(), out);
            break;
        }
        written += 1;
    }
    written
}

/// [`flatten_head`] for a list of one attribute per item,
/// `{prefix}.{i}.{suffix}` = `value(item)` (prompts, tools).
pub(crate) fn flatten_values<T>(
    prefix: &str,
    suffix: &str,
    items: impl IntoIterator<Item = T>,
    out: &mut Vec<KeyValue>,
    value: impl Fn(T) -> String,
) -> usize {
    flatten_head(prefix, items, LIST_ATTRIBUTES, out, |i, item, out| {
        out.push(KeyValue::new(keys::indexed(prefix, i, suffix), value(item)));
    })
}

/// Flattens a transcript under `prefix`: every message when they fit in
/// `budget` attributes, else the first message when it is a system (or
/// developer) message and then as many of the most recent messages as fit.
/// `is_item` says which values are messages (others take no index);
/// `is_system` which message is kept first; `write(index, message, out)`
/// writes one. Returns how many messages were written.
pub(crate) fn flatten_tail<T>(
    prefix: &str,
    items: &[T],
    budget: usize,
    out: &mut Vec<KeyValue>,
    is_item: impl Fn(&T) -> bool,
    is_system: impl Fn(&T) -> bool,
    mut write: impl FnMut(usize, &T, &mut Vec<KeyValue>),
) -> usize {
    let start = out.len();
    // Most transcripts fit: written straight, in one pass.
    let mut index = 0;
    for message in items.iter().filter(|i| is_item(i)) {
        write(index, message, out);
        index += 1;
        if out.len() - start > budget {
            break;
        }
    }
    if out.len() - start <= budget {
        return index;
    }
    out.truncate(start);
    let total = items.iter().filter(|i| is_item(i)).count();
    let mut messages = items.iter().filter(|i| is_item(i));
    // The first message, kept whatever the length when it sets the scene.
    let head = match messages.next() {
        Some(first) if is_system(first) || total == 1 => {
            write(0, first, out);
            1
        }
        _ => 0,
    };
    // Then from the most recent back, each message into its own place; the
    // kept ones are put back in order below.
    let mut kept: Vec<Vec<KeyValue>> = Vec::new();
    let mut used = out.len() - start;
    let mut index = total;
    for message in items.iter().rev().filter(|i| is_item(i)) {
        if index == head {
            break;
        }
        index -= 1;
        let mut one = Vec::new();
        write(index, message, &mut one);
        if used + one.len() > budget {
            break;
        }
        used += one.len();
        kept.push(one);
    }
    let written = head + kept.len();
    for one in kept.into_iter().rev() {
        out.extend(one);
    }
    note_omitted(prefix, total - written, out);
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys_of(out: &[KeyValue]) -> Vec<String> {
        out.iter().map(|kv| kv.key.to_string()).collect()
    }

    fn write_pair(index: usize, item: &u32, out: &mut Vec<KeyValue>) {
        let item = *item;
        let base = keys::indexed("list", index, "item");
        out.push(KeyValue::new(keys::join(&base, "a"), i64::from(item)));
        out.push(KeyValue::new(keys::join(&base, "b"), i64::from(item)));
    }

    #[test]
    fn head_keeps_whole_items_within_the_budget_and_counts_the_rest() {
        let mut out = Vec::new();
        let items = [1u32, 2, 3, 4, 5];
        let written = flatten_head("list", items, 5, &mut out, |i, item, out| {
            write_pair(i, &item, out);
        });
        assert_eq!(written, 2);
        assert_eq!(
            keys_of(&out),
            [
                "list.0.item.a",
                "list.0.item.b",
                "list.1.item.a",
                "list.1.item.b",
                "stack_trace.list.omitted"
            ]
        );
        assert_eq!(out[4].value, opentelemetry::Value::I64(3));
    }

    #[test]
    fn head_writes_everything_that_fits_and_notes_nothing() {
        let mut out = Vec::new();
        let written = flatten_head("list", [1u32, 2], 4, &mut out, |i, item, out| {
            write_pair(i, &item, out);
        });
        assert_eq!((written, out.len()), (2, 4));
    }

    #[test]
    fn tail_keeps_the_system_message_and_the_most_recent_in_order() {
        // 0 is the system message, 99 is not a message at all.
        let items: Vec<u32> = vec![0, 1, 99, 2, 3, 4, 5];
        let mut out = Vec::new();
        let written = flatten_tail(
            "list",
            &items,
            6,
            &mut out,
            |i| *i != 99,
            |i| *i == 0,
            write_pair,
        );
        assert_eq!(written, 3);
        let keys = keys_of(&out);
        assert_eq!(
            keys,
            [
                "list.0.item.a",
                "list.0.item.b",
                "list.4.item.a",
                "list.4.item.b",
                "list.5.item.a",
                "list.5.item.b",
                "stack_trace.list.omitted"
            ]
        );
        assert_eq!(out[2].value, opentelemetry::Value::I64(4));
        assert_eq!(out[6].value, opentelemetry::Value::I64(3));
    }

    #[test]
    fn tail_without_a_system_message_keeps_only_the_most_recent() {
        let items: Vec<u32> = (1..=10).collect();
        let mut out = Vec::new();
        let written = flatten_tail("list", &items, 4, &mut out, |_| true, |_| false, write_pair);
        assert_eq!(written, 2);
        assert_eq!(keys_of(&out)[0], "list.8.item.a");
        assert_eq!(out[0].value, opentelemetry::Value::I64(9));
        assert_eq!(out[4].value, opentelemetry::Value::I64(8));
    }

    #[test]
    fn a_transcript_that_fits_is_written_whole() {
        let items: Vec<u32> = vec![0, 1, 2];
        let mut out = Vec::new();
        let written = flatten_tail(
            "list",
            &items,
            6,
            &mut out,
            |_| true,
            |i| *i == 0,
            write_pair,
        );
        assert_eq!(written, 3);
        let keys = keys_of(&out);
        assert_eq!(keys.len(), 6);
        assert_eq!(keys[2], "list.1.item.a");
        assert_eq!(keys[5], "list.2.item.b");
    }

    #[test]
    fn vital_keys() {
        for key in [
            "output.value",
            "llm.token_count.total",
            "llm.model_name",
            "llm.invocation_parameters",
            "llm.output_messages.0.message.content",
            "stack_trace.llm.input_messages.omitted",
        ] {
            assert!(is_vital(key), "{key}");
        }
        for key in [
            "llm.input_messages.0.message.role",
            "input.value",
            "metadata",
        ] {
            assert!(!is_vital(key), "{key}");
        }
    }
}
