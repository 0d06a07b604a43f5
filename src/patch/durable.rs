//! Durable for the price of one flush, as git's `core.fsyncMethod=batch` makes its objects
//! durable: each file a run writes only has its data written out (`sync_file_range`, which
//! waits for the writes but neither commits the file system's journal nor flushes the disk's
//! cache), and once every file is written out, one flush per file system makes all of them
//! durable together, with the renames and sizes that name their data.
//!
//! The flush is `syncfs`, not git's `fsync` of a fresh dummy file: an `fsync` commits every
//! earlier change only on a file system with one ordered journal (ext4 without fast commits,
//! XFS), where `syncfs` commits everything on any Linux file system (ext4 with or without a
//! journal, XFS, btrfs, f2fs) and flushes the disk's cache. Its price: it also writes out what
//! other processes left dirty on that file system. doc/transactions.md says so.
//!
//! Where `syncfs` does not reach storage ([`Flush::EachFile`]: FUSE, whose server never hears
//! of it, and 9p), each file and each directory a run renamed into is synced on its own
//! (`fsync`), as git's `core.fsyncMethod=fsync` does. So are the few files of a small run, and
//! the journal's own files, for which one `fsync` each costs no more than a flush and waits for
//! nothing that other processes left dirty.

use std::fs::File;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::sys;

/// How the writes on one file system are made durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flush {
    /// One `syncfs` commits everything written on it.
    FileSystem,
    /// `syncfs` stops short of the storage: each file and directory is synced on its own.
    EachFile,
}

/// The file systems whose `syncfs` does not reach storage, by their `statfs` type, and their
/// names for doc/transactions.md: FUSE (`fuse_sync_fs` forwards it to virtiofs servers alone; measured
/// here: `syncfs` returns 0 and the server sees nothing) and 9p (no `sync_fs`, and its
/// `write_inode` asks the server for no fsync; only `fsync` sends one).
pub const SYNCFS_FALLS_SHORT: [(i64, &str); 2] = [(0x6573_5546, "FUSE"), (0x0102_1997, "9p")];

impl Flush {
    /// How the file system that holds `file` is made durable.
    pub fn of(file: &File) -> Flush {
        // The tests' crash-simulating file system is FUSE; through this seam it hears of each
        // `syncfs`, so that the batched way is tested on it too.
        if crate::test_hooks::syncfs_seam().is_some() {
            return Flush::FileSystem;
        }
        match rustix::fs::fstatfs(file) {
            Ok(stat)
                if SYNCFS_FALLS_SHORT
                    .iter()
                    .any(|(kind, _)| *kind == stat.f_type) =>
            {
                Flush::EachFile
            }
            _ => Flush::FileSystem,
        }
    }
}

/// Files a run has written, held until they are made durable together by [`LaterSyncs::sync`].
///
/// Each file is held open until it is written out (an open file is the inode written, whatever
/// happens to its name), at most [`HELD_AT_MOST`] at a time: past that, those held are written
/// out at once, so that a run over many files does not run out of file descriptors. One file of
/// each file system is kept open for the flush.
#[derive(Default)]
pub struct LaterSyncs {
    files: Vec<(PathBuf, File)>,
    /// How many files were held in all.
    held: usize,
    /// One open file on each file system flushed as a whole, by device number: what `syncfs`
    /// flushes.
    file_systems: Vec<(u64, File)>,
    /// How each file system met so far is made durable, by device number.
    flushes: Vec<(u64, Flush)>,
    /// The directories of the files synced each: the renames into them.
    dirs: Vec<PathBuf>,
    /// A restore's syncs (a rollback, an undo, a recovery): never cut short by a Ctrl-C, which
    /// is what a rollback answers.
    to_the_end: bool,
}

/// Up to this many files, each is synced on its own (`fsync`) instead of by one `syncfs`.
const FSYNCED_EACH: usize = 4;

/// Files held open for a later sync, at most.
const HELD_AT_MOST: usize = 256;

impl LaterSyncs {
    /// For what cannot be cut short: a restore (a rollback, an undo, a recovery), which is what
    /// a Ctrl-C answers, and a run without a journal, past its first write. Made durable
    /// whatever signal is waiting.
    pub fn uninterruptible() -> LaterSyncs {
        LaterSyncs {
            to_the_end: true,
            ..LaterSyncs::default()
        }
    }

    /// Another, empty, that stops as this one does: for a thread that writes files of the run.
    pub fn alike(&self) -> LaterSyncs {
        LaterSyncs {
            to_the_end: self.to_the_end,
            ..LaterSyncs::default()
        }
    }

    /// Takes in what `other` holds (what another thread of the run wrote), to be made durable
    /// with the rest.
    pub fn absorb(&mut self, other: LaterSyncs) -> Result<()> {
        self.held += other.held;
        self.dirs.extend(other.dirs);
        for (device, flush) in other.flushes {
            if !self.flushes.iter().any(|(dev, _)| *dev == device) {
                self.flushes.push((device, flush));
            }
        }
        for (device, file) in other.file_systems {
            if !self.file_systems.iter().any(|(dev, _)| *dev == device) {
                self.file_systems.push((device, file));
            }
        }
        self.files.extend(other.files);
        if self.files.len() >= HELD_AT_MOST {
            self.write_out_held()?;
        }
        Ok(())
    }

    /// Whether a long write-out stops early: a run's does when a Ctrl-C waits (it is then
    /// rolled back at once), a restore's never.
    fn stop(&self) -> bool {
        !self.to_the_end && sys::interrupt_pending()
    }

    /// Holds `file` (written at `path`) for the flush; writes out those held when there are many.
    pub fn hold(&mut self, path: PathBuf, file: File) -> Result<()> {
        self.held += 1;
        self.files.push((path, file));
        if self.files.len() >= HELD_AT_MOST {
            self.write_out_held()?;
        }
        Ok(())
    }

    /// Whether so few files were held that each is synced on its own.
    fn syncs_each(&self) -> bool {
        self.held <= FSYNCED_EACH
    }

    /// How the file system `device` (of `file`) is made durable, asked once per file system.
    fn flush_of(&mut self, device: u64, file: &File) -> Flush {
        if let Some((_, flush)) = self.flushes.iter().find(|(dev, _)| *dev == device) {
            return *flush;
        }
        let flush = Flush::of(file);
        self.flushes.push((device, flush));
        flush
    }

    /// Writes out the data of every file held; a file on a file system that `syncfs` does not
    /// reach is synced on its own instead, its directory kept to be synced too.
    fn write_out_held(&mut self) -> Result<()> {
        for (path, file) in std::mem::take(&mut self.files) {
            let cannot = || format!("{}: cannot sync the new content", path.display());
            let device = file.metadata().with_context(cannot)?.dev();
            if self.flush_of(device, &file) == Flush::EachFile {
                sync_written(&file, &|| self.stop()).with_context(cannot)?;
                self.dirs.extend(path.parent().map(Path::to_path_buf));
                continue;
            }
            // In pieces, so that a Ctrl-C during a long sync rolls the run back at once.
            sys::write_out(&file, &|| self.stop()).with_context(cannot)?;
            if !self.file_systems.iter().any(|(dev, _)| *dev == device) {
                self.file_systems.push((device, file));
            }
        }
        Ok(())
    }

    /// Makes every file written so far durable, with the renames in their directories: their
    /// data written out, then one flush of each file system they are on (or, for a few files
    /// and where that flush falls short, an `fsync` of each and of its directory).
    pub fn sync(mut self) -> Result<()> {
        if self.syncs_each() {
            // A few files: an fsync each costs no more than one flush, and waits for nothing
            // that other processes left dirty on the file system.
            let to_the_end = self.to_the_end;
            let stop = || !to_the_end && sys::interrupt_pending();
            for (path, file) in self.files.drain(..) {
                sync_written(&file, &stop)
                    .with_context(|| format!("{}: cannot sync the new content", path.display()))?;
                self.dirs.extend(path.parent().map(Path::to_path_buf));
            }
        } else {
            self.write_out_held()?;
            for (_, file) in &self.file_systems {
                flush_file_system(file).context("cannot sync the new content")?;
            }
        }
        sync_dirs(self.dirs)
    }
}

/// Makes `file` durable on its own, its data and its metadata (`fsync`).
pub fn sync_file(file: &File) -> io::Result<()> {
    file.sync_all()
}

/// [`sync_file`] for a file a run wrote: its data written out first in pieces, so that a
/// Ctrl-C held back during a long sync rolls the run back at once (`stop`).
fn sync_written(file: &File, stop: &dyn Fn() -> bool) -> io::Result<()> {
    sys::write_out(file, stop)?;
    file.sync_all()
}

/// Makes the names in `dir` durable: what was created, renamed or linked into it (`fsync` of
/// the directory). A file system that cannot sync a directory at all (EINVAL) keeps its names
/// another way, and is not worth failing a run over.
pub fn sync_dir(dir: &Path) -> Result<()> {
    match File::open(dir).and_then(|dir| dir.sync_all()) {
        Err(err) if err.raw_os_error() == Some(libc::EINVAL) => Ok(()),
        synced => synced.with_context(|| format!("cannot sync {}", dir.display())),
    }
}

/// [`sync_dir`] of each of `dirs`, once each.
pub fn sync_dirs(mut dirs: Vec<PathBuf>) -> Result<()> {
    dirs.sort();
    dirs.dedup();
    dirs.iter().try_for_each(|dir| sync_dir(dir))
}

/// Makes everything written on the file system that holds `file` durable: one `syncfs`, which
/// the tests' crash-simulating file system hears of through its seam.
fn flush_file_system(file: &File) -> io::Result<()> {
    sys::flush_file_system(file)?;
    crate::test_hooks::syncfs_done()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_held_are_written_out_a_batch_at_a_time_keeping_one_per_file_system() {
        let dir = tempfile::tempdir().unwrap();
        let mut later = LaterSyncs::default();
        for i in 0..HELD_AT_MOST + 3 {
            let path = dir.path().join(format!("f{i}"));
            let file = File::create(&path).unwrap();
            later.hold(path, file).unwrap();
        }
        // The first batch was written out and let go of (its descriptors closed) but one, kept
        // for the flush of the one file system they are on; three are held.
        assert_eq!(later.files.len(), 3);
        assert_eq!(later.file_systems.len(), 1);
        assert_eq!(
            later.flushes,
            [(later.file_systems[0].0, Flush::FileSystem)]
        );
        assert!(later.dirs.is_empty());
        assert!(!later.syncs_each());
        later.sync().unwrap();
    }

    #[test]
    fn a_few_files_are_synced_each_more_by_one_flush() {
        let dir = tempfile::tempdir().unwrap();
        let mut later = LaterSyncs::default();
        for i in 0..=FSYNCED_EACH {
            assert!(later.syncs_each(), "{i}");
            let path = dir.path().join(format!("f{i}"));
            later
                .hold(path.clone(), File::create(&path).unwrap())
                .unwrap();
        }
        assert!(!later.syncs_each());
        later.sync().unwrap();
    }

    #[test]
    fn a_directory_that_cannot_be_synced_at_all_is_no_error_and_any_other_failure_is() {
        // procfs has no fsync: EINVAL, as on a file system that keeps its names another way.
        sync_dir(Path::new("/proc/self")).unwrap();
        let gone = tempfile::tempdir().unwrap().path().join("gone");
        let err = sync_dir(&gone).unwrap_err();
        assert!(format!("{err:#}").starts_with("cannot sync "), "{err:#}");
        sync_dirs(vec![
            Path::new("/proc/self").to_path_buf(),
            std::env::temp_dir(),
        ])
        .unwrap();
        assert!(sync_dirs(vec![std::env::temp_dir(), gone]).is_err());
    }

    #[test]
    fn fuse_and_9p_are_synced_file_by_file_and_the_rest_by_their_file_system() {
        assert!(
            SYNCFS_FALLS_SHORT
                .iter()
                .any(|(kind, name)| *kind == 0x6573_5546 && *name == "FUSE")
        );
        let dir = tempfile::tempdir().unwrap();
        let file = File::create(dir.path().join("f")).unwrap();
        assert_eq!(Flush::of(&file), Flush::FileSystem);
    }
}
