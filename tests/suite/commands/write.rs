//! `mmt write`: overwrite bytes in place, never past the end.

use super::util::{Sandbox, assert_error};

#[test]
fn overwrites_in_place() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["write", "lorem.txt", "0", "LOREM"])
        .assert()
        .success()
        .stdout("")
        .stderr("lorem.txt: wrote 5 bytes at offset 0\n");
    assert!(sb.read("lorem.txt").starts_with(b"LOREM ipsum"));
    assert_eq!(sb.read("lorem.txt").len(), 737);
}

#[test]
fn negative_offsets_count_from_the_end() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["write", "lorem.txt", "-7", "JUSTO"])
        .assert()
        .success();
    assert!(sb.read("lorem.txt").ends_with(b"JUSTO.\n"));
}

#[test]
fn hex_and_escaped_data() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["write", "binary.bin", "0x104", "6d 61 67 69 63", "--hex"])
        .assert()
        .success();
    sb.mmt(["write", "binary.bin", "0", r"\x00\n\\", "--escapes"])
        .assert()
        .success();
    let bytes = sb.read("binary.bin");
    assert_eq!(&bytes[260..265], b"magic");
    assert_eq!(&bytes[..3], b"\x00\n\\");
    assert_eq!(bytes.len(), super::util::BINARY.len());
}

#[test]
fn past_the_end_is_refused_and_nothing_is_written() {
    let sb = Sandbox::with_fixtures();
    sb.age("lorem.txt");
    let before = sb.mtime("lorem.txt");
    for (offset, data) in [
        ("735", "abc"),
        ("737", "a"),
        ("-738", "a"),
        ("99999999999999999999", "a"),
    ] {
        let out = sb
            .mmt(["write", "lorem.txt", offset, data])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
    }
    let out = sb
        .mmt(["write", "lorem.txt", "735", "abc"])
        .output()
        .unwrap();
    assert_error(
        &out,
        "lorem.txt: writing 3 bytes at offset 735 would run past the end of the file (737 bytes); nothing written",
    );
    let out = sb.mmt(["write", "lorem.txt", "0", ""]).output().unwrap();
    assert_error(&out, "DATA is empty");
    assert_eq!(sb.read("lorem.txt"), super::util::LOREM);
    assert_eq!(sb.mtime("lorem.txt"), before);
}

#[test]
fn copy_previews_and_leaves_the_file_alone() {
    let sb = Sandbox::with_fixtures();
    sb.age("binary.bin");
    let before = sb.mtime("binary.bin");
    sb.mmt(["--copy", "write", "binary.bin", "260", "magic"])
        .assert()
        .success()
        .stdout(
            "@@ 0x104: 5 bytes -> 5 bytes @@\n\
             -00000104: 4d41 4749 43                             MAGIC\n\
             +00000104: 6d61 6769 63                             magic\n",
        )
        .stderr("binary.bin: wrote 5 bytes at offset 260 (dry run, file unchanged)\n");
    assert_eq!(sb.read("binary.bin"), super::util::BINARY);
    assert_eq!(sb.mtime("binary.bin"), before);
}

#[test]
fn no_mmap_writes_through_ordinary_io() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["--no-mmap", "write", "crlf.txt", "0", "FIRST"])
        .assert()
        .success();
    assert_eq!(
        sb.read("crlf.txt"),
        b"FIRST line\r\nsecond line\r\nthird line\r\n"
    );
}

#[test]
fn json_report() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["write", "crlf.txt", "-2", r"\n\n", "--escapes", "--json"])
        .assert()
        .success()
        .stdout("{\"file\":{\"text\":\"crlf.txt\"},\"offset\":35,\"length\":2,\"mode\":\"in-place\",\"dry_run\":false}\n");
}

#[test]
fn a_name_is_escaped_once_in_the_summary() {
    let sb = Sandbox::new();
    sb.write("a\\b.txt", b"xyz");
    let out = sb.mmt(["write", "a\\b.txt", "0", "H"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "a\\\\b.txt: wrote 1 byte at offset 0\n"
    );
    assert_eq!(sb.read("a\\b.txt"), b"Hyz");
}
