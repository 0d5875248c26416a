//! [`Recent`]: the last N ids seen, for "was this span exported?" with
//! bounded memory (the oldest are forgotten first).

use std::collections::{HashSet, VecDeque};
use std::hash::Hash;

/// A bounded set that forgets its oldest entries.
pub(crate) struct Recent<T> {
    order: VecDeque<T>,
    set: HashSet<T>,
    cap: usize,
}

impl<T: Copy + Eq + Hash> Recent<T> {
    /// A set keeping at most `cap` ids.
    pub(crate) fn new(cap: usize) -> Self {
        Self {
            order: VecDeque::new(),
            set: HashSet::new(),
            cap: cap.max(1),
        }
    }

    /// Remembers `id`, forgetting the oldest when full.
    pub(crate) fn insert(&mut self, id: T) {
        if !self.set.insert(id) {
            return;
        }
        self.order.push_back(id);
        if self.order.len() > self.cap {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&old);
            }
        }
    }

    /// Whether `id` was seen lately.
    pub(crate) fn contains(&self, id: &T) -> bool {
        self.set.contains(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forgets_the_oldest_beyond_its_cap() {
        let mut recent = Recent::new(3);
        for id in 0..5 {
            recent.insert(id);
        }
        recent.insert(4);
        assert!(!recent.contains(&0) && !recent.contains(&1));
        assert!((2..5).all(|id| recent.contains(&id)));
        assert_eq!(recent.order.len(), 3);
    }
}
