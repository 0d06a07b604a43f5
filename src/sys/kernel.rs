//! Calls into the kernel that are not maps but need `unsafe` all the same: ignoring SIGXFSZ,
//! starting and waiting for writeback, syncfs, read leases and the open-file limit.

use std::fs::File;
use std::io;

/// Makes a write past the file-size limit (`ulimit -f`) fail with `EFBIG`, which mmt reports and
/// cleans up after, instead of killing the process with SIGXFSZ and leaving a temporary file.
pub fn ignore_sigxfsz() {
    // SAFETY: setting a signal's disposition to SIG_IGN installs no code and touches no memory.
    unsafe {
        libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
    }
}

/// Asks the kernel to start writing `len` bytes at `offset` of `file` to disk, without waiting
/// for it and without dropping the pages from the cache (`sync_file_range(WRITE)`). A rewrite
/// calls it behind its copy, so that the final fsync finds most of the file already on disk.
/// Only a hint: an error costs speed, never data. (It lives here because this is the crate's
/// one module with `unsafe`.)
pub fn start_writeback(file: &File, offset: u64, len: u64) {
    use std::os::fd::AsRawFd;
    let (Ok(offset), Ok(len)) = (i64::try_from(offset), i64::try_from(len)) else {
        return;
    };
    // SAFETY: sync_file_range only reads its integer arguments; `file` is open for the whole
    // call, so the descriptor is valid. It touches no memory of this process.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE);
    }
}

/// Writes `file`'s dirty pages to disk in pieces of [`WRITE_OUT_PIECE`] bytes, waiting for each
/// (`sync_file_range` with WAIT_BEFORE, WRITE and WAIT_AFTER), and asks `stop` between pieces:
/// a long sync that a held-back Ctrl-C should cut short gives it a chance every piece, and the
/// `fsync` that follows has little left to do. Ends early with `Interrupted` when `stop` says
/// so. (It lives here because this is the crate's one module with `unsafe`.)
pub fn write_out(file: &File, stop: &dyn Fn() -> bool) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let len = file.metadata()?.len();
    let mut offset = 0u64;
    while offset < len {
        if stop() {
            return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
        }
        let piece = WRITE_OUT_PIECE.min(len - offset);
        let (Ok(at), Ok(n)) = (i64::try_from(offset), i64::try_from(piece)) else {
            break;
        };
        // SAFETY: sync_file_range only reads its integer arguments; `file` is open for the
        // whole call, so the descriptor is valid. It touches no memory of this process.
        let done = unsafe {
            libc::sync_file_range(
                file.as_raw_fd(),
                at,
                n,
                libc::SYNC_FILE_RANGE_WAIT_BEFORE
                    | libc::SYNC_FILE_RANGE_WRITE
                    | libc::SYNC_FILE_RANGE_WAIT_AFTER,
            )
        };
        if done != 0 {
            let err = io::Error::last_os_error();
            // A file system without it (or a pipe): the fsync after does all the work.
            if matches!(
                err.raw_os_error(),
                Some(libc::EINVAL | libc::ESPIPE | libc::ENOSYS)
            ) {
                break;
            }
            return Err(err);
        }
        offset += piece;
    }
    if stop() {
        return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
    }
    Ok(())
}

/// Makes everything written to the file system that holds `file` durable: dirty data and
/// metadata written, the journal committed, the disk's cache flushed (`syncfs`).
pub fn flush_file_system(file: &File) -> io::Result<()> {
    rustix::fs::syncfs(file).map_err(io::Error::from)
}

/// A read lease on a file (`fcntl(F_SETLEASE, F_RDLCK)`), given back when dropped. The kernel
/// grants one only while no process has the file open for writing, and breaks it when one
/// opens it for writing: that opener waits until the lease is given back, and the lease shows
/// as broken. A rewrite holds one from before its copy until after its rename, so that no
/// write to the old file can slip in unseen and be lost with it.
pub struct ReadLease<'a> {
    file: &'a File,
}

/// Why a read lease was not granted.
pub enum NoLease {
    /// Another process has the file open for writing (or mmt's own writable descriptor is).
    Writers,
    /// Leases cannot be had here: not the file's owner without CAP_LEASE, a file system
    /// without them (NFS, FUSE, overlay), leases turned off.
    Unsupported,
}

/// Asks for a read lease on `file`, which must be open read-only.
pub fn take_read_lease(file: &File) -> Result<ReadLease<'_>, NoLease> {
    use std::os::fd::AsRawFd;
    ignore_lease_breaks();
    // SAFETY: F_SETLEASE takes an integer argument and touches no memory of this process;
    // `file` is open for the whole call.
    let taken = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_SETLEASE, libc::F_RDLCK) };
    if taken == 0 {
        return Ok(ReadLease { file });
    }
    match io::Error::last_os_error().raw_os_error() {
        Some(libc::EAGAIN | libc::EBUSY) => Err(NoLease::Writers),
        _ => Err(NoLease::Unsupported),
    }
}

impl ReadLease<'_> {
    /// Whether another process has opened the file for writing since the lease was granted (it
    /// waits in `open` until the lease is dropped).
    pub fn broken(&self) -> bool {
        use std::os::fd::AsRawFd;
        // SAFETY: F_GETLEASE takes no argument and touches no memory of this process.
        let now = unsafe { libc::fcntl(self.file.as_raw_fd(), libc::F_GETLEASE) };
        now != libc::F_RDLCK
    }
}

impl Drop for ReadLease<'_> {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: as in `take_read_lease`; giving the lease back lets a waiting opener go on.
        unsafe {
            libc::fcntl(self.file.as_raw_fd(), libc::F_SETLEASE, libc::F_UNLCK);
        }
    }
}

/// The kernel tells a lease holder of a break with SIGIO, whose default action ends the
/// process. mmt asks instead ([`ReadLease::broken`]), so the signal is ignored.
fn ignore_lease_breaks() {
    static IGNORED: std::sync::Once = std::sync::Once::new();
    IGNORED.call_once(|| {
        // SAFETY: setting a signal's disposition to SIG_IGN installs no code and touches no
        // memory. mmt uses no signal-driven I/O, so SIGIO means nothing else to it.
        unsafe {
            libc::signal(libc::SIGIO, libc::SIG_IGN);
        }
    });
}

/// The piece [`write_out`] waits for at a time: a fraction of a second of a disk's writing.
const WRITE_OUT_PIECE: u64 = 32 << 20;

/// A replace over many files holds every file with a match open until it is written; let it
/// hold as many as the system allows, not the default soft limit of 1024.
pub fn raise_open_file_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        limit.current = limit.maximum;
        let _ = setrlimit(Resource::Nofile, limit);
    }
}
