//! A run that writes is all or nothing: a journal before the first byte changes,
//! rollback when a file fails, recovery after SIGKILL at any step, and `mmt undo`.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::ExitStatusExt;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::util::{
    LOREM, Paused, Reaped, Sandbox, assert_error, eventually, is_root, start_paused_in,
    start_paused_with, stdout_of,
};

/// Five small files, each with `foo` in it.
fn five_files(sb: &Sandbox) -> Vec<(String, Vec<u8>)> {
    (1..=5)
        .map(|i| {
            let name = format!("f{i}.txt");
            let body = format!("file {i}: foo and foo\n").into_bytes();
            sb.write(&name, &body);
            (name, body)
        })
        .collect()
}

fn assert_all_as_they_were(sb: &Sandbox, files: &[(String, Vec<u8>)]) {
    for (name, body) in files {
        assert_eq!(&sb.read(name), body, "{name}");
    }
}

/// No temporary file beside the files, and no run left open in the state directory.
fn assert_nothing_left(sb: &Sandbox) {
    let stray: Vec<String> = sb
        .listing()
        .into_iter()
        .filter(|n| n.contains(".mmt-"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
    let open: Vec<_> = fs::read_dir(sb.state().join("runs"))
        .map(|entries| {
            entries
                .flatten()
                .filter(|e| !e.path().join("committed").exists())
                .map(|e| e.path())
                .collect()
        })
        .unwrap_or_default();
    assert!(open.is_empty(), "runs left open: {open:?}");
}

/// Runs `mmt ARGS` and kills it (SIGKILL) at the step `pause` names.
fn killed_at(sb: &Sandbox, args: &[&str], pause: &str) {
    kill(sb.spawn_paused(args, pause), "KILL");
}

fn kill(child: Paused, signal: &str) -> std::process::Output {
    let sent = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    child.wait_with_output().unwrap()
}

#[test]
fn a_run_killed_at_any_step_is_rolled_back_by_recover() {
    for step in [
        "after-journal",
        "in-rewrite",
        "between-files",
        "before-commit",
    ] {
        let sb = Sandbox::new();
        let files = five_files(&sb);
        // Three rewrites (foo -> longer) and, in f4 and f5, the same length: both kinds.
        fs::write(sb.path("f4.txt"), b"file 4: foo and foo\n").unwrap();
        let child = sb.spawn_paused(
            &[
                "replace", "f1.txt", "f2.txt", "f3.txt", "f4.txt", "f5.txt", "foo", "quux",
            ],
            step,
        );
        let out = kill(child, "KILL");
        assert_eq!(out.status.signal(), Some(9), "{step}");
        let recovered = stdout_of(sb.mmt(["recover"]).env("NO_COLOR", "1"));
        assert!(recovered.is_empty());
        let out = sb.mmt(["recover"]).output().unwrap();
        // The first recover rolled back; a second has nothing left.
        assert_eq!(out.status.code(), Some(1), "{step}");
        assert_all_as_they_were(&sb, &files);
        assert_nothing_left(&sb);
    }
}

#[test]
fn recover_says_what_it_rolled_back() {
    let sb = Sandbox::new();
    let files = five_files(&sb);
    killed_at(
        &sb,
        &["replace", "f1.txt", "f2.txt", "foo", "quux"],
        "before-commit",
    );
    // Both files were rewritten before the kill.
    assert_ne!(sb.read("f1.txt"), files[0].1);
    let out = sb.mmt(["recover"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 2, "{stderr}");
    assert!(
        stderr.contains(
            "f1.txt: rolled back (an interrupted run of `mmt replace f1.txt f2.txt foo quux`)"
        ),
        "{stderr}"
    );
    assert_all_as_they_were(&sb, &files);
}

/// A file of an interrupted run removed since: recovery says it is gone and puts nothing back
/// (nor makes it again); a run whose files are all gone is let go of by the next command,
/// which says so once, and no later command says a run waits.
#[test]
fn recover_says_a_removed_file_is_gone_and_lets_a_run_of_gone_files_go() {
    let sb = Sandbox::new();
    let files = five_files(&sb);
    killed_at(
        &sb,
        &["replace", "f1.txt", "f2.txt", "foo", "quux"],
        "before-commit",
    );
    fs::remove_file(sb.path("f1.txt")).unwrap();
    let out = sb.mmt(["recover"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("f1.txt: gone (nothing rolled back: an interrupted run of `mmt replace"),
        "{stderr}"
    );
    assert!(
        stderr.contains("f2.txt: rolled back (an interrupted run"),
        "{stderr}"
    );
    assert!(!sb.path("f1.txt").exists());
    assert_eq!(sb.read("f2.txt"), files[1].1);

    // Every file gone: an unrelated command lets the run go, saying so once.
    killed_at(&sb, &["replace", "f3.txt", "foo", "quux"], "before-commit");
    fs::remove_file(sb.path("f3.txt")).unwrap();
    let out = sb.mmt(["find", "f4.txt", "foo"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("f3.txt: gone (nothing rolled back"),
        "{stderr}"
    );
    assert!(!stderr.contains("waits"), "{stderr}");
    let out = sb.mmt(["find", "f4.txt", "foo"]).output().unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
    let out = sb.mmt(["recover"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
}

/// Writes `dense.txt` (300,000 hits) and kills a replace of them halfway through its in-place
/// patch; gives what the file held before, and what it holds now: neither old nor new.
fn dense_patch_killed_halfway(sb: &Sandbox) -> (Vec<u8>, Vec<u8>) {
    let body = "consectetur ".repeat(300_000).into_bytes();
    sb.write("dense.txt", &body);
    killed_at(
        sb,
        &["replace", "dense.txt", "consectetur", "CONSECTETUR"],
        "mid-patch",
    );
    let torn = sb.read("dense.txt");
    assert!(torn.starts_with(b"CONSECTETUR") && torn.ends_with(b"consectetur "));
    (body, torn)
}

#[test]
fn a_dense_in_place_patch_killed_halfway_is_rolled_back_by_the_next_command() {
    let sb = Sandbox::new();
    let (body, _) = dense_patch_killed_halfway(&sb);
    // A reading command rolls back first and says so: it never shows a half-patched file.
    let out = sb
        .mmt(["find", "dense.txt", "CONSECTETUR", "--count"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "0\n");
    assert!(String::from_utf8_lossy(&out.stderr).contains("dense.txt: rolled back"));
    assert_eq!(sb.read("dense.txt"), body);
    assert_nothing_left(&sb);
}

#[test]
fn a_recover_killed_partway_is_finished_by_the_next_recover() {
    let sb = Sandbox::new();
    let (body, torn) = dense_patch_killed_halfway(&sb);
    killed_at(&sb, &["recover"], "mid-restore");
    // Killed partway: some of the old bytes are back, not all.
    let partway = sb.read("dense.txt");
    assert!(
        partway != body && partway != torn,
        "the restore had not begun"
    );
    let out = sb.mmt(["recover"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(sb.read("dense.txt"), body, "whole old");
    assert_nothing_left(&sb);
}

#[test]
fn an_undo_killed_partway_is_finished_by_the_next_command() {
    for (old, new) in [("consectetur", "CONSECTETUR"), ("consectetur", "c")] {
        let sb = Sandbox::new();
        let body = "consectetur ".repeat(300_000).into_bytes();
        sb.write("dense.txt", &body);
        sb.write("other.txt", b"consectetur\n");
        // dense.txt last: an undo restores the last file first.
        sb.mmt(["replace", "other.txt", "dense.txt", old, new])
            .assert()
            .success();
        let done = sb.read("dense.txt");
        let pause = if old.len() == new.len() {
            "mid-restore"
        } else {
            // A rewrite's undo is a rename per file: killed between them.
            "undo-marked"
        };
        killed_at(&sb, &["undo"], pause);
        if old.len() == new.len() {
            let partway = sb.read("dense.txt");
            assert!(partway != body && partway != done, "the undo had not begun");
        }
        // Not stuck: the next command (a read of an unrelated file here) finishes the undo,
        // and says so.
        let out = sb.mmt(["recover"]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("dense.txt: undone")
                || stderr.contains("dense.txt: undone"),
            "{out:?}"
        );
        assert_eq!(sb.read("dense.txt"), body, "whole old");
        assert_eq!(sb.read("other.txt"), b"consectetur\n");
        // The run is gone: nothing more to undo.
        let out = sb.mmt(["undo"]).output().unwrap();
        assert_eq!(out.status.code(), Some(1), "{out:?}");
        assert_eq!(sb.read("dense.txt"), body);
    }
}

/// Hits `gap` bytes apart over 20 MiB: more than one stretch of an in-place patch (8 MiB), so
/// that the patch runs on several threads.
fn spread_out_hits(gap: usize) -> Vec<u8> {
    let mut body = Vec::with_capacity(21 << 20);
    while body.len() < 20 << 20 {
        body.extend_from_slice(b"consectetur ");
        body.extend(std::iter::repeat_n(b'.', gap));
        body.push(b'\n');
    }
    body
}

#[test]
fn a_patch_over_many_stretches_killed_halfway_is_rolled_back() {
    let sb = Sandbox::new();
    // Few enough edits to be planned well within the pause's start in a debug build.
    let body = spread_out_hits(1000);
    sb.write("dense.txt", &body);
    killed_at(
        &sb,
        &["-j2", "replace", "dense.txt", "consectetur", "CONSECTETUR"],
        "mid-patch",
    );
    // The first half of the edits is in the file, and only that half: every hit before the
    // middle one is new, every hit from it on is old.
    let torn = sb.read("dense.txt");
    let hits: Vec<&[u8]> = torn
        .windows(11)
        .filter(|w| w.eq_ignore_ascii_case(b"consectetur"))
        .collect();
    let half = hits.len() / 2;
    assert!(hits.len() > 20_000 && half > 0);
    assert!(hits[..half].iter().all(|w| w == b"CONSECTETUR"));
    assert!(hits[half..].iter().all(|w| w == b"consectetur"));
    sb.mmt(["recover"]).assert().success();
    assert_eq!(sb.read("dense.txt"), body);
    assert_nothing_left(&sb);
}

#[test]
fn a_patch_over_many_stretches_is_the_replace_on_any_threads_and_undoes_whole() {
    let sb = Sandbox::new();
    // 220,000 edits: enough that the journal sums what they write on a thread of its own.
    let body = spread_out_hits(83);
    sb.write("dense.txt", &body);
    let replaced = String::from_utf8(body.clone())
        .unwrap()
        .replace("consectetur", "CONSECTETUR")
        .into_bytes();
    // A literal (its undo data written from the plan) and a regex (read from the file).
    for (threads, pattern) in [
        ("-j1", ["consectetur", "CONSECTETUR"]),
        ("-j3", ["consectetur", "CONSECTETUR"]),
        ("-j2", ["--regex", "c(onsectetu)r"]),
    ] {
        let mut args = vec![threads, "replace", "dense.txt"];
        args.extend(pattern);
        if pattern[0] == "--regex" {
            args.push("C${1}R");
        }
        sb.mmt(&args).assert().success();
        let expected = if pattern[0] == "--regex" {
            String::from_utf8(body.clone())
                .unwrap()
                .replace("consectetur", "ConsectetuR")
                .into_bytes()
        } else {
            replaced.clone()
        };
        assert!(sb.read("dense.txt") == expected, "{args:?}");
        sb.mmt(["undo"]).assert().success();
        assert!(sb.read("dense.txt") == body, "{args:?} undone");
    }
    assert_nothing_left(&sb);
}

#[test]
#[ignore = "needs root; .ci/run runs the ignored tests"]
fn a_run_that_fails_in_its_third_file_restores_the_first_two() {
    let sb = Sandbox::new();
    let files = five_files(&sb);
    // The third file cannot be written (read-only, and not by root's privilege: immutable when
    // root; a file in place of a directory entry otherwise is simpler: a read-only file).
    let third = sb.path("f3.txt");
    let immutable = is_root()
        && Command::new("chattr")
            .arg("+i")
            .arg(&third)
            .status()
            .is_ok_and(|s| s.success());
    assert!(immutable, "needs root and chattr to make a file immutable");
    // Same length: the first two are patched in place before the third fails.
    let out = sb
        .mmt([
            "replace", "f1.txt", "f2.txt", "f3.txt", "f4.txt", "f5.txt", "foo", "FOO",
        ])
        .output()
        .unwrap();
    Command::new("chattr")
        .arg("-i")
        .arg(&third)
        .status()
        .unwrap();
    assert_error(&out, "f3.txt: cannot open for writing");
    assert_error(
        &out,
        "the run was rolled back (2 files written before it restored), nothing changed",
    );
    assert_all_as_they_were(&sb, &files);
    assert_nothing_left(&sb);
    // Nothing to undo either: the run did not happen.
    sb.mmt(["undo"]).assert().code(1);
}

/// Forty files, `foo` in each; the twentieth is 1.6 MiB of them.
fn forty_files(sb: &Sandbox) -> Vec<(String, Vec<u8>)> {
    (0..40)
        .map(|i| {
            let name = format!("f{i:02}.txt");
            let body = match i {
                20 => "foo\n".repeat(400_000).into_bytes(),
                _ => format!("file {i}: foo\n").into_bytes(),
            };
            sb.write(&name, &body);
            (name, body)
        })
        .collect()
}

/// A run of many files is written on several threads at once: one that fails (its new content
/// larger than `ulimit -f` lets a process write) restores every file the others wrote, whether
/// they were written before it or beside it, and leaves nothing behind.
#[test]
fn a_run_written_on_many_threads_that_fails_restores_every_file_written() {
    let sb = Sandbox::new();
    let files = forty_files(&sb);
    let out = sb
        .bash(r#"ulimit -f 1024; exec "$MMT" -j4 replace . foo quux"#)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("f20.txt"), "{stderr}");
    assert!(stderr.contains("nothing changed"), "{stderr}");
    assert_all_as_they_were(&sb, &files);
    assert_nothing_left(&sb);
    sb.mmt(["undo"]).assert().code(1);
    // And without the failure, all forty land, as one run that one undo reverts.
    sb.write("f20.txt", b"foo\n");
    let out = sb
        .mmt(["-j4", "replace", ".", "foo", "quux"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "40 replacements in 40 files\n"
    );
    for (name, _) in &files {
        assert!(
            String::from_utf8(sb.read(name)).unwrap().contains("quux"),
            "{name}"
        );
    }
    sb.mmt(["undo"]).assert().success();
    assert_eq!(sb.read("f00.txt"), b"file 0: foo\n");
    assert_eq!(sb.read("f20.txt"), b"foo\n");
}

/// A Ctrl-C while many files are written on several threads: the files being written are
/// finished, no other is begun, and the whole run is rolled back.
#[test]
fn an_interrupt_while_many_files_are_written_at_once_rolls_the_run_back() {
    let sb = Sandbox::new();
    let files = forty_files(&sb);
    let child = sb.spawn_paused(&["-j4", "replace", ".", "foo", "quux"], "before-write");
    let out = kill(child, "INT");
    assert_eq!(out.status.signal(), Some(2), "{out:?}");
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("interrupted; the run was rolled back"),
        "{out:?}"
    );
    assert_all_as_they_were(&sb, &files);
    assert_nothing_left(&sb);
}

#[test]
fn undo_reverts_the_last_run_of_each_kind() {
    let sb = Sandbox::with_fixtures();
    fs::set_permissions(sb.path("lorem.txt"), fs::Permissions::from_mode(0o640)).unwrap();
    // Same length, in place.
    sb.mmt(["replace", "lorem.txt", "Lorem", "LOREM"])
        .assert()
        .success();
    // A rewrite.
    sb.mmt(["replace", "lorem.txt", "consectetuer", "C"])
        .assert()
        .success();
    // Many files.
    let files = five_files(&sb);
    sb.mmt(["replace", ".", "foo", "foobar", "-g", "f*.txt"])
        .assert()
        .success();
    let list = stdout_of(&mut sb.mmt(["undo", "--list"]));
    assert_eq!(
        list.lines().filter(|l| !l.starts_with(' ')).count(),
        3,
        "{list}"
    );
    assert!(
        list.contains("5 files") && list.contains("of undo data"),
        "{list}"
    );
    sb.mmt(["undo"]).assert().success();
    assert_all_as_they_were(&sb, &files);
    sb.mmt(["undo"]).assert().success();
    let in_place_only = String::from_utf8_lossy(LOREM).replace("Lorem", "LOREM");
    assert_eq!(sb.read("lorem.txt"), in_place_only.as_bytes());
    let out = sb.mmt(["undo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("lorem.txt: restored"));
    assert_eq!(sb.read("lorem.txt"), LOREM);
    assert_eq!(
        fs::metadata(sb.path("lorem.txt"))
            .unwrap()
            .permissions()
            .mode()
            & 0o777,
        0o640
    );
    sb.mmt(["undo"])
        .assert()
        .code(1)
        .stderr("mmt: no run can be undone\n");
}

#[test]
fn undo_refuses_when_a_file_changed_since() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["replace", "lorem.txt", "Lorem", "LOREM"])
        .assert()
        .success();
    // Another size: told apart from the run's own result whatever the clock says.
    let changed_since = String::from_utf8_lossy(LOREM).replace("Lorem", "LOREM") + "more\n";
    sb.write("lorem.txt", changed_since.as_bytes());
    let out = sb.mmt(["undo"]).output().unwrap();
    assert_error(
        &out,
        "lorem.txt: changed since the run of `mmt replace lorem.txt Lorem LOREM`; nothing undone",
    );
    assert_eq!(sb.read("lorem.txt"), changed_since.as_bytes());
}

#[test]
fn undo_refuses_a_same_size_edit_whose_time_was_set_back() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["replace", "lorem.txt", "Lorem", "LOREM"])
        .assert()
        .success();
    let mtime = sb.mtime("lorem.txt");
    // Another tool changes a patched byte and puts the modification time back.
    let edited = String::from_utf8_lossy(LOREM).replacen("Lorem", "XOREM", 1);
    fs::write(sb.path("lorem.txt"), edited.as_bytes()).unwrap();
    fs::File::options()
        .write(true)
        .open(sb.path("lorem.txt"))
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let out = sb.mmt(["undo"]).output().unwrap();
    assert_error(&out, "lorem.txt: changed since the run");
    assert_eq!(sb.read("lorem.txt"), edited.as_bytes());
}

#[test]
fn no_journal_runs_cannot_be_undone_and_write_is_a_run() {
    let sb = Sandbox::with_fixtures();
    sb.mmt(["--no-journal", "replace", "lorem.txt", "Lorem", "LOREM"])
        .assert()
        .success();
    sb.mmt(["undo"]).assert().code(1);
    sb.mmt(["write", "lorem.txt", "0", "xx"]).assert().success();
    sb.mmt(["undo"]).assert().success();
    assert!(sb.read("lorem.txt").starts_with(b"LOREM"));
}

#[test]
fn undo_data_over_the_bound_is_let_go_of() {
    let sb = Sandbox::with_fixtures();
    let out = sb
        .mmt(["replace", "lorem.txt", "Lorem", "LOREM"])
        .env("MMT_UNDO_LIMIT", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("is over the bound (1 B); it cannot be undone")
    );
    sb.mmt(["undo"]).assert().code(1);
    // At the bound exactly, a run is kept; a byte under it, it is let go of.
    sb.write("lorem.txt", LOREM);
    sb.mmt(["replace", "lorem.txt", "Lorem", "LOREM"])
        .assert()
        .success();
    let listed = stdout_of(&mut sb.mmt(["--json", "undo", "--list"]));
    let run: serde_json::Value = serde_json::from_str(listed.trim()).unwrap();
    let size = run["undo_data"].as_u64().unwrap();
    sb.mmt(["undo"]).assert().success();
    for (limit, kept) in [(size, true), (size - 1, false)] {
        let out = sb
            .mmt(["replace", "lorem.txt", "Lorem", "LOREM"])
            .env("MMT_UNDO_LIMIT", limit.to_string())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        let over = String::from_utf8_lossy(&out.stderr).contains("is over the bound");
        assert_eq!(over, !kept, "{limit}: {out:?}");
        sb.mmt(["undo"]).assert().code(if kept { 0 } else { 1 });
        sb.write("lorem.txt", LOREM);
    }
}

#[test]
fn the_number_of_runs_kept_is_ten_or_mmt_undo_runs() {
    let sb = Sandbox::new();
    sb.write("data.txt", b"a\n");
    let kept = || {
        let out = sb.mmt(["--json", "undo", "--list"]).output().unwrap();
        String::from_utf8_lossy(&out.stdout).lines().count()
    };
    for i in 0..12 {
        sb.mmt([
            "replace",
            "data.txt",
            &format!("{}", (b'a' + i) as char),
            &format!("{}", (b'b' + i) as char),
        ])
        .assert()
        .success();
    }
    assert_eq!(kept(), 10);
    sb.mmt(["replace", "data.txt", "m", "n"])
        .env("MMT_UNDO_RUNS", "3")
        .assert()
        .success();
    assert_eq!(kept(), 3);
}

#[test]
fn a_dry_run_keeps_no_run() {
    let sb = Sandbox::with_fixtures();
    let out = sb
        .mmt(["--copy", "replace", "lorem.txt", "Lorem", "LOREM"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    sb.mmt(["--copy", "write", "lorem.txt", "0", "X"])
        .assert()
        .success();
    let out = sb.mmt(["undo", "--list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let runs = fs::read_dir(sb.state().join("runs")).map_or(0, |d| d.count());
    assert_eq!(runs, 0);
}

#[test]
fn an_interrupt_between_files_rolls_the_run_back() {
    let sb = Sandbox::new();
    let files = five_files(&sb);
    let child = sb.spawn_paused(
        &["replace", "f1.txt", "f2.txt", "f3.txt", "foo", "quux"],
        "between-files",
    );
    let out = kill(child, "INT");
    assert_eq!(out.status.signal(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("interrupted; the run was rolled back"));
    assert_all_as_they_were(&sb, &files);
    assert_nothing_left(&sb);
}

#[test]
fn without_a_usable_state_directory_mmt_still_works_and_says_where_it_went() {
    let sb = Sandbox::with_fixtures();
    let tmp = tempfile::tempdir().unwrap();
    let run = |tmpdir: &std::path::Path| {
        let mut cmd = sb.mmt(["replace", "lorem.txt", "Lorem", "LOREM"]);
        cmd.env_remove("MMT_STATE_DIR")
            .env_remove("XDG_STATE_HOME")
            .env_remove("HOME")
            .env("TMPDIR", tmpdir);
        cmd.output().unwrap()
    };
    let out = run(tmp.path());
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.matches("mmt: note:").count(), 1, "{stderr}");
    assert!(stderr.contains("journals and undo data go to"), "{stderr}");
    // Not even the temporary directory: no journal, and the run still lands.
    sb.write("lorem.txt", LOREM);
    let out = run(std::path::Path::new("/proc"));
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr)
            .contains("this run has no journal and cannot be undone")
    );
    assert!(sb.read("lorem.txt").starts_with(b"LOREM"));
}

/// Two runs that would lock the same files in opposite orders take turns instead of waiting
/// for each other for ever. Bounded: both are killed and reaped if they do not end in time.
#[test]
fn runs_over_the_same_files_in_opposite_orders_both_land() {
    let sb = Sandbox::new();
    // -j1: each run locks its files one after the other, as it plans them.
    let body = b"...\none two\n".to_vec();
    sb.write("a.txt", &body);
    sb.write("b.txt", &body);
    // The first holds a.txt (locked as it was planned) and is held as it comes to plan b.txt;
    // the second then takes b.txt and wants a.txt: each holds what the other wants.
    let hold_b = [("MMT_TEST_HOLD_FILE", "b.txt")];
    let args = ["-j1", "replace", "a.txt", "b.txt", "one", "ONE"];
    let first = start_paused_with(&sb, sb.state(), &args, "planning", &hold_b);
    let mut second = Reaped::new(
        Command::new(super::util::mmt_bin())
            .args(["-j1", "replace", "b.txt", "a.txt", "two", "TWO"])
            .current_dir(sb.dir())
            .env("MMT_STATE_DIR", sb.state())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    first.release();
    let mut first = first;
    let mut done = [None, None];
    eventually("both runs end", Duration::from_secs(20), || {
        for (slot, child) in done.iter_mut().zip([&mut *first, &mut *second]) {
            if slot.is_none() {
                *slot = child.try_wait().unwrap();
            }
        }
        done.iter().all(Option::is_some)
    });
    assert!(
        done.iter().all(|s| s.is_some_and(|s| s.success())),
        "{done:?}"
    );
    for name in ["a.txt", "b.txt"] {
        assert!(sb.read(name).ends_with(b"ONE TWO\n"), "{name}");
    }
}

/// A run that rewrites more files than it holds open for the final sync (it syncs them a batch
/// at a time) lands whole, and `undo` puts every file back.
#[test]
fn a_run_over_hundreds_of_files_lands_and_undoes_whole() {
    let sb = Sandbox::new();
    std::fs::create_dir(sb.path("d")).unwrap();
    for i in 0..300 {
        sb.write(&format!("d/f{i:03}.txt"), format!("foo {i}\n").as_bytes());
    }
    sb.mmt(["-q", "replace", "d", "foo", "longer"])
        .assert()
        .success();
    for i in [0, 255, 256, 299] {
        assert_eq!(
            sb.read(&format!("d/f{i:03}.txt")),
            format!("longer {i}\n").as_bytes()
        );
    }
    sb.mmt(["undo"]).assert().success();
    for i in 0..300 {
        assert_eq!(
            sb.read(&format!("d/f{i:03}.txt")),
            format!("foo {i}\n").as_bytes()
        );
    }
}

/// The one run directory of the sandbox's state.
fn the_run(sb: &Sandbox) -> std::path::PathBuf {
    let runs: Vec<_> = fs::read_dir(sb.state().join("runs"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    assert_eq!(runs.len(), 1, "{runs:?}");
    runs.into_iter().next().unwrap()
}

/// Rewrites a run's undo pack (`undo`: frames, then each frame's file number, offset and
/// length, the count, the checksum and `mmtundo2`) as the file per entry (`N.undo`) that mmt
/// kept before the pack.
fn unpack_as_before(run: &std::path::Path) {
    let pack = fs::read(run.join("undo")).unwrap();
    assert!(pack.ends_with(b"mmtundo2"));
    let number = |at: usize| u64::from_le_bytes(pack[at..at + 8].try_into().unwrap()) as usize;
    let count = number(pack.len() - 24);
    let index_at = pack.len() - 24 - count * 24;
    for i in 0..count {
        let at = index_at + i * 24;
        let (n, start, len) = (number(at), number(at + 8), number(at + 16));
        fs::write(run.join(format!("{n}.undo")), &pack[start..start + len]).unwrap();
    }
    fs::remove_file(run.join("undo")).unwrap();
}

/// Rewrites a run's undo pack as the mmt before the checksum wrote it: no checksum, and
/// `mmtundo1`.
fn pack_without_checksum(run: &std::path::Path) {
    let mut pack = fs::read(run.join("undo")).unwrap();
    assert!(pack.ends_with(b"mmtundo2"));
    pack.truncate(pack.len() - 16);
    pack.extend_from_slice(b"mmtundo1");
    fs::write(run.join("undo"), pack).unwrap();
}

#[test]
fn runs_kept_a_file_per_entry_by_an_earlier_mmt_are_still_rolled_back_and_undone() {
    // Interrupted: rolled back by recover.
    let sb = Sandbox::new();
    let files = five_files(&sb);
    let names = ["f1.txt", "f2.txt", "f3.txt", "f4.txt", "f5.txt"];
    let args = [&["replace"][..], &names, &["foo", "bar"]].concat();
    killed_at(&sb, &args, "before-commit");
    assert_ne!(sb.read("f1.txt"), files[0].1);
    unpack_as_before(&the_run(&sb));
    sb.mmt(["recover"]).assert().success();
    assert_all_as_they_were(&sb, &files);
    assert_nothing_left(&sb);

    // Committed: undone.
    let sb = Sandbox::new();
    let files = five_files(&sb);
    sb.mmt(&args).assert().success();
    unpack_as_before(&the_run(&sb));
    sb.mmt(["undo"]).assert().success();
    assert_all_as_they_were(&sb, &files);

    // A pack of the mmt before the checksum: rolled back, and undone.
    let sb = Sandbox::new();
    let files = five_files(&sb);
    killed_at(&sb, &args, "before-commit");
    assert_ne!(sb.read("f1.txt"), files[0].1);
    pack_without_checksum(&the_run(&sb));
    sb.mmt(["recover"]).assert().success();
    assert_all_as_they_were(&sb, &files);
    sb.mmt(&args).assert().success();
    pack_without_checksum(&the_run(&sb));
    sb.mmt(["undo"]).assert().success();
    assert_all_as_they_were(&sb, &files);

    // A file of undo data that cannot be read is not taken for one never written: recover (of
    // an interrupted run) and undo (of a committed one) refuse, say why, naming the file, and
    // keep the run, the file left as the run wrote it.
    for (command, refusal) in [
        ("recover", "f1.txt: cannot restore: cannot read the journal"),
        ("undo", "f1.txt: cannot undo: cannot read the journal"),
    ] {
        let sb = Sandbox::new();
        five_files(&sb);
        if command == "recover" {
            killed_at(&sb, &args, "before-commit");
        } else {
            sb.mmt(&args).assert().success();
        }
        let patched = sb.read("f1.txt");
        let run = the_run(&sb);
        unpack_as_before(&run);
        fs::remove_file(run.join("0.undo")).unwrap();
        fs::create_dir(run.join("0.undo")).unwrap();
        let out = sb.mmt([command]).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{command}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(refusal), "{stderr}");
        assert_eq!(sb.read("f1.txt"), patched, "{command}");
        assert!(run.exists(), "{command}");
    }
}

#[test]
#[ignore = "needs /dev/shm on another file system than the temporary directory; .ci/run runs the ignored tests"]
fn a_rewrite_with_the_state_on_another_file_system_is_rolled_back_from_beside_the_file() {
    use std::os::unix::fs::MetadataExt;
    let shm = std::path::Path::new("/dev/shm");
    let sb = Sandbox::new();
    let device = |p: &std::path::Path| fs::metadata(p).unwrap().dev();
    assert!(
        shm.is_dir() && device(shm) != device(sb.dir()),
        "/dev/shm is not another file system here"
    );
    let state = tempfile::tempdir_in(shm).unwrap();
    let files = five_files(&sb);
    let child = start_paused_in(
        &sb,
        state.path(),
        &["replace", "f1.txt", "f2.txt", "foo", "quux"],
        "before-commit",
    );
    kill(child, "KILL");
    // A hard link cannot cross file systems: the old inode was kept beside the file.
    assert_ne!(sb.read("f1.txt"), files[0].1);
    assert!(
        sb.listing().iter().any(|n| n.ends_with(".mmt-old")),
        "{:?}",
        sb.listing()
    );
    sb.mmt(["recover"])
        .env("MMT_STATE_DIR", state.path())
        .assert()
        .success();
    assert_all_as_they_were(&sb, &files);
    assert!(
        !sb.listing().iter().any(|n| n.contains(".mmt-")),
        "{:?}",
        sb.listing()
    );
}

/// Changes one byte of the old bytes `old` in the run's undo pack, as a torn write or a
/// damaged disk would.
fn damage_the_pack(sb: &Sandbox, old: &[u8]) {
    let pack = the_run(sb).join("undo");
    let mut bytes = fs::read(&pack).unwrap();
    let at = bytes
        .windows(old.len())
        .position(|w| w == old)
        .expect("the old bytes are in the pack");
    bytes[at + old.len() - 1] ^= 0x01;
    fs::write(&pack, bytes).unwrap();
}

/// Writes five files and kills a replace of two of them once its journal is written, before
/// any file is; gives the files as they were.
fn killed_after_its_journal(sb: &Sandbox) -> Vec<(String, Vec<u8>)> {
    let files = five_files(sb);
    killed_at(
        sb,
        &["replace", "f1.txt", "f2.txt", "foo", "bar"],
        "after-journal",
    );
    files
}

#[test]
fn a_torn_pack_of_a_run_that_wrote_nothing_restores_nothing() {
    // Killed once its journal is written, before any file is, and its pack then found torn
    // (a block of it not what was written, as a crash before its sync can leave it): the old
    // bytes in it must not be written over files that the run never touched.
    let sb = Sandbox::new();
    let files = killed_after_its_journal(&sb);
    damage_the_pack(&sb, b"foo");
    sb.mmt(["recover"]).assert().success();
    assert_all_as_they_were(&sb, &files);
    assert_nothing_left(&sb);
}

#[test]
fn a_damaged_pack_of_a_run_that_wrote_keeps_the_run_and_says_how_to_let_it_go() {
    let sb = Sandbox::new();
    let (_, torn) = dense_patch_killed_halfway(&sb);
    damage_the_pack(&sb, b"consectetur");
    let run = the_run(&sb);
    let out = sb.mmt(["recover"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("/dense.txt: cannot restore: the run's undo data (")
            && stderr.contains("/undo) is damaged, and the file has changed since the run began; check the file, then remove ")
            && stderr.contains(&format!("remove {} to let the run go", run.display())),
        "{stderr}"
    );
    // Nothing written from the damaged pack, and the run kept.
    assert_eq!(sb.read("dense.txt"), torn);
    assert!(run.join("manifest.json").exists());
    // A pack that cannot be opened at all is not taken for one never made.
    fs::remove_file(run.join("undo")).unwrap();
    std::os::unix::fs::symlink("undo", run.join("undo")).unwrap();
    let out = sb.mmt(["recover"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is damaged"));
    assert_eq!(sb.read("dense.txt"), torn);
    // Every other command still runs, and says the run is open.
    let out = sb
        .mmt(["find", "dense.txt", "CONSECTETUR", "--count"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("an interrupted run is still open"));
    // The fix the message gives.
    fs::remove_dir_all(&run).unwrap();
    let out = sb.mmt(["recover"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(sb.read("dense.txt"), torn);
}

#[test]
fn a_pack_cut_short_is_nothing_recorded_and_a_missing_one_refuses_undo() {
    // Killed once its journal is written, before any file is: a pack cut short (as a crash
    // while it was written would leave it) means nothing of the run reached a file.
    let sb = Sandbox::new();
    let files = killed_after_its_journal(&sb);
    let pack = the_run(&sb).join("undo");
    let len = fs::metadata(&pack).unwrap().len();
    fs::OpenOptions::new()
        .write(true)
        .open(&pack)
        .unwrap()
        .set_len(len - 3)
        .unwrap();
    sb.mmt(["recover"]).assert().success();
    assert_all_as_they_were(&sb, &files);
    assert_nothing_left(&sb);

    // A committed run without its pack: undo refuses and changes nothing.
    sb.mmt(["replace", "f1.txt", "f2.txt", "foo", "bar"])
        .assert()
        .success();
    let patched = sb.read("f1.txt");
    fs::remove_file(the_run(&sb).join("undo")).unwrap();
    let out = sb.mmt(["undo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("f1.txt: the undo data of the run of `mmt replace f1.txt f2.txt foo bar` is missing or damaged; nothing undone"),
        "{stderr}"
    );
    assert_eq!(sb.read("f1.txt"), patched);
}

/// A race found under load: another command's recovery saw a run not yet committed, the run
/// committed and let go of its lock, and the recovery, taking the lock, rolled the committed
/// run back. The recovery now looks again once it holds the lock.
#[test]
fn a_run_that_commits_while_another_command_looks_at_it_is_not_rolled_back() {
    let sb = Sandbox::new();
    sb.write("f.txt", b"old text\n");
    let run = sb.spawn_paused(&["replace", "f.txt", "old", "new"], "before-commit");
    let look = sb.spawn_paused(&["find", "f.txt", "text"], "recovery-lock");
    run.release();
    let run = run.wait_with_output().unwrap();
    assert_eq!(run.status.code(), Some(0), "{run:?}");
    look.release();
    let look = look.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&look.stderr);
    assert_eq!(look.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("rolled back"), "{stderr}");
    assert_eq!(sb.read("f.txt"), b"new text\n");
    sb.mmt(["undo"]).assert().success();
    assert_eq!(sb.read("f.txt"), b"old text\n");
}
