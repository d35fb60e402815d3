//! The component's allocator: an arena that never frees.
//!
//! Each call into the component runs in a fresh instance that lasts milliseconds and is then
//! thrown away with its memory (the WIT contract asks the host for it), so freeing is left to
//! the host: allocating moves a pointer, freeing does nothing. Nothing to do on free is what
//! counts: the drop glue of every `String` and `Vec` compiles to nothing, which took 16 KB off
//! the component and 11 % off a push (BENCHMARKS.md). The price is memory: a call holds
//! everything it allocated until it returns (a tick that imports 30 orders 192 KiB more than
//! with a freeing allocator). The one call whose allocations follow the table's size, a
//! filtered grid query, reads the rows' text into a second heap given back page by page
//! (`Host::storage_scan`, [`Heap::reset`]). The last block carved grows in place, so a `Vec`
//! being filled does not leave its smaller copies behind.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::null_mut;

/// Where fresh memory comes from: a region of at least `bytes` bytes, as (start, end).
pub(crate) trait Grow {
    fn grow(&mut self, bytes: usize) -> Option<(usize, usize)>;
}

struct State<G> {
    /// Never used memory: `next..end`.
    next: usize,
    end: usize,
    /// Where the current region starts; the bytes carved since the last `reset` in the regions
    /// given up since (the current one's are `next - start`: counted when the region is left,
    /// not on every block), and the most ever carved between two resets: a region grown that
    /// large holds all of it again.
    start: usize,
    carved: usize,
    held: usize,
    grow: G,
}

pub(crate) struct Heap<G> {
    state: UnsafeCell<State<G>>,
}

// SAFETY: the component is single-threaded (wasm32 without atomics), and the tests use a heap
// from one thread at a time.
unsafe impl<G> Sync for Heap<G> {}

impl<G: Grow> Heap<G> {
    pub(crate) const fn new(grow: G) -> Self {
        Heap {
            state: UnsafeCell::new(State {
                next: 0,
                end: 0,
                start: 0,
                carved: 0,
                held: 0,
                grow,
            }),
        }
    }

    /// Gives back the current region: the next blocks are carved from its start again.
    ///
    /// # Safety
    /// No block this heap handed out is in use any more.
    pub(crate) unsafe fn reset(&self) {
        // SAFETY: single-threaded, and no reference into the state outlives this call.
        let state = unsafe { &mut *self.state.get() };
        state.held = state
            .held
            .max(state.carved.wrapping_add(state.next - state.start));
        state.carved = 0;
        state.next = state.start;
    }
}

/// Where a heap stands: [`Heap::rewind`] gives back what was carved since.
#[derive(Clone, Copy)]
pub(crate) struct Mark {
    start: usize,
    next: usize,
}

impl<G> Heap<G> {
    pub(crate) fn mark(&self) -> Mark {
        // SAFETY: single-threaded, and no reference into the state outlives this call.
        let state = unsafe { &*self.state.get() };
        Mark {
            start: state.start,
            next: state.next,
        }
    }

    /// Gives back the blocks carved since `mark`, unless the heap moved on to a region of its
    /// own since (then they stay carved, as every block does). The hint of how much a region
    /// holds (`carved`) is left as it is: only the global heap, which is never reset, rewinds.
    ///
    /// # Safety
    /// No block carved since `mark` is in use, and no block carved before it was grown
    /// (`realloc`) since: grown in place, it would reach past the mark.
    pub(crate) unsafe fn rewind(&self, mark: Mark) {
        // SAFETY: single-threaded, and no reference into the state outlives this call.
        let state = unsafe { &mut *self.state.get() };
        if state.start == mark.start && state.next >= mark.next {
            state.next = mark.next;
        }
    }
}

/// Blocks are carved in whole granules of this many bytes, and regions are used from their
/// first to their last whole granule: the next free byte and the region's end stay granule
/// multiples. A block aligned to a granule or less, nearly every one, then starts at the next
/// free byte without rounding, and fits when its size is at most the room left (a multiple of
/// a granule): one subtraction and one comparison (a push −729 fuel, a 100-order page −63 k;
/// BENCHMARKS.md).
const GRANULE: usize = 8;

/// `n` rounded down to whole granules.
#[inline(always)]
const fn whole_granules(n: usize) -> usize {
    n & !(GRANULE - 1)
}

/// `n` rounded up to whole granules; `None` when that overflows.
#[inline(always)]
fn granules(n: usize) -> Option<usize> {
    Some(whole_granules(n.checked_add(GRANULE - 1)?))
}

impl<G> State<G> {
    /// A new block of `size` bytes aligned to `align` from the current region, if it has room.
    /// `align` is a power of two (a `Layout`'s), so rounding up is a mask, not a division.
    #[inline(always)]
    fn bump(&mut self, size: usize, align: usize) -> Option<usize> {
        let start = if align <= GRANULE {
            // Never past `end`.
            self.next
        } else {
            let start = self.next.checked_add(align - 1)? & !(align - 1);
            if start > self.end {
                return None;
            }
            start
        };
        // The room left is a granule multiple: `size` fits exactly when its granules do, and
        // adding them cannot overflow.
        if size > self.end - start {
            return None;
        }
        self.next = start + whole_granules(size + (GRANULE - 1));
        Some(start)
    }
}

impl<G: Grow> State<G> {
    /// A new block of `size` bytes aligned to `align`, from never used memory.
    #[inline(always)]
    fn carve(&mut self, size: usize, align: usize) -> Option<usize> {
        match self.bump(size, align) {
            Some(start) => Some(start),
            None => Some(self.carve_grown(size, align)).filter(|&start| start != 0),
        }
    }

    /// [`Self::carve`] once the current region has no room, 0 when memory cannot grow: apart,
    /// so that the common case computes nothing of it, and one word, not an `Option` returned
    /// through memory.
    #[cold]
    #[inline(never)]
    fn carve_grown(&mut self, size: usize, align: usize) -> usize {
        self.grown(size, align).unwrap_or(0)
    }

    #[inline(always)]
    fn grown(&mut self, size: usize, align: usize) -> Option<usize> {
        // Room for the block whatever the alignments of the region's ends and its start.
        // `None` when the sizes overflow: growing would ask for more than a 32-bit memory
        // holds, and fail.
        let asked = size
            .checked_add(align.max(GRANULE) + 2 * GRANULE)?
            .max(self.held);
        let (fresh, fresh_end) = self.grow.grow(asked)?;
        // A region smaller than asked, which `Grow` promises not to give, is refused before
        // the heap moves to it: a carve that fails leaves the heap where it was (`realloc`
        // relies on it), and one region as large as asked always fits the block (in a region
        // of its own or extending this one), so growing once is enough.
        if fresh_end.checked_sub(fresh)? < asked {
            return None;
        }
        let (fresh, fresh_end) = (granules(fresh)?, whole_granules(fresh_end));
        // Contiguous memory extends the current region; otherwise its rest is given up.
        if fresh != self.end {
            // A hint for a region's size after a reset: a wrap only makes it smaller.
            self.carved = self.carved.wrapping_add(self.next - self.start);
            self.next = fresh;
            self.start = fresh;
        }
        self.end = fresh_end;
        self.bump(size, align)
    }
}

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
impl<G> Heap<G> {
    /// [`GlobalAlloc::alloc`]'s block when the current region has room, else `None`: the
    /// canonical ABI's many small requests (`cabi_realloc`) without a call and a loop.
    ///
    /// # Safety
    /// `align` is a power of two.
    #[inline(always)]
    pub(crate) unsafe fn bump(&self, size: usize, align: usize) -> Option<*mut u8> {
        // SAFETY: single-threaded, and no reference into the state outlives this call.
        let state = unsafe { &mut *self.state.get() };
        state.bump(size, align).map(|start| start as *mut u8)
    }
}

// SAFETY: blocks handed out never overlap: each is carved from `next..end`, which only moves
// forward, except that the last block carved may be carved again, larger, from its own start
// (`realloc`, which owns that block), and that `reset` and `rewind` move it back over blocks
// their callers guarantee are no longer in use. A block is as large and as aligned as its
// layout asks.
unsafe impl<G: Grow> GlobalAlloc for Heap<G> {
    // Out of line: inlined into its ~200 callers, it was 2.2 KB larger and no faster (measured).
    #[inline(never)]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: single-threaded, and no reference into the state outlives this call.
        let state = unsafe { &mut *self.state.get() };
        match state.carve(layout.size(), layout.align()) {
            Some(start) => start as *mut u8,
            None => null_mut(),
        }
    }

    /// Nothing: the instance's memory goes with the instance (see the module's doc). The
    /// component's scratch heap relies on it: wit-bindgen frees the buffers it lifted there
    /// through the global heap.
    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {}

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size <= layout.size() {
            return ptr;
        }
        let new = {
            // SAFETY: as in `alloc`; the borrow ends before the copy below.
            let state = unsafe { &mut *self.state.get() };
            let (start, next) = (ptr as usize, state.next);
            // The last block carved is carved again from its start: in place when the region
            // has room or grows contiguously, a `Vec` being filled most often.
            if granules(layout.size()).is_some_and(|taken| start + taken == next) {
                state.next = start;
            }
            match state.carve(new_size, layout.align()) {
                Some(new) => new as *mut u8,
                None => {
                    // The old block stays the caller's.
                    state.next = next;
                    return null_mut();
                }
            }
        };
        if new != ptr {
            // SAFETY: the old block holds `layout.size()` bytes that nothing has overwritten
            // (a block carved again in place is `ptr` itself), and a new block never overlaps
            // it: it is carved past the old block's end or from a fresh region.
            unsafe { core::ptr::copy_nonoverlapping(ptr, new, layout.size()) };
        }
        new
    }
}

/// Linear memory 0: first the rest of its initial size after the static data, then grown by
/// whole 64 KiB pages, at least 64 KiB at a time.
///
/// The initial size is set to hold a push's blocks (`.cargo/config.toml`), so that a push
/// never grows memory: in wasmtime's instance pool each growth costs an `mprotect`, and the
/// next instance in the slot another to shrink it back (with a TLB shootdown). A first request
/// larger than the rest grows memory instead, and the rest goes unused for that call.
#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
pub(crate) struct LinearMemory;

/// Whether the initial memory's free rest was handed out: to the first heap that asks for a
/// region, before anything grew memory.
#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
static INITIAL_REST_TAKEN: core::sync::atomic::AtomicBool =
    core::sync::atomic::AtomicBool::new(false);

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
impl Grow for LinearMemory {
    fn grow(&mut self, bytes: usize) -> Option<(usize, usize)> {
        const PAGE: usize = 64 * 1024;
        if !INITIAL_REST_TAKEN.swap(true, core::sync::atomic::Ordering::Relaxed) {
            extern "C" {
                /// The end of the static data, where wasm-ld lets the heap begin.
                static __heap_base: u8;
            }
            let start = core::ptr::addr_of!(__heap_base) as usize;
            // Nothing grew memory yet: its size is the initial one.
            let end = core::arch::wasm32::memory_size(0) * PAGE;
            if end.saturating_sub(start) >= bytes {
                return Some((start, end));
            }
        }
        let pages = bytes.div_ceil(PAGE).max(1);
        let old = core::arch::wasm32::memory_grow(0, pages);
        (old != usize::MAX).then(|| (old * PAGE, (old + pages) * PAGE))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Regions cut from one buffer, `chunk` bytes at least, one gap byte apart every other time
    /// (so that both contiguous and separate growth are exercised).
    struct Arena {
        base: usize,
        used: usize,
        size: usize,
        chunk: usize,
        grows: usize,
    }

    impl Grow for Arena {
        fn grow(&mut self, bytes: usize) -> Option<(usize, usize)> {
            self.grows += 1;
            let gap = if self.grows.is_multiple_of(2) { 8 } else { 0 };
            let start = self.used + gap;
            let len = bytes.max(self.chunk);
            if start + len > self.size {
                return None;
            }
            self.used = start + len;
            Some((self.base + start, self.base + start + len))
        }
    }

    fn heap(size: usize, chunk: usize) -> (Heap<Arena>, Vec<u64>) {
        let buffer = vec![0u64; size / 8];
        let arena = Arena {
            base: buffer.as_ptr() as usize,
            used: 0,
            size,
            chunk,
            grows: 0,
        };
        (Heap::new(arena), buffer)
    }

    /// A deterministic stream of pseudo-random numbers (xorshift).
    fn numbers(mut x: u64) -> impl FnMut(u64) -> u64 {
        move |below| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % below
        }
    }

    #[test]
    fn blocks_never_overlap_keep_their_bytes_and_are_aligned() {
        let (heap, _buffer) = heap(1 << 24, 4096);
        let mut next = numbers(0x2545_F491_4F6C_DD1D);
        // (pointer, layout, fill byte) of the live blocks.
        let mut live: Vec<(*mut u8, Layout, u8)> = Vec::new();
        for step in 0..20_000u32 {
            let fill = step as u8;
            match next(10) {
                0..=4 => {
                    let largest = if next(8) == 0 { 5000 } else { 64 };
                    let size = 1 + next(largest) as usize;
                    let align = 1 << next(5);
                    let layout = Layout::from_size_align(size, align).unwrap();
                    let ptr = unsafe { heap.alloc(layout) };
                    assert!(!ptr.is_null());
                    assert_eq!(ptr as usize % align, 0, "aligned");
                    unsafe { ptr.write_bytes(fill, size) };
                    live.push((ptr, layout, fill));
                }
                5..=7 if !live.is_empty() => {
                    let (ptr, layout, _) = live.swap_remove(next(live.len() as u64) as usize);
                    unsafe { heap.dealloc(ptr, layout) };
                }
                _ if !live.is_empty() => {
                    let i = next(live.len() as u64) as usize;
                    let (ptr, layout, fill) = live[i];
                    let new_size = 1 + next(3000) as usize;
                    let new = unsafe { heap.realloc(ptr, layout, new_size) };
                    assert!(!new.is_null());
                    let kept = layout.size().min(new_size);
                    let bytes = unsafe { core::slice::from_raw_parts(new, kept) };
                    assert!(bytes.iter().all(|&b| b == fill), "realloc keeps the bytes");
                    let layout = Layout::from_size_align(new_size, layout.align()).unwrap();
                    unsafe { new.write_bytes(fill, new_size) };
                    live[i] = (new, layout, fill);
                }
                _ => {}
            }
            if step % 997 == 0 {
                // Every live block still holds its own fill: nothing overlapped it.
                for &(ptr, layout, fill) in &live {
                    let bytes = unsafe { core::slice::from_raw_parts(ptr, layout.size()) };
                    assert!(bytes.iter().all(|&b| b == fill), "no overlap");
                }
            }
        }
        for (ptr, layout, _) in live {
            unsafe { heap.dealloc(ptr, layout) };
        }
    }

    #[test]
    fn a_block_grown_after_another_was_carved_moves_with_its_bytes() {
        let (heap, _buffer) = heap(1 << 16, 1 << 16);
        let layout = Layout::from_size_align(16, 8).unwrap();
        let first = unsafe { heap.alloc(layout) };
        unsafe { first.write_bytes(7, 16) };
        let second = unsafe { heap.alloc(layout) };
        let grown = unsafe { heap.realloc(first, layout, 64) };
        assert!(
            grown as usize >= second as usize + 16,
            "carved past the second block"
        );
        let bytes = unsafe { core::slice::from_raw_parts(grown, 16) };
        assert!(bytes.iter().all(|&b| b == 7));
        // Shrinking keeps the block where it is.
        assert_eq!(unsafe { heap.realloc(grown, layout, 8) }, grown);
    }

    /// Fresh regions from a buffer, never contiguous, each as large as asked; records the
    /// sizes asked for.
    struct Recorded {
        arena: Arena,
        asked: alloc::rc::Rc<core::cell::RefCell<Vec<usize>>>,
    }

    impl Grow for Recorded {
        fn grow(&mut self, bytes: usize) -> Option<(usize, usize)> {
            self.asked.borrow_mut().push(bytes);
            self.arena.used += 8;
            self.arena.grow(bytes)
        }
    }

    #[test]
    fn a_reset_heap_carves_its_region_again_grown_to_what_it_held() {
        let buffer = vec![0u64; 1 << 14];
        let asked = alloc::rc::Rc::new(core::cell::RefCell::new(Vec::new()));
        let heap = Heap::new(Recorded {
            arena: Arena {
                base: buffer.as_ptr() as usize,
                used: 0,
                size: 1 << 17,
                chunk: 1024,
                grows: 1,
            },
            asked: asked.clone(),
        });
        let layout = Layout::from_size_align(600, 8).unwrap();
        let first = unsafe { heap.alloc(layout) };
        let second = unsafe { heap.alloc(layout) };
        let third = unsafe { heap.alloc(layout) };
        assert_ne!(
            second as usize + 600,
            third as usize,
            "a region of 1 KiB each"
        );
        unsafe { heap.reset() };
        // Only the current region is carved again; the ones before it stay given up.
        assert_eq!(unsafe { heap.alloc(layout) }, third);
        assert_ne!(first, third);
        // Two blocks do not fit in a region of 1 KiB: the next region is asked to hold all
        // that was carved between the two resets before (1 800 bytes), and once the heap is
        // in it, both blocks fit.
        let _ = unsafe { heap.alloc(layout) };
        assert!(asked.borrow().last().is_some_and(|&n| n >= 1800));
        unsafe { heap.reset() };
        let again = unsafe { heap.alloc(layout) };
        assert_eq!(unsafe { heap.alloc(layout) } as usize, again as usize + 600);
    }

    #[test]
    fn a_rewound_heap_carves_again_from_its_mark_unless_it_moved_region() {
        let (one, _buffer) = heap(1 << 16, 1 << 16);
        let layout = Layout::from_size_align(100, 8).unwrap();
        let kept = unsafe { one.alloc(layout) };
        let mark = one.mark();
        let given_back = unsafe { one.alloc(layout) };
        unsafe { one.alloc(layout) };
        unsafe { one.rewind(mark) };
        assert_eq!(unsafe { one.alloc(layout) }, given_back);
        assert!(given_back as usize >= kept as usize + 100);

        // Regions of 64 bytes, every other one apart: a block too large for the region moves
        // the heap on, and what was carved there stays carved.
        let (apart, _buffer) = heap(1 << 16, 64);
        let small = Layout::from_size_align(16, 8).unwrap();
        unsafe { apart.alloc(small) };
        let mark = apart.mark();
        let large = unsafe { apart.alloc(Layout::from_size_align(1000, 8).unwrap()) };
        unsafe { apart.rewind(mark) };
        assert!(unsafe { apart.alloc(small) } as usize >= large as usize + 1000);
    }

    /// Regions exactly as large as asked, at odd addresses, never contiguous; records them.
    struct Odd {
        base: usize,
        used: usize,
        regions: alloc::rc::Rc<core::cell::RefCell<Vec<(usize, usize)>>>,
    }

    impl Grow for Odd {
        fn grow(&mut self, bytes: usize) -> Option<(usize, usize)> {
            let start = self.base + (self.used | 1) + 2;
            self.used = start - self.base + bytes;
            self.regions.borrow_mut().push((start, start + bytes));
            Some((start, start + bytes))
        }
    }

    #[test]
    fn blocks_take_whole_granules_inside_regions_whatever_their_ends() {
        let buffer = vec![0u64; 1 << 14];
        let regions = alloc::rc::Rc::new(core::cell::RefCell::new(Vec::new()));
        let heap = Heap::new(Odd {
            base: buffer.as_ptr() as usize,
            used: 0,
            regions: regions.clone(),
        });
        let mut next = numbers(0x9E37_79B9_7F4A_7C15);
        let mut last_end = 0;
        for _ in 0..2_000 {
            let (size, align) = (1 + next(200) as usize, 1 << next(6));
            let ptr = unsafe { heap.alloc(Layout::from_size_align(size, align).unwrap()) } as usize;
            assert_eq!(ptr % align.max(GRANULE), 0, "aligned to a granule at least");
            assert!(ptr >= last_end, "after the blocks before it");
            last_end = ptr + size;
            assert!(
                regions
                    .borrow()
                    .iter()
                    .any(|&(start, end)| start <= ptr && ptr + size <= end),
                "inside one region"
            );
        }
    }

    /// Regions given in turn from a list, whatever was asked.
    struct Scripted {
        regions: Vec<(usize, usize)>,
    }

    impl Grow for Scripted {
        fn grow(&mut self, _bytes: usize) -> Option<(usize, usize)> {
            (!self.regions.is_empty()).then(|| self.regions.remove(0))
        }
    }

    #[test]
    fn a_region_smaller_than_asked_is_refused_and_the_heap_stays_where_it_was() {
        let buffer = vec![0u64; 1 << 10];
        let base = buffer.as_ptr() as usize;
        let heap = Heap::new(Scripted {
            regions: vec![(base, base + 64), (base + 1024, base + 1040)],
        });
        let layout = Layout::from_size_align(8, 8).unwrap();
        let block = unsafe { heap.alloc(layout) };
        assert_eq!(block as usize, base);
        // The last block cannot grow in its region, and the next region is too small for it.
        assert!(unsafe { heap.realloc(block, layout, 200) }.is_null());
        // The block stays its owner's; the heap carves on after it, in its region.
        assert_eq!(unsafe { heap.alloc(layout) } as usize, base + 8);
        unsafe { heap.reset() };
        assert_eq!(unsafe { heap.alloc(layout) } as usize, base);
    }

    #[test]
    fn the_last_block_grows_in_place_and_exhaustion_is_null() {
        let (heap, _buffer) = heap(1 << 16, 1 << 16);
        let layout = Layout::from_size_align(100, 1).unwrap();
        let ptr = unsafe { heap.alloc(layout) };
        assert_eq!(unsafe { heap.realloc(ptr, layout, 1000) }, ptr);
        let too_big = Layout::from_size_align(1 << 17, 1).unwrap();
        assert!(unsafe { heap.alloc(too_big) }.is_null());
        // A failed growth leaves the block to its owner: the next block is carved after it.
        let grown = Layout::from_size_align(1000, 1).unwrap();
        assert!(unsafe { heap.realloc(ptr, grown, 1 << 17) }.is_null());
        let next = unsafe { heap.alloc(layout) };
        assert!(next as usize >= ptr as usize + 1000);
    }
}
