//! One search over a large haystack on several threads: the haystack is cut into pieces so that
//! no occurrence is lost at a cut, each piece is scanned on its own, and the results are put
//! back together in file order with Python's semantics unchanged. Pure over `&[u8]`; no I/O.
//!
//! Where to cut depends on what is searched for: a literal needle is cut into pieces that
//! overlap by its length less one; a regex whose longest match is bounded, into pieces that
//! overlap by that length; a regex that cannot match a newline, just after newlines. Any other
//! regex is cut anywhere, and its searches look past the piece's end (see [`RegexScan`]); so is
//! a pattern on the backtracking engine, each of whose searches is given the whole haystack,
//! so that a look-behind sees the bytes before its piece.
//!
//! The scan carries state across a cut (`bytes.count`, `re.finditer`): an occurrence that
//! straddles it pushes the next search past the next piece's start, and what that piece found
//! from its own start may then be wrong. The stitch rescans such a piece from where the scan
//! really resumes, only until it meets an occurrence the piece's own scan also found; from
//! there on the two scans are the same (each next occurrence depends only on where the search
//! starts). Pieces keep their first occurrences for that comparison; a piece that never meets
//! one of them is rescanned whole, which is still correct.

use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

mod regex;

pub use regex::{regex_all, regex_all_marked, regex_count};

use crate::search::Needle;
use crate::search::lines::{LineMark, count_newlines};

/// How a large search is split: `threads` workers, pieces of about `chunk` bytes.
#[derive(Debug, Clone, Copy)]
pub struct Split {
    pub threads: usize,
    pub chunk: usize,
}

/// Pieces of this size keep both cores busy to the end of a scan while each piece is large
/// enough that the work of starting it is lost in the noise.
pub const CHUNK: usize = 8 << 20;

/// The pieces of a search that counts lines on its workers (see [`regex_all_marked`]).
const MARKED_CHUNK: usize = 256 << 10;

impl Split {
    pub fn new(threads: usize) -> Split {
        Split {
            threads: threads.max(1),
            chunk: CHUNK,
        }
    }

    /// Whether `bytes` of windows are worth more than one thread: a small file is searched
    /// on the calling thread, as fast as before threads existed.
    pub fn worth_it(&self, bytes: usize) -> bool {
        self.threads > 1 && bytes >= 2 * self.chunk
    }
}

/// A piece of a window, and the positions whose occurrences it reports: from its start up to
/// the next piece's start (or, for the last piece of a window, up to and including its end,
/// where an empty needle occurs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    range: Range<usize>,
    owned_end: usize,
}

/// What is searched for, piece by piece: a literal needle, or a regex stepped as Python steps.
pub trait Scanner: Sync {
    /// One occurrence, ordered as the scan meets them.
    type Found: Copy + Ord + Send;

    /// The occurrences `piece` owns, for a scan that enters it at `from` (at least its start),
    /// in order.
    fn scan<'s>(&'s self, piece: &Piece, from: usize)
    -> Box<dyn Iterator<Item = Self::Found> + 's>;

    /// Where the scan goes on after `found`.
    fn resume_after(&self, found: Self::Found) -> usize;
}

/// A literal needle's occurrences, as [`Needle::all`] gives them.
struct Literal<'a> {
    needle: &'a Needle<'a>,
    hay: &'a [u8],
    overlapping: bool,
}

impl Scanner for Literal<'_> {
    type Found = usize;

    fn scan<'s>(&'s self, piece: &Piece, from: usize) -> Box<dyn Iterator<Item = usize> + 's> {
        let owned_end = piece.owned_end;
        let start = from.max(piece.range.start);
        // A scan entering past the piece's end finds nothing (an empty range would still hold
        // an empty needle's occurrence at its start).
        let window = (start <= piece.range.end).then_some(start..piece.range.end);
        Box::new(
            self.needle
                .all(self.hay, window, self.overlapping)
                .take_while(move |&at| at < owned_end),
        )
    }

    fn resume_after(&self, at: usize) -> usize {
        at + if self.overlapping {
            1
        } else {
            self.needle.len().max(1)
        }
    }
}

fn pieces(windows: &[Range<usize>], chunk: usize, needle_len: usize) -> Vec<Piece> {
    let ranges = crate::search::split_windows(windows.to_vec(), chunk.max(1), needle_len);
    let mut pieces: Vec<Piece> = Vec::with_capacity(ranges.len());
    for (i, range) in ranges.iter().enumerate() {
        // Windows never touch (touching ones are merged), so a next piece that starts inside
        // this one belongs to the same window.
        let owned_end = match ranges.get(i + 1) {
            Some(next) if next.start <= range.end => next.start,
            _ => range.end + 1,
        };
        pieces.push(Piece {
            range: range.clone(),
            owned_end,
        });
    }
    pieces
}

/// What one worker saw of a piece, scanning from its start.
#[derive(Debug)]
struct Seen<F> {
    /// The first occurrences, at most the number asked for.
    first: Vec<F>,
    /// Whether `first` holds every occurrence.
    complete: bool,
    /// Whether `count` and `last` cover the whole piece (always when counting; when listing,
    /// only if `first` is complete, since the worker stops there).
    counted: bool,
    count: usize,
    last: Option<F>,
}

fn see<S: Scanner>(scanner: &S, piece: &Piece, keep: usize, count_all: bool) -> Seen<S::Found> {
    let mut seen = Seen {
        first: Vec::new(),
        complete: true,
        counted: true,
        count: 0,
        last: None,
    };
    for found in scanner.scan(piece, piece.range.start) {
        if seen.first.len() == keep {
            seen.complete = false;
            if !count_all {
                seen.counted = false;
                break;
            }
        } else {
            seen.first.push(found);
        }
        seen.count += 1;
        seen.last = Some(found);
    }
    seen
}

/// Runs `work` on every item on `split.threads` threads, `batch` items at a time, and hands the
/// results to `consume` in order until it says stop; memory holds one batch of results. (Not
/// the ordered pool of `crate::ordered`, which hands each job and each result between threads:
/// for the many small pieces of a cut search each hand-over waits for the scheduler, and the
/// planner's property tests ran a hundred times slower on two busy cores.)
fn map_in_order<T: Sync, R: Send>(
    items: &[T],
    threads: usize,
    batch: usize,
    work: impl Fn(&T) -> R + Sync,
    mut consume: impl FnMut(R) -> bool,
) {
    for group in items.chunks(batch.max(1)) {
        let next = AtomicUsize::new(0);
        let results: Mutex<Vec<Option<R>>> = Mutex::new(group.iter().map(|_| None).collect());
        std::thread::scope(|scope| {
            for _ in 0..threads.min(group.len()) {
                scope.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = group.get(i) else { break };
                        let result = work(item);
                        if let Ok(mut results) = results.lock() {
                            results[i] = Some(result);
                        }
                    }
                });
            }
        });
        let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
        for result in results.into_iter().flatten() {
            if !consume(result) {
                return;
            }
        }
    }
}

/// Occurrences a piece keeps for the stitch when only counting: a rescan meets one of them
/// within a few occurrences unless the text repeats the needle's period (`aaaa` for `aa`).
const KEEP_FOR_COUNT: usize = 1024;
/// Occurrences a piece hands over for listing; a denser piece is listed by the calling thread,
/// whose printing is the slower part anyway.
const KEEP_FOR_LISTING: usize = 1 << 16;

/// One listing or count of a needle's occurrences in windows of a haystack.
#[derive(Clone, Copy)]
pub struct Search<'a> {
    pub needle: &'a Needle<'a>,
    pub hay: &'a [u8],
    pub windows: &'a [Range<usize>],
    /// Every occurrence, or the non-overlapping ones of `bytes.count`.
    pub overlapping: bool,
}

/// Every occurrence, in order, as [`Needle::all`] gives them, found on several threads; `emit`
/// is called for each until it returns `false`. `progress` hears of each piece searched.
pub fn all(
    search: Search,
    split: Split,
    progress: &(dyn Fn(usize) + Sync),
    emit: impl FnMut(usize) -> bool,
) {
    let (scanner, pieces) = literal(search, split);
    all_in(&scanner, &pieces, split, KEEP_FOR_LISTING, progress, emit);
}

/// `bytes.count` (or the overlapping count) of the needle, on several threads.
pub fn count(search: Search, split: Split, progress: &(dyn Fn(usize) + Sync)) -> usize {
    let (scanner, pieces) = literal(search, split);
    count_in(&scanner, &pieces, split, KEEP_FOR_COUNT, progress)
}

fn literal<'a>(search: Search<'a>, split: Split) -> (Literal<'a>, Vec<Piece>) {
    let pieces = pieces(search.windows, split.chunk, search.needle.len());
    let scanner = Literal {
        needle: search.needle,
        hay: search.hay,
        overlapping: search.overlapping,
    };
    (scanner, pieces)
}

/// Every occurrence `scanner` finds in `pieces`, in order, each piece searched on a worker;
/// `emit` is called for each until it returns `false`.
fn all_in<S: Scanner>(
    scanner: &S,
    pieces: &[Piece],
    split: Split,
    keep: usize,
    progress: &(dyn Fn(usize) + Sync),
    mut emit: impl FnMut(S::Found) -> bool,
) {
    all_in_marked(scanner, pieces, split, keep, progress, None, |found, _| {
        emit(found)
    });
}

/// [`all_in`], each occurrence handed over with the [`LineMark`] of its piece. With `lines`
/// (the haystack), each worker counts the newlines of the piece it searched, while its bytes
/// are at hand, so that the calling thread, which prints, counts only from a piece's start to
/// its occurrences; without, every mark is the start of the haystack.
fn all_in_marked<S: Scanner>(
    scanner: &S,
    pieces: &[Piece],
    split: Split,
    keep: usize,
    progress: &(dyn Fn(usize) + Sync),
    lines: Option<&[u8]>,
    mut emit: impl FnMut(S::Found, LineMark) -> bool,
) {
    let mut resume = 0;
    let mut going = true;
    let mut mark = LineMark {
        offset: 0,
        newlines: 0,
    };
    map_in_order(
        pieces,
        split.threads,
        // As many bytes a batch as pieces of `CHUNK` make, however small the pieces.
        split.threads * 4 * (CHUNK / split.chunk.max(1)).max(1),
        |piece| {
            // The newlines of the part of the haystack the piece owns (pieces may overlap).
            let seen = see(scanner, piece, keep, false);
            let newlines = lines.map_or(0, |hay| {
                let end = piece.owned_end.min(hay.len());
                count_newlines(&hay[piece.range.start.min(end)..end])
            });
            progress(piece.range.len());
            (piece.clone(), seen, newlines)
        },
        |(piece, seen, newlines)| {
            if lines.is_some() {
                mark.offset = piece.range.start;
            }
            let here = mark;
            let listed = stitch(scanner, &piece, &seen, resume, &mut |found| {
                going = going && emit(found, here);
                going
            });
            mark.newlines += newlines;
            resume = listed.resume.unwrap_or(resume);
            going
        },
    );
}

/// How many occurrences `scanner` finds in `pieces`, each piece counted on a worker.
fn count_in<S: Scanner>(
    scanner: &S,
    pieces: &[Piece],
    split: Split,
    keep: usize,
    progress: &(dyn Fn(usize) + Sync),
) -> usize {
    let mut resume = 0;
    let mut total = 0;
    map_in_order(
        pieces,
        split.threads,
        // What a piece keeps is held until its batch is stitched: batches bound that memory
        // whatever the file's size (all the pieces of a dense 64 GiB file would keep 128 MiB).
        split.threads * 4,
        |piece| {
            let seen = see(scanner, piece, keep, true);
            progress(piece.range.len());
            (piece.clone(), seen)
        },
        |(piece, seen)| {
            let stitched = stitch(scanner, &piece, &seen, resume, &mut |_| true);
            total += stitched.count;
            resume = stitched.resume.unwrap_or(resume);
            true
        },
    );
    total
}

/// What a piece really holds once the scan that enters it at `resume` is known.
struct Stitched {
    count: usize,
    /// Where the scan goes on after the piece's last occurrence, if it has one.
    resume: Option<usize>,
}

/// The occurrences of `piece` for a scan that enters it at `resume`, given what a scan from the
/// piece's start `seen`; each is handed to `emit` when the caller lists them (`emit` returning
/// `false` stops the listing). When counting, `seen.first` may be cut short and `emit` must
/// ignore what it is given.
fn stitch<S: Scanner>(
    scanner: &S,
    piece: &Piece,
    seen: &Seen<S::Found>,
    resume: usize,
    emit: &mut dyn FnMut(S::Found) -> bool,
) -> Stitched {
    let whole = |count: usize, rest: &[S::Found], emit: &mut dyn FnMut(S::Found) -> bool| {
        for &found in rest {
            if !emit(found) {
                break;
            }
        }
        Stitched {
            count,
            resume: seen.last.map(|last| scanner.resume_after(last)),
        }
    };
    if seen.counted && (resume <= piece.range.start || seen.count == 0) {
        // The piece's own scan is the real one (or there is nothing to find from anywhere).
        return whole(seen.count, &seen.first, emit);
    }
    // Rescan from where the scan really enters, until it meets an occurrence the piece's own
    // scan found: from there on both scans are the same.
    let mut count = 0;
    let mut last = None;
    for found in scanner.scan(piece, resume) {
        if seen.counted
            && let Ok(index) = seen.first.binary_search(&found)
        {
            return whole(count + seen.count - index, &seen.first[index..], emit);
        }
        count += 1;
        last = Some(found);
        if !emit(found) {
            break;
        }
    }
    Stitched {
        count,
        resume: last.map(|last| scanner.resume_after(last)),
    }
}

/// `m.find(needle)`: the first occurrence in `windows`, searched on several threads a few
/// pieces at a time, stopping at the first group of pieces that holds one.
pub fn first(needle: &Needle, hay: &[u8], windows: &[Range<usize>], split: Split) -> Option<usize> {
    let pieces = pieces(windows, split.chunk, needle.len());
    first_found(&pieces, split, |piece| {
        needle.first(hay, std::slice::from_ref(&piece.range))
    })
}

/// `m.rfind(needle)`: the last occurrence in `windows`, searched from the end on several threads.
pub fn last(needle: &Needle, hay: &[u8], windows: &[Range<usize>], split: Split) -> Option<usize> {
    let mut pieces = pieces(windows, split.chunk, needle.len());
    pieces.reverse();
    first_found(&pieces, split, |piece| {
        needle.last(hay, std::slice::from_ref(&piece.range))
    })
}

/// What `search` finds in the first of `pieces` (in their order) where it finds anything.
fn first_found(
    pieces: &[Piece],
    split: Split,
    search: impl Fn(&Piece) -> Option<usize> + Sync,
) -> Option<usize> {
    let mut found = None;
    map_in_order(pieces, split.threads, split.threads * 2, search, |at| {
        found = at;
        found.is_none()
    });
    found
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
