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
                 choices|message|usage|prompt_tokens|input_tokens|model|[a-z]{1,6}|.{0,4})",
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
