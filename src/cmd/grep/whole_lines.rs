//! `grep -n`, `--whole-lines` (and `-A`, `-B`, `-C`): the whole lines that matches touch, each
//! once, with context around them, as grep and rg print them (`search::lines` decides which
//! lines); with `-v` the lines they do not touch; `-c`, their number; `--vimgrep`, a line per
//! match.

use std::ops::Range;

use anyhow::Result;
use serde_json::json;

use super::Grep;
use crate::exit::Outcome;
use crate::files::source::Source;
use crate::output::{Paint, Printer, json_bytes};
use crate::search::chunked::Split;
use crate::search::driver::{Found, Searcher, each_match};
use crate::search::lines::{
    LineCounter, Shown, WholeLines, first_nul, line_end, line_start, lines_in, lines_touched,
    lines_untouched,
};

impl Grep {
    /// Every match of `hay` as whole lines (with `-v`, the lines without one), with `before`
    /// and `after` lines of context; and the number of matches (of lines, with `-v`). A binary
    /// file (a NUL byte) is not printed line by line: one note says that it matches.
    pub(super) fn print_lines(
        &self,
        hay: &[u8],
        split: Option<Split>,
        (before, after): (usize, usize),
        printer: &mut Printer,
    ) -> Result<(Outcome, usize)> {
        let threads = split.map_or(1, |split| split.threads);
        if let Some(nul) = first_nul(hay, threads) {
            let found = match self.invert {
                true => self.count_lines(hay) > 0,
                false => self.pattern.find_at(hay, 0).is_some(),
            };
            if found {
                self.binary_note(printer, nul)?;
            }
            return Ok((Outcome::found(found), usize::from(found)));
        }
        if self.invert {
            return self.print_lines_without_a_match(hay, (before, after), printer);
        }
        let mut lines = WholeLines::new(hay, before, after);
        let mut emit = self.piece_printer(printer, hay, before > 0 || after > 0);
        let push = |found: Found<'_>| {
            match found.mark {
                Some(mark) => lines.push_marked(found.range, mark, &mut emit)?,
                None => lines.push(found.range, &mut emit)?,
            }
            Ok(())
        };
        let matches =
            self.searcher(split, true)
                .search(&self.pattern, hay, &mut each_match(push))?;
        lines.finish(&mut emit)?;
        Ok((Outcome::found(matches > 0), matches))
    }

    /// Prints each piece of whole lines; with `context`, a file's first group is separated from
    /// an earlier file's (see `Printer::first_group_of_file`).
    fn piece_printer<'a>(
        &'a self,
        printer: &'a mut Printer,
        hay: &'a [u8],
        context: bool,
    ) -> impl FnMut(Shown) -> std::io::Result<()> + 'a {
        let mut first = context;
        move |piece| {
            if first {
                first = false;
                printer.first_group_of_file()?;
            }
            self.print_piece(printer, hay, piece)
        }
    }

    /// `-v`: the lines no match touches, as whole lines with context (the lines with a match
    /// then being the context, as rg prints them).
    fn print_lines_without_a_match(
        &self,
        hay: &[u8],
        (before, after): (usize, usize),
        printer: &mut Printer,
    ) -> Result<(Outcome, usize)> {
        let mut lines = WholeLines::new(hay, before, after);
        let mut emit = self.piece_printer(printer, hay, before > 0 || after > 0);
        let matches = Searcher::serial().matches(&self.pattern, hay);
        let mut printed = 0;
        lines_untouched(hay, matches, |line| {
            if printed == self.max {
                return Ok(());
            }
            printed += 1;
            // One byte of the line stands for it: the line is printed, and nothing on it is
            // painted as a match.
            lines.push(line.start..line.start + 1, &mut emit)
        })?;
        lines.finish(&mut emit)?;
        Ok((Outcome::found(printed > 0), printed))
    }

    /// `-c`: the number of lines with a match (with `-v`, without one), as rg counts them.
    pub(super) fn count_lines(&self, hay: &[u8]) -> usize {
        let matches = self.searcher(None, false).matches(&self.pattern, hay);
        let touched = lines_touched(hay, matches);
        match self.invert {
            true => lines_in(hay) - touched,
            false => touched,
        }
    }

    /// `--vimgrep`: every match on a line of its own, `PATH:LINE:COLUMN:` and the whole line
    /// (its first, for a match across lines), as rg prints it for editors; the path always.
    pub(super) fn print_vimgrep(
        &self,
        source: &Source,
        hay: &[u8],
        printer: &mut Printer,
    ) -> Result<(Outcome, usize)> {
        printer.set_label(Some(source));
        let mut lines = LineCounter::default();
        let mut matches = 0;
        for found in self.searcher(None, false).matches(&self.pattern, hay) {
            matches += 1;
            let number = lines.line_of(hay, found.start);
            let start = line_start(hay, found.start);
            let line = &hay[start..line_end(hay, found.start)];
            printer.record_label()?;
            printer.painted(Paint::LineNumber, number.to_string().as_bytes())?;
            printer.raw(b":")?;
            printer.raw((found.start - start + 1).to_string().as_bytes())?;
            printer.raw(b":")?;
            printer.raw(line.strip_suffix(b"\n").unwrap_or(line))?;
            printer.raw(b"\n")?;
        }
        Ok((Outcome::found(matches > 0), matches))
    }

    /// rg's note for a binary file that matches: `PATH: binary file matches (found "\0" byte
    /// around offset N)`; in JSON, `{"type": "binary", "nul_offset": N}`.
    fn binary_note(&self, printer: &mut Printer, nul: usize) -> std::io::Result<()> {
        if printer.style().json {
            return printer.json_line(&json!({ "type": "binary", "nul_offset": nul }));
        }
        if printer.is_labelled() {
            printer.record_label()?;
            printer.raw(b" ")?;
        }
        printer.raw(
            format!("binary file matches (found \"\\0\" byte around offset {nul})\n").as_bytes(),
        )
    }

    /// One line (`PATH:LINE:` before a matching one, `PATH-LINE-` before context, `-b` the
    /// offset of its start), or the `--` between groups.
    fn print_piece(&self, printer: &mut Printer, hay: &[u8], piece: Shown) -> std::io::Result<()> {
        let Shown::Line {
            number,
            range,
            matches,
            context,
        } = piece
        else {
            return match printer.style().group_separator(false) {
                Some(separator) => printer.raw(separator),
                None => Ok(()),
            };
        };
        // With -v, a line printed has no match on it.
        let matches = if self.invert { &[][..] } else { matches };
        if printer.style().json {
            let mut record = json!({
                "type": if context { "context" } else { "match" },
                "line": number,
                "offset": range.start,
                "text": json_bytes(&hay[range.clone()]),
            });
            if !context {
                let within: Vec<_> = matches
                    .iter()
                    .filter(|found| touches(found, &range))
                    .map(|found| json!({ "offset": found.start, "end": found.end }))
                    .collect();
                record["matches"] = json!(within);
            }
            return printer.json_line(&record);
        }
        let separator = if context { b'-' } else { b':' };
        printer.record_label_as(separator)?;
        if self.line_number {
            printer.painted(Paint::LineNumber, number.to_string().as_bytes())?;
            printer.raw(&[separator])?;
        }
        if self.column && !context {
            // The first match on the line (or running into it), as rg --column.
            let column = matches
                .iter()
                .find(|found| touches(found, &range))
                .map_or(1, |found| found.start.saturating_sub(range.start) + 1);
            printer.raw(column.to_string().as_bytes())?;
            printer.raw(&[separator])?;
        }
        if self.byte_offset {
            printer.painted(Paint::Offset, range.start.to_string().as_bytes())?;
            printer.raw(&[separator])?;
        }
        let line = &hay[range.clone()];
        let body = line.strip_suffix(b"\n").unwrap_or(line);
        let end = range.start + body.len();
        // The matches on the line highlighted (where colour is on), the rest as it is.
        let mut at = range.start;
        for found in matches.iter().filter(|found| touches(found, &range)) {
            let (from, to) = (found.start.max(at), found.end.min(end));
            if from >= to {
                continue;
            }
            printer.raw(&hay[at..from])?;
            printer.painted(Paint::Match, &hay[from..to])?;
            at = to;
        }
        printer.raw(&hay[at..end])?;
        printer.raw(b"\n")
    }
}

/// Whether a match has a byte on the line `range` (an empty one: whether it is on it).
fn touches(found: &Range<usize>, range: &Range<usize>) -> bool {
    if found.is_empty() {
        return range.contains(&found.start);
    }
    found.start < range.end && found.end > range.start
}
