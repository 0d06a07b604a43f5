//! The mapping layer: the one place that maps files, and the only module with `unsafe`.
//!
//! A [`View`] is the bytes of a target, whatever their source: a read-only map of a regular file
//! or block device, or an owned buffer for what cannot or should not be mapped (standard input,
//! pipes and FIFOs, character devices, `/proc` files that report size 0, and `--no-mmap`).
//! The writing commands ask for write-through windows ([`map_shared_window`]) or private
//! copy-on-write ones ([`map_private_window`]); commands never call `mmap` themselves.
//!
//! Mapping has one sharp edge that reading does not: when another process truncates a mapped
//! file, touching the lost pages raises SIGBUS. Every map is registered with its address range
//! and its file's message while it lives ([`Registration`]); the SIGBUS handler looks up the
//! faulting address and prints that file's `mmt: FILE: ...` message, the same kind every other
//! error gets, instead of a bare "Bus error", whichever thread faulted.
//!
//! `unsafe` lives here and in `sys` (signals and the other system calls that need it). The read
//! policy (what is mapped and what is read, and within which memory) is `read`; the SIGBUS
//! registry and its handler are `sigbus`, which cleans up through `sys::signals`, the one
//! fatal-signal path. Nothing here knows a command or the command line.

use std::fs::File;
use std::io;
use std::ops::{Deref, Range};
use std::path::Path;

use anyhow::{Context, Result, bail};
use memmap2::{Advice, Mmap, MmapMut, MmapOptions};

use crate::files::id::FileId;

mod read;
mod sigbus;

use read::*;
pub use read::{open_source, open_view, view_of_file};
use sigbus::*;

/// The bytes of a target, mapped or owned.
pub struct View {
    /// Declared first so that it is dropped first: the map leaves the SIGBUS registry before
    /// it is unmapped.
    _registration: Option<Registration>,
    bytes: Bytes,
    /// For a sparse file, the ranges that hold data (the rest reads as zeros); `None` when the
    /// file is dense or this could not be learnt.
    data_extents: Option<Vec<Range<usize>>>,
}

enum Bytes {
    Mapped(Mmap),
    Owned(Vec<u8>),
    /// Read into this thread's spare buffer, which is given back to be read into again.
    Spare(Spare),
}

impl Deref for View {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match &self.bytes {
            Bytes::Mapped(map) => map,
            Bytes::Owned(buf) => buf,
            Bytes::Spare(spare) => &spare.buf[..spare.len],
        }
    }
}

impl View {
    fn owned(bytes: Vec<u8>) -> View {
        View {
            _registration: None,
            bytes: Bytes::Owned(bytes),
            data_extents: None,
        }
    }

    fn spare(bytes: Spare) -> View {
        View {
            _registration: None,
            bytes: Bytes::Spare(bytes),
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
    /// Read a file smaller than [`READ_BELOW`] instead of mapping it: over many files, a map
    /// (map, page faults, unmap and, with threads, a TLB shootdown on every core) costs more
    /// than copying a few pages.
    pub read_small: bool,
}

/// The one threshold of "read instead of map": below this size a file among many (named or met
/// while walking) is read whole, into its thread's spare buffer; from it up, it is mapped. A
/// map costs two system calls, a page fault per 64 KiB and, once the files are searched on
/// several threads, a TLB flush on every core when it is unmapped; reading costs a copy, which
/// is cheaper up to a few hundred KiB. The bound also keeps each thread's buffer small: 64
/// threads keep 20 MiB of the 64 MiB of anonymous memory a command may take.
pub const READ_BELOW: u64 = 256 << 10;

impl ReadPlan {
    /// All of the target, mapped unless `no_mmap`.
    pub fn whole(no_mmap: bool) -> ReadPlan {
        ReadPlan {
            no_mmap,
            limit: None,
            read_small: false,
        }
    }

    /// All of one file of many: mapped unless `no_mmap` or small.
    pub fn one_of_many(no_mmap: bool, many: bool) -> ReadPlan {
        ReadPlan {
            read_small: many,
            ..ReadPlan::whole(no_mmap)
        }
    }
}

fn map_read_only(file: &File, len: u64) -> Result<Mmap> {
    let len = map_len(len)?;
    install_sigbus_handler();
    // SAFETY: the map is only ever read through shared references, and it lives in a `View` that
    // owns it, so no reference outlives it. What the type system cannot promise is that no other
    // process changes the file meanwhile: a concurrent write shows through (the same data race
    // every mmap-based tool such as ripgrep accepts), and a concurrent truncation raises SIGBUS
    // on the lost pages, which the SIGBUS handler turns into a clean exit 2 naming the file.
    // Users who cannot accept that use `--no-mmap`.
    let map = unsafe { MmapOptions::new().len(len).map(file) };
    map.context("cannot map")
}

/// A file that this process holds mmt's exclusive lock on (`flock`) for as long as the value
/// lives.
#[derive(Debug)]
pub struct LockedFile {
    file: File,
}

impl LockedFile {
    /// Takes the exclusive lock, waiting for another mmt that holds it; `waiting` is told once
    /// when that has lasted a second (a silent wait looks like a hang, and the other may be a
    /// long run).
    pub fn lock(file: File, waiting: &mut dyn FnMut()) -> io::Result<LockedFile> {
        let patience = std::time::Instant::now() + LOCK_PATIENCE;
        loop {
            match file.try_lock() {
                Ok(()) => return Ok(LockedFile { file }),
                Err(std::fs::TryLockError::WouldBlock) if std::time::Instant::now() < patience => {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                Err(std::fs::TryLockError::WouldBlock) => {
                    waiting();
                    file.lock()?;
                    return Ok(LockedFile { file });
                }
                Err(std::fs::TryLockError::Error(err)) => return Err(err),
            }
        }
    }

    /// Takes the exclusive lock when no other mmt holds it; gives the file back when one does.
    pub fn try_lock(file: File) -> io::Result<Result<LockedFile, File>> {
        match file.try_lock() {
            Ok(()) => Ok(Ok(LockedFile { file })),
            Err(std::fs::TryLockError::WouldBlock) => Ok(Err(file)),
            Err(std::fs::TryLockError::Error(err)) => Err(err),
        }
    }

    /// Lets the lock go, keeping the file open.
    pub fn unlock(self) -> io::Result<File> {
        self.file.unlock()?;
        Ok(self.file)
    }
}

/// How long mmt waits for another's lock on a file before it says so.
const LOCK_PATIENCE: std::time::Duration = std::time::Duration::from_secs(1);

impl LockedFile {
    /// The locked file opened again, for writing, at `path`: refused when `path` no longer
    /// names the locked file. The lock itself is held on a read-only descriptor, so that a
    /// rewrite, which writes only a new file, can take a read lease on the old one (the kernel
    /// grants none while any descriptor of the file is open for writing, mmt's own included).
    pub fn open_for_writing(&self, path: &Path) -> io::Result<LockedForWriting<'_>> {
        let file = File::options().read(true).write(true).open(path)?;
        let (locked, opened) = (self.file.metadata()?, file.metadata()?);
        if FileId::of(&locked) != FileId::of(&opened) {
            return Err(io::Error::other(
                "the file was replaced by another process; nothing written",
            ));
        }
        Ok(LockedForWriting { _lock: self, file })
    }
}

/// A locked file open for writing: the proof that [`map_shared_window`] asks for.
pub struct LockedForWriting<'a> {
    _lock: &'a LockedFile,
    file: File,
}

impl Deref for LockedForWriting<'_> {
    type Target = File;

    fn deref(&self) -> &File {
        &self.file
    }
}

impl Deref for LockedFile {
    type Target = File;

    fn deref(&self) -> &File {
        &self.file
    }
}

/// A writable map (write-through or copy-on-write), registered for the SIGBUS handler while it
/// lives.
struct MappedMut {
    /// Declared first so that it is dropped first, before the map is unmapped.
    _registration: Registration,
    map: MmapMut,
}

impl MappedMut {
    fn new(map: MmapMut, path: &Path) -> MappedMut {
        MappedMut {
            _registration: Registration::new(map.as_ptr(), map.len(), path),
            map,
        }
    }
}

impl Deref for MappedMut {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        &self.map
    }
}

impl std::ops::DerefMut for MappedMut {
    fn deref_mut(&mut self) -> &mut [u8] {
        &mut self.map
    }
}

/// Maps the bytes `range` of `file` writable and shared: every store reaches the file. The file
/// must be open for reading and writing. An in-place patch maps a stretch of its edits at a
/// time, so that each is unmapped, and can be written back, while the next is being patched.
pub fn map_shared_window(
    file: &LockedForWriting,
    range: Range<u64>,
    path: &Path,
) -> Result<Window> {
    let (start, len, skip) = window_bounds(range)?;
    if len == 0 {
        return Ok(Window { map: None, skip });
    }
    install_sigbus_handler();
    // SAFETY: `LockedForWriting` proves that this process holds mmt's exclusive lock on the
    // file (it is opened only from a `LockedFile`, and checked to be the same file), and it
    // outlives this call, so cooperating mmt processes do not write it concurrently; the
    // map is owned by the caller and no reference into it escapes its lifetime. A
    // non-cooperating process that truncates the file triggers SIGBUS, which the handler turns
    // into a clean exit naming the file.
    let map = unsafe {
        MmapOptions::new()
            .offset(start)
            .len(len)
            .map_mut(&file.file)
    };
    Ok(Window {
        map: Some(MappedMut::new(map.context("cannot map for writing")?, path)),
        skip,
    })
}

/// Maps the bytes `range` of `file` writable and shared, as [`map_shared_window`] does, for a
/// restore (undo, rollback, recovery), whose caller holds the file's lock or the lock of the run
/// being rolled back, which keeps every other mmt off the file: there is no [`LockedFile`] to
/// prove it, as the lock was taken on another descriptor.
pub fn map_shared_window_held(file: &File, range: Range<u64>, path: &Path) -> Result<Window> {
    let (start, len, skip) = window_bounds(range)?;
    if len == 0 {
        return Ok(Window { map: None, skip });
    }
    install_sigbus_handler();
    // SAFETY: the caller holds mmt's lock on the file or on the run that is rolled back (see
    // above), so cooperating mmt processes do not write it concurrently; the map is owned by
    // the caller and no reference into it escapes its lifetime. A non-cooperating process
    // that truncates the file triggers SIGBUS, which the handler turns into a clean exit
    // naming the file.
    let map = unsafe { MmapOptions::new().offset(start).len(len).map_mut(file) };
    Ok(Window {
        map: Some(MappedMut::new(map.context("cannot map for writing")?, path)),
        skip,
    })
}

/// Maps the bytes `range` of `file` private and copy-on-write: stores stay in this process's
/// memory and never reach the file (Python's ACCESS_COPY). Used for `--copy` dry runs, a window
/// at a time, so that a preview holds the copies of the pages it is changing, not of every page
/// it has changed, and threads each change a window of their own.
pub fn map_private_window(file: &File, range: Range<u64>, path: &Path) -> Result<Window> {
    let (start, len, skip) = window_bounds(range)?;
    if len == 0 {
        return Ok(Window { map: None, skip });
    }
    install_sigbus_handler();
    // SAFETY: a private map cannot change the file, and it is owned by the caller. Pages not yet
    // copied still show the file's current contents, so a concurrent truncation raises SIGBUS,
    // which the handler turns into a clean exit.
    // No swap is reserved for it: a preview copies a few pages, and reserving a private copy of
    // a window of a 64 GiB file could be refused outright (ENOMEM).
    let map = unsafe {
        MmapOptions::new()
            .offset(start)
            .len(len)
            .no_reserve_swap()
            .map_copy(file)
    };
    Ok(Window {
        map: Some(MappedMut::new(
            map.context("cannot map copy-on-write")?,
            path,
        )),
        skip,
    })
}

/// A window's map: where it starts (the page that holds `range.start`), its length, and where
/// the range starts in it.
fn window_bounds(range: Range<u64>) -> Result<(u64, usize, usize)> {
    let page = rustix::param::page_size() as u64;
    let start = range.start / page * page;
    let len = map_len(range.end.saturating_sub(start))?;
    Ok((start, len, (range.start - start) as usize))
}

/// The bytes of a [`map_private_window`] or [`map_shared_window`], from the start of the range
/// asked for (the map starts at the page that holds it).
pub struct Window {
    map: Option<MappedMut>,
    skip: usize,
}

impl Deref for Window {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.map.as_deref().map_or(&[], |map| &map[self.skip..])
    }
}

impl std::ops::DerefMut for Window {
    fn deref_mut(&mut self) -> &mut [u8] {
        let skip = self.skip;
        self.map
            .as_deref_mut()
            .map_or(&mut [], |map| &mut map[skip..])
    }
}

fn map_len(len: u64) -> Result<usize> {
    match usize::try_from(len) {
        Ok(len) => Ok(len),
        Err(_) => bail!("file of {len} bytes is too large to map on this platform"),
    }
}

#[cfg(test)]
mod tests;
