//! For `#[tool]`: `tool.name`, `tool.description` (the `///` doc comment or
//! `description = "..."`) and `tool.parameters`, a JSON Schema of the
//! parameters a model provides, built once per instantiation (keyed by the
//! concrete parameter types: a generic function, a method of a generic type
//! and a trait's default method each get the schema of their own types).
//! Names bound by a pattern are parameters of the schema too, typed from
//! their values; `_` binds nothing and is in neither the schema nor the
//! input.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::{capture, rt, unraw, Locals};
use crate::args::Args;
use crate::item::TargetFn;
use crate::params::SigFacts;
use crate::signature;

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
        .filter(|p| !args.skip.contains(&p.ident) && args.skip_all.is_none())
        .map(|p| {
            let ident = &p.ident;
            let pname = unraw(ident);
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
            let probe = match (&p.ty, &p.via) {
                (Some(ty), _) if signature::contains_impl_trait(ty) => None,
                (Some(ty), _) => Some(quote!(#rt::__private::SchemaProbe::<#ty>::new())),
                (None, None) => Some(quote!(#rt::__private::SchemaProbe::of(&#ident))),
                (None, Some(_)) => Some(quote!(#rt::__private::SchemaProbe::of_ref(&#ident))),
            };
            let param_schema = match probe {
                Some(probe) => quote!((&&&#probe).st_schema()),
                None => quote!(#rt::__private::ParamSchema::unknown()),
            };
            capture::in_scope(p, quote!(#schema.param(#pname, #doc, #param_schema);))
        });
    let build = quote! {
        #[allow(unused_imports)]
        use #rt::__private::{ViaJsonSchema as _, ViaNoSchema as _, ViaToolSchema as _};
        let mut #schema = #rt::__private::ToolParameters::new(#name, #description);
        #(#params)*
        #schema.finish()
    };
    let parameters = Ident::new("__st_parameters", Span::mixed_site());
    let cache = Ident::new("__ST_TOOL_PARAMETERS", Span::mixed_site());
    let key_types = &facts.key_types;
    quote! {
        if #span.is_recording() {
            static #cache: #rt::__private::ToolSchemaCache =
                #rt::__private::ToolSchemaCache::new();
            let #parameters = #cache.get_or_init(
                #rt::__private::type_name::<fn(#(#key_types),*)>(),
                || { #build },
            );
            #span.set_tool(#name, #description, #parameters);
        }
    }
}
