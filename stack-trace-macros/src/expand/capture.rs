//! The statements that capture the arguments and record the outcome: each a
//! call into the runtime through an autoref probe.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::{rt, unraw, Locals};
use crate::args::Args;
use crate::kind::MacroKind;
use crate::params::{Param, SigFacts};

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
    let mut params: Vec<&Param> = facts
        .params
        .iter()
        .filter(|p| !args.skip.contains(&p.ident))
        .collect();
    if kind == MacroKind::Retriever {
        // A retriever's input is its query: `query = param`, else a parameter
        // named `query`, else the only parameter.
        let query = args.query.as_ref().map_or_else(
            || params.iter().copied().find(|p| p.ident == "query"),
            |q| facts.params.iter().find(|p| p.ident == *q),
        );
        if let Some(query) = query {
            params = vec![query];
        }
    }
    let count = params.len();
    let each = params.iter().map(|param| {
        let ident = &param.ident;
        let name = unraw(ident);
        // How the argument is scrubbed: redacted whole, kept whole, or by the
        // name rule (decided here, at compile time) and then at every depth.
        let mode = if args.redact.contains(ident) {
            quote!(#rt::__private::ArgMode::Redact)
        } else if args.unredact.contains(ident) {
            quote!(#rt::__private::ArgMode::Keep)
        } else {
            quote!(const { #rt::__private::param_mode(#name) })
        };
        let record = quote! {
            (&&&&#rt::__private::Probe(&#ident)).st_arg(&mut *#inputs, #name, #mode);
        };
        in_scope(param, record)
    });
    // The closure runs out of line, and only when the span records: the
    // caller's frame does not hold the inputs being built.
    quote! {
        #span.capture_inputs(#count, |#inputs: &mut #rt::__private::Inputs| {
            #[allow(unused_imports)]
            use #rt::__private::{
                ViaDebug as _, ViaOpaque as _, ViaSerialize as _, ViaSerializeDebug as _,
            };
            #(#each)*
        });
    }
}

/// `tokens` where `param` is in scope: behind its `#[cfg]`, and, for a
/// name `#[async_trait]` moved into its future, with the pattern matched
/// again through a reference to the positional argument.
pub(crate) fn in_scope(param: &Param, tokens: TokenStream) -> TokenStream {
    let cfgs = &param.cfgs;
    let bind = param.via.as_ref().map(|(pat, arg)| {
        quote! {
            #[allow(unused_variables, clippy::no_effect_underscore_binding)]
            let #pat = &#arg;
        }
    });
    quote! {
        #(#cfgs)*
        {
            #bind
            #tokens
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
    let wanted = args.messages.clone();
    let messages = facts.params.iter().find(|p| match &wanted {
        Some(m) => p.ident == *m,
        None => p.ident == "messages",
    });
    let Some(messages) = messages.filter(|m| !args.skip.contains(&m.ident)) else {
        return TokenStream::new();
    };
    let rt = rt();
    let span = &locals.span;
    let ident = &messages.ident;
    let describe = in_scope(
        messages,
        quote!((&&#rt::__private::DescribeProbe(&#ident)).st_describe_messages(&mut #span);),
    );
    quote! {
        if #span.is_recording() {
            #[allow(unused_imports)]
            use #rt::__private::{NoDescribeMessages as _, ViaDescribeMessages as _};
            #describe
        }
    }
}

/// For `#[evaluator]`: each parameter whose type names what is evaluated
/// (`EvaluationTarget`) tells the guard (a no-op for other types).
pub(crate) fn evaluation_targets(
    kind: MacroKind,
    facts: &SigFacts,
    locals: &Locals,
) -> TokenStream {
    if kind != MacroKind::Evaluator || facts.params.is_empty() {
        return TokenStream::new();
    }
    let rt = rt();
    let span = &locals.span;
    let each = facts.params.iter().map(|param| {
        let ident = &param.ident;
        in_scope(
            param,
            quote!(#span.set_evaluation_target((&&#rt::__private::TargetProbe(&#ident)).st_target());),
        )
    });
    quote! {
        if !#span.is_off() {
            #[allow(unused_imports)]
            use #rt::__private::{NoEvaluationTarget as _, ViaEvaluationTarget as _};
            #(#each)*
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
            (&&#rt::__private::DescribeProbe(#ok)).st_describe_response(&mut *#span);
        },
        MacroKind::Retriever | MacroKind::Reranker => quote! {
            #[allow(unused_imports)]
            use #rt::__private::{NoDescribeDocuments as _, ViaDescribeDocuments as _};
            (&&#rt::__private::DescribeProbe(#ok)).st_describe_documents(&mut *#span);
        },
        _ => TokenStream::new(),
    };
    // An evaluator's result is bound to what it evaluates, whether or not
    // its own span records.
    let evaluate = if kind == MacroKind::Evaluator {
        quote! {
            #span.evaluate(&#out, |#out| {
                #[allow(unused_imports)]
                use #rt::__private::{
                    NoDescribeEvaluation as _, ViaDescribeEvaluation as _, ViaPlain as _,
                    ViaResult as _,
                };
                match (&&#rt::__private::Outcome(#out)).st_parts().0 {
                    #rt::__private::Some(#ok) => {
                        (&&#rt::__private::EvaluationProbe(#ok)).st_evaluation()
                    }
                    #rt::__private::None => #rt::__private::None,
                }
            });
        }
    } else {
        TokenStream::new()
    };
    // Out of line and only when the span records, like the inputs.
    quote! {
        #evaluate
        #span.finish_with(&#out, |#span, #out| {
            #[allow(unused_imports)]
            use #rt::__private::{
                ViaDebug as _, ViaDebugError as _, ViaDisplayError as _, ViaErased as _,
                ViaErasedSendSync as _, ViaOpaque as _, ViaOpaqueError as _, ViaPlain as _,
                ViaResult as _, ViaSerialize as _, ViaSerializeDebug as _, ViaStdError as _,
            };
            let (#ok, #err) = (&&#rt::__private::Outcome(#out)).st_parts();
            if let #rt::__private::Some(#ok) = #ok {
                #describe
                (&&&&#rt::__private::Probe(#ok)).st_output(&mut *#span);
            }
            if let #rt::__private::Some(#err) = #err {
                (&&&&&&#rt::__private::ErrProbe(#err)).st_error(&mut *#span);
            }
        });
    }
}
