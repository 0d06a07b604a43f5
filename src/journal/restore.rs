//! Putting files back: a run's undo data read back (its pack, or an earlier mmt's files), the
//! old bytes written back or the old inode renamed back (idempotently, so a crash during a
//! rollback is rolled back again), and recovery of the runs a killed process left, for the
//! files a command works on.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use super::*;
use crate::test_hooks::{self, Step};

/// A run's undo data, as it was recorded: its pack, or a file `N.undo` for each file patched
/// in place (runs of mmt before the pack).
pub(crate) struct UndoData {
    dir: PathBuf,
    pack: Pack,
}

pub(super) enum Pack {
    /// The pack's bytes and where each file's are.
    Whole(
        crate::map::View,
        std::collections::HashMap<usize, std::ops::Range<usize>>,
    ),
    /// No pack: the run stopped before it made one, or an earlier mmt kept `N.undo` files.
    Absent,
    /// A pack that is not whole (see `undo_pack`), or cannot be read.
    NotWhole,
}

/// What the journal holds for one file patched in place.
pub(crate) enum Recorded<'a> {
    Bytes(std::borrow::Cow<'a, [u8]>),
    /// Nothing recorded: the run stopped before it, so never wrote the file.
    Nothing,
    /// The pack is not whole: cut short or torn by a crash before it was synced (then no file
    /// was written), or damaged since (then the run may have written the file).
    NotWhole,
}

impl UndoData {
    pub(crate) fn of(dir: &Path) -> UndoData {
        let path = dir.join(UNDO_PACK);
        let pack = match File::open(&path) {
            Err(err) if err.kind() == io::ErrorKind::NotFound => Pack::Absent,
            Err(_) => Pack::NotWhole,
            Ok(file) => crate::map::view_of_file(&file, &path, crate::map::ReadPlan::default())
                .ok()
                .and_then(|view| undo_pack::index(&view).map(|index| Pack::Whole(view, index)))
                .unwrap_or(Pack::NotWhole),
        };
        UndoData {
            dir: dir.to_path_buf(),
            pack,
        }
    }

    /// File `n`'s undo data.
    pub(crate) fn of_file(&self, n: usize) -> Result<Recorded<'_>> {
        match &self.pack {
            Pack::Whole(view, index) => Ok(index.get(&n).map_or(Recorded::Nothing, |range| {
                Recorded::Bytes(std::borrow::Cow::Borrowed(&view[range.clone()]))
            })),
            Pack::NotWhole => Ok(Recorded::NotWhole),
            Pack::Absent => match fs::read(self.dir.join(format!("{n}.undo"))) {
                Ok(bytes) => Ok(Recorded::Bytes(std::borrow::Cow::Owned(bytes))),
                Err(err) if err.kind() == io::ErrorKind::NotFound => Ok(Recorded::Nothing),
                Err(err) => Err(err).context("cannot read the journal"),
            },
        }
    }
}

/// The checksum of what `path` holds now at the ranges `undo` covers: what a committed run
/// wrote there, unless something changed it since. Read through a map: an undo file may cover
/// millions of ranges.
pub(crate) fn touched_sum_now(encoded: &[u8], path: &Path) -> Option<u64> {
    let view = crate::map::open_view(path, crate::map::ReadPlan::default()).ok()?;
    let mut chunks = Vec::new();
    undo_file::for_each::<()>(encoded, |offset, old| {
        let start = usize::try_from(offset).map_err(|_| ())?;
        chunks.push(view.get(start..start + old.len()).ok_or(())?);
        Ok(())
    })?
    .ok()?;
    Some(undo_file::checksum(chunks))
}

/// Writes the old bytes of `undo` back into `file` (at `path`). Only bytes that differ are
/// written: a restore that finds the old bytes in place (a run stopped before them) changes
/// nothing, and allocates no hole.
///
/// Through writable windows of the file, as the patch writes its edits, not a `pread` and a
/// `pwrite` per edit: undoing millions of edits then costs about what making them did. Each
/// window is unmapped before its write to disk starts (see `patch_stretches`). Bytes past the
/// end of the file (it was cut short since) are written with `pwrite`, which a map cannot.
pub(super) fn apply_undo(encoded: &[u8], file: &File, path: &Path) -> Result<()> {
    let len = file.metadata().map_or(0, |m| m.len());
    let progress = crate::progress::Progress::new(crate::progress::watched(), len, "restoring");
    let mut window: Option<(u64, crate::map::Window)> = None;
    let mut paused = false;
    let mut restored_one = |written: bool| {
        // A test kills a rollback or an undo here, partway.
        if written && !paused {
            paused = true;
            test_hooks::hold_at(Step::MidRestore);
        }
    };
    let mut now = Vec::new();
    undo_file::for_each(encoded, |offset, old| -> Result<()> {
        progress.set(offset);
        let end = offset.saturating_add(old.len() as u64);
        if end > len {
            now.resize(old.len(), 0);
            let differs = file
                .read_exact_at(&mut now, offset)
                .map_or(true, |()| now != old);
            if differs {
                file.write_all_at(old, offset)
                    .context("cannot restore the old bytes")?;
            }
            restored_one(differs);
            return Ok(());
        }
        let fits = |(start, map): &(u64, crate::map::Window)| {
            *start <= offset && end - start <= map.len() as u64
        };
        if !window.as_ref().is_some_and(fits) {
            finish_window(window.take(), file);
            let until = offset
                .saturating_add(crate::patch::WINDOW as u64)
                .max(end)
                .min(len);
            let map = crate::map::map_shared_window_held(file, offset..until, path)?;
            window = Some((offset, map));
        }
        let (start, map) = window.as_mut().expect("a window was just mapped");
        let at = (offset - *start) as usize;
        let there = &mut map[at..at + old.len()];
        let differs = there != old;
        if differs {
            there.copy_from_slice(old);
        }
        restored_one(differs);
        Ok(())
    })
    .context("the journal is damaged")??;
    finish_window(window, file);
    Ok(())
}

/// Unmaps a restore's window and starts writing its pages to disk.
fn finish_window(window: Option<(u64, crate::map::Window)>, file: &File) {
    if let Some((start, map)) = window {
        let len = map.len() as u64;
        drop(map);
        if len > 0 {
            crate::sys::start_writeback(file, start, len);
        }
    }
}

/// Whether a file of a run is still there to be restored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// Restored (or found as it was, with nothing to do).
    There,
    /// No file at its path (removed since, or its directory): nothing is put back, and nothing
    /// is made again in its place.
    Gone,
}

/// Restores file `n` of the run in `dir`. Idempotent. What it writes is made durable by
/// `durable`'s [`LaterSyncs::sync`] of `later`, with the other files of the run, before the run
/// is let go of: as a run flushes what it writes, once for them all.
pub(crate) fn restore(
    undo: &UndoData,
    n: usize,
    entry: &Entry,
    later: &mut LaterSyncs,
) -> Result<Found> {
    if is_gone(&entry.path) {
        return Ok(Found::Gone);
    }
    put_back(undo, n, entry, later).map(|()| Found::There)
}

fn put_back(undo: &UndoData, n: usize, entry: &Entry, later: &mut LaterSyncs) -> Result<()> {
    let name = entry.path.display();
    match entry.kind {
        Mode::InPlace => {
            let encoded = match undo
                .of_file(n)
                .with_context(|| format!("{name}: cannot restore"))?
            {
                Recorded::Bytes(encoded) => encoded,
                Recorded::Nothing => return Ok(()), // never recorded, so never written
                // Unchanged since the run began: the run never wrote it, whatever became of
                // the pack (a pack cut short by a crash is this case).
                Recorded::NotWhole
                    if Identity::of_path(&entry.path)
                        .is_ok_and(|now| entry.before.recognises(&now)) =>
                {
                    return Ok(());
                }
                Recorded::NotWhole => bail!(
                    "{name}: cannot restore: the run's undo data ({}) is damaged, and the file \
                     has changed since the run began; check the file, then remove {} to let the \
                     run go",
                    undo.dir.join(UNDO_PACK).display(),
                    undo.dir.display()
                ),
            };
            let now = Identity::of_path(&entry.path)
                .with_context(|| format!("{name}: cannot restore"))?;
            if !entry.before.same_inode(&now) {
                bail!("{name}: was replaced by another file since; not restored");
            }
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&entry.path)
                .with_context(|| format!("{name}: cannot open to restore"))?;
            apply_undo(&encoded, &file, &entry.path)
                .and_then(|()| later.hold(entry.path.clone(), file))
                .with_context(|| format!("{name}: cannot restore"))
        }
        Mode::RewriteInPlace => {
            let Some(copy) = &entry.old_link else {
                return Ok(());
            };
            let Ok(copy) = File::open(copy) else {
                return Ok(()); // never copied, so never written
            };
            let now = Identity::of_path(&entry.path)
                .with_context(|| format!("{name}: cannot restore"))?;
            if !entry.before.same_inode(&now) {
                bail!("{name}: was replaced by another file since; not restored");
            }
            if entry.before.recognises(&now) {
                return Ok(()); // as the run found it: never written
            }
            // The copy was synced whole before the file was first written: one that is not the
            // old size was cut short by a crash, and the file was then never written.
            if copy.metadata().map(|m| m.len()).ok() != Some(entry.before.size) {
                bail!(
                    "{name}: cannot restore: the run's copy of the old content ({}) is not \
                     whole, and the file has changed since the run began; check the file, then \
                     remove {} to let the run go",
                    entry.old_link.as_deref().unwrap_or(Path::new("")).display(),
                    undo.dir.display()
                );
            }
            let file = OpenOptions::new()
                .write(true)
                .open(&entry.path)
                .with_context(|| format!("{name}: cannot open to restore"))?;
            crate::patch::sink::copy_whole(&copy, &file)
                .map_err(anyhow::Error::from)
                .and_then(|()| later.hold(entry.path.clone(), file))
                .with_context(|| format!("{name}: cannot restore"))
        }
        Mode::Rewrite => {
            let Some(link) = &entry.old_link else {
                return Ok(());
            };
            let Ok(kept) = Identity::of_path(link) else {
                return Ok(()); // never linked, so never rewritten
            };
            let now = Identity::of_path(&entry.path).ok();
            if now.map(|n| n.id) == Some(kept.id) {
                // The rename never happened: the old file is still in place.
                let _ = fs::remove_file(link);
                return Ok(());
            }
            fs::rename(link, &entry.path)
                .with_context(|| format!("{name}: cannot put the old file back"))?;
            // The rename made durable with the rest: the file held is on the file system that
            // is flushed, and where files are synced each, its directory is synced too.
            let file = File::open(&entry.path)
                .with_context(|| format!("{name}: cannot open the file put back"))?;
            later.hold(entry.path.clone(), file)
        }
    }
}

pub(crate) fn remove_run(dir: &Path, entries: &[Entry]) {
    for entry in entries {
        if let Some(link) = &entry.old_link
            && !link.starts_with(dir)
        {
            let _ = fs::remove_file(link);
        }
    }
    let _ = fs::remove_dir_all(dir);
}

/// One file that recovery or undo put back, for the command to report.
pub struct Restored<'a> {
    pub path: &'a Path,
    /// What was done: `rolled back`, `undone`, `restored`.
    pub action: &'static str,
    /// How, or why, in a few words.
    pub detail: String,
    pub run: &'a Stored,
}

impl<'a> Restored<'a> {
    /// What recovery did with `entry` of `run`: `action` when it was there, and what says so
    /// when it was gone; `what` names the run (`an interrupted run`).
    fn of(
        found: Found,
        action: &'static str,
        entry: &'a Entry,
        run: &'a Stored,
        what: &str,
    ) -> Self {
        let of = format!("{what} of `{}`", run.command);
        let (action, detail) = match found {
            Found::There if action == "undone" => (action, format!("{of}, finished")),
            Found::There => (action, of),
            Found::Gone => ("gone", format!("nothing {action}: {of}")),
        };
        Restored {
            path: &entry.path,
            action,
            detail,
            run,
        }
    }
}

impl Restored<'_> {
    /// `PATH: ACTION (DETAIL)`, as the text output has it.
    pub fn text(&self) -> String {
        format!(
            "{}: {} ({})",
            crate::files::name::Name::of(&self.run.shown(self.path)),
            self.action,
            self.detail
        )
    }
}

pub type Report<'r> = dyn FnMut(Restored) + 'r;

pub fn recover(state: &StateDir, scope: &Scope, hooks: &mut Hooks) -> Result<usize> {
    let mut recovered = 0;
    remove_abandoned(state);
    for dir in run_dirs(state) {
        let undoing = dir.join(UNDOING_FILE).exists();
        if dir.join(COMMITTED_FILE).exists() && !undoing {
            continue;
        }
        let Ok(lock) = File::open(dir.join("lock")) else {
            continue;
        };
        test_hooks::hold_at(Step::RecoveryLock);
        let run = read_run(&dir);
        // A run whose files are all gone has nothing to roll back: let go of by any command,
        // which says so once, rather than said to wait for `mmt recover` by every one.
        let touches = run
            .as_ref()
            .is_none_or(|run| scope.touches(run) || all_gone(run));
        if lock.try_lock().is_err() {
            // A live run (left alone), or another mmt rolling this one back or finishing its
            // undo: a command that needs its files waits for that, so that it never reads a
            // half-restored file.
            let being_restored = dir.join(ROLLING_BACK_FILE).exists() || undoing;
            if !(touches && being_restored) {
                continue;
            }
            if !taken_within(&lock, std::time::Duration::from_secs(1)) {
                if let Some(run) = &run {
                    (hooks.waiting)(run);
                }
                lock.lock().context("cannot wait for the rollback")?;
            }
        }
        // Held now. The run's process is gone, or another mmt has finished with it, or it
        // committed (or finished its undo) and let go of its lock since it was first looked
        // at: look again before touching anything, or a run that has just committed would be
        // rolled back.
        if !dir.exists() {
            continue; // rolled back (or the undo finished) by the other mmt
        }
        let undoing = dir.join(UNDOING_FILE).exists();
        if dir.join(COMMITTED_FILE).exists() && !undoing {
            continue;
        }
        let run = read_run(&dir);
        let touches = run
            .as_ref()
            .is_none_or(|run| scope.touches(run) || all_gone(run));
        let Some(run) = run else {
            // No manifest: the run died before recording anything.
            let _ = fs::remove_dir_all(&dir);
            continue;
        };
        if !touches {
            (hooks.elsewhere)(&run);
            continue;
        }
        if undoing {
            finish_undo(&run, hooks.report)?;
            recovered += 1;
            continue;
        }
        // Marked, so that a command that needs these files waits for the rollback.
        let _ = File::create(dir.join(ROLLING_BACK_FILE));
        let undo = UndoData::of(&dir);
        let mut later = LaterSyncs::uninterruptible();
        let mut found = Vec::with_capacity(run.entries.len());
        for (n, entry) in run.entries.iter().enumerate() {
            found.push(restore(&undo, n, entry, &mut later)?);
            crate::patch::targets::remove_stale_temps_of(&entry.path);
        }
        later.sync()?;
        for (entry, found) in run.entries.iter().zip(found) {
            (hooks.report)(Restored::of(
                found,
                "rolled back",
                entry,
                &run,
                "an interrupted run",
            ));
        }
        remove_run(&dir, &run.entries);
        recovered += 1;
    }
    Ok(recovered)
}

/// Whether no file of `run` is left at its path.
fn all_gone(run: &Stored) -> bool {
    run.entries.iter().all(|entry| is_gone(&entry.path))
}

/// Whether nothing is at `path` (links followed): removed, or its directory.
fn is_gone(path: &Path) -> bool {
    fs::metadata(path).is_err_and(|err| err.kind() == io::ErrorKind::NotFound)
}

/// The files a command works on, as far as recovery is concerned: a run that touched none of
/// them is left for `mmt recover`.
#[derive(Debug, Clone)]
pub enum Scope {
    /// Every run (`mmt recover`, or a command whose files come from a list).
    All,
    /// Files and directories (links resolved): a run that touched a file equal to one or under
    /// one of them.
    Paths(Vec<PathBuf>),
}

impl Scope {
    pub fn touches(&self, run: &Stored) -> bool {
        match self {
            Scope::All => true,
            Scope::Paths(paths) => run
                .entries
                .iter()
                .any(|entry| paths.iter().any(|p| entry.path.starts_with(p))),
        }
    }
}

/// What [`recover`] tells its caller as it goes.
pub struct Hooks<'h, 'r> {
    /// A file put back.
    pub report: &'h mut Report<'r>,
    /// Another mmt is rolling back (or finishing the undo of) a run that touched the command's
    /// files: recovery waits for it.
    pub waiting: &'h mut dyn FnMut(&Stored),
    /// An interrupted run that touched none of the command's files, left for `mmt recover`.
    pub elsewhere: &'h mut dyn FnMut(&Stored),
}

/// Whether `lock` could be taken within `wait` (asked every few milliseconds).
pub(super) fn taken_within(lock: &File, wait: std::time::Duration) -> bool {
    let until = std::time::Instant::now() + wait;
    loop {
        if lock.try_lock().is_ok() {
            return true;
        }
        if std::time::Instant::now() >= until {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// The mark of a run being rolled back by a live mmt (which holds its lock).
pub(super) const ROLLING_BACK_FILE: &str = "rolling-back";

/// Finishes an undo of `run` whose process died partway: every file restored (what the undo
/// had restored already is found in place), and the run let go of.
pub(crate) fn finish_undo(run: &Stored, report: &mut Report) -> Result<()> {
    let undo = UndoData::of(&run.dir);
    let mut later = LaterSyncs::uninterruptible();
    let mut found = Vec::with_capacity(run.entries.len());
    for (n, entry) in run.entries.iter().enumerate().rev() {
        found.push((entry, restore(&undo, n, entry, &mut later)?));
    }
    later.sync()?;
    for (entry, found) in found {
        report(Restored::of(
            found,
            "undone",
            entry,
            run,
            "an interrupted `mmt undo`",
        ));
    }
    remove_run(&run.dir, &run.entries);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::borrow::Cow;
    use std::ops::Range;

    /// The undo data of edits at `ranges` whose old bytes are those of `old`.
    fn undo_of(old: &[u8], ranges: &[Range<usize>]) -> Vec<u8> {
        let mut encoded = Vec::new();
        let read = |range: Range<usize>| Ok(Cow::Owned(old[range].to_vec()));
        undo_file::encode(ranges.iter().cloned(), read, &mut encoded).unwrap();
        encoded
    }

    #[test]
    fn old_bytes_go_back_through_windows_and_past_a_shortened_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f");
        let old = b"abcdefghij";
        let encoded = undo_of(old, &[1..3, 4..5, 8..10]);
        // As the run left it, then cut short by someone: the last edit lies past the end.
        fs::write(&path, b"aXYdZfgh").unwrap();
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        apply_undo(&encoded, &file, &path).unwrap();
        assert_eq!(fs::read(&path).unwrap(), old);
        // Applied again, it finds every old byte in place and changes nothing.
        apply_undo(&encoded, &file, &path).unwrap();
        assert_eq!(fs::read(&path).unwrap(), old);
        // An edit that ends exactly at the end of the file, and one past it that already holds
        // its old bytes but for the tail.
        fs::write(&path, b"abcdefghXY").unwrap();
        apply_undo(&undo_of(old, &[8..10]), &file, &path).unwrap();
        assert_eq!(fs::read(&path).unwrap(), old);
        fs::write(&path, b"abcdefghi").unwrap();
        apply_undo(&undo_of(old, &[8..10]), &file, &path).unwrap();
        assert_eq!(fs::read(&path).unwrap(), old);
    }
}
