//! Where a rewrite streams the new file: unchanged runs of the original and new bytes, written
//! front to back into the temporary file, so memory stays small on a file larger than RAM.
//!
//! Long unchanged runs are copied by the kernel (`copy_file_range`: no trip through user space,
//! and a reflink where the file system has them); short runs and new bytes go through one
//! buffer. The holes of a sparse original are skipped with a seek, so they stay holes. Each
//! copied chunk is handed to writeback at once, so the disk works while the next chunk is copied
//! and the final fsync has little left to wait for.

use std::fs::File;
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::ops::Range;

use crate::patch::RewriteSink;
use crate::progress::Progress;
use crate::sys;

/// Copies go in chunks of this size, each handed to writeback as soon as it is copied.
const WRITEBACK_CHUNK: usize = 64 << 20;
/// Runs shorter than this are cheaper to copy through the buffer than with a system call.
const KERNEL_COPY_MIN: usize = 128 * 1024;
const BUFFER_SIZE: usize = 1 << 20;

pub struct FileSink<'a> {
    source: &'a File,
    old: &'a [u8],
    /// The data ranges of a sparse original; `None` for a dense one.
    extents: Option<&'a [Range<usize>]>,
    out: BufWriter<&'a File>,
    /// Bytes of the new file so far, holes included.
    written: u64,
    kernel_copy: bool,
    progress: &'a Progress,
    /// Asked between chunks: an error (a Ctrl-C held back, a writer that came) stops the copy.
    stop: &'a dyn Fn() -> io::Result<()>,
    /// Bytes written through the buffer since `stop` was last asked.
    unasked: usize,
    /// Writing over the original itself (see [`FileSink::in_place`]).
    in_place: bool,
}

impl<'a> FileSink<'a> {
    pub fn new(
        source: &'a File,
        old: &'a [u8],
        extents: Option<&'a [Range<usize>]>,
        out: &'a File,
        progress: &'a Progress,
        stop: &'a dyn Fn() -> io::Result<()>,
    ) -> Self {
        Self {
            source,
            old,
            extents,
            out: BufWriter::with_capacity(BUFFER_SIZE, out),
            written: 0,
            kernel_copy: true,
            progress,
            stop,
            unasked: 0,
            in_place: false,
        }
    }

    /// A sink that writes the new content over the original file `out` itself, front to back,
    /// reading the old content from `old` (a copy of it, open as `source`): an unchanged run
    /// that lands where it was is not written again (the bytes before the first edit, and
    /// after edits that keep the length), and holes are written as zeros, since the file may
    /// hold data where the new content has a hole.
    pub fn in_place(
        source: &'a File,
        old: &'a [u8],
        out: &'a File,
        progress: &'a Progress,
        stop: &'a dyn Fn() -> io::Result<()>,
    ) -> Self {
        FileSink {
            in_place: true,
            ..FileSink::new(source, old, None, out, progress, stop)
        }
    }

    /// Flushes the buffer and gives the file its full length (a trailing hole has no bytes
    /// written to it, only a seek).
    pub fn finish(&mut self) -> io::Result<()> {
        // A Ctrl-C held back during the copy stops the run here, before the rename.
        (self.stop)()?;
        self.out.flush()?;
        self.out.get_ref().set_len(self.written)
    }

    /// Moves on `len` bytes without writing them: a hole of the new file, or (in place) bytes
    /// already there.
    fn skip_hole(&mut self, len: usize) -> io::Result<()> {
        let len = i64::try_from(len).map_err(io::Error::other)?;
        self.out.seek(SeekFrom::Current(len))?;
        self.written += len as u64;
        Ok(())
    }

    fn copy_data(&mut self, range: Range<usize>) -> io::Result<()> {
        self.written += range.len() as u64;
        self.progress.set(self.written);
        if self.kernel_copy && range.len() >= KERNEL_COPY_MIN {
            if self.copy_in_kernel(range.clone())? {
                return Ok(());
            }
            self.kernel_copy = false;
        }
        self.through_buffer(range.len())?;
        self.out.write_all(&self.old[range])
    }

    /// Counts `len` bytes about to go through the buffer, and asks `stop` every
    /// [`WRITEBACK_CHUNK`] of them, as the kernel's copy does between its chunks.
    fn through_buffer(&mut self, len: usize) -> io::Result<()> {
        self.unasked += len;
        if self.unasked >= WRITEBACK_CHUNK {
            self.unasked = 0;
            (self.stop)()?;
        }
        Ok(())
    }

    /// Copies `range` of the source with `copy_file_range`; false when the kernel or file
    /// system cannot, and the caller should copy through user space instead.
    fn copy_in_kernel(&mut self, range: Range<usize>) -> io::Result<bool> {
        self.out.flush()?;
        let mut offset = range.start as u64;
        let end = range.end as u64;
        // `written` already counts this range; the copy lands where it starts.
        let mut out_at = self.written - range.len() as u64;
        while offset < end {
            let want = usize::try_from(end - offset)
                .unwrap_or(usize::MAX)
                .min(WRITEBACK_CHUNK);
            let copied = rustix::fs::copy_file_range(
                self.source,
                Some(&mut offset),
                self.out.get_ref(),
                None,
                want,
            );
            match copied {
                Ok(0) => {
                    return Err(io::Error::other(
                        "the file shrank while it was being rewritten",
                    ));
                }
                Ok(n) => {
                    (self.stop)()?;
                    // The disk writes this chunk while the next one is copied.
                    sys::start_writeback(self.out.get_ref(), out_at, n as u64);
                    out_at += n as u64;
                    self.progress.set(out_at);
                }
                Err(err) if offset == range.start as u64 && is_unsupported(err) => {
                    return Ok(false);
                }
                Err(err) => return Err(err.into()),
            }
        }
        Ok(true)
    }
}

fn is_unsupported(err: rustix::io::Errno) -> bool {
    use rustix::io::Errno;
    [Errno::XDEV, Errno::NOSYS, Errno::INVAL, Errno::OPNOTSUPP].contains(&err)
}

impl RewriteSink for FileSink<'_> {
    fn copy_unchanged(&mut self, range: Range<usize>) -> io::Result<()> {
        if self.in_place && range.start as u64 == self.written {
            // Already there: over the original, a run that lands where it was is left alone.
            return self.skip_hole(range.len());
        }
        let Some(extents) = self.extents else {
            return self.copy_data(range);
        };
        let mut pos = range.start;
        let first = extents.partition_point(|e| e.end <= range.start);
        for extent in extents[first..].iter().take_while(|e| e.start < range.end) {
            let data = extent.start.max(range.start)..extent.end.min(range.end);
            if data.start > pos {
                self.skip_hole(data.start - pos)?;
            }
            pos = data.end;
            self.copy_data(data)?;
        }
        if range.end > pos {
            self.skip_hole(range.end - pos)?;
        }
        Ok(())
    }

    fn write_new(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.written += bytes.len() as u64;
        self.through_buffer(bytes.len())?;
        self.out.write_all(bytes)
    }
}

/// Copies `from` into the new, empty file `to`, data extent by data extent (`SEEK_DATA` and
/// `SEEK_HOLE`), so that the holes of a sparse file stay holes: a backup of a 1 GiB file with
/// 8 KiB of data takes 8 KiB, not 1 GiB. Where the file system cannot tell holes apart, the
/// whole file is copied.
pub fn copy_keeping_holes(from: &File, to: &File) -> io::Result<()> {
    use rustix::fs::{SeekFrom as Whence, seek};
    let len = from.metadata()?.len();
    let mut pos = 0;
    while pos < len {
        let start = match seek(from, Whence::Data(pos)) {
            Ok(start) => start,
            Err(rustix::io::Errno::NXIO) => break, // only a hole from here on
            Err(_) => pos,                         // no hole information: copy everything
        };
        let end = seek(from, Whence::Hole(start)).map_or(len, |end| end.min(len));
        copy_range(from, to, start, end)?;
        pos = end;
    }
    // The length, holes at the end included.
    to.set_len(len)
}

/// Makes `to` hold what `from` holds, byte for byte and of its length, writing over what `to`
/// held (holes of `from` written as zeros): the old content of a file rewritten in place, put
/// back.
pub fn copy_whole(from: &File, to: &File) -> io::Result<()> {
    let len = from.metadata()?.len();
    copy_range(from, to, 0, len)?;
    to.set_len(len)
}

/// Copies `start..end` of `from` to the same offsets of `to`, in the kernel where it can.
fn copy_range(from: &File, to: &File, start: u64, end: u64) -> io::Result<()> {
    let (mut from_at, mut to_at) = (start, start);
    while from_at < end {
        let want = usize::try_from(end - from_at)
            .unwrap_or(usize::MAX)
            .min(WRITEBACK_CHUNK);
        match rustix::fs::copy_file_range(from, Some(&mut from_at), to, Some(&mut to_at), want) {
            Ok(0) => {
                return Err(io::Error::other(
                    "the file shrank while it was being copied",
                ));
            }
            Ok(_) => {}
            Err(err) if is_unsupported(err) => {
                return copy_range_in_user_space(from, to, from_at, end);
            }
            Err(err) => return Err(err.into()),
        }
    }
    Ok(())
}

fn copy_range_in_user_space(from: &File, to: &File, mut at: u64, end: u64) -> io::Result<()> {
    use std::os::unix::fs::FileExt;
    let mut buf = vec![0u8; 1 << 20];
    while at < end {
        let want = usize::try_from(end - at)
            .unwrap_or(usize::MAX)
            .min(buf.len());
        let read = from.read_at(&mut buf[..want], at)?;
        if read == 0 {
            return Err(io::Error::other(
                "the file shrank while it was being copied",
            ));
        }
        to.write_all_at(&buf[..read], at)?;
        at += read as u64;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    /// A sink over an empty original whose `stop` counts how often it is asked, and says stop
    /// from the `stop_at`th time on.
    fn asked(bytes: usize, piece: usize, stop_at: usize) -> (io::Result<()>, usize) {
        let dir = tempfile::tempdir().unwrap();
        let source = File::create(dir.path().join("old")).unwrap();
        let out = File::create(dir.path().join("new")).unwrap();
        let progress = Progress::new(false, 0, "test");
        let asked = Cell::new(0);
        let stop = || {
            asked.set(asked.get() + 1);
            if asked.get() >= stop_at {
                Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"))
            } else {
                Ok(())
            }
        };
        let mut sink = FileSink::new(&source, &[], None, &out, &progress, &stop);
        let chunk = vec![b'x'; piece];
        let mut written = Ok(());
        for _ in 0..bytes / piece {
            written = sink.write_new(&chunk);
            if written.is_err() {
                break;
            }
        }
        drop(sink);
        (written, asked.get())
    }

    #[test]
    fn bytes_through_the_buffer_ask_to_stop_once_a_chunk() {
        // Three chunks and a little: asked three times, never stopped.
        let (written, times) = asked(3 * WRITEBACK_CHUNK + (1 << 20), 1 << 20, usize::MAX);
        assert!(written.is_ok());
        assert_eq!(times, 3);
        // Told to stop the first time it asks: the write after one chunk fails.
        let (written, times) = asked(3 * WRITEBACK_CHUNK, 1 << 20, 1);
        assert_eq!(written.unwrap_err().kind(), io::ErrorKind::Interrupted);
        assert_eq!(times, 1);
        // Below a chunk: never asked (finish asks).
        let (written, times) = asked(WRITEBACK_CHUNK - (1 << 20), 1 << 20, 1);
        assert!(written.is_ok());
        assert_eq!(times, 0);
    }
}
