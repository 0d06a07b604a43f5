//! A run's undo data in one file (`undo` in the run's directory): the old bytes of each file
//! patched in place (`undo_file`'s encoding), one after another, then an index of where each
//! file's are. One file per run, not one per file: on a disk that flushes its cache at every
//! `fsync` and discards a removed file's blocks, a run over 100 files paid 100 of each, both to
//! record its journal and to prune it later. Pure: bytes in, bytes out.
//!
//! Layout: the frames; then, for each frame, its file's number, offset and length; then the
//! number of frames, then [`MAGIC`] (numbers as 8 bytes, little-endian). The index is written
//! last, so a pack cut short by a crash has none and reads as nothing recorded, which is true:
//! no file of a run is written before its pack is synced whole.

use std::collections::HashMap;
use std::io::{self, Write};
use std::ops::Range;

/// The last bytes of a whole pack.
const MAGIC: &[u8; 8] = b"mmtundo1";

/// Writes frames to `out`, then the index.
pub struct PackWriter<W: Write> {
    out: W,
    /// Bytes written so far.
    at: u64,
    /// Each frame's file number, offset and length.
    index: Vec<[u64; 3]>,
}

impl<W: Write> PackWriter<W> {
    pub fn new(out: W) -> PackWriter<W> {
        PackWriter {
            out,
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

    /// Writes the index and gives the writer back (not flushed).
    pub fn finish(mut self) -> io::Result<W> {
        for numbers in &self.index {
            for number in numbers {
                self.out.write_all(&number.to_le_bytes())?;
            }
        }
        self.out
            .write_all(&(self.index.len() as u64).to_le_bytes())?;
        self.out.write_all(MAGIC)?;
        Ok(self.out)
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

/// Where each file's undo data is in a pack: `None` when the pack is not whole (cut short, or
/// not a pack at all).
pub fn index(pack: &[u8]) -> Option<HashMap<usize, Range<usize>>> {
    let (rest, magic) = pack.split_at_checked(pack.len().checked_sub(MAGIC.len())?)?;
    if magic != MAGIC {
        return None;
    }
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
        let mut writer = PackWriter::new(Vec::new());
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

    #[test]
    fn the_layout_is_frames_then_the_index_then_the_count_and_the_magic() {
        let pack = packed(&[(3, b"abc".to_vec()), (7, b"de".to_vec())]);
        let mut expected = b"abcde".to_vec();
        for number in [3u64, 0, 3, 7, 3, 2, 2] {
            expected.extend_from_slice(&number.to_le_bytes());
        }
        expected.extend_from_slice(b"mmtundo1");
        assert_eq!(pack, expected);
        let index = index(&pack).unwrap();
        assert_eq!(index.len(), 2);
        assert_eq!(index[&3], 0..3);
        assert_eq!(index[&7], 3..5);
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
        // A frame said to reach past the frames, and a file given twice.
        let mut past = pack.clone();
        let len_of_second = pack.len() - 16 - 8;
        past[len_of_second..len_of_second + 8].copy_from_slice(&5u64.to_le_bytes());
        assert_eq!(index(&past), None);
        assert!(index(&packed(&[(2, b"a".to_vec()), (2, b"b".to_vec())])).is_none());
        // A count that would overflow the index's length.
        let mut huge = pack.clone();
        let count_at = pack.len() - 16;
        huge[count_at..count_at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
        assert_eq!(index(&huge), None);
    }

    #[test]
    fn a_flush_in_a_frame_reaches_the_writer_underneath() {
        let mut writer = PackWriter::new(io::BufWriter::new(Vec::new()));
        writer
            .add(0, |out| {
                out.write_all(b"abc")?;
                out.flush()
            })
            .unwrap();
        assert_eq!(writer.out.get_ref(), b"abc");
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
    }
}
