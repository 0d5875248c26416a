//! Masking applies to the GenAI keys as to OpenInference's: both come from
//! the same masked values, so a hidden value is hidden in both.

use std::time::Duration;

use opentelemetry::trace::{Tracer as _, TracerProvider as _};
use opentelemetry_sdk::trace::InMemorySpanExporter;
use serde_json::{Value, json};
use stack_trace_runtime::{Conventions, Masking, llm, tool};

#[llm]
fn chat(model: &str, messages: &[Value]) -> Value {
    let _ = messages;
    json!({"id": "c1", "model": model, "choices": [{"index": 0, "finish_reason": "stop",
        "message": {"role": "assistant", "content": "the private answer"}}]})
}

#[tool]
fn lookup(account: &str) -> String {
    format!("balance of {account}: 12")
}

#[test]
fn hidden_inputs_and_outputs_are_hidden_in_gen_ai_too() {
    let exporter = InMemorySpanExporter::default();
    let masking = Masking {
        hide_input_text: true,
        hide_outputs: true,
        ..Masking::default()
    };
    let guard = stack_trace_runtime::Config::default()
        .exporter(exporter.clone())
        .console(false)
        .conventions(Conventions::GenAi)
        .masking(masking)
        .scheduled_delay(Duration::from_millis(20))
        .try_init()
        .expect("installs");
    let tracer = guard.provider().expect("provider").tracer("t");
    tracer.in_span("root", |_cx| {
        chat(
            "gpt-4o-mini",
            &[json!({"role": "user", "content": "the private question"})],
        );
        lookup("ACC-1");
    });
    let _ = guard.provider().expect("provider").force_flush();
    let spans = exporter.get_finished_spans().expect("readable");
    let get = |name: &str, key: &str| {
        spans
            .iter()
            .find(|s| s.name == name)
            .unwrap_or_else(|| {
                panic!(
                    "{name} missing: {:?}",
                    spans.iter().map(|s| &s.name).collect::<Vec<_>>()
                )
            })
            .attributes
            .iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| kv.value.as_str().into_owned())
    };
    let input: Value = serde_json::from_str(
        &get("chat gpt-4o-mini", "gen_ai.input.messages").expect("input messages"),
    )
    .unwrap();
    assert_eq!(
        input,
        json!([{"role": "user", "parts": [{"type": "text", "content": "__REDACTED__"}]}])
    );
    assert_eq!(get("chat gpt-4o-mini", "gen_ai.output.messages"), None);
    assert_eq!(get("execute_tool lookup", "gen_ai.tool.call.result"), None);
    for span in &spans {
        for kv in &span.attributes {
            let text = kv.value.as_str();
            assert!(
                !text.contains("private") && !text.contains("balance"),
                "{}: {text}",
                kv.key
            );
        }
    }
}
