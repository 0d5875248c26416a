// `crate = path`, for a renamed or re-exported runtime (serde's spelling,
// a string, works too), in every expansion form.
mod observe {
    pub use stack_trace_runtime as runtime;
}

use stack_trace_runtime::{chain, llm, tool};

#[chain(crate = crate::observe::runtime)]
fn step(query: &str) -> usize {
    query.len()
}

#[tool(crate = "crate::observe::runtime")]
async fn search(query: String, top_k: usize) -> Vec<String> {
    vec![query; top_k]
}

#[llm(crate = observe::runtime, stream)]
fn tokens(prompt: &str) -> impl futures::Stream<Item = String> {
    futures::stream::iter(prompt.split(' ').map(str::to_owned).collect::<Vec<_>>())
}

fn main() {
    let _ = step("x");
    let _ = search("x".to_owned(), 2);
    let _ = tokens("a b");
}
