//! The rules in force: the built-in ones, plus what [`Scrubbing`] added,
//! installed process-wide by `init`. Reading them costs one relaxed atomic
//! load while nothing was added.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use arc_swap::ArcSwapOption;
use regex::Regex;

use super::names::{is_secret_name, surely_plain};
use super::settings::Scrubbing;

/// Something beyond the built-in rules is installed.
static CUSTOM: AtomicBool = AtomicBool::new(false);
/// The scan for credential formats is off.
static VALUES_OFF: AtomicBool = AtomicBool::new(false);
static INSTALLED: ArcSwapOption<Custom> = ArcSwapOption::const_empty();

/// The rules [`Scrubbing`] adds, ready to use.
#[derive(Debug)]
struct Custom {
    /// Added names, as lower-case words joined by `_`.
    secret: Vec<String>,
    /// Exempt names, likewise.
    allowed: Vec<String>,
    pattern: Option<Regex>,
}

/// A name as lower-case words (runs of letters and digits) joined by `_`.
fn normalized(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if prev_lower && c.is_ascii_uppercase() && !out.is_empty() {
                out.push('_');
            }
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            out.push(c.to_ascii_lowercase());
        } else {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            prev_lower = false;
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// The settings' patterns as one regular expression.
///
/// # Errors
/// A pattern that does not compile.
pub(crate) fn compile(settings: &Scrubbing) -> Result<Option<Regex>, regex::Error> {
    if settings.value_patterns.is_empty() {
        return Ok(None);
    }
    let joined = settings
        .value_patterns
        .iter()
        .map(|p| format!("(?:{p})"))
        .collect::<Vec<_>>()
        .join("|");
    Regex::new(&joined).map(Some)
}

/// Puts `settings` in force for the whole process (replacing earlier ones).
pub(crate) fn install(settings: &Scrubbing) {
    VALUES_OFF.store(!settings.scan_values, Ordering::Relaxed);
    if !settings.adds_rules() {
        CUSTOM.store(false, Ordering::Relaxed);
        INSTALLED.store(None);
        return;
    }
    let custom = Custom {
        secret: settings.secret_keys.iter().map(|n| normalized(n)).collect(),
        allowed: settings
            .allowed_keys
            .iter()
            .map(|n| normalized(n))
            .collect(),
        pattern: compile(settings).ok().flatten(),
    };
    INSTALLED.store(Some(Arc::new(custom)));
    CUSTOM.store(true, Ordering::Relaxed);
}

/// Whether the scan for credential formats runs.
#[inline]
pub(crate) fn scans_values() -> bool {
    !VALUES_OFF.load(Ordering::Relaxed)
}

/// Whether a value under the key (field, parameter, header) `name` is a
/// credential: the built-in rule, with what the settings add and exempt.
#[inline]
pub(crate) fn is_secret_key(name: &str) -> bool {
    if !CUSTOM.load(Ordering::Relaxed) {
        return remembered(name);
    }
    custom_verdict(name).unwrap_or_else(|| is_secret_name(name))
}

/// Whether the settings add to the built-in rules.
#[inline]
pub(crate) fn customized() -> bool {
    CUSTOM.load(Ordering::Relaxed)
}

/// Names up to this long have their verdict remembered.
const MEMO_MAX: usize = 24;
/// Slots of the memo (a power of two).
const MEMO_SLOTS: usize = 64;
const MEMO_VALID: u64 = 1 << 62;
const MEMO_SECRET: u64 = 1 << 63;

thread_local! {
    /// The built-in verdict of recently checked names: keys repeat (`role`,
    /// `content` in every message), and a look-up here is far cheaper than
    /// reading the name. Each slot holds what identifies the name exactly
    /// ([`memo_key`]), a valid bit and the verdict.
    static MEMO: [std::cell::Cell<[u64; 4]>; MEMO_SLOTS] =
        const { [const { std::cell::Cell::new([0; 4]) }; MEMO_SLOTS] };
}

/// Eight bytes of `bytes` from `at` (which has at least eight after it).
#[inline]
fn word(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    u64::from_le_bytes(w)
}

/// Four bytes of `bytes` from `at` (which has at least four after it).
#[inline]
fn half(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 4];
    w.copy_from_slice(&bytes[at..at + 4]);
    u64::from(u32::from_le_bytes(w))
}

/// Words that, with the length, identify a name of at most [`MEMO_MAX`]
/// bytes exactly: overlapping fixed-size reads (the first and the last
/// eight bytes determine a name of eight to sixteen bytes), so no copy of a
/// variable length is needed.
#[inline]
fn memo_key(bytes: &[u8]) -> [u64; 4] {
    let n = bytes.len();
    let meta = n as u64 | MEMO_VALID;
    match n {
        0 => [0, 0, 0, meta],
        1..=3 => {
            let packed = bytes
                .iter()
                .rev()
                .fold(0u64, |acc, &b| acc << 8 | u64::from(b));
            [packed, 0, 0, meta]
        }
        4..=7 => [half(bytes, 0), half(bytes, n - 4), 0, meta],
        8..=16 => [word(bytes, 0), word(bytes, n - 8), 0, meta],
        _ => [word(bytes, 0), word(bytes, 8), word(bytes, n - 8), meta],
    }
}

/// The built-in verdict for `name`, remembered for names up to
/// [`MEMO_MAX`] bytes.
#[inline]
fn remembered(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.len() > MEMO_MAX {
        return !surely_plain(name) && is_secret_name(name);
    }
    let key = memo_key(bytes);
    let mixed = key[0] ^ key[1].rotate_left(23) ^ key[2].rotate_left(41) ^ key[3];
    #[allow(clippy::cast_possible_truncation)]
    let slot = (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize;
    MEMO.try_with(|memo| {
        let mut entry = memo[slot].get();
        let secret = entry[3] & MEMO_SECRET != 0;
        entry[3] &= !MEMO_SECRET;
        if entry == key {
            return secret;
        }
        let secret = !surely_plain(name) && is_secret_name(name);
        let mut stored = key;
        if secret {
            stored[3] |= MEMO_SECRET;
        }
        memo[slot].set(stored);
        secret
    })
    .unwrap_or_else(|_| !surely_plain(name) && is_secret_name(name))
}

/// What the settings say of `name`, if anything: exempt (`false`) or added
/// (`true`).
pub(crate) fn custom_verdict(name: &str) -> Option<bool> {
    if !customized() {
        return None;
    }
    let custom = INSTALLED.load();
    let custom = custom.as_ref()?;
    let name = normalized(name);
    if custom.allowed.contains(&name) {
        return Some(false);
    }
    let padded = format!("_{name}_");
    custom
        .secret
        .iter()
        .any(|word| !word.is_empty() && padded.contains(&format!("_{word}_")))
        .then_some(true)
}

/// Runs `f` with the configured value pattern, when there is one.
#[inline]
pub(crate) fn with_pattern<R>(f: impl FnOnce(&Regex) -> R) -> Option<R> {
    if !CUSTOM.load(Ordering::Relaxed) {
        return None;
    }
    let custom = INSTALLED.load();
    custom.as_ref()?.pattern.as_ref().map(f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_verdicts_are_the_rule_s() {
        for name in [
            "role",
            "api_key",
            "role",
            "api_key",
            "token",
            "tokens",
            "x",
            "",
            "passwords",
        ] {
            for _ in 0..3 {
                assert_eq!(remembered(name), is_secret_name(name), "{name}");
            }
        }
    }

    proptest::proptest! {
        #[test]
        fn memo_keys_identify_names_exactly(
            a in "[a-zA-Z_\\-]{0,26}",
            b in "[a-zA-Z_\\-]{0,26}",
        ) {
            if a.len() <= MEMO_MAX && b.len() <= MEMO_MAX {
                proptest::prop_assert_eq!(a == b, memo_key(a.as_bytes()) == memo_key(b.as_bytes()));
            }
            for name in [&a, &b, &a] {
                proptest::prop_assert_eq!(remembered(name), is_secret_name(name), "{}", name);
            }
        }
    }

    #[test]
    fn memo_keys_of_prefixes_and_lengths_differ() {
        let names = [
            "",
            "a",
            "ab",
            "abc",
            "abcd",
            "abcdefg",
            "abcdefgh",
            "abcdefghi",
            "abcdefghijklmnop",
            "abcdefghijklmnopq",
            "abcdefghijklmnopqrstuvwx",
            "a\0",
            "\0",
        ];
        for (i, x) in names.iter().enumerate() {
            for y in &names[i + 1..] {
                assert_ne!(
                    memo_key(x.as_bytes()),
                    memo_key(y.as_bytes()),
                    "{x:?} {y:?}"
                );
            }
        }
    }

    #[test]
    fn names_are_compared_word_by_word() {
        assert_eq!(normalized("userSSN"), "user_ssn");
        assert_eq!(normalized("X-Api-Key"), "x_api_key");
        assert_eq!(normalized("sessionToken"), "session_token");
        assert_eq!(normalized("__a__b__"), "a_b");
    }
}
