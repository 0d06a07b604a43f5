//! The words of a command line after its flags: which are PATHs and which are the command's
//! arguments, in which order a user may type them, and the sources the PATHs name.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

use crate::cli::{FileOpts, Raw};
use crate::files::source::{self, Sources, WalkOptions};

use super::display_name;

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

/// "a file" or "a directory", for messages about a path that exists.
pub(super) fn kind_of(path: &std::path::Path) -> &'static str {
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
