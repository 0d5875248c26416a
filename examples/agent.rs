//! A small agent in the shape users write: an `#[agent]` run loop on a struct,
//! an `#[llm]` chat call (a scripted, deterministic model returning
//! OpenAI-shaped chat-completion JSON, tool calls included; no network),
//! `#[tool]`s and a `#[retriever]` over an in-memory index.
//!
//! ```text
//! cargo run --example agent                 # console waterfall, no server needed
//! PHOENIX_COLLECTOR_ENDPOINT=http://localhost:6006 cargo run --example agent
//! ```

use serde::Serialize;
use serde_json::{Value, json};
use stack_trace_runtime::{agent, embedding, llm, reranker, retriever, tool};

/// One chunk of the knowledge base.
#[derive(Clone, Debug, Serialize)]
struct Document {
    id: String,
    score: f64,
    content: String,
}

/// A scripted embedding model: a small deterministic vector per text.
struct Embedder;

impl Embedder {
    #[embedding(model = "text-embedding-3-small")]
    fn embed(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        texts
            .iter()
            .map(|t| {
                let mut v = [0f32; 4];
                for (i, b) in t.bytes().enumerate() {
                    v[i % 4] += f32::from(b) / 1000.0;
                }
                v.to_vec()
            })
            .collect()
    }
}

/// An in-memory index searched by word overlap.
struct Index {
    embedder: Embedder,
    chunks: Vec<(String, String)>,
}

impl Index {
    fn new() -> Self {
        let chunks = [
            (
                "pg-1",
                "Postgres handles many concurrent writers and suits multi-user Django apps.",
            ),
            (
                "pg-2",
                "Postgres needs a running server, backups and connection pooling.",
            ),
            (
                "sq-1",
                "SQLite is a single file, needs no server and is ideal for small apps.",
            ),
            (
                "sq-2",
                "SQLite allows one writer at a time; heavy concurrent writes queue up.",
            ),
            (
                "dj-1",
                "Django supports both Postgres and SQLite through the same ORM.",
            ),
        ];
        Self {
            embedder: Embedder,
            chunks: chunks
                .iter()
                .map(|(id, text)| ((*id).to_owned(), (*text).to_owned()))
                .collect(),
        }
    }

    /// Ranks chunks by the share of query words they contain.
    #[retriever]
    fn search(&self, query: &str, top_k: usize) -> Vec<Document> {
        let _query_vector = self.embedder.embed(&[query]);
        let words: Vec<String> = query
            .split_whitespace()
            .map(|w| {
                w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
            })
            .filter(|w| w.len() > 2)
            .collect();
        let mut docs: Vec<Document> = self
            .chunks
            .iter()
            .map(|(id, text)| {
                let lower = text.to_lowercase();
                let hits = words.iter().filter(|w| lower.contains(w.as_str())).count();
                #[allow(clippy::cast_precision_loss)]
                let score = hits as f64 / words.len().max(1) as f64;
                Document {
                    id: id.clone(),
                    score,
                    content: text.clone(),
                }
            })
            .filter(|d| d.score > 0.0)
            .collect();
        docs.sort_by(|a, b| b.score.total_cmp(&a.score));
        docs.truncate(top_k);
        docs
    }

    fn chunk(&self, id: &str) -> Option<&str> {
        self.chunks
            .iter()
            .find(|(chunk_id, _)| chunk_id == id)
            .map(|(_, text)| text.as_str())
    }
}

/// The current date and time (fixed here so the example is reproducible).
#[tool]
fn now() -> String {
    "2026-11-24T09:00:00Z".to_owned()
}

/// Searches the knowledge base and returns the best matching chunk ids.
#[tool(skip(index))]
fn search_docs(
    index: &Index,
    /// What to look for, in plain words.
    query: &str,
    /// How many chunk ids to return.
    top_k: usize,
) -> Vec<String> {
    let candidates = index.search(query, top_k * 2);
    rerank(query, candidates, top_k)
        .into_iter()
        .map(|d| d.id)
        .collect()
}

/// Orders candidates by score, shorter chunks first on ties.
#[reranker(model = "cross-encoder/ms-marco-MiniLM-L-6-v2")]
fn rerank(query: &str, documents: Vec<Document>, top_k: usize) -> Vec<Document> {
    let _ = query;
    let mut ranked = documents;
    ranked.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.content.len().cmp(&b.content.len()))
    });
    ranked.truncate(top_k);
    ranked
}

/// Why a chunk could not be fetched.
#[derive(Debug)]
struct ChunkNotFound(String);

impl std::fmt::Display for ChunkNotFound {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no chunk with id {:?}", self.0)
    }
}

impl std::error::Error for ChunkNotFound {}

/// Returns the full text of one chunk.
#[tool(skip(index))]
fn fetch_chunk(
    index: &Index,
    /// A chunk id returned by `search_docs`.
    chunk_id: &str,
) -> Result<String, ChunkNotFound> {
    index
        .chunk(chunk_id)
        .map(str::to_owned)
        .ok_or_else(|| ChunkNotFound(chunk_id.to_owned()))
}

/// A chat client. This one is scripted: it returns what a real
/// OpenAI-compatible endpoint returns, without the network.
struct ChatClient {
    turn: std::sync::atomic::AtomicUsize,
}

impl ChatClient {
    /// One chat completion.
    #[llm]
    fn chat(&self, model: &str, messages: &[Value], temperature: f64) -> Value {
        let _ = (model, temperature);
        std::thread::sleep(std::time::Duration::from_millis(3));
        let turn = self.turn.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        Self::reply(turn, messages)
    }

    fn reply(turn: usize, messages: &[Value]) -> Value {
        let message = match turn {
            0 => tool_call("call_1", "now", json!({})),
            1 => tool_call(
                "call_2",
                "search_docs",
                json!({"query": "Postgres SQLite small Django app", "top_k": 3}),
            ),
            2 => tool_call("call_3", "fetch_chunk", json!({"chunk_id": "sq-9"})),
            3 => tool_call("call_4", "fetch_chunk", json!({"chunk_id": "sq-2"})),
            _ => {
                let evidence: Vec<&str> = messages
                    .iter()
                    .filter(|m| m["role"] == "tool")
                    .filter_map(|m| m["content"].as_str())
                    .collect();
                json!({
                    "role": "assistant",
                    "content": format!(
                        "For a small Django app start with SQLite: one file, no server. \
                         Move to Postgres when concurrent writes grow. ({} tool results used)",
                        evidence.len()
                    ),
                })
            }
        };
        let finish = if message.get("tool_calls").is_some() {
            "tool_calls"
        } else {
            "stop"
        };
        let prompt_tokens = 40 + 25 * messages.len();
        json!({
            "id": format!("chatcmpl-{turn}"),
            "object": "chat.completion",
            "model": "gpt-4o-mini-2024-07-18",
            "choices": [{"index": 0, "message": message, "finish_reason": finish}],
            "usage": {
                "prompt_tokens": prompt_tokens,
                "completion_tokens": 18,
                "total_tokens": prompt_tokens + 18
            }
        })
    }
}

fn tool_call(id: &str, name: &str, arguments: Value) -> Value {
    json!({
        "role": "assistant",
        "content": null,
        "tool_calls": [{
            "id": id,
            "type": "function",
            "function": {"name": name, "arguments": arguments.to_string()}
        }]
    })
}

/// What the agent returns.
#[derive(Debug, Serialize)]
struct AgentResult {
    answer: String,
    steps: usize,
}

/// The agent: calls the model, runs the tools it asks for, until it answers.
struct Agent {
    client: ChatClient,
    index: Index,
    system_prompt: String,
}

impl Agent {
    #[agent]
    fn run(&self, goal: &str) -> AgentResult {
        let mut messages = vec![
            json!({"role": "system", "content": self.system_prompt}),
            json!({"role": "user", "content": goal}),
        ];
        for turn in 0..8 {
            let response = self.client.chat("gpt-4o-mini", &messages, 0.2);
            let message = response["choices"][0]["message"].clone();
            messages.push(message.clone());
            let Some(calls) = message["tool_calls"].as_array() else {
                return AgentResult {
                    answer: message["content"].as_str().unwrap_or_default().to_owned(),
                    steps: turn + 1,
                };
            };
            for call in calls {
                let content = self.dispatch(call);
                messages.push(json!({
                    "role": "tool",
                    "tool_call_id": call["id"],
                    "name": call["function"]["name"],
                    "content": content,
                }));
            }
        }
        AgentResult {
            answer: "gave up".to_owned(),
            steps: 8,
        }
    }

    fn dispatch(&self, call: &Value) -> String {
        let args: Value =
            serde_json::from_str(call["function"]["arguments"].as_str().unwrap_or("{}"))
                .unwrap_or_default();
        match call["function"]["name"].as_str().unwrap_or_default() {
            "now" => now(),
            "search_docs" => {
                let query = args["query"].as_str().unwrap_or_default();
                let top_k = args["top_k"].as_u64().unwrap_or(3);
                let top_k = usize::try_from(top_k).unwrap_or(3);
                serde_json::to_string(&search_docs(&self.index, query, top_k)).unwrap_or_default()
            }
            "fetch_chunk" => {
                match fetch_chunk(&self.index, args["chunk_id"].as_str().unwrap_or_default()) {
                    Ok(text) => text,
                    Err(e) => json!({"error": e.to_string()}).to_string(),
                }
            }
            other => json!({"error": format!("unknown tool {other}")}).to_string(),
        }
    }
}

fn main() {
    let _guard = stack_trace_runtime::init();
    let agent = Agent {
        client: ChatClient {
            turn: std::sync::atomic::AtomicUsize::new(0),
        },
        index: Index::new(),
        system_prompt: "You answer database questions using the tools.".to_owned(),
    };
    let result = agent.run("Compare Postgres and SQLite for a small Django app's database.");
    println!("{}\n(steps: {})", result.answer, result.steps);
}
