//! What a rewrite keeps and what a failure leaves: mode bits, ACLs, extended
//! attributes and capabilities survive a rewrite; a signal or a full disk leaves no temporary
//! file; limits hold in a memory cgroup. Root-only tests are ignored unless asked for (`.ci/run`
//! asks), and fail where they cannot run.

use std::fs;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::faults::on_small_tmpfs;
use super::util::{LOREM, Sandbox, assert_error, eventually, is_root, mmt_bin};

fn mode(sb: &Sandbox, name: &str) -> u32 {
    fs::metadata(sb.path(name)).unwrap().mode() & 0o7777
}

#[test]
fn a_rewrite_keeps_setuid_and_setgid_bits() {
    let sb = Sandbox::new();
    sb.write("f", b"hello world\n");
    fs::set_permissions(sb.path("f"), fs::Permissions::from_mode(0o6755)).unwrap();
    sb.mmt(["replace", "f", "hello", "hi"]).assert().success();
    assert_eq!(sb.read("f"), b"hi world\n");
    assert_eq!(mode(&sb, "f"), 0o6755);
    fs::set_permissions(sb.path("f"), fs::Permissions::from_mode(0o1640)).unwrap();
    sb.mmt(["replace", "f", "hi", "hello"]).assert().success();
    assert_eq!(mode(&sb, "f"), 0o1640);
}

/// A POSIX ACL as the kernel stores it in `system.posix_acl_access`: owner rw, user `uid` rw,
/// group r, mask rw, other r.
fn acl(uid: u32) -> Vec<u8> {
    let mut acl = 2u32.to_le_bytes().to_vec();
    let undefined = u32::MAX;
    for (tag, perm, id) in [
        (0x01u16, 6u16, undefined),
        (0x02, 6, uid),
        (0x04, 4, undefined),
        (0x10, 6, undefined),
        (0x20, 4, undefined),
    ] {
        acl.extend_from_slice(&tag.to_le_bytes());
        acl.extend_from_slice(&perm.to_le_bytes());
        acl.extend_from_slice(&id.to_le_bytes());
    }
    acl
}

fn xattr(path: &std::path::Path, name: &str) -> Option<Vec<u8>> {
    let mut value = vec![0u8; 4096];
    let len = rustix::fs::getxattr(path, name, value.as_mut_slice()).ok()?;
    value.truncate(len);
    Some(value)
}

#[test]
#[ignore = "needs root; .ci/run runs the ignored tests"]
fn a_rewrite_keeps_acls_and_extended_attributes() {
    let sb = Sandbox::new();
    let f = sb.write("f", b"hello world\n");
    fs::set_permissions(&f, fs::Permissions::from_mode(0o644)).unwrap();
    let flags = rustix::fs::XattrFlags::empty();
    let acl = acl(65534);
    if rustix::fs::setxattr(&f, "system.posix_acl_access", &acl, flags).is_err()
        || rustix::fs::setxattr(&f, "user.mmt-test", b"kept", flags).is_err()
    {
        panic!("this file system has no ACLs or user attributes");
    }
    let before_mode = mode(&sb, "f");
    let stored_acl = xattr(&f, "system.posix_acl_access").unwrap();
    sb.mmt(["replace", "f", "hello", "hi"]).assert().success();
    assert_eq!(sb.read("f"), b"hi world\n");
    assert_eq!(
        xattr(&f, "system.posix_acl_access").as_deref(),
        Some(stored_acl.as_slice())
    );
    assert_eq!(xattr(&f, "user.mmt-test").as_deref(), Some(&b"kept"[..]));
    // The group bits are the ACL's mask, as before: not widened, not narrowed.
    assert_eq!(mode(&sb, "f"), before_mode);
}

#[test]
#[ignore = "needs root; .ci/run runs the ignored tests"]
fn a_rewrite_keeps_a_file_capability() {
    let sb = Sandbox::new();
    let f = sb.write("f", b"hello world\n");
    let set = Command::new("setcap")
        .args(["cap_net_bind_service=+ep", f.to_str().unwrap()])
        .output();
    assert!(
        is_root() && set.is_ok_and(|o| o.status.success()),
        "needs root and setcap to give a file a capability"
    );
    let before = xattr(&f, "security.capability").unwrap();
    sb.mmt(["replace", "f", "hello", "hi"]).assert().success();
    assert_eq!(sb.read("f"), b"hi world\n");
    assert_eq!(xattr(&f, "security.capability"), Some(before));
}

fn temps(sb: &Sandbox) -> impl Iterator<Item = String> {
    sb.listing().into_iter().filter(|n| n.ends_with(".mmt-tmp"))
}

fn signal(child: &Child, name: &str) {
    let sent = Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
}

#[test]
fn a_signal_during_a_rewrite_removes_its_temporary_file() {
    for (name, number) in [("INT", 2), ("TERM", 15), ("HUP", 1), ("BUS", 7)] {
        let sb = Sandbox::with_fixtures();
        let child = sb.spawn_paused(&["replace", "lorem.txt", "Lorem", "L"], "in-rewrite");
        assert_eq!(temps(&sb).count(), 1, "{name}: no temporary file to remove");
        signal(&child, name);
        let out = child.wait_with_output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        if name == "BUS" {
            assert_eq!(out.status.code(), Some(2), "{name}: {stderr}");
            assert!(stderr.starts_with("mmt: "), "{stderr}");
        } else {
            // Ended by the signal itself, as a shell expects of Ctrl-C.
            assert_eq!(out.status.signal(), Some(number), "{name}: {stderr}");
            assert!(stderr.contains("interrupted"), "{name}: {stderr}");
        }
        assert_eq!(sb.read("lorem.txt"), LOREM, "{name}");
        assert_eq!(temps(&sb).count(), 0, "{name}: {:?}", sb.listing());
    }
}

#[test]
fn an_interrupt_during_an_in_place_patch_rolls_the_run_back() {
    // Journalled: the run is before its commit point, so the patch is rolled back, and mmt
    // ends by the signal.
    let sb = Sandbox::with_fixtures();
    let child = sb.spawn_paused(&["replace", "lorem.txt", "Lorem", "LOREM"], "in-patch");
    signal(&child, "INT");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.signal(), Some(2));
    assert_eq!(sb.read("lorem.txt"), LOREM, "never half done, and not done");
    assert!(String::from_utf8_lossy(&out.stderr).contains("rolled back"));
}

#[test]
fn an_interrupt_during_a_patch_without_a_journal_lets_it_finish() {
    // Without a journal a patch cannot be rolled back: its first write is its commit point, so
    // it completes and exits 0, never half done.
    let sb = Sandbox::with_fixtures();
    let child = sb.spawn_paused(
        &["--no-journal", "replace", "lorem.txt", "Lorem", "LOREM"],
        "in-patch",
    );
    signal(&child, "INT");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let expected = String::from_utf8_lossy(LOREM).replace("Lorem", "LOREM");
    assert_eq!(sb.read("lorem.txt"), expected.as_bytes());
}

#[test]
fn an_interrupt_before_the_commit_rolls_back_and_one_after_it_changes_nothing() {
    // Held back until every file is written and synced: still before the commit point.
    let sb = Sandbox::with_fixtures();
    let child = sb.spawn_paused(&["replace", "lorem.txt", "Lorem", "L"], "before-commit");
    wait_for_run(&sb);
    signal(&child, "TERM");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.signal(), Some(15), "{out:?}");
    assert_eq!(sb.read("lorem.txt"), LOREM);
    assert_eq!(temps(&sb).count(), 0, "{:?}", sb.listing());
    // Nothing is left for recover.
    let out = sb.mmt(["recover"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&out.stdout).is_empty(),
        "{:?}",
        String::from_utf8_lossy(&out.stdout)
    );
}

/// Waits until a run is in the sandbox's state directory (its journal written), at most 10 s.
fn wait_for_run(sb: &Sandbox) {
    eventually("a run begins", Duration::from_secs(10), || {
        fs::read_dir(sb.state().join("runs")).is_ok_and(|runs| runs.count() > 0)
    });
}

/// A file of `len` bytes with a needle every 4 KiB.
fn needles(len: usize) -> Vec<u8> {
    let mut data = vec![b'.'; len];
    for at in (0..len - 8).step_by(4096) {
        data[at..at + 6].copy_from_slice(b"NEEDLE");
    }
    data
}

#[test]
fn a_signal_at_any_moment_leaves_old_and_killed_or_new_and_exit_0() {
    // Signals sent at moments spread over the whole run, the final sync included. Every round
    // must be one of the two honest outcomes; a run that committed and then died by the signal
    // (the bug), or one rolled back that exited 0, fails.
    let old = needles(24 << 20);
    let cases: [(&[&str], &str); 3] = [
        (&["replace", "f", "NEEDLE", "NEEDLE2"], "rewrite"),
        (&["replace", "f", "NEEDLE", "ELDEEN"], "in place"),
        (
            &["--no-journal", "replace", "f", "NEEDLE", "NEEDLE2"],
            "no journal",
        ),
    ];
    let mut outcomes = std::collections::BTreeMap::new();
    for (args, what) in cases {
        // First at the steps that decide: before the first write and just before the commit
        // (the run rolled back, killed), and just after the commit (the run completes).
        let steps = [
            ("before-write", "old, killed"),
            ("before-commit", "old, killed"),
            ("after-commit", "new, exit 0"),
        ];
        for (step, expected) in steps {
            // Without a journal, files are synced as they are written: no step before a commit.
            if what == "no journal" && step == "before-commit" {
                continue;
            }
            let sb = Sandbox::new();
            sb.write("f", &old);
            let child = sb.spawn_paused(args, step);
            signal(&child, "TERM");
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            let outcome = if out.status.signal() == Some(15) && sb.read("f") == old {
                "old, killed"
            } else if out.status.code() == Some(0) && sb.read("f") != old {
                "new, exit 0"
            } else {
                panic!("{what}, SIGTERM at {step}: {:?} {stderr}", out.status)
            };
            assert_eq!(outcome, expected, "{what}, SIGTERM at {step}: {stderr}");
            assert_eq!(temps(&sb).count(), 0, "{what}: {:?}", sb.listing());
            *outcomes.entry((what, outcome)).or_insert(0) += 1;
        }
        let new = {
            let sb = Sandbox::new();
            sb.write("f", &old);
            let started = Instant::now();
            sb.mmt(args).assert().success();
            let took = started.elapsed();
            (sb.read("f"), took)
        };
        let (new, took) = new;
        for round in 0..10u32 {
            for (name, number) in [("INT", 2), ("TERM", 15)] {
                let sb = Sandbox::new();
                sb.write("f", &old);
                let child = Command::new(mmt_bin())
                    .env("MMT_STATE_DIR", sb.state())
                    .args(args)
                    .current_dir(sb.dir())
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap();
                // A moment between the start and a little past the usual end.
                let at = took.mul_f64(f64::from(round) / 8.0);
                std::thread::sleep(at);
                signal(&child, name);
                let out = child.wait_with_output().unwrap();
                let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
                let now = sb.read("f");
                let outcome = if out.status.signal() == Some(number) {
                    assert!(
                        now == old,
                        "{what}, {name} at {at:?}: killed but changed; {stderr}"
                    );
                    "old, killed"
                } else {
                    assert_eq!(out.status.code(), Some(0), "{what}, {name}: {stderr}");
                    assert!(now == new, "{what}, {name} at {at:?}: exit 0 but not new");
                    "new, exit 0"
                };
                assert_eq!(temps(&sb).count(), 0, "{what}: {:?}", sb.listing());
                *outcomes.entry((what, outcome)).or_insert(0) += 1;
            }
        }
    }
    // Each case was seen to end both ways.
    for (_, what) in cases {
        for outcome in ["old, killed", "new, exit 0"] {
            assert!(
                outcomes.contains_key(&(what, outcome)),
                "{what}: never {outcome}: {outcomes:?}"
            );
        }
    }
}

#[test]
fn temporary_files_of_dead_runs_are_removed_and_live_ones_kept() {
    let sb = Sandbox::new();
    sb.write("f", b"hello world\n");
    // pid_max is at most 4194304: no process can have the id 4194305.
    sb.write(".f.abcdef.4194305.mmt-tmp", b"left by a killed run");
    let live = format!(".f.ghijkl.{}.mmt-tmp", std::process::id());
    sb.write(&live, b"being written by a live run");
    sb.mmt(["replace", "f", "hello", "hi"]).assert().success();
    assert_eq!(sb.listing(), [live.clone(), "f".to_owned()]);
    // Two files of one directory, whose listing a run reads once: each one's are found.
    sb.write("g", b"hi world\n");
    sb.write(".f.mnopqr.4194305.mmt-tmp", b"left by a killed run");
    sb.write(".g.stuvwx.4194305.mmt-tmp", b"left by a killed run");
    sb.mmt(["replace", "f", "g", "hi", "hello"])
        .assert()
        .success();
    assert_eq!(sb.listing(), [live, "f".to_owned(), "g".to_owned()]);
}

#[test]
#[ignore = "needs root; .ci/run runs the ignored tests"]
fn a_backup_on_a_full_disk_leaves_no_partial_copy() {
    let sb = Sandbox::new();
    let script = r#"
        head -c 614400 /dev/zero | tr '\0' 'a' > "$MNT/f"
        "$MMT" replace "$MNT/f" aaaa bbbb --backup .bak > "$MNT/../out" 2> "$MNT/../err"; echo $? > "$MNT/../rc"
        ls -A "$MNT" > "$MNT/../listing"
        head -c 4 "$MNT/f" > "$MNT/../head"
    "#;
    on_small_tmpfs(&sb, script);
    assert_eq!(String::from_utf8_lossy(&sb.read("rc")).trim(), "2");
    let stderr = String::from_utf8_lossy(&sb.read("err")).into_owned();
    assert!(
        stderr.contains("cannot write the backup") && stderr.contains("No space left"),
        "{stderr}"
    );
    assert_eq!(String::from_utf8_lossy(&sb.read("listing")).trim(), "f");
    assert_eq!(sb.read("head"), b"aaaa");
}

#[test]
fn an_in_place_backup_of_a_sparse_file_keeps_its_holes() {
    let sb = Sandbox::new();
    let f = fs::File::create(sb.path("sparse")).unwrap();
    f.set_len(64 << 20).unwrap();
    std::os::unix::fs::FileExt::write_all_at(&f, b"hello", 1 << 20).unwrap();
    drop(f);
    sb.mmt(["replace", "sparse", "hello", "HELLO", "--backup", ".bak"])
        .assert()
        .success();
    let backup = fs::metadata(sb.path("sparse.bak")).unwrap();
    assert_eq!(backup.len(), 64 << 20);
    assert!(
        backup.blocks() * 512 < 1 << 20,
        "{} bytes allocated",
        backup.blocks() * 512
    );
    let bytes = sb.read("sparse.bak");
    assert_eq!(&bytes[1 << 20..(1 << 20) + 5], b"hello");
    assert!(bytes[..1 << 20].iter().all(|&b| b == 0));
}

#[test]
fn a_file_whose_name_is_near_the_limit_can_be_rewritten() {
    let sb = Sandbox::new();
    let name = "n".repeat(250);
    sb.write(&name, b"hello world\n");
    sb.mmt(["replace", name.as_str(), "hello", "hi"])
        .assert()
        .success();
    assert_eq!(sb.read(&name), b"hi world\n");
    assert_eq!(sb.listing(), [name]);
}

#[test]
fn a_same_size_change_between_planning_and_writing_is_refused() {
    let sb = Sandbox::with_fixtures();
    for new in ["LOREM", "L"] {
        sb.write("f", LOREM);
        let child = sb.spawn_paused(&["replace", "f", "Lorem", new], "before-write");
        let same_size = String::from_utf8_lossy(LOREM).replace("Lorem", "Ipsum");
        fs::OpenOptions::new()
            .write(true)
            .open(sb.path("f"))
            .and_then(|mut f| std::io::Write::write_all(&mut f, same_size.as_bytes()))
            .unwrap();
        child.release();
        let out = child.wait_with_output().unwrap();
        assert_error(
            &out,
            "f: the file was changed by another process while mmt planned its edits",
        );
        assert_eq!(sb.read("f"), same_size.as_bytes());
    }
}

/// Runs `script` (given the binary as `$MMT`) in a new memory cgroup limited to 512 MiB; the
/// script's output, or `None` where this machine cannot make one.
fn in_memory_cgroup(script: &str) -> Option<std::process::Output> {
    if !is_root() {
        return None;
    }
    let name = format!("mmt-test-{}", std::process::id());
    let (dir, limit_file) = if fs::metadata("/sys/fs/cgroup/cgroup.controllers").is_ok() {
        (format!("/sys/fs/cgroup/{name}"), "memory.max")
    } else if fs::metadata("/sys/fs/cgroup/memory").is_ok() {
        (
            format!("/sys/fs/cgroup/memory/{name}"),
            "memory.limit_in_bytes",
        )
    } else {
        return None;
    };
    fs::create_dir(&dir).ok()?;
    let limited = fs::write(format!("{dir}/{limit_file}"), (512u64 << 20).to_string()).is_ok();
    let out = limited.then(|| {
        let full = format!(
            "echo $$ > '{dir}/cgroup.procs' && MMT='{}' && {script}",
            mmt_bin()
        );
        Command::new("sh").args(["-c", &full]).output().unwrap()
    });
    let _ = fs::remove_dir(&dir);
    out
}

#[test]
#[ignore = "needs root; .ci/run runs the ignored tests"]
fn streams_stay_within_a_memory_cgroup() {
    let Some(out) = in_memory_cgroup(r#"exec "$MMT" find /dev/zero abc"#) else {
        panic!("needs root and a writable memory cgroup");
    };
    // Refused with a message, not killed by the out-of-memory killer (137).
    assert_error(&out, "of memory mmt may hold it in");
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mib: u64 = stderr
        .split("larger than the ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(mib <= 256, "{stderr}");
}

#[test]
fn a_stream_is_bounded_outside_a_cgroup_too() {
    let out = Command::new(mmt_bin())
        .env("MMT_STATE_DIR", super::util::scratch_state())
        .args(["find", "/dev/zero", "abc"])
        .output()
        .unwrap();
    assert_error(&out, "at most 2 GiB");
}
