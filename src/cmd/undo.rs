//! `mmt undo [--list]` and `mmt recover`: the runs kept in the state directory.

use anyhow::Result;

use crate::cli::UndoArgs;
use crate::exit::Outcome;
use crate::journal::{self, human};
use crate::output::Printer;
use crate::state;

/// `mmt undo`: reverts the last run that wrote; `--list`: the runs that can be undone.
pub fn run(args: &UndoArgs, printer: &mut Printer) -> Result<Outcome> {
    let states = state::existing();
    if args.list {
        let mut any = false;
        for state in &states {
            for run in journal::committed_runs(state) {
                any = true;
                printer.line(&format!(
                    "{}  {} file{}  {} of undo data  {}",
                    run.id(),
                    run.entries.len(),
                    if run.entries.len() == 1 { "" } else { "s" },
                    human(run.disk_use()),
                    run.command
                ))?;
                for entry in &run.entries {
                    printer.line(&format!(
                        "    {}",
                        crate::output::escape_name(&entry.path.display().to_string())
                    ))?;
                }
            }
        }
        if !any {
            printer.summary("mmt: no run can be undone");
        }
        return Ok(Outcome::found(any));
    }
    for state in &states {
        let mut report = |line: String| printer.summary(&line);
        if journal::undo_last(state, &mut report)? {
            return Ok(Outcome::Done);
        }
    }
    printer.summary("mmt: no run can be undone");
    Ok(Outcome::NothingMatched)
}

/// `mmt recover`: rolls back every interrupted run (what every command does first).
pub fn recover(printer: &mut Printer) -> Result<Outcome> {
    let mut recovered = 0;
    for state in state::existing() {
        let mut report = |line: String| printer.summary(&line);
        recovered += journal::recover(&state, &mut report)?;
    }
    if recovered == 0 {
        printer.summary("mmt: no interrupted run to roll back");
    }
    Ok(Outcome::found(recovered > 0))
}

/// Before any command: rolls back the runs that a killed process left open, saying so on
/// standard error. A command never sees a half-patched file.
pub fn recover_first() {
    for state in state::existing() {
        let mut report = |line: String| eprintln!("mmt: {line}");
        if let Err(err) = journal::recover(&state, &mut report) {
            // A run that cannot be rolled back now (a full disk) must not stop every other
            // command; `mmt recover` tries again, and says why it cannot.
            eprintln!(
                "mmt: {err:#}; an interrupted run is still open: run `mmt recover` once the cause \
                 is fixed"
            );
        }
    }
}
