//! What a model's response (`output.value`, the response as JSON) says that
//! OpenInference keeps no key for: its id, and the finish reason of every
//! choice. Read without building the whole response as a value.

use std::borrow::Cow;

use serde::Deserialize;

/// The few fields of an OpenAI or Anthropic response the GenAI keys need.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Head<'a> {
    #[serde(borrow, default)]
    pub id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub model: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    choices: Option<Vec<Choice<'a>>>,
    /// Anthropic's one reason.
    #[serde(borrow, default)]
    stop_reason: Option<Cow<'a, str>>,
}

#[derive(Debug, Default, Deserialize)]
struct Choice<'a> {
    #[serde(borrow, default)]
    finish_reason: Option<Cow<'a, str>>,
}

impl<'a> Head<'a> {
    /// The head of `output`, when it is a JSON object of that shape.
    pub(crate) fn read(output: Option<&'a str>) -> Self {
        output
            .filter(|s| s.trim_start().starts_with('{'))
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }

    /// The finish reason of every choice, in order (empty when the response
    /// gives none).
    pub(crate) fn finish_reasons(&self) -> Vec<&str> {
        if let Some(reason) = &self.stop_reason {
            return vec![reason.as_ref()];
        }
        self.choices
            .iter()
            .flatten()
            .map(|c| c.finish_reason.as_deref().unwrap_or(""))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::Head;

    #[test]
    fn id_model_and_every_choices_reason() {
        let raw = r#"{"id":"chatcmpl-1","model":"gpt-4o-mini","choices":[
            {"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"a \"quoted\" word"}},
            {"index":1,"finish_reason":"length","message":{"role":"assistant","content":"b"}}],
            "usage":{"prompt_tokens":3}}"#;
        let head = Head::read(Some(raw));
        assert_eq!(head.id.as_deref(), Some("chatcmpl-1"));
        assert_eq!(head.model.as_deref(), Some("gpt-4o-mini"));
        assert_eq!(head.finish_reasons(), ["stop", "length"]);
    }

    #[test]
    fn anthropic_and_other_shapes() {
        let head = Head::read(Some(
            r#"{"id":"msg_1","type":"message","stop_reason":"end_turn","content":[]}"#,
        ));
        assert_eq!(head.finish_reasons(), ["end_turn"]);
        assert!(Head::read(Some("plain text")).id.is_none());
        assert!(Head::read(Some(r#"{"id": 5}"#)).id.is_none());
        assert!(
            Head::read(Some(r#"{"choices": [{"finish_reason": null}]}"#)).finish_reasons() == [""]
        );
        assert!(Head::read(None).finish_reasons().is_empty());
    }
}
