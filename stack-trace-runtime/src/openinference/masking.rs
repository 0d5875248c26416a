//! Hiding inputs, outputs, messages, images and embeddings before export,
//! with OpenInference's semantics (`OPENINFERENCE_HIDE_*`, its
//! `TraceConfig.mask`): rules are checked in order and the first that matches
//! a key decides whether it is dropped or replaced by `__REDACTED__`.
//!
//! Applied on the export thread (behind our span processor) to every
//! attribute of every span (captured by the macros, set by hand, or set
//! through the raw OpenTelemetry API) before anything leaves the process.

use opentelemetry::{KeyValue, Value};

use crate::semconv::REDACTED;

/// Which values to hide. All off by default; `Config::from_lookup` reads the
/// `OPENINFERENCE_HIDE_*` variables and `OPENINFERENCE_BASE64_IMAGE_MAX_LENGTH`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(clippy::struct_excessive_bools)] // one switch per OpenInference setting
pub struct Masking {
    /// Drop `llm.invocation_parameters`.
    pub hide_llm_invocation_parameters: bool,
    /// Drop `llm.tools.*`.
    pub hide_llm_tools: bool,
    /// Redact `input.value`, drop `input.mime_type`, input messages, tools,
    /// reranker inputs; redact prompts.
    pub hide_inputs: bool,
    /// Redact `output.value`, drop `output.mime_type`, output messages and
    /// reranker outputs; redact choices and retrieved document contents.
    pub hide_outputs: bool,
    /// Drop `llm.input_messages.*`.
    pub hide_input_messages: bool,
    /// Drop `llm.output_messages.*`.
    pub hide_output_messages: bool,
    /// Drop images in input messages.
    pub hide_input_images: bool,
    /// Redact the text of input messages.
    pub hide_input_text: bool,
    /// Redact the text of output messages.
    pub hide_output_text: bool,
    /// Redact embedding vectors.
    pub hide_embeddings_vectors: bool,
    /// Redact embedded texts.
    pub hide_embeddings_text: bool,
    /// Redact `llm.prompts.*`.
    pub hide_prompts: bool,
    /// Redact `llm.choices.*`.
    pub hide_choices: bool,
    /// Redact retrieved documents' content and metadata.
    pub hide_retrieval_documents: bool,
    /// Base64 `data:` image URLs longer than this are redacted (default 32,000).
    pub base64_image_max_length: usize,
}

impl Default for Masking {
    fn default() -> Self {
        Self {
            hide_llm_invocation_parameters: false,
            hide_llm_tools: false,
            hide_inputs: false,
            hide_outputs: false,
            hide_input_messages: false,
            hide_output_messages: false,
            hide_input_images: false,
            hide_input_text: false,
            hide_output_text: false,
            hide_embeddings_vectors: false,
            hide_embeddings_text: false,
            hide_prompts: false,
            hide_choices: false,
            hide_retrieval_documents: false,
            base64_image_max_length: 32_000,
        }
    }
}

/// Turns one switch on.
pub(crate) type SetSwitch = fn(&mut Masking);

/// What happens to one attribute.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    Keep,
    Drop,
    Redact,
}

fn within(key: &str, namespace: &str) -> bool {
    key == namespace
        || (key.starts_with(namespace) && key.as_bytes().get(namespace.len()) == Some(&b'.'))
}

fn is_input_image(key: &str) -> bool {
    key.contains("llm.input_messages") && key.contains("message_content.image")
}

fn is_output_image(key: &str) -> bool {
    key.contains("llm.output_messages") && key.contains("message_content.image")
}

impl Masking {
    /// The variables and the switch each turns on.
    pub(crate) const VARIABLES: &'static [(&'static str, SetSwitch)] = &[
        ("OPENINFERENCE_HIDE_LLM_INVOCATION_PARAMETERS", |m| {
            m.hide_llm_invocation_parameters = true
        }),
        ("OPENINFERENCE_HIDE_LLM_TOOLS", |m| m.hide_llm_tools = true),
        ("OPENINFERENCE_HIDE_INPUTS", |m| m.hide_inputs = true),
        ("OPENINFERENCE_HIDE_OUTPUTS", |m| m.hide_outputs = true),
        ("OPENINFERENCE_HIDE_INPUT_MESSAGES", |m| {
            m.hide_input_messages = true
        }),
        ("OPENINFERENCE_HIDE_OUTPUT_MESSAGES", |m| {
            m.hide_output_messages = true
        }),
        ("OPENINFERENCE_HIDE_INPUT_IMAGES", |m| {
            m.hide_input_images = true
        }),
        ("OPENINFERENCE_HIDE_INPUT_TEXT", |m| {
            m.hide_input_text = true
        }),
        ("OPENINFERENCE_HIDE_OUTPUT_TEXT", |m| {
            m.hide_output_text = true
        }),
        ("OPENINFERENCE_HIDE_EMBEDDING_VECTORS", |m| {
            m.hide_embeddings_vectors = true
        }),
        ("OPENINFERENCE_HIDE_EMBEDDINGS_VECTORS", |m| {
            m.hide_embeddings_vectors = true
        }),
        ("OPENINFERENCE_HIDE_EMBEDDINGS_TEXT", |m| {
            m.hide_embeddings_text = true
        }),
        ("OPENINFERENCE_HIDE_PROMPTS", |m| m.hide_prompts = true),
        ("OPENINFERENCE_HIDE_CHOICES", |m| m.hide_choices = true),
        ("OPENINFERENCE_HIDE_RETRIEVAL_DOCUMENTS", |m| {
            m.hide_retrieval_documents = true
        }),
    ];

    /// Whether any value can be hidden (when not, nothing runs per span but
    /// the base64 image check on image keys).
    fn hides_anything(&self) -> bool {
        *self
            != Self {
                base64_image_max_length: self.base64_image_max_length,
                ..Self::default()
            }
    }

    /// The first rule matching `key` decides (OpenInference's order; rules
    /// with the same outcome stay separate to keep that order readable).
    #[allow(clippy::if_same_then_else)]
    pub(crate) fn verdict(&self, key: &str, value: &Value) -> Verdict {
        use Verdict::{Drop, Keep, Redact};
        let input_messages = key.contains("llm.input_messages");
        let output_messages = key.contains("llm.output_messages");
        let is_content = key.contains("message.content") && !key.contains("message.contents");
        let is_content_text = key.contains("message_content.text");
        let embeddings = key.contains("embedding.embeddings");
        if self.hide_llm_invocation_parameters && key == "llm.invocation_parameters" {
            Drop
        } else if (self.hide_inputs || self.hide_llm_tools) && key.contains("llm.tools") {
            Drop
        } else if self.hide_inputs && key == "input.value" {
            Redact
        } else if self.hide_inputs && key == "input.mime_type" {
            Drop
        } else if self.hide_inputs && key == "reranker.query" {
            Redact
        } else if self.hide_inputs && within(key, "reranker.input_documents") {
            Drop
        } else if self.hide_outputs && key == "output.value" {
            Redact
        } else if self.hide_outputs && key == "output.mime_type" {
            Drop
        } else if self.hide_outputs && within(key, "reranker.output_documents") {
            Drop
        } else if (self.hide_retrieval_documents || self.hide_outputs)
            && within(key, "retrieval.documents")
            && (key.ends_with("document.content") || key.ends_with("document.metadata"))
        {
            Redact
        } else if (self.hide_inputs || self.hide_input_messages) && input_messages {
            Drop
        } else if (self.hide_inputs || self.hide_prompts) && key.contains("llm.prompts") {
            Redact
        } else if (self.hide_outputs || self.hide_output_messages) && output_messages {
            Drop
        } else if (self.hide_outputs || self.hide_choices) && key.contains("llm.choices") {
            Redact
        } else if self.hide_input_text && input_messages && (is_content || is_content_text) {
            Redact
        } else if self.hide_output_text && output_messages && (is_content || is_content_text) {
            Redact
        } else if (self.hide_inputs || self.hide_input_images) && is_input_image(key) {
            Drop
        } else if self.hide_outputs && is_output_image(key) {
            Drop
        } else if key.ends_with("image.url") && (is_input_image(key) || is_output_image(key)) {
            let url = value.as_str();
            if url.starts_with("data:image/")
                && url.contains("base64")
                && url.len() > self.base64_image_max_length
            {
                Redact
            } else {
                Keep
            }
        } else if self.hide_embeddings_vectors && embeddings && key.contains("embedding.vector") {
            Redact
        } else if self.hide_embeddings_text && embeddings && key.contains("embedding.text") {
            Redact
        } else {
            Keep
        }
    }

    /// Drops and redacts the attributes of one span.
    pub(crate) fn apply(&self, attributes: &mut Vec<KeyValue>) {
        if !self.hides_anything()
            && !attributes
                .iter()
                .any(|kv| kv.key.as_str().ends_with("image.url"))
        {
            return;
        }
        attributes.retain_mut(|kv| match self.verdict(kv.key.as_str(), &kv.value) {
            Verdict::Keep => true,
            Verdict::Drop => false,
            Verdict::Redact => {
                kv.value = Value::from(REDACTED);
                true
            }
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Verdict::{Drop, Keep, Redact};

    fn v(m: &Masking, key: &str) -> Verdict {
        m.verdict(key, &Value::from("x"))
    }

    #[test]
    fn hide_inputs_and_outputs_follow_openinference() {
        let m = Masking {
            hide_inputs: true,
            hide_outputs: true,
            ..Masking::default()
        };
        assert_eq!(v(&m, "input.value"), Redact);
        assert_eq!(v(&m, "input.mime_type"), Drop);
        assert_eq!(v(&m, "llm.input_messages.0.message.content"), Drop);
        assert_eq!(v(&m, "llm.tools.0.tool.json_schema"), Drop);
        assert_eq!(v(&m, "llm.prompts.0.prompt.text"), Redact);
        assert_eq!(v(&m, "output.value"), Redact);
        assert_eq!(v(&m, "output.mime_type"), Drop);
        assert_eq!(v(&m, "llm.output_messages.0.message.role"), Drop);
        assert_eq!(v(&m, "llm.choices.0.completion.text"), Redact);
        assert_eq!(v(&m, "retrieval.documents.0.document.content"), Redact);
        assert_eq!(v(&m, "retrieval.documents.0.document.id"), Keep);
        assert_eq!(v(&m, "reranker.query"), Redact);
        assert_eq!(v(&m, "reranker.input_documents.0.document.id"), Drop);
        assert_eq!(v(&m, "llm.model_name"), Keep);
        assert_eq!(v(&m, "llm.token_count.total"), Keep);
    }

    #[test]
    fn text_and_image_and_embedding_switches() {
        let m = Masking {
            hide_input_text: true,
            hide_output_text: true,
            hide_input_images: true,
            hide_embeddings_vectors: true,
            hide_embeddings_text: true,
            hide_llm_invocation_parameters: true,
            ..Masking::default()
        };
        assert_eq!(v(&m, "llm.input_messages.0.message.content"), Redact);
        assert_eq!(v(&m, "llm.input_messages.0.message.role"), Keep);
        assert_eq!(
            v(
                &m,
                "llm.input_messages.0.message.contents.0.message_content.text"
            ),
            Redact
        );
        assert_eq!(v(&m, "llm.output_messages.0.message.content"), Redact);
        assert_eq!(
            v(
                &m,
                "llm.input_messages.0.message.contents.1.message_content.image.image.url"
            ),
            Drop
        );
        assert_eq!(v(&m, "embedding.embeddings.0.embedding.vector"), Redact);
        assert_eq!(v(&m, "embedding.embeddings.0.embedding.text"), Redact);
        assert_eq!(v(&m, "llm.invocation_parameters"), Drop);
    }

    #[test]
    fn long_base64_images_are_redacted_even_with_nothing_hidden() {
        let m = Masking {
            base64_image_max_length: 30,
            ..Masking::default()
        };
        let key = "llm.input_messages.0.message.contents.0.message_content.image.image.url";
        let long = Value::from(format!("data:image/png;base64,{}", "A".repeat(40)));
        let short = Value::from("data:image/png;base64,AAAA");
        let plain = Value::from(format!("https://x/{}", "a".repeat(40)));
        assert_eq!(m.verdict(key, &long), Redact);
        assert_eq!(m.verdict(key, &short), Keep);
        assert_eq!(m.verdict(key, &plain), Keep);
        let mut attrs = vec![
            KeyValue::new(key, long),
            KeyValue::new("input.value", "kept"),
        ];
        m.apply(&mut attrs);
        assert_eq!(attrs[0].value.as_str(), REDACTED);
        assert_eq!(attrs[1].value.as_str(), "kept");
    }
}
