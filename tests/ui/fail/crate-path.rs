// `crate = path` is where the generated code finds the runtime: a path
// that does not exist is an error at that path, not a silent fallback.
use stack_trace_runtime::chain;

#[chain(crate = no_such_runtime)]
fn step(query: &str) -> usize {
    query.len()
}

fn main() {
    let _ = step("x");
}
