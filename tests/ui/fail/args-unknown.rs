use stack_trace_runtime::tool;

#[tool(nmae = "search", descripton("x"), skip(a))]
fn search(a: u8) -> u8 {
    a
}

fn main() {}
