//! Changing a file's bytes: the plan (every edit found before a byte is written), the target
//! (a file opened, locked and checked), the in-place patch through write-through windows, the
//! atomic rewrite through a temporary file (the sink that streams it, the attributes it keeps).
//!
//! It writes files but keeps no journal (that is `journal`'s, which calls it) and prints nothing
//! but progress; it never sees the command line.

pub(crate) mod attrs;
pub mod durable;
pub(crate) mod leb128;
mod plan;
pub mod sink;
pub mod targets;

pub use plan::*;

/// An in-place patch, and a restore of one (rollback, recovery, undo), map, write and unmap a
/// file in windows of at most this many bytes: small enough that the write to disk of the
/// first ones overlaps the writing of the rest, large enough that mapping costs little beside
/// the writes.
pub const WINDOW: usize = 8 << 20;

/// How a plan is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Same length: patched through the write-through map.
    InPlace,
    /// Length changes: a new file renamed over the original.
    Rewrite,
    /// Length changes in a file with other hard links: the new content written into the file
    /// itself, so that its inode, and every name of it, sees the change (vim's `backupcopy=auto`
    /// and Emacs's `backup-by-copying-when-linked` keep links so). Made safe by a copy of the
    /// old content, taken first.
    RewriteInPlace,
}

impl Mode {
    pub fn of(plan: &Plan) -> Mode {
        if plan.keeps_length() {
            Mode::InPlace
        } else {
            Mode::Rewrite
        }
    }

    /// How a file is written, in a record of it (`--json`): `in-place` for the same length,
    /// `rewrite` for a length change, whichever way it was written.
    pub fn name(self) -> &'static str {
        match self {
            Mode::InPlace => "in-place",
            Mode::Rewrite | Mode::RewriteInPlace => "rewrite",
        }
    }

    /// How a journal names it: how the file is put back.
    pub fn journal_name(self) -> &'static str {
        match self {
            Mode::RewriteInPlace => "rewrite-in-place",
            other => other.name(),
        }
    }

    /// The mode a journal names (see [`Mode::journal_name`]).
    pub fn from_journal_name(name: &str) -> Mode {
        match name {
            "in-place" => Mode::InPlace,
            "rewrite-in-place" => Mode::RewriteInPlace,
            _ => Mode::Rewrite,
        }
    }

    /// Whether the old content is kept whole (a rewrite), not as the old bytes of each edit.
    pub fn keeps_old_file(self) -> bool {
        self != Mode::InPlace
    }
}
