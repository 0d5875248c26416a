use stack_trace_runtime::{agent, tool};

#[tool]
pub struct Search;

#[agent]
impl Search {}

fn main() {}
