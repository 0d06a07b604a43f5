//! Searching a haystack of bytes: literal needles (Python's `find`, `rfind`, `count`) and
//! regular expressions iterated the way Python's `re.finditer` and `re.sub` iterate. No I/O.

use std::ops::Range;

use anyhow::{Context, Result};
use memchr::memmem;
use regex::bytes::{Regex, RegexBuilder};

use crate::cli::PatternOpts;

/// The part of the haystack a `find(sub, start, end)` looks at, with Python's clamping:
/// negative bounds count from the end, and both are clamped into the haystack.
pub fn clamp_bounds(len: usize, start: Option<i64>, end: Option<i64>) -> Range<usize> {
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    let clamp = |bound: i64| -> usize {
        let absolute = if bound < 0 {
            bound.saturating_add(len_i)
        } else {
            bound
        };
        // In 0..=len, so it fits usize.
        absolute.clamp(0, len_i) as usize
    };
    clamp(start.unwrap_or(0))..clamp(end.unwrap_or(len_i))
}

/// Offsets of `needle` inside `hay[bounds]`, reported as offsets into `hay`.
pub struct Needle<'n> {
    finder: memmem::Finder<'n>,
    reverse: memmem::FinderRev<'n>,
}

impl<'n> Needle<'n> {
    pub fn new(needle: &'n [u8]) -> Self {
        Self {
            finder: memmem::Finder::new(needle),
            reverse: memmem::FinderRev::new(needle),
        }
    }

    fn len(&self) -> usize {
        self.finder.needle().len()
    }

    /// `m.find(needle, start, end)`.
    pub fn first(&self, hay: &[u8], bounds: Range<usize>) -> Option<usize> {
        if bounds.end < bounds.start || bounds.end - bounds.start < self.len() {
            return None;
        }
        let found = self.finder.find(&hay[bounds.clone()])?;
        Some(bounds.start + found)
    }

    /// `m.rfind(needle, start, end)`.
    pub fn last(&self, hay: &[u8], bounds: Range<usize>) -> Option<usize> {
        if bounds.end < bounds.start || bounds.end - bounds.start < self.len() {
            return None;
        }
        let found = self.reverse.rfind(&hay[bounds.clone()])?;
        Some(bounds.start + found)
    }

    /// Every occurrence in order: non-overlapping as `bytes.count` counts them, or overlapping.
    /// An empty needle occurs at every position from start to end, both included.
    pub fn all<'h>(
        &'h self,
        hay: &'h [u8],
        bounds: Range<usize>,
        overlapping: bool,
    ) -> impl Iterator<Item = usize> + 'h {
        let step = if overlapping { 1 } else { self.len().max(1) };
        let mut next = Some(bounds.start);
        std::iter::from_fn(move || {
            let from = next?;
            let found = self.first(hay, from..bounds.end);
            next = found.map(|at| at + step);
            found
        })
    }
}

/// Builds a bytes regex with Python's `re` flags. Unicode is off unless asked for, so that
/// `.`, `[^.]` and `\W` match any single byte and case folding is ASCII, as with a bytes pattern.
pub fn build_regex(pattern: &str, flags: &PatternOpts) -> Result<Regex> {
    RegexBuilder::new(pattern)
        .unicode(flags.unicode)
        .case_insensitive(flags.ignore_case)
        .dot_matches_new_line(flags.dot_all)
        .multi_line(flags.multi_line)
        .ignore_whitespace(flags.extended)
        .build()
        .context("invalid pattern")
}

/// Steps through the matches of a regex the way Python 3.7+ does (`re.finditer`, `re.sub`):
/// each search starts where the previous match ended, and an empty match is allowed right after
/// a non-empty one; after an empty match the next search starts one byte further on. (Rust's
/// own iterators skip an empty match that touches the previous match, so they differ.)
#[derive(Debug, Clone)]
pub struct MatchCursor {
    next: usize,
    hay_len: usize,
}

impl MatchCursor {
    pub fn new(hay_len: usize) -> Self {
        Self { next: 0, hay_len }
    }

    /// Where the next search starts, or `None` when the haystack is exhausted.
    pub fn position(&self) -> Option<usize> {
        (self.next <= self.hay_len).then_some(self.next)
    }

    /// Moves past the match just found.
    pub fn advance_past(&mut self, found: Range<usize>) {
        self.next = if found.is_empty() {
            found.end + 1
        } else {
            found.end
        };
    }
}

/// The matches of `search_at` as an iterator, stepped by a [`MatchCursor`]. `search_at(pos)`
/// finds the leftmost match starting at or after `pos`; `span` reads its range.
pub fn python_matches<T>(
    hay_len: usize,
    mut search_at: impl FnMut(usize) -> Option<T>,
    span: impl Fn(&T) -> Range<usize>,
) -> impl Iterator<Item = T> {
    let mut cursor = MatchCursor::new(hay_len);
    std::iter::from_fn(move || {
        let found = search_at(cursor.position()?)?;
        cursor.advance_past(span(&found));
        Some(found)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_clamp_like_python() {
        assert_eq!(clamp_bounds(10, None, None), 0..10);
        assert_eq!(clamp_bounds(10, Some(-3), None), 7..10);
        assert_eq!(clamp_bounds(10, Some(-30), Some(30)), 0..10);
        let reversed = clamp_bounds(10, Some(8), Some(2));
        assert_eq!((reversed.start, reversed.end), (8, 2));
    }

    #[test]
    fn find_rfind_and_all() {
        let hay = b"abcabcab";
        let needle = Needle::new(b"ab");
        assert_eq!(needle.first(hay, 0..8), Some(0));
        assert_eq!(needle.first(hay, 1..8), Some(3));
        assert_eq!(needle.last(hay, 0..8), Some(6));
        assert_eq!(needle.last(hay, 0..7), Some(3));
        assert_eq!(needle.all(hay, 0..8, false).collect::<Vec<_>>(), [0, 3, 6]);
        let aaa = Needle::new(b"aa");
        assert_eq!(aaa.all(b"aaaa", 0..4, false).collect::<Vec<_>>(), [0, 2]);
        assert_eq!(aaa.all(b"aaaa", 0..4, true).collect::<Vec<_>>(), [0, 1, 2]);
    }

    #[test]
    fn an_empty_needle_is_everywhere() {
        let empty = Needle::new(b"");
        assert_eq!(empty.first(b"abc", 1..3), Some(1));
        assert_eq!(empty.last(b"abc", 0..3), Some(3));
        assert_eq!(empty.all(b"abc", 0..3, false).count(), 4);
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 2..1;
        assert_eq!(empty.first(b"abc", reversed), None);
    }

    #[test]
    fn regex_iteration_allows_empty_matches_after_non_empty_ones() {
        let re = Regex::new(r"\w*").unwrap();
        let hay = b"ab cd";
        let spans: Vec<_> = python_matches(hay.len(), |pos| re.find_at(hay, pos), |m| m.range())
            .map(|m| m.range())
            .collect();
        // Python: [m.span() for m in re.finditer(rb'\w*', b'ab cd')]
        assert_eq!(spans, [0..2, 2..2, 3..5, 5..5]);
    }

    #[test]
    fn bytes_semantics_by_default() {
        let flags = PatternOpts {
            ignore_case: false,
            dot_all: false,
            multi_line: false,
            extended: false,
            unicode: false,
        };
        let re = build_regex(r"\W", &flags).unwrap();
        assert!(re.is_match(b"\xff"));
        let re = build_regex(r"\xff", &flags).unwrap();
        assert!(re.is_match(b"\xff"));
        assert!(!re.is_match("ÿ".as_bytes()));
    }
}
