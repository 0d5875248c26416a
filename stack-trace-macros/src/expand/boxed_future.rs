//! Functions whose body ends in `Box::pin(async move { .. })` (what
//! `#[async_trait]` produces) or in an `async` block returned as
//! `impl Future`: the span must cover running the future, not building it,
//! so the async block is wrapped instead of the function body.
//!
//! The span starts and the arguments are captured where the function
//! starts, before the user's statements run (they may move or drop a
//! parameter); the returned block then holds only the span guard beside
//! what the user's block holds, so a `'static` future stays `'static`.

use proc_macro2::TokenStream;
use quote::{quote, ToTokens as _};
use syn::{Expr, Stmt};

use super::Instrumentation;
use crate::item::{Body, TargetFn};

pub(crate) fn body(target: &TargetFn, body: &Body, instr: &Instrumentation) -> Option<TokenStream> {
    let mut stmts =
        syn::parse::Parser::parse2(syn::Block::parse_within, body.tokens.clone()).ok()?;
    let Some(Stmt::Expr(tail, None)) = stmts.pop() else {
        return None;
    };
    let Instrumentation {
        prologue,
        epilogue,
        locals,
    } = instr;
    let span = &locals.span;
    let out = &locals.out;
    let wrap = |future: &Expr| {
        quote! {
            async move {
                let #out = #span.run_async(#future).await;
                #epilogue
                #out
            }
        }
    };
    let new_tail = match &tail {
        Expr::Call(call) if is_box_pin(&call.func) && call.args.len() == 1 => {
            let future = call.args.first()?;
            if !matches!(future, Expr::Async(_)) {
                return None;
            }
            let func = &call.func;
            let wrapped = wrap(future);
            quote!(#func(#wrapped))
        }
        Expr::Async(_) if returns_future(target) => wrap(&tail),
        _ => return None,
    };
    let mut out_tokens = prologue.clone();
    for stmt in &stmts {
        stmt.to_tokens(&mut out_tokens);
    }
    out_tokens.extend(new_tail);
    Some(out_tokens)
}

fn is_box_pin(func: &Expr) -> bool {
    let Expr::Path(path) = func else { return false };
    let segments: Vec<String> = path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    segments.len() >= 2
        && segments[segments.len() - 1] == "pin"
        && segments[segments.len() - 2] == "Box"
}

fn returns_future(target: &TargetFn) -> bool {
    match &target.sig.output {
        syn::ReturnType::Type(_, ty) => ty.to_token_stream().to_string().contains("Future"),
        syn::ReturnType::Default => false,
    }
}
