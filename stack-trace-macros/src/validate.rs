//! Rules that need the arguments and the signature together. Each rule is one
//! function; all run, and every violation is reported on the user's tokens.

use crate::args::Args;
use crate::errors::Errors;
use crate::item::TargetFn;
use crate::kind::MacroKind;
use crate::params::SigFacts;

pub(crate) fn check(
    kind: MacroKind,
    args: &Args,
    target: &TargetFn,
    facts: &SigFacts,
    errors: &Errors,
) {
    const_fn(kind, target, errors);
    has_body(kind, target, errors);
    skipped_params_exist(args, facts, errors);
    skip_and_skip_all(kind, args, errors);
    named_params_exist(args, facts, errors);
    redact_and_unredact(args, errors);
    stream_can_be_wrapped(args, target, errors);
    no_track_caller(kind, target, errors);
    prompt_has_template(kind, args, target, errors);
}

/// `#[prompt]` records a template: it must be given.
fn prompt_has_template(kind: MacroKind, args: &Args, target: &TargetFn, errors: &Errors) {
    if kind == MacroKind::Prompt && args.template.is_none() {
        errors.at(
            &target.sig.ident,
            "`#[prompt]` needs the template it renders: `#[prompt(template = \"Answer: {question}\", version = \"v2\")]` (any `&str` expression)",
        );
    }
}

/// `#[track_caller]` cannot reach the user's body: the body runs in a
/// closure (so that panics are recorded and `return` and `?` stay in it), and
/// closures cannot take `#[track_caller]` on stable Rust, so
/// `Location::caller()` would silently name a line inside the function.
fn no_track_caller(kind: MacroKind, target: &TargetFn, errors: &Errors) {
    for attr in target
        .attrs
        .iter()
        .filter(|a| a.path().is_ident("track_caller"))
    {
        errors.at(
            attr,
            format!(
                "`#[track_caller]` cannot be combined with `#[{}]`: the traced body runs in a \
                 closure, and closures cannot be `#[track_caller]` on stable Rust, so \
                 `Location::caller()` would name a line inside this function instead of its \
                 caller; keep `#[track_caller]` on an untraced function that calls this one",
                kind.attr_name()
            ),
        );
    }
}

/// A stream return type must be one the runtime can wrap.
fn stream_can_be_wrapped(args: &Args, target: &TargetFn, errors: &Errors) {
    if let Err(error) = crate::signature::stream_shape(&target.sig.output, args.stream.as_ref()) {
        errors.push(error);
    }
}

/// A parameter cannot be both hidden and shown.
fn redact_and_unredact(args: &Args, errors: &Errors) {
    for ident in args.unredact.iter().filter(|i| args.redact.contains(i)) {
        errors.at(
            ident,
            format!("`{ident}` is in both `redact(..)` and `unredact(..)`; keep one"),
        );
    }
}

/// `messages = x`, `tools = x`, `query = x`, `params(x)` must name parameters.
fn named_params_exist(args: &Args, facts: &SigFacts, errors: &Errors) {
    let named = args
        .messages
        .iter()
        .map(|i| ("messages", i))
        .chain(args.tools.iter().map(|i| ("tools", i)))
        .chain(args.query.iter().map(|i| ("query", i)))
        .chain(args.input.iter().map(|i| ("input", i)))
        .chain(args.documents.iter().map(|i| ("documents", i)))
        .chain(args.top_k.iter().map(|i| ("top_k", i)))
        .chain(args.params.iter().flatten().map(|i| ("params", i)))
        .chain(args.describe.iter().map(|(i, _)| ("describe", i)))
        .chain(args.redact.iter().map(|i| ("redact", i)))
        .chain(args.unredact.iter().map(|i| ("unredact", i)))
        .chain(args.session_id.iter().map(|i| ("session_id", i)))
        .chain(args.user_id.iter().map(|i| ("user_id", i)));
    for (key, ident) in named {
        if !facts.params.iter().any(|p| p.ident == *ident) {
            errors.at(
                ident,
                format!(
                    "`{key}` names `{ident}`, but this function has no parameter `{ident}` ({})",
                    known_params(facts)
                ),
            );
        }
    }
}

fn known_params(facts: &SigFacts) -> String {
    let known: Vec<String> = facts
        .params
        .iter()
        .map(|p| format!("`{}`", p.ident))
        .collect();
    if known.is_empty() {
        "it has none".to_owned()
    } else {
        format!("its parameters are {}", known.join(", "))
    }
}

/// A span cannot start at compile time.
fn const_fn(kind: MacroKind, target: &TargetFn, errors: &Errors) {
    if let Some(constness) = &target.sig.constness {
        errors.at(
            constness,
            format!(
                "`#[{}]` cannot trace a `const fn`: spans start at run time; remove `const` or the attribute",
                kind.attr_name()
            ),
        );
    }
}

/// A required trait method has nothing to trace.
fn has_body(kind: MacroKind, target: &TargetFn, errors: &Errors) {
    if let Some(semi) = &target.semi {
        errors.at(
            semi,
            format!(
                "`#[{}]` needs a function body; put it on the implementation of this method",
                kind.attr_name()
            ),
        );
    }
}

/// `skip(x)` must name a parameter, or the user misspelled it.
fn skipped_params_exist(args: &Args, facts: &SigFacts, errors: &Errors) {
    for skipped in &args.skip {
        if !facts.params.iter().any(|p| p.ident == *skipped) {
            let known: Vec<String> = facts
                .params
                .iter()
                .map(|p| format!("`{}`", p.ident))
                .collect();
            let known = if known.is_empty() {
                "it has none".to_owned()
            } else {
                format!("its parameters are {}", known.join(", "))
            };
            errors.at(
                skipped,
                format!(
                    "cannot skip `{skipped}`: this function has no parameter `{skipped}` ({known})"
                ),
            );
        }
    }
}

/// `skip_all` already skips everything.
fn skip_and_skip_all(kind: MacroKind, args: &Args, errors: &Errors) {
    if let (Some(skip_all), Some(_)) = (&args.skip_all, &args.skip_keyword) {
        errors.at(
            skip_all,
            format!(
                "`skip_all` and `skip(..)` together: `skip_all` already leaves every parameter out; keep one (`#[{}(skip_all)]`)",
                kind.attr_name()
            ),
        );
    }
}
