//! Ending cleanly on a signal: temporary files that SIGINT, SIGTERM, SIGHUP (or SIGBUS) must
//! not leave behind, and holding those signals back while an in-place patch is applied.
//!
//! Each registered path is a leaked C string in a fixed slot; a handler takes it out of its
//! slot with an atomic swap, so a path is unlinked (or freed) exactly once.

use std::os::fd::{AsRawFd, BorrowedFd};
use std::path::Path;
use std::sync::Once;
use std::sync::atomic::{AtomicI32, AtomicPtr, Ordering};

use rustix::termios::{OptionalActions, Termios, tcsetattr};

const TEMP_SLOTS: usize = 8;

#[allow(clippy::declare_interior_mutable_const)] // a template for the array below only
const NO_TEMP: AtomicPtr<libc::c_char> = AtomicPtr::new(std::ptr::null_mut());

static TEMPS: [AtomicPtr<libc::c_char>; TEMP_SLOTS] = [NO_TEMP; TEMP_SLOTS];

/// A temporary file that a signal ending mmt (SIGINT, SIGTERM, SIGHUP, SIGBUS) deletes, for as
/// long as this value lives.
pub struct RemoveOnSignal {
    slot: Option<usize>,
}

/// Has `path` deleted if a signal ends mmt before the returned value is dropped. Installs the
/// handlers on first use.
pub fn remove_on_signal(path: &Path) -> RemoveOnSignal {
    use std::os::unix::ffi::OsStrExt;
    install_interrupt_handlers();
    let Ok(path) = std::ffi::CString::new(path.as_os_str().as_bytes()) else {
        return RemoveOnSignal { slot: None };
    };
    let raw = path.into_raw();
    let slot = TEMPS.iter().position(|slot| {
        slot.compare_exchange(
            std::ptr::null_mut(),
            raw,
            Ordering::AcqRel,
            Ordering::Relaxed,
        )
        .is_ok()
    });
    if slot.is_none() {
        // SAFETY: `raw` came from `CString::into_raw` just above and went into no slot.
        drop(unsafe { std::ffi::CString::from_raw(raw) });
    }
    RemoveOnSignal { slot }
}

impl Drop for RemoveOnSignal {
    fn drop(&mut self) {
        let Some(slot) = self.slot else { return };
        let raw = TEMPS[slot].swap(std::ptr::null_mut(), Ordering::AcqRel);
        if !raw.is_null() {
            // SAFETY: a non-null pointer in a slot came from `CString::into_raw` in
            // `remove_on_signal`, and taking it out of the slot makes this its only owner.
            drop(unsafe { std::ffi::CString::from_raw(raw) });
        }
    }
}

/// Deletes every registered temporary file; true when there was one. Async-signal-safe: atomic
/// swaps and `unlink`.
fn remove_registered_temps() -> bool {
    let mut removed = false;
    for slot in &TEMPS {
        let raw = slot.swap(std::ptr::null_mut(), Ordering::AcqRel);
        if !raw.is_null() {
            removed = true;
            // SAFETY: `raw` is a NUL-terminated path leaked by `remove_on_signal`; it is only
            // read here, never freed (the process is about to end).
            unsafe {
                libc::unlink(raw);
            }
        }
    }
    removed
}

const INTERRUPTS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];
static INTERRUPT_HANDLERS: Once = Once::new();

fn install_interrupt_handlers() {
    INTERRUPT_HANDLERS.call_once(|| {
        for signal in INTERRUPTS {
            // SAFETY: a zeroed, then fully initialised, `sigaction` whose handler only does
            // async-signal-safe work (atomic swaps, `unlink`, `write`, `signal`, `raise`).
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_interrupt as *const () as libc::sighandler_t;
                libc::sigemptyset(&mut action.sa_mask);
                action.sa_flags = 0;
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    });
}

static INTERRUPTED_MESSAGE: &[u8] = b"mmt: interrupted; the file being rewritten was left as it \
was, its temporary file removed\n";

/// What every signal that ends mmt does first, whichever it is (SIGINT, SIGTERM, SIGHUP from
/// `on_interrupt`, SIGBUS from `sigbus::on_sigbus`): the terminal a review changed put back, and
/// the temporary files of a rewrite removed. True when a temporary file was removed.
/// Async-signal-safe: atomic swaps, `ioctl` and `unlink`.
pub(crate) fn clean_up_before_the_end() -> bool {
    restore_terminal();
    remove_registered_temps()
}

extern "C" fn on_interrupt(signal: libc::c_int) {
    let removed = clean_up_before_the_end();
    // SAFETY: `write`, `signal` and `raise` are async-signal-safe. With the default action
    // restored, raising the signal again ends the process by that signal, so the shell sees a
    // process killed by Ctrl-C (status 130), as it would without this handler.
    unsafe {
        if removed {
            libc::write(
                2,
                INTERRUPTED_MESSAGE.as_ptr().cast(),
                INTERRUPTED_MESSAGE.len(),
            );
        }
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
}

/// The terminal a review has changed the modes of, and the modes to put back: the descriptor
/// (-1 for none) and a leaked `Termios`, taken out with an atomic swap by whichever comes
/// first, the handler or the guard's drop.
static TERMINAL_FD: AtomicI32 = AtomicI32::new(-1);
static TERMINAL_MODES: AtomicPtr<Termios> = AtomicPtr::new(std::ptr::null_mut());

/// Puts the terminal back in its modes if a signal ends mmt while the review has it: a
/// `kill` from elsewhere, or a hang-up (the review reads Ctrl-C as a key).
pub struct RestoreTerminalOnSignal(());

/// Has the terminal `fd` put back in `modes` if SIGINT, SIGTERM or SIGHUP ends mmt before the
/// returned value is dropped (the caller puts it back itself then). Installs the handlers.
pub fn restore_terminal_on_signal(fd: BorrowedFd<'_>, modes: &Termios) -> RestoreTerminalOnSignal {
    install_interrupt_handlers();
    let leaked = Box::into_raw(Box::new(modes.clone()));
    free_terminal_modes(TERMINAL_MODES.swap(leaked, Ordering::AcqRel));
    TERMINAL_FD.store(fd.as_raw_fd(), Ordering::Release);
    RestoreTerminalOnSignal(())
}

impl Drop for RestoreTerminalOnSignal {
    fn drop(&mut self) {
        TERMINAL_FD.store(-1, Ordering::Release);
        free_terminal_modes(TERMINAL_MODES.swap(std::ptr::null_mut(), Ordering::AcqRel));
    }
}

fn free_terminal_modes(modes: *mut Termios) {
    if !modes.is_null() {
        // SAFETY: a non-null pointer in `TERMINAL_MODES` came from `Box::into_raw` in
        // `restore_terminal_on_signal`, and swapping it out made this its only owner.
        drop(unsafe { Box::from_raw(modes) });
    }
}

/// Puts the registered terminal back in its modes. Async-signal-safe: atomic swaps and one
/// `ioctl` (rustix calls the kernel directly).
fn restore_terminal() {
    let modes = TERMINAL_MODES.swap(std::ptr::null_mut(), Ordering::AcqRel);
    let fd = TERMINAL_FD.load(Ordering::Acquire);
    if modes.is_null() || fd < 0 {
        return;
    }
    // SAFETY: `fd` is the terminal's descriptor, open while it is registered (the guard that
    // unregisters it is dropped before the terminal is closed); `modes` is the leaked
    // `Termios` taken out of its slot above, only read here and never freed (the process is
    // about to end by the signal).
    unsafe {
        let _ = tcsetattr(BorrowedFd::borrow_raw(fd), OptionalActions::Now, &*modes);
    }
}

/// Whether SIGINT, SIGTERM or SIGHUP is waiting while held back: a writing run checks between
/// files and between chunks of a long copy, rolls back, and lets the signal through.
pub fn interrupt_pending() -> bool {
    // SAFETY: `pending` is initialised by `sigpending` (which only writes to it) before it is
    // read by `sigismember`.
    unsafe {
        let mut pending: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut pending);
        if libc::sigpending(&mut pending) != 0 {
            return false;
        }
        INTERRUPTS
            .iter()
            .any(|&signal| libc::sigismember(&pending, signal) == 1)
    }
}

/// Takes every held-back SIGINT, SIGTERM and SIGHUP off the pending list, so that dropping the
/// guard delivers none: a run that has passed its commit point completes and exits as it would
/// have (doc/transactions.md, "Transactions"). Only signals this thread holds back are taken.
fn discard_pending_interrupts() {
    while interrupt_pending() {
        // SAFETY: the set is initialised by `sigemptyset` and `sigaddset` before use;
        // `sigtimedwait` with a zero timeout takes one pending signal of the set (or none) and
        // writes nothing through the null info pointer.
        let taken = unsafe {
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            for signal in INTERRUPTS {
                libc::sigaddset(&mut set, signal);
            }
            let zero = libc::timespec {
                tv_sec: 0,
                tv_nsec: 0,
            };
            libc::sigtimedwait(&set, std::ptr::null_mut(), &zero)
        };
        if taken < 0 {
            return;
        }
    }
}

/// Holds back SIGINT, SIGTERM and SIGHUP while it lives, so that an in-place patch is either
/// done or not begun when one of them ends mmt: a pending signal is delivered when the guard
/// is dropped.
///
/// The signal mask is per thread, and that is where this promise can break:
/// - A signal sent to the process goes to any thread that does not hold it back. "Ctrl-C
///   waits" holds only while no thread that was started before the guard is still running:
///   a thread inherits its creator's mask, so the workers of `Transaction::write_each` and the
///   `mmt-trash` thread, all started under the guard, hold the signals back too. A thread
///   started earlier and still alive (none is today: planning's threads are scoped and end
///   before a run begins) would take the signal and end mmt in the middle of a patch.
/// - Guards nest (a run holds one, and each in-place patch takes its own): each puts back the
///   mask it found, so they must be dropped in the reverse order of their making, as scopes
///   drop them. A guard moved out of its scope and dropped late would unblock too early.
pub struct InterruptsHeldBack {
    previous: libc::sigset_t,
}

pub fn hold_back_interrupts() -> InterruptsHeldBack {
    install_interrupt_handlers();
    // SAFETY: the signal sets are initialised by `sigemptyset` before use; `pthread_sigmask`
    // only changes this thread's mask and stores the previous one in `previous`.
    unsafe {
        let mut block: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut block);
        for signal in INTERRUPTS {
            libc::sigaddset(&mut block, signal);
        }
        let mut previous: libc::sigset_t = std::mem::zeroed();
        libc::pthread_sigmask(libc::SIG_BLOCK, &block, &mut previous);
        InterruptsHeldBack { previous }
    }
}

impl InterruptsHeldBack {
    /// A run has passed its commit point: every signal held back so far is dropped, and those
    /// that come later are held back until mmt exits (and so dropped), so that the run
    /// completes and exits as it would have, its summary printed.
    pub fn past_commit_point(self) {
        discard_pending_interrupts();
        std::mem::forget(self);
    }
}

impl Drop for InterruptsHeldBack {
    fn drop(&mut self) {
        // SAFETY: restores the mask saved by `hold_back_interrupts` on this same thread.
        unsafe {
            libc::pthread_sigmask(libc::SIG_SETMASK, &self.previous, std::ptr::null_mut());
        }
    }
}
