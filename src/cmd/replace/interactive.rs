//! `replace --interactive`: each file's changes are shown and asked about on the terminal as
//! soon as the file is planned (in the sources' order, while the files after it are planned),
//! and the accepted ones are then written as one run, as any replace is: journalled, all or
//! nothing, undone as one. Nothing is written before the last answer, so Ctrl-C or the end of
//! input leaves every file as it was.

use anyhow::{Result, anyhow, bail};

use super::Replace;
use super::locking::change_of;
use super::planning::{Gathered, Planned, StopPlanning};
use super::report::{note_skipped_binary, run_total};
use crate::cli::ReplaceArgs;
use crate::cmd::Positionals;
use crate::exit::ExitCode;
use crate::output::preview;
use crate::output::{Paint, Printer, Style, plural};
use crate::patch::targets::Change;
use crate::patch::{Edit, Plan};
use crate::review::terminal::Terminal;
use crate::review::{Accepted, CHOICES, HELP, Review, Step};
use crate::search::lines::count_newlines;
use crate::settings::Settings;

/// The review of one run, as the files come.
pub(super) struct Reviewer {
    /// `None` once nothing more will be asked (after `A` or `q`): the terminal is put back as
    /// soon as the questions end, not when the run does.
    terminal: Option<Terminal>,
    review: Review,
    /// Whether what is shown on the terminal is coloured.
    color: bool,
    /// The accepted changes of each planned file, in the order of `Gathered::planned`.
    kept: Vec<Accepted>,
    /// The file at which `q` ended the review: no file after it is looked at.
    quit_at: Option<String>,
}

impl Reviewer {
    /// Refuses what cannot be reviewed, before anything is planned: no terminal to ask on, a
    /// flag that would leave the answers unused, standard input as a file.
    pub(super) fn open(
        args: &ReplaceArgs,
        positionals: &Positionals,
        settings: &Settings,
    ) -> Result<Reviewer> {
        if settings.preview {
            bail!(
                "--interactive asks which changes to write, and --copy writes none; drop \
                 --copy to review and write, or drop --interactive to preview every change"
            );
        }
        if settings.style.json {
            bail!(
                "--interactive shows each change to a person on the terminal, and --json is \
                 for programs; drop one of them"
            );
        }
        if settings.style.quiet {
            bail!("--interactive shows each change before asking, and -q shows nothing; drop -q");
        }
        if args.expect.is_some() {
            bail!(
                "--expect checks the number of replacements before anything is asked, and \
                 --interactive writes only the ones accepted; drop --expect (or review with \
                 --copy, then run with --expect)"
            );
        }
        if positionals.paths.iter().any(|path| path.as_os_str() == "-") {
            bail!(
                "--interactive reads its answers from the terminal and patches files; standard \
                 input (-) is a filter to standard output, with nothing to ask; name files \
                 instead"
            );
        }
        let terminal = Terminal::open().map_err(|err| {
            anyhow!(
                "--interactive asks on the terminal, and there is none (/dev/tty: {err}); \
                 preview the changes with --copy instead"
            )
        })?;
        let color = settings
            .color_forced
            .unwrap_or_else(|| terminal.wants_color());
        Ok(Reviewer {
            terminal: Some(terminal),
            review: Review::default(),
            color,
            kept: Vec::new(),
            quit_at: None,
        })
    }

    /// Reviews the files planned since the last call; [`StopPlanning`] once `q` was pressed
    /// or a file failed (its message is given with the run's others).
    pub(super) fn review_new(&mut self, gathered: &Gathered) -> Result<()> {
        if let Some(terminal) = &mut self.terminal
            && let Some(why) = terminal.abort_typed()?
        {
            return Err(why.into());
        }
        if !gathered.failures.is_empty() {
            self.terminal = None;
            return Err(StopPlanning.into());
        }
        for planned in &gathered.planned[self.kept.len()..] {
            let kept = self.review_file(planned)?;
            self.kept.push(kept);
        }
        if self.review.quit() {
            let at = gathered.planned.last().map(|p| p.source.name().to_string());
            self.quit_at = Some(at.unwrap_or_default());
            return Err(StopPlanning.into());
        }
        Ok(())
    }

    /// Asks about each change of one file that is not decided already.
    fn review_file(&mut self, planned: &Planned) -> Result<Accepted> {
        if planned.target.is_none() {
            bail!("--interactive patches files; standard input cannot be reviewed");
        }
        self.review.next_file();
        let plan = &planned.plan;
        let total = plan.len();
        let mut kept = Accepted::default();
        let (mut line, mut counted_to) = (1, 0);
        for (index, edit) in plan.edits().enumerate() {
            if let Some(accept) = self.review.decide_rest(total - index) {
                if accept {
                    kept.accept(index..total);
                }
                break;
            }
            line += count_newlines(&planned.view[counted_to..edit.start]);
            counted_to = edit.start;
            if self.ask(planned, &edit, line, (index + 1, total))? {
                kept.accept(index..index + 1);
            }
        }
        if !self.review.asks_again() {
            self.terminal = None;
        }
        Ok(kept)
    }

    /// Shows one change and asks until it is decided.
    fn ask(
        &mut self,
        planned: &Planned,
        edit: &Edit,
        line: u64,
        (number, of): (usize, usize),
    ) -> Result<bool> {
        let shown = self.shown(planned, edit, line)?;
        let terminal = self
            .terminal
            .as_mut()
            .expect("a terminal while changes are asked about");
        terminal.keys_at_once()?;
        terminal.write_all(&shown)?;
        let prompt = format!("({number}/{of}) Replace this {CHOICES}? ");
        loop {
            terminal.write_all(prompt.as_bytes())?;
            let key = terminal.key()?;
            terminal.write_all(format!("{}\n", key.echo()).as_bytes())?;
            crate::test_hooks::panic_if("MMT_TEST_PANIC_IN_REVIEW");
            match self.review.answer(key) {
                Step::Decided(accept) => return Ok(accept),
                Step::AskAgain => terminal.write_all(HELP.as_bytes())?,
                Step::Abort(why) => return Err(why.into()),
            }
        }
    }

    /// One change as it is shown: `PATH:LINE`, then its hunk with three lines of context (a
    /// hex diff of its region for binary data), as `--copy` would show it alone.
    fn shown(&self, planned: &Planned, edit: &Edit, line: u64) -> Result<Vec<u8>> {
        let style = Style {
            json: false,
            color: self.color,
            quiet: false,
            terminal: true,
            heading: false,
        };
        let mut printer = Printer::buffered(style);
        printer.raw(b"\n")?;
        printer.set_label(Some(&planned.source));
        printer.record_label()?;
        printer.painted(
            Paint::LineNumber,
            itoa::Buffer::new().format(line).as_bytes(),
        )?;
        printer.raw(b"\n")?;
        let change = Plan::puts([(edit.start..edit.end, planned.plan.replacement(edit))]);
        preview::print_change(&mut printer, &planned.view, &change)?;
        Ok(printer.into_buffers().0)
    }

    /// Writes the accepted changes as one run, unless a file they are in changed since it was
    /// planned; then the summary, with the review's counts.
    pub(super) fn commit(
        self,
        replace: &Replace,
        gathered: Gathered,
        settings: &Settings,
        printer: &mut Printer,
    ) -> Result<ExitCode> {
        let Reviewer {
            terminal,
            review,
            kept,
            quit_at,
            ..
        } = self;
        drop(terminal);
        let skipped_binary = gathered.skipped_binary;
        let (mut reviewed, kept): (Vec<Planned>, Vec<Accepted>) = gathered
            .planned
            .into_iter()
            .zip(kept)
            .filter(|(_, kept)| !kept.is_empty())
            .unzip();
        let counts = format!(
            "{} {} accepted, {} skipped{}",
            review.accepted(),
            plural(review.accepted(), "change"),
            review.skipped(),
            match quit_at {
                Some(at) => format!("; stopped at {at} by q"),
                None => String::new(),
            }
        );
        if reviewed.is_empty() {
            printer.summary(&format!("{counts}; nothing written"));
            note_skipped_binary(skipped_binary, printer);
            return Ok(ExitCode::NoMatch);
        }
        // Locked only now, in the order every run takes its locks, and planned again: a file
        // changed since it was shown (its size, identity, time or bytes, or its plan) refuses
        // the run.
        super::locking::lock_in_order(&mut reviewed, settings)?;
        let mut changed = Vec::new();
        for (i, planned) in reviewed.iter_mut().enumerate() {
            let change = change_of(planned).map_err(|e| e.context(planned.source.name()))?;
            let shown = std::mem::take(&mut planned.plan);
            replace.plan_again(planned, settings)?;
            match change {
                Some(change) => changed.push((i, change)),
                None if !planned.plan.same_edits(&shown) => changed.push((i, Change::Written)),
                None => {}
            }
        }
        refuse_changed(&reviewed, &changed)?;
        let accepted: Vec<Planned> = reviewed
            .into_iter()
            .zip(&kept)
            .map(|(planned, kept)| Planned {
                plan: planned.plan.keeping(|index| kept.contains(index)),
                ..planned
            })
            .collect();
        replace.write_run(&accepted, settings, printer)?;
        printer.summary(&format!("{} ({counts})", run_total(&accepted)));
        note_skipped_binary(skipped_binary, printer);
        Ok(ExitCode::Success)
    }
}

/// Refuses the run, naming each file, when a file with an accepted change was changed by
/// another process since it was planned (`changed`, indices in `accepted`): the changes shown
/// are no longer the ones to make.
fn refuse_changed(accepted: &[Planned], changed: &[(usize, Change)]) -> Result<()> {
    for (i, change) in changed {
        say!(
            "mmt: {}: {change} during the review",
            accepted[*i].source.name()
        );
    }
    let changed = changed.len() as u64;
    if changed > 0 {
        bail!(
            "nothing written: {changed} {} changed since {} planned; run again to review \
             the changes anew",
            plural(changed, "file"),
            if changed == 1 { "it was" } else { "they were" }
        );
    }
    Ok(())
}
