//! One module per command. Each `run` takes its parsed arguments and the shared [`Printer`] and
//! returns an [`Outcome`]; `dispatch` names the file in any error the command returns, so every
//! message reads `mmt: FILE: reason`.

mod completions;
mod find;
mod grep;
mod patching;
mod read;
mod replace;
mod slice;
mod write;

use std::path::Path;

use anyhow::{Result, bail};

use crate::cli::{Cli, Command, Format, GlobalOpts};
use crate::exit::Outcome;
use crate::output::{Printer, json_bytes};

pub fn dispatch(cli: Cli, printer: &mut Printer) -> Result<Outcome> {
    let global = &cli.global;
    let (file, result) = match &cli.command {
        Command::Read(args) => (&args.file, read::run(args, global, printer)),
        Command::Slice(args) => (&args.file, slice::run(args, global, printer)),
        Command::Find(args) => (&args.file, find::run(args, global, printer)),
        Command::Grep(args) => (&args.file, grep::run(args, global, printer)),
        Command::Replace(args) => (&args.file, replace::run(args, global, printer)),
        Command::Write(args) => (&args.file, write::run(args, global, printer)),
        Command::Completions(args) => return completions::run(args, printer),
    };
    result.map_err(|err| explain_fault(err).context(display_name(file)))
}

/// The kernel answers EFAULT, not SIGBUS, when it copies from mapped pages that a truncation
/// took away (writing a mapped record to standard output); say what happened.
fn explain_fault(err: anyhow::Error) -> anyhow::Error {
    let faulted = err
        .chain()
        .filter_map(|cause| cause.downcast_ref::<std::io::Error>())
        .any(|io| io.raw_os_error() == Some(libc::EFAULT));
    if faulted {
        err.context("file was truncated while mapped (use --no-mmap to work on a copy in memory)")
    } else {
        err
    }
}

/// The format of records: `--format` as given (raw when not given), refused beside `--json`,
/// which is an output format of its own, so that neither is silently ignored.
pub fn record_format(format: Option<Format>, global: &GlobalOpts) -> Result<Format> {
    match format {
        Some(format) if global.json => bail!(
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
    global: &GlobalOpts,
    format: Format,
    offset: u64,
    bytes: &[u8],
) -> Result<()> {
    if global.json {
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

/// Prints the answer of `--count` (a number, or `{"count": N}`); exit 1 when it is 0.
pub fn print_count(printer: &mut Printer, global: &GlobalOpts, count: usize) -> Result<Outcome> {
    if global.json {
        printer.json_line(&serde_json::json!({ "count": count }))?;
    } else {
        printer.line(&count.to_string())?;
    }
    Ok(Outcome::found(count > 0))
}

/// The name of a target in messages: its path, or `<stdin>` for `-`.
pub fn display_name(path: &Path) -> String {
    if path.as_os_str() == "-" {
        "<stdin>".to_owned()
    } else {
        path.display().to_string()
    }
}
