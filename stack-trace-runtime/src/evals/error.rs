//! [`AnnotationError`]: why an id or an annotation was refused.

use core::fmt;

/// An id that could not be parsed into a handle, or an annotation refused
/// before it was queued. Nothing is sent for a refused annotation.
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
    /// The annotation's name is empty (or only white space).
    EmptyName,
    /// `note` is reserved by Phoenix for span and trace notes.
    ReservedName(String),
    /// The score is NaN or infinite.
    NonFiniteScore {
        /// The annotation's name.
        name: String,
    },
    /// Neither a score, a label nor an explanation was given.
    NoResult {
        /// The annotation's name.
        name: String,
    },
    /// Document annotations cannot have an identifier (they are never
    /// upserts; Phoenix refuses them).
    IdentifierOnDocument {
        /// The annotation's name.
        name: String,
    },
    /// The session id is empty.
    EmptySessionId,
}

impl fmt::Display for AnnotationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::InvalidId {
                what,
                expected,
                value,
            } => write!(f, "`{value}` is not a valid {what}: expected {expected}"),
            Self::EmptyName => f.write_str("an annotation needs a name"),
            Self::ReservedName(name) => write!(
                f,
                "the annotation name `{name}` is reserved by Phoenix for notes; choose another"
            ),
            Self::NonFiniteScore { name } => write!(
                f,
                "annotation `{name}`: the score must be a finite number (not NaN or infinite)"
            ),
            Self::NoResult { name } => write!(
                f,
                "annotation `{name}` has no result: give it a score, a label or an explanation"
            ),
            Self::IdentifierOnDocument { name } => write!(
                f,
                "annotation `{name}`: document annotations cannot have an identifier"
            ),
            Self::EmptySessionId => f.write_str("a session annotation needs a session id"),
        }
    }
}

impl std::error::Error for AnnotationError {}
