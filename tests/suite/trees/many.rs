//! Many files: PATHs, directories walked as ripgrep walks them, lists, labels, a
//! deterministic order for any number of threads, per-file errors, and `replace` planning every
//! file before writing any.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::process::Command;

use super::util::{Sandbox, assert_error, stdout, stdout_of};

/// A tree with what a walk must tell apart: a git repository with a `.gitignore`, an `.ignore`,
/// hidden files, a binary file, a symbolic link to a file and one back to a parent directory.
fn tree() -> Sandbox {
    let sb = Sandbox::new();
    for dir in ["t/.git", "t/src/deep", "t/.hidden", "t/target", "t/docs"] {
        fs::create_dir_all(sb.path(dir)).unwrap();
    }
    sb.write("t/.gitignore", b"target/\n*.log\n");
    sb.write("t/.ignore", b"docs/secret.md\n");
    sb.write("t/src/a.rs", b"fn foo() { foo_bar(); }\n");
    sb.write("t/src/deep/b.rs", b"let foo = 1;\n");
    sb.write("t/src/c.rs", b"nothing here\n");
    sb.write("t/src/image.bin", b"foo\x00\x01\x02binary");
    sb.write("t/.hidden/h.rs", b"foo hidden\n");
    sb.write("t/target/out.rs", b"foo built\n");
    sb.write("t/build.log", b"foo logged\n");
    sb.write("t/docs/readme.md", b"about foo\n");
    sb.write("t/docs/secret.md", b"foo secret\n");
    std::os::unix::fs::symlink("a.rs", sb.path("t/src/link.rs")).unwrap();
    std::os::unix::fs::symlink("..", sb.path("t/src/deep/up")).unwrap();
    sb
}

#[test]
fn a_directory_is_walked_as_ripgrep_walks_it() {
    let sb = tree();
    let out = stdout_of(&mut sb.mmt(["find", "t", "foo", "--count"]));
    assert_eq!(
        out,
        "t/docs/readme.md:1\nt/src/a.rs:2\nt/src/deep/b.rs:1\nt/src/image.bin:1\n"
    );
    let out = stdout_of(&mut sb.mmt(["find", "t", "foo", "--count", "--hidden", "--no-ignore"]));
    assert_eq!(
        out,
        "t/.hidden/h.rs:1\nt/build.log:1\nt/docs/readme.md:1\nt/docs/secret.md:1\n\
         t/src/a.rs:2\nt/src/deep/b.rs:1\nt/src/image.bin:1\nt/target/out.rs:1\n"
    );
    let out = stdout_of(&mut sb.mmt([
        "find",
        "t",
        "foo",
        "--count",
        "-g",
        "*.rs",
        "-g",
        "!**/deep/**",
    ]));
    assert_eq!(out, "t/src/a.rs:2\n");
    let out = stdout_of(&mut sb.mmt(["find", "t", "foo", "--count", "--max-depth", "2"]));
    assert_eq!(out, "t/docs/readme.md:1\nt/src/a.rs:2\nt/src/image.bin:1\n");
}

#[test]
fn following_links_reports_a_loop_and_goes_on() {
    let sb = tree();
    let out = sb
        .mmt(["find", "t/src", "foo", "--count", "-L"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("t/src/deep/up: a symbolic link loop"),
        "{stderr}"
    );
    let stdout = stdout(&out);
    assert!(
        stdout.contains("t/src/a.rs:2\n") && stdout.contains("t/src/link.rs:2\n"),
        "{stdout}"
    );
}

#[test]
fn a_named_file_is_always_worked_on() {
    let sb = tree();
    // Ignored, hidden and filtered out by a glob, but named.
    let out = stdout_of(&mut sb.mmt([
        "find",
        "t/target/out.rs",
        "t/.hidden/h.rs",
        "foo",
        "--count",
        "-g",
        "*.md",
    ]));
    assert_eq!(out, "t/target/out.rs:1\nt/.hidden/h.rs:1\n");
}

#[test]
fn the_order_is_the_same_for_any_number_of_threads() {
    let sb = Sandbox::new();
    for i in 0..60 {
        let body = "foo ".repeat(i % 7) + "\n";
        sb.write(&format!("f{i:02}.txt"), body.as_bytes());
    }
    sb.write("list", b"f05.txt\nmissing.txt\nf01.txt\n");
    for args in [
        vec!["find", ".", "foo", "--all"],
        vec!["grep", ".", "fo+", "-b"],
        vec!["--json", "grep", ".", "o+"],
        vec!["find", "--files-from", "list", ".", "foo", "--count"],
    ] {
        let run = |threads: &str| {
            let mut all = vec!["-j", threads];
            all.extend(&args);
            sb.mmt(&all).output().unwrap()
        };
        let one = run("1");
        for threads in ["2", "8"] {
            let many = run(threads);
            assert_eq!(many.stdout, one.stdout, "{args:?} -j{threads}");
            assert_eq!(many.stderr, one.stderr, "{args:?} -j{threads}");
            assert_eq!(
                many.status.code(),
                one.status.code(),
                "{args:?} -j{threads}"
            );
        }
    }
}

#[test]
fn a_walked_tree_gives_the_same_output_for_any_number_of_threads() {
    // The threads walk the tree themselves (ignore's parallel walker); -j1 walks it on one
    // thread in order: every rule and error must come out the same and in the same place.
    let sb = tree();
    fs::create_dir(sb.path("t/src/many")).unwrap();
    for i in 0..30 {
        sb.write(
            &format!("t/src/many/f{i:02}.rs"),
            "foo\n".repeat(i % 4).as_bytes(),
        );
    }
    std::os::unix::fs::symlink("nowhere", sb.path("t/src/dangling")).unwrap();
    for args in [
        vec!["find", "t", "foo", "--all"],
        vec!["find", "t", "foo", "--count", "--hidden", "--no-ignore"],
        vec!["find", "t", "foo", "--count", "-L"],
        vec![
            "find",
            "t/src",
            "t/docs",
            "t/src/a.rs",
            "foo",
            "--count",
            "--max-depth",
            "1",
        ],
        vec!["grep", "t", "fo+", "-b", "-g", "!*.md"],
        vec!["--json", "grep", "t", "o+", "--hidden"],
        vec!["--copy", "replace", "t", "foo", "FOO"],
    ] {
        let run = |threads: &str| {
            let mut all = vec!["-j", threads];
            all.extend(&args);
            sb.mmt(&all).output().unwrap()
        };
        let one = run("1");
        assert!(!one.stdout.is_empty(), "{args:?}");
        for threads in ["2", "5"] {
            let many = run(threads);
            assert_eq!(stdout(&many), stdout(&one), "{args:?} -j{threads}");
            assert_eq!(many.stderr, one.stderr, "{args:?} -j{threads}");
            assert_eq!(
                many.status.code(),
                one.status.code(),
                "{args:?} -j{threads}"
            );
        }
    }
}

#[test]
fn records_name_their_file_when_there_are_many() {
    let sb = Sandbox::with_fixtures();
    sb.write("two.txt", b"consectetuer\n");
    let out = stdout_of(&mut sb.mmt(["find", "lorem.txt", "two.txt", "consectetuer", "--all"]));
    assert_eq!(out, "lorem.txt:28\nlorem.txt:81\ntwo.txt:0\n");
    let out = stdout_of(&mut sb.mmt(["find", "lorem.txt", "consectetuer", "-H"]));
    assert_eq!(out, "lorem.txt:28\n");
    let out = stdout_of(&mut sb.mmt([
        "find",
        "lorem.txt",
        "two.txt",
        "consectetuer",
        "--no-filename",
    ]));
    assert_eq!(out, "28\n0\n");
    let out = stdout_of(&mut sb.mmt([
        "grep",
        "lorem.txt",
        "two.txt",
        "cons(ectetuer)",
        "-b",
        "--group",
        "1",
    ]));
    assert_eq!(
        out,
        "lorem.txt:32:ectetuer\nlorem.txt:85:ectetuer\ntwo.txt:4:ectetuer\n"
    );
    let out = stdout_of(&mut sb.mmt(["grep", "lorem.txt", "two.txt", "cons", "--format", "repr"]));
    assert_eq!(
        out,
        "lorem.txt:b'cons'\nlorem.txt:b'cons'\ntwo.txt:b'cons'\n"
    );
    // A count names only the files with matches, as rg --count does.
    let out = stdout_of(&mut sb.mmt([
        "find",
        "lorem.txt",
        "two.txt",
        "empty.bin",
        "Nulla",
        "--count",
    ]));
    assert_eq!(out, "lorem.txt:2\n");
    let out = stdout_of(&mut sb.mmt(["--json", "find", "two.txt", "empty.bin", "cons", "--count"]));
    assert_eq!(out, "{\"file\":{\"text\":\"two.txt\"},\"count\":1}\n");
}

#[test]
fn a_file_that_fails_is_reported_and_the_others_are_still_done() {
    let sb = Sandbox::with_fixtures();
    let out = sb
        .mmt(["find", "missing.txt", "lorem.txt", "Nulla", "--count"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "lorem.txt:2\n");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "mmt: missing.txt: cannot open: No such file or directory (os error 2)\n"
    );
    // Nothing found anywhere, one error: still exit 2.
    let out = sb
        .mmt(["grep", "missing.txt", "lorem.txt", "zzz"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    // Nothing found, no error: exit 1.
    sb.mmt(["grep", "lorem.txt", "crlf.txt", "zzz"])
        .assert()
        .code(1);
}

#[test]
fn an_unreadable_file_in_a_tree_is_reported_and_replace_writes_nothing() {
    let sb = Sandbox::new();
    fs::create_dir(sb.path("d")).unwrap();
    for name in ["d/a.txt", "d/b.txt", "d/c.txt"] {
        sb.write(name, b"old text\n");
        fs::set_permissions(sb.path(name), fs::Permissions::from_mode(0o666)).unwrap();
    }
    fs::set_permissions(sb.path("d"), fs::Permissions::from_mode(0o777)).unwrap();
    fs::set_permissions(sb.path("d/b.txt"), fs::Permissions::from_mode(0o000)).unwrap();
    let out = super::util::run_unprivileged(&sb, &["find", "d", "old", "--count"])
        .expect("running as root, this test needs setpriv to drop privileges");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "d/a.txt:1\nd/c.txt:1\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("mmt: d/b.txt: cannot open"));
    let out = super::util::run_unprivileged(&sb, &["replace", "d", "old", "new"]).unwrap();
    assert_error(&out, "nothing written: 1 file could not be read or planned");
    assert!(String::from_utf8_lossy(&out.stderr).contains("mmt: d/b.txt: cannot open"));
    assert_eq!(sb.read("d/a.txt"), b"old text\n");
    assert_eq!(sb.read("d/c.txt"), b"old text\n");
}

#[test]
fn a_file_that_vanishes_mid_walk_is_reported_and_the_walk_goes_on() {
    let sb = Sandbox::new();
    fs::create_dir(sb.path("d")).unwrap();
    for name in ["d/a.txt", "d/b.txt", "d/c.txt"] {
        sb.write(name, b"foo\n");
    }
    // One thread: the directory is listed, then each file is opened in turn; while mmt is
    // held before the first, the second is removed.
    let child = sb.spawn_paused(&["-j1", "find", "d", "foo", "--count"], "before-open");
    fs::remove_file(sb.path("d/b.txt")).unwrap();
    child.release();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "d/a.txt:1\nd/c.txt:1\n");
    assert!(
        String::from_utf8_lossy(&out.stderr).starts_with("mmt: d/b.txt: cannot open: No such file"),
        "{:?}",
        out.stderr
    );
}

#[test]
fn a_file_that_vanished_after_it_was_listed_is_reported() {
    let sb = Sandbox::with_fixtures();
    sb.write("list", b"lorem.txt\ngone.txt\n");
    let out = sb
        .mmt(["find", "--files-from", "list", "Nulla", "--count"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stdout(&out), "lorem.txt:2\n");
    assert!(String::from_utf8_lossy(&out.stderr).starts_with("mmt: gone.txt: cannot open"));
}

#[test]
fn lists_of_paths_from_files_and_standard_input() {
    let sb = Sandbox::with_fixtures();
    sb.write("a b.txt", b"consectetuer\n");
    let out = stdout_of(
        sb.mmt(["find", "--files0-from", "-", "consectetuer", "--count"])
            .write_stdin(&b"lorem.txt\0a b.txt\0"[..]),
    );
    assert_eq!(out, "lorem.txt:2\na b.txt:1\n");
    sb.write("list", b"a b.txt\n");
    let out = stdout_of(&mut sb.mmt([
        "find",
        "--files-from",
        "list",
        "lorem.txt",
        "consectetuer",
        "--count",
    ]));
    assert_eq!(out, "lorem.txt:2\na b.txt:1\n");
    let out = sb
        .mmt(["find", "--files-from", "-", "-", "x"])
        .write_stdin("lorem.txt\n")
        .output()
        .unwrap();
    assert_error(
        &out,
        "standard input cannot be both the list of paths and a PATH",
    );
    sb.write("empty-list", b"");
    let out = sb
        .mmt(["find", "--files-from", "empty-list", "x"])
        .output()
        .unwrap();
    assert_error(&out, "empty-list: the list of paths is empty");
}

#[test]
fn replace_plans_every_file_then_writes_each_and_a_total() {
    let sb = tree();
    // A run over a tree prints its total; -v names every file too.
    let out = sb
        .mmt(["--copy", "replace", "t", "foo", "qux"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "4 replacements in 3 files (dry run, nothing changed)\n\
         mmt: skipped 1 binary file met while walking (--binary patches them too)\n"
    );
    let out = sb
        .mmt(["replace", "-v", "t", "foo", "qux"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "t/docs/readme.md: 1 replacement\nt/src/a.rs: 2 replacements\n\
         t/src/deep/b.rs: 1 replacement\n4 replacements in 3 files\n\
         mmt: skipped 1 binary file met while walking (--binary patches them too)\n"
    );
    assert_eq!(sb.read("t/src/a.rs"), b"fn qux() { qux_bar(); }\n");
    assert_eq!(sb.read("t/src/image.bin"), b"foo\x00\x01\x02binary");
    assert_eq!(sb.read("t/target/out.rs"), b"foo built\n");
    // --binary includes binary files met while walking; a named one is never skipped.
    sb.mmt(["replace", "t/src", "foo", "FOO", "--binary"])
        .assert()
        .success();
    assert_eq!(sb.read("t/src/image.bin"), b"FOO\x00\x01\x02binary");
    sb.mmt(["replace", "t/src/image.bin", "FOO", "foo"])
        .assert()
        .success();
    assert_eq!(sb.read("t/src/image.bin"), b"foo\x00\x01\x02binary");
}

#[test]
fn expect_counts_the_whole_run_and_json_reports_each_file() {
    let sb = tree();
    let out = sb
        .mmt(["replace", "t", "foo", "qux", "--expect", "3"])
        .output()
        .unwrap();
    assert_error(&out, "expected 3 replacements, found 4; nothing written");
    assert_eq!(sb.read("t/src/a.rs"), b"fn foo() { foo_bar(); }\n");
    let out = stdout_of(&mut sb.mmt(["--json", "replace", "t/src", "foo", "qux", "--expect", "3"]));
    assert_eq!(
        out,
        "{\"file\":{\"text\":\"t/src/a.rs\"},\"replacements\":2,\"offsets\":[3,11],\"mode\":\"in-place\",\"dry_run\":false}\n\
         {\"file\":{\"text\":\"t/src/deep/b.rs\"},\"replacements\":1,\"offsets\":[4],\"mode\":\"in-place\",\"dry_run\":false}\n"
    );
}

#[test]
fn a_preview_of_many_files_is_one_diff_that_git_apply_takes() {
    let sb = tree();
    fs::remove_file(sb.path("t/src/deep/up")).unwrap();
    let preview = sb
        .mmt(["--copy", "replace", "t", "foo", "a_longer_name"])
        .output()
        .unwrap();
    assert_eq!(preview.status.code(), Some(0));
    let diff = stdout(&preview);
    assert!(
        diff.starts_with("--- a/t/docs/readme.md\n+++ b/t/docs/readme.md\n"),
        "{diff}"
    );
    assert_eq!(sb.read("t/src/a.rs"), b"fn foo() { foo_bar(); }\n");
    super::util::require("git", "git apply is this test's reference");
    // Apply the preview to a copy, make the real change, compare.
    let copy = Sandbox::new();
    let status = Command::new("cp")
        .args([
            "-a",
            sb.path("t").to_str().unwrap(),
            copy.dir().to_str().unwrap(),
        ])
        .status()
        .unwrap();
    assert!(status.success());
    fs::write(copy.path("preview.diff"), &diff).unwrap();
    let applied = Command::new("git")
        .args(["apply", "--unsafe-paths", "preview.diff"])
        .current_dir(copy.dir())
        .output()
        .unwrap();
    assert!(applied.status.success(), "{applied:?}");
    sb.mmt(["replace", "t", "foo", "a_longer_name"])
        .assert()
        .success();
    for file in [
        "docs/readme.md",
        "src/a.rs",
        "src/deep/b.rs",
        "src/image.bin",
        "target/out.rs",
    ] {
        assert_eq!(
            fs::read(copy.path(&format!("t/{file}"))).unwrap(),
            sb.read(&format!("t/{file}")),
            "{file}"
        );
    }
}

#[test]
fn replace_on_standard_input_is_a_filter() {
    let sb = Sandbox::new();
    sb.mmt(["replace", "-", "foo", "bar"])
        .write_stdin("foo and foo\n")
        .assert()
        .success()
        .stdout("bar and bar\n")
        .stderr("<stdin>: 2 replacements\n");
    // Nothing matched: the input passes through unchanged, exit 1, as sed would print it.
    sb.mmt(["replace", "-", "zzz", "bar"])
        .write_stdin("foo\n")
        .assert()
        .code(1)
        .stdout("foo\n");
    sb.mmt(["replace", "-", "(o+)", "[$1]", "--regex"])
        .write_stdin("foo\n")
        .assert()
        .success()
        .stdout("f[oo]\n");
    // -q silences the summary only: standard output is the data.
    sb.mmt(["-q", "replace", "-", "a", "b"])
        .write_stdin("abc\n")
        .assert()
        .success()
        .stdout("bbc\n")
        .stderr("");
    sb.mmt(["replace", "-q", "-", "zzz", "b"])
        .write_stdin("abc\n")
        .assert()
        .code(1)
        .stdout("abc\n")
        .stderr("");
    let out = sb
        .mmt(["--json", "replace", "-", "a", "b"])
        .write_stdin("a")
        .output()
        .unwrap();
    assert_error(
        &out,
        "--json reports on standard output, where the filtered text goes",
    );
}

#[test]
fn arguments_in_the_pattern_first_order_get_the_order_that_works() {
    let sb = Sandbox::with_fixtures();
    sb.age("lorem.txt");
    let out = sb
        .mmt(["replace", "consectetuer", "reutetcesnoc", "lorem.txt"])
        .output()
        .unwrap();
    assert_error(
        &out,
        "consectetuer: no such file or directory, and lorem.txt names a file: the files come \
         first, as in: mmt replace lorem.txt consectetuer reutetcesnoc",
    );
    let out = sb.mmt(["grep", "sit amet", "lorem.txt"]).output().unwrap();
    assert_error(&out, "as in: mmt grep lorem.txt 'sit amet'");
    assert_eq!(sb.read("lorem.txt"), super::util::LOREM);
    // A misspelt flag gets clap's tip before the needle as after it.
    for args in [
        ["replace", "--regx", "lorem.txt", "a", "b"],
        ["replace", "lorem.txt", "a", "b", "--regx"],
    ] {
        let out = sb.mmt(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("a similar argument exists: '--regex'")
        );
    }
}

#[test]
fn a_file_name_with_a_newline_stays_on_one_line() {
    let sb = Sandbox::new();
    sb.write("new\nline.txt", b"foo\n");
    sb.write("plain.txt", b"foo\n");
    let out = stdout_of(&mut sb.mmt(["find", ".", "foo"]));
    assert_eq!(out, "./new\\nline.txt:0\n./plain.txt:0\n");
    let out = sb.mmt(["replace", ".", "foo", "bar"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "./new\\nline.txt: 1 replacement\n./plain.txt: 1 replacement\n2 replacements in 2 files\n"
    );
}

#[test]
fn a_file_name_that_is_not_utf8_is_printed_as_its_bytes() {
    use std::os::unix::ffi::OsStrExt;
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("t")).unwrap();
    let odd = std::ffi::OsStr::from_bytes(b"t/\xff name");
    fs::write(sb.dir().join(odd), b"NEEDLE\n").unwrap();
    sb.write("t/plain.txt", b"NEEDLE\n");
    // As rg prints it: the raw byte, not U+FFFD, so that the name can be fed back.
    let out = sb.mmt(["find", "t", "NEEDLE"]).output().unwrap();
    assert_eq!(out.stdout, b"t/plain.txt:0\nt/\xff name:0\n");
    let out = sb
        .mmt(["grep", "t", "NEE+DLE", "--count"])
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"t/plain.txt:1\nt/\xff name:1\n");
    let line = out.stdout.split(|&b| b == b'\n').nth(1).unwrap();
    let name = line.split(|&b| b == b':').next().unwrap().to_vec();
    let again = sb
        .mmt([
            std::ffi::OsStr::new("find"),
            std::ffi::OsStr::from_bytes(&name),
            "NEEDLE".as_ref(),
        ])
        .output()
        .unwrap();
    assert_eq!(again.stdout, b"0\n", "the printed name names the file");
}

/// A walked file is read without asking its size until the first 64 KiB read fills up; then
/// it is read on (below 128 KiB) or mapped. Every size around those edges is searched whole,
/// with hits at the start, across the 64 KiB edge, and at the end.
#[test]
fn walked_files_of_every_size_around_the_read_edges_are_searched_whole() {
    let sb = Sandbox::new();
    fs::create_dir_all(sb.path("sizes")).unwrap();
    let needle = b"NEEDLE";
    let mut expected = Vec::new();
    for size in [
        0usize, 6, 65_535, 65_536, 65_537, 65_542, 100_000, 131_071, 131_072, 200_000, 262_143,
        262_144, 262_145, 1_048_576,
    ] {
        let mut body = vec![b'.'; size];
        let mut hits = 0;
        let mut plant = |at: usize, body: &mut Vec<u8>| {
            if at + needle.len() <= size && body[at..at + needle.len()].iter().all(|&b| b == b'.') {
                body[at..at + needle.len()].copy_from_slice(needle);
                hits += 1;
            }
        };
        plant(0, &mut body);
        plant(65_533, &mut body);
        plant(size.saturating_sub(needle.len()), &mut body);
        let name = format!("sizes/f{size:07}");
        sb.write(&name, &body);
        if hits > 0 {
            expected.push(format!("{name}:{hits}"));
        }
    }
    let out = stdout_of(sb.mmt(["find", "sizes", "NEEDLE", "--count"]).arg("-j2"));
    assert_eq!(out.lines().collect::<Vec<_>>(), expected);
    // Where a hit is, too: across the edge, and the last bytes of a file read on.
    let out = stdout_of(&mut sb.mmt(["find", "sizes", "NEEDLE", "--all"]));
    assert!(out.contains("f0100000:65533\n"), "{out}");
    assert!(out.contains("f0100000:99994\n"), "{out}");
    // Largest first, on one thread: each file is read into the buffer the one before it was
    // read into, and nothing of the larger one shows through.
    fs::create_dir_all(sb.path("down")).unwrap();
    for (i, size) in [262_143usize, 200_000, 65_542, 6].into_iter().enumerate() {
        let mut body = vec![b'.'; size];
        body[size - needle.len()..].copy_from_slice(needle);
        sb.write(&format!("down/{i}"), &body);
    }
    let out = stdout_of(sb.mmt(["find", "down", "NEEDLE", "--all"]).arg("-j1"));
    assert_eq!(
        out,
        "down/0:262137\ndown/1:199994\ndown/2:65536\ndown/3:0\n"
    );
}
