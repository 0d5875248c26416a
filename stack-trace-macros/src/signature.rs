//! Facts about the signature that expansion needs: the receiver, the
//! parameters to capture (by the names their patterns bind) and the return
//! type with `impl Trait` erased for a typed binding.

use proc_macro2::Ident;
use syn::visit_mut::VisitMut;
use syn::{FnArg, Pat, ReturnType, Signature, Type};

/// One name bound by the parameter list, in order.
pub(crate) struct Param {
    pub ident: Ident,
    /// The parameter's type, when the parameter is a plain name (`x: T`).
    pub ty: Option<Type>,
    /// The parameter's `///` doc comment, if any.
    pub doc: Option<String>,
}

pub(crate) struct SigFacts {
    pub has_receiver: bool,
    pub params: Vec<Param>,
}

pub(crate) fn facts(sig: &Signature) -> SigFacts {
    let mut params = Vec::new();
    let mut has_receiver = false;
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(_) => has_receiver = true,
            FnArg::Typed(typed) => {
                if let Pat::Ident(p) = &*typed.pat {
                    params.push(Param {
                        ident: p.ident.clone(),
                        ty: Some((*typed.ty).clone()),
                        doc: doc_text(&typed.attrs),
                    });
                    if let Some((_, sub)) = &p.subpat {
                        bound_names(sub, &mut params);
                    }
                } else {
                    bound_names(&typed.pat, &mut params);
                }
            }
        }
    }
    SigFacts {
        has_receiver,
        params,
    }
}

/// The names a pattern binds (`(a, b)` binds `a` and `b`; `_` binds none).
fn bound_names(pat: &Pat, out: &mut Vec<Param>) {
    match pat {
        Pat::Ident(p) => {
            if p.ident != "self" {
                out.push(Param {
                    ident: p.ident.clone(),
                    ty: None,
                    doc: None,
                });
            }
            if let Some((_, sub)) = &p.subpat {
                bound_names(sub, out);
            }
        }
        Pat::Tuple(t) => t.elems.iter().for_each(|p| bound_names(p, out)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|p| bound_names(p, out)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| bound_names(&f.pat, out)),
        Pat::Reference(r) => bound_names(&r.pat, out),
        Pat::Slice(s) => s.elems.iter().for_each(|p| bound_names(p, out)),
        Pat::Type(t) => bound_names(&t.pat, out),
        Pat::Paren(p) => bound_names(&p.pat, out),
        _ => {}
    }
}

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

/// Whether the signature has type or const generics or `impl Trait`
/// arguments (a per-call-site cache would then mix instantiations).
pub(crate) fn is_generic_over_types(sig: &Signature) -> bool {
    sig.generics
        .params
        .iter()
        .any(|p| !matches!(p, syn::GenericParam::Lifetime(_)))
        || sig.inputs.iter().any(|input| match input {
            FnArg::Typed(t) => contains_impl_trait(&t.ty),
            FnArg::Receiver(_) => false,
        })
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
