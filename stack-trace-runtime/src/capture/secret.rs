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
#[must_use]
pub fn is_secret_name(name: &str) -> bool {
    let name = name.strip_prefix("r#").unwrap_or(name);
    name.split('_').any(|segment| {
        SECRET_SEGMENTS
            .iter()
            .any(|secret| segment.eq_ignore_ascii_case(secret))
    })
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
