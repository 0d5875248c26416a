use stack_trace_runtime::{llm, retriever, tool};

#[tool(name = 5)]
fn number_name(a: u8) -> u8 {
    a
}

#[llm(skip)]
fn bare_skip(a: u8) -> u8 {
    a
}

#[retriever(name = "")]
fn empty_name(a: u8) -> u8 {
    a
}

fn main() {}
