//! Parses the annotated item: outer attributes, visibility, signature, then
//! the body kept as opaque tokens (after its inner attributes), so a syntax
//! error inside the body is reported by rustc on the user's tokens.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::{braced, token, Attribute, Signature, Token, Visibility};

pub(crate) struct TargetFn {
    pub attrs: Vec<Attribute>,
    pub vis: Visibility,
    pub sig: Signature,
    pub body: Option<Body>,
    /// The `;` of a function without a body (a required trait method).
    pub semi: Option<Token![;]>,
}

pub(crate) struct Body {
    pub brace: token::Brace,
    pub inner_attrs: Vec<Attribute>,
    pub tokens: TokenStream,
}

impl Parse for TargetFn {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let attrs = input.call(Attribute::parse_outer)?;
        let vis: Visibility = input.parse()?;
        let sig: Signature = input.parse()?;
        if input.peek(Token![;]) {
            let semi = input.parse()?;
            return Ok(Self {
                attrs,
                vis,
                sig,
                body: None,
                semi: Some(semi),
            });
        }
        let content;
        let brace = braced!(content in input);
        let inner_attrs = content.call(Attribute::parse_inner)?;
        let tokens: TokenStream = content.parse()?;
        Ok(Self {
            attrs,
            vis,
            sig,
            body: Some(Body {
                brace,
                inner_attrs,
                tokens,
            }),
            semi: None,
        })
    }
}
