//! The committed runs kept for `mmt undo`: which can still be undone and why not, undoing one
//! (by ID, or the last that touched a file under a directory), previewing an undo, and letting
//! a run go. The runs themselves, and restoring a file, are `journal`'s.

use std::collections::HashMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use anyhow::{Context, Result, bail};

use crate::files::id::FileId;
use crate::journal::state::StateDir;
use crate::journal::undo_file;
use crate::journal::{
    self, COMMITTED_FILE, Entry, Identity, Recorded, Report, Restored, Stored, UNDOING_FILE,
    UndoData,
};
use crate::patch::durable::LaterSyncs;
use crate::patch::{Mode, Plan};
use crate::test_hooks::{self, Step};

/// A committed run and the state directory that keeps it. Its manifest is read the first time
/// it is asked for, at most once per command: an undo reads the runs it needs (the last under
/// a directory is most often the newest), not the whole history.
pub struct KeptRun {
    pub state: StateDir,
    pub dir: PathBuf,
    read: OnceLock<Option<Stored>>,
}

impl KeptRun {
    pub fn id(&self) -> String {
        self.dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    /// The run as its manifest has it; `None` when the manifest cannot be read (the run cannot
    /// be undone, and is passed over).
    pub fn run(&self) -> Option<&Stored> {
        self.read
            .get_or_init(|| journal::read_run(&self.dir))
            .as_ref()
    }

    /// The run, or why it cannot be undone.
    pub fn readable(&self) -> Result<&Stored> {
        self.run().ok_or_else(|| {
            anyhow::anyhow!(
                "the run {} cannot be read (its manifest is damaged); remove {} to let it go",
                self.id(),
                self.dir.display()
            )
        })
    }
}

/// Every committed run of `states`, newest first (their manifests not read yet).
pub fn all(states: &[StateDir]) -> Vec<KeptRun> {
    let mut kept: Vec<KeptRun> = states
        .iter()
        .flat_map(|state| {
            journal::committed_run_dirs(state)
                .into_iter()
                .map(|dir| KeptRun {
                    state: state.clone(),
                    dir,
                    read: OnceLock::new(),
                })
        })
        .collect();
    // IDs start with the time the run began, so they sort as the runs were made.
    kept.sort_by_key(|k| std::cmp::Reverse(k.id()));
    kept
}

/// Where in `kept` the run whose ID is `id`, or starts with it, is (as git takes a commit's
/// prefix).
pub fn by_id(kept: &[KeptRun], id: &str) -> Result<usize> {
    let found: Vec<usize> = (0..kept.len())
        .filter(|&i| !id.is_empty() && kept[i].id().starts_with(id))
        .collect();
    match found[..] {
        [] => bail!("no run {id} is kept: `mmt undo --list` shows the runs that are"),
        [one] => Ok(one),
        _ => bail!(
            "{} runs have IDs that start with {id}; give more of the ID",
            found.len()
        ),
    }
}

/// Where in `kept` the newest run that touched a file under `dir` (a path with links
/// resolved) is.
pub fn last_under(kept: &[KeptRun], dir: &Path) -> Option<usize> {
    kept.iter().position(|k| {
        k.run()
            .is_some_and(|run| run.entries.iter().any(|e| e.path.starts_with(dir)))
    })
}

/// Refuses to undo `run` when a later run (of `newer`, newest first) changed one of its files:
/// that run is to be undone first, as `undo --list` says.
pub fn refuse_if_a_later_run_changed(newer: &[KeptRun], run: &Stored) -> Result<()> {
    let Some(blocked) = why_not_undoable(run) else {
        return Ok(());
    };
    if let Some(later) = changed_by_later(newer, run, &blocked) {
        bail!(
            "{}: changed since the run of `{}`, by the later run {} (`{}`); undo that run \
             first (mmt undo {}), then this one; nothing undone",
            run.shown(&blocked.path).display(),
            run.command,
            later.id(),
            later.run().map_or("", |run| run.command.as_str()),
            later.id()
        );
    }
    Ok(())
}

/// Why a run can no longer be undone: the first of its files that is not as the run left it.
pub struct Blocked {
    pub path: PathBuf,
    pub why: Why,
}

pub enum Why {
    Gone,
    Changed,
    UndoDataMissing,
    UndoDataUnreadable(String),
}

impl Blocked {
    /// A few words, for `undo --list` (the file named as `run` was given it).
    pub fn short(&self, run: &Stored) -> String {
        let name = crate::files::name::Name::of(&run.shown(&self.path));
        match &self.why {
            Why::Gone => format!("{name} is gone"),
            Why::Changed => format!("{name} changed since the run"),
            Why::UndoDataMissing => format!("the undo data of {name} is missing or damaged"),
            Why::UndoDataUnreadable(err) => format!("the undo data of {name}: {err}"),
        }
    }

    /// The refusal of `mmt undo`, with the way past it.
    pub fn refusal(&self, run: &Stored) -> String {
        let name = run.shown(&self.path);
        let name = name.display();
        let command = &run.command;
        let why = match &self.why {
            Why::UndoDataUnreadable(err) => return format!("{name}: cannot undo: {err}"),
            Why::Gone => format!("{name}: gone since the run of `{command}`"),
            Why::Changed => format!("{name}: changed since the run of `{command}`"),
            Why::UndoDataMissing => {
                format!("{name}: the undo data of the run of `{command}` is missing or damaged")
            }
        };
        format!(
            "{why}; nothing undone (`mmt undo --list` shows what can be undone; `mmt undo \
             --forget {}` lets this run go)",
            run.id()
        )
    }
}

/// What stops `run` from being undone (a file changed since it, or its undo data is gone), or
/// `None` when it can be: every file is as the run left it.
pub fn why_not_undoable(run: &Stored) -> Option<Blocked> {
    let undo = UndoData::of(&run.dir);
    for (n, entry) in run.entries.iter().enumerate() {
        let blocked = |why| {
            Some(Blocked {
                path: entry.path.clone(),
                why,
            })
        };
        let Ok(now) = Identity::of_path(&entry.path) else {
            return blocked(Why::Gone);
        };
        let sum_now = match entry.kind {
            Mode::InPlace => match undo.of_file(n) {
                Ok(Recorded::Bytes(encoded)) => journal::touched_sum_now(&encoded, &entry.path),
                Ok(_) => return blocked(Why::UndoDataMissing),
                Err(err) => return blocked(Why::UndoDataUnreadable(format!("{err:#}"))),
            },
            Mode::RewriteInPlace
                if !entry.old_link.as_deref().is_some_and(|copy| copy.is_file()) =>
            {
                return blocked(Why::UndoDataMissing);
            }
            Mode::Rewrite | Mode::RewriteInPlace => None,
        };
        if !entry.after.is_some_and(|after| after.recognises(&now)) || sum_now != entry.touched_sum
        {
            return blocked(Why::Changed);
        }
    }
    None
}

/// The later run (of `newer`, newest first) that changed `blocked`'s file from what `run` left,
/// when one did: undoing that one first makes `run` undoable again.
pub fn changed_by_later<'k>(
    newer: &'k [KeptRun],
    run: &Stored,
    blocked: &Blocked,
) -> Option<&'k KeptRun> {
    let after = run.entries.iter().find(|e| e.path == blocked.path)?.after?;
    // The identity names the file (a hard link under another name is the same file).
    newer.iter().rev().find(|k| {
        k.run()
            .is_some_and(|run| run.entries.iter().any(|e| e.before.recognises(&after)))
    })
}

/// Refuses, with the way past it, when `run` can no longer be undone.
pub fn ensure_undoable(run: &Stored) -> Result<()> {
    match why_not_undoable(run) {
        Some(blocked) => bail!("{}", blocked.refusal(run)),
        None => Ok(()),
    }
}

/// Reverts `kept`: every file it changed, when each is as the run left it; refuses with nothing
/// changed otherwise. Tells `report` each file restored.
pub fn undo(kept: &KeptRun, others: &[KeptRun], report: &mut Report) -> Result<()> {
    let run = kept.readable()?;
    ensure_undoable(run)?;
    // The run's own lock says a live undo holds it; recovery finishes an undo whose process
    // died, so that a file is never left half undone.
    let run_lock = File::open(run.dir.join("lock"))
        .with_context(|| format!("cannot open the lock of {}", run.dir.display()))?;
    if run_lock.try_lock().is_err() {
        bail!(
            "the run of `{}` is being undone by another mmt; nothing undone",
            run.command
        );
    }
    if !run.dir.join(COMMITTED_FILE).exists() {
        bail!(
            "the run of `{}` was undone by another mmt meanwhile",
            run.command
        );
    }
    // The files are locked as a writing run locks them, so no other mmt writes meanwhile, and
    // in the order every run takes its locks (by identity), so that none waits in a circle.
    let mut locks = Vec::new();
    let mut in_order: Vec<&Entry> = run.entries.iter().collect();
    in_order.sort_by_key(|entry| FileId::of_path(&entry.path).ok());
    for entry in in_order {
        let file = File::open(&entry.path)
            .with_context(|| format!("{}: cannot open", entry.path.display()))?;
        file.lock()
            .with_context(|| format!("{}: cannot lock", entry.path.display()))?;
        locks.push(file);
    }
    fs::write(run.dir.join(UNDOING_FILE), b"")
        .map_err(anyhow::Error::from)
        .and_then(|()| crate::patch::durable::sync_dir(&run.dir))
        .context("cannot mark the run as being undone")?;
    test_hooks::hold_at(Step::UndoMarked);
    let undo = UndoData::of(&run.dir);
    let mut later = LaterSyncs::uninterruptible();
    for (n, entry) in run.entries.iter().enumerate().rev() {
        journal::restore(&undo, n, entry, &mut later)?;
    }
    // Every file durable before the run is let go of, with one flush, as a run's own.
    later.sync()?;
    recognise_after_undo(kept, others, &run.entries);
    for entry in &run.entries {
        report(Restored {
            path: &entry.path,
            action: "restored",
            detail: match entry.kind {
                Mode::InPlace => "the old bytes written back",
                Mode::Rewrite => "the old file put back",
                Mode::RewriteInPlace => "the old content copied back, its links kept",
            }
            .to_owned(),
            run,
        });
    }
    journal::remove_run(&run.dir, &run.entries);
    Ok(())
}

/// After mmt's own undo of `restored` (the files of `kept`), a run that left a file as the
/// undone run found it (an older run) still sees it as it left it: the content is back, but an
/// undo in place moves the modification time, which would otherwise make that run look changed,
/// so that the second undo in a row refused. (A newer run that touched the file cannot be
/// passed over: undoing an older run by ID is refused while the file is not as that run left
/// it.) Only a run that left one of the restored files as the undone run found it is read:
/// what a run's files are after it is kept apart (`journal::afters`, 32 bytes a file), so that
/// an undo reads what its own files need whatever the history.
fn recognise_after_undo(kept: &KeptRun, others: &[KeptRun], restored: &[Entry]) {
    // What each file was before the undone run (as the older run left it), and what it is now.
    let now_of: HashMap<journal::Recognised, Identity> = restored
        .iter()
        .filter_map(|entry| {
            let now = Identity::of_path(&entry.path).ok()?;
            Some((entry.before.recognised(), now))
        })
        .collect();
    for other in others {
        if other.dir == kept.dir || other.state.path != kept.state.path {
            continue;
        }
        // A run recorded by an earlier mmt kept no list: its manifest is read.
        if journal::afters(&other.dir)
            .is_some_and(|afters| !afters.iter().any(|a| now_of.contains_key(a)))
        {
            continue;
        }
        let Some(run) = other.run() else { continue };
        let mut entries = run.entries.clone();
        let mut changed = false;
        for e in &mut entries {
            let Some(after) = e.after else { continue };
            if let Some(now) = now_of.get(&after.recognised()) {
                e.after = Some(*now);
                changed = true;
            }
        }
        let other = run;
        if changed {
            // Only a convenience: a run not updated can still be undone by `undo ID` once the
            // file is back as it left it, or let go of.
            let about = journal::run::About {
                command: &other.command,
                cwd: other.cwd.as_deref(),
            };
            let _ = journal::write_manifest(&other.dir, about, &entries, true);
            journal::write_afters(&other.dir, &entries);
        }
    }
}

/// Lets `kept` go: its undo data is removed, and it can no longer be undone.
pub fn forget(kept: &KeptRun) -> Result<()> {
    let run_lock = File::open(kept.dir.join("lock"))
        .with_context(|| format!("cannot open the lock of {}", kept.dir.display()))?;
    if run_lock.try_lock().is_err() {
        bail!("the run {} is being undone by another mmt", kept.id());
    }
    match kept.run() {
        Some(run) => journal::remove_run(&run.dir, &run.entries),
        None => {
            let _ = fs::remove_dir_all(&kept.dir);
        }
    }
    Ok(())
}

/// What undoing (or rolling back) `run` would change in each of its files: the plan that
/// writes the old bytes back over what the file holds now, and the file's bytes now. A rewrite's
/// plan puts the whole old file in place of the new one. A file with nothing to put back is left
/// out: one an interrupted run never recorded or renamed over (a committed run is checked by
/// [`why_not_undoable`] first, so its files all have their undo data).
pub fn undo_plans(run: &Stored) -> Result<Vec<(PathBuf, Vec<u8>, Plan)>> {
    let undo = UndoData::of(&run.dir);
    let mut plans = Vec::new();
    for (n, entry) in run.entries.iter().enumerate() {
        let Ok(now) = fs::read(&entry.path) else {
            continue;
        };
        let plan = match entry.kind {
            Mode::InPlace => match undo.of_file(n) {
                Ok(Recorded::Bytes(encoded)) => {
                    old_bytes_plan(&encoded, &now).with_context(|| {
                        format!("{}: the undo data is damaged", entry.path.display())
                    })?
                }
                _ => continue,
            },
            Mode::RewriteInPlace => {
                let Some(old) = entry.old_link.as_ref().and_then(|copy| fs::read(copy).ok()) else {
                    continue;
                };
                Plan::puts([(0..now.len(), old.as_slice())])
            }
            Mode::Rewrite => {
                let old = entry.old_link.as_ref().and_then(|link| {
                    let kept = Identity::of_path(link).ok()?;
                    let here = Identity::of_path(&entry.path).ok()?;
                    // Still the same file: the rename never happened.
                    let renamed = kept.id != here.id;
                    renamed.then(|| fs::read(link).ok()).flatten()
                });
                match old {
                    Some(old) => Plan::puts([(0..now.len(), old.as_slice())]),
                    None => continue,
                }
            }
        };
        plans.push((entry.path.clone(), now, plan));
    }
    Ok(plans)
}

/// The plan that writes an undo's old bytes back into `now`, leaving out the records whose
/// bytes are in place already; refused when the records are out of order or outside the file
/// (damaged undo data).
fn old_bytes_plan(encoded: &[u8], now: &[u8]) -> Result<Plan> {
    let mut records = Vec::new();
    let mut end = 0usize;
    undo_file::for_each(encoded, |offset, old| -> Result<()> {
        let start = usize::try_from(offset)?;
        let stop = start.checked_add(old.len()).filter(|&e| e <= now.len());
        match stop {
            Some(stop) if start >= end => {
                if now[start..stop] != *old {
                    records.push((start..stop, old.to_vec()));
                }
                end = stop;
                Ok(())
            }
            _ => bail!("a record out of order or past the end"),
        }
    })
    .context("cannot be read")??;
    Ok(Plan::puts(
        records
            .iter()
            .map(|(range, old)| (range.clone(), old.as_slice())),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The undo data of `records` (offset, old bytes), as a run writes it.
    fn encoded(records: &[(usize, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let ranges = records.iter().map(|(at, old)| *at..at + old.len());
        let old = |range: std::ops::Range<usize>| {
            let (_, bytes) = records.iter().find(|(at, _)| *at == range.start).unwrap();
            Ok(std::borrow::Cow::Borrowed(*bytes))
        };
        undo_file::encode(ranges, old, &mut out).unwrap();
        out
    }

    #[test]
    fn old_bytes_go_back_where_they_differ() {
        let now = b"one BAR two bar".to_vec();
        let plan = old_bytes_plan(&encoded(&[(4, b"bar"), (12, b"bar")]), &now).unwrap();
        // The second record's bytes are in place already: left out.
        assert_eq!(plan.len(), 1);
        assert_eq!(plan.render(&now, 0..now.len()), b"one bar two bar");
    }

    #[test]
    fn damaged_undo_data_is_refused_not_planned() {
        let now = b"0123456789".to_vec();
        // Out of order, overlapping, and past the end of the file.
        for records in [
            &[(6, &b"xx"[..]), (2, b"yy")][..],
            &[(2, b"xxx"), (3, b"yy")],
            &[(9, b"xy")],
        ] {
            assert!(
                old_bytes_plan(&encoded(records), &now).is_err(),
                "{records:?}"
            );
        }
        assert!(old_bytes_plan(&encoded(&[(8, b"xy")]), &now).is_ok());
    }
}
