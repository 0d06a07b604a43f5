//! A crash-simulating file system for the power-cut tests: a FUSE file system (the `fuser`
//! crate, mounted with `mount(2)` as root, no libfuse) that keeps two images of itself, what
//! the kernel sees now and what a disk would still hold after a power cut, and moves what was
//! written from the first to the second only as the calls that make data durable say:
//!
//! - `fsync` of a file (`FSYNC`; also `fdatasync` and `msync(MS_SYNC)`): its data and size,
//!   and with a full `fsync` its mode, owner and times too;
//! - `fsync` of a directory (`FSYNCDIR`): its names, as they are now (created, renamed,
//!   linked, unlinked). A name made durable before the data it names is, names an empty file,
//!   as after a crash on a disk that wrote the directory first;
//! - `syncfs`, which a FUSE server never hears of (the kernel forwards it to virtiofs alone):
//!   mmt's test seam (`MMT_TEST_SYNCFS_THROUGH`) syncs the file `.syncfs` after each `syncfs`,
//!   and that makes everything durable.
//!
//! A power cut is set as a number of those durability events: the `k`th never happens (and
//! nothing after it), or the first change after it never does. From then on every call fails
//! with EIO, as a dead disk's would; the test kills mmt, and [`CrashFs::power_cut`] unmounts,
//! throws away all that was not made durable, and mounts the file system again.
//!
//! LazyFS (dsrhaslab/lazyfs) is the model for the data; unlike it, this one also loses names
//! whose directory was not synced. It keeps both images in memory rather than passing through to
//! a backing directory: the files of a test are small, and the image that survives a cut is
//! then a value the test holds across the remount.

use std::collections::{BTreeMap, HashMap};
use std::ffi::{OsStr, OsString};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

use fuser::{
    Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags, Generation, INodeNo, LockOwner,
    OpenFlags, RenameFlags, ReplyAttr, ReplyCreate, ReplyData, ReplyDirectory, ReplyEmpty,
    ReplyEntry, ReplyOpen, ReplyStatfs, ReplyWrite, Request, TimeOrNow, WriteFlags,
};

/// The name, in the root, of the file whose `fsync` stands for a `syncfs` (mmt's test seam).
pub const SYNCFS_FILE: &str = ".syncfs";

const ROOT: u64 = 1;
const SYNCFS_INO: u64 = 2;

#[derive(Clone)]
enum Body {
    File(Arc<Vec<u8>>),
    Dir(BTreeMap<OsString, u64>),
}

#[derive(Clone)]
struct Node {
    body: Body,
    mode: u32,
    uid: u32,
    gid: u32,
    mtime: SystemTime,
    ctime: SystemTime,
}

impl Node {
    fn new(body: Body, mode: u32, uid: u32, gid: u32) -> Node {
        let now = SystemTime::now();
        Node {
            body,
            mode: mode & 0o7777,
            uid,
            gid,
            mtime: now,
            ctime: now,
        }
    }

    fn entries(&self) -> Option<&BTreeMap<OsString, u64>> {
        match &self.body {
            Body::Dir(entries) => Some(entries),
            Body::File(_) => None,
        }
    }
}

/// A whole file system: its inodes by number.
#[derive(Clone, Default)]
struct Image {
    nodes: HashMap<u64, Node>,
}

impl Image {
    fn new() -> Image {
        let mut nodes = HashMap::new();
        let mut root = BTreeMap::new();
        root.insert(OsString::from(SYNCFS_FILE), SYNCFS_INO);
        nodes.insert(ROOT, Node::new(Body::Dir(root), 0o755, 0, 0));
        nodes.insert(
            SYNCFS_INO,
            Node::new(Body::File(Arc::default()), 0o644, 0, 0),
        );
        Image { nodes }
    }

    /// Drops the inodes no name reaches: after a cut, what was unlinked or never named.
    fn keep_reachable(&mut self) {
        let mut reached = vec![ROOT];
        let mut seen = std::collections::HashSet::from([ROOT]);
        while let Some(ino) = reached.pop() {
            if let Some(entries) = self.nodes.get(&ino).and_then(Node::entries) {
                for child in entries.values() {
                    if seen.insert(*child) {
                        reached.push(*child);
                    }
                }
            }
        }
        self.nodes.retain(|ino, _| seen.contains(ino));
    }

    fn links(&self, ino: u64) -> u32 {
        let names = self
            .nodes
            .values()
            .filter_map(Node::entries)
            .flat_map(|entries| entries.values())
            .filter(|&&child| child == ino)
            .count();
        u32::try_from(names).unwrap_or(u32::MAX)
    }
}

/// Where the power is cut, counting the durability events (fsync, fsyncdir, the syncfs seam)
/// from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cut {
    /// The `k`th event does not happen, nor anything after it.
    At(usize),
    /// The `k`th event happens; the first change after it does not, nor anything after that.
    After(usize),
}

struct State {
    now: Image,
    durable: Image,
    next_ino: u64,
    /// Durability events so far.
    events: usize,
    cut: Option<Cut>,
    /// The event of an `After` cut has happened: the next change kills the disk.
    armed: bool,
    dead: bool,
}

impl State {
    /// Whether a change may go on: not on a dead disk, and not the first change after the event
    /// of an `After` cut (which kills it).
    fn may_change(&mut self) -> bool {
        if self.armed {
            self.dead = true;
        }
        !self.dead
    }

    /// A durability event comes: whether it happens (else the disk is dead from now on).
    fn event(&mut self) -> bool {
        if !self.may_change() {
            return false;
        }
        self.events += 1;
        match self.cut {
            Some(Cut::At(k)) if k == self.events => self.dead = true,
            Some(Cut::After(k)) if k == self.events => self.armed = true,
            _ => {}
        }
        !self.dead
    }

    fn attr(&self, ino: u64) -> Option<FileAttr> {
        let node = self.now.nodes.get(&ino)?;
        let (kind, size) = match &node.body {
            Body::File(data) => (FileType::RegularFile, data.len() as u64),
            Body::Dir(_) => (FileType::Directory, 4096),
        };
        Some(FileAttr {
            ino: INodeNo(ino),
            size,
            blocks: size.div_ceil(512),
            atime: node.mtime,
            mtime: node.mtime,
            ctime: node.ctime,
            crtime: node.ctime,
            kind,
            perm: (node.mode & 0o7777) as u16,
            nlink: self.now.links(ino).max(1),
            uid: node.uid,
            gid: node.gid,
            rdev: 0,
            blksize: 4096,
            flags: 0,
        })
    }

    fn child(&self, parent: u64, name: &OsStr) -> Option<u64> {
        self.now.nodes.get(&parent)?.entries()?.get(name).copied()
    }

    fn entries_mut(&mut self, dir: u64) -> Result<&mut BTreeMap<OsString, u64>, Errno> {
        match self.now.nodes.get_mut(&dir).map(|node| &mut node.body) {
            Some(Body::Dir(entries)) => Ok(entries),
            Some(Body::File(_)) => Err(Errno::ENOTDIR),
            None => Err(Errno::ENOENT),
        }
    }

    fn data_mut(&mut self, ino: u64) -> Result<&mut Vec<u8>, Errno> {
        match self.now.nodes.get_mut(&ino).map(|node| &mut node.body) {
            Some(Body::File(data)) => Ok(Arc::make_mut(data)),
            Some(Body::Dir(_)) => Err(Errno::EISDIR),
            None => Err(Errno::ENOENT),
        }
    }

    fn touch(&mut self, ino: u64) {
        if let Some(node) = self.now.nodes.get_mut(&ino) {
            let now = SystemTime::now();
            node.mtime = now;
            node.ctime = now;
        }
    }

    /// Makes a new inode named `name` in `parent`.
    fn make(&mut self, parent: u64, name: &OsStr, node: Node) -> Result<u64, Errno> {
        if self.child(parent, name).is_some() {
            return Err(Errno::EEXIST);
        }
        let ino = self.next_ino;
        self.entries_mut(parent)?.insert(name.to_owned(), ino);
        self.next_ino += 1;
        self.now.nodes.insert(ino, node);
        self.touch(parent);
        Ok(ino)
    }

    /// `fsync` of a file: its data (and, unless `datasync`, its attributes) made durable.
    fn sync_file(&mut self, ino: u64, datasync: bool) {
        if ino == SYNCFS_INO {
            self.durable = self.now.clone();
            return;
        }
        let Some(now) = self.now.nodes.get(&ino).cloned() else {
            return;
        };
        match self.durable.nodes.get_mut(&ino) {
            Some(durable) if datasync => {
                durable.body = now.body;
            }
            Some(durable) => *durable = now,
            None => {
                self.durable.nodes.insert(ino, now);
            }
        }
    }

    /// `fsync` of a directory: its names made durable. An inode a name brings in that has
    /// never been synced is there empty.
    fn sync_dir(&mut self, ino: u64) {
        let Some(dir) = self.now.nodes.get(&ino).cloned() else {
            return;
        };
        for child in dir.entries().into_iter().flatten().map(|(_, child)| *child) {
            if self.durable.nodes.contains_key(&child) {
                continue;
            }
            if let Some(node) = self.now.nodes.get(&child) {
                let empty = match node.body {
                    Body::File(_) => Body::File(Arc::default()),
                    Body::Dir(_) => Body::Dir(BTreeMap::new()),
                };
                let skeleton = Node {
                    body: empty,
                    ..node.clone()
                };
                self.durable.nodes.insert(child, skeleton);
            }
        }
        let entries = dir.body;
        match self.durable.nodes.get_mut(&ino) {
            Some(durable) => durable.body = entries,
            None => {
                self.durable.nodes.insert(
                    ino,
                    Node {
                        body: entries,
                        ..dir
                    },
                );
            }
        }
    }
}

/// The mounted file system, and the handle a test keeps on it.
pub struct CrashFs {
    state: Arc<Mutex<State>>,
    mount_point: PathBuf,
    session: Option<fuser::BackgroundSession>,
}

impl CrashFs {
    /// Mounts an empty file system (but for [`SYNCFS_FILE`]) at `mount_point`.
    pub fn mount(mount_point: &Path) -> std::io::Result<CrashFs> {
        let state = State {
            now: Image::new(),
            durable: Image::new(),
            next_ino: SYNCFS_INO + 1,
            events: 0,
            cut: None,
            armed: false,
            dead: false,
        };
        let mut fs = CrashFs {
            state: Arc::new(Mutex::new(state)),
            mount_point: mount_point.to_path_buf(),
            session: None,
        };
        fs.mount_again()?;
        Ok(fs)
    }

    fn mount_again(&mut self) -> std::io::Result<()> {
        let mut config = fuser::Config::default();
        config.mount_options = vec![fuser::MountOption::FSName("crashfs".to_owned())];
        let served = Served {
            state: Arc::clone(&self.state),
        };
        self.session = Some(fuser::spawn_mount(served, &self.mount_point, &config)?);
        Ok(())
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Everything written so far is durable (the test's own setup).
    pub fn sync_all(&self) {
        let mut state = self.state();
        state.durable = state.now.clone();
    }

    /// Sets where the power is cut, and counts the durability events from 0 again.
    pub fn cut(&self, cut: Option<Cut>) {
        let mut state = self.state();
        state.cut = cut;
        state.events = 0;
        state.armed = false;
    }

    /// How many durability events there were since [`CrashFs::cut`].
    pub fn events(&self) -> usize {
        self.state().events
    }

    /// Whether the power was cut: every call fails from then on.
    pub fn is_dead(&self) -> bool {
        self.state().dead
    }

    /// The power goes: the file system is unmounted, all that was not made durable is lost,
    /// and it is mounted again (with another device number, as after a reboot).
    pub fn power_cut(&mut self) {
        {
            // Dead while it is unmounted, so that what the kernel writes back then is lost too.
            self.state().dead = true;
        }
        self.unmount();
        {
            let mut state = self.state();
            let mut survived = state.durable.clone();
            survived.keep_reachable();
            state.now = survived.clone();
            state.durable = survived;
            state.cut = None;
            state.armed = false;
            state.dead = false;
        }
        self.mount_again()
            .expect("mount the crash file system again");
    }

    fn unmount(&mut self) {
        if let Some(session) = self.session.take() {
            session
                .umount_and_join()
                .expect("unmount the crash file system");
        }
    }
}

impl Drop for CrashFs {
    fn drop(&mut self) {
        if let Some(session) = self.session.take() {
            let _ = session.umount_and_join();
        }
    }
}

/// What the FUSE session serves: the state it shares with the test's [`CrashFs`].
struct Served {
    state: Arc<Mutex<State>>,
}

/// Attributes and names are never cached by the kernel: every `stat` asks.
const TTL: Duration = Duration::ZERO;

impl Served {
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `change` on a live disk that may change, or fails with EIO.
    fn change<T>(&self, change: impl FnOnce(&mut State) -> Result<T, Errno>) -> Result<T, Errno> {
        let mut state = self.state();
        if !state.may_change() {
            return Err(Errno::EIO);
        }
        change(&mut state)
    }

    fn read<T>(&self, read: impl FnOnce(&State) -> Result<T, Errno>) -> Result<T, Errno> {
        let state = self.state();
        if state.dead {
            return Err(Errno::EIO);
        }
        read(&state)
    }

    fn entry_of(&self, made: Result<u64, Errno>, reply: ReplyEntry) {
        match made.and_then(|ino| self.read(|state| state.attr(ino).ok_or(Errno::ENOENT))) {
            Ok(attr) => reply.entry(&TTL, &attr, Generation(0)),
            Err(err) => reply.error(err),
        }
    }
}

fn empty(done: Result<(), Errno>, reply: ReplyEmpty) {
    match done {
        Ok(()) => reply.ok(),
        Err(err) => reply.error(err),
    }
}

fn time_of(time: TimeOrNow) -> SystemTime {
    match time {
        TimeOrNow::SpecificTime(time) => time,
        TimeOrNow::Now => SystemTime::now(),
    }
}

impl Filesystem for Served {
    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let found = self.read(|state| state.child(parent.0, name).ok_or(Errno::ENOENT));
        self.entry_of(found, reply);
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        match self.read(|state| state.attr(ino.0).ok_or(Errno::ENOENT)) {
            Ok(attr) => reply.attr(&TTL, &attr),
            Err(err) => reply.error(err),
        }
    }

    fn setattr(
        &self,
        _req: &Request,
        ino: INodeNo,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
        size: Option<u64>,
        _atime: Option<TimeOrNow>,
        mtime: Option<TimeOrNow>,
        _ctime: Option<SystemTime>,
        _fh: Option<FileHandle>,
        _crtime: Option<SystemTime>,
        _chgtime: Option<SystemTime>,
        _bkuptime: Option<SystemTime>,
        _flags: Option<fuser::BsdFileFlags>,
        reply: ReplyAttr,
    ) {
        let done = self.change(|state| {
            let ino = ino.0;
            if let Some(size) = size {
                let size = usize::try_from(size).map_err(|_| Errno::EFBIG)?;
                state.data_mut(ino)?.resize(size, 0);
                state.touch(ino);
            }
            let node = state.now.nodes.get_mut(&ino).ok_or(Errno::ENOENT)?;
            if let Some(mode) = mode {
                node.mode = mode & 0o7777;
            }
            node.uid = uid.unwrap_or(node.uid);
            node.gid = gid.unwrap_or(node.gid);
            if let Some(mtime) = mtime {
                node.mtime = time_of(mtime);
            }
            node.ctime = SystemTime::now();
            state.attr(ino).ok_or(Errno::ENOENT)
        });
        match done {
            Ok(attr) => reply.attr(&TTL, &attr),
            Err(err) => reply.error(err),
        }
    }

    fn mknod(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        _rdev: u32,
        reply: ReplyEntry,
    ) {
        let made = self.change(|state| {
            if mode & libc::S_IFMT != libc::S_IFREG {
                return Err(Errno::EPERM);
            }
            let node = Node::new(
                Body::File(Arc::default()),
                mode & !umask,
                req.uid(),
                req.gid(),
            );
            state.make(parent.0, name, node)
        });
        self.entry_of(made, reply);
    }

    fn mkdir(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        reply: ReplyEntry,
    ) {
        let made = self.change(|state| {
            let node = Node::new(
                Body::Dir(BTreeMap::new()),
                mode & !umask,
                req.uid(),
                req.gid(),
            );
            state.make(parent.0, name, node)
        });
        self.entry_of(made, reply);
    }

    fn unlink(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let done = self.change(|state| {
            let child = state.child(parent.0, name).ok_or(Errno::ENOENT)?;
            if state
                .now
                .nodes
                .get(&child)
                .and_then(Node::entries)
                .is_some()
            {
                return Err(Errno::EISDIR);
            }
            state.entries_mut(parent.0)?.remove(name);
            state.touch(parent.0);
            Ok(())
        });
        empty(done, reply);
    }

    fn rmdir(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEmpty) {
        let done = self.change(|state| {
            let child = state.child(parent.0, name).ok_or(Errno::ENOENT)?;
            match state.now.nodes.get(&child).and_then(Node::entries) {
                None => return Err(Errno::ENOTDIR),
                Some(entries) if !entries.is_empty() => return Err(Errno::ENOTEMPTY),
                Some(_) => {}
            }
            state.entries_mut(parent.0)?.remove(name);
            state.touch(parent.0);
            Ok(())
        });
        empty(done, reply);
    }

    fn rename(
        &self,
        _req: &Request,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: RenameFlags,
        reply: ReplyEmpty,
    ) {
        let done = self.change(|state| {
            let moved = state.child(parent.0, name).ok_or(Errno::ENOENT)?;
            let replaced = state.child(newparent.0, newname);
            if flags.contains(RenameFlags::RENAME_EXCHANGE) {
                let other = replaced.ok_or(Errno::ENOENT)?;
                state.entries_mut(parent.0)?.insert(name.to_owned(), other);
                state
                    .entries_mut(newparent.0)?
                    .insert(newname.to_owned(), moved);
            } else {
                if replaced.is_some() && flags.contains(RenameFlags::RENAME_NOREPLACE) {
                    return Err(Errno::EEXIST);
                }
                let full_dir = |ino| {
                    state
                        .now
                        .nodes
                        .get(&ino)
                        .and_then(Node::entries)
                        .is_some_and(|entries| !entries.is_empty())
                };
                if replaced.is_some_and(full_dir) {
                    return Err(Errno::ENOTEMPTY);
                }
                state.entries_mut(parent.0)?.remove(name);
                state
                    .entries_mut(newparent.0)?
                    .insert(newname.to_owned(), moved);
            }
            state.touch(parent.0);
            state.touch(newparent.0);
            Ok(())
        });
        empty(done, reply);
    }

    fn link(
        &self,
        _req: &Request,
        ino: INodeNo,
        newparent: INodeNo,
        newname: &OsStr,
        reply: ReplyEntry,
    ) {
        let linked = self.change(|state| {
            if state.child(newparent.0, newname).is_some() {
                return Err(Errno::EEXIST);
            }
            if state
                .now
                .nodes
                .get(&ino.0)
                .and_then(Node::entries)
                .is_some()
            {
                return Err(Errno::EPERM);
            }
            state
                .entries_mut(newparent.0)?
                .insert(newname.to_owned(), ino.0);
            state.touch(newparent.0);
            Ok(ino.0)
        });
        self.entry_of(linked, reply);
    }

    fn open(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        match self.read(|state| state.attr(ino.0).ok_or(Errno::ENOENT)) {
            Ok(_) => reply.opened(FileHandle(0), FopenFlags::empty()),
            Err(err) => reply.error(err),
        }
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        let read = self.read(|state| match state.now.nodes.get(&ino.0).map(|n| &n.body) {
            Some(Body::File(data)) => {
                let start = usize::try_from(offset)
                    .unwrap_or(usize::MAX)
                    .min(data.len());
                let end = start.saturating_add(size as usize).min(data.len());
                Ok(data[start..end].to_vec())
            }
            Some(Body::Dir(_)) => Err(Errno::EISDIR),
            None => Err(Errno::ENOENT),
        });
        match read {
            Ok(bytes) => reply.data(&bytes),
            Err(err) => reply.error(err),
        }
    }

    fn write(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        data: &[u8],
        _write_flags: WriteFlags,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyWrite,
    ) {
        let written = self.change(|state| {
            let start = usize::try_from(offset).map_err(|_| Errno::EFBIG)?;
            let bytes = state.data_mut(ino.0)?;
            if bytes.len() < start + data.len() {
                bytes.resize(start + data.len(), 0);
            }
            bytes[start..start + data.len()].copy_from_slice(data);
            state.touch(ino.0);
            Ok(data.len())
        });
        match written {
            Ok(n) => reply.written(u32::try_from(n).unwrap_or(u32::MAX)),
            Err(err) => reply.error(err),
        }
    }

    fn flush(
        &self,
        _req: &Request,
        _ino: INodeNo,
        _fh: FileHandle,
        _lock_owner: LockOwner,
        reply: ReplyEmpty,
    ) {
        reply.ok();
    }

    fn fsync(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        datasync: bool,
        reply: ReplyEmpty,
    ) {
        let mut state = self.state();
        if state.event() {
            state.sync_file(ino.0, datasync);
            reply.ok();
        } else {
            reply.error(Errno::EIO);
        }
    }

    fn opendir(&self, _req: &Request, _ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        reply.opened(FileHandle(0), FopenFlags::empty());
    }

    fn readdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        offset: u64,
        mut reply: ReplyDirectory,
    ) {
        let listed = self.read(|state| {
            let entries = state
                .now
                .nodes
                .get(&ino.0)
                .and_then(Node::entries)
                .ok_or(Errno::ENOTDIR)?;
            let mut listed = vec![
                (ino.0, FileType::Directory, OsString::from(".")),
                (ino.0, FileType::Directory, OsString::from("..")),
            ];
            for (name, child) in entries {
                let kind = match state.now.nodes.get(child).map(|n| &n.body) {
                    Some(Body::Dir(_)) => FileType::Directory,
                    _ => FileType::RegularFile,
                };
                listed.push((*child, kind, name.clone()));
            }
            Ok(listed)
        });
        match listed {
            Ok(listed) => {
                let skip = usize::try_from(offset).unwrap_or(usize::MAX);
                for (i, (child, kind, name)) in listed.into_iter().enumerate().skip(skip) {
                    if reply.add(INodeNo(child), i as u64 + 1, kind, name) {
                        break;
                    }
                }
                reply.ok();
            }
            Err(err) => reply.error(err),
        }
    }

    fn fsyncdir(
        &self,
        _req: &Request,
        ino: INodeNo,
        _fh: FileHandle,
        _datasync: bool,
        reply: ReplyEmpty,
    ) {
        let mut state = self.state();
        if state.event() {
            state.sync_dir(ino.0);
            reply.ok();
        } else {
            reply.error(Errno::EIO);
        }
    }

    fn statfs(&self, _req: &Request, _ino: INodeNo, reply: ReplyStatfs) {
        reply.statfs(1 << 20, 1 << 19, 1 << 19, 1 << 16, 1 << 15, 4096, 255, 4096);
    }

    fn access(&self, _req: &Request, _ino: INodeNo, _mask: fuser::AccessFlags, reply: ReplyEmpty) {
        reply.ok();
    }

    fn create(
        &self,
        req: &Request,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        _flags: i32,
        reply: ReplyCreate,
    ) {
        let made = self.change(|state| {
            let node = Node::new(
                Body::File(Arc::default()),
                mode & !umask,
                req.uid(),
                req.gid(),
            );
            let ino = state.make(parent.0, name, node)?;
            state.attr(ino).ok_or(Errno::ENOENT)
        });
        match made {
            Ok(attr) => reply.created(
                &TTL,
                &attr,
                Generation(0),
                FileHandle(0),
                FopenFlags::empty(),
            ),
            Err(err) => reply.error(err),
        }
    }
}
