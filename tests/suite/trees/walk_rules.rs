//! The walk's rules as ripgrep has them, where they once differed: a glob with a `/`
//! under an absolute PATH, and `.rgignore`.

use super::util::{Sandbox, stdout};

fn vendored() -> Sandbox {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.path("t/vendor")).unwrap();
    sb.write("t/vendor/v.txt", b"NEEDLE\n");
    sb.write("t/main.txt", b"NEEDLE\n");
    sb
}

#[test]
fn an_exclude_with_a_slash_holds_under_an_absolute_path() {
    let sb = vendored();
    let absolute = sb.path("t");
    let absolute = absolute.to_str().unwrap();
    let out = sb
        .mmt(["replace", absolute, "NEEDLE", "X", "-g", "!t/vendor/**"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(sb.read("t/main.txt"), b"X\n");
    assert_eq!(
        sb.read("t/vendor/v.txt"),
        b"NEEDLE\n",
        "the exclude was dropped"
    );
    // The same exclude under a relative PATH, and a dry run under an absolute one.
    let out = sb
        .mmt(["find", "t", "NEEDLE", "-g", "!t/vendor/**"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "");
    let out = sb
        .mmt([
            "--copy",
            "replace",
            absolute,
            "NEEDLE",
            "Y",
            "-g",
            "!t/vendor/**",
        ])
        .output()
        .unwrap();
    assert!(!stdout(&out).contains("vendor"), "{}", stdout(&out));
}

#[test]
fn an_include_with_a_slash_matches_under_an_absolute_path() {
    let sb = vendored();
    let absolute = sb.path("t");
    let out = sb
        .mmt([
            "find".as_ref(),
            absolute.as_os_str(),
            "NEEDLE".as_ref(),
            "-g".as_ref(),
            "t/vendor/*".as_ref(),
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        stdout(&out),
        format!("{}:0\n", sb.path("t/vendor/v.txt").display())
    );
}

#[test]
fn rgignore_is_read_as_ripgrep_reads_it() {
    let sb = vendored();
    sb.write("t/.rgignore", b"vendor/\n");
    let out = sb.mmt(["find", "t", "NEEDLE"]).output().unwrap();
    assert_eq!(stdout(&out), "t/main.txt:0\n");
    // --no-ignore reads no ignore file, .rgignore included.
    let out = sb
        .mmt(["find", "t", "NEEDLE", "--no-ignore"])
        .output()
        .unwrap();
    assert_eq!(stdout(&out), "t/main.txt:0\nt/vendor/v.txt:0\n");
    // A .rgignore overrides an .ignore, as in ripgrep.
    sb.write("t/.ignore", b"main.txt\n");
    sb.write("t/.rgignore", b"!main.txt\nvendor/\n");
    let out = sb.mmt(["find", "t", "NEEDLE"]).output().unwrap();
    assert_eq!(stdout(&out), "t/main.txt:0\n");
}
