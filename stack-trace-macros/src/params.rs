//! The parameters of a signature as expansion records them: each name a
//! parameter binds (a plain name, or the bindings of a pattern, also where
//! `#[async_trait]` moved the pattern into its future), with its type,
//! doc comment and `#[cfg]`, and the types that key the tool-schema cache.

use proc_macro2::{Ident, TokenStream};
use syn::{Attribute, FnArg, Pat, Signature, Type};

use crate::async_trait_args::{self, Renamed};
use crate::signature::{contains_impl_trait, doc_text};

/// One name bound by the parameter list, in order.
pub(crate) struct Param {
    pub ident: Ident,
    /// The parameter's type, when the parameter is a plain name (`x: T`).
    pub ty: Option<Type>,
    /// The parameter's `///` doc comment, if any.
    pub doc: Option<String>,
    /// The parameter's `#[cfg(..)]` attributes: what records it is
    /// compiled only where the parameter is.
    pub cfgs: Vec<Attribute>,
    /// For a name bound by a pattern `#[async_trait]` moved into its
    /// future: the pattern as matched through a reference, and the
    /// positional argument it destructures (the name is bound only there).
    pub via: Option<(Pat, Ident)>,
}

impl Param {
    fn new(ident: Ident, ty: Option<Type>, doc: Option<String>, cfgs: &[Attribute]) -> Self {
        Self {
            ident,
            ty,
            doc,
            cfgs: cfgs.to_vec(),
            via: None,
        }
    }
}

pub(crate) struct SigFacts {
    pub has_receiver: bool,
    pub params: Vec<Param>,
    /// The types of the parameters whose type the schema cache can name
    /// (no `impl Trait`, not behind `#[cfg]`): an instantiation's key.
    pub key_types: Vec<Type>,
}

/// The facts of `sig`; `body`, when given, is read for the patterns
/// `#[async_trait]` moved out of the signature.
pub(crate) fn facts(sig: &Signature, body: Option<&TokenStream>) -> SigFacts {
    let mut params = Vec::new();
    let mut key_types = Vec::new();
    let mut has_receiver = false;
    for input in &sig.inputs {
        match input {
            FnArg::Receiver(_) => has_receiver = true,
            FnArg::Typed(typed) => {
                let cfgs: Vec<Attribute> = typed
                    .attrs
                    .iter()
                    .filter(|a| a.path().is_ident("cfg"))
                    .cloned()
                    .collect();
                if cfgs.is_empty() && !contains_impl_trait(&typed.ty) {
                    key_types.push((*typed.ty).clone());
                }
                if let Pat::Ident(p) = &*typed.pat {
                    if async_trait_args::is_positional(&p.ident) {
                        match body.and_then(|b| async_trait_args::renamed(b, &p.ident)) {
                            Some(Renamed::Wild) => continue,
                            Some(Renamed::Pattern(pat)) => {
                                let start = params.len();
                                bound_names(&pat, &cfgs, &mut params);
                                let by_ref = async_trait_args::by_reference(&pat);
                                for param in &mut params[start..] {
                                    param.via = Some((by_ref.clone(), p.ident.clone()));
                                }
                                continue;
                            }
                            None => {}
                        }
                    }
                    params.push(Param::new(
                        p.ident.clone(),
                        Some((*typed.ty).clone()),
                        doc_text(&typed.attrs),
                        &cfgs,
                    ));
                    if let Some((_, sub)) = &p.subpat {
                        bound_names(sub, &cfgs, &mut params);
                    }
                } else {
                    bound_names(&typed.pat, &cfgs, &mut params);
                }
            }
        }
    }
    SigFacts {
        has_receiver,
        params,
        key_types,
    }
}

/// The names a pattern binds (`(a, b)` binds `a` and `b`; `_` binds none).
fn bound_names(pat: &Pat, cfgs: &[Attribute], out: &mut Vec<Param>) {
    match pat {
        Pat::Ident(p) => {
            if p.ident != "self" {
                out.push(Param::new(p.ident.clone(), None, None, cfgs));
            }
            if let Some((_, sub)) = &p.subpat {
                bound_names(sub, cfgs, out);
            }
        }
        Pat::Tuple(t) => t.elems.iter().for_each(|p| bound_names(p, cfgs, out)),
        Pat::TupleStruct(t) => t.elems.iter().for_each(|p| bound_names(p, cfgs, out)),
        Pat::Struct(s) => s.fields.iter().for_each(|f| bound_names(&f.pat, cfgs, out)),
        Pat::Reference(r) => bound_names(&r.pat, cfgs, out),
        Pat::Slice(s) => s.elems.iter().for_each(|p| bound_names(p, cfgs, out)),
        Pat::Type(t) => bound_names(&t.pat, cfgs, out),
        Pat::Paren(p) => bound_names(&p.pat, cfgs, out),
        _ => {}
    }
}
