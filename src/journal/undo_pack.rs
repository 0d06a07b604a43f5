//! A run's undo data in one file (`undo` in the run's directory): the old bytes of each file
//! patched in place (`undo_file`'s encoding), one after another, then an index of where each
//! file's are. One file per run, not one per file: on a disk that flushes its cache at every
//! `fsync` and discards a removed file's blocks, a run over 100 files paid 100 of each, both to
//! record its journal and to prune it later. Pure: bytes in, bytes out.
//!
//! Layout: the frames; then, for each frame, its file's number, offset and length; then the
//! number of frames; then the CRC-32 of everything before it; then [`MAGIC`] (numbers as 8
//! bytes, little-endian). A pack is whole only when its checksum holds. One that is not was
//! cut short or torn by a crash before it was synced (no file of a run is written before its
//! pack is synced whole), or damaged since: the journal tells the two apart by whether the
//! files changed (`journal::restore`). The checksum matters because a file system may keep a
//! new file's last block and not the blocks before it, or show what a removed file (an older
//! pack) left in them: without it such a pack could pass for undo data.
//!
//! Packs of the mmt before the checksum end in [`MAGIC_UNCHECKED`] and are read as they were.

use std::collections::HashMap;
use std::io::{self, Write};
use std::ops::Range;

/// The last bytes of a whole pack.
const MAGIC: &[u8; 8] = b"mmtundo2";
/// The last bytes of a pack written before packs had a checksum.
const MAGIC_UNCHECKED: &[u8; 8] = b"mmtundo1";

/// Writes frames to `out`, then the index.
pub struct PackWriter<W: Write> {
    /// Buffered, and summed below the buffer: an encoder's many small writes (an edit's offset
    /// at a time) are summed a buffer at a time.
    out: io::BufWriter<Summing<W>>,
    /// Bytes written so far.
    at: u64,
    /// Each frame's file number, offset and length.
    index: Vec<[u64; 3]>,
}

impl<W: Write> PackWriter<W> {
    /// A pack written to `out` through a buffer of `buffer` bytes.
    pub fn new(out: W, buffer: usize) -> PackWriter<W> {
        let summing = Summing {
            out,
            crc: crc32fast::Hasher::new(),
        };
        PackWriter {
            out: io::BufWriter::with_capacity(buffer, summing),
            at: 0,
            index: Vec::new(),
        }
    }

    /// Adds file `n`'s undo data, as `encode` writes it to the writer it is given.
    pub fn add(
        &mut self,
        n: usize,
        encode: impl FnOnce(&mut dyn Write) -> io::Result<()>,
    ) -> io::Result<()> {
        let mut counting = Counting {
            out: &mut self.out,
            written: 0,
        };
        encode(&mut counting)?;
        let written = counting.written;
        self.index.push([n as u64, self.at, written]);
        self.at += written;
        Ok(())
    }

    /// Writes the index, the checksum and the magic, and gives the writer back (not flushed
    /// beyond it).
    pub fn finish(mut self) -> io::Result<W> {
        let mut index = Vec::with_capacity((self.index.len() * 3 + 1) * 8);
        for numbers in &self.index {
            for number in numbers {
                index.extend_from_slice(&number.to_le_bytes());
            }
        }
        index.extend_from_slice(&(self.index.len() as u64).to_le_bytes());
        self.out.write_all(&index)?;
        let Summing { mut out, crc } = self.out.into_inner().map_err(|e| e.into_error())?;
        out.write_all(&u64::from(crc.finalize()).to_le_bytes())?;
        out.write_all(MAGIC)?;
        Ok(out)
    }
}

/// A writer that counts what goes through it.
struct Counting<'a, W: Write> {
    out: &'a mut W,
    written: u64,
}

impl<W: Write> Write for Counting<'_, W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// A writer that sums what goes through it.
struct Summing<W: Write> {
    out: W,
    crc: crc32fast::Hasher,
}

impl<W: Write> Write for Summing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.crc.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Where each file's undo data is in a pack: `None` when the pack is not whole (cut short,
/// torn, damaged, or not a pack at all).
pub fn index(pack: &[u8]) -> Option<HashMap<usize, Range<usize>>> {
    let (rest, magic) = pack.split_at_checked(pack.len().checked_sub(MAGIC.len())?)?;
    let rest = if magic == MAGIC {
        let (summed, crc) = rest.split_at_checked(rest.len().checked_sub(8)?)?;
        if u64::from_le_bytes(crc.try_into().ok()?) != u64::from(crc32fast::hash(summed)) {
            return None;
        }
        summed
    } else if magic == MAGIC_UNCHECKED {
        rest
    } else {
        return None;
    };
    let (rest, count) = rest.split_at_checked(rest.len().checked_sub(8)?)?;
    let count = usize::try_from(u64::from_le_bytes(count.try_into().ok()?)).ok()?;
    let index_len = count.checked_mul(24)?;
    let (frames, index) = rest.split_at_checked(rest.len().checked_sub(index_len)?)?;
    let mut found = HashMap::with_capacity(count);
    for entry in index.chunks_exact(24) {
        let number = |i: usize| {
            let bytes: [u8; 8] = entry[i * 8..i * 8 + 8].try_into().ok()?;
            usize::try_from(u64::from_le_bytes(bytes)).ok()
        };
        let (n, start, len) = (number(0)?, number(1)?, number(2)?);
        let end = start.checked_add(len)?;
        if end > frames.len() || found.insert(n, start..end).is_some() {
            return None;
        }
    }
    Some(found)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn packed(frames: &[(usize, Vec<u8>)]) -> Vec<u8> {
        // A buffer smaller than some frames: those go past it.
        let mut writer = PackWriter::new(Vec::new(), 16);
        for (n, bytes) in frames {
            // In two writes, as an encoder writes a header and then its body.
            let (head, tail) = bytes.split_at(bytes.len() / 2);
            writer
                .add(*n, |out| {
                    out.write_all(head)?;
                    out.write_all(tail)
                })
                .unwrap();
        }
        writer.finish().unwrap()
    }

    /// `pack` with its checksum made right again: what a pack changed on purpose would be.
    fn summed_again(mut pack: Vec<u8>) -> Vec<u8> {
        let crc_at = pack.len() - 16;
        let crc = u64::from(crc32fast::hash(&pack[..crc_at]));
        pack[crc_at..crc_at + 8].copy_from_slice(&crc.to_le_bytes());
        pack
    }

    #[test]
    fn the_layout_is_frames_then_the_index_the_count_the_checksum_and_the_magic() {
        let pack = packed(&[(3, b"abc".to_vec()), (7, b"de".to_vec())]);
        let mut expected = b"abcde".to_vec();
        for number in [3u64, 0, 3, 7, 3, 2, 2] {
            expected.extend_from_slice(&number.to_le_bytes());
        }
        // CRC-32 (IEEE) of the bytes so far, as zlib's crc32 gives it.
        let crc = u64::from(crc32fast::hash(&expected));
        expected.extend_from_slice(&crc.to_le_bytes());
        expected.extend_from_slice(b"mmtundo2");
        assert_eq!(pack, expected);
        assert_eq!(crc32fast::hash(b"123456789"), 0xcbf4_3926);
        let index = index(&pack).unwrap();
        assert_eq!(index.len(), 2);
        assert_eq!(index[&3], 0..3);
        assert_eq!(index[&7], 3..5);
    }

    #[test]
    fn a_pack_of_the_mmt_before_the_checksum_is_still_read() {
        let mut pack = b"abcde".to_vec();
        for number in [3u64, 0, 3, 7, 3, 2, 2] {
            pack.extend_from_slice(&number.to_le_bytes());
        }
        pack.extend_from_slice(b"mmtundo1");
        let index = index(&pack).unwrap();
        assert_eq!((index[&3].clone(), index[&7].clone()), (0..3, 3..5));
        // Cut short, it is not whole either.
        assert_eq!(super::index(&pack[..pack.len() - 9]), None);
    }

    #[test]
    fn an_empty_pack_and_empty_frames_are_whole() {
        assert_eq!(index(&packed(&[])).unwrap().len(), 0);
        let pack = packed(&[(0, Vec::new()), (1, b"x".to_vec())]);
        let index = index(&pack).unwrap();
        assert_eq!((index[&0].clone(), index[&1].clone()), (0..0, 0..1));
    }

    #[test]
    fn what_is_not_a_whole_pack_has_no_index() {
        let pack = packed(&[(0, b"old bytes".to_vec()), (1, b"more".to_vec())]);
        for cut in 0..pack.len() {
            assert_eq!(index(&pack[..cut]), None, "cut at {cut}");
        }
        // Any byte changed, the magic's and the checksum's included.
        for at in 0..pack.len() {
            for flip in [0x01, 0x80, 0xff] {
                let mut torn = pack.clone();
                torn[at] ^= flip;
                assert_eq!(index(&torn), None, "byte {at} ^ {flip:#x}");
            }
        }
        // Its checksum right, still not whole: a frame said to reach past the frames, a file
        // given twice, a count that would overflow the index's length.
        assert!(index(&summed_again(pack.clone())).is_some());
        let mut past = pack.clone();
        let len_of_second = pack.len() - 24 - 8;
        past[len_of_second..len_of_second + 8].copy_from_slice(&5u64.to_le_bytes());
        assert_eq!(index(&summed_again(past)), None);
        assert!(index(&packed(&[(2, b"a".to_vec()), (2, b"b".to_vec())])).is_none());
        let mut huge = pack.clone();
        let count_at = pack.len() - 24;
        huge[count_at..count_at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(index(&summed_again(huge)), None);
    }

    /// A writer that keeps what it is given and counts its flushes.
    #[derive(Default)]
    struct Flushed {
        bytes: Vec<u8>,
        flushes: usize,
    }

    impl Write for Flushed {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.bytes.write(buf)
        }

        fn flush(&mut self) -> io::Result<()> {
            self.flushes += 1;
            Ok(())
        }
    }

    #[test]
    fn a_flush_in_a_frame_reaches_the_writer_underneath() {
        let mut writer = PackWriter::new(Flushed::default(), 1 << 10);
        writer
            .add(0, |out| {
                out.write_all(b"abc")?;
                out.flush()
            })
            .unwrap();
        let under = &writer.out.get_ref().out;
        assert_eq!((&under.bytes[..], under.flushes), (&b"abc"[..], 1));
    }

    proptest! {
        #[test]
        fn every_frame_reads_back_as_written(
            frames in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..12)
        ) {
            let numbered: Vec<(usize, Vec<u8>)> =
                frames.into_iter().enumerate().map(|(i, f)| (i * 3 + 1, f)).collect();
            let pack = packed(&numbered);
            let index = index(&pack).unwrap();
            prop_assert_eq!(index.len(), numbered.len());
            for (n, bytes) in &numbered {
                prop_assert_eq!(&pack[index[n].clone()], &bytes[..]);
            }
        }

        #[test]
        fn a_pack_torn_anywhere_is_not_whole(
            frames in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 1..6),
            at in any::<proptest::sample::Index>(),
            run in 1..=4usize,
            stale in any::<u8>(),
        ) {
            // A run of bytes (up to 4) replaced by what a torn write leaves: zeros, or what
            // was on the disk before.
            let numbered: Vec<(usize, Vec<u8>)> = frames.into_iter().enumerate().collect();
            let pack = packed(&numbered);
            let start = at.index(pack.len());
            let mut torn = pack.clone();
            for byte in torn.iter_mut().skip(start).take(run) {
                *byte = if *byte == stale { !stale } else { stale };
            }
            prop_assert_eq!(index(&torn), None);
        }
    }
}
