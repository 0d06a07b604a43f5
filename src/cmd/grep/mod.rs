//! `mmt grep PATH... PATTERN`: a bytes regex over the whole of each file, so matches may span
//! lines, with Python's `re` flags and capture groups; each match alone (as `rg -o`), with
//! `-n` its line; `--whole-lines` and context (`lines`); `-l` and `--files-without-match`.

mod lines;

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
use crate::output::{Format, Paint, Printer, json_bytes};
use crate::search::backtrack;
use crate::search::chunked::{self, Split};
use crate::search::dialect::RegexFlags;
use crate::search::lines::LineCounter;
use crate::search::template::count_groups;
use crate::search::{Captures, MatchCursor, Pattern, python_matches};
use crate::settings::Settings;

/// A prepared `grep`: the compiled pattern and how to print, decided once for every source.
struct Grep {
    pattern: Pattern,
    group: usize,
    max: usize,
    format: Format,
    count: bool,
    byte_offset: bool,
    fold: bool,
    line_number: bool,
    /// `--whole-lines`: the lines of context before and after each group of lines.
    whole_lines: Option<(usize, usize)>,
    /// `-l` (`Some(true)`) or `--files-without-match` (`Some(false)`), and the end of a path.
    listing: Option<(bool, u8)>,
    /// For a pattern with `^` or `$` and no `--multi-line`: both readings counted over every
    /// file searched, to say when they differ (see `hints::Readings`).
    readings: Option<Readings>,
}

pub fn run(args: &GrepArgs, settings: &Settings) -> Result<ExitCode> {
    let positionals = Positionals::split(&args.args, 1, "PATTERN", &args.files)?;
    let grep =
        prepare(args, &positionals.args[0], settings).map_err(|e| positionals.attribute(e))?;
    positionals.check_order("grep", "PATTERN", false, false, settings.style.quiet)?;
    let sources = positionals.sources("grep", &args.files)?;
    let labelled = args.files.filename_choice().unwrap_or(sources.many);
    let plan = ReadPlan::one_of_many(settings.no_mmap, sources.many);
    let split = Split::new(settings.threads);
    let code = drive::each(sources, settings, labelled, &|source, printer| {
        grep.run(source, plan, split, printer)
    })?;
    if let Some(readings) = &grep.readings {
        readings.note_if_they_differ(settings);
    }
    Ok(code)
}

fn prepare(args: &GrepArgs, pattern: &crate::cli::Raw, settings: &Settings) -> Result<Grep> {
    let json = settings.style.json;
    let format = record_format(args.format.map(Format::from), json)?;
    if json {
        refuse_beside_json(args)?;
    }
    let whole_lines_flag = whole_lines_asked(args);
    let listing = super::listing(
        &args.list,
        json,
        &[
            (args.count, "--count"),
            (args.line_number, "-n/--line-number"),
            (args.byte_offset, "-b/--byte-offset"),
            (args.group.is_some(), "--group"),
            (args.fold, "--fold"),
            (args.format.is_some(), "--format"),
            (args.max_count.is_some(), "--max-count"),
            (
                whole_lines_flag.is_some(),
                whole_lines_flag.unwrap_or_default(),
            ),
        ],
    )?;
    if args.line_number && format == Format::Hex {
        bail!(
            "-n/--line-number puts LINE: before text records, and --format hex prints a hex dump \
             with offsets of its own; give one of them"
        );
    }
    let mut flags: RegexFlags = args.flags.into();
    flags.word = args.word_regexp;
    let pattern = Pattern::new(pattern.as_bytes(), &flags)?;
    let readings = Readings::of(&pattern, flags);
    warn_of_pattern(&pattern, settings);
    let group = match &args.group {
        Some(name) => group_index(&pattern, &name.0.to_string_lossy())?,
        None => 0,
    };
    let context = |n: Option<usize>| n.or(args.context).unwrap_or(0);
    let whole_lines = whole_lines_flag
        .is_some()
        .then(|| (context(args.before_context), context(args.after_context)));
    Ok(Grep {
        pattern,
        group,
        max: parse_limit(
            args.max_count.as_ref().map(|m| m.as_os_str()),
            "--max-count",
        )?,
        format,
        count: args.count,
        byte_offset: args.byte_offset,
        fold: args.fold,
        line_number: args.line_number,
        whole_lines,
        listing,
        readings,
    })
}

/// The flag that asks for whole lines, if any: `--whole-lines`, or context, which implies it.
fn whole_lines_asked(args: &GrepArgs) -> Option<&'static str> {
    [
        (args.whole_lines, "--whole-lines"),
        (args.after_context.is_some(), "-A/--after-context"),
        (args.before_context.is_some(), "-B/--before-context"),
        (args.context.is_some(), "-C/--context"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

impl Grep {
    /// Searches one source, printing what it finds; an error too when the backtracking engine
    /// gave up on it (see `backtrack::gave_up`), after what was printed before.
    fn run(
        &self,
        source: &Source,
        plan: ReadPlan,
        split: Split,
        printer: &mut Printer,
    ) -> Result<Outcome> {
        let outcome = self.search(source, plan, split, printer);
        backtrack::gave_up()?;
        outcome
    }

    fn search(
        &self,
        source: &Source,
        plan: ReadPlan,
        split: Split,
        printer: &mut Printer,
    ) -> Result<Outcome> {
        let view = map::open_source(source, plan)?;
        if let Some(readings) = &self.readings {
            readings.count(&self.pattern, &view);
        }
        if let Some((with, end)) = self.listing {
            // The search stops at the first match.
            let found = self.pattern.find_at(&view, 0).is_some();
            return list_file(printer, source, with, found, end);
        }
        view.expect_sequential_scan();
        // A large file is searched on every core when the pattern allows cuts (see `chunked`).
        let split = split.worth_it(view.len()).then_some(split);
        let find_at = |pos| self.pattern.find_at(&view, pos);
        if self.count {
            let parallel = split
                .filter(|_| self.max == usize::MAX)
                .and_then(|split| chunked::regex_count(&self.pattern, &view, split, &|_| {}));
            let count = match parallel {
                Some(count) => count,
                None => python_matches(view.len(), find_at, Clone::clone)
                    .take(self.max)
                    .count(),
            };
            return print_count(printer, count);
        }
        if let Some((before, after)) = self.whole_lines {
            return self.print_lines(&view, split, (before, after), printer);
        }
        let mut caps = self.pattern.captures();
        // `-n`: each record's line, counted on from the last record's.
        let mut lines = self.line_number.then(LineCounter::default);
        let mut line_of = |offset: usize| lines.as_mut().map(|lines| lines.line_of(&view, offset));
        let groups = self.pattern.has_groups();
        let mut matches = 0;
        let mut printed = Ok(());
        let parallel = split.is_some_and(|split| {
            chunked::regex_all(&self.pattern, &view, split, &|_| {}, |found| {
                if matches == self.max {
                    return false;
                }
                matches += 1;
                printed = if groups {
                    // The groups of the match found at its start: the search from there finds
                    // it again.
                    match self.pattern.captures_at(&view, found.start, &mut caps) {
                        Some(_) => self.print_groups(printer, &view, &caps, &mut line_of),
                        None => Ok(()),
                    }
                } else {
                    let line = line_of(found.start);
                    self.print_whole(printer, &view, found, line)
                };
                printed.is_ok() && matches < self.max
            })
        });
        printed?;
        if !parallel && groups {
            // One search a match, its groups found with it.
            let mut cursor = MatchCursor::new(view.len());
            while matches < self.max {
                let Some(pos) = cursor.position() else { break };
                let Some(whole) = self.pattern.captures_at(&view, pos, &mut caps) else {
                    break;
                };
                cursor.advance_past(whole);
                matches += 1;
                self.print_groups(printer, &view, &caps, &mut line_of)?;
            }
        } else if !parallel {
            // Only the whole match to print: no capture engine needed.
            for found in python_matches(view.len(), find_at, Clone::clone).take(self.max) {
                matches += 1;
                let line = line_of(found.start);
                self.print_whole(printer, &view, found, line)?;
            }
        }
        Ok(Outcome::found(matches > 0))
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
