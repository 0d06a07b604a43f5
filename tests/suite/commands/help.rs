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

#[test]
fn mmt_alone_prints_a_short_usage() {
    let out = Sandbox::new().mmt(Vec::<&str>::new()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.starts_with("mmt: no command given\n"), "{stderr}");
    assert!(
        stderr.contains("Usage: mmt") && stderr.contains("mmt --help"),
        "{stderr}"
    );
    assert!(stderr.lines().count() <= 6, "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn replace_has_a_long_help_beside_the_short_one() {
    let long = help(&["replace", "--help"]);
    let short = help(&["replace", "-h"]);
    for topic in [
        "in place",
        "Length changes",
        "${1}X",
        "--expect N",
        "--copy (--dry-run)",
    ] {
        assert!(long.contains(topic), "{topic}");
    }
    assert!(!short.contains("Length changes"));
    assert!(long.len() > short.len());
}

#[test]
fn dry_run_is_another_name_for_copy() {
    let sb = Sandbox::with_fixtures();
    sb.age("lorem.txt");
    let before = sb.mtime("lorem.txt");
    let out = sb
        .mmt(["--dry-run", "replace", "lorem.txt", "Lorem", "L"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("--- a/lorem.txt\n+++ b/lorem.txt\n"));
    assert_eq!(sb.mtime("lorem.txt"), before);
    assert_eq!(sb.read("lorem.txt"), super::util::LOREM);
}
