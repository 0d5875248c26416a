//! Which names mark a credential: parameter names, struct fields, map and
//! JSON object keys, header names, query-string keys.
//!
//! A name is read as words (split at `_`, `-`, `.`, spaces and camel-case
//! humps; digits stand apart and are ignored), lower-cased, and judged by its
//! *last* word, the noun that says what the value is:
//!
//! - a strong word anywhere (`password`, `secret`, `credentials`, `jwt`,
//!   `cookie`, `authorization`, `apikey`, ...) marks a credential, unless the
//!   last word says the value is only about it (`secret_name`,
//!   `password_length`, `credentials_file`);
//! - a last word `key`, `keys`, `token`, `auth`, `signature` or `sig` marks a
//!   credential, unless the word before it says what kind of key or token
//!   that is not one (`cache_key`, `primary_key`, `public_key`, `page_token`,
//!   `next_page_token`, `eos_token`);
//! - a last word `tokens` marks credentials only after a word that makes
//!   them so (`access_tokens`, `refresh_tokens`): `tokens`, `max_tokens` and
//!   `prompt_tokens` are token ids or counts in LLM code;
//! - `access key id` (`AWSAccessKeyId`, `aws_access_key_id`) is one.
//!
//! A `const fn`, so generated code decides a parameter at compile time; at
//! run time (struct fields, map keys) a word costs one probe of a table the
//! compiler builds from the lists.

mod words;

use words::*;

/// Where the next word ends, from `start` (a letter): camel-case humps end a
/// word (`accessKey` → `access` `Key`, `AWSAccessKeyId` → `AWS` `Access`
/// `Key` `Id`).
const fn word_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while i < bytes.len() && bytes[i].is_ascii_alphabetic() {
        let prev = bytes[i - 1];
        let cur = bytes[i];
        if prev.is_ascii_lowercase() && cur.is_ascii_uppercase() {
            break;
        }
        if prev.is_ascii_uppercase()
            && cur.is_ascii_uppercase()
            && i + 1 < bytes.len()
            && bytes[i + 1].is_ascii_lowercase()
        {
            break;
        }
        i += 1;
    }
    i
}

/// Bits of a 2,048-bit filter, set for each (length, first three letters)
/// of the words that can make a name secret (strong words, weak heads,
/// `tokens`): a name with no word in it is not secret.
static FILTER: [u64; 32] = {
    let mut bits = [0u64; 32];
    let lists: [&[&str]; 3] = [STRONG, WEAK_HEADS, &["tokens"]];
    let mut l = 0;
    while l < lists.len() {
        let mut k = 0;
        while k < lists[l].len() {
            let word = lists[l][k].as_bytes();
            let bit = filter_bit(word.len(), word[0], word[1], word[2]);
            bits[bit / 64] |= 1 << (bit % 64);
            k += 1;
        }
        l += 1;
    }
    bits
};

/// The filter bit of a word of `len` letters starting with `a b c`
/// (lower-case).
const fn filter_bit(len: usize, a: u8, b: u8, c: u8) -> usize {
    let key = (len as u32) << 15 | (a as u32 & 31) << 10 | (b as u32 & 31) << 5 | (c as u32 & 31);
    (key.wrapping_mul(0x9E37_79B1) >> 21) as usize
}

/// Whether the word `bytes[start..end]` passes [`FILTER`].
#[inline]
fn in_filter(bytes: &[u8], start: usize, end: usize) -> bool {
    let len = end - start;
    if !(3..=MAX_WORD).contains(&len) {
        return false;
    }
    let lower = |k: usize| bytes[start + k].to_ascii_lowercase();
    let bit = filter_bit(len, lower(0), lower(1), lower(2));
    FILTER[bit / 64] & (1 << (bit % 64)) != 0
}

/// Whether `name` surely names no credential, decided fast at run time
/// (one pass over its bytes and a bit test per word): no word of it can
/// make a name secret. When this says no, [`is_secret_name`] decides.
#[inline]
pub(crate) fn surely_plain(name: &str) -> bool {
    let bytes = name.as_bytes();
    // Words are the runs of lower-case letters, until an upper-case letter
    // asks for camel-case splitting.
    let mut start = usize::MAX;
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_lowercase() {
            if start == usize::MAX {
                start = i;
            }
        } else if b.is_ascii_uppercase() {
            return surely_plain_camel(bytes);
        } else if start != usize::MAX {
            if in_filter(bytes, start, i) {
                return false;
            }
            start = usize::MAX;
        }
    }
    start == usize::MAX || !in_filter(bytes, start, bytes.len())
}

/// [`surely_plain`] for a name with upper case (camel-case humps split
/// words).
fn surely_plain_camel(bytes: &[u8]) -> bool {
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let end = word_end(bytes, i);
        if in_filter(bytes, i, end) {
            return false;
        }
        i = end;
    }
    true
}

/// Whether a value named `name` is a credential by the built-in rule (see
/// the module docs). Words are runs of ASCII letters; digits and every
/// other character separate them.
#[must_use]
pub const fn is_secret_name(name: &str) -> bool {
    let bytes = name.as_bytes();
    // The bits of the last three words, and whether any word was strong.
    let (mut head, mut before, mut before2) = (0u16, 0u16, 0u16);
    let mut words = 0usize;
    let mut strong = false;
    let mut i = 0;
    while i < bytes.len() {
        if !bytes[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let end = word_end(bytes, i);
        let bits = bits_of(bytes, i, end);
        strong |= bits & STRONG_WORD != 0;
        before2 = before;
        before = head;
        head = bits;
        words += 1;
        i = end;
    }
    if words == 0 {
        return false;
    }
    if words >= 3 && head & IS_ID != 0 && before & IS_KEY != 0 && before2 & IS_ACCESS != 0 {
        return true;
    }
    if head & WEAK_HEAD != 0 {
        let plain = (head & IS_KEY != 0 && before & PLAIN_KEY != 0)
            || (head & IS_TOKEN != 0 && before & PLAIN_TOKEN != 0);
        if !plain {
            return true;
        }
    }
    if head & IS_TOKENS != 0 && before & SECRET_TOKENS_BEFORE != 0 {
        return true;
    }
    if head & ABOUT_HEAD != 0 {
        return false;
    }
    strong
}

#[cfg(test)]
mod tests {
    use super::is_secret_name;

    /// The table, row by row, plus the names the old rule knew.
    const SECRET: &[&str] = &[
        // key, token, secret, auth, credentials, password, passphrase, jwt,
        // and their plurals
        "key",
        "token",
        "secret",
        "auth",
        "credentials",
        "password",
        "passphrase",
        "jwt",
        "api_keys",
        "secrets",
        "passwords",
        "cookies",
        "access_tokens",
        // compound names
        "api_key",
        "x-api-key",
        "client_secret",
        "aws_secret_access_key",
        "private_key",
        "access_token",
        "refresh_token",
        "id_token",
        "csrf_token",
        // headers
        "Authorization",
        "Proxy-Authorization",
        "cookie",
        "set-cookie",
        // signed-URL query keys
        "AWSAccessKeyId",
        "Signature",
        "sig",
        "X-Goog-Signature",
        // more spellings
        "apiKey",
        "APIKey",
        "OPENAI_API_KEY",
        "db_password",
        "passwd",
        "pwd",
        "credential",
        "bearer",
        "auth_token",
        "session_token",
        "oauth2_token",
        "aws_access_key_id",
        "X-Amz-Signature",
        "X-Amz-Credential",
        "password_hash",
        "r#secret",
        "x-auth",
        "basic_auth",
        "secret_key",
        "github_tokens",
    ];

    const NOT_SECRET: &[&str] = &[
        "tokens",
        "max_tokens",
        "token_count",
        "prompt_tokens",
        "total_tokens",
        "cache_key",
        "primary_key",
        "sort_key",
        "idempotency_key",
        "public_key",
        "page_token",
        "next_page_token",
        "keyword",
        "session_id",
        "database_url",
        // more
        "monkey",
        "completion_tokens",
        "cached_tokens",
        "reasoning_tokens",
        "maxTokens",
        "NextToken",
        "eos_token",
        "secret_name",
        "password_length",
        "credentials_file",
        "cookie_name",
        "auth_type",
        "auth_url",
        "signature_version",
        "api_key_id",
        "cache_keys",
        "query",
        "top_k",
        "messages",
        "content",
        "model",
        "author",
        "authors",
        "keynote",
        "",
        "_",
        "42",
    ];

    #[test]
    fn the_name_table() {
        for name in SECRET {
            assert!(is_secret_name(name), "{name:?} should be secret");
        }
        for name in NOT_SECRET {
            assert!(!is_secret_name(name), "{name:?} should not be secret");
        }
    }

    #[test]
    fn the_fast_filter_never_passes_a_secret() {
        for name in SECRET {
            assert!(!super::surely_plain(name), "{name:?}");
        }
        for name in [
            "role", "content", "model", "choices", "index", "message", "usage",
        ] {
            assert!(
                super::surely_plain(name),
                "{name:?} should be rejected fast"
            );
        }
    }

    #[test]
    #[ignore = "a loop to measure under callgrind"]
    fn speed_loop() {
        let names = [
            "role",
            "content",
            "model",
            "choices",
            "prompt_tokens",
            "finish_reason",
        ];
        let mut n = 0;
        for _ in 0..100_000 {
            for name in names {
                n += usize::from(super::surely_plain(std::hint::black_box(name)));
            }
        }
        assert!(n > 0);
    }

    #[test]
    fn decided_at_compile_time() {
        const { assert!(is_secret_name("api_key") && !is_secret_name("max_tokens")) };
    }
}
