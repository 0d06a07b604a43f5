//! The command-line surface: every command, flag and value of the guide (`doc/guide.md`), as
//! clap derive types, and their conversion into the core's own types. No module outside `cli`
//! and `cmd` sees clap.
//!
//! Numbers, ranges and byte strings are kept as [`Raw`] values here and parsed by the core, so
//! that a bad value is reported as `mmt: FILE: reason` like every other error, and so that values
//! such as `-20:` or `--seek -10` reach the core as typed (see [`raw`]).

mod args;
pub(crate) mod bytes;
mod habits;
mod options;
mod raw;
pub(crate) mod slice;

use std::ffi::OsString;
use std::num::NonZeroUsize;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum, ValueHint};

pub use args::{
    CompletionsArgs, FindArgs, GrepArgs, ReadArgs, ReplaceArgs, SliceArgs, UndoArgs, WriteArgs,
};
pub use options::{ByteStringOpts, EngineArg, FileOpts, LineOpts, ListOpts, PatternOpts};
pub use raw::Raw;

use crate::output::{Format, Style};
use crate::settings::Settings;

/// Parses the process's arguments, letting values that start with `-` through as values.
pub fn parse() -> Result<Cli, clap::Error> {
    parse_from(std::env::args_os().collect())
}

/// What `mmt` alone prints: a few lines that say what to type, as ripgrep does, not the whole
/// help.
pub fn short_usage() -> String {
    let commands: Vec<String> = Cli::command()
        .get_subcommands()
        .map(|sub| sub.get_name().to_owned())
        .collect();
    format!(
        "mmt: no command given\n\n\
         Usage: mmt [OPTIONS] <COMMAND> <FILE|PATH...> [ARGS]\n\
         Commands: {}\n\n\
         Try 'mmt --help' or 'mmt COMMAND --help' for more information.\n",
        commands.join(", ")
    )
}

/// Parses `args` (the program's name first) as [`parse`] does.
pub fn parse_from(args: Vec<OsString>) -> Result<Cli, clap::Error> {
    let marked = raw::mark_values(&mut Cli::command(), args);
    let mut matches = Cli::command()
        .try_get_matches_from(&marked)
        .map_err(|err| answer_habit(err, &marked))?;
    // Read before the values are taken out of the matches below.
    let order = matches.subcommand().map(|(_, sub)| type_order(sub));
    let mut cli =
        Cli::from_arg_matches_mut(&mut matches).map_err(|err| err.format(&mut Cli::command()))?;
    if let (Some(order), Some(files)) = (order, cli.command.files_mut()) {
        files.type_order = order;
    }
    Ok(cli)
}

/// An unknown flag that users of rg, sd or fastmod type (see `habits`) answered with mmt's
/// way; other errors as clap has them.
fn answer_habit(err: clap::Error, args: &[OsString]) -> clap::Error {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if err.kind() != ErrorKind::UnknownArgument {
        return err;
    }
    let Some(ContextValue::String(flag)) = err.get(ContextKind::InvalidArg) else {
        return err;
    };
    let commands = Cli::command();
    let command = args.iter().skip(1).find_map(|arg| {
        let arg = arg.to_str()?;
        commands
            .get_subcommands()
            .any(|sub| sub.get_name() == arg)
            .then_some(arg)
    });
    match habits::answer(flag, command) {
        Some(answer) => clap::Error::raw(ErrorKind::UnknownArgument, format!("{flag}: {answer}\n")),
        None => err,
    }
}

/// `-t` and `-T` as they were given, in one order: which of them is last matters (rg's rule:
/// the last that names a file's type decides), and clap keeps each flag's values apart.
fn type_order(matches: &clap::ArgMatches) -> Vec<(bool, String)> {
    let mut order: Vec<(usize, bool, String)> = Vec::new();
    for (id, selected) in [("types", true), ("types_not", false)] {
        // A command without the flags (read, slice...) has no such id: `try_` says so.
        if let Ok(Some(values)) = matches.try_get_many::<String>(id) {
            let indices = matches.indices_of(id).into_iter().flatten();
            order.extend(indices.zip(values).map(|(i, v)| (i, selected, v.clone())));
        }
    }
    order.sort_by_key(|(index, ..)| *index);
    order
        .into_iter()
        .map(|(_, selected, name)| (selected, name))
        .collect()
}

#[derive(Debug, Parser)]
#[command(
    name = "mmt",
    version,
    about = "Inspect and patch files through memory maps.",
    long_about = "Inspect and patch files through memory maps: read, slice, find, grep, \
                  replace and write bytes in files of any size, text or binary.",
    after_help = "Exit status: 0 success, 1 nothing matched (nothing changed), 2 error.\n\
                  Examples:\n  mmt read lorem.txt 10 10 --format repr\n  \
                  mmt replace lorem.txt consectetuer reutetcesnoc --max 1\n  \
                  mmt --copy replace config.ini 'debug=0' 'debug=1'",
    max_term_width = 100,
    // `mmt COMMAND --help` is the help; a `help` command would be one more name to document.
    disable_help_subcommand = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalOpts,

    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted before or after the command name.
#[derive(Debug, Args)]
pub struct GlobalOpts {
    /// Dry run: map the file copy-on-write, change it in memory only and print a preview
    #[arg(
        long,
        visible_alias = "dry-run",
        global = true,
        help_heading = "Global options"
    )]
    pub copy: bool,

    /// Read the file into memory instead of mapping it (writes go through ordinary I/O)
    #[arg(long, global = true, help_heading = "Global options")]
    pub no_mmap: bool,

    /// Machine output: JSON Lines, one object per line
    #[arg(long, global = true, help_heading = "Global options")]
    pub json: bool,

    /// When to colour diffs and highlights
    #[arg(
        long,
        global = true,
        value_name = "WHEN",
        default_value = "auto",
        help_heading = "Global options"
    )]
    pub color: ColorWhen,

    /// Print nothing on standard output and no summaries; errors still go to standard error (a
    /// filter, `replace -`, still writes its data)
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub quiet: bool,

    /// Write without the crash journal: this run cannot be rolled back or undone, and a crash
    /// or a failure partway leaves the files written before it changed (each file whole: a
    /// rewrite is still atomic)
    #[arg(long, global = true, help_heading = "Global options")]
    pub no_journal: bool,

    /// Worker threads for many files, the pieces of one large file and --copy previews [default:
    /// the number of CPUs]; the output is the same for every N
    #[arg(
        short = 'j',
        long,
        value_name = "N",
        value_hint = ValueHint::Other,
        global = true,
        help_heading = "Global options"
    )]
    pub threads: Option<NonZeroUsize>,
}

impl GlobalOpts {
    /// The settings every command shares, decided once.
    pub fn settings(&self) -> Settings {
        let color_forced = match self.color {
            ColorWhen::Always => Some(true),
            ColorWhen::Never => Some(false),
            ColorWhen::Auto => None,
        };
        let color = color_forced.unwrap_or_else(crate::output::stdout_wants_color);
        let threads = self.threads.map_or_else(
            || std::thread::available_parallelism().map_or(1, NonZeroUsize::get),
            NonZeroUsize::get,
        );
        let mut settings = Settings::new(
            self.copy,
            !self.no_journal,
            self.no_mmap,
            Style {
                json: self.json,
                color,
                quiet: self.quiet,
                terminal: false,
                heading: false,
            },
            threads,
        );
        settings.color_forced = color_forced;
        settings
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

/// `--format`: how a record of bytes is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// The exact bytes, nothing added
    Raw,
    /// One Python bytes literal per record, per line
    Repr,
    /// An xxd-style dump with absolute file offsets
    Hex,
}

impl From<FormatArg> for Format {
    fn from(arg: FormatArg) -> Self {
        match arg {
            FormatArg::Raw => Format::Raw,
            FormatArg::Repr => Format::Repr,
            FormatArg::Hex => Format::Hex,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Successive reads from a file pointer, as Python's m.read(SIZE)
    #[command(after_help = "Examples:\n  mmt read lorem.txt 10 10 --format repr\n  \
                            mmt read disk.img 512 --seek 0x1be --format hex\n  \
                            mmt read app.log --seek -200")]
    Read(ReadArgs),

    /// Bytes by Python slice: START:END[:STEP], START+LEN or INDEX
    #[command(after_help = "Examples:\n  mmt slice lorem.txt :10 --format repr\n  \
                            mmt slice lorem.txt -20:\n  mmt slice disk.img 0x1fe+2 --format hex")]
    Slice(SliceArgs),

    /// Byte offsets of NEEDLE, as m.find / m.rfind / bytes.count
    #[command(
        override_usage = "mmt find [OPTIONS] <PATH>... <NEEDLE>\n       \
                          mmt find [OPTIONS] --files-from <LIST> <NEEDLE>\n       \
                          mmt find [OPTIONS] <NEEDLE>            (searches . or piped input)\n       \
                          mmt find [OPTIONS] --files [PATH]...",
        after_help = "Examples:\n  mmt find lorem.txt consectetuer --all\n  \
                            mmt find disk.img 55aa --hex --last\n  mmt find src/ TODO --count\n  \
                            mmt find src/ old_name -w -l -0 | xargs -0 $EDITOR\n  \
                            mmt find -n 'a.b()'                # the lines, as rg -F -n"
    )]
    Find(FindArgs),

    /// Replace every OLD with NEW, in place when the length is unchanged, else by atomic rewrite
    #[command(
        long_about = "Replace every non-overlapping OLD with NEW, left to right, as Python's \
bytes.replace(old, new, count) does (re.sub with --regex), in every file of every PATH.

Every file is planned (every match found) before any is written: a bad pattern, --expect or \
a file that cannot be read leaves everything as it was.

Same length: the file is patched in place through a shared map (same inode, only the touched \
pages written), then synced. Ctrl-C waits until the patch is done.

Length changes: the new content goes to a temporary file beside the original, which is synced \
and renamed over it (atomic: a reader sees the old file or the new one). Mode, owner (as \
root), ACLs and extended attributes are kept. A file with other hard links is written in \
place instead (from a copy of its old content), so that every name of it sees the change.

--regex: OLD is a pattern of Python's re dialect for bytes, as grep reads it; NEW is a template \
as re.sub reads it (\\1, \\g<1>, \\g<name>, \\\\, \\n, ...) or in sd's spelling ($1, ${1}, $name, \
${name}, $0, $$ for a dollar). A reference to a group the pattern lacks is refused ($1X names a \
group 1X: write ${1}X), as are Python's bad escapes (\\q).

--expect N: nothing is written unless there are exactly N replacements in all files.

--copy (--dry-run): nothing is written; a unified diff (git apply and patch -p1 take it) or a \
hex diff for binary data shows what would change, and the exit status is the real run's.

--interactive: each change is shown (PATH:LINE and its hunk, or a hex diff) as soon as its \
file is planned, and asked about on the terminal, one key each: y accept, n skip, a/d accept or \
skip the rest of the file, A accept all the rest, q stop and write what was accepted, ? help. \
The accepted changes are then written as one run (undone as one by mmt undo), refused if a \
file changed meanwhile; Ctrl-C or Ctrl-D writes nothing (exit 2); nothing accepted exits 1.

--backup SUFFIX keeps a full copy of each original first.

Output: a run over one or two files names each on standard error; a run over more prints its \
total (-v names every file, -q prints nothing).

No PATH: piped standard input is filtered to standard output, as sd does; with nothing piped \
the run is refused (a write never guesses its files: name . for the current directory). With \
-e OLD -r NEW every argument is a PATH, so that xargs and find -exec ... + can add them.",
        override_usage = "mmt replace [OPTIONS] <PATH>... <OLD> <NEW>\n       \
                          mmt replace [OPTIONS] --files-from <LIST> <OLD> <NEW>\n       \
                          mmt replace [OPTIONS] -e <OLD> -r <NEW> <PATH>...\n       \
                          mmt replace [OPTIONS] <OLD> <NEW> < INPUT   (filters standard input)",
        after_help = "Examples:\n  git ls-files -z | mmt replace --files0-from - old_name new_name\n  \
                            git ls-files -z | xargs -0 mmt replace -e old_name -r new_name\n  \
                            printf 'a-b' | mmt replace b c         # no PATH: the pipe filtered, as sd\n  \
                            mmt replace lorem.txt consectetuer reutetcesnoc --max 1\n  \
                            mmt --copy replace Cargo.toml 'version = \"0.1.0\"' 'version = \"0.2.0\"'\n  \
                            mmt replace app.conf 'port=(\\d+)' 'port=${1}0' --regex --expect 1\n  \
                            mmt replace src/ foo bar -w         # foo, not foobar\n  \
                            mmt replace --interactive src/ old_name new_name   # ask for each change"
    )]
    Replace(ReplaceArgs),

    /// Overwrite len(DATA) bytes at OFFSET in place, as m[off:off+len(data)] = data
    #[command(after_help = "Examples:\n  mmt write lorem.txt 0 LOREM\n  \
                            mmt write disk.img 0x1fe 55aa --hex\n  mmt --copy write app.bin -4 '\\x00\\x00' --escapes")]
    Write(WriteArgs),

    /// A bytes regular expression over the whole file, as Python's re with a bytes pattern
    #[command(
        override_usage = "mmt grep [OPTIONS] <PATH>... <PATTERN>\n       \
                          mmt grep [OPTIONS] --files-from <LIST> <PATTERN>\n       \
                          mmt grep [OPTIONS] <PATTERN>            (searches . or piped input)\n       \
                          mmt grep [OPTIONS] -e <PATTERN>... [PATH]...\n       \
                          mmt grep [OPTIONS] --files [PATH]...",
        after_help = "Examples:\n  mmt grep lorem.txt '(\\.\\W+)?([^.]?nulla[^.]*?\\.)' -i --dot-all --multi-line \
                            --group 2 --fold --format repr\n  mmt grep app.log 'user=(?P<user>\\w+)' --group user --count\n  \
                            mmt grep firmware.bin '\\xde\\xad\\xbe\\xef' -b\n  \
                            mmt grep src/ 'fn \\w+' -n -C 2        # whole lines, numbered, with context, as rg -n -C2\n  \
                            mmt grep src/ unwrap -l                # the files that match, as rg -l\n  \
                            mmt grep -t rust -n 'unsafe'           # rg -t rust -n unsafe, in ."
    )]
    Grep(GrepArgs),

    /// Revert the last run that touched a file under this directory, or run ID; --list shows
    /// every run and whether it can still be undone
    #[command(
        after_help = "Examples:\n  mmt undo --list\n  mmt undo                 # the last run under \
                      this directory\n  mmt undo 0000017964020150  # a run by its ID (or the start \
                      of it)\n  mmt --copy undo          # show what would be restored\n  \
                      mmt undo --forget 0000017964020150"
    )]
    Undo(UndoArgs),

    /// Roll back every interrupted run of this user (a command does this first for the runs
    /// that touched its files)
    #[command(
        after_help = "Examples:\n  mmt recover\n  mmt --copy recover   # show what would be \
                            rolled back"
    )]
    Recover,

    /// Print the completion script for a shell
    #[command(
        after_help = "Examples:\n  mmt completions bash > /etc/bash_completion.d/mmt\n  \
                            mmt completions zsh > ~/.zfunc/_mmt"
    )]
    Completions(CompletionsArgs),
}

impl Command {
    /// The file options of a command that walks trees.
    fn files_mut(&mut self) -> Option<&mut FileOpts> {
        match self {
            Command::Find(args) => Some(&mut args.files),
            Command::Grep(args) => Some(&mut args.files),
            Command::Replace(args) => Some(&mut args.files),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
