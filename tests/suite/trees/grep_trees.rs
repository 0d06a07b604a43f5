//! grep and find for people working in trees: line numbers, whole lines with
//! context, file lists, `-w`, and what rg and sd users type. The rg equivalents are compared
//! with rg itself on a copy of this repository's sources (`#[ignore = "needs rg"]`, which
//! `.ci/run` runs).

use std::fs;
use std::path::Path;
use std::process::Command;

use super::util::{Sandbox, assert_error, require, stdout_of};

/// The file rg's own output below was taken from (`rg -n -C1 foo t.txt`).
const T: &[u8] = b"a\nfoo one\nb\nc\nd\ne\nfoo two foo\nf\n";

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn line_numbers_come_after_the_path_and_before_the_offset() {
    let sb = Sandbox::new();
    sb.write("t.txt", T);
    sb.write("u.txt", b"no\nfoo\n");
    // -n numbers lines, as rg -n does; with -o, each match after its line's number.
    let out = stdout_of(&mut sb.mmt(["grep", "t.txt", "foo", "-n"]));
    assert_eq!(out, "2:foo one\n7:foo two foo\n");
    let out = stdout_of(&mut sb.mmt(["grep", "t.txt", "foo", "-n", "-o"]));
    assert_eq!(out, "2:foo\n7:foo\n7:foo\n");
    let out = stdout_of(&mut sb.mmt(["grep", "t.txt", "u.txt", "fo+", "-n", "-o", "-b"]));
    assert_eq!(
        out,
        "t.txt:2:2:foo\nt.txt:7:18:foo\nt.txt:7:26:foo\nu.txt:2:3:foo\n"
    );
    // A group's line is the line of its own first byte.
    let out = stdout_of(&mut sb.mmt(["grep", "t.txt", r"(?s)one.(b)", "-n", "--group", "1"]));
    assert_eq!(out, "3:b\n");
    // In JSON, "line" joins the record.
    let out = stdout_of(&mut sb.mmt(["--json", "grep", "u.txt", "foo", "-n"]));
    let record: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(record["line"], 2);
    assert_eq!(record["offset"], 3);
}

#[test]
fn line_numbers_are_the_same_on_every_core() {
    let sb = Sandbox::new();
    // 18 MiB of numbered lines: large enough to be searched in pieces (8 MiB, two at least)
    // on several threads.
    let mut text = Vec::new();
    let mut n = 0;
    while text.len() < 18 << 20 {
        n += 1;
        let marker = if n % 997 == 0 { " needle" } else { "" };
        text.extend_from_slice(format!("line {n}{marker}\n").as_bytes());
    }
    sb.write("big.txt", &text);
    let expected: String = (1..=n)
        .filter(|n| n % 997 == 0)
        .map(|n| format!("{n}:needle\n"))
        .collect();
    for threads in ["-j1", "-j2", "-j8"] {
        let out = stdout_of(&mut sb.mmt([threads, "grep", "big.txt", "needle", "-n", "-o"]));
        assert!(out == expected, "{threads}");
        let out =
            stdout_of(&mut sb.mmt([threads, "grep", "big.txt", "needle", "-n", "--whole-lines"]));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), n / 997, "{threads}");
        assert_eq!(lines[0], "997:line 997 needle", "{threads}");
        // Before-context: the count moves on from each piece's start, counted by its worker.
        let out = stdout_of(&mut sb.mmt([threads, "grep", "big.txt", "needle", "-n", "-B1"]));
        let expected: String = (1..=n)
            .filter(|n| n % 997 == 0)
            .map(|n| format!("{}-line {}\n{n}:line {n} needle\n", n - 1, n - 1))
            .collect::<Vec<_>>()
            .join("--\n");
        assert!(out == expected, "{threads}");
    }
}

#[test]
fn whole_lines_with_context_print_as_rg_prints_them() {
    let sb = Sandbox::new();
    sb.write("t.txt", T);
    sb.write("u.txt", T);
    // rg -n -C1 foo t.txt u.txt (ripgrep 13), byte for byte.
    let out = stdout_of(&mut sb.mmt(["grep", "t.txt", "u.txt", "foo", "-n", "-C1"]));
    let one = |name: &str| {
        format!(
            "{name}-1-a\n{name}:2:foo one\n{name}-3-b\n--\n{name}-6-e\n{name}:7:foo two foo\n{name}-8-f\n"
        )
    };
    assert_eq!(out, format!("{}--\n{}", one("t.txt"), one("u.txt")));
    // The same on one thread (one printer) and on many (a buffer each).
    let out_j1 = stdout_of(&mut sb.mmt(["-j1", "grep", "t.txt", "u.txt", "foo", "-n", "-C1"]));
    assert_eq!(out_j1, out);
    // Whole lines without context: no separators; -A and -B alone.
    let out = stdout_of(&mut sb.mmt(["grep", "t.txt", "foo", "--whole-lines"]));
    assert_eq!(out, "foo one\nfoo two foo\n");
    let out = stdout_of(&mut sb.mmt(["grep", "t.txt", "two", "-n", "-B2"]));
    assert_eq!(out, "5-d\n6-e\n7:foo two foo\n");
    let out = stdout_of(&mut sb.mmt(["grep", "t.txt", "one", "-A", "1", "-b"]));
    assert_eq!(out, "2:foo one\n10-b\n");
    // A match across lines prints all of them, as matching lines.
    let out = stdout_of(&mut sb.mmt(["grep", "t.txt", r"one\nb", "-n", "--whole-lines"]));
    assert_eq!(out, "2:foo one\n3:b\n");
}

#[test]
fn whole_lines_in_json_and_in_colour() {
    let sb = Sandbox::new();
    sb.write("t.txt", T);
    let out = stdout_of(&mut sb.mmt(["--json", "grep", "t.txt", "two", "-C1"]));
    let records: Vec<serde_json::Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(records.len(), 3);
    assert_eq!(records[0]["type"], "context");
    assert_eq!(records[0]["line"], 6);
    assert_eq!(records[1]["type"], "match");
    assert_eq!(records[1]["line"], 7);
    assert_eq!(records[1]["offset"], 18);
    assert_eq!(records[1]["text"]["text"], "foo two foo\n");
    assert_eq!(records[1]["matches"][0]["offset"], 22);
    assert_eq!(records[1]["matches"][0]["end"], 25);
    assert_eq!(records[2]["type"], "context");
    // Colour as rg's: the path magenta, the line number green, the match bold red.
    let out = stdout_of(&mut sb.mmt([
        "--color",
        "always",
        "grep",
        "t.txt",
        "two",
        "-n",
        "-H",
        "--whole-lines",
    ]));
    assert_eq!(
        out,
        "\x1b[35mt.txt\x1b[0m:\x1b[32m7\x1b[0m:foo \x1b[1m\x1b[31mtwo\x1b[0m foo\n"
    );
}

#[test]
fn a_binary_file_gets_one_note_not_lines() {
    let sb = Sandbox::new();
    sb.write("bin.dat", b"xx\0foo\nfoo\n");
    let out = stdout_of(&mut sb.mmt(["grep", "bin.dat", "foo", "-n", "-C1"]));
    assert_eq!(
        out,
        "binary file matches (found \"\\0\" byte around offset 2)\n"
    );
    let out = stdout_of(&mut sb.mmt(["grep", "bin.dat", "foo", "-H", "--whole-lines"]));
    assert_eq!(
        out,
        "bin.dat: binary file matches (found \"\\0\" byte around offset 2)\n"
    );
    sb.mmt(["grep", "bin.dat", "bar", "--whole-lines"])
        .assert()
        .code(1)
        .stdout("");
}

#[test]
fn file_lists_stop_at_the_first_match_in_the_order_of_the_walk() {
    let sb = Sandbox::new();
    for (name, text) in [
        ("tree/b.txt", &b"x foo\n"[..]),
        ("tree/a.txt", b"nothing\n"),
        ("tree/sub/c.txt", b"foo foo\n"),
        ("tree/new\nline.txt", b"foo\n"),
    ] {
        fs::create_dir_all(sb.path(name).parent().unwrap()).unwrap();
        sb.write(name, text);
    }
    for threads in ["-j1", "-j4"] {
        for command in ["find", "grep"] {
            let out = stdout_of(&mut sb.mmt([threads, command, "tree", "foo", "-l"]));
            assert_eq!(
                out, "tree/b.txt\ntree/new\\nline.txt\ntree/sub/c.txt\n",
                "{command} {threads}"
            );
            let out =
                stdout_of(&mut sb.mmt([threads, command, "tree", "foo", "--files-without-match"]));
            assert_eq!(out, "tree/a.txt\n", "{command} {threads}");
            // -0: the names as they are, for xargs -0.
            let out = sb
                .mmt([threads, command, "tree", "foo", "-l", "-0"])
                .output()
                .unwrap();
            assert_eq!(
                out.stdout, b"tree/b.txt\0tree/new\nline.txt\0tree/sub/c.txt\0",
                "{command} {threads}"
            );
        }
    }
    // In JSON, one object per file.
    let out = stdout_of(&mut sb.mmt(["--json", "grep", "tree/b.txt", "foo", "-l"]));
    assert_eq!(out, "{\"file\":{\"text\":\"tree/b.txt\"}}\n");
    // Nothing listed: exit 1.
    sb.mmt(["grep", "tree/a.txt", "foo", "-l"])
        .assert()
        .code(1)
        .stdout("");
    // The pipeline -l starts: every listed file is one xargs gets.
    let out = sb
        .bash("$MMT grep tree foo -l -0 | xargs -0 cat | wc -l")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "3");
}

#[test]
fn word_boundaries_on_find_grep_and_replace() {
    let sb = Sandbox::new();
    let text = b"foo foobar barfoo foo_x (foo) foo";
    sb.write("w.txt", text);
    let out = stdout_of(&mut sb.mmt(["find", "w.txt", "foo", "-w", "--all"]));
    assert_eq!(out, "0\n25\n30\n");
    let out = stdout_of(&mut sb.mmt(["find", "w.txt", "foo", "-w", "--count"]));
    assert_eq!(out, "3\n");
    let out = stdout_of(&mut sb.mmt(["find", "w.txt", "foo", "-w", "--last"]));
    assert_eq!(out, "30\n");
    // The byte after --end still counts for the boundary: `foo` of `foobar` is no word.
    sb.mmt(["find", "w.txt", "foo", "-w", "--start", "4", "--end", "7"])
        .assert()
        .code(1);
    let out = stdout_of(&mut sb.mmt(["grep", "w.txt", "fo+|bar", "-w", "-b"]));
    assert_eq!(out, "0:foo\n25:foo\n30:foo\n");
    // A rename across a codebase: foo, not foobar.
    sb.mmt(["-q", "replace", "w.txt", "foo", "X", "-w"])
        .assert()
        .success();
    assert_eq!(sb.read("w.txt"), b"X foobar barfoo foo_x (X) X");
    sb.mmt([
        "-q", "replace", "w.txt", "X|barfoo", "${0}!", "-w", "--regex",
    ])
    .assert()
    .success();
    assert_eq!(sb.read("w.txt"), b"X! foobar barfoo! foo_x (X!) X!");
    // NEW stays literal: `$1` is text when OLD is literal bytes.
    sb.write("n.txt", b"a foo b");
    sb.mmt(["-q", "replace", "n.txt", "foo", "$1\\", "-w"])
        .assert()
        .success();
    assert_eq!(sb.read("n.txt"), b"a $1\\ b");
}

#[test]
fn flags_that_cannot_be_combined_are_refused() {
    let sb = Sandbox::new();
    sb.write("t.txt", T);
    for (args, needle) in [
        (
            &["grep", "t.txt", "foo", "--group", "0", "--whole-lines"][..],
            "--group",
        ),
        (&["grep", "t.txt", "foo", "-l", "--count"], "--count"),
        (&["grep", "t.txt", "foo", "-l", "-C1"], "-C/--context"),
        (
            &["grep", "t.txt", "foo", "-l", "--files-without-match"],
            "--files-without-match",
        ),
        (&["grep", "t.txt", "foo", "-0"], "-0/--null"),
        (
            &["grep", "t.txt", "foo", "-n", "--format", "hex"],
            "--format hex",
        ),
        (&["grep", "t.txt", "foo", "--count", "-n"], "--count"),
        (
            &["find", "t.txt", "foo", "-A", "1", "--all"],
            "--all is about their offsets",
        ),
        (&["find", "t.txt", "foo", "-l", "--all"], "--all"),
        (&["--json", "grep", "t.txt", "foo", "-l", "-0"], "-0/--null"),
    ] {
        let out = sb.mmt(args).output().unwrap();
        assert_error(&out, needle);
    }
}

#[test]
fn words_in_rg_or_sd_order_are_told_apart() {
    let sb = Sandbox::new();
    fs::create_dir_all(sb.path("src")).unwrap();
    fs::create_dir_all(sb.path("bench")).unwrap();
    sb.write("src/a.rs", b"fn main() {}\n");
    sb.write("bench/b.txt", b"a benchmark\n");
    sb.write("README.md", b"benchmark\n");
    // rg's order with a directory: the tip now covers it.
    let out = sb.mmt(["grep", "fn", "."]).output().unwrap();
    assert_error(
        &out,
        "names a directory: the files come first, as in: mmt grep . fn",
    );
    // The pattern names a directory too: searched as typed, with a note.
    let out = sb.mmt(["grep", "src", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        stderr(&out).contains("the PATTERN . names a directory too")
            && stderr(&out).contains("mmt grep . src"),
        "{}",
        stderr(&out)
    );
    // A command that writes refuses, showing both readings, and changes nothing.
    let out = sb
        .mmt(["replace", "bench", "benchmark", "README.md"])
        .output()
        .unwrap();
    assert_error(&out, "NEW README.md names a file too");
    assert!(stderr(&out).contains("mmt replace README.md bench benchmark"));
    assert!(stderr(&out).contains("--escapes"));
    assert_eq!(sb.read("bench/b.txt"), b"a benchmark\n");
    // Said on purpose: the text is meant.
    sb.mmt([
        "-q",
        "replace",
        "--escapes",
        "bench",
        "benchmark",
        "README.md",
    ])
    .assert()
    .success();
    assert_eq!(sb.read("bench/b.txt"), b"a README.md\n");
    // `.` as NEW is punctuation: no refusal.
    sb.write("data.csv", b"1,5\n");
    sb.mmt(["-q", "replace", "data.csv", ",", "."])
        .assert()
        .success();
    assert_eq!(sb.read("data.csv"), b"1.5\n");
}

#[test]
fn zero_results_with_a_likely_cause_say_it() {
    let sb = Sandbox::new();
    sb.write("r.txt", b"version 1.5 and 2.25\nfoo\n");
    let out = sb
        .mmt(["replace", "r.txt", r"\d+\.\d+", "2.0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("looks like a regular expression")
            && stderr(&out).contains("with --regex it would find 2"),
        "{}",
        stderr(&out)
    );
    let out = sb.mmt(["grep", "r.txt", "^foo$"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out)
            .contains("(0 matches); read at each line, as sd, sed and rg read them, there are 1"),
        "{}",
        stderr(&out)
    );
    // No likely cause, no note; -q silences it.
    let out = sb.mmt(["grep", "r.txt", "bar"]).output().unwrap();
    assert_eq!(stderr(&out), "");
    let out = sb.mmt(["-q", "grep", "r.txt", "^foo$"]).output().unwrap();
    assert_eq!(stderr(&out), "");
}

/// `^` and `$` without `--multi-line` are Python's (the whole file's start and end), which sd,
/// sed and rg users read per line: a write refuses when the two readings differ, naming both
/// counts and both fixes, and goes on where they agree; a read says so whenever they differ.
#[test]
fn anchors_read_two_ways_stop_a_write_and_are_noted_by_a_read() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("src")).unwrap();
    sb.write("src/a.rs", b"use a;\nuse b;\nfn x() {}\n");
    sb.write("src/b.rs", b"mod m;\nuse c;\n");
    let out = sb
        .mmt(["replace", "src", "^use ", "pub use ", "--regex"])
        .output()
        .unwrap();
    assert_error(
        &out,
        "as Python's re reads them (1 match here), not at each line as sd, sed and rg read them (3 matches); nothing written",
    );
    assert_error(&out, "add --multi-line");
    assert_error(&out, r"\A and \Z");
    assert_eq!(sb.read("src/a.rs"), b"use a;\nuse b;\nfn x() {}\n");
    // Each fix says which, and is done.
    sb.mmt([
        "replace",
        "src",
        "^use ",
        "pub use ",
        "--regex",
        "--multi-line",
    ])
    .assert()
    .success();
    assert_eq!(sb.read("src/a.rs"), b"pub use a;\npub use b;\nfn x() {}\n");
    assert_eq!(sb.read("src/b.rs"), b"mod m;\npub use c;\n");
    sb.mmt(["replace", "src", r"\Apub ", "", "--regex"])
        .assert()
        .success();
    assert_eq!(sb.read("src/a.rs"), b"use a;\npub use b;\nfn x() {}\n");
    // Where both readings find the same, nothing is said and the write goes on: `$` at the end
    // of a file whose only line has no newline.
    sb.write("one.txt", b"end");
    let out = sb
        .mmt(["replace", "one.txt", "d$", "D", "--regex"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stderr(&out), "one.txt: 1 replacement\n");
    // A read finds what Python finds, and says the other reading's count even so.
    let out = sb.mmt(["grep", "src", "^."]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "src/a.rs:u\nsrc/b.rs:m\n"
    );
    assert!(
        stderr(&out)
            .contains("(2 matches); read at each line, as sd, sed and rg read them, there are 5"),
        "{}",
        stderr(&out)
    );
    let out = sb
        .mmt(["grep", "src", "^.", "--multi-line"])
        .output()
        .unwrap();
    assert_eq!(stderr(&out), "");
}

#[test]
fn a_posix_class_gets_pythons_warning_and_the_way_to_say_it() {
    let sb = Sandbox::new();
    sb.write("d.txt", b"a1b:\n");
    let out = sb.mmt(["grep", "d.txt", "[[:digit:]]"]).output().unwrap();
    // Read as Python reads it: the set `[:digt` then `]`, which this file does not have.
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("FutureWarning: Possible nested set at position 1")
            && stderr(&out).contains(r"write \d"),
        "{}",
        stderr(&out)
    );
}

/// This repository's sources, copied into the sandbox: a real tree for rg to agree with.
fn real_tree(sb: &Sandbox) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for dir in ["src", "tests/suite"] {
        copy_dir(&root.join(dir), &sb.path("tree").join(dir));
    }
}

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for entry in fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn rg(sb: &Sandbox, args: &[&str]) -> String {
    let out = Command::new("rg")
        .args([
            "--sort",
            "path",
            "--no-heading",
            "--no-unicode",
            "--color",
            "never",
        ])
        .args(args)
        .current_dir(sb.dir())
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
#[ignore = "needs rg"]
fn rg_agrees_on_lines_context_and_file_lists() {
    require("rg", "this test compares mmt's output with rg's");
    let sb = Sandbox::new();
    real_tree(&sb);
    for pattern in ["unwrap", r"fn [a-z_]+\(", "impl", "TODO|FIXME"] {
        // Whole lines and numbers, as `rg -n`. (mmt's matches may span lines; these do not.)
        let mmt = stdout_of(&mut sb.mmt(["grep", "tree", pattern, "-n", "--whole-lines"]));
        assert!(mmt == rg(&sb, &["-n", pattern, "tree"]), "{pattern}");
        // Groups and separators, as `rg -C 2`.
        let mmt = stdout_of(&mut sb.mmt(["grep", "tree", pattern, "-n", "-C", "2"]));
        assert!(
            mmt == rg(&sb, &["-n", "-C", "2", pattern, "tree"]),
            "{pattern} -C 2"
        );
        let mmt = stdout_of(&mut sb.mmt(["grep", "tree", pattern, "-A", "1", "-B", "3"]));
        assert!(
            mmt == rg(&sb, &["-A", "1", "-B", "3", pattern, "tree"]),
            "{pattern} -A1 -B3"
        );
        // The same set of files as `rg -l -a` (rg leaves binary files out unless -a).
        let mmt = stdout_of(&mut sb.mmt(["grep", "tree", pattern, "-l"]));
        assert!(
            mmt == rg(&sb, &["-l", "-a", pattern, "tree"]),
            "{pattern} -l"
        );
        let mmt = stdout_of(&mut sb.mmt(["grep", "tree", pattern, "--files-without-match"]));
        assert!(
            mmt == rg(&sb, &["--files-without-match", "-a", pattern, "tree"]),
            "{pattern} --files-without-match"
        );
    }
    for word in ["map", "self", "out"] {
        let mmt = stdout_of(&mut sb.mmt(["grep", "tree", word, "-w", "-n", "--whole-lines"]));
        assert!(mmt == rg(&sb, &["-w", "-n", word, "tree"]), "-w {word}");
        let mmt = stdout_of(&mut sb.mmt(["find", "tree", word, "-w", "-l"]));
        assert!(
            mmt == rg(&sb, &["-w", "-l", "-F", word, "tree"]),
            "find -w {word}"
        );
    }
}

/// The note about a literal that looks like a pattern counts the other reading in a file of up
/// to 64 MiB, and past that only says to add `--regex` (a sparse file: nothing to read).
#[test]
fn the_other_reading_is_counted_in_a_file_of_up_to_64_mib() {
    let sb = Sandbox::new();
    for (len, said) in [
        (64 << 20, "with --regex it would find 1"),
        ((64 << 20) + 1, "add --regex to read it as one"),
    ] {
        let path = sb.write("big", b"v1.5\n");
        fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(len)
            .unwrap();
        let out = sb.mmt(["replace", "big", r"\d\.\d", "x"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{len}");
        assert!(stderr(&out).contains(said), "{len}: {}", stderr(&out));
    }
}
