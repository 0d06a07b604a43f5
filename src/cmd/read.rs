//! `mmt read FILE [SIZE]... [--seek POS] [--lines N]`: successive reads from a file pointer, as
//! Python's `m.read(SIZE)` and `m.readline()` give them.

use std::ops::Range;

use anyhow::{Result, bail};
use memchr::memchr;

use crate::cli::ReadArgs;
use crate::cli::bytes::{parse_signed, parse_unsigned};
use crate::cmd::{print_record, record_format};
use crate::exit::Outcome;
use crate::map::{self, ReadPlan};
use crate::output::{Format, Printer};
use crate::settings::Settings;

/// What each record reads.
enum Reads {
    /// One record per SIZE; a negative SIZE reads to the end, as in Python.
    Sized(Vec<i64>),
    /// N `readline()` records.
    Lines(u64),
}

pub fn run(args: &ReadArgs, settings: &Settings, printer: &mut Printer) -> Result<Outcome> {
    let json = settings.style.json;
    let format = record_format(args.format.map(Format::from), json)?;
    let seek = args
        .seek
        .as_ref()
        .map(|s| parse_signed(s.as_os_str(), "--seek"))
        .transpose()?;
    let reads = match &args.lines {
        Some(n) => Reads::Lines(parse_unsigned(n.as_os_str(), "--lines")?),
        None if args.sizes.is_empty() => Reads::Sized(vec![-1]),
        None => Reads::Sized(
            args.sizes
                .iter()
                .map(|s| parse_signed(s.as_os_str(), "SIZE"))
                .collect::<Result<_>>()?,
        ),
    };
    let plan = ReadPlan {
        no_mmap: settings.no_mmap,
        limit: reach(seek, &reads),
        read_small: false,
    };
    let view = map::open_view(&args.file.to_path(), plan)?;
    let start = resolve_seek(seek, view.len())?;
    let (records, empty_after) = records(&view, start, &reads);
    for range in records {
        print_record(printer, format, range.start as u64, &view[range])?;
    }
    // `readline()` at the end returns b'' every time: each is a record in JSON and repr, as in
    // Python; raw bytes show nothing for them.
    if json || format != Format::Raw {
        for _ in 0..empty_after {
            print_record(printer, format, view.len() as u64, b"")?;
        }
    }
    Ok(Outcome::Done)
}

/// How far from the start the reads can go, when that is known without the file's length
/// (so an endless stream is read only that far).
fn reach(seek: Option<i64>, reads: &Reads) -> Option<u64> {
    let start = u64::try_from(seek.unwrap_or(0)).ok()?;
    match reads {
        Reads::Lines(_) => None,
        Reads::Sized(sizes) => sizes.iter().try_fold(start, |end, &size| {
            Some(end.saturating_add(u64::try_from(size).ok()?))
        }),
    }
}

/// The file pointer `--seek` sets: negative from the end; outside the file is an error, as
/// Python's `m.seek` says "seek out of range".
fn resolve_seek(seek: Option<i64>, len: usize) -> Result<usize> {
    let Some(seek) = seek else { return Ok(0) };
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    let pos = if seek < 0 {
        seek.checked_add(len_i)
    } else {
        Some(seek)
    };
    match pos.filter(|pos| (0..=len_i).contains(pos)) {
        Some(pos) => Ok(pos as usize),
        None => bail!("--seek {seek} is outside the file ({len} bytes)"),
    }
}

/// The ranges the successive reads return, and how many `readline()` records follow them at the
/// end of the data, each empty (counted, not listed: `--lines` may ask for billions).
fn records(data: &[u8], start: usize, reads: &Reads) -> (Vec<Range<usize>>, u64) {
    let mut pos = start;
    let mut out = Vec::new();
    let mut empty_after = 0;
    match reads {
        Reads::Sized(sizes) => {
            for &size in sizes {
                let end = match usize::try_from(size) {
                    Ok(size) => pos.saturating_add(size).min(data.len()),
                    Err(_) => data.len(),
                };
                out.push(pos..end);
                pos = end;
            }
        }
        Reads::Lines(n) => {
            for done in 0..*n {
                if pos == data.len() {
                    empty_after = n - done;
                    break;
                }
                let end = memchr(b'\n', &data[pos..]).map_or(data.len(), |nl| pos + nl + 1);
                out.push(pos..end);
                pos = end;
            }
        }
    }
    (out, empty_after)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sized_reads_advance_the_pointer_like_python() {
        let data = b"Lorem ipsum dolor sit amet";
        let got = records(data, 0, &Reads::Sized(vec![10, 10, 100, 5]));
        assert_eq!(got, (vec![0..10, 10..20, 20..26, 26..26], 0));
        assert_eq!(
            records(data, 20, &Reads::Sized(vec![-1])),
            (vec![20..26], 0)
        );
    }

    #[test]
    fn lines_keep_their_newlines() {
        let data = b"a\nbb\nc";
        let got = records(data, 0, &Reads::Lines(4));
        assert_eq!(got, (vec![0..2, 2..5, 5..6], 1));
        assert_eq!(records(data, 0, &Reads::Lines(u64::MAX)).1, u64::MAX - 3);
        assert_eq!(records(data, 6, &Reads::Lines(2)), (vec![], 2));
    }

    #[test]
    fn seek_counts_from_the_end_and_refuses_outside() {
        assert_eq!(resolve_seek(Some(-10), 26).unwrap(), 16);
        assert_eq!(resolve_seek(Some(26), 26).unwrap(), 26);
        assert!(resolve_seek(Some(27), 26).is_err());
        assert!(resolve_seek(Some(-27), 26).is_err());
        assert!(resolve_seek(Some(i64::MIN), 26).is_err());
    }

    #[test]
    fn reach_is_the_sum_of_sizes() {
        assert_eq!(reach(Some(4), &Reads::Sized(vec![10, 6])), Some(20));
        assert_eq!(reach(Some(-4), &Reads::Sized(vec![10])), None);
        assert_eq!(reach(None, &Reads::Sized(vec![-1])), None);
        assert_eq!(reach(None, &Reads::Lines(1)), None);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    /// Python's file pointer: `read(n)` returns up to n bytes (all for a negative n) and moves
    /// the pointer past them; `readline()` returns through the next newline or to the end.
    struct Pointer<'a> {
        data: &'a [u8],
        pos: usize,
    }

    impl Pointer<'_> {
        fn read(&mut self, n: i64) -> Vec<u8> {
            let rest = &self.data[self.pos..];
            let take = if n < 0 {
                rest.len()
            } else {
                (n as usize).min(rest.len())
            };
            self.pos += take;
            rest[..take].to_vec()
        }

        fn readline(&mut self) -> Vec<u8> {
            let mut line = Vec::new();
            while self.pos < self.data.len() {
                let byte = self.data[self.pos];
                self.pos += 1;
                line.push(byte);
                if byte == b'\n' {
                    break;
                }
            }
            line
        }
    }

    proptest! {
        #![proptest_config(crate::property_config(2000))]

        #[test]
        fn reads_match_pythons_pointer(
            data in prop::collection::vec(prop_oneof![Just(b'a'), Just(b'\n')], 0..40),
            start in 0usize..45,
            sizes in prop::collection::vec(-2i64..15, 1..6),
            lines in 0u64..6,
        ) {
            let start = start.min(data.len());
            let mut pointer = Pointer { data: &data, pos: start };
            let expected: Vec<Vec<u8>> = sizes.iter().map(|&n| pointer.read(n)).collect();
            let got: Vec<Vec<u8>> = records(&data, start, &Reads::Sized(sizes))
                .0
                .into_iter()
                .map(|r| data[r].to_vec())
                .collect();
            prop_assert_eq!(got, expected);

            let mut pointer = Pointer { data: &data, pos: start };
            let expected: Vec<Vec<u8>> = (0..lines).map(|_| pointer.readline()).collect();
            let (listed, empty_after) = records(&data, start, &Reads::Lines(lines));
            let got: Vec<Vec<u8>> = listed
                .into_iter()
                .map(|r| data[r].to_vec())
                .chain((0..empty_after).map(|_| Vec::new()))
                .collect();
            prop_assert_eq!(got, expected);
        }
    }
}
