//! JSON string literals, escaped exactly as `serde_json` escapes them.

use super::Capped;

/// Whether a byte must be escaped in a JSON string (`"`, `\\`, controls).
const fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
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
    let Some(first) = bytes.iter().position(|&b| needs_escape(b)) else {
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
        match piece.bytes().position(needs_escape) {
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
    for (i, &byte) in bytes.iter().enumerate().skip(first) {
        if !needs_escape(byte) {
            continue;
        }
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
    }
    out.push_str(&text[start..]);
}
