//! Recording a call's outcome: `output.value`, what the kind reads from the
//! result (messages and tokens, documents, vectors), or the error.

use std::panic::{catch_unwind, AssertUnwindSafe};

use opentelemetry::trace::Status;
use serde::Serialize;
use serde_json::Value;

use super::{Open, SpanGuard, NO_ROLES};
use crate::capture::error::ErrorInfo;
use crate::capture::limit::max_value_bytes;
use crate::capture::sink::{ErrorSink, OutputSink};
use crate::capture::{self, Captured};
use crate::openinference::describe::{self, DescribeSink, Document, Message, TokenUsage};
use crate::openinference::{self, keys};
use crate::scrub::text::{scrub_pairs, scrub_str};
use crate::scrub::value::scrub_value;
use crate::scrub::Findings;
use crate::semconv::{self, SpanKind};

impl Open {
    /// Records a `Serialize` result as the output, plus what its shape tells
    /// for the span's kind (messages and tokens of an LLM response, the
    /// documents of a retriever). `debug` is the fallback text if
    /// serialization fails.
    pub(crate) fn output_serialize<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
        debug: Option<&dyn Fn() -> String>,
    ) {
        self.mark_outcome();
        let captured = match debug {
            Some(debug) => capture::capture_serialize_or_debug_with(value, debug),
            None => capture::capture_serialize(value),
        };
        if matches!(
            self.kind,
            SpanKind::Llm
                | SpanKind::Retriever
                | SpanKind::Embedding
                | SpanKind::Reranker
                | SpanKind::Decision
        ) {
            if let Ok(Ok(mut structured)) = catch_unwind(AssertUnwindSafe(|| {
                serde_json::to_value(capture::depth::Bounded::strings_capped(
                    value,
                    max_value_bytes(),
                ))
            })) {
                // The writer of `output.value` applies the same rule: when it
                // saw the whole value and found nothing, there is nothing
                // here. Reported once, by it.
                let suspect = captured.as_ref().is_none_or(|c| {
                    !c.findings.is_empty() || c.value.len() + 1024 >= max_value_bytes()
                });
                if suspect {
                    scrub_value(&mut structured, "", &mut Findings::default());
                }
                self.derive_from_output(&structured);
            }
        }
        self.set_output(captured);
    }

    pub(crate) fn derive_from_output(&mut self, output: &Value) {
        if self.described_output {
            return;
        }
        match self.kind {
            SpanKind::Llm => {
                let facts = openinference::llm_response(output);
                let identity = openinference::llm_identity(
                    self.roles.unwrap_or(&NO_ROLES),
                    facts.shape,
                    facts.model.as_deref(),
                    self.requested_model.as_deref(),
                );
                self.identity_written = true;
                self.write_attributes(facts.attributes);
                self.write_attributes(identity);
            }
            SpanKind::Retriever => {
                let documents = openinference::retrieval_documents(output);
                self.write_attributes(documents);
            }
            SpanKind::Embedding => {
                let inputs = self.embedding.take().unwrap_or_default();
                let attributes = openinference::embedding_output(&inputs, output);
                self.write_attributes(attributes);
            }
            SpanKind::Reranker => {
                let attributes = openinference::reranker_output(output);
                self.write_attributes(attributes);
            }
            SpanKind::Decision => {
                let attributes = openinference::decision_outcome(
                    self.roles.unwrap_or(&NO_ROLES),
                    Some(output),
                    self.requested_model.as_deref(),
                );
                self.identity_written = true;
                self.write_attributes(attributes);
            }
            _ => {}
        }
    }

    /// Records the result as `output.value` / `output.mime_type` (`None`: no output).
    pub(crate) fn set_output(&mut self, output: Option<Captured>) {
        self.mark_outcome();
        if let Some(captured) = output {
            self.write_value(semconv::OUTPUT_VALUE, semconv::OUTPUT_MIME_TYPE, captured);
        }
    }

    /// Records a response described by its `DescribeLlmResponse` impl.
    pub(crate) fn describe_llm_response(
        &mut self,
        messages: Vec<Message>,
        usage: Option<TokenUsage>,
        model: Option<String>,
    ) {
        if !self.is_recording() || self.kind != SpanKind::Llm {
            return;
        }
        self.mark_outcome();
        self.described_output = true;
        let mut findings = Findings::NONE;
        let attributes = describe::response_attributes(&messages, usage.as_ref(), &mut findings);
        self.note_scrubbed(keys::LLM_OUTPUT_MESSAGES, findings);
        let identity = openinference::llm_identity(
            self.roles.unwrap_or(&NO_ROLES),
            None,
            model.as_deref(),
            self.requested_model.as_deref(),
        );
        self.identity_written = true;
        self.write_attributes(attributes);
        self.write_attributes(identity);
    }

    /// Records documents described by their `DescribeDocuments` impl.
    pub(crate) fn describe_documents(&mut self, documents: &[Document]) {
        let prefix = match self.kind {
            SpanKind::Retriever => keys::RETRIEVAL_DOCUMENTS,
            SpanKind::Reranker => keys::RERANKER_OUTPUT_DOCUMENTS,
            _ => return,
        };
        if !self.is_recording() {
            return;
        }
        self.mark_outcome();
        self.described_output = true;
        let mut findings = Findings::NONE;
        let attributes = describe::documents_attributes(prefix, documents, &mut findings);
        self.note_scrubbed(prefix, findings);
        self.write_attributes(attributes);
    }

    /// Records an `Err` result: status ERROR `Type: message` and an
    /// `exception` event.
    pub(crate) fn record_error(&mut self, error: &ErrorInfo) {
        self.errored = true;
        if !self.is_recording() {
            return;
        }
        let mut findings = Findings::NONE;
        let scrubbed = if error.from_debug {
            scrub_pairs(&error.message, &mut findings)
        } else {
            scrub_str(&error.message, &mut findings)
        };
        self.note_scrubbed(semconv::EXCEPTION_MESSAGE, findings);
        let error = match scrubbed {
            Some(message) => ErrorInfo {
                message,
                ..error.clone()
            },
            None => error.clone(),
        };
        self.with_span(|span| {
            span.set_status(Status::error(error.status_description()));
            span.add_event(
                semconv::EXCEPTION_EVENT.into(),
                semconv::exception_attributes(error.type_name, error.message),
            );
        });
    }

    /// Records a panic and ends the span.
    pub(crate) fn record_panic(&mut self, message: String) {
        self.record_error(&ErrorInfo {
            type_name: semconv::PANIC_TYPE.to_owned(),
            message,
            from_debug: false,
        });
        self.end();
    }
}

impl OutputSink for SpanGuard {
    fn output_serialize<T: Serialize + ?Sized>(
        &mut self,
        value: &T,
        debug: Option<&dyn Fn() -> String>,
    ) {
        SpanGuard::output_serialize(self, value, debug);
    }
    fn output_captured(&mut self, output: Option<Captured>) {
        self.set_output(output);
    }
}

impl ErrorSink for SpanGuard {
    fn record_error(&mut self, error: &ErrorInfo) {
        SpanGuard::record_error(self, error);
    }
}

impl DescribeSink for SpanGuard {
    fn describe_llm_response(
        &mut self,
        messages: Vec<Message>,
        usage: Option<TokenUsage>,
        model: Option<String>,
    ) {
        SpanGuard::describe_llm_response(self, messages, usage, model);
    }
    fn describe_input_messages(&mut self, messages: &[Message]) {
        SpanGuard::describe_input_messages(self, messages);
    }
    fn describe_documents(&mut self, documents: &[Document]) {
        SpanGuard::describe_documents(self, documents);
    }
}
