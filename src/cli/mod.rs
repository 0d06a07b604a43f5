//! The command-line surface: every command, flag and value of the guide (`doc/guide.md`), as
//! clap derive types, and their conversion into the core's own types. No module outside `cli`
//! and `cmd` sees clap.
//!
//! Numbers, ranges and byte strings are kept as [`Raw`] values here and parsed by the core, so
//! that a bad value is reported as `mmt: FILE: reason` like every other error, and so that values
//! such as `-20:` or `--seek -10` reach the core as typed (see [`raw`]).

pub(crate) mod bytes;
mod habits;
mod raw;
pub(crate) mod slice;

use std::ffi::OsString;
use std::num::NonZeroUsize;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum, ValueHint};

pub use raw::Raw;

use crate::cli::bytes::Spelling;
use crate::files::source::{Lists, WalkOptions};
use crate::output::{Format, Style};
use crate::search::EngineChoice;
use crate::search::dialect::RegexFlags;
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

/// How NEEDLE, OLD, NEW and DATA are spelled on the command line.
#[derive(Debug, Clone, Copy, Args)]
pub struct ByteStringOpts {
    /// Byte strings are hex digits: deadbeef, "de ad be ef", de:ad:be:ef
    #[arg(long, conflicts_with = "escapes")]
    pub hex: bool,

    /// Byte strings interpret \n \r \t \0 \\ \xNN
    #[arg(long)]
    pub escapes: bool,
}

impl From<ByteStringOpts> for Spelling {
    fn from(opts: ByteStringOpts) -> Self {
        if opts.hex {
            Self::Hex
        } else if opts.escapes {
            Self::Escapes
        } else {
            Self::Literal
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

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// The file, or - for standard input
    #[arg(value_hint = ValueHint::FilePath)]
    pub file: Raw,

    /// Bytes per read; each SIZE is one record (none: read to the end)
    #[arg(value_name = "SIZE", conflicts_with = "lines", value_hint = ValueHint::Other)]
    pub sizes: Vec<Raw>,

    /// Where the file pointer starts (negative: from the end)
    #[arg(long, value_name = "POS", value_hint = ValueHint::Other)]
    pub seek: Option<Raw>,

    /// N successive readline() records instead of sized reads
    #[arg(long, value_name = "N", value_hint = ValueHint::Other)]
    pub lines: Option<Raw>,

    /// Output format [default: raw]
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
}

#[derive(Debug, Args)]
pub struct SliceArgs {
    /// The file, or - for standard input
    #[arg(value_hint = ValueHint::FilePath)]
    pub file: Raw,

    /// START:END[:STEP], START+LEN or INDEX; each is one record
    #[arg(value_name = "RANGE", required = true, value_hint = ValueHint::Other)]
    pub ranges: Vec<Raw>,

    /// Output format [default: raw]
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,
}

/// Which files `find`, `grep` and `replace` work on, beyond the PATHs.
#[derive(Debug, Clone, Default, Args)]
#[command(next_help_heading = "Files")]
pub struct FileOpts {
    /// Read the paths from LIST, one per line (- for standard input)
    #[arg(long, value_name = "LIST", value_hint = ValueHint::FilePath, conflicts_with = "files0_from")]
    pub files_from: Option<Raw>,

    /// Read the paths from LIST, separated by NUL bytes (git ls-files -z, find -print0)
    #[arg(long, value_name = "LIST", value_hint = ValueHint::FilePath)]
    pub files0_from: Option<Raw>,

    /// Walk hidden files and directories too
    #[arg(long)]
    pub hidden: bool,

    /// Walk what .gitignore, .ignore and .git/info/exclude would leave out
    #[arg(long)]
    pub no_ignore: bool,

    /// Follow symbolic links while walking
    #[arg(short = 'L', long)]
    pub follow: bool,

    /// Walk no deeper than N directories below each PATH
    #[arg(long, value_name = "N", value_hint = ValueHint::Other)]
    pub max_depth: Option<usize>,

    /// Walk only files that match GLOB (!GLOB: leave them out); repeatable
    #[arg(short = 'g', long = "glob", value_name = "GLOB", value_hint = ValueHint::Other)]
    pub globs: Vec<Raw>,

    /// Walk only files of TYPE, as rg has its types (--type-list shows them; all: any type);
    /// repeatable
    #[arg(short = 't', long = "type", value_name = "TYPE", value_hint = ValueHint::Other)]
    pub types: Vec<String>,

    /// Walk no files of TYPE; repeatable (the last of -t and -T about a file wins, as in rg)
    #[arg(short = 'T', long = "type-not", value_name = "TYPE", value_hint = ValueHint::Other)]
    pub types_not: Vec<String>,

    /// Define a file type, NAME:GLOB (or NAME:include:TYPE,...), as rg --type-add; repeatable
    #[arg(long, value_name = "SPEC", value_hint = ValueHint::Other)]
    pub type_add: Vec<String>,

    /// Print every file type and its globs, and search nothing
    #[arg(long)]
    pub type_list: bool,

    /// `-t` and `-T` in the order they were given (`true`: selected), filled in after parsing.
    #[arg(skip)]
    pub type_order: Vec<(bool, String)>,

    /// Start every record with PATH: even for one file
    #[arg(short = 'H', long, conflicts_with = "no_filename")]
    pub with_filename: bool,

    /// Never start a record with PATH:
    #[arg(long)]
    pub no_filename: bool,
}

impl FileOpts {
    pub fn walk_options(&self) -> WalkOptions {
        WalkOptions {
            hidden: self.hidden,
            no_ignore: self.no_ignore,
            follow: self.follow,
            max_depth: self.max_depth,
            globs: self.globs.iter().map(|g| g.0.clone()).collect(),
            type_defs: self.type_add.clone(),
            types: self.type_order.clone(),
            implicit_dot: false,
        }
    }

    pub fn lists(&self) -> Lists {
        Lists {
            lines: self.files_from.as_ref().map(Raw::to_path),
            nul: self.files0_from.as_ref().map(Raw::to_path),
        }
    }

    /// `-H` and `--no-filename`: `Some` when either forces a choice.
    pub fn filename_choice(&self) -> Option<bool> {
        if self.with_filename {
            Some(true)
        } else if self.no_filename {
            Some(false)
        } else {
            None
        }
    }
}

#[derive(Debug, Args)]
pub struct FindArgs {
    /// Files, directories (walked) or - for standard input, then the bytes to look for (no
    /// PATH: . or piped standard input)
    #[arg(value_name = "PATH", value_hint = ValueHint::AnyPath)]
    pub args: Vec<Raw>,

    /// Every non-overlapping occurrence, in order
    #[arg(long, conflicts_with = "last")]
    pub all: bool,

    /// Print the number of occurrences
    #[arg(long, conflicts_with_all = ["last", "all"])]
    pub count: bool,

    /// The last occurrence, as m.rfind
    #[arg(long)]
    pub last: bool,

    /// With --all or --count, occurrences may overlap
    #[arg(long)]
    pub overlapping: bool,

    /// An occurrence must have a word boundary on each side, as rg -w has it
    #[arg(short = 'w', long)]
    pub word_regexp: bool,

    #[command(flatten)]
    pub list: ListOpts,

    /// Search from this offset (negative: from the end)
    #[arg(long, value_name = "POS", value_hint = ValueHint::Other)]
    pub start: Option<Raw>,

    /// Search up to this offset (negative: from the end)
    #[arg(long, value_name = "POS", value_hint = ValueHint::Other)]
    pub end: Option<Raw>,

    #[command(flatten)]
    pub bytes: ByteStringOpts,

    #[command(flatten)]
    pub lines: LineOpts,

    /// Print the files a search would look at, and search nothing (rg --files)
    #[arg(long = "files", help_heading = "Files")]
    pub list_files: bool,

    #[command(flatten)]
    pub files: FileOpts,
}

#[derive(Debug, Args)]
pub struct ReplaceArgs {
    /// Files (symbolic links are followed), directories (walked) or -, then OLD and NEW (no
    /// PATH: piped standard input, filtered to standard output)
    #[arg(value_name = "PATH", value_hint = ValueHint::AnyPath)]
    pub args: Vec<Raw>,

    /// OLD by flag (rg's -e): every positional is then a PATH, so that xargs and find -exec
    /// ... + can add them (give NEW with -r)
    #[arg(short = 'e', long = "old", value_name = "OLD", requires = "new_by_flag", value_hint = ValueHint::Other)]
    pub old_by_flag: Option<Raw>,

    /// NEW by flag (rg's -r, --replace), with -e
    #[arg(short = 'r', long = "new", value_name = "NEW", requires = "old_by_flag", value_hint = ValueHint::Other)]
    pub new_by_flag: Option<Raw>,

    /// Name every file changed, not only the total of a run over many
    #[arg(short = 'v', long)]
    pub verbose: bool,

    /// Replace the first N occurrences only (negative: no limit)
    #[arg(long, value_name = "N", value_hint = ValueHint::Other)]
    pub max: Option<Raw>,

    /// Write nothing (exit 2) unless there are exactly N replacements in all
    #[arg(long, value_name = "N", value_hint = ValueHint::Other)]
    pub expect: Option<Raw>,

    /// OLD is a regular expression (the dialect and flags of grep)
    #[arg(long, conflicts_with_all = ["hex"])]
    pub regex: bool,

    /// Keep the original as FILE+SUFFIX first (a suffix such as .bak, not a path)
    #[arg(long, value_name = "SUFFIX", value_hint = ValueHint::Other)]
    pub backup: Option<Raw>,

    /// OLD must have a word boundary on each side, as rg -w has it (foo does not hit foobar)
    #[arg(short = 'w', long)]
    pub word_regexp: bool,

    /// Show each change and ask on the terminal (y/n/a/d/A/q, ? for help); the accepted
    /// changes are then written as one run, undone as one by mmt undo
    #[arg(long)]
    pub interactive: bool,

    /// Patch binary files met while walking a directory too (named files always are)
    #[arg(long, help_heading = "Files")]
    pub binary: bool,

    #[command(flatten)]
    pub bytes: ByteStringOpts,

    #[command(flatten)]
    pub pattern: PatternOpts,

    #[command(flatten)]
    pub files: FileOpts,
}

#[derive(Debug, Args)]
pub struct WriteArgs {
    /// The file to patch (symbolic links are followed)
    #[arg(value_hint = ValueHint::FilePath)]
    pub file: Raw,

    /// Where to write (negative: from the end)
    #[arg(value_hint = ValueHint::Other)]
    pub offset: Raw,

    /// The bytes to write
    #[arg(value_hint = ValueHint::Other)]
    pub data: Raw,

    #[command(flatten)]
    pub bytes: ByteStringOpts,
}

/// Only the names of files, for `find` and `grep` (rg's -l).
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct ListOpts {
    /// Print only the path of each file with a match, one per line (each file's search stops at
    /// its first match)
    #[arg(short = 'l', long, conflicts_with = "files_without_match")]
    pub files_with_matches: bool,

    /// Print only the path of each file without a match, one per line
    #[arg(long)]
    pub files_without_match: bool,

    /// With -l or --files-without-match, end each path with a NUL byte instead of a newline
    #[arg(short = '0', long)]
    pub null: bool,
}

impl ListOpts {
    /// Which files are listed: `Some(true)` those with a match, `Some(false)` those without.
    pub fn listing(&self) -> Option<bool> {
        if self.files_with_matches {
            Some(true)
        } else if self.files_without_match {
            Some(false)
        } else {
            None
        }
    }
}

/// Python `re` flags, shared by `grep` and `replace --regex`.
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct PatternOpts {
    /// Case-insensitive matching (IGNORECASE; ASCII unless --unicode)
    #[arg(short = 'i', long)]
    pub ignore_case: bool,

    /// . matches a newline too (DOTALL)
    #[arg(long)]
    pub dot_all: bool,

    /// ^ and $ match at line boundaries (MULTILINE)
    #[arg(long)]
    pub multi_line: bool,

    /// Whitespace and # comments in the pattern are ignored (VERBOSE)
    #[arg(long)]
    pub extended: bool,

    /// UTF-8-aware classes and case folding instead of bytes semantics
    #[arg(long)]
    pub unicode: bool,

    /// Which regex engine runs the pattern: linear (the regex crate), backtrack (PCRE2, for
    /// look-around, backreferences, conditionals, atomic groups, possessive quantifiers), or
    /// auto: linear when it can [default: auto]
    #[arg(long, value_name = "ENGINE", value_enum, conflicts_with = "pcre2")]
    pub engine: Option<EngineArg>,

    /// The backtracking engine, as rg's -P names it (--engine backtrack)
    #[arg(short = 'P', long = "pcre2")]
    pub pcre2: bool,
}

/// `--engine`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineArg {
    Auto,
    Linear,
    Backtrack,
}

impl PatternOpts {
    /// The first pattern flag given, as typed, for a command that has no pattern to apply it to.
    pub fn first_given(&self) -> Option<&'static str> {
        [
            (self.ignore_case, "-i/--ignore-case"),
            (self.dot_all, "--dot-all"),
            (self.multi_line, "--multi-line"),
            (self.extended, "--extended"),
            (self.unicode, "--unicode"),
            (self.engine.is_some(), "--engine"),
            (self.pcre2, "-P/--pcre2"),
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }
}

impl From<PatternOpts> for RegexFlags {
    fn from(opts: PatternOpts) -> Self {
        Self {
            ignore_case: opts.ignore_case,
            dot_all: opts.dot_all,
            multi_line: opts.multi_line,
            verbose: opts.extended,
            unicode: opts.unicode,
            word: false,
            engine: match (opts.engine, opts.pcre2) {
                (Some(EngineArg::Linear), _) => EngineChoice::Linear,
                (Some(EngineArg::Backtrack), _) | (_, true) => EngineChoice::Backtrack,
                (Some(EngineArg::Auto) | None, false) => EngineChoice::Auto,
            },
        }
    }
}

#[derive(Debug, Default, Args)]
pub struct GrepArgs {
    /// Files, directories (walked) or - for standard input, then the pattern: Python's re
    /// dialect, as a bytes pattern (no PATH: . or piped standard input)
    #[arg(value_name = "PATH", value_hint = ValueHint::AnyPath)]
    pub args: Vec<Raw>,

    /// The pattern, by flag (repeatable: any of them); every positional is then a PATH, as with
    /// rg -e (for xargs: ... | xargs -0 mmt grep -e PATTERN)
    #[arg(short = 'e', long = "regexp", value_name = "PATTERN", value_hint = ValueHint::Other)]
    pub regexp: Vec<Raw>,

    #[command(flatten)]
    pub flags: PatternOpts,

    /// PATTERN is literal bytes, not a regular expression (rg -F)
    #[arg(short = 'F', long)]
    pub fixed_strings: bool,

    /// Case-insensitive unless PATTERN has an upper-case letter (rg -S)
    #[arg(short = 'S', long)]
    pub smart_case: bool,

    /// Print capture group G (index or name) instead of the whole match
    #[arg(long, value_name = "G", value_hint = ValueHint::Other)]
    pub group: Option<Raw>,

    /// Print the number of matches (as Python's count and rg --count-matches; rg -c counts
    /// lines: see -c)
    #[arg(long, visible_alias = "count-matches")]
    pub count: bool,

    /// Print the number of lines with a match, as rg -c counts them (with -v, without one)
    #[arg(short = 'c', long)]
    pub count_lines: bool,

    /// Print each match (or --group) on its own, as rg -o: with -n, numbered by its line
    #[arg(short = 'o', long)]
    pub only_matching: bool,

    /// Print the lines without a match (rg -v)
    #[arg(short = 'v', long)]
    pub invert_match: bool,

    #[command(flatten)]
    pub lines: LineOpts,

    /// A match must have a word boundary on each side, as rg -w has it
    #[arg(short = 'w', long)]
    pub word_regexp: bool,

    #[command(flatten)]
    pub list: ListOpts,

    /// Put OFFSET: before each record (with lines, the offset of the line)
    #[arg(short = 'b', long)]
    pub byte_offset: bool,

    /// Print each newline inside a record as a space
    #[arg(long)]
    pub fold: bool,

    /// Stop after N matches (negative: no limit)
    #[arg(short = 'm', long, value_name = "N", value_hint = ValueHint::Other)]
    pub max_count: Option<Raw>,

    /// Output format [default: raw]
    #[arg(long, value_enum)]
    pub format: Option<FormatArg>,

    /// Print the files a search would look at, and search nothing (rg --files)
    #[arg(long = "files", help_heading = "Files")]
    pub list_files: bool,

    /// After the results, what was searched and found (rg --stats)
    #[arg(long)]
    pub stats: bool,

    #[command(flatten)]
    pub files: FileOpts,
}

/// Lines and their numbers, as rg prints them (`grep`, and `find` for a literal).
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct LineOpts {
    /// Print the lines that matches touch, each with its number, as rg -n (with -o, each match
    /// with the number of its line)
    #[arg(short = 'n', long)]
    pub line_number: bool,

    /// Print the whole lines each match touches, as grep and rg print them
    #[arg(long)]
    pub whole_lines: bool,

    /// Print N lines after each match too (implies --whole-lines)
    #[arg(short = 'A', long, value_name = "N")]
    pub after_context: Option<usize>,

    /// Print N lines before each match too (implies --whole-lines)
    #[arg(short = 'B', long, value_name = "N")]
    pub before_context: Option<usize>,

    /// Print N lines before and after each match too (implies --whole-lines)
    #[arg(short = 'C', long, value_name = "N")]
    pub context: Option<usize>,

    /// Put the column (1-based byte) of the first match after the line number (implies -n), as
    /// rg --column
    #[arg(long)]
    pub column: bool,

    /// Print every match on a line of its own as PATH:LINE:COLUMN:LINE, for editors (rg
    /// --vimgrep)
    #[arg(long)]
    pub vimgrep: bool,

    /// Print each file's name on a line of its own above its results [default on a terminal,
    /// over many files]
    #[arg(long, overrides_with = "no_heading")]
    pub heading: bool,

    /// Put each file's name before each of its results, PATH:, even on a terminal
    #[arg(long)]
    pub no_heading: bool,
}

impl LineOpts {
    /// The flag that asks for whole lines, if any: `--whole-lines`, or context, which implies
    /// it.
    pub fn whole_lines_flag(&self) -> Option<&'static str> {
        [
            (self.whole_lines, "--whole-lines"),
            (self.after_context.is_some(), "-A/--after-context"),
            (self.before_context.is_some(), "-B/--before-context"),
            (self.context.is_some(), "-C/--context"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
    }

    /// The first flag given that asks for lines (or shapes them), if any.
    pub fn lines_flag(&self) -> Option<&'static str> {
        [
            (self.line_number, "-n/--line-number"),
            (self.column, "--column"),
            (self.vimgrep, "--vimgrep"),
        ]
        .into_iter()
        .find_map(|(given, flag)| given.then_some(flag))
        .or(self.whole_lines_flag())
    }

    /// The lines of context before and after a match.
    pub fn context_lines(&self) -> (usize, usize) {
        let around = |n: Option<usize>| n.or(self.context).unwrap_or(0);
        (around(self.before_context), around(self.after_context))
    }

    /// `--heading` and `--no-heading`: `Some` when either forces a choice.
    pub fn heading_choice(&self) -> Option<bool> {
        if self.heading {
            Some(true)
        } else if self.no_heading {
            Some(false)
        } else {
            None
        }
    }
}

#[derive(Debug, Args)]
pub struct UndoArgs {
    /// The run to undo (its ID, or the start of it, as --list shows it); without it, the last
    /// run that touched a file under the current directory
    #[arg(value_name = "ID", conflicts_with_all = ["list", "forget"])]
    pub id: Option<String>,

    /// Show every run kept, newest first: its ID, files, the disk space its undo data holds, and
    /// whether it can still be undone (and why not)
    #[arg(long, conflicts_with = "forget")]
    pub list: bool,

    /// Drop the undo data of run ID: it can no longer be undone
    #[arg(long, value_name = "ID")]
    pub forget: Option<String>,

    /// Name every file restored, not only the total of a run over many; with --list, each
    /// run's files under it (and why it cannot be undone)
    #[arg(short = 'v', long)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests;
