//! Searching a haystack of bytes: literal needles (Python's `find`, `rfind`, `count`) and
//! regular expressions iterated the way Python's `re.finditer` and `re.sub` iterate. No I/O.
//!
//! The subsystem is pure over `&[u8]`: the literal and regex searches here, the search of a large
//! file cut into pieces for every core (`chunked`), Python's `re` dialect (`dialect`) and the
//! replacement templates (`template`). It does no I/O.

pub mod backtrack;
pub mod chunked;
pub mod dialect;
pub mod driver;
mod linear;
pub mod lines;
pub mod template;

use linear::Linear;

use std::ops::Range;

use anyhow::{Result, anyhow};
use memchr::memmem;

use regex::bytes::CaptureLocations;
use regex_automata::meta;
use regex_syntax::hir::{Class, Hir, HirKind};

use crate::search::backtrack::Backtrack;
use crate::search::dialect::{Engine, Refusal, RegexFlags, translate};

/// The bytes before a search's start that its look-behind assertions may read (`\b`, `(?m)^`,
/// a Unicode word boundary): one UTF-8 character.
pub const LOOK_BEHIND: usize = 4;

/// The part of `hay` a regex search from `pos` is given, and where it starts: from
/// [`LOOK_BEHIND`] bytes before `pos` to the end, which gives every match from `pos` on as the
/// whole haystack would. Given the whole haystack, the regex crate's engine (regex-automata
/// 0.4.19) can cost a search from the middle of a large file as much as the file up to there:
/// an accelerated state of its reverse DFA looks for its bytes in everything before the search,
/// not only after the search's start. Searching from every match's end, a run was quadratic
/// (four minutes for 72,000 matches of `(?s)c{4}.*?z\n` in 17 MiB).
pub fn near(hay: &[u8], pos: usize) -> (usize, &[u8]) {
    let start = pos.saturating_sub(LOOK_BEHIND).min(hay.len());
    (start, &hay[start..])
}

/// The groups of the last match a [`Pattern::captures_at`] found, whichever engine found it:
/// slots reused from match to match.
pub struct Captures {
    slots: Slots,
    /// Where the haystack the linear engine was given starts (see [`near`]): its offsets count
    /// from there.
    start: usize,
}

enum Slots {
    Linear(CaptureLocations),
    Backtrack(pcre2::bytes::CaptureLocations),
}

impl Captures {
    /// Group `index`, in the haystack's offsets; `None` when it took no part in the match (or
    /// the pattern has no such group). Group 0 is the whole match.
    pub fn get(&self, index: usize) -> Option<Range<usize>> {
        match &self.slots {
            Slots::Linear(locs) => locs
                .get(index)
                .map(|(start, end)| self.start + start..self.start + end),
            Slots::Backtrack(locs) => locs.get(index).map(|(start, end)| start..end),
        }
    }

    /// The number of groups, the whole match included.
    pub fn len(&self) -> usize {
        match &self.slots {
            Slots::Linear(locs) => locs.len(),
            Slots::Backtrack(locs) => locs.len(),
        }
    }
}

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

/// Whether `bytes.count(sub, start)` counts nothing because `start` lies past the end: Python
/// clamps a start past the end for `find` (and mmap clamps it for its own `find` and `rfind`),
/// but `count` leaves it there, so even an empty needle is not found (`b"aaa".count(b"", 10)`
/// is 0, while `mmap.find(b"", 10)` is 3).
pub fn starts_past_end(len: usize, start: Option<i64>) -> bool {
    let len_i = i64::try_from(len).unwrap_or(i64::MAX);
    start.is_some_and(|start| start > len_i)
}

/// The parts of `bounds` a literal search must look at: all of it; or, in a sparse file (with
/// `extents`, its data ranges) and for a needle that holds a non-zero byte, only the data ranges
/// widened by the needle's length less one, since a match must hold a non-zero byte and holes
/// hold none. Sorted and disjoint.
pub fn search_windows(
    extents: Option<&[Range<usize>]>,
    needle: &[u8],
    bounds: Range<usize>,
) -> Vec<Range<usize>> {
    let Some(extents) = extents.filter(|_| needle.iter().any(|&b| b != 0)) else {
        return vec![bounds];
    };
    let margin = needle.len() - 1;
    let mut windows: Vec<Range<usize>> = Vec::new();
    for extent in extents {
        let start = extent.start.saturating_sub(margin).max(bounds.start);
        let end = extent.end.saturating_add(margin).min(bounds.end);
        if end.saturating_sub(start) < needle.len() {
            continue;
        }
        match windows.last_mut() {
            Some(last) if start <= last.end => last.end = last.end.max(end),
            _ => windows.push(start..end),
        }
    }
    windows
}

/// Cuts long windows into pieces of about `chunk` bytes, each overlapping the next by
/// `needle_len - 1` so that no match is lost at a cut (the scan skips what it has passed).
/// Scanning piece by piece is what lets a progress bar move during one long search.
pub fn split_windows(
    windows: Vec<Range<usize>>,
    chunk: usize,
    needle_len: usize,
) -> Vec<Range<usize>> {
    let overlap = needle_len.saturating_sub(1);
    let mut pieces = Vec::with_capacity(windows.len());
    for window in windows {
        let mut start = window.start;
        while window.end > start.saturating_add(chunk) {
            pieces.push(start..(start + chunk + overlap).min(window.end));
            start += chunk;
        }
        pieces.push(start..window.end);
    }
    pieces
}

/// Offsets of a literal needle inside windows of a haystack (see [`search_windows`]), reported
/// as offsets into the haystack, with Python's `find`, `rfind` and `count` semantics.
#[derive(Debug, Clone)]
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

    /// A needle that owns its bytes, built once and used for every file of a run.
    pub fn owned(needle: &[u8]) -> Needle<'static> {
        Needle {
            finder: memmem::Finder::new(needle).into_owned(),
            reverse: memmem::FinderRev::new(needle).into_owned(),
        }
    }

    pub(crate) fn len(&self) -> usize {
        self.finder.needle().len()
    }

    fn fits(&self, window: &Range<usize>) -> bool {
        window.end >= window.start && window.end - window.start >= self.len()
    }

    fn first_in(&self, hay: &[u8], window: Range<usize>) -> Option<usize> {
        if !self.fits(&window) {
            return None;
        }
        let found = self.finder.find(&hay[window.clone()])?;
        Some(window.start + found)
    }

    /// `m.find(needle, start, end)`.
    pub fn first(&self, hay: &[u8], windows: &[Range<usize>]) -> Option<usize> {
        windows.iter().find_map(|w| self.first_in(hay, w.clone()))
    }

    /// `m.rfind(needle, start, end)`.
    pub fn last(&self, hay: &[u8], windows: &[Range<usize>]) -> Option<usize> {
        windows.iter().rev().filter(|w| self.fits(w)).find_map(|w| {
            let found = self.reverse.rfind(&hay[w.clone()])?;
            Some(w.start + found)
        })
    }

    /// Every occurrence in order: non-overlapping as `bytes.count` counts them, or overlapping.
    /// An empty needle occurs at every position from start to end, both included.
    ///
    /// Windows are taken from `windows` only as the scan reaches them, so a caller can watch
    /// the scan's progress by inspecting that iterator.
    pub fn all<'h, W>(
        &'h self,
        hay: &'h [u8],
        windows: W,
        overlapping: bool,
    ) -> impl Iterator<Item = usize> + 'h
    where
        W: IntoIterator<Item = Range<usize>>,
        W::IntoIter: 'h,
    {
        let step = if overlapping { 1 } else { self.len().max(1) };
        let mut windows = windows.into_iter();
        let mut current = windows.next();
        let mut next = current.as_ref().map_or(0, |w| w.start);
        std::iter::from_fn(move || {
            loop {
                let window = current.clone()?;
                if let Some(at) = self.first_in(hay, next.max(window.start)..window.end) {
                    next = at + step;
                    return Some(at);
                }
                current = windows.next();
            }
        })
    }
}

/// A pattern of Python's `re` dialect, compiled for the engine it needs: the regex crate
/// (linear time) when it can run it, else PCRE2 (backtracking; see `backtrack`), unless
/// `--engine` chose.
#[derive(Debug, Clone)]
pub struct Pattern {
    matcher: Matcher,
    /// What Python warns of as it compiles the pattern (see `Translation::warnings`).
    pub warnings: Vec<String>,
    /// The pattern as typed.
    source: Vec<u8>,
    /// It has `^` or `$` (see `Translation::line_anchors`).
    line_anchors: bool,
}

#[derive(Debug, Clone)]
enum Matcher {
    Linear(Box<Linear>),
    Backtrack(Box<Backtrack>),
}

/// Which engine runs a pattern (`--engine`; `-P` is `backtrack`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum EngineChoice {
    /// The linear engine when it can run the pattern, else the backtracking one, as rg's
    /// `--engine auto` chooses.
    #[default]
    Auto,
    Linear,
    Backtrack,
}

/// A pattern as regex-automata's meta regex (the regex crate's own engine), whose searches
/// take a span of the haystack and still see the bytes around it for `^`, `$` and `\b`; and
/// where the haystack may be cut so that no match crosses a cut unseen.
#[derive(Debug, Clone)]
pub struct SpanSearch {
    pub regex: meta::Regex,
    pub shape: Shape,
}

/// What bounds a pattern's matches, from its syntax tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// No match is longer than this many bytes: pieces overlapping by it lose none.
    Bounded(usize),
    /// No match holds a newline: cuts just after a newline lose none.
    WithinLines,
    /// Neither: a match may reach anywhere.
    Unbounded,
}

impl Shape {
    fn of(hir: &Hir) -> Shape {
        if let Some(max) = hir.properties().maximum_len() {
            Shape::Bounded(max)
        } else if !may_match_newline(hir) {
            Shape::WithinLines
        } else {
            Shape::Unbounded
        }
    }
}

/// Whether some match of `hir` may hold a newline byte (assertions hold none).
fn may_match_newline(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => false,
        HirKind::Literal(literal) => literal.0.contains(&b'\n'),
        HirKind::Class(Class::Bytes(class)) => class
            .ranges()
            .iter()
            .any(|r| r.start() <= b'\n' && b'\n' <= r.end()),
        HirKind::Class(Class::Unicode(class)) => class
            .ranges()
            .iter()
            .any(|r| r.start() <= '\n' && '\n' <= r.end()),
        HirKind::Repetition(repetition) => {
            repetition.max != Some(0) && may_match_newline(&repetition.sub)
        }
        HirKind::Capture(capture) => may_match_newline(&capture.sub),
        HirKind::Concat(all) | HirKind::Alternation(all) => all.iter().any(may_match_newline),
    }
}

impl Pattern {
    /// Reads `pattern` as Python's `re.compile` with `flags` would, refusing what Python
    /// refuses, on the engine `flags.engine` chooses. Unicode is off unless asked for, so that
    /// `.`, `[^.]` and `\W` match any single byte and case folding is ASCII, as with a bytes
    /// pattern.
    pub fn new(pattern: &[u8], flags: &RegexFlags) -> Result<Pattern> {
        let invalid = |refusal: Refusal| anyhow!("invalid pattern: {refusal}");
        let (translation, engine) = match flags.engine {
            EngineChoice::Linear => (translate(pattern, flags, Engine::Linear), Engine::Linear),
            EngineChoice::Backtrack => (
                translate(pattern, flags, Engine::Backtrack),
                Engine::Backtrack,
            ),
            EngineChoice::Auto => match translate(pattern, flags, Engine::Linear) {
                Err(Refusal::NeedsBacktracking { .. }) => (
                    translate(pattern, flags, Engine::Backtrack),
                    Engine::Backtrack,
                ),
                linear => (linear, Engine::Linear),
            },
        };
        let translation = translation.map_err(invalid)?;
        let matcher = match engine {
            Engine::Linear => Matcher::Linear(Box::new(Linear::new(&translation, flags)?)),
            Engine::Backtrack => {
                let worded = |source: &str| worded_for_backtracking(source, flags);
                let on_empty = translation.on_empty.as_deref().map(worded);
                let linear_would_do = flags.engine == EngineChoice::Backtrack
                    && translate(pattern, flags, Engine::Linear).is_ok();
                Matcher::Backtrack(Box::new(Backtrack::new(
                    &worded(&translation.pattern),
                    on_empty.as_deref(),
                    flags,
                    linear_would_do,
                )?))
            }
        };
        Ok(Pattern {
            matcher,
            warnings: translation.warnings,
            source: pattern.to_vec(),
            line_anchors: translation.line_anchors,
        })
    }

    /// The engine that runs the pattern.
    pub fn engine(&self) -> Engine {
        match self.matcher {
            Matcher::Linear(_) => Engine::Linear,
            Matcher::Backtrack(_) => Engine::Backtrack,
        }
    }

    /// The pattern for span searches, when it can be searched in pieces by the linear engine:
    /// not a long list of literal alternatives, which only the Aho-Corasick searcher does fast.
    pub fn span_search(&self) -> Option<&SpanSearch> {
        match &self.matcher {
            Matcher::Linear(linear) => linear.span_search(),
            Matcher::Backtrack(_) => None,
        }
    }

    /// The pattern on the backtracking engine, if it runs there.
    pub fn backtracking(&self) -> Option<&Backtrack> {
        match &self.matcher {
            Matcher::Backtrack(backtrack) => Some(backtrack),
            Matcher::Linear(_) => None,
        }
    }

    /// The leftmost-first match that starts at or after `pos`, as Python's `search(hay, pos)`.
    /// (On the backtracking engine, `None` too when the search gave up: see
    /// `backtrack::gave_up`.)
    pub fn find_at(&self, hay: &[u8], pos: usize) -> Option<Range<usize>> {
        match &self.matcher {
            Matcher::Linear(linear) => linear.find_at(hay, pos),
            Matcher::Backtrack(backtrack) => backtrack.find_at(hay, pos),
        }
    }

    /// Slots for the groups of [`Pattern::captures_at`].
    pub fn captures(&self) -> Captures {
        let slots = match &self.matcher {
            Matcher::Linear(linear) => Slots::Linear(linear.regex.capture_locations()),
            Matcher::Backtrack(backtrack) => Slots::Backtrack(backtrack.capture_locations()),
        };
        Captures { slots, start: 0 }
    }

    /// The leftmost-first match that starts at or after `pos`, its groups read into `caps`.
    pub fn captures_at(&self, hay: &[u8], pos: usize, caps: &mut Captures) -> Option<Range<usize>> {
        match (&self.matcher, &mut caps.slots) {
            (Matcher::Linear(linear), Slots::Linear(locs)) => {
                let (start, bytes) = near(hay, pos);
                let whole = linear
                    .regex_for(hay)
                    .captures_read_at(locs, bytes, pos - start)?;
                caps.start = start;
                Some(start + whole.start()..start + whole.end())
            }
            (Matcher::Backtrack(backtrack), Slots::Backtrack(locs)) => {
                caps.start = 0;
                backtrack.captures_read_at(locs, hay, pos)
            }
            // Slots of another pattern: nothing is read into them.
            _ => None,
        }
    }

    /// Whether the pattern has capture groups (besides the whole match).
    pub fn has_groups(&self) -> bool {
        self.group_count() > 1
    }

    /// The number of groups, the whole match included.
    pub fn group_count(&self) -> usize {
        match &self.matcher {
            Matcher::Linear(linear) => linear.regex.captures_len(),
            Matcher::Backtrack(backtrack) => backtrack.captures_len(),
        }
    }

    /// The name of group `index`, if it has one.
    pub fn group_name(&self, index: usize) -> Option<&str> {
        match &self.matcher {
            Matcher::Linear(linear) => linear.regex.capture_names().nth(index).flatten(),
            Matcher::Backtrack(backtrack) => backtrack.capture_names().get(index)?.as_deref(),
        }
    }

    /// The number of the group named `name`.
    pub fn group_index(&self, name: &str) -> Option<usize> {
        (1..self.group_count()).find(|&index| self.group_name(index) == Some(name))
    }

    /// The pattern as typed.
    pub fn source(&self) -> &[u8] {
        &self.source
    }

    /// Whether the pattern has `^` or `$` (outside a class).
    pub fn has_line_anchors(&self) -> bool {
        self.line_anchors
    }

    /// How many matches `hay` holds, stepped as `re.finditer` steps.
    pub fn count(&self, hay: &[u8]) -> usize {
        python_matches(hay.len(), |pos| self.find_at(hay, pos), Clone::clone).count()
    }
}

/// `-w` on the backtracking engine: rg's half boundaries (no word character just outside the
/// match), written as look-around, which PCRE2 has.
fn worded_for_backtracking(source: &str, flags: &RegexFlags) -> String {
    if !flags.word {
        return source.to_owned();
    }
    let word = if flags.unicode { r"\w" } else { "[0-9A-Za-z_]" };
    format!("(?<!{word})(?:{source})(?!{word})")
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
impl Pattern {
    /// The pattern on the linear engine (a test's pattern runs there).
    fn linear(&mut self) -> &mut Linear {
        match &mut self.matcher {
            Matcher::Linear(linear) => linear,
            Matcher::Backtrack(_) => panic!("the test's pattern runs on the backtracking engine"),
        }
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod properties;
