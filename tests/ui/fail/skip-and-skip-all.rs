use stack_trace_runtime::chain;

#[chain(skip(a), skip_all)]
fn both(a: u8) -> u8 {
    a
}

fn main() {}
