//! mmt: inspect and patch files through memory maps.
//!
//! The binary (`main.rs`) parses the command line and maps the result to an exit status; this
//! library holds everything else, so that tests and generators (completions, the man page) see
//! the same clap definition the binary uses.

pub mod cli;
pub mod cmd;
pub mod exit;
pub mod manual;
pub mod output;

mod bytes;
mod map;
mod patch;
mod preview;
mod search;
mod sink;
mod slice;
mod target;

pub use map::ignore_sigxfsz;
