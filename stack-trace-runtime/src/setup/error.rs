//! [`Error`]: the error type of configuration, start-up, flush and shutdown.

use core::fmt;

use crate::export::ExportError;

/// Why tracing could not be set up as configured.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Error {
    /// The collector endpoint is not an `http://` or `https://` URL.
    InvalidEndpoint {
        /// Where the value came from (an environment variable or `Config`).
        source: &'static str,
        /// The value as given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// A setting has a value that cannot be parsed.
    InvalidSetting {
        /// The environment variable (or `Config` field).
        name: &'static str,
        /// The value as given.
        value: String,
        /// What is accepted.
        expected: &'static str,
    },
    /// The exporter could not be built.
    Exporter(String),
    /// The export worker thread could not be started.
    Worker(String),
    /// Flushing or shutting down did not finish in time.
    Timeout {
        /// What timed out.
        operation: &'static str,
        /// The cap that was reached.
        after: std::time::Duration,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidEndpoint {
                source,
                value,
                reason,
            } => write!(
                f,
                "{source}={value:?} is not a usable collector endpoint: {reason} \
                 (expected something like http://localhost:6006/v1/traces)"
            ),
            Self::InvalidSetting {
                name,
                value,
                expected,
            } => write!(f, "{name}={value:?} is not valid: expected {expected}"),
            Self::Exporter(message) => write!(f, "cannot build the OTLP exporter: {message}"),
            Self::Worker(message) => write!(f, "cannot start the export thread: {message}"),
            Self::Timeout { operation, after } => {
                write!(f, "{operation} did not finish within {after:?}")
            }
        }
    }
}

impl std::error::Error for Error {}

impl From<ExportError> for Error {
    fn from(error: ExportError) -> Self {
        match error {
            ExportError::Exporter(message) => Self::Exporter(message),
            ExportError::Worker(message) => Self::Worker(message),
            ExportError::Timeout { operation, after } => Self::Timeout { operation, after },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Error;

    #[test]
    fn messages_say_what_to_fix() {
        let e = Error::InvalidEndpoint {
            source: "PHOENIX_COLLECTOR_ENDPOINT",
            value: "not a url".into(),
            reason: "relative URL without a base".into(),
        };
        assert_eq!(
            e.to_string(),
            "PHOENIX_COLLECTOR_ENDPOINT=\"not a url\" is not a usable collector endpoint: \
             relative URL without a base (expected something like http://localhost:6006/v1/traces)"
        );
        let e = Error::InvalidSetting {
            name: "STACK_TRACE_CONSOLE",
            value: "maybe".into(),
            expected: "true or false",
        };
        assert_eq!(
            e.to_string(),
            "STACK_TRACE_CONSOLE=\"maybe\" is not valid: expected true or false"
        );
    }
}
