//! Which argument names look like secrets.
//!
//! A name is secret when one of its `_`-separated segments (case-insensitive)
//! is a secret word: `api_key`, `access_token`, `db_password` are secret;
//! `max_tokens`, `keyword`, `monkey` are not.

const SECRET_SEGMENTS: &[&str] = &[
    "key",
    "apikey",
    "token",
    "password",
    "passwd",
    "secret",
    "authorization",
    "auth",
    "credential",
    "credentials",
    "bearer",
    "cookie",
    "pwd",
];

/// Whether an argument called `name` is recorded as `__REDACTED__` by default.
///
/// A `const fn`, so generated code decides it at compile time
/// (`const { is_secret_name("api_key") }`) and pays nothing per call.
#[must_use]
pub const fn is_secret_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    let mut start = if bytes.len() >= 2 && bytes[0] == b'r' && bytes[1] == b'#' {
        2
    } else {
        0
    };
    let mut i = start;
    while i <= bytes.len() {
        if i == bytes.len() || bytes[i] == b'_' {
            if is_secret_segment(bytes, start, i) {
                return true;
            }
            start = i + 1;
        }
        i += 1;
    }
    false
}

const fn is_secret_segment(bytes: &[u8], start: usize, end: usize) -> bool {
    let mut k = 0;
    while k < SECRET_SEGMENTS.len() {
        let secret = SECRET_SEGMENTS[k].as_bytes();
        if secret.len() == end - start {
            let mut j = 0;
            while j < secret.len() && bytes[start + j].to_ascii_lowercase() == secret[j] {
                j += 1;
            }
            if j == secret.len() {
                return true;
            }
        }
        k += 1;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::is_secret_name;

    #[test]
    fn whole_segments_are_secret() {
        for name in [
            "api_key",
            "key",
            "access_token",
            "token",
            "password",
            "db_password",
            "client_secret",
            "authorization",
            "credential",
            "aws_credentials",
            "API_KEY",
            "apikey",
            "_token",
        ] {
            assert!(is_secret_name(name), "{name} should be secret");
        }
    }

    #[test]
    fn partial_words_are_not_secret() {
        for name in [
            "max_tokens",
            "tokens",
            "keyword",
            "monkey",
            "keys_count",
            "query",
            "top_k",
            "passage",
            "author",
            "",
        ] {
            assert!(!is_secret_name(name), "{name} should not be secret");
        }
    }
}
