//! `LLM` spans: messages, tools and invocation parameters from the
//! arguments; messages, tokens and finish reason from the response; which
//! model, system and provider answered.

use opentelemetry::KeyValue;
use serde_json::{Map, Value};

use super::response::{self, Shape};
use super::{budget, is_parameter, keys, messages, Roles};
use crate::scrub::rules::is_secret_key;
use crate::semconv::REDACTED;

/// What the inputs of an LLM call tell: its attributes and the model it asked for.
#[derive(Debug, Default)]
pub(crate) struct LlmInputs {
    pub attributes: Vec<KeyValue>,
    pub requested_model: Option<String>,
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
                _ if is_parameter(key, value) && !is_secret_key(key) => {
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
        budget::flatten_values(
            keys::LLM_PROMPTS,
            "prompt.text",
            prompts,
            &mut out.attributes,
            str::to_owned,
        );
    }
    if let Some(messages) = messages.filter(|_| with_messages) {
        messages::flatten_messages(keys::LLM_INPUT_MESSAGES, messages, &mut out.attributes);
    }
    if let Some(Value::Array(list)) = &tools {
        budget::flatten_values(
            keys::LLM_TOOLS,
            "tool.json_schema",
            list,
            &mut out.attributes,
            messages::json_attribute,
        );
    }
    for (name, value) in args {
        let role = Some(name.as_str());
        let is_prompt = roles.messages.is_none() && matches!(name.as_str(), "prompt" | "prompts");
        if role == roles.messages
            || role == roles.tools
            || is_prompt
            || !is_parameter(name, value)
            || is_secret_key(name)
        {
            continue;
        }
        if value == REDACTED {
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
    let asked = roles.model.or(requested_model);
    let model = response_model.or(asked);
    super::push_model_names(
        &mut out,
        [
            keys::LLM_MODEL_NAME,
            keys::LLM_REQUEST_MODEL_NAME,
            keys::LLM_RESPONSE_MODEL_NAME,
        ],
        asked,
        response_model,
    );
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

#[cfg(test)]
mod tests {
    use super::super::test_support::get;
    use super::*;
    use opentelemetry::Value as OtelValue;
    use serde_json::json;

    #[test]
    fn a_request_argument_gives_messages_tools_and_parameters() {
        let args = json!({"request": {
            "model": "gpt-4o-mini", "temperature": 0.3, "stream": true, "stop": ["END"],
            "messages": [{"role": "user", "content": "hi"}],
            "tools": [{"type": "function", "function": {"name": "f"}}],
            "response_format": {"type": "json_object"}
        }});
        // The macros name the request parameter (`messages = request`, or
        // the only parameter of a request type).
        let roles = Roles {
            messages: Some("request"),
            ..Roles::default()
        };
        let got = llm_inputs(&roles, args.as_object().unwrap(), true);
        assert_eq!(got.requested_model.as_deref(), Some("gpt-4o-mini"));
        let a = &got.attributes;
        assert_eq!(
            get(a, "llm.input_messages.0.message.content"),
            Some(&OtelValue::from("hi"))
        );
        assert!(get(a, "llm.tools.0.tool.json_schema").is_some());
        let params: Value =
            serde_json::from_str(&get(a, "llm.invocation_parameters").unwrap().as_str()).unwrap();
        assert_eq!(
            params,
            json!({"model": "gpt-4o-mini", "temperature": 0.3, "stream": true, "stop": ["END"]})
        );
    }

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
