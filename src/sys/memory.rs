//! Memory: words shared across fork (`MAP_SHARED`), and private buffers unmapped on drop.

use std::io;
use std::ptr::NonNull;
use std::sync::atomic::AtomicU32;

/// Zeroed `u32` words in an anonymous `MAP_SHARED` mapping: after a fork, parent and child
/// see the same words, so they can serve as process-shared futexes.
pub struct SharedWords {
    ptr: NonNull<AtomicU32>,
    len: usize,
}

// SAFETY: the mapping is only ever accessed through `&AtomicU32`, which is Sync.
unsafe impl Send for SharedWords {}
// SAFETY: as above: all access is atomic.
unsafe impl Sync for SharedWords {}

impl SharedWords {
    /// Maps `len` zeroed words (rounded up to whole pages).
    pub fn new(len: usize) -> io::Result<Self> {
        let len = len.max(1);
        let bytes = len * std::mem::size_of::<AtomicU32>();
        let ptr = map_anonymous(bytes, libc::MAP_SHARED)?.cast::<AtomicU32>();
        Ok(Self { ptr, len })
    }

    /// The words. Anonymous mappings start zeroed, a valid `AtomicU32` value.
    pub fn words(&self) -> &[AtomicU32] {
        // SAFETY: `ptr` points at `len` page-aligned, zero-initialised u32s that stay
        // mapped until `drop`; AtomicU32 has the layout of u32 and all access is atomic.
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for SharedWords {
    fn drop(&mut self) {
        // SAFETY: unmaps exactly the region mapped in `new`; no reference into it outlives
        // `self` (words() borrows self).
        unsafe {
            libc::munmap(
                self.ptr.as_ptr().cast(),
                self.len * std::mem::size_of::<AtomicU32>(),
            );
        }
    }
}

/// Private anonymous memory (`mmap`), unmapped on drop: a working-set buffer that goes
/// back to the kernel at once instead of staying in the allocator's heap (which would
/// make every later `fork` copy more page tables). After a fork each process has its own
/// copy-on-write view.
pub struct PrivateBuffer {
    ptr: NonNull<u8>,
    len: usize,
}

// SAFETY: the buffer is plain memory owned by this value; access goes through `&`/`&mut`.
unsafe impl Send for PrivateBuffer {}

impl PrivateBuffer {
    /// Maps `len` zeroed bytes (none faulted in yet). `len` 0 maps nothing.
    pub fn new(len: usize) -> io::Result<Self> {
        if len == 0 {
            return Ok(Self {
                ptr: NonNull::dangling(),
                len: 0,
            });
        }
        let ptr = map_anonymous(len, libc::MAP_PRIVATE)?;
        Ok(Self { ptr, len })
    }

    /// The bytes.
    pub fn as_mut_slice(&mut self) -> &mut [u8] {
        // SAFETY: `ptr` points at `len` readable and writable bytes mapped until `drop`
        // (or is dangling with `len` 0, which a slice allows); `&mut self` makes the
        // borrow unique.
        unsafe { std::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }
}

impl Drop for PrivateBuffer {
    fn drop(&mut self) {
        if self.len > 0 {
            // SAFETY: unmaps exactly the region mapped in `new`; no borrow of it outlives
            // `self`.
            unsafe {
                libc::munmap(self.ptr.as_ptr().cast(), self.len);
            }
        }
    }
}

/// Maps `bytes` (more than 0) of zeroed, readable and writable anonymous memory,
/// `MAP_SHARED` or `MAP_PRIVATE` as `sharing` says, at an address the kernel picks.
pub(crate) fn map_anonymous(bytes: usize, sharing: libc::c_int) -> io::Result<NonNull<u8>> {
    // SAFETY: an anonymous mapping at an address the kernel picks aliases no Rust object;
    // the result is checked before use.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            bytes,
            libc::PROT_READ | libc::PROT_WRITE,
            sharing | libc::MAP_ANONYMOUS,
            -1,
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    NonNull::new(p.cast::<u8>()).ok_or_else(|| io::Error::other("mmap returned null"))
}
