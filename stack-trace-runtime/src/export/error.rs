//! [`ExportError`]: what can go wrong in the export stage. The setup stage
//! turns it into the public `Error`.

use core::fmt;
use std::time::Duration;

/// Why the exporter or the export thread failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum ExportError {
    /// The exporter could not be built.
    Exporter(String),
    /// The export worker thread could not be started, or has stopped.
    Worker(String),
    /// Flushing or shutting down did not finish in time.
    Timeout {
        /// What timed out.
        operation: &'static str,
        /// The cap that was reached.
        after: Duration,
    },
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exporter(message) => write!(f, "cannot build the OTLP exporter: {message}"),
            Self::Worker(message) => write!(f, "cannot start the export thread: {message}"),
            Self::Timeout { operation, after } => {
                write!(f, "{operation} did not finish within {after:?}")
            }
        }
    }
}
