//! One search driver for every command that looks for a pattern's matches, as ripgrep's
//! `Searcher` and `Sink`: the driver decides how a haystack is searched (on several threads in
//! pieces when it is large and the pattern allows cuts, else on one thread), steps through the
//! matches as Python's `re.finditer` does, stops at `--max-count`, finds each match's groups
//! when the sink reads them, and hands over each piece's line mark for `-n`. What is done with
//! a match (a record printed, whole lines grouped with context, an edit planned) is the sink's.
//!
//! The matcher is a seam too ([`Matcher`]): an engine that can find a match from an offset,
//! read its groups, and optionally search a haystack cut into pieces comes in without touching
//! any sink.

use std::ops::Range;

use anyhow::Result;

use super::chunked::{self, Split};
use super::lines::LineMark;
use super::{Captures, MatchCursor, Pattern, python_matches};

/// What the driver needs of an engine.
pub trait Matcher: Sync {
    /// The leftmost match that starts at or after `at`, seeing the bytes before `at` (for
    /// look-behind, `\b` and `^`), as Python's `pattern.search(hay, at)`.
    fn find_at(&self, hay: &[u8], at: usize) -> Option<Range<usize>>;

    /// Whether a match has groups to read besides the whole match.
    fn has_groups(&self) -> bool;

    /// Slots for [`Matcher::captures_at`].
    fn captures(&self) -> Captures;

    /// [`Matcher::find_at`], its groups read into `caps`.
    fn captures_at(&self, hay: &[u8], at: usize, caps: &mut Captures) -> Option<Range<usize>>;

    /// Every match of `hay` in order, found on `split`'s threads, each handed to `emit` (with
    /// its piece's line mark when `marks`) until `emit` returns `false`. `false` when the
    /// matcher cannot search a haystack in pieces: nothing was emitted.
    fn all_in_pieces(
        &self,
        hay: &[u8],
        split: Split,
        marks: bool,
        emit: &mut dyn FnMut(Range<usize>, Option<LineMark>) -> bool,
    ) -> bool;

    /// The number of matches of `hay`, found on `split`'s threads; `None` when the matcher
    /// cannot search in pieces.
    fn count_in_pieces(&self, hay: &[u8], split: Split) -> Option<usize>;
}

impl Matcher for Pattern {
    fn find_at(&self, hay: &[u8], at: usize) -> Option<Range<usize>> {
        Pattern::find_at(self, hay, at)
    }

    fn has_groups(&self) -> bool {
        Pattern::has_groups(self)
    }

    fn captures(&self) -> Captures {
        Pattern::captures(self)
    }

    fn captures_at(&self, hay: &[u8], at: usize, caps: &mut Captures) -> Option<Range<usize>> {
        Pattern::captures_at(self, hay, at, caps)
    }

    fn all_in_pieces(
        &self,
        hay: &[u8],
        split: Split,
        marks: bool,
        emit: &mut dyn FnMut(Range<usize>, Option<LineMark>) -> bool,
    ) -> bool {
        match marks {
            true => chunked::regex_all_marked(self, hay, split, &|_| {}, |found, mark| {
                emit(found, Some(mark))
            }),
            false => chunked::regex_all(self, hay, split, &|_| {}, |found| emit(found, None)),
        }
    }

    fn count_in_pieces(&self, hay: &[u8], split: Split) -> Option<usize> {
        chunked::regex_count(self, hay, split, &|_| {})
    }
}

/// One match, as the driver hands it to a sink.
#[derive(Clone)]
pub struct Found<'c> {
    pub range: Range<usize>,
    /// Where the piece it was found in starts, and the newlines before that: where a line
    /// counter may jump to (searches in pieces with marks asked for only).
    pub mark: Option<LineMark>,
    /// Its groups, when the sink reads them and the pattern has some; `None` too when the
    /// search for them from the match's start found nothing (the backtracking engine gave up).
    pub groups: Option<&'c Captures>,
}

/// What is done with each match.
pub trait Sink {
    /// Whether the sink reads each match's groups: they cost a second, slower search.
    fn reads_groups(&self) -> bool;

    /// One match, in the haystack's order. An error stops the search and is returned.
    fn matched(&mut self, found: Found<'_>) -> Result<()>;
}

/// How a haystack is searched.
#[derive(Debug, Clone, Copy)]
pub struct Searcher {
    /// Threads for a large haystack (`None`: one thread).
    pub split: Option<Split>,
    /// At most this many matches (`--max-count`, `--max`).
    pub max: usize,
    /// Each match searched in pieces comes with its piece's line mark (for `-n`).
    pub marks: bool,
}

impl Searcher {
    /// A search on one thread, of every match.
    pub fn serial() -> Searcher {
        Searcher {
            split: None,
            max: usize::MAX,
            marks: false,
        }
    }

    /// The threads a haystack of `len` bytes is searched on, when it is worth cutting.
    fn split_for(&self, len: usize) -> Option<Split> {
        self.split.filter(|split| split.worth_it(len))
    }

    /// Hands every match of `hay` (at most `max`) to `sink`, in order; the number handed over.
    pub fn search(
        &self,
        matcher: &impl Matcher,
        hay: &[u8],
        sink: &mut impl Sink,
    ) -> Result<usize> {
        if self.max == 0 {
            return Ok(0);
        }
        let mut caps = (sink.reads_groups() && matcher.has_groups()).then(|| matcher.captures());
        let mut matches = 0;
        let mut result = Ok(());
        let in_pieces = self.split_for(hay.len()).is_some_and(|split| {
            matcher.all_in_pieces(hay, split, self.marks, &mut |range, mark| {
                matches += 1;
                // The groups of the match found at its start: the search from there finds it.
                let groups = caps.as_mut().and_then(|caps| {
                    matcher.captures_at(hay, range.start, caps)?;
                    Some(&*caps)
                });
                result = sink.matched(Found {
                    range,
                    mark,
                    groups,
                });
                result.is_ok() && matches < self.max
            })
        });
        result?;
        if in_pieces {
            return Ok(matches);
        }
        match &mut caps {
            // One search a match, its groups found with it.
            Some(caps) => {
                let mut cursor = MatchCursor::new(hay.len());
                while matches < self.max {
                    let Some(at) = cursor.position() else { break };
                    let Some(range) = matcher.captures_at(hay, at, caps) else {
                        break;
                    };
                    cursor.advance_past(range.clone());
                    matches += 1;
                    sink.matched(Found {
                        range,
                        mark: None,
                        groups: Some(caps),
                    })?;
                }
            }
            // Only the whole match to hand over: no capture engine needed.
            None => {
                for range in self.matches(matcher, hay) {
                    matches += 1;
                    sink.matched(Found {
                        range,
                        mark: None,
                        groups: None,
                    })?;
                }
            }
        }
        Ok(matches)
    }

    /// The number of matches of `hay` (at most `max`).
    pub fn count(&self, matcher: &impl Matcher, hay: &[u8]) -> usize {
        let in_pieces = self
            .split_for(hay.len())
            .filter(|_| self.max == usize::MAX)
            .and_then(|split| matcher.count_in_pieces(hay, split));
        in_pieces.unwrap_or_else(|| self.matches(matcher, hay).count())
    }

    /// The matches of `hay` (at most `max`) on this thread, one at a time: for what reads them
    /// as an iterator (the lines they touch, or do not).
    pub fn matches<'h>(
        &self,
        matcher: &'h impl Matcher,
        hay: &'h [u8],
    ) -> impl Iterator<Item = Range<usize>> + 'h {
        let find_at = move |at| matcher.find_at(hay, at);
        python_matches(hay.len(), find_at, Clone::clone).take(self.max)
    }
}

/// A sink of a closure, for a caller with nothing else to keep (see [`each_match`]).
pub struct EachMatch<F> {
    each: F,
    groups: bool,
}

/// A sink that calls `each` with every match.
pub fn each_match<F: FnMut(Found<'_>) -> Result<()>>(each: F) -> EachMatch<F> {
    EachMatch {
        each,
        groups: false,
    }
}

impl<F> EachMatch<F> {
    /// The sink reads each match's groups.
    pub fn reading_groups(self) -> EachMatch<F> {
        EachMatch {
            groups: true,
            ..self
        }
    }
}

impl<F: FnMut(Found<'_>) -> Result<()>> Sink for EachMatch<F> {
    fn reads_groups(&self) -> bool {
        self.groups
    }

    fn matched(&mut self, found: Found<'_>) -> Result<()> {
        (self.each)(found)
    }
}

#[cfg(test)]
mod tests;
