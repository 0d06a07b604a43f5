//! `mmt grep PATH... PATTERN`: a bytes regex over the whole of each file, so matches may span
//! lines, with Python's `re` flags and capture groups; each match alone (as `rg -o`), with
//! `-n` its line; `--whole-lines` and context (`lines`); `-l` and `--files-without-match`.

mod prepare;
mod stats;
mod whole_lines;

use std::borrow::Cow;
use std::ops::Range;

use anyhow::Result;
use serde_json::{Value, json};

use super::{Positionals, list_file, print_count};
use crate::cli::GrepArgs;
use crate::cmd::drive;
use crate::cmd::hints::Readings;
use crate::exit::{ExitCode, Outcome};
use crate::files::source::Source;
use crate::map::{self, ReadPlan};
use crate::output::Style;
use crate::output::{Format, Paint, Printer, json_bytes};
use crate::search::backtrack;
use crate::search::chunked::Split;
use crate::search::driver::{Found, Searcher, each_match};
use crate::search::lines::LineCounter;
use crate::search::{Captures, Pattern};
use crate::settings::Settings;
use stats::Stats;

/// A prepared `grep`: the compiled pattern and how to print, decided once for every source.
pub(super) struct Grep {
    pattern: Pattern,
    group: usize,
    max: usize,
    format: Format,
    /// What is printed of each file.
    output: Output,
    byte_offset: bool,
    fold: bool,
    line_number: bool,
    /// `--column`: the column of the first match after the line number.
    column: bool,
    /// `-v`: the lines without a match.
    invert: bool,
    /// `-l` (`Some(true)`) or `--files-without-match` (`Some(false)`), and the end of a path.
    listing: Option<(bool, u8)>,
    /// For a pattern with `^` or `$` and no `--multi-line`: both readings counted over every
    /// file searched, to say when they differ (see `hints::Readings`).
    readings: Option<Readings>,
    /// `--stats`: what was searched and found, over every file.
    stats: Option<Stats>,
}

/// What `grep` prints of a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Output {
    /// Each match (or its group), as Python's `finditer` gives them (`-o`).
    Records,
    /// The lines matches touch (or, with `-v`, do not), with lines of context before and after.
    Lines(usize, usize),
    /// Every match as `PATH:LINE:COLUMN:LINE`.
    Vimgrep,
    /// The number of matches (`--count`).
    CountMatches,
    /// The number of lines with a match (`-c`; with `-v`, without one).
    CountLines,
}

pub fn run(args: &GrepArgs, settings: &Settings) -> Result<ExitCode> {
    if args.files.type_list {
        return super::print_type_list(&args.files, &args.args, settings);
    }
    // The pattern by flag, or none for --files: every positional is a PATH.
    if args.list_files {
        prepare::refuse_beside_files(args)?;
        let sources = Positionals::all_paths(&args.args).sources("grep", &args.files)?;
        return super::list_sources(sources, args.list.null, settings);
    }
    let by_flag = !args.regexp.is_empty();
    let count = if by_flag { 0 } else { 1 };
    let positionals = Positionals::split_or_default(&args.args, count, "PATTERN", &args.files)?;
    let pattern = match by_flag {
        true => prepare::pattern_of_flags(&args.regexp)?,
        false => positionals.args[0].as_bytes().to_vec(),
    };
    let grep = prepare::prepare(args, &pattern, settings).map_err(|e| positionals.attribute(e))?;
    if !by_flag {
        positionals.check_order("grep", "PATTERN", false, false, settings.style.quiet)?;
    }
    let sources = positionals.sources("grep", &args.files)?;
    let labelled = args.files.filename_choice().unwrap_or(sources.many);
    let plan = ReadPlan::one_of_many(settings.no_mmap, sources.many);
    let split = Split::new(settings.threads);
    let heading = labelled
        && !settings.style.json
        && grep.may_head()
        && args
            .lines
            .heading_choice()
            .unwrap_or_else(crate::sys::stdout_is_terminal);
    let settings = Settings {
        style: Style {
            heading,
            ..settings.style
        },
        ..*settings
    };
    let code = drive::each(sources, &settings, labelled, &|source, printer| {
        grep.run(source, plan, split, printer)
    })?;
    if let Some(readings) = &grep.readings {
        readings.note_if_they_differ(&settings);
    }
    if let Some(stats) = &grep.stats {
        stats.print(&settings)?;
    }
    Ok(code)
}

impl Grep {
    /// Whether the output has records a heading could stand above (not counts).
    fn may_head(&self) -> bool {
        !matches!(
            self.output,
            Output::CountMatches | Output::CountLines | Output::Vimgrep
        ) && self.listing.is_none()
    }

    /// Searches one source, printing what it finds; an error too when the backtracking engine
    /// gave up on it (see `backtrack::gave_up`), after what was printed before.
    fn run(
        &self,
        source: &Source,
        plan: ReadPlan,
        split: Split,
        printer: &mut Printer,
    ) -> Result<Outcome> {
        let searched = self.search(source, plan, split, printer);
        backtrack::gave_up()?;
        let (outcome, matches, bytes) = searched?;
        if let Some(stats) = &self.stats {
            stats.add(matches, bytes);
        }
        Ok(outcome)
    }

    /// One source's search: its outcome, its matches and its length.
    fn search(
        &self,
        source: &Source,
        plan: ReadPlan,
        split: Split,
        printer: &mut Printer,
    ) -> Result<(Outcome, usize, usize)> {
        let view = map::open_source(source, plan)?;
        if let Some(readings) = &self.readings {
            readings.count(&self.pattern, &view);
        }
        if let Some((with, end)) = self.listing {
            let found = match self.invert {
                // A line without a match: rg -v -l.
                true => self.count_lines(&view) > 0,
                // The search stops at the first match.
                false => self.pattern.find_at(&view, 0).is_some(),
            };
            let outcome = list_file(printer, source, with, found, end)?;
            return Ok((outcome, usize::from(found), view.len()));
        }
        view.expect_sequential_scan();
        // A large file is searched on every core when the pattern allows cuts (see `chunked`).
        let split = split.worth_it(view.len()).then_some(split);
        let (outcome, matches) = match self.output {
            Output::CountMatches => {
                let count = self.searcher(split, false).count(&self.pattern, &view);
                (print_count(printer, count)?, count)
            }
            Output::CountLines => {
                let count = self.count_lines(&view);
                (print_count(printer, count)?, count)
            }
            Output::Lines(before, after) => {
                self.print_lines(&view, split, (before, after), printer)?
            }
            Output::Vimgrep => self.print_vimgrep(source, &view, printer)?,
            Output::Records => self.print_records(&view, split, printer)?,
        };
        Ok((outcome, matches, view.len()))
    }

    /// How a file is searched: on `split`'s threads when it is large, at most `--max-count`
    /// matches, with line marks for `-n` when `marks`.
    fn searcher(&self, split: Option<Split>, marks: bool) -> Searcher {
        Searcher {
            split,
            max: self.max,
            marks,
        }
    }

    /// Every match (or the group asked for), each a record; with `-n`, after its line's number.
    fn print_records(
        &self,
        view: &[u8],
        split: Option<Split>,
        printer: &mut Printer,
    ) -> Result<(Outcome, usize)> {
        // `-n`: each record's line, counted on from the last record's, or from the start of the
        // piece it was found in, whose newlines a worker counted (the match's mark).
        let mut lines = self.line_number.then(LineCounter::default);
        let groups = self.pattern.has_groups();
        let print = |found: Found<'_>| {
            let mut line_of = |offset: usize| {
                lines.as_mut().map(|lines| {
                    if let Some(mark) = found.mark {
                        lines.jump(mark);
                    }
                    lines.line_of(view, offset)
                })
            };
            match (groups, found.groups) {
                (true, Some(caps)) => self.print_groups(printer, view, caps, &mut line_of),
                // The backtracking engine gave up on this match's groups: the error follows.
                (true, None) => Ok(()),
                (false, _) => {
                    let line = line_of(found.range.start);
                    self.print_whole(printer, view, found.range, line)
                }
            }
        };
        let searcher = self.searcher(split, self.line_number);
        let matches =
            searcher.search(&self.pattern, view, &mut each_match(print).reading_groups())?;
        Ok((Outcome::found(matches > 0), matches))
    }

    /// A match of a pattern without groups.
    fn print_whole(
        &self,
        printer: &mut Printer,
        hay: &[u8],
        found: Range<usize>,
        line: Option<u64>,
    ) -> Result<()> {
        if printer.style().json {
            let mut record = json!({
                "offset": found.start,
                "end": found.end,
                "match": json_bytes(&hay[found.clone()]),
                "groups": [],
            });
            with_line(&mut record, line);
            printer.json_line(&record)?;
            return Ok(());
        }
        let column = self.column_of(hay, found.start);
        self.print_record(printer, found.start, &hay[found], line, column)
    }

    /// `--column` on a record: the 1-based byte of the line where it starts, as rg -o --column.
    fn column_of(&self, hay: &[u8], offset: usize) -> Option<usize> {
        self.column
            .then(|| offset - crate::search::lines::line_start(hay, offset) + 1)
    }

    /// A match of `hay` whose groups are in `caps`: all of them in JSON, else the group asked
    /// for.
    fn print_groups(
        &self,
        printer: &mut Printer,
        hay: &[u8],
        caps: &Captures,
        line_of: &mut impl FnMut(usize) -> Option<u64>,
    ) -> Result<()> {
        if printer.style().json {
            let mut record = match_json(&self.pattern, hay, caps);
            with_line(
                &mut record,
                caps.get(0).and_then(|whole| line_of(whole.start)),
            );
            printer.json_line(&record)?;
        } else if let Some(group) = caps.get(self.group) {
            // A group that did not take part in this match prints nothing for it.
            let line = line_of(group.start);
            let column = self.column_of(hay, group.start);
            self.print_record(printer, group.start, &hay[group], line, column)?;
        }
        Ok(())
    }

    /// A record: `--fold`ed when asked, then printed.
    fn print_record(
        &self,
        printer: &mut Printer,
        offset: usize,
        record: &[u8],
        line: Option<u64>,
        column: Option<usize>,
    ) -> Result<()> {
        let mut record = Cow::Borrowed(record);
        if self.fold && record.contains(&b'\n') {
            record = Cow::Owned(
                record
                    .iter()
                    .map(|&b| if b == b'\n' { b' ' } else { b })
                    .collect(),
            );
        }
        self.print_match(printer, offset, &record, line, column)
    }

    fn print_match(
        &self,
        printer: &mut Printer,
        offset: usize,
        record: &[u8],
        line: Option<u64>,
        column: Option<usize>,
    ) -> Result<()> {
        if self.format == Format::Hex {
            printer.hex_dump(offset as u64, record)?;
            return Ok(());
        }
        printer.record_label()?;
        if let Some(line) = line {
            printer.painted(Paint::LineNumber, line.to_string().as_bytes())?;
            printer.raw(b":")?;
        }
        if let Some(column) = column {
            printer.painted(Paint::LineNumber, column.to_string().as_bytes())?;
            printer.raw(b":")?;
        }
        if self.byte_offset {
            printer.painted(Paint::Offset, offset.to_string().as_bytes())?;
            printer.raw(b":")?;
        }
        match self.format {
            Format::Repr => printer.record(Format::Repr, offset as u64, record)?,
            _ => {
                printer.painted(Paint::Match, record)?;
                printer.raw(b"\n")?;
            }
        }
        Ok(())
    }
}

/// Adds `"line"` to a JSON record, with `-n`.
fn with_line(record: &mut Value, line: Option<u64>) {
    if let Some(line) = line {
        record["line"] = json!(line);
    }
}

/// `{"offset", "end", "match", "groups": [...]}`; a group that did not take part is null.
fn match_json(pattern: &Pattern, hay: &[u8], caps: &Captures) -> Value {
    let span = |i: usize| {
        caps.get(i).map(|group| {
            json!({ "offset": group.start, "end": group.end, "data": json_bytes(&hay[group]) })
        })
    };
    let groups: Vec<Value> = (1..pattern.group_count())
        .map(|i| match span(i) {
            Some(mut group) => {
                group["name"] = json!(pattern.group_name(i));
                group
            }
            None => Value::Null,
        })
        .collect();
    let whole = caps.get(0).unwrap_or_default();
    json!({
        "offset": whole.start,
        "end": whole.end,
        "match": json_bytes(&hay[whole]),
        "groups": groups,
    })
}
