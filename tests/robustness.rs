//! Values that would break a naive capture: infinitely deep `Serialize`
//! impls (serde_json has no depth limit: unbounded recursion would overflow
//! the stack and abort), panicking `Serialize` impls, NaN, every kind of
//! Unicode. The user's call is never affected.

use serde::ser::{Serialize, SerializeSeq, Serializer};
use stack_trace::testing::{attr_str, in_root, named, spans_of};
use stack_trace_runtime::{chain, llm, tool};

/// Serializes as `[[[[...]]]]` forever, without using any memory.
#[derive(Debug, Clone, Copy)]
struct Bottomless(u64);

impl Serialize for Bottomless {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(1))?;
        seq.serialize_element(&Bottomless(self.0 + 1))?;
        seq.end()
    }
}

struct Explodes;

impl Serialize for Explodes {
    fn serialize<S: Serializer>(&self, _: S) -> Result<S::Ok, S::Error> {
        panic!("Serialize impl exploded")
    }
}

#[tool]
fn deep(value: Bottomless, note: &str) -> Bottomless {
    let _ = note;
    value
}

#[chain]
fn deep_single(value: Bottomless) -> usize {
    usize::try_from(value.0).unwrap_or(0)
}

#[llm]
fn deep_llm(messages: Bottomless) -> Bottomless {
    messages
}

#[chain]
fn explodes(value: Explodes) -> f64 {
    let _ = value;
    f64::NAN
}

#[chain]
fn unicode(text: &str) -> String {
    text.chars().rev().collect()
}

#[test]
fn bottomless_values_are_cut_off_not_overflowed() {
    let (trace, out) = in_root(|| {
        let a = deep(Bottomless(0), "ok");
        let b = deep_single(Bottomless(7));
        let c = deep_llm(Bottomless(1));
        (a.0, b, c.0)
    });
    assert_eq!(out, (0, 7, 1), "the calls are unaffected");
    let spans = spans_of(&trace, 4);
    let input: serde_json::Value =
        serde_json::from_str(&attr_str(named(&spans, "deep"), "input.value")).unwrap();
    assert!(
        input["value"]
            .as_str()
            .unwrap()
            .contains("nested deeper than 128 levels"),
        "{input}"
    );
    assert_eq!(input["note"], "ok");
    assert!(
        attr_str(named(&spans, "deep"), "output.value").contains("nested deeper than 128 levels")
    );
    assert!(attr_str(named(&spans, "deep_single"), "input.value").contains("nested deeper"));
    assert!(attr_str(named(&spans, "deep_llm"), "output.value").contains("nested deeper"));
}

#[test]
fn panicking_serialize_and_nan() {
    let (trace, out) = in_root(|| explodes(Explodes));
    assert!(out.is_nan());
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "explodes");
    assert!(attr_str(s, "input.value").contains("serialization panicked: Serialize impl exploded"));
    assert_eq!(attr_str(s, "output.value"), "NaN");
    assert_eq!(attr_str(s, "output.mime_type"), "text/plain");
}

#[test]
fn every_kind_of_unicode_round_trips() {
    let text = "héllo ✓ 日本語 🦀 \u{200d}\u{1f469}\u{200d}\u{1f4bb} \u{0} \"quoted\" \\ \n\t";
    let (trace, _) = in_root(|| unicode(text));
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "unicode");
    assert_eq!(attr_str(s, "input.value"), text);
    assert_eq!(
        attr_str(s, "output.value"),
        text.chars().rev().collect::<String>()
    );
}

#[tool]
fn big(blob: String, json_blob: Vec<String>) -> String {
    let _ = json_blob;
    blob
}

#[test]
fn values_over_the_cap_are_cut_and_json_stays_json() {
    let megabyte = "é".repeat(512 * 1024); // 1 MiB of two-byte characters
    let many: Vec<String> = (0..20_000).map(|i| format!("item-{i}")).collect();
    let (trace, out) = in_root(|| big(megabyte.clone(), many.clone()));
    assert_eq!(out.len(), megabyte.len(), "the call is unaffected");
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "big");
    let output = attr_str(s, "output.value");
    assert!(
        output.len() < 70 * 1024,
        "output capped: {} bytes",
        output.len()
    );
    assert!(
        output.ends_with("[truncated by stack-trace: 1048576 bytes in all]"),
        "{}",
        &output[output.len() - 80..]
    );
    assert!(output.starts_with("ééé"));
    let input: serde_json::Value =
        serde_json::from_str(&attr_str(s, "input.value")).expect("input.value stays valid JSON");
    assert_eq!(input["stack_trace.truncated"], true);
    // The writer stopped past the cap: the size is a lower bound, and the
    // argument that passed the cap is named.
    assert!(input["at_least_bytes"].as_u64().unwrap() > 1_048_576);
    assert_eq!(input["cut_in"], "blob");
    assert!(attr_str(s, "input.value").len() < 80 * 1024);
}

#[llm]
fn long_chat(messages: Vec<serde_json::Value>) -> usize {
    messages.len()
}

#[test]
fn long_transcripts_keep_every_message_and_cap_each_value() {
    let context = "retrieved context ".repeat(8_000); // ~140 KiB in one message
    let messages = vec![
        serde_json::json!({"role": "system", "content": "You are terse."}),
        serde_json::json!({"role": "user", "content": context}),
        serde_json::json!({"role": "user", "content": "Summarize."}),
    ];
    let (trace, n) = in_root(|| long_chat(messages));
    assert_eq!(n, 3);
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "long_chat");
    assert_eq!(
        attr_str(s, "llm.input_messages.2.message.content"),
        "Summarize."
    );
    assert_eq!(attr_str(s, "llm.input_messages.0.message.role"), "system");
    let long = attr_str(s, "llm.input_messages.1.message.content");
    assert!(
        long.len() < 70 * 1024 && long.contains("[truncated by stack-trace:"),
        "{}",
        long.len()
    );
    let input: serde_json::Value = serde_json::from_str(&attr_str(s, "input.value")).unwrap();
    assert_eq!(
        input["stack_trace.truncated"], true,
        "input.value itself is capped"
    );
}

/// A verdict whose `DescribeEvaluation` impl panics.
#[derive(Debug, serde::Serialize)]
struct Grumpy(u8);

impl stack_trace_runtime::DescribeEvaluation for Grumpy {
    fn evaluation(&self) -> Option<stack_trace_runtime::Evaluation> {
        panic!("DescribeEvaluation impl exploded")
    }
}

#[stack_trace_runtime::evaluator]
fn grumpy_judge(n: u8) -> Grumpy {
    Grumpy(n)
}

#[stack_trace_runtime::evaluator]
fn nan_judge() -> f64 {
    f64::NAN
}

#[test]
fn a_panicking_evaluation_or_a_nan_score_is_dropped_and_counted() {
    let before = stack_trace_runtime::stats().annotations_dropped;
    let (trace, (out, nan)) = in_root(|| (grumpy_judge(7), nan_judge()));
    assert_eq!(out.0, 7, "the caller gets its value");
    assert!(nan.is_nan());
    let spans = spans_of(&trace, 3);
    assert_eq!(attr_str(named(&spans, "grumpy_judge"), "output.value"), "7");
    assert!(stack_trace_runtime::stats().annotations_dropped >= before + 2);
}
