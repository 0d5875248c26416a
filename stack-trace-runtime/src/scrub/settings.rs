//! [`Scrubbing`]: what to treat as a credential beyond the built-in rules,
//! set with `Config::scrubbing` or the `STACK_TRACE_SCRUB_*` variables.

/// Scrubbing settings. Scrubbing is always on; these add key names, exempt
/// names from the built-in rule, add value patterns, or turn the scan for
/// credential formats off (keys are still scrubbed).
///
/// ```
/// use stack_trace_runtime::{Config, Scrubbing};
///
/// let config = Config::default().scrubbing(
///     Scrubbing::default()
///         .secret_key("ssn")               // `ssn`, `user_ssn`, `SSN` are scrubbed
///         .allow_key("session_token")      // recorded as it is
///         .value_pattern(r"ACME-[0-9]{8}"), // any match is scrubbed
/// );
/// assert!(config.validate().is_ok());
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scrubbing {
    pub(crate) secret_keys: Vec<String>,
    pub(crate) allowed_keys: Vec<String>,
    pub(crate) value_patterns: Vec<String>,
    pub(crate) scan_values: bool,
}

impl Default for Scrubbing {
    fn default() -> Self {
        Self {
            secret_keys: Vec::new(),
            allowed_keys: Vec::new(),
            value_patterns: Vec::new(),
            scan_values: true,
        }
    }
}

impl Scrubbing {
    /// Treats names containing these words as credentials too (`ssn` makes
    /// `ssn`, `user_ssn` and `userSsn` secret; `card_number` makes
    /// `credit_card_number` secret). Matched word by word, ignoring case.
    #[must_use]
    pub fn secret_key(mut self, name: impl Into<String>) -> Self {
        self.secret_keys.push(name.into());
        self
    }

    /// Never treats this name as a credential (the whole name, ignoring case
    /// and separators: `session_token` also exempts `sessionToken`).
    #[must_use]
    pub fn allow_key(mut self, name: impl Into<String>) -> Self {
        self.allowed_keys.push(name.into());
        self
    }

    /// Also scrubs every match of this regular expression (Rust `regex`
    /// syntax) in every exported string.
    #[must_use]
    pub fn value_pattern(mut self, pattern: impl Into<String>) -> Self {
        self.value_patterns.push(pattern.into());
        self
    }

    /// Turns the scan for credential formats (and the patterns above) on or
    /// off; keys are scrubbed either way.
    #[must_use]
    pub fn scan_values(mut self, on: bool) -> Self {
        self.scan_values = on;
        self
    }

    /// Whether these are the built-in rules only.
    /// Whether these settings add key names, exemptions or patterns to the
    /// built-in rules (turning the format scan off adds none).
    pub(crate) fn adds_rules(&self) -> bool {
        !(self.secret_keys.is_empty()
            && self.allowed_keys.is_empty()
            && self.value_patterns.is_empty())
    }
}
