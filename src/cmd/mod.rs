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
pub(crate) mod positionals;
mod read;
mod records;
mod replace;
mod slice;
mod undo;
mod write;

pub use hints::warn_of_pattern;
pub use positionals::{Positionals, stdin_is_readable};
pub use records::{
    display_name, list_file, list_sources, listing, print_count, print_record, print_type_list,
    record_format,
};

use anyhow::{Result, bail};

use crate::cli::{Cli, Command, FileOpts, Raw};
use crate::exit::{ExitCode, Outcome};
use crate::journal::Scope;
use crate::output::Printer;

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
