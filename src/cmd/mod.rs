//! One module per command. `dispatch` decides the settings once, then runs the command: the
//! one-file commands (`read`, `slice`, `write`) on their file, the many-file ones (`find`,
//! `grep`, `replace`) prepared once and run over every source. An error about the one file
//! names it, so every message reads `mmt: FILE: reason`.

mod completions;
pub mod drive;
mod find;
mod grep;
mod hints;
mod patching;
mod read;
mod replace;
mod slice;
mod undo;
mod write;

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::cli::{Cli, Command, FileOpts, ListOpts, Raw};
use crate::exit::{ExitCode, Outcome};
use crate::files::name::Name;
use crate::files::source::{self, Source, Sources, WalkOptions};
use crate::journal::Scope;
use crate::output::{Format, Printer, json_bytes};
use crate::search::Pattern;
use crate::settings::Settings;

/// Runs a parsed command line.
pub fn dispatch(cli: Cli) -> Result<ExitCode> {
    // A write past `ulimit -f` fails with EFBIG, reported and cleaned up, instead of SIGXFSZ
    // ending mmt with a temporary file left behind.
    crate::sys::ignore_sigxfsz();
    let settings = cli.global.settings();
    crate::progress::set_watched(settings.watched);
    if !matches!(
        cli.command,
        Command::Completions(_) | Command::Recover | Command::Undo(_)
    ) {
        undo::recover_first(&recovery_scope(&cli.command));
    }
    let one_file = |file: &Raw, run: &dyn Fn(&mut Printer) -> Result<Outcome>| {
        let mut printer = Printer::stdout(settings.style);
        let outcome =
            run(&mut printer).map_err(|err| drive::describe(err).context(display_name(file)))?;
        printer.flush()?;
        Ok(ExitCode::from(outcome))
    };
    match &cli.command {
        Command::Read(args) => one_file(&args.file, &|p| read::run(args, &settings, p)),
        Command::Slice(args) => one_file(&args.file, &|p| slice::run(args, &settings, p)),
        Command::Write(args) => one_file(&args.file, &|p| write::run(args, &settings, p)),
        Command::Find(args) => find::run(args, &settings),
        Command::Grep(args) => grep::run(args, &settings),
        Command::Replace(args) => replace::run(args, &settings),
        Command::Undo(args) => {
            let mut printer = Printer::stdout(settings.style);
            let outcome = undo::run(args, &settings, &mut printer)?;
            printer.flush()?;
            Ok(ExitCode::from(outcome))
        }
        Command::Recover => {
            let mut printer = Printer::stdout(settings.style);
            let outcome = undo::recover(&settings, &mut printer)?;
            printer.flush()?;
            Ok(ExitCode::from(outcome))
        }
        Command::Completions(args) => {
            if settings.style.json {
                bail!("completions prints a shell script, not JSON; drop --json");
            }
            let mut printer = Printer::stdout(settings.style);
            completions::run(args, &mut printer)?;
            printer.flush()?;
            Ok(ExitCode::Success)
        }
    }
}

/// The files a command may read or write, for recovery: its positional arguments that name a
/// file or a directory (a pattern that happens to name one only widens it), links resolved.
/// A list of paths (`--files-from`) is read once, by the command: then every run counts.
fn recovery_scope(command: &Command) -> Scope {
    let (named, files): (Vec<&Raw>, Option<&FileOpts>) = match command {
        Command::Read(args) => (vec![&args.file], None),
        Command::Slice(args) => (vec![&args.file], None),
        Command::Write(args) => (vec![&args.file], None),
        Command::Find(args) => (args.args.iter().collect(), Some(&args.files)),
        Command::Grep(args) => (args.args.iter().collect(), Some(&args.files)),
        Command::Replace(args) => (args.args.iter().collect(), Some(&args.files)),
        Command::Undo(_) | Command::Recover | Command::Completions(_) => return Scope::All,
    };
    if files.is_some_and(|f| f.files_from.is_some() || f.files0_from.is_some()) {
        return Scope::All;
    }
    Scope::Paths(
        named
            .into_iter()
            .filter_map(|raw| std::fs::canonicalize(raw.to_path()).ok())
            .collect(),
    )
}

/// `PATH... ARGS`: the paths, and the last `count` arguments (`what` names them in errors).
pub struct Positionals<'a> {
    pub paths: Vec<PathBuf>,
    pub args: &'a [Raw],
    /// No PATH was given and mmt chose `.`: its files are shown as rg shows them, without `./`.
    pub implicit_dot: bool,
}

impl<'a> Positionals<'a> {
    pub fn split(all: &'a [Raw], count: usize, what: &str, files: &FileOpts) -> Result<Self> {
        let has_list = files.files_from.is_some() || files.files0_from.is_some();
        if all.len() < count || (all.len() == count && !has_list) {
            bail!(
                "expected PATH... {what}: name a file, a directory or - (standard input) before \
                 {what}, or give --files-from LIST"
            );
        }
        let (paths, args) = all.split_at(all.len() - count);
        Ok(Positionals {
            paths: paths.iter().map(Raw::to_path).collect(),
            args,
            implicit_dot: false,
        })
    }

    /// [`Positionals::split`], where no PATH means `.`, or standard input when something is
    /// piped or redirected into it, as rg has it (`mmt grep PATTERN`, `... | mmt grep PATTERN`).
    pub fn split_or_default(
        all: &'a [Raw],
        count: usize,
        what: &str,
        files: &FileOpts,
    ) -> Result<Self> {
        let has_list = files.files_from.is_some() || files.files0_from.is_some();
        if all.len() == count && !has_list {
            let stdin = stdin_is_readable();
            return Ok(Positionals {
                paths: vec![PathBuf::from(if stdin { "-" } else { "." })],
                args: all,
                implicit_dot: !stdin,
            });
        }
        Positionals::split(all, count, what, files)
    }

    /// Every argument a PATH, `.` (shown without `./`) when there is none: what `--files` lists.
    pub fn all_paths(all: &'a [Raw]) -> Self {
        match all {
            [] => Positionals {
                paths: vec![PathBuf::from(".")],
                args: all,
                implicit_dot: true,
            },
            _ => Positionals {
                paths: all.iter().map(Raw::to_path).collect(),
                args: &[],
                implicit_dot: false,
            },
        }
    }

    /// Names the one PATH in an error about the arguments, as a one-file command does; with
    /// many paths the error is about the run, not a file.
    pub fn attribute(&self, err: anyhow::Error) -> anyhow::Error {
        match self.paths.as_slice() {
            [only] => err.context(display_name(&Raw(only.clone().into_os_string()))),
            _ => err,
        }
    }

    /// The sources the paths (and the list, if any) stand for. When no PATH exists but an
    /// argument after them names a file, the arguments were typed in sd's or rg's order
    /// (pattern first); that is refused with the order that works.
    pub fn sources(&self, command: &str, files: &FileOpts) -> Result<Sources> {
        let misplaced: Vec<&Raw> = self
            .args
            .iter()
            .filter(|a| a.to_path().symlink_metadata().is_ok())
            .collect();
        if !self.paths.is_empty() && !self.any_path_exists() && !misplaced.is_empty() {
            let named = |raw: &Raw| shell_word(&raw.0.to_string_lossy());
            let mut order: Vec<String> = misplaced.iter().map(|a| named(a)).collect();
            order.extend(self.paths.iter().map(|p| shell_word(&p.to_string_lossy())));
            order.extend(
                self.args
                    .iter()
                    .filter(|a| !misplaced.contains(a))
                    .map(named),
            );
            bail!(
                "{}: no such file or directory, and {} names {}: the files come first, as \
                 in: mmt {command} {}",
                self.paths[0].display(),
                named(misplaced[0]),
                kind_of(&misplaced[0].to_path()),
                order.join(" ")
            );
        }
        let walk = WalkOptions {
            implicit_dot: self.implicit_dot,
            ..files.walk_options()
        };
        // An unknown type is an error before anything is searched, walked or not (as in rg).
        if !walk.types.is_empty() {
            source::file_types(&walk)?;
        }
        source::gather(self.paths.clone(), &files.lists(), &walk)
    }
}

/// Whether standard input has something to read: a file, a pipe or a socket, not a terminal
/// nor `/dev/null` (as rg decides whether to search it when no PATH is given).
pub fn stdin_is_readable() -> bool {
    let stdin = std::io::stdin();
    let Ok(meta) = rustix::fs::fstat(std::os::fd::AsFd::as_fd(&stdin)) else {
        return false;
    };
    let kind = rustix::fs::FileType::from_raw_mode(meta.st_mode);
    matches!(
        kind,
        rustix::fs::FileType::RegularFile
            | rustix::fs::FileType::Fifo
            | rustix::fs::FileType::Socket
    )
}

/// `--type-list`: every file type a walk knows (rg's, and `--type-add`'s) with its globs, one a
/// line, as rg prints them.
pub fn print_type_list(files: &FileOpts, args: &[Raw], settings: &Settings) -> Result<ExitCode> {
    if let Some(arg) = args.first() {
        bail!(
            "--type-list prints the file types and searches nothing, and {} would be searched \
             for or in; give one of them",
            shell_word(&arg.0.to_string_lossy())
        );
    }
    let table = crate::files::source::type_table(&files.type_add)?;
    let mut printer = Printer::stdout(settings.style);
    for def in table.definitions() {
        if settings.style.json {
            printer.json_line(&serde_json::json!({ "type": def.name(), "globs": def.globs() }))?;
        } else {
            printer.line(&format!("{}: {}", def.name(), def.globs().join(", ")))?;
        }
    }
    printer.flush()?;
    Ok(ExitCode::Success)
}

/// `--files`: the files a search of `sources` would look at, a line each (NUL-ended with
/// `-0`), as rg prints them; exit 1 when there are none.
pub fn list_sources(sources: Sources, null: bool, settings: &Settings) -> Result<ExitCode> {
    let mut tally = crate::exit::Tally::default();
    let mut printer = Printer::stdout(settings.style);
    let end = if null { 0 } else { b'\n' };
    for entry in sources.entries() {
        match entry {
            Ok(source) => {
                // A file named is listed when it is there, as rg lists it.
                if let Source::File { path, named: true } = &source
                    && let Err(err) = std::fs::metadata(path)
                {
                    tally.add_failure();
                    printer.message(&drive::describe_unreachable(source::Unreachable {
                        name: path.display().to_string(),
                        error: anyhow::Error::from(err).context("cannot open"),
                    }));
                    continue;
                }
                printer.listed_file(&source, end)?;
                tally.add(Outcome::Done);
            }
            Err(unreachable) => {
                tally.add_failure();
                printer.message(&drive::describe_unreachable(unreachable));
            }
        }
    }
    printer.flush()?;
    Ok(tally.exit_code())
}

/// "a file" or "a directory", for messages about a path that exists.
fn kind_of(path: &std::path::Path) -> &'static str {
    if path.is_dir() {
        "a directory"
    } else {
        "a file"
    }
}

impl Positionals<'_> {
    /// Whether a PATH names something: a file, a directory, a link, or `-`.
    fn any_path_exists(&self) -> bool {
        self.paths
            .iter()
            .any(|path| path == Path::new("-") || path.symlink_metadata().is_ok())
    }

    /// When the last argument (the pattern, NEEDLE or NEW) names a file or a directory too, the
    /// words may be in rg's or sd's order (`mmt grep src .`, `mmt replace bench old README.md`)
    /// and mean the other reading. A command that writes refuses, showing both readings and how
    /// to say which is meant; one that reads says so on standard error and goes on. `what` names
    /// the last argument; `byte_strings` is whether `--escapes` or `--hex` was given, which
    /// says the words are byte strings on purpose.
    pub fn check_order(
        &self,
        command: &str,
        what: &str,
        writes: bool,
        byte_strings: bool,
        quiet: bool,
    ) -> Result<()> {
        let (Some(last), false) = (self.args.last(), self.paths.is_empty()) else {
            return Ok(());
        };
        let last_path = last.to_path();
        if byte_strings
            || last.as_bytes() == b"-"
            || last_path.symlink_metadata().is_err()
            || !self.any_path_exists()
        {
            return Ok(());
        }
        let word = |raw: &Raw| shell_word(&raw.0.to_string_lossy());
        let paths: Vec<String> = self
            .paths
            .iter()
            .map(|p| shell_word(&p.to_string_lossy()))
            .collect();
        let mut other: Vec<String> = vec![word(last)];
        other.extend(paths.iter().cloned());
        other.extend(self.args[..self.args.len() - 1].iter().map(word));
        let kind = kind_of(&last_path);
        // `.` and `..` as NEW are punctuation far more often than a directory (`mmt replace
        // data.csv , .`): a write goes on with them, and only fastmod's `OLD NEW .` is left
        // unsaid, which the pattern-first check catches when OLD names no file.
        if writes && matches!(last.as_bytes(), b"." | b"..") {
            return Ok(());
        }
        if writes {
            bail!(
                "{what} {} names {kind} too. mmt's order is PATH... OLD NEW, so this would \
                 replace {} with the text {} in {}. If {} is where to replace, name it first: \
                 mmt {command} {}. If the text is meant, say so with --escapes (OLD and NEW read \
                 as byte strings, the same bytes here): mmt {command} --escapes {} {}",
                word(last),
                word(&self.args[0]),
                word(last),
                paths.join(" "),
                word(last),
                other.join(" "),
                paths.join(" "),
                self.args.iter().map(word).collect::<Vec<_>>().join(" ")
            );
        }
        if !quiet {
            say!(
                "mmt: note: the {what} {} names {kind} too; mmt's order is PATH... {what}, so \
                 this searches {} for it. To search {} instead: mmt {command} {}",
                word(last),
                paths.join(" "),
                word(last),
                other.join(" ")
            );
        }
        Ok(())
    }
}

/// A word as a shell user would type it back: quoted when it holds anything but plain
/// characters.
pub(super) fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && word
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./=:+,@%".contains(c));
    if plain {
        word.to_owned()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// The format of records: `--format` as given (raw when not given), refused beside `--json`,
/// which is an output format of its own, so that neither is silently ignored.
pub fn record_format(format: Option<Format>, json: bool) -> Result<Format> {
    match format {
        Some(format) if json => bail!(
            "--format {} and --json are two output formats; give one of them",
            format.name()
        ),
        Some(format) => Ok(format),
        None => Ok(Format::Raw),
    }
}

/// Prints one record of `read` or `slice`: in `format`, or as `{"offset", "length", "data"}`.
pub fn print_record(
    printer: &mut Printer,
    format: Format,
    offset: u64,
    bytes: &[u8],
) -> Result<()> {
    if printer.style().json {
        printer.json_line(&serde_json::json!({
            "offset": offset,
            "length": bytes.len(),
            "data": json_bytes(bytes),
        }))?;
    } else {
        printer.record(format, offset, bytes)?;
    }
    Ok(())
}

/// Prints the answer of `--count` (a number, or `{"count": N}`); exit 1 when it is 0. When
/// records name their file, a file without matches prints nothing, as `rg --count` has it.
pub fn print_count(printer: &mut Printer, count: usize) -> Result<Outcome> {
    if count == 0 && printer.is_labelled() {
        return Ok(Outcome::NothingMatched);
    }
    if printer.style().json {
        printer.json_line(&serde_json::json!({ "count": count }))?;
    } else {
        printer.counted_line(&count.to_string())?;
    }
    Ok(Outcome::found(count > 0))
}

/// The name of a target in messages: its path, or `<stdin>` for `-`.
pub fn display_name(path: &Raw) -> Name {
    if path.as_bytes() == b"-" {
        Name::stdin()
    } else {
        Name::of_bytes(path.as_bytes())
    }
}

/// `-l`/`--files-without-match` as asked (which files are listed, and the byte that ends a
/// path), refused beside a flag that shapes the records a listing does not print, and `-0`
/// refused without a listing or beside `--json`, so that no flag is silently ignored.
pub fn listing(
    list: &ListOpts,
    json: bool,
    record_flags: &[(bool, &str)],
) -> Result<Option<(bool, u8)>> {
    let Some(with) = list.listing() else {
        if list.null {
            bail!(
                "-0/--null ends the paths that -l and --files-without-match print; add one of \
                 them (records are not ended by NUL)"
            );
        }
        return Ok(None);
    };
    let flag = if with {
        "-l/--files-with-matches"
    } else {
        "--files-without-match"
    };
    if let Some((_, other)) = record_flags.iter().find(|(given, _)| *given) {
        bail!(
            "{flag} prints only the names of files, and {other} shapes what is printed of matches; give one of them"
        );
    }
    if list.null && json {
        bail!(
            "-0/--null ends paths in text; --json prints {{\"file\": PATH}} objects; give one of them"
        );
    }
    Ok(Some((with, if list.null { 0 } else { b'\n' })))
}

/// A file of `-l` (listed when `found`) or `--files-without-match` (listed when not).
pub fn list_file(
    printer: &mut Printer,
    source: &Source,
    with: bool,
    found: bool,
    end: u8,
) -> Result<Outcome> {
    if found != with {
        return Ok(Outcome::NothingMatched);
    }
    printer.listed_file(source, end)?;
    Ok(Outcome::Done)
}

/// Python's FutureWarnings about a pattern, on standard error (unless `-q`), each with the way
/// to say what was probably meant.
pub fn warn_of_pattern(pattern: &Pattern, settings: &Settings) {
    if settings.style.quiet {
        return;
    }
    for warning in &pattern.warnings {
        say!(
            "mmt: FutureWarning: {warning}{}",
            nested_set_hint(pattern.source())
        );
    }
}

/// What a set that opens with `[` was probably meant to be: a POSIX class such as
/// `[[:digit:]]`, which Python reads as the set of the characters `[:digt` followed by `]`.
fn nested_set_hint(pattern: &[u8]) -> String {
    const CLASSES: [(&str, &str); 10] = [
        ("digit", r"\d"),
        ("space", r"\s"),
        ("alnum", "[a-zA-Z0-9]"),
        ("alpha", "[a-zA-Z]"),
        ("upper", "[A-Z]"),
        ("lower", "[a-z]"),
        ("xdigit", "[0-9a-fA-F]"),
        ("punct", r"[!-/:-@\[-`{-~]"),
        ("blank", r"[ \t]"),
        ("word", r"\w"),
    ];
    let text = String::from_utf8_lossy(pattern);
    for (name, meant) in CLASSES {
        let posix = format!("[[:{name}:]]");
        if text.contains(&posix) {
            return format!(
                " ({posix} is read as a set of the characters in [:{name}: followed by ], not \
                 as a POSIX class; Python has none: write {meant})"
            );
        }
    }
    " (a set that opens with [ holds the character [; a later Python may read it as a nested \
     set: write \\[ to mean [)"
        .to_owned()
}
