//! Kind-specific capture: what an `LLM` or `RETRIEVER` span carries beyond
//! `input.value` / `output.value`, derived from the values the function
//! already takes and returns (after serialization, by shape).

pub(crate) mod documents;
pub(crate) mod keys;
pub(crate) mod messages;
pub(crate) mod response;
pub(crate) mod stream;

use opentelemetry::KeyValue;
use serde_json::{Map, Value};

use crate::capture::secret::is_secret_name;
use response::Shape;

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

    fn model_from(&self, args: &Map<String, Value>) -> Option<String> {
        self.model.map(str::to_owned).or_else(|| {
            self.model_param
                .and_then(|p| args.get(p))
                .and_then(Value::as_str)
                .map(str::to_owned)
        })
    }
}

/// What the inputs of an embedding call tell.
#[derive(Debug, Default)]
pub(crate) struct EmbeddingInputs {
    pub texts: Vec<String>,
    pub model: Option<String>,
    /// `embedding.invocation_parameters`: the other scalar arguments, as JSON.
    pub invocation: Option<String>,
}

/// The texts an embedding call embeds (a string or a list of strings).
pub(crate) fn embedding_inputs(roles: &Roles, args: &Map<String, Value>) -> EmbeddingInputs {
    let texts = match roles.input.and_then(|p| args.get(p)) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => Vec::new(),
    };
    let invocation: Map<String, Value> = args
        .iter()
        .filter(|(name, value)| {
            Some(name.as_str()) != roles.input
                && is_scalar(value)
                && !is_secret_name(name)
                && *value != crate::semconv::REDACTED
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    EmbeddingInputs {
        texts,
        model: roles.model_from(args),
        invocation: (!invocation.is_empty()).then(|| Value::Object(invocation).to_string()),
    }
}

/// `embedding.model_name`, `embedding.embeddings.{i}.embedding.{text,vector}`
/// and token counts from an embedding call's output (a list of vectors, one
/// vector, or an OpenAI embeddings response) and the texts it was given.
pub(crate) fn embedding_output(inputs: &EmbeddingInputs, output: &Value) -> Vec<KeyValue> {
    fn vector(v: &Value) -> Option<Vec<f64>> {
        let items = v.as_array()?;
        items.iter().map(Value::as_f64).collect()
    }
    let mut out = Vec::new();
    let mut model = inputs.model.clone();
    let vectors: Vec<Vec<f64>> = match output {
        Value::Object(obj) => {
            if let Some(m) = obj.get("model").and_then(Value::as_str) {
                model = Some(m.to_owned());
            }
            let usage = &output["usage"];
            if let Some(p) = usage.get("prompt_tokens").and_then(Value::as_i64) {
                out.push(KeyValue::new(keys::TOKENS_PROMPT, p));
            }
            if let Some(t) = usage.get("total_tokens").and_then(Value::as_i64) {
                out.push(KeyValue::new(keys::TOKENS_TOTAL, t));
            }
            obj.get("data")
                .and_then(Value::as_array)
                .map(|data| {
                    data.iter()
                        .filter_map(|d| d.get("embedding").and_then(vector))
                        .collect()
                })
                .unwrap_or_default()
        }
        Value::Array(items) if items.first().is_some_and(Value::is_array) => {
            items.iter().filter_map(vector).collect()
        }
        Value::Array(_) => vector(output).into_iter().collect(),
        _ => Vec::new(),
    };
    if let Some(model) = model {
        out.push(KeyValue::new(keys::EMBEDDING_MODEL_NAME, model));
    }
    if let Some(invocation) = &inputs.invocation {
        out.push(KeyValue::new(
            keys::EMBEDDING_INVOCATION_PARAMETERS,
            invocation.clone(),
        ));
    }
    let n = vectors.len().max(inputs.texts.len());
    for i in 0..n {
        let base = keys::indexed(keys::EMBEDDING_EMBEDDINGS, i, "embedding");
        if let Some(text) = inputs.texts.get(i) {
            out.push(KeyValue::new(keys::join(&base, "text"), text.clone()));
        }
        if let Some(v) = vectors.get(i) {
            out.push(KeyValue::new(
                keys::join(&base, "vector"),
                opentelemetry::Value::Array(opentelemetry::Array::F64(v.clone())),
            ));
        }
    }
    out
}

/// `reranker.query`, `reranker.top_k`, `reranker.model_name` and
/// `reranker.input_documents.*` from a reranker call's arguments.
pub(crate) fn reranker_inputs(roles: &Roles, args: &Map<String, Value>) -> Vec<KeyValue> {
    let mut out = Vec::new();
    if let Some(query) = roles.query.and_then(|p| args.get(p)) {
        out.push(KeyValue::new(
            keys::RERANKER_QUERY,
            messages::json_text(query),
        ));
    }
    if let Some(top_k) = roles
        .top_k
        .and_then(|p| args.get(p))
        .and_then(Value::as_i64)
    {
        out.push(KeyValue::new(keys::RERANKER_TOP_K, top_k));
    }
    if let Some(model) = roles.model_from(args) {
        out.push(KeyValue::new(keys::RERANKER_MODEL_NAME, model));
    }
    if let Some(documents) = roles.documents.and_then(|p| args.get(p)) {
        documents::flatten_documents(keys::RERANKER_INPUT_DOCUMENTS, documents, &mut out);
    }
    out
}

/// `reranker.output_documents.*` from a reranker's output (a list of
/// documents, or a `{"results": [...]}` response).
pub(crate) fn reranker_output(output: &Value) -> Vec<KeyValue> {
    let list = output.get("results").unwrap_or(output);
    let mut out = Vec::new();
    documents::flatten_documents(keys::RERANKER_OUTPUT_DOCUMENTS, list, &mut out);
    out
}

/// What the inputs of an LLM call tell: its attributes and the model it asked for.
#[derive(Debug, Default)]
pub(crate) struct LlmInputs {
    pub attributes: Vec<KeyValue>,
    pub requested_model: Option<String>,
}

fn is_scalar(v: &Value) -> bool {
    matches!(v, Value::String(_) | Value::Number(_) | Value::Bool(_))
}

/// Reads the messages, tools and invocation parameters of an LLM call from
/// its captured arguments (the `input.value` object).
pub(crate) fn llm_inputs(
    roles: &Roles,
    args: &Map<String, Value>,
    with_messages: bool,
) -> LlmInputs {
    let mut out = LlmInputs::default();
    let mut invocation = Map::new();
    let mut tools = roles.tools.and_then(|name| args.get(name)).cloned();
    let mut messages = roles.messages.and_then(|name| args.get(name));
    // A whole request (`{model, messages, temperature, tools}`) as the messages parameter.
    if let Some(Value::Object(request)) = messages {
        for (key, value) in request {
            match key.as_str() {
                "messages" | "tools" => {}
                _ if is_scalar(value) && !is_secret_name(key) => {
                    invocation.insert(key.clone(), value.clone());
                }
                _ => {}
            }
        }
        if tools.is_none() {
            tools = request.get("tools").cloned();
        }
        if let Some(Value::String(model)) = request.get("model") {
            out.requested_model = Some(model.clone());
        }
        messages = request.get("messages");
    }
    // Legacy completions: a `prompt` (or `prompts`) parameter of text.
    for name in ["prompt", "prompts"] {
        let prompts: Vec<&str> = match args.get(name) {
            Some(Value::String(s)) if roles.messages.is_none() => vec![s.as_str()],
            Some(Value::Array(items)) if roles.messages.is_none() => {
                items.iter().filter_map(Value::as_str).collect()
            }
            _ => continue,
        };
        for (i, text) in prompts.into_iter().enumerate() {
            out.attributes.push(KeyValue::new(
                keys::indexed(keys::LLM_PROMPTS, i, "prompt.text"),
                text.to_owned(),
            ));
        }
    }
    if let Some(messages) = messages.filter(|_| with_messages) {
        messages::flatten_messages(keys::LLM_INPUT_MESSAGES, messages, 0, &mut out.attributes);
    }
    if let Some(Value::Array(list)) = &tools {
        for (i, tool) in list.iter().enumerate() {
            out.attributes.push(KeyValue::new(
                keys::indexed(keys::LLM_TOOLS, i, "tool.json_schema"),
                messages::json_attribute(tool),
            ));
        }
    }
    for (name, value) in args {
        let role = Some(name.as_str());
        let is_prompt = roles.messages.is_none() && matches!(name.as_str(), "prompt" | "prompts");
        if role == roles.messages
            || role == roles.tools
            || is_prompt
            || !is_scalar(value)
            || is_secret_name(name)
        {
            continue;
        }
        if value == crate::semconv::REDACTED {
            continue;
        }
        let wanted =
            roles.params.is_none_or(|p| p.contains(&name.as_str())) || role == roles.model_param;
        if wanted {
            invocation.insert(name.clone(), value.clone());
        }
    }
    if let Some(Value::String(model)) = roles.model_param.and_then(|p| args.get(p)) {
        out.requested_model = Some(model.clone());
    }
    if !invocation.is_empty() {
        out.attributes.push(KeyValue::new(
            keys::LLM_INVOCATION_PARAMETERS,
            Value::Object(invocation).to_string(),
        ));
    }
    out
}

/// What the response of an LLM call tells.
pub(crate) fn llm_response(response: &Value) -> response::ResponseFacts {
    response::read(response)
}

/// `llm.model_name`, `llm.system`, `llm.provider`: the model the response
/// names, else `#[llm(model)]`, else the model parameter; system and provider
/// from the attributes, else the response shape, else the model name.
pub(crate) fn llm_identity(
    roles: &Roles,
    shape: Option<Shape>,
    response_model: Option<&str>,
    requested_model: Option<&str>,
) -> Vec<KeyValue> {
    let mut out = Vec::new();
    let model = response_model.or(roles.model).or(requested_model);
    if let Some(model) = model {
        out.push(KeyValue::new(keys::LLM_MODEL_NAME, model.to_owned()));
    }
    // Both names when the model that answered differs from the one asked for.
    let requested = roles.model.or(requested_model);
    if let (Some(asked), Some(answered)) = (requested, response_model) {
        if asked != answered {
            out.push(KeyValue::new(
                keys::LLM_REQUEST_MODEL_NAME,
                asked.to_owned(),
            ));
            out.push(KeyValue::new(
                keys::LLM_RESPONSE_MODEL_NAME,
                answered.to_owned(),
            ));
        }
    }
    let from_shape = match shape {
        Some(Shape::OpenAiChat | Shape::OpenAiCompletion) => Some("openai"),
        Some(Shape::Anthropic) => Some("anthropic"),
        None => None,
    };
    let system = roles
        .system
        .map(str::to_ascii_lowercase)
        .or_else(|| {
            model
                .and_then(response::system_from_model)
                .map(str::to_owned)
        })
        .or_else(|| from_shape.map(str::to_owned));
    if let Some(system) = &system {
        out.push(KeyValue::new(keys::LLM_SYSTEM, system.clone()));
    }
    let provider = roles.provider.map(str::to_ascii_lowercase).or_else(|| {
        system.as_deref().and_then(|s| match s {
            "openai" | "anthropic" | "cohere" | "mistralai" | "xai" | "deepseek" => {
                Some(s.to_owned())
            }
            "vertexai" => Some("google".to_owned()),
            _ => None,
        })
    });
    if let Some(provider) = provider {
        out.push(KeyValue::new(keys::LLM_PROVIDER, provider));
    }
    out
}

/// `retrieval.documents.*` from a retriever's output.
pub(crate) fn retrieval_documents(output: &Value) -> Vec<KeyValue> {
    let mut out = Vec::new();
    documents::flatten_documents(keys::RETRIEVAL_DOCUMENTS, output, &mut out);
    out
}

/// Helpers shared by this module's unit tests.
#[cfg(test)]
pub(crate) mod test_support {
    use opentelemetry::{KeyValue, Value};

    /// The value of `key` among `kvs`.
    pub(crate) fn get<'a>(kvs: &'a [KeyValue], key: &str) -> Option<&'a Value> {
        kvs.iter()
            .find(|kv| kv.key.as_str() == key)
            .map(|kv| &kv.value)
    }
}

#[cfg(test)]
mod tests {
    use super::test_support::get;
    use super::*;
    use opentelemetry::Value as OtelValue;
    use serde_json::json;

    #[test]
    fn llm_inputs_from_separate_parameters() {
        let roles = Roles {
            messages: Some("messages"),
            tools: Some("tools"),
            model_param: Some("model"),
            ..Roles::default()
        };
        let args = json!({
            "model": "gpt-4o", "temperature": 0.2, "max_tokens": 256, "api_key": "__REDACTED__",
            "messages": [{"role": "user", "content": "hi"}],
            "tools": [{"type": "function", "function": {"name": "get_weather"}}],
            "options": {"nested": true}
        });
        let got = llm_inputs(&roles, args.as_object().unwrap(), true);
        assert_eq!(got.requested_model.as_deref(), Some("gpt-4o"));
        let a = &got.attributes;
        assert_eq!(
            get(a, "llm.input_messages.0.message.content"),
            Some(&OtelValue::from("hi"))
        );
        assert_eq!(
            get(a, "llm.tools.0.tool.json_schema"),
            Some(&OtelValue::from(
                r#"{"function":{"name":"get_weather"},"type":"function"}"#
            ))
        );
        let params: Value =
            serde_json::from_str(&get(a, "llm.invocation_parameters").unwrap().as_str()).unwrap();
        assert_eq!(
            params,
            json!({"model": "gpt-4o", "temperature": 0.2, "max_tokens": 256})
        );
    }

    #[test]
    fn llm_inputs_from_a_request_struct_and_named_params() {
        let roles = Roles {
            messages: Some("request"),
            params: Some(&["seed"]),
            ..Roles::default()
        };
        let args = json!({
            "request": {"model": "claude-sonnet-4-5", "max_tokens": 100, "messages": [{"role": "user", "content": "yo"}]},
            "seed": 7, "user_tag": "x"
        });
        let got = llm_inputs(&roles, args.as_object().unwrap(), true);
        assert_eq!(got.requested_model.as_deref(), Some("claude-sonnet-4-5"));
        let params: Value = serde_json::from_str(
            &get(&got.attributes, "llm.invocation_parameters")
                .unwrap()
                .as_str(),
        )
        .unwrap();
        assert_eq!(
            params,
            json!({"model": "claude-sonnet-4-5", "max_tokens": 100, "seed": 7})
        );
        assert_eq!(
            get(&got.attributes, "llm.input_messages.0.message.role"),
            Some(&OtelValue::from("user"))
        );
    }

    #[test]
    fn identity_precedence() {
        let roles = Roles {
            model: Some("configured-model"),
            ..Roles::default()
        };
        let ids = llm_identity(
            &roles,
            Some(Shape::OpenAiChat),
            Some("gpt-4o-2024-08-06"),
            Some("gpt-4o"),
        );
        assert_eq!(
            get(&ids, "llm.model_name"),
            Some(&OtelValue::from("gpt-4o-2024-08-06"))
        );
        assert_eq!(get(&ids, "llm.system"), Some(&OtelValue::from("openai")));
        assert_eq!(get(&ids, "llm.provider"), Some(&OtelValue::from("openai")));
        let ids = llm_identity(&roles, None, None, Some("param-model"));
        assert_eq!(
            get(&ids, "llm.model_name"),
            Some(&OtelValue::from("configured-model"))
        );
        let roles = Roles {
            provider: Some("Azure"),
            system: Some("openai"),
            ..Roles::default()
        };
        let ids = llm_identity(&roles, None, None, Some("claude-x"));
        assert_eq!(get(&ids, "llm.provider"), Some(&OtelValue::from("azure")));
        assert_eq!(get(&ids, "llm.system"), Some(&OtelValue::from("openai")));
    }
}
