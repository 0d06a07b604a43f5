//! A patch written into the file itself: mapped and written in stretches, holes kept, and a
//! hard-linked file's rewrite into its own inode.

use std::ffi::OsStr;
use std::fs::File;
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::map::{self, LockedForWriting};
use crate::ordered;
use crate::patch::durable::LaterSyncs;
use crate::patch::sink::FileSink;
use crate::patch::sink::copy_whole;
use crate::patch::{self, Plan, Stretch};
use crate::progress::Progress;
use crate::sys;
use crate::test_hooks::{self, Step};

use super::backup::copy_preserving;
use super::rewrite::temp_prefix;
use super::{Opened, PartlyWritten, Target};

/// Stretches in flight for each thread: they are of about one size.
const STRETCHES_PER_THREAD: usize = 2;

impl Target {
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
        let _held_back = sys::hold_back_interrupts();
        test_hooks::hold_at(Step::InPatch);
        if !no_mmap {
            self.allocate_holes(&writable, plan)?;
        }
        let written = self.write_in_place(&writable, plan, no_mmap, threads, later);
        written.map_err(|err| err.context(PartlyWritten))
    }

    pub(super) fn write_in_place(
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
                Some(touched) if touched.len() > patch::WINDOW => threads,
                _ => 1,
            };
            let mut edits = plan.edits();
            let first_half = patch::stretches(&mut edits, half, patch::WINDOW);
            self.patch_stretches(writable, plan, first_half, threads)?;
            test_hooks::hold_at(Step::MidPatch);
            let second_half = patch::stretches(&mut edits, plan.len() - half, patch::WINDOW);
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
    pub(super) fn patch_stretches<'p>(
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
                sys::start_writeback(writable, range.start, range.end - range.start);
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
    pub(super) fn allocate_holes(&self, writable: &File, plan: &Plan) -> Result<()> {
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
        let _held_back = sys::hold_back_interrupts();
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
        test_hooks::hold_at(Step::MidPatch);
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
    pub(super) fn keep_private_copy(&self) -> Result<tempfile::TempPath> {
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
