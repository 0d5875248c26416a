//! For `#[tool]`: `tool.name`, `tool.description` (the `///` doc comment or
//! `description = "..."`) and `tool.parameters`, a JSON Schema of the
//! parameters a model provides, built once per call site (per call for
//! functions generic over types).

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::{rt, unraw, Locals};
use crate::args::Args;
use crate::item::TargetFn;
use crate::signature::{self, SigFacts};

pub(crate) fn attributes(
    args: &Args,
    target: &TargetFn,
    facts: &SigFacts,
    locals: &Locals,
) -> TokenStream {
    let rt = rt();
    let span = &locals.span;
    let name = args
        .name
        .as_ref()
        .map_or_else(|| unraw(&target.sig.ident), syn::LitStr::value);
    let description = args
        .description
        .as_ref()
        .map(syn::LitStr::value)
        .or_else(|| signature::doc_text(&target.attrs));
    let description = match description {
        Some(d) => quote!(#rt::__private::Some(#d)),
        None => quote!(#rt::__private::None),
    };
    let schema = Ident::new("__st_schema", Span::mixed_site());
    let params = facts
        .params
        .iter()
        .filter(|p| p.ty.is_some() && !args.skip.contains(&p.ident) && args.skip_all.is_none())
        .map(|p| {
            let pname = unraw(&p.ident);
            let doc = args
                .describe
                .iter()
                .find(|(i, _)| *i == p.ident)
                .map(|(_, lit)| lit.value())
                .or_else(|| p.doc.clone());
            let doc = match doc {
                Some(d) => quote!(#rt::__private::Some(#d)),
                None => quote!(#rt::__private::None),
            };
            let ty = p.ty.as_ref().expect("filtered");
            let param_schema = if signature::contains_impl_trait(ty) {
                quote!(#rt::__private::ParamSchema::unknown())
            } else {
                quote!((&&&#rt::__private::SchemaProbe::<#ty>::new()).st_schema())
            };
            quote!(#schema.param(#pname, #doc, #param_schema);)
        });
    let build = quote! {
        #[allow(unused_imports)]
        use #rt::__private::{ViaJsonSchema as _, ViaNoSchema as _, ViaToolSchema as _};
        let mut #schema = #rt::__private::ToolParameters::new(#name, #description);
        #(#params)*
        #schema.finish()
    };
    let parameters = Ident::new("__st_parameters", Span::mixed_site());
    if signature::is_generic_over_types(&target.sig) {
        quote! {
            if #span.is_recording() {
                let #parameters = { #build };
                #span.set_tool(#name, #description, &#parameters);
            }
        }
    } else {
        let cache = Ident::new("__ST_TOOL_PARAMETERS", Span::mixed_site());
        quote! {
            if #span.is_recording() {
                static #cache: #rt::__private::OnceLock<#rt::__private::String> =
                    #rt::__private::OnceLock::new();
                let #parameters = #cache.get_or_init(|| { #build });
                #span.set_tool(#name, #description, #parameters);
            }
        }
    }
}
