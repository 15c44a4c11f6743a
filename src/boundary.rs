//! Decision boundaries met while a value is computed: a ReLU, step or abs
//! input exactly at its kink, a sigmoid of exactly 0 (σ = 1/2), a tie for
//! the largest or smallest element, for the nearest centroid, or across the
//! k-th place of a retrieval. While a verification watches ([`watch`]), the
//! engine counts them here as it runs (a thread-local counter, like the work
//! budget), and the verification reads the count around each input, so it
//! can say how many inputs of a domain sit exactly on a boundary even when
//! the rule holds there — the sign that a hand-designed network is fragile.
//! Outside a verification the checks are not made.

use std::cell::Cell;

thread_local! {
    static HITS: Cell<u64> = const { Cell::new(0) };
    static WATCHING: Cell<bool> = const { Cell::new(false) };
}

/// Whether a verification is counting boundaries. The checks cost a pass
/// over the values, so outside one they are not made at all.
pub fn watching() -> bool {
    WATCHING.with(Cell::get)
}

/// Counts a boundary when a verification is watching and `met()` says one
/// was met; `met` is not run otherwise.
pub fn hit_if(met: impl FnOnce() -> bool) {
    if watching() && met() {
        HITS.with(|h| h.set(h.get().saturating_add(1)));
    }
}

/// The boundaries met since the last call, and a fresh count.
pub fn take() -> u64 {
    HITS.with(|h| h.replace(0))
}

/// Counting on, from zero, until the guard is dropped (then as before).
pub fn watch() -> Watch {
    take();
    Watch(WATCHING.with(|w| w.replace(true)))
}

/// See [`watch`].
pub struct Watch(bool);

impl Drop for Watch {
    fn drop(&mut self) {
        WATCHING.with(|w| w.set(self.0));
    }
}
