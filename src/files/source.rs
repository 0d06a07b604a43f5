//! What a command works on: standard input, a file named on the command line or in a list, or a
//! file met while walking a directory the way ripgrep walks (its own `ignore` crate: ignore
//! files, hidden files, globs), in an order that never depends on timing.

use std::ffi::OsString;
use std::io::Read;
use std::os::unix::ffi::OsStringExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::files::name::Name;
use ignore::WalkBuilder;
use ignore::overrides::OverrideBuilder;

/// One thing to work on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `-`: standard input.
    Stdin,
    /// A file. `named` when it was named on the command line or in a list (such a file is
    /// always worked on, whatever the filters say), not met while walking a directory.
    File { path: PathBuf, named: bool },
}

impl Source {
    /// The name in messages and labels: the path as given, or `<stdin>`.
    pub fn name(&self) -> Name {
        match self {
            Source::Stdin => Name::stdin(),
            Source::File { path, .. } => Name::of(path),
        }
    }

    /// The path, or `-` for standard input.
    pub fn path(&self) -> &Path {
        match self {
            Source::Stdin => Path::new("-"),
            Source::File { path, .. } => path,
        }
    }

    pub fn is_named(&self) -> bool {
        matches!(self, Source::Stdin | Source::File { named: true, .. })
    }
}

/// A file that could not be reached while gathering: its name and why.
#[derive(Debug)]
pub struct Unreachable {
    pub name: String,
    pub error: anyhow::Error,
}

pub type SourceEntry = Result<Source, Unreachable>;

/// A source and what was done with it, or why it could not be reached.
pub type Done<T> = Result<(Source, T), Unreachable>;

/// How directories are walked (`--hidden`, `--no-ignore`, `-L`, `--max-depth`, `-g`).
#[derive(Debug, Clone, Default)]
pub struct WalkOptions {
    pub hidden: bool,
    pub no_ignore: bool,
    pub follow: bool,
    pub max_depth: Option<usize>,
    pub globs: Vec<OsString>,
    /// File types defined beyond rg's own (`--type-add`).
    pub type_defs: Vec<String>,
    /// File types selected (`true`, `-t`) or left out (`-T`), in the order given.
    pub types: Vec<(bool, String)>,
    /// The walk is of the `.` mmt chose because no PATH was given: its files are shown without
    /// the `./` in front, as ripgrep shows them (`a.txt`, where `mmt grep . x` shows `./a.txt`).
    pub implicit_dot: bool,
}

/// `--files-from` (one path per line) and `--files0-from` (NUL-separated); `-` is standard input.
#[derive(Debug, Clone, Default)]
pub struct Lists {
    pub lines: Option<PathBuf>,
    pub nul: Option<PathBuf>,
}

impl Lists {
    fn given(&self) -> Option<(&Path, u8)> {
        match (&self.lines, &self.nul) {
            (Some(list), _) => Some((list, b'\n')),
            (None, Some(list)) => Some((list, 0)),
            (None, None) => None,
        }
    }
}

/// One PATH (or list entry) as a run meets it: one source, or a directory to walk.
pub enum Item {
    One(SourceEntry),
    Tree(PathBuf),
}

impl Item {
    pub fn is_one(&self) -> bool {
        matches!(self, Item::One(_))
    }
}

/// Everything a run works on, in order, and whether there is more than one thing (then every
/// record names its file).
pub struct Sources {
    pub many: bool,
    /// The PATHs and list entries, each resolved as it is taken.
    pub items: Box<dyn Iterator<Item = Item> + Send>,
    /// How the directories among them are walked.
    pub walk: WalkOptions,
}

impl Sources {
    /// Every entry, in order, with directories walked on the calling thread.
    pub fn entries(self) -> impl Iterator<Item = SourceEntry> + Send {
        let walk = self.walk;
        self.items.flat_map(
            move |item| -> Box<dyn Iterator<Item = SourceEntry> + Send> {
                match item {
                    Item::One(entry) => Box::new(std::iter::once(entry)),
                    Item::Tree(dir) => walk_in_order(dir, &walk),
                }
            },
        )
    }
}

/// Gathers the PATHs and the list (if any) into [`Sources`]: the PATHs in the order given, then
/// the list's, each directory's files sorted by path. Directories are walked lazily, as the
/// entries are taken.
pub fn gather(paths: Vec<PathBuf>, lists: &Lists, walk: &WalkOptions) -> Result<Sources> {
    // `-` among the PATHs is standard input; in a list it is a file named `-`.
    let mut all: Vec<(PathBuf, bool)> = paths
        .into_iter()
        .map(|path| {
            let is_stdin = path == Path::new("-");
            (path, is_stdin)
        })
        .collect();
    let list_given = lists.given();
    if let Some((list, separator)) = list_given {
        if list == Path::new("-") && all.iter().any(|(_, is_stdin)| *is_stdin) {
            bail!("standard input cannot be both the list of paths and a PATH");
        }
        // A list's `-` is a file of that name, spelled so that nothing reads it as stdin.
        let entries = read_list(list, separator)?.into_iter().map(|path| {
            let path = if path == Path::new("-") {
                PathBuf::from("./-")
            } else {
                path
            };
            (path, false)
        });
        all.extend(entries);
    }
    if all.is_empty() {
        bail!("no PATH to work on: name a file, a directory, or - for standard input");
    }
    let many = list_given.is_some() || all.len() > 1 || all.iter().any(|(p, _)| p.is_dir());
    let items = all.into_iter().map(|(path, is_stdin)| {
        if is_stdin {
            Item::One(Ok(Source::Stdin))
        } else if path.is_dir() {
            Item::Tree(path)
        } else {
            Item::One(Ok(Source::File { path, named: true }))
        }
    });
    Ok(Sources {
        many,
        items: Box::new(items),
        walk: walk.clone(),
    })
}

fn read_list(list: &Path, separator: u8) -> Result<Vec<PathBuf>> {
    let mut bytes = Vec::new();
    let name = if list == Path::new("-") {
        std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .context("cannot read the list of paths from standard input")?;
        "<stdin>".to_owned()
    } else {
        std::fs::File::open(list)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .with_context(|| format!("{}: cannot read the list of paths", list.display()))?;
        list.display().to_string()
    };
    let paths: Vec<PathBuf> = bytes
        .split(|&b| b == separator)
        .filter(|entry| !entry.is_empty())
        .map(|entry| PathBuf::from(OsString::from_vec(entry.to_vec())))
        .collect();
    if paths.is_empty() {
        bail!("{name}: the list of paths is empty");
    }
    Ok(paths)
}

/// The files of `dir` in the order of a walk on one thread: each directory's entries sorted by
/// path, depth first.
fn walk_in_order(dir: PathBuf, walk: &WalkOptions) -> Box<dyn Iterator<Item = SourceEntry> + Send> {
    let strip = walk.implicit_dot;
    match walker(&dir, walk) {
        Ok(mut builder) => Box::new(
            builder
                .sort_by_file_path(Path::cmp)
                .build()
                .filter_map(move |entry| walked_entry(entry, strip)),
        ),
        Err(error) => Box::new(std::iter::once(Err(Unreachable {
            name: dir.display().to_string(),
            error,
        }))),
    }
}

/// What is walked in `dir` (ignore files, hidden files, globs, links, depth), for either walk:
/// this one-thread one, or the parallel one in `walk`.
pub(crate) fn walker(dir: &Path, options: &WalkOptions) -> Result<WalkBuilder> {
    let mut builder = WalkBuilder::new(dir);
    builder
        .hidden(!options.hidden)
        .ignore(!options.no_ignore)
        .git_ignore(!options.no_ignore)
        .git_global(!options.no_ignore)
        .git_exclude(!options.no_ignore)
        .parents(!options.no_ignore)
        .follow_links(options.follow)
        .max_depth(options.max_depth);
    if !options.no_ignore {
        // ripgrep's own ignore file, read as ripgrep reads it (after `.ignore`, so it wins).
        builder.add_custom_ignore_filename(".rgignore");
    }
    if !options.types.is_empty() {
        builder.types(file_types(options)?);
    }
    if !options.globs.is_empty() {
        // Globs are relative to the current directory, as ripgrep has them: `-g '!target/**'`
        // means ./target whatever PATH is walked. The root is the absolute current directory,
        // as ripgrep's is, so that a file walked under an absolute PATH (`/home/me/t/x`) is
        // matched by what it is relative to it (`t/x`); with `.` as the root, a glob with a
        // `/` matched no absolute path and an exclude was silently dropped.
        let root = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        let mut overrides = OverrideBuilder::new(root);
        for glob in &options.globs {
            let glob = glob.to_str().with_context(|| {
                format!("the glob {} is not valid UTF-8", glob.to_string_lossy())
            })?;
            overrides
                .add(glob)
                .with_context(|| format!("invalid glob {glob}"))?;
        }
        builder.overrides(overrides.build().context("invalid glob")?);
    }
    Ok(builder)
}

/// rg's file types (the `ignore` crate's table), with `--type-add`'s, and the selections made
/// by `-t` and `-T` in their order (the last about a file wins).
pub fn file_types(options: &WalkOptions) -> Result<ignore::types::Types> {
    let mut builder = type_table(&options.type_defs)?;
    for (selected, name) in &options.types {
        if *selected {
            builder.select(name);
        } else {
            builder.negate(name);
        }
    }
    builder
        .build()
        .map_err(|err| anyhow::anyhow!("{err}; --type-list shows the types"))
}

/// rg's file types with `defs` (`NAME:GLOB`, `NAME:include:OTHER,...`) added.
pub fn type_table(defs: &[String]) -> Result<ignore::types::TypesBuilder> {
    let mut builder = ignore::types::TypesBuilder::new();
    builder.add_defaults();
    for def in defs {
        builder
            .add_def(def)
            .map_err(|err| anyhow::anyhow!("--type-add {def}: {err}"))?;
    }
    Ok(builder)
}

/// A walked entry as a source: regular files only (directories are descended into, symbolic
/// links are not followed unless asked), errors with the path they concern.
fn walked_entry(
    entry: Result<ignore::DirEntry, ignore::Error>,
    strip: bool,
) -> Option<SourceEntry> {
    match entry {
        Ok(entry) => {
            let is_file = entry.file_type().is_some_and(|t| t.is_file());
            is_file.then(|| {
                Ok(Source::File {
                    path: shown_path(entry.path(), strip),
                    named: false,
                })
            })
        }
        Err(error) => Some(Err(unreachable(error))),
    }
}

/// A walked path as it is shown: without the leading `./` of an implicit `.` (`strip`).
pub(crate) fn shown_path(path: &Path, strip: bool) -> PathBuf {
    match path.strip_prefix("./") {
        Ok(rest) if strip => rest.to_path_buf(),
        _ => path.to_path_buf(),
    }
}

/// An `ignore` error as `PATH` and a reason.
pub(crate) fn unreachable(error: ignore::Error) -> Unreachable {
    let mut error = error;
    let mut name = None;
    loop {
        match error {
            ignore::Error::WithPath { path, err } => {
                name.get_or_insert_with(|| path.display().to_string());
                error = *err;
            }
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
                error = *err;
            }
            ignore::Error::Loop { child, ancestor } => {
                return Unreachable {
                    name: child.display().to_string(),
                    error: anyhow::anyhow!(
                        "a symbolic link loop (back to {}); not followed",
                        ancestor.display()
                    ),
                };
            }
            ignore::Error::Io(io) => {
                return Unreachable {
                    name: name.unwrap_or_default(),
                    error: anyhow::Error::new(system_error(io)).context("cannot walk"),
                };
            }
            other => {
                return Unreachable {
                    name: name.unwrap_or_default(),
                    error: anyhow::anyhow!("{other}"),
                };
            }
        }
    }
}

/// The system's error inside `io`: the one-thread walk (walkdir) wraps it in an error that
/// names the path and repeats the reason, where the parallel walk gives it bare.
fn system_error(io: std::io::Error) -> std::io::Error {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = io.get_ref().map(|e| e as _);
    while let Some(error) = cause {
        if let Some(code) = error
            .downcast_ref::<std::io::Error>()
            .and_then(std::io::Error::raw_os_error)
        {
            return std::io::Error::from_raw_os_error(code);
        }
        cause = error.source();
    }
    io
}
