//! A progress bar on standard error for work that takes more than about a second: a scan or a
//! rewrite of a file of a GiB or more. Never in a pipe, never with `-q` or `--json`: it exists
//! only for a person watching a terminal.

use std::ops::Range;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::files::source::Source;

/// Scans go in steps of this many bytes, so that a bar moves during one long search.
pub const STEP: usize = 64 << 20;

/// Below this size the work finishes in well under a second on any machine mmt targets.
const MIN_BYTES: u64 = 1 << 30;

pub struct Progress {
    bar: Option<ProgressBar>,
}

/// Whether a person watches standard error, decided once per process by the command line
/// (`Settings::watched`), for work far below the commands (a rollback, an undo) that has no
/// settings of its own to ask.
static WATCHED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Records once whether a person watches (see [`WATCHED`]).
pub fn set_watched(watched: bool) {
    let _ = WATCHED.set(watched);
}

/// Whether a person watches, as [`set_watched`] recorded it (no one, if it never was).
pub fn watched() -> bool {
    WATCHED.get().copied().unwrap_or(false)
}

impl Progress {
    /// A bar for `total` bytes of work, labelled `what`, when a person is `watched` (see
    /// `Settings::watched`).
    pub fn new(watched: bool, total: u64, what: &'static str) -> Progress {
        let bar = (watched && total >= MIN_BYTES).then(|| {
            let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
            let template = "{msg:10} [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec}, {eta} left";
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style.progress_chars("=> "));
            }
            bar.set_message(what);
            bar
        });
        Progress { bar }
    }

    /// Follows a scan through `windows` of work that starts at `from`: the bar moves as each
    /// window is reached.
    pub fn follow(
        &self,
        windows: Vec<Range<usize>>,
        from: usize,
    ) -> impl Iterator<Item = Range<usize>> + '_ {
        windows
            .into_iter()
            .inspect(move |w| self.set(w.start.saturating_sub(from) as u64))
    }

    /// Moves the bar on by `bytes` of work done, from any thread.
    pub fn advance(&self, bytes: u64) {
        if let Some(bar) = &self.bar {
            bar.inc(bytes);
        }
    }

    pub fn set(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(done);
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// A file at least this large is named on the bar while it is worked on.
const LARGE_FILE: u64 = 256 << 20;

/// A run over many files shows its bar only once it has taken this long, so that a quick run
/// draws nothing.
const SHOW_AFTER: std::time::Duration = std::time::Duration::from_secs(1);

/// One bar for a run over many files: how many files and bytes are done, and the name of a
/// large file while it is worked on. Only for a person watching a terminal, and only once the
/// run has lasted a second.
pub struct RunProgress {
    bar: Option<ProgressBar>,
    started: std::time::Instant,
    bytes: std::sync::atomic::AtomicU64,
}

impl RunProgress {
    pub fn new(watched: bool) -> RunProgress {
        let bar = watched.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::hidden());
            if let Ok(style) = ProgressStyle::with_template("{spinner} {pos} files, {msg}") {
                bar.set_style(style);
            }
            bar
        });
        RunProgress {
            bar,
            started: std::time::Instant::now(),
            bytes: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// A worker starts on a file of `len` bytes.
    pub fn start_file(&self, source: &Source, len: u64) {
        if let Some(bar) = &self.bar
            && len >= LARGE_FILE
        {
            bar.set_message(format!("{}, now {}", self.done_bytes(), source.name()));
        }
    }

    /// A file of `len` bytes is done.
    pub fn finish_file(&self, len: u64) {
        let Some(bar) = &self.bar else { return };
        self.bytes
            .fetch_add(len, std::sync::atomic::Ordering::Relaxed);
        if bar.is_hidden() && self.started.elapsed() >= SHOW_AFTER {
            bar.set_draw_target(ProgressDrawTarget::stderr());
        }
        bar.set_message(self.done_bytes());
        bar.inc(1);
    }

    /// Whether a bar may be drawn at all (sizes are looked up only then).
    pub fn is_active(&self) -> bool {
        self.bar.is_some()
    }

    /// Runs `print` (which writes to standard error) without the bar in the way.
    pub fn suspend<R>(&self, print: impl FnOnce() -> R) -> R {
        match &self.bar {
            Some(bar) => bar.suspend(print),
            None => print(),
        }
    }

    fn done_bytes(&self) -> String {
        let bytes = self.bytes.load(std::sync::atomic::Ordering::Relaxed);
        indicatif::HumanBytes(bytes).to_string()
    }
}

impl Drop for RunProgress {
    fn drop(&mut self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
