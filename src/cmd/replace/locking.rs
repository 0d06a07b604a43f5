//! The locks of a run's files. A run takes mmt's lock on each file it will write as it plans
//! it, when the lock is free; when another mmt holds one, the run does not wait there (it might
//! hold a file the other waits for): it lets every lock go, takes them all again in one order,
//! by file identity, which every run follows, and plans every file again under its lock. So
//! runs on different files never wait for each other, and runs on the same files never wait in
//! a circle, whatever their state directories. A review plans with no lock at all and takes
//! them in that order when it commits.

use anyhow::{Context, Result};

use super::Planned;
use crate::patch::targets::{Access, Change, Target};
use crate::settings::Settings;

/// Whether the run met another's lock while planning (or never took any: a review), and so must
/// take its locks in order, and plan again, before it writes.
pub(super) fn must_lock(planned: &[Planned]) -> bool {
    planned
        .iter()
        .any(|p| p.target.as_ref().is_some_and(Target::is_unlocked))
}

/// Takes the lock of every planned file in one order, letting those held go first. A file that
/// another mmt's rewrite replaced meanwhile is opened again at its path (its plan is then made
/// again by the caller, as every plan is after this).
pub(super) fn lock_in_order(planned: &mut [Planned], settings: &Settings) -> Result<()> {
    for _ in 0..ROUNDS_AT_MOST {
        for p in planned.iter_mut() {
            if let Some(target) = p.target.take() {
                p.target = Some(target.unlock().with_context(|| p.source.name())?);
            }
        }
        let mut order: Vec<usize> = (0..planned.len())
            .filter(|&i| planned[i].target.is_some())
            .collect();
        order.sort_by_key(|&i| planned[i].target.as_ref().map(Target::id));
        let mut replaced = None;
        for i in order {
            let p = &mut planned[i];
            let target = p.target.take().expect("a file to lock");
            let name = p.source.name();
            let quiet = settings.style.quiet;
            let mut waiting = || {
                if !quiet {
                    say!(
                        "mmt: note: {name}: another mmt run is writing it, or reviewing its \
                         changes (replace --interactive); waiting for it to end"
                    );
                }
            };
            let (target, still_there) = target
                .lock_waiting(&mut waiting)
                .with_context(|| p.source.name())?;
            p.target = Some(target);
            if !still_there {
                replaced = Some(i);
                break;
            }
        }
        // The new file at the path is the one to plan on, and its identity has its own place
        // in the order: every lock is taken again.
        let Some(i) = replaced else {
            return Ok(());
        };
        let p = &mut planned[i];
        let path = p.source.path().to_path_buf();
        let reopened = Target::open(&path, Access::PatchLater, &mut || {});
        p.target = Some(reopened.with_context(|| p.source.name())?);
    }
    anyhow::bail!(
        "the files keep being replaced by another process while mmt locks them; try again"
    )
}

/// How many times the locks are taken again, at most, when another mmt's rewrites keep putting
/// new files at the run's paths.
const ROUNDS_AT_MOST: usize = 16;

/// How a planned file changed since, if it did: its size, identity or modification time
/// moved, or (for a file read into memory rather than mapped, where both can be compared) its
/// bytes, which a write in the same clock tick as the planning leaves the time of unchanged.
pub(super) fn change_of(planned: &Planned) -> Result<Option<Change>> {
    use std::os::unix::fs::FileExt;
    let Some(target) = &planned.target else {
        return Ok(None);
    };
    if let Some(change) = target.change_since_planned()? {
        return Ok(Some(change));
    }
    if planned.view.is_mapped() {
        return Ok(None);
    }
    let mut now = vec![0; planned.view.len()];
    target
        .file
        .read_exact_at(&mut now, 0)
        .map_err(|err| anyhow::anyhow!("cannot read it again: {err}"))?;
    Ok((now[..] != planned.view[..]).then_some(Change::Written))
}
