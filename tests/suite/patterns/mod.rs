//! Python's `re` dialect to the letter, on both engines: differential tests against `python3`
//! (matches, groups, `re.sub` templates) and CPython's own tables.

use super::{properties, util};

mod backtrack;
mod backtrack_python;
mod cpython_tables;
mod dialect;
mod grep_python;
mod template_python;
