//! The macros, one per OpenInference span kind.

use proc_macro2::{Ident, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum MacroKind {
    Llm,
    Tool,
    Retriever,
    Agent,
    Chain,
    Embedding,
    Reranker,
    Guardrail,
    Evaluator,
    Prompt,
    Decision,
}

impl MacroKind {
    /// The attribute as the user writes it.
    pub(crate) fn attr_name(self) -> &'static str {
        match self {
            Self::Llm => "llm",
            Self::Tool => "tool",
            Self::Retriever => "retriever",
            Self::Agent => "agent",
            Self::Chain => "chain",
            Self::Embedding => "embedding",
            Self::Reranker => "reranker",
            Self::Guardrail => "guardrail",
            Self::Evaluator => "evaluator",
            Self::Prompt => "prompt",
            Self::Decision => "decision",
        }
    }

    /// The variant of the runtime's `SpanKind`.
    pub(crate) fn runtime_variant(self) -> Ident {
        let name = match self {
            Self::Llm => "Llm",
            Self::Tool => "Tool",
            Self::Retriever => "Retriever",
            Self::Agent => "Agent",
            Self::Chain => "Chain",
            Self::Embedding => "Embedding",
            Self::Reranker => "Reranker",
            Self::Guardrail => "Guardrail",
            Self::Evaluator => "Evaluator",
            Self::Prompt => "Prompt",
            Self::Decision => "Decision",
        };
        Ident::new(name, Span::call_site())
    }

    /// The arguments this macro accepts, for error messages.
    pub(crate) fn allowed_arguments(self) -> &'static str {
        match self {
            Self::Llm => {
                "`name = \"...\"`, `crate = path`, `skip(arg, ...)`, `skip_all`, `stream`, `redact(arg, ...)`, `unredact(arg, ...)`, `session_id = param`, `user_id = param`, `messages = param`, `tools = param`, \
                 `model = \"...\"`, `provider = \"...\"`, `system = \"...\"`, `params(arg, ...)`"
            }
            Self::Retriever => "`name = \"...\"`, `crate = path`, `skip(arg, ...)`, `skip_all`, `stream`, `redact(arg, ...)`, `unredact(arg, ...)`, `session_id = param`, `user_id = param`, `query = param`",
            Self::Tool => {
                "`name = \"...\"`, `crate = path`, `skip(arg, ...)`, `skip_all`, `stream`, `redact(arg, ...)`, `unredact(arg, ...)`, `session_id = param`, `user_id = param`, `description = \"...\"`, \
                 `describe(arg = \"...\", ...)`"
            }
            Self::Embedding => "`name = \"...\"`, `crate = path`, `skip(arg, ...)`, `skip_all`, `stream`, `redact(arg, ...)`, `unredact(arg, ...)`, `session_id = param`, `user_id = param`, `input = param`, `model = \"...\"`",
            Self::Decision => "`name = \"...\"`, `crate = path`, `skip(arg, ...)`, `skip_all`, `stream`, `redact(arg, ...)`, `unredact(arg, ...)`, `session_id = param`, `user_id = param`, `model = \"...\"`, `provider = \"...\"`, `system = \"...\"`",
            Self::Prompt => "`template = \"...\"` (or a `&str` expression), `version = \"...\"`, `name = \"...\"`, `crate = path`, `skip(arg, ...)`, `skip_all`, `redact(arg, ...)`, `unredact(arg, ...)`, `session_id = param`, `user_id = param`",
            Self::Reranker => {
                "`name = \"...\"`, `crate = path`, `skip(arg, ...)`, `skip_all`, `stream`, `redact(arg, ...)`, `unredact(arg, ...)`, `session_id = param`, `user_id = param`, `query = param`, `documents = param`, \
                 `top_k = param`, `model = \"...\"`"
            }
            _ => "`name = \"...\"`, `crate = path`, `skip(arg, ...)`, `skip_all`, `stream`, `redact(arg, ...)`, `unredact(arg, ...)`, `session_id = param`, `user_id = param`",
        }
    }

    /// Whether this macro accepts the kind-specific argument `key`.
    pub(crate) fn accepts(self, key: &str) -> bool {
        match self {
            Self::Llm => matches!(
                key,
                "messages" | "tools" | "model" | "provider" | "system" | "params"
            ),
            Self::Retriever => key == "query",
            Self::Tool => matches!(key, "description" | "describe"),
            Self::Embedding => matches!(key, "input" | "model"),
            Self::Reranker => matches!(key, "query" | "documents" | "top_k" | "model"),
            Self::Prompt => matches!(key, "template" | "version"),
            Self::Decision => matches!(key, "model" | "provider" | "system"),
            _ => false,
        }
    }
}
