//! Decision boundaries met while a value is computed: a ReLU, step or abs
//! input exactly at its kink, a sigmoid of exactly 0 (σ = 1/2), a tie for
//! the largest or smallest element, for the nearest centroid, or across the
//! k-th place of a retrieval. The engine counts them here as it runs
//! (a thread-local counter, like the work budget); a verification reads the
//! count around each input, so it can say how many inputs of a domain sit
//! exactly on a boundary even when the rule holds there — the sign that a
//! hand-designed network is fragile.

use std::cell::Cell;

thread_local! {
    static HITS: Cell<u64> = const { Cell::new(0) };
}

/// One more boundary met.
pub fn hit() {
    HITS.with(|h| h.set(h.get().saturating_add(1)));
}

/// The boundaries met since the last call, and a fresh count.
pub fn take() -> u64 {
    HITS.with(|h| h.replace(0))
}
