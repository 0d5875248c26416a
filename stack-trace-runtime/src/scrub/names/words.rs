//! The vocabulary of the name rule: which words are strong, which last
//! words are weak heads, which words before them make a key or token plain,
//! and the table the compiler builds from the lists, probed once per word.

/// Words that mark a credential wherever they stand.
pub(super) const STRONG: &[&str] = &[
    "password",
    "passwords",
    "passwd",
    "pwd",
    "passphrase",
    "passphrases",
    "secret",
    "secrets",
    "credential",
    "credentials",
    "creds",
    "apikey",
    "apikeys",
    "jwt",
    "jwts",
    "cookie",
    "cookies",
    "authorization",
    "bearer",
    "privatekey",
    "csrf",
    "xsrf",
];

/// Last words that mark a credential unless the word before says otherwise.
pub(super) const WEAK_HEADS: &[&str] = &[
    "key",
    "keys",
    "token",
    "auth",
    "signature",
    "signatures",
    "sig",
    "sigs",
];

/// Last words that say the value is about a credential, not the credential.
pub(super) const ABOUT: &[&str] = &[
    "name",
    "names",
    "id",
    "ids",
    "count",
    "counts",
    "length",
    "len",
    "size",
    "type",
    "types",
    "kind",
    "policy",
    "hint",
    "field",
    "fields",
    "path",
    "paths",
    "file",
    "files",
    "dir",
    "env",
    "var",
    "version",
    "algorithm",
    "alg",
    "format",
    "required",
    "enabled",
    "rotation",
    "expiry",
    "expires",
    "expiration",
    "ttl",
    "at",
];

/// Words before `key` / `keys` that name a key that is no credential.
pub(super) const PLAIN_KEYS: &[&str] = &[
    "cache",
    "primary",
    "sort",
    "idempotency",
    "public",
    "partition",
    "foreign",
    "composite",
    "unique",
    "row",
    "range",
    "hash",
    "group",
    "routing",
    "dedup",
    "dedupe",
    "deduplication",
    "lookup",
    "object",
    "translation",
    "shard",
    "sharding",
    "index",
    "tracking",
    "correlation",
    "natural",
    "surrogate",
    "compound",
    "map",
    "dict",
    "dictionary",
    "sequence",
    "order",
    "message",
    "label",
    "join",
    "bucket",
    "blob",
    "entity",
    "record",
    "item",
    "cluster",
    "node",
    "hot",
];

/// Words before `token` that name a token that is no credential: cursors
/// and the tokens of a language model.
pub(super) const PLAIN_TOKENS: &[&str] = &[
    "page",
    "pagination",
    "continuation",
    "cursor",
    "next",
    "prev",
    "previous",
    "sync",
    "resume",
    "resumption",
    "start",
    "stop",
    "end",
    "eos",
    "bos",
    "pad",
    "unk",
    "sep",
    "cls",
    "mask",
    "special",
    "first",
    "last",
    "predicted",
    "sampled",
    "output",
    "input",
    "prompt",
    "completion",
    "max",
    "vocab",
    "word",
    "subword",
];

/// Words before `tokens` that make them credentials.
pub(super) const SECRET_TOKENS: &[&str] = &[
    "access", "refresh", "id", "auth", "api", "bearer", "session", "csrf", "xsrf", "oauth",
    "personal", "service", "client", "app", "bot", "github", "slack",
];

// What the lists make of a word, as bits.
pub(super) const STRONG_WORD: u16 = 1;
pub(super) const WEAK_HEAD: u16 = 1 << 1;
pub(super) const ABOUT_HEAD: u16 = 1 << 2;
pub(super) const PLAIN_KEY: u16 = 1 << 3;
pub(super) const PLAIN_TOKEN: u16 = 1 << 4;
pub(super) const SECRET_TOKENS_BEFORE: u16 = 1 << 5;
pub(super) const IS_KEY: u16 = 1 << 6;
pub(super) const IS_TOKEN: u16 = 1 << 7;
pub(super) const IS_TOKENS: u16 = 1 << 8;
pub(super) const IS_ID: u16 = 1 << 9;
pub(super) const IS_ACCESS: u16 = 1 << 10;

/// No listed word is longer (`authorization`, `deduplication`).
pub(super) const MAX_WORD: usize = 16;

/// Slots of the word table (a power of two, well above the word count).
pub(super) const SLOTS: usize = 512;

#[derive(Clone, Copy)]
pub(super) struct Slot {
    word: &'static str,
    bits: u16,
}

/// FNV-1a of the word's bytes, lower-cased.
pub(super) const fn hash(bytes: &[u8], start: usize, end: usize) -> usize {
    let mut h: u32 = 0x811c_9dc5;
    let mut i = start;
    while i < end {
        h ^= bytes[i].to_ascii_lowercase() as u32;
        h = h.wrapping_mul(0x0100_0193);
        i += 1;
    }
    h as usize & (SLOTS - 1)
}

/// Whether `bytes[start..end]`, lower-cased, is `word`.
pub(super) const fn same(bytes: &[u8], start: usize, end: usize, word: &str) -> bool {
    let word = word.as_bytes();
    if word.len() != end - start {
        return false;
    }
    let mut j = 0;
    while j < word.len() {
        if bytes[start + j].to_ascii_lowercase() != word[j] {
            return false;
        }
        j += 1;
    }
    true
}

pub(super) const fn insert(
    mut table: [Slot; SLOTS],
    word: &'static str,
    bits: u16,
) -> [Slot; SLOTS] {
    let bytes = word.as_bytes();
    let mut at = hash(bytes, 0, bytes.len());
    loop {
        if table[at].word.is_empty() {
            table[at] = Slot { word, bits };
            return table;
        }
        if same(bytes, 0, bytes.len(), table[at].word) {
            table[at].bits |= bits;
            return table;
        }
        at = (at + 1) & (SLOTS - 1);
    }
}

pub(super) const fn insert_all(
    mut table: [Slot; SLOTS],
    words: &[&'static str],
    bits: u16,
) -> [Slot; SLOTS] {
    let mut k = 0;
    while k < words.len() {
        table = insert(table, words[k], bits);
        k += 1;
    }
    table
}

/// Every listed word with its bits, built at compile time. A `static`, so
/// a look-up reads it in place (a `const` would be copied at each use).
pub(super) static TABLE: [Slot; SLOTS] = {
    let mut t = [Slot { word: "", bits: 0 }; SLOTS];
    t = insert_all(t, STRONG, STRONG_WORD);
    t = insert_all(t, WEAK_HEADS, WEAK_HEAD);
    t = insert_all(t, ABOUT, ABOUT_HEAD);
    t = insert_all(t, PLAIN_KEYS, PLAIN_KEY);
    t = insert_all(t, PLAIN_TOKENS, PLAIN_TOKEN);
    t = insert_all(t, SECRET_TOKENS, SECRET_TOKENS_BEFORE);
    t = insert_all(t, &["key", "keys"], IS_KEY);
    t = insert_all(t, &["token"], IS_TOKEN);
    t = insert_all(t, &["tokens"], IS_TOKENS);
    t = insert_all(t, &["id"], IS_ID);
    t = insert_all(t, &["access"], IS_ACCESS);
    t
};

/// The bits of the word `bytes[start..end]` (0 for an unlisted word).
pub(super) const fn bits_of(bytes: &[u8], start: usize, end: usize) -> u16 {
    if end - start > MAX_WORD {
        return 0;
    }
    let mut at = hash(bytes, start, end);
    loop {
        let slot = &TABLE[at];
        if slot.word.is_empty() {
            return 0;
        }
        if same(bytes, start, end, slot.word) {
            return slot.bits;
        }
        at = (at + 1) & (SLOTS - 1);
    }
}
