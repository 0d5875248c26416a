//! Evaluations bound to the traces that produced them: two prompt versions
//! (`v1`, `v2`) answer a dozen questions; an `#[evaluator]` scores every
//! answer and another rates each retrieved document's relevance; a few
//! answers get user feedback by trace id, the way a feedback endpoint
//! receives it. Phoenix then answers "which prompt version scores worst"
//! with one query (the mean `grounded` score per
//! `llm.prompt_template.version`).
//!
//! ```text
//! cargo run --example evals                 # console waterfall, annotations beside their spans
//! PHOENIX_COLLECTOR_ENDPOINT=http://localhost:6006 cargo run --example evals
//! ```
//!
//! Prints one line per run (`<version> <trace id> <question>`) and the mean
//! score per version on stdout.

use serde::Serialize;
use serde_json::{Value, json};
use stack_trace_runtime::{
    Annotation, Evaluation, TraceHandle, agent, annotate, current_trace_id, evaluator, llm, prompt,
    retriever,
};

/// One chunk of the knowledge base.
#[derive(Clone, Debug, Serialize)]
struct Document {
    id: &'static str,
    score: f64,
    content: &'static str,
}

const KNOWLEDGE: [(&str, &str); 8] = [
    (
        "pg-1",
        "Postgres handles many concurrent writers with MVCC.",
    ),
    ("sq-1", "SQLite is a single file and needs no server."),
    ("sq-2", "SQLite allows one writer at a time."),
    ("rd-1", "Redis keeps data in memory and persists snapshots."),
    ("pg-2", "Postgres supports JSONB columns with GIN indexes."),
    (
        "mq-1",
        "Kafka stores events in partitioned, replicated logs.",
    ),
    (
        "rd-2",
        "Redis streams give consumer groups to many readers.",
    ),
    (
        "sq-3",
        "SQLite's WAL mode lets readers run beside the writer.",
    ),
];

/// The dozen questions, each with the word a grounded answer mentions.
const QUESTIONS: [(&str, &str); 12] = [
    ("Which database handles concurrent writers?", "MVCC"),
    ("Does SQLite need a server?", "file"),
    ("How many writers can SQLite have at once?", "one writer"),
    ("Where does Redis keep its data?", "memory"),
    ("Can Postgres index JSON?", "GIN"),
    ("How does Kafka store events?", "partitioned"),
    (
        "How do many readers consume a Redis stream?",
        "consumer groups",
    ),
    ("Can SQLite readers run while it writes?", "WAL"),
    ("Is Postgres good for many writers?", "MVCC"),
    ("Is SQLite one file?", "single file"),
    ("Does Redis persist anything?", "snapshots"),
    ("Are Kafka logs replicated?", "replicated"),
];

/// The two prompt versions compared.
const PROMPTS: [(&str, &str); 2] = [
    ("v1", "Answer in one short sentence: {question}"),
    (
        "v2",
        "Answer from these documents only, quoting them: {documents}\nQuestion: {question}",
    ),
];

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 3)
        .map(str::to_lowercase)
        .collect()
}

/// Keyword overlap over the knowledge base, best first.
#[retriever]
fn search(query: &str) -> Vec<Document> {
    let wanted = words(query);
    let mut found: Vec<Document> = KNOWLEDGE
        .iter()
        .map(|(id, content)| {
            let hits = words(content).iter().filter(|w| wanted.contains(w)).count();
            #[allow(clippy::cast_precision_loss)]
            let score = hits as f64 / wanted.len().max(1) as f64;
            Document { id, score, content }
        })
        .filter(|d| d.score > 0.0)
        .collect();
    found.sort_by(|a, b| b.score.total_cmp(&a.score));
    found.truncate(3);
    found
}

/// A scripted model (no network): quotes the documents when the prompt
/// carries them, else answers from "memory", which is often vague.
#[llm(model = "scripted-chat-1", provider = "local")]
fn complete(messages: &[Value]) -> Value {
    let prompt = messages[0]["content"].as_str().unwrap_or_default();
    let text = match prompt.split_once("documents only, quoting them: ") {
        Some((_, rest)) => rest.split('\n').next().unwrap_or_default().to_owned(),
        // From "memory": a fact it knows well (two words in common), else vague.
        None => {
            let asked = words(prompt);
            KNOWLEDGE
                .iter()
                .map(|(_, fact)| {
                    (
                        words(fact).iter().filter(|w| asked.contains(w)).count(),
                        fact,
                    )
                })
                .filter(|(shared, _)| *shared >= 2)
                .max_by_key(|(shared, _)| *shared)
                .map_or_else(
                    || "It depends on your workload.".to_owned(),
                    |(_, fact)| (*fact).to_owned(),
                )
        }
    };
    json!({
        "model": "scripted-chat-1",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": prompt.len() / 4, "completion_tokens": text.len() / 4, "total_tokens": (prompt.len() + text.len()) / 4},
    })
}

/// A scripted relevance judge (an LLM-as-judge, without the network).
#[llm(model = "scripted-judge-1", provider = "local")]
fn judge(messages: &[Value]) -> Value {
    let prompt = messages[0]["content"].as_str().unwrap_or_default();
    let (question, document) = prompt.split_once("\nDocument: ").unwrap_or((prompt, ""));
    let wanted = words(question);
    let shared = words(document)
        .iter()
        .filter(|w| wanted.contains(w))
        .count();
    let verdict = if shared >= 2 { "relevant" } else { "unrelated" };
    json!({"choices": [{"index": 0, "message": {"role": "assistant", "content": verdict}}]})
}

/// How relevant one retrieved document is to the question, judged by a
/// model (so the annotation's kind is LLM, which Phoenix's retrieval
/// metrics read). Called right after the retrieval, so it is bound to that
/// retriever span's document `position`.
#[evaluator]
fn relevance(question: &str, document: &Document, position: usize) -> Evaluation {
    let prompt = format!("Question: {question}\nDocument: {}", document.content);
    let reply = judge(&[json!({"role": "user", "content": prompt})]);
    let verdict = reply["choices"][0]["message"]["content"]
        .as_str()
        .unwrap_or("unrelated");
    Evaluation::score(if verdict == "relevant" { 1.0 } else { 0.0 })
        .label(verdict)
        .document(position)
}

/// Renders one version of the prompt: a `PROMPT` span, and the model call
/// that follows in the same agent run carries `llm.prompt_template.*`
/// (template, version, variables) with no code of ours.
#[prompt(template = template, version = version, skip(template, version))]
fn render(template: &str, version: &str, question: &str, documents: &str) -> String {
    template
        .replace("{question}", question)
        .replace("{documents}", documents)
}

/// One answer and the trace that produced it.
struct Answer {
    text: String,
    trace: Option<TraceHandle>,
}

#[agent]
fn answer(question: &str, version: &str, template: &str) -> Answer {
    let documents = search(question);
    for (position, document) in documents.iter().enumerate() {
        relevance(question, document, position);
    }
    let quoted: Vec<&str> = documents.iter().map(|d| d.content).collect();
    let prompt = render(template, version, question, &quoted.join(" "));
    let reply = complete(&[json!({"role": "user", "content": prompt})]);
    Answer {
        text: reply["choices"][0]["message"]["content"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
        trace: current_trace_id(),
    }
}

/// Is the answer grounded: does it say what the knowledge base says? Called
/// right after the run, so it is bound to the agent's span.
#[evaluator]
fn grounded(answer: &Answer, expected: &str) -> Evaluation {
    let hit = answer.text.contains(expected);
    Evaluation::score(if hit { 1.0 } else { 0.0 })
        .label(if hit { "grounded" } else { "ungrounded" })
        .explanation(format!("looked for {expected:?} in the answer"))
}

/// What a feedback endpoint does when a user clicks thumbs up or down,
/// minutes later, on another request: it knows only the trace id the
/// response carried (`X-Trace-Id`).
fn feedback(trace_id: &str, thumbs_up: bool) {
    let Ok(trace) = trace_id.parse::<TraceHandle>() else {
        eprintln!("not a trace id: {trace_id}");
        return;
    };
    let feedback = Annotation::new("user_feedback")
        .score(if thumbs_up { 1.0 } else { 0.0 })
        .label(if thumbs_up {
            "thumbs_up"
        } else {
            "thumbs_down"
        });
    if let Err(e) = annotate(trace, feedback) {
        eprintln!("feedback refused: {e}");
    }
}

fn main() {
    let _guard = stack_trace_runtime::init();
    let mut scores: Vec<(&str, f64)> = Vec::new();
    let mut traces = Vec::new();
    for (version, template) in PROMPTS {
        for (question, expected) in QUESTIONS {
            let result = answer(question, version, template);
            let score = if result.text.contains(expected) {
                1.0
            } else {
                0.0
            };
            grounded(&result, expected);
            scores.push((version, score));
            let trace = result.trace.map(|t| t.to_string()).unwrap_or_default();
            println!("{version} {trace} {question}");
            traces.push(trace);
        }
    }
    // Three users react to the first answers of each version.
    for (i, trace) in traces.iter().enumerate().filter(|(i, _)| i % 12 < 3) {
        feedback(trace, i >= 12);
    }
    for (version, _) in PROMPTS {
        let of: Vec<f64> = scores
            .iter()
            .filter(|(v, _)| *v == version)
            .map(|(_, s)| *s)
            .collect();
        #[allow(clippy::cast_precision_loss)]
        let mean = of.iter().sum::<f64>() / of.len() as f64;
        println!("mean grounded score {version}: {mean:.2}");
    }
}
