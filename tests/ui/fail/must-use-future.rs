#![deny(unused_must_use)]

use stack_trace_runtime::{llm, tool};

#[llm]
async fn answer(question: &str) -> String {
    question.to_owned()
}

#[tool]
#[must_use = "the count is the point"]
fn count(items: &[u8]) -> usize {
    items.len()
}

fn main() {
    answer("never awaited");
    count(&[1, 2]);
}
