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
//! Being the crate's one module with `unsafe`, it also holds the two other system calls that
//! need it: ignoring SIGXFSZ and starting writeback of a range.

use std::cell::Cell;
use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::{Deref, Range};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;
use std::sync::Once;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};

use anyhow::{Context, Result, bail};
use memmap2::{Advice, Mmap, MmapMut, MmapOptions};

mod signals;

pub use signals::{InterruptsHeldBack, hold_back_interrupts, interrupt_pending, remove_on_signal};

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
    /// Read a file smaller than [`SMALL_FILE`] instead of mapping it: over many files, a map
    /// (map, page faults, unmap and, with threads, a TLB shootdown on every core) costs more
    /// than copying a few pages.
    pub read_small: bool,
}

/// Below this size, a file among many is read rather than mapped.
pub const SMALL_FILE: u64 = 128 << 10;

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

/// Opens a source as a [`View`].
pub fn open_source(source: &crate::files::source::Source, plan: ReadPlan) -> Result<View> {
    match source {
        crate::files::source::Source::Stdin => open_view(Path::new("-"), plan),
        crate::files::source::Source::File { path, named } => {
            let file = File::open(path).context("cannot open")?;
            if !named && plan.read_small && !plan.no_mmap && plan.limit.is_none() {
                return view_of_walked_file(&file, path, plan);
            }
            view_of_file(&file, path, plan)
        }
    }
}

/// What a file met while walking is first read into, before its size is known.
const FIRST_READ: usize = 64 << 10;

/// Below this size a file met while walking is read whole, into its thread's spare buffer;
/// from it up, it is mapped. A map costs two system calls, a page fault per 64 KiB and, once
/// the walk runs on several threads, a TLB flush on every core when it is unmapped; reading
/// costs a copy, which is cheaper up to a few hundred KiB. The bound also keeps each thread's
/// buffer small: 64 threads keep 20 MiB of the 64 MiB of anonymous memory a command may take.
pub const WALKED_READ_MAX: u64 = 256 << 10;

thread_local! {
    /// The buffer the last walked file on this thread was read into, kept for the next one:
    /// a fresh buffer for each file costs an allocation of 64 KiB or more, and glibc
    /// consolidates its heap each time one that large is freed.
    static SPARE: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// This thread's spare buffer, at least [`FIRST_READ`] bytes long. Its bytes are whatever the
/// last file read into it left: a buffer is zeroed only where it grows, once, not for every
/// file.
fn take_spare() -> Vec<u8> {
    // `try_with`: on a thread whose locals are being torn down, a fresh buffer instead.
    let mut buf = SPARE.try_with(Cell::take).unwrap_or_default();
    if buf.len() < FIRST_READ {
        buf.resize(FIRST_READ, 0);
    }
    buf
}

/// Keeps `buf` as this thread's spare buffer, unless it grew past what a walked file is read
/// into (a file that grew while it was read): each thread keeps at most 320 KiB.
fn give_back_spare(buf: Vec<u8>) {
    if buf.capacity() as u64 <= WALKED_READ_MAX + FIRST_READ as u64 {
        // A view dropped on another thread leaves its buffer there; the one kept is freed.
        // On a thread whose locals are being torn down, `buf` is freed instead.
        let _ = SPARE.try_with(|spare| spare.set(buf));
    }
}

/// This thread's spare buffer while something is read into it or a [`View`] holds it: given
/// back when dropped, on every path out. The file's bytes are its first `len`.
struct Spare {
    buf: Vec<u8>,
    len: usize,
}

impl Drop for Spare {
    fn drop(&mut self) {
        give_back_spare(std::mem::take(&mut self.buf));
    }
}

/// Reads `file` into `buf` from `len` on, until `buf` is full or the file ends; gives the new
/// length. Each `read` asks for all the room left: std's `read_to_end` asks for the file's size
/// and position first, then reads in growing steps (8, 16, 32 KiB), so that a 40 KiB file
/// cost four reads and a 200 KiB one nine system calls (five here).
fn read_up_to(mut file: &File, buf: &mut [u8], mut len: usize) -> io::Result<usize> {
    while len < buf.len() {
        match file.read(&mut buf[len..]) {
            Ok(0) => break,
            Ok(n) => len += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(len)
}

/// A [`View`] of a file met while walking a directory, which the walk's listing said is a
/// regular file. Most such files are small: read whole without asking the file system for
/// its size first (as ripgrep does: a system call fewer per file, a few per cent of a tree's
/// time), until the first read fills [`FIRST_READ`] bytes. A file under [`WALKED_READ_MAX`]
/// is then read on; a larger one is treated as any other file of its size.
fn view_of_walked_file(file: &File, path: &Path, plan: ReadPlan) -> Result<View> {
    let mut spare = Spare {
        buf: take_spare(),
        len: 0,
    };
    spare.len = read_up_to(file, &mut spare.buf[..FIRST_READ], 0).context("cannot read")?;
    if spare.len < FIRST_READ {
        return Ok(View::spare(spare));
    }
    let meta = file.metadata().context("cannot stat")?;
    if meta.is_file() && meta.len() < WALKED_READ_MAX {
        // Read on from where the first read ended, with a byte of room past the size: a read
        // that fills it finds a file that grew since.
        let room = usize::try_from(meta.len()).unwrap_or(0) + 1;
        if spare.buf.len() < room {
            spare.buf.resize(room, 0);
        }
        spare.len = read_up_to(file, &mut spare.buf[..room], spare.len).context("cannot read")?;
        if spare.len < room {
            return Ok(View::spare(spare));
        }
        drop(spare);
        // Grown since: its size asked again, from the start, as any other file.
        let mut reader = file;
        reader.seek(SeekFrom::Start(0)).context("cannot seek")?;
        return view_of_file(file, path, plan);
    }
    drop(spare);
    // Large: from the start, as any other file of that size.
    let mut reader = file;
    reader.seek(SeekFrom::Start(0)).context("cannot seek")?;
    view_of_file_as(file, &meta, path, plan)
}

/// Opens `path` (`-` for standard input) as a [`View`].
pub fn open_view(path: &Path, plan: ReadPlan) -> Result<View> {
    if path.as_os_str() == "-" {
        let bytes = read_bounded(io::stdin().lock(), plan.limit, 0).context("cannot read")?;
        return Ok(View::owned(bytes));
    }
    let file = File::open(path).context("cannot open")?;
    view_of_file(&file, path, plan)
}

/// A [`View`] of a file that is already open (the writing commands hold it locked).
/// `path` only names the file in messages.
pub fn view_of_file(file: &File, path: &Path, plan: ReadPlan) -> Result<View> {
    let meta = file.metadata().context("cannot stat")?;
    view_of_file_as(file, &meta, path, plan)
}

/// [`view_of_file`] of a file whose metadata is `meta`, read from the start.
fn view_of_file_as(file: &File, meta: &Metadata, path: &Path, plan: ReadPlan) -> Result<View> {
    let kind = meta.file_type();
    if kind.is_dir() {
        bail!("is a directory");
    }
    let len = if kind.is_block_device() {
        block_device_len(file)?
    } else {
        meta.len()
    };
    let small = plan.read_small && kind.is_file() && len < SMALL_FILE;
    let mappable = (kind.is_file() || kind.is_block_device()) && len > 0 && !plan.no_mmap && !small;
    if !mappable {
        // Pipes, character devices and files that report size 0 but have content (/proc).
        let room = memory_for_streams();
        if kind.is_file() && plan.limit.unwrap_or(u64::MAX).min(len) > room {
            return Err(too_large(room)).context("cannot read");
        }
        let bytes = read_bounded(file, plan.limit, len).context("cannot read")?;
        return Ok(View::owned(bytes));
    }
    let map = match map_read_only(file, len) {
        Ok(map) => map,
        // sysfs and some other file systems cannot map (ENODEV), and their sizes are only an
        // upper bound: read what is there instead.
        Err(err) if is_unmappable(&err) => {
            let bytes = read_bounded(file, plan.limit, len).context("cannot read")?;
            return Ok(View::owned(bytes));
        }
        Err(err) => return Err(err),
    };
    let sparse = kind.is_file() && meta.blocks().saturating_mul(512) < len;
    let registration = Registration::new(map.as_ptr(), map.len(), path);
    Ok(View {
        _registration: Some(registration),
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
fn read_bounded(reader: impl Read, limit: Option<u64>, size_hint: u64) -> io::Result<Vec<u8>> {
    let room = memory_for_streams();
    // With the size known (a small regular file), one read fills the buffer and one more sees
    // the end; without it, reading a file grows the buffer step by step, a syscall a step.
    let hint = size_hint.min(limit.unwrap_or(u64::MAX)).min(room);
    let mut buf = Vec::with_capacity(usize::try_from(hint).unwrap_or(0).saturating_add(1));
    reader
        .take(limit.unwrap_or(u64::MAX).min(room.saturating_add(1)))
        .read_to_end(&mut buf)?;
    if buf.len() as u64 > room {
        return Err(too_large(room));
    }
    Ok(buf)
}

/// The most of a stream (or of a file under `--no-mmap`) mmt holds in memory, whatever the
/// machine: reading more than this from a pipe or a device is more likely a mistake (`mmt find
/// /dev/zero abc`) than a search, and a regular file is mapped instead.
pub const STREAM_CAP: u64 = 2 << 30;

fn too_large(room: u64) -> io::Error {
    io::Error::other(format!(
        "the input is larger than the {} MiB of memory mmt may hold it in (half of the memory \
         available, at most 2 GiB); a regular file is mapped instead of read (save a stream to a \
         file, or drop --no-mmap)",
        room >> 20
    ))
}

/// How much of a stream mmt may hold in memory: half of the memory available now (to this
/// process's memory cgroup, in a container, or to the machine), and at most [`STREAM_CAP`]. (A
/// `ulimit -v` below it is reported the same clean way: the buffer's growth fails with "out of
/// memory".)
fn memory_for_streams() -> u64 {
    // Asked once per process: a run over many small files reads each of them.
    static ROOM: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *ROOM.get_or_init(|| {
        let machine = std::fs::read_to_string("/proc/meminfo")
            .ok()
            .and_then(|info| {
                let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
                line.split_whitespace().nth(1)?.parse::<u64>().ok()
            })
            .map(|kib| kib.saturating_mul(1024));
        let available = match (machine, cgroup_room()) {
            (Some(machine), Some(cgroup)) => machine.min(cgroup),
            (one, other) => one.or(other).unwrap_or(u64::MAX),
        };
        (available / 2).min(STREAM_CAP)
    })
}

/// The memory this process's cgroup (v2 or v1) and its ancestors still allow, the tightest of
/// them; `None` outside a limited cgroup.
fn cgroup_room() -> Option<u64> {
    let membership = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    let mut room: Option<u64> = None;
    let mut tighten = |limit: Option<u64>, usage: Option<u64>| {
        if let Some(limit) = limit {
            let left = limit.saturating_sub(usage.unwrap_or(0));
            room = Some(room.map_or(left, |r| r.min(left)));
        }
    };
    let read =
        |path: &Path| -> Option<u64> { std::fs::read_to_string(path).ok()?.trim().parse().ok() };
    for line in membership.lines() {
        let mut fields = line.splitn(3, ':');
        let (Some(_), Some(controllers), Some(path)) =
            (fields.next(), fields.next(), fields.next())
        else {
            continue;
        };
        let (root, limit, usage) = if controllers.is_empty() {
            ("/sys/fs/cgroup", "memory.max", "memory.current")
        } else if controllers.split(',').any(|c| c == "memory") {
            (
                "/sys/fs/cgroup/memory",
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
            )
        } else {
            continue;
        };
        // This cgroup and each ancestor: the effective limit is the tightest.
        let mut dir = Path::new(root).join(path.trim_start_matches('/'));
        loop {
            // "max" (v2) does not parse, and v1's "no limit" is a huge number: both no bound.
            tighten(
                read(&dir.join(limit)).filter(|&l| l < 1 << 60),
                read(&dir.join(usage)),
            );
            if dir == Path::new(root) || !dir.pop() {
                break;
            }
        }
    }
    room
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
    /// Takes the exclusive lock, waiting for another mmt that holds it.
    pub fn lock(file: File) -> io::Result<LockedFile> {
        file.lock()?;
        Ok(LockedFile { file })
    }
}

impl LockedFile {
    /// The locked file opened again, for writing, at `path`: refused when `path` no longer
    /// names the locked file. The lock itself is held on a read-only descriptor, so that a
    /// rewrite, which writes only a new file, can take a read lease on the old one (the kernel
    /// grants none while any descriptor of the file is open for writing, mmt's own included).
    pub fn open_for_writing(&self, path: &Path) -> io::Result<LockedForWriting<'_>> {
        let file = File::options().read(true).write(true).open(path)?;
        let (locked, opened) = (self.file.metadata()?, file.metadata()?);
        if (locked.dev(), locked.ino()) != (opened.dev(), opened.ino()) {
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

/// How many maps can be registered at once with their own message; past that, a fault is
/// reported without the file's name (a replace over many files holds one map per changed file).
const SLOTS: usize = 1024;

/// One registered map: its address range and its message (a leaked `Box<[u8]>`, freed when
/// the map is unregistered). `start` is 0 for a free slot and is published last, so the
/// handler never sees a range without its message.
struct Slot {
    start: AtomicUsize,
    len: AtomicUsize,
    message: AtomicPtr<u8>,
    message_len: AtomicUsize,
}

#[allow(clippy::declare_interior_mutable_const)] // a template for the array below only
const FREE: Slot = Slot {
    start: AtomicUsize::new(0),
    len: AtomicUsize::new(0),
    message: AtomicPtr::new(std::ptr::null_mut()),
    message_len: AtomicUsize::new(0),
};

static REGISTRY: [Slot; SLOTS] = [FREE; SLOTS];
/// Marks a slot taken while it is being filled in.
const FILLING: usize = usize::MAX;

static GENERIC_MESSAGE: &[u8] = b"mmt: a mapped file was truncated while mapped, or a page of it \
could not be read or written (use --no-mmap to work on a copy in memory)\n";

/// A map's place in the registry, given back when dropped.
struct Registration {
    slot: Option<usize>,
}

impl Registration {
    fn new(start: *const u8, len: usize, path: &Path) -> Registration {
        install_sigbus_handler();
        let message = format!(
            "mmt: {}: file was truncated while mapped, or a page of it could not be read or \
             written (use --no-mmap to work on a copy in memory)\n",
            path.display()
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

static SIGBUS_HANDLER: Once = Once::new();

fn install_sigbus_handler() {
    SIGBUS_HANDLER.call_once(|| {
        // SAFETY: `sigaction` is given a zeroed, then fully initialised, struct whose handler is
        // an `extern "C"` function that only performs async-signal-safe work (atomic loads,
        // `write` and `_exit`). Installing a handler has no other effect on Rust's invariants.
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
fn message_for(address: usize) -> Option<(*const u8, usize)> {
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

extern "C" fn on_sigbus(
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
        signals::remove_registered_temps();
        let (message, len) =
            message_for(address).unwrap_or((GENERIC_MESSAGE.as_ptr(), GENERIC_MESSAGE.len()));
        libc::write(2, message.cast(), len);
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
            ..ReadPlan::default()
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
            limit: Some(16),
            ..ReadPlan::default()
        };
        let view = open_view(Path::new("/dev/zero"), plan).unwrap();
        assert_eq!(&*view, &[0u8; 16]);
    }

    #[test]
    fn one_of_many_small_files_is_read_and_a_large_one_mapped() {
        let mut small = tempfile::NamedTempFile::new().unwrap();
        small.write_all(b"hello").unwrap();
        let view = open_view(small.path(), ReadPlan::one_of_many(false, true)).unwrap();
        assert!(!view.is_mapped());
        assert_eq!(&*view, b"hello");
        assert!(
            open_view(small.path(), ReadPlan::one_of_many(false, false))
                .unwrap()
                .is_mapped()
        );
        let large = tempfile::NamedTempFile::new().unwrap();
        large.as_file().set_len(SMALL_FILE).unwrap();
        let view = open_view(large.path(), ReadPlan::one_of_many(false, true)).unwrap();
        assert!(view.is_mapped());
        assert_eq!(view.len() as u64, SMALL_FILE);
    }

    /// The spare buffer is given back and taken again up to its bound, and a view read into
    /// it gives it back when dropped: the next file is read into the same memory.
    #[test]
    fn a_thread_keeps_one_spare_buffer_up_to_its_bound() {
        // What an earlier test on this thread left (with --test-threads=1, they share one).
        drop(SPARE.take());
        let fresh = take_spare();
        assert_eq!((fresh.len(), fresh.capacity()), (FIRST_READ, FIRST_READ));
        let largest_kept = Vec::with_capacity((WALKED_READ_MAX as usize) + FIRST_READ);
        let kept_at = largest_kept.as_ptr();
        give_back_spare(largest_kept);
        // Were the buffer freed instead of kept, this would likely be given its memory.
        let blocker = Vec::<u8>::with_capacity((WALKED_READ_MAX as usize) + FIRST_READ);
        let taken = take_spare();
        assert_eq!(taken.as_ptr(), kept_at);
        drop((blocker, taken));
        give_back_spare(Vec::with_capacity(
            (WALKED_READ_MAX as usize) + FIRST_READ + 1,
        ));
        let fresh = take_spare();
        assert_eq!(
            (fresh.len(), fresh.capacity()),
            (FIRST_READ, FIRST_READ),
            "too large a buffer is not kept"
        );

        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(b"bytes").unwrap();
        let source = crate::files::source::Source::File {
            path: file.path().to_path_buf(),
            named: false,
        };
        let plan = ReadPlan::one_of_many(false, true);
        let first = open_source(&source, plan).unwrap();
        let read_at = first.as_ptr();
        drop(first);
        let blocker = Vec::<u8>::with_capacity(FIRST_READ);
        let again = open_source(&source, plan).unwrap();
        assert_eq!((&*again, again.as_ptr()), (&b"bytes"[..], read_at));
        drop(blocker);
    }

    /// A walked file under [`WALKED_READ_MAX`] is read into the thread's spare buffer, which
    /// the next file is read into again: nothing of a larger file read before shows through.
    #[test]
    fn walked_files_are_read_into_one_buffer_up_to_the_bound_and_mapped_from_it() {
        let walked = |file: &tempfile::NamedTempFile| {
            let source = crate::files::source::Source::File {
                path: file.path().to_path_buf(),
                named: false,
            };
            open_source(&source, ReadPlan::one_of_many(false, true)).unwrap()
        };
        let with = |len: u64, fill: u8| {
            let mut file = tempfile::NamedTempFile::new().unwrap();
            file.write_all(&vec![fill; len as usize]).unwrap();
            file
        };
        let under = with(WALKED_READ_MAX - 1, b'a');
        let at = with(WALKED_READ_MAX, b'b');
        let small = with(3, b'c');
        let view = walked(&under);
        assert!(!view.is_mapped());
        assert_eq!(view.len() as u64, WALKED_READ_MAX - 1);
        assert!(view.iter().all(|&b| b == b'a'));
        drop(view);
        let view = walked(&small);
        assert_eq!(&*view, b"ccc");
        // Two views alive at once on one thread: each has its own bytes.
        let other = walked(&under);
        assert_eq!(&*view, b"ccc");
        assert!(other.iter().all(|&b| b == b'a'));
        drop((view, other));
        let view = walked(&at);
        assert!(view.is_mapped());
        assert_eq!(view.len() as u64, WALKED_READ_MAX);
        assert_eq!(&*walked(&small), b"ccc");
    }

    /// Walked files of every size about the bounds read back whole, whatever size the file
    /// read before them on the thread had: the spare buffer is not cleared between files.
    #[test]
    fn walked_files_of_every_size_about_the_bounds_read_back_whole() {
        let first = FIRST_READ;
        let max = WALKED_READ_MAX as usize;
        let sizes = [
            max - 1,
            0,
            1,
            first - 1,
            first,
            first + 1,
            2 * first + 3,
            max - 2,
            5,
            max,
        ];
        for (i, len) in sizes.into_iter().enumerate() {
            let bytes: Vec<u8> = (0..len).map(|n| (n * 7 + i) as u8).collect();
            let mut file = tempfile::NamedTempFile::new().unwrap();
            file.write_all(&bytes).unwrap();
            let source = crate::files::source::Source::File {
                path: file.path().to_path_buf(),
                named: false,
            };
            let view = open_source(&source, ReadPlan::one_of_many(false, true)).unwrap();
            assert_eq!(view.len(), len);
            assert!(*view == bytes[..], "{len} bytes");
            assert_eq!(view.is_mapped(), len >= max, "{len} bytes");
        }
    }

    #[test]
    fn reading_up_to_stops_when_the_room_is_full_or_the_file_ends() {
        let mut file = tempfile::NamedTempFile::new().unwrap();
        file.write_all(b"0123456789").unwrap();
        let file = File::open(file.path()).unwrap();
        let mut buf = [0u8; 4];
        assert_eq!(read_up_to(&file, &mut buf, 1).unwrap(), 4);
        assert_eq!(&buf, b"\x00012");
        let mut buf = [0u8; 16];
        assert_eq!(read_up_to(&file, &mut buf, 2).unwrap(), 9);
        assert_eq!(&buf[2..9], b"3456789");
        assert_eq!(read_up_to(&file, &mut buf, 9).unwrap(), 9);
        // An error other than an interruption is given back, not tried again for ever.
        let dir = File::open(std::env::temp_dir()).unwrap();
        let err = read_up_to(&dir, &mut buf, 0).unwrap_err();
        assert_eq!(err.raw_os_error(), Some(libc::EISDIR));
    }

    #[test]
    fn a_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = open_view(dir.path(), ReadPlan::default()).err().unwrap();
        assert_eq!(err.to_string(), "is a directory");
    }
}
