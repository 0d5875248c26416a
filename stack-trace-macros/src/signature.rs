//! Facts about the signature that expansion needs: the receiver, the
//! parameters to capture (by the names their patterns bind) and the return
//! type with `impl Trait` erased for a typed binding.

use proc_macro2::Ident;
use syn::visit_mut::VisitMut;
use syn::{FnArg, Pat, ReturnType, Signature, Type};

/// One name bound by the parameter list, in order.
pub(crate) struct Param {
    pub ident: Ident,
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
            FnArg::Typed(typed) => bound_names(&typed.pat, &mut params),
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
