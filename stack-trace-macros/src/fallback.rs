//! What the macro emits when it cannot expand: the user's item unchanged plus
//! the errors, so the IDE keeps working and there is no cascade of follow-up
//! errors.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{quote, ToTokens as _};

use crate::item::TargetFn;
use crate::kind::MacroKind;

/// The item is not a function.
pub(crate) fn not_a_fn(kind: MacroKind, item: TokenStream) -> TokenStream {
    let span = first_keyword_span(&item);
    let message = format!(
        "`#[{}]` can only be applied to functions and methods (it traces each call)",
        kind.attr_name()
    );
    let error = syn::Error::new(span, message).to_compile_error();
    quote!(#item #error)
}

/// The function, unchanged, and every error.
pub(crate) fn with_error(target: &TargetFn, error: &syn::Error) -> TokenStream {
    let mut out = TokenStream::new();
    for attr in &target.attrs {
        attr.to_tokens(&mut out);
    }
    target.vis.to_tokens(&mut out);
    target.sig.to_tokens(&mut out);
    if let Some(body) = &target.body {
        body.brace.surround(&mut out, |inner| {
            for attr in &body.inner_attrs {
                attr.to_tokens(inner);
            }
            inner.extend(body.tokens.clone());
        });
    }
    if let Some(semi) = &target.semi {
        semi.to_tokens(&mut out);
    }
    out.extend(error.to_compile_error());
    out
}

/// The span of the first token after outer attributes and visibility
/// (`struct`, `impl`, `mod`, ...), where a "not a function" error belongs.
fn first_keyword_span(item: &TokenStream) -> Span {
    let mut tokens = item.clone().into_iter().peekable();
    while let Some(token) = tokens.next() {
        match &token {
            TokenTree::Punct(p) if p.as_char() == '#' => {
                tokens.next(); // the [...] group of the attribute
            }
            TokenTree::Ident(i) if i == "pub" => {
                if let Some(TokenTree::Group(_)) = tokens.peek() {
                    tokens.next(); // pub(crate)
                }
            }
            other => return other.span(),
        }
    }
    Span::call_site()
}
