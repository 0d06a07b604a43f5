//! A regex searched in pieces: where a haystack may be cut for a pattern (by its longest match,
//! or at line ends when no match holds a newline), and the scanner that steps through a piece
//! as Python steps, on either engine.

use std::ops::Range;
use std::sync::Mutex;

use regex_automata::Input;
use regex_automata::meta;

use crate::search::backtrack::{self, Backtrack};
use crate::search::lines::LineMark;
use crate::search::{Pattern, Shape};

use super::*;

/// A regex's matches as `(start, end)`, stepped the way Python steps (see
/// [`crate::search::MatchCursor`]).
///
/// Where the pieces are cut so that no match crosses a piece's end, each search stops there.
/// Otherwise (`reaches_end`) a search looks as far as the haystack's end, as one scan would:
/// what it finds then is the match one scan would find, since the next match depends only on
/// where the search starts, never on where it stops. Where matches are sparse, though, a
/// piece's last search runs on to the next match, however far, and so would the first search
/// of every piece it passes over. `known` spares them: the furthest such search's start and
/// what it found, which is also what a search from anywhere between the two finds. Only a
/// piece's first search and one that leaves the piece touch it, so dense matches never wait on
/// its lock; at worst, the pieces searched at the same moment repeat one long search, as many
/// as there are threads.
pub(super) struct RegexScan<'a> {
    pub(super) engine: Engine<'a>,
    pub(super) hay: &'a [u8],
    pub(super) reaches_end: bool,
    pub(super) known: Mutex<Option<NextMatch>>,
    /// Why a search of the backtracking engine gave up, on whichever thread: the caller's
    /// thread is told once the scan is over (see `backtrack::gave_up`).
    pub(super) gave_up: Mutex<Option<String>>,
}

/// What runs a [`RegexScan`]'s searches.
pub(super) enum Engine<'a> {
    /// The regex crate's engine, given a span of the haystack.
    Linear(&'a meta::Regex),
    /// PCRE2, given the whole haystack from the search's start.
    Backtrack(&'a Backtrack),
}

/// What a search from `from` found: the next match, or none up to the haystack's end.
#[derive(Debug, Clone, Copy)]
pub(super) struct NextMatch {
    pub(super) from: usize,
    pub(super) found: Option<(usize, usize)>,
}

impl RegexScan<'_> {
    /// The first match that starts at `pos` or later, searched up to `stop`.
    pub(super) fn search(&self, pos: usize, stop: usize, entering: bool) -> Option<(usize, usize)> {
        if self.reaches_end && entering {
            let known = *self.known.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(known) = known
                && known.from <= pos
                && known.found.is_none_or(|(start, _)| start >= pos)
            {
                return known.found;
            }
        }
        match self.engine {
            Engine::Linear(regex) => {
                // Only the haystack near the search (see `search::near`): given all of it, a
                // search from a piece's start mid-sentence took a second at 1 GiB.
                let (lo, near) = crate::search::near(self.hay, pos);
                regex
                    .find(Input::new(near).span(pos - lo..stop - lo))
                    .map(|m| (lo + m.start(), lo + m.end()))
            }
            Engine::Backtrack(backtrack) => {
                let found = backtrack.find_at(self.hay, pos);
                if found.is_none()
                    && let Err(why) = backtrack::gave_up()
                {
                    let mut gave_up = self.gave_up.lock().unwrap_or_else(|e| e.into_inner());
                    gave_up.get_or_insert(format!("{why:#}"));
                }
                found.map(|m| (m.start, m.end))
            }
        }
    }

    /// Tells the calling thread why a search gave up, if one did (see `backtrack::gave_up`).
    fn tell_if_gave_up(self) {
        if let Some(why) = self.gave_up.into_inner().unwrap_or_else(|e| e.into_inner()) {
            backtrack::give_up(why);
        }
    }

    /// Keeps what a search that left its piece found, if it reaches further than what is kept.
    pub(super) fn remember(&self, from: usize, found: Option<(usize, usize)>) {
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        let reach = |found: Option<(usize, usize)>| found.map_or(usize::MAX, |(start, _)| start);
        if known.is_none_or(|k| reach(found) > reach(k.found)) {
            *known = Some(NextMatch { from, found });
        }
    }
}

impl Scanner for RegexScan<'_> {
    type Found = (usize, usize);

    fn scan<'s>(
        &'s self,
        piece: &Piece,
        from: usize,
    ) -> Box<dyn Iterator<Item = (usize, usize)> + 's> {
        let owned_end = piece.owned_end;
        let stop = if self.reaches_end {
            self.hay.len()
        } else {
            piece.range.end
        };
        let mut pos = from.max(piece.range.start);
        let mut entering = true;
        Box::new(std::iter::from_fn(move || {
            if pos > stop || pos >= owned_end {
                return None;
            }
            let found = self.search(pos, stop, entering);
            entering = false;
            if found.is_none_or(|(start, _)| start >= owned_end) {
                if self.reaches_end {
                    self.remember(pos, found);
                }
                pos = stop + 1;
                return None;
            }
            let found = found?;
            pos = self.resume_after(found);
            Some(found)
        }))
    }

    fn resume_after(&self, (start, end): (usize, usize)) -> usize {
        if start == end { end + 1 } else { end }
    }
}

/// Pieces of the whole haystack for a regex of `shape`, and whether its searches must look past
/// a piece's end: not when the pieces overlap by the longest match, or are cut just after a
/// newline where no match holds one; yes for a pattern whose matches may reach anywhere (or as
/// far as a piece), whose pieces do not overlap.
pub(super) fn regex_pieces(hay: &[u8], shape: Shape, chunk: usize) -> (Vec<Piece>, bool) {
    let chunk = chunk.max(1);
    let whole = 0..hay.len();
    match shape {
        Shape::Bounded(longest) if longest < chunk => (
            pieces(std::slice::from_ref(&whole), chunk, longest + 1),
            false,
        ),
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
            (pieces, false)
        }
        Shape::Bounded(_) | Shape::Unbounded => {
            (pieces(std::slice::from_ref(&whole), chunk, 1), true)
        }
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
    let count = count_in(&scanner, &pieces, split, KEEP_FOR_COUNT, progress);
    scanner.tell_if_gave_up();
    Some(count)
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
    scanner.tell_if_gave_up();
    true
}

/// [`regex_all`], each match with the [`LineMark`] of the piece it was found in: for `grep -n`,
/// whose line numbers are then counted on the workers, piece by piece.
pub fn regex_all_marked(
    pattern: &Pattern,
    hay: &[u8],
    split: Split,
    progress: &(dyn Fn(usize) + Sync),
    mut emit: impl FnMut(Range<usize>, LineMark) -> bool,
) -> bool {
    // Pieces small enough that a worker's count of their newlines reads them again from its
    // own cache, not from memory; but for a pattern whose searches run past a piece's end,
    // whose pieces stay large.
    let small = Split {
        chunk: split.chunk.min(MARKED_CHUNK),
        ..split
    };
    let Some((scanner, pieces)) = regex_scan(pattern, hay, small) else {
        return false;
    };
    let (scanner, pieces, split) = match scanner.reaches_end {
        true => match regex_scan(pattern, hay, split) {
            Some((scanner, pieces)) => (scanner, pieces, split),
            None => return false,
        },
        false => (scanner, pieces, small),
    };
    let emit = |(start, end), mark| emit(start..end, mark);
    all_in_marked(
        &scanner,
        &pieces,
        split,
        KEEP_FOR_LISTING,
        progress,
        Some(hay),
        emit,
    );
    scanner.tell_if_gave_up();
    true
}

pub(super) fn regex_scan<'a>(
    pattern: &'a Pattern,
    hay: &'a [u8],
    split: Split,
) -> Option<(RegexScan<'a>, Vec<Piece>)> {
    let (engine, shape) = match (pattern.span_search(), pattern.backtracking()) {
        (Some(spans), _) => (Engine::Linear(&spans.regex), spans.shape),
        (None, Some(backtrack)) => (Engine::Backtrack(backtrack), Shape::Unbounded),
        (None, None) => return None,
    };
    let (pieces, reaches_end) = regex_pieces(hay, shape, split.chunk);
    let scanner = RegexScan {
        engine,
        hay,
        reaches_end,
        known: Mutex::new(None),
        gave_up: Mutex::new(None),
    };
    Some((scanner, pieces))
}
