//! What the user sets by hand on the current span wins over what the macros
//! capture automatically, and every key goes out once.

use serde_json::{Value, json};
use stack_trace::testing::{attr, attr_str, in_root, named, spans_of};
use stack_trace_runtime::{chain, current_span, llm};

#[llm]
fn chat(messages: &[Value]) -> Value {
    let span = current_span();
    span.set_attribute("llm.token_count.prompt", 1_i64);
    span.set_attribute("llm.output_messages.0.message.role", "assistant");
    span.set_attribute("llm.output_messages.0.message.content", "rewritten by hand");
    span.set_input("the prompt, by hand", "text/plain");
    let _ = messages;
    json!({"model": "gpt-4o", "choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": "automatic"}}],
        "usage": {"prompt_tokens": 82, "completion_tokens": 17, "total_tokens": 99}})
}

#[chain]
fn summarize(text: &str) -> Vec<String> {
    current_span().set_output("short summary", "text/plain");
    vec![text.to_owned()]
}

fn count(span: &opentelemetry_sdk::trace::SpanData, key: &str) -> usize {
    span.attributes
        .iter()
        .filter(|kv| kv.key.as_str() == key)
        .count()
}

#[test]
fn hand_set_values_win_and_no_key_goes_out_twice() {
    let (trace, _) = in_root(|| {
        chat(&[json!({"role": "user", "content": "hi"})]);
        summarize("a long text")
    });
    let spans = spans_of(&trace, 3);
    let llm = named(&spans, "chat");
    assert_eq!(
        attr(llm, "llm.token_count.prompt"),
        Some(&opentelemetry::Value::I64(1))
    );
    assert_eq!(
        attr(llm, "llm.token_count.completion"),
        Some(&opentelemetry::Value::I64(17)),
        "automatic where not hand-set"
    );
    assert_eq!(
        attr_str(llm, "llm.output_messages.0.message.content"),
        "rewritten by hand"
    );
    assert_eq!(attr_str(llm, "input.value"), "the prompt, by hand");
    assert_eq!(attr_str(llm, "input.mime_type"), "text/plain");
    assert_eq!(attr_str(llm, "llm.input_messages.0.message.content"), "hi");
    assert_eq!(attr_str(llm, "llm.finish_reason"), "stop");
    for kv in &llm.attributes {
        assert_eq!(count(llm, kv.key.as_str()), 1, "{} goes out once", kv.key);
        assert!(
            !kv.key.as_str().starts_with("stack_trace.internal"),
            "internal marker leaked"
        );
    }
    let chain = named(&spans, "summarize");
    assert_eq!(attr_str(chain, "output.value"), "short summary");
    assert_eq!(attr_str(chain, "output.mime_type"), "text/plain");
    assert_eq!(count(chain, "output.value"), 1);
    assert_eq!(count(chain, "output.mime_type"), 1);
}
