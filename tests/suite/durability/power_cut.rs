//! Power cuts, simulated: each kind of run is cut off at every durability event it makes (an
//! `fsync`, the `fsync` of a directory, a `syncfs`) and right after each, on the crash-simulating
//! file system of `crashfs`, which then loses all that was not made durable. After the cut the
//! file system is mounted again and `mmt recover` runs; then every file must be wholly as it was
//! before the run or wholly as the run left it (all of them the one or the other), a run that
//! exited 0 must have left them new, a run whose files are new must be kept and undoable, one
//! whose files are old must be gone, and no run may be left open.
//!
//! Each kind runs twice: with the batched flush (one `syncfs` per file system, which the file
//! system hears of through mmt's test seam) and file by file (mmt's own choice on FUSE, whose
//! server never hears of a `syncfs`). They need root and `/dev/fuse`; `.ci/run` runs them.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use super::crashfs::{CrashFs, Cut, SYNCFS_FILE};
use super::util::{LOREM, Reaped, Sandbox, eventually, hold_env, is_root, mmt_bin};

/// How the files of a run are made durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flushing {
    /// One `syncfs` per file system (through the test seam).
    Batched,
    /// An `fsync` of each file and directory, as on FUSE without the seam.
    EachFile,
}

/// A sandbox with the crash file system mounted in it.
struct Rig {
    sb: Sandbox,
    fs: CrashFs,
    flushing: Flushing,
}

fn require_root_and_fuse() {
    assert!(
        is_root() && Path::new("/dev/fuse").exists(),
        "the power-cut tests mount a FUSE file system: they need root and /dev/fuse"
    );
}

impl Rig {
    fn new(flushing: Flushing) -> Rig {
        require_root_and_fuse();
        let sb = Sandbox::new();
        let mount_point = sb.path("mnt");
        fs::create_dir(&mount_point).unwrap();
        // The fallback for a state directory that cannot be used (the mount, dead after a cut)
        // is in TMPDIR: this test's own, or runs of two tests would meet there.
        fs::create_dir(sb.path("tmp")).unwrap();
        let fs = CrashFs::mount(&mount_point).expect("mount the crash file system");
        Rig { sb, fs, flushing }
    }

    fn root(&self) -> PathBuf {
        self.sb.path("mnt")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.root().join(name)
    }

    /// `mmt ARGS` in the mount, its state directory in it too.
    fn mmt(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(mmt_bin());
        cmd.args(args)
            .current_dir(self.root())
            .env("MMT_STATE_DIR", self.path("state"))
            .env("TMPDIR", self.sb.path("tmp"))
            .env_remove("MMT_TEST_SYNCFS_THROUGH")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if self.flushing == Flushing::Batched {
            cmd.env("MMT_TEST_SYNCFS_THROUGH", self.path(SYNCFS_FILE));
        }
        cmd
    }

    fn run(&self, args: &[&str]) -> Output {
        self.mmt(args).output().expect("run mmt")
    }

    /// Writes `files` and makes them durable.
    fn seed(&self, files: &[(String, Vec<u8>)], links: &[(&str, &str)]) {
        for (name, bytes) in files {
            let path = self.path(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, bytes).unwrap();
        }
        for (name, link) in links {
            fs::hard_link(self.path(name), self.path(link)).unwrap();
        }
        self.fs.sync_all();
    }

    /// Everything the kernel holds for the mount written to the file system (`syncfs`, which
    /// writes the dirty pages back but never reaches the server as a sync), then made durable.
    fn write_back_and_sync_all(&self) {
        let root = fs::File::open(self.root()).unwrap();
        rustix::fs::syncfs(&root).unwrap();
        self.fs.sync_all();
    }

    fn contents(&self, names: &[String]) -> Vec<Option<Vec<u8>>> {
        names
            .iter()
            .map(|name| fs::read(self.path(name)).ok())
            .collect()
    }
}

/// A kind of run, and what its files hold before and after it.
struct Kind {
    name: &'static str,
    files: Vec<(String, Vec<u8>)>,
    links: Vec<(&'static str, &'static str)>,
    /// Brings the files to where the measured command starts: a run to undo, or a run killed
    /// partway to recover.
    prepare: fn(&Rig),
    command: Vec<&'static str>,
    /// The files as the measured command leaves them.
    after: Vec<(String, Vec<u8>)>,
    /// What the measured command does to the history of runs.
    history: History,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum History {
    /// A run that writes: kept (and undoable) once its files are new.
    Adds,
    /// An undo: the run undone is gone once its files are back, else still kept and undoable.
    Removes,
    /// A recovery: no run, before or after.
    None,
}

fn lorem() -> String {
    String::from_utf8(LOREM.to_vec()).unwrap()
}

fn one_file(text: &str) -> Vec<(String, Vec<u8>)> {
    vec![("tree/a.txt".to_owned(), text.as_bytes().to_vec())]
}

/// Six files (so that the batched flush is used, not an `fsync` each), one of them with a
/// second name in the tree (rewritten in place), and an untouched one.
fn tree(rewritten: bool) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = (0..6)
        .map(|i| {
            let text = format!("{i}: lorem ipsum dolor\nsit amet ipsum\n");
            let text = if rewritten {
                text.replace("ipsum", "IPSUM-IPSUM")
            } else {
                text
            };
            (format!("tree/f{i}.txt"), text.into_bytes())
        })
        .collect();
    files.push(("tree/linked.txt".to_owned(), files[0].1.clone()));
    files.push(("tree/plain.txt".to_owned(), b"nothing to see\n".to_vec()));
    files
}

const TREE_RUN: [&str; 4] = ["replace", "tree", "ipsum", "IPSUM-IPSUM"];

fn nothing(_: &Rig) {}

fn undo_a_patch_first(rig: &Rig) {
    let out = rig.run(&["replace", "tree/a.txt", "Lorem", "LOREM"]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    rig.fs.sync_all();
}

fn undo_a_tree_rewrite_first(rig: &Rig) {
    let out = rig.run(&TREE_RUN);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    rig.fs.sync_all();
}

/// Starts `args` held at the step `step`, kills it there, and makes what it left durable, as
/// a crash at that moment on a disk that had written it all would.
fn killed_at(rig: &Rig, args: &[&str], step: &str) {
    let env = hold_env(rig.sb.dir(), step);
    let paused = PathBuf::from(&env[1].1);
    let mut child = Reaped::new(rig.mmt(args).envs(env).spawn().unwrap());
    eventually(
        &format!("mmt reaches {step}"),
        Duration::from_secs(30),
        || {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("mmt ended ({status}) before {step}");
            }
            paused.exists()
        },
    );
    drop(child);
    rig.write_back_and_sync_all();
}

fn recover_a_patch_first(rig: &Rig) {
    killed_at(
        rig,
        &["replace", "tree/a.txt", "Lorem", "LOREM"],
        "mid-patch",
    );
}

fn recover_a_tree_rewrite_first(rig: &Rig) {
    killed_at(rig, &TREE_RUN, "before-commit");
}

/// Runs the measured command with the power cut at `cut`: as soon as the file system is dead,
/// mmt is killed; then the power cut is carried out (the file system mounted again with only
/// what was durable). Returns mmt's exit code when it ended on its own.
fn run_cut(rig: &mut Rig, command: &[&str], cut: Option<Cut>) -> Option<i32> {
    rig.fs.cut(cut);
    // Killed and reaped when dropped, if it did not end on its own.
    let mut child = Reaped::new(rig.mmt(command).spawn().unwrap());
    let mut code = None;
    eventually(
        "mmt ends or the power is cut",
        Duration::from_secs(60),
        || {
            if rig.fs.is_dead() {
                return true;
            }
            match child.try_wait().unwrap() {
                Some(status) => {
                    code = status.code();
                    true
                }
                None => false,
            }
        },
    );
    drop(child);
    rig.fs.power_cut();
    code
}

/// Every file wholly as before or wholly as after, all the same way: `Some(true)` new.
fn which_side(
    got: &[Option<Vec<u8>>],
    before: &[Option<Vec<u8>>],
    after: &[Option<Vec<u8>>],
) -> Option<bool> {
    if got == after {
        Some(true)
    } else if got == before {
        Some(false)
    } else {
        None
    }
}

/// The runs `mmt undo --list --json` shows: (id, can be undone).
fn kept_runs(rig: &Rig) -> Vec<(String, bool)> {
    let out = rig.run(&["undo", "--list", "--json"]);
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|line| {
            let run: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                run["id"].as_str().unwrap().to_owned(),
                run["can_undo"].as_bool().unwrap(),
            )
        })
        .collect()
}

/// One cut of one kind: set up afresh, run, cut, recover, check. Returns whether the files
/// ended new.
fn one_cut(kind: &Kind, flushing: Flushing, cut: Option<Cut>) -> (bool, usize) {
    let mut rig = Rig::new(flushing);
    rig.seed(&kind.files, &kind.links);
    (kind.prepare)(&rig);
    let names: Vec<String> = kind.after.iter().map(|(name, _)| name.clone()).collect();
    let before = rig.contents(&names);
    let after: Vec<Option<Vec<u8>>> = kind.after.iter().map(|(_, b)| Some(b.clone())).collect();
    let runs_before = kept_runs(&rig);
    rig.fs.cut(None);
    let code = run_cut(&mut rig, &kind.command, cut);
    let events = rig.fs.events();
    let context = format!(
        "{} ({flushing:?}), cut {cut:?}, mmt exited {code:?}",
        kind.name
    );

    let recovered = rig.run(&["recover"]);
    assert!(
        matches!(recovered.status.code(), Some(0 | 1)),
        "{context}: recover failed: {recovered:?}"
    );
    let again = rig.run(&["recover"]);
    assert_eq!(
        again.status.code(),
        Some(1),
        "{context}: a run is left open: {again:?}, after a first recovery: {recovered:?}"
    );
    let got = rig.contents(&names);
    let new = which_side(&got, &before, &after)
        .unwrap_or_else(|| panic!("{context}: files neither wholly old nor wholly new: {got:?}"));
    if code == Some(0) {
        assert!(
            new,
            "{context}: mmt exited 0, and the power cut lost its changes"
        );
    }
    let runs = kept_runs(&rig);
    match kind.history {
        History::Adds if new => {
            assert_eq!(runs.len(), runs_before.len() + 1, "{context}: {runs:?}");
            assert!(
                runs[0].1,
                "{context}: the run is kept but cannot be undone: {runs:?}"
            );
            let undone = rig.run(&["undo"]);
            assert_eq!(undone.status.code(), Some(0), "{context}: {undone:?}");
            assert_eq!(
                rig.contents(&names),
                before,
                "{context}: undo after the cut"
            );
        }
        History::Adds => assert_eq!(runs, runs_before, "{context}"),
        History::Removes if new => assert!(runs.is_empty(), "{context}: {runs:?}"),
        History::Removes => {
            assert_eq!(runs, runs_before, "{context}");
            assert!(runs.iter().all(|(_, can)| *can), "{context}: {runs:?}");
        }
        History::None => {
            assert!(
                new,
                "{context}: recovery must end with the files rolled back"
            );
            assert!(runs.is_empty(), "{context}: {runs:?}");
        }
    }
    (new, events)
}

/// The whole matrix of one kind, both ways of flushing: the run uncut (which counts its
/// durability events), then cut at each event and right after each. Prints one line a way.
fn matrix(kind: &Kind) {
    for flushing in [Flushing::Batched, Flushing::EachFile] {
        let (new, events) = one_cut(kind, flushing, None);
        assert!(new, "{} ({flushing:?}): the uncut run", kind.name);
        assert!(
            events > 0,
            "{} ({flushing:?}): no durability event",
            kind.name
        );
        let mut sides = Vec::new();
        for k in 1..=events {
            for cut in [Cut::At(k), Cut::After(k)] {
                let (new, _) = one_cut(kind, flushing, Some(cut));
                sides.push(if new { 'n' } else { 'o' });
            }
        }
        println!(
            "{} ({flushing:?}): {events} durability events, {} cuts: {}",
            kind.name,
            sides.len(),
            sides.iter().collect::<String>()
        );
        // Cut before its first event, a run that writes changes nothing.
        if kind.history != History::None {
            assert_eq!(sides.first(), Some(&'o'), "{}", kind.name);
        }
    }
}

#[test]
#[ignore = "needs root and /dev/fuse; .ci/run runs the ignored tests"]
fn the_crash_file_system_keeps_only_what_was_synced() {
    use std::io::Write;
    let mut rig = Rig::new(Flushing::EachFile);
    fs::create_dir(rig.path("d")).unwrap();
    let mut synced = fs::File::create(rig.path("d/synced")).unwrap();
    synced.write_all(b"durable").unwrap();
    synced.sync_all().unwrap();
    synced.write_all(b" and not").unwrap();
    fs::write(rig.path("d/unsynced"), b"lost").unwrap();
    fs::File::open(rig.path("d")).unwrap().sync_all().unwrap();
    fs::File::open(rig.root()).unwrap().sync_all().unwrap();
    fs::write(rig.path("d/unnamed"), b"its directory never synced").unwrap();
    fs::File::open(rig.path("d/unnamed"))
        .unwrap()
        .sync_all()
        .unwrap();
    // A syncfs reaches no FUSE server: the file system hears nothing of it.
    let events = rig.fs.events();
    rustix::fs::syncfs(fs::File::open(rig.root()).unwrap()).unwrap();
    assert_eq!(rig.fs.events(), events, "a FUSE server heard of a syncfs");
    drop(synced);
    rig.fs.power_cut();
    assert_eq!(fs::read(rig.path("d/synced")).unwrap(), b"durable");
    // Named (its directory was synced) but its data never was: there, empty.
    assert_eq!(fs::read(rig.path("d/unsynced")).unwrap(), b"");
    assert!(!rig.path("d/unnamed").exists());
    // Through mmt's seam, a sync of `.syncfs` makes everything durable.
    fs::write(rig.path("d/unnamed"), b"kept").unwrap();
    fs::File::open(rig.path(SYNCFS_FILE))
        .unwrap()
        .sync_all()
        .unwrap();
    rig.fs.power_cut();
    assert_eq!(fs::read(rig.path("d/unnamed")).unwrap(), b"kept");
}

#[test]
#[ignore = "needs root and /dev/fuse; .ci/run runs the ignored tests"]
fn power_cuts_during_a_same_length_patch() {
    matrix(&Kind {
        name: "same-length patch",
        files: one_file(&lorem()),
        links: vec![],
        prepare: nothing,
        command: vec!["replace", "tree/a.txt", "Lorem", "LOREM"],
        after: one_file(&lorem().replace("Lorem", "LOREM")),
        history: History::Adds,
    });
}

#[test]
#[ignore = "needs root and /dev/fuse; .ci/run runs the ignored tests"]
fn power_cuts_during_a_rewrite() {
    matrix(&Kind {
        name: "rewrite",
        files: one_file(&lorem()),
        links: vec![],
        prepare: nothing,
        command: vec!["replace", "tree/a.txt", "Lorem", "L"],
        after: one_file(&lorem().replace("Lorem", "L")),
        history: History::Adds,
    });
}

#[test]
#[ignore = "needs root and /dev/fuse; .ci/run runs the ignored tests"]
fn power_cuts_during_a_run_over_many_files() {
    let mut files = tree(false);
    files.retain(|(name, _)| name != "tree/linked.txt");
    matrix(&Kind {
        name: "many files (one hard-linked)",
        files,
        links: vec![("tree/f0.txt", "tree/linked.txt")],
        prepare: nothing,
        command: TREE_RUN.to_vec(),
        after: tree(true),
        history: History::Adds,
    });
}

#[test]
#[ignore = "needs root and /dev/fuse; .ci/run runs the ignored tests"]
fn power_cuts_during_a_write() {
    let mut written = LOREM.to_vec();
    written[6..9].copy_from_slice(b"XYZ");
    matrix(&Kind {
        name: "write",
        files: one_file(&lorem()),
        links: vec![],
        prepare: nothing,
        command: vec!["write", "tree/a.txt", "6", "XYZ"],
        after: vec![("tree/a.txt".to_owned(), written)],
        history: History::Adds,
    });
}

#[test]
#[ignore = "needs root and /dev/fuse; .ci/run runs the ignored tests"]
fn power_cuts_during_an_undo() {
    matrix(&Kind {
        name: "undo of a patch",
        files: one_file(&lorem()),
        links: vec![],
        prepare: undo_a_patch_first,
        command: vec!["undo"],
        after: one_file(&lorem()),
        history: History::Removes,
    });
    let mut files = tree(false);
    files.retain(|(name, _)| name != "tree/linked.txt");
    matrix(&Kind {
        name: "undo of a run over many files",
        files,
        links: vec![("tree/f0.txt", "tree/linked.txt")],
        prepare: undo_a_tree_rewrite_first,
        command: vec!["undo"],
        after: tree(false),
        history: History::Removes,
    });
}

#[test]
#[ignore = "needs root and /dev/fuse; .ci/run runs the ignored tests"]
fn power_cuts_during_a_recovery() {
    matrix(&Kind {
        name: "recover of a patch killed halfway",
        files: one_file(&lorem()),
        links: vec![],
        prepare: recover_a_patch_first,
        command: vec!["recover"],
        after: one_file(&lorem()),
        history: History::None,
    });
    let mut files = tree(false);
    files.retain(|(name, _)| name != "tree/linked.txt");
    matrix(&Kind {
        name: "recover of a run over many files killed before its commit",
        files,
        links: vec![("tree/f0.txt", "tree/linked.txt")],
        prepare: recover_a_tree_rewrite_first,
        command: vec!["recover"],
        after: tree(false),
        history: History::None,
    });
}
