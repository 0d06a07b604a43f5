//! The integration tests, grouped by behaviour: what each command does (`commands`), the
//! pattern dialect against Python (`patterns`), trees walked as ripgrep walks them (`trees`),
//! and writes that can be trusted through failures, signals, other writers and power cuts
//! (`durability`).

mod properties;
mod util;

mod commands;
mod durability;
mod patterns;
mod trees;
