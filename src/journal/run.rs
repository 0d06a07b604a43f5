//! An open run: begun (its directory made under a name recovery passes over, then locked and
//! named), its files added, their old bytes recorded (the manifest and the undo pack synced
//! before a byte changes), the files applied one by one, and committed. A run dropped
//! unfinished is what a crash leaves: recovery rolls it back.

use std::fs::{self, File};
use std::io::{self, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::{Value, json};

use super::undo_pack::PackWriter;
use super::*;
use crate::patch::durable;

/// An open run: its directory, its lock, and its files so far.
pub struct Run {
    dir: PathBuf,
    _lock: File,
    command: String,
    /// The directory the run is made in, for undo's names of its files (see `Entry::given`).
    cwd: Option<PathBuf>,
    entries: Vec<Entry>,
    /// Which files have been written (in part or whole): a rollback restores those, and only
    /// those (one refused before its first byte changed may have been changed by another
    /// process, whose change a restore would undo).
    written: Vec<bool>,
}

pub(super) fn path_to_json(path: &Path) -> Value {
    Value::String(hex(path.as_os_str().as_bytes()))
}

pub(super) fn path_from_json(value: &Value) -> Option<PathBuf> {
    let bytes = unhex(value.as_str()?)?;
    Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(super) fn unhex(text: &str) -> Option<Vec<u8>> {
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
            cwd: current_dir(),
            entries: Vec::new(),
            written: Vec::new(),
        })
    }

    /// Adds a file to the run (`given`: as the command was given it), before anything is
    /// recorded for it.
    pub fn add(&mut self, path: &Path, given: &Path, kind: Mode, before: Identity) {
        let n = self.entries.len();
        let old_link = kind
            .keeps_old_file()
            .then(|| self.dir.join(format!("{n}.old")));
        self.entries.push(Entry {
            path: path.to_path_buf(),
            kind,
            before,
            old_link,
            after: None,
            touched_sum: None,
            given: Some(given.to_path_buf()),
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
                Mode::RewriteInPlace => {
                    let entry = &self.entries[n];
                    let copy = entry.old_link.clone().unwrap_or_default();
                    keep_a_copy(&entry.path, &copy).with_context(|| {
                        format!(
                            "{}: cannot keep a copy of the old content in the journal",
                            entry.path.display()
                        )
                    })?;
                }
            }
        }
        if let Some(pack) = pack {
            pack.finish()
                .and_then(|file| durable::sync_file(&file))
                .context("cannot write the journal")?;
        }
        // Before any file changes, the names too: the manifest, the pack and the links in the
        // run's directory, the run's directory in `runs`, and old inodes kept beside their
        // files. (An `fsync` each, not a `syncfs`: the journal is a few files, and a `syncfs`
        // falls short of storage on some file systems; see `durable`.)
        let mut dirs = vec![self.dir.clone()];
        dirs.extend(self.dir.parent().map(Path::to_path_buf));
        for entry in &self.entries {
            if let Some(link) = entry
                .old_link
                .as_ref()
                .filter(|l| !l.starts_with(&self.dir))
            {
                dirs.extend(link.parent().map(Path::to_path_buf));
            }
        }
        durable::sync_dirs(dirs)
    }

    /// File `n`'s copy of its old content, when it is rewritten in place.
    pub fn old_copy(&self, n: usize) -> Option<PathBuf> {
        let entry = self.entries.get(n)?;
        (entry.kind == Mode::RewriteInPlace)
            .then(|| entry.old_link.clone())
            .flatten()
    }

    /// File `n` has been written, in part or whole: a rollback restores it.
    pub fn applied(&mut self, n: usize) {
        if self.written.len() <= n {
            self.written.resize(n + 1, false);
        }
        self.written[n] = true;
    }

    /// Restores every file written so far, the last first, and removes the run.
    pub fn roll_back(self) -> Result<Vec<PathBuf>> {
        let mut restored = Vec::new();
        let undo = UndoData::of(&self.dir);
        let mut later = LaterSyncs::uninterruptible();
        for n in (0..self.written.len()).rev().filter(|&n| self.written[n]) {
            let entry = &self.entries[n];
            restore(&undo, n, entry, &mut later)?;
            restored.push(entry.path.clone());
        }
        later.sync()?;
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
        // The commit point: the mark made durable (the manifest was synced as it was written),
        // after the files' own sync (`LaterSyncs::sync`), so that a run is never committed
        // ahead of its files.
        fs::write(self.dir.join(COMMITTED_FILE), b"")
            .map_err(anyhow::Error::from)
            .and_then(|()| durable::sync_dir(&self.dir))
            .context("cannot mark the run committed")?;
        write_afters(&self.dir, &self.entries);
        let size = disk_use(&self.dir);
        // KeptRun for `prune`, which would otherwise look at every kept run's files each time a
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
        let about = About {
            command: &self.command,
            cwd: self.cwd.as_deref(),
        };
        write_manifest(&self.dir, about, &self.entries, committed)
    }
}

/// What a manifest says of its run besides its files.
#[derive(Clone, Copy)]
pub(crate) struct About<'a> {
    pub command: &'a str,
    pub cwd: Option<&'a Path>,
}

/// Writes a run's manifest atomically: a new file, synced, renamed over the old one. The caller
/// syncs the directory, once for everything it named there.
pub(crate) fn write_manifest(
    dir: &Path,
    about: About,
    entries: &[Entry],
    committed: bool,
) -> Result<()> {
    {
        let files: Vec<Value> = entries
            .iter()
            .map(|e| {
                json!({
                    "path": path_to_json(&e.path),
                    "kind": e.kind.journal_name(),
                    "before": e.before.to_json(),
                    "old_link": e.old_link.as_deref().map(path_to_json),
                    "after": e.after.map(Identity::to_json),
                    "touched_sum": e.touched_sum.map(|sum| sum.to_string()),
                    "given": e.given.as_deref().map(path_to_json),
                })
            })
            .collect();
        let manifest = json!({
            "version": 1,
            "pid": std::process::id(),
            "command": about.command,
            "cwd": about.cwd.map(path_to_json),
            "committed": committed,
            "files": files,
        });
        let temp = dir.join("manifest.json.tmp");
        let mut file = File::create(&temp).context("cannot write the journal")?;
        // Synced before the rename, so that the name never comes to disk ahead of the content.
        file.write_all(manifest.to_string().as_bytes())
            .and_then(|()| durable::sync_file(&file))
            .context("cannot write the journal")?;
        fs::rename(&temp, dir.join("manifest.json")).context("cannot write the journal")?;
        Ok(())
    }
}

/// Copies the file at `path` to the new file `copy` (its holes kept) and syncs the copy: the
/// old content of a file rewritten in place, which a rollback or an undo copies back.
fn keep_a_copy(path: &Path, copy: &Path) -> io::Result<()> {
    let from = File::open(path)?;
    let to = fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(copy)?;
    crate::patch::sink::copy_keeping_holes(&from, &to).and_then(|()| durable::sync_file(&to))
}

/// `.NAME.mmt-old-PID-N` beside `path`, for an old inode kept during a run.
pub(super) fn beside_link(path: &Path) -> PathBuf {
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
pub(super) fn write_undo(
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
pub(super) const UNDO_PACK: &str = "undo";

/// What a run's undo pack is gathered in before it is written: the undo data of a hundred
/// small files is one write, and a large literal's gaps go past it; more is heap for nothing.
pub(super) const PACK_BUFFER: usize = 64 << 10;
