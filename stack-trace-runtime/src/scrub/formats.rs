//! Credentials recognised by their shape, wherever they sit in a string.
//!
//! Each format is written from the provider's documented token format (with
//! gitleaks' rule list as the census of which formats exist):
//!
//! | format | shape |
//! | --- | --- |
//! | `anthropic_api_key` | `sk-ant-<kind><2 digits>-` and 32+ of `[A-Za-z0-9_-]` |
//! | `openai_api_key` | `sk-`, `sk-proj-`, `sk-svcacct-`, `sk-admin-` and 20+ of `[A-Za-z0-9_-]`, mixing upper case, lower case and digits |
//! | `aws_access_key_id` | `AKIA`, `ASIA`, `ABIA`, `ACCA` or `A3T?` and 16 of `[A-Z2-7]` |
//! | `github_token` | `ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_` and 36+ of `[A-Za-z0-9]`; `github_pat_` and 50+ of `[A-Za-z0-9_]` |
//! | `gitlab_token` | `glpat-`, `gldt-`, `glrt-`, `glptt-`, `glsoat-` and 20+ of `[A-Za-z0-9_-]` |
//! | `slack_token` | `xoxb-`, `xoxp-`, `xoxa-`, `xoxr-`, `xoxs-`, `xoxe-`, digits, `-`, 8+ more; `xapp-<digit>-...`; a `hooks.slack.com` webhook path |
//! | `stripe_key` | `sk_live_`, `sk_test_`, `rk_live_`, `rk_test_` and 20+ of `[A-Za-z0-9]`; `whsec_` and 24+ |
//! | `google_api_key` | `AIza` and 35 of `[A-Za-z0-9_-]` |
//! | `huggingface_token` | `hf_` or `api_org_` and 34 letters |
//! | `jwt` | `eyJ…` `.` `eyJ…` `.` signature (base64url) |
//! | `bearer_token` | `Bearer ` and 12+ token characters with a digit (the word `Bearer` is kept) |
//! | `basic_credentials` | `Basic ` and base64 of `user:password` (the word `Basic` is kept) |
//! | `url_password` | the password in `scheme://user:password@host` (the rest of the URL is kept) |
//! | `pem_private_key` | a `-----BEGIN … PRIVATE KEY-----` block to its `END` line |
//!
//! A token format is found only when ordinary separators surround it:
//! spaces, quotes, `=`, `:`, `,`, `;`, `&`, `?`, `|`, brackets, line breaks,
//! any non-ASCII character, or the start and end of the string (and `.` or
//! `!` after it). So a prefix inside a longer word, a path or base64 data
//! (`risk-free`, `…/sk-…`, `…+AKIA…`) is not a credential.
//!
//! One pass over the anchors (as providers write them; `Bearer` and `Basic`
//! in their three usual spellings; see [`super::anchors`]) finds the
//! candidates; only there does a format's regex run, anchored.

use std::sync::LazyLock;

use regex::Regex;

use super::anchors::{Anchor, Anchors};

/// Strings shorter than this cannot hold any format (`x://u:p@` is 8).
pub(crate) const MIN_LEN: usize = 8;

/// One credential format.
struct Format {
    name: &'static str,
    anchors: &'static [&'static str],
    /// Anchored at the anchor; group 1, when there is one, is the part
    /// replaced (the rest of the match is kept).
    pattern: &'static str,
    /// The anchor must follow a separator (false for parts of URLs).
    bounded_start: bool,
    /// A further check of the replaced text.
    check: Option<fn(&str) -> bool>,
    /// The length of the shortest text `pattern` matches (a test checks
    /// it against the regex parser's own figure): shorter strings are not
    /// searched for this format's anchors.
    min_len: usize,
}

const FORMATS: &[Format] = &[
    Format {
        name: "anthropic_api_key",
        anchors: &["sk-ant-"],
        pattern: r"^sk-ant-[a-z]{2,10}[0-9]{2}-[A-Za-z0-9_-]{32,}",
        bounded_start: true,
        check: None,
        min_len: 44,
    },
    Format {
        name: "openai_api_key",
        anchors: &["sk-"],
        pattern: r"^sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,}",
        bounded_start: true,
        check: Some(mixed_case_and_digits),
        min_len: 23,
    },
    Format {
        name: "aws_access_key_id",
        anchors: &["AKIA", "ASIA", "ABIA", "ACCA", "A3T"],
        pattern: r"^(?:A3T[A-Z0-9]|AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16}",
        bounded_start: true,
        check: None,
        min_len: 20,
    },
    Format {
        name: "github_token",
        anchors: &["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"],
        pattern: r"^(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{50,})",
        bounded_start: true,
        check: None,
        min_len: 40,
    },
    Format {
        name: "gitlab_token",
        anchors: &["glpat-", "gldt-", "glrt-", "glptt-", "glsoat-"],
        pattern: r"^gl(?:pat|dt|rt|ptt|soat)-[A-Za-z0-9_-]{20,}",
        bounded_start: true,
        check: None,
        min_len: 25,
    },
    Format {
        name: "slack_token",
        anchors: &[
            "xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-", "xoxe-", "xapp-",
        ],
        pattern: r"^(?:xox[bpares]-[0-9]{6,}-[A-Za-z0-9-]{8,}|xapp-[0-9]-[A-Z0-9]{6,}-[0-9]{6,}-[a-z0-9]{16,})",
        bounded_start: true,
        check: None,
        min_len: 20,
    },
    Format {
        name: "slack_webhook",
        anchors: &["hooks.slack.com/"],
        pattern: r"^hooks\.slack\.com/(?:services|workflows|triggers)/[A-Za-z0-9+/_-]{20,}",
        bounded_start: false,
        check: None,
        min_len: 45,
    },
    Format {
        name: "stripe_key",
        anchors: &["sk_live_", "sk_test_", "rk_live_", "rk_test_", "whsec_"],
        pattern: r"^(?:[sr]k_(?:live|test)_[A-Za-z0-9]{20,}|whsec_[A-Za-z0-9]{24,})",
        bounded_start: true,
        check: None,
        min_len: 28,
    },
    Format {
        name: "google_api_key",
        anchors: &["AIza"],
        pattern: r"^AIza[0-9A-Za-z_-]{35}",
        bounded_start: true,
        check: None,
        min_len: 39,
    },
    Format {
        name: "huggingface_token",
        anchors: &["hf_", "api_org_"],
        pattern: r"^(?:hf_|api_org_)[A-Za-z]{34}",
        bounded_start: true,
        check: None,
        min_len: 37,
    },
    Format {
        name: "jwt",
        anchors: &["eyJ"],
        pattern: r"^eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*",
        bounded_start: true,
        check: None,
        min_len: 24,
    },
    Format {
        name: "bearer_token",
        anchors: &["Bearer", "bearer", "BEARER"],
        pattern: r"^(?i:bearer)[ \t]+([A-Za-z0-9._~+/-]{12,}=*)",
        bounded_start: true,
        check: Some(has_digit),
        min_len: 19,
    },
    Format {
        name: "basic_credentials",
        anchors: &["Basic", "basic", "BASIC"],
        pattern: r"^(?i:basic)[ \t]+([A-Za-z0-9+/]{4,}={0,2})",
        bounded_start: true,
        check: Some(is_base64_user_password),
        min_len: 10,
    },
    Format {
        name: "url_password",
        anchors: &["://"],
        pattern: r#"^://[^\s/?#@:"'<>\\]*:([^\s/?#@"'<>\\]+)@"#,
        bounded_start: false,
        check: None,
        min_len: 6,
    },
    Format {
        name: "pem_private_key",
        anchors: &["-----BEGIN"],
        pattern: r"^-----BEGIN[ A-Z0-9]*PRIVATE KEY-----[\s\S]*?-----END[ A-Z0-9]*PRIVATE KEY-----",
        bounded_start: false,
        check: None,
        min_len: 50,
    },
];

/// Whether the random part of an `sk-` key mixes upper case, lower case and
/// digits, as generated keys do and slugs such as `sk-learn-…` do not.
fn mixed_case_and_digits(text: &str) -> bool {
    let body = text.strip_prefix("sk-").unwrap_or(text);
    let body = ["proj-", "svcacct-", "admin-"]
        .iter()
        .find_map(|prefix| body.strip_prefix(prefix))
        .unwrap_or(body);
    body.bytes().any(|b| b.is_ascii_uppercase())
        && body.bytes().any(|b| b.is_ascii_lowercase())
        && body.bytes().any(|b| b.is_ascii_digit())
}

fn has_digit(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_digit())
}

/// Whether `text` is base64 of printable `user:password`.
fn is_base64_user_password(text: &str) -> bool {
    // Padding is not checked: a separator `=` after the value may follow it.
    let body = text.trim_end_matches('=').as_bytes();
    if body.len() % 4 == 1 {
        return false;
    }
    let value = |b: u8| -> Option<u32> {
        Some(u32::from(match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        }))
    };
    let mut decoded = Vec::with_capacity(body.len() / 4 * 3 + 2);
    for chunk in body.chunks(4) {
        let mut n = 0u32;
        for &b in chunk {
            let Some(v) = value(b) else { return false };
            n = (n << 6) | v;
        }
        let missing = 4 - chunk.len();
        n <<= 6 * missing;
        decoded.extend_from_slice(&n.to_be_bytes()[1..4 - missing]);
    }
    decoded.contains(&b':') && decoded.iter().all(|b| (0x20..0x7f).contains(b))
}

/// What ends a token: anything but `[A-Za-z0-9_-]`... precisely, the
/// separators of the module docs.
fn is_separator(b: u8) -> bool {
    b >= 0x80
        || matches!(
            b,
            b' ' | b'\t'
                | b'\n'
                | b'\r'
                | b'"'
                | b'\''
                | b'`'
                | b'='
                | b':'
                | b','
                | b';'
                | b'&'
                | b'?'
                | b'|'
                | b'('
                | b')'
                | b'['
                | b']'
                | b'{'
                | b'}'
                | b'<'
                | b'>'
        )
}

struct Compiled {
    anchors: Anchors,
    /// The format of each anchor pattern.
    anchor_format: Vec<usize>,
    patterns: Vec<Regex>,
}

static COMPILED: LazyLock<Option<Compiled>> = LazyLock::new(|| {
    let mut anchors = Vec::new();
    let mut anchor_format = Vec::new();
    for (i, format) in FORMATS.iter().enumerate() {
        for anchor in format.anchors {
            anchors.push(Anchor {
                text: anchor,
                min_len: format.min_len,
            });
            anchor_format.push(i);
        }
    }
    let patterns = FORMATS
        .iter()
        .map(|f| Regex::new(f.pattern).ok())
        .collect::<Option<Vec<_>>>()?;
    Some(Compiled {
        anchors: Anchors::new(&anchors)?,
        anchor_format,
        patterns,
    })
});

/// Whether `text` holds the anchor of any format (a cheap first look; a
/// hit need not be a credential).
pub(crate) fn has_anchor(text: &str) -> bool {
    text.len() >= MIN_LEN && starts_a_credential(text)
}

/// Whether `word` (the last word before a cut) holds the anchor of a
/// format, however short it is: the start of a credential the cut left.
pub(crate) fn starts_a_credential(word: &str) -> bool {
    COMPILED
        .as_ref()
        .is_some_and(|c| c.anchors.any(word.as_bytes()))
}

/// One credential found: the bytes replaced and its format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Found {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) format: &'static str,
}

/// The first credential in `text` that starts at or after byte `from`
/// (a credential's end is where to look for the next).
pub(crate) fn next(text: &str, mut from: usize) -> Option<Found> {
    if text.len() < MIN_LEN {
        return None;
    }
    let compiled = COMPILED.as_ref()?;
    let bytes = text.as_bytes();
    while let Some((at, anchor)) = compiled.anchors.find(bytes, from) {
        let index = compiled.anchor_format[anchor];
        if let Some(credential) = credential_at(compiled, index, text, at) {
            return Some(credential);
        }
        // Not this one: an overlapping anchor may start later (`sk-` inside
        // `…sk-ant-`) so step one character, not past the anchor.
        from = next_char(bytes, at);
    }
    None
}

/// Where to look for the credential after `found`.
pub(crate) fn after(found: Found) -> usize {
    found.end.max(found.start + 1)
}

fn next_char(bytes: &[u8], at: usize) -> usize {
    let mut next = at + 1;
    while next < bytes.len() && (bytes[next] & 0xC0) == 0x80 {
        next += 1;
    }
    next
}

fn credential_at(compiled: &Compiled, index: usize, text: &str, at: usize) -> Option<Found> {
    let format = &FORMATS[index];
    let bytes = text.as_bytes();
    if format.bounded_start && at > 0 && !is_separator(bytes[at - 1]) {
        return None;
    }
    let captures = compiled.patterns[index].captures(&text[at..])?;
    let whole = captures.get(0)?;
    let end = at + whole.end();
    let (start, stop) = match captures.get(1) {
        Some(part) => (at + part.start(), at + part.end()),
        None => {
            // A token ends at a separator (or `.` / `!`, or the end).
            if end < bytes.len() && !(is_separator(bytes[end]) || matches!(bytes[end], b'.' | b'!'))
            {
                return None;
            }
            (at, end)
        }
    };
    if let Some(check) = format.check {
        if !check(&text[start..stop]) {
            return None;
        }
    }
    Some(Found {
        start,
        end: stop,
        format: format.name,
    })
}

/// The names of every format, for the docs and the tests.
#[cfg(test)]
pub(crate) fn names() -> Vec<&'static str> {
    FORMATS.iter().map(|f| f.name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn formats(text: &str) -> Vec<(&str, &'static str)> {
        let mut out = Vec::new();
        let mut from = 0;
        while let Some(f) = next(text, from) {
            out.push((&text[f.start..f.end], f.format));
            from = after(f);
        }
        out
    }

    #[test]
    fn each_min_len_is_the_shortest_match_of_its_pattern() {
        for format in FORMATS {
            let hir = regex_syntax::parse(format.pattern).expect("pattern parses");
            let shortest = hir.properties().minimum_len().expect("pattern can match");
            assert_eq!(format.min_len, shortest, "{}", format.name);
        }
    }

    #[test]
    fn every_pattern_compiles_in_every_build() {
        for format in FORMATS {
            assert!(Regex::new(format.pattern).is_ok(), "{}", format.name);
        }
        assert!(COMPILED.is_some());
    }

    #[test]
    fn each_format_is_found_between_separators() {
        let cases = [
            (
                "sk-ant-api03-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAb7cDe0fGh3iJk6lMn9oPq",
                "anthropic_api_key",
            ),
            ("sk-proj-Ab12Cd34Ef56Gh78Ij90Kl12Mn34", "openai_api_key"),
            ("sk-Ab12Cd34Ef56Gh78Ij90Kl12", "openai_api_key"),
            ("AKIAIOSFODNN7EXAMPLE", "aws_access_key_id"),
            ("ghp_Ab12Cd34Ef56Gh78Ij90Kl12Mn34Op56Qr78", "github_token"),
            ("glpat-Ab12Cd34Ef56Gh78Ij90", "gitlab_token"),
            ("xoxb-1234567890-Ab12Cd34Ef56", "slack_token"),
            ("sk_live_Ab12Cd34Ef56Gh78Ij90Kl12", "stripe_key"),
            ("AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q", "google_api_key"),
            ("hf_AbCdEfGhIjKlMnOpQrStUvWxYzAbCdEfGh", "huggingface_token"),
            (
                "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
                "jwt",
            ),
        ];
        for (secret, format) in cases {
            for text in [
                secret.to_owned(),
                format!("key: {secret}"),
                format!("\"{secret}\""),
                format!("X={secret},y"),
                format!("[{secret}]\n"),
                format!("use {secret}."),
            ] {
                assert_eq!(formats(&text), [(secret, format)], "{text}");
            }
            assert!(
                formats(&format!("x{secret}")).is_empty(),
                "{secret} inside a word"
            );
            assert!(
                formats(&format!("/{secret}")).is_empty(),
                "{secret} in a path"
            );
        }
    }

    #[test]
    fn only_the_secret_part_of_a_phrase_or_url() {
        assert_eq!(
            formats("Authorization: Bearer abcDEF123456ghi"),
            [("abcDEF123456ghi", "bearer_token")]
        );
        assert_eq!(
            formats("Authorization: Basic YXBwOmh1bnRlcjI="),
            [("YXBwOmh1bnRlcjI=", "basic_credentials")]
        );
        assert_eq!(
            formats("postgres://app:pw@db/orders"),
            [("pw", "url_password")]
        );
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----";
        assert_eq!(
            formats(&format!("key:\n{pem}\n")),
            [(pem, "pem_private_key")]
        );
    }

    #[test]
    fn ordinary_text_is_not_a_credential() {
        for text in [
            "Use a Bearer token for authentication",
            "Basic usage: call it twice",
            "scikit-learn is sk-learn, risk-free",
            "https://example.com:8080/path?q=1",
            "git@github.com:org/repo.git",
            "see https://api.openai.com/v1/chat/completions",
            "sk-this-is-a-long-lowercase-slug-name",
            "550e8400-e29b-41d4-a716-446655440000",
            "chatcmpl-9x8KsAbCdEfGhIjKlMnOp",
            "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
        ] {
            assert!(formats(text).is_empty(), "{text}: {:?}", formats(text));
        }
        assert_eq!(names().len(), FORMATS.len());
    }
}
