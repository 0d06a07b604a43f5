//! Runs that write are all or nothing: a journal of what each file held before, kept until the
//! run has succeeded, and afterwards for `mmt undo`.
//!
//! A run is a directory `runs/ID/` of the state directory, holding:
//! - `lock`, flock'ed by the process for as long as the run is open: a run whose lock can be
//!   taken was left by a process that is gone;
//! - `manifest.json`: every file of the run, with how it is recognised (device, inode, size,
//!   modification time) and how it is restored, written and synced before any file changes;
//! - `undo` (see `undo_pack`): for each file patched in place, each edit's offset and the bytes
//!   it overwrites (runs of mmt before the pack keep a file `N.undo` for each, still read);
//! - `N.old` for a file rewritten: a hard link to its old inode (the old content costs nothing
//!   more than it did); where the state directory is on another file system, the link is made
//!   beside the file instead, for the run only;
//! - `committed`, once every file is written and synced: from then on the run is only undo data;
//! - `size`, the disk space the run holds, as it committed (a cache for pruning);
//! - `afters`, what its files are after it (a cache for undo, see `afters`).
//!
//! Restoring is idempotent (old bytes written again at their offsets; the old inode renamed back
//! over the path), so a crash during a rollback is rolled back again by the next command.
//!
//! The subsystem owns the whole transaction (`transaction`: begin, record, write, commit or
//! roll back), an open run (`run`), putting files back and recovering interrupted runs
//! (`restore`), where runs live (`state`), their undo data (`undo_file`, `undo_pack`) and the
//! runs kept for `mmt undo` (`history`); this file holds what they share: how a file is
//! recognised, a run's entries, and the runs as they are stored. It calls `patch` to write and restore bytes, and never
//! sees the command line.

pub mod history;
mod restore;
mod run;
pub mod state;
pub mod transaction;
pub mod undo_file;
pub mod undo_pack;

use std::fs::{self, File};
use std::io;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::files::id::FileId;
use crate::journal::state::StateDir;
use crate::patch::durable::LaterSyncs;
use crate::patch::{Mode, Plan};
pub use restore::*;
pub use run::*;

/// Plans of at least this many edits have the checksum of what they write summed on a thread of
/// its own (below it, a thread costs more than it saves).
const SUMMED_APART: usize = 1 << 16;

/// How a file is recognised: the same inode, size and modification time (see
/// [`Identity::recognises`]).
#[derive(Debug, Clone, Copy)]
pub struct Identity {
    pub id: FileId,
    pub size: u64,
    pub mtime_ns: i128,
}

impl Identity {
    pub fn of(meta: &fs::Metadata) -> Identity {
        Identity {
            id: FileId::of(meta),
            size: meta.len(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        }
    }

    pub fn of_path(path: &Path) -> io::Result<Identity> {
        fs::metadata(path).map(|m| Identity::of(&m))
    }

    /// Whether `other` is this file as it was: the same inode, size and modification time.
    /// Not the same device number: a file system may be given another one when it is mounted
    /// again, as after a power cut (FUSE, NFS, btrfs subvolumes, overlays have numbers the
    /// kernel hands out at mount time), and a run must still be rolled back or undone then.
    pub fn recognises(&self, other: &Identity) -> bool {
        self.recognised() == other.recognised()
    }

    /// Whether `other` is the same file, whatever its size and time now: the same inode
    /// (the device number aside, as in [`Identity::recognises`]).
    pub fn same_inode(&self, other: &Identity) -> bool {
        self.id.ino == other.id.ino
    }

    fn to_json(self) -> Value {
        json!({
            "dev": self.id.dev,
            "ino": self.id.ino,
            "size": self.size,
            "mtime_ns": self.mtime_ns.to_string(),
        })
    }

    fn from_json(value: &Value) -> Option<Identity> {
        Some(Identity {
            id: FileId {
                dev: value["dev"].as_u64()?,
                ino: value["ino"].as_u64()?,
            },
            size: value["size"].as_u64()?,
            mtime_ns: value["mtime_ns"].as_str()?.parse().ok()?,
        })
    }
}

/// One file of a run.
#[derive(Debug, Clone)]
pub struct Entry {
    /// The file, symbolic links resolved.
    pub path: PathBuf,
    /// How it is restored: old bytes written back at their offsets (in place), or the old
    /// inode renamed back over the path (rewrite).
    pub kind: Mode,
    pub before: Identity,
    /// Where a rewrite keeps the old inode.
    pub old_link: Option<PathBuf>,
    /// What the file is once the run committed: how undo knows it was not changed since.
    pub after: Option<Identity>,
    /// For an in-place file: a checksum of the bytes the run wrote, as it committed. Undo
    /// compares it too, since a tool can set a modification time back.
    pub touched_sum: Option<u64>,
    /// The path as the run was given it and named it (`t/a.txt`): what undo names it by, from
    /// the directory the run was made in.
    pub given: Option<PathBuf>,
}

/// The mark of a committed run: every file is written and synced.
pub(crate) const COMMITTED_FILE: &str = "committed";

/// The mark of a committed run that `mmt undo` has begun to revert: if that undo is killed,
/// recovery finishes it (restoring is idempotent), so that no file stays half undone.
pub(crate) const UNDOING_FILE: &str = "undoing";

/// Where a committed run keeps its [`disk_use`].
const SIZE_FILE: &str = "size";

/// A committed run's disk use, as it was when it committed.
fn recorded_disk_use(dir: &Path) -> u64 {
    fs::read_to_string(dir.join(SIZE_FILE))
        .ok()
        .and_then(|size| size.parse().ok())
        .unwrap_or_else(|| disk_use(dir))
}

/// The disk space a run's directory holds (old inodes kept by a link included).
fn disk_use(dir: &Path) -> u64 {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .map(|m| m.blocks() * 512)
                .sum()
        })
        .unwrap_or(0)
}

pub fn human(bytes: u64) -> String {
    indicatif::HumanBytes(bytes).to_string()
}

/// A run read back from its directory.
pub struct Stored {
    pub dir: PathBuf,
    pub command: String,
    /// The directory the run was made in (symbolic links resolved).
    pub cwd: Option<PathBuf>,
    pub entries: Vec<Entry>,
}

impl Stored {
    pub fn id(&self) -> String {
        self.dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    }

    pub fn disk_use(&self) -> u64 {
        recorded_disk_use(&self.dir)
    }

    /// How a file of the run is named to the user: as the run was given it when that was an
    /// absolute path, or a relative one and the current directory is the run's; by its full
    /// path otherwise (a relative name would mislead from another directory).
    pub fn shown(&self, path: &Path) -> PathBuf {
        let given = self
            .entries
            .iter()
            .find(|e| e.path == path)
            .and_then(|e| e.given.as_ref());
        match given {
            Some(given) if given.is_absolute() => given.clone(),
            Some(given) if self.cwd.is_some() && self.cwd == current_dir() => given.clone(),
            _ => path.to_path_buf(),
        }
    }
}

/// The current directory, symbolic links resolved (looked up once).
pub fn current_dir() -> Option<PathBuf> {
    static HERE: std::sync::OnceLock<Option<PathBuf>> = std::sync::OnceLock::new();
    HERE.get_or_init(|| std::env::current_dir().and_then(fs::canonicalize).ok())
        .clone()
}

pub(crate) fn read_run(dir: &Path) -> Option<Stored> {
    let text = fs::read_to_string(dir.join("manifest.json")).ok()?;
    let manifest: Value = serde_json::from_str(&text).ok()?;
    let entries = manifest["files"]
        .as_array()?
        .iter()
        .map(|f| {
            Some(Entry {
                path: path_from_json(&f["path"])?,
                kind: Mode::from_journal_name(f["kind"].as_str().unwrap_or_default()),
                before: Identity::from_json(&f["before"])?,
                old_link: path_from_json(&f["old_link"]),
                after: Identity::from_json(&f["after"]),
                touched_sum: f["touched_sum"].as_str().and_then(|s| s.parse().ok()),
                given: path_from_json(&f["given"]),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Stored {
        dir: dir.to_path_buf(),
        command: manifest["command"].as_str().unwrap_or_default().to_owned(),
        cwd: path_from_json(&manifest["cwd"]),
        entries,
    })
}

/// The runs of `state`, oldest first.
fn run_dirs(state: &StateDir) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = fs::read_dir(state.runs())
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_dir() && !is_being_made(p))
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn is_being_made(dir: &Path) -> bool {
    dir.file_name()
        .is_some_and(|n| n.as_bytes().starts_with(b"."))
}

/// Removes the runs that a process died making (before it recorded anything).
fn remove_abandoned(state: &StateDir) {
    let Ok(entries) = fs::read_dir(state.runs()) else {
        return;
    };
    for dir in entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| is_being_made(p))
    {
        // With its lock: abandoned when the lock can be taken. Without (its maker is between
        // making the directory and the lock, or died there): when the maker, named by the pid
        // at the end of the name, is gone.
        let abandoned = match File::open(dir.join("lock")) {
            Ok(lock) => lock.try_lock().is_ok(),
            Err(_) => dir
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.rsplit('-').next())
                .and_then(|pid| pid.parse().ok())
                .is_some_and(|pid| !crate::patch::targets::process_exists(pid)),
        };
        if abandoned {
            let _ = fs::remove_dir_all(&dir);
        }
    }
}

/// The directories of the committed runs of `state`, newest first.
pub fn committed_run_dirs(state: &StateDir) -> Vec<PathBuf> {
    let mut runs: Vec<PathBuf> = run_dirs(state)
        .into_iter()
        .filter(|dir| dir.join(COMMITTED_FILE).exists())
        .collect();
    runs.reverse();
    runs
}

/// Where a committed run keeps what its files are after it (inode, size, modification time:
/// what [`Identity::recognises`] compares; 32 bytes a file, little-endian): what an undo looks
/// in to find the older run it must tell (see `history::recognise_after_undo`) without reading
/// every manifest.
const AFTERS_FILE: &str = "afters";

/// How a file is recognised, as a key: inode, size, modification time.
pub type Recognised = (u64, u64, i128);

impl Identity {
    pub fn recognised(&self) -> Recognised {
        (self.id.ino, self.size, self.mtime_ns)
    }
}

/// Writes what `entries`' files are after the run into `dir`: a cache, not synced (a missing
/// or damaged one sends the reader to the manifest).
pub(crate) fn write_afters(dir: &Path, entries: &[Entry]) {
    let bytes: Vec<u8> = entries
        .iter()
        .filter_map(|e| e.after.map(|a| a.recognised()))
        .flat_map(|(ino, size, mtime)| {
            let mut record = [0; 32];
            record[..8].copy_from_slice(&ino.to_le_bytes());
            record[8..16].copy_from_slice(&size.to_le_bytes());
            record[16..].copy_from_slice(&mtime.to_le_bytes());
            record
        })
        .collect();
    let _ = fs::write(dir.join(AFTERS_FILE), bytes);
}

/// What the files of the committed run in `dir` are after it; `None` when that was not kept
/// (a run of an earlier mmt) or cannot be read.
pub fn afters(dir: &Path) -> Option<Vec<Recognised>> {
    let bytes = fs::read(dir.join(AFTERS_FILE)).ok()?;
    if !bytes.len().is_multiple_of(32) {
        return None;
    }
    let word = |b: &[u8]| u64::from_le_bytes(b.try_into().expect("8 bytes"));
    Some(
        bytes
            .chunks_exact(32)
            .map(|r| {
                let mtime = i128::from_le_bytes(r[16..].try_into().expect("16 bytes"));
                (word(&r[..8]), word(&r[8..16]), mtime)
            })
            .collect(),
    )
}

/// Rolls back every run of `state` left open by a process that is gone (its lock can be
/// taken), and tells `report` each file restored. A run still open by a live process is left
/// alone.
/// The runs that [`recover`] would roll back (or whose undo it would finish): open, or being
/// undone, by a process that is gone.
pub fn interrupted(state: &StateDir) -> Vec<Stored> {
    run_dirs(state)
        .iter()
        .filter(|dir| !dir.join(COMMITTED_FILE).exists() || dir.join(UNDOING_FILE).exists())
        .filter(|dir| File::open(dir.join("lock")).is_ok_and(|lock| lock.try_lock().is_ok()))
        .filter_map(|dir| read_run(dir))
        .collect()
}

/// Lets go of the oldest committed runs until at most `keep` remain and they hold at most
/// `limit` bytes. A run's manifest is read only when the run is let go of: every write commits
/// a run, and reading every kept run's manifest (and looking at each of its files) on each
/// commit is work in proportion to the history kept, not to the run.
pub fn prune(state: &StateDir, keep: usize, limit: u64) {
    let runs: Vec<PathBuf> = run_dirs(state)
        .into_iter()
        .filter(|dir| dir.join(COMMITTED_FILE).exists())
        .collect();
    let sizes: Vec<u64> = runs.iter().map(|dir| recorded_disk_use(dir)).collect();
    let mut total: u64 = sizes.iter().sum();
    let mut left = runs.len();
    for (oldest, size) in runs.iter().zip(sizes) {
        if left <= keep && total <= limit {
            break;
        }
        // Committed, so only undo data in its directory (an old file kept beside its file went
        // with the commit): moved out of `runs` at once, one rename, and deleted after.
        let _ = fs::create_dir_all(state.trash());
        let gone = oldest
            .file_name()
            .map(|name| state.trash().join(name))
            .filter(|to| fs::rename(oldest, to).is_ok());
        if gone.is_none() {
            let _ = fs::remove_dir_all(oldest);
        }
        total = total.saturating_sub(size);
        left -= 1;
    }
    empty_trash_meanwhile(state);
}

/// Deletes the runs let go of (`trash`) on a thread of its own, while the command goes on: a
/// run of a tree is thousands of files to unlink, which the commit of the next run no longer
/// waits for. A process that ends first leaves the rest to the next one.
pub fn empty_trash_meanwhile(state: &StateDir) {
    let trash = state.trash();
    if !trash.exists() {
        return;
    }
    let _ = std::thread::Builder::new()
        .name("mmt-trash".into())
        .spawn(move || {
            if let Ok(entries) = fs::read_dir(&trash) {
                for entry in entries.flatten() {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        });
}

#[cfg(test)]
mod tests;
