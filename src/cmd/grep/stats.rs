//! `grep --stats`: what a search looked at and found, over every file, printed after the
//! results as rg prints it (in JSON, one object).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::Result;
use serde_json::json;

use crate::output::Printer;
use crate::settings::Settings;

pub(super) struct Stats {
    started: Instant,
    matches: AtomicUsize,
    files_with_matches: AtomicUsize,
    files: AtomicUsize,
    bytes: AtomicUsize,
}

impl Default for Stats {
    fn default() -> Self {
        Stats {
            started: Instant::now(),
            matches: AtomicUsize::new(0),
            files_with_matches: AtomicUsize::new(0),
            files: AtomicUsize::new(0),
            bytes: AtomicUsize::new(0),
        }
    }
}

impl Stats {
    /// One file searched: its matches (lines, for `-v` and `-c`), and its size.
    pub(super) fn add(&self, matches: usize, bytes: usize) {
        self.matches.fetch_add(matches, Ordering::Relaxed);
        self.files_with_matches
            .fetch_add(usize::from(matches > 0), Ordering::Relaxed);
        self.files.fetch_add(1, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// After the results, on standard output.
    pub(super) fn print(&self, settings: &Settings) -> Result<()> {
        let mut printer = Printer::stdout(settings.style);
        let get = |n: &AtomicUsize| n.load(Ordering::Relaxed);
        let seconds = self.started.elapsed().as_secs_f64();
        if settings.style.json {
            printer.json_line(&json!({
                "type": "stats",
                "matches": get(&self.matches),
                "files_with_matches": get(&self.files_with_matches),
                "files_searched": get(&self.files),
                "bytes_searched": get(&self.bytes),
                "seconds": seconds,
            }))?;
        } else {
            printer.raw(
                format!(
                    "\n{} matches\n{} files contained matches\n{} files searched\n{} bytes \
                     searched\n{seconds:.6} seconds\n",
                    get(&self.matches),
                    get(&self.files_with_matches),
                    get(&self.files),
                    get(&self.bytes),
                )
                .as_bytes(),
            )?;
        }
        printer.flush()?;
        Ok(())
    }
}
