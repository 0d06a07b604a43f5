//! Seams for the tests, compiled only with the `test-hooks` feature, which the test build turns
//! on (a dev-dependency of the crate on itself) and a release build never carries.

/// With the environment variable `var` set to a number of milliseconds, waits that long, so that
/// a test can act at an exact step of a run: change the file between planning and writing
/// (`MMT_TEST_PAUSE_BEFORE_WRITE_MS`), or signal mmt while a rewrite's temporary file exists
/// (`MMT_TEST_PAUSE_IN_REWRITE_MS`) or while an in-place patch holds signals back
/// (`MMT_TEST_PAUSE_IN_PATCH_MS`), or remove a walked file before it is opened
/// (`MMT_TEST_PAUSE_BEFORE_OPEN_MS`), or kill it at a step of a run: the journal written
/// (`MMT_TEST_PAUSE_AFTER_JOURNAL_MS`), half of an in-place patch stored
/// (`MMT_TEST_PAUSE_MID_PATCH_MS`), between two files (`MMT_TEST_PAUSE_BETWEEN_FILES_MS`),
/// every file written but the run not committed (`MMT_TEST_PAUSE_BEFORE_COMMIT_MS`), or just past
/// its commit point (`MMT_TEST_PAUSE_AFTER_COMMIT_MS`); or write
/// to a file between a rewrite's last check and its rename (`MMT_TEST_PAUSE_BEFORE_RENAME_MS`).
/// With `MMT_TEST_PAUSED_MARKER` set to a path, that file is written when the pause begins.
#[cfg(feature = "test-hooks")]
pub fn pause(var: &str) {
    pause_unless(var, &|| false);
}

#[cfg(not(feature = "test-hooks"))]
pub fn pause(_var: &str) {}

/// As [`pause`], ending early too when `stop` says so, as the step the pause stands in for
/// would (a rewrite's copy stops when a writer comes).
#[cfg(feature = "test-hooks")]
pub fn pause_unless(var: &str, stop: &dyn Fn() -> bool) {
    let Some(ms) = std::env::var(var)
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
    else {
        return;
    };
    // A test polls for this file rather than guessing how long mmt takes to get here.
    if let Some(marker) = std::env::var_os("MMT_TEST_PAUSED_MARKER") {
        let _ = std::fs::write(marker, var);
    }
    // In slices, ending early when a held-back signal is waiting, as a real step would.
    let until = std::time::Instant::now() + std::time::Duration::from_millis(ms);
    while std::time::Instant::now() < until && !crate::sys::interrupt_pending() && !stop() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[cfg(not(feature = "test-hooks"))]
pub fn pause_unless(_var: &str, _stop: &dyn Fn() -> bool) {}

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

/// With `MMT_TEST_HOLD_FILE` set to a file name, the planning of a file of that name waits
/// until the file `MMT_TEST_RELEASE_MARKER` exists (a minute at most): a test sees what mmt
/// does before that file is planned (`replace --interactive` asks about the files before it).
#[cfg(feature = "test-hooks")]
pub fn hold(path: &std::path::Path) {
    let Some(held) = std::env::var_os("MMT_TEST_HOLD_FILE") else {
        return;
    };
    if path.file_name() != Some(held.as_os_str()) {
        return;
    }
    let Some(marker) = std::env::var_os("MMT_TEST_RELEASE_MARKER") else {
        return;
    };
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < until && std::fs::metadata(&marker).is_err() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[cfg(not(feature = "test-hooks"))]
pub fn hold(_path: &std::path::Path) {}

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

/// With `MMT_TEST_HOLD_AT` set to `step`, mmt writes `MMT_TEST_PAUSED_MARKER` when it reaches
/// that step and waits there until the file `MMT_TEST_RELEASE_MARKER` exists (a minute at
/// most): a test orders two processes' steps without a timed wait. The steps: `before-commit`
/// (a run's files written and synced, its commit record not), `recovery-lock` (recovery has
/// found a run uncommitted and is about to take its lock).
#[cfg(feature = "test-hooks")]
pub fn hold_at(step: &str) {
    if std::env::var_os("MMT_TEST_HOLD_AT").is_none_or(|held| held != step) {
        return;
    }
    if let Some(marker) = std::env::var_os("MMT_TEST_PAUSED_MARKER") {
        let _ = std::fs::write(marker, step);
    }
    let Some(release) = std::env::var_os("MMT_TEST_RELEASE_MARKER") else {
        return;
    };
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < until && std::fs::metadata(&release).is_err() {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[cfg(not(feature = "test-hooks"))]
pub fn hold_at(_step: &str) {}
