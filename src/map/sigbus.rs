//! SIGBUS, the one sharp edge of mapping: every map is registered with its address range and
//! its file's message while it lives ([`Registration`]); the handler looks up the faulting
//! address and prints that file's `mmt: FILE: ...` message instead of a bare "Bus error".

use std::path::Path;
use std::sync::Once;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

/// How many maps can be registered at once with their own message; past that, a fault is
/// reported without the file's name (a replace over many files holds one map per changed file).
pub(super) const SLOTS: usize = 1024;

/// One registered map: its address range and its message (a leaked `Box<[u8]>`, freed when
/// the map is unregistered). `start` is 0 for a free slot and is published last, so the
/// handler never sees a range without its message.
pub(super) struct Slot {
    start: AtomicUsize,
    len: AtomicUsize,
    message: AtomicPtr<u8>,
    message_len: AtomicUsize,
}

#[allow(clippy::declare_interior_mutable_const)] // a template for the array below only
pub(super) const FREE: Slot = Slot {
    start: AtomicUsize::new(0),
    len: AtomicUsize::new(0),
    message: AtomicPtr::new(std::ptr::null_mut()),
    message_len: AtomicUsize::new(0),
};

pub(super) static REGISTRY: [Slot; SLOTS] = [FREE; SLOTS];
/// Marks a slot taken while it is being filled in.
pub(super) const FILLING: usize = usize::MAX;

pub(super) static GENERIC_MESSAGE: &[u8] =
    b"mmt: a mapped file was truncated while mapped, or a page of it \
could not be read or written (use --no-mmap to work on a copy in memory)\n";

/// A map's place in the registry, given back when dropped.
pub(super) struct Registration {
    slot: Option<usize>,
}

impl Registration {
    pub(super) fn new(start: *const u8, len: usize, path: &Path) -> Registration {
        install_sigbus_handler();
        let message = format!(
            "mmt: {}: file was truncated while mapped, or a page of it could not be read or \
             written (use --no-mmap to work on a copy in memory)\n",
            crate::files::name::Name::of(path)
        )
        .into_bytes()
        .into_boxed_slice();
        let slot = REGISTRY.iter().position(|slot| {
            slot.start
                .compare_exchange(0, FILLING, Ordering::Acquire, Ordering::Relaxed)
                .is_ok()
        });
        if let Some(index) = slot {
            let slot = &REGISTRY[index];
            let message_len = message.len();
            slot.message
                .store(Box::into_raw(message).cast::<u8>(), Ordering::Relaxed);
            slot.message_len.store(message_len, Ordering::Relaxed);
            slot.len.store(len, Ordering::Relaxed);
            // An empty map cannot fault; its start still marks the slot taken.
            slot.start.store((start as usize).max(1), Ordering::Release);
        }
        Registration { slot }
    }
}

impl Drop for Registration {
    fn drop(&mut self) {
        let Some(index) = self.slot else { return };
        let slot = &REGISTRY[index];
        slot.start.store(FILLING, Ordering::Release);
        let message = slot.message.swap(std::ptr::null_mut(), Ordering::AcqRel);
        let len = slot.message_len.load(Ordering::Relaxed);
        if !message.is_null() {
            // SAFETY: `message` came from `Box::into_raw` of a boxed slice of `len` bytes in
            // `Registration::new`, and was taken out of the slot above, so it is freed once.
            // The handler reads it only for a fault inside this map, and the map is alive, and
            // not in use by any thread, while its owner drops it.
            drop(unsafe { Box::from_raw(std::ptr::slice_from_raw_parts_mut(message, len)) });
        }
        slot.start.store(0, Ordering::Release);
    }
}

pub(super) static SIGBUS_HANDLER: Once = Once::new();

pub(super) fn install_sigbus_handler() {
    SIGBUS_HANDLER.call_once(|| {
        // SAFETY: `sigaction` is given a zeroed, then fully initialised, struct whose handler is
        // an `extern "C"` function that only performs async-signal-safe work (atomic loads and
        // swaps, `ioctl`, `unlink`, `write` and `_exit`). Installing a handler has no other
        // effect on Rust's invariants.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_sigbus as *const () as libc::sighandler_t;
            libc::sigemptyset(&mut action.sa_mask);
            action.sa_flags = libc::SA_SIGINFO;
            libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
        }
    });
}

/// The registered message for a fault at `address`, if a registered map holds it.
pub(super) fn message_for(address: usize) -> Option<(*const u8, usize)> {
    REGISTRY.iter().find_map(|slot| {
        let start = slot.start.load(Ordering::Acquire);
        if start == 0 || start == FILLING {
            return None;
        }
        let len = slot.len.load(Ordering::Relaxed);
        if !(start..start.saturating_add(len)).contains(&address) {
            return None;
        }
        let message = slot.message.load(Ordering::Relaxed);
        (!message.is_null()).then(|| {
            (
                message.cast_const(),
                slot.message_len.load(Ordering::Relaxed),
            )
        })
    })
}

pub(super) extern "C" fn on_sigbus(
    _signal: libc::c_int,
    info: *mut libc::siginfo_t,
    _context: *mut libc::c_void,
) {
    // SAFETY: the kernel passes a valid `siginfo_t` to an SA_SIGINFO handler; for SIGBUS its
    // `si_addr` is the faulting address. A registered message stays allocated while its map
    // lives (see `Registration::drop`). `write` and `_exit` are async-signal-safe; we never
    // return into the faulting instruction, which would fault again.
    unsafe {
        let address = if info.is_null() {
            0
        } else {
            (*info).si_addr() as usize
        };
        crate::sys::signals::clean_up_before_the_end();
        let (message, len) =
            message_for(address).unwrap_or((GENERIC_MESSAGE.as_ptr(), GENERIC_MESSAGE.len()));
        libc::write(2, message.cast(), len);
        libc::_exit(2);
    }
}
