#![deny(warnings)]
//! User items named like the standard library do not break generated code.

#[allow(dead_code)]
mod core {}
#[allow(dead_code)]
mod std {}
#[allow(dead_code)]
struct Result;
#[allow(dead_code)]
struct Option;
#[allow(dead_code)]
struct Some;
#[allow(dead_code)]
struct None;
#[allow(dead_code)]
struct Box;

use stack_trace_runtime::{agent, tool};

#[tool]
fn search(query: &str) -> ::core::result::Result<usize, ::std::io::Error> {
    ::core::result::Result::Ok(query.len())
}

#[agent]
async fn run(goal: &str) -> ::core::option::Option<usize> {
    ::core::option::Option::Some(goal.len())
}

fn main() {
    let _ = search("x");
    let _ = run("goal");
}
