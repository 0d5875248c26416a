#![deny(warnings)]
//! Doc comments on parameters are read by `#[tool]` and removed from the
//! function rustc compiles (rustc does not allow them there).

use stack_trace_runtime::{llm, retriever, tool};

/// Current weather.
#[tool(describe(units = "metric or imperial"))]
pub fn weather(
    /// The city, e.g. "Paris".
    city: &str,
    units: Option<String>,
) -> String {
    format!("{city} {units:?}")
}

#[llm(messages = history, tools = defs, model = "gpt-4o", provider = "azure", system = "openai", params(temperature))]
pub fn chat(history: Vec<String>, defs: Vec<String>, temperature: f32, seed: u64) -> usize {
    let _ = (defs, temperature, seed);
    history.len()
}

#[retriever(query = question)]
pub fn search(index: &str, question: &str) -> Vec<String> {
    vec![format!("{index}{question}")]
}

fn main() {
    let _ = weather("Paris", None);
    let _ = chat(vec![], vec![], 0.1, 1);
    let _ = search("i", "q");
}
