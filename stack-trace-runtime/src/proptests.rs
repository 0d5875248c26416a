//! Property tests: arbitrary JSON values (any Unicode, NaN-free floats,
//! deep and wide nesting), alone and inside the shapes the flattening code
//! looks for, through capture and every flattening path. Nothing panics,
//! every key is well formed, every JSON-typed attribute parses, and the
//! size cap holds.

use opentelemetry::{KeyValue, Value as Otel};
use proptest::prelude::*;
use serde_json::{json, Map, Value};

use crate::capture;
use crate::openinference::{self, stream::LlmStream, Roles};

fn arb_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from), // NaN and infinities become null
        any::<String>().prop_map(Value::String),
        "(user|assistant|system|tool|text|image_url|tool_use|tool_result|function)"
            .prop_map(Value::String),
    ];
    leaf.prop_recursive(6, 200, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(Value::Array),
            prop::collection::btree_map(
                "(role|content|type|text|id|name|arguments|tool_calls|function|score|metadata|\
                 choices|message|usage|prompt_tokens|input_tokens|model|api_key|password|\
                 Authorization|max_tokens|[a-z]{1,6}|.{0,4})",
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// Arbitrary values in the places the readers look.
fn arb_shaped() -> impl Strategy<Value = Value> {
    (arb_json(), arb_json(), arb_json(), arb_json()).prop_map(|(a, b, c, d)| {
        json!({
            "model": a,
            "choices": [{"index": 0, "message": {"role": "assistant", "content": b, "tool_calls": [c]}, "delta": {"content": b, "tool_calls": [c]}}],
            "content": [{"type": "text", "text": b}, {"type": "tool_use", "input": c}, d],
            "usage": d,
            "type": "message",
            "role": "assistant",
            "messages": [a, {"role": "user", "content": [b, c]}],
            "tools": [c, d],
            "documents": [b, {"id": a, "content": c, "score": d, "metadata": d}],
        })
    })
}

/// `llm.input_messages.0.message.content`-style: dot-separated segments of
/// lowercase ASCII letters, digits and underscores; no empty segment.
fn well_formed(key: &str) -> bool {
    !key.is_empty()
        && key.split('.').all(|segment| {
            !segment.is_empty()
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        })
}

fn json_typed(key: &str) -> bool {
    key == "llm.invocation_parameters"
        || key == "metadata"
        || key.ends_with(".json_schema")
        || key.ends_with(".document.metadata")
        || key == "tool.parameters"
}

fn check(attributes: &[KeyValue]) -> Result<(), TestCaseError> {
    for kv in attributes {
        let key = kv.key.as_str();
        prop_assert!(well_formed(key), "malformed key {key:?}");
        if json_typed(key) {
            if let Otel::String(s) = &kv.value {
                prop_assert!(
                    serde_json::from_str::<Value>(s.as_str()).is_ok(),
                    "{key} is not JSON: {s}"
                );
            }
        }
    }
    Ok(())
}

static ROLES: Roles = Roles {
    messages: Some("messages"),
    tools: Some("tools"),
    model_param: Some("model"),
    query: Some("query"),
    documents: Some("documents"),
    input: Some("input"),
    ..Roles::NONE
};

fn through_everything(value: &Value) -> Result<(), TestCaseError> {
    if let Some(captured) = capture::capture_serialize(value) {
        prop_assert!(captured.value.len() <= capture::limit::max_value_bytes() + 256);
        if captured.mime == crate::semconv::MIME_JSON {
            prop_assert!(serde_json::from_str::<Value>(&captured.value).is_ok());
        }
    }
    let args = match value {
        Value::Object(map) => map.clone(),
        other => {
            let mut map = Map::new();
            map.insert("messages".to_owned(), other.clone());
            map.insert("documents".to_owned(), other.clone());
            map
        }
    };
    check(&openinference::llm_inputs(&ROLES, &args, true).attributes)?;
    check(&openinference::llm_response(value).attributes)?;
    check(&openinference::retrieval_documents(value))?;
    check(&openinference::reranker_inputs(&ROLES, &args))?;
    check(&openinference::reranker_output(value))?;
    let inputs = openinference::embedding_inputs(&ROLES, &args);
    check(&openinference::embedding_output(&inputs, value))?;
    let mut stream = LlmStream::default();
    stream.absorb(value, 1024);
    stream.absorb(value, 1024);
    if let Some(response) = stream.response() {
        check(&openinference::llm_response(&response).attributes)?;
    }
    let mut attributes = openinference::llm_response(value).attributes;
    capture::limit::cap_attributes(&mut attributes, 64);
    crate::export::precedence::resolve(&mut attributes);
    check(&attributes)?;
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_json_never_panics_and_stays_well_formed(value in arb_json()) {
        through_everything(&value)?;
    }

    #[test]
    fn arbitrary_values_in_known_shapes(value in arb_shaped()) {
        through_everything(&value)?;
    }
}

/// What the capture's JSON writer writes for `value` (no cap in the way),
/// scrubbing as it writes when `scrub`.
fn written_as(value: &impl serde::Serialize, scrub: bool) -> Result<String, String> {
    let mut out = capture::limit::Capped::new(usize::MAX);
    out.scrub = scrub;
    capture::json::write(value, &mut out).map_err(|e| e.to_string())?;
    Ok(out.into_value(true))
}

/// What the writer writes, scrubbing off (its fidelity to `serde_json`).
fn written(value: &impl serde::Serialize) -> Result<String, String> {
    written_as(value, false)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// The capture's JSON writer writes exactly what `serde_json` writes.
    #[test]
    fn json_writer_matches_serde_json(value in arb_json()) {
        prop_assert_eq!(written(&value), Ok(serde_json::to_string(&value).unwrap()));
    }

    /// Scrubbing as the writer writes gives what scrubbing the value tree
    /// gives: the two passes apply one rule.
    #[test]
    fn writer_scrubs_as_the_value_pass_does(value in arb_json()) {
        let mut scrubbed = value.clone();
        crate::scrub::value::scrub_value(&mut scrubbed, "", &mut crate::scrub::Findings::default());
        prop_assert_eq!(written_as(&value, true), Ok(serde_json::to_string(&scrubbed).unwrap()));
    }

    /// Floats of every kind (the writer's own path, not `Value`'s), and
    /// strings of any Unicode, as `serde_json` writes them.
    #[test]
    fn json_writer_matches_serde_json_on_floats_and_strings(
        doubles in prop::collection::vec(any::<f64>(), 0..8),
        singles in prop::collection::vec(any::<f32>(), 0..8),
        text in any::<String>(),
        chars in prop::collection::vec(any::<char>(), 0..8),
    ) {
        let value = (doubles, singles, text, chars);
        prop_assert_eq!(written(&value), Ok(serde_json::to_string(&value).unwrap()));
    }

    /// Cut anywhere, the kept text is a prefix of the whole on a character
    /// boundary, and the JSON standing for it parses.
    #[test]
    fn capped_json_is_a_prefix_and_stays_valid(value in arb_json(), cap in 64usize..512) {
        let whole = serde_json::to_string(&value).unwrap();
        let mut out = capture::limit::Capped::new(cap);
        out.scrub = false;
        let result = capture::json::write(&value, &mut out);
        // Past the cap the writer stops rather than count the rest.
        prop_assert!(result.is_ok() || out.stopped());
        let stopped = out.stopped();
        let kept = out.into_value(true);
        if whole.len() <= cap {
            prop_assert!(!stopped);
            prop_assert_eq!(kept, whole);
        } else {
            let parsed: Value = serde_json::from_str(&kept).unwrap();
            let prefix = parsed["prefix"].as_str().unwrap();
            prop_assert!(whole.starts_with(prefix));
            prop_assert!(whole.len() - prefix.len() < whole.len() - cap + 4);
            if stopped {
                let seen = parsed["at_least_bytes"].as_u64().unwrap();
                prop_assert!(seen as usize > cap && seen as usize <= whole.len());
                prop_assert_eq!(parsed.get("original_bytes"), None);
            } else {
                prop_assert_eq!(parsed["original_bytes"].as_u64(), Some(whole.len() as u64));
            }
        }
    }
}
