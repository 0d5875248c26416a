use stack_trace_runtime::tool;

#[tool]
const fn answer() -> u8 {
    42
}

fn main() {}
