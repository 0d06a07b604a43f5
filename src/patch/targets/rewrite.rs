//! The atomic rewrite: a temporary file beside the target, renamed over it, and the clean-up of
//! the temporary files that killed runs left behind.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File};
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::map::View;
use crate::patch::Plan;
use crate::patch::attrs;
use crate::patch::durable::LaterSyncs;
use crate::patch::sink::FileSink;
use crate::progress::Progress;
use crate::sys;
use crate::sys::NoLease;
use crate::test_hooks::{self, Step};

use super::{BackupMethod, PartlyWritten, Target};

/// How long a rewrite waits for a writer that has the file open to close it, before it refuses.
const LEASE_PATIENCE: std::time::Duration = std::time::Duration::from_millis(500);

/// Why a rewrite stops when another process writes to the file meanwhile.
const WRITER_CAME: &str = "another process opened the file for writing during the rewrite; a \
rewrite would lose what it writes, so nothing was written";

impl Target {
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
        let lease = if test_hooks::set("MMT_TEST_NO_LEASE") {
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
        let writer_came = || lease.as_ref().is_some_and(sys::ReadLease::broken);
        let stop = || -> io::Result<()> {
            if sys::interrupt_pending() {
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
        let _on_signal = sys::remove_on_signal(temp.path());
        test_hooks::hold_unless(Step::InRewrite, &|| stop().is_err());
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
            sys::write_out(temp.as_file(), &|| stop().is_err())
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
        test_hooks::hold_unless(Step::BeforeRename, &|| self.written_since_planned());
        let file = temp
            .persist(&self.real)
            .map_err(|err| err.error)
            .context("cannot rename the new content over the original")?;
        if writer_came() || self.written_since_planned() {
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
    pub(super) fn lease_when_no_writer(&self) -> Result<sys::ReadLease<'_>, NoLease> {
        let until = std::time::Instant::now() + LEASE_PATIENCE;
        loop {
            match sys::take_read_lease(&self.file) {
                Err(NoLease::Writers) if std::time::Instant::now() < until => {
                    std::thread::sleep(std::time::Duration::from_millis(5));
                }
                taken => return taken,
            }
        }
    }

    /// A second name for the old file beside it, removed when dropped (and by a later run if
    /// mmt is killed: it is named as a temporary file of this process).
    pub(super) fn keep_old(&self, dir: &Path, file_name: &OsStr) -> Result<tempfile::TempPath> {
        tempfile::Builder::new()
            .prefix(&temp_prefix(file_name))
            .suffix(&temp_suffix())
            .make_in(dir, |name| fs::hard_link(&self.real, name))
            .map(tempfile::NamedTempFile::into_temp_path)
            .with_context(|| format!("cannot link the old file in {}", dir.display()))
    }
}

/// The start of a temporary file's name beside `file_name`: `.NAME.`, with NAME shortened so
/// that the whole name stays within the 255 bytes a file name may have (a file whose name is
/// near that limit can be rewritten too).
pub(super) fn temp_prefix(file_name: &OsStr) -> OsString {
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
pub(super) fn temp_suffix() -> String {
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
/// of them, a cost that grows with the square of the directory's size. A temporary
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
