//! `mmt grep`: a bytes regex over the whole map, with Python's flags and capture groups.

use super::util::{Sandbox, assert_error};

#[test]
fn matches_span_lines() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["grep", "lorem.txt", r"Nulla\s+facilisi", "--format", "repr"])
        .assert()
        .success()
        .stdout("b'Nulla\\nfacilisi'\n");
    sb.mmt(["grep", "lorem.txt", r"Nulla\s+facilisi", "--fold"])
        .assert()
        .stdout("Nulla facilisi\n");
}

#[test]
fn byte_offsets_are_those_of_what_is_printed() {
    let sb = Sandbox::with_fixtures();
    sb.mmt([
        "grep",
        "lorem.txt",
        r"(consectetuer) (\w+)",
        "-b",
        "--group",
        "2",
    ])
    .assert()
    .success()
    .stdout("41:adipiscing\n94:ullamcorper\n");
}

#[test]
fn python_flags() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["grep", "lorem.txt", "lorem", "--count"])
        .assert()
        .code(1)
        .stdout("0\n");
    sb.mmt(["grep", "lorem.txt", "lorem", "-i", "--count"])
        .assert()
        .success()
        .stdout("1\n");
    sb.mmt(["grep", "lorem.txt", r"^\w+\.", "--multi-line"])
        .assert()
        .stdout("facilisi.\narcu.\nlacus.\ndui.\nleo.\nmassa.\n");
    sb.mmt(["grep", "lorem.txt", r"^\w+\.", "--count"])
        .assert()
        .code(1);
    sb.mmt(["grep", "lorem.txt", r"justo.$", "--count"])
        .assert()
        .code(1);
    sb.mmt(["grep", "lorem.txt", r"elit\..", "--format", "repr"])
        .assert()
        .code(1);
    sb.mmt([
        "grep",
        "lorem.txt",
        r"elit\..",
        "--dot-all",
        "--format",
        "repr",
    ])
    .assert()
    .stdout("b'elit.\\n'\n");
    sb.mmt([
        "grep",
        "lorem.txt",
        r"Lorem\ ipsum  # a comment",
        "--extended",
    ])
    .assert()
    .stdout("Lorem ipsum\n");
}

#[test]
fn bytes_semantics_by_default_and_unicode_on_request() {
    let sb = Sandbox::new();
    sb.write("mixed", b"\xc3\xa9\xc3\xbfx\xff");
    // "é" is two bytes and "ÿ" two more; without Unicode `.` is one byte.
    sb.mmt(["grep", "mixed", "^.", "--format", "repr"])
        .assert()
        .stdout("b'\\xc3'\n");
    sb.mmt(["grep", "mixed", "^.", "--unicode", "--format", "repr"])
        .assert()
        .stdout("b'\\xc3\\xa9'\n");
    sb.mmt(["grep", "mixed", r"\xff", "-b", "--format", "repr"])
        .assert()
        .stdout("5:b'\\xff'\n");
}

#[test]
fn binary_data_with_nul_and_ff() {
    let sb = Sandbox::with_fixtures();
    sb.mmt([
        "grep",
        "binary.bin",
        r"\x00\xff[A-Z]+",
        "-b",
        "--format",
        "repr",
    ])
    .assert()
    .success()
    .stdout("258:b'\\x00\\xffMAGIC'\n");
    sb.mmt(["grep", "binary.bin", r"\xff{16}\x00", "--format", "hex"])
        .assert()
        .stdout(
            "0000010d: ffff ffff ffff ffff ffff ffff ffff ffff  ................\n\
             0000011d: 00                                       .\n",
        );
}

#[test]
fn named_and_numbered_groups() {
    let sb = Sandbox::with_fixtures();
    sb.mmt([
        "grep",
        "lorem.txt",
        r"(?P<word>\w+) (?P<next>feugiat)",
        "--group",
        "word",
    ])
    .assert()
    .stdout("Nulla\n");
    sb.mmt(["grep", "lorem.txt", r"(\w+) (feugiat)", "--group", "2"])
        .assert()
        .stdout("feugiat\n");
    sb.mmt(["grep", "lorem.txt", r"(\w+) (feugiat)", "--group", "0"])
        .assert()
        .stdout("Nulla feugiat\n");
}

#[test]
fn a_group_that_did_not_take_part_prints_nothing() {
    let sb = Sandbox::new();
    sb.write("f", b"a1 b c2");
    sb.mmt(["grep", "f", r"[a-z](\d)?", "--group", "1"])
        .assert()
        .success()
        .stdout("1\n2\n");
}

#[test]
fn missing_groups_and_bad_patterns_are_errors() {
    let sb = Sandbox::with_fixtures();
    let out = sb
        .mmt(["grep", "lorem.txt", "(a)", "--group", "2"])
        .output()
        .unwrap();
    assert_error(
        &out,
        "lorem.txt: --group 2: the pattern has no group 2 (it has 1 group)",
    );
    let out = sb
        .mmt(["grep", "lorem.txt", "(a)", "--group", "-1"])
        .output()
        .unwrap();
    assert_error(&out, "--group -1: the pattern has no group named -1");
    let out = sb
        .mmt(["grep", "lorem.txt", "(a)", "--group", "name"])
        .output()
        .unwrap();
    assert_error(&out, "no group named name");
    let out = sb.mmt(["grep", "lorem.txt", "(unclosed"]).output().unwrap();
    assert_error(
        &out,
        "lorem.txt: invalid pattern: missing ), unterminated subpattern at position 0",
    );
    let out = sb
        .mmt(["grep", "lorem.txt", r"\w{1000}{1000}{1000}"])
        .output()
        .unwrap();
    assert_error(&out, "invalid pattern: multiple repeat at position 8");
    // Within Python's grammar but past the engine's size limit: the regex crate's reason.
    let out = sb
        .mmt(["grep", "lorem.txt", r"(?:\w{1000}){1000}"])
        .output()
        .unwrap();
    assert_error(&out, "invalid pattern: Compiled regex exceeds size limit");
}

#[test]
fn count_and_max_count() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["grep", "lorem.txt", r"\bVivamus\b", "--count"])
        .assert()
        .stdout("3\n");
    sb.mmt([
        "grep",
        "lorem.txt",
        r"\bVivamus\b",
        "--max-count",
        "2",
        "-b",
    ])
    .assert()
    .stdout("264:Vivamus\n562:Vivamus\n");
    sb.mmt([
        "grep",
        "lorem.txt",
        r"\bVivamus\b",
        "--max-count",
        "2",
        "--count",
    ])
    .assert()
    .stdout("2\n");
}

#[test]
fn empty_matches_follow_python() {
    let sb = Sandbox::new();
    sb.write("f", b"ab cd");
    // [m.span() for m in re.finditer(rb'\w*', b'ab cd')] == [(0,2),(2,2),(3,5),(5,5)]
    sb.mmt(["grep", "f", r"\w*", "-b", "--format", "repr"])
        .assert()
        .stdout("0:b'ab'\n2:b''\n3:b'cd'\n5:b''\n");
}

#[test]
fn empty_file_and_stdin() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["grep", "empty.bin", "x"])
        .assert()
        .code(1)
        .stdout("");
    sb.mmt(["grep", "empty.bin", "x*", "--count"])
        .assert()
        .success()
        .stdout("1\n");
    sb.mmt(["grep", "-", r"\d+"])
        .write_stdin("a12b345")
        .assert()
        .success()
        .stdout("12\n345\n");
}

#[test]
fn json_has_the_match_its_offsets_and_every_group() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["--json", "grep", "lorem.txt", r"(?P<w>\w+) (feugiat)|(xyz)"])
        .assert()
        .stdout(concat!(
            r#"{"offset":526,"end":539,"match":{"text":"Nulla feugiat"},"groups":["#,
            r#"{"offset":526,"end":531,"data":{"text":"Nulla"},"name":"w"},"#,
            r#"{"offset":532,"end":539,"data":{"text":"feugiat"},"name":null},null]}"#,
            "\n"
        ));
}

/// Found by the differential test against Python (`grep_python`): for a repeated group that can
/// match empty, Python's backtracker takes one more, empty, turn and reports group 1 as (2, 2);
/// the regex crate reports the last non-empty turn. The README lists this difference; this test
/// pins mmt's side of it so that a change is noticed.
#[test]
fn regression_repeated_group_that_can_match_empty() {
    let sb = Sandbox::new();
    sb.write("aa", b"aa");
    sb.mmt(["grep", "aa", "a(a*)+", "--group", "1", "-b"])
        .assert()
        .success()
        .stdout("1:a\n");
}

/// A documented difference from Python: `$` without `--multi-line` is the very end only; Python
/// also matches just before a final newline (`re.findall(rb'a$', b'a\n')` finds one).
#[test]
fn dollar_matches_only_at_the_very_end() {
    let sb = Sandbox::new();
    sb.write("f", b"a\n");
    sb.mmt(["grep", "f", "a$"]).assert().code(1);
    sb.mmt(["grep", "f", "a$", "--multi-line", "-b"])
        .assert()
        .success()
        .stdout("0:a\n");
    sb.mmt(["grep", "f", r"a\n$", "-b"])
        .assert()
        .success()
        .stdout("0:a\n\n");
    // The backtracking engine reads `$` as Python does: just before a final newline too.
    sb.mmt(["grep", "f", "a$", "-P", "-b"])
        .assert()
        .success()
        .stdout("0:a\n");
}

/// A documented difference from Python: after an empty match Python retries the same place for
/// a non-empty match (`|a` on `a`: (0,0), (0,1), (1,1)); mmt moves on a byte.
#[test]
fn after_an_empty_match_mmt_moves_on_a_byte() {
    let sb = Sandbox::new();
    sb.write("f", b"a");
    sb.mmt(["grep", "f", "|a", "-b"])
        .assert()
        .success()
        .stdout("0:\n1:\n");
}

/// A 17 MiB file is grepped on several threads: cut where the pieces overlap by the longest
/// match (`ab|c{3}`), at line ends when no match holds a newline (`\w+`), or anywhere, with the
/// searches looking past the cut, for a pattern whose matches may cross lines (`a\s+b`, `z+\nalpha`,
/// whose matches cover most of the file, so that cuts fall inside them; one that never matches).
/// Counts, listings, groups, JSON and `--max-count` are those of one thread.
#[test]
fn a_large_file_grepped_on_every_core_gives_one_thread_s_answers() {
    let sb = Sandbox::new();
    let filler = format!("{}\n", "z".repeat(200));
    let line = format!("alpha beta cc ab ccc gamma_delta\nab\n\ncccc a b\n{filler}");
    let text = line.repeat((17 << 20) / line.len() + 1);
    sb.write("big.txt", text.as_bytes());
    let runs: &[&[&str]] = &[
        &["--count", "big.txt", "ab|c{3}"],
        &["--count", "big.txt", r"\w+"],
        &["--count", "big.txt", r"a\s+b"],
        &["--count", "big.txt", r"z+\nalpha"],
        &["-b", "big.txt", r"(?s)c{4}.*?z\n"],
        &["--count", "big.txt", r"ab\s+never"],
        &["--count", "big.txt", r"(?m)^$"],
        &["big.txt", r"(\w)(\w*a)", "--group", "2"],
        &["-b", "big.txt", "c{3}"],
        &["big.txt", r"\w+", "--max-count", "5"],
        &["big.txt", r"\w+", "--max-count", "0"],
    ];
    for run in runs {
        let out = |threads: &str| {
            let mut args = vec!["-j", threads, "grep"];
            args.extend_from_slice(run);
            sb.mmt(args).output().unwrap()
        };
        let one = out("1");
        let two = out("2");
        assert_eq!(one.status.code(), two.status.code(), "{run:?}");
        assert!(one.stdout == two.stdout, "{run:?}");
    }
    let json = |threads: &str| {
        sb.mmt([
            "-j",
            threads,
            "--json",
            "grep",
            "big.txt",
            r"g(a)mm(?P<end>a)",
        ])
        .output()
        .unwrap()
        .stdout
    };
    assert!(json("1") == json("2"));
    let count = super::util::stdout_of(&mut sb.mmt(["grep", "--count", "big.txt", "ab|c{3}"]));
    let expected = text.matches("ab").count() + text.matches("ccc").count();
    assert_eq!(count, format!("{expected}\n"));
}

/// `--heading` heads records only: counts, `--vimgrep` and file lists keep the name on each
/// line, as rg prints them.
#[test]
fn heading_leaves_counts_vimgrep_and_lists_alone() {
    let sb = Sandbox::new();
    sb.write("f", b"cat\n");
    sb.write("g", b"cat cat\n");
    let grep = |flag: &str| {
        let out = sb
            .mmt(["-j1", "grep", "--heading", flag, "f", "g", "cat"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(grep("--count"), "f:1\ng:2\n");
    assert_eq!(grep("-c"), "f:1\ng:1\n");
    assert_eq!(
        grep("--vimgrep"),
        "f:1:1:cat\ng:1:1:cat cat\ng:1:5:cat cat\n"
    );
    assert_eq!(grep("-l"), "f\ng\n");
    // Records are headed: the name on a line of its own, files a blank line apart.
    assert_eq!(grep("-n"), "f\n1:cat\n\ng\n1:cat cat\n");
}

/// `-v -l`: the files with a line no match touches, as rg lists them; with
/// `--files-without-match`, the others.
#[test]
fn inverted_lists_name_the_files_with_a_line_without_a_match() {
    let sb = Sandbox::new();
    sb.write("all", b"cat\ncat\n");
    sb.write("some", b"cat\ndog\n");
    let grep = |flag: &str| {
        let out = sb
            .mmt(["-j1", "grep", "-v", flag, "all", "some", "cat"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(grep("-l"), "some\n");
    assert_eq!(grep("--files-without-match"), "all\n");
}

/// `--json -n -o`: each match's record carries its line, with groups or without.
#[test]
fn json_records_with_line_numbers_carry_the_line() {
    let sb = Sandbox::new();
    sb.write("f", b"x\ncat\n");
    let json = |pattern: &str| {
        let out = sb
            .mmt(["--json", "grep", "-n", "-o", "f", pattern])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(
        json("cat"),
        "{\"offset\":2,\"end\":5,\"match\":{\"text\":\"cat\"},\"groups\":[],\"line\":2}\n"
    );
    assert!(
        json("(c)at").ends_with(",\"line\":2}\n"),
        "{}",
        json("(c)at")
    );
}

/// `--stats` counts the files with a match apart from the files searched.
#[test]
fn stats_count_files_with_matches_apart_from_files_searched() {
    let sb = Sandbox::new();
    sb.write("f", b"cat\n");
    sb.write("g", b"dog\n");
    let out = sb
        .mmt(["-j1", "grep", "--stats", "f", "g", "cat"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains(
            "\n1 matches\n1 files contained matches\n2 files searched\n8 bytes searched\n"
        ),
        "{text}"
    );
}

/// The flags that shape text records are refused beside `--json`, not ignored.
#[test]
fn text_record_flags_are_refused_beside_json() {
    let sb = Sandbox::new();
    sb.write("f", b"cat\n");
    for flag in ["-b", "--fold", "--group=0"] {
        let out = sb
            .mmt(["--json", "grep", flag, "f", "cat"])
            .output()
            .unwrap();
        assert_error(&out, "shapes text records, and --json prints every match");
    }
}

/// With context on either side alone, the groups of two files are `--` apart, as rg prints
/// them; without context, they are not.
#[test]
fn context_on_either_side_separates_the_files_groups() {
    let sb = Sandbox::new();
    sb.write("f", b"cat\nx\n");
    sb.write("g", b"cat\ny\n");
    let grep = |args: &[&str]| {
        let mut all = vec!["-j1", "grep", "--no-heading", "-n"];
        all.extend_from_slice(args);
        all.extend_from_slice(&["f", "g", "cat"]);
        super::util::stdout_of(&mut sb.mmt(&all))
    };
    assert_eq!(grep(&["-A1"]), "f:1:cat\nf-2-x\n--\ng:1:cat\ng-2-y\n");
    assert_eq!(grep(&["-B1"]), "f:1:cat\n--\ng:1:cat\n");
    assert_eq!(grep(&[]), "f:1:cat\ng:1:cat\n");
    // The same with -v, whose lines are those without a match.
    assert_eq!(grep(&["-v", "-B1"]), "f-1-cat\nf:2:x\n--\ng-1-cat\ng:2:y\n");
    assert_eq!(grep(&["-v", "-A1"]), "f:2:x\n--\ng:2:y\n");
    assert_eq!(grep(&["-v"]), "f:2:x\ng:2:y\n");
    // Lines asked for and none found: exit 1, as for records; so too for -v when every line
    // has a match, and for --vimgrep.
    sb.write("cats", b"cat\ncat\n");
    let none: [&[&str]; 3] = [
        &["-n", "f", "dog"],
        &["-v", "-n", "cats", "cat"],
        &["--vimgrep", "f", "dog"],
    ];
    for args in none {
        let out = sb.mmt([&["grep"][..], args].concat()).output().unwrap();
        let got = (out.status.code(), out.stdout.len());
        assert_eq!(got, (Some(1), 0), "{args:?}: {out:?}");
    }
}

/// A binary file with `-v`: one note when a line has no match, nothing (exit 1) when every
/// line has one.
#[test]
fn an_inverted_search_of_a_binary_file_notes_only_a_line_without_a_match() {
    let sb = Sandbox::new();
    sb.write("all", b"cat\0\ncat\n");
    sb.write("some", b"cat\0\ndog\n");
    let out = sb.mmt(["grep", "-v", "-n", "all", "cat"]).output().unwrap();
    assert_eq!(
        (out.status.code(), out.stdout.len()),
        (Some(1), 0),
        "{out:?}"
    );
    let out = sb
        .mmt(["grep", "-v", "-n", "some", "cat"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "binary file matches (found \"\\0\" byte around offset 3)\n"
    );
}

/// In a group of lines, each line is given the matches on it alone: its `--column` is its own
/// first match's, and its JSON lists its own (a match across the newline on both lines, the
/// one after it on the second alone).
#[test]
fn each_line_of_a_group_has_its_own_matches() {
    let sb = Sandbox::new();
    sb.write("t", b"ab\nxxb\n");
    let column = super::util::stdout_of(&mut sb.mmt(["grep", "-n", "--column", "-C1", "t", "b"]));
    assert_eq!(column, "1:2:ab\n2:3:xxb\n");
    let json = super::util::stdout_of(&mut sb.mmt(["--json", "grep", "-n", "t", r"b\nx|b"]));
    assert_eq!(
        json,
        concat!(
            r#"{"type":"match","line":1,"offset":0,"text":{"text":"ab\n"},"matches":[{"offset":1,"end":4}]}"#,
            "\n",
            r#"{"type":"match","line":2,"offset":3,"text":{"text":"xxb\n"},"matches":[{"offset":1,"end":4},{"offset":5,"end":6}]}"#,
            "\n"
        )
    );
}
