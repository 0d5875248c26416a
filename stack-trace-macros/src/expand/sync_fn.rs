//! Sync bodies: the body runs as an `FnOnce` closure (so `return` and `?`
//! stay inside it, and `&mut self -> &mut T` methods compile), with the span
//! current and panics recorded; the result is recorded by reference and
//! returned unchanged.

use proc_macro2::TokenStream;
use quote::quote;

use super::{user_block, Instrumentation};
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
    let block = user_block(body);
    let binding = match return_shape(&target.sig.output) {
        ReturnShape::Typed(ty) => quote!(: #ty),
        ReturnShape::Opaque => TokenStream::new(),
        ReturnShape::Never => {
            return quote! {
                #prologue
                #span.run_sync(move || #block)
            };
        }
    };
    quote! {
        #prologue
        let #out #binding = #span.run_sync(move || #block);
        #epilogue
        #out
    }
}
