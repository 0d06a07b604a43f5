//! What cannot or should not be mapped (standard input, FIFOs, /proc, endless devices), files
//! past 4 GiB, and a file truncated under the map.

use std::fs::File;
use std::io::Read;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::process::{Command, Stdio};

use super::util::{Sandbox, assert_error};

#[test]
fn standard_input() {
    let sb = Sandbox::new();
    sb.mmt(["read", "-", "5", "5", "--format", "repr"])
        .write_stdin("Lorem ipsum")
        .assert()
        .stdout("b'Lorem'\nb' ipsu'\n");
    sb.mmt(["slice", "-", "-5:"])
        .write_stdin("Lorem ipsum")
        .assert()
        .stdout("ipsum");
    sb.mmt(["find", "-", "ip", "--all"])
        .write_stdin("Lorem ipsum ip")
        .assert()
        .stdout("6\n12\n");
    sb.mmt(["--no-mmap", "read", "-"])
        .write_stdin("")
        .assert()
        .success()
        .stdout("");
}

#[test]
fn a_fifo_is_read_not_mapped() {
    let sb = Sandbox::new();
    let fifo = sb.path("fifo");
    let status = Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(status.success());
    let writer = std::thread::spawn(move || std::fs::write(fifo, b"through a pipe\n").unwrap());
    sb.mmt(["grep", "fifo", r"\w+", "--count"])
        .assert()
        .success()
        .stdout("3\n");
    writer.join().unwrap();
}

#[test]
fn proc_files_that_report_size_zero() {
    let sb = Sandbox::new();
    assert_eq!(std::fs::metadata("/proc/self/status").unwrap().len(), 0);
    sb.mmt(["read", "/proc/self/status", "--lines", "1"])
        .assert()
        .success()
        .stdout("Name:\tmmt\n");
    sb.mmt(["grep", "/proc/self/status", r"(?m)^Pid:\s+\d+", "--count"])
        .assert()
        .success()
        .stdout("1\n");
}

#[test]
fn sysfs_files_that_cannot_be_mapped_are_read() {
    let path = "/sys/devices/system/cpu/online";
    assert!(
        std::path::Path::new(path).exists(),
        "no {path} on this machine"
    );
    let expected = std::fs::read(path).unwrap();
    let out = Sandbox::new().mmt(["read", path]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.stdout, expected);
}

#[test]
fn endless_devices_are_read_only_as_far_as_needed() {
    let sb = Sandbox::new();
    sb.mmt(["read", "/dev/zero", "4", "--format", "repr"])
        .assert()
        .success()
        .stdout("b'\\x00\\x00\\x00\\x00'\n");
    let out = sb
        .mmt(["slice", "/dev/urandom", "8+8", "0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(out.stdout.len(), 9);
}

#[test]
fn an_endless_stream_read_to_its_end_is_a_clean_error() {
    // Under a 1 GiB address-space limit the buffer for /dev/zero cannot grow far.
    let sb = Sandbox::new();
    let out = sb
        .bash(r#"ulimit -v 1048576; exec "$MMT" read /dev/zero 99999999999"#)
        .output()
        .unwrap();
    assert_error(&out, "mmt: /dev/zero: cannot read: ");
}

#[test]
fn empty_file_everywhere() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["read", "empty.bin", "--format", "hex"])
        .assert()
        .success()
        .stdout("");
    sb.mmt(["--no-mmap", "slice", "empty.bin", ":"])
        .assert()
        .success()
        .stdout("");
    sb.mmt(["find", "empty.bin", "a"]).assert().code(1);
    sb.mmt(["replace", "empty.bin", "a", "b"]).assert().code(1);
    sb.mmt(["--copy", "replace", "empty.bin", "a", "b"])
        .assert()
        .code(1);
}

/// A sparse file of 64 GiB (no disk used) with `MARK` past 4 GiB and `TAIL` at its very end.
fn sparse_64_gib(sb: &Sandbox) -> u64 {
    let marker_at: u64 = 0x1_2000_0000;
    let file = File::create(sb.path("sparse")).unwrap();
    file.set_len(64 << 30).unwrap();
    file.write_all_at(b"MARK", marker_at).unwrap();
    file.write_all_at(b"TAIL", (64 << 30) - 4).unwrap();
    marker_at
}

fn allocated_bytes(sb: &Sandbox, name: &str) -> u64 {
    std::fs::metadata(sb.path(name)).unwrap().blocks() * 512
}

#[test]
fn a_64_gib_sparse_file_is_read_only_where_needed() {
    let sb = Sandbox::new();
    let at = sparse_64_gib(&sb);
    let hex_at = format!("{at:#x}");
    sb.mmt(["slice", "sparse", &format!("{hex_at}+4")])
        .assert()
        .success()
        .stdout("MARK");
    sb.mmt(["slice", "sparse", "-4:"])
        .assert()
        .success()
        .stdout("TAIL");
    sb.mmt(["read", "sparse", "4", "--seek", "-4"])
        .assert()
        .success()
        .stdout("TAIL");
    let out = sb
        .mmt(["slice", "sparse", "-5", "--format", "hex"])
        .output()
        .unwrap();
    let dump = String::from_utf8(out.stdout).unwrap();
    assert!(
        dump.starts_with("ffffffffb: 00 ") && dump.ends_with("  .\n"),
        "{dump}"
    );
    // Literal searches look only at the data (and the needle's reach around it).
    sb.mmt(["find", "sparse", "MARK"])
        .assert()
        .success()
        .stdout(format!("{at}\n"));
    sb.mmt(["find", "sparse", "\\0TAIL", "--escapes", "--last"])
        .assert()
        .success()
        .stdout(format!("{}\n", (64u64 << 30) - 5));
    sb.mmt(["find", "sparse", "A", "--count"])
        .assert()
        .success()
        .stdout("2\n");
    assert!(
        allocated_bytes(&sb, "sparse") < 1 << 20,
        "nothing was allocated by reading"
    );
}

#[test]
fn a_64_gib_sparse_file_is_patched_where_needed_and_stays_sparse() {
    let sb = Sandbox::new();
    let at = sparse_64_gib(&sb);
    let hex_at = format!("{at:#x}");
    sb.mmt(["write", "sparse", "0x800000000", "hole"])
        .assert()
        .success();
    sb.mmt(["slice", "sparse", "0x800000000+4"])
        .assert()
        .success()
        .stdout("hole");
    sb.mmt(["replace", "sparse", "MARK", "mark"])
        .assert()
        .success()
        .stderr("sparse: 1 replacement\n");
    sb.mmt(["--copy", "replace", "sparse", "TAIL", "tail"])
        .assert()
        .success();
    // A length change rewrites 64 GiB: the holes are skipped, not copied as zeros.
    sb.mmt(["replace", "sparse", "mark", "marker"])
        .assert()
        .success();
    sb.mmt(["slice", "sparse", &format!("{hex_at}+6"), "-4:"])
        .assert()
        .success()
        .stdout("markerTAIL");
    let meta = std::fs::metadata(sb.path("sparse")).unwrap();
    assert_eq!(meta.len(), (64 << 30) + 2);
    assert!(
        allocated_bytes(&sb, "sparse") < 1 << 20,
        "the file stayed sparse"
    );
}

#[test]
fn truncation_under_the_map_is_an_error_not_a_bus_error() {
    let sb = Sandbox::new();
    sb.write("big", &vec![b'a'; 32 << 20]);
    let mut child = Command::new(super::util::mmt_bin())
        .env("MMT_STATE_DIR", sb.state())
        .args(["find", "big", "a", "--all"])
        .current_dir(sb.dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // mmt has mapped the file and blocks on the full pipe; now the file loses its pages.
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 4096];
    stdout.read_exact(&mut first).unwrap();
    File::options()
        .write(true)
        .open(sb.path("big"))
        .unwrap()
        .set_len(0)
        .unwrap();
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    let out = std::process::Output {
        stdout: Vec::new(),
        ..out
    };
    assert_error(&out, "mmt: big: file was truncated while mapped");
}
