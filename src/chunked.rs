//! One search over a large haystack on several threads: the haystack is cut into pieces so that
//! no occurrence is lost at a cut, each piece is scanned on its own, and the results are put
//! back together in file order with Python's semantics unchanged. Pure over `&[u8]`; no I/O.
//!
//! Where to cut depends on what is searched for: a literal needle is cut into pieces that
//! overlap by its length less one; a regex whose longest match is bounded, into pieces that
//! overlap by that length; a regex that cannot match a newline, just after newlines. Any other
//! regex is not cut (see [`regex_pieces`]).
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

use regex_automata::Input;
use regex_automata::meta;

use crate::search::{Needle, Pattern, Shape};

/// How a large search is split: `threads` workers, pieces of about `chunk` bytes.
#[derive(Debug, Clone, Copy)]
pub struct Split {
    pub threads: usize,
    pub chunk: usize,
}

/// Pieces of this size keep both cores busy to the end of a scan while each piece is large
/// enough that the work of starting it is lost in the noise.
pub const CHUNK: usize = 8 << 20;

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

/// A regex's matches as `(start, end)`, stepped the way Python steps (see
/// [`crate::search::MatchCursor`]), each search bounded by the piece's span.
struct RegexScan<'a> {
    regex: &'a meta::Regex,
    hay: &'a [u8],
}

impl Scanner for RegexScan<'_> {
    type Found = (usize, usize);

    fn scan<'s>(
        &'s self,
        piece: &Piece,
        from: usize,
    ) -> Box<dyn Iterator<Item = (usize, usize)> + 's> {
        let (end, owned_end) = (piece.range.end, piece.owned_end);
        let mut pos = from.max(piece.range.start);
        Box::new(std::iter::from_fn(move || {
            if pos > end {
                return None;
            }
            let found = self.regex.find(Input::new(self.hay).span(pos..end))?;
            if found.start() >= owned_end {
                pos = end + 1;
                return None;
            }
            pos = self.resume_after((found.start(), found.end()));
            Some((found.start(), found.end()))
        }))
    }

    fn resume_after(&self, (start, end): (usize, usize)) -> usize {
        if start == end { end + 1 } else { end }
    }
}

/// Pieces of the whole haystack for a regex of `shape`, when it can be cut without losing a
/// match: overlapping by the longest match, or cut just after a newline when no match holds
/// one. `None` for a pattern whose matches may reach anywhere (and for a longest match that
/// would make the overlap as large as a piece).
fn regex_pieces(hay: &[u8], shape: Shape, chunk: usize) -> Option<Vec<Piece>> {
    let chunk = chunk.max(1);
    match shape {
        Shape::Bounded(longest) if longest < chunk => {
            let whole = 0..hay.len();
            Some(pieces(std::slice::from_ref(&whole), chunk, longest + 1))
        }
        Shape::WithinLines => {
            let mut pieces = Vec::new();
            let mut start = 0;
            while let Some(newline) = hay
                .get(start + chunk..)
                .and_then(|rest| memchr::memchr(b'\n', rest))
            {
                let cut = start + chunk + newline + 1;
                pieces.push(Piece {
                    range: start..cut,
                    owned_end: cut,
                });
                start = cut;
            }
            pieces.push(Piece {
                range: start..hay.len(),
                owned_end: hay.len() + 1,
            });
            Some(pieces)
        }
        Shape::Bounded(_) | Shape::Unbounded => None,
    }
}

/// The number of matches of `pattern` (as Python's `re.finditer` steps), searched on several
/// threads; `None` when the pattern cannot be cut (see [`regex_pieces`]): the caller searches
/// on one thread.
pub fn regex_count(
    pattern: &Pattern,
    hay: &[u8],
    split: Split,
    progress: &(dyn Fn(usize) + Sync),
) -> Option<usize> {
    let (scanner, pieces) = regex_scan(pattern, hay, split)?;
    Some(count_in(&scanner, &pieces, split, KEEP_FOR_COUNT, progress))
}

/// Every match of `pattern`, in order, found on several threads; `emit` is called for each
/// until it returns `false`. `false` when the pattern cannot be cut, and nothing was emitted.
pub fn regex_all(
    pattern: &Pattern,
    hay: &[u8],
    split: Split,
    progress: &(dyn Fn(usize) + Sync),
    mut emit: impl FnMut(Range<usize>) -> bool,
) -> bool {
    let Some((scanner, pieces)) = regex_scan(pattern, hay, split) else {
        return false;
    };
    let emit = |(start, end)| emit(start..end);
    all_in(&scanner, &pieces, split, KEEP_FOR_LISTING, progress, emit);
    true
}

fn regex_scan<'a>(
    pattern: &'a Pattern,
    hay: &'a [u8],
    split: Split,
) -> Option<(RegexScan<'a>, Vec<Piece>)> {
    let spans = pattern.span_search()?;
    let pieces = regex_pieces(hay, spans.shape, split.chunk)?;
    let scanner = RegexScan {
        regex: &spans.regex,
        hay,
    };
    Some((scanner, pieces))
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
/// results to `consume` in order until it says stop; memory holds one batch of results.
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
    let mut resume = 0;
    let mut going = true;
    map_in_order(
        pieces,
        split.threads,
        split.threads * 4,
        |piece| {
            let seen = see(scanner, piece, keep, false);
            progress(piece.range.len());
            (piece.clone(), seen)
        },
        |(piece, seen)| {
            let listed = stitch(scanner, &piece, &seen, resume, &mut |found| {
                going = going && emit(found);
                going
            });
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
        pieces.len(),
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
mod tests {
    use super::*;

    #[test]
    fn only_two_pieces_or_more_on_two_threads_or_more_are_split() {
        let two = Split::new(2);
        assert!(two.worth_it(2 * CHUNK));
        assert!(!two.worth_it(2 * CHUNK - 1));
        assert!(!Split::new(1).worth_it(usize::MAX));
        assert!(!Split::new(0).worth_it(usize::MAX));
    }

    #[test]
    fn a_regex_is_cut_by_its_longest_match_or_at_line_ends() {
        let shape = |p: &str| {
            let flags = crate::dialect::RegexFlags {
                dot_all: p.contains('.'),
                ..Default::default()
            };
            Pattern::new(p.as_bytes(), &flags)
                .unwrap()
                .span_search()
                .map(|s| s.shape)
        };
        assert_eq!(shape("ab|c{3}"), Some(Shape::Bounded(3)));
        assert_eq!(shape(r"\w+@\w+"), Some(Shape::WithinLines));
        assert_eq!(shape(r"[^.]*?\."), Some(Shape::Unbounded));
        assert_eq!(shape(r"a\s+b"), Some(Shape::Unbounded));
        let hay = b"one\ntwo\nthree\n";
        let cut = regex_pieces(hay, Shape::WithinLines, 2).unwrap();
        let ranges: Vec<_> = cut.iter().map(|p| (p.range.clone(), p.owned_end)).collect();
        assert_eq!(ranges, [(0..4, 4), (4..8, 8), (8..14, 14), (14..14, 15)]);
        assert!(regex_pieces(hay, Shape::Unbounded, 2).is_none());
        assert!(regex_pieces(hay, Shape::Bounded(2), 2).is_none());
    }

    #[test]
    fn pieces_own_what_starts_before_the_next_one() {
        let got = pieces(&[0..25, 30..34], 10, 3);
        let starts: Vec<_> = got.iter().map(|p| (p.range.clone(), p.owned_end)).collect();
        assert_eq!(
            starts,
            [(0..12, 10), (10..22, 20), (20..25, 26), (30..34, 35)]
        );
    }

    #[test]
    fn a_straddling_occurrence_moves_the_next_piece_on() {
        // "aa" in "aaaaa" cut at 2: the scan from 0 takes 0 and 2, so the piece at 2 must not
        // count its own occurrence at 3.
        let hay = b"aaaaaaa";
        let needle = Needle::new(b"aa");
        let split = Split {
            threads: 2,
            chunk: 3,
        };
        let windows = [0..hay.len()];
        let search = |overlapping| Search {
            needle: &needle,
            hay,
            windows: &windows,
            overlapping,
        };
        assert_eq!(count(search(false), split, &|_| {}), 3);
        let mut listed = Vec::new();
        all(search(false), split, &|_| {}, |at| {
            listed.push(at);
            true
        });
        assert_eq!(listed, [0, 2, 4]);
        assert_eq!(count(search(true), split, &|_| {}), 6);
    }
}

#[cfg(test)]
mod properties {
    use super::*;
    use proptest::prelude::*;

    fn bytes(range: Range<usize>) -> impl Strategy<Value = Vec<u8>> {
        prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(0u8)], range)
    }

    fn windows_of(len: usize, cuts: &[usize]) -> Vec<Range<usize>> {
        // Disjoint, non-touching windows from sorted cut points, or the whole haystack.
        let mut points: Vec<usize> = cuts.iter().map(|c| c % (len + 1)).collect();
        points.sort_unstable();
        points.dedup();
        let mut windows: Vec<Range<usize>> = points
            .chunks_exact(2)
            .map(|pair| pair[0]..pair[1])
            .collect();
        windows.dedup_by(|b, a| b.start <= a.end);
        if windows.is_empty() {
            windows.push(0..len);
        }
        windows
    }

    proptest! {
        #![proptest_config(crate::property_config(2000))]

        /// A regex cut into pieces (overlapping by its longest match, or at line ends when no
        /// match holds a newline) gives the matches of one scan stepped as Python steps.
        #[test]
        fn regex_pieces_stitch_back_to_one_scan(
            hay in prop::collection::vec(prop_oneof![Just(b'a'), Just(b'b'), Just(b'\n'), Just(b' ')], 0..160),
            pattern in prop::sample::select(vec![
                "a", "ab", "aa", "a*", "a+b?", "(a|b)a", "a{2}", "x*", "^a", "a$", r"\ba", r"a\B",
                "[^\n]+", "a.b", "(?m)^a", "(?m)a$", ".", "a|", "(?s).a", r"\w+", "b|ab", "", r"\Z",
            ]),
            chunk in 1usize..24,
            threads in 1usize..4,
            keep in 1usize..5,
        ) {
            let pattern = Pattern::new(pattern.as_bytes(), &Default::default()).unwrap();
            let split = Split { threads, chunk };
            let expected: Vec<Range<usize>> = crate::search::python_matches(
                hay.len(),
                |pos| pattern.find_at(&hay, pos),
                Clone::clone,
            )
            .collect();
            let Some((scanner, pieces)) = regex_scan(&pattern, &hay, split) else {
                // Only a pattern whose matches may reach anywhere, or as far as a piece, stays
                // whole.
                let shape = pattern.span_search().map(|s| s.shape);
                prop_assert!(
                    matches!(shape, Some(Shape::Unbounded))
                        || matches!(shape, Some(Shape::Bounded(longest)) if longest >= chunk),
                    "{:?}", shape
                );
                return Ok(());
            };
            for keep in [keep, KEEP_FOR_COUNT] {
                prop_assert_eq!(count_in(&scanner, &pieces, split, keep, &|_| {}), expected.len());
                let mut listed = Vec::new();
                all_in(&scanner, &pieces, split, keep, &|_| {}, |(start, end)| {
                    listed.push(start..end);
                    true
                });
                prop_assert_eq!(&listed, &expected);
            }
        }

        /// Any cut into pieces, any number of threads: the same occurrences as one scan.
        #[test]
        fn pieces_stitch_back_to_one_scan(
            hay in bytes(0..200),
            needle in bytes(0..4),
            chunk in 1usize..40,
            threads in 1usize..4,
            keep in 1usize..5,
            overlapping in any::<bool>(),
            cuts in prop::collection::vec(0usize..200, 0..6),
        ) {
            let windows = windows_of(hay.len(), &cuts);
            let finder = Needle::new(&needle);
            let split = Split { threads, chunk };
            let expected: Vec<usize> =
                finder.all(&hay, windows.clone(), overlapping).collect();
            let search = Search { needle: &finder, hay: &hay, windows: &windows, overlapping };
            let (scanner, pieces) = literal(search, split);
            for keep in [keep, KEEP_FOR_COUNT] {
                prop_assert_eq!(count_in(&scanner, &pieces, split, keep, &|_| {}), expected.len());
                let mut listed = Vec::new();
                all_in(&scanner, &pieces, split, keep, &|_| {}, |at| {
                    listed.push(at);
                    true
                });
                prop_assert_eq!(&listed, &expected);
                // A listing stopped early stops at the same place.
                let mut head = Vec::new();
                all_in(&scanner, &pieces, split, keep, &|_| {}, |at| {
                    head.push(at);
                    head.len() < 3
                });
                prop_assert_eq!(&head[..], &expected[..expected.len().min(3)]);
            }
            prop_assert_eq!(first(&finder, &hay, &windows, split), finder.first(&hay, &windows));
            prop_assert_eq!(last(&finder, &hay, &windows, split), finder.last(&hay, &windows));
        }
    }
}
