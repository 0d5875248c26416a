//! `#[decision]`: the DECISION kind of OpenInference 0.1.42, for calls to a
//! decision model (state and typed questions in, typed answers out).

use opentelemetry::Value as OtelValue;
use serde_json::{Value, json};
use stack_trace::testing::{attr, attr_str, in_root, named, spans_of};
use stack_trace_runtime::decision;

#[derive(serde::Serialize)]
struct Question {
    id: &'static str,
    choices: &'static [&'static str],
}

#[decision(provider = "typesafe", system = "typesafe")]
fn decide(model: &str, state: &Value, questions: &[Question]) -> Result<Value, std::io::Error> {
    let _ = (state, questions);
    Ok(json!({"id": "dec_1", "model": format!("{model}-2026-06"),
        "answers": [{"question": "route", "choice": "refund", "probability": 0.82}],
        "usage": {"input_tokens": 120, "output_tokens": 4}}))
}

#[decision(model = "jev-1")]
fn offline(state: &str) -> Result<String, std::io::Error> {
    Err(std::io::Error::other(format!("no answer for {state}")))
}

#[test]
fn a_decision_span_names_its_model_provider_system_and_tokens() {
    let questions = [Question {
        id: "route",
        choices: &["refund", "escalate"],
    }];
    let (trace, _) = in_root(|| decide("jev-latest", &json!({"order": 42}), &questions));
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "decide");
    assert_eq!(attr_str(s, "openinference.span.kind"), "DECISION");
    assert_eq!(attr_str(s, "decision.model_name"), "jev-latest-2026-06");
    assert_eq!(attr_str(s, "decision.request.model_name"), "jev-latest");
    assert_eq!(
        attr_str(s, "decision.response.model_name"),
        "jev-latest-2026-06"
    );
    assert_eq!(attr_str(s, "decision.provider"), "typesafe");
    assert_eq!(attr_str(s, "decision.system"), "typesafe");
    assert_eq!(
        attr(s, "decision.token_count.input"),
        Some(&OtelValue::I64(120))
    );
    assert_eq!(
        attr(s, "decision.token_count.output"),
        Some(&OtelValue::I64(4))
    );
    let input: Value = serde_json::from_str(&attr_str(s, "input.value")).unwrap();
    assert_eq!(input["questions"][0]["id"], "route");
    let output: Value = serde_json::from_str(&attr_str(s, "output.value")).unwrap();
    assert_eq!(output["answers"][0]["choice"], "refund");
}

#[test]
fn a_failed_decision_still_names_its_model() {
    let (trace, result) = in_root(|| offline("order 7"));
    assert!(result.is_err());
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "offline");
    assert_eq!(attr_str(s, "decision.model_name"), "jev-1");
    assert!(attr(s, "decision.token_count.input").is_none());
    assert!(matches!(
        s.status,
        opentelemetry::trace::Status::Error { .. }
    ));
}
