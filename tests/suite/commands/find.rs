//! `mmt find`: offsets of a literal, as m.find / m.rfind / bytes.count.

use std::fs;

use super::util::{Sandbox, assert_error};

#[test]
fn first_last_all_and_count() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["find", "lorem.txt", "consectetuer"])
        .assert()
        .success()
        .stdout("28\n");
    sb.mmt(["find", "lorem.txt", "consectetuer", "--last"])
        .assert()
        .success()
        .stdout("81\n");
    sb.mmt(["find", "lorem.txt", "consectetuer", "--all"])
        .assert()
        .success()
        .stdout("28\n81\n");
    sb.mmt(["find", "lorem.txt", "consectetuer", "--count"])
        .assert()
        .success()
        .stdout("2\n");
}

#[test]
fn start_and_end_bound_the_search_like_python() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["find", "lorem.txt", "consectetuer", "--start", "29"])
        .assert()
        .stdout("81\n");
    sb.mmt(["find", "lorem.txt", "consectetuer", "--end", "40"])
        .assert()
        .stdout("28\n");
    sb.mmt(["find", "lorem.txt", "consectetuer", "--end", "39"])
        .assert()
        .code(1)
        .stdout("");
    sb.mmt(["find", "lorem.txt", "justo", "--start", "-10"])
        .assert()
        .stdout("730\n");
    sb.mmt(["find", "lorem.txt", "Lorem", "--last", "--end", "-700"])
        .assert()
        .stdout("0\n");
}

#[test]
fn overlapping_occurrences() {
    let sb = Sandbox::new();
    sb.write("a", b"aaaaa");
    sb.mmt(["find", "a", "aa", "--all"])
        .assert()
        .stdout("0\n2\n");
    sb.mmt(["find", "a", "aa", "--all", "--overlapping"])
        .assert()
        .stdout("0\n1\n2\n3\n");
    sb.mmt(["find", "a", "aa", "--count"])
        .assert()
        .stdout("2\n");
    sb.mmt(["find", "a", "aa", "--count", "--overlapping"])
        .assert()
        .stdout("4\n");
}

#[test]
fn not_found_is_exit_1() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["find", "lorem.txt", "absent"])
        .assert()
        .code(1)
        .stdout("");
    sb.mmt(["find", "lorem.txt", "absent", "--count"])
        .assert()
        .code(1)
        .stdout("0\n");
    sb.mmt(["find", "empty.bin", "x", "--all"])
        .assert()
        .code(1)
        .stdout("");
}

#[test]
fn an_empty_needle_is_found_everywhere_as_in_python() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["find", "empty.bin", ""])
        .assert()
        .success()
        .stdout("0\n");
    sb.mmt(["find", "lorem.txt", "", "--count"])
        .assert()
        .success()
        .stdout("738\n");
    sb.mmt(["find", "lorem.txt", "", "--last"])
        .assert()
        .success()
        .stdout("737\n");
}

#[test]
fn hex_and_escaped_needles() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["find", "binary.bin", "4d:41:47:49:43", "--hex"])
        .assert()
        .stdout("260\n");
    sb.mmt(["find", "binary.bin", "ff 00 ff", "--hex", "--all"])
        .assert()
        .stdout("255\n");
    sb.mmt([
        "find",
        "binary.bin",
        "ff00ff",
        "--hex",
        "--all",
        "--overlapping",
    ])
    .assert()
    .stdout("255\n257\n");
    sb.mmt(["find", "binary.bin", r"\x00\xffMAGIC", "--escapes"])
        .assert()
        .stdout("258\n");
    sb.mmt(["find", "crlf.txt", r"\r\n", "--escapes", "--count"])
        .assert()
        .stdout("3\n");
}

#[test]
fn needles_that_look_like_flags() {
    let sb = Sandbox::new();
    sb.write("dash", b"a -x b --y c -5");
    // `-` and a letter is a flag, as the guide has it: an unknown one is said to be unknown,
    // with the way to mean the value (it used to be taken as a value, so that `grep TREE PAT
    // -l` looked for `-l` in a file named PAT).
    let out = sb.mmt(["find", "dash", "-x"]).output().unwrap();
    assert_error(&out, "unexpected argument '-x' found");
    assert!(String::from_utf8_lossy(&out.stderr).contains("use '-- -x'"));
    sb.mmt(["find", "dash", "--", "-x"])
        .assert()
        .success()
        .stdout("2\n");
    let out = sb.mmt(["grep", "dash", "x", "-Z"]).output().unwrap();
    assert_error(&out, "unexpected argument '-Z' found");
    // `-l` after the pattern is grep's own flag now (it used to make the pattern a PATH).
    sb.mmt(["grep", "dash", "x", "-l"])
        .assert()
        .success()
        .stdout("dash\n");
    sb.mmt(["find", "dash", "-5"])
        .assert()
        .success()
        .stdout("13\n");
    sb.mmt(["find", "dash", "--", "--y"])
        .assert()
        .success()
        .stdout("7\n");
}

#[test]
fn json_offsets_and_count() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["find", "lorem.txt", "consectetuer", "--all", "--json"])
        .assert()
        .stdout("{\"offset\":28}\n{\"offset\":81}\n");
    sb.mmt(["--json", "find", "lorem.txt", "consectetuer", "--count"])
        .assert()
        .stdout("{\"count\":2}\n");
}

#[test]
fn bad_needles_and_bounds_are_errors() {
    let sb = Sandbox::with_fixtures();
    let out = sb
        .mmt(["find", "lorem.txt", "abc", "--hex"])
        .output()
        .unwrap();
    assert_error(
        &out,
        "lorem.txt: invalid NEEDLE 'abc': odd number of hex digits",
    );
    let out = sb
        .mmt(["find", "lorem.txt", r"\q", "--escapes"])
        .output()
        .unwrap();
    assert_error(&out, "unknown escape \\q");
    let out = sb
        .mmt(["find", "lorem.txt", "a", "--start", "x"])
        .output()
        .unwrap();
    assert_error(&out, "invalid --start 'x'");
    let out = sb
        .mmt(["find", "lorem.txt", "a", "--last", "--all"])
        .output()
        .unwrap();
    assert_error(&out, "cannot be used with");
}

/// A file of 20 MiB is searched on several threads in pieces of 8 MiB. Runs of `a` cross each
/// cut at different phases, so "aaa" straddles the cuts and each piece's own scan is wrong
/// until stitched: the count, the list, the first and the last must be those of one scan.
#[test]
fn a_large_file_searched_on_every_core_gives_one_scan_s_answers() {
    let sb = Sandbox::new();
    let n: usize = 20 << 20;
    let mut data = vec![b'-'; n];
    for (i, cut) in [8usize << 20, 16 << 20].into_iter().enumerate() {
        data[cut - 50 - i..cut + 50].fill(b'a');
    }
    data[100..110].fill(b'a');
    data[n - 10..].fill(b'a');
    sb.write("a.bin", &data);
    // `bytes.count` and its offsets, plainly.
    let mut offsets = Vec::new();
    let mut at = 0;
    while at + 3 <= n {
        if &data[at..at + 3] == b"aaa" {
            offsets.push(at);
            at += 3;
        } else {
            at += 1;
        }
    }
    let overlapping = data.windows(3).filter(|w| w == b"aaa").count();
    let listing: String = offsets.iter().map(|o| format!("{o}\n")).collect();
    for threads in ["1", "2", "3"] {
        let find = |args: &[&str]| {
            let mut all = vec!["-j", threads, "find"];
            all.extend_from_slice(args);
            all.push("a.bin");
            all.push("aaa");
            super::util::stdout_of(&mut sb.mmt(all))
        };
        assert_eq!(find(&["--count"]), format!("{}\n", offsets.len()));
        assert_eq!(
            find(&["--count", "--overlapping"]),
            format!("{overlapping}\n")
        );
        assert_eq!(find(&["--all"]), listing, "{threads} threads");
        assert_eq!(find(&[]), "100\n");
        assert_eq!(find(&["--last"]), format!("{}\n", n - 3));
    }
}

/// A NEEDLE that names a file too is searched as typed, with a note that shows the other
/// reading; spelled as a byte string (`--escapes`, `--hex`) it is plainly bytes, and no note.
#[test]
fn a_needle_that_names_a_file_is_noted_unless_it_is_spelled_as_bytes() {
    let sb = Sandbox::with_fixtures();
    let out = sb.mmt(["find", "lorem.txt", "crlf.txt"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(
        said.contains("note: the NEEDLE crlf.txt names a file too")
            && said.contains("mmt find crlf.txt lorem.txt"),
        "{said}"
    );
    for spelled in [&["--escapes", "crlf.txt"][..], &["--hex", "6372"][..]] {
        sb.write("6372", b"");
        let mut args = vec!["find", "lorem.txt"];
        args.extend_from_slice(spelled);
        let out = sb.mmt(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{spelled:?}: {out:?}");
        assert!(out.stderr.is_empty(), "{spelled:?}: {out:?}");
    }
}

/// `find -n -w`: whole words only, as `rg -F -n -w` prints them.
#[test]
fn find_with_lines_keeps_whole_words_only() {
    let sb = Sandbox::new();
    sb.write("f", b"concat\ncat here\nconcatenate\n");
    let lines = |args: &[&str]| super::util::stdout_of(&mut sb.mmt(args));
    assert_eq!(lines(&["find", "-n", "-w", "f", "cat"]), "2:cat here\n");
    assert_eq!(
        lines(&["find", "-n", "f", "cat"]),
        "1:concat\n2:cat here\n3:concatenate\n"
    );
    // The walk's options reach the lines too: a glob keeps to its files.
    fs::create_dir(sb.path("d")).unwrap();
    sb.write("d/a.txt", b"cat\n");
    sb.write("d/b.md", b"cat\n");
    assert_eq!(
        lines(&["find", "-n", "-g", "*.txt", "d", "cat"]),
        "d/a.txt:1:cat\n"
    );
    // -l is not dropped on the way to the lines: it is refused beside -n, as grep refuses it.
    let out = sb.mmt(["find", "-n", "-l", "f", "cat"]).output().unwrap();
    assert_error(
        &out,
        "-l/--files-with-matches prints only the names of files",
    );
}

/// `find -w` lists, with `--overlapping`, the occurrences that start inside an earlier one;
/// `--end` keeps an occurrence that ends exactly there; and a `--start` past the end finds
/// nothing, counted as 0 and listed as nothing.
#[test]
fn whole_words_overlap_end_at_end_and_a_start_past_the_end_finds_none() {
    let sb = Sandbox::new();
    sb.write("f", b"a a a\n");
    let out = |args: &[&str]| {
        let out = sb.mmt(args).output().unwrap();
        (
            String::from_utf8_lossy(&out.stdout).into_owned(),
            out.status.code(),
        )
    };
    let found = |offsets: &str| (offsets.to_owned(), Some(0));
    assert_eq!(out(&["find", "-w", "--all", "f", "a a"]), found("0\n"));
    assert_eq!(
        out(&["find", "-w", "--all", "--overlapping", "f", "a a"]),
        found("0\n2\n")
    );
    assert_eq!(
        out(&["find", "-w", "--count", "--overlapping", "f", "a a"]),
        found("2\n")
    );
    assert_eq!(out(&["find", "-w", "--end", "3", "f", "a a"]), found("0\n"));
    assert_eq!(
        out(&["find", "-w", "--end", "2", "f", "a a"]),
        (String::new(), Some(1))
    );
    assert_eq!(
        out(&["find", "--count", "--start", "99", "f", "a"]),
        ("0\n".to_owned(), Some(1))
    );
    assert_eq!(
        out(&["find", "--all", "--start", "99", "f", "a"]),
        (String::new(), Some(1))
    );
}
