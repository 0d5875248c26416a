//! `#[tool]`: `tool.name`, `tool.description` from the doc comment and
//! `tool.parameters` as a JSON Schema, compared with what Arize's Python
//! `openinference-instrumentation` decorator produces for the same
//! signatures.

use std::collections::HashMap;
use std::process::Command;

use serde_json::{Value, json};
use stack_trace::testing::{attr, attr_str, in_root, named, spans_of};
use stack_trace_runtime::tool;

/// Current weather for a city.
#[tool]
fn get_weather(city: &str, days: u32) -> Value {
    json!({"city": city, "temp_c": 18, "days": days})
}

/// Searches the knowledge base.
#[tool]
fn search(
    /// What to look for
    query: &str,
    top_k: usize,
    tags: Vec<String>,
    filters: HashMap<String, f64>,
    exact: bool,
    hint: Option<String>,
) -> Vec<String> {
    let _ = (tags, filters, exact, hint);
    (0..top_k).map(|i| format!("{query}-{i}")).collect()
}

/// The current time.
#[tool]
fn now() -> String {
    "2026-11-24T09:00:00Z".to_owned()
}

#[tool]
fn echo(text: &str) -> String {
    text.to_owned()
}

fn parameters(span: &opentelemetry_sdk::trace::SpanData) -> Value {
    serde_json::from_str(&attr_str(span, "tool.parameters")).expect("tool.parameters is JSON")
}

#[test]
fn name_description_and_parameter_schema() {
    let (trace, _) = in_root(|| {
        get_weather("Paris", 3);
        search(
            "rotate keys",
            2,
            vec!["security".into()],
            HashMap::from([("min_score".into(), 0.5)]),
            true,
            None,
        );
    });
    let spans = spans_of(&trace, 3);
    let weather = named(&spans, "get_weather");
    assert_eq!(attr_str(weather, "tool.name"), "get_weather");
    assert_eq!(
        attr_str(weather, "tool.description"),
        "Current weather for a city."
    );
    assert_eq!(
        parameters(weather),
        json!({
            "type": "object", "title": "get_weather", "description": "Current weather for a city.",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city", "days"]
        })
    );
    let search = named(&spans, "search");
    assert_eq!(
        parameters(search)["properties"],
        json!({
            "query": {"type": "string", "description": "What to look for"},
            "top_k": {"type": "integer"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "filters": {"type": "object", "additionalProperties": {"type": "number"}},
            "exact": {"type": "boolean"},
            "hint": {"anyOf": [{"type": "string"}, {"type": "null"}]}
        })
    );
    assert_eq!(
        parameters(search)["required"],
        json!(["query", "top_k", "tags", "filters", "exact"])
    );
}

struct Toolbox {
    calls: usize,
}

impl Toolbox {
    /// Looks a word up.
    #[tool(describe(word = "The word to define"))]
    fn define(&mut self, word: String, client: &str) -> String {
        self.calls += 1;
        format!("{word} ({client})")
    }

    #[tool(name = "renamed", description = "Explicit description", skip(client))]
    fn with_args(&self, client: &str, n: u8) -> u8 {
        let _ = (self.calls, client);
        n
    }
}

#[tool]
fn generic<T: serde::Serialize>(items: Vec<T>, limit: Option<usize>) -> usize {
    items.len().min(limit.unwrap_or(usize::MAX))
}

#[test]
fn methods_skip_describe_and_generics() {
    let (trace, _) = in_root(|| {
        let mut tb = Toolbox { calls: 0 };
        tb.define("ontology".into(), "dict");
        tb.with_args("http", 4);
        generic(vec![1, 2, 3], Some(2));
        generic(vec!["a"], None);
    });
    let spans = spans_of(&trace, 5);
    let define = named(&spans, "Toolbox::define");
    assert_eq!(
        attr_str(define, "tool.name"),
        "define",
        "tool.name is the bare function name"
    );
    assert_eq!(
        parameters(define)["properties"]["word"]["description"],
        "The word to define"
    );
    assert!(parameters(define)["properties"].get("self").is_none());
    let renamed = named(&spans, "renamed");
    assert_eq!(attr_str(renamed, "tool.name"), "renamed");
    assert_eq!(
        attr_str(renamed, "tool.description"),
        "Explicit description"
    );
    assert_eq!(
        parameters(renamed)["properties"],
        json!({"n": {"type": "integer"}}),
        "skipped parameters are not the model's"
    );
    for g in spans.iter().filter(|s| s.name == "generic") {
        assert_eq!(parameters(g)["required"], json!(["items"]));
        // `Vec<T>` of an unbounded `T` has no known schema: any value, as in Python.
        assert_eq!(parameters(g)["properties"]["items"], json!({}));
        assert_eq!(
            parameters(g)["properties"]["limit"],
            json!({"anyOf": [{"type": "integer"}, {"type": "null"}]})
        );
    }
    assert!(attr(named(&spans, "generic"), "tool.description").is_none());
}

#[cfg(feature = "schemars")]
mod with_schemars {
    use super::*;

    /// Where to send the message.
    #[derive(serde::Serialize, schemars::JsonSchema)]
    struct Recipient {
        /// E-mail address.
        email: String,
        cc: Option<Vec<String>>,
    }

    #[tool]
    fn send(to: Recipient, body: &str) -> bool {
        !to.email.is_empty() && !body.is_empty()
    }

    #[test]
    fn user_types_use_their_json_schema() {
        let (trace, _) = in_root(|| {
            send(
                Recipient {
                    email: "a@b.c".into(),
                    cc: None,
                },
                "hi",
            )
        });
        let spans = spans_of(&trace, 2);
        let to = &parameters(named(&spans, "send"))["properties"]["to"];
        assert_eq!(to["type"], "object");
        assert_eq!(to["properties"]["email"]["type"], "string");
        assert_eq!(to["properties"]["email"]["description"], "E-mail address.");
        assert_eq!(to["required"], json!(["email"]));
    }
}

/// Our `tool.*`, input and output attributes equal what Python's decorator
/// records for the same signatures, except for documented differences: Rust
/// has no default values (Python adds `"default"` to a defaulted parameter's
/// schema), compact JSON (compared parsed), and Rust type spellings.
#[test]
fn same_as_the_python_decorator() {
    let out = Command::new(stack_trace::phoenix::venv_python())
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/python/tool_decorator.py"
        ))
        .output()
        .expect("python runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let py: Vec<Value> = serde_json::from_slice(&out.stdout).expect("JSON from python");
    let (trace, _) = in_root(|| {
        get_weather("Paris", 3);
        search(
            "rotate keys",
            2,
            vec!["security".into()],
            HashMap::from([("min_score".into(), 0.5)]),
            true,
            None,
        );
        now();
        echo("héllo");
    });
    let spans = spans_of(&trace, 5);
    for py_span in &py {
        let name = py_span["name"].as_str().unwrap();
        let ours = named(&spans, name);
        let pa = &py_span["attributes"];
        assert_eq!(
            attr_str(ours, "openinference.span.kind"),
            pa["openinference.span.kind"],
            "{name}"
        );
        assert_eq!(attr_str(ours, "tool.name"), pa["tool.name"], "{name}");
        assert_eq!(
            attr(ours, "tool.description").map(|v| v.as_str().into_owned()),
            pa["tool.description"].as_str().map(str::to_owned),
            "{name}"
        );
        let mut py_params: Value =
            serde_json::from_str(pa["tool.parameters"].as_str().unwrap()).unwrap();
        for property in py_params["properties"]
            .as_object_mut()
            .unwrap()
            .values_mut()
        {
            property.as_object_mut().unwrap().remove("default");
        }
        assert_eq!(parameters(ours), py_params, "tool.parameters of {name}");
        for io in ["input", "output"] {
            let mime = attr_str(ours, &format!("{io}.mime_type"));
            assert_eq!(
                mime,
                pa[format!("{io}.mime_type")],
                "{io}.mime_type of {name}"
            );
            let ours_value = attr_str(ours, &format!("{io}.value"));
            let py_value = pa[format!("{io}.value")].as_str().unwrap();
            if mime == "application/json" {
                let mut theirs: Value = serde_json::from_str(py_value).unwrap();
                if let Some(obj) = theirs.as_object_mut() {
                    obj.retain(|_, v| !v.is_null()); // Python's applied default `hint=None`
                }
                let mut ours_json: Value = serde_json::from_str(&ours_value).unwrap();
                if let Some(obj) = ours_json.as_object_mut() {
                    obj.retain(|_, v| !v.is_null());
                }
                assert_eq!(ours_json, theirs, "{io}.value of {name}");
            } else {
                assert_eq!(ours_value, py_value, "{io}.value of {name}");
            }
        }
    }
    assert_eq!(py.len(), 4);
}
