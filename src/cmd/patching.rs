//! What `replace` and `write` share: carrying out a planned patch, or previewing it under
//! `--copy`, and reporting it.

use std::path::Path;

use anyhow::Result;
use serde_json::{Value, json};

use crate::map::{self, ReadPlan, View};
use crate::output::{Printer, json_path};
use crate::patch::Plan;
use crate::preview::{self, NewBytes};
use crate::progress::Progress;
use crate::settings::Settings;
use crate::target::{Access, BackupMethod, Target};

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

/// Writes `plan` to the target, or with `--copy` makes the change in a private copy-on-write
/// map (or in memory, when the length changes) and prints a preview instead.
pub fn carry_out(
    target: &Target,
    view: &View,
    plan: &Plan,
    settings: &Settings,
    printer: &mut Printer,
    name: &str,
    backup: Option<&Path>,
) -> Result<Mode> {
    let mode = Mode::of(plan);
    if settings.preview {
        if !settings.style.json && !plan.is_empty() {
            print_preview(target, view, plan, printer, name, mode)?;
        }
        return Ok(mode);
    }
    crate::test_hooks::pause("MMT_TEST_PAUSE_BEFORE_WRITE_MS");
    match mode {
        Mode::InPlace => {
            if let Some(backup) = backup {
                target.backup(backup, BackupMethod::Copy)?;
            }
            target.patch_in_place(plan, settings.no_mmap)?;
        }
        Mode::Rewrite => {
            let progress = Progress::new(settings.watched, view.len() as u64, "rewriting");
            target.rewrite(plan, view, backup, &progress)?;
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
) -> Result<()> {
    if mode == Mode::InPlace && view.is_mapped() {
        // The seed's ACCESS_COPY: the edit happens in a private map and never reaches the file.
        let mut private = map::map_private(&target.file, view.len() as u64, &target.real)?;
        plan.apply_in_place(&mut private);
        preview::print(printer, name, view, plan, &NewBytes::Applied(&private))?;
    } else {
        preview::print(printer, name, view, plan, &NewBytes::Rendered)?;
    }
    Ok(())
}

/// The JSON object that reports a patch: file, count, offsets, mode and whether it was a dry run.
pub fn report_json(target_name: &Path, plan: &Plan, mode: Mode, dry_run: bool) -> Value {
    let offsets: Vec<usize> = plan.edits().iter().map(|e| e.start).collect();
    json!({
        "file": json_path(target_name),
        "replacements": plan.len(),
        "offsets": offsets,
        "mode": mode.name(),
        "dry_run": dry_run,
    })
}
