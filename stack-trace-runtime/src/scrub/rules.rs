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
    if settings.is_default() {
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
const MEMO_MAX: usize = 15;
/// Slots of the memo (a power of two).
const MEMO_SLOTS: usize = 64;
const MEMO_VALID: u128 = 1 << 126;
const MEMO_SECRET: u128 = 1 << 127;

thread_local! {
    /// The built-in verdict of recently checked short names: keys repeat
    /// (`role`, `content` in every message), and a look-up here is far
    /// cheaper than reading the name. Each slot holds the name's bytes, its
    /// length, a valid bit and the verdict, so a hit is an exact match.
    static MEMO: [std::cell::Cell<u128>; MEMO_SLOTS] =
        const { [const { std::cell::Cell::new(0) }; MEMO_SLOTS] };
}

/// The built-in verdict for `name`, remembered for short names.
#[inline]
fn remembered(name: &str) -> bool {
    let bytes = name.as_bytes();
    if bytes.len() > MEMO_MAX {
        return !surely_plain(name) && is_secret_name(name);
    }
    let mut packed = [0u8; 16];
    packed[..bytes.len()].copy_from_slice(bytes);
    let key = u128::from_le_bytes(packed) | (bytes.len() as u128) << 120 | MEMO_VALID;
    #[allow(clippy::cast_possible_truncation)]
    let mixed = (key as u64) ^ ((key >> 64) as u64).rotate_left(29);
    #[allow(clippy::cast_possible_truncation)]
    let slot = (mixed.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 58) as usize;
    MEMO.try_with(|memo| {
        let entry = memo[slot].get();
        if entry & !MEMO_SECRET == key {
            return entry & MEMO_SECRET != 0;
        }
        let secret = !surely_plain(name) && is_secret_name(name);
        memo[slot].set(if secret { key | MEMO_SECRET } else { key });
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

    #[test]
    fn names_are_compared_word_by_word() {
        assert_eq!(normalized("userSSN"), "user_ssn");
        assert_eq!(normalized("X-Api-Key"), "x_api_key");
        assert_eq!(normalized("sessionToken"), "session_token");
        assert_eq!(normalized("__a__b__"), "a_b");
    }
}
