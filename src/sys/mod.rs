//! The process and the kernel, apart from maps: the one path every fatal signal ends through
//! (`signals`: temporary files removed, the terminal put back, Ctrl-C held back while files are
//! written), and the system calls that are not maps but need `unsafe` all the same (`kernel`:
//! SIGXFSZ, writeback, syncfs, read leases, the open-file limit). `unsafe` lives here and in
//! `map`, with a `// SAFETY:` comment at each use. Nothing here knows a command.

mod kernel;
pub(crate) mod signals;
mod terminal;

pub use kernel::{
    NoLease, ReadLease, flush_file_system, ignore_sigxfsz, raise_open_file_limit, start_writeback,
    take_read_lease, write_out,
};
pub use signals::{
    InterruptsHeldBack, RestoreTerminalOnSignal, hold_back_interrupts, interrupt_pending,
    remove_on_signal, restore_terminal_on_signal,
};
pub use terminal::{stderr_is_terminal, stdout_is_terminal};
