//! `mmt grep PATH... PATTERN`: a bytes regex over the whole of each file, so matches may span
//! lines, with Python's `re` flags and capture groups; each match alone (as `rg -o`), with
//! `-n` its line; `--whole-lines` and context (`lines`); `-l` and `--files-without-match`.

mod lines;
mod stats;

use std::borrow::Cow;
use std::ops::Range;

use anyhow::{Result, bail};
use serde_json::{Value, json};

use super::{Positionals, list_file, print_count, record_format, warn_of_pattern};
use crate::cli::GrepArgs;
use crate::cli::bytes::parse_limit;
use crate::cmd::drive;
use crate::cmd::hints::Readings;
use crate::exit::{ExitCode, Outcome};
use crate::files::source::Source;
use crate::map::{self, ReadPlan};
use crate::output::Style;
use crate::output::{Format, Paint, Printer, json_bytes};
use crate::search::backtrack;
use crate::search::chunked::{self, Split};
use crate::search::dialect::RegexFlags;
use crate::search::lines::LineCounter;
use crate::search::template::count_groups;
use crate::search::{Captures, MatchCursor, Pattern, python_matches};
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
        return super::print_type_list(&args.files, settings);
    }
    // The pattern by flag, or none for --files: every positional is a PATH.
    if args.list_files {
        refuse_beside_files(args)?;
        let sources = Positionals::all_paths(&args.args).sources("grep", &args.files)?;
        return super::list_sources(sources, args.list.null, settings);
    }
    let by_flag = !args.regexp.is_empty();
    let count = if by_flag { 0 } else { 1 };
    let positionals = Positionals::split_or_default(&args.args, count, "PATTERN", &args.files)?;
    let pattern = match by_flag {
        true => pattern_of_flags(&args.regexp)?,
        false => positionals.args[0].as_bytes().to_vec(),
    };
    let grep = prepare(args, &pattern, settings).map_err(|e| positionals.attribute(e))?;
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
            .unwrap_or_else(crate::output::stdout_is_terminal);
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

/// The patterns of `-e` (any of them): one as it is, several as alternatives, each a group of
/// its own (`(?:A)|(?:B)`).
fn pattern_of_flags(patterns: &[crate::cli::Raw]) -> Result<Vec<u8>> {
    match patterns {
        [] => bail!("--files lists files; it takes no PATTERN"),
        [one] => Ok(one.as_bytes().to_vec()),
        many => {
            let mut joined = Vec::new();
            for (i, pattern) in many.iter().enumerate() {
                if i > 0 {
                    joined.push(b'|');
                }
                joined.extend_from_slice(b"(?:");
                joined.extend_from_slice(pattern.as_bytes());
                joined.push(b')');
            }
            Ok(joined)
        }
    }
}

/// `--files` prints paths, not what a search finds: the flags that shape that are refused.
fn refuse_beside_files(args: &GrepArgs) -> Result<()> {
    let searching = [
        (!args.regexp.is_empty(), "-e"),
        (args.count, "--count"),
        (args.count_lines, "-c/--count-lines"),
        (args.list.listing().is_some(), "-l/--files-without-match"),
        (args.group.is_some(), "--group"),
        (args.stats, "--stats"),
        (args.invert_match, "-v/--invert-match"),
    ];
    if let Some((_, flag)) = searching.iter().find(|(given, _)| *given) {
        bail!(
            "--files lists the files a search would look at, and searches nothing; {flag} shapes what a search prints: give one of them"
        );
    }
    Ok(())
}

fn prepare(args: &GrepArgs, pattern: &[u8], settings: &Settings) -> Result<Grep> {
    let json = settings.style.json;
    let format = record_format(args.format.map(Format::from), json)?;
    if json {
        refuse_beside_json(args)?;
    }
    let lines = &args.lines;
    let whole_lines_flag = lines.whole_lines_flag();
    // Records (matches or groups) rather than lines: -o, or a flag that shapes records.
    let records_flag = [
        (args.only_matching, "-o/--only-matching"),
        (args.group.is_some(), "--group"),
        (args.fold, "--fold"),
        (args.format.is_some(), "--format"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag));
    let conflicts = [
        (records_flag, whole_lines_flag),
        (
            records_flag,
            args.invert_match.then_some("-v/--invert-match"),
        ),
        (records_flag, lines.vimgrep.then_some("--vimgrep")),
        (whole_lines_flag, lines.vimgrep.then_some("--vimgrep")),
        (
            args.count.then_some("--count"),
            args.count_lines.then_some("-c/--count-lines"),
        ),
        (
            args.count.then_some("--count"),
            args.invert_match
                .then_some("-v/--invert-match (count lines without a match with -c)"),
        ),
    ];
    for (one, other) in conflicts {
        if let (Some(one), Some(other)) = (one, other) {
            bail!("{one} and {other} ask for different output; give one of them");
        }
    }
    let counting = [
        (args.count, "--count"),
        (args.count_lines, "-c/--count-lines"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag));
    if let Some(counting) = counting {
        let shaping = [
            (records_flag.is_some(), records_flag.unwrap_or_default()),
            (
                whole_lines_flag.is_some(),
                whole_lines_flag.unwrap_or_default(),
            ),
            (lines.line_number, "-n/--line-number"),
            (lines.column, "--column"),
            (lines.vimgrep, "--vimgrep"),
            (args.byte_offset, "-b/--byte-offset"),
        ];
        if let Some((_, flag)) = shaping.iter().find(|(given, _)| *given) {
            bail!(
                "{counting} prints a number, and {flag} shapes what is printed of matches; give one of them"
            );
        }
    }
    let listing = super::listing(
        &args.list,
        json,
        &[
            (args.count, "--count"),
            (args.count_lines, "-c/--count-lines"),
            (lines.line_number, "-n/--line-number"),
            (lines.column, "--column"),
            (lines.vimgrep, "--vimgrep"),
            (args.byte_offset, "-b/--byte-offset"),
            (records_flag.is_some(), records_flag.unwrap_or_default()),
            (args.max_count.is_some(), "--max-count"),
            (
                whole_lines_flag.is_some(),
                whole_lines_flag.unwrap_or_default(),
            ),
            (args.stats, "--stats"),
        ],
    )?;
    if (lines.line_number || lines.column) && format == Format::Hex {
        bail!(
            "-n/--line-number puts LINE: before text records, and --format hex prints a hex dump \
             with offsets of its own; give one of them"
        );
    }
    let output = if args.count {
        Output::CountMatches
    } else if args.count_lines {
        Output::CountLines
    } else if lines.vimgrep {
        Output::Vimgrep
    } else if whole_lines_flag.is_some()
        || args.invert_match
        || ((lines.line_number || lines.column) && records_flag.is_none())
    {
        let (before, after) = lines.context_lines();
        Output::Lines(before, after)
    } else {
        Output::Records
    };
    let flags = pattern_flags(args, pattern)?;
    let pattern = match args.fixed_strings {
        true => Pattern::new(&escaped(pattern), &flags)?,
        false => Pattern::new(pattern, &flags)?,
    };
    let readings = match args.fixed_strings {
        true => None,
        false => Readings::of(&pattern, flags),
    };
    warn_of_pattern(&pattern, settings);
    let group = match &args.group {
        Some(name) => group_index(&pattern, &name.0.to_string_lossy())?,
        None => 0,
    };
    Ok(Grep {
        pattern,
        group,
        max: parse_limit(
            args.max_count.as_ref().map(|m| m.as_os_str()),
            "--max-count",
        )?,
        format,
        output,
        byte_offset: args.byte_offset,
        fold: args.fold,
        line_number: lines.line_number || lines.column,
        column: lines.column,
        invert: args.invert_match,
        listing,
        readings,
        stats: args.stats.then(Stats::default),
    })
}

/// The pattern's flags: Python's, `-w`, and `-S` (case-insensitive unless the pattern has an
/// upper-case letter); with `-F`, only those that mean something for literal bytes.
fn pattern_flags(args: &GrepArgs, pattern: &[u8]) -> Result<RegexFlags> {
    let mut flags: RegexFlags = args.flags.into();
    flags.word = args.word_regexp;
    if args.fixed_strings {
        let regex_only = [
            (args.flags.dot_all, "--dot-all"),
            (args.flags.multi_line, "--multi-line"),
            (args.flags.extended, "--extended"),
            (args.flags.engine.is_some(), "--engine"),
            (args.flags.pcre2, "-P/--pcre2"),
        ];
        if let Some((_, flag)) = regex_only.iter().find(|(given, _)| *given) {
            bail!(
                "{flag} applies to a regular expression, and -F/--fixed-strings makes PATTERN literal bytes; give one of them"
            );
        }
    }
    if args.smart_case && !args.flags.ignore_case {
        flags.ignore_case = !has_upper_case(pattern, args.fixed_strings);
    }
    Ok(flags)
}

/// Whether a pattern has an upper-case letter of its own (`-S`): not one that is part of an
/// escape (`\W`, `\S`) or of a group's name.
fn has_upper_case(pattern: &[u8], literal: bool) -> bool {
    if literal {
        return pattern.iter().any(u8::is_ascii_uppercase);
    }
    let text = String::from_utf8_lossy(pattern);
    let mut chars = text.chars().peekable();
    let mut in_name = false;
    let mut previous = ' ';
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '<' if previous == 'P' => in_name = true,
            '=' if previous == 'P' => in_name = true,
            '>' | ')' if in_name => in_name = false,
            c if c.is_uppercase() && !in_name => return true,
            _ => {}
        }
        previous = c;
    }
    false
}

/// Literal bytes as a pattern of Python's dialect: every ASCII character that is not a letter or
/// a digit escaped (as `re.escape` does), other bytes as they are.
fn escaped(literal: &[u8]) -> Vec<u8> {
    let mut pattern = Vec::with_capacity(literal.len() * 2);
    for &byte in literal {
        if byte.is_ascii() && !byte.is_ascii_alphanumeric() && byte != b'_' {
            pattern.push(b'\\');
        }
        pattern.push(byte);
    }
    pattern
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
                let find_at = |pos| self.pattern.find_at(&view, pos);
                let parallel = split
                    .filter(|_| self.max == usize::MAX)
                    .and_then(|split| chunked::regex_count(&self.pattern, &view, split, &|_| {}));
                let count = match parallel {
                    Some(count) => count,
                    None => python_matches(view.len(), find_at, Clone::clone)
                        .take(self.max)
                        .count(),
                };
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

    /// Every match (or the group asked for), each a record; with `-n`, after its line's number.
    fn print_records(
        &self,
        view: &[u8],
        split: Option<Split>,
        printer: &mut Printer,
    ) -> Result<(Outcome, usize)> {
        let find_at = |pos| self.pattern.find_at(view, pos);
        let mut caps = self.pattern.captures();
        // `-n`: each record's line, counted on from the last record's, or from the start of the
        // piece it was found in, whose newlines a worker counted (`mark`).
        let mut lines = self.line_number.then(LineCounter::default);
        let mark = std::cell::Cell::new(None);
        let mut line_of = |offset: usize| {
            lines.as_mut().map(|lines| {
                if let Some(mark) = mark.take() {
                    lines.jump(mark);
                }
                lines.line_of(view, offset)
            })
        };
        let groups = self.pattern.has_groups();
        let mut matches = 0;
        let mut printed = Ok(());
        let parallel = split.is_some_and(|split| {
            let mut emit = |found: Range<usize>, at| {
                if matches == self.max {
                    return false;
                }
                matches += 1;
                mark.set(at);
                printed = if groups {
                    // The groups of the match found at its start: the search from there finds
                    // it again.
                    match self.pattern.captures_at(view, found.start, &mut caps) {
                        Some(_) => self.print_groups(printer, view, &caps, &mut line_of),
                        None => Ok(()),
                    }
                } else {
                    let line = line_of(found.start);
                    self.print_whole(printer, view, found, line)
                };
                printed.is_ok() && matches < self.max
            };
            match self.line_number {
                true => {
                    chunked::regex_all_marked(&self.pattern, view, split, &|_| {}, |found, at| {
                        emit(found, Some(at))
                    })
                }
                false => chunked::regex_all(&self.pattern, view, split, &|_| {}, |found| {
                    emit(found, None)
                }),
            }
        });
        printed?;
        if !parallel && groups {
            // One search a match, its groups found with it.
            let mut cursor = MatchCursor::new(view.len());
            while matches < self.max {
                let Some(pos) = cursor.position() else { break };
                let Some(whole) = self.pattern.captures_at(view, pos, &mut caps) else {
                    break;
                };
                cursor.advance_past(whole);
                matches += 1;
                self.print_groups(printer, view, &caps, &mut line_of)?;
            }
        } else if !parallel {
            // Only the whole match to print: no capture engine needed.
            for found in python_matches(view.len(), find_at, Clone::clone).take(self.max) {
                matches += 1;
                let line = line_of(found.start);
                self.print_whole(printer, view, found, line)?;
            }
        }
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
        self.print_record(printer, found.start, &hay[found], line)
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
            self.print_record(printer, group.start, &hay[group], line)?;
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
        self.print_match(printer, offset, &record, line)
    }

    fn print_match(
        &self,
        printer: &mut Printer,
        offset: usize,
        record: &[u8],
        line: Option<u64>,
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

/// `--group G`: a number, or the name of a group the pattern has.
fn group_index(pattern: &Pattern, name: &str) -> Result<usize> {
    let groups = pattern.group_count();
    if let Ok(index) = name.parse::<usize>() {
        if index < groups {
            return Ok(index);
        }
        bail!(
            "--group {index}: the pattern has no group {index} (it has {})",
            count_groups(groups - 1)
        );
    }
    match pattern.group_index(name) {
        Some(index) => Ok(index),
        None => bail!("--group {name}: the pattern has no group named {name}"),
    }
}

/// `--json` prints every match with its offsets and all its groups; the flags that shape text
/// records would be ignored there, so they are refused.
fn refuse_beside_json(args: &GrepArgs) -> Result<()> {
    let text_only = [
        (args.group.is_some(), "--group"),
        (args.byte_offset, "-b/--byte-offset"),
        (args.fold, "--fold"),
    ];
    if let Some((_, flag)) = text_only.iter().find(|(given, _)| *given) {
        bail!(
            "{flag} shapes text records, and --json prints every match with its offsets and all \
             its groups; give one of them"
        );
    }
    Ok(())
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
