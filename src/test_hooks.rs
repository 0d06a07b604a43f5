//! Seams for the tests, compiled only with the `test-hooks` feature, which the test build turns
//! on (a dev-dependency of the crate on itself) and a release build never carries.
//!
//! A test holds mmt at a step of a run ([`Step`]) to act there: change or remove a file, send a
//! signal, kill the process, or start another process. No seam waits for a time: a held step
//! waits for the test to say "go on", so a slow machine changes no outcome.

use std::path::Path;
use std::time::Duration;

/// The steps where a test can hold mmt, with `MMT_TEST_HOLD_AT` set to the step's name (in
/// kebab case, as [`Step::name`] spells it). This list is the seams' documentation.
///
/// Reaching the step, mmt writes its name into the file `MMT_TEST_PAUSED_MARKER`, then waits
/// until the file `MMT_TEST_RELEASE_MARKER` exists. It also goes on when an interrupt is waiting
/// (as the step it stands in for would end then), when the step's own reason to stop comes (a
/// rewrite's copy stops for a writer), or after a minute, so that a test that fails to release
/// it cannot hang the suite. Once released, the step passes every time it is reached again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A source is about to be opened (a test removes a walked file first).
    BeforeOpen,
    /// The planning of the file whose name is `MMT_TEST_HOLD_FILE` (a test sees what
    /// `replace --interactive` does with the files before it).
    Planning,
    /// A file's plan is made and nothing is written (a test changes the file meanwhile).
    BeforeWrite,
    /// The run's journal is written, and no file yet.
    AfterJournal,
    /// Between two files of a run.
    BetweenFiles,
    /// An in-place patch holds signals back, before its first byte.
    InPatch,
    /// Half of an in-place patch is stored.
    MidPatch,
    /// A rewrite's temporary file exists, partly written.
    InRewrite,
    /// A rewrite made its last check and has not renamed yet (a test writes to the file).
    BeforeRename,
    /// Every file of a run is written and synced; its commit record is not.
    BeforeCommit,
    /// Just past a run's commit point.
    AfterCommit,
    /// An undo has marked its run as being undone, and restored nothing yet.
    UndoMarked,
    /// A rollback, recovery or undo has restored part of a file.
    MidRestore,
    /// Recovery found a run uncommitted and is about to take its lock.
    RecoveryLock,
}

#[cfg_attr(not(feature = "test-hooks"), allow(dead_code))]
impl Step {
    /// The name `MMT_TEST_HOLD_AT` gives the step.
    pub fn name(self) -> &'static str {
        match self {
            Step::BeforeOpen => "before-open",
            Step::Planning => "planning",
            Step::BeforeWrite => "before-write",
            Step::AfterJournal => "after-journal",
            Step::BetweenFiles => "between-files",
            Step::InPatch => "in-patch",
            Step::MidPatch => "mid-patch",
            Step::InRewrite => "in-rewrite",
            Step::BeforeRename => "before-rename",
            Step::BeforeCommit => "before-commit",
            Step::AfterCommit => "after-commit",
            Step::UndoMarked => "undo-marked",
            Step::MidRestore => "mid-restore",
            Step::RecoveryLock => "recovery-lock",
        }
    }
}

/// How long a held step waits for its release at most.
#[cfg_attr(not(feature = "test-hooks"), allow(dead_code))]
const HOLD_AT_MOST: Duration = Duration::from_secs(60);

/// Holds mmt at `step` when a test asked for it (see [`Step`]).
pub fn hold_at(step: Step) {
    hold_unless(step, &|| false);
}

/// As [`hold_at`], going on too when `stop` says so, as the step the hold stands in for would
/// (a rewrite's copy stops when a writer comes).
#[cfg(feature = "test-hooks")]
pub fn hold_unless(step: Step, stop: &dyn Fn() -> bool) {
    if std::env::var_os("MMT_TEST_HOLD_AT").is_none_or(|held| held != step.name()) {
        return;
    }
    if let Some(marker) = std::env::var_os("MMT_TEST_PAUSED_MARKER") {
        let _ = std::fs::write(marker, step.name());
    }
    let release = std::env::var_os("MMT_TEST_RELEASE_MARKER");
    let released = || {
        release
            .as_ref()
            .is_some_and(|path| Path::new(path).exists())
    };
    let until = std::time::Instant::now() + HOLD_AT_MOST;
    while std::time::Instant::now() < until
        && !released()
        && !crate::sys::interrupt_pending()
        && !stop()
    {
        std::thread::sleep(Duration::from_millis(5));
    }
}

#[cfg(not(feature = "test-hooks"))]
pub fn hold_unless(_step: Step, _stop: &dyn Fn() -> bool) {}

/// [`Step::Planning`] for the file at `path`, when its name is `MMT_TEST_HOLD_FILE`.
pub fn hold_planning(path: &Path) {
    if cfg!(feature = "test-hooks")
        && std::env::var_os("MMT_TEST_HOLD_FILE")
            .is_some_and(|held| path.file_name() == Some(&held))
    {
        hold_at(Step::Planning);
    }
}

/// Whether the environment variable `var` is set: a test seam that turns a capability of the
/// machine off (`MMT_TEST_NO_LEASE`: file leases, as on NFS or for a file of another user).
#[cfg(feature = "test-hooks")]
pub fn set(var: &str) -> bool {
    std::env::var_os(var).is_some()
}

#[cfg(not(feature = "test-hooks"))]
pub fn set(_var: &str) -> bool {
    false
}

/// With the environment variable `var` set, panics: a test sees that a panic (which no input
/// may cause) still leaves things as they must be (`MMT_TEST_PANIC_IN_REVIEW`: the terminal of
/// `replace --interactive` put back).
#[cfg(feature = "test-hooks")]
pub fn panic_if(var: &str) {
    assert!(std::env::var_os(var).is_none(), "{var} is set");
}

#[cfg(not(feature = "test-hooks"))]
pub fn panic_if(_var: &str) {}

/// With `MMT_TEST_SYNCFS_THROUGH` set to a path, mmt flushes every file system as a whole
/// (`syncfs`) even where that falls short of storage, and after each `syncfs` it syncs that file
/// (`fsync`): the tests' crash-simulating file system, a FUSE server that never hears of a
/// `syncfs`, takes that as "everything written so far is durable".
#[cfg(feature = "test-hooks")]
pub fn syncfs_seam() -> Option<std::path::PathBuf> {
    std::env::var_os("MMT_TEST_SYNCFS_THROUGH").map(std::path::PathBuf::from)
}

#[cfg(not(feature = "test-hooks"))]
pub fn syncfs_seam() -> Option<std::path::PathBuf> {
    None
}

/// Called right after each `syncfs`: tells the crash-simulating file system through its seam
/// (see [`syncfs_seam`]).
pub fn syncfs_done() -> std::io::Result<()> {
    match syncfs_seam() {
        Some(path) => std::fs::File::open(path)?.sync_all(),
        None => Ok(()),
    }
}
