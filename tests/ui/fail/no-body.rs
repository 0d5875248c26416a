use stack_trace_runtime::tool;

trait Tool {
    #[tool]
    fn call(&self, input: &str) -> String;
}

fn main() {}
