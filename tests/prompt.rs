//! `#[prompt]`: a PROMPT span with the template, its version and its
//! variables (the arguments), and the rule that the `#[llm]` calls that
//! follow inside the same parent span carry `llm.prompt_template.*`, until
//! that parent ends or another prompt is rendered there; context attributes
//! set by hand win.

use stack_trace::testing::{attr, attr_str, in_root, named, spans_of};
use stack_trace_runtime::{ContextAttributes, agent, llm, prompt};

const GROUNDED: &str = "Answer from these documents: {documents}\nQuestion: {question}";

#[prompt(template = "Answer briefly: {question}", version = "v1")]
fn brief(question: &str) -> String {
    format!("Answer briefly: {question}")
}

#[prompt(template = GROUNDED, version = String::from("v2"))]
fn grounded(question: &str, documents: &[&str]) -> String {
    GROUNDED
        .replace("{documents}", &documents.join(" "))
        .replace("{question}", question)
}

#[llm(model = "scripted")]
fn complete(prompt: &str, turn: u8) -> String {
    format!("{turn}: {}", prompt.len())
}

#[agent]
fn two_prompts(question: &str) -> usize {
    let before = complete("no prompt yet", 0);
    let first = brief(question);
    let a = complete(&first, 1);
    let b = complete(&first, 2);
    let second = grounded(question, &["doc one", "doc two"]);
    let c = complete(&second, 3);
    let d = {
        let _own = ContextAttributes::new()
            .prompt_template("by hand {x}", "v9", &serde_json::json!({"x": 1}))
            .attach();
        complete(&second, 4)
    };
    [before, a, b, c, d].iter().map(String::len).sum()
}

#[agent]
fn elsewhere() -> String {
    complete("another parent", 5)
}

fn llm_span(
    spans: &[opentelemetry_sdk::trace::SpanData],
    turn: u8,
) -> &opentelemetry_sdk::trace::SpanData {
    spans
        .iter()
        .find(|s| {
            s.name == "complete" && attr_str(s, "input.value").contains(&format!("\"turn\":{turn}"))
        })
        .unwrap_or_else(|| panic!("no LLM turn {turn}"))
}

#[test]
fn llm_calls_after_a_prompt_carry_its_template_until_the_next_or_the_parent_ends() {
    let (trace, _) = in_root(|| (two_prompts("why?"), elsewhere()));
    let spans = spans_of(&trace, 11);

    let first = named(&spans, "brief");
    assert_eq!(attr_str(first, "openinference.span.kind"), "PROMPT");
    assert_eq!(attr_str(first, "input.value"), r#"{"question":"why?"}"#);
    assert_eq!(attr_str(first, "output.value"), "Answer briefly: why?");
    assert_eq!(
        attr_str(first, "llm.prompt_template.template"),
        "Answer briefly: {question}"
    );
    assert_eq!(attr_str(first, "llm.prompt_template.version"), "v1");
    assert_eq!(
        attr_str(first, "llm.prompt_template.variables"),
        r#"{"question":"why?"}"#
    );

    let template = |turn: u8| {
        let span = llm_span(&spans, turn);
        (
            attr(span, "llm.prompt_template.template").map(|v| v.as_str().into_owned()),
            attr(span, "llm.prompt_template.version").map(|v| v.as_str().into_owned()),
            attr(span, "llm.prompt_template.variables").map(|v| v.as_str().into_owned()),
        )
    };
    assert_eq!(template(0), (None, None, None), "before any prompt");
    let v1 = (
        Some("Answer briefly: {question}".to_owned()),
        Some("v1".to_owned()),
        Some(r#"{"question":"why?"}"#.to_owned()),
    );
    assert_eq!(template(1), v1);
    assert_eq!(template(2), v1, "every call that follows");
    let (t, v, vars) = template(3);
    assert_eq!(t.as_deref(), Some(GROUNDED), "the next prompt replaces it");
    assert_eq!(v.as_deref(), Some("v2"));
    assert_eq!(
        vars.as_deref(),
        Some(r#"{"question":"why?","documents":["doc one","doc two"]}"#)
    );
    let (t, v, _) = template(4);
    assert_eq!(
        (t.as_deref(), v.as_deref()),
        (Some("by hand {x}"), Some("v9")),
        "set by hand wins"
    );
    assert_eq!(
        template(5),
        (None, None, None),
        "another parent has no prompt"
    );
}
