//! `mmt undo [ID] [--list] [--forget ID]` and `mmt recover`: the runs kept in the state
//! directory. Under `--copy` both show what they would restore, as a diff, and change nothing.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::json;

use crate::cli::UndoArgs;
use crate::exit::Outcome;
use crate::files::name::Name;
use crate::journal::history::{self, KeptRun};
use crate::journal::state;
use crate::journal::{self, Hooks, Restored, Scope, human};
use crate::output::preview;
use crate::output::{Printer, json_path, plural};
use crate::settings::Settings;

/// `mmt undo`: reverts the last run under the current directory, or run ID; `--list` shows
/// every run; `--forget ID` lets one go.
pub fn run(args: &UndoArgs, settings: &Settings, printer: &mut Printer) -> Result<Outcome> {
    let kept = history::all(&state::existing());
    if args.list {
        return list(kept, args.verbose, settings, printer);
    }
    if let Some(id) = &args.forget {
        let run = &kept[history::by_id(&kept, id)?];
        let command = run.run().map_or("?", |stored| stored.command.as_str());
        if settings.preview {
            printer.summary(&format!(
                "mmt: would let go of the run {} of `{command}` (dry run, nothing changed)",
                run.id(),
            ));
        } else {
            history::forget(run)?;
            printer.summary(&format!(
                "mmt: let go of the run {} of `{command}`; it can no longer be undone",
                run.id(),
            ));
        }
        return Ok(Outcome::Done);
    }
    let at = match &args.id {
        Some(id) => history::by_id(&kept, id)?,
        None => {
            let here = std::env::current_dir()
                .and_then(std::fs::canonicalize)
                .context("cannot tell the current directory")?;
            match history::last_under(&kept, &here) {
                Some(at) => at,
                None => {
                    printer.summary(&nothing_here(&here, !kept.is_empty()));
                    return Ok(Outcome::NothingMatched);
                }
            }
        }
    };
    let run = &kept[at];
    let stored = run.readable()?;
    history::refuse_if_a_later_run_changed(&kept[..at], stored)?;
    // A run of a file or two names each file restored; a run over a tree, its total (-v: each).
    let each = args.verbose || stored.entries.len() <= NAMED_FILES_AT_MOST;
    if settings.preview {
        return preview_undo(run, each, settings, printer);
    }
    let style = settings.style;
    let mut restored_files = 0;
    let mut report = |restored: Restored| {
        restored_files += 1;
        if each || style.json {
            print_restored(printer, style.json, &restored, false);
        }
    };
    history::undo(run, &kept, &mut report)?;
    if !each && !style.json {
        printer.summary(&format!(
            "{restored_files} {} restored: the run of `{}` undone",
            plural(restored_files, "file"),
            stored.command
        ));
    }
    Ok(Outcome::Done)
}

/// An undo of more files than this prints its total alone (unless `-v`), as a replace does.
const NAMED_FILES_AT_MOST: usize = 2;

fn nothing_here(here: &Path, any: bool) -> String {
    let here = Name::of(here);
    if any {
        format!(
            "mmt: no run that touched a file under {here} can be undone; `mmt undo --list` \
             shows every run, and `mmt undo ID` undoes one"
        )
    } else {
        "mmt: no run can be undone".to_owned()
    }
}

/// One file restored: a line on standard error, or an object on standard output.
fn print_restored(printer: &mut Printer, json: bool, restored: &Restored, dry_run: bool) {
    if json {
        let _ = printer.json_line(&json!({
            "file": json_path(restored.path),
            "action": restored.action,
            "detail": restored.detail,
            "run": restored.run.id(),
            "command": restored.run.command,
            "dry_run": dry_run,
        }));
    } else {
        printer.summary(&restored.text());
    }
}

/// `--list`: every run, newest first, a line each with whether it can still be undone; with
/// `-v`, its files under it.
fn list(
    kept: Vec<KeptRun>,
    verbose: bool,
    settings: &Settings,
    printer: &mut Printer,
) -> Result<Outcome> {
    if kept.is_empty() {
        printer.summary("mmt: no run is kept");
        return Ok(Outcome::NothingMatched);
    }
    for (i, kept_run) in kept.iter().enumerate() {
        let Some(run) = kept_run.run() else {
            continue;
        };
        let blocked = history::why_not_undoable(run);
        let later = blocked
            .as_ref()
            .and_then(|blocked| history::changed_by_later(&kept[..i], run, blocked));
        let why_not = blocked.as_ref().map(|blocked| match later {
            Some(later) => format!(
                "{}, by the later run {} (undo that one first)",
                blocked.short(run),
                later.id()
            ),
            None => blocked.short(run),
        });
        if settings.style.json {
            let files: Vec<_> = run.entries.iter().map(|e| json_path(&e.path)).collect();
            printer.json_line(&json!({
                "id": run.id(),
                "command": run.command,
                "files": files,
                "undo_data": run.disk_use(),
                "can_undo": why_not.is_none(),
                "why_not": why_not,
            }))?;
            continue;
        }
        let files = run.entries.len();
        let status = match (&blocked, later) {
            (None, _) => "can be undone".to_owned(),
            (Some(_), Some(later)) => format!("undo {} first", later.id()),
            (Some(_), None) => "cannot be undone".to_owned(),
        };
        printer.line(&format!(
            "{}  {status}  {files} {}  {} of undo data  {}",
            run.id(),
            plural(files as u64, "file"),
            human(run.disk_use()),
            run.command
        ))?;
        if !verbose {
            continue;
        }
        printer.line(&match why_not {
            None => "    can be undone".to_owned(),
            Some(why) => format!("    cannot be undone: {why}"),
        })?;
        for entry in &run.entries {
            let name = Name::of(&run.shown(&entry.path)).on_stdout();
            printer.line(&format!("    {}", String::from_utf8_lossy(&name)))?;
        }
    }
    Ok(Outcome::Done)
}

/// `--copy undo`: the diff that undoing `kept` would make, and nothing changed. Refused as the
/// real undo would be.
fn preview_undo(
    kept: &KeptRun,
    each: bool,
    settings: &Settings,
    printer: &mut Printer,
) -> Result<Outcome> {
    let run = kept.readable()?;
    history::ensure_undoable(run)?;
    show_plans(run, each, settings, printer, "would be restored")?;
    Ok(Outcome::Done)
}

/// Prints the diff of every file of `run` as an undo (or rollback) would leave it, and a line
/// for each (`each`; else one for them all), saying it would be `action`.
fn show_plans(
    run: &journal::Stored,
    each: bool,
    settings: &Settings,
    printer: &mut Printer,
    action: &'static str,
) -> Result<()> {
    let plans = history::undo_plans(run)?;
    let files = plans.len() as u64;
    for (path, now, plan) in plans {
        if !settings.style.json && !settings.style.quiet && !plan.is_empty() {
            let shown = run.shown(&path);
            let name = shown.as_os_str().as_bytes();
            let sharing = preview::Sharing::new(settings.threads);
            preview::print(printer, name, &now, &plan, &preview::Rendered, sharing)?;
        }
        if each || settings.style.json {
            let restored = Restored {
                path: &path,
                action,
                detail: "dry run, nothing changed".to_owned(),
                run,
            };
            print_restored(printer, settings.style.json, &restored, true);
        }
    }
    if !each && !settings.style.json {
        printer.summary(&format!(
            "{files} {} {action} (dry run, nothing changed)",
            plural(files, "file")
        ));
    }
    Ok(())
}

/// `mmt recover`: rolls back every interrupted run (and finishes every interrupted undo).
pub fn recover(settings: &Settings, printer: &mut Printer) -> Result<Outcome> {
    let mut recovered = 0;
    for state in state::existing() {
        if settings.preview {
            for run in journal::interrupted(&state) {
                show_plans(&run, true, settings, printer, "would be rolled back")?;
                recovered += 1;
            }
            continue;
        }
        let style = settings.style;
        let mut report = |restored: Restored| print_restored(printer, style.json, &restored, false);
        let mut hooks = Hooks {
            report: &mut report,
            waiting: &mut |run| say_waiting(run),
            elsewhere: &mut |_| {},
        };
        recovered += journal::recover(&state, &Scope::All, &mut hooks)?;
    }
    if recovered == 0 {
        printer.summary("mmt: no interrupted run to roll back");
    }
    Ok(Outcome::found(recovered > 0))
}

/// Before a command: rolls back the runs that a killed process left open and that touched the
/// command's files (`scope`), saying so on standard error, so that the command never sees a
/// half-patched file. Another interrupted run is left for `mmt recover`, with one line that
/// says it waits.
pub fn recover_first(scope: &Scope) {
    let mut elsewhere = Vec::new();
    for state in state::existing() {
        let mut report = |restored: Restored| say!("mmt: {}", restored.text());
        let mut hooks = Hooks {
            report: &mut report,
            waiting: &mut |run| say_waiting(run),
            elsewhere: &mut |run| elsewhere.push(run.dir.clone()),
        };
        if let Err(err) = journal::recover(&state, scope, &mut hooks) {
            // A run that cannot be rolled back now (a full disk) must not stop every other
            // command; `mmt recover` tries again, and says why it cannot.
            say!(
                "mmt: {err:#}; an interrupted run is still open: run `mmt recover` once the cause \
                 is fixed"
            );
        }
    }
    match elsewhere.as_slice() {
        [] => {}
        [one] => say!(
            "mmt: note: an interrupted run that touched other files waits in {}; `mmt recover` \
             rolls it back",
            one.display()
        ),
        many => say!(
            "mmt: note: {} interrupted runs that touched other files wait in {}; `mmt recover` \
             rolls them back",
            many.len(),
            many[0].parent().unwrap_or(&many[0]).display()
        ),
    }
}

/// Said, on a terminal, when recovery has waited a second for another mmt's rollback.
fn say_waiting(run: &journal::Stored) {
    if crate::progress::watched() {
        say!(
            "mmt: waiting for another mmt to roll back an interrupted run of `{}`",
            run.command
        );
    }
}
