//! The statements that capture the arguments and record the outcome: each a
//! call into the runtime through an autoref probe.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::{rt, unraw, Locals};
use crate::args::Args;
use crate::kind::MacroKind;
use crate::signature::SigFacts;

/// `if span.is_recording() { inputs...; }` (nothing with `skip_all`).
pub(crate) fn arguments(
    kind: MacroKind,
    args: &Args,
    facts: &SigFacts,
    locals: &Locals,
) -> TokenStream {
    if args.skip_all.is_some() {
        return TokenStream::new();
    }
    let rt = rt();
    let span = &locals.span;
    let inputs = Ident::new("__st_inputs", Span::mixed_site());
    let mut params: Vec<&Ident> = facts
        .params
        .iter()
        .map(|p| &p.ident)
        .filter(|ident| !args.skip.contains(ident))
        .collect();
    if kind == MacroKind::Retriever {
        // A retriever's input is its query: `query = param`, else a parameter
        // named `query`, else the only parameter.
        let query = args
            .query
            .as_ref()
            .or_else(|| params.iter().copied().find(|p| *p == "query"));
        if let Some(query) = query {
            params = vec![query];
        }
    }
    let count = params.len();
    let names: Vec<String> = params.iter().map(|ident| unraw(ident)).collect();
    // How each argument is scrubbed: redacted whole, kept whole, or by the
    // name rule (decided here, at compile time) and then at every depth.
    let modes: Vec<TokenStream> = params
        .iter()
        .zip(&names)
        .map(|(ident, name)| {
            if args.redact.contains(ident) {
                quote!(#rt::__private::ArgMode::Redact)
            } else if args.unredact.contains(ident) {
                quote!(#rt::__private::ArgMode::Keep)
            } else {
                quote!(const { #rt::__private::param_mode(#name) })
            }
        })
        .collect();
    quote! {
        if #span.is_recording() {
            #[allow(unused_imports)]
            use #rt::__private::{
                ViaDebug as _, ViaOpaque as _, ViaSerialize as _, ViaSerializeDebug as _,
            };
            let mut #inputs = #span.inputs(#count);
            #(
                (&&&&#rt::__private::Probe(&#params)).st_arg(&mut #inputs, #names, #modes);
            )*
            #span.set_inputs(#inputs);
        }
    }
}

/// For `#[llm]`: lets a messages parameter whose type implements
/// `DescribeMessages` describe itself (a no-op for other types).
pub(crate) fn describe_messages(
    kind: MacroKind,
    args: &Args,
    facts: &SigFacts,
    locals: &Locals,
) -> TokenStream {
    if kind != MacroKind::Llm || args.skip_all.is_some() {
        return TokenStream::new();
    }
    let messages = args.messages.as_ref().or_else(|| {
        facts
            .params
            .iter()
            .map(|p| &p.ident)
            .find(|i| *i == "messages")
    });
    let Some(messages) = messages.filter(|m| !args.skip.contains(m)) else {
        return TokenStream::new();
    };
    let rt = rt();
    let span = &locals.span;
    quote! {
        if #span.is_recording() {
            #[allow(unused_imports)]
            use #rt::__private::{NoDescribeMessages as _, ViaDescribeMessages as _};
            (&&#rt::__private::DescribeProbe(&#messages)).st_describe_messages(&mut #span);
        }
    }
}

/// Records the result (output or error) and ends the span.
pub(crate) fn outcome(kind: MacroKind, locals: &Locals) -> TokenStream {
    let rt = rt();
    let span = &locals.span;
    let out = &locals.out;
    let ok = Ident::new("__st_ok", Span::mixed_site());
    let err = Ident::new("__st_err", Span::mixed_site());
    // Types that describe themselves go first, so they win over shape reading.
    let describe = match kind {
        MacroKind::Llm => quote! {
            #[allow(unused_imports)]
            use #rt::__private::{NoDescribeLlmResponse as _, ViaDescribeLlmResponse as _};
            (&&#rt::__private::DescribeProbe(#ok)).st_describe_response(&mut #span);
        },
        MacroKind::Retriever | MacroKind::Reranker => quote! {
            #[allow(unused_imports)]
            use #rt::__private::{NoDescribeDocuments as _, ViaDescribeDocuments as _};
            (&&#rt::__private::DescribeProbe(#ok)).st_describe_documents(&mut #span);
        },
        _ => TokenStream::new(),
    };
    quote! {
        if #span.is_recording() {
            #[allow(unused_imports)]
            use #rt::__private::{
                ViaDebug as _, ViaDebugError as _, ViaDisplayError as _, ViaErased as _,
                ViaErasedSendSync as _, ViaOpaque as _, ViaOpaqueError as _, ViaPlain as _,
                ViaResult as _, ViaSerialize as _, ViaSerializeDebug as _, ViaStdError as _,
            };
            let (#ok, #err) = (&&#rt::__private::Outcome(&#out)).st_parts();
            if let #rt::__private::Some(#ok) = #ok {
                #describe
                (&&&&#rt::__private::Probe(#ok)).st_output(&mut #span);
            }
            if let #rt::__private::Some(#err) = #err {
                (&&&&&&#rt::__private::ErrProbe(#err)).st_error(&mut #span);
            }
        }
        #span.finish();
    }
}
