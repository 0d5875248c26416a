//! `OPENINFERENCE_HIDE_*` masking applied by our span processor before
//! export, to captured, hand-set and raw OpenTelemetry attributes alike. Its
//! own test binary: it installs a provider with masking on.

use std::time::Duration;

use opentelemetry_sdk::trace::InMemorySpanExporter;
use serde_json::{Value, json};
use stack_trace::testing::{attr, attr_str};
use stack_trace_runtime::{Config, current_span, llm};

#[llm]
fn chat(messages: &[Value], temperature: f32) -> Value {
    current_span().set_attribute("app.note", "kept");
    let _ = (messages, temperature);
    json!({"model": "gpt-4o", "choices": [{"message": {"role": "assistant", "content": "secret answer"}}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}})
}

#[test]
fn hidden_values_never_leave_the_process() {
    let exporter = InMemorySpanExporter::default();
    let vars = [
        ("OPENINFERENCE_HIDE_INPUTS", "true"),
        ("OPENINFERENCE_HIDE_OUTPUT_TEXT", "TRUE"),
        ("OPENINFERENCE_HIDE_LLM_INVOCATION_PARAMETERS", "true"),
    ];
    let config = Config::from_lookup(|k| {
        vars.iter()
            .find(|(n, _)| *n == k)
            .map(|(_, v)| (*v).to_owned())
    })
    .exporter(exporter.clone())
    .console(false)
    .scheduled_delay(Duration::from_millis(10));
    let guard = config.try_init().expect("init");
    chat(
        &[json!({"role": "user", "content": "my password is hunter2"})],
        0.1,
    );
    guard.flush().expect("flush");
    let spans = exporter.get_finished_spans().unwrap();
    drop(guard);
    let s = spans.iter().find(|s| s.name == "chat").expect("chat span");
    assert_eq!(attr_str(s, "input.value"), "__REDACTED__");
    assert!(attr(s, "input.mime_type").is_none());
    assert!(attr(s, "llm.invocation_parameters").is_none());
    assert!(
        s.attributes
            .iter()
            .all(|kv| !kv.key.as_str().starts_with("llm.input_messages"))
    );
    assert_eq!(
        attr_str(s, "llm.output_messages.0.message.content"),
        "__REDACTED__"
    );
    assert_eq!(
        attr_str(s, "llm.output_messages.0.message.role"),
        "assistant"
    );
    assert_eq!(
        attr(s, "llm.token_count.total"),
        Some(&opentelemetry::Value::I64(5))
    );
    assert_eq!(attr_str(s, "app.note"), "kept");
    let all = format!("{:?}", s.attributes);
    assert!(!all.contains("hunter2"), "{all}");
    // As in OpenInference, HIDE_OUTPUT_TEXT hides message text only; the
    // whole response in output.value goes with HIDE_OUTPUTS.
    assert!(attr_str(s, "output.value").contains("secret answer"));

    let bad = Config::from_lookup(|k| (k == "OPENINFERENCE_HIDE_INPUTS").then(|| "1".to_owned()))
        .try_init();
    assert!(
        bad.is_err(),
        "a masking switch that cannot be read is an error, not a silent leak"
    );
}
