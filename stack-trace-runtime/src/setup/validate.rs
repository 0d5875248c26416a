//! [`Config::validate`]: every setting checked before anything starts, with
//! an error that says what to fix (and never shows a header's value).

use super::config::{Config, Endpoint};
use super::error::Error;
use crate::export::tail::TailSampling;
use crate::export::transport::{ExportHeaders, Protocol};
use crate::scrub::{rules, Scrubbing};

impl Config {
    /// Checks the settings without starting anything.
    ///
    /// # Errors
    /// The first unparsable setting, or an endpoint that is not an
    /// `http://` or `https://` URL with a host.
    pub fn validate(&self) -> Result<(), Error> {
        if let Some(problem) = self.problems.first() {
            return Err(problem.clone());
        }
        if let Some(endpoint) = &self.endpoint {
            validate_endpoint(endpoint, self.protocol)?;
        }
        if let Some(tail) = &self.tail {
            tail_sampling(tail)?;
        }
        headers(&self.headers)?;
        scrub_patterns(&self.scrubbing)?;
        Ok(())
    }
}

fn validate_endpoint(endpoint: &Endpoint, protocol: Protocol) -> Result<(), Error> {
    let invalid = |reason: String| Error::InvalidEndpoint {
        source: endpoint.source,
        value: endpoint.raw.clone(),
        reason,
    };
    if protocol == Protocol::Grpc && !cfg!(feature = "grpc") {
        return Err(invalid(
            "OTLP/gRPC needs the `grpc` feature of stack-trace-runtime; enable it, or use \
             OTLP/HTTP (OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf)"
                .to_owned(),
        ));
    }
    let url = url::Url::parse(&endpoint.url).map_err(|e| invalid(e.to_string()))?;
    match url.scheme() {
        "http" => {}
        "https" if cfg!(feature = "tls") => {}
        "https" => {
            return Err(invalid(
                "https endpoints need the `tls` feature of stack-trace-runtime; enable it, \
                 or use http:// to a local collector"
                    .to_owned(),
            ))
        }
        other => return Err(invalid(format!("unsupported scheme `{other}`"))),
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(invalid("the URL has no host".to_owned()));
    }
    Ok(())
}

/// Checks that header names and values are valid HTTP header parts,
/// without echoing any value.
pub(super) fn headers(headers: &ExportHeaders) -> Result<(), Error> {
    for (name, value) in headers.iter() {
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

/// Checks that the scrubbing patterns compile.
fn scrub_patterns(scrubbing: &Scrubbing) -> Result<(), Error> {
    rules::compile(scrubbing)
        .map(|_| ())
        .map_err(|e| Error::InvalidSetting {
            name: "STACK_TRACE_SCRUB_PATTERN",
            value: e.to_string(),
            expected: "regular expressions in Rust regex syntax",
        })
}

/// Checks the tail sampler's ratio.
fn tail_sampling(tail: &TailSampling) -> Result<(), Error> {
    if !(0.0..=1.0).contains(&tail.ratio) {
        return Err(Error::InvalidSetting {
            name: "TailSampling::ratio",
            value: tail.ratio.to_string(),
            expected: "a fraction from 0.0 to 1.0",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_ratio_is_checked() {
        assert!(tail_sampling(&TailSampling::ratio(0.5)).is_ok());
        assert!(tail_sampling(&TailSampling::ratio(1.5)).is_err());
        assert!(tail_sampling(&TailSampling::ratio(-0.1)).is_err());
    }
}
