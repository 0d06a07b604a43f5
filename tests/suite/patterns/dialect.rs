//! Python's dialect to the letter: templates that would silently delete text, flags
//! that would be ignored, patterns the regex crate reads differently from Python, and the count
//! and record semantics of `bytes.count` and `readline()`.

use super::util::{Sandbox, assert_error, stdout_of};

/// Asserts that a refused run left `name` exactly as it was, mtime included, and no stray file.
fn assert_untouched(sb: &Sandbox, name: &str, before: &[u8]) {
    assert_eq!(sb.read(name), before, "{name} changed");
    assert_eq!(
        sb.mtime(name),
        std::time::SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1_000_000_000)
    );
}

fn aged_lorem() -> (Sandbox, Vec<u8>) {
    let sb = Sandbox::with_fixtures();
    sb.age("lorem.txt");
    let before = sb.read("lorem.txt");
    (sb, before)
}

#[test]
fn a_template_naming_a_missing_group_is_refused_with_the_fix() {
    let (sb, before) = aged_lorem();
    let out = sb
        .mmt(["replace", "lorem.txt", "(cons)ectetuer", "$1X", "--regex"])
        .output()
        .unwrap();
    assert_error(&out, "group named \"1X\"");
    assert_error(&out, "write ${1}X");
    let out = sb
        .mmt(["replace", "lorem.txt", r"(\w)(\d)", "$2$3", "--regex"])
        .output()
        .unwrap();
    assert_error(
        &out,
        "lorem.txt: NEW refers to group 3, but the pattern has 2 groups",
    );
    let out = sb
        .mmt(["replace", "lorem.txt", "(?P<w>Lorem)", "${word}", "--regex"])
        .output()
        .unwrap();
    assert_error(&out, "group named \"word\"");
    let out = sb
        .mmt(["replace", "lorem.txt", "Lorem", "${1", "--regex"])
        .output()
        .unwrap();
    assert_error(&out, "without its closing }");
    assert_untouched(&sb, "lorem.txt", &before);
    assert_eq!(
        sb.listing(),
        ["binary.bin", "crlf.txt", "empty.bin", "lorem.txt"]
    );
}

#[test]
fn the_braced_template_does_what_was_meant() {
    let sb = Sandbox::with_fixtures();
    sb.mmt([
        "replace",
        "lorem.txt",
        "(cons)ectetuer",
        "${1}X",
        "--regex",
        "--max",
        "1",
    ])
    .assert()
    .success();
    assert!(
        sb.read("lorem.txt")
            .starts_with(b"Lorem ipsum dolor sit amet, consX adipiscing")
    );
    sb.mmt(["replace", "lorem.txt", "(?P<w>Lorem)", "$$${w}$", "--regex"])
        .assert()
        .success();
    assert!(sb.read("lorem.txt").starts_with(b"$Lorem$ ipsum"));
}

#[test]
fn pattern_flags_without_regex_are_refused() {
    let (sb, before) = aged_lorem();
    for flag in ["-i", "--dot-all", "--multi-line", "--extended", "--unicode"] {
        let out = sb
            .mmt(["replace", "lorem.txt", "lorem", "X", flag])
            .output()
            .unwrap();
        assert_error(&out, "add --regex to read OLD as a pattern");
        assert_error(&out, flag.trim_start_matches('-'));
    }
    assert_untouched(&sb, "lorem.txt", &before);
    // With --regex, -i is a pattern flag like grep's.
    sb.mmt(["replace", "lorem.txt", "lorem", "X", "-i", "--regex"])
        .assert()
        .success()
        .stderr("lorem.txt: 1 replacement\n");
}

#[test]
fn a_backup_suffix_must_name_another_file() {
    let (sb, before) = aged_lorem();
    for suffix in ["", "/tmp/x", "../x"] {
        let out = sb
            .mmt(["replace", "lorem.txt", "Lorem", "LOREM", "--backup", suffix])
            .output()
            .unwrap();
        assert_error(&out, "--backup");
        let out = sb
            .mmt(["replace", "lorem.txt", "Lorem", "L", "--backup", suffix])
            .output()
            .unwrap();
        assert_error(&out, "--backup");
    }
    assert_untouched(&sb, "lorem.txt", &before);
    assert_eq!(
        sb.listing(),
        ["binary.bin", "crlf.txt", "empty.bin", "lorem.txt"]
    );
}

#[test]
fn possessive_quantifiers_run_on_the_backtracking_engine_and_stacked_repeats_are_refused() {
    let sb = Sandbox::new();
    sb.write("f", b"eeee");
    // Python: re.finditer(rb'e*+e', b'eeee') finds nothing: the possessive e* keeps every e.
    sb.mmt(["grep", "f", "e*+e"]).assert().code(1).stdout("");
    sb.mmt(["grep", "f", "e++", "-b"])
        .assert()
        .success()
        .stdout("0:eeee\n");
    for pattern in ["e*+e", "a?+", "a{1}+", "a++"] {
        let out = sb
            .mmt(["grep", "f", pattern, "--engine", "linear"])
            .output()
            .unwrap();
        assert_error(&out, "possessive quantifiers");
        assert_error(&out, "need the backtracking engine");
    }
    let out = sb.mmt(["grep", "f", "a**"]).output().unwrap();
    assert_error(&out, "invalid pattern: multiple repeat at position 2");
    let out = sb.mmt(["grep", "f", "^*"]).output().unwrap();
    assert_error(&out, "invalid pattern: nothing to repeat at position 1");
    let out = sb.mmt(["grep", "f", "a{1,2}{3}"]).output().unwrap();
    assert_error(&out, "multiple repeat");
    sb.mmt(["replace", "f", "e*+e", "x", "--regex"])
        .assert()
        .code(1);
    assert_eq!(sb.read("f"), b"eeee");
    sb.mmt(["replace", "f", "e++", "x", "--regex"])
        .assert()
        .success();
    assert_eq!(sb.read("f"), b"x");
}

#[test]
fn escapes_python_rejects_in_bytes_patterns_are_refused() {
    let sb = Sandbox::new();
    sb.write("f", "abc é".as_bytes());
    let out = sb.mmt(["grep", "f", r"\u0061"]).output().unwrap();
    assert_error(&out, r"invalid pattern: bad escape \u at position 0");
    let out = sb.mmt(["grep", "f", "(?u)a"]).output().unwrap();
    assert_error(&out, "cannot use 'u' flag with a bytes pattern");
    let out = sb.mmt(["grep", "f", r"\z"]).output().unwrap();
    assert_error(&out, r"bad escape \z at position 0");
    // A str pattern (--unicode) has them, as Python's str patterns do.
    sb.mmt(["grep", "f", r"\u0061", "--unicode", "-b"])
        .assert()
        .success()
        .stdout("0:a\n");
    sb.mmt(["grep", "f", r"(?u)\u00e9", "--unicode", "-b"])
        .assert()
        .success()
        .stdout("4:é\n");
}

#[test]
fn non_boundary_does_not_match_an_empty_file() {
    let sb = Sandbox::with_fixtures();
    sb.age("empty.bin");
    sb.mmt(["grep", "empty.bin", r"\B"])
        .assert()
        .code(1)
        .stdout("");
    sb.mmt(["grep", "empty.bin", r"\B", "--count"])
        .assert()
        .code(1)
        .stdout("0\n");
    sb.mmt(["replace", "empty.bin", r"\B", "X", "--regex"])
        .assert()
        .code(1);
    assert_untouched(&sb, "empty.bin", b"");
    // Elsewhere it is the opposite of \b, as in Python.
    sb.write("ab", b"ab c");
    sb.mmt(["grep", "ab", r"\B", "-b"])
        .assert()
        .success()
        .stdout("1:\n");
}

#[test]
fn python_constructs_with_an_exact_equivalent_work_as_python_reads_them() {
    let sb = Sandbox::new();
    sb.write("f", b"x{} { a\x08b end");
    let cases: &[(&str, &str)] = &[
        (r"end\Z", "10:end\n"),
        ("(?#a comment)a", "6:a\n"),
        (r"[\b]", "7:\x08\n"),
        ("(?a)a", "6:a\n"),
        ("(?a:a)", "6:a\n"),
        ("x{}", "0:x{}\n"),
        ("{ ", "4:{ \n"),
        ("b{,1}e", "10:e\n"),
        (r"\101|\0", ""),
        ("(?i)A(?-i:\\x08)", "6:a\x08\n"),
        ("(?x) a \\x08 # a comment", "6:a\x08\n"),
    ];
    for (pattern, expected) in cases {
        let out = sb.mmt(["grep", "f", pattern, "-b"]).output().unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert_eq!(stdout, *expected, "pattern {pattern:?}: {out:?}");
    }
}

#[test]
fn constructs_that_need_backtracking_run_on_pcre2_and_linear_refuses_them_by_name() {
    let sb = Sandbox::new();
    sb.write("f", b"aa");
    // Each as Python's re.finditer(pattern, b'aa') finds it.
    let cases = [
        ("(?>a)", "atomic groups", "0:a\n1:a\n"),
        ("(a)?(?(1)a|b)", "conditional groups", "0:aa\n"),
        ("(?P<x>a)(?P=x)", "backreferences ((?P=x))", "0:aa\n"),
        (r"(a)\1", r"backreferences (\1)", "0:aa\n"),
        ("a(?=a)", "look-ahead", "0:a\n"),
        ("(?<!a)a", "look-behind", "0:a\n"),
    ];
    for (pattern, named, found) in cases {
        sb.mmt(["grep", "f", pattern, "-b"])
            .assert()
            .success()
            .stdout(found);
        sb.mmt(["grep", "f", pattern, "-b", "-P"])
            .assert()
            .success()
            .stdout(found);
        let out = sb
            .mmt(["grep", "f", pattern, "--engine", "linear"])
            .output()
            .unwrap();
        assert_error(&out, named);
        assert_error(&out, "need the backtracking engine");
        assert!(!String::from_utf8_lossy(&out.stderr).contains("unrecognized flag"));
    }
    // Python's own errors where Python has one, on either engine.
    for engine in ["auto", "backtrack"] {
        let out = sb
            .mmt(["grep", "f", "(?P=x)", "--engine", engine])
            .output()
            .unwrap();
        assert_error(&out, "unknown group name 'x'");
        let out = sb
            .mmt(["grep", "f", r"\2", "--engine", engine])
            .output()
            .unwrap();
        assert_error(&out, "invalid group reference 2");
        let out = sb
            .mmt(["grep", "f", "(?<=a|bc)x", "--engine", engine])
            .output()
            .unwrap();
        assert_error(&out, "look-behind requires fixed-width pattern");
        // A backreference to a closed group of one width is of that width (Python accepts it).
        sb.mmt(["grep", "f", "(a)(?<=\\1)", "-b", "--engine", engine])
            .assert()
            .success()
            .stdout("0:a\n1:a\n");
        let out = sb
            .mmt(["grep", "f", "(a+)(?<=\\1)", "--engine", engine])
            .output()
            .unwrap();
        assert_error(&out, "look-behind requires fixed-width pattern");
        let out = sb
            .mmt(["grep", "f", "(a(?<=\\1))", "--engine", engine])
            .output()
            .unwrap();
        assert_error(&out, "cannot refer to an open group");
    }
}

#[test]
fn count_and_all_follow_bytes_count_and_first_follows_mmap_find() {
    let sb = Sandbox::new();
    sb.write("f", b"aaa");
    // b"aaa".count(b"", 10) == 0; b"aaa".count(b"", 3) == 1; mmap.find(b"", 10) == 3.
    sb.mmt(["find", "f", "", "--count", "--start", "10"])
        .assert()
        .code(1)
        .stdout("0\n");
    sb.mmt(["find", "f", "", "--all", "--start", "10"])
        .assert()
        .code(1)
        .stdout("");
    sb.mmt(["find", "f", "", "--count", "--start", "3"])
        .assert()
        .success()
        .stdout("1\n");
    sb.mmt(["find", "f", "", "--all", "--start", "-10"])
        .assert()
        .success()
        .stdout("0\n1\n2\n3\n");
    sb.mmt(["find", "f", "", "--start", "10"])
        .assert()
        .success()
        .stdout("3\n");
    sb.mmt(["find", "f", "a", "--count", "--start", "2", "--end", "1"])
        .assert()
        .code(1)
        .stdout("0\n");
}

#[test]
fn a_negative_cap_is_no_cap() {
    let sb = Sandbox::with_fixtures();
    sb.mmt([
        "grep",
        "lorem.txt",
        r"\bVivamus\b",
        "--max-count",
        "-1",
        "--count",
    ])
    .assert()
    .success()
    .stdout("3\n");
    sb.mmt(["replace", "lorem.txt", "Vivamus", "VIVAMUS", "--max", "-5"])
        .assert()
        .success()
        .stderr("lorem.txt: 3 replacements\n");
}

#[test]
fn json_and_repr_show_the_same_records() {
    let sb = Sandbox::new();
    sb.write("two", b"one\ntwo\n");
    let repr = stdout_of(&mut sb.mmt(["read", "two", "--lines", "3", "--format", "repr"]));
    assert_eq!(repr, "b'one\\n'\nb'two\\n'\nb''\n");
    let json = stdout_of(&mut sb.mmt(["--json", "read", "two", "--lines", "3"]));
    let lines: Vec<&str> = json.lines().collect();
    assert_eq!(lines.len(), 3, "{json}");
    assert_eq!(lines[2], r#"{"offset":8,"length":0,"data":{"text":""}}"#);
    // Raw bytes show nothing for an empty record, and a huge count does not loop over them.
    sb.mmt(["read", "two", "--lines", "18446744073709551615"])
        .assert()
        .success()
        .stdout("one\ntwo\n");
}

#[test]
fn flags_that_would_be_ignored_are_refused() {
    let sb = Sandbox::with_fixtures();
    let refused: &[(&[&str], &str)] = &[
        (
            &["--json", "read", "lorem.txt", "--format", "hex"],
            "--format hex and --json",
        ),
        (
            &["--json", "slice", "lorem.txt", ":3", "--format", "repr"],
            "--format repr and --json",
        ),
        (
            &["--json", "grep", "lorem.txt", "a", "--format", "raw"],
            "--format raw and --json",
        ),
        (
            &["--json", "grep", "lorem.txt", "(a)", "--group", "1"],
            "--group shapes text records",
        ),
        (
            &["--json", "grep", "lorem.txt", "a", "-b"],
            "-b/--byte-offset shapes text records",
        ),
        (
            &["--json", "grep", "lorem.txt", "a", "--fold"],
            "--fold shapes text records",
        ),
        (
            &["grep", "lorem.txt", "(a)", "--count", "--group", "1"],
            "--count prints a number, and --group shapes",
        ),
        (
            &["grep", "lorem.txt", "a", "--count", "-b"],
            "--count prints a number, and -b/--byte-offset",
        ),
        (
            &["grep", "lorem.txt", "a", "--count", "--fold"],
            "--count prints a number, and --fold",
        ),
        (
            &["grep", "lorem.txt", "a", "--count", "--format", "repr"],
            "--count prints a number, and --format",
        ),
        (
            &["find", "lorem.txt", "a", "--overlapping"],
            "--overlapping changes what --all lists",
        ),
        (
            &["find", "lorem.txt", "a", "--last", "--overlapping"],
            "add one of them",
        ),
    ];
    for (args, message) in refused {
        let out = sb.mmt(*args).output().unwrap();
        assert_error(&out, message);
    }
}
