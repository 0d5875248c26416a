//! Scrubbing text: credentials by format in any string, and, in text made
//! of named values, the values whose names mark a credential: `Debug` output
//! (`field: "value"`, `key=value`) and query strings (`a=1&sig=…`).

use super::findings::Findings;
use super::formats::{self, Found};
use super::rules;
use crate::semconv::REDACTED;

/// `text` with every credential found by format replaced by
/// `__REDACTED__`; `None` when there is none (the common case, which
/// allocates nothing and is decided here, inline).
#[inline]
pub(crate) fn scrub_str(text: &str, findings: &mut Findings) -> Option<String> {
    if !rules::scans_values() {
        return None;
    }
    let first = formats::next(text, 0);
    if first.is_none() && !rules::customized() {
        return None;
    }
    replace_found(text, first, findings)
}

/// [`scrub_str`] once a credential was found, or with a configured pattern.
fn replace_found(text: &str, first: Option<Found>, findings: &mut Findings) -> Option<String> {
    let mut out: Option<String> = None;
    let mut kept = 0;
    let mut next = first;
    while let Some(found) = next {
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(&text[kept..found.start]);
        buf.push_str(REDACTED);
        kept = found.end;
        findings.format(found.format);
        next = formats::next(text, formats::after(found));
    }
    if let Some(buf) = &mut out {
        buf.push_str(&text[kept..]);
    }
    let current = out.as_deref().unwrap_or(text);
    let patterned = rules::with_pattern(|pattern| {
        if !pattern.is_match(current) {
            return None;
        }
        let mut n = 0;
        let replaced = pattern
            .replace_all(current, |_: &regex::Captures<'_>| {
                n += 1;
                REDACTED
            })
            .into_owned();
        Some((replaced, n))
    })
    .flatten();
    match patterned {
        Some((replaced, n)) => {
            for _ in 0..n {
                findings.format("configured_pattern");
            }
            Some(replaced)
        }
        None => out,
    }
}

/// Text cut at the value cap (`kept`, then the marker that says so) whose
/// last word is the start of a credential: that word replaced. The scan
/// ran on the kept text only, so a credential the cut broke is caught here.
pub(crate) fn scrub_cut_tail(kept: &str, findings: &mut Findings) -> Option<String> {
    let start = kept
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || "-_./+=:@".contains(c)))
        .map_or(0, |i| {
            i + kept[i..].chars().next().map_or(1, char::len_utf8)
        });
    let word = &kept[start..];
    if word.is_empty() || !formats::starts_a_credential(word) {
        return None;
    }
    findings.format("cut_credential");
    Some(format!("{}{REDACTED}", &kept[..start]))
}

/// Whether `b` may be part of a name in `name: value` / `name=value`.
fn is_name_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

/// Where the value that starts at `at` ends: a quoted string (with its
/// escapes), a bracketed group (balanced), or a run up to a separator.
fn value_end(bytes: &[u8], at: usize) -> usize {
    let mut i = at;
    match bytes.get(i) {
        Some(b'"') | Some(b'\'') => {
            let quote = bytes[i];
            i += 1;
            while i < bytes.len() && bytes[i] != quote {
                i += if bytes[i] == b'\\' { 2 } else { 1 };
            }
            (i + 1).min(bytes.len())
        }
        _ => {
            let mut depth = 0usize;
            while i < bytes.len() {
                match bytes[i] {
                    b'(' | b'[' | b'{' => depth += 1,
                    b')' | b']' | b'}' if depth == 0 => break,
                    b')' | b']' | b'}' => depth -= 1,
                    b',' | b'&' | b';' | b'\n' | b' ' if depth == 0 => {
                        // `Some(x)`, `Inner { .. }`: a name then a group.
                        if bytes[i] == b' ' && bytes.get(i + 1) == Some(&b'{') {
                            i += 1;
                            continue;
                        }
                        break;
                    }
                    b'"' => {
                        i = value_end(bytes, i);
                        continue;
                    }
                    _ => {}
                }
                i += 1;
            }
            i
        }
    }
}

/// `Debug` text (or any `name: value` / `name=value` text) with the values
/// of credential names replaced, then credentials by format.
pub(crate) fn scrub_pairs(text: &str, findings: &mut Findings) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out: Option<String> = None;
    let mut kept = 0;
    let mut i = 0;
    while i < bytes.len() {
        if !is_name_byte(bytes[i]) || (i > 0 && is_name_byte(bytes[i - 1])) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_name_byte(bytes[i]) {
            i += 1;
        }
        let name = &text[start..i];
        let mut j = i;
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        let Some(&sep) = bytes.get(j) else { break };
        if !(sep == b':' || sep == b'=') || bytes.get(j + 1) == Some(&b':') {
            continue;
        }
        j += 1;
        while j < bytes.len() && bytes[j] == b' ' {
            j += 1;
        }
        if !rules::is_secret_key(name) {
            continue;
        }
        let end = value_end(bytes, j);
        if end == j {
            continue;
        }
        let quoted = matches!(bytes[j], b'"' | b'\'') && end - j >= 2;
        let buf = out.get_or_insert_with(|| String::with_capacity(text.len()));
        buf.push_str(&text[kept..j]);
        if quoted {
            buf.push(char::from(bytes[j]));
            buf.push_str(REDACTED);
            buf.push(char::from(bytes[end - 1]));
        } else {
            buf.push_str(REDACTED);
        }
        kept = end;
        findings.key(name);
        i = end;
    }
    let paired = out.map(|mut buf| {
        buf.push_str(&text[kept..]);
        buf
    });
    match paired {
        Some(paired) => Some(scrub_str(&paired, findings).unwrap_or(paired)),
        None => scrub_str(text, findings),
    }
}

/// A query string (`a=1&X-Amz-Signature=…`) with the values of credential
/// keys replaced, then credentials by format.
pub(crate) fn scrub_query(query: &str, findings: &mut Findings) -> Option<String> {
    let mut changed = false;
    let pairs: Vec<String> = query
        .split('&')
        .map(|pair| match pair.split_once('=') {
            Some((key, _)) if rules::is_secret_key(&percent_decoded(key)) => {
                changed = true;
                findings.key(key);
                format!("{key}={REDACTED}")
            }
            _ => pair.to_owned(),
        })
        .collect();
    let joined = if changed {
        pairs.join("&")
    } else {
        query.to_owned()
    };
    match scrub_str(&joined, findings) {
        Some(scrubbed) => Some(scrubbed),
        None => changed.then_some(joined),
    }
}

/// `%XX` escapes decoded (for reading a query key; never written back).
fn percent_decoded(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(&text[i + 1..i + 3], 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(if bytes[i] == b'+' { b' ' } else { bytes[i] });
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(text: &str) -> String {
        scrub_pairs(text, &mut Findings::default()).unwrap_or_else(|| text.to_owned())
    }

    #[test]
    fn debug_fields_and_key_value_pairs() {
        assert_eq!(
            pairs(r#"Settings { url: "https://api.x", secret: "s3cr3t", retries: 3 }"#),
            r#"Settings { url: "https://api.x", secret: "__REDACTED__", retries: 3 }"#
        );
        assert_eq!(
            pairs("Config { api_key: Some(\"k\"), inner: Inner { password: Pw(42) }, n: 1 }"),
            "Config { api_key: __REDACTED__, inner: Inner { password: __REDACTED__ }, n: 1 }"
        );
        assert_eq!(
            pairs("connect host=db password=hunter2 user=app"),
            "connect host=db password=__REDACTED__ user=app"
        );
        assert_eq!(
            pairs("Opts {\n    token: \"t\\\"q\",\n    max_tokens: 5,\n}"),
            "Opts {\n    token: \"__REDACTED__\",\n    max_tokens: 5,\n}"
        );
        let plain = "std::io::Error { kind: NotFound, message: \"no file\" }";
        assert_eq!(pairs(plain), plain);
    }

    #[test]
    fn query_keys() {
        let q = "a=1&X-Amz-Signature=abc123&X-Amz-Date=20250101&sig=zz";
        let mut findings = Findings::NONE;
        assert_eq!(
            scrub_query(q, &mut findings).unwrap(),
            "a=1&X-Amz-Signature=__REDACTED__&X-Amz-Date=20250101&sig=__REDACTED__"
        );
        assert!(!findings.is_empty());
        assert_eq!(scrub_query("q=rust&page=2", &mut Findings::default()), None);
    }
}
