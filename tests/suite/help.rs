//! `--help` reads as a guide: one line of purpose first, real examples last. Snapshots (insta)
//! catch any change; review them with `cargo insta review` or `INSTA_UPDATE=always cargo test`.

use super::util::{Sandbox, stdout_of};

fn help(args: &[&str]) -> String {
    stdout_of(Sandbox::new().mmt(args).env("COLUMNS", "100"))
}

#[test]
fn every_command_leads_with_purpose_and_ends_with_examples() {
    for command in [
        "read",
        "slice",
        "find",
        "replace",
        "write",
        "grep",
        "completions",
    ] {
        let text = help(&[command, "-h"]);
        let first = text.lines().next().unwrap();
        assert!(
            !first.is_empty() && !first.starts_with("Usage"),
            "{command}: {first}"
        );
        let tail: Vec<&str> = text.trim_end().lines().rev().take(2).collect();
        assert!(
            tail.iter().all(|l| l.starts_with("  mmt ")),
            "{command}: {tail:?}"
        );
        insta::assert_snapshot!(format!("help_{command}"), text);
    }
}

#[test]
fn top_level_help() {
    insta::assert_snapshot!("help_mmt", help(&["-h"]));
}
