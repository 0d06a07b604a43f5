//! What `replace` and `write` share: carrying out a planned patch, or previewing it under
//! `--copy`, and reporting it.

use std::path::Path;

use anyhow::Result;
use serde_json::{Value, json};

use crate::journal::{self, Identity, Kind, OldBytes, Run};
use crate::map::{self, InterruptsHeldBack, ReadPlan, View};
use crate::output::{Printer, json_path};
use crate::patch::Plan;
use crate::preview;
use crate::progress::Progress;
use crate::settings::Settings;
use crate::state::{self, StateDir};
use crate::target::{Access, BackupMethod, LaterSyncs, PartlyWritten, Target};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Same length: patched through the write-through map.
    InPlace,
    /// Length changes: a new file renamed over the original.
    Rewrite,
}

impl Mode {
    pub fn of(plan: &Plan) -> Mode {
        if plan.keeps_length() {
            Mode::InPlace
        } else {
            Mode::Rewrite
        }
    }

    fn name(self) -> &'static str {
        match self {
            Mode::InPlace => "in-place",
            Mode::Rewrite => "rewrite",
        }
    }
}

/// Opens the file to patch (locked for a real run, not for `--copy`) and its bytes as planned on.
pub fn open_target(path: &Path, settings: &Settings, many: bool) -> Result<(Target, View)> {
    let access = if settings.preview {
        Access::DryRun
    } else {
        Access::Patch
    };
    let target = Target::open(path, access)?;
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
}

/// Writes `plan` to the target, or with `--copy` makes the change in a private copy-on-write
/// map (or in memory, when the length changes) and prints a preview instead.
pub fn carry_out(
    target: &Target,
    view: &View,
    plan: &Plan,
    settings: &Settings,
    printer: &mut Printer,
    name: &str,
    writing: Writing,
) -> Result<Mode> {
    let Writing { backup, later } = writing;
    let mode = Mode::of(plan);
    if settings.preview {
        // Quiet: nothing would be printed, and the exit code does not depend on the preview.
        if !settings.style.json && !settings.style.quiet && !plan.is_empty() {
            let sharing = preview::Sharing::new(settings.threads);
            print_preview(target, view, plan, printer, name, mode, sharing)?;
        }
        return Ok(mode);
    }
    crate::test_hooks::pause("MMT_TEST_PAUSE_BEFORE_WRITE_MS");
    match mode {
        Mode::InPlace => {
            if let Some(backup) = backup {
                target.backup(backup, BackupMethod::Copy)?;
            }
            target.patch_in_place(plan, settings.no_mmap, settings.threads, later)?;
        }
        Mode::Rewrite => {
            let progress = Progress::new(settings.watched, view.len() as u64, "rewriting");
            target.rewrite(plan, view, backup, &progress, later)?;
            drop(progress);
            let links = target.hard_links();
            if links > 1 {
                printer.summary(&format!(
                    "mmt: note: {name} had {links} hard links; the rewrite gave {name} a new file, \
                     the other names keep the old content"
                ));
            }
        }
    }
    Ok(mode)
}

fn print_preview(
    target: &Target,
    view: &View,
    plan: &Plan,
    printer: &mut Printer,
    name: &str,
    mode: Mode,
    sharing: preview::Sharing,
) -> Result<()> {
    if mode == Mode::InPlace && view.is_mapped() {
        // The seed's ACCESS_COPY: the edit happens in a private map and never reaches the file.
        let copy = CopyOnWrite {
            file: &target.file,
            path: &target.real,
        };
        preview::print(printer, name, view, plan, &copy, sharing)?;
    } else {
        preview::print(printer, name, view, plan, &preview::Rendered, sharing)?;
    }
    Ok(())
}

/// New bytes from private copy-on-write maps of the file: the edits of a few regions near one
/// another are applied to a private map of the window they span, read back, and the map
/// dropped, so that a preview of a dense patch holds the copied pages of the jobs in flight,
/// not of the whole file, each thread changes maps of its own, and regions far apart (a sparse
/// patch of a large file) are not mapped with everything between them.
struct CopyOnWrite<'a> {
    file: &'a std::fs::File,
    path: &'a Path,
}

/// Regions share a copy-on-write window while they lie within this many bytes of its start.
const WINDOW_MAX: usize = 4 << 20;

impl preview::NewBytes for CopyOnWrite<'_> {
    fn each_region(
        &self,
        _old: &[u8],
        plan: &Plan,
        regions: &[preview::Region],
        each: &mut dyn FnMut(&preview::Region, &[u8]) -> std::io::Result<()>,
    ) -> std::io::Result<()> {
        let mut rest = regions;
        while let Some(first) = rest.first() {
            let base = first.range.start;
            let shared = rest
                .iter()
                .take_while(|region| region.range.end - base <= WINDOW_MAX)
                .count()
                .max(1);
            let (window, after) = rest.split_at(shared);
            rest = after;
            let end = window.last().map_or(base, |region| region.range.end);
            let mut map = map::map_private_window(self.file, base as u64..end as u64, self.path)
                .map_err(|err| std::io::Error::other(format!("{err:#}")))?;
            // Every edit first: a page first touched by a write is copied at once, while one
            // read first (and the pages around it, which the kernel maps along) is mapped
            // read-only and copied on its first write, which takes a TLB flush on every core
            // the threads run on.
            for region in window {
                for edit in region.edits() {
                    map[edit.start - base..edit.end - base]
                        .copy_from_slice(plan.replacement(&edit));
                }
            }
            for region in window {
                each(
                    region,
                    &map[region.range.start - base..region.range.end - base],
                )?;
            }
        }
        Ok(())
    }
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

/// How many committed runs are kept for `mmt undo`.
const RUNS_KEPT: usize = 10;

/// How much undo data (bytes of disk) is kept at most, unless `MMT_UNDO_LIMIT` (bytes) says
/// otherwise: a run whose own undo data is larger cannot be undone, and older runs are let go
/// of to stay below it.
const UNDO_LIMIT: u64 = 1 << 30;

fn undo_limit() -> u64 {
    std::env::var("MMT_UNDO_LIMIT")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(UNDO_LIMIT)
}

/// A run that writes, all or nothing: the journal (when there is one) records every file
/// before any changes; a failure restores the files already written; Ctrl-C, SIGTERM and
/// SIGHUP are held back and honoured between files (and between chunks of a long rewrite) by
/// rolling back first.
pub struct Transaction {
    run: Option<(Run, StateDir)>,
    /// With a journal, the files are synced when the run commits.
    later: Option<LaterSyncs>,
    /// The file being written.
    current: usize,
    /// Interrupts wait while files are written; a preview writes nothing and is not held.
    held_back: Option<InterruptsHeldBack>,
}

/// One file of a writing run: the target and what was planned on it.
pub struct ToWrite<'a> {
    pub target: &'a Target,
    pub view: &'a View,
    pub plan: &'a Plan,
}

impl Transaction {
    /// Starts a run over `files`, journaled unless `--no-journal` (or no state directory can be
    /// used, which is said once).
    pub fn begin(settings: &Settings, files: &[ToWrite], command: &str) -> Result<Transaction> {
        let held_back = (!settings.preview).then(map::hold_back_interrupts);
        if !settings.journal || settings.preview || files.is_empty() {
            return Ok(Transaction {
                run: None,
                later: None,
                current: 0,
                held_back,
            });
        }
        let mut warn = |note: String| {
            if !settings.style.quiet {
                eprintln!("{note}");
            }
        };
        let Some(state) = state::decided(&mut warn) else {
            return Ok(Transaction {
                run: None,
                later: None,
                current: 0,
                held_back,
            });
        };
        let mut run = Run::begin(&state, command.to_owned())?;
        for file in files {
            let kind = if file.plan.keeps_length() {
                Kind::InPlace
            } else {
                Kind::Rewrite
            };
            run.add(&file.target.real, kind, Identity::of(&file.target.meta));
        }
        run.record(|n| {
            let file = &files[n];
            let old = if file.view.data_extents().is_some() {
                OldBytes::File(&file.target.file)
            } else {
                OldBytes::Mapped(&file.view[..])
            };
            (file.plan, old)
        })?;
        crate::test_hooks::pause("MMT_TEST_PAUSE_AFTER_JOURNAL_MS");
        Ok(Transaction {
            run: Some((run, state)),
            later: Some(LaterSyncs::default()),
            current: 0,
            held_back,
        })
    }

    /// File `n` is about to be written. Refuses when an interrupt is waiting.
    pub fn writing(&mut self, n: usize) -> Result<()> {
        if map::interrupt_pending() {
            return Err(interrupted());
        }
        if n > 0 {
            crate::test_hooks::pause("MMT_TEST_PAUSE_BETWEEN_FILES_MS");
        }
        self.current = n;
        Ok(())
    }

    /// Where the files' syncs go: to the commit when the run is journalled.
    pub fn later_syncs(&mut self) -> Option<&mut LaterSyncs> {
        self.later.as_mut()
    }

    /// File `n` is written: a failure from here on restores it.
    pub fn written(&mut self, n: usize) {
        if let Some((run, _)) = &mut self.run {
            run.applied(n);
        }
    }

    /// A file could not be written: every file written before it is restored, and `err` says
    /// so. An interrupt waiting is let through once this returns (ending the process).
    pub fn fail(self, err: anyhow::Error) -> anyhow::Error {
        let interrupted = err.chain().any(|cause| {
            cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::Interrupted)
        });
        let Some((mut run, _)) = self.run else {
            if interrupted {
                // Said now: the signal, held back until this transaction ends, ends the process.
                match self.current {
                    0 => eprintln!("mmt: interrupted; nothing changed"),
                    n => eprintln!(
                        "mmt: interrupted; {n} {} written before it stay written (--no-journal \
                         runs cannot be rolled back)",
                        if n == 1 { "file was" } else { "files were" }
                    ),
                }
            }
            return err;
        };
        if interrupted {
            eprintln!("mmt: interrupted; the run was rolled back, nothing changed");
        }
        // A file refused before its first byte changed is left alone (another process may have
        // changed it); one that holds part of a patch is restored too.
        let partly = err.downcast_ref::<PartlyWritten>().is_some();
        if partly {
            run.applied(self.current);
        }
        match run.roll_back() {
            Ok(restored) => {
                let before = restored.len() - usize::from(partly);
                match (before, partly) {
                    (0, false) => err,
                    (0, true) => anyhow::anyhow!("{err:#}; the file was restored, nothing changed"),
                    (n, _) => anyhow::anyhow!(
                        "{err:#}; the run was rolled back ({n} file{} written before it \
                         restored), nothing changed",
                        if n == 1 { "" } else { "s" }
                    ),
                }
            }
            Err(rollback) => anyhow::anyhow!(
                "{err:#}; and restoring the files already written failed too ({rollback:#}): \
                 run `mmt recover`"
            ),
        }
    }

    /// Every file is written and synced: the run is kept for `mmt undo`, within the bound.
    ///
    /// A journalled run's commit point is its journal's commit: a Ctrl-C, SIGTERM or SIGHUP
    /// held back until then rolls the run back and ends mmt by that signal; one that comes
    /// after it is dropped, and the run exits as it would have. A run without a journal cannot
    /// be rolled back once a file is written, so its commit point is its first write.
    pub fn commit(mut self, printer: &mut Printer) -> Result<()> {
        if let Some(later) = self.later.take()
            && let Err(err) = later.sync()
        {
            return Err(self.fail(err));
        }
        crate::test_hooks::pause("MMT_TEST_PAUSE_BEFORE_COMMIT_MS");
        let Some((run, state)) = self.run.take() else {
            if let Some(held_back) = self.held_back.take() {
                held_back.past_commit_point();
            }
            return Ok(());
        };
        if map::interrupt_pending() {
            self.run = Some((run, state));
            return Err(self.fail(interrupted()));
        }
        let limit = undo_limit();
        let note = run.commit(limit)?;
        if let Some(held_back) = self.held_back.take() {
            held_back.past_commit_point();
        }
        if let Some(note) = note {
            printer.summary(&note);
        }
        journal::prune(&state, RUNS_KEPT, limit);
        Ok(())
    }
}

fn interrupted() -> anyhow::Error {
    std::io::Error::new(std::io::ErrorKind::Interrupted, "interrupted").into()
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
