use stack_trace_runtime::chain;

#[chain]
#[track_caller]
fn checked(value: Option<u8>) -> u8 {
    value.expect("a value")
}

fn main() {}
