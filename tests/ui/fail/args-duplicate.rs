use stack_trace_runtime::{agent, chain};

#[chain(name = "one", name = "two")]
fn named(a: u8) -> u8 {
    a
}

#[agent(skip(a), skip(b), skip_all, skip_all)]
fn skipped(a: u8, b: u8) -> u8 {
    a + b
}

fn main() {}
