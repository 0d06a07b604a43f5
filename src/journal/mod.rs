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
//! - `size`, the disk space the run holds, as it committed (a cache for pruning).
//!
//! Restoring is idempotent (old bytes written again at their offsets; the old inode renamed back
//! over the path), so a crash during a rollback is rolled back again by the next command.
//!
//! The subsystem owns the whole transaction (`transaction`: begin, record, write, commit or
//! roll back), where runs live (`state`), their undo data (`undo_file`, `undo_pack`) and the
//! runs kept for `mmt undo` (`history`). It calls `patch` to write and restore bytes, and never
//! sees the command line.

pub mod history;
pub mod state;
pub mod transaction;
pub mod undo_file;
pub mod undo_pack;

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use crate::journal::state::StateDir;
use crate::patch::{Mode, Plan};
use undo_pack::PackWriter;

/// Plans of at least this many edits have the checksum of what they write summed on a thread of
/// its own (below it, a thread costs more than it saves).
const SUMMED_APART: usize = 1 << 16;

/// How a file is recognised: the same inode, size and modification time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Identity {
    pub dev: u64,
    pub ino: u64,
    pub size: u64,
    pub mtime_ns: i128,
}

impl Identity {
    pub fn of(meta: &fs::Metadata) -> Identity {
        Identity {
            dev: meta.dev(),
            ino: meta.ino(),
            size: meta.len(),
            mtime_ns: i128::from(meta.mtime()) * 1_000_000_000 + i128::from(meta.mtime_nsec()),
        }
    }

    pub fn of_path(path: &Path) -> io::Result<Identity> {
        fs::metadata(path).map(|m| Identity::of(&m))
    }

    fn to_json(self) -> Value {
        json!({
            "dev": self.dev,
            "ino": self.ino,
            "size": self.size,
            "mtime_ns": self.mtime_ns.to_string(),
        })
    }

    fn from_json(value: &Value) -> Option<Identity> {
        Some(Identity {
            dev: value["dev"].as_u64()?,
            ino: value["ino"].as_u64()?,
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
}

/// An open run: its directory, its lock, and its files so far.
pub struct Run {
    dir: PathBuf,
    _lock: File,
    command: String,
    entries: Vec<Entry>,
    applied: usize,
}

fn path_to_json(path: &Path) -> Value {
    Value::String(hex(path.as_os_str().as_bytes()))
}

fn path_from_json(value: &Value) -> Option<PathBuf> {
    let bytes = unhex(value.as_str()?)?;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    let text = text.as_bytes();
    if !text.len().is_multiple_of(2) {
        return None;
    }
    text.chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).ok()?, 16).ok())
        .collect()
}

impl Run {
    /// Opens a new run in `state`, locked by this process.
    pub fn begin(state: &StateDir, command: String) -> Result<Run> {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let name = format!("{now:024}-{}", std::process::id());
        // Made under a name recovery passes over, locked, and only then given its name: another
        // mmt never sees a run of a live process without its lock held.
        let making = state.runs().join(format!(".{name}"));
        let dir = state.runs().join(&name);
        fs::create_dir(&making)
            .with_context(|| format!("cannot create the journal {}", making.display()))?;
        let lock = File::create(making.join("lock")).context("cannot create the journal's lock")?;
        lock.lock().context("cannot lock the journal")?;
        fs::rename(&making, &dir).context("cannot create the journal")?;
        Ok(Run {
            dir,
            _lock: lock,
            command,
            entries: Vec::new(),
            applied: 0,
        })
    }

    /// Adds a file to the run, before anything is recorded for it.
    pub fn add(&mut self, path: &Path, kind: Mode, before: Identity) {
        let n = self.entries.len();
        let old_link = (kind == Mode::Rewrite).then(|| self.dir.join(format!("{n}.old")));
        self.entries.push(Entry {
            path: path.to_path_buf(),
            kind,
            before,
            old_link,
            after: None,
            touched_sum: None,
        });
    }

    /// Records what every file holds now: old bytes of in-place edits, links to old inodes.
    /// `old_bytes(n)` gives file `n`'s plan and its current bytes. Everything is synced before
    /// this returns, so that a crash from here on can be rolled back.
    pub fn record<'a>(
        &mut self,
        mut source: impl FnMut(usize) -> (&'a Plan, OldBytes<'a>),
    ) -> Result<()> {
        // The manifest first: a crash while recording leaves nothing applied, and the manifest
        // says where to look for what was recorded.
        self.write_manifest(false)?;
        let mut pack: Option<PackWriter<File>> = None;
        for n in 0..self.entries.len() {
            match self.entries[n].kind {
                Mode::InPlace => {
                    let (plan, hay) = source(n);
                    let pack = match &mut pack {
                        Some(pack) => pack,
                        None => pack.insert(PackWriter::new(
                            File::create(self.dir.join(UNDO_PACK))
                                .context("cannot write the journal")?,
                            PACK_BUFFER,
                        )),
                    };
                    // What the patch will write there: undo checks it is still there. Summed
                    // on a thread of its own while the old bytes are written when there are
                    // many edits (tens of MB to sum, a byte at a time).
                    let touched_sum =
                        || undo_file::checksum(plan.edits().map(|e| plan.replacement(&e)));
                    let sum = if plan.len() >= SUMMED_APART {
                        std::thread::scope(|scope| {
                            let summing = scope.spawn(touched_sum);
                            let written = write_undo(pack, n, plan, hay);
                            let sum = summing.join().expect("the checksum does not panic");
                            written.map(|()| sum)
                        })?
                    } else {
                        write_undo(pack, n, plan, hay)?;
                        touched_sum()
                    };
                    self.entries[n].touched_sum = Some(sum);
                }
                Mode::Rewrite => {
                    let entry = &self.entries[n];
                    let link = entry.old_link.clone().unwrap_or_default();
                    match fs::hard_link(&entry.path, &link) {
                        Ok(()) => {}
                        Err(err) if err.raw_os_error() == Some(libc::EXDEV) => {
                            // Another file system: keep the old inode beside the file instead.
                            let beside = beside_link(&entry.path);
                            fs::hard_link(&entry.path, &beside).with_context(|| {
                                format!("{}: cannot keep the old content", entry.path.display())
                            })?;
                            self.entries[n].old_link = Some(beside);
                            self.write_manifest(false)?;
                        }
                        Err(err) => {
                            return Err(err).with_context(|| {
                                format!(
                                    "{}: cannot keep the old content in the journal",
                                    entry.path.display()
                                )
                            });
                        }
                    }
                }
            }
        }
        if let Some(pack) = pack {
            pack.finish()
                .and_then(|file| file.sync_all())
                .context("cannot write the journal")?;
        }
        sync_dir(&self.dir)
    }

    /// Files up to `n` have been written (`n` in part or whole): a rollback restores them.
    pub fn applied(&mut self, n: usize) {
        self.applied = self.applied.max(n + 1);
    }

    /// Restores every file written so far, the last first, and removes the run.
    pub fn roll_back(self) -> Result<Vec<PathBuf>> {
        let mut restored = Vec::new();
        let undo = UndoData::of(&self.dir);
        for n in (0..self.applied).rev() {
            let entry = &self.entries[n];
            restore(&undo, n, entry)?;
            restored.push(entry.path.clone());
        }
        remove_run(&self.dir, &self.entries);
        Ok(restored)
    }

    /// Every file is written and synced: the run becomes undo data. Returns a note when the
    /// run's undo data is over `limit` bytes, and so was let go of.
    pub fn commit(mut self, limit: u64) -> Result<Option<String>> {
        for entry in &mut self.entries {
            entry.after = Identity::of_path(&entry.path).ok();
        }
        self.write_manifest(true)?;
        // An old inode kept beside the file was only for the run.
        for entry in &self.entries {
            if let Some(link) = &entry.old_link
                && !link.starts_with(&self.dir)
            {
                let _ = fs::remove_file(link);
            }
        }
        fs::write(self.dir.join(COMMITTED_FILE), b"")
            .and_then(|()| sync_dir(&self.dir).map_err(io::Error::other))
            .context("cannot mark the run committed")?;
        let size = disk_use(&self.dir);
        // Kept for `prune`, which would otherwise look at every kept run's files each time a
        // run commits; a cache, so not synced (a missing or bad one is measured again).
        let _ = fs::write(self.dir.join(SIZE_FILE), size.to_string());
        if size > limit {
            remove_run(&self.dir, &self.entries);
            return Ok(Some(format!(
                "mmt: note: this run's undo data ({}) is over the bound ({}); it cannot be undone",
                human(size),
                human(limit)
            )));
        }
        Ok(None)
    }

    fn write_manifest(&self, committed: bool) -> Result<()> {
        write_manifest(&self.dir, &self.command, &self.entries, committed)
    }
}

/// Writes a run's manifest (atomically: a new file renamed over the old one, both synced).
pub(crate) fn write_manifest(
    dir: &Path,
    command: &str,
    entries: &[Entry],
    committed: bool,
) -> Result<()> {
    {
        let files: Vec<Value> = entries
            .iter()
            .map(|e| {
                json!({
                    "path": path_to_json(&e.path),
                    "kind": e.kind.name(),
                    "before": e.before.to_json(),
                    "old_link": e.old_link.as_deref().map(path_to_json),
                    "after": e.after.map(Identity::to_json),
                    "touched_sum": e.touched_sum.map(|sum| sum.to_string()),
                })
            })
            .collect();
        let manifest = json!({
            "version": 1,
            "pid": std::process::id(),
            "command": command,
            "committed": committed,
            "files": files,
        });
        let temp = dir.join("manifest.json.tmp");
        let mut file = File::create(&temp).context("cannot write the journal")?;
        file.write_all(manifest.to_string().as_bytes())
            .and_then(|()| file.sync_all())
            .context("cannot write the journal")?;
        fs::rename(&temp, dir.join("manifest.json")).context("cannot write the journal")?;
        sync_dir(dir)
    }
}

/// `.NAME.mmt-old-PID-N` beside `path`, for an old inode kept during a run.
fn beside_link(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let short: String = name.chars().take(180).collect();
    path.with_file_name(format!(".{short}.{}.mmt-old", std::process::id()))
}

/// Where the journal reads the bytes an edit overwrites.
pub enum OldBytes<'a> {
    /// The file's map (or copy): the fast way.
    Mapped(&'a [u8]),
    /// The file itself, by `pread`: for a sparse file, whose holes read as zeros this way
    /// without a block being allocated (a map's read fault on a hole of a full tmpfs is a
    /// SIGBUS).
    File(&'a File),
}

/// File `n`'s undo data, the old bytes of every edit of `plan` (see `undo_file`), into `pack`.
fn write_undo(
    pack: &mut PackWriter<impl Write>,
    n: usize,
    plan: &Plan,
    old: OldBytes,
) -> Result<()> {
    pack.add(n, |mut out| {
        if let Some((searched, gaps)) = plan.literal_gaps() {
            // A literal's edits overwrite what was searched for, and the plan keeps them as the
            // undo data does: no pass over millions of edits, no read of the file.
            return undo_file::encode_same(searched, plan.len() as u64, gaps, &mut out);
        }
        let edits = plan.edits().map(|e| e.start..e.end);
        let read_old = |range: std::ops::Range<usize>| -> io::Result<std::borrow::Cow<[u8]>> {
            match old {
                OldBytes::Mapped(hay) => Ok(std::borrow::Cow::Borrowed(&hay[range])),
                OldBytes::File(file) => {
                    let mut buf = vec![0u8; range.len()];
                    file.read_exact_at(&mut buf, range.start as u64)?;
                    Ok(std::borrow::Cow::Owned(buf))
                }
            }
        };
        undo_file::encode(edits, read_old, &mut out)
    })
    .context("cannot write the journal")
}

/// The name of a run's undo pack.
const UNDO_PACK: &str = "undo";

/// What a run's undo pack is gathered in before it is written: the undo data of a hundred
/// small files is one write, and a large literal's gaps go past it; more is heap for nothing.
const PACK_BUFFER: usize = 64 << 10;

/// A run's undo data, as it was recorded: its pack, or a file `N.undo` for each file patched
/// in place (runs of mmt before the pack).
pub(crate) struct UndoData {
    dir: PathBuf,
    pack: Pack,
}

enum Pack {
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

/// Writes the old bytes of `undo` back into `file`. Only bytes that differ are written: a
/// restore that finds the old bytes in place (a run stopped before them) changes nothing, and
/// allocates no hole.
fn apply_undo(encoded: &[u8], file: &File) -> Result<()> {
    let mut now = Vec::new();
    let mut paused = false;
    let len = file.metadata().map_or(0, |m| m.len());
    let progress = crate::progress::Progress::new(crate::progress::watched(), len, "restoring");
    undo_file::for_each(encoded, |offset, old| -> Result<()> {
        progress.set(offset);
        now.resize(old.len(), 0);
        let differs = file
            .read_exact_at(&mut now, offset)
            .map_or(true, |()| now != old);
        if differs {
            file.write_all_at(old, offset)
                .context("cannot restore the old bytes")?;
            // A test kills a rollback or an undo here, partway.
            if !paused {
                paused = true;
                crate::test_hooks::pause("MMT_TEST_PAUSE_MID_RESTORE_MS");
            }
        }
        Ok(())
    })
    .context("the journal is damaged")??;
    file.sync_data().context("cannot sync the restored file")
}

/// Restores file `n` of the run in `dir`. Idempotent.
pub(crate) fn restore(undo: &UndoData, n: usize, entry: &Entry) -> Result<()> {
    let name = entry.path.display();
    if !entry.path.parent().is_some_and(Path::exists) {
        // The file's directory is gone: there is nothing left to restore it into.
        return Ok(());
    }
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
                Recorded::NotWhole if Identity::of_path(&entry.path).ok() == Some(entry.before) => {
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
            if (now.dev, now.ino) != (entry.before.dev, entry.before.ino) {
                bail!("{name}: was replaced by another file since; not restored");
            }
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .open(&entry.path)
                .with_context(|| format!("{name}: cannot open to restore"))?;
            apply_undo(&encoded, &file).with_context(|| format!("{name}: cannot restore"))
        }
        Mode::Rewrite => {
            let Some(link) = &entry.old_link else {
                return Ok(());
            };
            let Ok(kept) = Identity::of_path(link) else {
                return Ok(()); // never linked, so never rewritten
            };
            let now = Identity::of_path(&entry.path).ok();
            if now.map(|n| (n.dev, n.ino)) == Some((kept.dev, kept.ino)) {
                // The rename never happened: the old file is still in place.
                let _ = fs::remove_file(link);
                return Ok(());
            }
            fs::rename(link, &entry.path)
                .with_context(|| format!("{name}: cannot put the old file back"))?;
            if let Some(parent) = entry.path.parent() {
                let _ = sync_dir(parent);
            }
            Ok(())
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

pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", dir.display()))
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
    pub committed: bool,
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
}

fn read_run(dir: &Path) -> Option<Stored> {
    let text = fs::read_to_string(dir.join("manifest.json")).ok()?;
    let manifest: Value = serde_json::from_str(&text).ok()?;
    let entries = manifest["files"]
        .as_array()?
        .iter()
        .map(|f| {
            Some(Entry {
                path: path_from_json(&f["path"])?,
                kind: if f["kind"] == "in-place" {
                    Mode::InPlace
                } else {
                    Mode::Rewrite
                },
                before: Identity::from_json(&f["before"])?,
                old_link: path_from_json(&f["old_link"]),
                after: Identity::from_json(&f["after"]),
                touched_sum: f["touched_sum"].as_str().and_then(|s| s.parse().ok()),
            })
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Stored {
        dir: dir.to_path_buf(),
        command: manifest["command"].as_str().unwrap_or_default().to_owned(),
        committed: dir.join(COMMITTED_FILE).exists(),
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
                .is_some_and(|pid| !crate::patch::target::process_exists(pid)),
        };
        if abandoned {
            let _ = fs::remove_dir_all(&dir);
        }
    }
}

/// The committed runs of `state`, newest first.
pub fn committed_runs(state: &StateDir) -> Vec<Stored> {
    let mut runs: Vec<Stored> = run_dirs(state)
        .iter()
        .filter_map(|dir| read_run(dir))
        .filter(|run| run.committed)
        .collect();
    runs.reverse();
    runs
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

/// One file that recovery or undo put back, for the command to report.
pub struct Restored<'a> {
    pub path: &'a Path,
    /// What was done: `rolled back`, `undone`, `restored`.
    pub action: &'static str,
    /// How, or why, in a few words.
    pub detail: String,
    pub run: &'a Stored,
}

impl Restored<'_> {
    /// `PATH: ACTION (DETAIL)`, as the text output has it.
    pub fn text(&self) -> String {
        format!(
            "{}: {} ({})",
            crate::output::escape_name(&self.path.display().to_string()),
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
        let run = read_run(&dir);
        let touches = run.as_ref().is_none_or(|run| scope.touches(run));
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
            if !dir.exists() {
                continue; // rolled back (or the undo finished) by the other mmt
            }
        }
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
        for (n, entry) in run.entries.iter().enumerate() {
            restore(&undo, n, entry)?;
            crate::patch::target::remove_stale_temps_of(&entry.path);
            (hooks.report)(Restored {
                path: &entry.path,
                action: "rolled back",
                detail: format!("an interrupted run of `{}`", run.command),
                run: &run,
            });
        }
        remove_run(&dir, &run.entries);
        recovered += 1;
    }
    Ok(recovered)
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
fn taken_within(lock: &File, wait: std::time::Duration) -> bool {
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
const ROLLING_BACK_FILE: &str = "rolling-back";

/// Finishes an undo of `run` whose process died partway: every file restored (what the undo
/// had restored already is found in place), and the run let go of.
pub(crate) fn finish_undo(run: &Stored, report: &mut Report) -> Result<()> {
    let undo = UndoData::of(&run.dir);
    for (n, entry) in run.entries.iter().enumerate().rev() {
        restore(&undo, n, entry)?;
        report(Restored {
            path: &entry.path,
            action: "undone",
            detail: format!("an interrupted `mmt undo` of `{}`, finished", run.command),
            run,
        });
    }
    remove_run(&run.dir, &run.entries);
    Ok(())
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
        match read_run(oldest) {
            Some(run) => remove_run(&run.dir, &run.entries),
            // Committed, so only undo data, and undo cannot read it.
            None => {
                let _ = fs::remove_dir_all(oldest);
            }
        }
        total = total.saturating_sub(size);
        left -= 1;
    }
}

#[cfg(test)]
mod tests;
