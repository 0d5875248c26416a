//! Parses the macro's arguments: `name = "..."`, `skip(a, b)`, `skip_all`.
//! Unknown and duplicate keys are reported on their own tokens, and parsing
//! goes on so every mistake is reported in one compile.

use proc_macro2::{Ident, TokenStream};
use syn::parse::Parser as _;
use syn::{LitStr, Path};

use crate::errors::Errors;
use crate::kind::MacroKind;

#[derive(Default)]
pub(crate) struct Args {
    pub name: Option<LitStr>,
    pub skip: Vec<Ident>,
    pub skip_all: Option<Path>,
    /// `stream`: the return value is a stream to trace until it ends.
    pub stream: Option<Path>,
    /// The `skip` keyword of the first `skip(..)`, for errors.
    pub skip_keyword: Option<Path>,
    /// `#[llm(messages = param)]`, `tools = param`; `#[retriever(query = param)]`.
    pub messages: Option<Ident>,
    pub tools: Option<Ident>,
    pub query: Option<Ident>,
    /// `#[embedding(input = param)]`; `#[reranker(documents = param, top_k = param)]`.
    pub input: Option<Ident>,
    pub documents: Option<Ident>,
    pub top_k: Option<Ident>,
    /// `#[llm(model = "...", provider = "...", system = "...")]`.
    pub model: Option<LitStr>,
    pub provider: Option<LitStr>,
    pub system: Option<LitStr>,
    /// `#[llm(params(a, b))]`.
    pub params: Option<Vec<Ident>>,
    /// `#[prompt(template = expr, version = expr)]`: `&str` expressions.
    pub template: Option<syn::Expr>,
    pub version: Option<syn::Expr>,
    /// `#[tool(description = "...")]`.
    pub description: Option<LitStr>,
    /// `#[tool(describe(arg = "...", ...))]`.
    pub describe: Vec<(Ident, LitStr)>,
    /// `session_id = param`, `user_id = param`.
    pub session_id: Option<Ident>,
    pub user_id: Option<Ident>,
    /// `redact(a, b)`: record these as `__REDACTED__`.
    pub redact: Vec<Ident>,
    /// `unredact(a)`: record these even though their names look secret.
    pub unredact: Vec<Ident>,
    /// `crate = path` (or `crate = "path"`, as serde spells it): where the
    /// runtime is, for a renamed or re-exported dependency.
    pub krate: Option<Path>,
}

fn set_once<T>(slot: &mut Option<T>, value: T, key: &Path, attr: &str, errors: &Errors) {
    if slot.is_some() {
        errors.at(
            key,
            format!(
                "duplicate `{}` argument of `#[{attr}]`; give it once",
                quote::ToTokens::to_token_stream(key)
            ),
        );
    } else {
        *slot = Some(value);
    }
}

pub(crate) fn parse(kind: MacroKind, tokens: TokenStream, errors: &Errors) -> Args {
    let mut args = Args::default();
    let attr = kind.attr_name();
    let parser = syn::meta::parser(|meta| {
        if meta.path.is_ident("name") {
            let value = meta.value()?;
            let lit: LitStr = value.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format!("expected a string: `#[{attr}(name = \"span name\")]`"),
                )
            })?;
            if lit.value().trim().is_empty() {
                errors.at(&lit, "the span name must not be empty");
            }
            if args.name.is_some() {
                errors.at(
                    &meta.path,
                    format!("duplicate `name` argument of `#[{attr}]`; give it once"),
                );
            } else {
                args.name = Some(lit);
            }
        } else if meta.path.is_ident("crate") {
            let value = meta.value()?;
            let path = if value.peek(LitStr) {
                let lit: LitStr = value.parse()?;
                lit.parse_with(Path::parse_mod_style)?
            } else {
                Path::parse_mod_style(value).map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        format!("expected the runtime's path: `#[{attr}(crate = my_alias)]`"),
                    )
                })?
            };
            set_once(&mut args.krate, path, &meta.path, attr, errors);
        } else if meta.path.is_ident("skip") {
            if args.skip_keyword.is_some() {
                errors.at(
                    &meta.path,
                    format!("duplicate `skip(..)` argument of `#[{attr}]`; list every parameter in one `skip(a, b)`"),
                );
            } else {
                args.skip_keyword = Some(meta.path.clone());
            }
            if !meta.input.peek(syn::token::Paren) {
                return Err(meta.error(format!(
                    "`skip` takes the parameters to leave out: `#[{attr}(skip(api_client, cache))]`"
                )));
            }
            meta.parse_nested_meta(|inner| {
                match inner.path.get_ident() {
                    Some(ident) if inner.input.is_empty() || inner.input.peek(syn::Token![,]) => {
                        if args.skip.contains(ident) {
                            errors.at(ident, format!("`{ident}` is already skipped"));
                        } else {
                            args.skip.push(ident.clone());
                        }
                    }
                    _ => errors.at(
                        &inner.path,
                        "`skip(..)` lists parameter names, like `skip(api_client)`",
                    ),
                }
                Ok(())
            })?;
        } else if meta.path.is_ident("session_id") || meta.path.is_ident("user_id") {
            let which = if meta.path.is_ident("session_id") {
                "session_id"
            } else {
                "user_id"
            };
            let ident: Ident = meta.value()?.parse().map_err(|e| {
                syn::Error::new(
                    e.span(),
                    format!("expected a parameter name: `#[{attr}({which} = param)]`"),
                )
            })?;
            let slot = if which == "session_id" {
                &mut args.session_id
            } else {
                &mut args.user_id
            };
            set_once(slot, ident, &meta.path, attr, errors);
        } else if meta.path.is_ident("redact") || meta.path.is_ident("unredact") {
            let which = if meta.path.is_ident("redact") {
                "redact"
            } else {
                "unredact"
            };
            if !meta.input.peek(syn::token::Paren) {
                return Err(meta.error(format!(
                    "`{which}` takes parameter names: `#[{attr}({which}(user_email))]`"
                )));
            }
            meta.parse_nested_meta(|inner| {
                match inner.path.get_ident() {
                    Some(ident) => {
                        let list = if which == "redact" {
                            &mut args.redact
                        } else {
                            &mut args.unredact
                        };
                        if list.contains(ident) {
                            errors.at(ident, format!("`{ident}` is listed twice in `{which}(..)`"));
                        } else {
                            list.push(ident.clone());
                        }
                    }
                    None => errors.at(&inner.path, format!("`{which}(..)` lists parameter names")),
                }
                Ok(())
            })?;
        } else if meta.path.is_ident("stream") {
            if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                return Err(meta.error("`stream` takes no value"));
            }
            if args.stream.is_some() {
                errors.at(
                    &meta.path,
                    format!("duplicate `stream` argument of `#[{attr}]`"),
                );
            } else {
                args.stream = Some(meta.path.clone());
            }
        } else if meta.path.is_ident("skip_all") {
            if !meta.input.is_empty() && !meta.input.peek(syn::Token![,]) {
                return Err(meta.error("`skip_all` takes no value"));
            }
            if args.skip_all.is_some() {
                errors.at(
                    &meta.path,
                    format!("duplicate `skip_all` argument of `#[{attr}]`"),
                );
            } else {
                args.skip_all = Some(meta.path.clone());
            }
        } else if let Some(key) = meta
            .path
            .get_ident()
            .map(ToString::to_string)
            .filter(|k| kind.accepts(k))
        {
            match key.as_str() {
                "messages" | "tools" | "query" | "input" | "documents" | "top_k" => {
                    let value = meta.value()?;
                    let ident: Ident = value.parse().map_err(|e| {
                        syn::Error::new(
                            e.span(),
                            format!("expected a parameter name: `#[{attr}({key} = param)]`"),
                        )
                    })?;
                    let slot = match key.as_str() {
                        "messages" => &mut args.messages,
                        "tools" => &mut args.tools,
                        "input" => &mut args.input,
                        "documents" => &mut args.documents,
                        "top_k" => &mut args.top_k,
                        _ => &mut args.query,
                    };
                    set_once(slot, ident, &meta.path, attr, errors);
                }
                "template" | "version" => {
                    let expr: syn::Expr = meta.value()?.parse()?;
                    let slot = if key == "template" {
                        &mut args.template
                    } else {
                        &mut args.version
                    };
                    set_once(slot, expr, &meta.path, attr, errors);
                }
                "describe" => {
                    meta.parse_nested_meta(|inner| {
                        let Some(ident) = inner.path.get_ident().cloned() else {
                            errors.at(
                                &inner.path,
                                "`describe(..)` takes `param = \"description\"` pairs",
                            );
                            return Ok(());
                        };
                        let lit: LitStr = inner.value()?.parse().map_err(|e| {
                            syn::Error::new(
                                e.span(),
                                format!(
                                    "expected a string: `#[{attr}(describe({ident} = \"...\"))]`"
                                ),
                            )
                        })?;
                        if args.describe.iter().any(|(i, _)| *i == ident) {
                            errors.at(&ident, format!("`{ident}` is already described"));
                        } else {
                            args.describe.push((ident, lit));
                        }
                        Ok(())
                    })?;
                }
                "model" | "provider" | "system" | "description" => {
                    let value = meta.value()?;
                    let lit: LitStr = value.parse().map_err(|e| {
                        syn::Error::new(
                            e.span(),
                            format!("expected a string: `#[{attr}({key} = \"...\")]`"),
                        )
                    })?;
                    let slot = match key.as_str() {
                        "model" => &mut args.model,
                        "provider" => &mut args.provider,
                        "description" => &mut args.description,
                        _ => &mut args.system,
                    };
                    set_once(slot, lit, &meta.path, attr, errors);
                }
                _ => {
                    let mut names = Vec::new();
                    meta.parse_nested_meta(|inner| {
                        match inner.path.get_ident() {
                            Some(ident) => names.push(ident.clone()),
                            None => errors.at(&inner.path, "`params(..)` lists parameter names, like `params(temperature, max_tokens)`"),
                        }
                        Ok(())
                    })?;
                    set_once(&mut args.params, names, &meta.path, attr, errors);
                }
            }
        } else {
            let shown = meta.path.get_ident().map_or_else(
                || {
                    quote::ToTokens::to_token_stream(&meta.path)
                        .to_string()
                        .replace(' ', "")
                },
                ToString::to_string,
            );
            errors.at(
                &meta.path,
                format!(
                    "unknown `#[{attr}]` argument `{shown}`; expected one of: {}",
                    kind.allowed_arguments()
                ),
            );
            // Skip the unknown argument's value so the next ones are still checked.
            if meta.input.peek(syn::Token![=]) {
                let _ = meta.value()?.parse::<syn::Expr>()?;
            } else if meta.input.peek(syn::token::Paren) {
                let content;
                syn::parenthesized!(content in meta.input);
                let _: TokenStream = content.parse()?;
            }
        }
        Ok(())
    });
    if let Err(error) = parser.parse2(tokens) {
        errors.push(error);
    }
    args
}
