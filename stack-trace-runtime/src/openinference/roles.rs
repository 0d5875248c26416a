//! [`Roles`]: which parameter of an annotated function plays which
//! OpenInference role (messages, tools, model, texts, query, documents), from
//! the macro's arguments and the parameter names.

use serde_json::{Map, Value};

use crate::semconv::SpanKind;

/// How an annotated function's parameters map to OpenInference roles, from
/// the macro's arguments and the parameter names. Not public API.
#[derive(Debug, Default, Clone, Copy)]
pub struct Roles {
    /// The parameter holding the chat messages (or a request with `messages`).
    pub messages: Option<&'static str>,
    /// The parameter holding tool definitions.
    pub tools: Option<&'static str>,
    /// The parameter holding the model name.
    pub model_param: Option<&'static str>,
    /// `#[llm(model = "...")]`.
    pub model: Option<&'static str>,
    /// `#[llm(provider = "...")]`.
    pub provider: Option<&'static str>,
    /// `#[llm(system = "...")]`.
    pub system: Option<&'static str>,
    /// `#[llm(params(...))]`: the invocation parameters; `None`: every scalar one.
    pub params: Option<&'static [&'static str]>,
    /// The parameter holding the texts to embed (`#[embedding]`).
    pub input: Option<&'static str>,
    /// The parameter holding the query (`#[reranker]`).
    pub query: Option<&'static str>,
    /// The parameter holding the candidate documents (`#[reranker]`).
    pub documents: Option<&'static str>,
    /// The parameter holding the number of results wanted (`#[reranker]`).
    pub top_k: Option<&'static str>,
}

impl Roles {
    /// No roles: every field `None`.
    pub const NONE: Self = Self {
        messages: None,
        tools: None,
        model_param: None,
        model: None,
        provider: None,
        system: None,
        params: None,
        input: None,
        query: None,
        documents: None,
        top_k: None,
    };

    /// For a kind that reads its arguments' values (`LLM`, `EMBEDDING`,
    /// `RERANKER`), the parameters it reads whole (messages, tools and
    /// prompts; texts; query and documents); the others it reads only when
    /// they are scalars. `None` for the kinds that read no values.
    pub(crate) fn read_whole(&self, kind: SpanKind) -> Option<[Option<&'static str>; 5]> {
        match kind {
            SpanKind::Llm => Some([
                self.messages,
                self.tools,
                Some("prompt"),
                Some("prompts"),
                None,
            ]),
            SpanKind::Embedding => Some([self.input, None, None, None, None]),
            SpanKind::Reranker => Some([self.query, self.documents, None, None, None]),
            // Scalars only: the model parameter.
            SpanKind::Decision => Some([None; 5]),
            _ => None,
        }
    }

    pub(crate) fn model_from(&self, args: &Map<String, Value>) -> Option<String> {
        self.model.map(str::to_owned).or_else(|| {
            self.model_param
                .and_then(|p| args.get(p))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
    }
}
