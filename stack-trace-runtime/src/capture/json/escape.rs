//! JSON string literals, escaped exactly as `serde_json` escapes them.

use super::Capped;

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Whether any byte of `word` is zero.
#[inline]
const fn has_zero(word: u64) -> bool {
    word.wrapping_sub(ONES) & !word & HIGH != 0
}

/// Whether any byte of `word` must be escaped: a control (below 0x20), `"`
/// or `\`.
#[inline]
const fn needs_escape_in(word: u64) -> bool {
    word.wrapping_sub(ONES * 0x20) & !word & HIGH != 0
        || has_zero(word ^ (ONES * 0x22))
        || has_zero(word ^ (ONES * 0x5c))
}

/// Whether a byte must be escaped in a JSON string (`"`, `\\`, controls).
#[inline]
const fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// The index of the first byte of `bytes` that must be escaped.
pub(crate) fn first_escape(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        if needs_escape_in(u64::from_le_bytes(word)) {
            return chunk.iter().position(|&b| needs_escape(b)).map(|i| at + i);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| needs_escape(b))
        .map(|i| at + i)
}

/// `text` as a JSON string literal, escaped as `serde_json` escapes.
/// Strings this long may be cut at the cap without escaping their tail
/// (see [`keepable`]); shorter ones are escaped whole, past the cap or not.
const LONG: usize = 4096;

#[inline]
pub(crate) fn write_escaped(out: &mut Capped, text: &str) {
    if text.len() > LONG && text.len() >= out.room() {
        return write_escaped_pieces(out, text, "");
    }
    let bytes = text.as_bytes();
    let Some(first) = first_escape(bytes) else {
        out.push_quoted(text);
        return;
    };
    out.push_str("\"");
    escape_body(out, text, first);
    out.push_str("\"");
}

/// `head` followed by `tail` as one JSON string literal.
pub(crate) fn write_escaped_pieces(out: &mut Capped, head: &str, tail: &str) {
    out.push_str("\"");
    for piece in [head, tail] {
        let (piece, rest) = keepable(out, piece);
        match first_escape(piece.as_bytes()) {
            Some(first) => escape_body(out, piece, first),
            None => out.push_str(piece),
        }
        out.skip(rest);
    }
    out.push_str("\"");
}

/// The part of `text` that may still be kept (a little more than the room
/// left, ending on a character boundary) and how many bytes follow it. What
/// follows is counted, not escaped: a string's length is known, so a 16 MiB
/// string costs what its first bytes cost (its size is then reported as a
/// lower bound: escapes past the cap are not counted).
fn keepable<'t>(out: &Capped, text: &'t str) -> (&'t str, usize) {
    let mut end = out.room().saturating_add(1);
    if end >= text.len() {
        return (text, 0);
    }
    while !text.is_char_boundary(end) {
        end += 1;
    }
    (&text[..end], text.len() - end)
}

/// `text` escaped, without quotes; `first` is the first byte to escape.
fn escape_body(out: &mut Capped, text: &str, first: usize) {
    let bytes = text.as_bytes();
    let mut start = 0;
    let mut next = Some(first);
    while let Some(i) = next {
        let byte = bytes[i];
        // `i` is an ASCII byte's index, so both slices end on a char boundary.
        out.push_str(&text[start..i]);
        match byte {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x08 => out.push_str("\\b"),
            0x0c => out.push_str("\\f"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                let unicode = [
                    b'\\',
                    b'u',
                    b'0',
                    b'0',
                    HEX[usize::from(byte >> 4)],
                    HEX[usize::from(byte & 0xf)],
                ];
                out.push_str(core::str::from_utf8(&unicode).unwrap_or_default());
            }
        }
        start = i + 1;
        next = first_escape(&bytes[start..]).map(|j| start + j);
    }
    out.push_str(&text[start..]);
}
