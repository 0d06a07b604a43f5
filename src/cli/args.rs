//! The arguments of each command, one struct per command, built from the shared groups of
//! [`super::options`].

use clap::{Args, ValueHint};

use super::{ByteStringOpts, FileOpts, FormatArg, LineOpts, ListOpts, PatternOpts, Raw};

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
