//! The budget of one run: work, memory and wall time.
//!
//! A run (one exercise file) gets a [`Limits`] when it starts ([`start`]);
//! everything it does is charged against it, and the first charge past a
//! limit fails with [`Error::Limit`], which the interpreter reports at the
//! statement that was running, with the flag that raises the limit.
//!
//! * **Work** is counted in units of one operation on a small number: an
//!   exact add or multiply of numbers that fit a machine word, one interval
//!   operation, one statement. Exact arithmetic on big numbers costs more:
//!   `w + w²/8` units for results of `w` 64-bit words (the gcd that keeps a
//!   fraction reduced is quadratic). Bulk operations (matrix products, sorts,
//!   joins) check their whole cost with [`ensure`] *before* they start, and
//!   the arithmetic inside them is charged as it runs ([`charge`]).
//! * **Memory** is the bytes the process holds on its heap, as counted by
//!   [`CountingAlloc`]: the `gradwork` binary installs it as its global
//!   allocator; a program that embeds the library without it has only the
//!   element and size caps of each operation. The count is read every few
//!   thousand units of work and at every statement; no single allocation
//!   between two reads can be large, since every tensor, string and number is
//!   capped in size before it is made.
//! * **Wall time** is read at the same points as memory.
//!
//! The state is thread-local: each thread runs its own program. Outside a
//! run (`start` not called) nothing is limited.
//!
//! Hand-written: the `cap` crate limits memory by failing allocations, which
//! aborts a Rust program; here the count is only read, and the program stops
//! with an error at its next check.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// The default work budget, in units (see the module doc): about a quarter
/// of a second of a statement loop on one core of the machine these were
/// measured on (small fractions are inline, so exact arithmetic is faster
/// still); a 64×64 exact matrix product (2¹⁹ units) fits, and the largest
/// exercise of the repository uses under 2¹⁵.
pub const WORK: u64 = 1 << 20;
/// The default memory budget: 512 MiB of heap.
pub const MEMORY: usize = 512 << 20;
/// The default wall time of one run.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The limits of one run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Units of work (see the module doc).
    pub work: u64,
    /// Bytes of heap the process may hold.
    pub memory: usize,
    /// Wall time.
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            work: WORK,
            memory: MEMORY,
            timeout: TIMEOUT,
        }
    }
}

/// How many units of work pass between two readings of the clock and of the
/// memory count.
const POLL: u64 = 1 << 12;

#[derive(Clone, Copy)]
struct State {
    active: bool,
    used: u64,
    next_poll: u64,
    limits: Limits,
    deadline: Option<Instant>,
}

const IDLE: State = State {
    active: false,
    used: 0,
    next_poll: POLL,
    limits: Limits {
        work: u64::MAX,
        memory: usize::MAX,
        timeout: Duration::MAX,
    },
    deadline: None,
};

thread_local! {
    static STATE: Cell<State> = const { Cell::new(IDLE) };
}

/// A run in progress: its limits hold until it is dropped, when the limits
/// that were in force before (none, outside a run) come back.
#[must_use = "the budget holds only while the `Run` is alive"]
pub struct Run {
    before: State,
}

impl Drop for Run {
    fn drop(&mut self) {
        STATE.with(|s| s.set(self.before));
    }
}

/// Starts a run with `limits`.
pub fn start(limits: Limits) -> Run {
    let before = STATE.with(|s| s.get());
    STATE.with(|s| {
        s.set(State {
            active: true,
            used: 0,
            next_poll: POLL,
            limits,
            deadline: Instant::now().checked_add(limits.timeout),
        })
    });
    Run { before }
}

/// Runs `f` outside the budget: for gradwork's own checks of its working
/// (each bounded in size by the checker), which must neither fail because the
/// user's program spent its budget nor spend it.
pub fn exempt<R>(f: impl FnOnce() -> R) -> R {
    let before = STATE.with(|s| s.get());
    STATE.with(|s| {
        s.set(State {
            active: false,
            ..before
        })
    });
    let _restore = Run { before };
    f()
}

/// Units of work used so far by the current run.
pub fn used() -> u64 {
    STATE.with(|s| s.get().used)
}

/// Charges `units` of work; an error once the run is past any limit (and at
/// every charge after that).
#[inline]
pub fn charge(units: u64) -> Result<()> {
    STATE.with(|s| {
        let mut st = s.get();
        if !st.active {
            return Ok(());
        }
        st.used = st.used.saturating_add(units);
        s.set(st);
        if st.used > st.limits.work {
            return Err(work_error(st.limits.work));
        }
        if st.used >= st.next_poll {
            st.next_poll = st.used.saturating_add(POLL);
            s.set(st);
            return poll(&st);
        }
        Ok(())
    })
}

/// Charges one exact result of `bits` bits (the larger of numerator and
/// denominator).
#[inline]
pub fn charge_bits(bits: u64) -> Result<()> {
    charge(bits_units(bits))
}

/// The units [`charge_bits`] charges for a result of `bits` bits.
#[inline]
pub fn bits_units(bits: u64) -> u64 {
    let words = bits / 64 + 1;
    words + words * words / 8
}

/// Checks, before a bulk operation starts, that `units` more work stays
/// within the budget (nothing is charged: the operation charges as it runs).
pub fn ensure(units: u64) -> Result<()> {
    let st = STATE.with(|s| s.get());
    if !st.active || st.used.saturating_add(units) <= st.limits.work {
        return Ok(());
    }
    if units <= st.limits.work {
        // It would fit a fresh budget: the program as a whole is too long.
        return Err(work_error(st.limits.work));
    }
    Err(Error::Limit {
        what: format!(
            "this operation needs about {units} units of work, more than the whole budget of {}",
            st.limits.work
        ),
        hint: "raise the budget with --max-work UNITS (Options::limits.work)",
    })
}

/// Checks, before `bytes` are allocated, that the memory held stays within
/// the budget.
pub fn reserve(bytes: usize) -> Result<()> {
    let st = STATE.with(|s| s.get());
    let held = allocated();
    if st.active && held.saturating_add(bytes) > st.limits.memory {
        return Err(Error::Limit {
            what: format!(
                "this needs about {} MiB more memory; the program holds {} MiB of its {} MiB",
                bytes.div_ceil(1 << 20),
                held >> 20,
                st.limits.memory >> 20
            ),
            hint: "raise it with --max-memory MIB (Options::limits.memory)",
        });
    }
    Ok(())
}

/// Reads the clock and the memory count now (at a statement, or before a
/// large allocation).
pub fn check() -> Result<()> {
    let st = STATE.with(|s| s.get());
    if !st.active {
        return Ok(());
    }
    if st.used > st.limits.work {
        return Err(work_error(st.limits.work));
    }
    poll(&st)
}

fn work_error(limit: u64) -> Error {
    Error::Limit {
        what: format!("the program did more than {limit} units of work"),
        hint: "raise the budget with --max-work UNITS (Options::limits.work) if the work is meant to be this large",
    }
}

fn poll(st: &State) -> Result<()> {
    let held = allocated();
    if held > st.limits.memory {
        return Err(Error::Limit {
            what: format!(
                "the program holds {} MiB of memory, more than the limit of {} MiB",
                held >> 20,
                st.limits.memory >> 20
            ),
            hint: "raise it with --max-memory MIB (Options::limits.memory)",
        });
    }
    if st.deadline.is_some_and(|d| Instant::now() > d) {
        return Err(Error::Limit {
            what: format!("the program ran longer than {:?}", st.limits.timeout),
            hint: "raise it with --timeout SECONDS if the work is meant to take that long",
        });
    }
    Ok(())
}

static ALLOCATED: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

/// Bytes held on the heap now, as counted by [`CountingAlloc`] (0 when it is
/// not the global allocator).
pub fn allocated() -> usize {
    ALLOCATED.load(Ordering::Relaxed)
}

/// The most bytes held on the heap since the last [`reset_peak`].
pub fn peak() -> usize {
    PEAK.load(Ordering::Relaxed)
}

/// Starts a new peak from the bytes held now.
pub fn reset_peak() {
    PEAK.store(allocated(), Ordering::Relaxed);
}

fn grew(bytes: usize) {
    let now = ALLOCATED.fetch_add(bytes, Ordering::Relaxed) + bytes;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

/// The system allocator, counting the bytes it holds. Install it with
/// `#[global_allocator] static A: gradwork::budget::CountingAlloc = gradwork::budget::CountingAlloc;`
/// to give runs a memory budget.
pub struct CountingAlloc;

// SAFETY: every call is passed to `System` unchanged; the count is a side
// effect that allocation never depends on.
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        ALLOCATED.fetch_sub(layout.size(), Ordering::Relaxed);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            if new_size >= layout.size() {
                grew(new_size - layout.size());
            } else {
                ALLOCATED.fetch_sub(layout.size() - new_size, Ordering::Relaxed);
            }
        }
        p
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outside_a_run_nothing_is_limited() {
        assert!(charge(u64::MAX).is_ok());
        assert!(ensure(u64::MAX).is_ok());
    }

    #[test]
    fn the_first_charge_past_the_budget_fails_and_every_one_after() {
        let _run = start(Limits {
            work: 10,
            ..Limits::default()
        });
        assert!(charge(10).is_ok());
        assert!(ensure(1).is_err());
        assert!(matches!(charge(1), Err(Error::Limit { .. })));
        assert!(charge(0).is_err());
        assert!(check().is_err());
    }

    #[test]
    fn a_run_restores_the_limits_before_it() {
        {
            let _run = start(Limits {
                work: 1,
                ..Limits::default()
            });
            assert!(charge(2).is_err());
        }
        assert!(charge(2).is_ok());
    }

    #[test]
    fn exempt_work_is_neither_charged_nor_refused() {
        let _run = start(Limits {
            work: 5,
            ..Limits::default()
        });
        charge(5).unwrap();
        assert!(exempt(|| charge(100)).is_ok());
        assert_eq!(used(), 5);
        assert!(charge(1).is_err());
    }

    #[test]
    fn big_numbers_cost_more() {
        let _run = start(Limits::default());
        charge_bits(10).unwrap();
        let small = used();
        charge_bits(16384).unwrap();
        // 257 words: 257 + 257²/8 = 8513 units.
        assert_eq!(used() - small, 257 + 257 * 257 / 8);
        assert_eq!(small, 1);
    }

    #[test]
    fn a_deadline_in_the_past_stops_the_run() {
        let _run = start(Limits {
            timeout: Duration::ZERO,
            ..Limits::default()
        });
        std::thread::sleep(Duration::from_millis(2));
        assert!(matches!(check(), Err(Error::Limit { .. })));
    }
}
