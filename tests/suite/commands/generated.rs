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

/// The start every page shares: title, NAME, SYNOPSIS, DESCRIPTION, OPTIONS.
fn page_head(man: &clap_mangen::Man) -> Vec<u8> {
    let mut out = Vec::new();
    man.render_title(&mut out).unwrap();
    man.render_name_section(&mut out).unwrap();
    man.render_synopsis_section(&mut out).unwrap();
    man.render_description_section(&mut out).unwrap();
    man.render_options_section(&mut out).unwrap();
    out
}

fn render_main_page() -> Vec<u8> {
    let cmd = mmt::cli::Cli::command();
    let man = clap_mangen::Man::new(cmd.clone());
    let mut out = page_head(&man);
    man.render_subcommands_section(&mut out).unwrap();

    let mut extra = Roff::new();
    exit_status_section(&mut extra);
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

/// EXIT STATUS as every page gives it.
fn exit_status_section(roff: &mut Roff) {
    roff.control("SH", ["EXIT STATUS"]);
    for (code, meaning) in mmt::manual::EXIT_STATUS {
        roff.control("TP", [])
            .text([bold(*code)])
            .text([roman(*meaning)]);
    }
}

/// The page of one command, `mmt-NAME(1)`: its synopsis as typed (`mmt replace ...`), its own
/// options and the global ones, the exit status, and the examples of its `--help`.
fn render_command_page(sub: &clap::Command) -> Vec<u8> {
    // clap keeps names as &'static str; a test may leak these few.
    let page_name: &'static str = Box::leak(format!("mmt-{}", sub.get_name()).into_boxed_str());
    let bin_name: &'static str = Box::leak(format!("mmt {}", sub.get_name()).into_boxed_str());
    let page = sub.clone().name(page_name).bin_name(bin_name);
    let man = clap_mangen::Man::new(page.clone());
    let mut out = page_head(&man);
    let mut extra = Roff::new();
    exit_status_section(&mut extra);
    let examples: Vec<String> = page
        .get_after_help()
        .map(|help| help.to_string())
        .unwrap_or_default()
        .lines()
        .map(str::trim)
        .filter(|line| line.starts_with("mmt "))
        .map(str::to_owned)
        .collect();
    if !examples.is_empty() {
        extra.control("SH", ["EXAMPLES"]);
        for example in &examples {
            extra.control("TP", []).text([bold(example.as_str())]);
        }
    }
    extra.control("SH", ["SEE ALSO"]);
    extra.text([roman("mmt(1)")]);
    out.extend_from_slice(extra.render().as_bytes());
    out
}

/// The command line as the binary has it: built, so that the global options are part of every
/// command's page.
fn built_command() -> clap::Command {
    let mut cmd = mmt::cli::Cli::command();
    cmd.build();
    cmd
}

#[test]
fn man_pages_are_current() {
    check_current("man/mmt.1", &render_main_page());
    for sub in built_command().get_subcommands() {
        check_current(
            &format!("man/mmt-{}.1", sub.get_name()),
            &render_command_page(sub),
        );
    }
}

/// Renders every page with `man -l`, as a reader sees it, and checks what a reader would
/// notice: the synopsis as typed, no option the command rejects, every section there.
#[test]
fn every_man_page_renders_as_a_reader_sees_it() {
    super::util::require("man", "the pages are checked as man renders them");
    let render = |page: &[u8]| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("page.1");
        std::fs::write(&path, page).unwrap();
        let out = std::process::Command::new("man")
            .arg("-l")
            .arg(&path)
            .env("MANWIDTH", "100")
            .env("MAN_KEEP_FORMATTING", "0")
            .env_remove("MANPAGER")
            .env("PAGER", "cat")
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // man may still embolden with backspaces; a reader sees plain text.
        let text = String::from_utf8_lossy(&out.stdout).into_owned();
        let mut plain = String::new();
        for c in text.chars() {
            if c == '\u{8}' {
                plain.pop();
            } else {
                plain.push(c);
            }
        }
        plain
    };
    let main = render(&render_main_page());
    for section in [
        "SYNOPSIS",
        "SUBCOMMANDS",
        "EXIT STATUS",
        "GUARANTEES",
        "EXAMPLES",
        "SEE ALSO",
    ] {
        assert!(main.contains(section), "mmt(1) lacks {section}");
    }
    assert!(
        !main.contains("mmt-help") && !main.contains("EXTRA"),
        "{main}"
    );
    for sub in built_command().get_subcommands() {
        let name = sub.get_name();
        let page = render(&render_command_page(sub));
        assert!(
            page.contains(&format!("mmt {name}")),
            "mmt-{name}(1): {page}"
        );
        assert!(
            !page.contains(&format!("mmt-{name} [")),
            "mmt-{name}(1): {page}"
        );
        assert!(
            !page.contains("--version") && !page.contains("EXTRA"),
            "mmt-{name}(1): {page}"
        );
        for section in ["SYNOPSIS", "OPTIONS", "EXIT STATUS", "SEE ALSO"] {
            assert!(page.contains(section), "mmt-{name}(1) lacks {section}");
        }
        assert!(
            page.contains("--json") && page.contains("--copy"),
            "mmt-{name}(1) lacks the global options"
        );
        if name != "completions" {
            assert!(page.contains("EXAMPLES"), "mmt-{name}(1) lacks EXAMPLES");
        }
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

/// The bash script, driven by a real bash as its completion would be: `mmt read <TAB>` offers
/// the files of the directory, a number (`--seek`) offers none, a flag position offers flags.
#[test]
fn bash_completion_offers_files_where_files_go() {
    super::util::require("bash", "this test runs it");
    let sb = Sandbox::new();
    sb.write("alpha.txt", b"");
    sb.write("beta.bin", b"");
    let harness = format!(
        r#"
        compopt() {{ :; }}  # only meaningful inside a completion bash itself started
        source '{script}'
        complete_words() {{
            COMP_WORDS=("$@"); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))
            COMP_LINE="$*"; COMP_POINT=${{#COMP_LINE}}
            _mmt mmt "${{COMP_WORDS[COMP_CWORD]}}" "${{COMP_WORDS[COMP_CWORD-1]}}"
            printf '%s\n' "${{COMPREPLY[@]}}" | sort | tr '\n' ' '
            echo
        }}
        complete_words mmt read ""
        complete_words mmt read alpha.txt --seek ""
        complete_words mmt find ""
        complete_words mmt replace alpha.txt ""
        complete_words mmt read --for
        complete_words mmt completions ""
        complete_words mmt -j ""
        "#,
        script = generated_dir().join("mmt.bash").display()
    );
    let out = std::process::Command::new("bash")
        .args(["-c", &harness])
        .current_dir(sb.dir())
        .output()
        .unwrap();
    let lines: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| l.trim().to_owned())
        .collect();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(lines.len(), 7, "{lines:?} {stderr}");
    assert_eq!(
        lines[..5],
        [
            "alpha.txt beta.bin",
            "",
            "alpha.txt beta.bin",
            "alpha.txt beta.bin",
            "--format"
        ],
        "{stderr}"
    );
    assert!(
        lines[5].ends_with("bash elvish fish powershell zsh"),
        "{lines:?}"
    );
    // -j takes a number: no file names.
    assert_eq!(lines[6], "", "{lines:?}");
}

/// zsh and fish are not installed here; their scripts are held to what they must say: files
/// where FILE and PATH go, nothing for numbers.
#[test]
fn zsh_and_fish_complete_files_where_files_go() {
    let zsh = std::fs::read_to_string(generated_dir().join("_mmt")).unwrap();
    assert!(zsh.contains("':file -- The file, or - for standard input:_files'"));
    assert!(zsh.contains("_files"));
    let seek = zsh.lines().find(|l| l.contains("--seek=")).unwrap();
    assert!(seek.ends_with(":POS:' \\"), "{seek}");
    let fish = std::fs::read_to_string(generated_dir().join("mmt.fish")).unwrap();
    let seek = fish.lines().find(|l| l.contains("-l seek")).unwrap();
    // -r: takes a value; -f: no file names for it.
    assert!(seek.contains(" -r") && seek.contains(" -f"), "{seek}");
}
