use stack_trace_runtime::llm;

#[llm]
async fn answer(question: &str) -> String {
    let _ = question;
    "not a String"
}

fn main() {}
