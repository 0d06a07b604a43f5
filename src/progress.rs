//! A progress bar on standard error for work that takes more than about a second: a scan or a
//! rewrite of a file of a GiB or more. Never in a pipe, never with `-q` or `--json`: it exists
//! only for a person watching a terminal.

use std::ops::Range;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Scans go in steps of this many bytes, so that a bar moves during one long search.
pub const STEP: usize = 64 << 20;

/// Below this size the work finishes in well under a second on any machine mmt targets.
const MIN_BYTES: u64 = 1 << 30;

pub struct Progress {
    bar: Option<ProgressBar>,
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
