//! Lines around matches, as grep and rg print them: the 1-based line number of an offset,
//! counted as the scan goes, and the whole lines that matches touch, with lines of context
//! before and after and a separator between groups that do not touch. Pure over `&[u8]`.

use std::ops::Range;

use memchr::{memchr, memrchr};

/// The newlines in `bytes`: bytecount's vectorised counter (AVX2 where the CPU has it, chosen
/// at run time), about twice memchr's `count` here.
pub fn count_newlines(bytes: &[u8]) -> u64 {
    bytecount::count(bytes, b'\n') as u64
}

/// Where a piece starts, and how many newlines come before it: where a line counter can start
/// from for the piece's occurrences, instead of counting from the last one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineMark {
    pub offset: usize,
    pub newlines: u64,
}

/// The first NUL byte of `hay` (what makes a file binary, as grep and rg tell), looked for on
/// `threads` threads at once for a large haystack: one pass over a GiB costs a tenth of a
/// second on one core.
pub fn first_nul(hay: &[u8], threads: usize) -> Option<usize> {
    const ALONE_UP_TO: usize = 8 << 20;
    if threads <= 1 || hay.len() <= ALONE_UP_TO {
        return memchr(0, hay);
    }
    let part = hay.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let found: Vec<_> = hay
            .chunks(part)
            .enumerate()
            .map(|(i, chunk)| scope.spawn(move || memchr(0, chunk).map(|at| i * part + at)))
            .collect();
        found
            .into_iter()
            .filter_map(|handle| handle.join().expect("memchr does not panic"))
            .min()
    })
}

/// The line number of offsets asked for in order, each counted from the last one asked for:
/// the newlines between one match and the next are counted once, never from the start again.
#[derive(Debug, Clone)]
pub struct LineCounter {
    at: usize,
    line: u64,
}

impl Default for LineCounter {
    fn default() -> Self {
        LineCounter { at: 0, line: 1 }
    }
}

impl LineCounter {
    /// Moves on to `mark` (a piece's start and the newlines before it, counted by the worker
    /// that searched it) when that is ahead of where the count is: the count goes on from there.
    pub fn jump(&mut self, mark: LineMark) {
        if mark.offset > self.at {
            self.at = mark.offset;
            self.line = mark.newlines + 1;
        }
    }

    /// The 1-based line of `hay` that holds the byte at `offset` (or that `offset` would start,
    /// at the end). An offset before the last one asked for is counted back from there.
    pub fn line_of(&mut self, hay: &[u8], offset: usize) -> u64 {
        let offset = offset.min(hay.len());
        if offset >= self.at {
            self.line += count_newlines(&hay[self.at..offset]);
        } else {
            self.line -= count_newlines(&hay[offset..self.at]);
        }
        self.at = offset;
        self.line
    }
}

/// Where the line that holds the byte at `offset` starts.
pub fn line_start(hay: &[u8], offset: usize) -> usize {
    memrchr(b'\n', &hay[..offset.min(hay.len())]).map_or(0, |at| at + 1)
}

/// Where the line that holds the byte at `offset` ends: after its newline, or at the end.
pub fn line_end(hay: &[u8], offset: usize) -> usize {
    let offset = offset.min(hay.len());
    memchr(b'\n', &hay[offset..]).map_or(hay.len(), |at| offset + at + 1)
}

/// The lines a match touches: from the start of the line of its first byte to the end of the
/// line of its last (of its position, when it is empty). `None` for an empty match at the end
/// of a haystack that ends with a newline (or is empty): no line is there.
pub fn lines_of(hay: &[u8], found: &Range<usize>) -> Option<Range<usize>> {
    if found.start >= hay.len() && (hay.is_empty() || hay.ends_with(b"\n")) {
        return None;
    }
    let last = if found.end > found.start {
        found.end - 1
    } else {
        found.start
    };
    Some(line_start(hay, found.start)..line_end(hay, last))
}

/// Tells `each` every line of `hay` (its range, newline included) that none of `matches` (in
/// order of position) touches: the lines `rg -v` prints.
pub fn lines_untouched<E>(
    hay: &[u8],
    matches: impl Iterator<Item = Range<usize>>,
    mut each: impl FnMut(Range<usize>) -> Result<(), E>,
) -> Result<(), E> {
    let mut at = 0;
    for found in matches {
        let Some(touched) = lines_of(hay, &found) else {
            continue;
        };
        while at < touched.start {
            let end = line_end(hay, at);
            each(at..end)?;
            at = end;
        }
        at = at.max(touched.end);
    }
    while at < hay.len() {
        let end = line_end(hay, at);
        each(at..end)?;
        at = end;
    }
    Ok(())
}

/// The number of lines of `hay` that `matches` (in order of position) touch, each line once.
pub fn lines_touched(hay: &[u8], matches: impl Iterator<Item = Range<usize>>) -> usize {
    let mut counted_to = 0;
    let mut lines = 0;
    for found in matches {
        let Some(touched) = lines_of(hay, &found) else {
            continue;
        };
        let from = touched.start.max(counted_to);
        if from < touched.end {
            lines += lines_in(&hay[from..touched.end]);
            counted_to = touched.end;
        }
    }
    lines
}

/// The number of lines in `bytes`, whole lines: its newlines, and one more for a last line
/// without one.
pub fn lines_in(bytes: &[u8]) -> usize {
    let newlines = count_newlines(bytes) as usize;
    newlines + usize::from(!bytes.is_empty() && !bytes.ends_with(b"\n"))
}

/// What to print, in order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown<'m> {
    /// A line (its bytes, newline included when it has one): one a match touches, with the
    /// matches of its group (to highlight), or a line of context (no matches).
    Line {
        number: u64,
        range: Range<usize>,
        matches: &'m [Range<usize>],
        context: bool,
    },
    /// `--` between groups of lines that do not touch (only with context, as grep has it).
    Separator,
}

/// Matches in, whole lines out: `push` each match in order of position, then `finish`. The
/// matches whose lines touch or share a line make one group, printed once, each line of it
/// once; `before` and `after` lines of context go around each group.
#[derive(Debug)]
pub struct WholeLines<'h> {
    hay: &'h [u8],
    before: usize,
    after: usize,
    /// The group being gathered: its lines, and its matches.
    group: Option<(Range<usize>, Vec<Range<usize>>)>,
    /// Where the last line printed ends; `None` before the first.
    printed_to: Option<usize>,
    /// Lines of after-context still owed to the last group.
    after_left: usize,
    lines: LineCounter,
}

impl<'h> WholeLines<'h> {
    pub fn new(hay: &'h [u8], before: usize, after: usize) -> WholeLines<'h> {
        WholeLines {
            hay,
            before,
            after,
            group: None,
            printed_to: None,
            after_left: 0,
            lines: LineCounter::default(),
        }
    }

    /// Takes the next match (they come in order of position); prints the group before it once
    /// it is known to be complete.
    pub fn push<E>(
        &mut self,
        found: Range<usize>,
        emit: &mut impl FnMut(Shown) -> Result<(), E>,
    ) -> Result<(), E> {
        let Some(lines) = lines_of(self.hay, &found) else {
            return Ok(());
        };
        if let Some((span, matches)) = &mut self.group
            && lines.start < span.end
        {
            span.end = span.end.max(lines.end);
            matches.push(found);
            return Ok(());
        }
        if let Some(group) = self.group.take() {
            self.print_group(group, emit)?;
        }
        self.group = Some((lines, vec![found]));
        Ok(())
    }

    /// [`WholeLines::push`] of a match found in a piece that starts at `mark`: once the group
    /// before it is printed, the line count moves on to the mark rather than counting up to it
    /// (but for after-context, which is printed later and would be counted back from there).
    pub fn push_marked<E>(
        &mut self,
        found: Range<usize>,
        mark: LineMark,
        emit: &mut impl FnMut(Shown) -> Result<(), E>,
    ) -> Result<(), E> {
        let joins = self
            .group
            .as_ref()
            .is_some_and(|(span, _)| found.start < span.end);
        if !joins && self.after == 0 {
            if let Some(group) = self.group.take() {
                self.print_group(group, emit)?;
            }
            self.lines.jump(mark);
        }
        self.push(found, emit)
    }

    /// Prints the last group and its after-context.
    pub fn finish<E>(mut self, emit: &mut impl FnMut(Shown) -> Result<(), E>) -> Result<(), E> {
        if let Some(group) = self.group.take() {
            self.print_group(group, emit)?;
        }
        self.after_context(self.hay.len(), emit)
    }

    /// The after-context owed, up to `until` (the start of what is printed next).
    fn after_context<E>(
        &mut self,
        until: usize,
        emit: &mut impl FnMut(Shown) -> Result<(), E>,
    ) -> Result<(), E> {
        let Some(mut at) = self.printed_to else {
            return Ok(());
        };
        while self.after_left > 0 && at < until {
            let end = line_end(self.hay, at);
            self.context_line(at..end, emit)?;
            at = end;
            self.after_left -= 1;
        }
        self.printed_to = Some(at);
        Ok(())
    }

    fn context_line<E>(
        &mut self,
        range: Range<usize>,
        emit: &mut impl FnMut(Shown) -> Result<(), E>,
    ) -> Result<(), E> {
        let number = self.lines.line_of(self.hay, range.start);
        emit(Shown::Line {
            number,
            range,
            matches: &[],
            context: true,
        })
    }

    fn print_group<E>(
        &mut self,
        (span, matches): (Range<usize>, Vec<Range<usize>>),
        emit: &mut impl FnMut(Shown) -> Result<(), E>,
    ) -> Result<(), E> {
        self.after_context(span.start, emit)?;
        let floor = self.printed_to.unwrap_or(0);
        let mut start = span.start;
        for _ in 0..self.before {
            if start <= floor {
                break;
            }
            start = line_start(self.hay, start - 1);
        }
        let start = start.max(floor);
        // As grep and rg: groups are separated only where context is asked for.
        let with_context = self.before > 0 || self.after > 0;
        if with_context && self.printed_to.is_some_and(|printed| start > printed) {
            emit(Shown::Separator)?;
        }
        let mut at = start;
        while at < span.start {
            let end = line_end(self.hay, at);
            self.context_line(at..end, emit)?;
            at = end;
        }
        let mut at = span.start.max(at);
        while at < span.end {
            let end = line_end(self.hay, at);
            let number = self.lines.line_of(self.hay, at);
            emit(Shown::Line {
                number,
                range: at..end,
                matches: &matches,
                context: false,
            })?;
            at = end;
        }
        self.printed_to = Some(span.end);
        self.after_left = self.after;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
