//! A file opened for patching: locked, checked, and written either in place or by an atomic
//! rewrite. Everything that touches the disk for `replace` and `write` lives here.
//!
//! The order of work is the promise: lock, plan (elsewhere), check that the file is still the
//! one planned on, then write. A failure before the last step leaves the file untouched; the
//! rewrite leaves it untouched even when the last step fails.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, Metadata, OpenOptions};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::files::ordered;
use crate::map::{self, LockedFile, LockedForWriting, NoLease, View};
use crate::patch::attrs;
use crate::patch::durable::LaterSyncs;
use crate::patch::sink::FileSink;
use crate::patch::sink::{copy_keeping_holes, copy_whole};
use crate::patch::{self, Mode, Plan, Stretch};
use crate::progress::Progress;

/// How many times to re-open a file that was replaced (renamed over) while we waited for its
/// lock, before giving up.
const REOPEN_ATTEMPTS: usize = 100;

/// An in-place patch maps, writes and unmaps its edits in stretches of at most this many
/// bytes: small enough that the write to disk of the first ones overlaps the patching of the
/// rest, large enough that mapping costs little beside the writes.
const STRETCH_MAX: usize = 8 << 20;
/// Stretches in flight for each thread: they are of about one size.
const STRETCHES_PER_THREAD: usize = 2;

pub struct Target {
    /// The file the edits go to: the path given, with symbolic links resolved.
    pub real: PathBuf,
    pub file: Opened,
    pub meta: Metadata,
}

/// How a file changed under mmt since it was planned on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Another file is at its path now.
    Replaced,
    /// Its size moved, from the first to the second.
    Resized(u64, u64),
    /// Written in place: its size kept, its bytes (or at least its modification time) not.
    Written,
}

impl std::fmt::Display for Change {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Change::Replaced => f.write_str("the file was replaced by another process"),
            Change::Resized(from, to) => {
                write!(f, "the file changed size ({from} to {to} bytes)")
            }
            Change::Written => f.write_str("the file was changed by another process"),
        }
    }
}

/// How long a rewrite waits for a writer that has the file open to close it, before it refuses.
const LEASE_PATIENCE: std::time::Duration = std::time::Duration::from_millis(500);

/// Why a rewrite stops when another process writes to the file meanwhile.
const WRITER_CAME: &str = "another process opened the file for writing during the rewrite; a \
rewrite would lose what it writes, so nothing was written";

/// Marks an error that came after an in-place patch began writing, or after a rewrite was
/// renamed into place: the file may hold part or all of the patch, and a run that fails there
/// restores it from the journal.
#[derive(Debug, Clone, Copy)]
pub struct PartlyWritten;

impl std::fmt::Display for PartlyWritten {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the patch was partly written")
    }
}

/// How a file is opened for patching.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// A real run: mmt's exclusive lock, waited for, for the whole run.
    Patch,
    /// A real run over many files: the lock when it is free; when another mmt holds it, the
    /// file is opened unlocked, and the run takes every lock in one order before it writes
    /// (see `Target::lock_waiting`), so that two runs never wait for each other in a circle.
    PatchIfFree,
    /// A real run that locks later: a review, which holds no lock while it waits for keys.
    PatchLater,
    /// A `--copy` dry run: nothing is written, so no lock is needed.
    DryRun,
}

/// The open file of a target: locked for a real run, unlocked for a preview or until the run
/// takes its locks.
pub enum Opened {
    Locked(LockedFile),
    /// To be patched once locked.
    Unlocked(File),
    ForPreview(File),
}

impl std::ops::Deref for Opened {
    type Target = File;

    fn deref(&self) -> &File {
        match self {
            Opened::Locked(file) => file,
            Opened::Unlocked(file) | Opened::ForPreview(file) => file,
        }
    }
}

impl Target {
    /// Opens the file at `path` to be patched (`access` says how it is locked); `waiting` is
    /// told when the lock has been waited for a second.
    pub fn open(path: &Path, access: Access, waiting: &mut dyn FnMut()) -> Result<Target> {
        if path.as_os_str() == "-" {
            bail!("standard input cannot be patched; name a file");
        }
        for _ in 0..REOPEN_ATTEMPTS {
            let real = fs::canonicalize(path).context("cannot open")?;
            let meta = fs::metadata(&real).context("cannot open")?;
            if !meta.is_file() {
                bail!(
                    "not a regular file ({}); only regular files can be patched",
                    describe_kind(&meta)
                );
            }
            // Read-only: an in-place patch opens the file again for writing when it comes to
            // write, and a rewrite never writes to it (see `map::take_read_lease`).
            let file = File::open(&real).context("cannot open")?;
            let file = match access {
                Access::Patch => {
                    Opened::Locked(LockedFile::lock(file, waiting).context("cannot lock")?)
                }
                Access::PatchIfFree => match LockedFile::try_lock(file).context("cannot lock")? {
                    Ok(locked) => Opened::Locked(locked),
                    Err(file) => Opened::Unlocked(file),
                },
                Access::PatchLater => Opened::Unlocked(file),
                Access::DryRun => Opened::ForPreview(file),
            };
            let meta = file.metadata().context("cannot stat")?;
            // Another mmt may have renamed a rewritten file over this path while we waited for
            // the lock; then we hold the lock of a file that is no longer there. Start again.
            if same_file(&meta, &fs::metadata(&real).context("cannot stat")?) {
                return Ok(Target { real, file, meta });
            }
        }
        bail!("the file keeps being replaced by another process; try again")
    }

    /// The file's identity: its device and inode, the order in which a run takes its locks.
    pub fn key(&self) -> (u64, u64) {
        (self.meta.dev(), self.meta.ino())
    }

    /// Whether the file is still to be locked before it is written.
    pub fn is_unlocked(&self) -> bool {
        matches!(self.file, Opened::Unlocked(_))
    }

    /// Lets mmt's lock on the file go (a run that met another's lock takes all of its own again,
    /// in one order).
    pub fn unlock(self) -> Result<Target> {
        let file = match self.file {
            Opened::Locked(locked) => Opened::Unlocked(locked.unlock().context("cannot unlock")?),
            other => other,
        };
        Ok(Target { file, ..self })
    }

    /// Takes mmt's lock on the file, waiting for another mmt that holds it (`waiting` is told
    /// after a second). Whether the path still names the file once locked: another mmt's
    /// rewrite may have replaced it meanwhile, and then the file is to be opened again.
    pub fn lock_waiting(self, waiting: &mut dyn FnMut()) -> Result<(Target, bool)> {
        let file = match self.file {
            Opened::Unlocked(file) => {
                Opened::Locked(LockedFile::lock(file, waiting).context("cannot lock")?)
            }
            other => other,
        };
        let at_path = fs::metadata(&self.real).context("cannot stat")?;
        let still_there = same_file(&self.meta, &at_path);
        Ok((Target { file, ..self }, still_there))
    }

    /// The file is planned on again, as it is now (locked, after another run changed it).
    pub fn planned_again(&mut self) -> Result<()> {
        self.meta = self.file.metadata().context("cannot stat")?;
        Ok(())
    }

    /// Refuses to go on when the file was replaced or resized since it was planned on, which a
    /// process that does not take mmt's lock could have done.
    pub fn check_unchanged(&self) -> Result<()> {
        match self.change_since_planned()? {
            Some(change) => bail!("{change} while mmt planned its edits; nothing written"),
            None => Ok(()),
        }
    }

    /// How the file changed since it was opened to be planned on, if it did: replaced at its
    /// path, resized, or written (its modification time moved).
    pub fn change_since_planned(&self) -> Result<Option<Change>> {
        let now_open = self.file.metadata().context("cannot stat")?;
        let at_path = fs::metadata(&self.real).context("cannot stat")?;
        if !same_file(&self.meta, &at_path) {
            return Ok(Some(Change::Replaced));
        }
        if now_open.len() != self.meta.len() {
            return Ok(Some(Change::Resized(self.meta.len(), now_open.len())));
        }
        // A write by another process that keeps the size still moves the modification time.
        // (Not the change time: the journal's own hard link to a file moves that.)
        let moved = |m: &Metadata| (m.mtime(), m.mtime_nsec());
        if moved(&now_open) != moved(&self.meta) {
            return Ok(Some(Change::Written));
        }
        Ok(None)
    }

    /// Patches a plan that keeps the length: through a write-through map, so only the touched
    /// pages are dirtied, or with positioned writes under `--no-mmap`; then syncs (with `later`,
    /// the run's commit does).
    pub fn patch_in_place(
        &self,
        plan: &Plan,
        no_mmap: bool,
        threads: usize,
        later: Option<&mut LaterSyncs>,
    ) -> Result<()> {
        if plan.touched().is_none() {
            return Ok(());
        }
        let Opened::Locked(locked) = &self.file else {
            bail!("a preview cannot write (this is a bug in mmt)");
        };
        self.check_unchanged()?;
        let writable = locked
            .open_for_writing(&self.real)
            .map_err(|err| anyhow::anyhow!("cannot open for writing: {err}"))?;
        // Ctrl-C, SIGTERM and SIGHUP wait until the patch is written and synced: an in-place
        // patch is never left half done by them.
        let _held_back = map::hold_back_interrupts();
        crate::test_hooks::pause("MMT_TEST_PAUSE_IN_PATCH_MS");
        if !no_mmap {
            self.allocate_holes(&writable, plan)?;
        }
        let written = self.write_in_place(&writable, plan, no_mmap, threads, later);
        written.map_err(|err| err.context(PartlyWritten))
    }

    fn write_in_place(
        &self,
        writable: &LockedForWriting,
        plan: &Plan,
        no_mmap: bool,
        threads: usize,
        later: Option<&mut LaterSyncs>,
    ) -> Result<()> {
        if no_mmap {
            for edit in plan.edits() {
                writable
                    .write_all_at(plan.replacement(&edit), edit.start as u64)
                    .context("cannot write")?;
            }
        } else {
            // In two halves, with a test seam between them: a test kills mmt half done.
            let half = plan.len() / 2;
            // One thread for edits that fit one stretch: no thread is started for a small file.
            let threads = match plan.touched() {
                Some(touched) if touched.len() > STRETCH_MAX => threads,
                _ => 1,
            };
            let mut edits = plan.edits();
            let first_half = patch::stretches(&mut edits, half, STRETCH_MAX);
            self.patch_stretches(writable, plan, first_half, threads)?;
            crate::test_hooks::pause("MMT_TEST_PAUSE_MID_PATCH_MS");
            let second_half = patch::stretches(&mut edits, plan.len() - half, STRETCH_MAX);
            self.patch_stretches(writable, plan, second_half, threads)?;
        }
        match later {
            Some(later) => {
                let file = writable
                    .try_clone()
                    .context("cannot keep the file to sync")?;
                later.hold(self.real.clone(), file)
            }
            None => writable.sync_data().context("cannot sync"),
        }
    }

    /// Patches each stretch on `threads` threads: mapped, written, unmapped, and its write to
    /// disk started. The pages are unmapped before they are written back: written back while
    /// still mapped (msync, or sync_file_range), each page would first be write-protected in
    /// the map again, a walk and a TLB flush per page, a third of a dense patch's time. Written
    /// back behind the patch, most of them are on disk by the time the file is synced.
    fn patch_stretches<'p>(
        &self,
        writable: &LockedForWriting,
        plan: &'p Plan,
        stretches: impl Iterator<Item = Stretch<'p>>,
        threads: usize,
    ) -> Result<()> {
        let patch_one = |stretch: Stretch| -> Result<()> {
            let base = stretch.range.start;
            let range = base as u64..stretch.range.end as u64;
            let mut map = map::map_shared_window(writable, range.clone(), &self.real)?;
            plan.write_edits(stretch.edits(), &mut map, base);
            drop(map);
            // (A length of 0 would ask for everything from `range.start` to the end.)
            if range.end > range.start {
                map::start_writeback(writable, range.start, range.end - range.start);
            }
            Ok(())
        };
        ordered::in_order(
            stretches,
            threads,
            STRETCHES_PER_THREAD,
            patch_one,
            |done| done.map(|()| true),
        )
    }

    /// In a sparse file, a store into a hole needs a block; on a full disk the kernel can only
    /// answer with SIGBUS. Allocating the touched ranges first turns that into an ENOSPC error
    /// before a byte is written. Dense files (the common case) skip this.
    fn allocate_holes(&self, writable: &File, plan: &Plan) -> Result<()> {
        if self.meta.blocks().saturating_mul(512) >= self.meta.len() {
            return Ok(());
        }
        for edit in plan.edits().filter(|e| e.end > e.start) {
            rustix::fs::fallocate(
                writable,
                rustix::fs::FallocateFlags::KEEP_SIZE,
                edit.start as u64,
                (edit.end - edit.start) as u64,
            )
            .map_err(io::Error::from)
            .context("cannot allocate space for the edit; nothing written")?;
        }
        Ok(())
    }

    /// Writes the new content to a temporary file beside the original, syncs it and renames it
    /// over the original, keeping permission bits (and the owner, as root). `old` is the
    /// original as planned on; the holes of a sparse original stay holes. With `later`, the
    /// syncs after the rename are left to the run's commit; `journaled`, the sync before it
    /// too (the journal puts the old file back after a crash; without it, the new content is
    /// durable before its name is).
    pub fn rewrite(
        &self,
        plan: &Plan,
        old: &View,
        backup: Option<&Path>,
        progress: &Progress,
        later: Option<&mut LaterSyncs>,
        journaled: bool,
    ) -> Result<()> {
        let dir = self.real.parent().unwrap_or(Path::new("."));
        let file_name = self.real.file_name().unwrap_or(OsStr::new("mmt"));
        remove_stale_temps(dir, file_name);
        // Another process writing to the file while it is rewritten would write to the old
        // file, lost once the new one is renamed over it. A read lease catches every writer:
        // one that has the file open now is refused here, one that opens it later breaks the
        // lease. Where no lease can be had, the size and time of the old file are checked at
        // the last moment before the rename and once more after it.
        let lease = if crate::test_hooks::set("MMT_TEST_NO_LEASE") {
            Err(NoLease::Unsupported)
        } else {
            self.lease_when_no_writer()
        };
        let lease = match lease {
            Ok(lease) => Some(lease),
            Err(NoLease::Writers) => bail!(
                "another process has the file open for writing; a rewrite would lose what it \
                 writes, so nothing was written (try again once it has closed the file)"
            ),
            Err(NoLease::Unsupported) => None,
        };
        let writer_came = || lease.as_ref().is_some_and(map::ReadLease::broken);
        let stop = || -> io::Result<()> {
            if map::interrupt_pending() {
                return Err(io::Error::new(io::ErrorKind::Interrupted, "interrupted"));
            }
            if writer_came() {
                return Err(io::Error::other(WRITER_CAME));
            }
            Ok(())
        };
        let temp = tempfile::Builder::new()
            .prefix(&temp_prefix(file_name))
            .suffix(&temp_suffix())
            .permissions(fs::Permissions::from_mode(0o600))
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        // From here on, an error drops `temp`, which deletes the temporary file; a signal that
        // ends mmt deletes it too.
        let _on_signal = map::remove_on_signal(temp.path());
        crate::test_hooks::pause_unless("MMT_TEST_PAUSE_IN_REWRITE_MS", &|| stop().is_err());
        let mut sink = FileSink::new(
            &self.file,
            old,
            old.data_extents(),
            temp.as_file(),
            progress,
            &stop,
        );
        plan.rewrite_into(old.len(), &mut sink)
            .and_then(|()| sink.finish())
            .context("cannot write the new content")?;
        drop(sink);
        if !journaled {
            map::write_out(temp.as_file(), &|| stop().is_err())
                .and_then(|()| stop())
                .and_then(|()| temp.as_file().sync_data())
                .context("cannot sync the new content")?;
        }
        // Owner, mode and extended attributes go on last: writing would clear some of them.
        attrs::keep(&self.file, &self.meta, temp.as_file())?;
        if !journaled {
            temp.as_file()
                .sync_all()
                .context("cannot sync the new content")?;
        }
        // The last moment a Ctrl-C held back during the syncs can cancel the rewrite for free:
        // the rename below is this file's commit point.
        stop()?;
        self.check_unchanged()?;
        if let Some(backup) = backup {
            self.backup(backup, BackupMethod::HardLink)?;
        }
        // Without a journal nothing else keeps the old file: a name for it until the rename
        // is known to have lost no write.
        let kept = match journaled {
            true => None,
            false => Some(self.keep_old(dir, file_name)?),
        };
        crate::test_hooks::pause_unless("MMT_TEST_PAUSE_BEFORE_RENAME_MS", &|| {
            self.changed_since_planned()
        });
        let file = temp
            .persist(&self.real)
            .map_err(|err| err.error)
            .context("cannot rename the new content over the original")?;
        if writer_came() || self.changed_since_planned() {
            // A write reached the old file after all: put it back, with that write.
            return Err(match kept {
                Some(kept) => match kept.persist(&self.real) {
                    Ok(()) => anyhow::anyhow!("{WRITER_CAME}; the file was put back as it is"),
                    Err(err) => {
                        // Kept, not deleted with the temporary name: it is the only copy.
                        let at = match err.path.keep() {
                            Ok(at) => at,
                            Err(again) => again.path.to_path_buf(),
                        };
                        anyhow::anyhow!(
                            "{WRITER_CAME}, and putting the old file back failed ({}); it is \
                             kept as {}",
                            err.error,
                            at.display()
                        )
                    }
                },
                None => anyhow::anyhow!(WRITER_CAME).context(PartlyWritten),
            });
        }
        drop(lease);
        drop(kept);
        match later {
            Some(later) => {
                // Renamed already: a failure from here on restores the file too.
                later
                    .hold(self.real.clone(), file)
                    .map_err(|err| err.context(PartlyWritten))?;
            }
            // The rename is durable once the directory is synced; a failure here is not worth
            // failing a run whose edit has landed.
            None => {
                if let Ok(dir) = File::open(dir) {
                    let _ = dir.sync_all();
                }
            }
        }
        Ok(())
    }

    /// A read lease on the file, asked for again for a moment while a writer has it open: a
    /// process that forks holds a copy of its parent's descriptors until it runs its program,
    /// so a file just written and closed can look open for writing for a few milliseconds
    /// (a shell's redirection, a test harness's threads). A writer that keeps it open is still
    /// refused, after [`LEASE_PATIENCE`].
    fn lease_when_no_writer(&self) -> Result<map::ReadLease<'_>, NoLease> {
        let until = std::time::Instant::now() + LEASE_PATIENCE;
        loop {
            match map::take_read_lease(&self.file) {
                Err(NoLease::Writers) if std::time::Instant::now() < until => {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                taken => return taken,
            }
        }
    }

    /// A second name for the old file beside it, removed when dropped (and by a later run if
    /// mmt is killed: it is named as a temporary file of this process).
    fn keep_old(&self, dir: &Path, file_name: &OsStr) -> Result<tempfile::TempPath> {
        tempfile::Builder::new()
            .prefix(&temp_prefix(file_name))
            .suffix(&temp_suffix())
            .make_in(dir, |name| fs::hard_link(&self.real, name))
            .map(tempfile::NamedTempFile::into_temp_path)
            .with_context(|| format!("cannot link the old file in {}", dir.display()))
    }

    /// Whether the open file's size or modification time moved since it was planned on: a
    /// write by a process that does not take mmt's lock.
    fn changed_since_planned(&self) -> bool {
        let moved = |m: &Metadata| (m.len(), m.mtime(), m.mtime_nsec());
        self.file
            .metadata()
            .map_or(true, |now| moved(&now) != moved(&self.meta))
    }

    /// Keeps the original as `backup`, replacing any older backup atomically. A hard link costs
    /// nothing and suits a rewrite (the original inode is left alone); an in-place patch needs
    /// a real copy, made before the first byte is written.
    pub fn backup(&self, backup: &Path, method: BackupMethod) -> Result<()> {
        let dir = backup
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let make = |copy: bool| {
            tempfile::Builder::new()
                .prefix(".mmt-backup.")
                .suffix(&temp_suffix())
                .make_in(dir, |name| {
                    let _on_signal = map::remove_on_signal(name);
                    if copy {
                        copy_preserving(&self.real, name)
                    } else {
                        fs::hard_link(&self.real, name)
                    }
                })
        };
        let temp = match method {
            BackupMethod::Copy => make(true),
            // Hard links may be unsupported (or cross a device): then a copy. A copy that
            // fails is not tried twice.
            BackupMethod::HardLink => make(false).or_else(|_| make(true)),
        }
        .with_context(|| format!("cannot write the backup {}", backup.display()))?;
        let _on_signal = map::remove_on_signal(temp.path());
        temp.persist(backup)
            .map_err(|err| err.error)
            .with_context(|| format!("cannot write the backup {}", backup.display()))?;
        Ok(())
    }

    /// How `plan` is written to this file: in place when it keeps the length; else by a
    /// rewrite, into the file itself when the file has other hard links (so that every name of
    /// it sees the change, inside the run's tree and outside it).
    pub fn mode(&self, plan: &Plan) -> Mode {
        match Mode::of(plan) {
            Mode::Rewrite if self.meta.nlink() > 1 => Mode::RewriteInPlace,
            mode => mode,
        }
    }

    /// Writes a plan that changes the length into the file itself (see [`Mode::RewriteInPlace`]):
    /// the new content streamed over the old from the first edit on, the old bytes read from a
    /// copy of the old content taken first: `copy`, the journal's, or without a journal a
    /// private one beside the file, which puts the file back if the write fails (and is left
    /// there, `.NAME.XXXXXX.PID.mmt-old`, if mmt is killed meanwhile). Ctrl-C, SIGTERM and
    /// SIGHUP wait until it is written, as for an in-place patch.
    pub fn rewrite_in_place(
        &self,
        plan: &Plan,
        copy: Option<&Path>,
        progress: &Progress,
        later: Option<&mut LaterSyncs>,
    ) -> Result<()> {
        let Opened::Locked(locked) = &self.file else {
            bail!("a preview cannot write (this is a bug in mmt)");
        };
        self.check_unchanged()?;
        let writable = locked
            .open_for_writing(&self.real)
            .map_err(|err| anyhow::anyhow!("cannot open for writing: {err}"))?;
        let _held_back = map::hold_back_interrupts();
        let private = match copy {
            Some(_) => None,
            None => Some(self.keep_private_copy()?),
        };
        let copy = copy.or(private.as_deref()).unwrap_or(Path::new(""));
        let source = File::open(copy).context("cannot read the copy of the old content")?;
        let old = map::view_of_file(&source, copy, map::ReadPlan::whole(false))?;
        let never = || Ok(());
        let mut sink = FileSink::in_place(&source, &old, &writable, progress, &never);
        let written = plan
            .rewrite_into(old.len(), &mut sink)
            .and_then(|()| sink.finish())
            .context("cannot write the new content");
        drop(sink);
        // A test kills mmt here: the new content written over the old, nothing synced.
        crate::test_hooks::pause("MMT_TEST_PAUSE_MID_PATCH_MS");
        let synced = written.and_then(|()| match later {
            Some(later) => {
                let file = writable
                    .try_clone()
                    .context("cannot keep the file to sync")?;
                later.hold(self.real.clone(), file)
            }
            None => writable.sync_all().context("cannot sync"),
        });
        let Err(err) = synced else {
            return Ok(());
        };
        if private.is_none() {
            // The journal's rollback copies the old content back.
            return Err(err.context(PartlyWritten));
        }
        match copy_whole(&source, &writable).and_then(|()| writable.sync_all()) {
            Ok(()) => Err(err.context("the file was put back as it was")),
            Err(again) => {
                // Kept, not deleted when dropped: it is the only copy of the old content.
                let kept = match private.map(tempfile::TempPath::keep) {
                    Some(Ok(at)) => at,
                    Some(Err(not)) => not.path.to_path_buf(),
                    None => PathBuf::new(),
                };
                Err(err.context(format!(
                    "putting the old content back failed too ({again}); it is kept as {}",
                    kept.display()
                )))
            }
        }
    }

    /// A copy of the file beside it, removed when dropped (a `kill -9` leaves it).
    fn keep_private_copy(&self) -> Result<tempfile::TempPath> {
        let dir = self.real.parent().unwrap_or(Path::new("."));
        let file_name = self.real.file_name().unwrap_or(OsStr::new("mmt"));
        tempfile::Builder::new()
            .prefix(&temp_prefix(file_name))
            .suffix(&format!(".{}.mmt-old", std::process::id()))
            .make_in(dir, |name| copy_preserving(&self.real, name))
            .map(tempfile::NamedTempFile::into_temp_path)
            .with_context(|| format!("cannot keep a copy of the old content in {}", dir.display()))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackupMethod {
    HardLink,
    Copy,
}

/// `path` + `suffix`, as `sed -i SUFFIX` names its backup. The suffix must make another name in
/// the same directory: an empty one would be the file itself, and one with a `/` a path
/// elsewhere.
pub fn backup_path(path: &Path, suffix: &OsStr) -> Result<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    if suffix.is_empty() {
        bail!("--backup needs a suffix such as .bak (an empty one names the file itself)");
    }
    if suffix.as_bytes().contains(&b'/') {
        bail!(
            "--backup takes a suffix for the file's own name, such as .bak, not a path ({})",
            suffix.to_string_lossy()
        );
    }
    let mut name = path.as_os_str().to_os_string();
    name.push(suffix);
    Ok(PathBuf::from(name))
}

/// Copies a file without following the creation through a symlink at `to` (`to` is new).
/// Copies a file, keeping its holes, without following a symlink at `to` (`to` is new). A copy
/// that fails (a full disk) is removed, not left half-written.
fn copy_preserving(from: &Path, to: &Path) -> io::Result<()> {
    let source = File::open(from)?;
    let dest = OpenOptions::new().write(true).create_new(true).open(to)?;
    let copied = copy_keeping_holes(&source, &dest)
        .and_then(|()| dest.set_permissions(source.metadata()?.permissions()))
        .and_then(|()| dest.sync_all());
    if copied.is_err() {
        let _ = fs::remove_file(to);
    }
    copied
}

/// The start of a temporary file's name beside `file_name`: `.NAME.`, with NAME shortened so
/// that the whole name stays within the 255 bytes a file name may have (a file whose name is
/// near that limit can be rewritten too).
fn temp_prefix(file_name: &OsStr) -> OsString {
    use std::os::unix::ffi::OsStrExt;
    const ROOM: usize = 255 - 40; // the dots, 6 random characters and `.PID.mmt-tmp`
    let name = file_name.as_bytes();
    let mut prefix = OsString::from(".");
    prefix.push(OsStr::from_bytes(&name[..name.len().min(ROOM)]));
    prefix.push(".");
    prefix
}

/// The end of a temporary file's name: the process's id, so that a later run can tell a
/// temporary file of a process that died (`kill -9`, a crash) from one still being written.
fn temp_suffix() -> String {
    format!(".{}.mmt-tmp", std::process::id())
}

/// Removes the temporary files that runs killed while rewriting `path` left beside it.
pub fn remove_stale_temps_of(path: &Path) {
    if let (Some(dir), Some(name)) = (path.parent(), path.file_name()) {
        remove_stale_temps(dir, name);
    }
}

/// Removes the temporary files that earlier runs left beside `file_name` when they were killed:
/// named like ours, owned by this user, and made by a process that no longer exists.
fn remove_stale_temps(dir: &Path, file_name: &OsStr) {
    use std::os::unix::ffi::OsStrExt;
    let prefix = temp_prefix(file_name);
    let me = rustix::process::geteuid().as_raw();
    for name in temps_in(dir).iter() {
        let Some(rest) = name.as_bytes().strip_prefix(prefix.as_bytes()) else {
            continue;
        };
        let Some(pid) = stale_temp_pid(rest) else {
            continue;
        };
        let path = dir.join(name);
        let owned = fs::symlink_metadata(&path).is_ok_and(|m| m.uid() == me);
        if owned && !process_exists(pid) {
            let _ = fs::remove_file(path);
        }
    }
}

/// The names in `dir` that end like mmt's temporary files, listed once per process: a run
/// that rewrites many files of one directory would otherwise list the directory again for each
/// of them (10,000 files in one directory took 40 s, nearly all of it listing). A temporary
/// file left by a run that dies after the listing is removed by a later run.
fn temps_in(dir: &Path) -> std::sync::Arc<Vec<OsString>> {
    use std::collections::HashMap;
    use std::os::unix::ffi::OsStrExt;
    use std::sync::{Arc, LazyLock, Mutex, PoisonError};
    type Listed = HashMap<PathBuf, Arc<Vec<OsString>>>;
    static LISTED: LazyLock<Mutex<Listed>> = LazyLock::new(Default::default);
    if let Some(names) = LISTED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(dir)
    {
        return Arc::clone(names);
    }
    let names: Vec<OsString> = fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|entry| entry.file_name())
                .filter(|name| name.as_bytes().ends_with(b".mmt-tmp"))
                .collect()
        })
        .unwrap_or_default();
    let names = Arc::new(names);
    LISTED
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(dir.to_path_buf(), Arc::clone(&names));
    names
}

/// The process id in the rest of a temporary file's name (`XXXXXX.PID.mmt-tmp`).
fn stale_temp_pid(rest: &[u8]) -> Option<i32> {
    let body = rest.strip_suffix(b".mmt-tmp")?;
    let dot = body.iter().rposition(|&b| b == b'.')?;
    let pid = std::str::from_utf8(&body[dot + 1..]).ok()?.parse().ok()?;
    (pid > 0).then_some(pid)
}

pub fn process_exists(pid: i32) -> bool {
    let Some(pid) = rustix::process::Pid::from_raw(pid) else {
        return false;
    };
    // Signal 0 checks without sending; EPERM means it exists under another user.
    !matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
}

fn same_file(a: &Metadata, b: &Metadata) -> bool {
    a.dev() == b.dev() && a.ino() == b.ino()
}

fn describe_kind(meta: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let kind = meta.file_type();
    if kind.is_dir() {
        "a directory"
    } else if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() {
        "a character device"
    } else if kind.is_block_device() {
        "a block device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "not a plain file"
    }
}
