//! The option groups that several commands share: how byte strings are spelled, which files a
//! walk takes, Python's `re` flags and the regex engine, file names only, and lines as rg
//! prints them.

use clap::{Args, ValueEnum, ValueHint};

use super::Raw;
use crate::cli::bytes::Spelling;
use crate::files::source::{Lists, WalkOptions};
use crate::search::EngineChoice;
use crate::search::dialect::RegexFlags;

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
