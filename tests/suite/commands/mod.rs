//! Each command as a user meets it: its output, flags, errors, help, colour, the habits of
//! other tools, the seed chapter's examples and the README's.

use super::{properties, util};

mod colour;
mod diff_names;
mod errors;
mod find;
mod generated;
mod grep;
mod habits;
mod help;
mod interactive;
mod read;
mod readme;
mod replace;
mod replace_properties;
mod seed;
mod slice;
mod terminal_names;
mod write;
