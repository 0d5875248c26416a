use stack_trace_runtime::tool;

#[tool(redact(email, phone), unredact(email), redact)]
fn lookup(email: &str) -> usize {
    email.len()
}

fn main() {}
