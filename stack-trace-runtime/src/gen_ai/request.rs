//! The request side of a model call in GenAI keys: the provider's name and
//! the request parameters, read from OpenInference's `llm.provider`,
//! `llm.system` and invocation parameters (the JSON object of the call's
//! scalar arguments).

use opentelemetry::{Array, KeyValue, StringValue, Value as OtelValue};
use std::borrow::Cow;
use std::collections::BTreeMap;

use serde_json::value::RawValue;
use serde_json::Value;

use super::keys;

/// `gen_ai.provider.name` from OpenInference's provider and system, in the
/// semconv's well-known values (`azure` + `openai` is `azure.ai.openai`,
/// `google` + `vertexai` is `gcp.vertex_ai`, `mistralai` is `mistral_ai`, …);
/// anything else as given.
pub(crate) fn provider_name<'a>(
    provider: Option<&'a str>,
    system: Option<&'a str>,
) -> Option<&'a str> {
    Some(match (provider, system) {
        (Some("azure"), Some("openai")) => "azure.ai.openai",
        (Some("azure"), _) => "azure.ai.inference",
        (Some("aws"), _) => "aws.bedrock",
        (Some("google"), Some("vertexai")) | (None, Some("vertexai")) => "gcp.vertex_ai",
        (Some("google"), _) => "gcp.gen_ai",
        (Some("mistralai"), _) | (None, Some("mistralai")) => "mistral_ai",
        (Some("xai"), _) => "x_ai",
        (Some(p), _) => p,
        (None, Some(s)) => s,
        (None, None) => return None,
    })
}

fn float(v: &Value) -> Option<f64> {
    v.as_f64()
}

fn strings(v: &Value) -> Option<Vec<StringValue>> {
    match v {
        Value::String(s) => Some(vec![s.clone().into()]),
        Value::Array(items) => items
            .iter()
            .map(|i| i.as_str().map(|s| s.to_owned().into()))
            .collect(),
        _ => None,
    }
}

/// What the invocation parameters set: pushes the request keys and says
/// whether the request streamed and which model it named.
pub(crate) struct Request<'a> {
    pub streamed: bool,
    /// The `model` parameter, read only when the span names no model.
    model: Option<&'a RawValue>,
}

impl Request<'_> {
    /// The `model` parameter's text.
    pub(crate) fn model(&self) -> Option<String> {
        self.model
            .and_then(|raw| serde_json::from_str::<Cow<'_, str>>(raw.get()).ok())
            .map(Cow::into_owned)
    }
}

/// Pushes `gen_ai.request.*` and `gen_ai.output.type` for the parameters
/// in `invocation` (a JSON object; anything else pushes nothing).
pub(crate) fn parameters<'a>(invocation: Option<&'a str>, out: &mut Vec<KeyValue>) -> Request<'a> {
    let mut request = Request {
        streamed: false,
        model: None,
    };
    // Names and values borrowed from the text; a value is parsed only when
    // its name is one the semconv has a key for.
    let Some(params) = invocation
        .and_then(|s| serde_json::from_str::<BTreeMap<Cow<'a, str>, &'a RawValue>>(s).ok())
    else {
        return request;
    };
    for (name, raw) in &params {
        let name = name.as_ref();
        if !KNOWN.contains(&name) {
            continue;
        }
        if name == "model" {
            request.model = Some(raw);
            continue;
        }
        let Ok(value) = serde_json::from_str::<Value>(raw.get()) else {
            continue;
        };
        let value = &value;
        match name {
            "temperature" => push_float(out, keys::REQUEST_TEMPERATURE, value),
            "top_p" => push_float(out, keys::REQUEST_TOP_P, value),
            "top_k" => push_float(out, keys::REQUEST_TOP_K, value),
            "frequency_penalty" => push_float(out, keys::REQUEST_FREQUENCY_PENALTY, value),
            "presence_penalty" => push_float(out, keys::REQUEST_PRESENCE_PENALTY, value),
            "max_tokens" | "max_completion_tokens" | "max_output_tokens" => {
                push_int(out, keys::REQUEST_MAX_TOKENS, value);
            }
            "seed" => push_int(out, keys::REQUEST_SEED, value),
            "n" | "choice_count" | "candidate_count" if value.as_i64() != Some(1) => {
                push_int(out, keys::REQUEST_CHOICE_COUNT, value);
            }
            "stop" | "stop_sequences" => {
                if let Some(list) = strings(value) {
                    out.push(KeyValue::new(
                        keys::REQUEST_STOP_SEQUENCES,
                        OtelValue::Array(Array::String(list)),
                    ));
                }
            }
            "encoding_format" | "encoding_formats" => {
                if let Some(list) = strings(value) {
                    out.push(KeyValue::new(
                        keys::REQUEST_ENCODING_FORMATS,
                        OtelValue::Array(Array::String(list)),
                    ));
                }
            }
            "stream" => request.streamed = value.as_bool() == Some(true),
            "response_format" => {
                let kind = value
                    .as_str()
                    .or_else(|| value.get("type").and_then(Value::as_str));
                let output = match kind {
                    Some("json_object" | "json_schema" | "json") => Some("json"),
                    Some("text") => Some("text"),
                    _ => None,
                };
                if let Some(output) = output {
                    out.push(KeyValue::new(keys::OUTPUT_TYPE, output));
                }
            }
            _ => {}
        }
    }
    request
}

/// The parameter names read.
const KNOWN: &[&str] = &[
    "temperature",
    "top_p",
    "top_k",
    "frequency_penalty",
    "presence_penalty",
    "max_tokens",
    "max_completion_tokens",
    "max_output_tokens",
    "seed",
    "n",
    "choice_count",
    "candidate_count",
    "stop",
    "stop_sequences",
    "encoding_format",
    "encoding_formats",
    "stream",
    "model",
    "response_format",
];

fn push_float(out: &mut Vec<KeyValue>, key: &'static str, value: &Value) {
    if let Some(v) = float(value) {
        out.push(KeyValue::new(key, v));
    }
}

fn push_int(out: &mut Vec<KeyValue>, key: &'static str, value: &Value) {
    if let Some(v) = value.as_i64() {
        out.push(KeyValue::new(key, v));
    }
}

#[cfg(test)]
mod tests {
    use super::{parameters, provider_name};
    use opentelemetry::{Array, Value};

    #[test]
    fn providers_in_the_semconvs_words() {
        assert_eq!(
            provider_name(Some("openai"), Some("openai")),
            Some("openai")
        );
        assert_eq!(
            provider_name(Some("azure"), Some("openai")),
            Some("azure.ai.openai")
        );
        assert_eq!(
            provider_name(Some("google"), Some("vertexai")),
            Some("gcp.vertex_ai")
        );
        assert_eq!(provider_name(None, Some("anthropic")), Some("anthropic"));
        assert_eq!(provider_name(Some("mistralai"), None), Some("mistral_ai"));
        assert_eq!(provider_name(None, None), None);
    }

    #[test]
    fn parameters_with_the_registrys_types() {
        let mut out = Vec::new();
        let r = parameters(
            Some(
                r#"{"model":"gpt-4o","temperature":0,"top_p":0.9,"max_completion_tokens":256,
                "seed":7,"n":1,"stop":"END","stream":true,"response_format":{"type":"json_object"},"user":"u1"}"#,
            ),
            &mut out,
        );
        assert!(r.streamed);
        assert_eq!(r.model().as_deref(), Some("gpt-4o"));
        let get = |k: &str| {
            out.iter()
                .find(|kv| kv.key.as_str() == k)
                .map(|kv| kv.value.clone())
        };
        assert_eq!(get("gen_ai.request.temperature"), Some(Value::F64(0.0)));
        assert_eq!(get("gen_ai.request.top_p"), Some(Value::F64(0.9)));
        assert_eq!(get("gen_ai.request.max_tokens"), Some(Value::I64(256)));
        assert_eq!(get("gen_ai.request.seed"), Some(Value::I64(7)));
        assert_eq!(
            get("gen_ai.request.choice.count"),
            None,
            "n = 1 is left out"
        );
        assert_eq!(
            get("gen_ai.request.stop_sequences"),
            Some(Value::Array(Array::String(vec!["END".into()])))
        );
        assert_eq!(get("gen_ai.output.type"), Some(Value::from("json")));
        assert_eq!(out.len(), 6, "{out:?}");
        assert!(parameters(Some("not json"), &mut out).model().is_none());
    }
}
