//! Write failures and interference: a full disk, an immutable file, a read-only directory, a
//! file changed by another process between planning and writing. Each leaves the original intact
//! and no temporary file. Tests that need root (mounts, chattr, dropping privileges) say so and
//! pass without checking when they cannot run.

use std::fs;
use std::process::Command;

use super::util::{LOREM, Sandbox, assert_error, is_root, mmt_bin};

/// Runs `script` in a private mount namespace with a 1 MiB tmpfs mounted at `$MNT`, and asserts
/// that it ran through. Needs root and mount namespaces: the tests that call it are ignored
/// unless asked for, and fail where they cannot run.
pub fn on_small_tmpfs(sb: &Sandbox, script: &str) {
    let probe = Command::new("unshare").args(["-m", "true"]).output();
    assert!(
        is_root() && probe.is_ok_and(|o| o.status.success()),
        "needs root and mount namespaces (unshare -m) to mount a small tmpfs"
    );
    let full = format!(
        "set -u; MNT='{dir}/mnt'; mkdir -p \"$MNT\"; mount -t tmpfs -o size=1m tmpfs \"$MNT\" || exit 77; MMT='{bin}'; {script}",
        dir = sb.dir().display(),
        bin = mmt_bin()
    );
    let out = Command::new("unshare")
        .env("MMT_STATE_DIR", sb.state())
        .args(["-m", "bash", "-c", &full])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(77), "could not mount a tmpfs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the test script failed: {stderr}");
}

#[test]
#[ignore = "needs root; .ci/run runs the ignored tests"]
fn a_full_disk_fails_a_rewrite_cleanly() {
    let sb = Sandbox::new();
    // A 600 KiB file on a 1 MiB file system: its rewrite cannot fit beside it.
    let script = r#"
        head -c 614400 /dev/zero | tr '\0' 'a' > "$MNT/f"
        "$MMT" replace "$MNT/f" a bb > "$MNT/../out" 2> "$MNT/../err"; echo $? > "$MNT/../rc"
        cmp -s "$MNT/f" <(head -c 614400 /dev/zero | tr '\0' 'a') && echo intact > "$MNT/../state"
        ls -A "$MNT" > "$MNT/../listing"
    "#;
    on_small_tmpfs(&sb, script);
    assert_eq!(String::from_utf8_lossy(&sb.read("rc")).trim(), "2");
    assert!(sb.read("out").is_empty());
    let stderr = String::from_utf8_lossy(&sb.read("err")).into_owned();
    assert!(
        stderr.starts_with("mmt: ") && stderr.contains("No space left on device"),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert_eq!(String::from_utf8_lossy(&sb.read("state")).trim(), "intact");
    assert_eq!(String::from_utf8_lossy(&sb.read("listing")).trim(), "f");
}

#[test]
#[ignore = "needs root; .ci/run runs the ignored tests"]
fn writing_into_a_hole_on_a_full_disk_is_an_error_not_a_bus_error() {
    let sb = Sandbox::new();
    // A sparse 64 MiB file on a 1 MiB tmpfs that is then filled up: the patch needs a new block.
    let script = r#"
        truncate -s 64M "$MNT/sparse"
        head -c 1048576 /dev/zero > "$MNT/filler" 2>/dev/null
        "$MMT" write "$MNT/sparse" 0x2000000 data > "$MNT/../out" 2> "$MNT/../err"; echo $? > "$MNT/../rc"
        "$MMT" find "$MNT/sparse" data > /dev/null; echo $? > "$MNT/../found"
    "#;
    on_small_tmpfs(&sb, script);
    assert_eq!(String::from_utf8_lossy(&sb.read("rc")).trim(), "2");
    let stderr = String::from_utf8_lossy(&sb.read("err")).into_owned();
    assert!(
        stderr.contains("cannot allocate space for the edit; nothing written"),
        "{stderr}"
    );
    assert!(stderr.contains("No space left on device"), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&sb.read("found")).trim(),
        "1",
        "nothing was written"
    );
}

#[test]
#[ignore = "needs root; .ci/run runs the ignored tests"]
fn an_immutable_file_is_refused_both_ways() {
    let sb = Sandbox::with_fixtures();
    let path = sb.path("lorem.txt");
    let set = Command::new("chattr").arg("+i").arg(&path).output();
    assert!(
        set.is_ok_and(|o| o.status.success()),
        "chattr +i needs root and a file system that supports it"
    );
    let same_length = sb
        .mmt(["replace", "lorem.txt", "Lorem", "LOREM"])
        .output()
        .unwrap();
    let rewrite = sb
        .mmt(["replace", "lorem.txt", "Lorem", "L"])
        .output()
        .unwrap();
    let listing = sb.listing();
    Command::new("chattr")
        .arg("-i")
        .arg(&path)
        .status()
        .unwrap();
    assert_error(
        &same_length,
        "lorem.txt: cannot open for writing: Operation not permitted",
    );
    // The journal's link to the old content is refused first, before any temporary file.
    assert_error(
        &rewrite,
        "lorem.txt: cannot keep the old content in the journal: Operation not permitted",
    );
    assert_eq!(sb.read("lorem.txt"), LOREM);
    assert_eq!(
        listing,
        ["binary.bin", "crlf.txt", "empty.bin", "lorem.txt"]
    );
}

#[test]
fn a_read_only_directory_refuses_a_rewrite_and_allows_a_patch() {
    let sb = Sandbox::new();
    let dir = sb.path("ro");
    fs::create_dir(&dir).unwrap();
    fs::write(dir.join("f"), b"one two").unwrap();
    // Root ignores permission bits, so as root the runs drop to an unprivileged user.
    let run = |args: &[&str]| {
        let mut cmd = if is_root() {
            let mut cmd = Command::new("setpriv");
            cmd.args([
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                mmt_bin(),
            ]);
            cmd.env("MMT_STATE_DIR", super::util::unprivileged_state(&sb));
            cmd
        } else {
            let mut cmd = Command::new(mmt_bin());
            cmd.env("MMT_STATE_DIR", super::util::scratch_state());
            cmd
        };
        cmd.args(args).current_dir(&dir).output().unwrap()
    };
    if is_root() {
        use std::os::unix::fs::chown;
        chown(&dir, Some(65534), Some(65534)).unwrap();
        chown(dir.join("f"), Some(65534), Some(65534)).unwrap();
        fs::set_permissions(
            sb.dir(),
            std::os::unix::fs::PermissionsExt::from_mode(0o755),
        )
        .unwrap();
        assert!(
            Command::new("setpriv").arg("--version").output().is_ok(),
            "running as root, this test needs setpriv to drop privileges"
        );
    }
    fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o555)).unwrap();
    let rewrite = run(&["replace", "f", "one", "three"]);
    assert_error(&rewrite, "f: cannot create a temporary file in");
    assert_eq!(fs::read(dir.join("f")).unwrap(), b"one two");
    // A same-length patch needs only the file to be writable.
    let patch = run(&["replace", "f", "one", "ONE"]);
    assert_eq!(
        patch.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&patch.stderr)
    );
    assert_eq!(fs::read(dir.join("f")).unwrap(), b"ONE two");
    fs::set_permissions(&dir, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    assert_eq!(
        fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary file left"
    );
}

/// Runs `mmt replace` held between planning and writing, and `interfere` there.
fn interfere_between_plan_and_write(
    sb: &Sandbox,
    args: &[&str],
    interfere: impl FnOnce(),
) -> std::process::Output {
    let child = sb.spawn_paused(args, "before-write");
    interfere();
    child.release();
    child.wait_with_output().unwrap()
}

#[test]
fn a_file_resized_between_planning_and_writing_is_refused() {
    let sb = Sandbox::with_fixtures();
    for new in ["LOREM", "L"] {
        sb.write("f", LOREM);
        let out = interfere_between_plan_and_write(&sb, &["replace", "f", "Lorem", new], || {
            let mut grown = LOREM.to_vec();
            grown.extend_from_slice(b"appended by another process\n");
            fs::write(sb.path("f"), &grown).unwrap();
        });
        assert_error(
            &out,
            "f: the file changed size (737 to 765 bytes) while mmt planned its edits; nothing written",
        );
        assert!(sb.read("f").ends_with(b"appended by another process\n"));
        assert!(sb.read("f").starts_with(b"Lorem"));
    }
}

#[test]
fn a_file_replaced_between_planning_and_writing_is_refused() {
    let sb = Sandbox::with_fixtures();
    for new in ["LOREM", "L"] {
        sb.write("f", LOREM);
        let out = interfere_between_plan_and_write(&sb, &["replace", "f", "Lorem", new], || {
            sb.write("other", b"a new file renamed over f\n");
            fs::rename(sb.path("other"), sb.path("f")).unwrap();
        });
        assert_error(
            &out,
            "f: the file was replaced by another process while mmt planned its edits; nothing written",
        );
        assert_eq!(sb.read("f"), b"a new file renamed over f\n");
    }
    assert_eq!(
        sb.listing(),
        ["binary.bin", "crlf.txt", "empty.bin", "f", "lorem.txt"]
    );
}

#[test]
#[ignore = "needs root; .ci/run runs the ignored tests"]
fn a_block_device_is_read_through_its_real_size_and_never_patched() {
    let sb = Sandbox::new();
    let image = sb.path("disk.img");
    let mut bytes = vec![0u8; 1 << 20];
    bytes[0x1fe..0x200].copy_from_slice(&[0x55, 0xaa]);
    fs::write(&image, &bytes).unwrap();
    let attach = Command::new("losetup")
        .args(["-f", "--show"])
        .arg(&image)
        .output();
    let Some(device) = attach
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
    else {
        panic!("losetup (root, loop devices) is not available");
    };
    let slice = sb
        .mmt(["slice", &device, "0x1fe+2", "--format", "hex"])
        .output()
        .unwrap();
    let size = sb
        .mmt(["read", &device, "--seek", "-1", "--format", "repr"])
        .output()
        .unwrap();
    let find = sb.mmt(["find", &device, "55aa", "--hex"]).output().unwrap();
    let write = sb.mmt(["write", &device, "0", "x"]).output().unwrap();
    Command::new("losetup")
        .arg("-d")
        .arg(&device)
        .status()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&slice.stdout),
        "000001fe: 55aa                                     U.\n"
    );
    assert_eq!(String::from_utf8_lossy(&size.stdout), "b'\\x00'\n");
    assert_eq!(String::from_utf8_lossy(&find.stdout), "510\n");
    assert_error(
        &write,
        "not a regular file (a block device); only regular files can be patched",
    );
}

#[test]
fn hostile_numbers_and_patterns_get_clean_answers() {
    let sb = Sandbox::with_fixtures();
    sb.mmt([
        "replace",
        "lorem.txt",
        "Lorem",
        "LOREM",
        "--max",
        "18446744073709551615",
    ])
    .assert()
    .success();
    let out = sb
        .mmt([
            "replace",
            "lorem.txt",
            "a",
            "b",
            "--max",
            "18446744073709551616",
        ])
        .output()
        .unwrap();
    assert_error(&out, "number is too large");
    let huge_alternation: String = (0..20_000).map(|i| format!("w{i}|")).collect::<String>() + "x";
    let out = sb
        .mmt(["grep", "lorem.txt", &format!("({huge_alternation}){{100}}")])
        .output()
        .unwrap();
    assert_error(&out, "invalid pattern");
    sb.mmt(["grep", "lorem.txt", &format!("{}zz", "a?".repeat(200))])
        .assert()
        .code(1);
}
