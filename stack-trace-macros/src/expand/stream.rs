//! Functions that return a stream or an iterator: the body runs as usual
//! (sync or async) to build the stream, then the span moves into a wrapper
//! that keeps it open until the stream ends, fails or is dropped, observing
//! each item through the same compile-time probes as a return value.

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, quote_spanned};

use super::async_fn::fake_return_edge;
use super::{rt, user_block_tokens, Instrumentation};
use crate::item::{Body, TargetFn};
use crate::signature::{
    return_shape, stream_type, ReturnShape, StreamShape, StreamTrait, StreamWrap,
};

pub(crate) fn body(
    target: &TargetFn,
    body: &Body,
    instr: &Instrumentation,
    shape: StreamShape,
) -> TokenStream {
    let rt = rt();
    let Instrumentation {
        prologue, locals, ..
    } = instr;
    let span = &locals.span;
    let out = &locals.out;
    let fake_return = fake_return_edge(target);
    let user = user_block_tokens(body);
    let produce = if target.sig.asyncness.is_some() {
        quote! {
            let #out = #span.run_async(async move {
                #fake_return
                #user
            }).await;
        }
    } else {
        let binding = match return_shape(&target.sig.output) {
            ReturnShape::Typed(ty) => quote!(: #ty),
            ReturnShape::Opaque | ReturnShape::Never => TokenStream::new(),
        };
        quote! {
            let #out #binding = #span.run_sync(move || { #fake_return #user });
        }
    };
    let constructor = match shape.kind {
        StreamTrait::Iterator => quote!(iter),
        StreamTrait::Stream => quote!(stream),
    };
    let observer = observer();
    let stream = if shape.in_result {
        Ident::new("__st_stream", Span::mixed_site())
    } else {
        out.clone()
    };
    let traced = quote!(#rt::__private::Traced::#constructor(#span, #stream, #observer));
    let wrapped = match shape.wrap {
        StreamWrap::Impl => traced,
        StreamWrap::BoxPin => quote!(#rt::__private::Box::pin(#traced)),
        StreamWrap::Boxed => quote!(#rt::__private::Box::new(#traced)),
        StreamWrap::Alias => {
            let target = stream_type(&target.sig.output, shape.in_result);
            let span = target
                .as_ref()
                .map_or_else(Span::call_site, syn::spanned::Spanned::span);
            quote_spanned! {span=>
                <#target as #rt::__private::WrapStream<_>>::st_wrap(#traced)
            }
        }
    };
    if !shape.in_result {
        return quote! {
            #prologue
            #produce
            #wrapped
        };
    }
    // `Result<stream, E>`: the stream is traced; an `Err` is the call's
    // failure and ends the span.
    let err = Ident::new("__st_err", Span::mixed_site());
    quote! {
        #prologue
        #produce
        match #out {
            ::core::result::Result::Ok(#stream) => ::core::result::Result::Ok(#wrapped),
            ::core::result::Result::Err(#err) => {
                if #span.is_recording() {
                    #[allow(unused_imports)]
                    use #rt::__private::{
                        ViaDebugError as _, ViaDisplayError as _, ViaErased as _,
                        ViaErasedSendSync as _, ViaOpaqueError as _, ViaStdError as _,
                    };
                    (&&&&&&#rt::__private::ErrProbe(&#err)).st_error(&mut #span);
                }
                #span.finish();
                ::core::result::Result::Err(#err)
            }
        }
    }
}

/// The closure that records one item: `Ok`/plain values through the capture
/// probes, `Err` items as errors on the span.
fn observer() -> TokenStream {
    let rt = rt();
    let item = Ident::new("__st_item", Span::mixed_site());
    let tally = Ident::new("__st_tally", Span::mixed_site());
    let ok = Ident::new("__st_ok", Span::mixed_site());
    let err = Ident::new("__st_err", Span::mixed_site());
    quote! {
        |#item, #tally: &mut #rt::__private::Tally| {
            #[allow(unused_imports)]
            use #rt::__private::{
                ViaDebug as _, ViaDebugError as _, ViaDisplayError as _, ViaErased as _,
                ViaErasedSendSync as _, ViaOpaque as _, ViaOpaqueError as _, ViaPlain as _,
                ViaResult as _, ViaSerialize as _, ViaSerializeDebug as _, ViaStdError as _,
            };
            let (#ok, #err) = (&&#rt::__private::Outcome(#item)).st_parts();
            if let #rt::__private::Some(#ok) = #ok {
                (&&&&#rt::__private::Probe(#ok)).st_item(#tally);
            }
            if let #rt::__private::Some(#err) = #err {
                (&&&&&&#rt::__private::ErrProbe(#err)).st_error(#tally.span());
            }
        }
    }
}
