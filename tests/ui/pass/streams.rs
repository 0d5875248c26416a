//! Every stream shape the macros wrap, compiled under strict lints.
#![deny(warnings)]
#![warn(clippy::pedantic)]

use std::pin::Pin;

use futures::Stream;
use futures::stream::BoxStream;
use stack_trace_runtime::{agent, chain, llm, retriever, tool};

#[chain]
fn iter(n: u8) -> impl Iterator<Item = u8> {
    0..n
}

#[chain]
fn iter_borrowing(text: &str) -> impl Iterator<Item = &str> + '_ {
    text.split(' ')
}

#[llm]
fn results(n: u8) -> impl Iterator<Item = Result<u8, std::io::Error>> + Send {
    (0..n).map(Ok)
}

#[retriever]
async fn docs(q: String) -> impl Stream<Item = String> + Send + Unpin {
    futures::stream::iter(vec![q])
}

#[llm]
fn fallible(n: u8) -> Result<impl Iterator<Item = u8>, std::io::Error> {
    if n == 0 {
        return Err(std::io::Error::other("zero"));
    }
    Ok(0..n)
}

#[llm(stream)]
async fn fallible_boxed(n: u8) -> anyhow::Result<Pin<Box<dyn Stream<Item = u8> + Send>>> {
    Ok(Box::pin(futures::stream::iter(0..n)))
}

#[tool(stream)]
fn boxed(n: u8) -> Pin<Box<dyn Stream<Item = u8> + Send>> {
    Box::pin(futures::stream::iter(0..n))
}

#[agent(stream)]
async fn box_stream(n: u8) -> BoxStream<'static, u8> {
    Box::pin(futures::stream::iter(0..n))
}

#[chain(stream)]
fn boxed_iter<'a>(items: &'a [u8]) -> Box<dyn Iterator<Item = &'a u8> + 'a> {
    Box::new(items.iter())
}

#[chain]
fn generic<T: Clone + serde::Serialize>(item: T, n: usize) -> impl Iterator<Item = T> {
    std::iter::repeat_n(item, n)
}

struct Opaque;

#[chain]
fn opaque_items(n: usize) -> impl Iterator<Item = Opaque> {
    (0..n).map(|_| Opaque)
}

struct Client;

impl Client {
    #[llm]
    fn method<'a>(&self, prompt: &'a str) -> impl Iterator<Item = String> + 'a {
        let _ = self;
        prompt.split(' ').map(str::to_owned)
    }
}

fn main() {
    let _ = iter(3).count();
    let _ = iter_borrowing("a b").count();
    let _ = results(2).count();
    let _ = docs(String::new());
    let _ = boxed(2);
    let _ = fallible(2).map(Iterator::count);
    let _ = fallible_boxed(2);
    let _ = box_stream(2);
    let _ = boxed_iter(&[1, 2]).count();
    let _ = generic(1u8, 2).count();
    let _ = opaque_items(2).count();
    let _ = Client.method("a b").count();
}
