//! Edits planned before a byte is written: every match is found first, so that `--expect`, a
//! bad template or any other error leaves the file as it was. A [`Plan`] is then applied in
//! place (same length) or streamed into a rewrite (length changes), or rendered for a preview.

use std::io;
use std::ops::Range;

use crate::patch::leb128::{push_leb128, take_leb128};
use crate::search::chunked::{self, Split};
use crate::search::driver::{Found, Searcher, each_match};
use crate::search::template::Template;
use crate::search::{Captures, Needle, Pattern};

/// Replace `old[start..end]` with the plan's bytes at `new`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    new: Range<usize>,
}

/// Sorted, non-overlapping edits of one file, and the bytes they put in.
///
/// Edits are kept compactly, since a plan can hold millions: each as LEB128 numbers (the gap
/// since the previous edit's end, then, unless every edit has the same shape, its length and
/// the length of its new bytes), a few bytes each instead of 32. They are only ever read front
/// to back.
#[derive(Debug, Default)]
pub struct Plan {
    encoded: Vec<u8>,
    len: usize,
    /// A literal's bytes: every edit takes them out and puts in the whole arena.
    literal: Option<Vec<u8>>,
    /// Replacement bytes: once for a literal replace, one expansion per match for a regex.
    arena: Vec<u8>,
    /// Where the next edit is pushed from.
    tail: Cursor,
    /// Whether some edit puts in more or fewer bytes than it takes out.
    changes_length: bool,
}

/// A place in the encoded edits: the record of edit `index`, the end of the edit before it,
/// and where its new bytes start in the arena.
#[derive(Debug, Clone, Copy, Default)]
struct Cursor {
    at: usize,
    index: usize,
    end: usize,
    new_at: usize,
}

/// The edits of a plan in order, decoded as they are read.
#[derive(Debug, Clone)]
pub struct Edits<'p> {
    plan: &'p Plan,
    cursor: Cursor,
}

impl Iterator for Edits<'_> {
    type Item = Edit;

    #[inline]
    fn next(&mut self) -> Option<Edit> {
        let plan = self.plan;
        if self.cursor.index >= plan.len {
            return None;
        }
        let mut bytes = &plan.encoded[self.cursor.at..];
        let mut take = || {
            let (value, rest) = take_leb128(bytes).expect("a plan decodes what it encoded");
            bytes = rest;
            value as usize
        };
        let start = self.cursor.end + take();
        let (old_len, new) = match &plan.literal {
            Some(old) => (old.len(), 0..plan.arena.len()),
            None => {
                let old_len = take();
                let new_len = take();
                (old_len, self.cursor.new_at..self.cursor.new_at + new_len)
            }
        };
        self.cursor = Cursor {
            at: plan.encoded.len() - bytes.len(),
            index: self.cursor.index + 1,
            end: start + old_len,
            new_at: new.end,
        };
        Some(Edit {
            start,
            end: start + old_len,
            new,
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = self.plan.len - self.cursor.index;
        (left, Some(left))
    }
}

impl ExactSizeIterator for Edits<'_> {}

/// A run of consecutive edits of a plan, and the bytes from the first one's start to the last
/// one's end: what an in-place patch maps and writes at once.
#[derive(Debug, Clone)]
pub struct Stretch<'p> {
    pub range: Range<usize>,
    first: Edits<'p>,
    count: usize,
}

impl<'p> Stretch<'p> {
    /// The stretch `range` whose edits are the first `count` of `first`.
    pub fn new(range: Range<usize>, first: Edits<'p>, count: usize) -> Stretch<'p> {
        Stretch {
            range,
            first,
            count,
        }
    }

    /// The edits of the stretch, in order.
    pub fn edits(&self) -> std::iter::Take<Edits<'p>> {
        self.first.clone().take(self.count)
    }
}

/// The first `count` edits of `edits` in stretches that span at most `span` bytes each (an
/// edit longer than that is a stretch of its own), front to back; `edits` is left after them.
pub fn stretches<'e, 'p>(
    edits: &'e mut Edits<'p>,
    mut count: usize,
    span: usize,
) -> impl Iterator<Item = Stretch<'p>> + 'e {
    std::iter::from_fn(move || {
        if count == 0 {
            return None;
        }
        let first = edits.clone();
        let Edit { start, mut end, .. } = edits.next()?;
        let mut taken = 1;
        while taken < count {
            let mut ahead = edits.clone();
            match ahead.next() {
                Some(edit) if edit.end - start <= span => {
                    end = edit.end;
                    taken += 1;
                    *edits = ahead;
                }
                _ => break,
            }
        }
        count -= taken;
        Some(Stretch {
            range: start..end,
            first,
            count: taken,
        })
    })
}

/// Where a rewrite sends the new file: unchanged runs of the original, and new bytes.
pub trait RewriteSink {
    fn copy_unchanged(&mut self, range: Range<usize>) -> io::Result<()>;
    fn write_new(&mut self, bytes: &[u8]) -> io::Result<()>;
}

impl Plan {
    /// Python's `hay.replace(old, new, max)`: non-overlapping occurrences, left to right, looked
    /// for in `windows` of the haystack (see [`search_windows`]). `old` must not be empty (the
    /// caller refuses it).
    pub fn literal_in(
        hay: &[u8],
        windows: impl IntoIterator<Item = Range<usize>>,
        old: &[u8],
        new: &[u8],
        max: usize,
    ) -> Plan {
        let needle = Needle::new(old);
        let mut plan = Plan::for_literal(old, new);
        for start in needle.all(hay, windows, false).take(max) {
            plan.push_literal(start);
        }
        plan
    }

    /// [`Plan::literal_in`] searched on several threads (see [`chunked`]); `progress` is told
    /// of every piece of the haystack searched.
    pub fn literal_split(
        hay: &[u8],
        windows: &[Range<usize>],
        (old, new): (&[u8], &[u8]),
        max: usize,
        split: Split,
        progress: &(dyn Fn(usize) + Sync),
    ) -> Plan {
        let needle = Needle::new(old);
        let mut plan = Plan::for_literal(old, new);
        if max > 0 {
            let search = chunked::Search {
                needle: &needle,
                hay,
                windows,
                overlapping: false,
            };
            chunked::all(search, split, progress, |start| {
                plan.push_literal(start);
                plan.len < max
            });
        }
        plan
    }

    fn for_literal(old: &[u8], new: &[u8]) -> Plan {
        Plan {
            literal: Some(old.to_vec()),
            arena: new.to_vec(),
            ..Plan::default()
        }
    }

    fn push_literal(&mut self, start: usize) {
        let old_len = self.literal.as_ref().map_or(0, Vec::len);
        self.push(start, start + old_len, 0..self.arena.len());
    }

    /// Appends an edit after the last one; its new bytes are `self.arena[new]`.
    fn push(&mut self, start: usize, end: usize, new: Range<usize>) {
        debug_assert!(start >= self.tail.end && end >= start);
        push_leb128(&mut self.encoded, (start - self.tail.end) as u64);
        if self.literal.is_none() {
            push_leb128(&mut self.encoded, (end - start) as u64);
            push_leb128(&mut self.encoded, new.len() as u64);
        }
        self.changes_length |= end - start != new.len();
        self.len += 1;
        self.tail = Cursor {
            at: self.encoded.len(),
            index: self.len,
            end,
            new_at: new.end,
        };
    }

    /// [`Plan::literal_in`] over the whole haystack.
    #[cfg(any(test, feature = "fuzzing"))]
    #[allow(clippy::single_range_in_vec_init)] // one window: the whole haystack
    pub fn literal(hay: &[u8], old: &[u8], new: &[u8], max: usize) -> Plan {
        Plan::literal_in(hay, vec![0..hay.len()], old, new, max)
    }

    /// [`Plan::regex`] searched on several threads when the haystack is large and the pattern
    /// can be cut (see [`Searcher`]); the template is expanded on this thread, in order.
    pub fn regex_split(
        hay: &[u8],
        pattern: &Pattern,
        template: &Template,
        max: usize,
        split: Split,
    ) -> Plan {
        let searcher = Searcher {
            split: Some(split),
            max,
            marks: false,
        };
        Plan::regex_searched(hay, pattern, template, searcher)
    }

    /// Python's `re.sub(pattern, template, hay, count=max)`, with `$1` and `${name}` in the
    /// template.
    pub fn regex(hay: &[u8], pattern: &Pattern, template: &Template, max: usize) -> Plan {
        let searcher = Searcher {
            max,
            ..Searcher::serial()
        };
        Plan::regex_searched(hay, pattern, template, searcher)
    }

    /// The edits of every match `searcher` finds, each the template expanded with its groups
    /// (the replace planner is one of the search driver's sinks).
    fn regex_searched(
        hay: &[u8],
        pattern: &Pattern,
        template: &Template,
        searcher: Searcher,
    ) -> Plan {
        let mut plan = Plan::default();
        let expand = |found: Found<'_>| {
            plan.push_expanded(hay, template, found.range, found.groups);
            Ok(())
        };
        // Expanding a template cannot fail: neither can the search.
        let _ = searcher.search(pattern, hay, &mut each_match(expand).reading_groups());
        plan
    }

    /// Appends the edit of the match `found`: `template` expanded with the match's groups
    /// (`groups`), or with the whole match alone for a pattern that has none.
    fn push_expanded(
        &mut self,
        hay: &[u8],
        template: &Template,
        found: Range<usize>,
        groups: Option<&Captures>,
    ) {
        let from = self.arena.len();
        match groups {
            Some(groups) => template.expand(hay, groups, &mut self.arena),
            None => template.expand_whole(&hay[found.clone()], &mut self.arena),
        }
        self.push(found.start, found.end, from..self.arena.len());
    }

    /// One overwrite of `data.len()` bytes at `offset`.
    pub fn overwrite(offset: usize, data: &[u8]) -> Plan {
        let mut plan = Plan {
            arena: data.to_vec(),
            ..Plan::default()
        };
        plan.push(offset, offset + data.len(), 0..data.len());
        plan
    }

    /// Puts `new` where each `start..end` is, in order (ranges sorted and apart): an undo's
    /// old bytes written back, or a whole old file for the preview of an undone rewrite.
    pub fn puts<'a>(edits: impl IntoIterator<Item = (Range<usize>, &'a [u8])>) -> Plan {
        let mut plan = Plan::default();
        for (range, new) in edits {
            let from = plan.arena.len();
            plan.arena.extend_from_slice(new);
            plan.push(range.start, range.end, from..plan.arena.len());
        }
        plan
    }

    /// The edits whose index (0-based, in order) `keep` accepts, as a plan of their own: the
    /// changes an interactive review accepted. A literal plan stays literal.
    pub fn keeping(&self, mut keep: impl FnMut(usize) -> bool) -> Plan {
        let mut kept = Plan {
            literal: self.literal.clone(),
            arena: if self.literal.is_some() {
                self.arena.clone()
            } else {
                Vec::new()
            },
            ..Plan::default()
        };
        for (index, edit) in self.edits().enumerate() {
            if !keep(index) {
                continue;
            }
            let new = if kept.literal.is_some() {
                edit.new.clone()
            } else {
                let from = kept.arena.len();
                kept.arena.extend_from_slice(self.replacement(&edit));
                from..kept.arena.len()
            };
            kept.push(edit.start, edit.end, new);
        }
        kept
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether `other` makes the same edits: the same ranges taken out, the same bytes put in.
    pub fn same_edits(&self, other: &Plan) -> bool {
        self.len == other.len
            && self.edits().zip(other.edits()).all(|(a, b)| {
                (a.start, a.end) == (b.start, b.end)
                    && self.replacement(&a) == other.replacement(&b)
            })
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The edits, front to back.
    pub fn edits(&self) -> Edits<'_> {
        Edits {
            plan: self,
            cursor: Cursor::default(),
        }
    }

    /// The edits that start at or after `pos`.
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn edits_starting_at(&self, pos: usize) -> Edits<'_> {
        let mut edits = self.edits();
        loop {
            let mut ahead = edits.clone();
            match ahead.next() {
                Some(edit) if edit.start < pos => edits = ahead,
                _ => return edits,
            }
        }
    }

    /// For a literal plan, the bytes that every edit takes out (the ones searched for), and
    /// where the edits are as the plan keeps them: each edit's offset as a LEB128 distance from
    /// the end of the edit before it (from 0 for the first).
    pub fn literal_gaps(&self) -> Option<(&[u8], &[u8])> {
        let old = self.literal.as_deref()?;
        Some((old, self.encoded.as_slice()))
    }

    pub fn replacement(&self, edit: &Edit) -> &[u8] {
        &self.arena[edit.new.clone()]
    }

    /// True when every edit puts in as many bytes as it takes out, so the file can be patched
    /// in place.
    pub fn keeps_length(&self) -> bool {
        !self.changes_length
    }

    /// The byte range from the first edit's start to the last edit's end.
    pub fn touched(&self) -> Option<Range<usize>> {
        Some(self.edits().next()?.start..self.tail.end)
    }

    /// Writes every replacement into `target`, which holds the original bytes (a map or a copy).
    /// Only for a plan that [`keeps_length`](Self::keeps_length).
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn apply_in_place(&self, target: &mut [u8]) {
        self.write_edits(self.edits(), target, 0);
    }

    /// Writes the replacements of `edits` (same-length edits of this plan) into `window`, which
    /// holds the file's bytes from offset `base` on: the one loop that every in-place writer uses,
    /// the write-through windows of a patch, the copy-on-write windows of a preview, and the
    /// fuzz target's copy.
    pub fn write_edits(&self, edits: impl Iterator<Item = Edit>, window: &mut [u8], base: usize) {
        for edit in edits {
            window[edit.start - base..edit.end - base].copy_from_slice(self.replacement(&edit));
        }
    }

    /// Streams the new file into `sink`: unchanged runs of an original of `old_len` bytes and
    /// the replacements between them, front to back.
    pub fn rewrite_into(&self, old_len: usize, sink: &mut impl RewriteSink) -> io::Result<()> {
        let mut pos = 0;
        for edit in self.edits() {
            sink.copy_unchanged(pos..edit.start)?;
            sink.write_new(self.replacement(&edit))?;
            pos = edit.end;
        }
        sink.copy_unchanged(pos..old_len)
    }

    /// The new bytes that stand for `old[range]`, where `range` holds whole edits and touches
    /// no edit it does not hold.
    #[cfg(any(test, feature = "fuzzing"))]
    pub fn render(&self, old: &[u8], range: Range<usize>) -> Vec<u8> {
        let end = range.end;
        let edits = self
            .edits_starting_at(range.start)
            .take_while(|e| e.end <= end);
        self.render_edits(old, range, edits)
    }

    /// [`Plan::render`] given the edits inside `range` (as a preview walking the plan has them).
    pub fn render_edits(
        &self,
        old: &[u8],
        range: Range<usize>,
        edits: impl Iterator<Item = Edit>,
    ) -> Vec<u8> {
        let mut out = Vec::with_capacity(range.len());
        self.render_edits_into(old, range, edits, &mut out);
        out
    }

    /// [`Plan::render_edits`] into the end of `out`.
    pub fn render_edits_into(
        &self,
        old: &[u8],
        range: Range<usize>,
        edits: impl Iterator<Item = Edit>,
        out: &mut Vec<u8>,
    ) {
        let mut pos = range.start;
        for edit in edits {
            out.extend_from_slice(&old[pos..edit.start]);
            out.extend_from_slice(self.replacement(&edit));
            pos = edit.end;
        }
        out.extend_from_slice(&old[pos..range.end]);
    }
}

/// `bytes.replace(old, new, count)`, plainly: scan left to right, skip past each replacement.
/// The reference the property tests and the fuzz targets hold plans to.
#[cfg(any(test, feature = "fuzzing"))]
pub fn bytes_replace(hay: &[u8], old: &[u8], new: &[u8], count: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let (mut i, mut done) = (0, 0);
    while i < hay.len() {
        if done < count && hay[i..].starts_with(old) {
            out.extend_from_slice(new);
            i += old.len();
            done += 1;
        } else {
            out.push(hay[i]);
            i += 1;
        }
    }
    out
}

#[cfg(test)]
pub(crate) mod tests;

#[cfg(test)]
mod properties;
