//! One value per key, chosen by precedence: what the user sets by hand on the
//! span wins over what the macros capture automatically.
//!
//! The OpenTelemetry SDK appends every `set_attribute` (it does not replace),
//! so a key set twice would go out twice. Spans from our macros carry an
//! internal marker attribute written just before the automatic capture of the
//! call's outcome (output, tokens, documents). Before the marker come the
//! automatic capture of the inputs, then anything set by hand during the body;
//! after it only automatic values. So: among the keys before the marker, the
//! last write wins (hand-set overrides input capture); a key after the marker
//! that was already set before it loses (hand-set output wins); and when the
//! user set any key of a flattened list (`llm.output_messages.0...`) by hand,
//! the automatic entries of that list are dropped whole, so lists are never
//! mixed. Spans without the marker follow OpenTelemetry's rule: last write
//! wins. The marker itself never leaves the process.

use std::collections::{HashMap, HashSet};

use opentelemetry::KeyValue;

/// The internal marker key (removed before export).
pub(crate) const OUTCOME_MARKER: &str = "stack_trace.internal.outcome";

/// Groups whose automatic entries go as a whole when the user set any key of
/// them by hand: flattened lists, and `output.value` with its mime type.
const LISTS: &[&str] = &[
    "output.",
    "llm.input_messages.",
    "llm.output_messages.",
    "llm.tools.",
    "retrieval.documents.",
    "reranker.input_documents.",
    "reranker.output_documents.",
    "embedding.embeddings.",
];

fn list_of(key: &str) -> Option<&'static str> {
    LISTS.iter().copied().find(|p| key.starts_with(p))
}

/// A bit per group of [`LISTS`] (among those in `candidates`) that the keys
/// touch.
fn groups(attributes: &[KeyValue], candidates: u32) -> u32 {
    if candidates == 0 {
        return 0;
    }
    attributes.iter().fold(0, |mask, kv| {
        let key = kv.key.as_str();
        LISTS
            .iter()
            .enumerate()
            .filter(|(i, _)| candidates & (1 << i) != 0)
            .find(|(_, p)| key.starts_with(*p))
            .map_or(mask, |(i, _)| mask | (1 << i))
    })
}

/// Removes the losers and the marker, keeping the order of the winners.
/// The common case (no key set twice, no hand-set group) allocates nothing.
pub(crate) fn resolve(attributes: &mut Vec<KeyValue>) {
    let marker = attributes
        .iter()
        .position(|kv| kv.key.as_str() == OUTCOME_MARKER);
    if let Some(m) = marker {
        attributes.remove(m);
    }
    resolve_split(attributes, marker);
}

/// Removes the losers, keeping the order of the winners, for a list whose
/// automatic capture of the outcome starts at `outcome_from` (the marker's
/// place, the marker itself not in the list).
pub(crate) fn resolve_split(attributes: &mut Vec<KeyValue>, outcome_from: Option<usize>) {
    let split = outcome_from
        .unwrap_or(attributes.len())
        .min(attributes.len());
    // Groups written automatically after the split, then whether the user
    // touched any of them before it (usually only a few keys to check).
    let groups_overlap = outcome_from.is_some() && {
        let after = groups(&attributes[split..], u32::MAX);
        groups(&attributes[..split], after) != 0
    };
    if !groups_overlap && !has_duplicates(attributes) {
        return;
    }
    // Keys (and lists) set in the first part: the last write of each wins.
    let mut last_before: HashMap<&str, usize> = HashMap::new();
    for (i, kv) in attributes[..split].iter().enumerate() {
        last_before.insert(kv.key.as_str(), i);
    }
    let lists_before: HashSet<&'static str> =
        last_before.keys().filter_map(|k| list_of(k)).collect();
    let mut seen_after: HashSet<&str> = HashSet::new();
    let keep: Vec<bool> = attributes
        .iter()
        .enumerate()
        .map(|(i, kv)| {
            let key = kv.key.as_str();
            if i < split {
                last_before.get(key) == Some(&i)
            } else {
                !last_before.contains_key(key)
                    && list_of(key).is_none_or(|list| !lists_before.contains(list))
                    && seen_after.insert(key)
            }
        })
        .collect();
    let mut index = 0;
    attributes.retain(|_| {
        let k = keep[index];
        index += 1;
        k
    });
}

fn has_duplicates(attributes: &[KeyValue]) -> bool {
    if attributes.len() <= 16 {
        return attributes
            .iter()
            .enumerate()
            .any(|(i, a)| attributes[..i].iter().any(|b| a.key == b.key));
    }
    let mut seen = HashSet::with_capacity(attributes.len());
    !attributes.iter().all(|kv| seen.insert(kv.key.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kv(k: &'static str, v: &'static str) -> KeyValue {
        KeyValue::new(k, v)
    }

    fn resolved(mut attrs: Vec<KeyValue>) -> Vec<(String, String)> {
        resolve(&mut attrs);
        attrs
            .into_iter()
            .map(|kv| (kv.key.to_string(), kv.value.as_str().into_owned()))
            .collect()
    }

    fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
        list.iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn hand_set_input_overrides_automatic_input() {
        let got = resolved(vec![
            kv("openinference.span.kind", "LLM"),
            kv("input.value", "auto"),
            kv("input.value", "by hand"),
            kv(OUTCOME_MARKER, "1"),
            kv("output.value", "auto out"),
        ]);
        assert_eq!(
            got,
            pairs(&[
                ("openinference.span.kind", "LLM"),
                ("input.value", "by hand"),
                ("output.value", "auto out")
            ])
        );
    }

    #[test]
    fn hand_set_output_and_lists_win_over_automatic_outcome() {
        let got = resolved(vec![
            kv("input.value", "in"),
            kv("output.value", "by hand"),
            kv("llm.output_messages.0.message.content", "hand message"),
            kv(OUTCOME_MARKER, "1"),
            kv("output.value", "auto"),
            kv("output.mime_type", "application/json"),
            kv("llm.output_messages.0.message.role", "assistant"),
            kv("llm.output_messages.0.message.content", "auto message"),
            kv("llm.token_count.total", "9"),
        ]);
        assert_eq!(
            got,
            pairs(&[
                ("input.value", "in"),
                ("output.value", "by hand"),
                ("llm.output_messages.0.message.content", "hand message"),
                ("llm.token_count.total", "9"),
            ])
        );
    }

    #[test]
    fn without_marker_last_write_wins_and_clean_spans_are_untouched() {
        assert_eq!(
            resolved(vec![kv("a", "1"), kv("b", "2"), kv("a", "3")]),
            pairs(&[("b", "2"), ("a", "3")])
        );
        assert_eq!(
            resolved(vec![kv("a", "1"), kv("b", "2")]),
            pairs(&[("a", "1"), ("b", "2")])
        );
    }
}
