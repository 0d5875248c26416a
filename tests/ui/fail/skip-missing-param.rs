use stack_trace_runtime::tool;

#[tool(skip(api_clinet, self_))]
fn call(api_client: &str, query: &str) -> usize {
    api_client.len() + query.len()
}

fn main() {}
