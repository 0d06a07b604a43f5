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
//! other processes left dirty on that file system. The README says so.

use std::fs::File;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::map;

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
    /// One open file on each file system written to, by device number: what `syncfs` flushes.
    file_systems: Vec<(u64, File)>,
}

/// Up to this many files, each is synced on its own (`fsync`) instead of by one `syncfs`.
const FSYNCED_EACH: usize = 4;

/// Files held open for a later sync, at most.
const HELD_AT_MOST: usize = 256;

impl LaterSyncs {
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

    /// Waits until the data of every file held is written to its disk.
    fn write_out_held(&mut self) -> Result<()> {
        for (path, file) in self.files.drain(..) {
            let cannot = || format!("{}: cannot sync the new content", path.display());
            // In pieces, so that a Ctrl-C during a long sync rolls the run back at once.
            map::write_out(&file, &map::interrupt_pending).with_context(cannot)?;
            let device = file.metadata().with_context(cannot)?.dev();
            if !self.file_systems.iter().any(|(dev, _)| *dev == device) {
                self.file_systems.push((device, file));
            }
        }
        Ok(())
    }

    /// Makes every file written so far durable, with the renames in their directories: their
    /// data written out, then one flush of each file system they are on.
    pub fn sync(mut self) -> Result<()> {
        if self.syncs_each() {
            // A few files: an fsync each costs no more than one flush, and waits for nothing
            // that other processes left dirty on the file system (a `syncfs` after a dense
            // patch of 1 GiB made the replace x1.66 of one without a journal; x1.10 this way).
            let mut dirs = Vec::new();
            for (path, file) in self.files.drain(..) {
                map::write_out(&file, &map::interrupt_pending)
                    .and_then(|()| file.sync_all())
                    .with_context(|| format!("{}: cannot sync the new content", path.display()))?;
                dirs.extend(path.parent().map(Path::to_path_buf));
            }
            // And the renames: each directory a file was written in (as before the batch, a
            // directory that cannot be synced is not worth failing a run whose edits landed).
            dirs.sort();
            dirs.dedup();
            for dir in dirs {
                if let Ok(dir) = File::open(dir) {
                    let _ = dir.sync_all();
                }
            }
            return Ok(());
        }
        self.write_out_held()?;
        for (_, file) in &self.file_systems {
            map::flush_file_system(file).context("cannot sync the new content")?;
        }
        Ok(())
    }
}

/// Makes everything written on the file system that holds `dir` durable (one flush).
pub fn flush_file_system_of(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|dir| map::flush_file_system(&dir))
        .with_context(|| format!("cannot sync {}", dir.display()))
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
}
