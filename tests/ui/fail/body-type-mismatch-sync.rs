use stack_trace_runtime::tool;

#[tool]
fn count(items: Vec<u8>) -> usize {
    items.len() as u32
}

fn main() {}
