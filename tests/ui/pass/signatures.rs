#![deny(warnings)]
//! Every signature shape the macros must accept unchanged.

use std::fmt::Display;

use serde::Serialize;
use stack_trace_runtime::{agent, chain, embedding, evaluator, guardrail, llm, reranker, retriever, tool};

#[derive(Serialize, Debug, Clone)]
pub struct Doc {
    pub id: u32,
}

pub struct Store<T> {
    items: Vec<T>,
}

impl<T: Clone + Serialize> Store<T> {
    #[retriever]
    pub fn all(&self) -> Vec<T> {
        self.items.clone()
    }

    #[chain]
    pub fn first_mut(&mut self) -> Option<&mut T> {
        self.items.first_mut()
    }

    #[agent]
    pub fn into_items(self) -> Vec<T> {
        self.items
    }

    #[tool(name = "store-len")]
    pub fn len_where<U>(&self, extra: U) -> usize
    where
        U: Into<usize> + Copy + std::fmt::Debug,
    {
        self.items.len() + extra.into()
    }
}

#[llm]
pub fn with_lifetimes<'a, 'b: 'a>(a: &'a str, b: &'b str) -> &'a str {
    if a.len() > b.len() { a } else { b }
}

#[embedding]
pub fn impl_trait_arg(text: impl Display) -> impl Display {
    format!("[{text}]")
}

#[reranker]
pub fn impl_in_result(n: u8) -> Result<impl Iterator<Item = u8>, String> {
    Ok(0..n)
}

#[guardrail]
#[must_use]
pub fn must_use_kept(input: &str) -> bool {
    !input.is_empty()
}

#[evaluator]
/// # Safety
/// `ptr` must be valid.
pub unsafe fn unsafe_fn(ptr: *const u8) -> u8 {
    unsafe { *ptr }
}

#[chain]
pub fn inner_attributes(x: u32) -> u32 {
    #![allow(clippy::identity_op)]
    x * 1
}

#[tool]
#[inline]
#[allow(clippy::needless_pass_by_value)]
pub fn user_attributes(x: String) -> usize {
    x.len()
}

#[chain]
pub fn destructured((a, b): (u8, u8), Doc { id }: Doc, _: u8) -> u32 {
    u32::from(a) + u32::from(b) + id
}

#[chain]
pub fn early_and_question(s: &str) -> Result<u8, std::num::ParseIntError> {
    if s.is_empty() {
        return Ok(0);
    }
    let v: u8 = s.parse()?;
    Ok(v)
}

#[chain]
pub fn never_returns(code: i32) -> ! {
    std::process::exit(code)
}

pub enum Shade {
    Light,
    Dark,
}

#[chain]
pub fn type_shadowing(dark: bool) -> u8 {
    use Shade::*;
    let shade = if dark { Dark } else { Light };
    match shade {
        Light => 1,
        Dark => 2,
    }
}

#[chain]
pub fn r#type(r#match: u8) -> u8 {
    r#match
}

#[tool]
pub async fn async_fn(city: &str) -> String {
    city.to_owned()
}

#[agent]
pub async fn async_impl_trait(n: u8) -> impl Display {
    n
}

#[agent]
pub async fn async_result(n: &str) -> anyhow::Result<u8> {
    Ok(n.parse()?)
}

#[chain]
pub fn returns_future(x: u8) -> impl std::future::Future<Output = u8> {
    async move { x }
}

#[async_trait::async_trait]
pub trait Search: Send + Sync {
    async fn search(&self, q: &str) -> Vec<Doc>;
}

pub struct Kb;

#[async_trait::async_trait]
impl Search for Kb {
    #[retriever]
    async fn search(&self, q: &str) -> Vec<Doc> {
        vec![Doc { id: q.len() as u32 }]
    }
}

trait Native {
    async fn native(&self) -> u8;
}

impl Native for Kb {
    #[llm]
    async fn native(&self) -> u8 {
        1
    }
}

fn main() {
    let mut store = Store { items: vec![Doc { id: 1 }] };
    let _ = store.all();
    let _ = store.first_mut();
    let _ = store.len_where(2u8);
    let _ = store.into_items();
    let _ = with_lifetimes("a", "bb");
    let _ = impl_trait_arg(3).to_string();
    let _ = impl_in_result(3).map(Iterator::count);
    let _ = must_use_kept("x");
    let v = 7u8;
    let _ = unsafe { unsafe_fn(&v) };
    let _ = inner_attributes(1);
    let _ = user_attributes(String::new());
    let _ = destructured((1, 2), Doc { id: 3 }, 0);
    let _ = early_and_question("4");
    let _ = type_shadowing(true);
    let _ = r#type(1);
    let _ = never_returns as fn(i32) -> !;
    let rt = tokio::runtime::Builder::new_current_thread().build().unwrap();
    rt.block_on(async {
        let _ = async_fn("Paris").await;
        let _ = async_impl_trait(1).await.to_string();
        let _ = async_result("1").await;
        let _ = returns_future(1).await;
        let _ = Kb.search("q").await;
        let _ = Kb.native().await;
    });
}
