#![deny(dead_code)]

use stack_trace_runtime::chain;

#[chain]
fn never_called(a: u8) -> u8 {
    a
}

fn main() {}
