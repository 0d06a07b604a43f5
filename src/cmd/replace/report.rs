//! What a run says once it has landed: a file's summary, or a tree's total, and the binary
//! files a walk left alone.

use std::path::Path;

use anyhow::Result;

use crate::cmd::patching::{dry_run_note, print_report_json};
use crate::files::name::Name;
use crate::files::source::Source;
use crate::output::{Printer, plural};
use crate::patch::{Mode, Plan};
use crate::settings::Settings;

use super::planning::{Gathered, Planned, replacements};

/// A run that changes more files than this prints its total alone (unless `-v`): a run over a
/// tree fits a screen, and a run over a file or two still names each.
pub(super) const NAMED_FILES_AT_MOST: usize = 2;

/// A run's total: `N replacements in M files`.
pub(super) fn run_total(planned: &[Planned]) -> String {
    let (total, files) = (replacements(planned), planned.len() as u64);
    format!(
        "{total} {} in {files} {}",
        plural(total, "replacement"),
        plural(files, "file")
    )
}

/// The note, after a run's summary, of the binary files a walk met and left alone.
pub(super) fn note_skipped_binary(skipped: usize, printer: &mut Printer) {
    if skipped > 0 {
        printer.summary(&format!(
            "mmt: skipped {skipped} binary {} met while walking (--binary patches them too)",
            plural(skipped as u64, "file")
        ));
    }
}

/// The summary of one file: a line on standard error, or an object on standard output.
pub(super) fn report_file(
    path: &Path,
    name: &Name,
    plan: &Plan,
    mode: Mode,
    settings: &Settings,
    printer: &mut Printer,
) -> Result<()> {
    if settings.style.json {
        print_report_json(printer, path, plan, mode, settings.preview)?;
    } else {
        let count = plan.len() as u64;
        printer.summary(&format!(
            "{}: {count} {}{}",
            name,
            plural(count, "replacement"),
            dry_run_note(settings)
        ));
    }
    Ok(())
}

/// The one file of a run, unchanged: its summary says 0.
pub(super) fn report_unchanged(
    source: &Source,
    settings: &Settings,
    printer: &mut Printer,
) -> Result<()> {
    report_file(
        source.path(),
        &source.name(),
        &Plan::default(),
        Mode::InPlace,
        settings,
        printer,
    )
}

impl Gathered {
    /// The summaries once the run has landed: one file's (even for no match), or the total.
    pub(super) fn summarise(
        &self,
        settings: &Settings,
        many: bool,
        printer: &mut Printer,
    ) -> Result<()> {
        if !many {
            for source in &self.unchanged {
                report_unchanged(source, settings, printer)?;
            }
        } else if !settings.style.json {
            let note = if settings.preview {
                " (dry run, nothing changed)"
            } else {
                ""
            };
            printer.summary(&format!("{}{note}", run_total(&self.planned)));
        }
        note_skipped_binary(self.skipped_binary, printer);
        Ok(())
    }
}
