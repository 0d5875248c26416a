//! Annotating unusual but ordinary Rust changes nothing else (issue 15):
//! `#[cfg]` parameters, `'static` futures built before their async tail,
//! destructured and `_` parameters (also under `#[async_trait]`), and one
//! `tool.parameters` per instantiation of generic code.

use std::future::Future;
use std::marker::PhantomData;
use std::pin::Pin;

use serde_json::{Value, json};
use stack_trace::testing::{attr_str, in_root, named, spans_of};
use stack_trace_runtime::{ToolSchema, chain, tool};

fn json_attr(span: &opentelemetry_sdk::trace::SpanData, key: &str) -> Value {
    serde_json::from_str(&attr_str(span, key)).unwrap_or_else(|e| panic!("{key} is JSON: {e}"))
}

fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
        .block_on(future)
}

/// Adds.
#[tool]
fn add(#[cfg(not(test))] a: u32, #[cfg(test)] b: u32, c: u32) -> u32 {
    b + c
}

#[test]
fn a_parameter_removed_by_cfg_is_not_recorded() {
    let (trace, sum) = in_root(|| add(2, 3));
    assert_eq!(sum, 5);
    let spans = spans_of(&trace, 2);
    let span = named(&spans, "add");
    assert_eq!(json_attr(span, "input.value"), json!({"b": 2, "c": 3}));
    let schema = json_attr(span, "tool.parameters");
    assert_eq!(schema["required"], json!(["b", "c"]));
    assert!(schema["properties"].get("a").is_none(), "{schema}");
}

#[chain]
fn fetch(url: &str, retries: u32) -> Pin<Box<dyn Future<Output = usize> + Send + 'static>> {
    let owned = url.to_owned();
    Box::pin(async move { owned.len() + retries as usize })
}

#[chain]
fn fetch_opaque(url: &str) -> impl Future<Output = usize> + 'static {
    let owned = url.to_owned();
    async move { owned.len() }
}

#[chain]
#[allow(clippy::manual_async_fn)]
fn consume(v: Vec<u8>) -> impl Future<Output = usize> {
    let n = v.len();
    drop(v);
    async move { n }
}

/// A `'static` future outlives the arguments it was built from.
fn spawn_static<F: Future<Output = usize> + 'static>(future: F) -> F {
    future
}

#[test]
fn static_futures_built_before_their_tail_keep_their_arguments() {
    let (trace, total) = in_root(|| {
        let a = {
            let url = String::from("https://example.com");
            spawn_static(fetch(&url, 2))
        };
        let b = {
            let url = String::from("https://a.b");
            spawn_static(fetch_opaque(&url))
        };
        let c = consume(vec![1, 2, 3]);
        block_on(async { a.await + b.await + c.await })
    });
    assert_eq!(total, 21 + 11 + 3);
    let spans = spans_of(&trace, 4);
    assert_eq!(
        json_attr(named(&spans, "fetch"), "input.value"),
        json!({"url": "https://example.com", "retries": 2})
    );
    assert_eq!(attr_str(named(&spans, "fetch"), "output.value"), "21");
    assert_eq!(
        attr_str(named(&spans, "fetch_opaque"), "input.value"),
        "https://a.b"
    );
    assert_eq!(
        json_attr(named(&spans, "consume"), "input.value"),
        json!([1, 2, 3])
    );
    assert_eq!(attr_str(named(&spans, "consume"), "output.value"), "3");
}

/// Distance from the origin, in steps.
#[tool]
fn steps((x, y): (i32, i32), _: u8, Point { x: px, .. }: Point) -> i32 {
    x.abs() + y.abs() + px
}

#[derive(Debug, Clone, Copy, serde::Serialize)]
struct Point {
    x: i32,
    y: i32,
}

fn schema_and_input(span: &opentelemetry_sdk::trace::SpanData) -> (Value, Value) {
    let schema = json_attr(span, "tool.parameters");
    let input = json_attr(span, "input.value");
    (schema, input)
}

#[test]
fn destructured_parameters_are_in_the_schema_and_wildcards_in_neither() {
    let (trace, n) = in_root(|| steps((1, -2), 7, Point { x: 4, y: 9 }));
    assert_eq!(n, 7);
    let spans = spans_of(&trace, 2);
    let (schema, input) = schema_and_input(named(&spans, "steps"));
    assert_eq!(input, json!({"x": 1, "y": -2, "px": 4}));
    assert_eq!(
        schema["properties"],
        json!({"x": {"type": "integer"}, "y": {"type": "integer"}, "px": {"type": "integer"}})
    );
    assert_eq!(schema["required"], json!(["x", "y", "px"]));
}

#[async_trait::async_trait]
trait Plotter: Send + Sync {
    async fn plot(&self, point: (i32, i32), scale: u8, label: String) -> String;
}

struct Ascii;

#[async_trait::async_trait]
impl Plotter for Ascii {
    /// Plots a point.
    #[tool]
    async fn plot(&self, (x, mut y): (i32, i32), _: u8, label: String) -> String {
        y += 1;
        format!("{label}@{x},{y}")
    }
}

#[test]
fn under_async_trait_the_user_s_names_are_recorded_not_positional_ones() {
    let (trace, out) = in_root(|| block_on(Ascii.plot((1, 2), 3, "p".to_owned())));
    assert_eq!(out, "p@1,3");
    let spans = spans_of(&trace, 2);
    let (schema, input) = schema_and_input(named(&spans, "Ascii::plot"));
    assert_eq!(input, json!({"x": 1, "y": 2, "label": "p"}));
    assert_eq!(schema["required"], json!(["x", "y", "label"]));
    assert_eq!(
        schema["properties"],
        json!({"x": {"type": "integer"}, "y": {"type": "integer"}, "label": {"type": "string"}})
    );
}

struct Calc<T>(PhantomData<T>);

impl<T: ToolSchema + serde::Serialize> Calc<T> {
    #[tool]
    fn echo(value: T) -> T {
        value
    }
}

trait Runner {
    type Input: ToolSchema + serde::Serialize;

    #[tool]
    fn run(&self, input: Self::Input) -> usize {
        let _ = input;
        1
    }
}

struct Numbers;
impl Runner for Numbers {
    type Input = u32;
}

struct Words;
impl Runner for Words {
    type Input = Vec<String>;
}

#[test]
fn each_instantiation_has_the_schema_of_its_own_types() {
    let (trace, ()) = in_root(|| {
        Calc::<u32>::echo(1);
        Calc::<String>::echo("one".to_owned());
        Calc::<u32>::echo(2);
        Numbers.run(3);
        Words.run(vec!["a".to_owned()]);
    });
    let spans = spans_of(&trace, 6);
    let schemas: Vec<(String, Value)> = spans
        .iter()
        .filter(|s| s.name != "test-root")
        .map(|s| {
            let schema = json_attr(s, "tool.parameters");
            let property = schema["properties"]
                .as_object()
                .and_then(|p| p.values().next().cloned())
                .unwrap_or(Value::Null);
            (s.name.to_string(), property)
        })
        .collect();
    let string = json!({"type": "string"});
    let integer = json!({"type": "integer"});
    let array = json!({"type": "array", "items": {"type": "string"}});
    let echo: Vec<&Value> = schemas
        .iter()
        .filter(|(n, _)| n == "echo")
        .map(|(_, p)| p)
        .collect();
    assert_eq!(echo.len(), 3, "{schemas:?}");
    assert_eq!(
        echo.iter().filter(|p| ***p == integer).count(),
        2,
        "{schemas:?}"
    );
    assert_eq!(
        echo.iter().filter(|p| ***p == string).count(),
        1,
        "{schemas:?}"
    );
    let runs: Vec<&Value> = schemas
        .iter()
        .filter(|(n, _)| n.ends_with("::run"))
        .map(|(_, p)| p)
        .collect();
    assert!(runs.contains(&&integer), "{schemas:?}");
    assert!(runs.contains(&&array), "{schemas:?}");
}

/// The runtime through a re-export, as a renamed dependency would be.
mod observe {
    pub use stack_trace_runtime as runtime;
}

#[stack_trace_runtime::tool(crate = crate::observe::runtime)]
fn lookup(city: &str) -> usize {
    city.len()
}

#[test]
fn crate_path_finds_the_runtime_elsewhere() {
    let (trace, out) = in_root(|| lookup("Paris"));
    assert_eq!(out, 5);
    let spans = spans_of(&trace, 2);
    let s = named(&spans, "lookup");
    assert_eq!(attr_str(s, "openinference.span.kind"), "TOOL");
    assert_eq!(attr_str(s, "input.value"), r#"{"city":"Paris"}"#);
    assert!(attr_str(s, "tool.parameters").contains("city"));
}
