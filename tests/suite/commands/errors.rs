//! Every error is one `mmt: ` message naming the file and the reason, exit 2, no panic.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use super::util::{Sandbox, assert_error};

#[test]
fn missing_file_and_directory() {
    let sb = Sandbox::with_fixtures();
    for cmd in [
        vec!["read", "nope.txt"],
        vec!["slice", "nope.txt", ":1"],
        vec!["find", "nope.txt", "a"],
        vec!["grep", "nope.txt", "a"],
    ] {
        let out = sb.mmt(cmd).output().unwrap();
        assert_error(
            &out,
            "mmt: nope.txt: cannot open: No such file or directory",
        );
    }
    let out = sb.mmt(["read", "."]).output().unwrap();
    assert_error(&out, "mmt: .: is a directory");
}

#[test]
fn permission_denied() {
    let sb = Sandbox::with_fixtures();
    let path = sb.path("secret");
    std::fs::write(&path, b"x").unwrap();
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o000)).unwrap();
    // As root, which reads files whatever their mode, as an unprivileged user.
    let out = super::util::run_unprivileged(&sb, &["read", "secret"])
        .expect("running as root, this test needs setpriv to drop privileges");
    assert_error(&out, "mmt: secret: cannot open: Permission denied");
}

#[test]
fn usage_errors_read_like_mmt_errors() {
    let sb = Sandbox::with_fixtures();
    let out = sb.mmt(["frobnicate"]).output().unwrap();
    assert_error(&out, "mmt: unrecognized subcommand 'frobnicate'");
    let out = sb.mmt(["read"]).output().unwrap();
    assert_error(
        &out,
        "mmt: the following required arguments were not provided",
    );
    let out = sb
        .mmt(["slice", "lorem.txt", ":1", "--format", "yaml"])
        .output()
        .unwrap();
    assert_error(&out, "invalid value 'yaml'");
    let out = sb.mmt(["completions", "bash", "-5"]).output().unwrap();
    assert_error(&out, "mmt: unexpected argument '-5' found");
}

#[test]
fn numbers_past_64_bits_and_negative_counts() {
    let sb = Sandbox::with_fixtures();
    let out = sb
        .mmt(["read", "lorem.txt", "99999999999999999999999"])
        .output()
        .unwrap();
    assert_error(
        &out,
        "lorem.txt: invalid SIZE '99999999999999999999999': number is too large",
    );
    let out = sb
        .mmt(["read", "lorem.txt", "--lines", "-1"])
        .output()
        .unwrap();
    assert_error(&out, "invalid --lines '-1': must not be negative");
    // A negative cap is no cap, as Python's count=-1 (and GNU grep's -m -1).
    sb.mmt(["replace", "lorem.txt", "a", "b", "--max", "-1"])
        .assert()
        .success()
        .stderr("lorem.txt: 50 replacements\n");
    assert!(!sb.read("lorem.txt").contains(&b'a'));
    let out = sb
        .mmt(["grep", "lorem.txt", "a", "--max-count", "0x"])
        .output()
        .unwrap();
    assert_error(&out, "invalid --max-count '0x'");
    // Huge but valid numbers are fine: they clamp, as Python's do.
    sb.mmt([
        "slice",
        "lorem.txt",
        "-9223372036854775808:9223372036854775807:9223372036854775807",
        "--format",
        "repr",
    ])
    .assert()
    .success()
    .stdout("b'L'\n");
    sb.mmt(["read", "lorem.txt", "9223372036854775807", "--seek", "-1"])
        .assert()
        .success()
        .stdout("\n");
}

#[test]
fn invalid_utf8_in_names_and_arguments() {
    let sb = Sandbox::with_fixtures();
    let name = OsStr::from_bytes(b"bad\xffname");
    std::fs::write(sb.path("lorem.txt").with_file_name(name), b"a\xffb").unwrap();
    let out = sb
        .mmt([OsStr::new("find"), name, OsStr::from_bytes(b"\xffb")])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "1\n");
    // A bytes pattern may hold any byte, as a Python bytes pattern may.
    sb.mmt([
        OsStr::new("grep"),
        name,
        OsStr::from_bytes(b"\xff."),
        OsStr::new("-b"),
    ])
    .assert()
    .success()
    .stdout(&b"1:\xffb\n"[..]);
    let out = sb
        .mmt([
            OsStr::new("grep"),
            name,
            OsStr::from_bytes(b"\xff"),
            OsStr::new("--unicode"),
        ])
        .output()
        .unwrap();
    assert_error(&out, "a --unicode pattern must be valid UTF-8");
    let out = sb
        .mmt([OsStr::new("read"), OsStr::from_bytes(b"missing\xff")])
        .output()
        .unwrap();
    assert_error(&out, "cannot open: No such file or directory");
    let out = sb
        .mmt([
            OsStr::new("--json"),
            OsStr::new("replace"),
            name,
            OsStr::new("b"),
            OsStr::new("c"),
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "{\"file\":{\"base64\":\"YmFk/25hbWU=\"},\"replacements\":1,\"offsets\":[2],\"mode\":\"in-place\",\"dry_run\":false}\n"
    );
}

#[test]
fn nul_bytes_through_escapes() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["find", "binary.bin", r"\0\0\xff", "--escapes"])
        .assert()
        .code(1);
    sb.mmt(["find", "binary.bin", r"\0\x01", "--escapes"])
        .assert()
        .success()
        .stdout("0\n");
}

#[test]
fn a_value_is_echoed_as_it_was_typed() {
    let sb = Sandbox::with_fixtures();
    let out = sb
        .mmt(["find", "lorem.txt", r"a\qb", "--escapes"])
        .output()
        .unwrap();
    assert_error(&out, r"invalid NEEDLE 'a\qb': unknown escape \q");
}

#[test]
fn a_hex_diff_highlights_only_the_bytes_that_change() {
    let sb = Sandbox::with_fixtures();
    let out = sb
        .mmt([
            "--copy",
            "replace",
            "binary.bin",
            "MAGIC",
            "MAGIK",
            "--color",
            "always",
        ])
        .output()
        .unwrap();
    let diff = String::from_utf8_lossy(&out.stdout);
    // Reverse video (ESC[7m) on the C and the K only, in the hex and in the text columns.
    assert_eq!(diff.matches("\x1b[7m").count(), 4, "{diff:?}");
    assert!(
        diff.contains("\x1b[7m43\x1b[27m") && diff.contains("\x1b[7m4b\x1b[27m"),
        "{diff:?}"
    );
    assert!(!diff.contains("\x1b[7m4d"), "{diff:?}");
}

#[test]
fn json_is_refused_where_nothing_is_json() {
    let sb = Sandbox::new();
    let out = sb.mmt(["--json", "completions", "bash"]).output().unwrap();
    assert_error(
        &out,
        "completions prints a shell script, not JSON; drop --json",
    );
}
