//! Where a credential may start: the leftmost anchor of any format.
//!
//! A string at least as long as the searcher's minimum (18 bytes with the
//! built-in anchors) is searched by aho-corasick's packed searcher (Teddy,
//! SIMD), called directly rather than through the automaton around it. A
//! shorter string (or the short rest of one) can hold only the formats
//! whose shortest match fits in it: with the built-in formats that leaves
//! Basic credentials and URL passwords. There the packed searcher would fall
//! back to Rabin-Karp, which costs more than a loop over the bytes that can
//! begin those few anchors, so that loop runs instead. Most strings a span
//! captures (roles, model names, ids, short values) are short.

use aho_corasick::packed::{Config, MatchKind, Searcher};
use aho_corasick::Span;

/// One anchor: its text and the shortest match of any format it anchors.
pub(crate) struct Anchor {
    pub(crate) text: &'static str,
    pub(crate) min_len: usize,
}

/// The anchors of every format, ready to search.
pub(crate) struct Anchors {
    searcher: Searcher,
    /// The shortest match of any format each anchor (by index) anchors.
    min_len: Vec<usize>,
    /// Below this many bytes the packed searcher is not used.
    short_below: usize,
    /// The anchors that can match within fewer than `short_below` bytes.
    short: Vec<(usize, &'static [u8])>,
    /// The bytes that begin an anchor of `short`.
    short_first: [bool; 256],
}

impl Anchors {
    /// The searcher for `anchors`; `None` if aho-corasick refuses them.
    pub(crate) fn new(anchors: &[Anchor]) -> Option<Self> {
        let mut builder = Config::new()
            .match_kind(MatchKind::LeftmostLongest)
            .builder();
        for anchor in anchors {
            builder.add(anchor.text);
        }
        let searcher = builder.build()?;
        let short_below = searcher.minimum_len();
        let mut short = Vec::new();
        let mut short_first = [false; 256];
        for (i, anchor) in anchors.iter().enumerate() {
            if anchor.min_len < short_below {
                let bytes = anchor.text.as_bytes();
                short.push((i, bytes));
                short_first[usize::from(*bytes.first()?)] = true;
            }
        }
        // Longest first, so the loop finds the same anchor the searcher's
        // leftmost-longest rule does.
        short.sort_by_key(|(_, bytes)| std::cmp::Reverse(bytes.len()));
        Some(Self {
            searcher,
            min_len: anchors.iter().map(|a| a.min_len).collect(),
            short_below,
            short,
            short_first,
        })
    }

    /// The leftmost anchor at or after `from` of a format whose shortest
    /// match fits in `text[from..]`: its position and index.
    #[inline]
    pub(crate) fn find(&self, text: &[u8], from: usize) -> Option<(usize, usize)> {
        let rest = text.len().checked_sub(from)?;
        if rest < self.short_below {
            return self.find_short(text, from);
        }
        let hit = self.searcher.find_in(text, Span::from(from..text.len()))?;
        Some((hit.start(), hit.pattern().as_usize()))
    }

    /// [`Anchors::find`] for a rest too short for the packed searcher.
    fn find_short(&self, text: &[u8], from: usize) -> Option<(usize, usize)> {
        let rest = text.len() - from;
        let mut at = from;
        loop {
            at += text
                .get(at..)?
                .iter()
                .position(|&b| self.short_first[usize::from(b)])?;
            for &(index, anchor) in &self.short {
                if self.min_len[index] <= rest && text[at..].starts_with(anchor) {
                    return Some((at, index));
                }
            }
            at += 1;
        }
    }

    /// Whether `text` holds any anchor, however short it is.
    pub(crate) fn any(&self, text: &[u8]) -> bool {
        self.searcher.find(text).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn anchors() -> Anchors {
        Anchors::new(&[
            Anchor {
                text: "sk-",
                min_len: 23,
            },
            Anchor {
                text: "sk-ant-",
                min_len: 44,
            },
            Anchor {
                text: "://",
                min_len: 6,
            },
            Anchor {
                text: "Basic",
                min_len: 10,
            },
            Anchor {
                text: ":/",
                min_len: 5,
            },
        ])
        .expect("anchors")
    }

    #[test]
    fn short_and_long_paths_agree_where_a_match_fits() {
        let a = anchors();
        // Teddy over 2-byte masks: 16 bytes and one more.
        assert_eq!(a.short_below, 17);
        // Long: the searcher, leftmost-longest.
        let long = b"see https://x.example and sk-ant-api03 here, more";
        assert_eq!(a.find(long, 0), Some((9, 2)));
        assert_eq!(a.find(long, 10), Some((26, 1)));
        // Short: only anchors whose shortest match fits.
        assert_eq!(a.find(b"pg://a:b@h", 0), Some((2, 2)));
        assert_eq!(a.find(b"x:/y", 0), None, "too short for `:/`");
        assert_eq!(a.find(b"ab:/cd", 0), Some((2, 4)));
        assert_eq!(a.find(b"sk-abc", 0), None, "no `sk-` key is this short");
        assert_eq!(a.find(b"Basic YTpi", 0), Some((0, 3)));
        // The short rest of a long string.
        let text = b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa Basic YTpi";
        assert_eq!(a.find(text, 30), Some((32, 3)));
        assert_eq!(a.find(text, 33), None);
        assert_eq!(a.find(text, text.len()), None);
        assert_eq!(a.find(text, text.len() + 1), None);
    }

    /// The leftmost-longest anchor at or after `from` that fits, by brute
    /// force.
    fn reference(list: &[(&str, usize)], text: &[u8], from: usize) -> Option<(usize, usize)> {
        let rest = text.len().checked_sub(from)?;
        (from..text.len()).find_map(|at| {
            list.iter()
                .enumerate()
                .filter(|(_, (a, min))| *min <= rest && text[at..].starts_with(a.as_bytes()))
                .max_by_key(|(_, (a, _))| a.len())
                .map(|(i, _)| (at, i))
        })
    }

    proptest::proptest! {
        #[test]
        fn find_is_the_leftmost_longest_anchor_that_fits(
            pieces in proptest::collection::vec(
                proptest::sample::select(vec!["sk-", "sk-ant-", "://", ":/", "Basic", "a", " ", "k-", "Bas"]),
                0..24,
            ),
            from in 0usize..40,
        ) {
            let list = [("sk-", 23), ("sk-ant-", 44), ("://", 6), ("Basic", 10), (":/", 5)];
            let text = pieces.concat();
            let found = anchors().find(text.as_bytes(), from);
            let expected = reference(&list, text.as_bytes(), from);
            // Past the searcher's minimum the searcher does not filter by fit.
            if text.len().saturating_sub(from) < 17 {
                proptest::prop_assert_eq!(found, expected);
            } else if let Some((at, _)) = found {
                proptest::prop_assert!(expected.is_none_or(|(e, _)| e >= at));
                let (_, anchor) = found.unwrap_or_default();
                proptest::prop_assert!(text.as_bytes()[at..].starts_with(list[anchor].0.as_bytes()));
            } else {
                proptest::prop_assert_eq!(expected, None);
            }
        }
    }

    #[test]
    fn any_finds_every_anchor_at_any_length() {
        let a = anchors();
        assert!(a.any(b"sk-"));
        assert!(a.any(b"Basic"));
        assert!(!a.any(b"plain"));
    }
}
