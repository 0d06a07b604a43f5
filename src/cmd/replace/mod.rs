//! `mmt replace PATH... OLD NEW`: every non-overlapping OLD becomes NEW, as `bytes.replace` (or
//! `re.sub` with `--regex`) would have it; in place when the length is kept, else by an atomic
//! rewrite.
//!
//! Every file is planned (every match found, on worker threads) before any is written, so
//! `--expect` counts the whole run and a file that cannot be read stops the run before it has
//! changed anything. Then the files are written, or previewed, one by one in order.

mod locking;
mod review;

use std::collections::{HashMap, HashSet};
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::sync::{Mutex, PoisonError};

use anyhow::{Context, Result, bail};
use memchr::memchr;

use super::Positionals;
use super::patching::{
    Writing, carry_out, command_line, dry_run_note, open_target, print_report_json,
};
use crate::cli::bytes::{Spelling, parse_byte_string, parse_limit, parse_unsigned};
use crate::cli::{Raw, ReplaceArgs};
use crate::cmd::drive;
use crate::cmd::hints::Readings;
use crate::exit::{ExitCode, Outcome, Tally};
use crate::files::name::Name;
use crate::files::source::{Done, Source, Sources};
use crate::journal::transaction::{FileWrite, ToWrite, Transaction};
use crate::map::{self, ReadPlan, View};
use crate::output::preview;
use crate::output::{Printer, plural};
use crate::patch::target::{Access, Target, backup_path};
use crate::patch::{Mode, Plan, RewriteSink};
use crate::progress::{self, Progress, RunProgress};
use crate::search::backtrack;
use crate::search::chunked::Split;
use crate::search::dialect::RegexFlags;
use crate::search::template::Template;
use crate::search::{Pattern, search_windows, split_windows};
use crate::settings::Settings;

/// What OLD stands for, and what NEW puts in its place.
enum Edit {
    Bytes { old: Vec<u8>, new: Vec<u8> },
    Pattern { old: Box<Pattern>, new: Template },
}

/// A prepared `replace`: the edit and its limits, decided once for every file.
struct Replace {
    edit: Edit,
    max: usize,
    expect: Option<u64>,
    backup: Option<Raw>,
    binary: bool,
    /// How a large file's literal search is shared among threads.
    split: Split,
    /// The files this run plans to write, by identity: a file reached again (a hard link, a
    /// file named twice, a directory and a file in it, a link and its target) is planned once.
    /// Without this, the second name would wait forever for the lock that the first holds.
    claimed: Mutex<HashSet<FileKey>>,
    /// For OLD with `^` or `$` and no `--multi-line`: both readings counted over every file
    /// (see `hints::Readings`).
    readings: Option<Readings>,
    /// `-v`: every file changed is named, however many.
    verbose: bool,
    /// `--interactive`: files are planned with no lock, which the review takes when it commits.
    review: bool,
}

/// A run that changes more files than this prints its total alone (unless `-v`): a run over a
/// tree fits a screen, and a run over a file or two still names each.
const NAMED_FILES_AT_MOST: usize = 2;

/// A file's identity: its device and inode.
type FileKey = (u64, u64);

/// A file whose plan is made: held open (and, for a real run, locked) until it is written.
struct Planned {
    source: Source,
    /// The file's identity (none for standard input).
    key: Option<FileKey>,
    /// `None` for standard input, which is filtered to standard output.
    target: Option<Target>,
    view: View,
    plan: Plan,
}

/// What planning one source gave.
enum Planning {
    Planned(Box<Planned>),
    Unchanged(Source),
    SkippedBinary,
    /// A file with a match that this run plans under another name already.
    ReachedAgain(FileKey),
}

/// How the run reached a file it plans, in the order of the sources.
enum Reached {
    /// Planned under its first name: `planned[index]`.
    Planned(usize),
    /// First met under this name, by a worker that found another name's worker planning it.
    First(Source),
}

pub fn run(args: &ReplaceArgs, settings: &Settings) -> Result<ExitCode> {
    if args.files.type_list {
        return super::print_type_list(&args.files, &args.args, settings);
    }
    let positionals = positionals(args)?;
    let (old, new) = match (&args.old_by_flag, &args.new_by_flag) {
        (Some(old), Some(new)) => (old, new),
        _ => (&positionals.args[0], &positionals.args[1]),
    };
    let split = Split::new(settings.threads);
    let replace = prepare(args, old, new, split).map_err(|e| positionals.attribute(e))?;
    if let Edit::Pattern { old, .. } = &replace.edit {
        super::warn_of_pattern(old, settings);
    }
    let byte_strings = args.bytes.hex || args.bytes.escapes;
    if args.old_by_flag.is_none() {
        positionals.check_order("replace", "NEW", true, byte_strings, settings.style.quiet)?;
    }
    let mut reviewer = args
        .interactive
        .then(|| review::Reviewer::open(args, &positionals, settings))
        .transpose()?;
    let sources = positionals.sources("replace", &args.files)?;
    let many = sources.many;
    if many {
        raise_open_file_limit();
    }

    // Plan every file before writing any; a review asks about each file's changes as soon as
    // it is planned (no progress bar then: the terminal is the review's).
    let mut gathered = match &mut reviewer {
        Some(reviewer) => {
            let settings = Settings {
                watched: false,
                ..*settings
            };
            replace.plan_all(sources, &settings, many, |gathered| {
                reviewer.review_new(gathered)
            })?
        }
        None => replace.plan_all(sources, settings, many, |_| Ok(()))?,
    };
    gathered.say_reached_again(settings);
    gathered.refuse_failures(many)?;
    if let Some(readings) = &replace.readings {
        readings
            .refuse_if_they_differ()
            .map_err(|e| positionals.attribute(e))?;
    }
    let mut printer = Printer::stdout(settings.style);
    // With no change found there is nothing to ask: the run ends as any run that found none.
    if let Some(reviewer) = reviewer.filter(|_| !gathered.planned.is_empty()) {
        let code = reviewer.commit(&replace, gathered, settings, &mut printer)?;
        printer.flush()?;
        return Ok(code);
    }
    if locking::must_lock(&gathered.planned) {
        locking::lock_in_order(&mut gathered.planned, settings)?;
        for planned in &mut gathered.planned {
            replace.plan_again(planned, settings)?;
        }
        gathered.planned.retain(|p| !p.plan.is_empty());
    }
    let total = gathered.replacements();
    if let Some(expected) = replace.expect.filter(|&n| n != total) {
        return Err(positionals.attribute(anyhow::anyhow!(
            "expected {expected} {}, found {total}; nothing written",
            plural(expected, "replacement")
        )));
    }

    // Then write (or preview) them, in order, as one run: all or nothing.
    let tally = replace.write_run(&gathered.planned, settings, &mut printer)?;
    gathered.summarise(settings, many, &mut printer)?;
    printer.flush()?;
    if total == 0 && gathered.failures.is_empty() && !args.regex && !args.bytes.hex {
        super::hints::literal_looks_like_a_pattern(old.as_bytes(), &positionals.paths, settings);
    }
    Ok(tally.exit_code())
}

/// What planning every source gave, in the sources' order.
#[derive(Default)]
struct Gathered {
    planned: Vec<Planned>,
    /// Named in a single file's summary only: over a tree, keeping every one would hold memory
    /// in proportion to the tree.
    unchanged: Vec<Source>,
    skipped_binary: usize,
    failures: Vec<anyhow::Error>,
    reached: HashMap<FileKey, Reached>,
    /// Names that reached a file planned under another, and that other.
    reached_again: Vec<(Source, Source)>,
}

impl Gathered {
    /// Takes in one source's planning, in order.
    fn take(&mut self, replace: &Replace, done: Done<Result<Planning>>, how: &How) {
        match done {
            Ok((_, Ok(Planning::Planned(p)))) => self.take_planned(replace, *p, how),
            Ok((source, Ok(Planning::ReachedAgain(key)))) => match self.reached.get(&key) {
                Some(Reached::Planned(first)) => {
                    let first = self.planned[*first].source.clone();
                    self.reached_again.push((source, first));
                }
                Some(Reached::First(first)) => {
                    let first = first.clone();
                    self.reached_again.push((source, first));
                }
                None => {
                    self.reached.insert(key, Reached::First(source));
                }
            },
            Ok((_, Ok(Planning::Unchanged(source)))) => {
                if !how.many {
                    self.unchanged.push(source);
                }
            }
            Ok((_, Ok(Planning::SkippedBinary))) => self.skipped_binary += 1,
            Ok((source, Err(err))) => {
                self.failures
                    .push(drive::describe(err).context(source.name()));
            }
            Err(unreachable) => self.failures.push(match unreachable.name.as_str() {
                "" => unreachable.error,
                name => unreachable.error.context(name.to_owned()),
            }),
        }
    }

    /// A file planned: kept, under the first name the sources reach it by.
    fn take_planned(&mut self, replace: &Replace, planned: Planned, how: &How) {
        if let Some(Reached::First(first)) = planned.key.and_then(|key| self.reached.get(&key)) {
            self.reached_again
                .push((planned.source.clone(), first.clone()));
        }
        match replace.first_name_wins(planned, &self.reached, how) {
            Ok(Planning::Planned(p)) => {
                if let Some(key) = p.key {
                    self.reached
                        .insert(key, Reached::Planned(self.planned.len()));
                }
                self.planned.push(*p);
            }
            Ok(Planning::SkippedBinary) => self.skipped_binary += 1,
            Ok(_) => {}
            Err(err) => self.failures.push(err),
        }
    }

    /// One line on standard error for each name that reached a file planned under another.
    fn say_reached_again(&self, settings: &Settings) {
        if settings.style.quiet || settings.style.json {
            return;
        }
        for (again, first) in &self.reached_again {
            let (again, first) = (again.name(), first.name());
            if again == first {
                say!("mmt: {again}: reached twice; planned and written once");
            } else {
                say!(
                    "mmt: {again}: the same file as {first}; planned and written once, under \
                     that name"
                );
            }
        }
    }

    /// A file that could not be read or planned stops the run before anything is written.
    fn refuse_failures(&mut self, many: bool) -> Result<()> {
        if !many && let Some(failure) = self.failures.pop() {
            return Err(failure);
        }
        if self.failures.is_empty() {
            return Ok(());
        }
        for failure in &self.failures {
            say!("mmt: {failure:#}");
        }
        let files = self.failures.len();
        bail!(
            "nothing written: {files} {} could not be read or planned",
            plural(files as u64, "file")
        );
    }

    fn replacements(&self) -> u64 {
        replacements(&self.planned)
    }

    /// The summaries once the run has landed: one file's (even for no match), or the total.
    fn summarise(&self, settings: &Settings, many: bool, printer: &mut Printer) -> Result<()> {
        if !many {
            for source in &self.unchanged {
                report_unchanged(source, settings, printer)?;
            }
        } else if !settings.style.json {
            let note = if settings.preview {
                " (dry run, nothing changed)"
            } else {
                ""
            };
            printer.summary(&format!("{}{note}", run_total(&self.planned)));
        }
        note_skipped_binary(self.skipped_binary, printer);
        Ok(())
    }
}

fn replacements(planned: &[Planned]) -> u64 {
    planned.iter().map(|p| p.plan.len() as u64).sum()
}

/// A run's total: `N replacements in M files`.
fn run_total(planned: &[Planned]) -> String {
    let (total, files) = (replacements(planned), planned.len() as u64);
    format!(
        "{total} {} in {files} {}",
        plural(total, "replacement"),
        plural(files, "file")
    )
}

/// The note, after a run's summary, of the binary files a walk met and left alone.
fn note_skipped_binary(skipped: usize, printer: &mut Printer) {
    if skipped > 0 {
        printer.summary(&format!(
            "mmt: skipped {skipped} binary {} met while walking (--binary patches them too)",
            plural(skipped as u64, "file")
        ));
    }
}

/// How the sources of a run are planned: as one of many, and with a progress bar for one file.
struct How<'s> {
    settings: &'s Settings,
    many: bool,
    watched: bool,
}

/// `PATH... OLD NEW`, or with `-e OLD -r NEW` every argument a PATH (so that `xargs` and
/// `find -exec ... +` can add them). With no PATH, piped standard input is filtered, as sd
/// does; on a terminal a write never guesses its files.
fn positionals(args: &ReplaceArgs) -> Result<Positionals<'_>> {
    let by_flag = args.old_by_flag.is_some();
    let has_list = args.files.files_from.is_some() || args.files.files0_from.is_some();
    let count = if by_flag { 0 } else { 2 };
    if args.args.len() == count && !has_list {
        if !super::stdin_is_readable() {
            let word = |raw: &Raw| super::shell_word(&raw.0.to_string_lossy());
            let typed: Vec<String> = match (&args.old_by_flag, &args.new_by_flag) {
                (Some(old), Some(new)) => vec!["-e".into(), word(old), "-r".into(), word(new)],
                _ => args.args.iter().map(word).collect(),
            };
            let typed = typed.join(" ");
            bail!(
                "no PATH given, and nothing is piped into standard input: name the files to change, \
                 as in: mmt replace . {typed} (a write never guesses its files; piped input \
                 is filtered to standard output)"
            );
        }
        return Ok(Positionals {
            paths: vec![std::path::PathBuf::from("-")],
            args: &args.args,
            implicit_dot: false,
        });
    }
    Positionals::split(&args.args, count, "OLD NEW", &args.files)
}

fn prepare(args: &ReplaceArgs, old: &Raw, new: &Raw, split: Split) -> Result<Replace> {
    let edit = parse_edit(args, old, new)?;
    let max = parse_limit(args.max.as_ref().map(Raw::as_os_str), "--max")?;
    let expect = args
        .expect
        .as_ref()
        .map(|n| parse_unsigned(n.as_os_str(), "--expect"))
        .transpose()?;
    if let Some(suffix) = &args.backup {
        // Checked once, before any file is opened.
        backup_path(Path::new("FILE"), suffix.as_os_str())?;
    }
    let readings = match &edit {
        Edit::Pattern { old, .. } if args.regex => Readings::of(old, args.pattern.into()),
        _ => None,
    };
    Ok(Replace {
        edit,
        max,
        expect,
        backup: args.backup.clone(),
        binary: args.binary,
        split,
        claimed: Mutex::default(),
        readings,
        verbose: args.verbose,
        review: args.interactive,
    })
}

/// OLD and NEW as typed: bytes in the chosen spelling, or with `--regex` a pattern of Python's
/// dialect and a template checked against its groups.
fn parse_edit(args: &ReplaceArgs, old: &Raw, new: &Raw) -> Result<Edit> {
    let spelling = Spelling::from(args.bytes);
    let new = parse_byte_string(new.as_os_str(), spelling, "NEW")?;
    if old.as_bytes().is_empty() {
        bail!("OLD is empty; there is nothing to replace");
    }
    if !args.regex {
        if let Some(flag) = args.pattern.first_given() {
            bail!(
                "{flag} applies to a regular expression, and OLD is literal bytes; add --regex \
                 to read OLD as a pattern (or drop {flag})"
            );
        }
        let old = parse_byte_string(old.as_os_str(), spelling, "OLD")?;
        if old.is_empty() {
            bail!("OLD is empty; there is nothing to replace");
        }
        if args.word_regexp {
            // A literal with a word boundary on each side: searched as the pattern of its
            // bytes, each escaped, and replaced by NEW as it is.
            let escaped: String = old.iter().map(|byte| format!("\\x{byte:02x}")).collect();
            let flags = RegexFlags {
                word: true,
                ..RegexFlags::default()
            };
            let old = Box::new(Pattern::new(escaped.as_bytes(), &flags)?);
            return Ok(Edit::Pattern {
                old,
                new: Template::literal(&new),
            });
        }
        return Ok(Edit::Bytes { old, new });
    }
    let mut flags: RegexFlags = args.pattern.into();
    flags.word = args.word_regexp;
    let old = Box::new(Pattern::new(old.as_bytes(), &flags)?);
    let new = Template::parse(&new, &old)?;
    Ok(Edit::Pattern { old, new })
}

impl Replace {
    /// Every edit of one source, found before anything is written. A binary file met while
    /// walking is left alone unless `--binary`.
    fn plan(&self, source: &Source, how: &How) -> Result<Planning> {
        self.plan_claiming(source, how.settings, how.watched, how.many, true)
    }

    /// Plans every source, on worker threads, and gathers the plans in the sources' order,
    /// handing the gathering to `taken` after each source (an error from it stops the run;
    /// [`review::StopPlanning`] stops the planning alone).
    fn plan_all(
        &self,
        sources: Sources,
        settings: &Settings,
        many: bool,
        mut taken: impl FnMut(&Gathered) -> Result<()>,
    ) -> Result<Gathered> {
        let how = How {
            settings,
            many,
            watched: settings.watched && !many,
        };
        let mut gathered = Gathered::default();
        let progress = RunProgress::new(settings.watched && many);
        let planned = drive::ordered(
            sources,
            settings.threads,
            |source| {
                let planning = self.plan(source, &how);
                let len = match &planning {
                    Ok(Planning::Planned(planned)) => planned.view.len() as u64,
                    _ => 0,
                };
                (planning, len)
            },
            |done| {
                let done = done.map(|(source, (planning, len))| {
                    progress.finish_file(len);
                    (source, planning)
                });
                gathered.take(self, done, &how);
                taken(&gathered)
            },
        );
        match planned {
            Err(err) if !err.is::<review::StopPlanning>() => Err(err),
            _ => Ok(gathered),
        }
    }

    /// Writes (or previews) every planned file in order as one run: all or nothing. What each
    /// file reports is printed once the whole run has landed (a preview prints as it goes: it
    /// writes nothing to roll back).
    fn write_run(
        &self,
        planned: &[Planned],
        settings: &Settings,
        printer: &mut Printer,
    ) -> Result<Tally> {
        let to_write: Vec<ToWrite> = planned
            .iter()
            .filter_map(|p| {
                p.target.as_ref().map(|target| ToWrite {
                    target,
                    given: p.source.path(),
                    view: &p.view,
                    plan: &p.plan,
                })
            })
            .collect();
        let mut run = Transaction::begin(settings, &to_write, &command_line())?;
        let name_each = self.verbose || planned.len() <= NAMED_FILES_AT_MOST;
        if !settings.preview && planned.iter().all(|p| p.target.is_some()) {
            return self.write_each(run, planned, settings, name_each, printer);
        }
        let mut reports = (!settings.preview).then(|| Printer::buffered(settings.style));
        let mut tally = Tally::default();
        for planned in planned {
            let writes = planned.target.is_some();
            if writes && let Err(err) = run.next_file() {
                return Err(run.fail(err));
            }
            let out = reports.as_mut().unwrap_or(&mut *printer);
            let old_copy = run.old_copy();
            let writing = Writing {
                backup: None,
                journaled: run.is_journaled(),
                later: run.later_syncs(),
                old_copy: old_copy.as_deref(),
            };
            match self.carry_out(planned, settings, out, writing, name_each) {
                Ok(outcome) => {
                    if writes {
                        run.file_written();
                    }
                    tally.add(outcome);
                }
                Err(err) if drive::is_broken_pipe(&err) => return Err(err),
                Err(err) => {
                    printer.flush()?;
                    let err = drive::describe(err).context(planned.source.name());
                    return Err(run.fail(err));
                }
            }
        }
        run.commit(printer)?;
        if let Some(reports) = reports {
            let (printed, messages) = reports.into_buffers();
            printer.raw(&printed)?;
            if !messages.is_empty() {
                printer.flush()?;
                std::io::Write::write_all(&mut std::io::stderr(), &messages)?;
            }
        }
        Ok(tally)
    }

    /// Writes every planned file (none of them standard input) as one run, on several threads
    /// for a run of many (see `Transaction::write_each`); each file's report is printed, in
    /// order, once the whole run has landed.
    fn write_each(
        &self,
        mut run: Transaction,
        planned: &[Planned],
        settings: &Settings,
        name_each: bool,
        printer: &mut Printer,
    ) -> Result<Tally> {
        let write = |n: usize, file: FileWrite| {
            let planned = &planned[n];
            let mut out = Printer::buffered(settings.style);
            let writing = Writing {
                backup: None,
                journaled: file.journaled,
                later: file.later,
                old_copy: file.old_copy.as_deref(),
            };
            let outcome = self
                .carry_out(planned, settings, &mut out, writing, name_each)
                .map_err(|err| drive::describe(err).context(planned.source.name()))?;
            Ok((outcome, out.into_buffers()))
        };
        let written = match run.write_each(planned.len(), settings.threads, &write) {
            Ok(written) => written,
            Err(err) => {
                printer.flush()?;
                return Err(run.fail(err));
            }
        };
        run.commit(printer)?;
        let mut tally = Tally::default();
        let mut messages = Vec::new();
        for (outcome, (printed, said)) in written {
            tally.add(outcome);
            printer.raw(&printed)?;
            messages.extend_from_slice(&said);
        }
        if !messages.is_empty() {
            printer.flush()?;
            std::io::Write::write_all(&mut std::io::stderr(), &messages)?;
        }
        Ok(tally)
    }

    /// Plans a file again, on its bytes as they are now that it is locked (see `locking`).
    fn plan_again(&self, planned: &mut Planned, settings: &Settings) -> Result<()> {
        let name = planned.source.name();
        let Some(target) = planned.target.as_mut() else {
            return Ok(());
        };
        target.planned_again().with_context(|| name.clone())?;
        let plan = ReadPlan::one_of_many(settings.no_mmap, true);
        planned.view = map::view_of_file(&target.file, &target.real, plan).context(name)?;
        planned.plan = self.plan_view(&planned.view, false);
        backtrack::gave_up()
    }

    /// Plans `source`; with `claim`, only when no other name of the file is planned in this run.
    fn plan_claiming(
        &self,
        source: &Source,
        settings: &Settings,
        watched: bool,
        many: bool,
        claim: bool,
    ) -> Result<Planning> {
        let (target, view) = match source {
            Source::Stdin => {
                if settings.style.json {
                    bail!(
                        "--json reports on standard output, where the filtered text goes; drop --json"
                    );
                }
                (None, map::open_source(source, ReadPlan::whole(true))?)
            }
            Source::File { path, .. } => {
                // Most files of a tree are small and have no match: a read-only look first, so
                // that only a file with a match is locked and planned again under the lock (the
                // plan that is carried out is always made on the locked bytes). Planning a
                // small file again costs little beside opening it; a large one (mapped, not
                // read) is planned once, under the lock, whether it matches or not.
                if many {
                    let view =
                        map::open_source(source, ReadPlan::one_of_many(settings.no_mmap, true))?;
                    let unchanged = !view.is_mapped() && self.plan_view(&view, false).is_empty();
                    backtrack::gave_up()?;
                    if unchanged {
                        self.count_readings(source, &view)?;
                        return Ok(Planning::Unchanged(source.clone()));
                    }
                }
                if claim {
                    let key = file_key(path)?;
                    if !self.claim(key) {
                        return Ok(Planning::ReachedAgain(key));
                    }
                }
                let access = match self.review {
                    true => Access::PatchLater,
                    false => Access::PatchIfFree,
                };
                let (target, view) = open_target(path, access, settings, many)?;
                (Some(target), view)
            }
        };
        view.expect_sequential_scan();
        let plan = self.plan_view(&view, watched);
        // A plan from a search that gave up is not the whole plan: nothing is written.
        backtrack::gave_up()?;
        // (Planned again under its first name, a file reached twice was counted already.)
        if claim {
            self.count_readings(source, &view)?;
        }
        if plan.is_empty() && target.is_some() {
            return Ok(Planning::Unchanged(source.clone()));
        }
        if !source.is_named() && !self.binary && memchr(0, &view).is_some() {
            return Ok(Planning::SkippedBinary);
        }
        let key = target.as_ref().map(|t| (t.meta.dev(), t.meta.ino()));
        Ok(Planning::Planned(Box::new(Planned {
            source: source.clone(),
            key,
            target,
            view,
            plan,
        })))
    }

    /// Counts both readings of OLD's `^` and `$` in `view`, for a file this run would write
    /// (not a binary file met while walking, which is left alone).
    fn count_readings(&self, source: &Source, view: &View) -> Result<()> {
        let (Some(readings), Edit::Pattern { old, .. }) = (&self.readings, &self.edit) else {
            return Ok(());
        };
        if source.is_named() || self.binary || memchr(0, view).is_none() {
            readings.count(old, view);
        }
        backtrack::gave_up()
    }

    /// Claims the file `key` for this run: false when another of its names has it already.
    fn claim(&self, key: FileKey) -> bool {
        self.claimed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key)
    }

    /// A file is planned under the first name the sources reach it by, whichever worker got to
    /// it first: when an earlier name's worker found it claimed by this one, it is planned
    /// again under that earlier name (rare: two names of one file in one run).
    fn first_name_wins(
        &self,
        planned: Planned,
        reached: &HashMap<FileKey, Reached>,
        how: &How,
    ) -> Result<Planning> {
        let first = match planned.key.and_then(|key| reached.get(&key)) {
            Some(Reached::First(first)) => first,
            _ => return Ok(Planning::Planned(Box::new(planned))),
        };
        // Its lock is let go of before the earlier name takes it.
        drop(planned);
        self.plan_claiming(first, how.settings, how.watched, how.many, false)
            .map_err(|err| drive::describe(err).context(first.name()))
    }

    fn plan_view(&self, view: &View, watched: bool) -> Plan {
        match &self.edit {
            Edit::Pattern { old, new } => Plan::regex_split(view, old, new, self.max, self.split),
            Edit::Bytes { old, new } => {
                let windows = search_windows(view.data_extents(), old, 0..view.len());
                let progress = Progress::new(watched, view.len() as u64, "scanning");
                if self.split.worth_it(windows.iter().map(|w| w.len()).sum()) {
                    let advance = |bytes| progress.advance(bytes as u64);
                    let edit = (old.as_slice(), new.as_slice());
                    return Plan::literal_split(
                        view, &windows, edit, self.max, self.split, &advance,
                    );
                }
                let windows = progress.follow(split_windows(windows, progress::STEP, old.len()), 0);
                Plan::literal_in(view, windows, old, new, self.max)
            }
        }
    }

    /// Writes (or previews) one planned file and reports it (with `named`, by name on
    /// standard error; JSON always reports it).
    fn carry_out(
        &self,
        planned: &Planned,
        settings: &Settings,
        printer: &mut Printer,
        writing: Writing,
        named: bool,
    ) -> Result<Outcome> {
        let name = planned.source.name();
        let plan = &planned.plan;
        let Some(target) = &planned.target else {
            return filter_stdin(planned, settings, printer);
        };
        let backup = self
            .backup
            .as_ref()
            .map(|suffix| backup_path(planned.source.path(), suffix.as_os_str()))
            .transpose()?;
        let mode = carry_out(
            target,
            &planned.view,
            plan,
            settings,
            printer,
            planned.source.path(),
            Writing {
                backup: backup.as_deref(),
                ..writing
            },
        )?;
        if named || settings.style.json {
            report(planned.source.path(), &name, plan, mode, settings, printer)?;
        }
        Ok(Outcome::found(!plan.is_empty()))
    }
}

/// The summary of one file: a line on standard error, or an object on standard output.
fn report(
    path: &Path,
    name: &Name,
    plan: &Plan,
    mode: Mode,
    settings: &Settings,
    printer: &mut Printer,
) -> Result<()> {
    if settings.style.json {
        print_report_json(printer, path, plan, mode, settings.preview)?;
    } else {
        let count = plan.len() as u64;
        printer.summary(&format!(
            "{}: {count} {}{}",
            name,
            plural(count, "replacement"),
            dry_run_note(settings)
        ));
    }
    Ok(())
}

/// The one file of a run, unchanged: its summary says 0.
fn report_unchanged(source: &Source, settings: &Settings, printer: &mut Printer) -> Result<()> {
    report(
        source.path(),
        &source.name(),
        &Plan::default(),
        Mode::InPlace,
        settings,
        printer,
    )
}

/// `mmt replace - OLD NEW`: standard input, changed, to standard output (the preview under
/// `--copy`); the summary to standard error.
fn filter_stdin(planned: &Planned, settings: &Settings, printer: &mut Printer) -> Result<Outcome> {
    let name = planned.source.name();
    let plan = &planned.plan;
    if settings.preview {
        if !plan.is_empty() && !settings.style.quiet {
            let sharing = preview::Sharing::new(settings.threads);
            preview::print(
                printer,
                name.as_bytes(),
                &planned.view,
                plan,
                &preview::Rendered,
                sharing,
            )?;
        }
    } else {
        // Standard output is the data here, so `-q` silences only the summary (as `sed -n`
        // would not silence `sed`'s output): written straight out, past the printer, which
        // prints nothing when quiet.
        let stdout = std::io::stdout();
        let mut sink = StdoutSink {
            out: std::io::BufWriter::with_capacity(1 << 20, stdout.lock()),
            old: &planned.view,
        };
        plan.rewrite_into(planned.view.len(), &mut sink)?;
        std::io::Write::flush(&mut sink.out)?;
    }
    let count = plan.len() as u64;
    printer.summary(&format!(
        "{name}: {count} {}{}",
        plural(count, "replacement"),
        dry_run_note(settings)
    ));
    Ok(Outcome::found(!plan.is_empty()))
}

/// A rewrite streamed to standard output.
struct StdoutSink<'a> {
    out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    old: &'a [u8],
}

impl RewriteSink for StdoutSink<'_> {
    fn copy_unchanged(&mut self, range: std::ops::Range<usize>) -> std::io::Result<()> {
        std::io::Write::write_all(&mut self.out, &self.old[range])
    }

    fn write_new(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        std::io::Write::write_all(&mut self.out, bytes)
    }
}

/// The identity of the file at `path`, links followed, as its lock would see it.
fn file_key(path: &Path) -> Result<FileKey> {
    let meta = std::fs::metadata(path).context("cannot open")?;
    Ok((meta.dev(), meta.ino()))
}

/// A replace over many files holds every file with a match open until it is written; let it
/// hold as many as the system allows, not the default soft limit of 1024.
fn raise_open_file_limit() {
    use rustix::process::{Resource, getrlimit, setrlimit};
    let mut limit = getrlimit(Resource::Nofile);
    if limit.current < limit.maximum {
        limit.current = limit.maximum;
        let _ = setrlimit(Resource::Nofile, limit);
    }
}
