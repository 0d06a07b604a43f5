//! `mmt slice`: Python slice semantics, `START+LEN`, and single indexes.

use super::util::{Sandbox, assert_error, stdout_of};

fn repr_of(sb: &Sandbox, file: &str, ranges: &[&str]) -> String {
    let mut args = vec!["slice", file];
    args.extend_from_slice(ranges);
    args.extend_from_slice(&["--format", "repr"]);
    stdout_of(&mut sb.mmt(args))
}

#[test]
fn python_slices() {
    let sb = Sandbox::new();
    sb.write("ten", b"0123456789");
    assert_eq!(
        repr_of(
            &sb,
            "ten",
            &[":3", "-3:", "::-3", "8:2:-2", "5:2", "-100:100:4"]
        ),
        "b'012'\nb'789'\nb'9630'\nb'864'\nb''\nb'048'\n"
    );
}

#[test]
fn start_len_and_index() {
    let sb = Sandbox::new();
    sb.write("ten", b"0123456789");
    assert_eq!(
        repr_of(&sb, "ten", &["2+3", "-3+5", "0x8+100", "-1", "0"]),
        "b'234'\nb'789'\nb'89'\nb'9'\nb'0'\n"
    );
}

#[test]
fn negative_ranges_need_no_double_dash() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["slice", "lorem.txt", "-20:"])
        .assert()
        .success()
        .stdout("se\nimperdiet justo.\n");
    sb.mmt(["slice", "lorem.txt", "-7:-2", "--format", "repr"])
        .assert()
        .stdout("b'justo'\n");
}

#[test]
fn raw_records_are_concatenated() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["slice", "lorem.txt", ":5", "6:11"])
        .assert()
        .success()
        .stdout("Loremipsum");
}

#[test]
fn an_index_outside_the_file_is_an_error_and_prints_nothing() {
    let sb = Sandbox::with_fixtures();
    let out = sb
        .mmt(["slice", "lorem.txt", ":5", "737"])
        .output()
        .unwrap();
    assert_error(&out, "lorem.txt: index 737 is outside the file (737 bytes)");
    let out = sb.mmt(["slice", "empty.bin", "0"]).output().unwrap();
    assert_error(&out, "index 0 is outside the file (0 bytes)");
}

#[test]
fn bad_ranges_are_errors() {
    let sb = Sandbox::with_fixtures();
    for (range, reason) in [
        ("1:2:0", "slice step cannot be zero"),
        ("1:2:3:4", "expected START:END[:STEP]"),
        ("a:b", "expected a decimal or 0x hex number"),
        ("5+-1", "LEN must not be negative"),
        ("99999999999999999999:", "number is too large"),
    ] {
        let out = sb.mmt(["slice", "lorem.txt", range]).output().unwrap();
        assert_error(&out, &format!("invalid range '{range}': {reason}"));
    }
}

#[test]
fn stepped_slices_in_hex_and_json() {
    let sb = Sandbox::new();
    sb.write("ten", b"0123456789");
    sb.mmt(["slice", "ten", "::-2", "--format", "hex"])
        .assert()
        .stdout("00000001: 3937 3533 31                             97531\n");
    sb.mmt(["--json", "slice", "ten", "-2:"])
        .assert()
        .stdout("{\"offset\":8,\"length\":2,\"data\":{\"text\":\"89\"}}\n");
}

#[test]
fn empty_file_slices_empty() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["slice", "empty.bin", ":", "::-1", "--format", "repr"])
        .assert()
        .success()
        .stdout("b''\nb''\n");
}
