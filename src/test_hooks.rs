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
/// every file written but the run not committed (`MMT_TEST_PAUSE_BEFORE_COMMIT_MS`).
#[cfg(feature = "test-hooks")]
pub fn pause(var: &str) {
    let Some(ms) = std::env::var(var)
        .ok()
        .and_then(|ms| ms.parse::<u64>().ok())
    else {
        return;
    };
    // In slices, ending early when a held-back signal is waiting, as a real step would.
    let until = std::time::Instant::now() + std::time::Duration::from_millis(ms);
    while std::time::Instant::now() < until && !crate::map::interrupt_pending() {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[cfg(not(feature = "test-hooks"))]
pub fn pause(_var: &str) {}
