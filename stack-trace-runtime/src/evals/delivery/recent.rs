//! [`Recent`]: ids seen lately, for "was this span exported?", in a fixed
//! table: one store to remember an id, one load to look one up, a fixed
//! size whatever the traffic. Two ids that share a slot evict each other (a
//! missed id only makes an annotation wait for its hold to end, or be sent
//! and retried; a wrong "seen" is impossible: slots hold whole ids).

/// A direct-mapped set of 128-bit ids (span ids are widened).
pub(crate) struct Recent {
    slots: Box<[u128]>,
    mask: usize,
}

impl Recent {
    /// A set of `slots` slots (rounded up to a power of two), allocated on
    /// first use.
    pub(crate) fn new(slots: usize) -> Self {
        let slots = slots.next_power_of_two().max(1);
        Self {
            slots: Box::default(),
            mask: slots - 1,
        }
    }

    fn slot(&self, id: u128) -> usize {
        // Ids are random already; fold and mix so that either half spreads.
        let folded = (id as u64) ^ ((id >> 64) as u64);
        (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 32) as usize & self.mask
    }

    /// Remembers `id` (0, the invalid id, is never remembered).
    pub(crate) fn insert(&mut self, id: u128) {
        if self.slots.is_empty() {
            self.slots = vec![0; self.mask + 1].into_boxed_slice();
        }
        let slot = self.slot(id);
        self.slots[slot] = id;
    }

    /// Whether `id` was seen lately.
    pub(crate) fn contains(&self, id: u128) -> bool {
        id != 0 && !self.slots.is_empty() && self.slots[self.slot(id)] == id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_ids_in_a_fixed_table() {
        let mut recent = Recent::new(1000);
        assert_eq!(recent.mask, 1023);
        assert!(!recent.contains(7));
        for id in 1..=500u128 {
            recent.insert(id * 0x1_0000_0001);
        }
        let kept = (1..=500u128)
            .filter(|id| recent.contains(id * 0x1_0000_0001))
            .count();
        assert!(kept > 350, "most of 500 ids fit in 1024 slots: {kept}");
        assert!(!recent.contains(0));
        assert!(!recent.contains(501 * 0x1_0000_0001));
        assert_eq!(recent.slots.len(), 1024, "the size never grows");
    }
}
