//! Trees: walks as ripgrep walks them, many files in a fixed order, one file reached by two
//! names, grep over trees, and what cannot or should not be mapped.

use super::util;

mod grep_trees;
mod many;
mod reached_twice;
mod special_files;
mod walk_rules;
mod walk_vs_rg;
