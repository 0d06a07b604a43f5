//! `mmt read`: successive reads from a file pointer.

use super::util::{Sandbox, assert_error, stdout};

#[test]
fn no_size_reads_to_the_end() {
    let sb = Sandbox::with_fixtures();
    let out = sb.mmt(["read", "lorem.txt"]).output().unwrap();
    assert_eq!(out.stdout, sb.read("lorem.txt"));
}

#[test]
fn seek_from_the_start_and_from_the_end() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["read", "lorem.txt", "5", "--seek", "6"])
        .assert()
        .success()
        .stdout("ipsum");
    sb.mmt(["read", "lorem.txt", "--seek", "-7"])
        .assert()
        .success()
        .stdout("justo.\n");
    sb.mmt(["read", "lorem.txt", "--seek=-0x7", "4"])
        .assert()
        .success()
        .stdout("just");
    sb.mmt(["read", "lorem.txt", "--seek", "737"])
        .assert()
        .success()
        .stdout("");
}

#[test]
fn seek_outside_the_file_is_an_error() {
    let sb = Sandbox::with_fixtures();
    let out = sb
        .mmt(["read", "lorem.txt", "--seek", "738"])
        .output()
        .unwrap();
    assert_error(
        &out,
        "lorem.txt: --seek 738 is outside the file (737 bytes)",
    );
    let out = sb
        .mmt(["read", "lorem.txt", "--seek", "-738"])
        .output()
        .unwrap();
    assert_error(&out, "--seek -738 is outside the file");
}

#[test]
fn reading_past_the_end_gives_short_and_empty_records() {
    let sb = Sandbox::with_fixtures();
    sb.mmt([
        "read",
        "lorem.txt",
        "4",
        "100",
        "5",
        "--seek",
        "-7",
        "--format",
        "repr",
    ])
    .assert()
    .success()
    .stdout("b'just'\nb'o.\\n'\nb''\n");
}

#[test]
fn a_negative_size_reads_the_rest_as_python_does() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["read", "crlf.txt", "6", "-1", "--format", "repr"])
        .assert()
        .success()
        .stdout("b'first '\nb'line\\r\\nsecond line\\r\\nthird line\\r\\n'\n");
}

#[test]
fn lines_are_readline_records() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["read", "crlf.txt", "--lines", "2", "--format", "repr"])
        .assert()
        .success()
        .stdout("b'first line\\r\\n'\nb'second line\\r\\n'\n");
    sb.mmt([
        "read", "crlf.txt", "--lines", "5", "--seek", "-12", "--format", "repr",
    ])
    .assert()
    .success()
    .stdout("b'third line\\r\\n'\nb''\nb''\nb''\nb''\n");
    // In raw format empty records print nothing, so an enormous count ends at the end.
    sb.mmt(["read", "lorem.txt", "--lines", "18446744073709551615"])
        .assert()
        .success()
        .stdout(String::from_utf8(sb.read("lorem.txt")).unwrap());
}

#[test]
fn sizes_and_lines_cannot_be_combined() {
    let sb = Sandbox::with_fixtures();
    let out = sb
        .mmt(["read", "lorem.txt", "4", "--lines", "1"])
        .output()
        .unwrap();
    assert_error(&out, "cannot be used with");
}

#[test]
fn hex_format_has_absolute_offsets() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["read", "lorem.txt", "20", "--seek", "28", "--format", "hex"])
        .assert()
        .success()
        .stdout(
            "0000001c: 636f 6e73 6563 7465 7475 6572 2061 6469  consectetuer adi\n\
             0000002c: 7069 7363                                pisc\n",
        );
}

#[test]
fn json_records() {
    let sb = Sandbox::with_fixtures();
    let out = sb
        .mmt(["--json", "read", "binary.bin", "2", "--seek", "0xfe"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        "{\"offset\":254,\"length\":2,\"data\":{\"base64\":\"/v8=\"}}\n"
    );
    let out = sb
        .mmt(["read", "lorem.txt", "5", "--json"])
        .output()
        .unwrap();
    assert_eq!(
        stdout(&out),
        "{\"offset\":0,\"length\":5,\"data\":{\"text\":\"Lorem\"}}\n"
    );
}

#[test]
fn binary_bytes_come_out_exactly() {
    let sb = Sandbox::with_fixtures();
    let out = sb.mmt(["read", "binary.bin"]).output().unwrap();
    assert_eq!(out.stdout, sb.read("binary.bin"));
    sb.mmt([
        "read",
        "binary.bin",
        "4",
        "--seek",
        "254",
        "--format",
        "repr",
    ])
    .assert()
    .stdout("b'\\xfe\\xff\\x00\\xff'\n");
}

#[test]
fn empty_file_reads_empty() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["read", "empty.bin", "10", "--format", "repr"])
        .assert()
        .success()
        .stdout("b''\n");
    sb.mmt(["read", "empty.bin"]).assert().success().stdout("");
}

#[test]
fn quiet_prints_nothing() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["read", "lorem.txt", "-q"])
        .assert()
        .success()
        .stdout("");
}

#[test]
fn a_closed_pipe_ends_quietly() {
    let sb = Sandbox::new();
    sb.write("big.txt", &vec![b'x'; 4 << 20]);
    let out = sb
        .bash(r#""$MMT" read big.txt | head -c1"#)
        .output()
        .unwrap();
    assert_eq!(out.stdout, b"x");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
