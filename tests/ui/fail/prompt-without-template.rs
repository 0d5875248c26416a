use stack_trace_runtime::prompt;

#[prompt(version = "v1")]
fn render(question: &str) -> String {
    format!("Answer: {question}")
}

#[prompt(template = "x", model = "gpt-4o")]
fn wrong_argument(question: &str) -> String {
    question.to_owned()
}

fn main() {}
