//! Property tests of the scrubbing rules: credentials of every format,
//! generated from their documented shapes, embedded in random text between
//! any of the separators and in nested values, are never left; text that
//! holds none comes out byte for byte unchanged.

use proptest::prelude::*;
use serde_json::{json, Value};

use super::findings::Findings;
use super::text::scrub_str;
use super::value::scrub_value;

fn chars(set: &'static str, len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    let set: Vec<char> = set.chars().collect();
    prop::collection::vec(prop::sample::select(set), len).prop_map(|c| c.into_iter().collect())
}

const ALNUM: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const URLSAFE: &str = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-";

/// Random characters that mix upper case, lower case and digits, as a
/// generated secret does.
fn mixed(set: &'static str, len: std::ops::RangeInclusive<usize>) -> impl Strategy<Value = String> {
    chars(set, len).prop_map(|s| format!("Aa1{s}"))
}

fn base64(bytes: &[u8], url: bool) -> String {
    let alphabet: &[u8] = if url {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    } else {
        b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    };
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().fold(0u32, |n, &b| n << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..=chunk.len() {
            out.push(char::from(alphabet[(n >> (18 - 6 * i) & 63) as usize]));
        }
        if !url {
            out.push_str(&"="[..usize::from(chunk.len() < 3)].repeat(3 - chunk.len()));
        }
    }
    out
}

/// (the whole text to embed, the secret part that must not survive).
fn credential() -> impl Strategy<Value = (String, String)> {
    let same = |s: String| (s.clone(), s);
    prop_oneof![
        mixed(URLSAFE, 40..=120).prop_map(move |s| same(format!("sk-proj-{s}"))),
        mixed(ALNUM, 20..=48).prop_map(move |s| same(format!("sk-{s}"))),
        mixed(URLSAFE, 80..=100).prop_map(move |s| same(format!("sk-ant-api03-{s}"))),
        chars("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16..=16)
            .prop_map(move |s| same(format!("AKIA{s}"))),
        (
            prop::sample::select(vec!["ghp", "gho", "ghu", "ghs", "ghr"]),
            chars(ALNUM, 36..=36)
        )
            .prop_map(move |(p, s)| same(format!("{p}_{s}"))),
        chars(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_",
            82..=82
        )
        .prop_map(move |s| same(format!("github_pat_{s}"))),
        chars(URLSAFE, 20..=20).prop_map(move |s| same(format!("glpat-{s}"))),
        (chars("0123456789", 10..=13), chars(ALNUM, 24..=32))
            .prop_map(move |(d, s)| same(format!("xoxb-{d}-{d}-{s}"))),
        (
            prop::sample::select(vec!["sk_live", "sk_test", "rk_live"]),
            chars(ALNUM, 24..=99)
        )
            .prop_map(move |(p, s)| same(format!("{p}_{s}"))),
        chars(URLSAFE, 35..=35).prop_map(move |s| same(format!("AIza{s}"))),
        chars(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            34..=34
        )
        .prop_map(move |s| same(format!("hf_{s}"))),
        (
            chars("abcdefghij0123456789", 4..=12),
            prop::collection::vec(any::<u8>(), 16..=32)
        )
            .prop_map(move |(sub, sig)| {
                let header = base64(br#"{"alg":"HS256","typ":"JWT"}"#, true);
                let payload = base64(format!(r#"{{"sub":"{sub}"}}"#).as_bytes(), true);
                same(format!("{header}.{payload}.{}", base64(&sig, true)))
            }),
        mixed(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~+/-",
            12..=60
        )
        .prop_map(|t| (format!("Bearer {t}"), t)),
        (chars("abcdefgh", 3..=8), chars(ALNUM, 4..=16)).prop_map(|(u, p)| {
            let b = base64(format!("{u}:{p}").as_bytes(), false);
            (format!("Basic {b}"), b)
        }),
        (chars("abcdefgh", 2..=8), chars(ALNUM, 2..=16)).prop_map(|(u, p)| {
            (
                format!("postgres://{u}:{p}@db.internal:5432/orders"),
                format!(":{p}@"),
            )
        }),
        chars(ALNUM, 40..=200).prop_map(|body| {
            let pem = format!("-----BEGIN PRIVATE KEY-----\n{body}\n-----END PRIVATE KEY-----");
            (pem, body)
        }),
    ]
}

fn words() -> impl Strategy<Value = String> {
    chars("abcdefghijklmnopqrstuvwxyz ", 0..=40)
}

fn separator() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        " ", "\"", "'", "=", ":", ",", "[", "]", "(", ")", "{", "}", "\n", "\t", ";", "&", "|",
    ])
}

/// Text that holds no credential, and must come out unchanged.
const CORPUS: &[&str] = &[
    "You are a helpful assistant. Summarise the ticket in two sentences.",
    "fn main() { let key = map.get(\"cache_key\"); println!(\"{key:?}\"); }",
    "request 550e8400-e29b-41d4-a716-446655440000 took 312 ms",
    "sha256: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
    "git commit 1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b",
    "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==",
    "see https://api.example.com/v1/items?page=2&sort=desc#top",
    "https://user@example.com/path and ftp://files.example.com",
    "chatcmpl-9x8KsAbCdEfGhIjKlMnOpQrSt, msg_01XFDUDYJgAACzvnptvVoYEL, toolu_01A09q90qw90lq917835lq9",
    "cus_NffrFeUfNV2Hib pi_3MtwBwLkdIwHu7ix28a3tqPa",
    "Use a Bearer token in the Authorization header; Basic auth is off.",
    "sk-learn and scikit-learn are the same library; risk-free rate 4%",
    "the AWS console shows AKIA-style ids; keys rotate every 90 days",
    "JWTs start with eyJ, e.g. the header eyJhbGciOi...",
    "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----",
    "temperature=0.2, max_tokens=256, top_p=1",
    "Zm9vYmFy is base64 for foobar; basic arithmetic 2+2=4",
];

fn is_unchanged(text: &str) -> bool {
    scrub_str(text, &mut Findings::default()).is_none()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// A credential between separators, anywhere in text, is gone; the text
    /// around it is kept.
    #[test]
    fn credentials_in_text_never_survive(
        (credential, secret) in credential(),
        before in words(),
        after in words(),
        open in separator(),
        close in separator(),
    ) {
        let text = format!("{before}{open}{credential}{close}{after}");
        let scrubbed = scrub_str(&text, &mut Findings::default()).unwrap_or_else(|| text.clone());
        prop_assert!(!scrubbed.contains(&secret), "{text:?} -> {scrubbed:?}");
        prop_assert!(scrubbed.starts_with(&before), "{scrubbed:?}");
        prop_assert!(scrubbed.ends_with(&after), "{scrubbed:?}");
    }

    /// In a nested value, under any key, or as a key's whole value.
    #[test]
    fn credentials_in_nested_values_never_survive(
        (credential, secret) in credential(),
        key in "[a-z]{1,8}",
        note in words(),
    ) {
        let mut value = json!({
            "request": {key.clone(): [{"text": format!("{note} {credential}")}], "n": 1},
            "password": note,
        });
        scrub_value(&mut value, "", &mut Findings::default());
        let text = value.to_string();
        prop_assert!(!text.contains(&secret), "{text}");
        prop_assert_eq!(&value["password"], &Value::from("__REDACTED__"));
    }

    /// Random-looking ids and hashes are not credentials.
    #[test]
    fn ids_and_hashes_are_kept(
        hex in "[0-9a-f]{32,64}",
        id in "[a-z]{2,8}_[A-Za-z0-9]{8,30}",
        uuid in "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}",
        b64 in "[A-Za-z0-9+/]{40,200}",
    ) {
        for text in [
            format!("commit {hex} done"),
            format!("object {id}"),
            format!("request {uuid}"),
            format!("data:image/png;base64,{b64}=="),
        ] {
            prop_assert!(is_unchanged(&text), "{text}");
        }
    }
}

#[test]
fn the_corpus_comes_out_unchanged() {
    for text in CORPUS {
        assert!(
            is_unchanged(text),
            "{text:?} was changed to {:?}",
            scrub_str(text, &mut Findings::default())
        );
    }
}
