//! Shared configuration of the integration property tests.

/// `default` cases (a few, as each spawns processes); `PROPTEST_CASES` raises it. Failures are
/// saved beside the test file (`tests/suite/GROUP/NAME.regressions`) and replayed first.
pub fn config(default: u32) -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(default);
    proptest::test_runner::Config {
        cases,
        failure_persistence: Some(Box::new(
            proptest::test_runner::FileFailurePersistence::WithSource("regressions"),
        )),
        ..proptest::test_runner::Config::default()
    }
}
