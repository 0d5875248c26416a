//! What scrubbing removed, without the values: [`Findings`] for one value
//! (as it is written), [`Report`] for one span, which becomes its
//! `stack_trace.scrubbed` attribute.
//!
//! ```text
//! stack_trace.scrubbed = {"removed":3,"input.value":["key config.api_key","key config.headers.Authorization","format openai_api_key"]}
//! ```

use std::borrow::Cow;

/// At most this many entries are listed per value (all are counted).
const MAX_ENTRIES: usize = 16;

/// What was removed from one value: nothing (no allocation), or a count and
/// a short list of which keys and formats.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Findings(Option<Box<Entries>>);

#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct Entries {
    removed: u32,
    what: Vec<String>,
}

impl Findings {
    /// Nothing found.
    pub(crate) const NONE: Self = Self(None);

    fn add(&mut self, what: String) {
        let entries = self.0.get_or_insert_with(Box::default);
        entries.removed = entries.removed.saturating_add(1);
        if entries.what.len() < MAX_ENTRIES && !entries.what.contains(&what) {
            entries.what.push(what);
        }
    }

    /// A value under a key that names a credential, at `path`.
    pub(crate) fn key(&mut self, path: &str) {
        self.add(format!("key {path}"));
    }

    /// A credential recognised by its format.
    pub(crate) fn format(&mut self, format: &str) {
        self.add(format!("format {format}"));
    }

    /// Whether nothing was removed.
    #[inline]
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_none()
    }

    /// How many values were removed.
    #[inline]
    pub(crate) fn removed(&self) -> u32 {
        self.0.as_ref().map_or(0, |e| e.removed)
    }

    /// Everything `other` found, added to this.
    pub(crate) fn merge(&mut self, other: Findings) {
        let Some(other) = other.0 else { return };
        match &mut self.0 {
            None => self.0 = Some(other),
            Some(entries) => {
                entries.removed = entries.removed.saturating_add(other.removed);
                for what in other.what {
                    if entries.what.len() < MAX_ENTRIES && !entries.what.contains(&what) {
                        entries.what.push(what);
                    }
                }
            }
        }
    }
}

/// What was removed from a span's values, by attribute.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Report {
    values: Vec<(Cow<'static, str>, Entries)>,
}

impl Report {
    /// Adds what was removed from the value of `attribute`.
    pub(crate) fn add(&mut self, attribute: impl Into<Cow<'static, str>>, findings: Findings) {
        let Some(found) = findings.0 else { return };
        let attribute = attribute.into();
        match self.values.iter_mut().find(|(a, _)| *a == attribute) {
            Some((_, entries)) => {
                let mut merged = Findings(Some(Box::new(std::mem::take(entries))));
                merged.merge(Findings(Some(found)));
                *entries = *merged.0.unwrap_or_default();
            }
            None => self.values.push((attribute, *found)),
        }
    }

    /// Whether nothing was removed.
    pub(crate) fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The report as the JSON text of `stack_trace.scrubbed`.
    pub(crate) fn to_json(&self) -> String {
        let removed: u64 = self.values.iter().map(|(_, e)| u64::from(e.removed)).sum();
        let mut out = serde_json::Map::new();
        out.insert("removed".to_owned(), removed.into());
        for (attribute, entries) in &self.values {
            out.insert(attribute.to_string(), entries.what.clone().into());
        }
        serde_json::Value::Object(out).to_string()
    }

    /// This report merged with one already written as JSON (by an earlier
    /// stage of the same span).
    pub(crate) fn merged_with_json(&self, existing: &str) -> String {
        let mut merged = self.clone();
        if let Ok(serde_json::Value::Object(map)) = serde_json::from_str(existing) {
            let earlier = map
                .get("removed")
                .and_then(serde_json::Value::as_u64)
                .unwrap_or(0);
            let mut listed = 0u64;
            for (attribute, what) in map {
                let Some(items) = what.as_array() else {
                    continue;
                };
                let mut entries = Entries::default();
                for item in items.iter().filter_map(serde_json::Value::as_str) {
                    entries.what.push(item.to_owned());
                }
                let n = u32::try_from(entries.what.len()).unwrap_or(u32::MAX);
                entries.removed = n;
                listed += u64::from(n);
                merged.add(attribute, Findings(Some(Box::new(entries))));
            }
            // Removals counted but not listed (past the list's length).
            if let Some((_, first)) = merged.values.first_mut() {
                let unlisted = u32::try_from(earlier.saturating_sub(listed)).unwrap_or(u32::MAX);
                first.removed = first.removed.saturating_add(unlisted);
            }
        }
        merged.to_json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_listed_and_merged_per_attribute() {
        let mut a = Findings::NONE;
        assert!(a.is_empty());
        a.key("config.api_key");
        a.format("openai_api_key");
        a.format("openai_api_key");
        let mut b = Findings::NONE;
        b.format("jwt");
        let mut report = Report::default();
        report.add("input.value", a);
        report.add("input.value", b);
        report.add("output.value", Findings::NONE);
        assert_eq!(
            report.to_json(),
            r#"{"input.value":["key config.api_key","format openai_api_key","format jwt"],"removed":4}"#
        );
    }
}
