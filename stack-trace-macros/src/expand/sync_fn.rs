//! Sync bodies: the body runs as an `FnOnce` closure (so `return` and `?`
//! stay inside it, and `&mut self -> &mut T` methods compile), with the span
//! current and panics recorded; the result is recorded by reference and
//! returned unchanged. When nothing records (disabled, suppressed, no span)
//! the same closure runs directly and its result is returned at once.

use proc_macro2::TokenStream;
use quote::quote;

use super::async_fn::fake_return_edge;
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
    let user = user_block_tokens(body);
    let fake_return = fake_return_edge(target);
    let block = quote!({ #fake_return #user });
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
    let run = &locals.run;
    let rt = super::rt();
    quote! {
        #prologue
        let #run = #rt::__private::body_once(move || #block);
        if #span.is_off() {
            // Nothing records: the body runs as if unannotated.
            return #run();
        }
        let #out #binding = #span.run_sync(#run);
        #epilogue
        #out
    }
}
