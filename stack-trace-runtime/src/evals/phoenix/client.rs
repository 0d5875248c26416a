//! [`RestClient`]: Phoenix's REST API over a blocking HTTP client, with
//! the export's headers (the API key), CA and timeout. Used on the export
//! thread only, never on a caller's async runtime.

use std::time::Duration;

use serde_json::Value;

use crate::evals::prepare::Route;

/// How to reach Phoenix.
#[derive(Clone)]
pub(crate) struct ClientSettings {
    /// The server's base URL, without a trailing slash
    /// (`http://localhost:6006`).
    pub(crate) base_url: String,
    /// Sent with every request (the API key among them).
    pub(crate) headers: Vec<(String, String)>,
    /// A CA (PEM) to trust besides the system's roots (feature `tls`).
    pub(crate) ca_pem: Option<Vec<u8>>,
    pub(crate) timeout: Duration,
}

impl core::fmt::Debug for ClientSettings {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_struct("ClientSettings")
            .field("base_url", &self.base_url)
            .field(
                "headers",
                &self.headers.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

/// What became of one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Posted {
    /// Stored.
    Stored,
    /// Phoenix does not have (yet) a span, trace or session named in the
    /// batch; with `sync=true` the whole batch fails.
    Missing,
    /// A 404 that is not Phoenix's: the endpoint is not a Phoenix server.
    NotPhoenix(String),
    /// 401 or 403: the API key is missing or wrong.
    Unauthorized(u16),
    /// Refused for good (400, 422): with a batch, one item may be the cause.
    Refused(u16, String),
    /// Not reachable, timed out, or a server error: worth retrying.
    Unavailable(String),
}

/// Phoenix's REST API.
pub(crate) struct RestClient {
    base_url: String,
    http: reqwest::blocking::Client,
}

fn header_map(headers: &[(String, String)]) -> Result<reqwest::header::HeaderMap, String> {
    let mut map = reqwest::header::HeaderMap::new();
    for (name, value) in headers {
        let key = reqwest::header::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("`{name}` is not a valid header name"))?;
        let mut value = reqwest::header::HeaderValue::from_str(value)
            .map_err(|_| format!("the value of header `{name}` is not valid"))?;
        value.set_sensitive(true);
        map.insert(key, value);
    }
    Ok(map)
}

/// The `detail` of a FastAPI error body (JSON), or the body (some routes
/// answer plain text).
fn detail(body: &str) -> String {
    let parsed = serde_json::from_str::<Value>(body).ok();
    match parsed.as_ref().and_then(|v| v.get("detail")) {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => body.trim().to_owned(),
    }
}

/// At most 300 characters of `text`, for a message.
fn short(text: &str) -> String {
    let mut out: String = text.chars().take(300).collect();
    if out.len() < text.len() {
        out.push('…');
    }
    out
}

/// The error with its causes (reqwest's own text says only "error sending
/// request").
pub(crate) fn cause(error: &reqwest::Error) -> String {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(inner) = source {
        let more = inner.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = inner.source();
    }
    text
}

impl RestClient {
    /// A client for these settings.
    ///
    /// # Errors
    /// A header that is not valid HTTP, a CA that is not PEM, or a client
    /// that cannot be built.
    pub(crate) fn new(settings: &ClientSettings) -> Result<Self, String> {
        let builder = reqwest::blocking::Client::builder()
            .timeout(settings.timeout)
            .default_headers(header_map(&settings.headers)?);
        #[cfg(feature = "tls")]
        let builder = match &settings.ca_pem {
            Some(pem) => builder.add_root_certificate(
                reqwest::Certificate::from_pem(pem)
                    .map_err(|e| format!("the CA certificate is not valid PEM: {e}"))?,
            ),
            None => builder,
        };
        #[cfg(not(feature = "tls"))]
        if settings.ca_pem.is_some() || settings.base_url.starts_with("https://") {
            return Err("HTTPS needs the `tls` feature of stack-trace-runtime".to_owned());
        }
        Ok(Self {
            base_url: settings.base_url.trim_end_matches('/').to_owned(),
            http: builder
                .build()
                .map_err(|e| format!("cannot build the HTTP client: {}", cause(&e)))?,
        })
    }

    /// The base URL.
    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends one batch of annotations of one route, waiting at most `timeout`.
    pub(crate) fn post(&self, route: Route, items: &[&Value], timeout: Duration) -> Posted {
        let body = serde_json::json!({ "data": items }).to_string();
        let response = self
            .http
            .post(format!("{}{}", self.base_url, route.path()))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .timeout(timeout.max(Duration::from_millis(1)))
            .body(body)
            .send();
        let response = match response {
            Ok(response) => response,
            Err(e) => return Posted::Unavailable(cause(&e)),
        };
        let status = response.status().as_u16();
        if response.status().is_success() {
            return Posted::Stored;
        }
        let text = detail(&response.text().unwrap_or_default());
        match status {
            404 if text.contains("do not exist") => Posted::Missing,
            404 => Posted::NotPhoenix(short(&text)),
            401 | 403 => Posted::Unauthorized(status),
            408 | 429 | 500..=599 => {
                Posted::Unavailable(format!("HTTP {status}: {}", short(&text)))
            }
            _ => Posted::Refused(status, short(&text)),
        }
    }

    /// GETs a JSON document at `path_and_query` (under the base URL).
    ///
    /// # Errors
    /// The request failed, or the answer was not a success with JSON.
    pub(crate) fn get_json(&self, path_and_query: &str) -> Result<Value, (Option<u16>, String)> {
        let response = self
            .http
            .get(format!("{}{path_and_query}", self.base_url))
            .send()
            .map_err(|e| (None, cause(&e)))?;
        let status = response.status();
        let text = response
            .text()
            .map_err(|e| (Some(status.as_u16()), cause(&e)))?;
        if !status.is_success() {
            return Err((Some(status.as_u16()), short(&detail(&text))));
        }
        serde_json::from_str(&text).map_err(|e| (Some(status.as_u16()), format!("not JSON: {e}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fastapi_details_are_read() {
        assert_eq!(
            detail(r#"{"detail":"Spans with IDs ab do not exist."}"#),
            "Spans with IDs ab do not exist."
        );
        assert_eq!(detail(r#"{"detail":[{"loc":1}]}"#), r#"[{"loc":1}]"#);
        assert_eq!(detail("plain"), "plain");
        let long = format!(
            "Spans with IDs {} do not exist.",
            "0123456789abcdef, ".repeat(40)
        );
        assert!(
            detail(&long).ends_with("do not exist."),
            "the whole text is classified"
        );
        assert!(short(&long).chars().count() <= 301);
    }

    #[test]
    fn headers_are_checked_and_hidden() {
        assert!(header_map(&[("bad name".into(), "v".into())]).is_err());
        let map = header_map(&[("authorization".into(), "Bearer k".into())]).unwrap();
        assert!(map["authorization"].is_sensitive());
        let settings = ClientSettings {
            base_url: "http://x".into(),
            headers: vec![("authorization".into(), "Bearer secret-value".into())],
            ca_pem: None,
            timeout: Duration::from_secs(1),
        };
        assert!(!format!("{settings:?}").contains("secret-value"));
    }
}
