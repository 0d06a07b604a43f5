//! At home for rg, sd and fastmod users: their flags with their meaning, their
//! pipelines (no PATH, the pattern by flag, sd's filter), the flags they type that mmt answers
//! with its own way, output that fits a screen, and undo that names files as the run did. The
//! rg equivalents are held against rg itself (`#[ignore = "needs rg"]`, which `.ci/run` runs).

use std::fs;
use std::io::Write;
use std::process::{Command, Stdio};

use super::util::{Sandbox, assert_error, mmt_bin, require, stdout_of};

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// A small tree of three kinds of file.
fn tree() -> Sandbox {
    let sb = Sandbox::new();
    fs::create_dir_all(sb.path("src/deep")).unwrap();
    sb.write("src/main.rs", b"fn main() {\n    alpha();\n}\n");
    sb.write("src/deep/lib.rs", b"pub fn alpha() {}\n// Alpha\n");
    sb.write("tool.py", b"def alpha():\n    pass\n");
    sb.write("notes.txt", b"beta\nalpha one\nalpha two\n");
    sb
}

/// `mmt ARGS` in the sandbox as a plain command, whose standard input is the test's to choose
/// (assert_cmd's always pipes it, and a pipe is what mmt searches when no PATH is given).
fn plain(sb: &Sandbox, args: &[&str]) -> Command {
    let mut cmd = Command::new(mmt_bin());
    cmd.current_dir(sb.dir())
        .env("MMT_STATE_DIR", sb.state())
        .env_remove("NO_COLOR")
        .args(args);
    cmd
}

/// Runs `cmd` with nothing to read on standard input (`/dev/null`, as under cron).
fn nothing_piped(cmd: &mut Command) -> std::process::Output {
    cmd.stdin(Stdio::null()).output().unwrap()
}

/// Its standard output, once it succeeded.
fn out_of(output: std::process::Output) -> String {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    String::from_utf8(output.stdout).unwrap()
}

/// `mmt ARGS` with `input` piped into standard input.
fn piped(sb: &Sandbox, args: &[&str], input: &[u8]) -> std::process::Output {
    let mut child = plain(sb, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn n_numbers_lines_and_o_with_n_numbers_matches() {
    let sb = tree();
    let out = stdout_of(&mut sb.mmt(["grep", "notes.txt", "alpha", "-n"]));
    assert_eq!(out, "2:alpha one\n3:alpha two\n");
    let out = stdout_of(&mut sb.mmt(["grep", "notes.txt", "alpha", "-n", "-o"]));
    assert_eq!(out, "2:alpha\n3:alpha\n");
    // Without -n or context: each match, as Python's finditer gives them.
    let out = stdout_of(&mut sb.mmt(["grep", "notes.txt", "alpha"]));
    assert_eq!(out, "alpha\nalpha\n");
}

#[test]
fn types_select_and_leave_out_files_as_rg_does() {
    let sb = tree();
    let files = |args: &[&str]| {
        let mut all = vec!["grep", "--files"];
        all.extend_from_slice(args);
        let out = sb.mmt(&all).output().unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    };
    assert_eq!(
        files(&["-t", "rust"]),
        (Some(0), "src/deep/lib.rs\nsrc/main.rs\n".into())
    );
    assert_eq!(
        files(&["-T", "rust"]),
        (Some(0), "notes.txt\ntool.py\n".into())
    );
    // The last flag about a file's type wins.
    assert_eq!(
        files(&["-t", "rust", "-T", "rust"]),
        (Some(1), String::new())
    );
    assert_eq!(
        files(&["-T", "rust", "-t", "rust"]),
        (Some(0), "src/deep/lib.rs\nsrc/main.rs\n".into())
    );
    // Globs beat types.
    assert_eq!(
        files(&["-t", "rust", "-g", "*.py"]),
        (Some(0), "tool.py\n".into())
    );
    // A type of one's own, and all: a file of any type.
    assert_eq!(
        files(&["--type-add", "notes:*.txt", "-t", "notes"]),
        (Some(0), "notes.txt\n".into())
    );
    assert_eq!(files(&["-t", "all"]).1.lines().count(), 4);
    // The search itself takes them too, and from a PATH.
    let out = stdout_of(&mut sb.mmt(["grep", "-t", "py", ".", "alpha"]));
    assert_eq!(out, "./tool.py:alpha\n");
    // An unknown type is an error that says where the types are.
    let out = sb.mmt(["grep", "-t", "nosuch", "alpha"]).output().unwrap();
    assert_error(
        &out,
        "unrecognized file type: nosuch; --type-list shows the types",
    );
    let out = sb
        .mmt(["replace", "-t", "rust", ".", "alpha", "beta"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.read("tool.py"), b"def alpha():\n    pass\n");
    assert_eq!(sb.read("src/main.rs"), b"fn main() {\n    beta();\n}\n");
    // The table, and a type added to it.
    let list = stdout_of(&mut sb.mmt(["grep", "--type-list", "--type-add", "notes:*.txt"]));
    assert!(list.lines().any(|l| l == "rust: *.rs"), "{list}");
    assert!(list.lines().any(|l| l == "notes: *.txt"), "{list}");
    let list = stdout_of(&mut sb.mmt(["replace", "--type-list"]));
    assert!(list.lines().any(|l| l == "rust: *.rs"), "{list}");
    // A search beside it would be ignored: refused.
    let out = sb.mmt(["grep", "--type-list", "alpha"]).output().unwrap();
    assert_error(
        &out,
        "--type-list prints the file types and searches nothing",
    );
}

#[test]
fn grep_takes_the_flags_rg_users_type() {
    let sb = tree();
    let grep = |args: &[&str]| {
        let mut all = vec!["grep", "notes.txt"];
        all.extend_from_slice(args);
        stdout_of(&mut sb.mmt(&all))
    };
    // -F: literal bytes; -v: the lines without a match; -S: smart case.
    sb.write("dots.txt", b"a.c\nabc\n");
    let out = stdout_of(&mut sb.mmt(["grep", "dots.txt", "-F", "-e", "a.c", "-n"]));
    assert_eq!(out, "1:a.c\n");
    assert_eq!(grep(&["alpha", "-v"]), "beta\n");
    assert_eq!(grep(&["alpha", "-v", "-n"]), "1:beta\n");
    let out = stdout_of(&mut sb.mmt(["grep", "src", "-S", "alpha", "-o"]));
    assert_eq!(
        out,
        "src/deep/lib.rs:alpha\nsrc/deep/lib.rs:Alpha\nsrc/main.rs:alpha\n"
    );
    let out = stdout_of(&mut sb.mmt(["grep", "src", "-S", "Alpha", "-o"]));
    assert_eq!(out, "src/deep/lib.rs:Alpha\n");
    // The `P` of a named group is syntax: still no upper case of the pattern's own, as rg.
    let out = stdout_of(&mut sb.mmt(["grep", "src", "-S", "(?P<word>alpha)", "-o"]));
    assert_eq!(
        out,
        "src/deep/lib.rs:alpha\nsrc/deep/lib.rs:Alpha\nsrc/main.rs:alpha\n"
    );
    // --column and --vimgrep, which editors read.
    assert_eq!(grep(&["one", "--column"]), "2:7:alpha one\n");
    assert_eq!(grep(&["one", "-o", "--column", "-b"]), "2:7:11:one\n");
    assert_eq!(
        grep(&["alpha|one", "--vimgrep"]),
        "notes.txt:2:1:alpha one\nnotes.txt:2:7:alpha one\nnotes.txt:3:1:alpha two\n"
    );
    // -m, and counts of both kinds: --count matches (Python's count), -c lines (rg -c).
    assert_eq!(grep(&["alpha", "-m", "1", "-n"]), "2:alpha one\n");
    assert_eq!(grep(&["alpha|one", "--count"]), "3\n");
    assert_eq!(grep(&["alpha|one", "--count-matches"]), "3\n");
    assert_eq!(grep(&["alpha|one", "-c"]), "2\n");
    // --heading: each file's name above its lines.
    let out = stdout_of(&mut sb.mmt(["grep", "--heading", "-n", "src", "alpha"]));
    assert_eq!(
        out,
        "src/deep/lib.rs\n1:pub fn alpha() {}\n\nsrc/main.rs\n2:    alpha();\n"
    );
    let out = stdout_of(&mut sb.mmt(["grep", "--no-heading", "-n", "src", "alpha"]));
    assert_eq!(
        out,
        "src/deep/lib.rs:1:pub fn alpha() {}\nsrc/main.rs:2:    alpha();\n"
    );
    // --stats, after the results.
    let out = sb
        .mmt(["grep", "--stats", "src", "alpha"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("\n2 matches\n2 files contained matches\n2 files searched\n"),
        "{text}"
    );
    // Refused where they would be ignored.
    for (args, message) in [
        (
            &["grep", "notes.txt", "a", "-v", "-o"][..],
            "give one of them",
        ),
        (
            &["grep", "notes.txt", "a", "--count", "-c"],
            "give one of them",
        ),
        (
            &["grep", "notes.txt", "a", "-F", "--dot-all"],
            "--dot-all applies to a regular expression",
        ),
        (&["grep", "--files", "-e", "a"], "--files lists the files"),
    ] {
        assert_error(&sb.mmt(args).output().unwrap(), message);
    }
}

#[test]
fn find_takes_lines_as_grep_does() {
    let sb = tree();
    let out = stdout_of(&mut sb.mmt(["find", "notes.txt", "alpha", "-n"]));
    assert_eq!(out, "2:alpha one\n3:alpha two\n");
    // A literal: what would be a pattern is bytes.
    sb.write("dots.txt", b"a.c\nabc\n");
    let out = stdout_of(&mut sb.mmt(["find", "dots.txt", "a.c", "-C", "1"]));
    assert_eq!(out, "a.c\nabc\n");
    let out = stdout_of(&mut sb.mmt(["find", "dots.txt", "--hex", "612e63", "--whole-lines"]));
    assert_eq!(out, "a.c\n");
    let out = sb
        .mmt(["find", "dots.txt", "a.c", "-n", "--last"])
        .output()
        .unwrap();
    assert_error(
        &out,
        "-n/--line-number prints the lines occurrences touch, and --last",
    );
    // A heading alone shapes no lines: refused, not ignored.
    let out = sb
        .mmt(["find", "dots.txt", "a.c", "--heading"])
        .output()
        .unwrap();
    assert_error(
        &out,
        "--heading shapes the lines that -n, --whole-lines and context print",
    );
}

#[test]
fn no_path_searches_the_current_directory_or_what_is_piped() {
    let sb = tree();
    // Standard input is /dev/null here, as under cron: the current directory is searched, its
    // files named without ./ (as rg names them).
    let out = out_of(nothing_piped(&mut plain(&sb, &["grep", "-n", "alpha"])));
    assert_eq!(
        out,
        "notes.txt:2:alpha one\nnotes.txt:3:alpha two\nsrc/deep/lib.rs:1:pub fn alpha() {}\n\
         src/main.rs:2:    alpha();\ntool.py:1:def alpha():\n"
    );
    let out = out_of(nothing_piped(&mut plain(&sb, &["find", "beta"])));
    assert_eq!(out, "notes.txt:0\n");
    let out = out_of(nothing_piped(&mut plain(&sb, &["grep", "--files"])));
    assert_eq!(out, "notes.txt\nsrc/deep/lib.rs\nsrc/main.rs\ntool.py\n");
    // A file named that is not there is said so, as rg says it.
    let out = sb.mmt(["grep", "--files", "nosuch.txt"]).output().unwrap();
    assert_error(&out, "nosuch.txt: cannot open");
    // A named . keeps its ./, as rg keeps it.
    let out = out_of(nothing_piped(&mut plain(&sb, &["grep", "-l", ".", "beta"])));
    assert_eq!(out, "./notes.txt\n");
    // Piped input is what is searched.
    let out = piped(&sb, &["grep", "-n", "b"], b"a\nb\n");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2:b\n");
    let out = piped(&sb, &["find", "b"], b"a\nb\n");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "2\n");
}

#[test]
fn the_pattern_by_flag_makes_every_argument_a_path() {
    let sb = tree();
    let out = sb
        .bash("printf 'notes.txt\\0tool.py\\0' | xargs -0 \"$MMT\" grep -e alpha --count")
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "notes.txt:2\ntool.py:1\n"
    );
    // Several -e: any of them.
    let out = stdout_of(&mut sb.mmt(["grep", "-e", "beta", "-e", "two", "-n", "notes.txt"]));
    assert_eq!(out, "1:beta\n3:alpha two\n");
    // replace: -e OLD -r NEW, the paths appended by xargs or find -exec ... +.
    let out = sb
        .bash("find src -name '*.rs' -exec \"$MMT\" replace -e alpha -r gamma {} +")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(sb.read("src/main.rs"), b"fn main() {\n    gamma();\n}\n");
    assert_eq!(sb.read("src/deep/lib.rs"), b"pub fn gamma() {}\n// Alpha\n");
    assert_eq!(sb.read("tool.py"), b"def alpha():\n    pass\n");
    // Nothing found by flag: the note about a literal that looks like a pattern, no panic.
    let out = sb
        .mmt(["replace", "-e", r"zz\d", "-r", "x", "tool.py"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        stderr(&out).contains("looks like a regular expression"),
        "{out:?}"
    );
    let out = sb
        .mmt(["replace", "-e", "alpha", "tool.py"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--new"), "{}", stderr(&out));
}

#[test]
fn replace_without_a_path_filters_piped_input_and_never_guesses_files() {
    let sb = tree();
    let out = piped(&sb, &["replace", "alpha", "omega"], b"alpha beta alpha\n");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "omega beta omega\n");
    let out = piped(
        &sb,
        &["replace", "-e", "a(l)", "-r", "[$1]", "--regex"],
        b"alpha\n",
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "[l]pha\n");
    // Nothing piped: refused, with the command that names the files.
    let out = nothing_piped(&mut plain(&sb, &["replace", "alpha", "omega"]));
    assert_error(&out, "as in: mmt replace . alpha omega");
    assert_eq!(sb.read("notes.txt"), b"beta\nalpha one\nalpha two\n");
}

#[test]
fn replace_on_a_terminal_without_a_path_refuses() {
    use rexpect::session::spawn_command;
    let sb = tree();
    let mut cmd = Command::new(mmt_bin());
    cmd.current_dir(sb.dir())
        .env("MMT_STATE_DIR", sb.state())
        .args(["replace", "alpha", "omega"]);
    let mut session = spawn_command(cmd, Some(30_000)).expect("mmt in a pseudo-terminal");
    let shown = session.exp_eof().expect("mmt ends");
    assert!(
        shown.contains("as in: mmt replace . alpha omega"),
        "{shown:?}"
    );
    assert_eq!(sb.read("notes.txt"), b"beta\nalpha one\nalpha two\n");
}

/// Every row of the README's table of habits: the flag, on a command, and what the answer
/// says (never clap's tip to write `-- FLAG`).
#[test]
fn flags_of_other_tools_are_answered_with_mmts_way() {
    let sb = tree();
    let rows: &[(&[&str], &str)] = &[
        (&["replace", "-p", "notes.txt", "a", "b"], "--dry-run"),
        (&["replace", "--preview", "notes.txt", "a", "b"], "--copy"),
        (
            &["replace", "--accept-all", "notes.txt", "a", "b"],
            "--interactive asks",
        ),
        (&["replace", "-n", "1", "notes.txt", "a", "b"], "--max N"),
        (
            &["replace", "--max-replacements", "1", "notes.txt", "a", "b"],
            "--max N",
        ),
        (
            &["grep", "-U", "notes.txt", "a"],
            "--multi-line is Python's re.M",
        ),
        (
            &["replace", "--multiline", "notes.txt", "a", "b"],
            "a match already spans lines",
        ),
        (&["find", "-P", "notes.txt", "a"], "mmt grep PATH PATTERN"),
        (
            &["find", "-e", "a", "notes.txt"],
            "find takes NEEDLE after the paths",
        ),
        (
            &["replace", "-F", "notes.txt", "a", "b"],
            "OLD is literal bytes",
        ),
        (
            &["replace", "-s", "notes.txt", "a", "b"],
            "OLD is literal bytes",
        ),
    ];
    for (args, answer) in rows {
        let out = sb.mmt(*args).output().unwrap();
        assert_error(&out, answer);
        assert!(!stderr(&out).contains("tip:"), "{}", stderr(&out));
    }
    assert_eq!(sb.read("notes.txt"), b"beta\nalpha one\nalpha two\n");
    // -P where it is mmt's flag: the backtracking engine.
    let out = stdout_of(&mut sb.mmt(["grep", "-P", "notes.txt", r"alpha(?= two)"]));
    assert_eq!(out, "alpha\n");
}

#[test]
fn a_run_over_a_tree_fits_a_screen() {
    let sb = Sandbox::new();
    fs::create_dir(sb.path("t")).unwrap();
    for i in 0..200 {
        sb.write(&format!("t/f{i:03}.txt"), b"old\n");
    }
    let out = sb.mmt(["replace", "t", "old", "new"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "200 replacements in 200 files\n");
    assert!(out.stdout.is_empty());
    // -v names every file; -q prints nothing.
    let out = sb
        .mmt(["replace", "-v", "t", "new", "old"])
        .output()
        .unwrap();
    assert_eq!(stderr(&out).lines().count(), 201);
    let out = sb
        .mmt(["-q", "replace", "t", "old", "new"])
        .output()
        .unwrap();
    assert_eq!(stderr(&out), "");
    // An undo of it: one line too, and each file with -v.
    let out = sb.mmt(["undo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        stderr(&out),
        "200 files restored: the run of `mmt -q replace t old new` undone\n"
    );
    // A run over a file or two names each.
    let out = sb
        .mmt(["replace", "t/f000.txt", "t/f001.txt", "old", "x"])
        .output()
        .unwrap();
    assert_eq!(
        stderr(&out),
        "t/f000.txt: 1 replacement\nt/f001.txt: 1 replacement\n2 replacements in 2 files\n"
    );
}

#[test]
fn undo_names_files_as_the_run_was_given_them() {
    let sb = tree();
    sb.mmt(["replace", "notes.txt", "beta", "BETA"])
        .assert()
        .success();
    let out = sb.mmt(["--copy", "undo"]).output().unwrap();
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.starts_with("--- a/notes.txt\n+++ b/notes.txt\n"),
        "{diff}"
    );
    assert_eq!(
        stderr(&out),
        "notes.txt: would be restored (dry run, nothing changed)\n"
    );
    // From another directory, a relative name would mislead: the full path.
    let elsewhere = tempfile::tempdir().unwrap();
    let out = sb
        .mmt(["--copy", "undo", "--list", "-v"])
        .current_dir(elsewhere.path())
        .output()
        .unwrap();
    let full = sb.path("notes.txt").canonicalize().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).contains(&format!("    {}\n", full.display())),
        "{out:?}"
    );
    let out = sb.mmt(["undo"]).output().unwrap();
    assert_eq!(
        stderr(&out),
        "notes.txt: restored (the old bytes written back)\n"
    );
    // An absolute path stays as given.
    let given = sb.path("tool.py");
    let given = given.to_str().unwrap();
    sb.mmt(["replace", given, "pass", "PASS"])
        .assert()
        .success();
    let out = sb.mmt(["undo"]).output().unwrap();
    assert_eq!(
        stderr(&out),
        format!("{given}: restored (the old bytes written back)\n")
    );
}

/// The flags borrowed from rg, against rg on the same tree.
#[test]
#[ignore = "needs rg"]
fn borrowed_flags_print_what_rg_prints() {
    require("rg", "rg's own output is this test's reference");
    let sb = tree();
    let both = |mmt: &[&str], rg: &[&str]| {
        let ours = nothing_piped(&mut plain(&sb, mmt));
        let theirs = Command::new("rg")
            .args(rg)
            .current_dir(sb.dir())
            .stdin(Stdio::null())
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours.stdout),
            String::from_utf8_lossy(&theirs.stdout),
            "mmt {mmt:?} against rg {rg:?}"
        );
        assert_eq!(ours.status.code(), theirs.status.code(), "{mmt:?}");
    };
    let sorted = ["--sort", "path"];
    let rg = |args: &[&'static str]| -> Vec<&'static str> {
        let mut all = sorted.to_vec();
        all.extend_from_slice(args);
        all
    };
    both(&["grep", "-n", "alpha"], &rg(&["-n", "alpha"]));
    both(&["grep", "-n", "-o", "alpha"], &rg(&["-n", "-o", "alpha"]));
    both(
        &["grep", "-t", "rust", "-n", "alpha"],
        &rg(&["-t", "rust", "-n", "alpha"]),
    );
    both(
        &["grep", "-T", "rust", "-c", "alpha"],
        &rg(&["-T", "rust", "-c", "alpha"]),
    );
    both(
        &["grep", "-v", "-n", ".", "alpha"],
        &rg(&["-v", "-n", "alpha", "."]),
    );
    both(
        &["grep", "--column", "-S", "alpha"],
        &rg(&["--column", "-S", "alpha"]),
    );
    both(&["grep", "--vimgrep", "a"], &rg(&["--vimgrep", "a"]));
    both(
        &["grep", "-o", "--column", "-b", "alpha"],
        &rg(&["-o", "--column", "-b", "alpha"]),
    );
    both(
        &["grep", "--heading", "-n", "alpha"],
        &rg(&["--heading", "-n", "alpha"]),
    );
    both(
        &["grep", "-F", "-e", "a()", "-n"],
        &rg(&["-F", "-n", "-e", "a()"]),
    );
    both(
        &["grep", "--files", "-t", "py"],
        &rg(&["--files", "-t", "py"]),
    );
    both(
        &["grep", "--files", "-g", "*.rs", "-t", "py"],
        &rg(&["--files", "-g", "*.rs", "-t", "py"]),
    );
    both(
        &["grep", "-m", "1", "-n", "alpha"],
        &rg(&["-m", "1", "-n", "alpha"]),
    );
    both(
        &["grep", "--count-matches", "alpha|one"],
        &rg(&["--count-matches", "alpha|one"]),
    );
    both(
        &["find", "-n", "-C", "1", "alpha()"],
        &rg(&["-F", "-n", "-C", "1", "alpha()"]),
    );
}
