//! Scrubbing a `serde_json::Value` in place: the trees the OpenInference
//! stage reads messages, documents, tool calls and stream items from, and
//! JSON text an exported attribute holds.

use serde_json::Value;

use super::findings::Findings;
use super::formats;
use super::rules;
use super::text::scrub_str;
use crate::semconv::REDACTED;

/// Where a value sits: its key and its parent's path (built into text only
/// when something is found there).
struct Path<'p> {
    parent: Option<&'p Path<'p>>,
    key: &'p str,
}

impl Path<'_> {
    fn text(&self) -> String {
        match self.parent {
            Some(parent) if !parent.key.is_empty() || parent.parent.is_some() => {
                format!("{}.{}", parent.text(), self.key)
            }
            _ => self.key.to_owned(),
        }
    }
}

/// Replaces the values of credential keys at every depth, and credentials
/// by format in every string. `path` names the value (a parameter name, or
/// empty).
pub(crate) fn scrub_value(value: &mut Value, path: &str, findings: &mut Findings) {
    let root = Path {
        parent: None,
        key: path,
    };
    walk(value, &root, findings);
}

fn walk(value: &mut Value, path: &Path<'_>, findings: &mut Findings) {
    match value {
        Value::String(text) => {
            if let Some(scrubbed) = scrub_str(text, findings) {
                *text = scrubbed;
            }
        }
        Value::Array(items) => {
            for item in items {
                walk(item, path, findings);
            }
        }
        Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                let inner = Path {
                    parent: Some(path),
                    key,
                };
                if rules::is_secret_key(key) {
                    if item.as_str() != Some(REDACTED) {
                        findings.key(&inner.text());
                        *item = Value::String(REDACTED.to_owned());
                    }
                } else if !matches!(item, Value::Null | Value::Bool(_) | Value::Number(_)) {
                    walk(item, &inner, findings);
                }
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// Whether JSON text may hold something to scrub: an object key that names
/// a credential, or the anchor of a credential format. One pass, no parse.
fn may_hold_secrets(text: &str) -> bool {
    if formats::has_anchor(text) {
        return true;
    }
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] != b'"' {
            i += 1;
            continue;
        }
        let start = i + 1;
        i = start;
        while i < bytes.len() && bytes[i] != b'"' {
            i += if bytes[i] == b'\\' { 2 } else { 1 };
        }
        let end = i.min(bytes.len());
        i += 1;
        let mut j = i;
        while j < bytes.len() && bytes[j].is_ascii_whitespace() {
            j += 1;
        }
        if bytes.get(j) == Some(&b':') && text.get(start..end).is_some_and(rules::is_secret_key) {
            return true;
        }
    }
    false
}

/// JSON text with its credentials scrubbed (keys and formats); `None` when
/// nothing changed. Text that is not JSON is scrubbed as text.
pub(crate) fn scrub_json_text(text: &str, findings: &mut Findings) -> Option<String> {
    if !may_hold_secrets(text) {
        return None;
    }
    match serde_json::from_str::<Value>(text) {
        Ok(mut value) => {
            let mut found = Findings::NONE;
            scrub_value(&mut value, "", &mut found);
            if found.is_empty() {
                return None;
            }
            findings.merge(found);
            Some(value.to_string())
        }
        Err(_) => scrub_str(text, findings),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn keys_at_every_depth_and_formats_in_strings() {
        let mut v = json!({
            "base_url": "https://api.example.com",
            "api_key": "sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34",
            "headers": {"Authorization": "Bearer x", "Accept": "json"},
            "messages": [{"role": "user", "content": "my key is sk-Ab12Cd34Ef56Gh78Ij90Kl12 ok"}],
            "max_tokens": 5
        });
        let mut findings = Findings::NONE;
        scrub_value(&mut v, "config", &mut findings);
        assert_eq!(
            v,
            json!({
                "base_url": "https://api.example.com",
                "api_key": "__REDACTED__",
                "headers": {"Authorization": "__REDACTED__", "Accept": "json"},
                "messages": [{"role": "user", "content": "my key is __REDACTED__ ok"}],
                "max_tokens": 5
            })
        );
        let mut report = super::super::findings::Report::default();
        report.add("input.value", findings);
        let text = report.to_json();
        assert!(text.contains("key config.api_key"), "{text}");
        assert!(text.contains("key config.headers.Authorization"), "{text}");
        assert!(text.contains("format openai_api_key"), "{text}");
        assert!(!text.contains("sk-"), "{text}");
    }

    #[test]
    fn json_text_is_rewritten_only_when_needed() {
        let mut findings = Findings::NONE;
        assert_eq!(scrub_json_text(r#"{"q":"rust"}"#, &mut findings), None);
        assert_eq!(
            scrub_json_text(r#"{"password":"x"}"#, &mut findings).as_deref(),
            Some(r#"{"password":"__REDACTED__"}"#)
        );
    }
}
