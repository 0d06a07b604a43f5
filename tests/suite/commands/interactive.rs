//! `replace --interactive`, driven through a real pseudo-terminal: the keys, what is
//! shown, the run written once with what was accepted (or nothing), `mmt undo` after, and the
//! terminal put back. Every wait is for output with a deadline; a session that fails is killed
//! and reaped when it is dropped.

use std::fs;
use std::process::Command;

use rexpect::process::WaitStatus;
use rexpect::session::{PtySession, spawn_command};

use super::util::{Sandbox, assert_error, mmt_bin, require};

const PROMPT: &str = "[y,n,a,d,A,q,?]? ";

/// Three files, each with its changes: `src/a.rs` three, `src/b.rs` two, `src/c.rs` two.
fn tree() -> Sandbox {
    let sb = Sandbox::new();
    fs::create_dir_all(sb.path("src")).unwrap();
    sb.write("src/a.rs", A);
    sb.write("src/b.rs", b"old_name();\nkeep\nold_name();\n");
    sb.write("src/c.rs", b"use old_name;\nold_name!();\n");
    sb
}

const A: &[u8] = b"fn old_name() {}\nlet a = 1;\nlet b = 2;\nlet c = 3;\nlet d = 4;\nold_name();\nold_name(); // again\n";

/// `mmt ARGS` in a pseudo-terminal of its own, in the sandbox.
fn start(sb: &Sandbox, args: &[&str]) -> PtySession {
    start_with(sb, args, &[])
}

/// [`start`], with more environment variables.
fn start_with(sb: &Sandbox, args: &[&str], env: &[(&str, &str)]) -> PtySession {
    let mut cmd = Command::new(mmt_bin());
    cmd.current_dir(sb.dir())
        .env("MMT_STATE_DIR", sb.state())
        .env("TERM", "xterm")
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .args(args);
    spawn_command(cmd, Some(30_000)).expect("mmt in a pseudo-terminal")
}

/// `mmt replace --interactive --color never src old_name new_name`, and more arguments.
fn review(sb: &Sandbox, more: &[&str]) -> PtySession {
    let mut args = vec!["replace", "--interactive", "--color", "never"];
    args.extend_from_slice(more);
    args.extend_from_slice(&["src", "old_name", "new_name"]);
    start(sb, &args)
}

/// Waits for the question about change `number` of `of` (after the change itself, which is
/// returned), and answers with `key`.
fn answer(session: &mut PtySession, number: usize, of: usize, key: &str) -> String {
    let shown = session
        .exp_string(&format!("({number}/{of}) Replace this {PROMPT}"))
        .unwrap_or_else(|err| panic!("no question {number}/{of}: {err}"));
    press(session, key);
    shown
}

fn press(session: &mut PtySession, keys: &str) {
    session.send(keys).unwrap();
    session.flush().unwrap();
}

/// What mmt printed after the last question, and its exit code, once it has exited.
fn finish(mut session: PtySession) -> (String, i32) {
    let rest = session.exp_eof().expect("mmt ends");
    match session.process.wait().expect("mmt reaped") {
        WaitStatus::Exited(_, code) => (rest, code),
        other => panic!("mmt ended by {other:?}: {rest}"),
    }
}

#[test]
fn y_n_a_and_d_decide_each_change_and_the_accepted_ones_are_written_as_one_run() {
    let sb = tree();
    let mut session = review(&sb, &[]);
    let first = answer(&mut session, 1, 3, "y");
    // The change as a hunk with three lines of context, under PATH:LINE.
    assert!(
        first.contains(
            "src/a.rs:1\r\n@@ -1,4 +1,4 @@\r\n-fn old_name() {}\r\n+fn new_name() {}\r\n let a = 1;\r\n let b = 2;\r\n let c = 3;\r\n"
        ),
        "{first:?}"
    );
    let second = answer(&mut session, 2, 3, "n");
    assert!(
        second.contains("src/a.rs:6\r\n@@ -3,5 +3,5 @@\r\n"),
        "{second:?}"
    );
    answer(&mut session, 3, 3, "y");
    answer(&mut session, 1, 2, "d"); // b.rs: skip both
    answer(&mut session, 1, 2, "a"); // c.rs: accept both
    let (rest, code) = finish(session);
    assert_eq!(code, 0, "{rest}");
    assert!(rest.contains("src/a.rs: 2 replacements"), "{rest}");
    assert!(rest.contains("src/c.rs: 2 replacements"), "{rest}");
    assert!(
        rest.contains("4 replacements in 2 files (4 changes accepted, 3 skipped)"),
        "{rest}"
    );
    assert_eq!(
        sb.read("src/a.rs"),
        b"fn new_name() {}\nlet a = 1;\nlet b = 2;\nlet c = 3;\nlet d = 4;\nold_name();\nnew_name(); // again\n"
    );
    assert_eq!(sb.read("src/b.rs"), b"old_name();\nkeep\nold_name();\n");
    assert_eq!(sb.read("src/c.rs"), b"use new_name;\nnew_name!();\n");

    // One run: one undo puts every file back.
    let list = sb.mmt(["undo", "--list"]).output().unwrap();
    let listed = String::from_utf8_lossy(&list.stdout);
    assert_eq!(
        listed.matches("mmt replace --interactive").count(),
        1,
        "{listed}"
    );
    sb.mmt(["undo"]).assert().success();
    assert_eq!(sb.read("src/a.rs"), A);
    assert_eq!(sb.read("src/c.rs"), b"use old_name;\nold_name!();\n");
}

#[test]
fn capital_a_accepts_every_change_left_without_asking_again() {
    let sb = tree();
    let mut session = review(&sb, &[]);
    answer(&mut session, 1, 3, "n");
    answer(&mut session, 2, 3, "A");
    let (rest, code) = finish(session);
    assert_eq!(code, 0, "{rest}");
    assert!(!rest.contains(PROMPT), "asked again after A: {rest}");
    assert!(rest.contains("(6 changes accepted, 1 skipped)"), "{rest}");
    assert_eq!(sb.read("src/b.rs"), b"new_name();\nkeep\nnew_name();\n");
    assert_eq!(sb.read("src/c.rs"), b"use new_name;\nnew_name!();\n");
    assert!(sb.read("src/a.rs").starts_with(b"fn old_name() {}\n"));
}

#[test]
fn q_stops_halfway_and_writes_exactly_what_was_accepted_undone_by_one_undo() {
    let sb = tree();
    let mut session = review(&sb, &[]);
    answer(&mut session, 1, 3, "a");
    answer(&mut session, 1, 2, "y");
    answer(&mut session, 2, 2, "q");
    let (rest, code) = finish(session);
    assert_eq!(code, 0, "{rest}");
    assert!(
        rest.contains(
            "4 replacements in 2 files (4 changes accepted, 1 skipped; stopped at src/b.rs by q)"
        ),
        "{rest}"
    );
    assert_eq!(
        sb.read("src/a.rs"),
        b"fn new_name() {}\nlet a = 1;\nlet b = 2;\nlet c = 3;\nlet d = 4;\nnew_name();\nnew_name(); // again\n"
    );
    assert_eq!(sb.read("src/b.rs"), b"new_name();\nkeep\nold_name();\n");
    assert_eq!(sb.read("src/c.rs"), b"use old_name;\nold_name!();\n");
    sb.mmt(["undo"]).assert().success();
    assert_eq!(sb.read("src/a.rs"), A);
    assert_eq!(sb.read("src/b.rs"), b"old_name();\nkeep\nold_name();\n");
}

#[test]
fn help_and_other_keys_ask_again() {
    let sb = tree();
    let mut session = review(&sb, &[]);
    // Each time: the help, then the same question again.
    let asked_again = format!("Ctrl-D - stop; write nothing\r\n(1/3) Replace this {PROMPT}");
    answer(&mut session, 1, 3, "?");
    let help = session.exp_string(&asked_again).unwrap();
    assert!(
        help.contains("A - accept this change and all the rest"),
        "{help:?}"
    );
    press(&mut session, "x");
    session.exp_string(&asked_again).unwrap();
    // An arrow key (ESC [ A) is one key that answers nothing, not an A.
    press(&mut session, "\x1b[A");
    session.exp_string(&asked_again).unwrap();
    press(&mut session, "q");
    let (rest, code) = finish(session);
    assert_eq!(code, 1, "{rest}");
    assert!(
        rest.contains("0 changes accepted, 3 skipped; stopped at src/a.rs by q; nothing written"),
        "{rest}"
    );
}

#[test]
fn nothing_accepted_writes_nothing_and_exits_1() {
    let sb = tree();
    let mut session = review(&sb, &[]);
    answer(&mut session, 1, 3, "d");
    answer(&mut session, 1, 2, "n");
    answer(&mut session, 2, 2, "n");
    answer(&mut session, 1, 2, "d");
    let (rest, code) = finish(session);
    assert_eq!(code, 1, "{rest}");
    assert!(
        rest.contains("0 changes accepted, 7 skipped; nothing written"),
        "{rest}"
    );
    assert_eq!(sb.read("src/a.rs"), A);
    let list = sb.mmt(["undo", "--list"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&list.stdout).contains("--interactive"));
}

/// `SCRIPT` in bash in a pseudo-terminal of its own, in the sandbox, with `$MMT` the binary,
/// between two `stty -g` (the terminal's modes before and after).
fn in_shell(sb: &Sandbox, script: &str, env: &[(&str, &str)]) -> PtySession {
    let mut cmd = Command::new("bash");
    cmd.args([
        "-c",
        &format!("stty -g; {script}; echo \"exit $?\"; stty -g"),
    ])
    .current_dir(sb.dir())
    .env("MMT", mmt_bin())
    .env("MMT_STATE_DIR", sb.state())
    .envs(env.iter().copied());
    spawn_command(cmd, Some(30_000)).unwrap()
}

/// Asserts that the two `stty -g` lines of [`in_shell`] are the same.
fn assert_terminal_put_back(seen: &str) {
    let modes: Vec<&str> = seen
        .lines()
        .map(str::trim_end)
        .filter(|line| {
            let fields = line.split(':');
            fields.clone().count() > 10
                && fields
                    .into_iter()
                    .all(|f| !f.is_empty() && f.chars().all(|c| c.is_ascii_hexdigit()))
        })
        .collect();
    assert_eq!(modes.len(), 2, "{seen}");
    assert_eq!(modes[0], modes[1], "the terminal's modes changed: {seen}");
}

const REVIEW: &str = "$MMT replace --interactive --color never src old_name new_name";

/// Ctrl-C and Ctrl-D (end of input) mid-review: nothing written, exit 2, said so; and the
/// terminal's modes are what they were before mmt ran.
#[test]
fn ctrl_c_or_end_of_input_mid_review_writes_nothing_and_puts_the_terminal_back() {
    for (key, said) in [
        ('c', "review interrupted (Ctrl-C); nothing written"),
        ('d', "end of input during the review; nothing written"),
    ] {
        let sb = tree();
        let mut session = in_shell(&sb, REVIEW, &[]);
        let mut seen = answer(&mut session, 1, 3, "y");
        seen += &session
            .exp_string(&format!("(2/3) Replace this {PROMPT}"))
            .unwrap();
        session.send_control(key).unwrap();
        let (rest, code) = finish(session);
        seen += &rest;
        assert_eq!(code, 0, "{seen}");
        assert!(seen.contains(&format!("mmt: {said}\r\nexit 2")), "{seen}");
        assert_eq!(sb.read("src/a.rs"), A);
        assert_terminal_put_back(&seen);
    }
}

/// Ctrl-C typed between questions, while a later file is still being planned, ends the review
/// then (not at a question that may never come).
#[test]
fn ctrl_c_between_questions_ends_the_review_too() {
    let sb = tree();
    let marker = sb.path("release");
    let marker = marker.to_str().unwrap();
    let env = [
        ("MMT_TEST_HOLD_AT", "planning"),
        ("MMT_TEST_HOLD_FILE", "c.rs"),
        ("MMT_TEST_RELEASE_MARKER", marker),
    ];
    let mut session = in_shell(&sb, REVIEW, &env);
    let mut seen = answer(&mut session, 1, 3, "a");
    seen += &answer(&mut session, 1, 2, "a");
    session.send_control('c').unwrap();
    fs::write(marker, b"").unwrap();
    let (rest, code) = finish(session);
    seen += &rest;
    assert_eq!(code, 0, "{seen}");
    assert!(
        seen.contains("mmt: review interrupted (Ctrl-C); nothing written\r\nexit 2"),
        "{seen}"
    );
    assert!(!seen.contains("src/c.rs:1"), "c.rs was asked about: {seen}");
    assert_eq!(sb.read("src/a.rs"), A);
    assert_terminal_put_back(&seen);
}

/// The other ways out: a file that cannot be read after the questions began (exit 2), a signal
/// from elsewhere (mmt ends by it), a panic (a test seam): the terminal is put back each time,
/// and nothing is written.
#[test]
fn an_error_a_signal_or_a_panic_mid_review_puts_the_terminal_back() {
    let sb = tree();
    let script = "$MMT replace --interactive --color never src/a.rs missing.rs old_name new_name";
    let mut session = in_shell(&sb, script, &[]);
    let mut seen = answer(&mut session, 1, 3, "a");
    let (rest, code) = finish(session);
    seen += &rest;
    assert_eq!(code, 0, "{seen}");
    assert!(seen.contains("mmt: missing.rs: "), "{seen}");
    assert!(
        seen.contains("could not be read or planned\r\nexit 2"),
        "{seen}"
    );
    assert_terminal_put_back(&seen);
    assert_eq!(sb.read("src/a.rs"), A);

    // In the background (its standard input /dev/null): the keys still come from the terminal.
    let mut session = in_shell(&sb, &format!("{REVIEW} & echo \"pid $!\"; wait $!"), &[]);
    let (mut seen, pid) = session.exp_regex(r"pid [0-9]+").unwrap();
    seen += &answer(&mut session, 1, 3, "y");
    seen += &session
        .exp_string(&format!("(2/3) Replace this {PROMPT}"))
        .unwrap();
    let killed = Command::new("kill")
        .args(["-TERM", pid.trim_start_matches("pid ")])
        .status()
        .unwrap();
    assert!(killed.success());
    let (rest, code) = finish(session);
    seen += &rest;
    assert_eq!(code, 0, "{seen}");
    assert!(seen.contains("exit 143"), "{seen}");
    assert_terminal_put_back(&seen);
    assert_eq!(sb.read("src/a.rs"), A);

    let mut session = in_shell(&sb, REVIEW, &[("MMT_TEST_PANIC_IN_REVIEW", "1")]);
    let mut seen = answer(&mut session, 1, 3, "y");
    let (rest, code) = finish(session);
    seen += &rest;
    assert_eq!(code, 0, "{seen}");
    assert!(seen.contains("exit 101"), "{seen}");
    assert_terminal_put_back(&seen);
    assert_eq!(sb.read("src/a.rs"), A);
}

/// A file changed by another process while its changes were asked about: the run is refused,
/// naming it, and nothing is written (not the files that did not change either).
#[test]
fn a_file_changed_during_the_review_refuses_the_run_naming_it() {
    let sb = tree();
    let mut session = review(&sb, &[]);
    answer(&mut session, 1, 3, "a");
    answer(&mut session, 1, 2, "y");
    // Another process writes to a.rs, keeping its size, while b.rs is asked about.
    let mut changed = A.to_vec();
    changed[20] = b'X';
    fs::write(sb.path("src/a.rs"), &changed).unwrap();
    answer(&mut session, 2, 2, "A");
    let (rest, code) = finish(session);
    assert_eq!(code, 2, "{rest}");
    assert!(
        rest.contains("mmt: src/a.rs: the file was changed by another process during the review"),
        "{rest}"
    );
    assert!(
        rest.contains("mmt: nothing written: 1 file changed since it was planned"),
        "{rest}"
    );
    assert_eq!(sb.read("src/a.rs"), changed);
    assert_eq!(sb.read("src/b.rs"), b"old_name();\nkeep\nold_name();\n");
    assert_eq!(sb.read("src/c.rs"), b"use old_name;\nold_name!();\n");
}

/// The paths come through standard input; the answers still come from the terminal.
#[test]
fn answers_come_from_the_terminal_when_the_paths_come_through_standard_input() {
    let sb = tree();
    let script = "printf 'src/c.rs\\0src/b.rs\\0' | $MMT replace --interactive --color never \
                  --files0-from - old_name new_name";
    let mut session = in_shell(&sb, script, &[]);
    let first = answer(&mut session, 1, 2, "y");
    assert!(first.contains("src/c.rs:1\r\n"), "{first:?}");
    answer(&mut session, 2, 2, "n");
    answer(&mut session, 1, 2, "d");
    let (rest, code) = finish(session);
    assert_eq!(code, 0, "{rest}");
    assert_eq!(sb.read("src/c.rs"), b"use new_name;\nold_name!();\n");
}

/// The first change is asked about while a later file is still being planned (held by a
/// test seam until the test lets it go).
#[test]
fn the_first_change_is_asked_about_before_the_whole_tree_is_planned() {
    let sb = tree();
    let marker = sb.path("release");
    let env = [
        ("MMT_TEST_HOLD_AT", "planning"),
        ("MMT_TEST_HOLD_FILE", "c.rs"),
        ("MMT_TEST_RELEASE_MARKER", marker.to_str().unwrap()),
    ];
    let args = ["replace", "--interactive", "--color", "never"];
    let mut session = start_with(
        &sb,
        &[&args[..], &["src", "old_name", "new_name"]].concat(),
        &env,
    );
    answer(&mut session, 1, 3, "a");
    answer(&mut session, 1, 2, "d");
    // c.rs is held: the review has come this far without it.
    fs::write(&marker, b"").unwrap();
    answer(&mut session, 1, 2, "y");
    answer(&mut session, 2, 2, "y");
    let (rest, code) = finish(session);
    assert_eq!(code, 0, "{rest}");
    assert_eq!(sb.read("src/c.rs"), b"use new_name;\nnew_name!();\n");
}

/// Colour on the terminal (`--color auto`, TERM set): the hunk painted as `--copy` paints it.
#[test]
fn the_review_is_coloured_on_a_terminal_unless_no_color() {
    let sb = tree();
    let mut session = start(
        &sb,
        &["replace", "--interactive", "src", "old_name", "new_name"],
    );
    let shown = answer(&mut session, 1, 3, "q");
    assert!(shown.contains("\x1b[31m-fn old_name() {}"), "{shown:?}");
    assert!(shown.contains("\x1b[35msrc/a.rs\x1b[0m:"), "{shown:?}");
    let (_, code) = finish(session);
    assert_eq!(code, 1);

    let args = ["replace", "--interactive", "src", "old_name", "new_name"];
    let mut session = start_with(&sb, &args, &[("NO_COLOR", "1")]);
    let shown = answer(&mut session, 1, 3, "q");
    assert!(!shown.contains('\x1b'), "{shown:?}");
    finish(session);
}

/// A change in binary data is shown as the hex diff of its region.
#[test]
fn a_binary_change_is_shown_as_a_hex_diff() {
    let sb = Sandbox::new();
    sb.write("blob.bin", b"\x00\x01MAGIC\x00\xff");
    let mut session = start(
        &sb,
        &[
            "replace",
            "--interactive",
            "--color",
            "never",
            "blob.bin",
            "MAGIC",
            "MAGIK",
        ],
    );
    let shown = answer(&mut session, 1, 1, "y");
    assert!(shown.contains("blob.bin:1\r\n@@ 0x"), "{shown:?}");
    assert!(shown.contains("MAGIC"), "{shown:?}");
    let (rest, code) = finish(session);
    assert_eq!(code, 0, "{rest}");
    assert_eq!(sb.read("blob.bin"), b"\x00\x01MAGIK\x00\xff");
}

#[test]
fn interactive_is_refused_beside_copy_json_quiet_expect_and_standard_input() {
    let sb = tree();
    for (flags, needle) in [
        (
            &["--copy"][..],
            "--interactive asks which changes to write, and --copy writes none",
        ),
        (
            &["--json"],
            "--interactive shows each change to a person on the terminal, and --json is for programs",
        ),
        (
            &["-q"],
            "--interactive shows each change before asking, and -q shows nothing; drop -q",
        ),
        (
            &["--expect", "7"],
            "--expect checks the number of replacements before anything is asked",
        ),
    ] {
        let mut args = vec!["replace", "--interactive"];
        args.extend_from_slice(flags);
        args.extend_from_slice(&["src", "old_name", "new_name"]);
        let out = sb.mmt(&args).output().unwrap();
        assert_error(&out, needle);
    }
    let out = sb
        .mmt(["replace", "--interactive", "-", "old_name", "new_name"])
        .output()
        .unwrap();
    assert_error(&out, "standard input (-) is a filter to standard output");
    assert_eq!(sb.read("src/a.rs"), A);
}

/// Without a terminal (a new session has no controlling terminal), refused before planning:
/// a file that cannot be read is not even looked at.
#[test]
fn interactive_without_a_terminal_is_refused_before_anything_is_planned() {
    require(
        "setsid",
        "the test runs mmt in a session without a terminal",
    );
    let sb = tree();
    let out = Command::new("setsid")
        .args([
            "-w",
            mmt_bin(),
            "replace",
            "--interactive",
            "src",
            "missing.rs",
        ])
        .args(["old_name", "new_name"])
        .current_dir(sb.dir())
        .env("MMT_STATE_DIR", sb.state())
        .output()
        .unwrap();
    assert_error(
        &out,
        "--interactive asks on the terminal, and there is none (/dev/tty: ",
    );
    assert!(!String::from_utf8_lossy(&out.stderr).contains("missing.rs"));
    assert_eq!(sb.read("src/a.rs"), A);
}

/// The guide's transcript of a review is what a real one shows, keys and all.
#[test]
fn the_readme_transcript_is_what_a_review_shows() {
    let readme = include_str!("../../../doc/guide.md");
    let block = readme
        .split("<!-- transcript: replace --interactive")
        .nth(1)
        .and_then(|rest| rest.split("```text\n").nth(1))
        .and_then(|rest| rest.split("```").next())
        .expect("the transcript in the guide");
    let (command, expected) = block.split_once('\n').unwrap();
    let args: Vec<&str> = command
        .strip_prefix("$ mmt ")
        .expect("a command")
        .split(' ')
        .collect();
    let keys: Vec<&str> = expected
        .lines()
        .filter_map(|line| line.split_once(PROMPT).map(|(_, key)| key))
        .collect();
    let sb = Sandbox::new();
    fs::create_dir_all(sb.path("src")).unwrap();
    sb.write(
        "src/lib.rs",
        b"pub fn parse_cfg(text: &str) -> Cfg {\n    Cfg::from(text)\n}\n\npub fn load() -> Cfg {\n    parse_cfg(&read())\n}\n",
    );
    sb.write(
        "src/main.rs",
        b"fn main() {\n    let cfg = demo::parse_cfg(\"x\");\n    println!(\"{cfg:?}\");\n}\n",
    );
    let mut session = start_with(&sb, &args, &[("NO_COLOR", "1")]);
    let mut shown = String::new();
    for key in keys {
        shown += &session.exp_string(PROMPT).unwrap();
        shown += PROMPT;
        press(&mut session, key);
    }
    let (rest, code) = finish(session);
    shown += &rest;
    assert_eq!(code, 0);
    assert_eq!(shown.replace("\r\n", "\n"), expected);
    sb.mmt(["undo"]).assert().success();
}

/// With no change to ask about, the run ends as one without `--interactive` does; a binary
/// file a walk leaves alone is noted after the summary, as without it.
#[test]
fn nothing_to_ask_about_ends_as_any_run_and_skipped_binary_files_are_noted() {
    let sb = tree();
    let session = start(&sb, &["replace", "--interactive", "src", "absent", "x"]);
    let (rest, code) = finish(session);
    assert_eq!(code, 1, "{rest}");
    assert!(!rest.contains(PROMPT), "{rest}");
    assert!(rest.contains("0 replacements in 0 files"), "{rest}");

    sb.write("src/image.bin", b"old_name\x00\x01");
    let mut session = review(&sb, &[]);
    answer(&mut session, 1, 3, "A");
    let (rest, code) = finish(session);
    assert_eq!(code, 0, "{rest}");
    assert!(
        rest.contains(
            "(7 changes accepted, 0 skipped)\r\nmmt: skipped 1 binary file met while walking"
        ),
        "{rest}"
    );
    assert_eq!(sb.read("src/image.bin"), b"old_name\x00\x01");
}

/// A review holds no lock while it waits for keys: another run writes another file at once,
/// and a run on a file the review is asking about writes it too; the review then finds that
/// file changed when it commits, and writes nothing.
#[test]
fn an_open_review_blocks_no_other_run() {
    let sb = tree();
    sb.write("other.txt", b"old_name\n");
    let mut session = review(&sb, &[]);
    session
        .exp_string(&format!("(1/3) Replace this {PROMPT}"))
        .unwrap();
    let out = sb
        .mmt(["replace", "other.txt", "old_name", "new_name"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("waiting"),
        "{out:?}"
    );
    assert_eq!(sb.read("other.txt"), b"new_name\n");
    // A file under review, written meanwhile by another run.
    let out = sb
        .mmt(["replace", "src/a.rs", "old_name", "other_name"])
        .timeout(std::time::Duration::from_secs(20))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    press(&mut session, "A");
    let (rest, code) = finish(session);
    assert_eq!(code, 2, "{rest}");
    assert!(rest.contains("during the review"), "{rest}");
    assert!(rest.contains("nothing written"), "{rest}");
    assert!(String::from_utf8_lossy(&sb.read("src/a.rs")).contains("other_name"));
}

/// The file is cut short (truncated by another process) while a question waits: the next
/// change shown touches pages of the map that are gone, SIGBUS, and mmt ends with exit 2 and
/// its message, the terminal put back as on every other way out, nothing written.
#[test]
fn a_file_truncated_mid_review_ends_it_with_the_terminal_put_back() {
    let sb = Sandbox::new();
    let mut big = b"old_name();\n".to_vec();
    big.resize(1 << 20, b'.');
    big.extend_from_slice(b"\nold_name();\n");
    sb.write("big.rs", &big);
    let script = "$MMT replace --interactive --color never big.rs old_name new_name";
    let mut session = in_shell(&sb, script, &[]);
    let mut seen = session
        .exp_string(&format!("(1/2) Replace this {PROMPT}"))
        .unwrap();
    fs::File::options()
        .write(true)
        .open(sb.path("big.rs"))
        .unwrap()
        .set_len(0)
        .unwrap();
    press(&mut session, "y");
    let (rest, code) = finish(session);
    seen += &rest;
    assert_eq!(code, 0, "{seen}");
    assert!(
        seen.contains("/big.rs: file was truncated while mapped"),
        "{seen}"
    );
    assert!(seen.contains("exit 2"), "{seen}");
    assert_terminal_put_back(&seen);
    assert_eq!(sb.read("big.rs"), b"");
}
