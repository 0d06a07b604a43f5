//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`; `cargo +nightly fuzz run
//! NAME` there). Each takes the fuzzer's bytes, runs one pure core of mmt on them and checks it
//! against a plain reference, panicking on a difference, which the fuzzer reports with the
//! input. The unit tests below run each on a few inputs, so that the stable build keeps them
//! compiling.

// One search window, the whole haystack, which this lint mistakes for `vec![0; len]`.
#![allow(clippy::single_range_in_vec_init)]

use std::ffi::OsStr;
use std::ops::Range;
use std::os::unix::ffi::OsStrExt;

use crate::cli::slice::Spec;
use crate::output::preview::Sharing;
use crate::output::preview::check::{applied, preview_of};
use crate::patch::Plan;
use crate::search::chunked::{self, Search, Split};
use crate::search::dialect::RegexFlags;
use crate::search::template::Template;
use crate::search::{Needle, Pattern, python_matches};

/// Cuts the input into a few small numbers (from its first bytes) and the rest.
fn numbers<const N: usize>(data: &[u8]) -> Option<([u8; N], &[u8])> {
    let (head, rest) = data.split_first_chunk::<N>()?;
    Some((*head, rest))
}

/// Splits `rest` at its first 0xff byte: the needle or pattern, then the haystack.
fn two_parts(rest: &[u8]) -> (&[u8], &[u8]) {
    match rest.iter().position(|&b| b == 0xff) {
        Some(at) => (&rest[..at], &rest[at + 1..]),
        None => (&[], rest),
    }
}

fn split_of(byte: u8, chunk: u8) -> Split {
    Split {
        threads: 1 + usize::from(byte % 3),
        chunk: 1 + usize::from(chunk % 64),
    }
}

/// A literal search cut into pieces of any size on 1–3 threads gives what one scan gives:
/// the count, the listing, the first and the last occurrence.
pub fn chunked_literal(data: &[u8]) {
    let Some(([threads, chunk, flags], rest)) = numbers::<3>(data) else {
        return;
    };
    let (needle, hay) = two_parts(rest);
    let finder = Needle::new(needle);
    let windows: [Range<usize>; 1] = [0..hay.len()];
    let overlapping = flags & 1 == 1;
    let split = split_of(threads, chunk);
    let expected: Vec<usize> = finder.all(hay, windows.clone(), overlapping).collect();
    let search = Search {
        needle: &finder,
        hay,
        windows: &windows,
        overlapping,
    };
    assert_eq!(chunked::count(search, split, &|_| {}), expected.len());
    let mut listed = Vec::new();
    chunked::all(search, split, &|_| {}, |at| {
        listed.push(at);
        true
    });
    assert_eq!(listed, expected);
    assert_eq!(
        chunked::first(&finder, hay, &windows, split),
        finder.first(hay, &windows)
    );
    assert_eq!(
        chunked::last(&finder, hay, &windows, split),
        finder.last(hay, &windows)
    );
}

/// A pattern of Python's dialect either is refused or compiles; when it compiles and the
/// haystack can be cut for it, the pieces give the matches of one scan stepped as Python steps,
/// and a `re.sub` planned in pieces is the one-thread plan.
pub fn chunked_regex(data: &[u8]) {
    let Some(([threads, chunk, flags], rest)) = numbers::<3>(data) else {
        return;
    };
    let (pattern, hay) = two_parts(rest);
    let flags = RegexFlags {
        ignore_case: flags & 1 != 0,
        dot_all: flags & 2 != 0,
        multi_line: flags & 4 != 0,
        ..RegexFlags::default()
    };
    let Ok(pattern) = Pattern::new(pattern, &flags) else {
        return;
    };
    let split = split_of(threads, chunk);
    let expected: Vec<Range<usize>> =
        python_matches(hay.len(), |pos| pattern.find_at(hay, pos), Clone::clone).collect();
    if let Some(count) = chunked::regex_count(&pattern, hay, split, &|_| {}) {
        assert_eq!(count, expected.len());
        let mut listed = Vec::new();
        assert!(chunked::regex_all(&pattern, hay, split, &|_| {}, |m| {
            listed.push(m);
            true
        }));
        assert_eq!(listed, expected);
    }
    if let Ok(template) = Template::parse(b"<$0>", &pattern) {
        let one = Plan::regex(hay, &pattern, &template, usize::MAX);
        let many = Plan::regex_split(hay, &pattern, &template, usize::MAX, split);
        assert!(one.edits().eq(many.edits()));
    }
}

/// `bytes.replace(old, new, count)` planned by mmt (in pieces, on 1–3 threads) renders what a
/// plain left-to-right scan gives, and patches in place to the same bytes when lengths match.
pub fn literal_plan(data: &[u8]) {
    let Some(([threads, chunk, count, new_len], rest)) = numbers::<4>(data) else {
        return;
    };
    let (old, hay) = two_parts(rest);
    if old.is_empty() {
        return;
    }
    let new = &hay[..usize::from(new_len % 8).min(hay.len())];
    let count = if count == 0xff {
        usize::MAX
    } else {
        usize::from(count % 16)
    };
    let windows = [0..hay.len()];
    let plan = Plan::literal_split(
        hay,
        &windows,
        (old, new),
        count,
        split_of(threads, chunk),
        &|_| {},
    );
    let expected = crate::patch::bytes_replace(hay, old, new, count);
    assert_eq!(plan.render(hay, 0..hay.len()), expected);
    if plan.keeps_length() {
        let mut patched = hay.to_vec();
        plan.apply_in_place(&mut patched);
        assert_eq!(patched, expected);
    }
}

/// The parsers of command-line values never panic, and a slice spec that parses resolves to a
/// selection whose bytes number its length.
pub fn arguments(data: &[u8]) {
    let text = OsStr::from_bytes(data);
    let _ = crate::cli::bytes::parse_signed(text, "N");
    let _ = crate::cli::bytes::parse_unsigned(text, "N");
    let _ = crate::cli::bytes::decode_hex(data);
    let _ = crate::cli::bytes::decode_escapes(data);
    let _ = crate::search::template::count_groups(data.len());
    if let Ok(spec) = Spec::parse(data) {
        let hay: Vec<u8> = (0..=255).collect();
        for len in [0usize, 1, 7, 256] {
            if let Ok(selection) = spec.resolve(len as u64) {
                assert_eq!(selection.gather(&hay[..len]).len() as u64, selection.len());
            }
        }
    }
}

/// A `--copy` preview rendered in jobs of any size on 1–3 threads is the one-thread preview,
/// byte for byte; and a text preview, applied to the old bytes as `patch` would (every hunk's
/// lines and line numbers checked), gives the new bytes.
pub fn preview(data: &[u8]) {
    let Some(([threads, job_bytes], rest)) = numbers::<2>(data) else {
        return;
    };
    let (old, rest) = two_parts(rest);
    let (new, hay) = two_parts(rest);
    if old.is_empty() {
        return;
    }
    let plan = Plan::literal(hay, old, new, usize::MAX);
    if plan.is_empty() {
        return;
    }
    let one = preview_of(hay, &plan, Sharing::new(1));
    let sharing = Sharing {
        threads: 1 + usize::from(threads % 3),
        job_bytes: 1 + usize::from(job_bytes),
        remembered: usize::from(threads / 3 % 4),
        lines_apart: usize::from(threads / 12 % 2),
        lines_batch: 1 + usize::from(job_bytes / 16),
    };
    assert_eq!(preview_of(hay, &plan, sharing), one);
    if one.starts_with("--- a/f\n") {
        assert_eq!(applied(hay, &one), Ok(plan.render(hay, 0..hay.len())));
    }
}

/// The undo pack's reader on any bytes (what a torn or damaged pack holds): no panic, every
/// frame inside the pack, each frame's undo data walked without a panic. Then a pack written
/// from frames cut out of the input reads back as written, and with one byte changed is not
/// whole.
pub fn undo_pack(data: &[u8]) {
    use crate::journal::undo_pack::{PackWriter, index};
    if let Some(found) = index(data) {
        for range in found.values() {
            let frame = data
                .get(range.clone())
                .expect("a frame lies inside the pack");
            let _ = crate::journal::undo_file::for_each::<()>(frame, |_, _| Ok(()));
        }
    }
    let Some(([cut, buffer, at_high, at_low, flip], rest)) = numbers::<5>(data) else {
        return;
    };
    let frames: Vec<&[u8]> = rest.chunks(1 + usize::from(cut % 32)).collect();
    let mut writer = PackWriter::new(Vec::new(), 1 + usize::from(buffer));
    for (n, frame) in frames.iter().enumerate() {
        writer.add(n * 2, |out| out.write_all(frame)).unwrap();
    }
    let pack = writer.finish().unwrap();
    let found = index(&pack).expect("a pack as written is whole");
    assert_eq!(found.len(), frames.len());
    for (n, frame) in frames.iter().enumerate() {
        assert_eq!(&pack[found[&(n * 2)].clone()], *frame);
    }
    if flip != 0 {
        let at = usize::from(u16::from_be_bytes([at_high, at_low])) % pack.len();
        let mut torn = pack;
        torn[at] ^= flip;
        assert_eq!(index(&torn), None, "byte {at} ^ {flip:#x}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_fuzz_entry_points_run_on_a_few_inputs() {
        let inputs: [&[u8]; 6] = [
            b"",
            b"\x01\x02\x00aa\xffaaaaab\naaaa",
            b"\x02\x01a\xffb\n\xffa\nb\na\n\nx\na",
            b"\x02\x05\x07(a|b)*\xffab\nba\n\naab",
            b"\x00\x00\x03\x02ab\xffabcabcab",
            b"-5:10:2",
        ];
        for input in inputs {
            chunked_literal(input);
            chunked_regex(input);
            literal_plan(input);
            arguments(input);
            preview(input);
            undo_pack(input);
        }
    }
}
