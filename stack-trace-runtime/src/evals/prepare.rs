//! [`prepare`]: an [`Annotation`] on a [`Target`], checked, scrubbed and
//! capped, as the JSON item Phoenix's REST API takes ([`Prepared`]).

use serde_json::{Map, Value};

use super::annotation::{Annotation, Target};
use super::error::AnnotationError;
use crate::capture::limit::{capped_str, max_value_bytes, truncated_json};
use crate::scrub::findings::Findings;
use crate::scrub::text::scrub_str;
use crate::scrub::value::scrub_value;

/// Which of Phoenix's annotation endpoints takes an annotation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Route {
    Span,
    Trace,
    Session,
    Document,
}

impl Route {
    /// The path under the base URL, `sync=true` so that a refusal is seen.
    pub(crate) fn path(self) -> &'static str {
        match self {
            Self::Span => "/v1/span_annotations?sync=true",
            Self::Trace => "/v1/trace_annotations?sync=true",
            Self::Session => "/v1/session_annotations?sync=true",
            Self::Document => "/v1/document_annotations?sync=true",
        }
    }
}

/// Caps on an annotation's texts (or the value cap, when smaller): enough
/// for a judge's reasoning, small enough that thousands waiting for their
/// spans stay within [`crate::evals::delivery::MAX_WAITING_BYTES`].
const MAX_LABEL_BYTES: usize = 1024;
const MAX_EXPLANATION_BYTES: usize = 16 * 1024;
const MAX_METADATA_BYTES: usize = 16 * 1024;

/// An annotation ready to send: its target and its `data` item.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Prepared {
    pub(crate) route: Route,
    pub(crate) target: Target,
    /// One element of the request's `data` array.
    pub(crate) item: Value,
    /// About how many bytes it holds (its texts and metadata).
    pub(crate) bytes: usize,
}

impl Prepared {
    /// A short description for the console: `correctness = 0.8 (correct)`.
    pub(crate) fn summary(&self) -> String {
        let field = |key: &str| self.item["result"].get(key).filter(|v| !v.is_null());
        let mut text = format!(
            "{} [{}]",
            self.item["name"].as_str().unwrap_or(""),
            self.item["annotator_kind"].as_str().unwrap_or("")
        );
        if let Some(score) = field("score") {
            text.push_str(&format!(" = {score}"));
        }
        if let Some(label) = field("label").and_then(Value::as_str) {
            text.push_str(&format!(" ({label})"));
        }
        if let Some(explanation) = field("explanation").and_then(Value::as_str) {
            let short: String = explanation.chars().take(80).collect();
            let more = if short.len() < explanation.len() {
                "…"
            } else {
                ""
            };
            text.push_str(&format!(": {short}{more}"));
        }
        text
    }
}

/// A text field, scrubbed of credentials and capped at `cap` (or the value
/// cap, when smaller).
fn clean_text(text: String, cap: usize) -> String {
    let mut findings = Findings::NONE;
    let text = scrub_str(&text, &mut findings).unwrap_or(text);
    capped_str(&text, cap.min(max_value_bytes()))
}

/// Metadata, scrubbed at every depth and capped as a whole; and its size.
fn clean_metadata(metadata: Map<String, Value>) -> (Value, usize) {
    let mut value = Value::Object(metadata);
    let mut findings = Findings::NONE;
    scrub_value(&mut value, "", &mut findings);
    let cap = MAX_METADATA_BYTES.min(max_value_bytes());
    let mut text = value.to_string();
    if text.len() > cap {
        let cut = crate::capture::limit::utf8_prefix(&text.as_bytes()[..cap]).len();
        text = truncated_json(&text.as_bytes()[..cut], text.len());
        value = serde_json::from_str(&text).unwrap_or(Value::Null);
    }
    (value, text.len())
}

/// Checks an annotation and builds what is sent.
///
/// # Errors
/// An empty or reserved name, a NaN or infinite score, no result at all,
/// an identifier on a document annotation, an empty session id.
pub(crate) fn prepare(target: Target, annotation: Annotation) -> Result<Prepared, AnnotationError> {
    let Annotation {
        name,
        annotator,
        score,
        label,
        explanation,
        metadata,
        identifier,
    } = annotation;
    let name = name.trim().to_owned();
    if name.is_empty() {
        return Err(AnnotationError::EmptyName);
    }
    if name == "note" {
        return Err(AnnotationError::ReservedName(name));
    }
    if score.is_some_and(|s| !s.is_finite()) {
        return Err(AnnotationError::NonFiniteScore { name });
    }
    if score.is_none() && label.is_none() && explanation.is_none() {
        return Err(AnnotationError::NoResult { name });
    }
    let identifier = identifier.filter(|i| !i.is_empty());
    let mut item = Map::new();
    let route = match &target {
        Target::Span(span) => {
            item.insert("span_id".into(), span.span_id().into());
            Route::Span
        }
        Target::Trace(trace) => {
            item.insert("trace_id".into(), trace.to_string().into());
            Route::Trace
        }
        Target::Session(id) => {
            if id.trim().is_empty() {
                return Err(AnnotationError::EmptySessionId);
            }
            item.insert("session_id".into(), id.trim().into());
            Route::Session
        }
        Target::Document { span, position } => {
            if identifier.is_some() {
                return Err(AnnotationError::IdentifierOnDocument { name });
            }
            item.insert("span_id".into(), span.span_id().into());
            item.insert("document_position".into(), (*position).into());
            Route::Document
        }
    };
    let label = label.map(|l| clean_text(l, MAX_LABEL_BYTES));
    let explanation = explanation.map(|e| clean_text(e, MAX_EXPLANATION_BYTES));
    let identifier = identifier
        .map(|i| clean_text(i, MAX_LABEL_BYTES))
        .unwrap_or_default();
    let (metadata, metadata_bytes) = clean_metadata(metadata);
    let bytes = 256
        + name.len()
        + identifier.len()
        + label.as_ref().map_or(0, String::len)
        + explanation.as_ref().map_or(0, String::len)
        + metadata_bytes;
    let mut result = Map::new();
    result.insert("score".into(), score.map_or(Value::Null, Value::from));
    result.insert("label".into(), label.into());
    result.insert("explanation".into(), explanation.into());
    item.insert("name".into(), name.into());
    item.insert("annotator_kind".into(), annotator.as_str().into());
    item.insert("result".into(), Value::Object(result));
    item.insert("metadata".into(), metadata);
    item.insert("identifier".into(), identifier.into());
    Ok(Prepared {
        route,
        target,
        item: Value::Object(item),
        bytes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evals::annotation::AnnotatorKind;

    fn span() -> Target {
        Target::Span("00f067aa0ba902b7".parse().unwrap())
    }

    #[test]
    fn every_field_in_phoenix_shape() {
        let prepared = prepare(
            span(),
            Annotation::new(" correctness ")
                .score(0.5)
                .label("partly")
                .explanation("one of two facts")
                .metadata("prompt_version", "v2")
                .identifier("judge-1")
                .annotator(AnnotatorKind::Llm),
        )
        .unwrap();
        assert_eq!(prepared.route, Route::Span);
        assert_eq!(
            prepared.item,
            serde_json::json!({
                "span_id": "00f067aa0ba902b7",
                "name": "correctness",
                "annotator_kind": "LLM",
                "result": {"score": 0.5, "label": "partly", "explanation": "one of two facts"},
                "metadata": {"prompt_version": "v2"},
                "identifier": "judge-1",
            })
        );
        assert_eq!(
            prepared.summary(),
            "correctness [LLM] = 0.5 (partly): one of two facts"
        );
    }

    #[test]
    fn trace_session_and_document_targets() {
        let trace: crate::TraceHandle = "4bf92f3577b34da6a3ce929d0e0e4736".parse().unwrap();
        let p = prepare(trace.into(), Annotation::new("thumbs").label("up")).unwrap();
        assert_eq!(p.route, Route::Trace);
        assert_eq!(p.item["trace_id"], "4bf92f3577b34da6a3ce929d0e0e4736");
        assert_eq!(p.item["identifier"], "");
        assert_eq!(p.item["annotator_kind"], "HUMAN");
        let p = prepare(Target::session(" chat-1 "), Annotation::new("s").score(1.0)).unwrap();
        assert_eq!(
            (p.route, &p.item["session_id"]),
            (Route::Session, &"chat-1".into())
        );
        let doc = Target::document("00f067aa0ba902b7".parse().unwrap(), 3);
        let p = prepare(doc, Annotation::new("relevance").score(0.0)).unwrap();
        assert_eq!(p.route, Route::Document);
        assert_eq!(p.item["document_position"], 3);
    }

    #[test]
    fn bad_input_is_refused_with_a_clear_error() {
        let cases = [
            (
                span(),
                Annotation::new("  ").score(1.0),
                AnnotationError::EmptyName,
            ),
            (
                span(),
                Annotation::new("note").label("x"),
                AnnotationError::ReservedName("note".into()),
            ),
            (
                span(),
                Annotation::new("q").score(f64::NAN),
                AnnotationError::NonFiniteScore { name: "q".into() },
            ),
            (
                span(),
                Annotation::new("q").score(f64::INFINITY),
                AnnotationError::NonFiniteScore { name: "q".into() },
            ),
            (
                span(),
                Annotation::new("q"),
                AnnotationError::NoResult { name: "q".into() },
            ),
            (
                Target::document("00f067aa0ba902b7".parse().unwrap(), 0),
                Annotation::new("q").score(1.0).identifier("i"),
                AnnotationError::IdentifierOnDocument { name: "q".into() },
            ),
            (
                Target::session(""),
                Annotation::new("q").score(1.0),
                AnnotationError::EmptySessionId,
            ),
        ];
        for (target, annotation, expected) in cases {
            let error = prepare(target, annotation).unwrap_err();
            assert!(!error.to_string().is_empty());
            assert_eq!(error, expected);
        }
    }

    #[test]
    fn credentials_are_scrubbed_from_text_and_metadata() {
        let p = prepare(
            span(),
            Annotation::new("feedback")
                .explanation("it printed sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD to me")
                .metadata(
                    "client",
                    serde_json::json!({"api_key": "hunter2", "region": "eu"}),
                ),
        )
        .unwrap();
        let text = p.item.to_string();
        assert!(!text.contains("sk-proj-abcdef"), "{text}");
        assert!(!text.contains("hunter2"), "{text}");
        assert!(text.contains("\"region\":\"eu\""), "{text}");
    }

    #[test]
    fn huge_values_are_capped() {
        let big = "x".repeat(max_value_bytes() * 2);
        let p = prepare(
            span(),
            Annotation::new("long")
                .label(big.clone())
                .explanation(big.clone())
                .metadata("blob", big),
        )
        .unwrap();
        let size = p.item.to_string().len();
        assert!(
            size < MAX_LABEL_BYTES + MAX_EXPLANATION_BYTES + MAX_METADATA_BYTES + 2048,
            "{size}"
        );
        assert!(
            p.bytes >= size / 2 && p.bytes <= size + 1024,
            "{} for {size}",
            p.bytes
        );
        assert_eq!(p.item["metadata"]["stack_trace.truncated"], true);
        assert!(p.item["result"]["explanation"]
            .as_str()
            .unwrap()
            .contains("truncated by stack-trace"));
    }
}
