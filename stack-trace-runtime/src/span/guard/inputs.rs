//! Recording a call's inputs: `input.value`, `tool.*`, what the kind reads
//! from the arguments (messages, tools, parameters, texts, documents), and
//! context attributes taken from parameters.

use opentelemetry::KeyValue;
use serde_json::Value;

use super::{Open, NO_ROLES};
use crate::capture::inputs::Inputs;
use crate::openinference::context_attributes::ContextAttributes;
use crate::openinference::describe::{self, Message};
use crate::openinference::{self, keys};
use crate::scrub::Findings;
use crate::semconv::{self, SpanKind};

impl Open {
    /// Sets `session.id` / `user.id` from the call's parameters: on this span
    /// and on every span started inside it.
    pub(crate) fn set_scope_attributes(
        &mut self,
        session_id: Option<String>,
        user_id: Option<String>,
    ) {
        if !self.is_recording() {
            return;
        }
        let mut attributes = ContextAttributes::new();
        if let Some(id) = session_id {
            attributes = attributes.session_id(id);
        }
        if let Some(id) = user_id {
            attributes = attributes.user_id(id);
        }
        self.write_attributes(attributes.key_values());
        self.scope_attributes = Some(Box::new(attributes));
    }

    /// Records `tool.name`, `tool.description` and `tool.parameters` (a JSON
    /// Schema) of a `TOOL` span, as static values (no copy, and a free clone
    /// for the GenAI keys).
    pub(crate) fn set_tool(
        &mut self,
        name: &'static str,
        description: Option<&'static str>,
        parameters: &'static str,
    ) {
        let mut attributes = vec![
            KeyValue::new(keys::TOOL_NAME, name),
            KeyValue::new(keys::TOOL_PARAMETERS, parameters),
        ];
        if let Some(description) = description {
            attributes.push(KeyValue::new(keys::TOOL_DESCRIPTION, description));
        }
        self.write_attributes(attributes);
    }

    /// Records the captured arguments as `input.value` / `input.mime_type`.
    pub(crate) fn set_inputs(&mut self, mut inputs: Inputs) {
        let values = inputs.take_values();
        let Some(captured) = inputs.finish() else {
            return;
        };
        if let Some(args) = values {
            self.derive_from_inputs(&args);
        }
        if self.kind == SpanKind::Prompt {
            self.prompt_variables(&captured.value, captured.mime);
        }
        self.write_value(semconv::INPUT_VALUE, semconv::INPUT_MIME_TYPE, captured);
    }

    fn derive_from_inputs(&mut self, args: &serde_json::Map<String, Value>) {
        let roles = self.roles.unwrap_or(&NO_ROLES);
        match self.kind {
            SpanKind::Llm => {
                let llm = openinference::llm_inputs(roles, args, !self.described_input);
                self.requested_model = llm.requested_model;
                self.write_attributes(llm.attributes);
            }
            SpanKind::Embedding => {
                self.embedding = Some(openinference::embedding_inputs(roles, args))
            }
            SpanKind::Reranker => {
                let attributes = openinference::reranker_inputs(roles, args);
                self.write_attributes(attributes);
            }
            SpanKind::Decision => self.requested_model = roles.model_from(args),
            _ => {}
        }
    }

    /// Records input messages described by their `DescribeMessages` impl.
    pub(crate) fn describe_input_messages(&mut self, messages: &[Message]) {
        if !self.is_recording() || self.kind != SpanKind::Llm {
            return;
        }
        self.described_input = true;
        let mut findings = Findings::NONE;
        let attributes =
            describe::messages_attributes(keys::LLM_INPUT_MESSAGES, messages, &mut findings);
        self.note_scrubbed(keys::LLM_INPUT_MESSAGES, findings);
        self.write_attributes(attributes);
    }
}
