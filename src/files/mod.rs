//! What a command works on, and in what order: the sources (standard input, files named on the
//! command line or in a list, files met while walking a directory the way ripgrep walks), the
//! walks themselves; a file's identity (`id`: device and inode); and a file's name as it is
//! printed (`name`: its bytes, escaped once, for the stream it goes to).
//!
//! It reads directories and lists only: it never opens a file's bytes (that is `map`'s), and
//! knows nothing of commands, output or the command line.

pub mod id;
pub mod name;
pub mod source;
pub mod walk;
