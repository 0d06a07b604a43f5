//! Planning every source on worker threads: each file's edits found before anything is
//! written, each file claimed once by its identity however many names reach it, and the
//! plans gathered back in the sources' order.

use std::collections::HashMap;
use std::sync::PoisonError;

use anyhow::{Context, Result, bail};
use memchr::memchr;

use crate::cmd::drive;
use crate::cmd::patching::open_target;
use crate::files::id::FileId;
use crate::files::source::{Done, Source, Sources};
use crate::map::{self, ReadPlan, View};
use crate::output::plural;
use crate::patch::Plan;
use crate::patch::targets::{Access, Target};
use crate::progress::{self, Progress, RunProgress};
use crate::search::backtrack;
use crate::search::{search_windows, split_windows};
use crate::settings::Settings;

use super::{Edit, How, Replace};

/// Ends the planning of a run whose review (`replace --interactive`) has stopped: not an error
/// of the run.
#[derive(Debug)]
pub(super) struct StopPlanning;

impl std::fmt::Display for StopPlanning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the review stopped")
    }
}

impl std::error::Error for StopPlanning {}

/// A file whose plan is made: held open (and, for a real run, locked) until it is written.
pub(super) struct Planned {
    pub(super) source: Source,
    /// The file's identity (none for standard input).
    pub(super) key: Option<FileId>,
    /// `None` for standard input, which is filtered to standard output.
    pub(super) target: Option<Target>,
    pub(super) view: View,
    pub(super) plan: Plan,
}

/// What planning one source gave.
pub(super) enum Planning {
    Planned(Box<Planned>),
    Unchanged(Source),
    SkippedBinary,
    /// A file with a match that this run plans under another name already.
    ReachedAgain(FileId),
}

/// How the run reached a file it plans, in the order of the sources.
pub(super) enum Reached {
    /// Planned under its first name: `planned[index]`.
    Planned(usize),
    /// First met under this name, by a worker that found another name's worker planning it.
    First(Source),
}

/// What planning every source gave, in the sources' order.
#[derive(Default)]
pub(super) struct Gathered {
    pub(super) planned: Vec<Planned>,
    /// Named in a single file's summary only: over a tree, keeping every one would hold memory
    /// in proportion to the tree.
    pub(super) unchanged: Vec<Source>,
    pub(super) skipped_binary: usize,
    pub(super) failures: Vec<anyhow::Error>,
    pub(super) reached: HashMap<FileId, Reached>,
    /// Names that reached a file planned under another, and that other.
    pub(super) reached_again: Vec<(Source, Source)>,
}

impl Gathered {
    /// Takes in one source's planning, in order.
    pub(super) fn take(&mut self, replace: &Replace, done: Done<Result<Planning>>, how: &How) {
        match done {
            Ok((_, Ok(Planning::Planned(p)))) => self.take_planned(replace, *p, how),
            Ok((source, Ok(Planning::ReachedAgain(key)))) => match self.reached.get(&key) {
                Some(Reached::Planned(first)) => {
                    let first = self.planned[*first].source.clone();
                    self.reached_again.push((source, first));
                }
                Some(Reached::First(first)) => {
                    let first = first.clone();
                    self.reached_again.push((source, first));
                }
                None => {
                    self.reached.insert(key, Reached::First(source));
                }
            },
            Ok((_, Ok(Planning::Unchanged(source)))) => {
                if !how.many {
                    self.unchanged.push(source);
                }
            }
            Ok((_, Ok(Planning::SkippedBinary))) => self.skipped_binary += 1,
            Ok((source, Err(err))) => {
                self.failures
                    .push(drive::describe(err).context(source.name()));
            }
            Err(unreachable) => self.failures.push(match unreachable.name.as_str() {
                "" => unreachable.error,
                name => unreachable.error.context(name.to_owned()),
            }),
        }
    }

    /// A file planned: kept, under the first name the sources reach it by.
    pub(super) fn take_planned(&mut self, replace: &Replace, planned: Planned, how: &How) {
        if let Some(Reached::First(first)) = planned.key.and_then(|key| self.reached.get(&key)) {
            self.reached_again
                .push((planned.source.clone(), first.clone()));
        }
        match replace.first_name_wins(planned, &self.reached, how) {
            Ok(Planning::Planned(p)) => {
                if let Some(key) = p.key {
                    self.reached
                        .insert(key, Reached::Planned(self.planned.len()));
                }
                self.planned.push(*p);
            }
            Ok(Planning::SkippedBinary) => self.skipped_binary += 1,
            Ok(_) => {}
            Err(err) => self.failures.push(err),
        }
    }

    /// One line on standard error for each name that reached a file planned under another.
    pub(super) fn say_reached_again(&self, settings: &Settings) {
        if settings.style.quiet || settings.style.json {
            return;
        }
        for (again, first) in &self.reached_again {
            let (again, first) = (again.name(), first.name());
            if again == first {
                say!("mmt: {again}: reached twice; planned and written once");
            } else {
                say!(
                    "mmt: {again}: the same file as {first}; planned and written once, under \
                     that name"
                );
            }
        }
    }

    /// A file that could not be read or planned stops the run before anything is written.
    pub(super) fn refuse_failures(&mut self, many: bool) -> Result<()> {
        if !many && let Some(failure) = self.failures.pop() {
            return Err(failure);
        }
        if self.failures.is_empty() {
            return Ok(());
        }
        for failure in &self.failures {
            say!("mmt: {failure:#}");
        }
        let files = self.failures.len();
        bail!(
            "nothing written: {files} {} could not be read or planned",
            plural(files as u64, "file")
        );
    }

    pub(super) fn replacements(&self) -> u64 {
        replacements(&self.planned)
    }
}

impl Replace {
    /// Every edit of one source, found before anything is written. A binary file met while
    /// walking is left alone unless `--binary`.
    pub(super) fn plan(&self, source: &Source, how: &How) -> Result<Planning> {
        self.plan_claiming(source, how.settings, how.watched, how.many, true)
    }

    /// Plans every source, on worker threads, and gathers the plans in the sources' order,
    /// handing the gathering to `taken` after each source (an error from it stops the run;
    /// [`StopPlanning`] stops the planning alone).
    pub(super) fn plan_all(
        &self,
        sources: Sources,
        settings: &Settings,
        many: bool,
        mut taken: impl FnMut(&Gathered) -> Result<()>,
    ) -> Result<Gathered> {
        let how = How {
            settings,
            many,
            watched: settings.watched && !many,
        };
        let mut gathered = Gathered::default();
        let progress = RunProgress::new(settings.watched && many);
        let planned = drive::ordered(
            sources,
            settings.threads,
            |source| {
                let planning = self.plan(source, &how);
                let len = match &planning {
                    Ok(Planning::Planned(planned)) => planned.view.len() as u64,
                    _ => 0,
                };
                (planning, len)
            },
            |done| {
                let done = done.map(|(source, (planning, len))| {
                    progress.finish_file(len);
                    (source, planning)
                });
                gathered.take(self, done, &how);
                taken(&gathered)
            },
        );
        match planned {
            Err(err) if !err.is::<StopPlanning>() => Err(err),
            _ => Ok(gathered),
        }
    }

    /// Plans a file again, on its bytes as they are now that it is locked (see `locking`).
    pub(super) fn plan_again(&self, planned: &mut Planned, settings: &Settings) -> Result<()> {
        let name = planned.source.name();
        let Some(target) = planned.target.as_mut() else {
            return Ok(());
        };
        target.planned_again().with_context(|| name.clone())?;
        let plan = ReadPlan::one_of_many(settings.no_mmap, true);
        planned.view = map::view_of_file(&target.file, &target.real, plan).context(name)?;
        planned.plan = self.plan_view(&planned.view, false);
        backtrack::gave_up()
    }

    /// Plans `source`; with `claim`, only when no other name of the file is planned in this run.
    pub(super) fn plan_claiming(
        &self,
        source: &Source,
        settings: &Settings,
        watched: bool,
        many: bool,
        claim: bool,
    ) -> Result<Planning> {
        let (target, view) = match source {
            Source::Stdin => {
                if settings.style.json {
                    bail!(
                        "--json reports on standard output, where the filtered text goes; drop --json"
                    );
                }
                (None, map::open_source(source, ReadPlan::whole(true))?)
            }
            Source::File { path, .. } => {
                // Most files of a tree are small and have no match: a read-only look first, so
                // that only a file with a match is locked and planned again under the lock (the
                // plan that is carried out is always made on the locked bytes). Planning a
                // small file again costs little beside opening it; a large one (mapped, not
                // read) is planned once, under the lock, whether it matches or not.
                if many {
                    let view =
                        map::open_source(source, ReadPlan::one_of_many(settings.no_mmap, true))?;
                    let unchanged = !view.is_mapped() && self.plan_view(&view, false).is_empty();
                    backtrack::gave_up()?;
                    if unchanged {
                        self.count_readings(source, &view)?;
                        return Ok(Planning::Unchanged(source.clone()));
                    }
                }
                if claim {
                    let key = FileId::of_path(path).context("cannot open")?;
                    if !self.claim(key) {
                        return Ok(Planning::ReachedAgain(key));
                    }
                }
                let access = match self.review {
                    true => Access::PatchLater,
                    false => Access::PatchIfFree,
                };
                let (target, view) = open_target(path, access, settings, many)?;
                (Some(target), view)
            }
        };
        view.expect_sequential_scan();
        let plan = self.plan_view(&view, watched);
        // A plan from a search that gave up is not the whole plan: nothing is written.
        backtrack::gave_up()?;
        // (Planned again under its first name, a file reached twice was counted already.)
        if claim {
            self.count_readings(source, &view)?;
        }
        if plan.is_empty() && target.is_some() {
            return Ok(Planning::Unchanged(source.clone()));
        }
        if !source.is_named() && !self.binary && memchr(0, &view).is_some() {
            return Ok(Planning::SkippedBinary);
        }
        let key = target.as_ref().map(Target::id);
        Ok(Planning::Planned(Box::new(Planned {
            source: source.clone(),
            key,
            target,
            view,
            plan,
        })))
    }

    /// Counts both readings of OLD's `^` and `$` in `view`, for a file this run would write
    /// (not a binary file met while walking, which is left alone).
    pub(super) fn count_readings(&self, source: &Source, view: &View) -> Result<()> {
        let (Some(readings), Edit::Pattern { old, .. }) = (&self.readings, &self.edit) else {
            return Ok(());
        };
        if source.is_named() || self.binary || memchr(0, view).is_none() {
            readings.count(old, view);
        }
        backtrack::gave_up()
    }

    /// Claims the file `key` for this run: false when another of its names has it already.
    pub(super) fn claim(&self, key: FileId) -> bool {
        self.claimed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key)
    }

    /// A file is planned under the first name the sources reach it by, whichever worker got to
    /// it first: when an earlier name's worker found it claimed by this one, it is planned
    /// again under that earlier name (rare: two names of one file in one run).
    pub(super) fn first_name_wins(
        &self,
        planned: Planned,
        reached: &HashMap<FileId, Reached>,
        how: &How,
    ) -> Result<Planning> {
        let first = match planned.key.and_then(|key| reached.get(&key)) {
            Some(Reached::First(first)) => first,
            _ => return Ok(Planning::Planned(Box::new(planned))),
        };
        // Its lock is let go of before the earlier name takes it.
        drop(planned);
        self.plan_claiming(first, how.settings, how.watched, how.many, false)
            .map_err(|err| drive::describe(err).context(first.name()))
    }

    pub(super) fn plan_view(&self, view: &View, watched: bool) -> Plan {
        match &self.edit {
            Edit::Pattern { old, new } => Plan::regex_split(view, old, new, self.max, self.split),
            Edit::Bytes { old, new } => {
                let windows = search_windows(view.data_extents(), old, 0..view.len());
                let progress = Progress::new(watched, view.len() as u64, "scanning");
                if self.split.worth_it(windows.iter().map(|w| w.len()).sum()) {
                    let advance = |bytes| progress.advance(bytes as u64);
                    let edit = (old.as_slice(), new.as_slice());
                    return Plan::literal_split(
                        view, &windows, edit, self.max, self.split, &advance,
                    );
                }
                let windows = progress.follow(split_windows(windows, progress::STEP, old.len()), 0);
                Plan::literal_in(view, windows, old, new, self.max)
            }
        }
    }
}

/// The edits of every file planned.
pub(super) fn replacements(planned: &[Planned]) -> u64 {
    planned.iter().map(|p| p.plan.len() as u64).sum()
}
