//! The old bytes of an in-place patch, as a run's journal keeps them (`N.undo`), and the
//! checksum of what the patch wrote. Pure: bytes in, bytes out.
//!
//! Two encodings, told apart by the first byte:
//! - `1`, records: for each edit, its offset (8 bytes), its length (8 bytes) and its old bytes;
//! - `2`, one old byte string for every edit (a literal replace overwrites the same bytes each
//!   time): its length (8 bytes) and the bytes, then each edit's offset as a LEB128 distance
//!   from the end of the edit before it. For 2.9 million hits of a 12-byte literal this is about
//!   6 MB where records would be 81 MB: the journal's cost follows the bytes changed.

use crate::patch::leb128::{push_leb128, take_leb128};
use std::borrow::Cow;
use std::io::{self, Write};
use std::ops::Range;

const RECORDS: u8 = 1;
const SAME_BYTES: u8 = 2;

/// Writes the old bytes of `edits` (ranges of the file, sorted, not overlapping) to `out`,
/// where `old(range)` gives the bytes a range holds now. `edits` is read twice: once to see
/// whether every edit overwrites the same bytes, once to write. Nothing is held in memory but
/// one edit's bytes, so that millions of edits cost no more memory than one.
pub fn encode<'a, I>(
    edits: I,
    mut old: impl FnMut(Range<usize>) -> io::Result<Cow<'a, [u8]>>,
    out: &mut impl Write,
) -> io::Result<()>
where
    I: Iterator<Item = Range<usize>> + Clone,
{
    let mut rest = edits.clone();
    let Some(first) = rest.next() else {
        return out.write_all(&[RECORDS]);
    };
    let first_old = old(first)?;
    let mut count: u64 = 1;
    let mut same = true;
    for edit in rest {
        if old(edit)? != first_old {
            same = false;
            break;
        }
        count += 1;
    }
    if same {
        same_bytes_header(&first_old, count, out)?;
        let mut end = 0usize;
        let mut number = Vec::with_capacity(10);
        for edit in edits {
            number.clear();
            push_leb128(&mut number, (edit.start - end) as u64);
            out.write_all(&number)?;
            end = edit.end;
        }
        return Ok(());
    }
    out.write_all(&[RECORDS])?;
    for edit in edits {
        out.write_all(&(edit.start as u64).to_le_bytes())?;
        out.write_all(&((edit.end - edit.start) as u64).to_le_bytes())?;
        out.write_all(&old(edit)?)?;
    }
    Ok(())
}

/// Writes the undo file of `count` edits that all overwrite `old`, where `gaps` holds each
/// edit's offset as a LEB128 distance from the end of the edit before it (from 0 for the first):
/// how a literal plan keeps its edits, so that its undo file is written without a pass over them.
pub fn encode_same(old: &[u8], count: u64, gaps: &[u8], out: &mut impl Write) -> io::Result<()> {
    same_bytes_header(old, count, out)?;
    out.write_all(gaps)
}

fn same_bytes_header(old: &[u8], count: u64, out: &mut impl Write) -> io::Result<()> {
    out.write_all(&[SAME_BYTES])?;
    out.write_all(&(old.len() as u64).to_le_bytes())?;
    out.write_all(old)?;
    out.write_all(&count.to_le_bytes())
}

/// Calls `each(offset, old_bytes)` for every edit of an encoded undo file, in order; `None`
/// when the bytes are not a well-formed undo file.
pub fn for_each<E>(
    bytes: &[u8],
    mut each: impl FnMut(u64, &[u8]) -> Result<(), E>,
) -> Option<Result<(), E>> {
    let (&kind, mut rest) = bytes.split_first()?;
    match kind {
        RECORDS => {
            while !rest.is_empty() {
                let (offset, tail) = take_u64(rest)?;
                let (len, tail) = take_u64(tail)?;
                let (old, tail) = tail.split_at_checked(usize::try_from(len).ok()?)?;
                if let Err(err) = each(offset, old) {
                    return Some(Err(err));
                }
                rest = tail;
            }
        }
        SAME_BYTES => {
            let (len, tail) = take_u64(rest)?;
            let (old, tail) = tail.split_at_checked(usize::try_from(len).ok()?)?;
            let (count, mut tail) = take_u64(tail)?;
            let mut end = 0u64;
            for _ in 0..count {
                let (gap, after) = take_leb128(tail)?;
                let offset = end.checked_add(gap)?;
                if let Err(err) = each(offset, old) {
                    return Some(Err(err));
                }
                end = offset.checked_add(len)?;
                tail = after;
            }
            if !tail.is_empty() {
                return None;
            }
        }
        _ => return None,
    }
    Some(Ok(()))
}

/// FNV-1a, 64 bits, over `chunks` in order: small, and the same in every build.
pub fn checksum<'a>(chunks: impl IntoIterator<Item = &'a [u8]>) -> u64 {
    let mut sum = FNV_OFFSET;
    for chunk in chunks {
        for &byte in chunk {
            sum ^= u64::from(byte);
            sum = sum.wrapping_mul(FNV_PRIME);
        }
    }
    sum
}

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

fn take_u64(bytes: &[u8]) -> Option<(u64, &[u8])> {
    let (head, tail) = bytes.split_at_checked(8)?;
    Some((u64::from_le_bytes(head.try_into().ok()?), tail))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decoded(bytes: &[u8]) -> Vec<(u64, Vec<u8>)> {
        let mut out = Vec::new();
        for_each::<()>(bytes, |offset, old| {
            out.push((offset, old.to_vec()));
            Ok(())
        })
        .unwrap()
        .unwrap();
        out
    }

    pub(super) fn encoded(hay: &[u8], edits: &[Range<usize>]) -> Vec<u8> {
        let mut out = Vec::new();
        encode(
            edits.iter().cloned(),
            |r| Ok(Cow::Borrowed(&hay[r])),
            &mut out,
        )
        .unwrap();
        out
    }

    #[test]
    fn the_same_old_bytes_are_kept_once() {
        let hay = b"ab..ab....ab";
        let edits = [0..2, 4..6, 10..12];
        let bytes = encoded(hay, &edits);
        assert_eq!(bytes[0], SAME_BYTES);
        // kind, length, "ab", count, then the gaps 0, 2, 4.
        assert_eq!(bytes.len(), 1 + 8 + 2 + 8 + 3);
        assert_eq!(&bytes[bytes.len() - 3..], [0, 2, 4]);
        assert_eq!(
            decoded(&bytes),
            [
                (0, b"ab".to_vec()),
                (4, b"ab".to_vec()),
                (10, b"ab".to_vec())
            ]
        );
    }

    #[test]
    fn different_old_bytes_are_records() {
        let hay = b"ab..cd";
        let bytes = encoded(hay, &[0..2, 4..6]);
        assert_eq!(bytes[0], RECORDS);
        assert_eq!(decoded(&bytes), [(0, b"ab".to_vec()), (4, b"cd".to_vec())]);
        assert_eq!(decoded(&encoded(hay, &[])), []);
    }

    #[test]
    fn damaged_files_are_refused() {
        assert!(for_each::<()>(b"", |_, _| Ok(())).is_none());
        assert!(for_each::<()>(&[9], |_, _| Ok(())).is_none());
        let good = encoded(b"ab..ab", &[0..2, 4..6]);
        assert!(for_each::<()>(&good[..good.len() - 1], |_, _| Ok(())).is_none());
        let mut trailing = good.clone();
        trailing.push(0);
        assert!(for_each::<()>(&trailing, |_, _| Ok(())).is_none());
        let records = encoded(b"ab..cd", &[0..2, 4..6]);
        assert!(for_each::<()>(&records[..records.len() - 1], |_, _| Ok(())).is_none());
    }

    #[test]
    fn checksum_is_fnv1a() {
        assert_eq!(checksum([&b""[..]]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(checksum([&b"a"[..]]), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(checksum([&b"foobar"[..]]), 0x8594_4171_f739_67e8);
        assert_eq!(
            checksum([&b"foo"[..], &b"bar"[..]]),
            checksum([&b"foobar"[..]])
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(crate::property_config(2000))]

        /// Whatever the edits, decoding gives back each edit's offset and old bytes.
        #[test]
        fn undo_files_round_trip(
            hay in prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b')], 0..200),
            cuts in prop::collection::vec((0usize..20, 1usize..4), 0..12),
        ) {
            let mut edits = Vec::new();
            let mut at = 0;
            for (gap, len) in cuts {
                let start = at + gap;
                if start + len > hay.len() {
                    break;
                }
                edits.push(start..start + len);
                at = start + len;
            }
            let bytes = super::tests::encoded(&hay, &edits);
            let mut got = Vec::new();
            for_each::<()>(&bytes, |offset, old| {
                got.push((offset, old.to_vec()));
                Ok(())
            })
            .unwrap()
            .unwrap();
            let expected: Vec<(u64, Vec<u8>)> =
                edits.iter().map(|e| (e.start as u64, hay[e.clone()].to_vec())).collect();
            prop_assert_eq!(got, expected);
        }

        /// A literal plan's undo file, written from the plan alone, is the one written by
        /// reading every edit's old bytes.
        #[test]
        fn a_literal_plans_undo_file_is_the_one_read_from_the_file(
            hay in prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b')], 0..300),
            old in prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b')], 1..4),
        ) {
            let plan = crate::patch::Plan::literal(&hay, &old, b"x", usize::MAX);
            prop_assume!(!plan.is_empty());
            let (searched, gaps) = plan.literal_gaps().unwrap();
            prop_assert_eq!(searched, &old[..]);
            let mut from_plan = Vec::new();
            encode_same(searched, plan.len() as u64, gaps, &mut from_plan).unwrap();
            let edits: Vec<Range<usize>> = plan.edits().map(|e| e.start..e.end).collect();
            prop_assert_eq!(from_plan, super::tests::encoded(&hay, &edits));
        }
    }
}
