use stack_trace_runtime::tool;

#[tool(name = "a", name = "b", skip(missing), colour = "red")]
const fn everything_wrong(a: u8) -> u8 {
    a
}

fn main() {}
