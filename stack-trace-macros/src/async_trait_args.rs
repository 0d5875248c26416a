//! Parameters `#[async_trait]` renamed. It turns a destructured or `_`
//! parameter into `__argN` and binds the user's pattern again inside the
//! boxed future: `let PAT = { let __argN = __argN; __argN };`, or
//! `let __argN = __argN;` for `_`. Reading those statements back lets the
//! schema and the recorded input use the names the user wrote, and leave
//! `_` out, as for the same method without `#[async_trait]`.

use proc_macro2::{Ident, TokenStream};
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat, Stmt};

/// What the user wrote where `#[async_trait]` put a positional argument.
pub(crate) enum Renamed {
    /// `_`: nothing to record.
    Wild,
    /// A pattern, with its bindings.
    Pattern(Pat),
}

/// Whether `ident` is one of `#[async_trait]`'s positional names.
pub(crate) fn is_positional(ident: &Ident) -> bool {
    ident
        .to_string()
        .strip_prefix("__arg")
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The pattern `#[async_trait]` bound from `arg` in `body`, if it did.
pub(crate) fn renamed(body: &TokenStream, arg: &Ident) -> Option<Renamed> {
    let mut stmts = syn::parse::Parser::parse2(syn::Block::parse_within, body.clone()).ok()?;
    let Some(Stmt::Expr(Expr::Call(call), None)) = stmts.pop() else {
        return None;
    };
    let Some(Expr::Async(future)) = call.args.first() else {
        return None;
    };
    future.block.stmts.iter().find_map(|stmt| {
        let Stmt::Local(local) = stmt else {
            return None;
        };
        let init = &local.init.as_ref()?.expr;
        match (&local.pat, &**init) {
            (Pat::Ident(p), Expr::Path(path)) if p.ident == *arg && path.path.is_ident(arg) => {
                Some(Renamed::Wild)
            }
            (pat, Expr::Block(block)) => match block.block.stmts.last() {
                Some(Stmt::Expr(Expr::Path(path), None)) if path.path.is_ident(arg) => {
                    Some(Renamed::Pattern(pat.clone()))
                }
                _ => None,
            },
            _ => None,
        }
    })
}

/// `pat` as matched through a reference: its bindings without `mut` or
/// `ref`, so each binds a reference to its part of the value.
pub(crate) fn by_reference(pat: &Pat) -> Pat {
    struct Strip;
    impl VisitMut for Strip {
        fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
            p.by_ref = None;
            p.mutability = None;
            syn::visit_mut::visit_pat_ident_mut(self, p);
        }
    }
    let mut pat = pat.clone();
    Strip.visit_pat_mut(&mut pat);
    pat
}

#[cfg(test)]
mod tests {
    use quote::{format_ident, quote, ToTokens as _};

    use super::*;

    #[test]
    fn reads_back_patterns_and_wildcards() {
        let body = quote! {
            Box::pin(async move {
                let __self = self;
                let (x, mut y) = { let __arg1 = __arg1; __arg1 };
                let __arg2 = __arg2;
                let __ret: usize = { 0 };
                __ret
            })
        };
        let arg1 = format_ident!("__arg1");
        let arg2 = format_ident!("__arg2");
        assert!(is_positional(&arg1) && !is_positional(&format_ident!("__args")));
        match renamed(&body, &arg1) {
            Some(Renamed::Pattern(pat)) => {
                assert_eq!(by_reference(&pat).to_token_stream().to_string(), "(x , y)")
            }
            _ => panic!("pattern not found"),
        }
        assert!(matches!(renamed(&body, &arg2), Some(Renamed::Wild)));
        assert!(renamed(&body, &format_ident!("__arg3")).is_none());
    }
}
