//! Facts about the signature that expansion needs: the parameters to
//! capture ([`crate::params`]), doc comments, and the return type (with
//! `impl Trait` erased for a typed binding, and the stream shapes).

use syn::visit_mut::VisitMut;
use syn::{FnArg, ReturnType, Signature, Type};

/// What the return type allows a typed binding to say.
pub(crate) enum ReturnShape {
    /// `-> T` (or nothing, i.e. `()`): bind as `T` with `impl Trait` erased.
    Typed(Box<Type>),
    /// `-> impl Trait`: nothing useful to write; let inference work.
    Opaque,
    /// `-> !`: the function never returns.
    Never,
}

pub(crate) fn return_shape(output: &ReturnType) -> ReturnShape {
    match output {
        ReturnType::Default => ReturnShape::Typed(Box::new(syn::parse_quote!(()))),
        ReturnType::Type(_, ty) => match &**ty {
            Type::ImplTrait(_) => ReturnShape::Opaque,
            Type::Never(_) => ReturnShape::Never,
            ty => {
                let mut ty = ty.clone();
                ImplTraitEraser.visit_type_mut(&mut ty);
                ReturnShape::Typed(Box::new(ty))
            }
        },
    }
}

/// Replaces every `impl Trait` inside a type by `_`.
struct ImplTraitEraser;

impl VisitMut for ImplTraitEraser {
    fn visit_type_mut(&mut self, ty: &mut Type) {
        if let Type::ImplTrait(impl_trait) = ty {
            *ty = Type::Infer(syn::TypeInfer {
                underscore_token: syn::Token![_](impl_trait.impl_token.span),
            });
        } else {
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
}

/// The text of `///` doc comments (`#[doc = "..."]`): one leading space
/// removed per line, lines joined, the whole trimmed; `None` if empty.
pub(crate) fn doc_text(attrs: &[syn::Attribute]) -> Option<String> {
    let lines: Vec<String> = attrs
        .iter()
        .filter(|a| a.path().is_ident("doc"))
        .filter_map(|a| match &a.meta {
            syn::Meta::NameValue(nv) => match &nv.value {
                syn::Expr::Lit(syn::ExprLit {
                    lit: syn::Lit::Str(s),
                    ..
                }) => Some(s.value()),
                _ => None,
            },
            _ => None,
        })
        .map(|line| line.strip_prefix(' ').map(str::to_owned).unwrap_or(line))
        .collect();
    let text = lines.join("\n").trim().to_owned();
    (!text.is_empty()).then_some(text)
}

/// The signature without doc comments on its parameters (rustc rejects
/// them; we read them for tool parameter descriptions).
pub(crate) fn without_param_docs(sig: &Signature) -> Signature {
    let mut sig = sig.clone();
    for input in &mut sig.inputs {
        if let FnArg::Typed(typed) = input {
            typed.attrs.retain(|a| !a.path().is_ident("doc"));
        }
    }
    sig
}

pub(crate) fn contains_impl_trait(ty: &Type) -> bool {
    struct Finder(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finder {
        fn visit_type_impl_trait(&mut self, _: &'ast syn::TypeImplTrait) {
            self.0 = true;
        }
    }
    let mut finder = Finder(false);
    syn::visit::Visit::visit_type(&mut finder, ty);
    finder.0
}

/// Which trait a traced return value implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StreamTrait {
    Iterator,
    Stream,
}

/// How the traced value is handed back in place of the original.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum StreamWrap {
    /// `-> impl Stream` / `-> impl Iterator`: the wrapper itself.
    Impl,
    /// `-> Pin<Box<dyn Stream>>`, `BoxStream`: `Box::pin(wrapper)`.
    BoxPin,
    /// `-> Box<dyn Iterator>`: `Box::new(wrapper)`.
    Boxed,
    /// Another type with the `stream` flag (an alias such as async-openai's
    /// `ChatCompletionResponseStream`): a trait of the runtime boxes the
    /// wrapper into it, and says why when it cannot.
    Alias,
}

/// A return value traced until it ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct StreamShape {
    pub kind: StreamTrait,
    pub wrap: StreamWrap,
    /// `Result<stream, E>`: the `Ok` stream is traced; an `Err` ends the
    /// span as a failed call.
    pub in_result: bool,
}

/// Auto traits and markers the wrapper carries over from the inner stream.
const PASSED_THROUGH: &[&str] = &["Send", "Sync", "Unpin"];

fn last_ident(path: &syn::Path) -> Option<String> {
    path.segments.last().map(|s| s.ident.to_string())
}

fn stream_trait_of(name: &str) -> Option<StreamTrait> {
    match name {
        "Iterator" => Some(StreamTrait::Iterator),
        "Stream" => Some(StreamTrait::Stream),
        _ => None,
    }
}

/// The stream trait among `bounds`; other trait bounds that the wrapper
/// would not implement are errors.
fn stream_bound(
    bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>,
) -> Result<Option<StreamTrait>, syn::Error> {
    let mut found = None;
    let mut others = Vec::new();
    for bound in bounds {
        let syn::TypeParamBound::Trait(t) = bound else {
            continue;
        };
        let name = last_ident(&t.path).unwrap_or_default();
        match stream_trait_of(&name) {
            Some(kind) if found.is_none() => found = Some(kind),
            _ if PASSED_THROUGH.contains(&name.as_str()) => {}
            _ => others.push(t),
        }
    }
    if let (Some(kind), Some(other)) = (found, others.first()) {
        let name = match kind {
            StreamTrait::Iterator => "Iterator",
            StreamTrait::Stream => "Stream",
        };
        return Err(syn::Error::new_spanned(
            other,
            format!(
                "stack-trace keeps the span open until the stream ends by wrapping it in its \
                 own type, which implements `{name}`, `Send`, `Sync` and `Unpin` (when the \
                 inner value does) but not this trait; remove the bound"
            ),
        ));
    }
    Ok(found)
}

/// The `dyn` trait object a boxed type holds, if any.
fn boxed_dyn(ty: &Type, outer: &str) -> Option<syn::TypeTraitObject> {
    let Type::Path(p) = ty else { return None };
    let segment = p.path.segments.last()?;
    if segment.ident != outer {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    args.args.iter().find_map(|arg| match arg {
        syn::GenericArgument::Type(t) => match t {
            Type::TraitObject(o) => Some(o.clone()),
            Type::Paren(p) => match &*p.elem {
                Type::TraitObject(o) => Some(o.clone()),
                _ => None,
            },
            Type::Path(_) if outer == "Pin" => boxed_dyn(t, "Box"),
            _ => None,
        },
        _ => None,
    })
}

/// Whether the return value is a stream to trace until it ends, and how to
/// wrap it. `impl Stream` / `impl Iterator` are detected; boxed streams need
/// the `stream` flag, which is an error on anything that cannot be wrapped.
pub(crate) fn stream_shape(
    output: &ReturnType,
    flag: Option<&syn::Path>,
) -> Result<Option<StreamShape>, syn::Error> {
    let ReturnType::Type(_, ty) = output else {
        return match flag {
            Some(flag) => Err(cannot_wrap(flag, "the function returns `()`")),
            None => Ok(None),
        };
    };
    let ty = unparen(ty);
    if let Some(shape) = plain_stream_shape(ty, flag.is_some())? {
        return Ok(Some(shape));
    }
    if let Some(ok) = result_ok_type(ty) {
        if let Some(shape) = plain_stream_shape(ok, flag.is_some())? {
            return Ok(Some(StreamShape {
                in_result: true,
                ..shape
            }));
        }
    }
    let Some(flag) = flag else {
        return Ok(None);
    };
    Err(syn::Error::new_spanned(
        ty,
        format!(
            "`{}` asks to trace the returned stream until it ends, but stack-trace can only \
                 wrap `impl Stream<Item = T>`, `impl Iterator<Item = T>`, \
                 `Pin<Box<dyn Stream<Item = T> + ..>>`, `BoxStream<'_, T>` or \
                 `Box<dyn Iterator<Item = T> + ..>`, or a `Result` of one: a concrete type \
                 cannot be replaced by \
                 the wrapper that keeps the span open; return one of those, or drop `stream`",
            quote::ToTokens::to_token_stream(flag)
        ),
    ))
}

fn unparen(mut ty: &Type) -> &Type {
    while let Type::Paren(p) = ty {
        ty = &p.elem;
    }
    ty
}

/// `T` of `Result<T, ..>` (any path ending in `Result`, so aliases such as
/// `anyhow::Result<T>` and `io::Result<T>` count).
fn result_ok_type(ty: &Type) -> Option<&Type> {
    let Type::Path(p) = ty else { return None };
    let segment = p.path.segments.last()?;
    if segment.ident != "Result" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &segment.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(t) => Some(unparen(t)),
        _ => None,
    }
}

/// The shape of a stream type itself: `impl Stream` / `impl Iterator`
/// always; the boxed forms only when the `stream` flag asks.
fn plain_stream_shape(ty: &Type, flagged: bool) -> Result<Option<StreamShape>, syn::Error> {
    if let Type::ImplTrait(t) = ty {
        return Ok(stream_bound(&t.bounds)?.map(|kind| StreamShape {
            kind,
            wrap: StreamWrap::Impl,
            in_result: false,
        }));
    }
    if !flagged {
        return Ok(None);
    }
    let boxed = |object: Option<syn::TypeTraitObject>, wrap| {
        object
            .and_then(|o| stream_bound(&o.bounds).ok().flatten())
            .map(|kind| StreamShape {
                kind,
                wrap,
                in_result: false,
            })
    };
    Ok(boxed(boxed_dyn(ty, "Pin"), StreamWrap::BoxPin)
        .or_else(|| boxed(boxed_dyn(ty, "Box"), StreamWrap::Boxed))
        .or_else(|| match ty {
            Type::Path(p) => match last_ident(&p.path).as_deref() {
                Some("BoxStream" | "LocalBoxStream") => Some(StreamShape {
                    kind: StreamTrait::Stream,
                    wrap: StreamWrap::BoxPin,
                    in_result: false,
                }),
                Some("Result") => None,
                _ => Some(StreamShape {
                    kind: StreamTrait::Stream,
                    wrap: StreamWrap::Alias,
                    in_result: false,
                }),
            },
            _ => None,
        }))
}

/// The stream's own type in the return type (inside `Result` when
/// `in_result`).
pub(crate) fn stream_type(output: &ReturnType, in_result: bool) -> Option<Type> {
    let ReturnType::Type(_, ty) = output else {
        return None;
    };
    let ty = unparen(ty);
    if in_result {
        result_ok_type(ty).cloned()
    } else {
        Some(ty.clone())
    }
}

fn cannot_wrap(flag: &syn::Path, why: &str) -> syn::Error {
    syn::Error::new_spanned(
        flag,
        format!("`stream` traces a returned stream until it ends, but {why}; remove `stream`"),
    )
}

#[cfg(test)]
mod stream_tests {
    use super::*;

    fn shape(ret: &str, flagged: bool) -> Result<Option<StreamShape>, String> {
        let output: ReturnType = syn::parse_str(ret).unwrap();
        let flag: syn::Path = syn::parse_quote!(stream);
        stream_shape(&output, flagged.then_some(&flag)).map_err(|e| e.to_string())
    }

    #[test]
    fn detects_impl_traits_and_boxed_streams() {
        let s = |kind, wrap| {
            Ok(Some(StreamShape {
                kind,
                wrap,
                in_result: false,
            }))
        };
        let r = |kind, wrap| {
            Ok(Some(StreamShape {
                kind,
                wrap,
                in_result: true,
            }))
        };
        assert_eq!(
            shape("-> Result<impl Stream<Item = u8> + Send, Error>", false),
            r(S, Impl)
        );
        assert_eq!(
            shape("-> anyhow::Result<impl Iterator<Item = u8>>", false),
            r(I, Impl)
        );
        assert_eq!(
            shape("-> Result<Pin<Box<dyn Stream<Item = u8> + Send>>, E>", true),
            r(S, BoxPin)
        );
        assert_eq!(shape("-> Result<Vec<u8>, E>", false), Ok(None));
        use StreamTrait::{Iterator as I, Stream as S};
        use StreamWrap::{BoxPin, Boxed, Impl};
        assert_eq!(shape("-> impl Iterator<Item = u8>", false), s(I, Impl));
        assert_eq!(
            shape("-> impl futures::Stream<Item = u8> + Send + 'static", false),
            s(S, Impl)
        );
        assert_eq!(
            shape("-> Pin<Box<dyn Stream<Item = u8> + Send>>", false),
            Ok(None)
        );
        assert_eq!(
            shape("-> Pin<Box<dyn Stream<Item = u8> + Send>>", true),
            s(S, BoxPin)
        );
        assert_eq!(shape("-> BoxStream<'static, u8>", true), s(S, BoxPin));
        assert_eq!(
            shape("-> Box<dyn Iterator<Item = u8> + '_>", true),
            s(I, Boxed)
        );
        assert_eq!(shape("-> Vec<u8>", false), Ok(None));
        assert_eq!(
            shape("-> ChatCompletionResponseStream", true),
            s(S, StreamWrap::Alias)
        );
        assert_eq!(
            shape("-> Result<ChatCompletionResponseStream, OpenAIError>", true),
            r(S, StreamWrap::Alias)
        );
        assert!(shape("-> (u8, u8)", true)
            .unwrap_err()
            .contains("cannot be replaced"));
        assert!(shape("", true).unwrap_err().contains("returns `()`"));
        assert!(
            shape("-> impl Iterator<Item = u8> + ExactSizeIterator", false)
                .unwrap_err()
                .contains("remove the bound")
        );
    }
}
