use stack_trace_runtime::{chain, llm, retriever, tool};

#[chain(messages = history)]
fn not_an_llm(history: Vec<String>) -> usize {
    history.len()
}

#[llm(messages = msgs, tools = defs, params(temperature, top_p), model = 4)]
fn chat(messages: Vec<String>, temperature: f32) -> usize {
    let _ = temperature;
    messages.len()
}

#[retriever(query = question)]
fn search(q: &str) -> Vec<String> {
    vec![q.to_owned()]
}

#[tool(describe(citty = "The city"), description = "x", description = "y")]
fn weather(city: &str) -> String {
    city.to_owned()
}

fn main() {}
