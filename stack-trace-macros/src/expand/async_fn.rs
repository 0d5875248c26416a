//! `async fn` bodies: the span starts at the first poll, the arguments are
//! captured before the body moves them, and the body runs as an
//! `async move` block polled with the span current. A fake return edge keeps
//! type errors on the user's tokens and fixes the block's output type.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::spanned::Spanned as _;

use super::{user_block_tokens, Instrumentation};
use crate::item::{Body, TargetFn};
use crate::signature::{return_shape, ReturnShape};

pub(crate) fn body(target: &TargetFn, body: &Body, instr: &Instrumentation) -> TokenStream {
    let Instrumentation {
        prologue,
        epilogue,
        locals,
    } = instr;
    let span = &locals.span;
    let out = &locals.out;
    let fake_return = fake_return_edge(target);
    let user = user_block_tokens(body);
    quote! {
        #prologue
        let #out = #span.run_async(async move {
            #fake_return
            #user
        }).await;
        #epilogue
        #out
    }
}

/// `if false { let r: Ret = loop {}; return r; }`, spanned on the return
/// type, or nothing when the type is wholly `impl Trait`.
pub(crate) fn fake_return_edge(target: &TargetFn) -> TokenStream {
    let ret = match return_shape(&target.sig.output) {
        ReturnShape::Typed(ty) => ty,
        ReturnShape::Opaque | ReturnShape::Never => return TokenStream::new(),
    };
    let span = match &target.sig.output {
        syn::ReturnType::Type(_, ty) => ty.span(),
        syn::ReturnType::Default => target.sig.ident.span(),
    };
    let fake = proc_macro2::Ident::new("__st_fake_return", proc_macro2::Span::mixed_site());
    quote_spanned! {span=>
        #[allow(
            unknown_lints,
            unreachable_code,
            clippy::diverging_sub_expression,
            clippy::empty_loop,
            clippy::let_unit_value,
            clippy::let_with_type_underscore,
            clippy::needless_return,
            clippy::unreachable
        )]
        if false {
            let #fake: #ret = loop {};
            return #fake;
        }
    }
}
