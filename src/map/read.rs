//! The read policy: which bytes a command gets as a [`View`] and how (a map, a read into a
//! buffer, a walked file read into its thread's spare buffer), how much of a stream may be held
//! in memory (the cgroup's room), and the extents of a sparse file.

use std::cell::Cell;
use std::fs::{File, Metadata};
use std::io::{self, Read, Seek, SeekFrom};
use std::ops::Range;
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use anyhow::{Context, Result, bail};

use super::*;

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
pub(super) const FIRST_READ: usize = 64 << 10;

thread_local! {
    /// The buffer the last walked file on this thread was read into, kept for the next one:
    /// a fresh buffer for each file costs an allocation of 64 KiB or more, and glibc
    /// consolidates its heap each time one that large is freed.
    pub(super) static SPARE: Cell<Vec<u8>> = const { Cell::new(Vec::new()) };
}

/// This thread's spare buffer, at least [`FIRST_READ`] bytes long. Its bytes are whatever the
/// last file read into it left: a buffer is zeroed only where it grows, once, not for every
/// file.
pub(super) fn take_spare() -> Vec<u8> {
    // `try_with`: on a thread whose locals are being torn down, a fresh buffer instead.
    let mut buf = SPARE.try_with(Cell::take).unwrap_or_default();
    if buf.len() < FIRST_READ {
        buf.resize(FIRST_READ, 0);
    }
    buf
}

/// Keeps `buf` as this thread's spare buffer, unless it grew past what a walked file is read
/// into (a file that grew while it was read): each thread keeps at most 320 KiB.
pub(super) fn give_back_spare(buf: Vec<u8>) {
    if buf.capacity() as u64 <= READ_BELOW + FIRST_READ as u64 {
        // A view dropped on another thread leaves its buffer there; the one kept is freed.
        // On a thread whose locals are being torn down, `buf` is freed instead.
        let _ = SPARE.try_with(|spare| spare.set(buf));
    }
}

/// This thread's spare buffer while something is read into it or a [`View`] holds it: given
/// back when dropped, on every path out. The file's bytes are its first `len`.
pub(super) struct Spare {
    pub(super) buf: Vec<u8>,
    pub(super) len: usize,
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
pub(super) fn read_up_to(mut file: &File, buf: &mut [u8], mut len: usize) -> io::Result<usize> {
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
/// time), until the first read fills [`FIRST_READ`] bytes. A file under [`READ_BELOW`]
/// is then read on; a larger one is treated as any other file of its size.
pub(super) fn view_of_walked_file(file: &File, path: &Path, plan: ReadPlan) -> Result<View> {
    let mut spare = Spare {
        buf: take_spare(),
        len: 0,
    };
    spare.len = read_up_to(file, &mut spare.buf[..FIRST_READ], 0).context("cannot read")?;
    if spare.len < FIRST_READ {
        return Ok(View::spare(spare));
    }
    let meta = file.metadata().context("cannot stat")?;
    if meta.is_file() && meta.len() < READ_BELOW {
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
pub(super) fn view_of_file_as(
    file: &File,
    meta: &Metadata,
    path: &Path,
    plan: ReadPlan,
) -> Result<View> {
    let kind = meta.file_type();
    if kind.is_dir() {
        bail!("is a directory");
    }
    let len = if kind.is_block_device() {
        block_device_len(file)?
    } else {
        meta.len()
    };
    let small = plan.read_small && kind.is_file() && len < READ_BELOW;
    let mappable = (kind.is_file() || kind.is_block_device()) && len > 0 && !plan.no_mmap && !small;
    if !mappable {
        // Pipes, character devices and files that report size 0 but have content (/proc).
        let room = memory_for_streams();
        if kind.is_file() && plan.limit.unwrap_or(u64::MAX).min(len) > room {
            return Err(too_large(room)).context("cannot read");
        }
        if kind.is_file() {
            // From the start, however much of it was read before (a file planned again).
            let mut at = file;
            at.seek(SeekFrom::Start(0)).context("cannot seek")?;
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

pub(super) fn is_unmappable(err: &anyhow::Error) -> bool {
    err.chain()
        .filter_map(|cause| cause.downcast_ref::<io::Error>())
        .any(|io| io.raw_os_error() == Some(libc::ENODEV))
}

/// The data ranges of a sparse file, from `SEEK_DATA`/`SEEK_HOLE`; `None` when the file system
/// cannot tell.
pub(super) fn data_extents(file: &File, len: u64) -> Option<Vec<Range<usize>>> {
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
pub(super) fn block_device_len(mut file: &File) -> Result<u64> {
    let len = file
        .seek(SeekFrom::End(0))
        .context("cannot find the size of the device")?;
    file.seek(SeekFrom::Start(0)).context("cannot seek")?;
    Ok(len)
}

/// Reads a stream into memory, up to `limit` bytes when the command knows how far it needs to
/// go. A stream larger than the machine's memory (an endless device read to its end, a pipe of
/// many GiB) is refused with a message, rather than left to the out-of-memory killer.
pub(super) fn read_bounded(
    reader: impl Read,
    limit: Option<u64>,
    size_hint: u64,
) -> io::Result<Vec<u8>> {
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

pub(super) fn too_large(room: u64) -> io::Error {
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
pub(super) fn memory_for_streams() -> u64 {
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
pub(super) fn cgroup_room() -> Option<u64> {
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
