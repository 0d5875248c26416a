//! Every attribute key the example agent's spans carry under an
//! OpenInference namespace is one the specification defines, with the value
//! type it defines. Read from the raw OTLP export (a real OTLP/HTTP receiver
//! on loopback), since Phoenix's views re-flatten JSON values such as
//! `tool.parameters`.

use std::collections::BTreeSet;
use std::process::Command;
use std::time::Duration;

use opentelemetry_proto::tonic::common::v1::any_value::Value as Any;
use stack_trace::receiver::{Behaviour, Receiver};
use stack_trace::spec::{is_audited, is_defined, normalize};

#[test]
fn every_key_we_emit_is_defined_by_the_spec_with_its_type() {
    let receiver = Receiver::start(Behaviour::Accept);
    let example = stack_trace::testing::example("agent");
    let out = Command::new(example)
        .env("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", receiver.traces_url())
        .env_remove("PHOENIX_COLLECTOR_ENDPOINT")
        .env_remove("STACK_TRACE_CONSOLE")
        .output()
        .expect("example runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spans = receiver.wait_for_spans(13, Duration::from_secs(10));
    assert_eq!(spans.len(), 13);
    let mut seen = BTreeSet::new();
    for span in &spans {
        for kv in &span.attributes {
            let key = kv.key.as_str();
            let value = kv
                .value
                .as_ref()
                .and_then(|v| v.value.as_ref())
                .expect("a value");
            seen.insert(normalize(key));
            if is_audited(key) {
                assert!(is_defined(key), "{key} is not an OpenInference key");
            }
            match value {
                Any::IntValue(_) => assert!(
                    key.starts_with("llm.token_count.")
                        || key.ends_with("document.id")
                        || key == "reranker.top_k",
                    "{key} must not be an integer"
                ),
                Any::DoubleValue(_) => {
                    assert!(key.ends_with("document.score"), "{key} must not be a float")
                }
                Any::BoolValue(_) => assert_eq!(key, "stack_trace.cancelled"),
                Any::ArrayValue(array) => {
                    assert!(
                        key.ends_with("embedding.vector"),
                        "{key} must not be an array"
                    );
                    assert!(
                        array
                            .values
                            .iter()
                            .all(|v| matches!(v.value, Some(Any::DoubleValue(_)))),
                        "{key} must be a float array"
                    );
                }
                Any::StringValue(text) => {
                    assert!(
                        !key.starts_with("llm.token_count.") && !key.ends_with("document.score"),
                        "{key} must be a number"
                    );
                    let json_typed = key == "llm.invocation_parameters"
                        || key.ends_with("tool_call.function.arguments")
                        || key.ends_with("document.metadata")
                        || key.ends_with("tool.json_schema")
                        || key == "tool.parameters"
                        || (key.ends_with(".value")
                            && span.attributes.iter().any(|m| {
                                m.key == key.replace(".value", ".mime_type")
                                    && matches!(m.value.as_ref().and_then(|v| v.value.as_ref()),
                                        Some(Any::StringValue(s)) if s == "application/json")
                            }));
                    if json_typed {
                        assert!(
                            serde_json::from_str::<serde_json::Value>(text).is_ok(),
                            "{key} must hold JSON: {text}"
                        );
                    }
                }
                other => panic!("{key} has an unexpected value type {other:?}"),
            }
        }
    }
    for expected in [
        "openinference.span.kind",
        "llm.input_messages.{i}.message.role",
        "llm.input_messages.{i}.message.tool_calls.{i}.tool_call.function.arguments",
        "llm.output_messages.{i}.message.content",
        "llm.token_count.total",
        "llm.model_name",
        "llm.invocation_parameters",
        "retrieval.documents.{i}.document.content",
        "tool.parameters",
        "tool.description",
        "embedding.embeddings.{i}.embedding.vector",
        "embedding.model_name",
        "reranker.output_documents.{i}.document.score",
        "reranker.input_documents.{i}.document.content",
        "reranker.query",
        "reranker.top_k",
    ] {
        assert!(
            seen.contains(expected),
            "{expected} was never emitted: {seen:?}"
        );
    }
}
