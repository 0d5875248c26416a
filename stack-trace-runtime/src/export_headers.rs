//! Headers sent with every export: `OTEL_EXPORTER_OTLP_HEADERS`,
//! `OTEL_EXPORTER_OTLP_TRACES_HEADERS` and `PHOENIX_API_KEY` (sent as
//! `authorization: Bearer <key>`, the one form Phoenix accepts), or set in
//! code. Values are credentials: they never appear in `Debug` output, error
//! messages, logs or spans.

use crate::error::Error;

/// Export headers; `Debug` shows the names only.
#[derive(Clone, Default, PartialEq, Eq)]
pub(crate) struct ExportHeaders(Vec<(String, String)>);

impl core::fmt::Debug for ExportHeaders {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_map()
            .entries(self.0.iter().map(|(name, _)| (name, "<redacted>")))
            .finish()
    }
}

impl ExportHeaders {
    /// Sets `name` (lower-cased), replacing an earlier value.
    pub(crate) fn set(&mut self, name: &str, value: String) {
        let name = name.trim().to_ascii_lowercase();
        self.0.retain(|(n, _)| *n != name);
        self.0.push((name, value));
    }

    pub(crate) fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n == name)
    }

    pub(crate) fn names(&self) -> Vec<&str> {
        self.0.iter().map(|(n, _)| n.as_str()).collect()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Checks names and values are valid HTTP header parts, without
    /// echoing any value.
    pub(crate) fn validate(&self) -> Result<(), Error> {
        for (name, value) in &self.0 {
            let name_ok = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
            let value_ok = value
                .bytes()
                .all(|b| b == b'\t' || (b' '..=b'~').contains(&b));
            if !name_ok || !value_ok {
                return Err(Error::InvalidSetting {
                    name: "OTEL_EXPORTER_OTLP_HEADERS",
                    value: format!("{name}=<redacted>"),
                    expected: "comma-separated name=value pairs of printable ASCII (values may be percent-encoded)",
                });
            }
        }
        Ok(())
    }
}

/// Parses `name=value,name2=value2` (values percent-decoded, as the
/// OpenTelemetry specification says) into `headers`.
pub(crate) fn parse_into(
    variable: &'static str,
    text: &str,
    headers: &mut ExportHeaders,
    problems: &mut Vec<Error>,
) {
    for pair in text.split(',').filter(|p| !p.trim().is_empty()) {
        match pair.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() => {
                headers.set(name, crate::config::percent_decode(value.trim()));
            }
            _ => problems.push(Error::InvalidSetting {
                name: variable,
                value: "<redacted>".to_owned(),
                expected: "comma-separated name=value pairs",
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsed_decoded_and_never_shown() {
        let mut headers = ExportHeaders::default();
        let mut problems = Vec::new();
        parse_into(
            "OTEL_EXPORTER_OTLP_HEADERS",
            "Authorization=Bearer%20sk-secret-1, x-project = demo ,",
            &mut headers,
            &mut problems,
        );
        assert!(problems.is_empty());
        let pairs: Vec<(&str, &str)> = headers.iter().collect();
        assert_eq!(
            pairs,
            [
                ("authorization", "Bearer sk-secret-1"),
                ("x-project", "demo")
            ]
        );
        let shown = format!("{headers:?}");
        assert!(!shown.contains("sk-secret"), "{shown}");
        parse_into(
            "OTEL_EXPORTER_OTLP_HEADERS",
            "novalue",
            &mut headers,
            &mut problems,
        );
        assert!(!format!("{problems:?}").contains("novalue"));
        headers.set("bad header", "x".to_owned());
        let error = headers.validate().unwrap_err().to_string();
        assert!(error.contains("bad header=<redacted>"), "{error}");
    }
}
