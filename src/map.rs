//! The mapping layer: the one place that maps files, and the only module with `unsafe`.
//!
//! A [`View`] is the bytes of a target, whatever their source: a read-only map of a regular file
//! or block device, or an owned buffer for what cannot or should not be mapped (standard input,
//! pipes and FIFOs, character devices, `/proc` files that report size 0, and `--no-mmap`).
//! The writing commands ask for a write-through map ([`map_shared_mut`]) or a private
//! copy-on-write one ([`map_private`]); commands never call `mmap` themselves.
//!
//! Mapping has one sharp edge that reading does not: when another process truncates a mapped
//! file, touching the lost pages raises SIGBUS. [`arm_sigbus_guard`] turns that into the same
//! kind of `mmt: FILE: ...` message every other error gets, instead of a bare "Bus error".
//!
//! Being the crate's one module with `unsafe`, it also holds the two other system calls that
//! need it: ignoring SIGXFSZ and starting writeback of a range.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::{Deref, Range};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;
use std::sync::Once;
use std::sync::atomic::{AtomicPtr, Ordering};

use anyhow::{Context, Result, bail};
use memmap2::{Advice, Mmap, MmapMut, MmapOptions};

/// The bytes of a target, mapped or owned.
pub struct View {
    bytes: Bytes,
    /// For a sparse file, the ranges that hold data (the rest reads as zeros); `None` when the
    /// file is dense or this could not be learnt.
    data_extents: Option<Vec<Range<usize>>>,
}

enum Bytes {
    Mapped(Mmap),
    Owned(Vec<u8>),
}

impl Deref for View {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Mapped(map) => map,
            Bytes::Owned(buf) => buf,
        }
    }
}

impl View {
    fn owned(bytes: Vec<u8>) -> View {
        View {
            bytes: Bytes::Owned(bytes),
            data_extents: None,
        }
    }

    /// Whether the bytes come from a map of the file (rather than a copy in memory).
    pub fn is_mapped(&self) -> bool {
        matches!(self.bytes, Bytes::Mapped(_))
    }

    /// The ranges of a sparse file that hold data; everything else is a hole that reads as
    /// zeros. A search for bytes that are not all zero can skip the holes, which would otherwise
    /// cost a page fault and a zero-filled page per 4 KiB.
    pub fn data_extents(&self) -> Option<&[Range<usize>]> {
        self.data_extents.as_deref()
    }

    /// Tells the kernel that the whole view will be read front to back, so it reads ahead
    /// aggressively. Only worth it for commands that scan; a failure only costs speed.
    pub fn expect_sequential_scan(&self) {
        if let Bytes::Mapped(map) = &self.bytes {
            let _ = map.advise(Advice::Sequential);
        }
    }
}

/// How a target should be opened for reading.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadPlan {
    /// Read into memory even when the file could be mapped.
    pub no_mmap: bool,
    /// When the target has to be read (not mapped), no more than this many bytes are needed:
    /// reading `/dev/zero` for `mmt read /dev/zero 16` must stop.
    pub limit: Option<u64>,
}

impl ReadPlan {
    /// All of the target, mapped unless `no_mmap`.
    pub fn whole(no_mmap: bool) -> ReadPlan {
        ReadPlan {
            no_mmap,
            limit: None,
        }
    }
}

/// Opens `path` (`-` for standard input) as a [`View`].
pub fn open_view(path: &Path, plan: ReadPlan) -> Result<View> {
    if path.as_os_str() == "-" {
        let bytes = read_bounded(io::stdin().lock(), plan.limit).context("cannot read")?;
        return Ok(View::owned(bytes));
    }
    let file = File::open(path).context("cannot open")?;
    view_of_file(&file, path, plan)
}

/// A [`View`] of a file that is already open (the writing commands hold it locked).
/// `path` only names the file in messages.
pub fn view_of_file(file: &File, path: &Path, plan: ReadPlan) -> Result<View> {
    let meta = file.metadata().context("cannot stat")?;
    let kind = meta.file_type();
    if kind.is_dir() {
        bail!("is a directory");
    }
    let len = if kind.is_block_device() {
        block_device_len(file)?
    } else {
        meta.len()
    };
    let mappable = (kind.is_file() || kind.is_block_device()) && len > 0 && !plan.no_mmap;
    if !mappable {
        // Pipes, character devices and files that report size 0 but have content (/proc).
        let bytes = read_bounded(file, plan.limit).context("cannot read")?;
        return Ok(View::owned(bytes));
    }
    let map = match map_read_only(file, len, path) {
        Ok(map) => map,
        // sysfs and some other file systems cannot map (ENODEV), and their sizes are only an
        // upper bound: read what is there instead.
        Err(err) if is_unmappable(&err) => {
            let bytes = read_bounded(file, plan.limit).context("cannot read")?;
            return Ok(View::owned(bytes));
        }
        Err(err) => return Err(err),
    };
    let sparse = kind.is_file() && meta.blocks().saturating_mul(512) < len;
    Ok(View {
        bytes: Bytes::Mapped(map),
        data_extents: if sparse {
            data_extents(file, len)
        } else {
            None
        },
    })
}

fn is_unmappable(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|cause| cause.downcast_ref::<io::Error>())
        .any(|io| io.raw_os_error() == Some(libc::ENODEV))
}

/// The data ranges of a sparse file, from `SEEK_DATA`/`SEEK_HOLE`; `None` when the file system
/// cannot tell.
fn data_extents(file: &File, len: u64) -> Option<Vec<Range<usize>>> {
    use rustix::fs::{SeekFrom as Whence, seek};
    let mut extents = Vec::new();
    let mut pos = 0;
    while pos < len {
        let start = match seek(file, Whence::Data(pos)) {
            Ok(start) => start,
            Err(rustix::io::Errno::NXIO) => break, // no data after `pos`
            Err(_) => return None,
        };
        let end = seek(file, Whence::Hole(start)).ok()?.min(len);
        extents.push(usize::try_from(start).ok()?..usize::try_from(end).ok()?);
        pos = end;
    }
    Some(extents)
}

/// A block device reports size 0 in its metadata; its real size is where a seek to the end lands.
fn block_device_len(mut file: &File) -> Result<u64> {
    let len = file
        .seek(SeekFrom::End(0))
        .context("cannot find the size of the device")?;
    file.seek(SeekFrom::Start(0)).context("cannot seek")?;
    Ok(len)
}

/// Reads a stream into memory, up to `limit` bytes when the command knows how far it needs to
/// go. A stream larger than the machine's memory (an endless device read to its end, a pipe of
/// many GiB) is refused with a message, rather than left to the out-of-memory killer.
fn read_bounded(reader: impl Read, limit: Option<u64>) -> io::Result<Vec<u8>> {
    let room = memory_for_streams();
    let mut buf = Vec::new();
    reader
        .take(limit.unwrap_or(u64::MAX).min(room.saturating_add(1)))
        .read_to_end(&mut buf)?;
    if buf.len() as u64 > room {
        return Err(io::Error::other(format!(
            "the input is larger than the {} MiB of memory mmt may hold it in; a regular file \
             is mapped instead of read (save a stream to a file, or drop --no-mmap)",
            room >> 20
        )));
    }
    Ok(buf)
}

/// How much of a stream mmt may hold in memory: half of the memory available now, or no cap
/// where that cannot be learnt. (A `ulimit -v` below it is reported the same clean way: the
/// buffer's growth fails with "out of memory".)
fn memory_for_streams() -> u64 {
    let available_kib = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|info| {
            let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
            line.split_whitespace().nth(1)?.parse::<u64>().ok()
        });
    available_kib.map_or(u64::MAX, |kib| kib.saturating_mul(1024) / 2)
}

fn map_read_only(file: &File, len: u64, path: &Path) -> Result<Mmap> {
    let len = map_len(len)?;
    arm_sigbus_guard(path);
    // SAFETY: the map is only ever read through shared references, and it lives in a `View` that
    // owns it, so no reference outlives it. What the type system cannot promise is that no other
    // process changes the file meanwhile: a concurrent write shows through (the same data race
    // every mmap-based tool such as ripgrep accepts), and a concurrent truncation raises SIGBUS
    // on the lost pages, which `arm_sigbus_guard` turns into a clean exit 2 with a message.
    // Users who cannot accept that use `--no-mmap`.
    let map = unsafe { MmapOptions::new().len(len).map(file) };
    map.context("cannot map")
}

/// Maps `len` bytes of `file` writable and shared: every store reaches the file.
/// The file must be open for reading and writing.
pub fn map_shared_mut(file: &File, len: u64, path: &Path) -> Result<MmapMut> {
    let len = map_len(len)?;
    arm_sigbus_guard(path);
    // SAFETY: the caller holds an exclusive advisory lock on the file for as long as the map
    // lives, so cooperating mmt processes do not write it concurrently; the map is owned by the
    // caller and no reference into it escapes its lifetime. A non-cooperating process that
    // truncates the file triggers SIGBUS, handled by the guard armed above.
    let map = unsafe { MmapOptions::new().len(len).map_mut(file) };
    map.context("cannot map for writing")
}

/// Maps `len` bytes of `file` private and copy-on-write: stores stay in this process's memory
/// and never reach the file (Python's ACCESS_COPY). Used for `--copy` dry runs.
pub fn map_private(file: &File, len: u64, path: &Path) -> Result<MmapMut> {
    let len = map_len(len)?;
    arm_sigbus_guard(path);
    // SAFETY: a private map cannot change the file, and it is owned by the caller. Pages not yet
    // copied still show the file's current contents, so a concurrent truncation raises SIGBUS,
    // which the guard armed above turns into a clean exit.
    // No swap is reserved for it: a preview copies a few pages, and reserving a private copy of
    // a 64 GiB file would be refused outright (ENOMEM).
    let map = unsafe { MmapOptions::new().len(len).no_reserve_swap().map_copy(file) };
    map.context("cannot map copy-on-write")
}

fn map_len(len: u64) -> Result<usize> {
    match usize::try_from(len) {
        Ok(len) => Ok(len),
        Err(_) => bail!("file of {len} bytes is too large to map on this platform"),
    }
}

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

/// The message the SIGBUS handler writes, prepared in advance because a signal handler may not
/// allocate. Points at a leaked `&'static [u8]`; null until a file is mapped.
static SIGBUS_MESSAGE: AtomicPtr<&'static [u8]> = AtomicPtr::new(std::ptr::null_mut());
static SIGBUS_HANDLER: Once = Once::new();

/// Prepares the SIGBUS message for `path` and installs the handler (once per process).
fn arm_sigbus_guard(path: &Path) {
    let message = format!(
        "mmt: {}: file was truncated while mapped, or a page of it could not be read or written \
         (use --no-mmap to work on a copy in memory)\n",
        path.display()
    );
    let leaked: &'static [u8] = Box::leak(message.into_bytes().into_boxed_slice());
    let slot: &'static mut &'static [u8] = Box::leak(Box::new(leaked));
    SIGBUS_MESSAGE.store(slot, Ordering::Release);
    SIGBUS_HANDLER.call_once(install_sigbus_handler);
}

fn install_sigbus_handler() {
    // SAFETY: `sigaction` is given a zeroed, then fully initialised, struct whose handler is an
    // `extern "C"` function that only performs async-signal-safe work (an atomic load, `write`
    // and `_exit`). Installing a handler has no other effect on Rust's invariants.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigbus as *const () as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        action.sa_flags = 0;
        libc::sigaction(libc::SIGBUS, &action, std::ptr::null_mut());
    }
}

extern "C" fn on_sigbus(_signal: libc::c_int) {
    let slot = SIGBUS_MESSAGE.load(Ordering::Acquire);
    // SAFETY: a non-null slot points at a leaked, never-freed `&'static [u8]` (see
    // `arm_sigbus_guard`). `write` and `_exit` are async-signal-safe; we never return into the
    // faulting instruction, which would fault again.
    unsafe {
        if !slot.is_null() {
            let message: &[u8] = *slot;
            libc::write(2, message.as_ptr().cast(), message.len());
        }
        libc::_exit(2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn a_regular_file_is_mapped_and_reads_back() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(b"hello").unwrap();
        let view = open_view(file.path(), ReadPlan::default()).unwrap();
        assert!(view.is_mapped());
        assert_eq!(&*view, b"hello");
    }

    #[test]
    fn no_mmap_reads_into_memory() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(b"hello").unwrap();
        let plan = ReadPlan {
            no_mmap: true,
            limit: None,
        };
        let view = open_view(file.path(), plan).unwrap();
        assert!(!view.is_mapped());
        assert_eq!(&*view, b"hello");
    }

    #[test]
    fn an_empty_file_is_an_empty_view() {
        let file = tempfile::NamedTempFile::new().unwrap();
        let view = open_view(file.path(), ReadPlan::default()).unwrap();
        assert!(view.is_empty());
    }

    #[test]
    fn a_character_device_is_read_up_to_the_limit() {
        let plan = ReadPlan {
            no_mmap: false,
            limit: Some(16),
        };
        let view = open_view(Path::new("/dev/zero"), plan).unwrap();
        assert_eq!(&*view, &[0u8; 16]);
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = open_view(dir.path(), ReadPlan::default()).err().unwrap();
        assert_eq!(err.to_string(), "is a directory");
    }
}
