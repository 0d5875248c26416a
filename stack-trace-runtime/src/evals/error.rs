//! [`AnnotationError`]: why an id or an annotation was refused.

use core::fmt;

/// An id that could not be parsed into a handle (and, as annotating lands,
/// an annotation refused before it is queued).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum AnnotationError {
    /// Text that is not a trace or span id.
    InvalidId {
        /// `trace id` or `span id`.
        what: &'static str,
        /// What was expected instead.
        expected: &'static str,
        /// The text as given (ids are not secrets).
        value: String,
    },
}

impl fmt::Display for AnnotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidId {
                what,
                expected,
                value,
            } => write!(f, "`{value}` is not a valid {what}: expected {expected}"),
        }
    }
}

impl std::error::Error for AnnotationError {}
