//! What several commands print alike: records, counts, file lists (`-l`, `--files`,
//! `--type-list`) and the names of files.

use anyhow::{Result, bail};

use crate::cli::{FileOpts, ListOpts, Raw};
use crate::exit::{ExitCode, Outcome};
use crate::files::name::Name;
use crate::files::source::{self, Source, Sources};
use crate::output::{Format, Printer, json_bytes};
use crate::settings::Settings;

use super::drive;
use super::positionals::shell_word;

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
