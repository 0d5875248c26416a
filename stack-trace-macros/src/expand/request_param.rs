//! Which parameter of an `#[llm]` function is read as a whole chat request
//! when none is named `messages` and none is given with `messages = param`:
//! its only parameter (besides `self` and skipped ones), unless that is
//! text, bytes or a number (a prompt, an image, a count) or named `prompt`,
//! `prompts` or `model`. async-openai's `CreateChatCompletionRequest`, a map
//! with `messages`, or a transcript (`Vec<Message>`) under another name.

use syn::{GenericArgument, PathArguments, Type};

use super::unraw;
use crate::args::Args;
use crate::params::SigFacts;

/// The name of the request parameter, if the signature has one.
pub(crate) fn request_param(facts: &SigFacts, args: &Args) -> Option<String> {
    let mut candidates = facts
        .params
        .iter()
        .filter(|p| !args.skip.contains(&p.ident) && args.skip_all.is_none());
    let only = candidates.next()?;
    if candidates.next().is_some() {
        return None;
    }
    let name = unraw(&only.ident);
    if matches!(name.as_str(), "prompt" | "prompts" | "model") {
        return None;
    }
    match &only.ty {
        Some(ty) if !is_text_bytes_or_number(ty) => Some(name),
        _ => None,
    }
}

/// `&str`, `String`, `Cow<str>`, `&[u8]`, `Vec<u8>`, `Bytes`, `bool`,
/// `char` and the number types, through references.
fn is_text_bytes_or_number(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => is_text_bytes_or_number(&r.elem),
        Type::Paren(p) => is_text_bytes_or_number(&p.elem),
        Type::Slice(s) => is_byte(&s.elem),
        Type::Array(a) => is_byte(&a.elem),
        Type::Path(p) => {
            let Some(last) = p.path.segments.last() else {
                return false;
            };
            let ident = last.ident.to_string();
            match ident.as_str() {
                "str" | "String" | "Bytes" | "bool" | "char" | "u8" | "u16" | "u32" | "u64"
                | "u128" | "usize" | "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "f32"
                | "f64" => true,
                "Cow" | "Box" | "Arc" | "Rc" | "Vec" => match &last.arguments {
                    PathArguments::AngleBracketed(a) => a.args.iter().any(|arg| match arg {
                        GenericArgument::Type(t) if ident == "Vec" => is_byte(t),
                        GenericArgument::Type(t) => is_text_bytes_or_number(t),
                        _ => false,
                    }),
                    _ => false,
                },
                _ => false,
            }
        }
        _ => false,
    }
}

fn is_byte(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.path.is_ident("u8"))
}
