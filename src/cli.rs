//! The command-line surface: every command, flag and value of `SPEC.md`, as clap derive types.
//!
//! Numbers, ranges and byte strings are kept as raw `OsString`s here and parsed by the commands,
//! so that a bad value is reported as `mmt: FILE: reason` like every other error, and so that
//! values such as `-20:` or `--seek -10` reach us as typed (clap would read them as flags).

use std::ffi::OsString;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Marks an argument that starts with `-` and a digit (`-20:`, `-10`, `-3+5`) so that clap takes
/// it as a value, not as an unknown flag: after a first RANGE or SIZE, clap's own
/// `allow_hyphen_values` would swallow real flags such as `--format` too. NUL cannot occur in a
/// real argument (argv holds C strings), so the mark is unambiguous; [`parse`] removes it.
const SHIELD: u8 = 0;

/// Parses the process's arguments, letting negative numbers and ranges through as values.
pub fn parse() -> Result<Cli, clap::Error> {
    let args = std::env::args_os().enumerate().map(|(i, arg)| {
        let bytes = arg.as_bytes();
        if i > 0 && bytes.len() > 1 && bytes[0] == b'-' && bytes[1].is_ascii_digit() {
            let mut shielded = vec![SHIELD];
            shielded.extend_from_slice(bytes);
            OsString::from_vec(shielded)
        } else {
            arg
        }
    });
    let mut cli = Cli::try_parse_from(args)?;
    cli.command.unshield();
    Ok(cli)
}

/// Removes the [`SHIELD`] mark from the values of a parsed command line.
trait Unshield {
    fn unshield(&mut self);
}

impl Unshield for OsString {
    fn unshield(&mut self) {
        if let Some(rest) = self.as_bytes().strip_prefix(&[SHIELD]) {
            *self = OsString::from_vec(rest.to_vec());
        }
    }
}

impl Unshield for String {
    fn unshield(&mut self) {
        if let Some(rest) = self.strip_prefix(char::from(SHIELD)) {
            *self = rest.to_owned();
        }
    }
}

impl Unshield for PathBuf {
    fn unshield(&mut self) {
        let mut raw = std::mem::take(self).into_os_string();
        raw.unshield();
        *self = PathBuf::from(raw);
    }
}

impl<T: Unshield> Unshield for Option<T> {
    fn unshield(&mut self) {
        self.iter_mut().for_each(Unshield::unshield);
    }
}

impl<T: Unshield> Unshield for Vec<T> {
    fn unshield(&mut self) {
        self.iter_mut().for_each(Unshield::unshield);
    }
}

impl Command {
    fn unshield(&mut self) {
        match self {
            Command::Read(a) => {
                a.file.unshield();
                a.sizes.unshield();
                a.seek.unshield();
                a.lines.unshield();
            }
            Command::Slice(a) => {
                a.file.unshield();
                a.ranges.unshield();
            }
            Command::Find(a) => {
                a.file.unshield();
                a.needle.unshield();
                a.start.unshield();
                a.end.unshield();
            }
            Command::Replace(a) => {
                a.file.unshield();
                a.old.unshield();
                a.new.unshield();
                a.max.unshield();
                a.expect.unshield();
                a.backup.unshield();
            }
            Command::Write(a) => {
                a.file.unshield();
                a.offset.unshield();
                a.data.unshield();
            }
            Command::Grep(a) => {
                a.file.unshield();
                a.pattern.unshield();
                a.group.unshield();
                a.max_count.unshield();
            }
            Command::Completions(_) => {}
        }
    }
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
    max_term_width = 100
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
    #[arg(long, global = true, help_heading = "Global options")]
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

    /// Print nothing on standard output and no summaries; errors still go to standard error
    #[arg(short, long, global = true, help_heading = "Global options")]
    pub quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The exact bytes, nothing added
    Raw,
    /// One Python bytes literal per record, per line
    Repr,
    /// An xxd-style dump with absolute file offsets
    Hex,
}

impl Format {
    /// The name as typed after `--format`.
    pub fn name(self) -> &'static str {
        match self {
            Format::Raw => "raw",
            Format::Repr => "repr",
            Format::Hex => "hex",
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
    #[command(after_help = "Examples:\n  mmt find lorem.txt consectetuer --all\n  \
                            mmt find disk.img 55aa --hex --last\n  mmt find app.log ERROR --count")]
    Find(FindArgs),

    /// Replace every OLD with NEW, in place when the length is unchanged, else by atomic rewrite
    #[command(
        after_help = "Examples:\n  mmt replace lorem.txt consectetuer reutetcesnoc --max 1\n  \
                            mmt --copy replace Cargo.toml 'version = \"0.1.0\"' 'version = \"0.2.0\"'\n  \
                            mmt replace app.conf 'port=(\\d+)' 'port=${1}0' --regex --expect 1"
    )]
    Replace(ReplaceArgs),

    /// Overwrite len(DATA) bytes at OFFSET in place, as m[off:off+len(data)] = data
    #[command(after_help = "Examples:\n  mmt write lorem.txt 0 LOREM\n  \
                            mmt write disk.img 0x1fe 55aa --hex\n  mmt --copy write app.bin -4 '\\x00\\x00' --escapes")]
    Write(WriteArgs),

    /// A bytes regular expression over the whole file, as Python's re with a bytes pattern
    #[command(
        after_help = "Examples:\n  mmt grep lorem.txt '(\\.\\W+)?([^.]?nulla[^.]*?\\.)' -i --dot-all --multi-line \
                            --group 2 --fold --format repr\n  mmt grep app.log 'user=(?P<user>\\w+)' --group user --count\n  \
                            mmt grep firmware.bin '\\xde\\xad\\xbe\\xef' -b"
    )]
    Grep(GrepArgs),

    /// Print the completion script for a shell
    #[command(
        after_help = "Examples:\n  mmt completions bash > /etc/bash_completion.d/mmt\n  \
                            mmt completions zsh > ~/.zfunc/_mmt"
    )]
    Completions(CompletionsArgs),
}

#[derive(Debug, Args)]
pub struct ReadArgs {
    /// The file, or - for standard input
    pub file: PathBuf,

    /// Bytes per read; each SIZE is one record (none: read to the end)
    #[arg(value_name = "SIZE", conflicts_with = "lines")]
    pub sizes: Vec<OsString>,

    /// Where the file pointer starts (negative: from the end)
    #[arg(long, value_name = "POS", allow_hyphen_values = true)]
    pub seek: Option<OsString>,

    /// N successive readline() records instead of sized reads
    #[arg(long, value_name = "N")]
    pub lines: Option<OsString>,

    /// Output format [default: raw]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

#[derive(Debug, Args)]
pub struct SliceArgs {
    /// The file, or - for standard input
    pub file: PathBuf,

    /// START:END[:STEP], START+LEN or INDEX; each is one record
    #[arg(value_name = "RANGE", required = true)]
    pub ranges: Vec<OsString>,

    /// Output format [default: raw]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

#[derive(Debug, Args)]
pub struct FindArgs {
    /// The file, or - for standard input
    pub file: PathBuf,

    /// The bytes to look for
    #[arg(value_name = "NEEDLE", allow_hyphen_values = true)]
    pub needle: OsString,

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

    /// Search from this offset (negative: from the end)
    #[arg(long, value_name = "POS", allow_hyphen_values = true)]
    pub start: Option<OsString>,

    /// Search up to this offset (negative: from the end)
    #[arg(long, value_name = "POS", allow_hyphen_values = true)]
    pub end: Option<OsString>,

    #[command(flatten)]
    pub bytes: ByteStringOpts,
}

#[derive(Debug, Args)]
pub struct ReplaceArgs {
    /// The file to patch (symbolic links are followed)
    pub file: PathBuf,

    /// The bytes (or, with --regex, the pattern) to replace
    #[arg(allow_hyphen_values = true)]
    pub old: OsString,

    /// The replacement; with --regex it may use $1, ${1}, $name, ${name}, $0 and $$
    #[arg(allow_hyphen_values = true)]
    pub new: OsString,

    /// Replace the first N occurrences only (negative: no limit)
    #[arg(long, value_name = "N")]
    pub max: Option<OsString>,

    /// Write nothing (exit 2) unless there are exactly N replacements
    #[arg(long, value_name = "N")]
    pub expect: Option<OsString>,

    /// OLD is a regular expression (the dialect and flags of grep)
    #[arg(long, conflicts_with_all = ["hex"])]
    pub regex: bool,

    /// Keep the original as FILE+SUFFIX first (a suffix such as .bak, not a path)
    #[arg(long, value_name = "SUFFIX")]
    pub backup: Option<OsString>,

    #[command(flatten)]
    pub bytes: ByteStringOpts,

    #[command(flatten)]
    pub pattern: PatternOpts,
}

#[derive(Debug, Args)]
pub struct WriteArgs {
    /// The file to patch (symbolic links are followed)
    pub file: PathBuf,

    /// Where to write (negative: from the end)
    #[arg(allow_hyphen_values = true)]
    pub offset: OsString,

    /// The bytes to write
    #[arg(allow_hyphen_values = true)]
    pub data: OsString,

    #[command(flatten)]
    pub bytes: ByteStringOpts,
}

/// Python `re` flags, shared by `grep` and `replace --regex`.
#[derive(Debug, Clone, Copy, Args)]
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
        ]
        .into_iter()
        .find_map(|(given, name)| given.then_some(name))
    }
}

impl From<PatternOpts> for crate::dialect::RegexFlags {
    fn from(opts: PatternOpts) -> Self {
        Self {
            ignore_case: opts.ignore_case,
            dot_all: opts.dot_all,
            multi_line: opts.multi_line,
            verbose: opts.extended,
            unicode: opts.unicode,
        }
    }
}

#[derive(Debug, Args)]
pub struct GrepArgs {
    /// The file, or - for standard input
    pub file: PathBuf,

    /// A regular expression in Python's re dialect, as a bytes pattern
    #[arg(allow_hyphen_values = true)]
    pub pattern: OsString,

    #[command(flatten)]
    pub flags: PatternOpts,

    /// Print capture group G (index or name) instead of the whole match
    #[arg(long, value_name = "G")]
    pub group: Option<String>,

    /// Print the number of matches
    #[arg(long, conflicts_with_all = ["group", "byte_offset", "fold", "format"])]
    pub count: bool,

    /// Put OFFSET: before each record
    #[arg(short = 'b', long)]
    pub byte_offset: bool,

    /// Print each newline inside a record as a space
    #[arg(long)]
    pub fold: bool,

    /// Stop after N matches (negative: no limit)
    #[arg(long, value_name = "N")]
    pub max_count: Option<OsString>,

    /// Output format [default: raw]
    #[arg(long, value_enum)]
    pub format: Option<Format>,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to write a completion script for
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
