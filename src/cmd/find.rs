//! `mmt find PATH... NEEDLE`: byte offsets of a literal, as `m.find`, `m.rfind` and `bytes.count`.

use std::ops::Range;

use anyhow::{Result, bail};
use serde_json::json;

use super::{Positionals, list_file, print_count};
use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use crate::cli::bytes::{Spelling, parse_byte_string, parse_signed};
use crate::cli::{FindArgs, GrepArgs, Raw};
use crate::cmd::drive;
use crate::exit::{ExitCode, Outcome};
use crate::files::source::Source;
use crate::map::{self, ReadPlan};
use crate::output::Printer;
use crate::progress::{self, Progress};
use crate::search::chunked::{self, Split};
use crate::search::{Needle, clamp_bounds, search_windows, split_windows, starts_past_end};
use crate::settings::Settings;

/// What is reported of the occurrences.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Report {
    First,
    Last,
    All,
    Count,
}

/// A prepared `find`: the needle and its bounds, decided once for every source.
struct Find {
    needle: Vec<u8>,
    finder: Needle<'static>,
    start: Option<i64>,
    end: Option<i64>,
    report: Report,
    overlapping: bool,
    /// `-w`: the needle as a regex with a word boundary on each side (see `words`).
    word: Option<regex::bytes::Regex>,
    /// `-l` (`Some(true)`) or `--files-without-match` (`Some(false)`), and the end of a path.
    listing: Option<(bool, u8)>,
}

pub fn run(args: &FindArgs, settings: &Settings) -> Result<ExitCode> {
    if args.files.type_list {
        return super::print_type_list(&args.files, &args.args, settings);
    }
    if args.list_files {
        let sources = Positionals::all_paths(&args.args).sources("find", &args.files)?;
        return super::list_sources(sources, args.list.null, settings);
    }
    if let Some(flag) = args.lines.lines_flag() {
        return find_lines(args, flag, settings);
    }
    if let Some(flag) = args.lines.heading_choice().map(|on| match on {
        true => "--heading",
        false => "--no-heading",
    }) {
        bail!("{flag} shapes the lines that -n, --whole-lines and context print; add one of them");
    }
    let positionals = Positionals::split_or_default(&args.args, 1, "NEEDLE", &args.files)?;
    let find = prepare(args, &positionals.args[0], settings.style.json)
        .map_err(|e| positionals.attribute(e))?;
    let byte_strings = args.bytes.hex || args.bytes.escapes;
    positionals.check_order("find", "NEEDLE", false, byte_strings, settings.style.quiet)?;
    let sources = positionals.sources("find", &args.files)?;
    let labelled = args.files.filename_choice().unwrap_or(sources.many);
    let watched = settings.watched && !sources.many;
    let plan = ReadPlan::one_of_many(settings.no_mmap, sources.many);
    let split = Split::new(settings.threads);
    drive::each(sources, settings, labelled, &|source, printer| {
        find.run(source, plan, watched, split, printer)
    })
}

/// `find` with lines (`-n`, `--whole-lines`, context): the lines the needle's occurrences
/// touch, as `rg -F -n` prints them; `grep` with the needle as literal bytes prints them.
fn find_lines(args: &FindArgs, flag: &str, settings: &Settings) -> Result<ExitCode> {
    let offsets = [
        (args.all, "--all"),
        (args.last, "--last"),
        (args.count, "--count"),
        (args.overlapping, "--overlapping"),
        (args.start.is_some(), "--start"),
        (args.end.is_some(), "--end"),
    ];
    if let Some((_, other)) = offsets.iter().find(|(given, _)| *given) {
        bail!(
            "{flag} prints the lines occurrences touch, and {other} is about their offsets; \
             give one of them"
        );
    }
    let Some((needle, paths)) = args.args.split_last() else {
        bail!("expected [PATH...] NEEDLE: give the bytes to look for");
    };
    let spelled = parse_byte_string(needle.as_os_str(), Spelling::from(args.bytes), "NEEDLE")?;
    let grep = GrepArgs {
        args: paths.to_vec(),
        regexp: vec![Raw(OsString::from_vec(spelled))],
        fixed_strings: true,
        word_regexp: args.word_regexp,
        lines: args.lines,
        list: args.list,
        files: args.files.clone(),
        ..GrepArgs::default()
    };
    super::grep::run(&grep, settings)
}

fn prepare(args: &FindArgs, needle: &crate::cli::Raw, json: bool) -> Result<Find> {
    if args.overlapping && !(args.all || args.count) {
        bail!(
            "--overlapping changes what --all lists and what --count counts; add one of them \
             (the first and the last occurrence do not depend on it)"
        );
    }
    let bound = |value: &Option<crate::cli::Raw>, what| {
        value
            .as_ref()
            .map(|s| parse_signed(s.as_os_str(), what))
            .transpose()
    };
    let report = if args.count {
        Report::Count
    } else if args.all {
        Report::All
    } else if args.last {
        Report::Last
    } else {
        Report::First
    };
    let listing = super::listing(
        &args.list,
        json,
        &[
            (args.count, "--count"),
            (args.all, "--all"),
            (args.last, "--last"),
        ],
    )?;
    let needle = parse_byte_string(needle.as_os_str(), Spelling::from(args.bytes), "NEEDLE")?;
    let word = args.word_regexp.then(|| word_regex(&needle));
    Ok(Find {
        word,
        listing,
        finder: Needle::owned(&needle),
        needle,
        start: bound(&args.start, "--start")?,
        end: bound(&args.end, "--end")?,
        report,
        overlapping: args.overlapping,
    })
}

impl Find {
    fn search<'a>(&'a self, hay: &'a [u8], windows: &'a [Range<usize>]) -> chunked::Search<'a> {
        chunked::Search {
            needle: &self.finder,
            hay,
            windows,
            overlapping: self.overlapping,
        }
    }

    fn run(
        &self,
        source: &Source,
        plan: ReadPlan,
        watched: bool,
        split: Split,
        printer: &mut Printer,
    ) -> Result<Outcome> {
        let view = map::open_source(source, plan)?;
        let bounds = clamp_bounds(view.len(), self.start, self.end);
        if let Some((with, end)) = self.listing.filter(|_| self.word.is_none()) {
            let windows = search_windows(view.data_extents(), &self.needle, bounds);
            let found = self.finder.first(&view, &windows).is_some();
            return list_file(printer, source, with, found, end);
        }
        // `--count` is `bytes.count` and `--all` lists what it counts; the first and the last
        // are mmap's `find` and `rfind`, which clamp the start instead.
        let listing = matches!(self.report, Report::Count | Report::All);
        if listing && starts_past_end(view.len(), self.start) {
            return if self.report == Report::Count {
                print_count(printer, 0)
            } else {
                Ok(Outcome::NothingMatched)
            };
        }
        if let Some(word) = &self.word {
            return self.run_words(word, &view, bounds, source, printer);
        }
        let scanned = bounds.len() as u64;
        let windows = search_windows(view.data_extents(), &self.needle, bounds.clone());
        // A large file is searched on every core; a small one on this thread alone.
        let parallel = split.worth_it(windows.iter().map(|w| w.len()).sum());
        let windows = if parallel {
            windows
        } else {
            split_windows(windows, progress::STEP, self.needle.len())
        };
        let finder = &self.finder;
        let mut found = false;
        let mut print_offset = |printer: &mut Printer, offset: usize| {
            found = true;
            print_offset(printer, offset)
        };
        match self.report {
            Report::Count => {
                view.expect_sequential_scan();
                let progress = Progress::new(watched, scanned, "scanning");
                let count = if parallel {
                    let advance = |bytes| progress.advance(bytes as u64);
                    chunked::count(self.search(&view, &windows), split, &advance)
                } else {
                    let windows = progress.follow(windows, bounds.start);
                    finder.all(&view, windows, self.overlapping).count()
                };
                drop(progress);
                return print_count(printer, count);
            }
            Report::All => {
                // No progress bar: the offsets themselves show how far the scan is.
                view.expect_sequential_scan();
                if parallel {
                    let mut printed = Ok(());
                    let no_bar = |_| {};
                    chunked::all(self.search(&view, &windows), split, &no_bar, |at| {
                        printed = print_offset(printer, at);
                        printed.is_ok()
                    });
                    printed?;
                } else {
                    for offset in finder.all(&view, windows, self.overlapping) {
                        print_offset(printer, offset)?;
                    }
                }
            }
            Report::First | Report::Last => {
                let offset = match (self.report == Report::Last, parallel) {
                    (true, true) => chunked::last(finder, &view, &windows, split),
                    (true, false) => finder.last(&view, &windows),
                    (false, true) => chunked::first(finder, &view, &windows, split),
                    (false, false) => finder.first(&view, &windows),
                };
                if let Some(offset) = offset {
                    print_offset(printer, offset)?;
                }
            }
        }
        Ok(Outcome::found(found))
    }
}

/// The needle as a bytes regex with a word boundary on each side, as `rg -w` reads a literal:
/// the byte before an occurrence and the byte after it are not word bytes (ASCII letters,
/// digits, `_`), or there is none.
fn word_regex(needle: &[u8]) -> regex::bytes::Regex {
    let mut pattern = String::from(r"(?-u:\b{start-half})");
    for &byte in needle {
        // Every byte escaped: the needle is bytes, not a pattern.
        pattern.push_str(&format!(r"\x{byte:02x}"));
    }
    pattern.push_str(r"(?-u:\b{end-half})");
    regex::bytes::RegexBuilder::new(&pattern)
        .unicode(false)
        .build()
        .expect("an escaped literal with word boundaries is a valid pattern")
}

impl Find {
    /// `find -w`: the occurrences with a word boundary on each side (the bytes around them
    /// looked at even outside `--start`/`--end`), as every report gives them; `--overlapping`
    /// looks again one byte after each start. On one thread: the needle's own searchers know no
    /// boundaries.
    fn run_words(
        &self,
        word: &regex::bytes::Regex,
        hay: &[u8],
        bounds: Range<usize>,
        source: &Source,
        printer: &mut Printer,
    ) -> Result<Outcome> {
        let overlapping = self.overlapping;
        let mut at = bounds.start;
        let mut offsets = std::iter::from_fn(|| {
            let found = word.find_at(hay, at.min(hay.len()))?;
            if found.end() > bounds.end || at > hay.len() {
                return None;
            }
            at = if overlapping {
                found.start() + 1
            } else {
                found.end().max(found.start() + 1)
            };
            Some(found.start())
        });
        if let Some((with, end)) = self.listing {
            let found = offsets.next().is_some();
            return list_file(printer, source, with, found, end);
        }
        let mut found = false;
        match self.report {
            Report::Count => return print_count(printer, offsets.count()),
            Report::All => {
                for offset in offsets {
                    found = true;
                    print_offset(printer, offset)?;
                }
            }
            Report::First | Report::Last => {
                let offset = match self.report {
                    Report::Last => offsets.last(),
                    _ => offsets.next(),
                };
                if let Some(offset) = offset {
                    found = true;
                    print_offset(printer, offset)?;
                }
            }
        }
        Ok(Outcome::found(found))
    }
}

/// One occurrence: its offset as a record, or `{"offset": N}`.
fn print_offset(printer: &mut Printer, offset: usize) -> std::io::Result<()> {
    if printer.style().json {
        printer.json_line(&json!({ "offset": offset }))
    } else {
        printer.record_line(&offset.to_string())
    }
}
