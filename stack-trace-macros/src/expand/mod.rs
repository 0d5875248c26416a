//! The pipeline: parse the item and the arguments, validate (collecting every
//! error), then generate. Generation only writes a few calls into
//! `::stack_trace_runtime::__private`; the logic lives there.

pub(crate) mod async_fn;
mod boxed_future;
mod capture;
mod request_param;
mod stream;
mod sync_fn;
mod tool;

use proc_macro2::{Ident, Span, TokenStream};
use quote::{quote, ToTokens};

use crate::args::{self, Args};
use crate::errors::Errors;
use crate::fallback;
use crate::item::{Body, TargetFn};
use crate::kind::MacroKind;
use crate::params::{self, SigFacts};
use crate::signature;
use crate::validate;

/// Names of the locals the generated code introduces; `mixed_site` hygiene
/// keeps them invisible to the user's body.
pub(crate) struct Locals {
    pub span: Ident,
    pub out: Ident,
    /// The body as a closure (sync functions).
    pub run: Ident,
}

impl Locals {
    fn new() -> Self {
        Self {
            span: Ident::new("__st_span", Span::mixed_site()),
            out: Ident::new("__st_out", Span::mixed_site()),
            run: Ident::new("__st_run", Span::mixed_site()),
        }
    }
}

thread_local! {
    /// The runtime's path given by `crate = path`, while one attribute
    /// expands (a proc macro expands one item at a time on its thread).
    static RUNTIME: std::cell::RefCell<Option<TokenStream>> = const { std::cell::RefCell::new(None) };
}

/// The runtime crate's path: `::stack_trace_runtime`, or the one given by
/// `crate = path`.
pub(crate) fn rt() -> TokenStream {
    RUNTIME
        .with(|r| r.borrow().clone())
        .unwrap_or_else(|| quote!(::stack_trace_runtime))
}

/// Sets the runtime's path for one expansion; restores the default when
/// dropped.
struct RuntimePath;

impl RuntimePath {
    fn set(path: Option<&syn::Path>) -> Self {
        RUNTIME.with(|r| *r.borrow_mut() = path.map(ToTokens::to_token_stream));
        Self
    }
}

impl Drop for RuntimePath {
    fn drop(&mut self) {
        RUNTIME.with(|r| *r.borrow_mut() = None);
    }
}

pub(crate) fn attribute(kind: MacroKind, args: TokenStream, item: TokenStream) -> TokenStream {
    let Ok(target) = syn::parse2::<TargetFn>(item.clone()) else {
        return fallback::not_a_fn(kind, item);
    };
    let errors = Errors::new();
    let args = args::parse(kind, args, &errors);
    let facts = params::facts(&target.sig, target.body.as_ref().map(|b| &b.tokens));
    validate::check(kind, &args, &target, &facts, &errors);
    let _runtime = RuntimePath::set(args.krate.as_ref());
    match errors.finish() {
        Ok(()) => generate(kind, &args, &target, &facts),
        Err(error) => fallback::with_error(&target, &error),
    }
}

/// What every shape of body needs: how to start the span and capture the
/// arguments, and how to record the outcome and end it.
pub(crate) struct Instrumentation {
    pub prologue: TokenStream,
    pub epilogue: TokenStream,
    pub locals: Locals,
}

fn span_name(args: &Args, target: &TargetFn) -> String {
    match &args.name {
        Some(name) => name.value(),
        None => unraw(&target.sig.ident),
    }
}

pub(crate) fn unraw(ident: &Ident) -> String {
    let s = ident.to_string();
    s.strip_prefix("r#").map(str::to_owned).unwrap_or(s)
}

fn instrumentation(
    kind: MacroKind,
    args: &Args,
    target: &TargetFn,
    facts: &SigFacts,
) -> Instrumentation {
    let rt = rt();
    let locals = Locals::new();
    let span = &locals.span;
    let variant = kind.runtime_variant();
    let name = span_name(args, target);
    let type_name = if facts.has_receiver && args.name.is_none() {
        quote!(#rt::__private::Some(#rt::__private::type_name::<Self> as fn() -> &'static str))
    } else {
        quote!(#rt::__private::None)
    };
    let capture = capture::arguments(kind, args, facts, &locals);
    let describe_messages = capture::describe_messages(kind, args, facts, &locals);
    let targets = capture::evaluation_targets(kind, facts, &locals);
    let prompt = prompt_template(args, &locals);
    let scope = scope_attributes(args, &locals);
    let roles = roles(kind, args, facts, &locals);
    let tool = if kind == MacroKind::Tool {
        tool::attributes(args, target, facts, &locals)
    } else {
        TokenStream::new()
    };
    let prologue = quote! {
        let mut #span = #rt::__private::SpanGuard::start(
            #rt::__private::Kind::#variant,
            #name,
            #type_name,
        );
        #roles
        #scope
        #tool
        #describe_messages
        #targets
        #prompt
        #capture
    };
    let epilogue = capture::outcome(kind, &locals);
    Instrumentation {
        prologue,
        epilogue,
        locals,
    }
}

/// For `#[prompt]`: its template and version, evaluated only when the span
/// records.
fn prompt_template(args: &Args, locals: &Locals) -> TokenStream {
    let Some(template) = &args.template else {
        return TokenStream::new();
    };
    let rt = rt();
    let span = &locals.span;
    let version = match &args.version {
        Some(version) => quote!(#rt::__private::Some(#rt::__private::as_str(&(#version)))),
        None => quote!(#rt::__private::None),
    };
    quote! {
        if #span.is_recording() {
            #span.set_prompt(#rt::__private::as_str(&(#template)), #version);
        }
    }
}

/// For `#[llm]`, `#[embedding]` and `#[reranker]`: which parameters hold the
/// messages, tools, model, texts, query and documents (named by the macro's
/// arguments, else found by conventional parameter names), and the model,
/// provider and system given as arguments.
fn roles(kind: MacroKind, args: &Args, facts: &SigFacts, locals: &Locals) -> TokenStream {
    if !matches!(
        kind,
        MacroKind::Llm | MacroKind::Embedding | MacroKind::Reranker | MacroKind::Decision
    ) {
        return TokenStream::new();
    }
    let rt = rt();
    let span = &locals.span;
    let param_named = |explicit: &Option<Ident>, conventional: &[&str]| -> Option<String> {
        explicit.as_ref().map(unraw).or_else(|| {
            conventional
                .iter()
                .find(|name| facts.params.iter().any(|p| p.ident == **name))
                .map(|name| (*name).to_owned())
        })
    };
    let opt_str = |value: Option<String>| match value {
        Some(v) => quote!(#rt::__private::Some(#v)),
        None => quote!(#rt::__private::None),
    };
    let is = |k: MacroKind| kind == k;
    let messages = opt_str(
        param_named(&args.messages, &["messages"])
            .or_else(|| request_param::request_param(facts, args))
            .filter(|_| is(MacroKind::Llm)),
    );
    let tools = opt_str(param_named(&args.tools, &["tools"]).filter(|_| is(MacroKind::Llm)));
    let model_param = opt_str(param_named(&None, &["model"]));
    let model = opt_str(args.model.as_ref().map(syn::LitStr::value));
    let provider = opt_str(args.provider.as_ref().map(syn::LitStr::value));
    let system = opt_str(args.system.as_ref().map(syn::LitStr::value));
    let params = match &args.params {
        Some(list) => {
            let names: Vec<String> = list.iter().map(unraw).collect();
            quote!(#rt::__private::Some(&[#(#names),*]))
        }
        None => quote!(#rt::__private::None),
    };
    let input = opt_str(
        param_named(&args.input, &["input", "inputs", "texts", "text"])
            .filter(|_| is(MacroKind::Embedding)),
    );
    let query = opt_str(param_named(&args.query, &["query"]).filter(|_| is(MacroKind::Reranker)));
    let documents = opt_str(
        param_named(&args.documents, &["documents", "docs", "candidates"])
            .filter(|_| is(MacroKind::Reranker)),
    );
    let top_k =
        opt_str(param_named(&args.top_k, &["top_k", "top_n"]).filter(|_| is(MacroKind::Reranker)));
    quote! {
        #span.set_roles(&#rt::__private::Roles {
            messages: #messages,
            tools: #tools,
            model_param: #model_param,
            model: #model,
            provider: #provider,
            system: #system,
            params: #params,
            input: #input,
            query: #query,
            documents: #documents,
            top_k: #top_k,
        });
    }
}

/// `session_id = param`, `user_id = param`: the span and everything inside it
/// carry the parameter's value.
fn scope_attributes(args: &Args, locals: &Locals) -> TokenStream {
    if args.session_id.is_none() && args.user_id.is_none() {
        return TokenStream::new();
    }
    let rt = rt();
    let span = &locals.span;
    let value = |param: &Option<Ident>| match param {
        Some(p) => quote!(#rt::__private::Some(#rt::__private::display_string(&#p))),
        None => quote!(#rt::__private::None),
    };
    let session = value(&args.session_id);
    let user = value(&args.user_id);
    quote! {
        if #span.is_recording() {
            #span.set_scope_attributes(#session, #user);
        }
    }
}

fn generate(kind: MacroKind, args: &Args, target: &TargetFn, facts: &SigFacts) -> TokenStream {
    let Some(body) = &target.body else {
        // validate() rejects functions without a body.
        return fallback::with_error(target, &syn::Error::new(Span::call_site(), "missing body"));
    };
    let instr = instrumentation(kind, args, target, facts);
    let stream = signature::stream_shape(&target.sig.output, args.stream.as_ref())
        .ok()
        .flatten();
    let new_body = if let Some(shape) = stream {
        stream::body(target, body, &instr, shape)
    } else if target.sig.asyncness.is_some() {
        async_fn::body(target, body, &instr)
    } else if let Some(wrapped) = boxed_future::body(target, body, &instr) {
        wrapped
    } else {
        sync_fn::body(target, body, &instr)
    };
    let mut out = TokenStream::new();
    for attr in &target.attrs {
        attr.to_tokens(&mut out);
    }
    target.vis.to_tokens(&mut out);
    signature::without_param_docs(&target.sig).to_tokens(&mut out);
    body.brace.surround(&mut out, |inner| {
        for attr in &body.inner_attrs {
            attr.to_tokens(inner);
        }
        inner.extend(new_body);
    });
    out
}

/// The user's body tokens (the statements inside the braces).
pub(crate) fn user_block_tokens(body: &Body) -> TokenStream {
    body.tokens.clone()
}
