//! The journal in process, as okaywal tests its log: a run of two files (one patched in place,
//! one rewritten) is torn at each step by dropping it unfinished (what a crash leaves: its lock
//! let go, its directory as far as it got), then recovered, and the files checked. No process
//! is killed and nothing sleeps.

use std::fs::{self, File};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use super::state::StateDir;
use super::*;

const IN_PLACE_OLD: &[u8] = b"one foo two foo three\n";
const IN_PLACE_NEW: &[u8] = b"one bar two bar three\n";
const REWRITE_OLD: &[u8] = b"alpha foo beta\n";
const REWRITE_NEW: &[u8] = b"alpha longer beta\n";

struct Scene {
    _dir: tempfile::TempDir,
    state: StateDir,
    in_place: PathBuf,
    rewritten: PathBuf,
    plan: Plan,
}

impl Scene {
    fn new() -> Scene {
        let dir = tempfile::tempdir().unwrap();
        let state = StateDir {
            path: dir.path().join("state"),
        };
        fs::create_dir_all(state.runs()).unwrap();
        let in_place = dir.path().join("in_place.txt");
        let rewritten = dir.path().join("rewritten.txt");
        fs::write(&in_place, IN_PLACE_OLD).unwrap();
        fs::write(&rewritten, REWRITE_OLD).unwrap();
        let plan = Plan::literal(IN_PLACE_OLD, b"foo", b"bar", usize::MAX);
        Scene {
            _dir: dir,
            state,
            in_place: fs::canonicalize(in_place).unwrap(),
            rewritten: fs::canonicalize(rewritten).unwrap(),
            plan,
        }
    }

    /// A run over both files, recorded (the journal synced), nothing written yet.
    fn recorded(&self) -> Run {
        let mut run = Run::begin(&self.state, "mmt test".to_owned()).unwrap();
        for (path, mode) in [
            (&self.in_place, Mode::InPlace),
            (&self.rewritten, Mode::Rewrite),
        ] {
            run.add(path, path, mode, Identity::of_path(path).unwrap());
        }
        let old = fs::read(&self.in_place).unwrap();
        run.record(|_| (&self.plan, OldBytes::Mapped(&old)))
            .unwrap();
        run
    }

    fn patch_in_place(&self, run: &mut Run) {
        let mut bytes = fs::read(&self.in_place).unwrap();
        self.plan.apply_in_place(&mut bytes);
        let file = File::options().write(true).open(&self.in_place).unwrap();
        file.write_all_at(&bytes, 0).unwrap();
        run.applied(0);
    }

    fn rewrite(&self, run: &mut Run) {
        let temp = self.rewritten.with_extension("tmp");
        fs::write(&temp, REWRITE_NEW).unwrap();
        fs::rename(&temp, &self.rewritten).unwrap();
        run.applied(1);
    }

    /// `recover` over every run, and the files it reports.
    fn recover(&self) -> Vec<PathBuf> {
        let mut restored = Vec::new();
        let mut report = |r: Restored| restored.push(r.path.to_path_buf());
        let mut hooks = Hooks {
            report: &mut report,
            waiting: &mut |_| panic!("nothing to wait for"),
            elsewhere: &mut |_| panic!("every run is in scope"),
        };
        recover(&self.state, &Scope::All, &mut hooks).unwrap();
        restored
    }

    fn assert_old(&self) {
        assert_eq!(fs::read(&self.in_place).unwrap(), IN_PLACE_OLD);
        assert_eq!(fs::read(&self.rewritten).unwrap(), REWRITE_OLD);
    }

    fn assert_new(&self) {
        assert_eq!(fs::read(&self.in_place).unwrap(), IN_PLACE_NEW);
        assert_eq!(fs::read(&self.rewritten).unwrap(), REWRITE_NEW);
    }

    fn runs_left(&self) -> usize {
        fs::read_dir(self.state.runs()).unwrap().count()
    }
}

#[test]
fn a_run_torn_before_it_recorded_anything_leaves_nothing() {
    let scene = Scene::new();
    drop(Run::begin(&scene.state, "mmt test".to_owned()).unwrap());
    assert_eq!(scene.runs_left(), 1);
    assert!(scene.recover().is_empty());
    scene.assert_old();
    assert_eq!(scene.runs_left(), 0);
}

#[test]
fn a_run_torn_after_its_journal_restores_what_it_had_not_written() {
    let scene = Scene::new();
    drop(scene.recorded());
    let restored = scene.recover();
    assert_eq!(restored, [scene.in_place.clone(), scene.rewritten.clone()]);
    scene.assert_old();
    assert_eq!(scene.runs_left(), 0);
}

#[test]
fn a_run_torn_after_each_file_is_rolled_back_whole() {
    for written in 1..=2 {
        let scene = Scene::new();
        let mut run = scene.recorded();
        scene.patch_in_place(&mut run);
        if written == 2 {
            scene.rewrite(&mut run);
        }
        drop(run);
        scene.recover();
        scene.assert_old();
        assert_eq!(scene.runs_left(), 0, "after {written} files");
        // A second recovery finds nothing: the first removed the run.
        assert!(scene.recover().is_empty());
    }
}

#[test]
fn a_rollback_torn_partway_is_finished_by_the_next() {
    let scene = Scene::new();
    let mut run = scene.recorded();
    scene.patch_in_place(&mut run);
    scene.rewrite(&mut run);
    drop(run);
    // A first recovery that stopped after writing some old bytes back: one of the two edits.
    let file = File::options().write(true).open(&scene.in_place).unwrap();
    file.write_all_at(b"foo", 4).unwrap();
    assert_ne!(fs::read(&scene.in_place).unwrap(), IN_PLACE_OLD);
    scene.recover();
    scene.assert_old();
}

#[test]
fn a_committed_run_is_not_rolled_back_and_undoes_whole() {
    let scene = Scene::new();
    let mut run = scene.recorded();
    scene.patch_in_place(&mut run);
    scene.rewrite(&mut run);
    assert_eq!(run.commit(u64::MAX).unwrap(), None);
    assert!(scene.recover().is_empty());
    scene.assert_new();
    let kept = history::all(std::slice::from_ref(&scene.state));
    assert_eq!(kept.len(), 1);
    assert!(history::why_not_undoable(kept[0].run().unwrap()).is_none());
    let mut restored = 0;
    history::undo(&kept[0], &kept, &mut |_| restored += 1).unwrap();
    assert_eq!(restored, 2);
    scene.assert_old();
    assert_eq!(scene.runs_left(), 0);
}

#[test]
fn an_undo_torn_partway_is_finished_by_recovery() {
    let scene = Scene::new();
    let mut run = scene.recorded();
    scene.patch_in_place(&mut run);
    scene.rewrite(&mut run);
    run.commit(u64::MAX).unwrap();
    let kept = history::all(std::slice::from_ref(&scene.state));
    // What an undo leaves when it dies after marking its run and restoring one file.
    fs::write(kept[0].dir.join(UNDOING_FILE), b"").unwrap();
    let undo = UndoData::of(&kept[0].dir);
    let mut later = crate::patch::durable::LaterSyncs::uninterruptible();
    restore(&undo, 1, &kept[0].run().unwrap().entries[1], &mut later).unwrap();
    later.sync().unwrap();
    assert_eq!(fs::read(&scene.rewritten).unwrap(), REWRITE_OLD);
    assert_eq!(fs::read(&scene.in_place).unwrap(), IN_PLACE_NEW);
    let restored = scene.recover();
    assert_eq!(restored.len(), 2);
    scene.assert_old();
    assert_eq!(scene.runs_left(), 0);
}

#[test]
fn a_run_over_the_undo_bound_commits_and_is_let_go() {
    let scene = Scene::new();
    let mut run = scene.recorded();
    scene.patch_in_place(&mut run);
    scene.rewrite(&mut run);
    let note = run.commit(0).unwrap().expect("a note");
    assert!(note.contains("cannot be undone"), "{note}");
    scene.assert_new();
    assert_eq!(scene.runs_left(), 0);
}

#[test]
fn a_scope_touches_a_run_through_a_file_or_a_directory_above_it() {
    let scene = Scene::new();
    drop(scene.recorded());
    let dir = scene.state.runs();
    let stored = read_run(&fs::read_dir(&dir).unwrap().next().unwrap().unwrap().path()).unwrap();
    let parent = scene.in_place.parent().unwrap().to_path_buf();
    assert!(Scope::All.touches(&stored));
    assert!(Scope::Paths(vec![scene.in_place.clone()]).touches(&stored));
    assert!(Scope::Paths(vec![parent.clone()]).touches(&stored));
    assert!(!Scope::Paths(vec![parent.join("elsewhere")]).touches(&stored));
    assert!(!Scope::Paths(vec![]).touches(&stored));
    // Left alone by a command whose files it did not touch, and said so.
    let mut elsewhere = 0;
    let mut hooks = Hooks {
        report: &mut |_| panic!("not in scope"),
        waiting: &mut |_| panic!("nothing to wait for"),
        elsewhere: &mut |_| elsewhere += 1,
    };
    let scope = Scope::Paths(vec![Path::new("/nonexistent").to_path_buf()]);
    assert_eq!(recover(&scene.state, &scope, &mut hooks).unwrap(), 0);
    assert_eq!(elsewhere, 1);
    assert_eq!(scene.runs_left(), 1);
}

#[test]
fn taken_within_waits_for_a_lock_let_go_in_time_and_no_longer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("lock");
    let holder = File::create(&path).unwrap();
    holder.lock().unwrap();
    let waiter = File::open(&path).unwrap();
    // Held throughout: not taken, after about the wait.
    let started = std::time::Instant::now();
    assert!(!taken_within(&waiter, std::time::Duration::from_millis(30)));
    assert!(started.elapsed() >= std::time::Duration::from_millis(30));
    // Let go of partway: taken.
    let letting_go = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(20));
        drop(holder);
    });
    assert!(taken_within(&waiter, std::time::Duration::from_secs(10)));
    letting_go.join().unwrap();
}

/// Pruning moves the oldest committed runs out of `runs` (one rename each) and deletes them on a
/// thread of its own: the commit that prunes waits for no unlinking.
#[test]
fn pruned_runs_leave_at_once_and_are_deleted_meanwhile() {
    let dir = tempfile::tempdir().unwrap();
    let state = StateDir {
        path: dir.path().join("state"),
    };
    for i in 0..3 {
        let run = state.runs().join(format!("{i:024}-1"));
        fs::create_dir_all(&run).unwrap();
        fs::write(run.join(COMMITTED_FILE), b"").unwrap();
        fs::write(run.join("undo"), vec![0u8; 4096]).unwrap();
    }
    prune(&state, 1, u64::MAX);
    let left: Vec<_> = fs::read_dir(state.runs()).unwrap().flatten().collect();
    assert_eq!(left.len(), 1);
    assert!(
        left[0]
            .file_name()
            .to_string_lossy()
            .starts_with("000000000000000000000002")
    );
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while fs::read_dir(state.trash()).unwrap().count() > 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the trash was never emptied"
        );
        std::thread::yield_now();
    }
}
