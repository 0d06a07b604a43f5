//! `mmt replace PATH... OLD NEW`: every non-overlapping OLD becomes NEW, as `bytes.replace` (or
//! `re.sub` with `--regex`) would have it; in place when the length is kept, else by an atomic
//! rewrite.
//!
//! Every file is planned (every match found, on worker threads) before any is written, so
//! `--expect` counts the whole run and a file that cannot be read stops the run before it has
//! changed anything. Then the files are written, or previewed, one by one in order.

mod locking;
mod planning;
mod report;
mod writing;

use crate::files::id::FileId;
use planning::Planned;
mod interactive;

use std::collections::HashSet;
use std::path::Path;
use std::sync::Mutex;

use anyhow::{Result, bail};

use super::Positionals;
use crate::cli::bytes::{Spelling, parse_byte_string, parse_limit, parse_unsigned};
use crate::cli::{Raw, ReplaceArgs};
use crate::cmd::hints::Readings;
use crate::exit::ExitCode;
use crate::output::{Printer, plural};
use crate::patch::targets::backup_path;
use crate::search::Pattern;
use crate::search::chunked::Split;
use crate::search::dialect::RegexFlags;
use crate::search::template::Template;
use crate::settings::Settings;
use crate::sys;

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
    claimed: Mutex<HashSet<FileId>>,
    /// For OLD with `^` or `$` and no `--multi-line`: both readings counted over every file
    /// (see `hints::Readings`).
    readings: Option<Readings>,
    /// `-v`: every file changed is named, however many.
    verbose: bool,
    /// `--interactive`: files are planned with no lock, which the review takes when it commits.
    review: bool,
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
        .then(|| interactive::Reviewer::open(args, &positionals, settings))
        .transpose()?;
    let sources = positionals.sources("replace", &args.files)?;
    let many = sources.many;
    if many {
        sys::raise_open_file_limit();
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
            let word = |raw: &Raw| crate::cmd::positionals::shell_word(&raw.0.to_string_lossy());
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
