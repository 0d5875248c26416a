//! Scrubbing OpenTelemetry key-values: attributes set by hand on a span,
//! and every attribute, event and status of a span that did not come through
//! capture (the application's own spans, the HTTP server span), in the
//! export stage's last pass.
//!
//! A key that names a credential (`api_key`, `http.request.header.authorization`)
//! has its value replaced; a string is scanned for credential formats (JSON
//! text key by key, `url.query` pair by pair); string arrays item by item.

use std::borrow::Cow;

use opentelemetry::trace::Status;
use opentelemetry::{Array, KeyValue, StringValue, Value};
use opentelemetry_sdk::trace::SpanData;

use super::findings::{Findings, Report};
use super::rules;
use super::text::{scrub_query, scrub_str};
use super::value::scrub_json_text;
use crate::semconv::{REDACTED, SCRUBBED};

/// One string value scrubbed by what its key says it holds.
fn scrub_string(key: &str, text: &str, findings: &mut Findings) -> Option<String> {
    if key == "url.query" {
        return scrub_query(text, findings);
    }
    let trimmed = text.trim_start();
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        return scrub_json_text(text, findings);
    }
    scrub_str(text, findings)
}

/// `kv` scrubbed in place; what was removed goes to `findings`.
pub(crate) fn scrub_key_value(kv: &mut KeyValue, findings: &mut Findings) {
    let key = kv.key.as_str();
    if key == SCRUBBED {
        return;
    }
    if rules::is_secret_key(key) {
        if kv.value.as_str() != REDACTED {
            findings.key(key);
            kv.value = Value::from(REDACTED);
        }
        return;
    }
    match &kv.value {
        Value::String(text) => {
            if let Some(scrubbed) = scrub_string(key, text.as_str(), findings) {
                kv.value = Value::from(scrubbed);
            }
        }
        Value::Array(Array::String(items)) => {
            let mut changed = false;
            let items: Vec<StringValue> = items
                .iter()
                .map(|item| match scrub_str(item.as_str(), findings) {
                    Some(scrubbed) => {
                        changed = true;
                        StringValue::from(scrubbed)
                    }
                    None => item.clone(),
                })
                .collect();
            if changed {
                kv.value = Value::Array(Array::String(items));
            }
        }
        _ => {}
    }
}

/// Every key-value of `kvs` scrubbed; what was removed goes to `report`,
/// under each key (events under `event`).
fn scrub_all(kvs: &mut [KeyValue], prefix: Option<&str>, report: &mut Report) {
    for kv in kvs {
        let mut findings = Findings::NONE;
        scrub_key_value(kv, &mut findings);
        if !findings.is_empty() {
            let name: Cow<'static, str> = match prefix {
                Some(prefix) => format!("{prefix}.{}", kv.key.as_str()).into(),
                None => kv.key.as_str().to_owned().into(),
            };
            report.add(name, findings);
        }
    }
}

/// Writes `report` into `attributes` as `stack_trace.scrubbed`, merged with
/// one already there.
pub(crate) fn note(attributes: &mut Vec<KeyValue>, report: &Report) {
    if report.is_empty() {
        return;
    }
    match attributes.iter_mut().find(|kv| kv.key.as_str() == SCRUBBED) {
        Some(existing) => {
            let merged = report.merged_with_json(existing.value.as_str().as_ref());
            existing.value = Value::from(merged);
        }
        None => attributes.push(KeyValue::new(SCRUBBED, report.to_json())),
    }
}

/// The last pass over a span that did not come through capture: every
/// attribute, event attribute, link attribute and the status description.
pub(crate) fn scrub_span(span: &mut SpanData) {
    let mut report = Report::default();
    scrub_all(&mut span.attributes, None, &mut report);
    for event in &mut span.events.events {
        let prefix = format!("event {}", event.name);
        scrub_all(&mut event.attributes, Some(&prefix), &mut report);
    }
    for link in &mut span.links.links {
        scrub_all(&mut link.attributes, Some("link"), &mut report);
    }
    if let Status::Error { description } = &span.status {
        let mut findings = Findings::NONE;
        if let Some(scrubbed) = scrub_str(description, &mut findings) {
            span.status = Status::error(scrubbed);
            report.add("status", findings);
        }
    }
    note(&mut span.attributes, &report);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_formats_queries_and_arrays() {
        let mut attributes = vec![
            KeyValue::new("api_key", "abc"),
            KeyValue::new("http.request.header.authorization", "Bearer x"),
            KeyValue::new("url.query", "q=1&sig=zzz"),
            KeyValue::new("note", "token sk-Ab12Cd34Ef56Gh78Ij90Kl12 here"),
            KeyValue::new("input.value", r#"{"password":"hunter2","q":"x"}"#),
            KeyValue::new(
                "tag.tags",
                Value::Array(Array::String(vec![
                    "ghp_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78".into(),
                ])),
            ),
            KeyValue::new("llm.token_count.total", 10),
        ];
        let mut report = Report::default();
        scrub_all(&mut attributes, None, &mut report);
        note(&mut attributes, &report);
        let text: Vec<String> = attributes
            .iter()
            .map(|kv| format!("{}={}", kv.key, kv.value))
            .collect();
        let all = text.join("\n");
        for secret in ["abc", "Bearer x", "zzz", "sk-Ab", "hunter2", "ghp_"] {
            assert!(!all.contains(secret), "{secret} in {all}");
        }
        assert!(all.contains("llm.token_count.total=10"));
        assert!(all.contains(r#""removed":6"#), "{all}");
    }
}
