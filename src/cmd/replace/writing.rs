//! Writing the planned files as one run (or previewing them), and filtering standard input
//! to standard output.

use anyhow::Result;

use crate::cmd::drive;
use crate::cmd::patching::{Writing, begin_run, carry_out, commit_run, dry_run_note, failed};
use crate::exit::{Outcome, Tally};
use crate::journal::transaction::{FileWrite, ToWrite, Transaction};
use crate::output::preview;
use crate::output::{Printer, plural};
use crate::patch::RewriteSink;
use crate::patch::targets::backup_path;
use crate::settings::Settings;

use super::Replace;
use super::planning::Planned;
use super::report::{NAMED_FILES_AT_MOST, report_file};

impl Replace {
    /// Writes (or previews) every planned file in order as one run: all or nothing. What each
    /// file reports is printed once the whole run has landed (a preview prints as it goes: it
    /// writes nothing to roll back).
    pub(super) fn write_run(
        &self,
        planned: &[Planned],
        settings: &Settings,
        printer: &mut Printer,
    ) -> Result<Tally> {
        let to_write: Vec<ToWrite> = planned
            .iter()
            .filter_map(|p| {
                p.target.as_ref().map(|target| ToWrite {
                    target,
                    given: p.source.path(),
                    view: &p.view,
                    plan: &p.plan,
                })
            })
            .collect();
        let mut run = begin_run(settings, &to_write)?;
        let name_each = self.verbose || planned.len() <= NAMED_FILES_AT_MOST;
        if !settings.preview && planned.iter().all(|p| p.target.is_some()) {
            return self.write_each(run, planned, settings, name_each, printer);
        }
        let mut reports = (!settings.preview).then(|| Printer::buffered(settings.style));
        let mut tally = Tally::default();
        for planned in planned {
            let writes = planned.target.is_some();
            if writes && let Err(err) = run.next_file() {
                return Err(failed(run.fail(err)));
            }
            let out = reports.as_mut().unwrap_or(&mut *printer);
            let old_copy = run.old_copy();
            let writing = Writing {
                backup: None,
                journaled: run.is_journaled(),
                later: run.later_syncs(),
                old_copy: old_copy.as_deref(),
            };
            match self.carry_out(planned, settings, out, writing, name_each) {
                Ok(outcome) => {
                    if writes {
                        run.file_written();
                    }
                    tally.add(outcome);
                }
                Err(err) if drive::is_broken_pipe(&err) => return Err(err),
                Err(err) => {
                    printer.flush()?;
                    let err = drive::describe(err).context(planned.source.name());
                    return Err(failed(run.fail(err)));
                }
            }
        }
        commit_run(run, printer)?;
        if let Some(reports) = reports {
            let (printed, messages) = reports.into_buffers();
            printer.replay(&printed, &messages)?;
        }
        Ok(tally)
    }

    /// Writes every planned file (none of them standard input) as one run, on several threads
    /// for a run of many (see `Transaction::write_each`); each file's report is printed, in
    /// order, once the whole run has landed.
    pub(super) fn write_each(
        &self,
        mut run: Transaction,
        planned: &[Planned],
        settings: &Settings,
        name_each: bool,
        printer: &mut Printer,
    ) -> Result<Tally> {
        let write = |n: usize, file: FileWrite| {
            let planned = &planned[n];
            let mut out = Printer::buffered(settings.style);
            let writing = Writing {
                backup: None,
                journaled: file.journaled,
                later: file.later,
                old_copy: file.old_copy.as_deref(),
            };
            let outcome = self
                .carry_out(planned, settings, &mut out, writing, name_each)
                .map_err(|err| drive::describe(err).context(planned.source.name()))?;
            Ok((outcome, out.into_buffers()))
        };
        let written = match run.write_each(planned.len(), settings.threads, &write) {
            Ok(written) => written,
            Err(err) => {
                printer.flush()?;
                return Err(failed(run.fail(err)));
            }
        };
        commit_run(run, printer)?;
        let mut tally = Tally::default();
        let mut said = Vec::new();
        for (outcome, (printed, messages)) in written {
            tally.add(outcome);
            printer.raw(&printed)?;
            said.extend_from_slice(&messages);
        }
        // Every file's messages after every file's report, as a run of one thread prints them.
        printer.replay(&[], &said)?;
        Ok(tally)
    }

    /// Writes (or previews) one planned file and reports it (with `named`, by name on
    /// standard error; JSON always reports it).
    pub(super) fn carry_out(
        &self,
        planned: &Planned,
        settings: &Settings,
        printer: &mut Printer,
        writing: Writing,
        named: bool,
    ) -> Result<Outcome> {
        let name = planned.source.name();
        let plan = &planned.plan;
        let Some(target) = &planned.target else {
            return filter_stdin(planned, settings, printer);
        };
        let backup = self
            .backup
            .as_ref()
            .map(|suffix| backup_path(planned.source.path(), suffix.as_os_str()))
            .transpose()?;
        let mode = carry_out(
            target,
            &planned.view,
            plan,
            settings,
            printer,
            planned.source.path(),
            Writing {
                backup: backup.as_deref(),
                ..writing
            },
        )?;
        if named || settings.style.json {
            report_file(planned.source.path(), &name, plan, mode, settings, printer)?;
        }
        Ok(Outcome::found(!plan.is_empty()))
    }
}

/// `mmt replace - OLD NEW`: standard input, changed, to standard output (the preview under
/// `--copy`); the summary to standard error.
pub(super) fn filter_stdin(
    planned: &Planned,
    settings: &Settings,
    printer: &mut Printer,
) -> Result<Outcome> {
    let name = planned.source.name();
    let plan = &planned.plan;
    if settings.preview {
        if !plan.is_empty() && !settings.style.quiet {
            let sharing = preview::Sharing::new(settings.threads);
            preview::print(
                printer,
                name.as_bytes(),
                &planned.view,
                plan,
                &preview::Rendered,
                sharing,
            )?;
        }
    } else {
        // Standard output is the data here, so `-q` silences only the summary (as `sed -n`
        // would not silence `sed`'s output): written straight out, past the printer, which
        // prints nothing when quiet.
        let stdout = std::io::stdout();
        let mut sink = StdoutSink {
            out: std::io::BufWriter::with_capacity(1 << 20, stdout.lock()),
            old: &planned.view,
        };
        plan.rewrite_into(planned.view.len(), &mut sink)?;
        std::io::Write::flush(&mut sink.out)?;
    }
    let count = plan.len() as u64;
    printer.summary(&format!(
        "{name}: {count} {}{}",
        plural(count, "replacement"),
        dry_run_note(settings)
    ));
    Ok(Outcome::found(!plan.is_empty()))
}

/// A rewrite streamed to standard output.
pub(super) struct StdoutSink<'a> {
    pub(super) out: std::io::BufWriter<std::io::StdoutLock<'static>>,
    pub(super) old: &'a [u8],
}

impl RewriteSink for StdoutSink<'_> {
    fn copy_unchanged(&mut self, range: std::ops::Range<usize>) -> std::io::Result<()> {
        std::io::Write::write_all(&mut self.out, &self.old[range])
    }

    fn write_new(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        std::io::Write::write_all(&mut self.out, bytes)
    }
}
