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
pub mod target;

pub use plan::*;

/// How a plan is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Same length: patched through the write-through map.
    InPlace,
    /// Length changes: a new file renamed over the original.
    Rewrite,
}

impl Mode {
    pub fn of(plan: &Plan) -> Mode {
        if plan.keeps_length() {
            Mode::InPlace
        } else {
            Mode::Rewrite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Mode::InPlace => "in-place",
            Mode::Rewrite => "rewrite",
        }
    }
}
