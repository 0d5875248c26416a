//! A small JSON writer for the GenAI values (messages, parts, documents):
//! they are built from text the span already holds, so writing them is
//! mostly escaping. Strings are escaped exactly as `serde_json` escapes
//! them, eight bytes at a time where nothing needs escaping (the capture
//! writer's scan).

use crate::capture::json::first_escape;

/// Writes JSON text into a string.
#[derive(Debug)]
pub(crate) struct JsonWriter {
    out: String,
}

const HEX: &[u8; 16] = b"0123456789abcdef";

impl JsonWriter {
    /// A writer with room for about `capacity` bytes.
    pub(crate) fn with_capacity(capacity: usize) -> Self {
        Self {
            out: String::with_capacity(capacity),
        }
    }

    /// JSON text written as it is (punctuation, numbers, valid JSON).
    pub(crate) fn raw(&mut self, text: &str) {
        self.out.push_str(text);
    }

    /// `text` as a JSON string literal.
    pub(crate) fn string(&mut self, text: &str) {
        self.out.reserve(text.len() + 2);
        self.out.push('"');
        let mut rest = text;
        while let Some(i) = first_escape(rest.as_bytes()) {
            // `i` is an ASCII byte's index: both slices end on a boundary.
            self.out.push_str(&rest[..i]);
            let byte = rest.as_bytes()[i];
            match byte {
                b'"' => self.out.push_str("\\\""),
                b'\\' => self.out.push_str("\\\\"),
                b'\n' => self.out.push_str("\\n"),
                b'\r' => self.out.push_str("\\r"),
                b'\t' => self.out.push_str("\\t"),
                0x08 => self.out.push_str("\\b"),
                0x0c => self.out.push_str("\\f"),
                _ => {
                    self.out.push_str("\\u00");
                    self.out.push(char::from(HEX[usize::from(byte >> 4)]));
                    self.out.push(char::from(HEX[usize::from(byte & 0xf)]));
                }
            }
            rest = &rest[i + 1..];
        }
        self.out.push_str(rest);
        self.out.push('"');
    }

    /// `"key":` for a key that needs no escaping (ours, ASCII letters).
    pub(crate) fn key(&mut self, key: &str) {
        self.out.push('"');
        self.out.push_str(key);
        self.out.push_str("\":");
    }

    /// `,"key":"value"`-style field: a comma first unless `first`.
    pub(crate) fn field(&mut self, first: bool, key: &str, value: &str) {
        if !first {
            self.out.push(',');
        }
        self.key(key);
        self.string(value);
    }

    /// The text written.
    pub(crate) fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::JsonWriter;
    use crate::capture::json::first_escape;

    #[test]
    fn strings_are_escaped_as_serde_json_escapes_them() {
        let mut all = String::new();
        for c in (0u8..0x80).map(char::from) {
            all.push(c);
        }
        all.push_str("é ü 日本 🎉 \u{2028}");
        for text in [
            all.as_str(),
            "",
            "plain text longer than eight bytes",
            "q\"",
            "1234567\\",
            "12345678\n",
        ] {
            let mut w = JsonWriter::with_capacity(0);
            w.string(text);
            assert_eq!(w.finish(), serde_json::to_string(text).unwrap(), "{text:?}");
        }
    }

    #[test]
    fn the_first_byte_to_escape_is_found_in_every_position() {
        for at in 0..40 {
            for byte in [b'"', b'\\', b'\n', 0x01, 0x1f] {
                let mut bytes = vec![b'a'; 40];
                bytes[at] = byte;
                assert_eq!(first_escape(&bytes), Some(at), "{byte} at {at}");
            }
            let mut bytes = vec![0xc3u8; 40];
            bytes[at] = b' ';
            assert_eq!(
                first_escape(&bytes),
                None,
                "high bytes and spaces never match"
            );
        }
    }
}
