//! Files generated from the clap definition and committed: the completion scripts and the man
//! pages in `completions/`. Each test fails when a committed file is stale; run
//! `./completions/generate.sh` (which sets `UPDATE_GENERATED=1`) to regenerate them all.

use std::path::{Path, PathBuf};

use clap::CommandFactory;
use roff::{Roff, bold, roman};

use super::util::Sandbox;

const SCRIPTS: [(&str, &str); 5] = [
    ("bash", "mmt.bash"),
    ("zsh", "_mmt"),
    ("fish", "mmt.fish"),
    ("elvish", "mmt.elv"),
    ("powershell", "_mmt.ps1"),
];

fn generated_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("completions")
}

/// Compares `fresh` with the committed file, or writes it when regenerating.
fn check_current(relative: &str, fresh: &[u8]) {
    let path = generated_dir().join(relative);
    if std::env::var_os("UPDATE_GENERATED").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, fresh).unwrap();
        return;
    }
    let committed = std::fs::read(&path).unwrap_or_default();
    assert!(
        committed == fresh,
        "completions/{relative} is stale; regenerate with ./completions/generate.sh"
    );
}

#[test]
fn completion_scripts_are_current() {
    let sb = Sandbox::new();
    for (shell, file) in SCRIPTS {
        let out = sb.mmt(["completions", shell]).output().unwrap();
        assert_eq!(out.status.code(), Some(0));
        assert!(!out.stdout.is_empty());
        check_current(file, &out.stdout);
    }
}

#[test]
fn bash_completion_knows_every_command_and_flag() {
    let sb = Sandbox::new();
    let out = sb.mmt(["completions", "bash"]).output().unwrap();
    let script = String::from_utf8(out.stdout).unwrap();
    for word in [
        "read",
        "slice",
        "find",
        "replace",
        "write",
        "grep",
        "completions",
        "--copy",
        "--format",
        "--dot-all",
    ] {
        assert!(script.contains(word), "{word}");
    }
}

fn render_main_page() -> Vec<u8> {
    let cmd = mmt::cli::Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = Vec::new();
    man.render_title(&mut out).unwrap();
    man.render_name_section(&mut out).unwrap();
    man.render_synopsis_section(&mut out).unwrap();
    man.render_description_section(&mut out).unwrap();
    man.render_options_section(&mut out).unwrap();
    man.render_subcommands_section(&mut out).unwrap();

    let mut extra = Roff::new();
    extra.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in mmt::manual::EXIT_STATUS {
        extra
            .control("TP", [])
            .text([bold(*code)])
            .text([roman(*meaning)]);
    }
    extra.control("SH", ["GUARANTEES"]);
    for promise in mmt::manual::GUARANTEES {
        extra.control("IP", ["\\(bu", "2"]).text([roman(*promise)]);
    }
    extra.control("SH", ["EXAMPLES"]);
    for (command, what) in mmt::manual::EXAMPLES {
        extra
            .control("TP", [])
            .text([bold(*command)])
            .text([roman(*what)]);
    }
    extra.control("SH", ["SEE ALSO"]);
    let pages: Vec<String> = cmd
        .get_subcommands()
        .map(|sub| format!("mmt-{}(1)", sub.get_name()))
        .collect();
    extra.text([roman(pages.join(", "))]);
    out.extend_from_slice(extra.render().as_bytes());
    man.render_version_section(&mut out).unwrap();
    out
}

#[test]
fn man_pages_are_current() {
    check_current("man/mmt.1", &render_main_page());
    let cmd = mmt::cli::Cli::command();
    for sub in cmd.get_subcommands() {
        // clap keeps names as &'static str; a test may leak these few.
        let name: &'static str = Box::leak(format!("mmt-{}", sub.get_name()).into_boxed_str());
        let page = sub.clone().name(name).version(env!("CARGO_PKG_VERSION"));
        let mut out = Vec::new();
        clap_mangen::Man::new(page).render(&mut out).unwrap();
        check_current(&format!("man/{name}.1"), &out);
    }
}

#[test]
fn man_page_has_exit_codes_guarantees_and_examples() {
    let page = String::from_utf8(render_main_page()).unwrap();
    for section in ["EXIT STATUS", "GUARANTEES", "EXAMPLES", "SUBCOMMANDS"] {
        assert!(
            page.contains(&format!(".SH \"{section}\""))
                || page.contains(&format!(".SH {section}")),
            "{section}"
        );
    }
}
