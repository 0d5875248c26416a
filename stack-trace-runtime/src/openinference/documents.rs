//! Documents (retriever output) read by shape after serialization: a list of
//! structs or maps (`id`, `score`, `content` / `text` / `page_content`,
//! `metadata`), of tuples (`(doc, score)`, `(id, text, score)`), or of plain
//! strings, flattened into `{prefix}.{i}.document.{id,score,content,metadata}`,
//! the first ones within the list budget (see [`super::budget`]).

use super::{budget, keys};
use opentelemetry::KeyValue;
use serde_json::{Map, Value};

/// The fields of one document.
#[derive(Debug, Default, PartialEq)]
struct Document {
    id: Option<Value>,
    score: Option<f64>,
    content: Option<String>,
    metadata: Option<String>,
}

fn from_object(obj: &Map<String, Value>, doc: &mut Document) {
    // LangChain-style `{"document": {...}, "score": ..}` wrappers.
    if let Some(Value::Object(inner)) = obj.get("document") {
        from_object(inner, doc);
    }
    if let Some(id) = obj
        .get("id")
        .filter(|v| v.is_string() || v.is_i64() || v.is_u64())
    {
        doc.id = Some(id.clone());
    }
    if let Some(score) = obj
        .get("score")
        .or_else(|| obj.get("relevance_score"))
        .and_then(Value::as_f64)
    {
        doc.score = Some(score);
    }
    for key in ["content", "text", "page_content"] {
        if let Some(text) = obj.get(key).and_then(Value::as_str) {
            doc.content = Some(text.to_owned());
            break;
        }
    }
    match obj.get("metadata") {
        Some(Value::Object(m)) if !m.is_empty() => {
            doc.metadata = Some(Value::Object(m.clone()).to_string())
        }
        Some(s @ Value::String(_)) => doc.metadata = Some(super::messages::json_attribute(s)),
        _ => {}
    }
}

fn from_value(item: &Value) -> Option<Document> {
    let mut doc = Document::default();
    match item {
        Value::Object(obj) => from_object(obj, &mut doc),
        Value::String(text) => doc.content = Some(text.clone()),
        Value::Array(parts) => {
            let strings: Vec<&str> = parts.iter().filter_map(Value::as_str).collect();
            match strings.as_slice() {
                [content] => doc.content = Some((*content).to_owned()),
                [id, content, ..] => {
                    doc.id = Some(Value::String((*id).to_owned()));
                    doc.content = Some((*content).to_owned());
                }
                [] => {}
            }
            for part in parts {
                match part {
                    Value::Object(obj) => from_object(obj, &mut doc),
                    Value::Number(n) if doc.score.is_none() => doc.score = n.as_f64(),
                    _ => {}
                }
            }
        }
        _ => return None,
    }
    (doc != Document::default()).then_some(doc)
}

/// Appends the documents of `list` (a JSON array) under `prefix`
/// (`retrieval.documents`, `reranker.output_documents`, ...). Returns how
/// many were written.
pub(crate) fn flatten_documents(prefix: &str, list: &Value, out: &mut Vec<KeyValue>) -> usize {
    let Some(items) = list.as_array() else {
        return 0;
    };
    budget::flatten_head(
        prefix,
        items.iter().filter_map(from_value),
        budget::LIST_ATTRIBUTES,
        out,
        |index, doc, out| {
            write_document(&keys::indexed(prefix, index, "document"), doc, out);
        },
    )
}

fn write_document(base: &str, doc: Document, out: &mut Vec<KeyValue>) {
    match doc.id {
        Some(Value::String(s)) => out.push(KeyValue::new(keys::join(base, "id"), s)),
        Some(Value::Number(n)) => {
            if let Some(i) = n.as_i64() {
                out.push(KeyValue::new(keys::join(base, "id"), i));
            } else {
                out.push(KeyValue::new(keys::join(base, "id"), n.to_string()));
            }
        }
        _ => {}
    }
    if let Some(score) = doc.score {
        out.push(KeyValue::new(keys::join(base, "score"), score));
    }
    if let Some(content) = doc.content {
        out.push(KeyValue::new(keys::join(base, "content"), content));
    }
    if let Some(metadata) = doc.metadata {
        out.push(KeyValue::new(keys::join(base, "metadata"), metadata));
    }
}

/// `retrieval.documents.*` from a retriever's output.
pub(crate) fn retrieval_documents(output: &Value) -> Vec<KeyValue> {
    let mut out = Vec::new();
    flatten_documents(keys::RETRIEVAL_DOCUMENTS, output, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::super::test_support::get;
    use super::*;
    use opentelemetry::Value as OtelValue;
    use serde_json::json;

    #[test]
    fn structs_maps_tuples_and_strings() {
        let docs = json!([
            {"id": "kb-101", "score": 0.87, "content": "API keys rotate...", "metadata": {"source": "kb/security.md", "chunk": 3}},
            {"id": 7, "score": 1, "page_content": "LangChain doc", "metadata": {}},
            [{"text": "tuple doc"}, 0.5],
            ["id-3", "id and text", 0.25],
            "just text",
            42
        ]);
        let mut out = Vec::new();
        assert_eq!(flatten_documents("retrieval.documents", &docs, &mut out), 5);
        let p = "retrieval.documents";
        assert_eq!(
            get(&out, &format!("{p}.0.document.id")),
            Some(&OtelValue::from("kb-101"))
        );
        assert_eq!(
            get(&out, &format!("{p}.0.document.score")),
            Some(&OtelValue::F64(0.87))
        );
        assert_eq!(
            get(&out, &format!("{p}.0.document.metadata")),
            Some(&OtelValue::from(r#"{"chunk":3,"source":"kb/security.md"}"#))
        );
        assert_eq!(
            get(&out, &format!("{p}.1.document.id")),
            Some(&OtelValue::I64(7))
        );
        assert_eq!(
            get(&out, &format!("{p}.1.document.score")),
            Some(&OtelValue::F64(1.0))
        );
        assert_eq!(get(&out, &format!("{p}.1.document.metadata")), None);
        assert_eq!(
            get(&out, &format!("{p}.2.document.content")),
            Some(&OtelValue::from("tuple doc"))
        );
        assert_eq!(
            get(&out, &format!("{p}.2.document.score")),
            Some(&OtelValue::F64(0.5))
        );
        assert_eq!(
            get(&out, &format!("{p}.3.document.id")),
            Some(&OtelValue::from("id-3"))
        );
        assert_eq!(
            get(&out, &format!("{p}.3.document.content")),
            Some(&OtelValue::from("id and text"))
        );
        assert_eq!(
            get(&out, &format!("{p}.4.document.content")),
            Some(&OtelValue::from("just text"))
        );
        assert_eq!(get(&out, &format!("{p}.5.document.content")), None);
    }
}
