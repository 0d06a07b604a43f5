//! A run that writes, all or nothing: `begin` records every file (journal synced before a byte
//! changes), `writing`/`written` mark each file as it is written, `commit` syncs them all and
//! keeps the run for `mmt undo`, and `fail` rolls back the files already written. Ctrl-C,
//! SIGTERM and SIGHUP are held back from `begin` on and honoured until the commit point by
//! rolling back (see `commit`).
//!
//! `replace` and `write` drive it through this API only; it knows nothing of what they print.

use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use anyhow::Result;

use super::state::{self, StateDir};
use super::{Identity, OldBytes, Run};
use crate::map::View;
use crate::output::plural;
use crate::patch::Plan;
use crate::patch::durable::LaterSyncs;
use crate::patch::targets::{PartlyWritten, Target};
use crate::settings::Settings;
use crate::sys;
use crate::sys::InterruptsHeldBack;
use crate::test_hooks::{self, Step};

/// How many committed runs are kept for `mmt undo`.
const RUNS_KEPT: usize = 10;

/// How many committed runs are kept: `MMT_UNDO_RUNS`, else [`RUNS_KEPT`].
fn runs_kept() -> usize {
    std::env::var("MMT_UNDO_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(RUNS_KEPT)
}

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
    /// The file being written (or the last written), in the order `begin` was given them.
    current: usize,
    /// Whether `next_file` was called yet.
    started: bool,
    /// Interrupts wait while files are written; a preview writes nothing and is not held.
    held_back: Option<InterruptsHeldBack>,
}

/// What the writing of one file of a run is given by [`Transaction::write_each`].
pub struct FileWrite<'t> {
    /// Where its syncs go (the run's flush at its commit).
    pub later: Option<&'t mut LaterSyncs>,
    /// The journal's copy of its old content, when it is rewritten in place.
    pub old_copy: Option<std::path::PathBuf>,
    /// Whether the run has a journal.
    pub journaled: bool,
}

/// Runs of at least this many files are written on several threads: below it, starting them
/// costs more than it saves (and the tests that stop a run between two files see one order).
const WRITTEN_APART_FROM: usize = 16;

/// One file of a writing run: the target and what was planned on it.
pub struct ToWrite<'a> {
    pub target: &'a Target,
    /// The path as the command was given it (see `Entry::given`).
    pub given: &'a Path,
    pub view: &'a View,
    pub plan: &'a Plan,
}

impl Transaction {
    /// Starts a run over `files`, journaled unless `--no-journal` (or no state directory can be
    /// used, which is said once).
    /// A note for the user (the state directory cannot be used, and the run goes on without a
    /// journal) goes to `warn`, for the command to say.
    pub fn begin(
        settings: &Settings,
        files: &[ToWrite],
        command: &str,
        warn: &mut dyn FnMut(String),
    ) -> Result<Transaction> {
        let held_back = (!settings.preview).then(sys::hold_back_interrupts);
        // Without a journal too, the files are made durable together at the end (a crash
        // before then may keep any of the run's writes, as it could file by file); past the
        // first write there is no going back, so that flush is not cut short by a Ctrl-C.
        let unjournalled = |held_back: Option<InterruptsHeldBack>| Transaction {
            run: None,
            later: held_back.is_some().then(LaterSyncs::uninterruptible),
            current: 0,
            started: false,
            held_back,
        };
        if !settings.journal || settings.preview || files.is_empty() {
            return Ok(unjournalled(held_back));
        }
        let Some(state) = state::decided(warn) else {
            return Ok(unjournalled(held_back));
        };
        // What earlier runs let go of is deleted while this one writes.
        super::empty_trash_meanwhile(&state);
        let mut run = Run::begin(&state, command.to_owned())?;
        for file in files {
            let mode = file.target.mode(file.plan);
            run.add(
                &file.target.real,
                file.given,
                mode,
                Identity::of(&file.target.meta),
            );
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
        test_hooks::hold_at(Step::AfterJournal);
        Ok(Transaction {
            run: Some((run, state)),
            later: Some(LaterSyncs::default()),
            current: 0,
            started: false,
            held_back,
        })
    }

    /// The next file (in the order `begin` was given them) is about to be written. Refuses
    /// when an interrupt is waiting.
    pub fn next_file(&mut self) -> Result<()> {
        if sys::interrupt_pending() {
            return Err(interrupted());
        }
        if self.started {
            test_hooks::hold_at(Step::BetweenFiles);
            self.current += 1;
        }
        self.started = true;
        Ok(())
    }

    /// Writes files `0..count` with `write`, in order on this thread, or for a run of many
    /// files on `threads` threads at once (each file's write is its own: its bytes, its syncs
    /// held for the commit). Each file written is marked, so that a failure restores exactly
    /// those. The first failure in the files' order (or a Ctrl-C, which lets the files being
    /// written finish and starts no other) is returned for [`Transaction::fail`]; the results
    /// otherwise, in order.
    pub fn write_each<T: Send>(
        &mut self,
        count: usize,
        threads: usize,
        write: &(dyn Fn(usize, FileWrite) -> Result<T> + Sync),
    ) -> Result<Vec<T>> {
        if threads <= 1 || count < WRITTEN_APART_FROM {
            let mut done = Vec::with_capacity(count);
            for n in 0..count {
                self.next_file()?;
                let file = FileWrite {
                    old_copy: self.old_copy(),
                    journaled: self.is_journaled(),
                    later: self.later.as_mut(),
                };
                done.push(write(n, file)?);
                self.file_written();
            }
            return Ok(done);
        }
        let journaled = self.is_journaled();
        let run = self.run.as_ref().map(|(run, _)| run);
        let next = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let results: Mutex<Vec<Option<Result<T>>>> = Mutex::new((0..count).map(|_| None).collect());
        let model = self.later.as_ref().map(LaterSyncs::alike);
        let held: Vec<Option<LaterSyncs>> = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads.min(count))
                .map(|_| {
                    let mut later = model.as_ref().map(LaterSyncs::alike);
                    let (next, stop, results) = (&next, &stop, &results);
                    scope.spawn(move || {
                        while !stop.load(Ordering::Relaxed) && !sys::interrupt_pending() {
                            let n = next.fetch_add(1, Ordering::Relaxed);
                            if n >= count {
                                break;
                            }
                            let file = FileWrite {
                                old_copy: run.and_then(|run| run.old_copy(n)),
                                journaled,
                                later: later.as_mut(),
                            };
                            let done = write(n, file);
                            if done.is_err() {
                                stop.store(true, Ordering::Relaxed);
                            }
                            results.lock().unwrap_or_else(|e| e.into_inner())[n] = Some(done);
                        }
                        later
                    })
                })
                .collect();
            workers
                .into_iter()
                .map(|worker| {
                    worker
                        .join()
                        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
                })
                .collect()
        });
        if let Some(mine) = self.later.as_mut() {
            for theirs in held.into_iter().flatten() {
                mine.absorb(theirs)?;
            }
        }
        let results = results.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut done = Vec::with_capacity(count);
        let mut failed = None;
        for (n, result) in results.into_iter().enumerate() {
            match result {
                Some(Ok(value)) => {
                    if let Some((run, _)) = &mut self.run {
                        run.applied(n);
                    }
                    done.push(value);
                }
                Some(Err(err)) if failed.is_none() => failed = Some((n, err)),
                _ => {}
            }
        }
        self.started = true;
        if let Some((n, err)) = failed {
            self.current = n;
            return Err(err);
        }
        if done.len() < count {
            // Stopped by a Ctrl-C before every file was started.
            self.current = done.len();
            return Err(interrupted());
        }
        self.current = count - 1;
        Ok(done)
    }

    /// Whether the run is journalled (a rewrite can then be rolled back from the journal).
    pub fn is_journaled(&self) -> bool {
        self.run.is_some()
    }

    /// Where the files' syncs go: to the commit.
    pub fn later_syncs(&mut self) -> Option<&mut LaterSyncs> {
        self.later.as_mut()
    }

    /// The journal's copy of the old content of the file being written, when it is rewritten
    /// in place (see `Mode::RewriteInPlace`).
    pub fn old_copy(&self) -> Option<std::path::PathBuf> {
        let (run, _) = self.run.as_ref()?;
        run.old_copy(self.current)
    }

    /// The file being written is written: a failure from here on restores it.
    pub fn file_written(&mut self) {
        if let Some((run, _)) = &mut self.run {
            run.applied(self.current);
        }
    }

    /// A file could not be written: every file written before it is restored, and the error
    /// says so. An interrupt that ended the run is said first (see [`Failed::said`]).
    pub fn fail(mut self, err: anyhow::Error) -> Failed {
        let interrupted = err.chain().any(|cause| {
            cause
                .downcast_ref::<std::io::Error>()
                .is_some_and(|io| io.kind() == std::io::ErrorKind::Interrupted)
        });
        let held_back = self.held_back.take().map(Box::new);
        let failed = |error: anyhow::Error, note: Option<String>| Failed {
            error,
            note: note.filter(|_| interrupted),
            held_back,
        };
        let Some((mut run, _)) = self.run else {
            let note = match self.current {
                0 => "mmt: interrupted; nothing changed".to_owned(),
                n => format!(
                    "mmt: interrupted; {n} {} written before it stay written (--no-journal runs \
                     cannot be rolled back)",
                    if n == 1 { "file was" } else { "files were" }
                ),
            };
            return failed(err, Some(note));
        };
        let note = Some("mmt: interrupted; the run was rolled back, nothing changed".to_owned());
        // A file refused before its first byte changed is left alone (another process may have
        // changed it); one that holds part of a patch is restored too.
        let partly = err.downcast_ref::<PartlyWritten>().is_some();
        if partly {
            run.applied(self.current);
        }
        let error = match run.roll_back() {
            Ok(restored) => {
                let before = restored.len() - usize::from(partly);
                match (before, partly) {
                    (0, false) => err,
                    (0, true) => anyhow::anyhow!("{err:#}; the file was restored, nothing changed"),
                    (n, _) => anyhow::anyhow!(
                        "{err:#}; the run was rolled back ({n} {} written before it \
                         restored), nothing changed",
                        plural(n as u64, "file")
                    ),
                }
            }
            Err(rollback) => anyhow::anyhow!(
                "{err:#}; and restoring the files already written failed too ({rollback:#}): \
                 run `mmt recover`"
            ),
        };
        failed(error, note)
    }

    /// Every file is written and synced: the run is kept for `mmt undo`, within the bound.
    ///
    /// A journalled run's commit point is its journal's commit: a Ctrl-C, SIGTERM or SIGHUP
    /// held back until then rolls the run back and ends mmt by that signal; one that comes
    /// after it is dropped, and the run exits as it would have. A run without a journal cannot
    /// be rolled back once a file is written, so its commit point is its first write.
    pub fn commit(mut self) -> Result<Committed, Failed> {
        if let Some(later) = self.later.take()
            && let Err(err) = later.sync()
        {
            return Err(self.fail(err));
        }
        test_hooks::hold_at(Step::BeforeCommit);
        let Some((run, state)) = self.run.take() else {
            if let Some(held_back) = self.held_back.take() {
                held_back.past_commit_point();
            }
            test_hooks::hold_at(Step::AfterCommit);
            return Ok(Committed { note: None });
        };
        if sys::interrupt_pending() {
            self.run = Some((run, state));
            return Err(self.fail(interrupted()));
        }
        let limit = undo_limit();
        let note = match run.commit(limit) {
            Ok(note) => note,
            Err(error) => {
                return Err(Failed {
                    error,
                    note: None,
                    held_back: self.held_back.take().map(Box::new),
                });
            }
        };
        if let Some(held_back) = self.held_back.take() {
            held_back.past_commit_point();
        }
        // A test signals mmt here: past the commit point, the run completes.
        test_hooks::hold_at(Step::AfterCommit);
        super::prune(&state, runs_kept(), limit);
        Ok(Committed { note })
    }
}

/// A run that landed.
#[derive(Debug)]
pub struct Committed {
    /// What the commit has to say on the run's summary (the oldest runs let go of).
    pub note: Option<String>,
}

/// A run that failed and was rolled back: its error, and what to say when an interrupt ended
/// it. The interrupt stays held back until [`Failed::said`]: it ends the process once the
/// note is out.
#[must_use = "Failed::said says the note and lets a waiting interrupt through"]
pub struct Failed {
    error: anyhow::Error,
    note: Option<String>,
    /// Boxed: a signal set is large, and a `Result` carries this value back.
    held_back: Option<Box<InterruptsHeldBack>>,
}

impl Failed {
    /// The run's error, once `say` has said the note of an interrupt, if one ended the run. A
    /// waiting interrupt is let through here, after the note, and ends the process.
    pub fn said(self, say: impl FnOnce(&str)) -> anyhow::Error {
        if let Some(note) = &self.note {
            say(note);
        }
        drop(self.held_back);
        self.error
    }
}

fn interrupted() -> anyhow::Error {
    std::io::Error::new(std::io::ErrorKind::Interrupted, "interrupted").into()
}
