//! mmt: inspect and patch files through memory maps.
//!
//! The binary (`main.rs`) parses the command line and maps the result to an exit status; this
//! library holds everything else, so that tests and generators (completions, the man page) see
//! the same clap definition the binary uses.

// `unsafe` lives in `map` and `sys` alone, and every block there says why it is sound.
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]
// Tests pass lists of search windows, often a list of one (`vec![0..len]`), which this lint
// mistakes for `vec![0; len]`.
#![cfg_attr(test, allow(clippy::single_range_in_vec_init))]

/// `eprintln!` for mmt's own lines on standard error: the line goes through
/// [`output::say`], which escapes what could talk to a terminal when standard error is one.
macro_rules! say {
    ($($arg:tt)*) => {
        $crate::output::say(&format!($($arg)*))
    };
}

// The subsystems, from the top: each folder opens with what it owns and what it must not touch.
// `cli` and `cmd` know the command line; nothing below them does.
pub mod cli;
pub mod cmd;
pub mod exit;
pub mod manual;
pub mod output;
pub mod settings;

mod files;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod journal;
#[allow(unsafe_code)]
mod map;
mod ordered;
mod patch;
mod progress;
mod review;
mod search;
#[allow(unsafe_code)]
mod sys;
mod test_hooks;

/// The configuration of every property test: `default` cases keep `cargo test` quick, and
/// `PROPTEST_CASES=1000000` runs the same properties at fuzzing scale. A failure is saved beside
/// its source file (`src/NAME.regressions`), to be checked in and replayed first from then on.
#[cfg(test)]
fn property_config(default: u32) -> proptest::test_runner::Config {
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
