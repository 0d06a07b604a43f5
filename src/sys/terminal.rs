//! Whether a person reads standard output or standard error: asked of the kernel once per
//! process, and the one answer every part of mmt uses (escaping names, `--heading`, progress
//! bars, notes about waiting).

use std::io::IsTerminal;
use std::sync::LazyLock;

static STDOUT: LazyLock<bool> = LazyLock::new(|| std::io::stdout().is_terminal());
static STDERR: LazyLock<bool> = LazyLock::new(|| std::io::stderr().is_terminal());

/// Whether standard output is a terminal.
pub fn stdout_is_terminal() -> bool {
    *STDOUT
}

/// Whether standard error is a terminal.
pub fn stderr_is_terminal() -> bool {
    *STDERR
}
