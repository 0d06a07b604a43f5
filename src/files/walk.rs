//! A directory walked on many threads, each file worked on by the thread that meets it (as
//! ripgrep does), and the results handed on in the order of the one-thread walk: each
//! directory's entries sorted by path, depth first (`source::walk_in_order`).
//!
//! `ignore`'s parallel walker decides what is walked (ignore files, hidden files, globs, links,
//! depth) as its one-thread walker does, and costs less: it learns which ignore files a
//! directory has from the directory's listing, where the one-thread walker asks the file system
//! for five names per directory. But it keeps no order, and it tells nobody when it has
//! finished reading a directory. The order is rebuilt here from how its workers go about a
//! directory (ignore 0.4, `Worker::run_one`): the directory is visited, then each entry that
//! the ignore rules keep is shown to the entry filter, all on the same thread, before that
//! thread visits anything else. So a thread's listing of a directory runs from the directory's
//! visit to the thread's next visit, or to the end of its walk. The tests compare this walk
//! with the one-thread walk on trees with every kind of entry the rules tell apart.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard, PoisonError};

use anyhow::Result;
use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkState};

use crate::files::source::{self, Done, Source, Unreachable, WalkOptions};

/// Walks `dir` on `threads` threads, runs `work` on every file as the walk meets it, and hands
/// each result (or what could not be reached) to `consume` in the order of the one-thread
/// walk. `consume` runs on the calling thread; an error from it stops the walk and is returned.
pub fn in_walk_order<T, W, C>(
    dir: &Path,
    options: &WalkOptions,
    threads: usize,
    work: &W,
    consume: &mut C,
) -> Result<()>
where
    T: Send,
    W: Fn(&Source) -> T + Sync,
    C: FnMut(Done<T>) -> Result<()>,
{
    let mut builder = match source::walker(dir, options) {
        Ok(builder) => builder,
        Err(error) => {
            return consume(Err(Unreachable {
                name: dir.display().to_string(),
                error,
            }));
        }
    };
    let strip = options.implicit_dot;
    builder.threads(threads).filter_entry(move |entry| {
        note_entry(entry, strip);
        true
    });
    let walk = builder.build_parallel();
    let shared = Shared::new();
    std::thread::scope(|scope| {
        let shared = &shared;
        scope.spawn(move || {
            walk.visit(&mut Visitors {
                shared,
                work,
                strip,
            });
            shared.lock().walked = true;
            shared.ready.notify_all();
        });
        let result = hand_on_in_order(shared, consume);
        if result.is_err() {
            shared.stop.store(true, Ordering::Relaxed);
        }
        result
    })
}

/// An entry the walk met: its path, and its inode number as its directory listed it, which
/// is its hash in the maps below (cheaper than hashing the path's bytes). The path still tells
/// entries apart: hard links share an inode, and so may
/// files on two file systems.
#[derive(Debug, Clone)]
struct Met {
    path: PathBuf,
    ino: u64,
}

impl Met {
    /// `strip`: the walk is of an implicit `.`, whose `./` is not shown.
    fn of(entry: &DirEntry, strip: bool) -> Met {
        Met {
            path: source::shown_path(entry.path(), strip),
            ino: entry.ino().unwrap_or(0),
        }
    }
}

impl PartialEq for Met {
    fn eq(&self, other: &Met) -> bool {
        // As bytes: `Path`'s own comparison goes component by component.
        self.ino == other.ino && self.path.as_os_str() == other.path.as_os_str()
    }
}

impl Eq for Met {}

impl Hash for Met {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.ino.hash(state);
    }
}

/// What the walk found in one directory, as the one-thread walk would list it.
enum Child {
    File(Met),
    Dir(Met),
    Failed(Unreachable, Option<PathBuf>),
}

impl Child {
    /// Where the one-thread walk meets it: errors that name no entry first, then by path.
    /// Entries of one directory share its path as a prefix, so comparing the bytes orders them
    /// as `Path::cmp` does, and costs a `memcmp`.
    fn place(&self) -> Option<&[u8]> {
        match self {
            Child::File(met) | Child::Dir(met) => Some(met.path.as_os_str().as_bytes()),
            Child::Failed(_, path) => path.as_deref().map(|p| p.as_os_str().as_bytes()),
        }
    }
}

thread_local! {
    /// The entries of the directory this walker thread is listing.
    static LISTING: RefCell<Vec<Child>> = const { RefCell::new(Vec::new()) };
}

/// The entry filter: called on the listing thread for each entry the ignore rules keep.
fn note_entry(entry: &DirEntry, strip: bool) {
    let child = match entry.file_type() {
        Some(kind) if kind.is_dir() => Child::Dir(Met::of(entry, strip)),
        Some(kind) if kind.is_file() => Child::File(Met::of(entry, strip)),
        // Symbolic links not followed, sockets, pipes: the walks do not work on them.
        _ => return,
    };
    LISTING.with(|listing| listing.borrow_mut().push(child));
}

/// A map of entries met.
type MetMap<V> = HashMap<Met, V, foldhash::fast::RandomState>;

/// What the calling thread waits for: the walk root's listing, or an entry's (a directory's
/// listing, a file's result).
#[derive(Debug, Clone)]
enum Slot {
    Root,
    SourceEntry(Met),
}

/// What the walker threads hand to the calling thread.
struct Shared<T> {
    state: Mutex<State<T>>,
    ready: Condvar,
    stop: AtomicBool,
}

struct State<T> {
    /// The root's listing, once complete, its entries in walk order.
    root: Option<Vec<Child>>,
    /// Directories whose listing is complete.
    listings: MetMap<Vec<Child>>,
    /// Files worked on and not yet handed on.
    results: MetMap<T>,
    /// Errors met outside any directory's listing (the walk's root itself).
    unplaced: Vec<Unreachable>,
    /// The walk has ended: what is missing now never comes.
    walked: bool,
    /// What the calling thread sleeps until, so that only its arrival wakes it.
    awaited: Option<Slot>,
}

impl<T> Shared<T> {
    fn new() -> Shared<T> {
        Shared {
            state: Mutex::new(State {
                root: None,
                // Sized for what a consumer that falls behind leaves waiting, so that the maps
                // seldom grow while the walk runs.
                listings: MetMap::with_capacity_and_hasher(1 << 10, Default::default()),
                results: MetMap::with_capacity_and_hasher(1 << 12, Default::default()),
                unplaced: Vec::new(),
                walked: false,
                awaited: None,
            }),
            ready: Condvar::new(),
            stop: AtomicBool::new(false),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State<T>> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Wakes the calling thread if it waits for `met`'s listing or result (`None`: for the
    /// root's listing).
    fn wake_if_awaited(&self, state: &State<T>, met: Option<&Met>) {
        let awaited = match &state.awaited {
            Some(Slot::Root) => met.is_none(),
            Some(Slot::SourceEntry(awaited)) => Some(awaited) == met,
            None => false,
        };
        if awaited {
            self.ready.notify_one();
        }
    }

    /// Waits until `take` finds what it looks for, or the walk has ended without it.
    /// `awaited` names what is waited for; it is made only when the calling thread must sleep.
    fn wait_for<R>(
        &self,
        awaited: impl Fn() -> Slot,
        mut take: impl FnMut(&mut State<T>) -> Option<R>,
    ) -> Option<R> {
        let mut state = self.lock();
        loop {
            if let Some(found) = take(&mut state) {
                return Some(found);
            }
            if state.walked {
                return None;
            }
            state.awaited = Some(awaited());
            state = self
                .ready
                .wait(state)
                .unwrap_or_else(PoisonError::into_inner);
            state.awaited = None;
        }
    }
}

/// Hands every result to `consume`, depth first through the listings as they arrive.
fn hand_on_in_order<T>(
    shared: &Shared<T>,
    consume: &mut impl FnMut(Done<T>) -> Result<()>,
) -> Result<()> {
    let listing = |slot: Slot| {
        shared
            .wait_for(
                || slot.clone(),
                |state| match &slot {
                    Slot::Root => state.root.take(),
                    Slot::SourceEntry(dir) => state.listings.remove(dir),
                },
            )
            .unwrap_or_default()
            .into_iter()
    };
    let mut stack = vec![listing(Slot::Root)];
    // The root's own errors come before its listing, as the one-thread walk gives them.
    let unplaced = std::mem::take(&mut shared.lock().unplaced);
    for unreachable in unplaced {
        consume(Err(unreachable))?;
    }
    while let Some(entries) = stack.last_mut() {
        match entries.next() {
            None => {
                stack.pop();
            }
            Some(Child::Dir(dir)) => stack.push(listing(Slot::SourceEntry(dir))),
            Some(Child::File(file)) => {
                let awaited = || Slot::SourceEntry(file.clone());
                let taken = shared.wait_for(awaited, |state| state.results.remove(&file));
                if let Some(done) = taken {
                    let source = Source::File {
                        path: file.path,
                        named: false,
                    };
                    consume(Ok((source, done)))?;
                }
            }
            Some(Child::Failed(unreachable, _)) => consume(Err(unreachable))?,
        }
    }
    let unplaced = std::mem::take(&mut shared.lock().unplaced);
    for unreachable in unplaced {
        consume(Err(unreachable))?;
    }
    Ok(())
}

/// Builds one [`Visitor`] per walker thread.
struct Visitors<'a, T, W> {
    shared: &'a Shared<T>,
    work: &'a W,
    strip: bool,
}

impl<'s, T, W> ParallelVisitorBuilder<'s> for Visitors<'s, T, W>
where
    T: Send,
    W: Fn(&Source) -> T + Sync,
{
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        Box::new(Visitor {
            shared: self.shared,
            work: self.work,
            strip: self.strip,
            listing: None,
        })
    }
}

/// One walker thread: works on the files it meets and publishes the listings it makes.
struct Visitor<'a, T, W> {
    shared: &'a Shared<T>,
    work: &'a W,
    /// The walk is of an implicit `.`, whose `./` is not shown.
    strip: bool,
    /// The directory this thread is listing, if any.
    listing: Option<Slot>,
}

impl<T, W> Visitor<'_, T, W> {
    /// The thread has moved on: the directory it was listing is complete.
    fn close_listing(&mut self) {
        let Some(dir) = self.listing.take() else {
            return;
        };
        let mut children = LISTING.with(|listing| std::mem::take(&mut *listing.borrow_mut()));
        children.sort_by(|a, b| a.place().cmp(&b.place()));
        let mut state = self.shared.lock();
        match dir {
            Slot::Root => {
                self.shared.wake_if_awaited(&state, None);
                state.root = Some(children);
            }
            Slot::SourceEntry(dir) => {
                self.shared.wake_if_awaited(&state, Some(&dir));
                state.listings.insert(dir, children);
            }
        }
    }
}

impl<T, W> ParallelVisitor for Visitor<'_, T, W>
where
    T: Send,
    W: Fn(&Source) -> T + Sync,
{
    fn visit(&mut self, entry: Result<DirEntry, ignore::Error>) -> WalkState {
        if self.shared.stop.load(Ordering::Relaxed) {
            return WalkState::Quit;
        }
        let entry = match entry {
            Ok(entry) => entry,
            Err(error) => {
                let place = error_path(&error).map(|path| source::shown_path(&path, self.strip));
                let unreachable = source::unreachable(error);
                if self.listing.is_some() {
                    let child = Child::Failed(unreachable, place);
                    LISTING.with(|listing| listing.borrow_mut().push(child));
                } else {
                    self.shared.lock().unplaced.push(unreachable);
                }
                return WalkState::Continue;
            }
        };
        self.close_listing();
        match entry.file_type() {
            Some(kind) if kind.is_dir() => {
                self.listing = Some(match entry.depth() {
                    0 => Slot::Root,
                    _ => Slot::SourceEntry(Met::of(&entry, self.strip)),
                });
            }
            Some(kind) if kind.is_file() => {
                let ino = entry.ino().unwrap_or(0);
                let source = Source::File {
                    path: source::shown_path(entry.path(), self.strip),
                    named: false,
                };
                let done = (self.work)(&source);
                if let Source::File { path, .. } = source {
                    let file = Met { path, ino };
                    let mut state = self.shared.lock();
                    self.shared.wake_if_awaited(&state, Some(&file));
                    state.results.insert(file, done);
                }
            }
            _ => {}
        }
        WalkState::Continue
    }
}

impl<T, W> Drop for Visitor<'_, T, W> {
    fn drop(&mut self) {
        self.close_listing();
    }
}

/// The path an error is about, which places it among a directory's entries.
fn error_path(error: &ignore::Error) -> Option<PathBuf> {
    match error {
        ignore::Error::WithPath { path, .. } => Some(path.clone()),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => {
            error_path(err)
        }
        ignore::Error::Loop { child, .. } => Some(child.clone()),
        _ => None,
    }
}

#[cfg(test)]
mod tests;
