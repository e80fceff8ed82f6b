//! Per-thread accounting of heap memory, so that one rule evaluation can be stopped when it
//! holds too much.
//!
//! Rhai bounds each string, array and map but not their sum: a map of ten thousand strings of
//! 64 KB each passes every per-value limit and holds 650 MB. The allocator below counts the
//! bytes each thread holds; the engine's progress hook (`engine.rs`) compares that with the
//! count when the evaluation began and stops the rule with `error` past its budget. A single
//! Rhai operation allocates at most one bounded value, so the overshoot is bounded too.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    /// Bytes allocated minus bytes freed on this thread (it goes negative when the thread
    /// frees what another allocated; only differences are read).
    static HELD: Cell<i64> = const { Cell::new(0) };
}

fn add(bytes: usize) {
    // `try_with`: the slot is gone while a thread exits; the count no longer matters then.
    let _ = HELD.try_with(|held| held.set(held.get().wrapping_add(bytes as i64)));
}

fn sub(bytes: usize) {
    let _ = HELD.try_with(|held| held.set(held.get().wrapping_sub(bytes as i64)));
}

/// The bytes this thread holds now, as a mark to compare with later.
pub(crate) fn held() -> i64 {
    HELD.try_with(Cell::get).unwrap_or(0)
}

/// The system allocator, counting.
struct Metered;

// SAFETY: every method forwards to `System` with the caller's arguments unchanged; the only
// addition is arithmetic on a thread-local `Cell` with no destructor, which never allocates.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for Metered {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        add(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        sub(layout.size());
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        sub(layout.size());
        add(new_size);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[allow(unsafe_code)]
#[global_allocator]
static METERED: Metered = Metered;

#[cfg(test)]
mod tests {
    #[test]
    fn counts_what_this_thread_holds() {
        let before = super::held();
        let block = vec![0u8; 1 << 20];
        assert!(super::held() - before >= 1 << 20);
        drop(block);
        assert!(super::held() - before < 1 << 20);
    }
}
