//! What every command shares, decided once from the command line: whether to apply or preview,
//! how to read files, how to print, how many threads. The core takes these plain values and
//! never looks at the command line itself.

use crate::output::Style;

#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// `--copy`: change nothing, print a preview of what would change.
    pub preview: bool,
    /// Keep a crash journal and undo data for a run that writes (not `--no-journal`).
    pub journal: bool,
    /// `--no-mmap`: read files into memory instead of mapping them.
    pub no_mmap: bool,
    pub style: Style,
    /// Worker threads for many files (at least 1).
    pub threads: usize,
    /// Whether a person watches standard error: progress bars are only for them.
    pub watched: bool,
    /// `--color always` (true) or `never` (false); `None` for `auto`, where each output that
    /// is not standard output (the terminal of `replace --interactive`) decides for itself.
    pub color_forced: Option<bool>,
}

impl Settings {
    pub fn new(
        preview: bool,
        journal: bool,
        no_mmap: bool,
        style: Style,
        threads: usize,
    ) -> Settings {
        Settings {
            preview,
            journal,
            no_mmap,
            style,
            threads: threads.max(1),
            watched: !style.quiet && !style.json && crate::sys::stderr_is_terminal(),
            color_forced: None,
        }
    }
}
