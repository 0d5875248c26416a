//! [`PhoenixClient`]: reading traces and annotations back from Phoenix's
//! REST API, for offline evaluators and trace-based tests.
//!
//! Each call runs its requests on a short-lived thread of its own, so it
//! works from sync code and from inside any async runtime (where a blocking
//! HTTP client must not run); from async code, call it through
//! `spawn_blocking` to keep the executor free.

use core::fmt;

use serde_json::Value;

use super::client::{ClientSettings, RestClient as Http};
use crate::evals::handle::{SpanHandle, TraceHandle};

/// Spans or annotations per page requested.
const PAGE: usize = 1000;
/// Ids per annotation query (Phoenix caps the list).
const IDS_PER_QUERY: usize = 100;

/// Why reading from Phoenix failed.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum ReadError {
    /// No Phoenix base URL is configured (see `Config::annotation_url`).
    NoUrl,
    /// The client could not be set up (a header or CA that is not valid).
    Setup(String),
    /// Phoenix could not be reached.
    Unreachable(String),
    /// Phoenix answered with an error status (404: no such project yet).
    Status {
        /// The HTTP status.
        status: u16,
        /// Phoenix's `detail`.
        detail: String,
    },
    /// The answer was not what Phoenix's API describes.
    Malformed(String),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoUrl => f.write_str(
                "no Phoenix base URL: set PHOENIX_ENDPOINT or PHOENIX_COLLECTOR_ENDPOINT, or Config::phoenix_url",
            ),
            Self::Setup(e) => write!(f, "cannot set up the Phoenix client: {e}"),
            Self::Unreachable(e) => write!(f, "cannot reach Phoenix: {e}"),
            Self::Status { status, detail } => write!(f, "Phoenix answered HTTP {status}: {detail}"),
            Self::Malformed(e) => write!(f, "unexpected answer from Phoenix: {e}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// One span as Phoenix stored it.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct StoredSpan {
    /// Phoenix's own id (a GraphQL node id).
    pub id: String,
    /// The span's name.
    pub name: String,
    /// Its trace and span ids.
    pub handle: SpanHandle,
    /// Its parent's span id (16 hex digits), if any.
    pub parent_id: Option<String>,
    /// The OpenInference span kind (`LLM`, `TOOL`, ...).
    pub span_kind: String,
    /// `OK`, `ERROR` or `UNSET`.
    pub status_code: String,
    /// RFC 3339 start time, as Phoenix gives it.
    pub start_time: String,
    /// RFC 3339 end time.
    pub end_time: String,
    /// The attributes, nested the way Phoenix returns them
    /// (`{"llm": {"model_name": ...}}`); read one with [`Self::attribute`].
    pub attributes: Value,
}

impl StoredSpan {
    /// The attribute at a dotted key (`llm.model_name`,
    /// `retrieval.documents.0.document.id`), whether Phoenix returned it
    /// flat or nested.
    #[must_use]
    pub fn attribute(&self, key: &str) -> Option<&Value> {
        lookup(&self.attributes, key)
    }

    fn from_json(span: &Value) -> Result<Self, ReadError> {
        let text = |v: &Value| v.as_str().unwrap_or_default().to_owned();
        let context = &span["context"];
        let handle = format!(
            "{}-{}",
            text(&context["trace_id"]),
            text(&context["span_id"])
        )
        .parse()
        .map_err(|e| ReadError::Malformed(format!("span context: {e}")))?;
        Ok(Self {
            id: text(&span["id"]),
            name: text(&span["name"]),
            handle,
            parent_id: span["parent_id"].as_str().map(str::to_owned),
            span_kind: text(&span["span_kind"]),
            status_code: text(&span["status_code"]),
            start_time: text(&span["start_time"]),
            end_time: text(&span["end_time"]),
            attributes: span["attributes"].clone(),
        })
    }
}

/// The value at dotted `key` under `at`: the longest matching key first at
/// each level, list items by index.
fn lookup<'a>(at: &'a Value, key: &str) -> Option<&'a Value> {
    match at {
        Value::Object(map) => {
            if let Some(value) = map.get(key) {
                return Some(value);
            }
            let mut split = key.len();
            while let Some(dot) = key[..split].rfind('.') {
                if let Some(inner) = map.get(&key[..dot]) {
                    if let Some(found) = lookup(inner, &key[dot + 1..]) {
                        return Some(found);
                    }
                }
                split = dot;
            }
            None
        }
        Value::Array(items) => {
            let (index, rest) = key
                .split_once('.')
                .map_or((key, None), |(i, r)| (i, Some(r)));
            let item = items.get(index.parse::<usize>().ok()?)?;
            match rest {
                Some(rest) => lookup(item, rest),
                None => Some(item),
            }
        }
        _ => None,
    }
}

/// Reads traces and annotations back from Phoenix. Build one with
/// `Config::phoenix_client` (the same base URL, API key and CA that
/// annotations use).
///
/// ```no_run
/// let phoenix = stack_trace_runtime::Config::from_env().phoenix_client()?;
/// let trace = "4bf92f3577b34da6a3ce929d0e0e4736".parse()?;
/// for span in phoenix.trace("default", &trace)? {
///     println!("{} {:?}", span.name, span.attribute("llm.model_name"));
/// }
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug)]
pub struct PhoenixClient {
    settings: ClientSettings,
}

/// A path segment or query value, percent-encoded (unreserved characters
/// kept).
fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

impl PhoenixClient {
    pub(crate) fn new(settings: ClientSettings) -> Self {
        Self { settings }
    }

    /// The base URL read from.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.settings.base_url
    }

    /// Runs `f` with an HTTP client on a thread of its own.
    fn with_http<R: Send>(
        &self,
        f: impl FnOnce(&Http) -> Result<R, ReadError> + Send,
    ) -> Result<R, ReadError> {
        let settings = &self.settings;
        std::thread::scope(|scope| {
            scope
                .spawn(move || f(&Http::new(settings).map_err(ReadError::Setup)?))
                .join()
                .unwrap_or_else(|_| Err(ReadError::Malformed("the reading thread panicked".into())))
        })
    }

    /// Every item of every page of `path` (which has a query already).
    fn all_pages(http: &Http, path: &str) -> Result<Vec<Value>, ReadError> {
        let mut out = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}&limit={PAGE}&cursor={}", encode(c)),
                None => format!("{path}&limit={PAGE}"),
            };
            let page = http
                .get_json(&url)
                .map_err(|(status, detail)| match status {
                    Some(status) => ReadError::Status { status, detail },
                    None => ReadError::Unreachable(detail),
                })?;
            let Some(items) = page["data"].as_array() else {
                return Err(ReadError::Malformed(format!("no `data` list in {url}")));
            };
            out.extend(items.iter().cloned());
            match page["next_cursor"].as_str() {
                Some(next) if !next.is_empty() => cursor = Some(next.to_owned()),
                _ => return Ok(out),
            }
        }
    }

    /// The spans of one trace in `project` (a name or id), as stored so far,
    /// in start order.
    ///
    /// # Errors
    /// [`ReadError`]: Phoenix unreachable, the project unknown (404), or an
    /// answer of the wrong shape.
    pub fn trace(&self, project: &str, trace: &TraceHandle) -> Result<Vec<StoredSpan>, ReadError> {
        let path = format!("/v1/projects/{}/spans?trace_id={trace}", encode(project));
        let spans = self.with_http(|http| Self::all_pages(http, &path))?;
        let mut spans: Vec<StoredSpan> = spans
            .iter()
            .map(StoredSpan::from_json)
            .collect::<Result<_, _>>()?;
        spans.sort_by(|a, b| a.start_time.cmp(&b.start_time));
        Ok(spans)
    }

    /// The annotations on these spans, as Phoenix returns them (`name`,
    /// `annotator_kind`, `result`, `metadata`, `identifier`, `span_id`, ...).
    ///
    /// # Errors
    /// As [`Self::trace`].
    pub fn span_annotations(
        &self,
        project: &str,
        spans: &[SpanHandle],
    ) -> Result<Vec<Value>, ReadError> {
        let ids: Vec<String> = spans.iter().map(SpanHandle::span_id).collect();
        self.annotations(project, "span", &ids)
    }

    /// The annotations on these traces.
    ///
    /// # Errors
    /// As [`Self::trace`].
    pub fn trace_annotations(
        &self,
        project: &str,
        traces: &[TraceHandle],
    ) -> Result<Vec<Value>, ReadError> {
        let ids: Vec<String> = traces.iter().map(ToString::to_string).collect();
        self.annotations(project, "trace", &ids)
    }

    /// The annotations on these sessions.
    ///
    /// # Errors
    /// As [`Self::trace`].
    pub fn session_annotations(
        &self,
        project: &str,
        sessions: &[&str],
    ) -> Result<Vec<Value>, ReadError> {
        let ids: Vec<String> = sessions.iter().map(|s| (*s).to_owned()).collect();
        self.annotations(project, "session", &ids)
    }

    fn annotations(
        &self,
        project: &str,
        kind: &str,
        ids: &[String],
    ) -> Result<Vec<Value>, ReadError> {
        let project = encode(project);
        self.with_http(|http| {
            let mut out = Vec::new();
            for chunk in ids.chunks(IDS_PER_QUERY) {
                let query: Vec<String> = chunk
                    .iter()
                    .map(|id| format!("{kind}_ids={}", encode(id)))
                    .collect();
                let path = format!(
                    "/v1/projects/{project}/{kind}_annotations?{}",
                    query.join("&")
                );
                out.extend(Self::all_pages(http, &path)?);
            }
            Ok(out)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_attributes_are_read_by_dotted_keys() {
        let span = StoredSpan::from_json(&serde_json::json!({
            "id": "U3Bhbjox",
            "name": "search",
            "context": {"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7"},
            "span_kind": "RETRIEVER",
            "parent_id": null,
            "status_code": "OK",
            "start_time": "2026-01-01T00:00:00Z",
            "end_time": "2026-01-01T00:00:01Z",
            "attributes": {"retrieval": {"documents": [{"document": {"id": "a"}}]}, "llm": {"model_name": "m"}},
        }))
        .unwrap();
        assert_eq!(span.handle.span_id(), "00f067aa0ba902b7");
        assert_eq!(
            span.attribute("retrieval.documents.0.document.id").unwrap(),
            "a"
        );
        assert_eq!(span.attribute("llm.model_name").unwrap(), "m");
        assert!(span.attribute("llm.nothing").is_none());
        let flat = StoredSpan {
            attributes: serde_json::json!({"retrieval.documents.0.document.id": "b", "a": {"b.c": 1}}),
            ..span
        };
        assert_eq!(
            flat.attribute("retrieval.documents.0.document.id").unwrap(),
            "b"
        );
        assert_eq!(flat.attribute("a.b.c").unwrap(), 1);
        assert!(StoredSpan::from_json(&serde_json::json!({})).is_err());
    }

    #[test]
    fn path_values_are_percent_encoded() {
        assert_eq!(encode("my project/ä"), "my%20project%2F%C3%A4");
        assert_eq!(encode("a-b_c.d~e"), "a-b_c.d~e");
    }
}
