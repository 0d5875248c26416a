use stack_trace_runtime::{chain, llm, tool};

// A concrete stream type cannot be replaced by the wrapper that keeps the
// span open.
#[llm(stream)]
fn concrete(n: u8) -> std::vec::IntoIter<u8> {
    vec![n].into_iter()
}

// Nothing to stream.
#[tool(stream)]
fn nothing() {}

// The wrapper does not implement `ExactSizeIterator`.
#[chain]
fn exact(n: u8) -> impl Iterator<Item = u8> + ExactSizeIterator {
    vec![n].into_iter()
}

fn main() {}
