//! Seams for the tests, compiled only with the `test-hooks` feature, which the test build turns
//! on (a dev-dependency of the crate on itself) and a release build never carries.

/// With the environment variable `var` set to a number of milliseconds, waits that long, so that
/// a test can act at an exact step of a run: change the file between planning and writing
/// (`MMT_TEST_PAUSE_BEFORE_WRITE_MS`), or signal mmt while a rewrite's temporary file exists
/// (`MMT_TEST_PAUSE_IN_REWRITE_MS`) or while an in-place patch holds signals back
/// (`MMT_TEST_PAUSE_IN_PATCH_MS`).
#[cfg(feature = "test-hooks")]
pub fn pause(var: &str) {
    if let Some(ms) = std::env::var(var).ok().and_then(|ms| ms.parse().ok()) {
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}

#[cfg(not(feature = "test-hooks"))]
pub fn pause(_var: &str) {}
