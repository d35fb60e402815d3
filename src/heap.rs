//! The component's allocator: blocks of power-of-two sizes, one free list per size, carved
//! from the end of the heap as it grows.
//!
//! Each call into the component runs in a fresh instance and lasts milliseconds, so blocks are
//! never split or merged: allocating and freeing are a few operations each, where dlmalloc
//! (std's allocator on wasm32) spent about a tenth of a push's fuel splitting and coalescing
//! chunks. The price is up to half of a block unused and a freed block serving only its own
//! size class, bounded by the few megabytes one call allocates.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ptr::null_mut;

/// Where fresh memory comes from: a region of at least `bytes` bytes, as (start, end).
pub(crate) trait Grow {
    fn grow(&mut self, bytes: usize) -> Option<(usize, usize)>;
}

/// Eight-byte blocks at least: a free block holds the link to the next one.
const MIN_BLOCK: usize = 8;
const CLASSES: usize = usize::BITS as usize;

struct State<G> {
    /// The first free block of each size class (`1 << class` bytes), 0 for none; each free
    /// block starts with the address of the next.
    free: [usize; CLASSES],
    /// Never used memory: `next..end`.
    next: usize,
    end: usize,
    grow: G,
}

pub(crate) struct Heap<G> {
    state: UnsafeCell<State<G>>,
}

// SAFETY: the component is single-threaded (wasm32 without atomics), and the tests use a heap
// from one thread at a time.
unsafe impl<G> Sync for Heap<G> {}

/// The size class of a layout: its block is `1 << class` bytes, aligned as asked.
fn class(layout: &Layout) -> usize {
    let size = layout.size().max(layout.align()).max(MIN_BLOCK);
    (usize::BITS - (size - 1).leading_zeros()) as usize
}

impl<G: Grow> Heap<G> {
    pub(crate) const fn new(grow: G) -> Self {
        Heap {
            state: UnsafeCell::new(State {
                free: [0; CLASSES],
                next: 0,
                end: 0,
                grow,
            }),
        }
    }
}

impl<G: Grow> State<G> {
    /// A new block of `size` bytes aligned to `align`, from never used memory.
    /// `align` is a power of two (a `Layout`'s), so rounding up is a mask, not a division.
    #[inline(always)]
    fn carve(&mut self, size: usize, align: usize) -> Option<usize> {
        loop {
            let start = self.next.checked_add(align - 1)? & !(align - 1);
            let end = start.checked_add(size)?;
            if end <= self.end {
                self.next = end;
                return Some(start);
            }
            let (fresh, fresh_end) = self.grow.grow(size.checked_add(align)?)?;
            // Contiguous memory extends the current region; otherwise its rest is given up.
            if fresh != self.end {
                self.next = fresh;
            }
            self.end = fresh_end;
        }
    }
}

// SAFETY: blocks handed out never overlap: each is carved once from `next..end`, which only
// moves forward, and is on at most one free list once freed (`dealloc`'s contract). A block
// is at least as large and as aligned as its layout asks: its class covers both, and a reused
// block is checked against the alignment.
unsafe impl<G: Grow> GlobalAlloc for Heap<G> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: single-threaded, and no reference into the state outlives this call.
        let state = unsafe { &mut *self.state.get() };
        let class = class(&layout);
        let head = state.free[class];
        if head != 0 && head % layout.align() == 0 {
            // SAFETY: `head` is a free block of this class; its first word links the next.
            state.free[class] = unsafe { *(head as *const usize) };
            return head as *mut u8;
        }
        match state.carve(1 << class, layout.align().max(MIN_BLOCK)) {
            Some(start) => start as *mut u8,
            None => null_mut(),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as in `alloc`.
        let state = unsafe { &mut *self.state.get() };
        let class = class(&layout);
        // SAFETY: `ptr` is a block of this class (or larger, see `realloc`) no longer in use.
        unsafe { *(ptr as *mut usize) = state.free[class] };
        state.free[class] = ptr as usize;
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `realloc`'s contract: `new_size` with this alignment is a valid layout.
        let new_layout = unsafe { Layout::from_size_align_unchecked(new_size, layout.align()) };
        let (old_class, new_class) = (class(&layout), class(&new_layout));
        if new_class <= old_class {
            // The block has room already (a larger block freed as a smaller class is safe).
            return ptr;
        }
        {
            // SAFETY: as in `alloc`; the borrow ends before `alloc` below takes another.
            let state = unsafe { &mut *self.state.get() };
            let start = ptr as usize;
            // The last block carved grows in place: a `Vec` being filled, most often.
            if start + (1 << old_class) == state.next && start + (1 << new_class) <= state.end {
                state.next = start + (1 << new_class);
                return ptr;
            }
        }
        // SAFETY: `new_layout` is valid (above); the old block holds `layout.size()` bytes and
        // does not overlap the new one.
        unsafe {
            let new = self.alloc(new_layout);
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size());
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

/// Linear memory 0 grown by whole 64 KiB pages, at least 64 KiB at a time.
#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
pub(crate) struct LinearMemory;

#[cfg(all(target_arch = "wasm32", target_os = "wasi"))]
impl Grow for LinearMemory {
    fn grow(&mut self, bytes: usize) -> Option<(usize, usize)> {
        const PAGE: usize = 64 * 1024;
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
    fn freed_blocks_are_reused_by_their_size_class() {
        let (heap, _buffer) = heap(1 << 16, 1024);
        let layout = Layout::from_size_align(24, 8).unwrap();
        let first = unsafe { heap.alloc(layout) };
        unsafe { heap.dealloc(first, layout) };
        let same_class = Layout::from_size_align(32, 4).unwrap();
        assert_eq!(unsafe { heap.alloc(same_class) }, first);
    }

    #[test]
    fn the_last_block_grows_in_place_and_exhaustion_is_null() {
        let (heap, _buffer) = heap(1 << 16, 1 << 16);
        let layout = Layout::from_size_align(100, 1).unwrap();
        let ptr = unsafe { heap.alloc(layout) };
        assert_eq!(unsafe { heap.realloc(ptr, layout, 1000) }, ptr);
        let too_big = Layout::from_size_align(1 << 17, 1).unwrap();
        assert!(unsafe { heap.alloc(too_big) }.is_null());
    }
}
