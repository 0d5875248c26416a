//! Generated code must compile cleanly in user crates with strict lints:
//! `deny(warnings)`, `clippy::pedantic`, `unused_qualifications`,
//! `unsafe_op_in_unsafe_fn`, and with user items named `core`, `std`,
//! `Result` and `Option` in scope. `cargo test` checks the rustc lints;
//! `cargo clippy --all-targets` (run by `scripts/test`) checks clippy's.
#![deny(warnings)]
#![deny(clippy::pedantic)]
#![deny(unused_qualifications, unsafe_op_in_unsafe_fn, unreachable_pub)]
#![allow(dead_code)]

mod core {}
mod std {}
struct Result;
struct Option;

use stack_trace_runtime::{
    agent, chain, embedding, evaluator, guardrail, llm, prompt, reranker, retriever, tool,
};

#[derive(serde::Serialize, Debug)]
struct Doc {
    id: u32,
}

#[tool]
fn sync_tool(query: &str, top_k: usize) -> ::std::vec::Vec<Doc> {
    (0..top_k)
        .map(|i| Doc {
            id: u32::try_from(i + query.len()).unwrap_or(0),
        })
        .collect()
}

#[llm]
fn sync_result(prompt: &str) -> ::core::result::Result<::std::string::String, ::std::io::Error> {
    if prompt.is_empty() {
        return ::core::result::Result::Err(::std::io::Error::other("empty"));
    }
    ::core::result::Result::Ok(prompt.to_owned())
}

#[retriever]
async fn async_retriever(query: ::std::string::String) -> ::core::option::Option<Doc> {
    ::core::option::Option::Some(Doc {
        id: u32::try_from(query.len()).unwrap_or(0),
    })
}

#[agent]
async fn async_unit(goal: &str) {
    let _ = goal;
}

#[chain]
fn unit_sync() {}

#[embedding]
fn generic<T: ::core::fmt::Debug>(value: T) -> T {
    value
}

#[reranker]
fn no_args() -> u8 {
    1
}

#[guardrail]
/// # Safety
/// `p` is valid.
unsafe fn unsafe_read(p: *const u8) -> u8 {
    // SAFETY: the caller guarantees `p` is valid.
    unsafe { *p }
}

const TEMPLATE: &str = "Say {n}";

#[prompt(template = TEMPLATE, version = "v1")]
fn render(n: u8) -> ::std::string::String {
    TEMPLATE.replace("{n}", &n.to_string())
}

#[prompt(template = "{a} and {b}")]
async fn render_async(a: &str, b: &str) -> ::std::string::String {
    ::std::format!("{a} and {b}")
}

#[evaluator]
fn impl_ret(n: u8) -> impl ::core::fmt::Display {
    n
}

#[evaluator]
fn scored(
    span: stack_trace_runtime::SpanHandle,
    answer: &str,
) -> ::core::result::Result<stack_trace_runtime::Evaluation, ::std::io::Error> {
    let _ = span;
    ::core::result::Result::Ok(stack_trace_runtime::Evaluation::score(
        if answer.is_empty() { 0.0 } else { 1.0 },
    ))
}

#[evaluator]
async fn scored_async(trace: &stack_trace_runtime::TraceHandle) -> bool {
    trace.to_string().len() == 32
}

struct Agent {
    limit: usize,
}

impl Agent {
    #[agent]
    fn run(&self, goal: &str) -> usize {
        goal.len().min(self.limit)
    }

    #[tool]
    fn mutate(&mut self, n: u8) -> &mut Self {
        let _ = n;
        self
    }

    #[chain]
    async fn method_async(&self, n: u8) -> u8 {
        n
    }
}

#[async_trait::async_trait]
trait Search {
    async fn search(&self, q: &str) -> usize;
}

#[async_trait::async_trait]
impl Search for Agent {
    #[retriever]
    async fn search(&self, q: &str) -> usize {
        q.len()
    }
}

#[async_trait::async_trait]
trait Plot {
    async fn plot(&self, point: (i32, i32), scale: u8) -> i32;
}

#[async_trait::async_trait]
impl Plot for Agent {
    #[tool]
    async fn plot(&self, (x, mut y): (i32, i32), _: u8) -> i32 {
        y += 1;
        x + y
    }
}

#[tool]
fn gated(#[cfg(any())] hidden: u8, (a, b): (u8, u8), _: u8) -> u8 {
    a + b
}

#[chain]
fn static_future(
    url: &str,
) -> ::std::pin::Pin<::std::boxed::Box<dyn ::core::future::Future<Output = usize> + Send + 'static>>
{
    let owned = url.to_owned();
    ::std::boxed::Box::pin(async move { owned.len() })
}

#[llm]
fn token_iter(
    prompt: &str,
) -> impl Iterator<Item = ::core::result::Result<::std::string::String, ::std::io::Error>> + '_ {
    prompt
        .split(' ')
        .map(|w| ::core::result::Result::Ok(w.to_owned()))
}

#[llm]
async fn fallible_stream(
    prompt: &str,
) -> ::core::result::Result<
    impl futures::Stream<Item = ::std::string::String> + use<>,
    ::std::io::Error,
> {
    if prompt.is_empty() {
        return ::core::result::Result::Err(::std::io::Error::other("empty"));
    }
    ::core::result::Result::Ok(futures::stream::iter(vec![prompt.to_owned()]))
}

#[retriever(stream)]
async fn doc_stream(
    q: ::std::string::String,
) -> ::std::pin::Pin<::std::boxed::Box<dyn futures::Stream<Item = Doc> + Send>> {
    ::std::boxed::Box::pin(futures::stream::iter(vec![Doc {
        id: u32::try_from(q.len()).unwrap_or(0),
    }]))
}

#[test]
fn strict_lints_compile_and_run() {
    let _ = token_iter("a b").count();
    let _ = sync_tool("q", 2);
    let _ = sync_result("p");
    let _ = generic(3);
    let _ = no_args();
    unit_sync();
    let v = 1u8;
    // SAFETY: `v` is alive.
    let _ = unsafe { unsafe_read(&raw const v) };
    let _ = impl_ret(1).to_string();
    let _ = gated((1, 2), 3);
    let mut agent = Agent { limit: 3 };
    let _ = agent.run("x");
    let _ = agent.mutate(1);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(async {
        let _ = async_retriever("q".to_owned()).await;
        async_unit("g").await;
        let _ = agent.method_async(1).await;
        let _ = agent.search("q").await;
        let _ = agent.plot((1, 2), 3).await;
        let _ = static_future("u").await;
        let _ = futures::StreamExt::count(doc_stream("q".to_owned()).await).await;
        if let ::core::result::Result::Ok(s) = fallible_stream("p").await {
            let _ = futures::StreamExt::count(s).await;
        }
    });
}
