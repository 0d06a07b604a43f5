//! One file reached by two names in one run: a hard link, a file named twice, a
//! directory and a file inside it, a link and its target. `replace` plans and writes it once,
//! under the first name, and its dry run says what the real run does; `find` and `grep` print
//! it under each name, as rg does. Every run here has a deadline: the bug was a hang.

use std::time::Duration;

use super::util::{Sandbox, stdout};

/// `mmt ARGS` in the sandbox, killed if it runs for more than a few seconds (the bug was a
/// run that waited forever for a lock it held itself).
fn run(sb: &Sandbox, args: &[&str]) -> std::process::Output {
    sb.mmt(args)
        .timeout(Duration::from_secs(20))
        .output()
        .expect("run mmt")
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// Asserts a run that replaced one file once: exit 0, one replacement in one file.
fn assert_once(out: &std::process::Output, summary: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains(summary), "{err}");
    assert!(err.contains("1 replacement in 1 file"), "{err}");
}

#[test]
fn a_hard_link_in_a_tree_is_planned_once() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("t")).unwrap();
    sb.write("t/f.txt", b"a NEEDLE b\n");
    std::fs::hard_link(sb.path("t/f.txt"), sb.path("t/hard.txt")).unwrap();
    // Same length: in place, so both names see it.
    let out = run(&sb, &["replace", "t", "NEEDLE", "XXXXXX"]);
    assert_once(&out, "t/f.txt: 1 replacement");
    assert!(
        stderr(&out).contains("t/hard.txt: the same file as t/f.txt"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sb.read("t/f.txt"), b"a XXXXXX b\n");
    assert_eq!(sb.read("t/hard.txt"), b"a XXXXXX b\n");
}

#[test]
fn a_file_named_twice_is_replaced_once_and_its_dry_run_agrees() {
    for (new, expected) in [("XX", "a XX b\n"), ("YYYYYY", "a YYYYYY b\n")] {
        let sb = Sandbox::new();
        sb.write("g", b"a NEEDLE b\n");
        let dry = run(&sb, &["--copy", "replace", "g", "g", "NEEDLE", new]);
        assert_once(&dry, "g: 1 replacement (dry run");
        assert_eq!(sb.read("g"), b"a NEEDLE b\n");
        let real = run(&sb, &["replace", "g", "g", "NEEDLE", new]);
        assert_once(&real, "g: 1 replacement");
        assert!(
            stderr(&real).contains("g: reached twice"),
            "{}",
            stderr(&real)
        );
        assert_eq!(sb.read("g"), expected.as_bytes());
        // Undone as one run, to what it was.
        let undo = sb.mmt(["undo"]).timeout(Duration::from_secs(20)).output();
        assert_eq!(undo.unwrap().status.code(), Some(0));
        assert_eq!(sb.read("g"), b"a NEEDLE b\n");
    }
}

#[test]
fn a_directory_and_a_file_inside_it_is_the_file_once() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("d")).unwrap();
    sb.write("d/g.txt", b"NEEDLE\n");
    sb.write("d/other.txt", b"NEEDLE too\n");
    let out = run(&sb, &["replace", "d", "d/g.txt", "NEEDLE", "X"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("2 replacements in 2 files"), "{err}");
    assert_eq!(sb.read("d/g.txt"), b"X\n");
    assert_eq!(sb.read("d/other.txt"), b"X too\n");
}

#[test]
fn links_followed_to_one_file_or_one_directory_reach_it_once() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.path("d/real")).unwrap();
    sb.write("d/real/f.txt", b"NEEDLE\n");
    std::os::unix::fs::symlink("real/f.txt", sb.path("d/link1.txt")).unwrap();
    std::os::unix::fs::symlink("real/f.txt", sb.path("d/link2.txt")).unwrap();
    std::os::unix::fs::symlink("real", sb.path("d/dirlink1")).unwrap();
    std::os::unix::fs::symlink("real", sb.path("d/dirlink2")).unwrap();
    // The first name in the walk's order is d/dirlink1/f.txt; every other name is that file.
    let out = run(&sb, &["replace", "-L", "d", "NEEDLE", "LONGER NEEDLE"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("d/dirlink1/f.txt: 1 replacement"), "{err}");
    assert!(err.contains("1 replacement in 1 file"), "{err}");
    assert_eq!(sb.read("d/real/f.txt"), b"LONGER NEEDLE\n");
    // A link and its target, named.
    let out = run(
        &sb,
        &["replace", "d/link2.txt", "d/real/f.txt", "LONGER", "L"],
    );
    assert_once(&out, "d/link2.txt: 1 replacement");
    assert_eq!(sb.read("d/real/f.txt"), b"L NEEDLE\n");
    // Still links, to the same file.
    assert!(sb.path("d/link1.txt").is_symlink());
    assert_eq!(sb.read("d/link1.txt"), b"L NEEDLE\n");
}

#[test]
fn the_first_name_wins_whatever_thread_plans_first() {
    // Many names of one file among many files, on several threads: the file is always reported
    // under the first name in the sources' order.
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("t")).unwrap();
    for i in 0..40 {
        sb.write(&format!("t/f{i:02}.txt"), b"plain\n");
    }
    sb.write("t/zz.txt", b"NEEDLE\n");
    for i in 0..20 {
        std::fs::hard_link(sb.path("t/zz.txt"), sb.path(&format!("t/h{i:02}.txt"))).unwrap();
    }
    for threads in ["1", "2", "8"] {
        let out = run(
            &sb,
            &["--copy", "-j", threads, "replace", "t", "NEEDLE", "X"],
        );
        assert_once(&out, "t/h00.txt: 1 replacement (dry run");
        assert!(stdout(&out).contains("+++ b/t/h00.txt"), "{}", stdout(&out));
    }
}

#[test]
fn find_and_grep_print_a_file_under_each_name_as_rg_does() {
    let sb = Sandbox::new();
    sb.write("g", b"a NEEDLE b\n");
    let out = run(&sb, &["find", "g", "g", "NEEDLE"]);
    assert_eq!(stdout(&out), "g:2\ng:2\n");
    let out = run(&sb, &["grep", "g", "g", "NEE+DLE"]);
    assert_eq!(stdout(&out), "g:NEEDLE\ng:NEEDLE\n");
}
