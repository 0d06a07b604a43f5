//! What `replace` and `write` share: carrying out a planned patch, or previewing it under
//! `--copy`, and reporting it. The run around it (journal, rollback, commit) is
//! `journal::transaction`'s.

use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use anyhow::Result;
use serde_json::{Value, json};

use crate::journal::transaction::{Failed, ToWrite, Transaction};
use crate::map::{self, ReadPlan, View};
use crate::output::preview;
use crate::output::{Printer, json_path};
use crate::patch::durable::LaterSyncs;
use crate::patch::targets::{Access, BackupMethod, Target};
use crate::patch::{Mode, Plan};
use crate::progress::Progress;
use crate::settings::Settings;
use crate::test_hooks::{self, Step};

/// Opens the file to patch (locked for a real run, not for `--copy`) and its bytes as planned on.
/// Opens the file at `path` to be patched, locked as `access` says (a preview: never), and its
/// view.
pub fn open_target(
    path: &Path,
    access: Access,
    settings: &Settings,
    many: bool,
) -> Result<(Target, View)> {
    let access = if settings.preview {
        Access::DryRun
    } else {
        access
    };
    let quiet = settings.style.quiet;
    let mut waiting = || {
        if !quiet {
            say!(
                "mmt: note: {}: another mmt run is writing it, or reviewing its changes \
                 (replace --interactive); waiting for it to end",
                crate::files::name::Name::of(path)
            );
        }
    };
    let target = Target::open(path, access, &mut waiting)?;
    let view = map::view_of_file(
        &target.file,
        &target.real,
        ReadPlan::one_of_many(settings.no_mmap, many),
    )?;
    Ok((target, view))
}

/// What the summary line adds under `--copy`.
pub fn dry_run_note(settings: &Settings) -> &'static str {
    if settings.preview {
        " (dry run, file unchanged)"
    } else {
        ""
    }
}

/// How a file is written, besides its plan.
#[derive(Default)]
pub struct Writing<'a> {
    /// Where to keep the original first (`--backup`).
    pub backup: Option<&'a Path>,
    /// The run's syncs put off until it commits; `None`: synced before `carry_out` returns.
    pub later: Option<&'a mut LaterSyncs>,
    /// The journal's copy of the old content of a file rewritten in place (a file with other
    /// hard links); `None`: a private copy is taken.
    pub old_copy: Option<&'a Path>,
    /// Whether the run has a journal to roll a rewrite back from; without one, a rewrite's new
    /// content is synced before its rename, as nothing else could put the old file back.
    pub journaled: bool,
}

/// Writes `plan` to the target, or with `--copy` makes the change in a private copy-on-write
/// map (or in memory, when the length changes) and prints a preview instead.
pub fn carry_out(
    target: &Target,
    view: &View,
    plan: &Plan,
    settings: &Settings,
    printer: &mut Printer,
    path: &Path,
    writing: Writing,
) -> Result<Mode> {
    let Writing {
        backup,
        later,
        old_copy,
        journaled,
    } = writing;
    let mode = target.mode(plan);
    if settings.preview {
        // Quiet: nothing would be printed, and the exit code does not depend on the preview.
        if !settings.style.json && !settings.style.quiet && !plan.is_empty() {
            let sharing = preview::Sharing::new(settings.threads);
            let name = path.as_os_str().as_bytes();
            print_preview(target, view, plan, printer, name, mode, sharing)?;
        }
        return Ok(mode);
    }
    test_hooks::hold_at(Step::BeforeWrite);
    match mode {
        Mode::InPlace => {
            if let Some(backup) = backup {
                target.backup(backup, BackupMethod::Copy)?;
            }
            target.patch_in_place(plan, settings.no_mmap, settings.threads, later)?;
        }
        Mode::Rewrite => {
            let progress = Progress::new(settings.watched, view.len() as u64, "rewriting");
            target.rewrite(plan, view, backup, &progress, later, journaled)?;
        }
        Mode::RewriteInPlace => {
            if let Some(backup) = backup {
                target.backup(backup, BackupMethod::Copy)?;
            }
            let progress = Progress::new(settings.watched, view.len() as u64, "rewriting");
            target.rewrite_in_place(plan, old_copy, &progress, later)?;
        }
    }
    Ok(mode)
}

fn print_preview(
    target: &Target,
    view: &View,
    plan: &Plan,
    printer: &mut Printer,
    name: &[u8],
    mode: Mode,
    sharing: preview::Sharing,
) -> Result<()> {
    if mode == Mode::InPlace && view.is_mapped() {
        // The seed's ACCESS_COPY: the edit happens in a private map and never reaches the file.
        let copy = preview::CopyOnWrite {
            file: &target.file,
            path: &target.real,
        };
        preview::print(printer, name, view, plan, &copy, sharing)?;
    } else {
        preview::print(printer, name, view, plan, &preview::Rendered, sharing)?;
    }
    Ok(())
}

/// Prints the JSON object that reports a patch: file, count, offsets, mode and whether it was a
/// dry run. The offsets are written as they are read from the plan, never gathered.
pub fn print_report_json(
    printer: &mut Printer,
    target_name: &Path,
    plan: &Plan,
    mode: Mode,
    dry_run: bool,
) -> std::io::Result<()> {
    let report = json!({
        "file": json_path(target_name),
        "replacements": plan.len(),
        "offsets": Value::Null,
        "mode": mode.name(),
        "dry_run": dry_run,
    });
    printer.json_line_with_numbers(&report, "offsets", plan.edits().map(|e| e.start))
}

/// The command line of this process, as a run remembers it.
pub fn command_line() -> String {
    std::iter::once("mmt".to_owned())
        .chain(
            std::env::args_os()
                .skip(1)
                .map(|a| a.to_string_lossy().into_owned()),
        )
        .collect::<Vec<_>>()
        .join(" ")
}

/// Starts the run that writes `files`, saying its note (unless `-q`) when it must go on without
/// a journal.
pub fn begin_run(settings: &Settings, files: &[ToWrite]) -> Result<Transaction> {
    let mut warn = |note: String| {
        if !settings.style.quiet {
            say!("{note}");
        }
    };
    Transaction::begin(settings, files, &command_line(), &mut warn)
}

/// The error of a run that failed, once the note of an interrupt that ended it is said (the
/// interrupt then ends mmt).
pub fn failed(failed: Failed) -> anyhow::Error {
    failed.said(|note| say!("{note}"))
}

/// Commits a run, printing what the commit has to say on the summary.
pub fn commit_run(run: Transaction, printer: &mut Printer) -> Result<()> {
    let committed = run.commit().map_err(failed)?;
    if let Some(note) = committed.note {
        printer.summary(&note);
    }
    Ok(())
}
