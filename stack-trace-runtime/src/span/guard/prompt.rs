//! A `#[prompt]`'s guard: its template and version, its variables (the
//! arguments, as the JSON object captured for `input.value`), written on its
//! span and, once it returned, scoped to its parent for the `#[llm]` calls
//! that follow (see [`crate::span::prompt`]).

use opentelemetry::trace::{SpanId, TraceContextExt as _};
use opentelemetry::{Context, KeyValue};

use super::{KindState, Open};
use crate::openinference::keys;
use crate::semconv::MIME_JSON;
use crate::span::prompt::{self, Rendered};

/// What a prompt function renders, learned as it starts.
#[derive(Debug)]
pub(crate) struct PromptState {
    rendered: Rendered,
    /// The span it was called in.
    parent: SpanId,
}

impl Open {
    /// A `#[prompt]` call: its template and version.
    pub(crate) fn set_prompt(&mut self, template: &str, version: Option<&str>) {
        if !self.is_recording() {
            return;
        }
        let parent = Context::map_current(|cx| cx.span().span_context().span_id());
        let rendered = Rendered {
            template: template.to_owned(),
            version: version.map(str::to_owned),
            variables: None,
        };
        self.write_attributes(rendered.attributes());
        self.kind_state = Some(Box::new(KindState::Prompt(PromptState {
            rendered,
            parent,
        })));
    }

    /// The captured arguments are the template's variables.
    pub(super) fn prompt_variables(&mut self, value: &str, mime: &str) {
        if mime != MIME_JSON {
            return;
        }
        if let Some(KindState::Prompt(state)) = self.kind_state.as_deref_mut() {
            state.rendered.variables = Some(value.to_owned());
            let kv = KeyValue::new(keys::LLM_PROMPT_TEMPLATE_VARIABLES, value.to_owned());
            self.write_attributes(vec![kv]);
        }
    }

    /// The prompt function returned: the `#[llm]` calls that follow in its
    /// parent carry its template (not when it failed).
    pub(super) fn prompt_rendered(&mut self) {
        if let Some(KindState::Prompt(state)) = self.kind_state.take().map(|b| *b) {
            if !self.errored {
                prompt::rendered(state.parent, state.rendered);
            }
        }
    }
}
