//! A file opened for patching: locked, checked, and written either in place or by an atomic
//! rewrite. Everything that touches the disk for `replace` and `write` lives here.
//!
//! The order of work is the promise: lock, plan (elsewhere), check that the file is still the
//! one planned on, then write. A failure before the last step leaves the file untouched; the
//! rewrite leaves it untouched even when the last step fails.

mod backup;
mod in_place;
mod rewrite;

pub use backup::{BackupMethod, backup_path};
pub use rewrite::{process_exists, remove_stale_temps_of};

use std::fs::{self, File, Metadata};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::files::id::FileId;
use crate::map::LockedFile;
use crate::patch::{Mode, Plan};

/// How many times to re-open a file that was replaced (renamed over) while we waited for its
/// lock, before giving up.
const REOPEN_ATTEMPTS: usize = 100;

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
            // write, and a rewrite never writes to it (see `sys::take_read_lease`).
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
            if FileId::of(&meta) == FileId::of_path(&real).context("cannot stat")? {
                return Ok(Target { real, file, meta });
            }
        }
        bail!("the file keeps being replaced by another process; try again")
    }

    /// The file's identity: its device and inode, the order in which a run takes its locks.
    pub fn id(&self) -> FileId {
        FileId::of(&self.meta)
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
        let still_there = FileId::of(&self.meta) == FileId::of(&at_path);
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
        if FileId::of(&self.meta) != FileId::of(&at_path) {
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

    /// Whether the open file's size or modification time moved since it was planned on: a
    /// write by a process that does not take mmt's lock.
    fn written_since_planned(&self) -> bool {
        let moved = |m: &Metadata| (m.len(), m.mtime(), m.mtime_nsec());
        self.file
            .metadata()
            .map_or(true, |now| moved(&now) != moved(&self.meta))
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
